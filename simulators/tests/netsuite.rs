//! NetSuite simulator: TBA, records, SuiteQL, concurrency and faults.

mod common;

use common::{error_code, location_id, NetSuite};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use simulators::{default_seed, spawn_netsuite, NetSuiteConfig, NetSuiteSim, RunningSim};

const SO: &str = "/services/rest/record/v1/salesOrder";

async fn start(cfg: NetSuiteConfig) -> (RunningSim<NetSuiteSim>, NetSuite) {
    let seed = default_seed().netsuite;
    let creds = seed.credentials();
    let sim = spawn_netsuite(seed, cfg).await.unwrap();
    let ns = NetSuite {
        base: sim.base_url.clone(),
        creds,
        client: reqwest::Client::new(),
    };
    (sim, ns)
}

fn order(eid: &str) -> Value {
    json!({
        "entity": {"id": "201"},
        "externalId": eid,
        "tranDate": "2025-01-01",
        "otherRefNum": "576461413038785752",
        "item": {"items": [
            {"item": {"id": "101"}, "quantity": 2, "rate": 114.99, "price": {"id": "-1"}},
            {"item": {"id": 103}, "quantity": 1, "rate": 22.50, "price": {"id": "-1"}}
        ]}
    })
}

#[tokio::test]
async fn post_get_and_expand() {
    let (sim, ns) = start(NetSuiteConfig::default()).await;
    let r = ns
        .send(
            Method::POST,
            SO,
            Some(&order("tts-1-576461413038785752")),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.body.is_null());
    let loc = r.headers["location"].to_str().unwrap().to_string();
    assert!(
        loc.starts_with(&format!("{}/services/rest/record/v1/salesorder/", ns.base)),
        "{loc}"
    );
    let id = location_id(&r.headers);

    let r = ns.send(Method::GET, &format!("{SO}/{id}"), None, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["id"], id.as_str());
    assert_eq!(r.body["externalId"], "tts-1-576461413038785752");
    assert!(
        r.body["item"]["items"].is_null(),
        "sublists are links by default"
    );
    assert!(r.body["item"]["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/item"));

    let r = ns
        .send(
            Method::GET,
            &format!("{SO}/eid:tts-1-576461413038785752?expandSubResources=true"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let lines = r.body["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[0]["isClosed"], false);
    assert_eq!(lines[0]["quantityFulfilled"], 0);
    assert_eq!(lines[0]["quantityBilled"], 0);

    let r = ns
        .send(Method::GET, &format!("{SO}/99999"), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&r.body), "NONEXISTENT_ID");
    assert_eq!(
        r.body["o:errorDetails"][0]["detail"],
        "The record instance does not exist."
    );
    assert_eq!(
        ns.send(Method::GET, &format!("{SO}/eid:nope"), None, &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(sim.state.records("salesOrder").len(), 1);
}

#[tokio::test]
async fn put_eid_twice_keeps_one_record() {
    let (sim, ns) = start(NetSuiteConfig::default()).await;
    let path = format!("{SO}/eid:tts-1-576461413038785753");
    let r1 = ns
        .send(Method::PUT, &path, Some(&order("ignored-by-put")), &[])
        .await;
    assert_eq!(r1.status, StatusCode::NO_CONTENT, "{}", r1.body);
    let id = location_id(&r1.headers);
    // A retried upsert updates the same record, answers without Location
    // (harsher reading of an open item) and APPENDS the lines again
    // (section_1545295601): only `?replace=item` makes the body's lines the
    // whole sublist (section_1545297048).
    let r2 = ns
        .send(Method::PUT, &path, Some(&order("ignored-by-put")), &[])
        .await;
    assert_eq!(r2.status, StatusCode::NO_CONTENT, "{}", r2.body);
    assert!(r2.headers.get("location").is_none());
    let all = sim.state.records("salesOrder");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["id"], id.as_str());
    assert_eq!(all[0]["externalId"], "tts-1-576461413038785753");
    assert_eq!(
        all[0]["item"]["items"].as_array().unwrap().len(),
        4,
        "upsert without replace appends"
    );
    let r3 = ns
        .send(
            Method::PUT,
            &format!("{path}?replace=item"),
            Some(&order("ignored-by-put")),
            &[],
        )
        .await;
    assert_eq!(r3.status, StatusCode::NO_CONTENT, "{}", r3.body);
    let all = sim.state.records("salesOrder");
    let lines = all[0]["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "replace=item replaces");
    assert_eq!(lines[0]["line"], 5, "line numbers are not reused");

    // POST with an existing externalId is refused.
    let r = ns
        .send(
            Method::POST,
            SO,
            Some(&order("tts-1-576461413038785753")),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.body), "USER_ERROR");

    // Bad external ids.
    let r = ns
        .send(
            Method::PUT,
            &format!("{SO}/eid:bad%7Cid"),
            Some(&order("x")),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.body), "INVALID_ID");
    assert!(r.body["o:errorDetails"][0]["o:errorUrl"].is_string());
}

#[tokio::test]
async fn patch_closes_lines() {
    let (sim, ns) = start(NetSuiteConfig::default()).await;
    let r = ns
        .send(Method::POST, SO, Some(&order("tts-close")), &[])
        .await;
    let id = location_id(&r.headers);
    let patch = json!({"memo": "cancelled on TikTok", "item": {"items": [{"line": 1, "isclosed": true}, {"line": 2, "isClosed": true}]}});
    let r = ns
        .send(Method::PATCH, &format!("{SO}/{id}"), Some(&patch), &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let rec = sim.state.record("salesOrder", &id).unwrap();
    assert_eq!(rec["memo"], "cancelled on TikTok");
    let lines = rec["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["isclosed"], true);
    assert_eq!(lines[1]["isClosed"], true);
    assert_eq!(lines[0]["item"]["id"], "101");
}

#[tokio::test]
async fn write_validation() {
    let (_sim, ns) = start(NetSuiteConfig::default()).await;
    let mut bad_item = order("tts-bad-item");
    bad_item["item"]["items"][1]["item"]["id"] = json!("999");
    let r = ns.send(Method::POST, SO, Some(&bad_item), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.body), "USER_ERROR");
    assert!(r.body["o:errorDetails"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("Invalid Field Value 999 for the following field: item"));
    assert_eq!(
        r.body["o:errorDetails"][0]["o:errorPath"],
        "item.items[1].item"
    );
    assert_eq!(r.body["title"], "Bad Request");
    assert_eq!(
        r.headers["content-type"].to_str().unwrap(),
        "application/vnd.oracle.resource+json; type=error; charset=UTF-8"
    );

    let mut bad_entity = order("tts-bad-entity");
    bad_entity["entity"]["id"] = json!("7");
    let r = ns.send(Method::POST, SO, Some(&bad_entity), &[]).await;
    assert_eq!(r.body["o:errorDetails"][0]["o:errorPath"], "entity");

    let mut typo = order("tts-typo");
    typo["memmo"] = json!("x");
    let r = ns
        .send(
            Method::POST,
            SO,
            Some(&typo),
            &[("X-NetSuite-PropertyNameValidation", "Error")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["o:errorDetails"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("memmo"));
    let r = ns.send(Method::POST, SO, Some(&typo), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "default Warning mode accepts it"
    );
    assert!(r.headers["x-netsuite-propertyvalidation"]
        .to_str()
        .unwrap()
        .contains("memmo"));

    // Customers can be created and then used as entity.
    let r = ns
        .send(
            Method::POST,
            "/services/rest/record/v1/customer",
            Some(
                &json!({"companyName": "Buyer Co", "email": "b@x.com", "externalId": "tts-cust-1"}),
            ),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let cid = location_id(&r.headers);
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .contains("/record/v1/customer/"));
    let mut o = order("tts-new-cust");
    o["entity"]["id"] = json!(cid);
    assert_eq!(
        ns.send(Method::POST, SO, Some(&o), &[]).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn wrong_secret_realm_or_nonce_reuse_is_invalid_login() {
    let (sim, mut ns) = start(NetSuiteConfig::default()).await;
    let good = ns.creds.clone();
    ns.creds.token_secret = "wrong".into();
    let r = ns.send(Method::GET, &format!("{SO}/1"), None, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.body,
        json!({"type":"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2","title":"Unauthorized","status":401,
               "o:errorDetails":[{"detail":"Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.","o:errorCode":"INVALID_LOGIN"}]})
    );
    assert_eq!(
        r.headers["www-authenticate"].to_str().unwrap(),
        "OAuth realm=\"1234567_SB1\", error=\"token_rejected\""
    );
    assert_eq!(
        r.headers["content-type"].to_str().unwrap(),
        "application/vnd.oracle.resource+json; type=error; charset=UTF-8"
    );

    ns.creds = good.clone();
    ns.creds.realm = "7654321".into();
    assert_eq!(
        ns.send(Method::GET, &format!("{SO}/1"), None, &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    ns.creds = good;
    let url = format!("{}{SO}/eid:none", ns.base);
    let auth = ns.auth_header(&Method::GET, &url);
    let first = ns
        .send_with_auth(Method::GET, &format!("{SO}/eid:none"), None, &[], &auth)
        .await;
    assert_eq!(first.status, StatusCode::NOT_FOUND, "first use passes auth");
    let replay = ns
        .send_with_auth(Method::GET, &format!("{SO}/eid:none"), None, &[], &auth)
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&replay.body), "INVALID_LOGIN");

    // Stale timestamp.
    let stale = shared::signing::netsuite::authorization_header(
        &ns.creds,
        "GET",
        &url,
        "abcdefghijklmnop",
        (common::now() - 3600) as u64,
    );
    let r = ns
        .send_with_auth(Method::GET, &format!("{SO}/eid:none"), None, &[], &stale)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(sim.state.stats().rejected_401, 4);
}

#[tokio::test]
async fn suiteql_paging_is_signed_and_shaped_like_netsuite() {
    let (_sim, ns) = start(NetSuiteConfig::default()).await;
    let r = ns
        .suiteql(
            "SELECT id, itemid AS SKU FROM item WHERE itemtype = 'InvtPart' AND isinactive = 'F' ORDER BY id",
            2,
            0,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["preference-applied"], "transient");
    assert_eq!(r.body["count"], 2);
    assert_eq!(r.body["hasMore"], true);
    assert_eq!(r.body["totalResults"], 5);
    assert_eq!(r.body["offset"], 0);
    assert_eq!(
        r.body["items"][0],
        json!({"links": [], "id": "101", "sku": "TENT-2P-GRN"})
    );
    let links = r.body["links"].as_array().unwrap();
    let next = links.iter().find(|l| l["rel"] == "next").unwrap()["href"]
        .as_str()
        .unwrap();
    assert!(
        next.ends_with("/services/rest/query/v1/suiteql?limit=2&offset=2"),
        "{next}"
    );
    let last = ns
        .suiteql(
            "SELECT id FROM item WHERE itemtype = 'InvtPart' AND isinactive = 'F'",
            2,
            4,
        )
        .await;
    assert_eq!(last.body["count"], 1);
    assert_eq!(last.body["hasMore"], false);
    assert!(last.body["links"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["rel"] != "next"));

    // Signing without the paging parameters fails.
    let unsigned_url = format!("{}/services/rest/query/v1/suiteql", ns.base);
    let auth = ns.auth_header(&Method::POST, &unsigned_url);
    let r = ns
        .send_with_auth(
            Method::POST,
            "/services/rest/query/v1/suiteql?limit=2&offset=0",
            Some(&json!({"q": "SELECT id FROM item"})),
            &[],
            &auth,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn suiteql_lookups_and_unsupported_sql() {
    let (_sim, ns) = start(NetSuiteConfig::default()).await;
    let r = ns.suiteql("SELECT id, email FROM customer WHERE LOWER(email) = LOWER('TikTok-US@orders.example.com')", 1000, 0).await;
    assert_eq!(r.body["items"][0]["id"], "201", "{}", r.body);
    assert_eq!(r.body["count"], 2, "the inactive duplicate 203 matches too");
    let r = ns.suiteql("SELECT id FROM customer WHERE LOWER(email) = LOWER('TikTok-US@orders.example.com') AND isinactive = 'F'", 1000, 0).await;
    assert_eq!(r.body["count"], 1, "{}", r.body);
    let r = ns.suiteql("SELECT item, location, quantityavailable FROM inventoryitemlocations WHERE item IN ('101', '105') AND location = '2'", 1000, 0).await;
    assert_eq!(r.body["count"], 2);
    assert_eq!(r.body["items"][1]["quantityavailable"], "88");

    ns.send(
        Method::PUT,
        &format!("{SO}/eid:tts-q-1"),
        Some(&order("x")),
        &[],
    )
    .await;
    let r = ns.suiteql("SELECT t.id, t.tranid, t.type FROM transaction t WHERE t.externalid = 'tts-q-1' AND type = 'SalesOrd'", 1000, 0).await;
    assert_eq!(r.body["count"], 1, "{}", r.body);
    assert!(r.body["items"][0]["tranid"]
        .as_str()
        .unwrap()
        .starts_with("SO"));

    for q in [
        "SELECT id FROM item WHERE itemid LIKE 'TENT%'",
        "SELECT COUNT(*) FROM item",
        "SELECT i.id FROM item i LEFT JOIN customer c ON c.id = i.id",
    ] {
        let r = ns.suiteql(q, 1000, 0).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(error_code(&r.body), "INVALID_PARAMETER");
        assert_eq!(r.body["o:errorDetails"][0]["o:errorQueryParam"], "q");
        assert!(r.body["o:errorDetails"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("unsupported in the NetSuite simulator"));
    }
    let r = ns.suiteql("SELECT nosuchcol FROM item", 1000, 0).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = ns.suiteql("SELECT id FROM nosuchtable", 1000, 0).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = ns.suiteql("SELECT id FROM item", 1001, 0).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn concurrency_limit_blocks_and_peak_is_tracked() {
    let (sim, ns) = start(NetSuiteConfig {
        port: 0,
        concurrency_limit: 2,
        latency_ms: 300,
    })
    .await;
    let ns = std::sync::Arc::new(ns);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let ns = ns.clone();
        tasks.push(tokio::spawn(async move {
            ns.suiteql("SELECT id FROM subsidiary", 1000, 0).await
        }));
    }
    let mut ok = 0;
    let mut blocked = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(error_code(&r.body), "CONCURRENCY_LIMIT_EXCEEDED");
                assert_eq!(
                    r.body["o:errorDetails"][0]["detail"],
                    "Concurrent request limit exceeded. Request blocked."
                );
                blocked += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(blocked > 0, "some requests must be blocked");
    assert!(ok >= 2);
    let stats = sim.state.stats();
    assert_eq!(stats.peak_in_flight, 2);
    assert_eq!(stats.rejected_429, blocked);
    assert_eq!(stats.in_flight, 0);
    let http: Value = ns
        .client
        .get(format!("{}/_sim/stats", ns.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(http["peak_in_flight"], 2);
}

#[tokio::test]
async fn injected_5xx_then_success() {
    let (sim, ns) = start(NetSuiteConfig::default()).await;
    let r = ns
        .client
        .post(format!("{}/_sim/faults", ns.base))
        .json(&json!({"kind": "5xx", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = ns
        .send(Method::POST, SO, Some(&order("tts-5xx")), &[])
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_code(&r.body), "UNEXPECTED_ERROR");
    assert!(
        sim.state
            .record_by_external_id("salesOrder", "tts-5xx")
            .is_none(),
        "a 5xx does not write"
    );
    let r = ns
        .send(Method::POST, SO, Some(&order("tts-5xx")), &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(sim.state.stats().faults_5xx_fired, 1);
}

#[tokio::test]
async fn timeout_after_commit_leaves_the_record() {
    let (sim, mut ns) = start(NetSuiteConfig::default()).await;
    sim.state
        .inject_fault(simulators::netsuite::FaultKind::TimeoutAfterCommit, 1, 3);
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(800))
        .build()
        .unwrap();
    let patient = std::mem::replace(&mut ns.client, impatient);
    let url = format!("{}{SO}/eid:tts-slow", ns.base);
    let auth = ns.auth_header(&Method::PUT, &url);
    let err = ns
        .client
        .put(&url)
        .header("authorization", auth)
        .body(order("x").to_string())
        .send()
        .await;
    assert!(err.is_err_and(|e| e.is_timeout()));
    ns.client = patient;
    let r = ns
        .send(Method::GET, &format!("{SO}/eid:tts-slow"), None, &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the write committed before the response was held"
    );
    assert_eq!(sim.state.stats().faults_timeout_fired, 1);
}

#[tokio::test]
async fn control_state_and_reset() {
    let (sim, ns) = start(NetSuiteConfig::default()).await;
    ns.send(Method::POST, SO, Some(&order("tts-state")), &[])
        .await;
    let state: Value = ns
        .client
        .get(format!("{}/_sim/state", ns.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["records"]["salesOrder"].as_array().unwrap().len(), 1);
    assert_eq!(state["records"]["customer"].as_array().unwrap().len(), 4);
    let r = ns
        .client
        .post(format!("{}/_sim/config", ns.base))
        .json(&json!({"concurrency_limit": 3, "latency_ms": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    ns.client
        .post(format!("{}/_sim/reset", ns.base))
        .send()
        .await
        .unwrap();
    assert!(sim.state.records("salesOrder").is_empty());
    assert_eq!(sim.state.stats().requests, 0);
}
