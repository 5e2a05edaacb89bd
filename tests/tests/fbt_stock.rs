//! The daily Fulfilled-by-TikTok stock check (issue 27) against moto and
//! both simulators: TikTok's FBT stock (Search FBT Inventory) against
//! NetSuite's FBT location; a difference reaches the drift digest, and a
//! shop without the `seller.fbt.info` scope gets a doctor finding while the
//! inventory job still succeeds.

mod common;

use common::*;
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::doctor::Status;
use shared::store::RunStatus;

const MAIN: &str = "7068517275539719942";
const EAST: &str = "7068517275539719943";
const FBT_EASTVALE: &str = "7310000000000000001";
const TENT: &str = "1729592969712203001";

/// The US shop pushes locations 1 and 3 and chooses FBT as a Sales Order
/// at location 5 ("TikTok FBT (US)", which the NetSuite seed stocks with
/// the tent 12 and the headlamp 30, as TikTok's FBT seed does).
async fn jobs(env: &local_env::LocalEnv) -> JobsApp {
    let mut cfg = env.jobs_config.clone();
    let us = cfg.jobs.mapping.shops.get_mut(US_SHOP).expect("US shop");
    us.inventory = Some(
        serde_json::from_value(json!({"location_warehouses": {"1": MAIN, "3": EAST}})).unwrap(),
    );
    us.fbt = Some(serde_json::from_value(json!({"mode": "sales_order", "location": "5"})).unwrap());
    JobsApp::new(cfg, &env.sdk).await.unwrap()
}

fn job(name: &str) -> JobRequest {
    JobRequest {
        job: name.into(),
        shop: Some(US_SHOP.into()),
    }
}

#[tokio::test]
async fn an_fbt_stock_difference_is_listed_in_the_drift_digest() {
    let env = local_env(30, 5).await;
    // Zero quantities accepted (the seed's east warehouse holds none).
    env.tiktok.state.set_allow_zero_quantity(true);
    let jobs = jobs(&env).await;
    // TikTok counts 9 tents in its FBT warehouse; NetSuite's location 5 says 12.
    assert!(env
        .tiktok
        .state
        .set_fbt_available(US_SHOP, FBT_EASTVALE, TENT, 9));
    let runs = jobs.run(&job("inventory")).await.unwrap();
    let r = &runs[0];
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.counts.get("fbt_differences"), Some(&1), "{r:?}");
    let finding = r
        .findings
        .iter()
        .find(|f| f.starts_with("FBT stock differs: "))
        .unwrap_or_else(|| panic!("no FBT finding: {r:?}"));
    assert!(
        finding.contains("TENT-2P-GRN")
            && finding.contains("hold 9 available")
            && finding.contains("location 12"),
        "{finding}"
    );
    // The headlamp agrees (30 and 30): not listed.
    assert!(
        !r.findings.iter().any(|f| f.contains("HEADLAMP-200")),
        "{r:?}"
    );

    let digest = jobs.run(&job("digest")).await.unwrap();
    assert_eq!(
        digest[0].counts.get("fbt_stock_differences"),
        Some(&1),
        "{:?}",
        digest[0]
    );
    let mail = captured_mail().await;
    let (subject, body) = mail
        .iter()
        .rev()
        .find(|(s, b)| s.contains("daily digest") && b.contains("Fulfilled by TikTok stock"))
        .unwrap_or_else(|| panic!("no digest with the FBT difference: {mail:?}"));
    assert!(subject.contains("1 FBT stock finding(s)"), "{subject}");
    assert!(
        body.contains("SKU TENT-2P-GRN") && body.contains("difference -3"),
        "{body}"
    );
}

#[tokio::test]
async fn a_shop_without_the_fbt_scope_gets_a_doctor_finding_and_the_push_still_succeeds() {
    let env = local_env(30, 5).await;
    // Zero quantities accepted (the seed's east warehouse holds none).
    env.tiktok.state.set_allow_zero_quantity(true);
    let jobs = jobs(&env).await;
    // Every scope but seller.fbt.info.
    let scopes: Vec<&str> = shared::tiktok::scopes::NEEDED
        .iter()
        .map(|s| s.name)
        .collect();
    env.tiktok.state.set_granted_scopes(US_SHOP, &scopes);
    let runs = jobs.run(&job("inventory")).await.unwrap();
    let r = &runs[0];
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.starts_with("FBT stock check skipped: ") && f.contains("seller.fbt.info")),
        "{r:?}"
    );
    // The push itself went on.
    assert!(
        env.tiktok.state.inventory_update_calls(US_SHOP) >= 1,
        "{r:?}"
    );

    let doctor = jobs.run(&job("doctor")).await.unwrap();
    assert_ne!(doctor[0].status, RunStatus::Failed, "{:?}", doctor[0]);
    let report = jobs
        .doctor
        .doctor(
            &jobs.config,
            &jobs.shops,
            jobs.netsuite.as_ref(),
            jobs.clock.as_ref(),
        )
        .run(&[shared::domain::ShopId::new(US_SHOP)])
        .await;
    let fbt = report
        .named("tiktok.fbt")
        .next()
        .unwrap_or_else(|| panic!("no FBT check: {:?}", report.lines()));
    assert_eq!(fbt.status, Status::Warn, "{fbt:?}");
    assert!(
        fbt.detail.contains("seller.fbt.info") && fbt.detail.contains("skipped"),
        "{fbt:?}"
    );
    // TikTok's warehouses are listed beside the table.
    let wh = report
        .named("tiktok.warehouses")
        .next()
        .expect("warehouse check");
    assert!(
        wh.detail
            .contains("'Trailhead US East' 7068517275539719943 → location 3")
            && wh
                .detail
                .contains("return 'Trailhead US Main' 7068517275539719944"),
        "{wh:?}"
    );
}
