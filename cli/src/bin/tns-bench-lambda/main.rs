//! `tns-bench-lambda`: the NetSuite writer as Lambda runs it (issue 20).
//!
//! On AWS the writer never calls ReceiveMessage: the event source mapping
//! polls SQS and invokes the function with `SqsEvent` batches, at most
//! `MaximumConcurrency` invocations at once, each of at most `BatchSize`
//! messages; the messages an invocation reports in `batchItemFailures` come
//! back after the visibility timeout, the others are deleted. This binary
//! does exactly that in memory (so moto's ~160 ms FIFO receive does not
//! decide the figure) and calls `WriterApp::handle_batch`, one `WriterApp`
//! per concurrent invocation (each its own NetSuite client, as each Lambda
//! instance has). DynamoDB (order log, events, the NetSuite slot pool) is
//! moto; every NetSuite client takes its slots from the one pool
//! (`LocalEnv::start_pooled`), and the NetSuite simulator is limited to the
//! share, so it answers 429 to anything above it.
//!
//! Phases, each on a fresh environment:
//! 1. **burst**: N orders queued, then the invocations start; the clock runs
//!    to the last Sales Order.
//! 2. **latency**: orders arrive at a steady rate (90 % of the ceiling by
//!    default); event → Sales Order is the time from enqueueing to the
//!    first 5 ms poll that sees the Sales Order in the simulator.
//! 3. **burst with jobs**: phase 1 while the inventory, tracking, verify and
//!    payouts jobs run back to back and a console-like client queries
//!    NetSuite: how much of the share the writer got.
//!
//! Markdown on stdout; logs (RUST_LOG, default warn) on stderr.

mod esm;
mod phases;
mod stack;

use std::process::ExitCode;

use clap::Parser;
use cli::bench::{chrono_like_now, cores, loadavg, loopback_endpoint};

use phases::{burst, latency, pool_latency};

const SHOP: &str = "7494049642642441621";
const TEMPLATE_ORDER: &str = "576461413038785752";
type BenchError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "tns-bench-lambda",
    about = "The writer driven as Lambda's SQS event source drives it"
)]
struct Args {
    /// Orders in each burst.
    #[arg(long, default_value_t = 1000)]
    orders: usize,
    /// The account share: pool slots and the simulator's concurrency limit.
    #[arg(long, default_value_t = 5)]
    share: usize,
    #[arg(long, default_value_t = 300)]
    netsuite_latency_ms: u64,
    /// Invocations at once (default the share, as the template's
    /// MaximumConcurrency; more is safe for NetSuite, the pool bounds it,
    /// but see BENCHMARKS.md: 2× the share starved waiters in one run).
    #[arg(long)]
    max_concurrency: Option<usize>,
    #[arg(long, default_value_t = shared::resources::WRITER_BATCH_SIZE as usize)]
    batch_size: usize,
    /// Seconds before a failed message is delivered again.
    #[arg(long, default_value_t = 5)]
    visibility_secs: u64,
    #[arg(long, default_value_t = 5)]
    max_receive_count: u32,
    /// Arrival rate of the latency phase, in % of the ceiling.
    #[arg(long, default_value_t = 90.0)]
    rate_percent: f64,
    #[arg(long, default_value_t = 450)]
    latency_orders: usize,
    #[arg(long)]
    skip_latency: bool,
    #[arg(long)]
    skip_jobs: bool,
    /// Leave out the pool's own latency phase (600 DynamoDB calls), e.g.
    /// when counting the writer's calls in moto's recording.
    #[arg(long)]
    skip_pool_latency: bool,
    /// A/B: each message reads its order log entry and writes its
    /// read-back check on its own (no batch-wide BatchGetItem/BatchWriteItem).
    #[arg(long)]
    unbatched: bool,
}

impl Args {
    fn invocations(&self) -> usize {
        self.max_concurrency.unwrap_or(self.share).max(1)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("tns-bench-lambda: {e}");
            ExitCode::from(2)
        }
    }
}

/// Request counts by method and path, record ids folded into `{id}`.
fn by_kind(per_path: &std::collections::BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut out = std::collections::BTreeMap::new();
    for (path, n) in per_path {
        let kind: Vec<&str> = path
            .split('/')
            .map(|seg| match seg.split(['?', '.']).next() {
                Some(head) if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) => {
                    "{id}"
                }
                // An external id (`eid:tts-{shop}-{order}`), query kept.
                Some(head) if head.starts_with("eid:") => match seg.split_once('?') {
                    Some((_, q)) if q.contains("replace") => "eid:{id}?replace=…",
                    _ => "eid:{id}",
                },
                _ => seg,
            })
            .collect();
        *out.entry(kind.join("/")).or_insert(0) += n;
    }
    out.into_iter().collect()
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn run(args: Args) -> Result<bool, BenchError> {
    let endpoint = loopback_endpoint()?;
    let sdk = shared::store::aws::sdk_config().await;
    let started = chrono_like_now();
    let ceiling = args.share as f64 / (args.netsuite_latency_ms.max(1) as f64 / 1000.0);
    println!("## tns-bench-lambda results\n");
    println!(
        "- started: {started}; cores: {}; load average at start: {}",
        cores(),
        loadavg()
    );
    println!(
        "- AWS endpoint: {endpoint} (moto, DynamoDB only); SQS event source emulated in memory"
    );
    // The profile is the target directory's folder (release, bench-fast, debug).
    let exe = std::env::current_exe().unwrap_or_default();
    let profile = exe.parent().and_then(|p| p.file_name()).unwrap_or_default();
    println!(
        "- build profile: {} (debug assertions: {})",
        profile.to_string_lossy(),
        cfg!(debug_assertions)
    );
    if args.unbatched {
        println!("- **--unbatched**: one GetItem and one PutItem per message (the writer before the batch-wide reads and writes)");
    }
    println!(
        "- share {} (pool slots = simulator limit), NetSuite latency {} ms → ceiling {ceiling:.2} requests/s; {} invocations at once, batch size {}, visibility {} s, {} receives",
        args.share, args.netsuite_latency_ms, args.invocations(),
        args.batch_size, args.visibility_secs, args.max_receive_count
    );
    if !args.skip_pool_latency {
        pool_latency(&args, &sdk).await?;
    }
    let mut ok = true;
    let mut phases = vec![("Burst (writer alone)", false)];
    if !args.skip_jobs {
        phases.push(("Burst with the jobs and console running", true));
    }
    let mut alone_rate = None;
    for (title, with_jobs) in phases {
        let b = burst(&args, &sdk, with_jobs).await?;
        let ops = b.done as f64 / b.secs;
        let reqs = b.ns.requests as f64;
        println!(
            "\n### {title}: {} orders queued, then the invocations start\n",
            b.orders
        );
        println!("| metric | value |\n|---|---|");
        println!("| load average at the phase's start | {} |", b.load);
        println!("| Sales Orders | {} of {} |", b.done, b.orders);
        println!("| first invocation → last Sales Order | {:.2} s |", b.secs);
        println!("| orders/s | {ops:.2} |");
        println!(
            "| **fraction of the ceiling (orders/s ÷ {ceiling:.2})** | **{:.1} %** |",
            100.0 * ops / ceiling
        );
        println!(
            "| NetSuite requests (all callers) / per order | {} / {:.3} |",
            b.ns.requests,
            reqs / b.orders as f64
        );
        println!(
            "| NetSuite requests/s (fraction of the ceiling) | {:.2} ({:.1} %) |",
            reqs / b.secs,
            100.0 * reqs / b.secs / ceiling
        );
        println!(
            "| batch item failures / dead-lettered | {} / {} |",
            b.failed_items, b.dead
        );
        println!("| invocations (batches) | {} |", b.batches);
        println!("| NetSuite 429s | {} |", b.ns.rejected_429);
        println!(
            "| NetSuite peak in flight (all callers) | {} (share {}) |",
            b.ns.peak_in_flight, args.share
        );
        println!(
            "| writer's pool use: requests / DynamoDB reads / writes (per order) | {} / {} / {} ({:.3} reads, {:.3} writes) |",
            b.pool.0, b.pool.1, b.pool.2, b.pool.1 as f64 / b.orders as f64, b.pool.2 as f64 / b.orders as f64
        );
        println!(
            "| writer's wait for a slot, mean per request (all invocations' requests summed: {:.1} s) | {:.0} ms |",
            b.pool.3 as f64 / 1000.0,
            b.pool.3 as f64 / b.pool.0.max(1) as f64
        );
        let (held, busy) = b.slots.means();
        let share = args.share as f64;
        println!(
            "| share use, sampled every 20 ms ({} samples): NetSuite requests in flight / slots the writers hold / held with no request in flight / not held by the writers (mean, of {}) | {busy:.2} ({:.1} %) / {held:.2} / {:.2} ({:.1} %) / {:.2} ({:.1} %) |",
            b.slots.samples, args.share, 100.0 * busy / share,
            (held - busy).max(0.0), 100.0 * (held - busy).max(0.0) / share,
            share - held, 100.0 * (share - held) / share
        );
        if let Some((runs, reqs)) = b.verify {
            println!(
                "| verify job after the burst: runs / NetSuite requests (per order) | {runs} / {reqs} ({:.3}) |",
                reqs as f64 / b.orders as f64
            );
        }
        for (path, n) in by_kind(&b.ns.per_path) {
            println!(
                "| NetSuite `{path}` (writer and jobs) | {n} ({:.3} per order) |",
                n as f64 / b.orders as f64
            );
        }
        if let Some(j) = &b.jobs {
            let writer_share = 100.0 * b.pool.0 as f64 / reqs.max(1.0);
            println!(
                "| writer's part of NetSuite's requests | {writer_share:.1} % ({} of {}) |",
                b.pool.0, b.ns.requests
            );
            println!(
                "| jobs' requests / console calls | {} / {} |",
                j.requests, j.console_calls
            );
            let mut runs: Vec<_> = j.runs.iter().collect();
            runs.sort();
            for (job, (good, bad)) in runs {
                println!("| {job} runs finished / failed | {good} / {bad} |");
                ok &= *bad == 0;
            }
            if let Some(alone) = alone_rate {
                println!(
                    "| writer's orders/s against the writer alone | {:.1} % |",
                    100.0 * ops / alone
                );
            }
        } else {
            alone_rate = Some(ops);
        }
        ok &= b.done == b.orders && b.ns.rejected_429 == 0 && b.ns.peak_in_flight <= args.share;
    }
    if !args.skip_latency {
        let l = latency(&args, &sdk, ceiling).await?;
        println!(
            "\n### Latency: {} orders at {:.2}/s ({} % of the ceiling)\n",
            l.ms.len() + l.missing,
            l.rate,
            args.rate_percent
        );
        println!("| metric | value |\n|---|---|");
        println!("| load average at the phase's start | {} |", l.load);
        println!(
            "| **event → Sales Order p50 / p95 / max** | **{:.0} / {:.0} / {:.0} ms** (NetSuite latency {} ms) |",
            pct(&l.ms, 50.0), pct(&l.ms, 95.0), pct(&l.ms, 100.0), args.netsuite_latency_ms
        );
        println!(
            "| orders without a Sales Order at the end | {} |",
            l.missing
        );
        println!("| batch item failures | {} |", l.failed_items);
        println!(
            "| NetSuite 429s / peak in flight | {} / {} |",
            l.ns.rejected_429, l.ns.peak_in_flight
        );
        ok &= l.missing == 0 && l.ns.rejected_429 == 0;
    }
    println!("\n- load average at the end: {}", loadavg());
    Ok(ok)
}
