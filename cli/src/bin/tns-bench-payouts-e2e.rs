//! `tns-bench-payouts-e2e [N] [LOGGED_PERCENT]`: the payout job end to end
//! over one TikTok statement of N (default 100,000) generated transactions,
//! LOGGED_PERCENT (default 0) of whose orders the order log holds as written
//! to NetSuite (so they match, and the BatchGetItems return entries): TikTok
//! simulator pages on loopback (QPS limit lifted), raw pages and state in
//! moto's DynamoDB, matching through the order log (BatchGetItem), the
//! journal upserted in the NetSuite simulator, the email through moto's
//! SES. Prints the run's time, journal lines and the peak RSS of the job's
//! process. The simulators run in a separate process (the `simulators`
//! binary, built next to this one), so that figure is the job's plus a
//! baseline (runtime, AWS clients, the idle default-seed simulators
//! `LocalEnv` starts), printed apart.

use std::sync::Arc;
use std::time::Instant;

use cli::bench::{
    chrono_like_now, cores, loadavg, loopback_endpoint, proc_status_kib, reset_peak_rss,
};
use cli::bench_sims::SimProcess;
use futures::{StreamExt, TryStreamExt};
use local_env::{LocalEnv, LocalOptions};
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::store::OrderLog;

const SHOP: &str = "7494049642642441621";
const STATEMENT: &str = "7491234567899000001";
type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// `--seed N PERCENT TABLE`: puts PERCENT % of the generated statement's
/// orders (`58` + 16 digits of the row number) in the order log as written
/// to NetSuite, then exits.
async fn seed(args: &[String]) -> Result<(), BenchError> {
    let [n, percent, table] = args else {
        return Err("--seed N PERCENT TABLE".into());
    };
    let (n, percent): (usize, usize) = (n.parse()?, percent.parse()?);
    let sdk = shared::store::aws::sdk_config().await;
    let log = shared::store::DynamoOrderLog::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let log = &log;
    let step = (100 / percent.clamp(1, 100)).max(1);
    futures::stream::iter((0..n).step_by(step))
        .map(|i| async move {
            log.record(&shared::store::Outcome {
                shop_id: shared::domain::ShopId::new(SHOP),
                order_id: shared::domain::OrderId::new(format!("58{i:016}")),
                tiktok_status: "COMPLETED".into(),
                sync_status: shared::store::SyncStatus::Created,
                netsuite_id: Some(format!("{}", 100_000 + i)),
                external_id: None,
                note: String::new(),
                failure: None,
                failed_skus: vec![],
                order_type: None,
                retail_value: None,
                at: 1_767_830_400 - 86_400,
                event: None,
            })
            .await
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BenchError> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--seed") {
        return seed(&args[2..]).await;
    }
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let logged_percent: usize = std::env::args()
        .nth(2)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(0);
    let endpoint = loopback_endpoint()?;
    let (started_at, load) = (chrono_like_now(), loadavg());
    let sims = SimProcess::start(&["--tiktok-qps", "1000000"])?;
    let statement_time = 1_767_830_400; // 2026-01-08
    let http = reqwest::Client::new();
    http.post(format!("{}/_sim/finance/generate", sims.tiktok))
        .json(&json!({"shop_id": SHOP, "statement_id": STATEMENT,
            "statement_time": statement_time, "count": n, "payment_id": "3459275187049000001"}))
        .send()
        .await?
        .error_for_status()?;
    let sdk = shared::store::aws::sdk_config().await;
    let env = LocalEnv::start(sdk.clone(), LocalOptions::default()).await?;
    let mut cfg = env.jobs_config.clone();
    sims.point(&mut cfg)?;
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
    if logged_percent > 0 {
        // In a child process, so what seeding leaves on this process's heap
        // is not counted as the job's.
        let seeded = std::time::Instant::now();
        let status = std::process::Command::new(std::env::current_exe()?)
            .args([
                "--seed",
                &n.to_string(),
                &logged_percent.to_string(),
                &jobs.config.order_log.table,
            ])
            .status()?;
        if !status.success() {
            return Err(format!("seeding the order log failed: {status}").into());
        }
        eprintln!(
            "seeded {logged_percent} % of {n} orders in the order log in {:.1} s (child process, not counted)",
            seeded.elapsed().as_secs_f64()
        );
    }
    let baseline = proc_status_kib("VmRSS") as f64 / 1024.0;
    reset_peak_rss();
    let cpu_before = cpu_secs();
    let t = Instant::now();
    if std::env::var_os("TNS_BENCH_RSS_TRACE").is_some() {
        // The process's RSS every 100 ms on stderr: where in the run the
        // peak is (the fold, the report, the send).
        std::thread::spawn(move || loop {
            eprintln!(
                "rss {:6.2} s {:7.1} MiB",
                t.elapsed().as_secs_f64(),
                proc_status_kib("VmRSS") as f64 / 1024.0
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        });
    }
    let runs = jobs
        .run(&JobRequest {
            job: "payouts".into(),
            shop: Some(SHOP.into()),
        })
        .await?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu_before;
    let state: serde_json::Value = http
        .get(format!("{}/_sim/state", sims.netsuite))
        .send()
        .await?
        .json()
        .await?;
    let lines = find_external_id(&state, &format!("tts-stmt-{SHOP}-{STATEMENT}"))
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
        "{n} transactions (plus the seeded statements), {logged_percent} % of their orders in the order log: {secs:.2} s (job process CPU {cpu:.2} s); journal lines {lines}; peak RSS of the job's process {:.1} MiB (baseline before the run {baseline:.1} MiB); simulators' process (separate) {:.1} MiB",
        proc_status_kib("VmHWM") as f64 / 1024.0,
        sims.peak_mib()
    );
    env.tiktok.shutdown().await;
    env.netsuite.shutdown().await;
    Ok(())
}

/// User + system CPU seconds of this process so far (`/proc/self/stat`,
/// clock ticks of 1/100 s).
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        })
        .map_or(0.0, |ticks| ticks / 100.0)
}

/// The first object under `v` whose `externalId` is `id`.
fn find_external_id<'v>(v: &'v serde_json::Value, id: &str) -> Option<&'v serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => {
            if m.get("externalId").and_then(|x| x.as_str()) == Some(id) {
                return Some(v);
            }
            m.values().find_map(|c| find_external_id(c, id))
        }
        serde_json::Value::Array(a) => a.iter().find_map(|c| find_external_id(c, id)),
        _ => None,
    }
}
