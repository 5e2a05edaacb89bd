//! The order writer end to end: moto (order log, SKU links, archive) + the
//! TikTok and NetSuite simulators. A webhook's event becomes exactly one Sales
//! Order, and every failure lands in the order log with its code and fix.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use shared::domain::{OrderId, ShopId, Sku};
use shared::mapping::config::MappingConfig;
use shared::netsuite::{NetSuiteClient, NetSuiteConfig};
use shared::store::DynamoEventArchive;
use shared::store::QueuedEvent;
use shared::store::{DynamoOrderLog, OrderLog, SyncStatus};
use shared::store::{DynamoShopTokenStore, DynamoSkuLinks, ShopCredentials, ShopTokenStore};
use shared::store::{SkuLink, SkuLinks};
use shared::taxonomy::ErrorCode;
use shared::tiktok::{ShopSessions, TikTokClient};
use shared::writer::{EventProcessor, OrderSync};
use simulators::netsuite::FaultKind;

const US: &str = "7494049642642441621";
const GB: &str = "7494726673780148744";

/// Shop sessions over the real token store (moto), holding the seed's tokens:
/// every TikTok call goes through the one refresh path, as in production.
async fn sessions(
    tiktok: TikTokClient,
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
    seed: &simulators::Seed,
) -> ShopSessions {
    let store = DynamoShopTokenStore::new(ddb.clone(), table);
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
            .expect("seed tokens");
    }
    ShopSessions::new(tiktok, Arc::new(store))
}

struct World {
    stack: Stack,
    tiktok_sim: simulators::RunningSim<simulators::TikTokSim>,
    ns_sim: simulators::RunningSim<simulators::NetSuiteSim>,
    netsuite: NetSuiteClient,
    shops: ShopSessions,
    log: DynamoOrderLog,
    skus: DynamoSkuLinks,
    archive: DynamoEventArchive,
    mapping: MappingConfig,
}

fn mapping() -> MappingConfig {
    MappingConfig::load(
        &json!({
            "default": {"books_currency": "USD", "subsidiary": "1", "location": "1", "customer": {"mode": "generic", "customer_id": "201"}},
            // The US shop uses the default on purpose.
            "unlisted_shops": "use_default",
            "shops": {GB: {"books_currency": "GBP", "subsidiary": "2", "location": "2", "customer": {"mode": "generic", "customer_id": "202"},
                           "tax": {"mode": "item", "item_id": "191"}}}
        })
        .to_string(),
    )
    .unwrap()
}

async fn world(ns_timeout: Duration) -> World {
    world_with(ns_timeout, 5).await
}

async fn world_with(ns_timeout: Duration, ns_concurrency: usize) -> World {
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
    ns_cfg.request_timeout = ns_timeout;
    ns_cfg.concurrency = ns_concurrency;
    ns_cfg.base_backoff = Duration::from_millis(20);
    let netsuite = NetSuiteClient::new(ns_cfg).unwrap();
    let ddb = stack.ddb.clone();
    World {
        log: DynamoOrderLog::new(ddb.clone(), &stack.names.order_log_table),
        skus: DynamoSkuLinks::new(ddb.clone(), &stack.names.order_log_table),
        archive: DynamoEventArchive::new(ddb.clone(), &stack.names.events_table),
        shops: sessions(tiktok, &ddb, &stack.names.shop_tokens_table, &seed).await,
        mapping: mapping(),
        stack,
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
            profiles: None,
            lookups: Default::default(),
            checks: None,
            batch: Default::default(),
            returns: None,
        }
    }

    fn event(shop: &str, order: &str, status: &str) -> QueuedEvent {
        QueuedEvent {
            v: 1,
            event_key: format!("EVT#{shop}#{order}-{status}"),
            shop_id: ShopId::new(shop),
            notification_id: shared::domain::NotificationId::new(format!("{order}-{status}")),
            type_code: 1,
            order_id: Some(OrderId::new(order)),
            received_at: 0,
            data: json!({"order_id": order, "order_status": status}),
        }
    }

    async fn process(&self, shop: &str, order: &str, status: &str) -> bool {
        self.sync()
            .process(&Self::event(shop, order, status), 1)
            .await
            .is_ok()
    }

    async fn entry(&self, shop: &str, order: &str) -> shared::store::OrderLogEntry {
        self.log
            .get(&ShopId::new(shop), &OrderId::new(order))
            .await
            .unwrap()
            .expect("order log entry")
    }

    fn sales_orders(&self) -> Vec<Value> {
        self.ns_sim.state.records("salesOrder")
    }

    fn set_order(&self, shop: &str, order: &str, f: impl FnOnce(&mut Value)) {
        let seed = simulators::default_seed();
        let mut o = seed
            .tiktok
            .orders
            .iter()
            .find(|o| o.order["id"] == order)
            .expect("seed order")
            .order
            .clone();
        f(&mut o);
        self.tiktok_sim.state.upsert_order(shop, o).unwrap();
    }
}

fn lines(so: &Value) -> Vec<Value> {
    so["item"]["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn awaiting_shipment_order_becomes_one_sales_order_with_correct_lines() {
    let w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    let sos = w.sales_orders();
    assert_eq!(sos.len(), 1);
    let so = &sos[0];
    assert_eq!(
        so["externalId"],
        "tts-7494049642642441621-576461413038785752"
    );
    assert_eq!(so["otherRefNum"], "576461413038785752");
    assert_eq!(so["entity"]["id"], "201");
    assert_eq!(so["shippingCost"], json!(5.99));
    let l = lines(so);
    assert_eq!(l.len(), 2);
    assert_eq!(
        (
            l[0]["item"]["id"].clone(),
            l[0]["quantity"].clone(),
            l[0]["rate"].clone()
        ),
        (json!("101"), json!(2), json!(119.99))
    );
    assert_eq!(l[1]["item"]["id"], "103");
    let e = w.entry(US, "576461413038785752").await;
    assert_eq!(e.sync_status, SyncStatus::Created);
    assert!(e.netsuite_id.is_some());
    assert!(
        e.history[0].note.contains("total 270.47 USD"),
        "{}",
        e.history[0].note
    );
    // The SuiteQL hit was cached as a link.
    let link = w
        .skus
        .get(&ShopId::new(US), &Sku::new("TENT-2P-GRN"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (link.item_id.as_str(), link.source.as_str()),
        ("101", "lookup")
    );

    // A later status updates the log and never creates a second Sales Order.
    w.set_order(US, "576461413038785752", |o| {
        o["status"] = json!("IN_TRANSIT")
    });
    assert!(w.process(US, "576461413038785752", "IN_TRANSIT").await);
    assert_eq!(w.sales_orders().len(), 1);
    let e = w.entry(US, "576461413038785752").await;
    assert_eq!(
        (e.sync_status, e.tiktok_status.as_str(), e.attempts),
        (SyncStatus::Updated, "IN_TRANSIT", 2)
    );
}

#[tokio::test]
async fn five_concurrent_duplicates_and_redeliveries_give_one_sales_order() {
    let w = world(Duration::from_secs(10)).await;
    let sync = w.sync();
    let ev = World::event(GB, "578903215467812301", "AWAITING_SHIPMENT");
    let results = futures::future::join_all((0..5).map(|i| sync.process(&ev, i + 1))).await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert!(
        w.process(GB, "578903215467812301", "AWAITING_SHIPMENT")
            .await
    );
    let sos = w.sales_orders();
    assert_eq!(sos.len(), 1, "one Sales Order whatever the duplicates");
    let l = lines(&sos[0]);
    assert_eq!(
        (l[0]["item"]["id"].clone(), l[0]["quantity"].clone()),
        (json!("105"), json!(3))
    );
    assert_eq!(
        l.len(),
        1,
        "UK prices include VAT (tax 0), so no tax clearing line"
    );
    assert_eq!(sos[0]["shippingCost"], json!(3.49));
    assert_eq!(sos[0]["subsidiary"]["id"], "2");
}

#[tokio::test]
async fn on_hold_waits_then_bundle_expands_when_shippable() {
    let w = world(Duration::from_secs(10)).await;
    assert!(w.process(US, "576461413038785753", "ON_HOLD").await);
    assert_eq!(
        w.entry(US, "576461413038785753").await.sync_status,
        SyncStatus::Waiting
    );
    assert!(w.sales_orders().is_empty());
    w.set_order(US, "576461413038785753", |o| {
        o["status"] = json!("AWAITING_SHIPMENT")
    });
    assert!(
        w.process(US, "576461413038785753", "AWAITING_SHIPMENT")
            .await
    );
    let so = &w.sales_orders()[0];
    let items: Vec<(Value, Value)> = lines(so)
        .iter()
        .map(|l| (l["item"]["id"].clone(), l["quantity"].clone()))
        .collect();
    assert_eq!(
        items,
        vec![(json!("104"), json!(1)), (json!("105"), json!(2))],
        "bundle → STOVE-MINI ×1, MUG ×2"
    );
}

#[tokio::test]
async fn cancelled_before_creation_is_never_created() {
    let w = world(Duration::from_secs(10)).await;
    assert!(w.process(US, "576461413038785755", "CANCELLED").await);
    let e = w.entry(US, "576461413038785755").await;
    assert_eq!(e.sync_status, SyncStatus::Skipped);
    assert!(w.sales_orders().is_empty());
}

#[tokio::test]
async fn missing_sku_is_logged_once_with_reason_and_fix_and_consumed() {
    let w = world(Duration::from_secs(10)).await;
    w.set_order(US, "576461413038785754", |o| {
        o["status"] = json!("AWAITING_SHIPMENT")
    });
    assert!(
        w.process(US, "576461413038785754", "AWAITING_SHIPMENT")
            .await,
        "non-retryable: consumed"
    );
    let e = w.entry(US, "576461413038785754").await;
    assert_eq!(e.sync_status, SyncStatus::Failed);
    let f = e.last_failure.unwrap();
    assert_eq!(f.code, ErrorCode::MissingSku);
    assert!(!f.retryable);
    assert!(
        f.reason.starts_with("TikTok SKU is empty on product"),
        "{}",
        f.reason
    );
    assert!(f.fix.contains("seller SKU"), "{}", f.fix);
    assert!(w.sales_orders().is_empty());
}

#[tokio::test]
async fn unlinked_sku_fails_then_resubmit_after_linking_succeeds() {
    let w = world(Duration::from_secs(10)).await;
    w.set_order(GB, "578903215467812302", |o| {
        for l in o["line_items"].as_array_mut().unwrap() {
            l["seller_sku"] = json!("TENT-OLD-CODE");
        }
    });
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let e = w.entry(GB, "578903215467812302").await;
    let f = e.last_failure.clone().unwrap();
    assert_eq!(
        (f.code, e.failed_skus.clone()),
        (
            ErrorCode::UnlinkedProduct,
            vec!["TENT-OLD-CODE".to_string()]
        )
    );
    assert!(f.fix.contains("skus link"), "{}", f.fix);
    let filter = shared::store::LogFilter {
        sku: Some("TENT-OLD-CODE".into()),
        ..Default::default()
    };
    assert_eq!(
        w.log.list(&filter).await.unwrap().len(),
        1,
        "findable by SKU for a bulk resubmit"
    );

    let link = SkuLink {
        shop_id: ShopId::new(GB),
        sku: Sku::new("TENT-OLD-CODE"),
        item_id: "101".into(),
        source: "manual".into(),
    };
    w.skus.put(&link).await.unwrap();
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let e = w.entry(GB, "578903215467812302").await;
    assert_eq!(e.sync_status, SyncStatus::Created);
    assert!(e.last_failure.is_none() && e.failed_skus.is_empty());
    assert_eq!(w.sales_orders().len(), 1);
}

#[tokio::test]
async fn timeout_after_commit_and_5xx_give_one_sales_order_and_no_failure() {
    let w = world(Duration::from_millis(800)).await;
    w.ns_sim
        .state
        .inject_fault(FaultKind::TimeoutAfterCommit, 1, 3);
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    w.ns_sim.state.inject_fault(FaultKind::ServerError, 3, 0);
    assert!(
        w.process(GB, "578903215467812301", "AWAITING_SHIPMENT")
            .await
    );
    assert_eq!(w.sales_orders().len(), 2);
    for (shop, order) in [(US, "576461413038785752"), (GB, "578903215467812301")] {
        assert_eq!(w.entry(shop, order).await.sync_status, SyncStatus::Created);
    }
    // The committed PUT was sent again: NetSuite adds unkeyed lines to the
    // ones there unless the write says `replace=item`, so each line must be
    // there once (…752: 2 tents and 1 headlamp on two lines).
    let us = w
        .sales_orders()
        .into_iter()
        .find(|so| so["externalId"] == json!(format!("tts-{US}-576461413038785752")))
        .expect("the US Sales Order");
    let lines = us["item"]["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(lines.len(), 2, "each line once: {lines:?}");
    let units: f64 = lines.iter().filter_map(|l| l["quantity"].as_f64()).sum();
    assert_eq!(units, 3.0);
}

/// `n` copies of seed order …752 under new ids, all processed at once.
async fn clones_processed_concurrently(
    w: &Arc<World>,
    n: usize,
    prefix: &str,
) -> (Vec<String>, Vec<bool>) {
    let ids: Vec<String> = (0..n).map(|i| format!("{prefix}{i:02}")).collect();
    for id in &ids {
        w.set_order(US, "576461413038785752", |o| o["id"] = json!(id));
    }
    let results = futures::future::join_all(ids.iter().map(|id| {
        let w = w.clone();
        async move { w.process(US, id, "AWAITING_SHIPMENT").await }
    }))
    .await;
    (ids, results)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrency_limit_is_never_exceeded_and_no_order_fails() {
    let w = Arc::new(world(Duration::from_secs(10)).await);
    w.ns_sim.state.set_concurrency_limit(5);
    w.ns_sim.state.set_latency_ms(100);
    let (_, results) = clones_processed_concurrently(&w, 12, "5764614130387859").await;
    assert!(results.iter().all(|ok| *ok));
    assert_eq!(w.sales_orders().len(), 12);
    let stats = w.ns_sim.state.stats();
    assert!(stats.peak_in_flight <= 5, "peak {}", stats.peak_in_flight);
    assert_eq!(
        stats.rejected_429, 0,
        "the client's semaphore keeps us under the limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_429_storm_from_another_integration_fails_no_order() {
    // Our client allows 8 in flight but the account has room for 2 (another
    // integration holds the rest): NetSuite answers 429 and we back off.
    let w = Arc::new(world_with(Duration::from_secs(10), 8).await);
    w.ns_sim.state.set_concurrency_limit(2);
    w.ns_sim.state.set_latency_ms(150);
    let (ids, results) = clones_processed_concurrently(&w, 10, "5764614130387860").await;
    let stats = w.ns_sim.state.stats();
    assert!(stats.rejected_429 > 0, "the storm happened");
    assert!(results.iter().all(|ok| *ok), "no order failed for a 429");
    assert_eq!(w.sales_orders().len(), 10);
    for id in &ids {
        assert_eq!(w.entry(US, id).await.sync_status, SyncStatus::Created);
    }
}

#[tokio::test]
async fn each_failure_reason_is_logged_with_code_reason_fix_and_response() {
    let mut w = world(Duration::from_secs(10)).await;

    // Not Found: TikTok says the order is not this seller's (21008111); a
    // retry cannot change that, so it is logged once and consumed.
    assert!(
        w.process(US, "576461413038799999", "AWAITING_SHIPMENT")
            .await,
        "not retryable → consumed"
    );
    let f = w
        .entry(US, "576461413038799999")
        .await
        .last_failure
        .unwrap();
    assert_eq!((f.code, f.retryable), (ErrorCode::NotFound, false));
    assert!(f.reason.contains("576461413038799999") && f.fix.contains("shop id"));

    // Total Mismatch: TikTok's payment block disagrees with its own lines.
    w.set_order(US, "576461413038785752", |o| {
        o["payment"]["sub_total"] = json!("200.00")
    });
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    let f = w
        .entry(US, "576461413038785752")
        .await
        .last_failure
        .unwrap();
    assert_eq!(f.code, ErrorCode::TotalMismatch);
    assert!(
        f.reason.contains("270.47") && f.reason.contains("217.99"),
        "{}",
        f.reason
    );

    // Order Creation Failed: NetSuite refuses a customer that does not exist; its answer is kept.
    w.mapping.shops.get_mut(GB).unwrap().customer.customer_id = Some("999".into());
    assert!(
        w.process(GB, "578903215467812301", "AWAITING_SHIPMENT")
            .await
    );
    let e = w.entry(GB, "578903215467812301").await;
    let f = e.last_failure.unwrap();
    assert_eq!(f.code, ErrorCode::OrderCreationFailed, "{f:?}");
    assert_eq!(
        (f.http_status, f.system_code.as_deref()),
        (Some(400), Some("USER_ERROR"))
    );
    assert!(
        f.system_call
            .as_deref()
            .unwrap_or_default()
            .starts_with("PUT "),
        "{f:?}"
    );
    assert!(f
        .response_body
        .as_deref()
        .unwrap_or_default()
        .contains("o:errorDetails"));

    // Duplicate Customer: match by email finds two customers.
    w.mapping.default.customer.mode = shared::mapping::config::CustomerMode::MatchEmail;
    for _ in 0..2 {
        let body =
            json!({"companyName": "Twin", "email": "twin@example.com", "subsidiary": {"id": "1"}});
        w.netsuite.create("customer", &body).await.unwrap();
    }
    w.set_order(US, "576461413038785753", |o| {
        o["status"] = json!("AWAITING_SHIPMENT");
        o["buyer_email"] = json!("TWIN@example.com");
    });
    assert!(
        w.process(US, "576461413038785753", "AWAITING_SHIPMENT")
            .await
    );
    let f = w
        .entry(US, "576461413038785753")
        .await
        .last_failure
        .unwrap();
    assert_eq!(f.code, ErrorCode::DuplicateCustomer);

    // Unauthorized: NetSuite refuses the token; not retried, the fix says what to check.
    let mut creds = simulators::default_seed().netsuite.credentials();
    creds.token_secret = "wrong".into();
    w.netsuite = NetSuiteClient::new(NetSuiteConfig::new(&w.ns_sim.base_url, creds)).unwrap();
    w.mapping.default.customer = shared::mapping::config::CustomerStrategy {
        mode: shared::mapping::config::CustomerMode::Generic,
        customer_id: Some("201".into()),
    };
    w.set_order(US, "576461413038785752", |_| {});
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    let f = w
        .entry(US, "576461413038785752")
        .await
        .last_failure
        .unwrap();
    assert_eq!(
        (f.code, f.retryable, f.http_status),
        (ErrorCode::Unauthorized, false, Some(401))
    );
    assert!(f.fix.contains("integration record"), "{}", f.fix);
    assert!(w.sales_orders().is_empty());
}

fn cancellation(shop: &str, order: &str, cancel_status: &str) -> QueuedEvent {
    QueuedEvent {
        type_code: 11,
        event_key: format!("EVT#{shop}#{order}-{cancel_status}"),
        data: json!({"order_id": order, "cancellations_role": "BUYER", "cancel_status": cancel_status, "cancel_id": "4035318504086604100"}),
        ..World::event(shop, order, "CANCEL")
    }
}

#[tokio::test]
async fn a_full_cancellation_closes_every_line_of_an_unfulfilled_sales_order() {
    let w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    // A pending request changes nothing.
    w.sync()
        .process(
            &cancellation(US, "576461413038785752", "CANCELLATION_REQUEST_PENDING"),
            1,
        )
        .await
        .unwrap();
    assert!(lines(&w.sales_orders()[0])
        .iter()
        .all(|l| l["isClosed"] == json!(false)));
    assert_eq!(
        w.entry(US, "576461413038785752").await.sync_status,
        SyncStatus::Created
    );

    w.set_order(US, "576461413038785752", |o| {
        o["status"] = json!("CANCELLED")
    });
    w.sync()
        .process(
            &cancellation(US, "576461413038785752", "CANCELLATION_REQUEST_COMPLETE"),
            1,
        )
        .await
        .unwrap();
    let so = &w.sales_orders()[0];
    assert!(
        lines(so).iter().all(|l| l["isClosed"] == json!(true)),
        "{so}"
    );
    let e = w.entry(US, "576461413038785752").await;
    assert_eq!(e.sync_status, SyncStatus::Cancelled);
    assert!(e.history.last().unwrap().note.contains("closed 2 line(s)"));
    // The webhook's own CANCEL status event afterwards is a no-op.
    assert!(w.process(US, "576461413038785752", "CANCEL").await);
    assert_eq!(
        w.entry(US, "576461413038785752").await.sync_status,
        SyncStatus::Cancelled
    );
    assert_eq!(w.sales_orders().len(), 1);
}

#[tokio::test]
async fn a_cancellation_after_fulfilment_changes_nothing_and_is_an_exception() {
    let w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(GB, "578903215467812301", "AWAITING_SHIPMENT")
            .await
    );
    let id = w.entry(GB, "578903215467812301").await.netsuite_id.unwrap();
    // The warehouse ships it.
    w.netsuite
        .patch(
            "salesOrder",
            &id,
            &json!({"item": {"items": [{"line": 1, "quantityFulfilled": 3}]}}),
        )
        .await
        .unwrap();
    let before = w.sales_orders()[0].clone();
    w.set_order(GB, "578903215467812301", |o| {
        o["status"] = json!("CANCELLED")
    });
    assert!(
        w.process(GB, "578903215467812301", "CANCEL").await,
        "consumed, not retried"
    );
    assert_eq!(w.sales_orders()[0], before, "NetSuite untouched");
    let e = w.entry(GB, "578903215467812301").await;
    assert_eq!(e.sync_status, SyncStatus::NeedsReview);
    let f = e.last_failure.unwrap();
    assert_eq!(
        (f.code.as_str(), f.level),
        ("CANCELLED_TOO_LATE", shared::taxonomy::Level::Warning)
    );
    assert!(
        f.reason.contains("line 1 (item 105): fulfilled 3"),
        "{}",
        f.reason
    );
    let listed = w
        .log
        .list(&shared::store::LogFilter {
            code: Some("CANCELLED_TOO_LATE".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "listable as an exception");
}

#[tokio::test]
async fn a_cancellation_while_on_hold_prevents_creation() {
    let w = world(Duration::from_secs(10)).await;
    assert!(w.process(US, "576461413038785753", "ON_HOLD").await);
    w.set_order(US, "576461413038785753", |o| {
        o["status"] = json!("CANCELLED")
    });
    w.sync()
        .process(
            &cancellation(US, "576461413038785753", "CANCELLATION_REQUEST_SUCCESS"),
            1,
        )
        .await
        .unwrap();
    // A late, out-of-order AWAITING_SHIPMENT push re-reads TikTok and still creates nothing.
    assert!(
        w.process(US, "576461413038785753", "AWAITING_SHIPMENT")
            .await
    );
    assert_eq!(
        w.entry(US, "576461413038785753").await.sync_status,
        SyncStatus::Skipped
    );
    assert!(w.sales_orders().is_empty());
}

fn return_event(shop: &str, order: &str, return_id: &str, status: &str) -> QueuedEvent {
    QueuedEvent {
        type_code: 12,
        event_key: format!("EVT#{shop}#{return_id}-{status}"),
        data: json!({"order_id": order, "return_role": "BUYER", "return_type": "REFUND", "return_status": status, "return_id": return_id}),
        ..World::event(shop, order, "RETURN")
    }
}

/// The seed's refund for the GB order …302.
fn seed_return() -> Value {
    let seed: Value = serde_json::from_str(include_str!("../../simulators/seed.json")).unwrap();
    seed["tiktok"]["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["return"].clone())
        .find(|r| r["return_id"] == "4035318504086604200")
        .expect("seed return 4035318504086604200")
}

#[tokio::test]
async fn a_partial_cancellation_reduces_only_the_cancelled_units() {
    let w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    let ev = QueuedEvent {
        data: json!({"order_id": "576461413038785752", "cancel_status": "CANCELLATION_REQUEST_COMPLETE", "cancel_id": "4035318504086604101"}),
        ..cancellation(US, "576461413038785752", "CANCELLATION_REQUEST_COMPLETE")
    };
    for _ in 0..2 {
        w.sync().process(&ev, 1).await.unwrap();
    }
    let l = lines(&w.sales_orders()[0]);
    assert_eq!(
        (
            l[0]["item"]["id"].clone(),
            l[0]["quantity"].clone(),
            l[0]["isClosed"].clone()
        ),
        (json!("101"), json!(1), json!(false))
    );
    assert_eq!(
        (l[1]["quantity"].clone(), l[1]["isClosed"].clone()),
        (json!(1), json!(false)),
        "the headlamp is untouched"
    );
    let e = w.entry(US, "576461413038785752").await;
    assert_eq!(e.sync_status, SyncStatus::PartiallyCancelled);
    assert!(
        e.history.last().unwrap().note.contains("already applied"),
        "applying twice changes nothing: {:?}",
        e.history.last()
    );
}

#[tokio::test]
async fn a_completed_refund_becomes_one_credit_memo_even_when_delivered_three_times() {
    let w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let ev = return_event(
        GB,
        "578903215467812302",
        "4035318504086604200",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    let sync = w.sync();
    let results = futures::future::join_all((0..3).map(|_| sync.process(&ev, 1))).await;
    assert!(results.iter().all(|r| r.is_ok()));
    let memos = w.ns_sim.state.records("creditMemo");
    assert_eq!(memos.len(), 1, "one Credit Memo: {memos:?}");
    let memo = &memos[0];
    assert_eq!(
        memo["externalId"],
        "tts-ret-7494726673780148744-4035318504086604200"
    );
    assert_eq!(memo["entity"]["id"], "202");
    let r = seed_return();
    let total: f64 = lines(memo)
        .iter()
        .map(|l| l["amount"].as_f64().unwrap())
        .sum();
    let subtotal: f64 = r["refund_amount"]["refund_subtotal"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (total - subtotal).abs() < 0.005,
        "memo {total} vs refunded {subtotal}"
    );
    assert_eq!(lines(memo)[0]["item"]["id"], "101");
    let e = w.entry(GB, "578903215467812302").await;
    assert_eq!(e.sync_status, SyncStatus::Refunded);
    // A fourth delivery is a Duplicate Refund note, not a second memo.
    w.sync().process(&ev, 1).await.unwrap();
    assert_eq!(w.ns_sim.state.records("creditMemo").len(), 1);
    let e = w.entry(GB, "578903215467812302").await;
    assert_eq!(
        e.last_failure.map(|f| f.code),
        Some(ErrorCode::DuplicateRefund)
    );
    assert_eq!(e.sync_status, SyncStatus::Refunded);
}

#[tokio::test]
async fn refunds_come_from_the_invoice_or_cash_sale_when_one_exists() {
    let mut w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let so = w.entry(GB, "578903215467812302").await.netsuite_id.unwrap();
    // NetSuite bills only what was fulfilled (section_159795520083): ship, then invoice.
    w.netsuite
        .transform("salesOrder", &so, "itemFulfillment", &json!({}), &[])
        .await
        .unwrap();
    let invoice = w
        .netsuite
        .transform("salesOrder", &so, "invoice", &json!({}), &[])
        .await
        .unwrap();
    let ev = return_event(
        GB,
        "578903215467812302",
        "4035318504086604200",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    w.sync().process(&ev, 1).await.unwrap();
    let memo = &w.ns_sim.state.records("creditMemo")[0];
    assert_eq!(
        memo["createdFrom"]["id"],
        json!(invoice),
        "from the invoice"
    );
    // The transform starts from every invoice line (here the 119.00 tent);
    // `replace=item` makes the memo credit exactly the refund, not the
    // invoice plus the refund (228.00).
    let invoice_rec = w.ns_sim.state.records("invoice")[0].clone();
    assert!(
        invoice_rec["total"].as_f64().unwrap_or(0.0) > 109.0,
        "{invoice_rec}"
    );
    assert_eq!(
        memo["total"].as_f64(),
        Some(109.0),
        "credits exactly the refund"
    );

    // The same shop configured for Cash Refunds, against a cash sale.
    w.mapping.shops.get_mut(GB).unwrap().refund_record =
        shared::mapping::config::RefundRecord::CashRefund;
    w.set_order(GB, "578903215467812301", |_| {});
    assert!(
        w.process(GB, "578903215467812301", "AWAITING_SHIPMENT")
            .await
    );
    let so2 = w.entry(GB, "578903215467812301").await.netsuite_id.unwrap();
    w.netsuite
        .transform("salesOrder", &so2, "itemFulfillment", &json!({}), &[])
        .await
        .unwrap();
    let sale = w
        .netsuite
        .transform("salesOrder", &so2, "cashSale", &json!({}), &[])
        .await
        .unwrap();
    let mut r = seed_return();
    r["return_id"] = json!("4035318504086604299");
    r["order_id"] = json!("578903215467812301");
    let order: Value = simulators::default_seed()
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "578903215467812301")
        .unwrap()
        .order
        .clone();
    let line_id = order["line_items"][0]["id"].clone();
    r["return_line_items"] = json!([{"return_line_item_id": "r1", "order_line_item_id": line_id, "sku_id": order["line_items"][0]["sku_id"],
        "seller_sku": "MUG-TI-450", "refund_amount": {"currency": "GBP", "refund_total": "16.50", "refund_subtotal": "16.50", "refund_shipping_fee": "0.00", "refund_tax": "0.00"}}]);
    r["refund_amount"] = json!({"currency": "GBP", "refund_total": "16.50", "refund_subtotal": "16.50", "refund_shipping_fee": "0.00", "refund_tax": "0.00"});
    w.tiktok_sim.state.upsert_return(GB, r).unwrap();
    let ev = return_event(
        GB,
        "578903215467812301",
        "4035318504086604299",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    w.sync().process(&ev, 1).await.unwrap();
    let refunds = w.ns_sim.state.records("cashRefund");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["createdFrom"]["id"], json!(sale));
    assert_eq!(lines(&refunds[0])[0]["amount"], json!(16.5));
}

#[tokio::test]
async fn refund_without_sales_order_fails_and_replacements_are_only_logged() {
    let w = world(Duration::from_secs(10)).await;
    let ev = return_event(
        GB,
        "578903215467812302",
        "4035318504086604200",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    assert!(
        w.sync().process(&ev, 1).await.is_err(),
        "retryable: the order may still be on its way"
    );
    let e = w.entry(GB, "578903215467812302").await;
    let f = e.last_failure.unwrap();
    assert_eq!((f.code, f.retryable), (ErrorCode::NotFound, true));
    assert!(f.reason.contains("has no Sales Order"), "{}", f.reason);
    assert!(w.ns_sim.state.records("creditMemo").is_empty());

    // The order goes through later; its success does not hide the refund's failure...
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let e = w.entry(GB, "578903215467812302").await;
    assert_eq!(e.last_failure.map(|f| f.code), Some(ErrorCode::NotFound));
    // ...and a resubmit replays the order and then the refund, through the queue.
    let queue =
        shared::store::SqsEventQueue::new(w.stack.sqs.clone(), &w.stack.names.orders_queue_url);
    shared::ops::resubmit(&queue, &[w.entry(GB, "578903215467812302").await], 1)
        .await
        .unwrap();
    let mut replays: Vec<QueuedEvent> = w
        .stack
        .peek(&w.stack.names.orders_queue_url)
        .await
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect();
    replays.sort_by_key(|q| q.type_code);
    assert_eq!(
        replays.iter().map(|q| q.type_code).collect::<Vec<_>>(),
        vec![1, 12]
    );
    for q in &replays {
        w.sync().process(q, 1).await.unwrap();
    }
    assert_eq!(w.ns_sim.state.records("creditMemo").len(), 1);
    let e = w.entry(GB, "578903215467812302").await;
    assert_eq!(e.sync_status, SyncStatus::Refunded);
    assert!(e.last_failure.is_none());

    let rep = return_event(
        GB,
        "578903215467812301",
        "4035318504086604201",
        "REPLACEMENT_REQUEST_COMPLETE",
    );
    w.sync().process(&rep, 1).await.unwrap();
    let e = w.entry(GB, "578903215467812301").await;
    assert!(e.history.last().unwrap().note.contains("not refunded"));
    assert_eq!(
        w.ns_sim.state.records("creditMemo").len(),
        1,
        "the replacement added no memo"
    );
    assert!(w.ns_sim.state.records("cashRefund").is_empty());
}

#[tokio::test]
async fn unlinked_refund_skus_fail_and_cancellations_follow_order_line_ids() {
    let w = world(Duration::from_secs(10)).await;
    // Refund of a SKU NetSuite does not know.
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let mut r = seed_return();
    r["return_id"] = json!("4035318504086604777");
    r["return_line_items"][0]["seller_sku"] = json!("GONE-SKU");
    w.tiktok_sim.state.upsert_return(GB, r).unwrap();
    let ev = return_event(
        GB,
        "578903215467812302",
        "4035318504086604777",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    assert!(w.sync().process(&ev, 1).await.is_ok());
    let f = w
        .entry(GB, "578903215467812302")
        .await
        .last_failure
        .unwrap();
    assert_eq!(
        (f.code.clone(), f.retryable),
        (ErrorCode::RefundCreationFailed, false)
    );
    assert!(
        f.reason.contains("GONE-SKU") && f.fix.contains("skus link"),
        "{f:?}"
    );
    // The order ships: its IN_TRANSIT push succeeds, and the failed refund
    // stays listed as failed (with its reason) until it is resolved.
    w.set_order(GB, "578903215467812302", |o| {
        o["status"] = json!("IN_TRANSIT")
    });
    assert!(w.process(GB, "578903215467812302", "IN_TRANSIT").await);
    let e = w.entry(GB, "578903215467812302").await;
    assert_eq!(e.sync_status, SyncStatus::Failed, "{:?}", e.history.last());
    assert_eq!(e.tiktok_status, "IN_TRANSIT");
    assert_eq!(
        e.last_failure.map(|f| f.code),
        Some(ErrorCode::RefundCreationFailed)
    );
    let failed = w
        .log
        .list(&shared::store::LogFilter {
            sync_status: Some(SyncStatus::Failed),
            code: Some("REFUND_CREATION_FAILED".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);

    // A cancellation names units by order line item id; a stale SKU on the
    // cancellation record does not matter: the order's own line decides.
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    let mut c: Value = serde_json::from_str::<Value>(include_str!("../../simulators/seed.json"))
        .unwrap()["tiktok"]["cancellations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cancellation"].clone())
        .find(|c| c["cancel_id"] == "4035318504086604101")
        .unwrap();
    c["cancel_line_items"][0]["seller_sku"] = json!("GONE-SKU");
    w.tiktok_sim.state.upsert_cancellation(US, c).unwrap();
    let ev = cancellation(US, "576461413038785752", "CANCELLATION_REQUEST_COMPLETE");
    assert!(w.sync().process(&ev, 1).await.is_ok());
    assert_eq!(
        w.entry(US, "576461413038785752").await.sync_status,
        SyncStatus::PartiallyCancelled
    );
    let so = w
        .sales_orders()
        .into_iter()
        .find(|s| s["otherRefNum"] == "576461413038785752")
        .unwrap();
    assert_eq!(lines(&so)[0]["quantity"], json!(1));
}

#[tokio::test]
async fn a_cancelled_bundle_unit_reduces_exactly_its_component_lines() {
    let w = world(Duration::from_secs(10)).await;
    w.set_order(US, "576461413038785753", |o| {
        o["status"] = json!("AWAITING_SHIPMENT")
    });
    assert!(
        w.process(US, "576461413038785753", "AWAITING_SHIPMENT")
            .await
    );
    let order = simulators::default_seed()
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "576461413038785753")
        .unwrap()
        .order
        .clone();
    let bundle_line = order["line_items"][0]["id"].clone();
    w.tiktok_sim
        .state
        .upsert_cancellation(
            US,
            json!({"cancel_id": "4035318504086609999", "order_id": "576461413038785753", "cancel_type": "CANCEL",
                   "cancel_status": "CANCELLATION_REQUEST_COMPLETE", "role": "SELLER",
                   "refund_amount": {"currency": "USD", "refund_total": "0", "refund_subtotal": "0", "refund_shipping_fee": "0", "refund_tax": "0"},
                   "cancel_line_items": [{"cancel_line_item_id": "x1", "order_line_item_id": bundle_line, "sku_id": order["line_items"][0]["sku_id"],
                                          "seller_sku": "CAMP-KIT-BUNDLE", "refund_amount": {"currency": "USD", "refund_total": "0"}}]}),
        )
        .unwrap();
    w.sync()
        .process(
            &cancellation(US, "576461413038785753", "CANCELLATION_REQUEST_COMPLETE"),
            1,
        )
        .await
        .unwrap();
    // The bundle unit carried a stove and two mugs: exactly those lines close.
    let so = &w.sales_orders()[0];
    let closed: Vec<bool> = lines(so)
        .iter()
        .map(|l| l["isClosed"] == json!(true))
        .collect();
    assert_eq!(closed, vec![true, true], "{so}");
    let e = w.entry(US, "576461413038785753").await;
    assert_eq!(e.sync_status, SyncStatus::PartiallyCancelled);
    assert!(e.last_failure.is_none());
}

#[tokio::test]
async fn cancelling_one_unit_of_an_item_on_two_lines_changes_only_its_line() {
    let w = world(Duration::from_secs(10)).await;
    let order = "576461413038785752";
    // The second tent carries a bigger seller discount, so the tent sits on
    // two Sales Order lines: 1 × 119.99 and 1 × 109.99.
    w.set_order(US, order, |o| {
        o["line_items"][1]["seller_discount"] = json!("20.00");
        o["payment"]["seller_discount"] = json!("30.00");
        o["payment"]["sub_total"] = json!("242.48");
    });
    assert!(w.process(US, order, "AWAITING_SHIPMENT").await);
    let so = &w.sales_orders()[0];
    assert_eq!(lines(so).len(), 3, "{so}");
    // TikTok cancels the second tent, the 109.99 unit (seed cancellation
    // …101 names line item …102).
    w.sync()
        .process(&cancellation(US, order, "CANCELLATION_REQUEST_COMPLETE"), 1)
        .await
        .unwrap();
    let so = &w.sales_orders()[0];
    let by_rate: Vec<(f64, f64, bool)> = lines(so)
        .iter()
        .map(|l| {
            (
                l["rate"].as_f64().unwrap_or(0.0),
                l["quantity"].as_f64().unwrap_or(0.0),
                l["isClosed"] == json!(true),
            )
        })
        .collect();
    assert_eq!(
        by_rate,
        vec![(119.99, 1.0, false), (109.99, 1.0, true), (24.5, 1.0, false)],
        "only the 109.99 tent's line is closed (before, both tent lines were set to the 1 tent left, so neither closed)"
    );
    assert_eq!(
        w.entry(US, order).await.sync_status,
        SyncStatus::PartiallyCancelled
    );
}

#[tokio::test]
async fn a_standalone_cash_refund_books_refunded_shipping_too() {
    let mut w = world(Duration::from_secs(10)).await;
    w.mapping.default.refund_record = shared::mapping::config::RefundRecord::CashRefund;
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    let order = simulators::default_seed()
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "576461413038785752")
        .unwrap()
        .order
        .clone();
    let amount = json!({"currency": "USD", "refund_total": "30.49", "refund_subtotal": "24.50", "refund_shipping_fee": "5.99", "refund_tax": "0.00"});
    w.tiktok_sim
        .state
        .upsert_return(
            US,
            json!({"return_id": "4035318504086608888", "order_id": "576461413038785752", "return_type": "RETURN_AND_REFUND",
                   "return_status": "RETURN_OR_REFUND_REQUEST_COMPLETE", "role": "BUYER", "refund_amount": amount,
                   "return_line_items": [{"return_line_item_id": "y1", "order_line_item_id": order["line_items"][2]["id"],
                       "sku_id": order["line_items"][2]["sku_id"], "seller_sku": "HEADLAMP-200",
                       "refund_amount": {"currency": "USD", "refund_total": "24.50", "refund_subtotal": "24.50", "refund_shipping_fee": "0", "refund_tax": "0"}}]}),
        )
        .unwrap();
    let ev = return_event(
        US,
        "576461413038785752",
        "4035318504086608888",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    w.sync().process(&ev, 1).await.unwrap();
    let refunds = w.ns_sim.state.records("cashRefund");
    assert_eq!(refunds.len(), 1, "standalone: there is no cash sale");
    let r = &refunds[0];
    assert!(r.get("createdFrom").is_none_or(|c| c.is_null()));
    assert_eq!(r["entity"]["id"], "201");
    assert_eq!(r["shippingCost"], json!(5.99));
    assert_eq!(lines(r)[0]["item"]["id"], "103");
    assert_eq!(lines(r)[0]["amount"], json!(24.5));
    assert!(w
        .entry(US, "576461413038785752")
        .await
        .history
        .last()
        .unwrap()
        .note
        .contains("30.49 USD"));
}

#[tokio::test]
async fn an_ignored_order_is_never_created_until_un_ignored() {
    let w = world(Duration::from_secs(10)).await;
    let order = "576461413038785753";
    // Seen while on hold, then an operator ignores it (a test order, say).
    assert!(w.process(US, order, "ON_HOLD").await);
    let e = w.entry(US, order).await;
    shared::ops::ignore(&w.log, &e, "test order", 1)
        .await
        .unwrap();
    // It becomes shippable and TikTok pushes: logged, nothing written.
    w.set_order(US, order, |o| o["status"] = json!("AWAITING_SHIPMENT"));
    assert!(w.process(US, order, "AWAITING_SHIPMENT").await);
    let e = w.entry(US, order).await;
    assert_eq!(e.sync_status, SyncStatus::Ignored);
    assert!(e.history.last().unwrap().note.contains("not acted on"));
    assert!(
        w.sales_orders().is_empty(),
        "an ignored order is never created"
    );
    // Un-ignored, its next event writes it.
    shared::ops::unignore(&w.log, &e, "real order after all", 2)
        .await
        .unwrap();
    assert!(w.process(US, order, "AWAITING_SHIPMENT").await);
    assert_eq!(w.entry(US, order).await.sync_status, SyncStatus::Created);
    assert_eq!(w.sales_orders().len(), 1);
    // Un-ignoring an order that is not ignored names the problem.
    let e = w.entry(US, order).await;
    let err = shared::ops::unignore(&w.log, &e, "x", 3).await.unwrap_err();
    assert!(err.to_string().contains("not ignored"), "{err}");
}

#[tokio::test]
async fn a_refund_instead_of_a_replacement_is_booked() {
    let w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let mut r = seed_return();
    r["return_id"] = json!("4035318504086604555");
    r["return_type"] = json!("REPLACEMENT");
    r["return_status"] = json!("REPLACEMENT_REQUEST_REFUND_SUCCESS");
    w.tiktok_sim.state.upsert_return(GB, r).unwrap();
    let ev = return_event(
        GB,
        "578903215467812302",
        "4035318504086604555",
        "REPLACEMENT_REQUEST_REFUND_SUCCESS",
    );
    w.sync().process(&ev, 1).await.unwrap();
    let memos = w.ns_sim.state.records("creditMemo");
    assert_eq!(memos.len(), 1, "the seller refunded instead of replacing");
    assert_eq!(memos[0]["total"].as_f64(), Some(109.0));
    assert_eq!(
        w.entry(GB, "578903215467812302").await.sync_status,
        SyncStatus::Refunded
    );
}

#[tokio::test]
async fn an_order_or_refund_in_another_currency_than_the_books_is_refused() {
    let w = world(Duration::from_secs(10)).await;
    // The GB shop's books are in GBP; TikTok says this order is in USD.
    w.set_order(GB, "578903215467812301", |o| {
        o["payment"]["currency"] = json!("USD")
    });
    assert!(
        w.process(GB, "578903215467812301", "AWAITING_SHIPMENT")
            .await
    );
    let e = w.entry(GB, "578903215467812301").await;
    let f = e.last_failure.expect("refused");
    assert_eq!(f.code, ErrorCode::InsufficientData);
    assert!(
        f.reason.contains("USD") && f.reason.contains("GBP"),
        "{}",
        f.reason
    );
    assert!(
        w.sales_orders().is_empty(),
        "nothing booked in the wrong currency"
    );

    // A refund in another currency than its Sales Order's books: refused too.
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    let mut r = seed_return();
    r["return_id"] = json!("4035318504086604666");
    r["refund_amount"]["currency"] = json!("EUR");
    w.tiktok_sim.state.upsert_return(GB, r).unwrap();
    let ev = return_event(
        GB,
        "578903215467812302",
        "4035318504086604666",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    w.sync().process(&ev, 1).await.unwrap();
    let f = w
        .entry(GB, "578903215467812302")
        .await
        .last_failure
        .expect("refused");
    assert!(
        f.reason.contains("EUR") && f.reason.contains("GBP"),
        "{}",
        f.reason
    );
    assert!(w.ns_sim.state.records("creditMemo").is_empty());
}

#[tokio::test]
async fn a_seller_proposed_partial_refund_is_booked_at_the_partial_amount() {
    let w = world(Duration::from_secs(10)).await;
    assert!(
        w.process(GB, "578903215467812302", "AWAITING_SHIPMENT")
            .await
    );
    // Seed return …202: the seller proposed £30.00 of the £109 line, accepted.
    let ev = return_event(
        GB,
        "578903215467812302",
        "4035318504086604202",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    w.sync().process(&ev, 1).await.unwrap();
    let memos = w.ns_sim.state.records("creditMemo");
    assert_eq!(memos.len(), 1);
    assert_eq!(memos[0]["total"].as_f64(), Some(30.0), "the partial amount");
    let e = w.entry(GB, "578903215467812302").await;
    assert_eq!(e.sync_status, SyncStatus::Refunded);
    assert!(
        e.history
            .last()
            .unwrap()
            .note
            .contains("partial refund of 30.00 GBP"),
        "{:?}",
        e.history.last()
    );
}

#[tokio::test]
async fn a_transient_tiktok_order_error_is_retried_and_a_foreign_order_fails_with_its_reason() {
    let w = world(Duration::from_secs(10)).await;
    // Two transient failures, then the order: the client's retries absorb them.
    w.tiktok_sim
        .state
        .fail_next_order_details(&[10037002, 10002014])
        .unwrap();
    assert!(
        w.process(US, "576461413038785752", "AWAITING_SHIPMENT")
            .await
    );
    assert_eq!(
        w.entry(US, "576461413038785752").await.sync_status,
        SyncStatus::Created
    );
    // An order id of the other shop: TikTok says it is not this seller's.
    assert!(
        w.process(US, "578903215467812301", "AWAITING_SHIPMENT")
            .await
    );
    let e = w.entry(US, "578903215467812301").await;
    let f = e.last_failure.expect("a logged failure");
    assert!(!f.retryable, "a retry cannot fix it: {f:?}");
    assert_eq!(f.system_code.as_deref(), Some("21008111"));
    assert!(f.reason.contains("does not belong"), "{}", f.reason);
}

#[tokio::test]
async fn a_partial_cancellation_reduces_the_seller_discount_line_too() {
    let mut w = world(Duration::from_secs(10)).await;
    // Discount-item mode: gross tent lines plus one -20.00 discount line.
    w.mapping.default.seller_discount = shared::mapping::config::SellerDiscount::Item {
        item_id: "192".into(),
    };
    let order = "576461413038785752";
    assert!(w.process(US, order, "AWAITING_SHIPMENT").await);
    let before: Vec<Value> = lines(&w.sales_orders()[0]);
    assert!(
        before
            .iter()
            .any(|l| l["item"]["id"] == "192" && l["amount"].as_f64() == Some(-20.0)),
        "{before:?}"
    );
    // Seed cancellation …101 takes one tent (and its 10.00 seller discount).
    w.sync()
        .process(&cancellation(US, order, "CANCELLATION_REQUEST_COMPLETE"), 1)
        .await
        .unwrap();
    let after: Vec<Value> = lines(&w.sales_orders()[0]);
    let tent = after.iter().find(|l| l["item"]["id"] == "101").unwrap();
    assert_eq!(tent["quantity"].as_f64(), Some(1.0));
    let discount = after.iter().find(|l| l["item"]["id"] == "192").unwrap();
    assert_eq!(discount["amount"].as_f64(), Some(-10.0), "{after:?}");
    assert_eq!(
        w.entry(US, order).await.sync_status,
        SyncStatus::PartiallyCancelled
    );
}

#[tokio::test]
async fn a_partial_cancellation_reduces_the_tax_line_by_the_cancelled_units_tax() {
    let w = world(Duration::from_secs(10)).await;
    let order = "578903215467812301";
    // The GB shop books tax on its own item line (191); each mug carries 0.50.
    w.set_order(GB, order, |o| {
        for l in o["line_items"].as_array_mut().unwrap() {
            l["item_tax"] = json!([{"tax_type": "VAT", "tax_amount": "0.50", "tax_rate": "0.2"}]);
        }
        o["payment"]["product_tax"] = json!("1.50");
        o["payment"]["tax"] = json!("1.50");
    });
    assert!(w.process(GB, order, "AWAITING_SHIPMENT").await);
    let tax_line = |so: &Value| {
        lines(so)
            .into_iter()
            .find(|l| l["item"]["id"] == "191")
            .expect("tax line")
    };
    assert_eq!(tax_line(&w.sales_orders()[0])["amount"].as_f64(), Some(1.5));
    // TikTok cancels one mug.
    w.tiktok_sim
        .state
        .upsert_cancellation(
            GB,
            json!({"cancel_id": "4035318504086607777", "order_id": order, "cancel_type": "CANCEL",
                   "cancel_status": "CANCELLATION_REQUEST_COMPLETE", "role": "SELLER",
                   "refund_amount": {"currency": "GBP", "refund_total": "17.00", "refund_subtotal": "16.50", "refund_shipping_fee": "0", "refund_tax": "0.50"},
                   "cancel_line_items": [{"cancel_line_item_id": "x1", "order_line_item_id": "577086512123756101",
                                          "seller_sku": "MUG-TI-450", "refund_amount": {"currency": "GBP", "refund_total": "17.00"}}]}),
        )
        .unwrap();
    w.sync()
        .process(&cancellation(GB, order, "CANCELLATION_REQUEST_COMPLETE"), 1)
        .await
        .unwrap();
    let so = &w.sales_orders()[0];
    let mugs = lines(so)
        .into_iter()
        .find(|l| l["item"]["id"] == "105")
        .unwrap();
    assert_eq!(mugs["quantity"].as_f64(), Some(2.0));
    assert_eq!(tax_line(so)["amount"].as_f64(), Some(1.0), "{so}");
}

#[tokio::test]
async fn shipping_refunded_with_a_partial_cancellation_comes_off_the_sales_order() {
    let w = world(Duration::from_secs(10)).await;
    let order = "576461413038785752";
    assert!(w.process(US, order, "AWAITING_SHIPMENT").await);
    assert_eq!(w.sales_orders()[0]["shippingCost"].as_f64(), Some(5.99));
    // TikTok cancels the second tent and refunds the whole shipping fee with it.
    let mut c: Value = serde_json::from_str::<Value>(include_str!("../../simulators/seed.json"))
        .unwrap()["tiktok"]["cancellations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cancellation"].clone())
        .find(|c| c["cancel_id"] == "4035318504086604101")
        .unwrap();
    c["refund_amount"]["refund_shipping_fee"] = json!("5.99");
    w.tiktok_sim.state.upsert_cancellation(US, c).unwrap();
    w.sync()
        .process(&cancellation(US, order, "CANCELLATION_REQUEST_COMPLETE"), 1)
        .await
        .unwrap();
    let so = &w.sales_orders()[0];
    assert_eq!(so["shippingCost"].as_f64(), Some(0.0), "{so}");
    assert_eq!(lines(so)[0]["quantity"].as_f64(), Some(1.0));
}
