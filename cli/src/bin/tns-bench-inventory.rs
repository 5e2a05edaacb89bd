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
//! The simulators run in a separate process (the `simulators` binary with
//! `--bench-inventory-skus`, built next to this one), so this process holds
//! the job and nothing of the catalogue: its peak RSS (VmHWM, reset before
//! each run) is the job's, plus the runtime, the AWS clients and the idle
//! default-seed simulators `LocalEnv` starts (measured before the first
//! run, "baseline"), plus what the allocator kept of the runs before (RSS
//! at the run's start, printed). TikTok's QPS limit is lifted in the
//! simulator; the job paces each TikTok API it calls (Search Products,
//! Inventory Search, Search Orders, Update Inventory) at `--tiktok-qps`.

use std::time::Instant;

use clap::Parser;
use cli::bench::{
    chrono_like_now, cores, loadavg, loopback_endpoint, proc_status_kib, reset_peak_rss,
};
use cli::bench_sims::SimProcess;
use local_env::{LocalEnv, LocalOptions};
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use simulators::bench_catalogue::{
    EAST_WAREHOUSE as EAST, MAIN_WAREHOUSE as MAIN, SHOP, WEST_WAREHOUSE as WEST,
};

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
    /// The job's pace per TikTok API (mapping `inventory.tiktok_qps`).
    #[arg(long, default_value_t = 40)]
    tiktok_qps: u32,
    /// Warehouses per SKU: 2 (locations 1, 2 → main; 3 → east) or 3
    /// (1 → main, 2 → west, 3 → east; the west one is added to the shop).
    #[arg(long, default_value_t = 2)]
    warehouses: usize,
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
    /// RSS when the run starts: what glibc kept of the runs before.
    rss_start_kib: u64,
    calls: u64,
    hwm_kib: u64,
    counts: String,
    status: String,
}

async fn measure(jobs: &JobsApp) -> Result<Measured, BenchError> {
    let rss_start_kib = proc_status_kib("VmRSS");
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
        rss_start_kib,
        calls: r.counts.get("update_calls").copied().unwrap_or(0),
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
    eprintln!(
        "tns-bench-inventory: starting the simulators process with {} items × 3 locations and {} TikTok SKUs",
        args.skus, args.skus
    );
    let skus = args.skus.to_string();
    let whs = args.warehouses.to_string();
    let sims = SimProcess::start(&[
        "--bench-inventory-skus",
        &skus,
        "--bench-inventory-warehouses",
        &whs,
        "--tiktok-qps",
        "1000000",
    ])?;
    let loaded = sims.loaded.clone();
    let sdk = shared::store::aws::sdk_config().await;
    let env = LocalEnv::start(sdk.clone(), LocalOptions::default()).await?;
    let mut cfg = env.jobs_config.clone();
    sims.point(&mut cfg)?;
    let us = cfg
        .jobs
        .mapping
        .shops
        .get_mut(SHOP)
        .ok_or("the local mapping has no US shop")?;
    let table = if args.warehouses == 3 {
        json!({"1": MAIN, "2": WEST, "3": EAST})
    } else {
        json!({"1": MAIN, "2": MAIN, "3": EAST})
    };
    us.inventory = Some(serde_json::from_value(json!({
        "location_warehouses": table,
        "range": {"min": 0, "max": 99999},
        "tiktok_qps": args.tiktok_qps
    }))?);
    let jobs = JobsApp::new(cfg, &sdk).await?;
    let rss_setup = proc_status_kib("VmRSS");

    eprintln!("tns-bench-inventory: first run");
    let first = measure(&jobs).await?;
    // Change `changed_percent` % of the items at location 1, spread over
    // the catalogue (bulk stock is below 200 on hand, so 250 is a change).
    let step = (100 / args.changed_percent.clamp(1, 100)).max(1);
    let items = loaded["items"].as_u64().ok_or("no items loaded")?;
    let first_item = loaded["first_item_id"].as_u64().ok_or("no first item")?;
    let http = reqwest::Client::new();
    let mut changed = 0;
    for i in (0..items).step_by(step as usize) {
        http.post(format!("{}/_sim/stock", sims.netsuite))
            .json(&json!({
                "item": (first_item + i).to_string(),
                "location": "1",
                "quantityonhand": 250,
                "quantityavailable": 250
            }))
            .send()
            .await?
            .error_for_status()?;
        changed += 1;
    }
    eprintln!("tns-bench-inventory: second run ({changed} items changed)");
    let second = measure(&jobs).await?;
    eprintln!("tns-bench-inventory: third run (no change)");
    let third = measure(&jobs).await?;

    println!("## tns-bench-inventory results\n");
    println!(
        "- started: {started_at}; cores: {}; load average before: {load_before}, after: {}",
        cores(),
        loadavg()
    );
    println!("- AWS endpoint: {endpoint} (moto); simulators in a separate process on 127.0.0.1 (peak RSS {:.1} MiB), TikTok QPS limit lifted there; the job paces each TikTok API (Search Products, Inventory Search, Search Orders, Update Inventory) at {} calls/s", sims.peak_mib(), args.tiktok_qps);
    println!(
        "- catalogue: {items} NetSuite items × 3 locations ({} stock rows), {} TikTok SKUs in {} products, {} warehouses each",
        loaded["rows"], args.skus, args.skus.div_ceil(100), args.warehouses
    );
    println!(
        "- job process RSS before the first run (baseline: runtime, AWS clients, idle default-seed simulators): {:.1} MiB\n",
        rss_setup as f64 / 1024.0
    );
    println!("| run | time | Update Inventory calls | RSS at start | peak RSS (VmHWM) | status | counts |\n|---|---|---|---|---|---|---|");
    for (name, m) in [
        ("1: first (map, reconcile, push all)", &first),
        (
            &*format!("2: {changed} items changed ({} %)", args.changed_percent),
            &second,
        ),
        ("3: nothing changed", &third),
    ] {
        println!(
            "| {name} | {:.2} s | {} | {:.1} MiB | {:.1} MiB | {} | {} |",
            m.secs,
            m.calls,
            m.rss_start_kib as f64 / 1024.0,
            m.hwm_kib as f64 / 1024.0,
            m.status,
            m.counts
        );
    }
    drop(sims);
    env.tiktok.shutdown().await;
    env.netsuite.shutdown().await;
    Ok(())
}
