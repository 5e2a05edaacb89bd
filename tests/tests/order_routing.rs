//! Warehouse routing and Fulfilled by TikTok (issue 27), end to end: moto
//! (order log, SKU links, archive) + the TikTok and NetSuite simulators on
//! loopback. An order from the shop's second warehouse is written at the
//! location the warehouse table maps it to, header and lines; an unmapped
//! warehouse waits, named, and is written once the table is fixed and the
//! order resubmitted; an FBT order follows the shop's `fbt` choice and its
//! Sales Order is fulfilled from the FBT location once TikTok ships it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use shared::domain::{OrderId, ShopId};
use shared::mapping::config::MappingConfig;
use shared::netsuite::{NetSuiteClient, NetSuiteConfig};
use shared::store::{
    DynamoEventArchive, DynamoOrderLog, DynamoShopTokenStore, DynamoSkuLinks, OrderLog,
    OrderLogEntry, QueuedEvent, ShopCredentials, ShopTokenStore, SyncStatus,
};
use shared::taxonomy::ErrorCode;
use shared::tiktok::{ShopSessions, TikTokClient};
use shared::writer::{EventProcessor, OrderSync};

const US: &str = "7494049642642441621";
const BASE: &str = "576461413038785752";
const MAIN: &str = "7068517275539719942";
const EAST: &str = "7068517275539719943";

struct World {
    _stack: Stack,
    tiktok_sim: simulators::RunningSim<simulators::TikTokSim>,
    ns_sim: simulators::RunningSim<simulators::NetSuiteSim>,
    netsuite: NetSuiteClient,
    shops: ShopSessions,
    log: DynamoOrderLog,
    skus: DynamoSkuLinks,
    archive: DynamoEventArchive,
    mapping: MappingConfig,
}

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
    let stack = Stack::new(30, 5).await;
    let seed = simulators::default_seed();
    let tiktok_sim = simulators::spawn_tiktok(seed.tiktok.clone(), Default::default())
        .await
        .unwrap();
    let ns_sim = simulators::spawn_netsuite(seed.netsuite.clone(), Default::default())
        .await
        .unwrap();
    let app = shared::config::TikTokApp {
        app_key: seed.tiktok.app_key.clone(),
        app_secret: seed.tiktok.app_secret.clone(),
    };
    let tiktok = TikTokClient::new(
        &tiktok_sim.base_url,
        &tiktok_sim.base_url,
        app,
        Duration::from_secs(5),
    )
    .unwrap();
    let mut ns_cfg = NetSuiteConfig::new(&ns_sim.base_url, seed.netsuite.credentials());
    ns_cfg.base_backoff = Duration::from_millis(20);
    let netsuite = NetSuiteClient::new(ns_cfg).unwrap();
    let ddb = stack.ddb.clone();
    let store = DynamoShopTokenStore::new(ddb.clone(), &stack.names.shop_tokens_table);
    for s in &seed.tiktok.shops {
        store
            .put(&ShopCredentials {
                shop_id: ShopId::new(&s.id),
                cipher: s.cipher.clone(),
                access_token: s.access_token.clone(),
                access_token_expires_at: s.access_token_expire_in,
                refresh_token: s.refresh_token.clone(),
                refresh_token_expires_at: s.refresh_token_expire_in,
            })
            .await
            .unwrap();
    }
    World {
        log: DynamoOrderLog::new(ddb.clone(), &stack.names.order_log_table),
        skus: DynamoSkuLinks::new(ddb.clone(), &stack.names.order_log_table),
        archive: DynamoEventArchive::new(ddb.clone(), &stack.names.events_table),
        shops: ShopSessions::new(tiktok, Arc::new(store)),
        mapping: mapping(Value::Null),
        _stack: stack,
        tiktok_sim,
        ns_sim,
        netsuite,
    }
}

impl World {
    fn sync(&self) -> OrderSync<'_> {
        OrderSync {
            shops: &self.shops,
            netsuite: &self.netsuite,
            skus: &self.skus,
            log: &self.log,
            archive: &self.archive,
            mapping: &self.mapping,
            max_receive_count: 5,
            clock: &shared::clock::SystemClock,
            digest: None,
            lookups: Default::default(),
            checks: None,
            profiles: None,
        }
    }

    async fn process(&self, order: &str, status: &str) {
        let ev = QueuedEvent {
            v: 1,
            event_key: format!("EVT#{US}#{order}-{status}"),
            shop_id: ShopId::new(US),
            notification_id: shared::domain::NotificationId::new(format!("{order}-{status}")),
            type_code: 1,
            order_id: Some(OrderId::new(order)),
            received_at: 0,
            data: json!({"order_id": order, "order_status": status}),
        };
        self.sync().process(&ev, 1).await.expect("processed");
    }

    async fn entry(&self, order: &str) -> OrderLogEntry {
        self.log
            .get(&ShopId::new(US), &OrderId::new(order))
            .await
            .unwrap()
            .expect("order log entry")
    }

    fn sales_order(&self, order: &str) -> Option<Value> {
        let eid = format!("tts-{US}-{order}");
        self.ns_sim
            .state
            .records("salesOrder")
            .into_iter()
            .find(|so| so["externalId"] == eid.as_str())
    }

    /// Puts an order into TikTok: the seed's order …752 under another id
    /// (its line ids too), reshaped by `f`.
    fn put(&self, id: &str, f: impl FnOnce(&mut Value)) {
        let seed = simulators::default_seed();
        let mut o = seed
            .tiktok
            .orders
            .iter()
            .find(|o| o.order["id"] == BASE)
            .unwrap()
            .order
            .clone();
        o["id"] = json!(id);
        for (i, l) in o["line_items"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            l["id"] = json!(format!("{id}{i}"));
        }
        f(&mut o);
        self.tiktok_sim.state.upsert_order(US, o).unwrap();
    }
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
