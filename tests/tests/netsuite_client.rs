//! `shared::netsuite::NetSuiteClient` against the NetSuite simulator: TBA
//! (or OAuth 2.0 M2M with `TNS_NETSUITE_AUTH=m2m`), upsert by externalId,
//! SuiteQL paging, concurrency governance, retries and the error shapes the
//! order log records. No AWS needed. M2M specifics: `netsuite_m2m.rs`.

use std::time::Duration;

use serde_json::{json, Value};
use shared::netsuite::{sql_quote, NetSuiteClient, NetSuiteConfig, NsError};
use simulators::netsuite::FaultKind;
use simulators::{NetSuiteSim, RunningSim};

async fn sim(concurrency_limit: usize, latency_ms: u64) -> RunningSim<NetSuiteSim> {
    simulators::spawn_netsuite(
        simulators::default_seed().netsuite,
        simulators::NetSuiteConfig {
            port: 0,
            concurrency_limit,
            latency_ms,
        },
    )
    .await
    .expect("simulator starts")
}

/// The client's credentials in the mode `TNS_NETSUITE_AUTH` picks.
fn config(s: &RunningSim<NetSuiteSim>, concurrency: usize) -> NetSuiteConfig {
    use local_env::netsuite_auth as m2m;
    let auth: shared::netsuite::NetSuiteAuth = match local_env::NetSuiteAuthMode::FromEnv
        .resolve()
        .expect("TNS_NETSUITE_AUTH")
    {
        local_env::NetSuiteAuthMode::M2m(alg) => {
            m2m::register_test_certificates(&s.state).expect("certificates");
            m2m::m2m_credentials(&simulators::default_seed().netsuite, alg).into()
        }
        _ => s.state.credentials().into(),
    };
    let mut cfg = NetSuiteConfig::new(s.base_url.clone(), auth);
    cfg.concurrency = concurrency;
    // Keep test backoffs short; the policy itself is unchanged.
    cfg.base_backoff = Duration::from_millis(100);
    cfg.max_backoff = Duration::from_secs(2);
    cfg
}

fn client(s: &RunningSim<NetSuiteSim>, concurrency: usize) -> NetSuiteClient {
    NetSuiteClient::new(config(s, concurrency)).expect("client builds")
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
            {"item": {"id": "101"}, "quantity": 1, "rate": 129.0, "price": {"id": "-1"}},
            {"item": {"id": "105"}, "quantity": 2, "rate": 24.5, "price": {"id": "-1"}}
        ]}
    })
}

#[tokio::test]
async fn upsert_twice_is_one_sales_order() {
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    let first = c
        .upsert_by_external_id(
            "salesOrder",
            "tts-shop1-1001",
            &sales_order("first"),
            &["item"],
        )
        .await
        .expect("first upsert");
    let second = c
        .upsert_by_external_id(
            "salesOrder",
            "tts-shop1-1001",
            &sales_order("second"),
            &["item"],
        )
        .await
        .expect("second upsert");
    assert!(first.is_some());
    // An upsert that updates may answer without `Location` (the simulator
    // takes that harsher reading); the writer then reads the id by externalId.
    assert!(second.is_none() || second == first, "{second:?}");
    let all = s.state.records("salesOrder");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["memo"], "second");
    assert_eq!(all[0]["externalId"], "tts-shop1-1001");
    assert_eq!(all[0]["item"]["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn get_by_external_id_found_and_not_found() {
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    let id = c
        .upsert_by_external_id("salesOrder", "tts-get-1", &sales_order("m"), &["item"])
        .await
        .expect("upsert")
        .expect("Location id");
    let found = c
        .get_by_external_id("salesOrder", "tts-get-1", true)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(found["id"], id.as_str());
    assert_eq!(found["externalId"], "tts-get-1");
    // Expanded: sublist lines are inline.
    assert_eq!(found["item"]["items"].as_array().map(Vec::len), Some(2));
    let collapsed = c
        .get("salesOrder", &id, false)
        .await
        .expect("get by id")
        .expect("found by id");
    assert!(collapsed["item"].get("items").is_none());
    assert_eq!(
        c.get_by_external_id("salesOrder", "tts-missing", false)
            .await
            .expect("404 is not an error"),
        None
    );
    assert_eq!(
        c.get("salesOrder", "999999", false).await.expect("404"),
        None
    );
    // A bad externalId is refused before anything is sent.
    let before = s.state.stats().requests;
    let e = c
        .get_by_external_id("salesOrder", "a|b", false)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            NsError::Invalid {
                field: "externalId",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(s.state.stats().requests, before);
}

#[tokio::test]
async fn suiteql_pages_and_lookup() {
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    let q = "SELECT id, itemid FROM item ORDER BY id";
    let p1 = c.suiteql_page(q, 2, 0).await.expect("page 1");
    assert_eq!(p1.items.len(), 2);
    assert!(p1.has_more);
    assert!(p1.items.iter().all(|r| !r.contains_key("links")));
    let p2 = c.suiteql_page(q, 2, 2).await.expect("page 2");
    assert_eq!(p2.items[0]["id"], "103");
    let total = p1.total_results.expect("totalResults") as usize;
    assert!(total >= 6);

    let all = c.suiteql(q).await.expect("all");
    assert_eq!(all.len(), total);
    assert!(all.iter().all(|r| !r.contains_key("links")));
    let ids: Vec<&str> = all.iter().filter_map(|r| r["id"].as_str()).collect();
    for want in ["101", "102", "103", "104", "105", "106"] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }

    let rows = c
        .suiteql(&format!(
            "SELECT id, itemid FROM item WHERE itemid = {} AND isinactive = 'F'",
            sql_quote("TENT-2P-GRN")
        ))
        .await
        .expect("lookup");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], "101");
    // Quotes are escaped, not interpreted.
    let none = c
        .suiteql(&format!(
            "SELECT id FROM item WHERE itemid = {}",
            sql_quote("x' OR 'a' = 'a")
        ))
        .await
        .expect("quoted lookup");
    assert!(none.is_empty());
}

#[tokio::test]
async fn suiteql_follows_pages_beyond_one_request() {
    // Many pages exercise signed limit/offset on every request.
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let p = c
            .suiteql_page("SELECT id FROM item ORDER BY id", 1, offset)
            .await
            .expect("page");
        offset += p.items.len();
        rows.extend(p.items);
        if !p.has_more {
            break;
        }
    }
    assert_eq!(
        rows.len(),
        c.suiteql("SELECT id FROM item").await.unwrap().len()
    );
}

async fn run_upserts(
    c: &NetSuiteClient,
    prefix: &str,
    n: usize,
) -> Vec<Result<Option<String>, Box<NsError>>> {
    let futs = (0..n).map(|i| {
        let c = c.clone();
        let eid = format!("{prefix}-{i}");
        tokio::spawn(async move {
            c.upsert_by_external_id("salesOrder", &eid, &sales_order(&eid), &["item"])
                .await
                .map_err(Box::new)
        })
    });
    futures::future::join_all(futs)
        .await
        .into_iter()
        .map(|r| r.expect("task did not panic"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn semaphore_keeps_within_account_limit() {
    let s = sim(2, 300).await;
    let c = client(&s, 2);
    let results = run_upserts(&c, "tts-conc", 12).await;
    for r in &results {
        assert!(r.is_ok(), "{r:?}");
    }
    let stats = s.state.stats();
    assert!(stats.peak_in_flight <= 2, "{stats:?}");
    assert_eq!(stats.peak_in_flight, 2, "both permits used");
    assert_eq!(stats.rejected_429, 0, "{stats:?}");
    assert_eq!(s.state.records("salesOrder").len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backoff_absorbs_429s() {
    let s = sim(2, 300).await;
    // Default policy (6 attempts, 250 ms doubling to 8 s), more client
    // concurrency than the account allows.
    let mut cfg = NetSuiteConfig::new(s.base_url.clone(), s.state.credentials());
    cfg.concurrency = 6;
    let c = NetSuiteClient::new(cfg).expect("client");
    let results = run_upserts(&c, "tts-thr", 12).await;
    let failures: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert!(failures.is_empty(), "{failures:?}");
    let stats = s.state.stats();
    assert!(stats.rejected_429 > 0, "{stats:?}");
    assert!(stats.peak_in_flight <= 2);
    assert_eq!(s.state.records("salesOrder").len(), 12);
}

#[tokio::test]
async fn throttled_error_after_max_attempts() {
    let s = sim(0, 0).await; // every request is rejected with 429
    let mut cfg = config(&s, 1);
    cfg.max_attempts = 3;
    cfg.base_backoff = Duration::from_millis(10);
    let c = NetSuiteClient::new(cfg).expect("client");
    let e = c
        .upsert_by_external_id("salesOrder", "tts-429", &sales_order("m"), &["item"])
        .await
        .unwrap_err();
    assert!(matches!(e, NsError::Throttled { attempts: 3, .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(e.http_status(), Some(429));
    assert_eq!(e.code(), Some("CONCURRENCY_LIMIT_EXCEEDED"));
    assert_eq!(s.state.stats().rejected_429, 3);
}

#[tokio::test]
async fn server_errors_are_retried_for_upsert() {
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    s.state.inject_fault(FaultKind::ServerError, 2, 0);
    let id = c
        .upsert_by_external_id("salesOrder", "tts-5xx", &sales_order("m"), &["item"])
        .await
        .expect("third attempt succeeds");
    assert!(id.is_some());
    let stats = s.state.stats();
    assert_eq!(stats.faults_5xx_fired, 2);
    assert_eq!(stats.requests, 3);
    assert_eq!(s.state.records("salesOrder").len(), 1);
}

#[tokio::test]
async fn create_is_not_blindly_retried_on_5xx() {
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    s.state.inject_fault(FaultKind::ServerError, 1, 0);
    let body =
        json!({"companyName": "Retry Test Co", "email": "r@example.com", "externalId": "cust-r"});
    let e = c.create("customer", &body).await.unwrap_err();
    assert!(
        matches!(
            e,
            NsError::Server {
                attempts: 1,
                status: 500,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.maybe_committed());
    assert!(e.is_retryable());
    assert_eq!(
        e.system_call(),
        Some("POST /services/rest/record/v1/customer")
    );
    assert_eq!(s.state.stats().requests, 1);
    // Without a fault, create returns the id from Location.
    let id = c.create("customer", &body).await.expect("create");
    assert_eq!(
        s.state
            .record("customer", &id)
            .map(|r| r["companyName"].clone()),
        Some(json!("Retry Test Co"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timeout_after_commit_put_is_retried_once_stored() {
    let s = sim(5, 0).await;
    let mut cfg = config(&s, 2);
    cfg.request_timeout = Duration::from_secs(1);
    let c = NetSuiteClient::new(cfg).expect("client");
    s.state.inject_fault(FaultKind::TimeoutAfterCommit, 1, 3);
    let r = c
        .upsert_by_external_id("salesOrder", "tts-tac", &sales_order("m"), &["item"])
        .await;
    assert!(r.is_ok(), "{r:?}");
    let stats = s.state.stats();
    assert_eq!(stats.faults_timeout_fired, 1);
    assert_eq!(
        stats
            .per_path
            .get("PUT /services/rest/record/v1/salesOrder/eid:tts-tac"),
        Some(&2),
        "timed out once, retried once: {stats:?}"
    );
    assert_eq!(s.state.records("salesOrder").len(), 1);
    assert!(s
        .state
        .record_by_external_id("salesOrder", "tts-tac")
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timeout_on_create_is_not_retried() {
    let s = sim(5, 0).await;
    let mut cfg = config(&s, 2);
    cfg.request_timeout = Duration::from_secs(1);
    let c = NetSuiteClient::new(cfg).expect("client");
    s.state.inject_fault(FaultKind::TimeoutAfterCommit, 1, 3);
    let mut body = sales_order("m");
    body["externalId"] = json!("tts-post-tac");
    let e = c.create("salesOrder", &body).await.unwrap_err();
    assert!(matches!(e, NsError::Timeout { attempts: 1, .. }), "{e:?}");
    assert!(e.maybe_committed());
    // It did commit: the caller's eid lookup finds it, and nothing was duplicated.
    let found = c
        .get_by_external_id("salesOrder", "tts-post-tac", false)
        .await
        .expect("lookup");
    assert!(found.is_some());
    assert_eq!(s.state.records("salesOrder").len(), 1);
}

#[tokio::test]
async fn wrong_token_secret_is_unauthorized_and_not_retried() {
    let s = sim(5, 0).await;
    let mut cfg = config(&s, 2);
    let mut tba = s.state.credentials();
    tba.token_secret = "not-the-secret".into();
    cfg.credentials = tba.into();
    let c = NetSuiteClient::new(cfg).expect("client");
    let e = c
        .upsert_by_external_id("salesOrder", "tts-401", &sales_order("m"), &["item"])
        .await
        .unwrap_err();
    assert!(matches!(e, NsError::Unauthorized { .. }), "{e:?}");
    assert_eq!(e.http_status(), Some(401));
    assert_eq!(e.code(), Some("INVALID_LOGIN"));
    assert!(!e.is_retryable());
    let stats = s.state.stats();
    assert_eq!(stats.requests, 1);
    assert_eq!(stats.rejected_401, 1);
    assert!(s.state.records("salesOrder").is_empty());
}

#[tokio::test]
async fn validation_error_is_api_error_with_path() {
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    let mut body = sales_order("m");
    body["item"]["items"][0]["item"] = json!({"id": "999"});
    let e = c
        .upsert_by_external_id("salesOrder", "tts-bad-item", &body, &["item"])
        .await
        .unwrap_err();
    assert!(matches!(e, NsError::Api { status: 400, .. }), "{e:?}");
    assert_eq!(e.code(), Some("USER_ERROR"));
    assert_eq!(e.error_path(), Some("item.items[0].item"));
    assert!(e.detail().is_some_and(|d| d.contains("999")));
    assert!(!e.is_retryable());
    assert_eq!(
        e.system_call(),
        Some("PUT /services/rest/record/v1/salesOrder/eid:tts-bad-item?replace=item")
    );
    assert!(e
        .response_body()
        .is_some_and(|b| b.contains("o:errorDetails")));
    assert_eq!(s.state.stats().requests, 1, "4xx is not retried");

    // Unknown field names fail loudly because the client sends
    // X-NetSuite-PropertyNameValidation: Error.
    let mut typo = sales_order("m");
    typo["memmo"] = json!("x");
    let e = c
        .upsert_by_external_id("salesOrder", "tts-typo", &typo, &["item"])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("USER_ERROR"), "{e:?}");
    assert!(e.detail().is_some_and(|d| d.contains("memmo")));
    assert!(s.state.records("salesOrder").is_empty());
}

#[tokio::test]
async fn patch_updates_and_suiteql_sees_transactions() {
    let s = sim(5, 0).await;
    let c = client(&s, 2);
    let id = c
        .upsert_by_external_id("salesOrder", "tts-patch", &sales_order("before"), &["item"])
        .await
        .expect("upsert")
        .expect("id");
    c.patch("salesOrder", &id, &json!({"memo": "after"}))
        .await
        .expect("patch");
    assert_eq!(
        s.state.record("salesOrder", &id).map(|r| r["memo"].clone()),
        Some(json!("after"))
    );
    let rows = c
        .suiteql(&format!(
            "SELECT id FROM transaction WHERE externalid = {}",
            sql_quote("tts-patch")
        ))
        .await
        .expect("suiteql");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], id.as_str());
}
