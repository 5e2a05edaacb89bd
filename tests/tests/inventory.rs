//! The inventory push against moto and both simulators: the numbers TikTok
//! ends up with, diff-only runs, pending orders, refused SKUs held with
//! their reason instead of being retried forever.

mod common;

use common::*;
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::store::RunStatus;

const MAIN: &str = "7068517275539719942";
const EAST: &str = "7068517275539719943";
const TENT: &str = "1729592969712203001";
const HEADLAMP: &str = "1729592969712203003";
const STOVE: &str = "1729592969712203004";

/// The US shop pushes NetSuite location 1 to the main warehouse and location
/// 3 (no stock rows) to the east one, keeping back 10 % then 2 units.
async fn jobs(env: &local_env::LocalEnv) -> JobsApp {
    let mut cfg = env.jobs_config.clone();
    let us = cfg
        .jobs
        .mapping
        .shops
        .get_mut(US_SHOP)
        .expect("US shop mapped");
    us.inventory = Some(
        serde_json::from_value(json!({
            "location_warehouses": {"1": MAIN, "3": EAST},
            "buffer": {"units": 2, "percent": 10}
        }))
        .unwrap(),
    );
    JobsApp::new(cfg, &env.sdk).await.unwrap()
}

fn push() -> JobRequest {
    JobRequest {
        job: "inventory".into(),
        shop: Some(US_SHOP.into()),
    }
}

fn qty(env: &local_env::LocalEnv, sku: &str, wh: &str) -> Option<i64> {
    env.tiktok.state.sku_quantity(US_SHOP, sku, wh)
}

#[tokio::test]
async fn netsuite_stock_reaches_tiktok_with_buffer_and_only_changes_are_sent_again() {
    let env = local_env(30, 5).await;
    env.tiktok.state.set_allow_zero_quantity(true);
    let jobs = jobs(&env).await;
    let runs = jobs.run(&push()).await.unwrap();
    let r = &runs[0];
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    // Tent (item 101): 42 available at location 1 → ⌊42 × 0.9⌋ − 2 = 35;
    // nothing at location 3 → 0. Headlamp: ⌊230 × 0.9⌋ − 2 = 205.
    // Stove: ⌊60 × 0.9⌋ − 2 = 52, and 0 in the east warehouse.
    assert_eq!(qty(&env, TENT, MAIN), Some(35));
    assert_eq!(qty(&env, TENT, EAST), Some(0));
    assert_eq!(qty(&env, HEADLAMP, MAIN), Some(205));
    assert_eq!(qty(&env, STOVE, MAIN), Some(52));
    // SLEEP-BAG-LONG matches no NetSuite item: reported, never pushed.
    assert!(
        r.findings.iter().any(|f| f.contains("SLEEP-BAG-LONG")),
        "{r:?}"
    );
    let calls = env.tiktok.state.inventory_update_calls(US_SHOP);
    assert!(calls >= 3, "{calls}");

    // Nothing changed: a second run reads everything and sends nothing.
    let again = jobs.run(&push()).await.unwrap();
    assert_eq!(again[0].counts.get("update_calls"), None, "{:?}", again[0]);
    assert_eq!(env.tiktok.state.inventory_update_calls(US_SHOP), calls);

    // Stock changes in NetSuite: the stove sells out at location 1. The next
    // run sends that one SKU (one call), and nothing else.
    env.netsuite
        .state
        .set_stock(
            "104",
            "1",
            simulators::netsuite::StockLevel::on_hand(10, 10),
        )
        .unwrap();
    let changed = jobs.run(&push()).await.unwrap();
    assert_eq!(
        changed[0].counts.get("update_calls"),
        Some(&1),
        "{:?}",
        changed[0]
    );
    assert_eq!(
        changed[0].counts.get("skus_pushed"),
        Some(&1),
        "{:?}",
        changed[0]
    );
    assert_eq!(qty(&env, STOVE, MAIN), Some(0));
    assert_eq!(qty(&env, TENT, MAIN), Some(35), "untouched");

    // An order awaiting shipment that is not in NetSuite yet holds 2 tents
    // and a headlamp: the next run subtracts them, and sends only those two.
    let mut order = env.seed.tiktok.orders[0].order.clone();
    order["id"] = json!("920000000000000001");
    order["update_time"] = json!(now() - 60);
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    let pending = jobs.run(&push()).await.unwrap();
    let p = &pending[0];
    assert_eq!(qty(&env, TENT, MAIN), Some(34), "⌊40 × 0.9⌋ − 2: {p:?}");
    assert_eq!(
        qty(&env, HEADLAMP, MAIN),
        Some(204),
        "⌊229 × 0.9⌋ − 2: {p:?}"
    );
    assert_eq!(p.counts.get("skus_pushed"), Some(&2), "{p:?}");
}

#[tokio::test]
async fn a_refused_sku_is_reported_with_its_fix_and_held_not_retried_every_run() {
    let env = local_env(30, 5).await;
    // TikTok's documented range starts at 1: the tent's empty east
    // warehouse (0) is refused, which fails the whole SKU.
    let jobs = jobs(&env).await;
    let first = jobs.run(&push()).await.unwrap();
    let r = &first[0];
    let tent = r
        .failures
        .iter()
        .find(|f| f.subject == format!("SKU {TENT}"))
        .unwrap_or_else(|| panic!("tent refusal not reported: {r:?}"));
    assert!(!tent.fix.is_empty(), "{tent:?}");
    assert_eq!(
        qty(&env, TENT, MAIN),
        Some(40),
        "a refused SKU changes nowhere"
    );
    assert_eq!(
        qty(&env, HEADLAMP, MAIN),
        Some(205),
        "the others are pushed"
    );

    // Held: the next run does not send it again while NetSuite is unchanged.
    let calls = env.tiktok.state.inventory_update_calls(US_SHOP);
    let second = jobs.run(&push()).await.unwrap();
    let refused = r.counts.get("skus_failed").copied();
    assert!(refused >= Some(1), "{r:?}");
    assert_eq!(
        second[0].counts.get("skus_held").copied(),
        refused,
        "{:?}",
        second[0]
    );
    assert_eq!(env.tiktok.state.inventory_update_calls(US_SHOP), calls);

    // A promotion lock refuses a decrease: reported once, then held.
    env.tiktok
        .state
        .set_promotion_lock(US_SHOP, HEADLAMP, true)
        .unwrap();
    let mut order = env.seed.tiktok.orders[0].order.clone();
    order["id"] = json!("920000000000000002");
    order["update_time"] = json!(now() - 60);
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    let locked = jobs.run(&push()).await.unwrap();
    assert!(
        locked[0]
            .failures
            .iter()
            .any(|f| f.subject == format!("SKU {HEADLAMP}") && f.fix.contains("promotion")),
        "{:?}",
        locked[0]
    );
    assert_eq!(qty(&env, HEADLAMP, MAIN), Some(205));
    let calls = env.tiktok.state.inventory_update_calls(US_SHOP);
    let after = jobs.run(&push()).await.unwrap();
    assert_eq!(after[0].counts.get("update_calls"), None, "{:?}", after[0]);
    assert_eq!(env.tiktok.state.inventory_update_calls(US_SHOP), calls);
}

/// TikTok answers 429 / 36009002 past its per-API QPS limit
/// (tiktok-shop-api.md §4); the simulator enforces it per (app, shop, API).
/// With the limit lowered to 4 and sixteen products to update, the job paces
/// its Update Inventory (and Search Orders) calls at its `tiktok_qps` and
/// never meets the limit, where back-to-back calls would.
#[tokio::test]
async fn update_inventory_calls_are_paced_under_tiktoks_qps_limit() {
    let env = local_env(30, 5).await;
    env.tiktok.state.set_allow_zero_quantity(true);
    let loaded = env.netsuite.state.bulk_load_stock(16, &["1"]).unwrap();
    for p in 0..loaded.items {
        env.tiktok
            .state
            .upsert_product(simulators::seed::ProductSeed {
                shop_id: US_SHOP.into(),
                id: format!("1800000{p:012}"),
                title: format!("Paced product {p}"),
                status: "ACTIVATE".into(),
                skus: vec![simulators::seed::SkuSeed {
                    id: format!("1900000{p:012}"),
                    seller_sku: format!("SKU-{p:07}"),
                    inventory: vec![simulators::seed::SkuStockSeed {
                        warehouse_id: MAIN.into(),
                        quantity: 0,
                    }],
                }],
            })
            .unwrap();
    }
    let runs = paced_push(&env).await;
    let r = &runs[0];
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let calls = env.tiktok.state.inventory_update_calls(US_SHOP);
    assert!(calls >= 16, "one call per product: {calls}");
    assert_eq!(
        env.tiktok.state.rejected_count(36009002),
        0,
        "no call met the QPS limit: {:?}",
        env.tiktok.state.snapshot()["rejected"]
    );
}

/// The daily SKU map (Search Products, 100 products a page) and the
/// reconcile (Inventory Search, 600 SKUs a call) are paced at `tiktok_qps`
/// too: with TikTok's limit lowered to 4 and 500 products of 5 SKUs, each
/// API is called 5 times or more in a row, which back to back would meet
/// the limit. TikTok already holds NetSuite's quantities, so nothing is
/// pushed and the run is only those reads.
#[tokio::test]
async fn the_sku_map_and_the_reconcile_are_paced_under_tiktoks_qps_limit() {
    let env = local_env(30, 5).await;
    env.tiktok.state.set_allow_zero_quantity(true);
    let loaded = env.netsuite.state.bulk_load_stock(2_500, &["1"]).unwrap();
    for p in 0..loaded.items / 5 {
        let skus = (p * 5..p * 5 + 5)
            .map(|i| {
                let item = (loaded.first_item_id + i).to_string();
                let held = env.netsuite.state.stock(&item, "1").unwrap();
                simulators::seed::SkuSeed {
                    id: format!("1910000{i:012}"),
                    seller_sku: format!("SKU-{i:07}"),
                    inventory: vec![simulators::seed::SkuStockSeed {
                        warehouse_id: MAIN.into(),
                        quantity: held.quantityavailable.max(0),
                    }],
                }
            })
            .collect();
        env.tiktok
            .state
            .upsert_product(simulators::seed::ProductSeed {
                shop_id: US_SHOP.into(),
                id: format!("1810000{p:012}"),
                title: format!("Catalogue product {p}"),
                status: "ACTIVATE".into(),
                skus,
            })
            .unwrap();
    }
    let runs = paced_push(&env).await;
    let r = &runs[0];
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.counts.get("sku_map_refreshed"), Some(&1), "{r:?}");
    assert!(
        r.counts.get("skus_managed").copied().unwrap_or(0) >= 2_500,
        "{r:?}"
    );
    let searches = env
        .tiktok
        .state
        .request_count("/product/202502/products/search");
    let inventory_searches = env
        .tiktok
        .state
        .request_count("/product/202309/inventory/search");
    assert!(searches >= 5, "Search Products pages: {searches}");
    assert!(
        inventory_searches >= 5,
        "Inventory Search calls: {inventory_searches}"
    );
    assert_eq!(
        env.tiktok.state.rejected_count(36009002),
        0,
        "no call met the QPS limit: {:?}",
        env.tiktok.state.snapshot()["rejected"]
    );
}

/// One push with TikTok's limit lowered to 4 calls a second and the job
/// pacing itself at 3 (locations 1 and 3 mapped).
async fn paced_push(env: &local_env::LocalEnv) -> Vec<shared::store::JobRun> {
    env.tiktok.state.set_qps_limit(4);
    let mut cfg = env.jobs_config.clone();
    cfg.jobs.mapping.shops.get_mut(US_SHOP).unwrap().inventory = Some(
        serde_json::from_value(json!({
            "location_warehouses": {"1": MAIN, "3": EAST},
            "tiktok_qps": 3
        }))
        .unwrap(),
    );
    let jobs = JobsApp::new(cfg, &env.sdk).await.unwrap();
    jobs.run(&push()).await.unwrap()
}

/// The US shop's push with `inventory` settings `settings`, on a job clock
/// the test moves (`clock.set`).
async fn jobs_with(
    env: &local_env::LocalEnv,
    settings: serde_json::Value,
    clock: std::sync::Arc<shared::clock::FixedClock>,
) -> JobsApp {
    let mut cfg = env.jobs_config.clone();
    cfg.jobs.mapping.shops.get_mut(US_SHOP).unwrap().inventory =
        Some(serde_json::from_value(settings).unwrap());
    let mut app = JobsApp::new(cfg, &env.sdk).await.unwrap();
    app.clock = clock;
    app
}

/// Issue 27, item 5: a SKU TikTok refused (a promotion lock) is tried again
/// at later runs, after its backoff, until TikTok holds NetSuite's number;
/// while it waits each run lists it, so the drift digest does.
#[tokio::test]
async fn a_refused_sku_is_retried_after_its_backoff_until_tiktok_holds_the_right_number() {
    let env = local_env(30, 5).await;
    env.tiktok.state.set_allow_zero_quantity(true);
    let t0 = now();
    let clock = std::sync::Arc::new(shared::clock::FixedClock::at(t0));
    let jobs = jobs_with(
        &env,
        json!({
            "location_warehouses": {"1": MAIN, "3": EAST},
            "buffer": {"units": 2, "percent": 10}
        }),
        clock.clone(),
    )
    .await;
    jobs.run(&push()).await.unwrap();
    assert_eq!(qty(&env, HEADLAMP, MAIN), Some(205));

    // Locked in a promotion, and an order takes a headlamp: 204 is refused.
    env.tiktok
        .state
        .set_promotion_lock(US_SHOP, HEADLAMP, true)
        .unwrap();
    let mut order = env.seed.tiktok.orders[0].order.clone();
    order["id"] = json!("920000000000000027");
    order["update_time"] = json!(now() - 60);
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    clock.set(t0 + 10);
    let refused = jobs.run(&push()).await.unwrap();
    assert!(
        refused[0]
            .failures
            .iter()
            .any(|f| f.subject == format!("SKU {HEADLAMP}")),
        "{:?}",
        refused[0]
    );
    assert_eq!(qty(&env, HEADLAMP, MAIN), Some(205));

    // Within the backoff: not sent, but listed as still wrong, and the
    // digest counts it.
    env.tiktok
        .state
        .set_promotion_lock(US_SHOP, HEADLAMP, false)
        .unwrap();
    clock.set(t0 + 60);
    let calls = env.tiktok.state.inventory_update_calls(US_SHOP);
    let waiting = jobs.run(&push()).await.unwrap();
    let w = &waiting[0];
    assert_eq!(env.tiktok.state.inventory_update_calls(US_SHOP), calls);
    assert!(
        w.failures
            .iter()
            .any(|f| f.subject == format!("SKU {HEADLAMP}")
                && f.reason.contains("still holds the old quantity")),
        "{w:?}"
    );
    let digest = jobs
        .run(&JobRequest {
            job: "digest".into(),
            shop: Some(US_SHOP.into()),
        })
        .await
        .unwrap();
    assert!(
        digest[0].counts.get("stock_pushes_refused").copied() >= Some(1),
        "{:?}",
        digest[0]
    );

    // The backoff (15 minutes) has passed: sent again, and the lock has
    // lifted, so TikTok now holds 204. The next run has nothing to list.
    clock.set(t0 + 10 + 15 * 60);
    let retried = jobs.run(&push()).await.unwrap();
    assert_eq!(
        qty(&env, HEADLAMP, MAIN),
        Some(204),
        "⌊229 × 0.9⌋ − 2: {:?}",
        retried[0]
    );
    assert_eq!(
        retried[0].counts.get("skus_refused_retried"),
        Some(&1),
        "{:?}",
        retried[0]
    );
    clock.set(t0 + 20 + 15 * 60);
    let clear = jobs.run(&push()).await.unwrap();
    assert!(
        !clear[0]
            .failures
            .iter()
            .any(|f| f.subject.starts_with("SKU")),
        "{:?}",
        clear[0]
    );
}

/// Issue 27, item 5: a mapped warehouse TikTok does not have, or the shop's
/// return warehouse, is named with its field, and nothing is pushed.
#[tokio::test]
async fn a_wrong_warehouse_in_the_mapping_is_named_and_nothing_is_pushed() {
    let env = local_env(30, 5).await;
    env.tiktok.state.set_allow_zero_quantity(true);
    let clock = std::sync::Arc::new(shared::clock::FixedClock::at(now()));
    for (bad, says) in [
        ("7068517275539719949", "has no warehouse"),
        ("7068517275539719944", "return warehouse"),
    ] {
        let jobs = jobs_with(
            &env,
            json!({"location_warehouses": {"1": MAIN, "3": bad}}),
            clock.clone(),
        )
        .await;
        let runs = jobs.run(&push()).await.unwrap();
        let r = &runs[0];
        assert_eq!(r.status, RunStatus::Failed, "{r:?}");
        assert!(
            r.failures.iter().any(|f| f.subject == "mapping"
                && f.reason.contains("location_warehouses.\"3\"")
                && f.reason.contains(bad)
                && f.reason.contains(says)),
            "{r:?}"
        );
        assert_eq!(env.tiktok.state.inventory_update_calls(US_SHOP), 0);
        assert_eq!(qty(&env, TENT, EAST), Some(5), "the seed's, untouched");
    }
}

/// Issue 27, item 5: an unknown shop fails the run with a message.
#[tokio::test]
async fn an_unknown_shop_is_an_error_not_a_healthy_run() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env).await;
    let runs = jobs
        .run(&JobRequest {
            job: "inventory".into(),
            shop: Some("7495999999999999999".into()),
        })
        .await
        .unwrap();
    assert_eq!(runs[0].status, RunStatus::Failed, "{:?}", runs[0]);
    assert!(
        runs[0]
            .failures
            .iter()
            .any(|f| f.reason.contains("unknown shop 7495999999999999999")),
        "{:?}",
        runs[0]
    );
}

/// Issue 27, item 5: a TikTok SKU with no seller SKU (and one matching no
/// NetSuite item) is listed with why, in the run and in the state that
/// `inventory status` prints.
#[tokio::test]
async fn skus_the_push_does_not_manage_are_listed_with_why() {
    let env = local_env(30, 5).await;
    env.tiktok.state.set_allow_zero_quantity(true);
    env.tiktok
        .state
        .upsert_product(simulators::seed::ProductSeed {
            shop_id: US_SHOP.into(),
            id: "1729592969712209901".into(),
            title: "Gift card, no seller SKU".into(),
            status: "ACTIVATE".into(),
            skus: vec![simulators::seed::SkuSeed {
                id: "1729592969712209902".into(),
                seller_sku: String::new(),
                inventory: vec![simulators::seed::SkuStockSeed {
                    warehouse_id: MAIN.into(),
                    quantity: 7,
                }],
            }],
        })
        .unwrap();
    let jobs = jobs(&env).await;
    let runs = jobs.run(&push()).await.unwrap();
    let r = &runs[0];
    // The seed's SKU 1729592969712203002 has no seller SKU either.
    assert_eq!(
        r.counts.get("skus_unmanaged_no_seller_sku"),
        Some(&2),
        "{r:?}"
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.contains("no seller SKU") && f.contains("1729592969712209902")),
        "{r:?}"
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.contains("no_netsuite_item") && f.contains("SLEEP-BAG-LONG")),
        "{r:?}"
    );
    let (st, _) = shared::stock::job::load_state(&jobs.runs, &shared::domain::ShopId::new(US_SHOP))
        .await
        .unwrap();
    assert_eq!(
        st.unmanaged.counts.values().sum::<u64>(),
        r.counts
            .iter()
            .filter(|(k, _)| k.starts_with("skus_unmanaged_"))
            .map(|(_, v)| v)
            .sum::<u64>()
    );
    assert_eq!(
        qty(&env, "1729592969712209902", MAIN),
        Some(7),
        "left alone"
    );
}

/// Issue 27, item 5: units of an order TikTok routed to the east warehouse
/// are taken off the east warehouse only.
#[tokio::test]
async fn units_in_flight_are_taken_off_the_orders_own_warehouse_only() {
    let env = local_env(30, 5).await;
    env.tiktok.state.set_allow_zero_quantity(true);
    env.netsuite
        .state
        .set_stock("101", "3", simulators::netsuite::StockLevel::on_hand(20, 0))
        .unwrap();
    let mut order = env.seed.tiktok.orders[0].order.clone();
    order["id"] = json!("920000000000000028");
    order["update_time"] = json!(now() - 60);
    order["warehouse_id"] = json!(EAST);
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    let jobs = jobs(&env).await;
    let runs = jobs.run(&push()).await.unwrap();
    let r = &runs[0];
    // The order's 2 tents ship from the east: main keeps ⌊42 × 0.9⌋ − 2,
    // east has ⌊(20 − 2) × 0.9⌋ − 2.
    assert_eq!(qty(&env, TENT, MAIN), Some(35), "{r:?}");
    assert_eq!(qty(&env, TENT, EAST), Some(14), "{r:?}");
}
