//! NetSuite simulator: record transforms and closing fulfilled lines.

mod common;

use common::{error_code, location_id, NetSuite};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use simulators::netsuite::FaultKind;
use simulators::{default_seed, spawn_netsuite, NetSuiteConfig, NetSuiteSim, RunningSim};

const REC: &str = "/services/rest/record/v1";

async fn start() -> (RunningSim<NetSuiteSim>, NetSuite) {
    let seed = default_seed().netsuite;
    let creds = seed.credentials();
    let sim = spawn_netsuite(seed, NetSuiteConfig::default())
        .await
        .unwrap();
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
        "subsidiary": {"id": "1"},
        "currency": {"id": "1"},
        "otherRefNum": "576461413038785752",
        "orderStatus": "B",
        "item": {"items": [
            {"item": {"id": "101"}, "quantity": 2, "rate": 114.99, "amount": 229.98, "price": {"id": "-1"}},
            {"item": {"id": "103"}, "quantity": 1, "rate": 22.50, "amount": 22.50, "price": {"id": "-1"}}
        ]}
    })
}

async fn new_order(ns: &NetSuite, eid: &str) -> String {
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder"),
            Some(&order(eid)),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    location_id(&r.headers)
}

async fn transform(
    ns: &NetSuite,
    src: &str,
    id: &str,
    target: &str,
    body: Option<&Value>,
) -> common::NsResponse {
    ns.send(
        Method::POST,
        &format!("{REC}/{src}/{id}/!transform/{target}"),
        body,
        &[],
    )
    .await
}

#[tokio::test]
async fn fulfillment_copies_lines_and_blocks_closing() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-if-1").await;
    let r = transform(&ns, "salesOrder", &so, "itemFulfillment", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let loc = r.headers["location"].to_str().unwrap().to_string();
    let if_id = location_id(&r.headers);
    assert_eq!(
        loc,
        format!(
            "http://{}{REC}/itemfulfillment/{if_id}",
            ns.base.trim_start_matches("http://")
        )
    );
    let f = sim.state.record("itemFulfillment", &if_id).unwrap();
    assert_eq!(f["createdFrom"]["id"], so.as_str());
    assert_eq!(f["entity"]["id"], "201");
    assert_eq!(f["subsidiary"]["id"], "1");
    assert!(f.get("externalId").is_none());
    assert!(f.get("orderStatus").is_none());
    let lines = f["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["orderLine"], 1);
    assert_eq!(lines[0]["quantity"], 2);
    assert_eq!(lines[1]["item"]["id"], "103");
    assert!(lines[0].get("quantityFulfilled").is_none());

    let o = sim.state.record("salesOrder", &so).unwrap();
    let so_lines = o["item"]["items"].as_array().unwrap();
    assert_eq!(so_lines[0]["quantityFulfilled"], 2);
    assert_eq!(so_lines[1]["quantityFulfilled"], 1);
    assert_eq!(so_lines[0]["quantityBilled"], 0);

    // GET works on the new type, and the SuiteQL type code is ItemShip.
    let r = ns
        .send(
            Method::GET,
            &format!("{REC}/itemFulfillment/{if_id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = ns
        .suiteql(
            &format!("SELECT t.id, t.type FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.createdfrom = '{so}' AND tl.mainline = 'T'"),
            1000,
            0,
        )
        .await;
    assert_eq!(r.body["count"], 1, "{}", r.body);
    assert_eq!(r.body["items"][0]["type"], "ItemShip");

    // Nothing left to fulfill.
    let r = transform(&ns, "salesOrder", &so, "itemFulfillment", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.body), "USER_ERROR");

    // Closing a fulfilled line fails and changes nothing.
    let patch = json!({"memo": "closing", "item": {"items": [{"line": 1, "isclosed": true}]}});
    let r = ns
        .send(
            Method::PATCH,
            &format!("{REC}/salesOrder/{so}"),
            Some(&patch),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_code(&r.body), "USER_ERROR");
    let d = &r.body["o:errorDetails"][0];
    assert_eq!(d["o:errorPath"], "item.items[0].isClosed");
    assert!(d["detail"].as_str().unwrap().contains("fulfilled"));
    assert_eq!(sim.state.record("salesOrder", &so).unwrap(), o);
}

#[tokio::test]
async fn partial_fulfillment_then_close_the_rest() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-if-2").await;
    let body = json!({
        "shipStatus": {"id": "C"},
        "item": {"items": [{"orderLine": 2, "quantity": 1}, {"orderLine": 1, "itemReceive": false}]},
        "package": {"items": [{"packageTrackingNumber": "1Z999"}]}
    });
    let r = transform(&ns, "salesOrder", &so, "itemFulfillment", Some(&body)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let f = sim
        .state
        .record("itemFulfillment", &location_id(&r.headers))
        .unwrap();
    let lines = f["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["item"]["id"], "103");
    assert_eq!(f["shipStatus"]["id"], "C");
    assert_eq!(f["package"]["items"][0]["packageTrackingNumber"], "1Z999");
    let o = sim.state.record("salesOrder", &so).unwrap();
    assert_eq!(o["item"]["items"][0]["quantityFulfilled"], 0);
    assert_eq!(o["item"]["items"][1]["quantityFulfilled"], 1);

    // Line 1 is unfulfilled, so it can be closed; line 2 cannot.
    let patch = json!({"item": {"items": [{"line": 1, "isClosed": true}]}});
    let r = ns
        .send(
            Method::PATCH,
            &format!("{REC}/salesOrder/{so}"),
            Some(&patch),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let patch =
        json!({"item": {"items": [{"line": 1, "isClosed": true}, {"line": 2, "isClosed": true}]}});
    let r = ns
        .send(
            Method::PATCH,
            &format!("{REC}/salesOrder/{so}"),
            Some(&patch),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["o:errorDetails"][0]["o:errorPath"],
        "item.items[1].isClosed"
    );

    // An orderLine that does not exist is rejected with its path.
    let body = json!({"item": {"items": [{"orderLine": 9, "quantity": 1}]}});
    let r = transform(&ns, "salesOrder", &so, "itemFulfillment", Some(&body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["o:errorDetails"][0]["o:errorPath"],
        "item.items[0].orderLine"
    );
}

#[tokio::test]
async fn invoice_and_cash_sale_bill_and_are_found_by_createdfrom() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-inv-1").await;
    // Only fulfilled quantities can be billed (section_159795520083).
    let r = transform(&ns, "salesOrder", &so, "itemFulfillment", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let body = json!({"externalId": "inv-tts-1", "memo": "billed", "item": {"items": [{"orderLine": 1, "quantity": 1}]}});
    // With ?replace=item the request's lines are the invoice's lines.
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder/{so}/!transform/invoice?replace=item"),
            Some(&body),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .contains("/record/v1/invoice/"));
    let inv_id = location_id(&r.headers);
    let inv = sim
        .state
        .record_by_external_id("invoice", "inv-tts-1")
        .unwrap();
    assert_eq!(inv["id"], inv_id.as_str());
    assert_eq!(inv["memo"], "billed");
    assert_eq!(inv["otherRefNum"], "576461413038785752");
    assert!(inv["tranId"].as_str().unwrap().starts_with("INV"));
    assert_eq!(inv["item"]["items"].as_array().unwrap().len(), 1);
    let l = &inv["item"]["items"][0];
    assert_eq!(l["item"]["id"], "101");
    assert_eq!(l["quantity"], 1);
    assert_eq!(l["amount"], 114.99);
    assert_eq!(inv["total"], 114.99);
    let o = sim.state.record("salesOrder", &so).unwrap();
    assert_eq!(o["item"]["items"][0]["quantityBilled"], 1);
    assert_eq!(o["item"]["items"][0]["quantityFulfilled"], 2);

    // Same externalId again: USER_ERROR, nothing billed.
    let r = transform(&ns, "salesOrder", &so, "invoice", Some(&body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.body), "USER_ERROR");
    let o = sim.state.record("salesOrder", &so).unwrap();
    assert_eq!(o["item"]["items"][0]["quantityBilled"], 1);

    // A cash sale with no body bills what is fulfilled and left.
    let r = transform(&ns, "salesorder", &so, "cashsale", Some(&json!({}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let cs_id = location_id(&r.headers);
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .contains("/record/v1/cashsale/"));
    let cs = sim.state.record("cashSale", &cs_id).unwrap();
    let lines = cs["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["quantity"], 1);
    assert_eq!(lines[0]["amount"], 114.99);
    let o = sim.state.record("salesOrder", &so).unwrap();
    assert_eq!(o["item"]["items"][0]["quantityBilled"], 2);
    assert_eq!(o["item"]["items"][1]["quantityBilled"], 1);

    let r = ns
        .suiteql(
            &format!("SELECT t.id, t.type FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.createdfrom = '{so}' AND tl.mainline = 'T' AND t.type IN ('CustInvc', 'CashSale')"),
            1000,
            0,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut found: Vec<(String, String)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let mut want = vec![
        (inv_id.clone(), "CustInvc".to_string()),
        (cs_id.clone(), "CashSale".to_string()),
    ];
    want.sort();
    assert_eq!(found, want);

    // invoice -> creditMemo and cashSale -> cashRefund copy every source line.
    let r = transform(
        &ns,
        "invoice",
        &inv_id,
        "creditMemo",
        Some(&json!({"toBeEmailed": false})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .contains("/creditmemo/"));
    let cm = sim
        .state
        .record("creditMemo", &location_id(&r.headers))
        .unwrap();
    assert_eq!(cm["createdFrom"]["id"], inv_id.as_str());
    assert_eq!(cm["entity"]["id"], "201");
    assert_eq!(cm["item"]["items"][0]["quantity"], 1);
    let r = transform(&ns, "cashSale", &cs_id, "cashRefund", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .contains("/cashrefund/"));
    let cr = sim
        .state
        .record("cashRefund", &location_id(&r.headers))
        .unwrap();
    assert_eq!(cr["createdFrom"]["id"], cs_id.as_str());
    assert_eq!(cr["item"]["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn unsupported_pairs_and_missing_sources() {
    let (_sim, ns) = start().await;
    let so = new_order(&ns, "tts-bad-1").await;
    for (src, target) in [
        ("salesOrder", "creditMemo"),
        // salesOrder → returnAuthorization is supported since issue 28
        // (records/return_transforms.rs); an RA cannot become an invoice.
        ("returnAuthorization", "invoice"),
        ("invoice", "cashRefund"),
        ("nosuchtype", "invoice"),
    ] {
        let r = transform(&ns, src, &so, target, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{src}->{target}");
        assert_eq!(error_code(&r.body), "INVALID_PARAMETER");
        let d = r.body["o:errorDetails"][0]["detail"].as_str().unwrap();
        assert!(d.contains(src) && d.contains(target), "{d}");
    }
    let r = transform(&ns, "salesOrder", "999999", "invoice", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&r.body), "NONEXISTENT_ID");
    let r = transform(&ns, "salesOrder", "eid:tts-bad-1", "itemFulfillment", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "eid: keys resolve too");
    // Unknown body field under Error validation.
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder/{so}/!transform/invoice"),
            Some(&json!({"bogusField": 1})),
            &[("X-NetSuite-PropertyNameValidation", "Error")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn transform_goes_through_auth_and_faults() {
    let (sim, mut ns) = start().await;
    let so = new_order(&ns, "tts-fault-1").await;
    // Invoices bill fulfilled quantities only (section_159795520083).
    let r = transform(&ns, "salesOrder", &so, "itemFulfillment", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let path = format!("{REC}/salesOrder/{so}/!transform/invoice");

    // Bad signature: 401, nothing written.
    let r = ns
        .send_with_auth(Method::POST, &path, None, &[], "OAuth realm=\"x\"")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // 5xx: nothing written.
    sim.state.inject_fault(FaultKind::ServerError, 1, 0);
    let r = transform(&ns, "salesOrder", &so, "invoice", None).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(sim.state.records("invoice").is_empty());

    // timeout_after_commit: the client gives up, the invoice exists.
    sim.state.inject_fault(FaultKind::TimeoutAfterCommit, 1, 3);
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(800))
        .build()
        .unwrap();
    let patient = std::mem::replace(&mut ns.client, impatient);
    let url = format!("{}{path}", ns.base);
    let auth = ns.auth_header(&Method::POST, &url);
    let err = ns
        .client
        .post(&url)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(json!({"externalId": "inv-slow"}).to_string())
        .send()
        .await;
    assert!(err.is_err_and(|e| e.is_timeout()));
    ns.client = patient;
    assert!(sim
        .state
        .record_by_external_id("invoice", "inv-slow")
        .is_some());
    assert_eq!(sim.state.stats().faults_timeout_fired, 1);
    assert_eq!(sim.state.stats().faults_5xx_fired, 1);
    assert!(sim.state.stats().rejected_401 >= 1);
}
