//! `tns-bench-labels`: the label job over many packed TikTok Shipping
//! fulfilments (issue 27).
//!
//! Puts N TikTok Shipping orders (the seed's US order: two tents and a
//! headlamp, new ids, no package yet) into the TikTok simulator, their
//! Sales Orders into the NetSuite simulator (the writer's mapping), their
//! order log entries into moto, and packs each in NetSuite (an Item
//! Fulfillment, `shipStatus` B, weight and size). `--drops` purchases lose
//! their answer (TikTok commits, the connection is cut). Then times:
//!
//! 1. the run that buys every label, writes tracking and carrier on each
//!    Item Fulfillment and attaches each PDF;
//! 2. the next run: every label is done, nothing is called but NetSuite's
//!    packed list.
//!
//! Checks: one Create Packages per fulfilment (none bought twice under
//! the drops), one package line, one attached PDF each. "Packed →
//! tracking on the fulfilment" is each Item Fulfillment's
//! `lastModifiedDate` (the write-back) less the run's start (all were
//! packed before it), whole seconds.

use std::time::Instant;

use clap::Parser;
use cli::bench::{
    chrono_like_now, cores, loadavg, loopback_endpoint, proc_status_kib, reset_peak_rss,
};
use futures::stream::{self, StreamExt};
use local_env::{LocalEnv, LocalOptions};
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::domain::{OrderId, ShopId};
use shared::store::{OrderLog, Outcome, SyncStatus};
use simulators::tiktok::fulfillment::labels::CREATE_PACKAGES_API;

const SHOP: &str = "7494049642642441621";

type BenchError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug)]
#[command(
    name = "tns-bench-labels",
    about = "Label job over many packed fulfilments"
)]
struct Args {
    /// Packed fulfilments (one per order).
    #[arg(long, default_value_t = 1_000)]
    fulfilments: u64,
    /// Purchases whose answer is lost (TikTok commits them).
    #[arg(long, default_value_t = 50)]
    drops: u32,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

struct Measured {
    secs: f64,
    started_unix: i64,
    hwm_kib: u64,
    counts: String,
    status: String,
}

async fn measure(jobs: &JobsApp) -> Result<Measured, BenchError> {
    reset_peak_rss();
    let started_unix = shared::clock::Clock::now(&shared::clock::SystemClock);
    let started = Instant::now();
    let runs = jobs
        .run(&JobRequest {
            job: "labels".into(),
            shop: Some(SHOP.into()),
        })
        .await?;
    let secs = started.elapsed().as_secs_f64();
    let r = &runs[0];
    Ok(Measured {
        secs,
        started_unix,
        hwm_kib: proc_status_kib("VmHWM"),
        counts: r
            .counts
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
        status: r.status.as_str().to_string(),
    })
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

async fn run(args: Args) -> Result<(), BenchError> {
    let endpoint = loopback_endpoint()?;
    let load_before = loadavg();
    let started_at = chrono_like_now();
    let sdk = shared::store::aws::sdk_config().await;
    let env = LocalEnv::start(sdk.clone(), LocalOptions::default()).await?;
    let cfg = env.jobs_config.clone();
    let mapping = cfg
        .jobs
        .mapping
        .shops
        .get(SHOP)
        .ok_or("the local mapping has no US shop")?
        .clone();
    let jobs = JobsApp::new(cfg, &sdk).await?;
    let netsuite = jobs.netsuite.as_ref().ok_or("no NetSuite client")?;
    let template = env
        .seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "576461413038785752")
        .ok_or("template order")?
        .order
        .clone();
    let shop = ShopId::new(SHOP);

    eprintln!(
        "tns-bench-labels: {} orders, Sales Orders, order log entries",
        args.fulfilments
    );
    let setup = Instant::now();
    let ids: Vec<String> = (0..args.fulfilments)
        .map(|i| format!("97{i:016}"))
        .collect();
    let mut orders = Vec::with_capacity(ids.len());
    for (n, id) in ids.iter().enumerate() {
        let mut o = template.clone();
        o["id"] = json!(id);
        o["shipping_type"] = json!("TIKTOK");
        o["status"] = json!("AWAITING_SHIPMENT");
        o["packages"] = json!([]);
        if let Some(lines) = o["line_items"].as_array_mut() {
            for (k, l) in lines.iter_mut().enumerate() {
                l["id"] = json!(format!("98{n:014}{k:02}"));
                if let Some(m) = l.as_object_mut() {
                    for f in ["package_id", "package_status", "tracking_number"] {
                        m.remove(f);
                    }
                }
            }
        }
        env.tiktok.state.upsert_order(SHOP, o.clone())?;
        orders.push(o);
    }
    let results: Vec<Result<(), BenchError>> = stream::iter(orders.iter())
        .map(|o| {
            let (shop, mapping, log) = (&shop, &mapping, &jobs.log);
            async move {
                let order: shared::tiktok::model::Order = serde_json::from_value(o.clone())?;
                let groups = shared::mapping::group_units(&order)?;
                let items: Vec<shared::mapping::ItemRef> = groups
                    .iter()
                    .map(|g| shared::mapping::ItemRef {
                        id: if g.seller_sku.as_str() == "TENT-2P-GRN" {
                            "101"
                        } else {
                            "103"
                        }
                        .into(),
                    })
                    .collect();
                let draft = shared::mapping::build_sales_order(
                    shop, &order, &groups, &items, "201", mapping,
                )?;
                let so = netsuite
                    .upsert_by_external_id("salesOrder", &draft.external_id, &draft.body, &["item"])
                    .await?;
                log.record(&Outcome {
                    shop_id: shop.clone(),
                    order_id: OrderId::new(order.id.as_str()),
                    tiktok_status: "AWAITING_SHIPMENT".into(),
                    sync_status: SyncStatus::Created,
                    netsuite_id: so,
                    external_id: Some(draft.external_id),
                    note: "bench".into(),
                    failure: None,
                    failed_skus: vec![],
                    order_type: None,
                    retail_value: None,
                    at: shared::clock::Clock::now(&shared::clock::SystemClock),
                    event: None,
                })
                .await?;
                Ok(())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for r in results {
        r?;
    }
    eprintln!(
        "tns-bench-labels: packing {} Sales Orders in NetSuite",
        args.fulfilments
    );
    let mut fulfilments = Vec::with_capacity(ids.len());
    for id in &ids {
        let ext = shared::mapping::external_id("tts", &shop, id);
        let if_id = env
            .netsuite
            .state
            .pack_sales_order(
                &format!("eid:{ext}"),
                &simulators::netsuite::Packing {
                    lines: vec![],
                    weight: Some("2.5".into()),
                    weight_unit: Some("lb".into()),
                    length: Some("12".into()),
                    width: Some("9".into()),
                    height: Some("4".into()),
                    size_unit: Some("in".into()),
                },
            )
            .map_err(|e| format!("pack {id}: {e:?}"))?;
        fulfilments.push(if_id);
    }
    let setup_secs = setup.elapsed().as_secs_f64();
    let rss_setup = proc_status_kib("VmRSS");
    env.tiktok.state.drop_next_label_purchases(args.drops);

    eprintln!("tns-bench-labels: run 1 (every label)");
    let first = measure(&jobs).await?;
    let purchases = env
        .tiktok
        .state
        .fulfillment_calls(SHOP, CREATE_PACKAGES_API);
    let mut latencies = Vec::with_capacity(fulfilments.len());
    let (mut one_line, mut one_pdf) = (0u64, 0u64);
    for f in &fulfilments {
        let rec = env
            .netsuite
            .state
            .record("itemFulfillment", f)
            .ok_or("IF gone")?;
        let lines = rec["package"]["items"].as_array().map_or(0, Vec::len);
        let tracked = rec["package"]["items"][0]["packageTrackingNumber"].is_string();
        one_line += u64::from(lines == 1 && tracked);
        one_pdf += u64::from(
            env.netsuite
                .state
                .attached_files("itemFulfillment", f)
                .len()
                == 1,
        );
        let modified = rec["lastModifiedDate"].as_str().unwrap_or_default();
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(modified, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(modified, "%Y-%m-%dT%H:%M:%SZ"))
        {
            latencies.push(t.and_utc().timestamp() - first.started_unix);
        }
    }
    latencies.sort_unstable();
    eprintln!("tns-bench-labels: run 2 (nothing left)");
    let second = measure(&jobs).await?;
    let purchases_after = env
        .tiktok
        .state
        .fulfillment_calls(SHOP, CREATE_PACKAGES_API);

    println!("## tns-bench-labels results\n");
    println!(
        "- started: {started_at}; cores: {}; load average before: {load_before}, after: {}",
        cores(),
        loadavg()
    );
    println!(
        "- AWS endpoint: {endpoint} (moto); simulators in-process on 127.0.0.1 (no added latency); TikTok QPS limit 50 per API (documented default)"
    );
    println!(
        "- {} TikTok Shipping orders (3 units each), Sales Orders, order log entries and packed Item Fulfillments set up in {setup_secs:.1} s; RSS after setup {:.1} MiB; {} purchase answers dropped\n",
        args.fulfilments,
        rss_setup as f64 / 1024.0,
        args.drops
    );
    println!("| run | time | peak RSS (VmHWM) | status | counts |\n|---|---|---|---|---|");
    for (name, m) in [("1: every label", &first), ("2: nothing left", &second)] {
        println!(
            "| {name} | {:.2} s | {:.1} MiB | {} | {} |",
            m.secs,
            m.hwm_kib as f64 / 1024.0,
            m.status,
            m.counts
        );
    }
    println!(
        "\n- Create Packages calls: {purchases} after run 1, {purchases_after} after run 2, for {} fulfilments (none bought twice)",
        args.fulfilments
    );
    println!(
        "- Item Fulfillments with exactly one package line carrying TikTok's tracking: {one_line}; with exactly one attached PDF: {one_pdf}"
    );
    println!(
        "- packed → tracking on the fulfilment, from the run's start (whole seconds, {} measured): p50 {} s, p95 {} s, max {} s",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 1.0)
    );
    env.tiktok.shutdown().await;
    env.netsuite.shutdown().await;
    Ok(())
}
