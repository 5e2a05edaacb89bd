//! The tracking push against moto and both simulators: a Sales Order the
//! writer created is shipped in NetSuite (an Item Fulfillment, status C,
//! with tracking and a ship method) and its tracking reaches TikTok once,
//! with the mapped carrier and exactly the fulfilled units.

mod common;

use common::*;
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::domain::{OrderId, ShopId};
use shared::store::{JobRun, OrderLog, RunStatus};
use shared::tracking::state::{load_open, OpenKind};
use simulators::netsuite::{ShipLine, Shipment};
use simulators::tiktok::fulfillment::MARK_SHIPPED_API;

const USPS: &str = "7117858858072016686";
const UPS: &str = "7117859084421600001";
/// Seed ship items: 401 UPS Ground, 402 USPS Priority Mail.
const UPS_GROUND: &str = "401";
const USPS_PRIORITY: &str = "402";
const TENT_1: &str = "577086512123755101";
const TENT_2: &str = "577086512123755102";
const HEADLAMP: &str = "577086512123755103";

/// The US shop's jobs with `carriers` as its carrier table.
async fn jobs(env: &local_env::LocalEnv, carriers: serde_json::Value) -> JobsApp {
    let mut cfg = env.jobs_config.clone();
    let us = cfg.jobs.mapping.shops.get_mut(US_SHOP).expect("US shop");
    us.tracking = Some(serde_json::from_value(json!({ "carriers": carriers })).unwrap());
    JobsApp::new(cfg, &env.sdk).await.unwrap()
}

fn job(name: &str) -> JobRequest {
    JobRequest {
        job: name.into(),
        shop: Some(US_SHOP.into()),
    }
}

async fn run(jobs: &JobsApp) -> JobRun {
    let mut runs = jobs.run(&job("tracking")).await.unwrap();
    runs.remove(0)
}

fn count(r: &JobRun, k: &str) -> u64 {
    r.counts.get(k).copied().unwrap_or(0)
}

/// The seed's US order (two tents, one headlamp) under `id`, with
/// `fulfillment_type`, written to NetSuite by the sweep and the writer.
async fn sold(env: &local_env::LocalEnv, id: &str, fulfillment_type: &str) {
    sold_shipped_by(env, id, fulfillment_type, None).await
}

async fn sold_shipped_by(
    env: &local_env::LocalEnv,
    id: &str,
    fulfillment_type: &str,
    shipping_type: Option<&str>,
) {
    let mut order = seed_us_order(env);
    order["id"] = json!(id);
    if let Some(st) = shipping_type {
        order["shipping_type"] = json!(st);
    }
    order["update_time"] = json!(now() - 120);
    order["fulfillment_type"] = json!(fulfillment_type);
    // Its own package (TikTok's package ids are unique).
    let package = format!("8{}", &id[1..]);
    order["packages"] = json!([{ "id": package }]);
    for l in order["line_items"].as_array_mut().unwrap() {
        l["package_id"] = json!(package);
    }
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    let sweep = env.jobs.run(&job("sweep")).await.unwrap();
    assert_eq!(sweep[0].status, RunStatus::Succeeded, "{:?}", sweep[0]);
    drain(env).await;
    assert!(
        sales_order(env, id).is_some(),
        "Sales Order of {id} written"
    );
}

async fn drain(env: &local_env::LocalEnv) {
    local_env::runner::drain(env).await.expect("poll");
}

fn external_id(order: &str) -> String {
    shared::mapping::external_id("tts", &ShopId::new(US_SHOP), order)
}

fn sales_order(env: &local_env::LocalEnv, order: &str) -> Option<serde_json::Value> {
    env.netsuite
        .state
        .records("salesOrder")
        .into_iter()
        .find(|r| r["externalId"] == json!(external_id(order)))
}

/// The Sales Order line of `item` (seed: 101 tent, 103 headlamp).
fn line_of(env: &local_env::LocalEnv, order: &str, item: &str) -> u64 {
    let so = sales_order(env, order).expect("sales order");
    so["item"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"]["id"] == json!(item))
        .and_then(|l| l["line"].as_u64())
        .unwrap_or_else(|| panic!("no line of item {item}: {so}"))
}

fn ship(
    env: &local_env::LocalEnv,
    order: &str,
    lines: Vec<ShipLine>,
    tracking: &str,
    method: &str,
) {
    env.netsuite
        .state
        .ship_sales_order(
            &format!("eid:{}", external_id(order)),
            &Shipment {
                lines,
                tracking_numbers: vec![tracking.into()],
                ship_method: Some(method.into()),
            },
        )
        .expect("ship in NetSuite");
}

fn mark_calls(env: &local_env::LocalEnv) -> u64 {
    env.tiktok
        .state
        .fulfillment_calls(US_SHOP, MARK_SHIPPED_API)
}

#[tokio::test]
async fn a_shipped_fulfilment_reaches_tiktok_once_with_its_carrier_and_units() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"USPS Priority Mail": "USPS"})).await;
    let id = "930000000000000001";
    sold(&env, id, "FULFILLMENT_BY_SELLER").await;
    ship(&env, id, vec![], "9400111899223344556677", USPS_PRIORITY);

    let r = run(&jobs).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(count(&r, "pushed"), 1, "{r:?}");
    let shipped = env.tiktok.state.shipments(US_SHOP, id);
    assert_eq!(shipped.len(), 1, "{shipped:?}");
    let s = &shipped[0];
    assert_eq!(s.tracking_number, "9400111899223344556677");
    assert_eq!(s.shipping_provider_id, USPS);
    let mut units = s.line_item_ids.clone();
    units.sort();
    assert_eq!(units, vec![TENT_1, TENT_2, HEADLAMP]);
    assert_eq!(mark_calls(&env), 1);

    // A second run reads the fulfilment again (the overlap) and sends nothing.
    let again = run(&jobs).await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:?}");
    assert_eq!(count(&again, "pushed"), 0, "{again:?}");
    assert_eq!(mark_calls(&env), 1, "nothing sent twice");

    // The order log says shipped, with the tracking and the carrier.
    let entry = jobs
        .log
        .get(&ShopId::new(US_SHOP), &OrderId::new(id))
        .await
        .unwrap()
        .expect("order log entry");
    assert_eq!(entry.shipments.len(), 1, "{entry:?}");
    assert_eq!(entry.shipments[0].tracking_number, "9400111899223344556677");
    assert_eq!(entry.shipments[0].shipping_provider_id.as_str(), USPS);
    assert_eq!(entry.shipments[0].units.len(), 3);
    // Still found through the console's indexes after the shipment was
    // added (the write keeps the item's index attributes).
    let filter = shared::store::LogFilter {
        shop_id: Some(ShopId::new(US_SHOP)),
        sync_status: Some(entry.sync_status.clone()),
        ..Default::default()
    };
    let page = jobs.log.page(&filter, None, 100).await.unwrap();
    assert!(
        page.entries.iter().any(|e| e.order_id.as_str() == id),
        "a shipped order is in its status index"
    );
}

#[tokio::test]
async fn a_partial_shipment_sends_only_its_units_and_the_rest_follows() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"USPS Priority Mail": "USPS"})).await;
    let id = "930000000000000002";
    sold(&env, id, "FULFILLMENT_BY_SELLER").await;
    let tent = line_of(&env, id, "101");
    let lamp = line_of(&env, id, "103");
    ship(
        &env,
        id,
        vec![ShipLine {
            order_line: tent,
            quantity: 1,
        }],
        "9400000000000000000001",
        USPS_PRIORITY,
    );
    let r = run(&jobs).await;
    assert_eq!(count(&r, "pushed"), 1, "{r:?}");
    let shipped = env.tiktok.state.shipments(US_SHOP, id);
    assert_eq!(shipped.len(), 1);
    assert_eq!(shipped[0].line_item_ids, vec![TENT_1], "one tent only");

    // The second box: the other tent and the headlamp, another tracking.
    ship(
        &env,
        id,
        vec![
            ShipLine {
                order_line: tent,
                quantity: 1,
            },
            ShipLine {
                order_line: lamp,
                quantity: 1,
            },
        ],
        "9400000000000000000002",
        USPS_PRIORITY,
    );
    let r = run(&jobs).await;
    assert_eq!(count(&r, "pushed"), 1, "{r:?}");
    let mut shipped = env.tiktok.state.shipments(US_SHOP, id);
    shipped.sort_by(|a, b| a.tracking_number.cmp(&b.tracking_number));
    assert_eq!(shipped.len(), 2, "{shipped:?}");
    let mut second = shipped[1].line_item_ids.clone();
    second.sort();
    assert_eq!(second, vec![TENT_2, HEADLAMP]);
    assert_eq!(shipped[1].tracking_number, "9400000000000000000002");
    assert_eq!(mark_calls(&env), 2);
}

#[tokio::test]
async fn tracking_tiktok_already_holds_is_success_and_nothing_is_sent() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"USPS Priority Mail": "USPS"})).await;
    let id = "930000000000000003";
    sold(&env, id, "FULFILLMENT_BY_SELLER").await;
    // Someone shipped it in TikTok with the same tracking (or an earlier
    // push's record was lost).
    let call = shared::tiktok::fulfillment::ShipCall::MarkShipped(
        shared::tiktok::fulfillment::MarkShippedRequest {
            order_id: OrderId::new(id),
            order_line_item_ids: [TENT_1, TENT_2, HEADLAMP]
                .iter()
                .map(|u| shared::domain::OrderLineItemId::new(*u))
                .collect(),
            tracking_number: "9400999".into(),
            shipping_provider_id: shared::domain::ShippingProviderId::new(USPS),
        },
    );
    jobs.shops
        .push_shipment(&ShopId::new(US_SHOP), &call)
        .await
        .unwrap();
    // The same call again: TikTok answers "already shipped", which the
    // client checks against the order: same tracking, so success.
    let again = jobs
        .shops
        .push_shipment(&ShopId::new(US_SHOP), &call)
        .await
        .unwrap();
    assert!(
        matches!(
            again,
            shared::tiktok::fulfillment::PushOutcome::AlreadyShippedSameTracking { .. }
        ),
        "{again:?}"
    );
    let before = mark_calls(&env);
    ship(&env, id, vec![], "9400999", USPS_PRIORITY);
    let r = run(&jobs).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(count(&r, "already_pushed"), 1, "{r:?}");
    assert_eq!(mark_calls(&env), before, "nothing sent");
    assert_eq!(env.tiktok.state.shipments(US_SHOP, id).len(), 1);
    // Recorded: the next run does not even read the order.
    let next = run(&jobs).await;
    assert_eq!(count(&next, "already_pushed"), 1, "{next:?}");
    assert!(next.failures.is_empty(), "{next:?}");
}

#[tokio::test]
async fn an_unmapped_carrier_waits_with_its_fix_and_is_pushed_once_mapped() {
    let env = local_env(30, 5).await;
    let unmapped = jobs(&env, json!({"USPS Priority Mail": "USPS"})).await;
    let id = "930000000000000004";
    sold(&env, id, "FULFILLMENT_BY_SELLER").await;
    ship(&env, id, vec![], "1Z999AA10123456784", UPS_GROUND);

    let r = run(&unmapped).await;
    assert_eq!(r.status, RunStatus::Partial, "{r:?}");
    assert_eq!(count(&r, "waiting"), 1, "{r:?}");
    let f = r
        .failures
        .iter()
        .find(|f| f.subject.starts_with("fulfilment"))
        .expect("the wait is in the run log");
    assert!(f.reason.contains("needs carrier mapping"), "{f:?}");
    assert!(
        f.fix
            .contains("Add ship method 'UPS Ground' to the shop's carrier table")
            && f.fix.contains("UPS"),
        "{f:?}"
    );
    assert_eq!(mark_calls(&env), 0, "never guessed");
    let open = load_open(&unmapped.runs, &ShopId::new(US_SHOP))
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].kind, OpenKind::Waiting);

    // The next run, still unmapped: counted, nothing called.
    let still = run(&unmapped).await;
    assert_eq!(count(&still, "waiting"), 1, "{still:?}");
    assert_eq!(mark_calls(&env), 0);

    // The digest lists it with its fix.
    let digest = unmapped.run(&job("digest")).await.unwrap();
    assert_eq!(count(&digest[0], "fulfilments_open"), 1, "{:?}", digest[0]);

    // The mapping is added: the next run pushes it with UPS.
    let mapped = jobs(
        &env,
        json!({"USPS Priority Mail": "USPS", "UPS Ground": "UPS"}),
    )
    .await;
    let r = run(&mapped).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(count(&r, "pushed"), 1, "{r:?}");
    let shipped = env.tiktok.state.shipments(US_SHOP, id);
    assert_eq!(shipped.len(), 1);
    assert_eq!(shipped[0].shipping_provider_id, UPS);
    assert!(load_open(&mapped.runs, &ShopId::new(US_SHOP))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_tiktok_fulfilled_order_is_skipped() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"USPS Priority Mail": "USPS"})).await;
    let id = "930000000000000005";
    sold(&env, id, "FULFILLMENT_BY_TIKTOK").await;
    ship(&env, id, vec![], "9400555", USPS_PRIORITY);
    let r = run(&jobs).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(count(&r, "skipped_fulfilled_by_tiktok"), 1, "{r:?}");
    assert_eq!(mark_calls(&env), 0);
    assert!(env.tiktok.state.shipments(US_SHOP, id).is_empty());
}

#[tokio::test]
async fn a_tiktok_shipping_order_goes_to_the_label_flow_not_skipped_as_fbt() {
    // `shipping_type` TIKTOK: the seller ships on TikTok's label
    // (tiktok-shipping.md §1a). Not TikTok-fulfilled, and never MPAS'd.
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"USPS Priority Mail": "USPS"})).await;
    let id = "930000000000000015";
    sold_shipped_by(&env, id, "FULFILLMENT_BY_SELLER", Some("TIKTOK")).await;
    ship(&env, id, vec![], "9400555", USPS_PRIORITY);
    let r = run(&jobs).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(count(&r, "skipped_fulfilled_by_tiktok"), 0, "{r:?}");
    assert_eq!(count(&r, "tiktok_shipping_label_flow"), 1, "{r:?}");
    assert_eq!(mark_calls(&env), 0);
}

#[tokio::test]
async fn a_changed_tracking_number_is_corrected_once_and_then_held() {
    use simulators::tiktok::fulfillment::UPDATE_PACKAGE_SHIPPING_API;
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"USPS Priority Mail": "USPS"})).await;
    let id = "930000000000000006";
    sold(&env, id, "FULFILLMENT_BY_SELLER").await;
    let fulfilment = env
        .netsuite
        .state
        .ship_sales_order(
            &format!("eid:{}", external_id(id)),
            &Shipment {
                lines: vec![],
                tracking_numbers: vec!["9400000000000000000011".into()],
                ship_method: Some(USPS_PRIORITY.into()),
            },
        )
        .expect("ship");
    assert_eq!(count(&run(&jobs).await, "pushed"), 1);

    // The warehouse fixes a typo in the tracking number in NetSuite.
    let retype = |tracking: &'static str| {
        let rec = env
            .netsuite
            .state
            .record("itemFulfillment", &fulfilment)
            .expect("fulfilment");
        let line = rec["package"]["items"][0]["line"].clone();
        let netsuite = jobs.netsuite.as_ref().expect("NetSuite client");
        let body =
            json!({"package": {"items": [{"line": line, "packageTrackingNumber": tracking}]}});
        let fulfilment = fulfilment.clone();
        async move {
            netsuite
                .patch("itemFulfillment", &fulfilment, &body)
                .await
                .expect("patch");
        }
    };
    retype("9400000000000000000022").await;
    let r = run(&jobs).await;
    assert_eq!(count(&r, "corrected"), 1, "{r:?}");
    let shipped = env.tiktok.state.shipments(US_SHOP, id);
    assert_eq!(shipped.len(), 1);
    assert_eq!(shipped[0].tracking_number, "9400000000000000000022");
    assert_eq!(shipped[0].updates, 1);
    let updates = env
        .tiktok
        .state
        .fulfillment_calls(US_SHOP, UPDATE_PACKAGE_SHIPPING_API);
    assert_eq!(updates, 1);
    let entry = jobs
        .log
        .get(&ShopId::new(US_SHOP), &OrderId::new(id))
        .await
        .unwrap()
        .unwrap();
    assert!(entry.shipments[0].corrected, "{entry:?}");

    // A second change: TikTok allows one correction, so it is reported with
    // its fix and not sent; the next run does not try again.
    retype("9400000000000000000033").await;
    let r = run(&jobs).await;
    assert_eq!(count(&r, "failed"), 1, "{r:?}");
    assert!(
        r.failures
            .iter()
            .any(|f| f.fix.contains("one tracking correction")),
        "{r:?}"
    );
    let r = run(&jobs).await;
    assert_eq!(count(&r, "held"), 1, "{r:?}");
    assert_eq!(
        env.tiktok
            .state
            .fulfillment_calls(US_SHOP, UPDATE_PACKAGE_SHIPPING_API),
        updates,
        "never sent"
    );
}
