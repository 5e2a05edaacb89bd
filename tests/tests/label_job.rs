//! The label job driven from NetSuite (issue 27 item 3), against moto and
//! both simulators: a TikTok Shipping order written by the writer, packed
//! in NetSuite (Item Fulfillment `shipStatus` B with the weight and size),
//! gets exactly one TikTok label even when the purchase's answer is lost;
//! TikTok's tracking and carrier land on the Item Fulfillment (one package
//! line, whatever the number of runs) and the label PDF is in the File
//! Cabinet, attached to it. A missing weight reaches the order log with
//! its fix, and nothing is bought.

mod common;

use common::*;
use serde_json::{json, Value};
use shared::app::JobRequest;
use shared::domain::{OrderId, ShopId};
use shared::store::{JobRun, OrderLog, RunStatus};
use simulators::netsuite::Packing;
use simulators::tiktok::fulfillment::labels::CREATE_PACKAGES_API;

fn job(name: &str) -> JobRequest {
    JobRequest {
        job: name.into(),
        shop: Some(US_SHOP.into()),
    }
}

async fn labels(env: &local_env::LocalEnv) -> JobRun {
    let mut runs = env.jobs.run(&job("labels")).await.expect("labels job");
    runs.remove(0)
}

fn count(r: &JobRun, k: &str) -> u64 {
    r.counts.get(k).copied().unwrap_or(0)
}

fn external_id(order: &str) -> String {
    shared::mapping::external_id("tts", &ShopId::new(US_SHOP), order)
}

/// The seed's US order under `id` as a TikTok Shipping order awaiting
/// shipment (US: no package until the label is bought), written to
/// NetSuite by the sweep and the writer.
async fn sold_tiktok_shipping(env: &local_env::LocalEnv, id: &str) {
    let mut order = seed_us_order(env);
    order["id"] = json!(id);
    order["shipping_type"] = json!("TIKTOK");
    order["fulfillment_type"] = json!("FULFILLMENT_BY_SELLER");
    order["status"] = json!("AWAITING_SHIPMENT");
    order["update_time"] = json!(now() - 120);
    order["packages"] = json!([]);
    for l in order["line_items"].as_array_mut().unwrap() {
        let m = l.as_object_mut().unwrap();
        for k in ["package_id", "package_status", "tracking_number"] {
            m.remove(k);
        }
    }
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    let sweep = env.jobs.run(&job("sweep")).await.unwrap();
    assert_eq!(sweep[0].status, RunStatus::Succeeded, "{:?}", sweep[0]);
    local_env::runner::drain(env).await.expect("poll");
}

/// The warehouse packs the whole order: weight on the package line, size
/// on the custom fields.
fn packing() -> Packing {
    Packing {
        lines: vec![],
        weight: Some("2.5".into()),
        weight_unit: Some("lb".into()),
        length: Some("12".into()),
        width: Some("9".into()),
        height: Some("4".into()),
        size_unit: Some("in".into()),
    }
}

fn pack(env: &local_env::LocalEnv, order: &str, p: &Packing) -> String {
    env.netsuite
        .state
        .pack_sales_order(&format!("eid:{}", external_id(order)), p)
        .expect("pack in NetSuite")
}

fn fulfilment(env: &local_env::LocalEnv, id: &str) -> Value {
    env.netsuite
        .state
        .record("itemFulfillment", id)
        .expect("item fulfillment")
}

fn packages(f: &Value) -> Vec<Value> {
    f["package"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn purchases(env: &local_env::LocalEnv) -> u64 {
    env.tiktok
        .state
        .fulfillment_calls(US_SHOP, CREATE_PACKAGES_API)
}

#[tokio::test]
async fn a_packed_fulfilment_gets_one_label_with_tracking_carrier_and_pdf_even_when_the_purchase_answer_is_lost(
) {
    let env = local_env(30, 5).await;
    let id = "941000000000000001";
    sold_tiktok_shipping(&env, id).await;
    let if_id = pack(&env, id, &packing());
    // TikTok commits the purchase; the answer never arrives.
    env.tiktok.state.drop_next_label_purchases(1);

    let r = labels(&env).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(count(&r, "labelled"), 1, "{r:?}");
    assert_eq!(purchases(&env), 1, "exactly one label bought");

    // TikTok's package and tracking.
    let order = env.tiktok.state.orders_json(US_SHOP, id).expect("order");
    let tiktok_packages = order["packages"].as_array().unwrap().clone();
    assert_eq!(tiktok_packages.len(), 1, "{tiktok_packages:?}");
    let package_id = tiktok_packages[0]["id"].as_str().unwrap().to_string();
    let tracking = order["line_items"][0]["tracking_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!tracking.is_empty());

    // On the Item Fulfillment: one package line with TikTok's tracking (the
    // weight kept), the carrier and the package id.
    let f = fulfilment(&env, &if_id);
    let lines = packages(&f);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["packageTrackingNumber"], json!(tracking));
    assert_eq!(lines[0]["packageWeight"], json!("2.5"));
    assert_eq!(f["custbody_tts_carrier"], json!("USPS"), "{f}");
    assert_eq!(f["custbody_tts_package_id"], json!(package_id));
    assert_eq!(
        f["shipStatus"]["id"],
        json!("B"),
        "still packed: the warehouse ships"
    );

    // The label PDF in the File Cabinet, attached to the fulfilment.
    let files = env.netsuite.state.attached_files("itemFulfillment", &if_id);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].content.starts_with(b"%PDF"));
    assert_eq!(files[0].folder, simulators::netsuite::LABEL_FOLDER_ID);

    // A second run changes nothing: no purchase, no second line, no second file.
    let again = labels(&env).await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:?}");
    assert_eq!(count(&again, "already_labelled"), 1, "{again:?}");
    assert_eq!(purchases(&env), 1);
    assert_eq!(packages(&fulfilment(&env, &if_id)).len(), 1);
    assert_eq!(env.netsuite.state.files().len(), 1);

    // The order log says so.
    let entry = env
        .jobs
        .log
        .get(&ShopId::new(US_SHOP), &OrderId::new(id))
        .await
        .unwrap()
        .expect("order log entry");
    let history = format!("{:?}", entry);
    assert!(history.contains(&tracking), "{history}");
}

#[tokio::test]
async fn a_missing_weight_reaches_the_order_log_with_its_fix_and_nothing_is_bought() {
    let env = local_env(30, 5).await;
    let id = "941000000000000002";
    sold_tiktok_shipping(&env, id).await;
    let if_id = pack(
        &env,
        id,
        &Packing {
            weight: None,
            ..packing()
        },
    );
    let r = labels(&env).await;
    assert_eq!(r.status, RunStatus::Partial, "the refusal is listed: {r:?}");
    assert_eq!(count(&r, "refused"), 1, "{r:?}");
    assert_eq!(purchases(&env), 0);
    assert!(packages(&fulfilment(&env, &if_id)).is_empty());
    assert!(env.netsuite.state.files().is_empty());
    let entry = env
        .jobs
        .log
        .get(&ShopId::new(US_SHOP), &OrderId::new(id))
        .await
        .unwrap()
        .expect("order log entry");
    let history = format!("{:?}", entry);
    assert!(
        history.contains("Enter the package's weight"),
        "the fix is on the order log: {history}"
    );
    assert!(
        r.failures.iter().any(|f| f.fix.contains("Package weight")),
        "{r:?}"
    );
}

/// UK: the package exists from payment; the job schedules the handover
/// (Ship Package) instead of buying, then fetches the document the same
/// way: TikTok's tracking and carrier (Evri) and the PDF on the Item
/// Fulfillment, once.
#[tokio::test]
async fn a_uk_packed_fulfilment_is_handed_over_with_ship_package_and_gets_tiktoks_label() {
    let env = local_env(30, 5).await;
    let mut cfg = env.jobs_config.clone();
    cfg.jobs
        .mapping
        .shops
        .get_mut(GB_SHOP)
        .expect("GB shop")
        .labels = Some(shared::mapping::config::LabelsConfig {
        folder_id: simulators::netsuite::LABEL_FOLDER_ID.into(),
    });
    let jobs = shared::app::JobsApp::new(cfg, &env.sdk).await.unwrap();
    let id = "578903215467812399";
    let package = "1153132168123859399";
    let mut order = env
        .seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.shop_id == GB_SHOP && o.order["id"] == "578903215467812302")
        .expect("GB template")
        .order
        .clone();
    order["id"] = json!(id);
    order["shipping_type"] = json!("TIKTOK");
    order["update_time"] = json!(now() - 120);
    order["packages"] = json!([{ "id": package }]);
    for l in order["line_items"].as_array_mut().unwrap() {
        l["package_id"] = json!(package);
    }
    env.tiktok.state.upsert_order(GB_SHOP, order).unwrap();
    let gb = |name: &str| JobRequest {
        job: name.into(),
        shop: Some(GB_SHOP.into()),
    };
    let sweep = env.jobs.run(&gb("sweep")).await.unwrap();
    assert_eq!(sweep[0].status, RunStatus::Succeeded, "{:?}", sweep[0]);
    local_env::runner::drain(&env).await.expect("poll");
    let eid = shared::mapping::external_id("tts", &ShopId::new(GB_SHOP), id);
    let if_id = env
        .netsuite
        .state
        .pack_sales_order(&format!("eid:{eid}"), &Packing::default())
        .expect("pack");

    let r = jobs.run(&gb("labels")).await.unwrap().remove(0);
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(count(&r, "labelled"), 1, "{r:?}");
    let ships = env
        .tiktok
        .state
        .fulfillment_calls(GB_SHOP, simulators::tiktok::fulfillment::SHIP_PACKAGE_API);
    assert_eq!(ships, 1, "one handover");
    assert_eq!(
        env.tiktok
            .state
            .fulfillment_calls(GB_SHOP, CREATE_PACKAGES_API),
        0
    );
    let f = fulfilment(&env, &if_id);
    let lines = packages(&f);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let tracking = lines[0]["packageTrackingNumber"].as_str().unwrap();
    assert!(
        tracking.starts_with("TT") && tracking.ends_with("GB"),
        "{tracking}"
    );
    assert_eq!(f["custbody_tts_carrier"], json!("Evri"));
    assert_eq!(f["custbody_tts_package_id"], json!(package));
    let files = env.netsuite.state.attached_files("itemFulfillment", &if_id);
    assert_eq!(files.len(), 1);

    let again = jobs.run(&gb("labels")).await.unwrap().remove(0);
    assert_eq!(count(&again, "already_labelled"), 1, "{again:?}");
    assert_eq!(
        env.tiktok
            .state
            .fulfillment_calls(GB_SHOP, simulators::tiktok::fulfillment::SHIP_PACKAGE_API),
        1
    );
}
