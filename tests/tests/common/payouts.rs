//! The payout job over a local environment, for the console's tests: the
//! US shop gets a payouts mapping (the seeded chart of accounts) and the
//! job's clock is set where every seeded statement is in its window.

use std::sync::Arc;

use serde_json::{json, Value};
use shared::app::{JobRequest, JobsApp};
use shared::clock::FixedClock;

use super::US_SHOP;

/// The seeded statements: the §1.10 sample and one that does not add up.
pub const SAMPLE: &str = "7491234567890123456";
pub const BROKEN: &str = "7491234567890123459";
/// 2026-01-09: every seeded statement (Jan 1–4, 2026) is in the window.
pub const NOW: i64 = 1_767_916_800;

pub fn payout_config(finance: &str) -> Value {
    json!({
        "revenue_source": {"mode": "journal"},
        "sales_revenue": "4000", "seller_discounts": "4010", "refunds": "4020",
        "shipping_income": "4100",
        "fee_groups": {"commission": "6100", "transaction": "6110", "affiliate": "6120",
                       "shipping_services": "6130", "programme": "6140", "fee_taxes": "6150"},
        "other_fees": "6190",
        "adjustments": {"LOGISTICS_REIMBURSEMENT": "4200"},
        "other_adjustments": "6900",
        "reserve": "1250", "payout_in_transit": "1260", "bank": "1000",
        "finance_emails": [finance]
    })
}

/// The jobs app with the US shop's payouts mapping mailing `finance`.
pub async fn payout_jobs(env: &local_env::LocalEnv, finance: &str) -> JobsApp {
    let mut cfg = env.jobs_config.clone();
    let us = cfg.jobs.mapping.shops.get_mut(US_SHOP).expect("US shop");
    us.payouts = Some(serde_json::from_value(payout_config(finance)).expect("payouts config"));
    let mut app = JobsApp::new(cfg, &env.sdk).await.expect("jobs app");
    app.clock = Arc::new(FixedClock::at(NOW));
    app
}

/// Runs the payout job for the US shop.
pub async fn run_payouts(app: &JobsApp) {
    app.run(&JobRequest {
        job: "payouts".into(),
        shop: Some(US_SHOP.into()),
    })
    .await
    .expect("payouts run");
}
