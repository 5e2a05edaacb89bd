//! `simulators` binary: runs both simulators on loopback for local runs and
//! demos, printing their base URLs as one JSON line so scripts can read them.

use clap::Parser;
use simulators::{spawn_netsuite, spawn_tiktok, NetSuiteConfig, Seed, TikTokConfig};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(about = "Loopback TikTok Shop + NetSuite REST simulators (not the real services)")]
struct Args {
    /// TikTok simulator port (0 = any free port).
    #[arg(long, default_value_t = 0)]
    tiktok_port: u16,
    /// NetSuite simulator port (0 = any free port).
    #[arg(long, default_value_t = 0)]
    netsuite_port: u16,
    /// Seed JSON file; the embedded seed.json when absent.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// NetSuite account concurrency limit.
    #[arg(long, default_value_t = simulators::netsuite::DEFAULT_CONCURRENCY_LIMIT)]
    netsuite_concurrency: usize,
    /// Latency added to every authenticated NetSuite request, in ms.
    #[arg(long, default_value_t = 0)]
    netsuite_latency_ms: u64,
    /// TikTok per-API QPS limit.
    #[arg(long, default_value_t = simulators::tiktok::DEFAULT_QPS_LIMIT)]
    tiktok_qps: u32,
    /// Loads the inventory benchmark's catalogue (`bench_catalogue`): this
    /// many NetSuite items × 3 locations and TikTok SKUs (0 = none), and
    /// lets TikTok take 0 units (the benchmark's empty locations).
    #[arg(long, default_value_t = 0)]
    bench_inventory_skus: u64,
    /// Warehouses per SKU of the benchmark's catalogue: 2 (main, east) or 3
    /// (a west sales warehouse added).
    #[arg(long, default_value_t = 2)]
    bench_inventory_warehouses: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let seed = match &args.seed {
        Some(p) => Seed::from_path(p)?,
        None => simulators::default_seed(),
    };
    let tiktok = spawn_tiktok(
        seed.tiktok,
        TikTokConfig {
            port: args.tiktok_port,
            qps_limit: args.tiktok_qps,
        },
    )
    .await?;
    let netsuite = spawn_netsuite(
        seed.netsuite,
        NetSuiteConfig {
            port: args.netsuite_port,
            concurrency_limit: args.netsuite_concurrency,
            latency_ms: args.netsuite_latency_ms,
        },
    )
    .await?;
    let mut loaded = None;
    if args.bench_inventory_skus > 0 {
        tiktok.state.set_allow_zero_quantity(true);
        loaded = Some(simulators::bench_catalogue::load_with(
            &tiktok.state,
            &netsuite.state,
            args.bench_inventory_skus,
            args.bench_inventory_warehouses,
        )?);
    }
    println!(
        "{}",
        serde_json::json!({"tiktok": tiktok.base_url, "netsuite": netsuite.base_url, "loaded": loaded})
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    tiktok.shutdown().await;
    netsuite.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
