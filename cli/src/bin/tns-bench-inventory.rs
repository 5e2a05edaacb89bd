//! `tns-bench-inventory`: the inventory push over a large catalogue.
//!
//! Loads N items × 3 locations of stock into the NetSuite simulator and N
//! TikTok SKUs (100 per product, two warehouses each) into the TikTok
//! simulator, maps the three locations onto the two warehouses, and times
//! three runs of the inventory job (moto for its state and run log):
//!
//! 1. the first run: SKU map, reconcile, every SKU pushed;
//! 2. after `--changed-percent` of the items changed stock in NetSuite:
//!    only their SKUs may be sent (TikTok calls counted);
//! 3. with nothing changed: no Update Inventory call at all.
//!
//! Peak memory is the process's VmHWM (reset before each run), so it
//! includes both simulators holding the whole catalogue: an upper bound for
//! the job. TikTok's QPS limit is lifted in the simulator (the client does
//! not pace itself yet); say so when quoting the times.

use std::time::Instant;

use clap::Parser;
use cli::bench::{
    chrono_like_now, cores, loadavg, loopback_endpoint, proc_status_kib, reset_peak_rss,
};
use local_env::{LocalEnv, LocalOptions};
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use simulators::seed::{ProductSeed, SkuSeed, SkuStockSeed};

const SHOP: &str = "7494049642642441621";
const MAIN: &str = "7068517275539719942";
const EAST: &str = "7068517275539719943";

type BenchError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug)]
#[command(
    name = "tns-bench-inventory",
    about = "Inventory push over a large catalogue"
)]
struct Args {
    /// TikTok SKUs = NetSuite items.
    #[arg(long, default_value_t = 100_000)]
    skus: u64,
    /// Percent of items whose stock changes before the second run.
    #[arg(long, default_value_t = 1)]
    changed_percent: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
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
    hwm_kib: u64,
    counts: String,
    status: String,
}

async fn measure(jobs: &JobsApp, env: &LocalEnv) -> Result<Measured, BenchError> {
    let calls_before = env.tiktok.state.inventory_update_calls(SHOP);
    reset_peak_rss();
    let started = Instant::now();
    let runs = jobs
        .run(&JobRequest {
            job: "inventory".into(),
            shop: Some(SHOP.into()),
        })
        .await?;
    let secs = started.elapsed().as_secs_f64();
    let r = &runs[0];
    Ok(Measured {
        secs,
        calls: env.tiktok.state.inventory_update_calls(SHOP) - calls_before,
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
    env.tiktok.state.set_qps_limit(1_000_000);
    env.tiktok.state.set_allow_zero_quantity(true);

    eprintln!(
        "tns-bench-inventory: loading {} items × 3 locations and {} TikTok SKUs",
        args.skus, args.skus
    );
    let loaded = env
        .netsuite
        .state
        .bulk_load_stock(args.skus, &["1", "2", "3"])
        .map_err(|e| format!("bulk load: {e}"))?;
    for p in 0..args.skus.div_ceil(100) {
        let skus = (p * 100..((p + 1) * 100).min(args.skus))
            .map(|i| SkuSeed {
                id: format!("1900000{i:012}"),
                seller_sku: format!("SKU-{i:07}"),
                inventory: vec![
                    SkuStockSeed {
                        warehouse_id: MAIN.into(),
                        quantity: 0,
                    },
                    SkuStockSeed {
                        warehouse_id: EAST.into(),
                        quantity: 0,
                    },
                ],
            })
            .collect();
        env.tiktok.state.upsert_product(ProductSeed {
            shop_id: SHOP.into(),
            id: format!("1800000{p:012}"),
            title: format!("Bench product {p}"),
            status: "ACTIVATE".into(),
            skus,
        })?;
    }
    let mut cfg = env.jobs_config.clone();
    let us = cfg
        .jobs
        .mapping
        .shops
        .get_mut(SHOP)
        .ok_or("the local mapping has no US shop")?;
    us.inventory = Some(serde_json::from_value(json!({
        "location_warehouses": {"1": MAIN, "2": MAIN, "3": EAST},
        "range": {"min": 0, "max": 99999}
    }))?);
    let jobs = JobsApp::new(cfg, &sdk).await?;
    let rss_setup = proc_status_kib("VmRSS");

    eprintln!("tns-bench-inventory: first run");
    let first = measure(&jobs, &env).await?;
    // Change `changed_percent` % of the items, spread over the catalogue.
    let step = (100 / args.changed_percent.clamp(1, 100)).max(1);
    let mut changed = 0;
    for i in (0..loaded.items).step_by(step as usize) {
        let item = (loaded.first_item_id + i).to_string();
        let now = env
            .netsuite
            .state
            .stock(&item, "1")
            .map_or(0, |s| s.quantityavailable);
        env.netsuite.state.set_stock(
            &item,
            "1",
            simulators::netsuite::StockLevel::on_hand(now + 7, 0),
        )?;
        changed += 1;
    }
    eprintln!("tns-bench-inventory: second run ({changed} items changed)");
    let second = measure(&jobs, &env).await?;
    eprintln!("tns-bench-inventory: third run (no change)");
    let third = measure(&jobs, &env).await?;

    println!("## tns-bench-inventory results\n");
    println!(
        "- started: {started_at}; cores: {}; load average before: {load_before}, after: {}",
        cores(),
        loadavg()
    );
    println!("- AWS endpoint: {endpoint} (moto); simulators in-process on 127.0.0.1; TikTok QPS limit lifted in the simulator");
    println!(
        "- catalogue: {} NetSuite items × 3 locations ({} stock rows), {} TikTok SKUs in {} products, 2 warehouses each",
        loaded.items, loaded.rows, args.skus, args.skus.div_ceil(100)
    );
    println!(
        "- RSS after loading both simulators: {:.1} MiB\n",
        rss_setup as f64 / 1024.0
    );
    println!("| run | time | Update Inventory calls | peak RSS (VmHWM) | status | counts |\n|---|---|---|---|---|---|");
    for (name, m) in [
        ("1: first (map, reconcile, push all)", &first),
        (
            &*format!("2: {changed} items changed ({} %)", args.changed_percent),
            &second,
        ),
        ("3: nothing changed", &third),
    ] {
        println!(
            "| {name} | {:.2} s | {} | {:.1} MiB | {} | {} |",
            m.secs,
            m.calls,
            m.hwm_kib as f64 / 1024.0,
            m.status,
            m.counts
        );
    }
    env.tiktok.shutdown().await;
    env.netsuite.shutdown().await;
    Ok(())
}
