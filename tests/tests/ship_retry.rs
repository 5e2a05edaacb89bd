//! Issue 19 item 6: the ship calls' "try again later" codes (11006005,
//! 11006026, 21001043, 21001055, 21008300, 21022030, 21001003) are retried,
//! never held for an admin, and the fulfilment reaches TikTok once.

mod common;

use common::*;
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::domain::ShopId;
use shared::store::{JobRun, RunStatus};
use simulators::netsuite::Shipment;
use simulators::tiktok::fulfillment::failures::SHIP_RETRY_CODES;
use simulators::tiktok::fulfillment::MARK_SHIPPED_API;

fn job(name: &str) -> JobRequest {
    JobRequest {
        job: name.into(),
        shop: Some(US_SHOP.into()),
    }
}

fn count(r: &JobRun, k: &str) -> u64 {
    r.counts.get(k).copied().unwrap_or(0)
}

#[tokio::test]
async fn each_try_again_later_code_is_retried_and_the_fulfilment_is_pushed_once() {
    let env = local_env(30, 5).await;
    let mut cfg = env.jobs_config.clone();
    let us = cfg.jobs.mapping.shops.get_mut(US_SHOP).expect("US shop");
    us.tracking =
        Some(serde_json::from_value(json!({"carriers": {"USPS Priority Mail": "USPS"}})).unwrap());
    let jobs = JobsApp::new(cfg, &env.sdk).await.unwrap();

    // The seed's US order under a new id, written to NetSuite, then shipped there.
    let id = "930000000000000919";
    let mut order = seed_us_order(&env);
    order["id"] = json!(id);
    order["update_time"] = json!(now() - 120);
    order["packages"] = json!([{ "id": "830000000000000919" }]);
    for l in order["line_items"].as_array_mut().unwrap() {
        l["package_id"] = json!("830000000000000919");
    }
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    env.jobs.run(&job("sweep")).await.unwrap();
    local_env::runner::drain(&env).await.expect("poll");
    let eid = shared::mapping::external_id("tts", &ShopId::new(US_SHOP), id);
    env.netsuite
        .state
        .ship_sales_order(
            &format!("eid:{eid}"),
            &Shipment {
                lines: vec![],
                tracking_numbers: vec!["9400111899223344550919".into()],
                ship_method: Some("402".into()),
            },
        )
        .expect("ship in NetSuite");

    // An undocumented code is refused by the simulator's control.
    assert!(env.tiktok.state.fail_next_ship_calls(&[21011022]).is_err());
    env.tiktok
        .state
        .fail_next_ship_calls(&SHIP_RETRY_CODES)
        .unwrap();

    let mut runs = Vec::new();
    for _ in 0..=SHIP_RETRY_CODES.len() {
        let r = jobs.run(&job("tracking")).await.unwrap().remove(0);
        let pushed = count(&r, "pushed");
        runs.push(r);
        if pushed == 1 {
            break;
        }
    }
    let last = runs.last().unwrap();
    assert_eq!(
        count(last, "pushed"),
        1,
        "pushed after the retries: {runs:#?}"
    );
    assert_eq!(
        runs.len(),
        SHIP_RETRY_CODES.len() + 1,
        "one refusal per run, then the push"
    );
    for r in &runs[..runs.len() - 1] {
        assert_eq!(count(r, "held"), 0, "a try-again code is never held: {r:?}");
        assert!(
            r.failures.iter().all(|f| f.fix.contains("retries")),
            "{r:?}"
        );
        assert_ne!(r.status, RunStatus::Failed, "{r:?}");
    }
    assert_eq!(env.tiktok.state.pending_ship_failures(), 0);
    assert_eq!(
        env.tiktok.state.shipments(US_SHOP, id).len(),
        1,
        "shipped once"
    );
    assert_eq!(
        env.tiktok
            .state
            .fulfillment_calls(US_SHOP, MARK_SHIPPED_API),
        SHIP_RETRY_CODES.len() as u64 + 1
    );
}
