//! Warehouse routing and Fulfilled by TikTok (issue 27), end to end: moto
//! (order log, SKU links, archive) + the TikTok and NetSuite simulators on
//! loopback. An order from the shop's second warehouse is written at the
//! location the warehouse table maps it to, header and lines; an unmapped
//! warehouse waits, named, and is written once the table is fixed and the
//! order resubmitted; an FBT order follows the shop's `fbt` choice and its
//! Sales Order is fulfilled from the FBT location once TikTok ships it.

mod common;

use common::writer_world::{world_with, World, BASE, US};
use common::*;
use serde_json::{json, Value};
use shared::mapping::config::MappingConfig;
use shared::store::SyncStatus;
use shared::taxonomy::ErrorCode;
use shared::writer::EventProcessor;

const MAIN: &str = "7068517275539719942";
const EAST: &str = "7068517275539719943";

/// The US shop as `events/mapping.local.json` has it (locations 1 and 3
/// feed warehouses …942 and …943), with `fbt` as given.
fn mapping(fbt: Value) -> MappingConfig {
    let mut shop = json!({"books_currency": "USD", "subsidiary": "1", "location": "1",
        "customer": {"mode": "generic", "customer_id": "201"},
        "inventory": {"location_warehouses": {"1": MAIN, "3": EAST}}});
    if !fbt.is_null() {
        shop["fbt"] = fbt;
    }
    let doc = json!({ "default": shop.clone(), "shops": { US: shop } });
    MappingConfig::load(&doc.to_string()).unwrap()
}

async fn world() -> World {
    world_with(mapping(Value::Null)).await
}

fn lines(so: &Value) -> Vec<Value> {
    so["item"]["items"].as_array().cloned().unwrap_or_default()
}

fn locations(so: &Value) -> (Value, Vec<Value>) {
    (
        so["location"]["id"].clone(),
        lines(so)
            .iter()
            .map(|l| l["location"]["id"].clone())
            .collect(),
    )
}

/// An FBT order as order-types.md §1 describes it: `FULFILLMENT_BY_TIKTOK`,
/// the recipient redacted (OrderOverview, "Recipient Information
/// Redaction"), its warehouse one of the shop's.
fn fbt(o: &mut Value) {
    o["fulfillment_type"] = json!("FULFILLMENT_BY_TIKTOK");
    o["warehouse_id"] = json!(MAIN);
    o["recipient_address"] = json!({"name": "J***", "address_line1": "***", "postal_code": "***",
        "region_code": "US", "phone_number": "(+1)***", "district_info": []});
}

#[tokio::test]
async fn an_order_from_the_second_warehouse_is_written_at_its_location() {
    let w = world().await;
    w.put("910000000000000001", |o| o["warehouse_id"] = json!(EAST));
    w.process("910000000000000001", "AWAITING_SHIPMENT").await;
    let e = w.entry("910000000000000001").await;
    assert_eq!(e.sync_status, SyncStatus::Created, "{:?}", e.history);
    let so = w.sales_order("910000000000000001").expect("sales order");
    let (header, lines) = locations(&so);
    assert_eq!(header, json!("3"));
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| *l == json!("3")), "{lines:?}");
    // The main warehouse's order stays at location 1.
    w.process(BASE, "AWAITING_SHIPMENT").await;
    let so = w.sales_order(BASE).expect("sales order");
    assert_eq!(locations(&so).0, json!("1"));
}

#[tokio::test]
async fn an_unmapped_warehouse_waits_named_then_is_written_after_the_fix() {
    let mut w = world().await;
    // …942 is in TikTok's warehouse list; the table maps only …943 here.
    let shop = json!({"books_currency": "USD", "subsidiary": "1", "location": "1",
        "customer": {"mode": "generic", "customer_id": "201"},
        "inventory": {"location_warehouses": {"3": EAST}}});
    let doc = json!({"default": shop.clone(), "shops": {US: shop}});
    w.mapping = MappingConfig::load(&doc.to_string()).unwrap();
    w.process(BASE, "AWAITING_SHIPMENT").await;
    let e = w.entry(BASE).await;
    assert_eq!(e.sync_status, SyncStatus::Failed);
    let f = e.last_failure.clone().expect("failure");
    assert_eq!(f.code, ErrorCode::UnmappedWarehouse);
    assert!(f.reason.contains(MAIN), "{}", f.reason);
    assert!(f.reason.contains('"'), "the warehouse's name: {}", f.reason);
    assert!(f.fix.contains("location_warehouses"), "{}", f.fix);
    assert!(w.sales_order(BASE).is_none(), "never the default location");
    w.mapping = mapping(Value::Null);
    for ev in shared::ops::resubmit::replay_events(&e, now()) {
        w.sync().process(&ev, 1).await.unwrap();
    }
    let e = w.entry(BASE).await;
    assert_eq!(e.sync_status, SyncStatus::Created, "{:?}", e.history);
    assert_eq!(locations(&w.sales_order(BASE).unwrap()).0, json!("1"));
}

#[tokio::test]
async fn an_fbt_order_without_a_choice_waits_and_with_skip_is_logged_not_written() {
    let mut w = world().await;
    w.put("910000000000000002", fbt);
    w.process("910000000000000002", "AWAITING_SHIPMENT").await;
    let e = w.entry("910000000000000002").await;
    assert_eq!(e.sync_status, SyncStatus::Failed);
    let f = e.last_failure.clone().expect("failure");
    assert_eq!(f.code, ErrorCode::FbtUnconfigured);
    assert!(f.fix.contains("\"fbt\""), "{}", f.fix);
    assert!(w.sales_order("910000000000000002").is_none());

    w.mapping = mapping(json!({"mode": "skip"}));
    w.put("910000000000000003", fbt);
    w.process("910000000000000003", "AWAITING_SHIPMENT").await;
    let e = w.entry("910000000000000003").await;
    assert_eq!(e.sync_status, SyncStatus::Skipped, "{:?}", e.history);
    let note = &e.history.last().unwrap().note;
    assert!(note.contains("Fulfilled by TikTok, 279.15 USD"), "{note}");
    assert!(w.sales_order("910000000000000003").is_none());
}

#[tokio::test]
async fn an_fbt_order_is_written_at_the_fbt_location_and_fulfilled_when_tiktok_ships() {
    let mut w = world().await;
    w.mapping = mapping(json!({"mode": "sales_order", "location": "5"}));
    w.put("910000000000000004", fbt);
    w.process("910000000000000004", "AWAITING_SHIPMENT").await;
    let e = w.entry("910000000000000004").await;
    assert_eq!(e.sync_status, SyncStatus::Created, "{:?}", e.history);
    let so = w.sales_order("910000000000000004").expect("sales order");
    let (header, lines) = locations(&so);
    assert_eq!(header, json!("5"), "never a seller location");
    assert!(lines.iter().all(|l| *l == json!("5")), "{lines:?}");
    assert!(w.ns_sim.state.records("itemFulfillment").is_empty());

    // TikTok's warehouse ships: the Sales Order is fulfilled, once.
    w.put("910000000000000004", |o| {
        fbt(o);
        o["status"] = json!("IN_TRANSIT");
    });
    w.process("910000000000000004", "IN_TRANSIT").await;
    // A second event (another status hint) finds the fulfilment made.
    w.process("910000000000000004", "DELIVERED").await;
    let e = w.entry("910000000000000004").await;
    assert_eq!(e.sync_status, SyncStatus::Updated, "{:?}", e.history);
    let fulfilments = w.ns_sim.state.records("itemFulfillment");
    assert_eq!(fulfilments.len(), 1, "{fulfilments:?}");
    let note = &e.history.last().unwrap().note;
    assert!(note.contains("Fulfilled by TikTok"), "{note}");
    let so = w
        .ns_sim
        .state
        .record("salesOrder", so["id"].as_str().unwrap())
        .unwrap();
    assert!(lines_fulfilled(&so), "{so}");
}

fn lines_fulfilled(so: &Value) -> bool {
    lines(so)
        .iter()
        .all(|l| l["quantityFulfilled"] == l["quantity"])
}
