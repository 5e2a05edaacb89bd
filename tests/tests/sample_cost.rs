//! A sample's cost moved to marketing (issue 26, `order_types.sample.cost_account`),
//! end to end over moto and both simulators: the sweep and the writer put a
//! $0 sample Sales Order into NetSuite, NetSuite fulfils it (an Item
//! Fulfillment posting COGS at the items' cost), and the tracking job posts
//! one Journal Entry per fulfilment moving exactly that COGS to the
//! marketing account: once, however often it runs, never for a sample of a
//! shop without a cost account nor for an ordinary order, and only once
//! NetSuite has posted the cost.

mod common;

use common::*;

use serde_json::{json, Value};
use shared::app::{JobRequest, JobsApp};
use shared::domain::{Money, ShopId};
use shared::store::{JobRun, RunStatus};
use simulators::netsuite::Shipment;

/// Seed accounts: 160 Cost of Goods Sold, 162 Marketing - Creator Samples.
const COGS: &str = "160";
const MARKETING: &str = "162";

/// The US shop's jobs, its samples' cost routed by `sample` (the
/// `order_types.sample` entry).
async fn jobs(env: &local_env::LocalEnv, sample: Value) -> JobsApp {
    let mut cfg = env.jobs_config.clone();
    let us = cfg.jobs.mapping.shops.get_mut(US_SHOP).expect("US shop");
    us.tracking =
        Some(serde_json::from_value(json!({"carriers": {"USPS Priority Mail": "USPS"}})).unwrap());
    us.order_types.sample = serde_json::from_value(sample).unwrap();
    JobsApp::new(cfg, &env.sdk).await.unwrap()
}

async fn run(jobs: &JobsApp) -> JobRun {
    let mut runs = jobs
        .run(&JobRequest {
            job: "tracking".into(),
            shop: Some(US_SHOP.into()),
        })
        .await
        .unwrap();
    let r = runs.remove(0);
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    r
}

fn count(r: &JobRun, k: &str) -> u64 {
    r.counts.get(k).copied().unwrap_or(0)
}

fn external_id(order: &str) -> String {
    shared::mapping::external_id("tts", &ShopId::new(US_SHOP), order)
}

/// The seed's US order (two tents, one headlamp) under `id`, as a sample
/// when `sample` (every line free, its value in `gift_retail_price`),
/// written to NetSuite by the sweep and the writer.
async fn written(env: &local_env::LocalEnv, id: &str, sample: bool) {
    let mut order = seed_us_order(env);
    order["id"] = json!(id);
    order["update_time"] = json!(now() - 120);
    let package = format!("8{}", &id[1..]);
    order["packages"] = json!([{ "id": package }]);
    for (i, l) in order["line_items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        l["id"] = json!(format!("{id}{i}"));
        l["package_id"] = json!(package);
        if sample {
            l["gift_retail_price"] = l["original_price"].clone();
            l["seller_discount"] = l["original_price"].clone();
            l["platform_discount"] = json!("0.00");
            l["sale_price"] = json!("0.00");
            l["item_tax"] = json!([]);
        }
    }
    if sample {
        order["is_sample_order"] = json!(true);
        order["payment"] = json!({"currency": "USD", "original_total_product_price": "284.48",
            "seller_discount": "284.48", "platform_discount": "0.00", "sub_total": "0.00",
            "shipping_fee": "0.00", "tax": "0.00", "total_amount": "0.00"});
    }
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    let sweep = env
        .jobs
        .run(&JobRequest {
            job: "sweep".into(),
            shop: Some(US_SHOP.into()),
        })
        .await
        .unwrap();
    assert_eq!(sweep[0].status, RunStatus::Succeeded, "{:?}", sweep[0]);
    local_env::runner::drain(env).await.expect("poll");
    let so = sales_order(env, id).unwrap_or_else(|| panic!("Sales Order of {id} written"));
    if sample {
        assert_eq!(so["total"], json!(0), "a $0 sample: {so}");
    }
}

fn sales_order(env: &local_env::LocalEnv, order: &str) -> Option<Value> {
    env.netsuite
        .state
        .records("salesOrder")
        .into_iter()
        .find(|r| r["externalId"] == json!(external_id(order)))
}

/// Ships every line in NetSuite; the Item Fulfillment's internal id.
fn ship(env: &local_env::LocalEnv, order: &str, tracking: &str) -> String {
    env.netsuite
        .state
        .ship_sales_order(
            &format!("eid:{}", external_id(order)),
            &Shipment {
                lines: vec![],
                tracking_numbers: vec![tracking.into()],
                ship_method: Some("402".into()),
            },
        )
        .expect("ship in NetSuite")
}

fn journals(env: &local_env::LocalEnv) -> Vec<Value> {
    env.netsuite
        .state
        .records("journalEntry")
        .into_iter()
        .filter(|j| {
            j["externalId"]
                .as_str()
                .is_some_and(|e| e.starts_with("tts-sample-cost-"))
        })
        .collect()
}

fn money(v: &Value) -> Money {
    match v {
        Value::String(s) => s.parse().unwrap(),
        v => v.to_string().parse().unwrap(),
    }
}

#[tokio::test]
async fn a_fulfilled_sample_moves_its_posted_cogs_to_marketing_once() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"cost_account": MARKETING, "department": "2"})).await;
    let sample = "940000000000000001";
    let sale = "940000000000000002";
    written(&env, sample, true).await;
    written(&env, sale, false).await;
    let sample_if = ship(&env, sample, "9400111899220000000001");
    ship(&env, sale, "9400111899220000000002");

    let r = run(&jobs).await;
    assert_eq!(count(&r, "sample_cost_journals"), 1, "{r:?}");
    let j = journals(&env);
    assert_eq!(
        j.len(),
        1,
        "one journal, none for the ordinary order: {j:?}"
    );
    let j = &j[0];
    assert_eq!(
        j["externalId"],
        json!(format!("tts-sample-cost-{sample_if}"))
    );
    let memo = j["memo"].as_str().unwrap();
    assert!(memo.contains(sample) && memo.contains(&sample_if), "{memo}");
    // The fulfilment's COGS as NetSuite posted it: 2 tents × 41.20 + 1
    // headlamp × 6.10 (seed costs), not the items' prices.
    let lines = j["line"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let debit = lines.iter().find(|l| l.get("debit").is_some()).unwrap();
    let credit = lines.iter().find(|l| l.get("credit").is_some()).unwrap();
    assert_eq!(debit["account"]["id"], MARKETING);
    assert_eq!(credit["account"]["id"], COGS);
    assert_eq!(money(&debit["debit"]), "88.50".parse::<Money>().unwrap());
    assert_eq!(money(&credit["credit"]), "88.50".parse::<Money>().unwrap());
    assert_eq!(debit["department"]["id"], "2", "the sample's department");

    // Run again (the overlap reads the fulfilment again): still one.
    let again = run(&jobs).await;
    assert_eq!(count(&again, "sample_cost_journals"), 0, "{again:?}");
    assert_eq!(journals(&env).len(), 1);
}

#[tokio::test]
async fn a_sample_waits_until_netsuite_posts_its_cost_then_gets_its_journal() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({"cost_account": MARKETING})).await;
    let sample = "940000000000000003";
    written(&env, sample, true).await;
    env.netsuite.state.set_costing_deferred(true);
    let sample_if = ship(&env, sample, "9400111899220000000003");

    let r = run(&jobs).await;
    assert_eq!(count(&r, "sample_cost_waiting"), 1, "{r:?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.contains(&sample_if) && f.contains("not posted")),
        "the run says why: {:?}",
        r.findings
    );
    assert!(journals(&env).is_empty(), "no estimate is posted");

    // NetSuite costs it; the next run posts it (from the job state, even
    // once the fulfilment is past the watermark's overlap).
    env.netsuite.state.set_costing_deferred(false);
    let r = run(&jobs).await;
    assert_eq!(count(&r, "sample_cost_journals"), 1, "{r:?}");
    assert_eq!(journals(&env).len(), 1);
    let r = run(&jobs).await;
    assert_eq!(
        count(&r, "sample_cost_journals") + count(&r, "sample_cost_waiting"),
        0,
        "{r:?}"
    );
}

#[tokio::test]
async fn a_sample_of_a_shop_without_a_cost_account_gets_no_journal() {
    let env = local_env(30, 5).await;
    let jobs = jobs(&env, json!({})).await;
    let sample = "940000000000000004";
    written(&env, sample, true).await;
    ship(&env, sample, "9400111899220000000004");
    let r = run(&jobs).await;
    assert_eq!(
        count(&r, "pushed"),
        1,
        "its tracking still reaches TikTok: {r:?}"
    );
    assert!(journals(&env).is_empty());
}
