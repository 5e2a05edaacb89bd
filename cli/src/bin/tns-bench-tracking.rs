//! `tns-bench-tracking`: the tracking push over many shipped fulfilments.
//!
//! Puts N TikTok orders (the seed's US order: two tents and a headlamp, new
//! ids) into the TikTok simulator, writes their Sales Orders into the
//! NetSuite simulator (the writer's mapping, `PUT …/eid:`), their order log
//! entries into moto, and ships each in NetSuite (an Item Fulfillment,
//! status C, one tracking number, USPS Priority Mail). Then times:
//!
//! 1. the run that pushes all N (one Mark Package As Shipped each);
//! 2. the next run: the same fulfilments are read again (they fall in the
//!    watermark's overlap) and nothing is sent.
//!
//! TikTok's QPS limit stays at its documented 50 per API in the simulator;
//! the job paces itself (40 ship calls a second by default), so run 1 is
//! bounded by TikTok's limit, not by the job. `--ship-qps` changes the
//! pace (with `--lift-tiktok-limit` to measure the job's own cost).

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
use simulators::tiktok::fulfillment::MARK_SHIPPED_API;

const SHOP: &str = "7494049642642441621";

type BenchError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug)]
#[command(
    name = "tns-bench-tracking",
    about = "Tracking push over many fulfilments"
)]
struct Args {
    /// Shipped fulfilments (one per order).
    #[arg(long, default_value_t = 10_000)]
    fulfilments: u64,
    /// The job's ship calls per second.
    #[arg(long, default_value_t = 40)]
    ship_qps: u32,
    /// Lift the simulator's 50 QPS limit (to time the job itself).
    #[arg(long)]
    lift_tiktok_limit: bool,
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
    calls: u64,
    rejected_429: u64,
    hwm_kib: u64,
    counts: String,
    status: String,
}

async fn measure(jobs: &JobsApp, env: &LocalEnv) -> Result<Measured, BenchError> {
    let calls_before = env.tiktok.state.fulfillment_calls(SHOP, MARK_SHIPPED_API);
    let rejected_before = env.tiktok.state.rejected_count(36009002);
    reset_peak_rss();
    let started = Instant::now();
    let runs = jobs
        .run(&JobRequest {
            job: "tracking".into(),
            shop: Some(SHOP.into()),
        })
        .await?;
    let secs = started.elapsed().as_secs_f64();
    let r = &runs[0];
    Ok(Measured {
        secs,
        calls: env.tiktok.state.fulfillment_calls(SHOP, MARK_SHIPPED_API) - calls_before,
        rejected_429: env.tiktok.state.rejected_count(36009002) - rejected_before,
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

async fn run(args: Args) -> Result<(), BenchError> {
    let endpoint = loopback_endpoint()?;
    let load_before = loadavg();
    let started_at = chrono_like_now();
    let sdk = shared::store::aws::sdk_config().await;
    let env = LocalEnv::start(sdk.clone(), LocalOptions::default()).await?;
    if args.lift_tiktok_limit {
        env.tiktok.state.set_qps_limit(1_000_000);
    }
    let mut cfg = env.jobs_config.clone();
    cfg.jobs.tracking.ship_qps = args.ship_qps;
    let us = cfg
        .jobs
        .mapping
        .shops
        .get_mut(SHOP)
        .ok_or("the local mapping has no US shop")?;
    us.tracking = Some(serde_json::from_value(
        json!({"carriers": {"USPS Priority Mail": "USPS"}}),
    )?);
    let mapping = us.clone();
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
        "tns-bench-tracking: {} orders, Sales Orders and order log entries",
        args.fulfilments
    );
    let setup = Instant::now();
    let ids: Vec<String> = (0..args.fulfilments)
        .map(|i| format!("94{i:016}"))
        .collect();
    let mut orders = Vec::with_capacity(ids.len());
    for (n, id) in ids.iter().enumerate() {
        let mut o = template.clone();
        o["id"] = json!(id);
        if let Some(lines) = o["line_items"].as_array_mut() {
            for (k, l) in lines.iter_mut().enumerate() {
                l["id"] = json!(format!("95{n:014}{k:02}"));
                l["package_id"] = json!(format!("96{n:016}"));
            }
        }
        o["packages"] = json!([{"id": format!("96{n:016}")}]);
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
        "tns-bench-tracking: shipping {} Sales Orders in NetSuite",
        args.fulfilments
    );
    for (i, id) in ids.iter().enumerate() {
        let ext = shared::mapping::external_id("tts", &shop, id);
        env.netsuite
            .state
            .ship_sales_order(
                &format!("eid:{ext}"),
                &simulators::netsuite::Shipment {
                    lines: vec![],
                    tracking_numbers: vec![format!("9400{i:018}")],
                    ship_method: Some("402".into()),
                },
            )
            .map_err(|e| format!("ship {id}: {e:?}"))?;
    }
    let setup_secs = setup.elapsed().as_secs_f64();
    let rss_setup = proc_status_kib("VmRSS");

    eprintln!("tns-bench-tracking: run 1 (push all)");
    let first = measure(&jobs, &env).await?;
    eprintln!("tns-bench-tracking: run 2 (nothing new)");
    let second = measure(&jobs, &env).await?;

    println!("## tns-bench-tracking results\n");
    println!(
        "- started: {started_at}; cores: {}; load average before: {load_before}, after: {}",
        cores(),
        loadavg()
    );
    println!(
        "- AWS endpoint: {endpoint} (moto); simulators in-process on 127.0.0.1; TikTok QPS limit {}; the job's pace {} ship calls/s",
        if args.lift_tiktok_limit { "lifted" } else { "50 per API (documented default)" },
        args.ship_qps
    );
    println!(
        "- {} orders (3 units each), Sales Orders, order log entries and shipped Item Fulfillments set up in {setup_secs:.1} s; RSS after setup {:.1} MiB\n",
        args.fulfilments,
        rss_setup as f64 / 1024.0
    );
    println!("| run | time | Mark Package As Shipped calls | 429s | peak RSS (VmHWM) | status | counts |\n|---|---|---|---|---|---|---|");
    for (name, m) in [
        ("1: push all", &first),
        ("2: nothing new (overlap re-read)", &second),
    ] {
        println!(
            "| {name} | {:.2} s | {} | {} | {:.1} MiB | {} | {} |",
            m.secs,
            m.calls,
            m.rejected_429,
            m.hwm_kib as f64 / 1024.0,
            m.status,
            m.counts
        );
    }
    env.tiktok.shutdown().await;
    env.netsuite.shutdown().await;
    Ok(())
}
