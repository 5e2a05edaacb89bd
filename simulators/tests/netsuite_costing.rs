//! NetSuite simulator: the cost of goods an Item Fulfillment posts, read
//! back with the product's SuiteQL (`shared::tracking::sample_cost::cogs_query`)
//! from `transactionaccountingline` (`src/netsuite/costing.rs`).

mod common;

use common::{location_id, NetSuite};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use shared::domain::NetSuiteFulfillmentId;
use shared::tracking::sample_cost::cogs_query;
use simulators::netsuite::Shipment;
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

/// Line 1: 2 × item 101 (seed cost 41.20); line 2: 1 × item 103 (6.10).
async fn new_order(ns: &NetSuite, eid: &str) -> String {
    let body = json!({
        "entity": {"id": "201"}, "externalId": eid, "tranDate": "2026-11-30",
        "subsidiary": {"id": "1"}, "currency": {"id": "1"}, "orderStatus": "B",
        "item": {"items": [
            {"item": {"id": "101"}, "quantity": 2, "rate": 0, "price": {"id": "-1"}},
            {"item": {"id": "103"}, "quantity": 1, "rate": 0, "price": {"id": "-1"}}
        ]}
    });
    let r = ns
        .send(Method::POST, &format!("{REC}/salesOrder"), Some(&body), &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    location_id(&r.headers)
}

async fn cogs_rows(ns: &NetSuite, if_id: &str) -> Vec<Value> {
    let r = ns
        .suiteql(&cogs_query(&[NetSuiteFulfillmentId::new(if_id)]), 1000, 0)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn total(rows: &[Value]) -> Decimal {
    rows.iter()
        .map(|r| {
            r["debit"]
                .as_str()
                .unwrap_or("0")
                .parse::<Decimal>()
                .unwrap()
        })
        .sum()
}

#[tokio::test]
async fn a_shipped_fulfilment_posts_its_items_cost_to_cogs_and_nothing_while_costing_lags() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "cost-1").await;

    // Costing has not run: the fulfilment has no GL lines yet.
    sim.state.set_costing_deferred(true);
    let if_id = sim
        .state
        .ship_sales_order(&so, &Shipment::default())
        .unwrap();
    assert!(cogs_rows(&ns, &if_id).await.is_empty());

    // Once costed: COGS 2 × 41.20 + 1 × 6.10 on account 160, one line per
    // fulfilled item, and the asset side on 161 (not COGS, not read).
    sim.state.set_costing_deferred(false);
    let rows = cogs_rows(&ns, &if_id).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r["account"] == "160" && r["if_id"] == if_id.as_str()));
    assert_eq!(total(&rows), "88.50".parse::<Decimal>().unwrap());
    let all = ns
        .suiteql(
            &format!("SELECT account, debit, credit, amount FROM transactionaccountingline WHERE transaction = '{if_id}'"),
            1000,
            0,
        )
        .await;
    let all = all.body["items"].as_array().cloned().unwrap();
    assert_eq!(all.len(), 4, "{all:?}");
    let asset: Vec<&Value> = all.iter().filter(|r| r["account"] == "161").collect();
    assert_eq!(asset.len(), 2);
    assert!(asset
        .iter()
        .all(|r| r["debit"].is_null() && r["amount"].as_str().unwrap().starts_with('-')));

    // An item without a cost posts 0.
    sim.state.set_item_cost(103, Decimal::ZERO);
    let so2 = new_order(&ns, "cost-2").await;
    let if2 = sim
        .state
        .ship_sales_order(&so2, &Shipment::default())
        .unwrap();
    assert_eq!(
        total(&cogs_rows(&ns, &if2).await),
        "82.40".parse::<Decimal>().unwrap()
    );
}

#[tokio::test]
async fn a_picked_fulfilment_posts_nothing() {
    let (_sim, ns) = start().await;
    let so = new_order(&ns, "cost-3").await;
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder/{so}/!transform/itemFulfillment"),
            Some(&json!({})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let if_id = location_id(&r.headers);
    assert!(
        cogs_rows(&ns, &if_id).await.is_empty(),
        "Picked (A) has no GL impact"
    );
}
