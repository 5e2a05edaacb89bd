//! NetSuite OAuth 2.0 client credentials (M2M) beside TBA:
//! - the simulator's token endpoint refuses each malformed client assertion
//!   Oracle refuses (RS256, wrong `aud`, `exp` over 60 minutes after `iat`,
//!   wrong scope, unknown `kid`, a signature by another key, …);
//! - the client fetches one token for many concurrent calls, and after a
//!   401 gets a new token once;
//! - the writer and a job work end to end in both modes (moto needed for
//!   those two tests).

mod common;

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use local_env::netsuite_auth::{self as fx, NetSuiteAuthMode};
use serde_json::{json, Value};
use shared::netsuite::{NetSuiteClient, NetSuiteConfig, NsError};
use shared::signing::netsuite_m2m::{
    token_request_body, AssertionClaims, M2mAlgorithm, CLIENT_ASSERTION_TYPE, TOKEN_PATH,
};
use simulators::{NetSuiteSim, RunningSim};

async fn sim() -> RunningSim<NetSuiteSim> {
    let s = simulators::spawn_netsuite(simulators::default_seed().netsuite, Default::default())
        .await
        .expect("simulator starts");
    fx::register_test_certificates(&s.state).expect("certificates");
    s
}

fn token_url(s: &RunningSim<NetSuiteSim>) -> String {
    format!("{}{TOKEN_PATH}", s.base_url)
}

fn now() -> i64 {
    common::now()
}

/// A correct ES256 assertion's parts, to be spoiled one at a time.
struct Assertion {
    alg: Algorithm,
    key: &'static str,
    kid: Option<&'static str>,
    typ: Option<&'static str>,
    claims: AssertionClaims,
}

impl Assertion {
    fn good(s: &RunningSim<NetSuiteSim>) -> Self {
        Assertion {
            alg: Algorithm::ES256,
            key: fx::EC_PRIVATE_KEY,
            kid: Some(fx::EC_CERTIFICATE_ID),
            typ: Some("JWT"),
            claims: AssertionClaims {
                iss: fx::CLIENT_ID.into(),
                scope: "rest_webservices".into(),
                aud: token_url(s),
                iat: now(),
                exp: now() + 300,
            },
        }
    }

    fn ps256(s: &RunningSim<NetSuiteSim>) -> Self {
        Assertion {
            alg: Algorithm::PS256,
            key: fx::RSA_PRIVATE_KEY,
            kid: Some(fx::RSA_CERTIFICATE_ID),
            ..Self::good(s)
        }
    }

    fn jwt(&self) -> String {
        let mut h = Header::new(self.alg);
        h.kid = self.kid.map(Into::into);
        h.typ = self.typ.map(Into::into);
        let key = match self.alg {
            Algorithm::ES256 => EncodingKey::from_ec_pem(self.key.as_bytes()),
            _ => EncodingKey::from_rsa_pem(self.key.as_bytes()),
        }
        .expect("test key");
        jsonwebtoken::encode(&h, &self.claims, &key).expect("signs")
    }
}

/// Posts `body` to the token endpoint: (status, JSON body).
async fn post_token(s: &RunningSim<NetSuiteSim>, content_type: &str, body: String) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(token_url(s))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("token endpoint answers");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn request(s: &RunningSim<NetSuiteSim>, a: &Assertion) -> (u16, Value) {
    post_token(
        s,
        "application/x-www-form-urlencoded",
        token_request_body(&a.jwt()),
    )
    .await
}

/// Asserts a refusal with `code`, whose logged reason contains `why`.
async fn refused(s: &RunningSim<NetSuiteSim>, a: &Assertion, code: &str, why: &str) {
    let (status, body) = request(s, a).await;
    assert_eq!(status, 400, "{why}: {body}");
    assert_eq!(body, json!({"error": code}), "{why}");
    let reason = s.state.m2m_stats().last_refusal.unwrap_or_default();
    assert!(
        reason.contains(why),
        "expected {why:?}, refused for {reason:?}"
    );
}

#[tokio::test]
async fn the_token_endpoint_refuses_each_malformed_assertion() {
    let s = sim().await;
    // The baseline: ES256 and PS256 assertions are accepted.
    for good in [Assertion::good(&s), Assertion::ps256(&s)] {
        let (status, body) = request(&s, &good).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
        assert_eq!(body["token_type"], "Bearer");
    }

    // RS256 with a registered RSA certificate and a valid signature.
    let rs256 = Assertion {
        alg: Algorithm::RS256,
        ..Assertion::ps256(&s)
    };
    refused(&s, &rs256, "invalid_client", "RS256 is not allowed").await;
    // HS256 (a shared secret) neither.
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(fx::EC_CERTIFICATE_ID.into());
    let hs = jsonwebtoken::encode(
        &h,
        &Assertion::good(&s).claims,
        &EncodingKey::from_secret(b"x").unwrap(),
    )
    .unwrap();
    let (status, _) = post_token(
        &s,
        "application/x-www-form-urlencoded",
        token_request_body(&hs),
    )
    .await;
    assert_eq!(status, 400);

    let mut wrong_aud = Assertion::good(&s);
    wrong_aud.claims.aud = "https://example.com/services/rest/auth/oauth2/v1/token".into();
    refused(&s, &wrong_aud, "invalid_client", "InvalidAudience").await;

    let mut long = Assertion::good(&s);
    long.claims.exp = long.claims.iat + 3601;
    refused(&s, &long, "invalid_client", "more than 60 minutes").await;
    // Exactly 60 minutes is allowed.
    let mut hour = Assertion::good(&s);
    hour.claims.exp = hour.claims.iat + 3600;
    assert_eq!(request(&s, &hour).await.0, 200);

    let mut expired = Assertion::good(&s);
    expired.claims.iat = now() - 600;
    expired.claims.exp = now() - 300;
    refused(&s, &expired, "invalid_client", "ExpiredSignature").await;

    for (scope, why) in [
        ("restlets", "lacks rest_webservices"),
        ("rest_webservice", "unknown scope"),
        ("rest_webservices,everything", "unknown scope"),
    ] {
        let mut a = Assertion::good(&s);
        a.claims.scope = scope.into();
        refused(&s, &a, "invalid_scope", why).await;
    }
    let mut mixed = Assertion::good(&s);
    mixed.claims.scope = "restlets,rest_webservices".into();
    assert_eq!(request(&s, &mixed).await.0, 200);

    let unknown_kid = Assertion {
        kid: Some("cert-nobody-uploaded"),
        ..Assertion::good(&s)
    };
    refused(
        &s,
        &unknown_kid,
        "invalid_client",
        "no registered certificate",
    )
    .await;
    let no_kid = Assertion {
        kid: None,
        ..Assertion::good(&s)
    };
    refused(&s, &no_kid, "invalid_client", "no kid").await;

    // Signed by a key whose certificate was never uploaded.
    let forged = Assertion {
        key: fx::OTHER_EC_PRIVATE_KEY,
        ..Assertion::good(&s)
    };
    refused(&s, &forged, "invalid_client", "InvalidSignature").await;
    // An ES256 assertion naming the RSA certificate.
    let mismatched = Assertion {
        kid: Some(fx::RSA_CERTIFICATE_ID),
        ..Assertion::good(&s)
    };
    refused(&s, &mismatched, "invalid_client", "key type").await;

    let mut wrong_iss = Assertion::good(&s);
    wrong_iss.claims.iss = "another-integration".into();
    refused(&s, &wrong_iss, "invalid_client", "InvalidIssuer").await;
    let no_typ = Assertion {
        typ: None,
        ..Assertion::good(&s)
    };
    refused(&s, &no_typ, "invalid_client", "typ").await;

    // The form itself: content type, grant type, assertion type.
    let jwt = Assertion::good(&s).jwt();
    let (status, body) = post_token(
        &s,
        "application/json",
        json!({"grant_type": "client_credentials", "client_assertion": jwt}).to_string(),
    )
    .await;
    assert_eq!((status, body), (400, json!({"error": "invalid_request"})));
    let form = |grant: &str, kind: &str| {
        format!(
            "grant_type={grant}&client_assertion_type={}&client_assertion={jwt}",
            shared::signing::netsuite::pct(kind)
        )
    };
    let ct = "application/x-www-form-urlencoded";
    let (status, body) = post_token(&s, ct, form("password", CLIENT_ASSERTION_TYPE)).await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "unsupported_grant_type"}))
    );
    let (status, body) = post_token(
        &s,
        ct,
        form(
            "client_credentials",
            "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        ),
    )
    .await;
    assert_eq!((status, body), (400, json!({"error": "invalid_request"})));

    let stats = s.state.m2m_stats();
    assert_eq!(stats.tokens_issued, 4, "{stats:?}");
    assert_eq!(
        stats.token_requests,
        stats.tokens_issued + stats.tokens_refused
    );
}

#[tokio::test]
async fn rest_calls_need_an_issued_unexpired_token() {
    let s = sim().await;
    let (_, body) = request(&s, &Assertion::good(&s)).await;
    let token = body["access_token"].as_str().unwrap().to_string();
    let get = |auth: String| {
        let url = format!("{}/services/rest/record/v1/customer/201", s.base_url);
        async move {
            reqwest::Client::new()
                .get(url)
                .header("authorization", auth)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(get(format!("Bearer {token}")).await, 200);
    assert_eq!(get("Bearer sim-at-made-up".into()).await, 401);
    s.state.revoke_m2m_tokens();
    assert_eq!(get(format!("Bearer {token}")).await, 401);
}

fn sales_order(memo: &str) -> Value {
    json!({
        "entity": {"id": "201"},
        "subsidiary": {"id": "1"},
        "location": {"id": "1"},
        "tranDate": "2024-05-01",
        "memo": memo,
        "orderStatus": "B",
        "item": {"items": [
            {"item": {"id": "101"}, "quantity": 1, "rate": 129.0, "price": {"id": "-1"}}
        ]}
    })
}

fn m2m_client(
    s: &RunningSim<NetSuiteSim>,
    alg: M2mAlgorithm,
    concurrency: usize,
) -> NetSuiteClient {
    let mut cfg = NetSuiteConfig::new(
        s.base_url.clone(),
        fx::m2m_credentials(&simulators::default_seed().netsuite, alg),
    );
    cfg.concurrency = concurrency;
    cfg.base_backoff = Duration::from_millis(50);
    NetSuiteClient::new(cfg).expect("client builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_share_one_token() {
    let s = sim().await;
    for (alg, n) in [(M2mAlgorithm::ES256, 20), (M2mAlgorithm::PS256, 8)] {
        s.state.reset_stats();
        let before = s.state.m2m_stats().token_requests;
        let c = m2m_client(&s, alg, 5);
        let calls = (0..n).map(|i| {
            let c = c.clone();
            async move {
                c.upsert_by_external_id(
                    "salesOrder",
                    &format!("m2m-{alg:?}-{i}"),
                    &sales_order("concurrent"),
                    &["item"],
                )
                .await
            }
        });
        for r in futures::future::join_all(calls).await {
            r.expect("upsert with a bearer token");
        }
        // And sequential calls afterwards reuse it too.
        c.suiteql("SELECT id FROM subsidiary")
            .await
            .expect("suiteql");
        let stats = s.state.m2m_stats();
        assert_eq!(stats.token_requests - before, 1, "{alg:?}: {stats:?}");
        assert_eq!(s.state.stats().rejected_401, 0);
        assert_eq!(s.state.stats().requests, n + 1);
    }
}

#[tokio::test]
async fn a_401_gets_a_new_token_once() {
    let s = sim().await;
    let c = m2m_client(&s, M2mAlgorithm::ES256, 2);
    c.get("customer", "201", false).await.expect("first call");
    assert_eq!(s.state.m2m_stats().token_requests, 1);

    // NetSuite stops accepting the token: one 401, a new token, success.
    s.state.revoke_m2m_tokens();
    let so = c
        .create("salesOrder", &sales_order("after 401"))
        .await
        .expect("retried with a new token");
    assert!(!so.is_empty());
    assert_eq!(s.state.m2m_stats().token_requests, 2);
    assert_eq!(s.state.stats().rejected_401, 1);
    // The create ran once (a 401 proves nothing ran).
    let named = s
        .state
        .records("salesOrder")
        .into_iter()
        .filter(|r| r["memo"] == "after 401")
        .count();
    assert_eq!(named, 1);

    // Refused again with the new token: the error, after exactly one retry.
    s.state.reset_stats();
    s.state.set_m2m_tokens_refused(true);
    let e = c.get("customer", "201", false).await.unwrap_err();
    assert!(matches!(e, NsError::Unauthorized { .. }), "{e:?}");
    assert_eq!(e.code(), Some("INVALID_LOGIN"));
    assert_eq!(s.state.m2m_stats().token_requests, 3);
    assert_eq!(s.state.stats().requests, 2);
}

#[tokio::test]
async fn a_refused_token_request_is_unauthorized_and_not_retried() {
    let s = sim().await;
    let mut creds = fx::m2m_credentials(&simulators::default_seed().netsuite, M2mAlgorithm::ES256);
    creds.certificate_id = "cert-nobody-uploaded".into();
    let c = NetSuiteClient::new(NetSuiteConfig::new(s.base_url.clone(), creds)).unwrap();
    let e = c.get("customer", "201", false).await.unwrap_err();
    assert!(matches!(e, NsError::Unauthorized { .. }), "{e:?}");
    assert_eq!(e.code(), Some("invalid_client"));
    assert!(e.to_string().contains("oauth2/v1/token"), "{e}");
    assert!(!e.is_retryable());
    assert_eq!(s.state.m2m_stats().token_requests, 1);
    assert_eq!(s.state.stats().requests, 0, "no REST call without a token");

    // A key that cannot sign is refused when the client is built.
    let mut bad = fx::m2m_credentials(&simulators::default_seed().netsuite, M2mAlgorithm::ES256);
    bad.private_key = fx::RSA_PRIVATE_KEY.into();
    let e = NetSuiteClient::new(NetSuiteConfig::new(s.base_url.clone(), bad)).unwrap_err();
    assert!(
        matches!(
            e,
            NsError::Invalid {
                field: "private_key",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.to_string().contains("PRIVATE KEY"), "{e}");
}

// ---------------------------------------------------------------------------
// End to end in both modes (moto)
// ---------------------------------------------------------------------------

async fn local_env_in(mode: NetSuiteAuthMode) -> local_env::LocalEnv {
    local_env::LocalEnv::start(
        common::sdk().await,
        local_env::LocalOptions {
            visibility_timeout_secs: 30,
            max_receive_count: 5,
            netsuite_auth: mode,
            ..Default::default()
        },
    )
    .await
    .expect("local environment")
}

/// A webhook-less path through the writer and two NetSuite jobs: the sweep
/// finds two orders, the writer writes their Sales Orders, verify reads them
/// back through SuiteQL.
async fn writer_and_jobs_work(mode: NetSuiteAuthMode) {
    use shared::app::JobRequest;
    use shared::domain::ShopId;
    let env = local_env_in(mode).await;
    assert_eq!(env.netsuite_auth, mode);
    let ids = ["910000000000000071", "910000000000000072"];
    for (i, id) in ids.iter().enumerate() {
        let mut order = common::seed_us_order(&env);
        order["id"] = json!(id);
        order["status"] = json!("AWAITING_SHIPMENT");
        order["update_time"] = json!(now() - 60 + i as i64);
        env.tiktok
            .state
            .upsert_order(common::US_SHOP, order)
            .unwrap();
    }
    let job = |name: &str| JobRequest {
        job: name.into(),
        shop: Some(common::US_SHOP.into()),
    };
    env.jobs.run(&job("sweep")).await.unwrap();
    assert_eq!(local_env::runner::drain(&env).await.expect("poll"), 2);
    for id in ids {
        let ext = shared::mapping::external_id("tts", &ShopId::new(common::US_SHOP), id);
        assert!(
            env.netsuite
                .state
                .record_by_external_id("salesOrder", &ext)
                .is_some(),
            "{mode:?}: no Sales Order for {id}"
        );
    }
    let runs = env.jobs.run(&job("verify")).await.unwrap();
    assert_eq!(
        runs[0].counts.get("verified"),
        Some(&2),
        "{mode:?}: {:?}",
        runs[0]
    );
    // The console builds its NetSuite client from the same secret.
    local_env::console::local_console(&env)
        .await
        .expect("console starts");

    let m2m = env.netsuite.state.m2m_stats();
    let rest = env.netsuite.state.stats();
    assert_eq!(rest.rejected_401, 0, "{mode:?}: {rest:?}");
    match mode {
        NetSuiteAuthMode::Tba => assert_eq!(m2m.token_requests, 0),
        _ => {
            // One token per client: the writer's, and one per job run.
            assert!((1..=4).contains(&m2m.tokens_issued), "{mode:?}: {m2m:?}");
            assert_eq!(m2m.tokens_refused, 0, "{m2m:?}");
        }
    }
}

#[tokio::test]
async fn the_writer_and_jobs_work_with_tba() {
    writer_and_jobs_work(NetSuiteAuthMode::Tba).await;
}

#[tokio::test]
async fn the_writer_and_jobs_work_with_m2m_es256() {
    writer_and_jobs_work(NetSuiteAuthMode::M2m(M2mAlgorithm::ES256)).await;
}

#[tokio::test]
async fn the_writer_and_jobs_work_with_m2m_ps256() {
    writer_and_jobs_work(NetSuiteAuthMode::M2m(M2mAlgorithm::PS256)).await;
}
