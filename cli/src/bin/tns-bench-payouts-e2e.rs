//! `tns-bench-payouts-e2e [N]`: the payout job end to end over one TikTok
//! statement of N (default 100,000) generated transactions: TikTok
//! simulator pages on loopback (QPS limit lifted), raw pages and state in
//! moto's DynamoDB, matching through the order log (BatchGetItem), the
//! journal upserted in the NetSuite simulator, the email through moto's
//! SES. Prints the run's time, journal lines and the process's peak RSS
//! (both simulators included: an upper bound for the job).

use std::sync::Arc;
use std::time::Instant;

use cli::bench::{
    chrono_like_now, cores, loadavg, loopback_endpoint, proc_status_kib, reset_peak_rss,
};
use local_env::{LocalEnv, LocalOptions};
use serde_json::json;
use shared::app::{JobRequest, JobsApp};

const SHOP: &str = "7494049642642441621";
type BenchError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BenchError> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let endpoint = loopback_endpoint()?;
    let (started_at, load) = (chrono_like_now(), loadavg());
    let sdk = shared::store::aws::sdk_config().await;
    let env = LocalEnv::start(sdk.clone(), LocalOptions::default()).await?;
    env.tiktok.state.set_qps_limit(1_000_000);
    let statement_time = 1_767_830_400; // 2026-01-08
    let spec: simulators::tiktok::finance::GeneratedStatement = serde_json::from_value(json!({
        "shop_id": SHOP, "statement_id": "7491234567899000001",
        "statement_time": statement_time, "count": n, "payment_id": "3459275187049000001"}))?;
    env.tiktok.state.generate_statement(&spec)?;
    let mut cfg = env.jobs_config.clone();
    if let Some(us) = cfg.jobs.mapping.shops.get_mut(SHOP) {
        us.payouts = Some(serde_json::from_value(json!({
            "revenue_source": {"mode": "journal"},
            "sales_revenue": "4000", "seller_discounts": "4010", "refunds": "4020",
            "shipping_income": "4100",
            "fee_groups": {"commission": "6100", "transaction": "6110", "affiliate": "6120",
                           "shipping_services": "6130", "programme": "6140", "fee_taxes": "6150"},
            "other_fees": "6190", "other_adjustments": "6900", "reserve": "1250",
            "payout_in_transit": "1260", "bank": "1000", "finance_emails": ["finance-bench@example.com"]
        }))?);
    }
    let mut jobs = JobsApp::new(cfg, &sdk).await?;
    jobs.clock = Arc::new(shared::clock::FixedClock::at(statement_time + 2 * 86_400));
    reset_peak_rss();
    let t = Instant::now();
    let runs = jobs
        .run(&JobRequest {
            job: "payouts".into(),
            shop: Some(SHOP.into()),
        })
        .await?;
    let secs = t.elapsed().as_secs_f64();
    let je = env.netsuite.state.record_by_external_id(
        "journalEntry",
        &format!("tts-stmt-{SHOP}-7491234567899000001"),
    );
    let lines = je
        .as_ref()
        .and_then(|j| j["line"]["items"].as_array().map(Vec::len))
        .unwrap_or(0);
    println!(
        "payout job end to end, {started_at}, {} cores, load {load}, AWS on {endpoint}",
        cores()
    );
    for r in &runs {
        println!("run: {} {:?}", r.status.as_str(), r.counts);
        for f in &r.failures {
            println!("  failed: {}: {}", f.subject, f.reason);
        }
    }
    println!(
        "{n} transactions (plus the seeded statements): {secs:.2} s; journal lines {lines}; peak RSS {:.1} MiB (whole process, simulators included)",
        proc_status_kib("VmHWM") as f64 / 1024.0
    );
    env.tiktok.shutdown().await;
    env.netsuite.shutdown().await;
    Ok(())
}
