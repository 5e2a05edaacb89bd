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

use std::collections::{HashMap, VecDeque};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use clap::Parser;
use cli::bench::{chrono_like_now, cores, loadavg, loopback_endpoint};
use local_env::{LocalEnv, LocalOptions};
use serde_json::{json, Value};
use shared::app::{JobRequest, WriterApp};
use shared::domain::{OrderId, ShopId};

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
    /// Invocations at once (the template: MaximumConcurrency = the share).
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

/// One queued message, as SQS keeps it.
struct Msg {
    id: String,
    body: String,
    group: String,
    receives: u32,
    visible_at: Instant,
}

/// An in-memory FIFO queue with SQS's delivery rules: a group with a
/// message in flight delivers nothing else; failures come back after the
/// visibility timeout and go to the DLQ after `max_receive_count`.
#[derive(Default)]
struct Queue {
    waiting: VecDeque<Msg>,
    in_flight_groups: std::collections::HashSet<String>,
    in_flight: usize,
    dead: usize,
}

struct Esm {
    queue: Mutex<Queue>,
    arrived: tokio::sync::Notify,
    closed: AtomicBool,
    batches: AtomicU64,
    failures: AtomicU64,
    arn: String,
}

impl Esm {
    fn new() -> Self {
        Self {
            queue: Mutex::new(Queue::default()),
            arrived: tokio::sync::Notify::new(),
            closed: AtomicBool::new(false),
            batches: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            arn: "arn:aws:sqs:us-east-1:123456789012:bench-orders.fifo".into(),
        }
    }

    fn q(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send(&self, order: &str, n: usize) {
        let q = shared::store::QueuedEvent {
            v: 1,
            event_key: format!("EVT#{SHOP}#bench-{n}"),
            shop_id: ShopId::new(SHOP),
            notification_id: shared::domain::NotificationId::new(format!("bench-{n}")),
            type_code: 1,
            order_id: Some(OrderId::new(order)),
            received_at: shared::clock::Clock::now(&shared::clock::SystemClock),
            data: json!({"order_id": order, "order_status": "AWAITING_SHIPMENT"}),
        };
        let body = serde_json::to_string(&q).unwrap_or_default();
        self.q().waiting.push_back(Msg {
            id: format!("m-{n}"),
            body,
            group: format!("{SHOP}:{order}"),
            receives: 0,
            visible_at: Instant::now(),
        });
        self.arrived.notify_waiters();
    }

    /// Up to `max` visible messages of groups not in flight.
    fn receive(&self, max: usize) -> Vec<Msg> {
        let mut q = self.q();
        let now = Instant::now();
        let mut out = Vec::new();
        let mut i = 0;
        while i < q.waiting.len() && out.len() < max {
            let m = &q.waiting[i];
            if m.visible_at <= now && !q.in_flight_groups.contains(&m.group) {
                if let Some(mut m) = q.waiting.remove(i) {
                    m.receives += 1;
                    q.in_flight_groups.insert(m.group.clone());
                    out.push(m);
                }
            } else {
                i += 1;
            }
        }
        q.in_flight += out.len();
        out
    }

    fn event(&self, msgs: &[Msg]) -> Result<SqsEvent, BenchError> {
        let records: Vec<Value> = msgs
            .iter()
            .map(|m| {
                json!({"messageId": m.id, "receiptHandle": m.id, "body": m.body,
                       "attributes": {"MessageGroupId": m.group,
                                      "ApproximateReceiveCount": m.receives.to_string()},
                       "messageAttributes": {}, "eventSource": "aws:sqs",
                       "eventSourceARN": self.arn, "awsRegion": "us-east-1"})
            })
            .collect();
        Ok(serde_json::from_value(json!({ "Records": records }))?)
    }

    /// Deletes what succeeded; failures become visible again later (or dead).
    fn settle(&self, msgs: Vec<Msg>, failed: &[String], visibility: Duration, max_receives: u32) {
        let mut q = self.q();
        q.in_flight -= msgs.len();
        for m in msgs {
            q.in_flight_groups.remove(&m.group);
            if failed.contains(&m.id) {
                if m.receives >= max_receives {
                    q.dead += 1;
                } else {
                    q.waiting.push_back(Msg {
                        visible_at: Instant::now() + visibility,
                        ..m
                    });
                }
            }
        }
        drop(q);
        self.arrived.notify_waiters();
    }

    fn idle(&self) -> bool {
        let q = self.q();
        q.waiting.is_empty() && q.in_flight == 0
    }
}

/// One concurrent invocation slot of the event source: receive, invoke, settle.
async fn invoker(esm: Arc<Esm>, writer: Arc<WriterApp>, args: Args) {
    while !esm.closed.load(Ordering::Relaxed) {
        let notified = esm.arrived.notified();
        let msgs = esm.receive(args.batch_size);
        if msgs.is_empty() {
            let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            continue;
        }
        let event = match esm.event(&msgs) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "could not build the event");
                return;
            }
        };
        let deadline = Instant::now() + local_env::runner::FUNCTION_TIMEOUT;
        let resp = writer.handle_batch(event, Some(deadline)).await;
        let failed: Vec<String> = resp
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        esm.batches.fetch_add(1, Ordering::Relaxed);
        esm.failures
            .fetch_add(failed.len() as u64, Ordering::Relaxed);
        esm.settle(
            msgs,
            &failed,
            Duration::from_secs(args.visibility_secs),
            args.max_receive_count,
        );
    }
}

struct Stack {
    env: LocalEnv,
    esm: Arc<Esm>,
    writers: Vec<Arc<WriterApp>>,
    invokers: Vec<tokio::task::JoinHandle<()>>,
    template: Value,
}

impl Stack {
    async fn start(
        args: &Args,
        sdk: &aws_config::SdkConfig,
        phase: &str,
    ) -> Result<Self, BenchError> {
        let opts = LocalOptions {
            prefix: format!(
                "bl{}{phase}",
                shared::clock::Clock::now(&shared::clock::SystemClock)
            ),
            visibility_timeout_secs: args.visibility_secs as u32,
            max_receive_count: args.max_receive_count,
            netsuite_concurrency: args.share,
            netsuite_latency_ms: args.netsuite_latency_ms,
        };
        let env = LocalEnv::start_pooled(sdk.clone(), opts).await?;
        let n = args.max_concurrency.unwrap_or(args.share);
        let writers = local_env::runner::invocations(&env.writer, sdk, n).await?;
        let template = env
            .seed
            .tiktok
            .orders
            .iter()
            .find(|o| o.shop_id == SHOP && o.order["id"] == TEMPLATE_ORDER)
            .map(|o| o.order.clone())
            .ok_or("seed order not found")?;
        Ok(Self {
            env,
            esm: Arc::new(Esm::new()),
            writers,
            invokers: Vec::new(),
            template,
        })
    }

    fn order(&self, id: &str) -> Result<(), BenchError> {
        let mut order = self.template.clone();
        order["id"] = json!(id);
        order["status"] = json!("AWAITING_SHIPMENT");
        self.env.tiktok.state.upsert_order(SHOP, order)?;
        Ok(())
    }

    fn start_invokers(&mut self, args: &Args) {
        for w in &self.writers {
            self.invokers.push(tokio::spawn(invoker(
                self.esm.clone(),
                w.clone(),
                args.clone(),
            )));
        }
    }

    fn has_sales_order(&self, order: &str) -> bool {
        let eid = shared::mapping::external_id("tts", &ShopId::new(SHOP), order);
        self.env
            .netsuite
            .state
            .record_by_external_id("salesOrder", &eid)
            .is_some()
    }

    /// Pool figures of the writer's clients: (NetSuite requests, pool reads, pool writes).
    fn writer_pool(&self) -> (u64, u64, u64) {
        let mut t = (0, 0, 0);
        for w in &self.writers {
            if let Some(k) = w.netsuite.slots() {
                t.0 += k.stats.requests.load(Ordering::Relaxed);
                t.1 += k.stats.reads.load(Ordering::Relaxed);
                t.2 += k.stats.writes.load(Ordering::Relaxed);
            }
        }
        t
    }

    async fn stop(mut self) -> simulators::netsuite::NetSuiteStats {
        self.esm.closed.store(true, Ordering::Relaxed);
        for h in self.invokers.drain(..) {
            let _ = h.await;
        }
        let stats = self.env.netsuite.state.stats();
        self.env.tiktok.shutdown().await;
        self.env.netsuite.shutdown().await;
        stats
    }
}

struct Burst {
    orders: usize,
    secs: f64,
    done: usize,
    failed_items: u64,
    dead: usize,
    batches: u64,
    pool: (u64, u64, u64),
    jobs: Option<JobsFigures>,
    ns: simulators::netsuite::NetSuiteStats,
    load: String,
}

#[derive(Default)]
struct JobsFigures {
    runs: HashMap<String, (u64, u64)>,
    requests: u64,
    console_calls: u64,
}

async fn burst(
    args: &Args,
    sdk: &aws_config::SdkConfig,
    with_jobs: bool,
) -> Result<Burst, BenchError> {
    let mut s = Stack::start(args, sdk, if with_jobs { "j" } else { "b" }).await?;
    let ids: Vec<String> = (0..args.orders)
        .map(|i| format!("5764614130390{i:05}"))
        .collect();
    for (n, id) in ids.iter().enumerate() {
        s.order(id)?;
        s.esm.send(id, n);
    }
    let stop_jobs = Arc::new(AtomicBool::new(false));
    let jobs = with_jobs.then(|| spawn_jobs(&s.env, stop_jobs.clone()));
    let load = loadavg();
    let start = Instant::now();
    s.start_invokers(args);
    let mut pending: Vec<&String> = ids.iter().collect();
    while !pending.is_empty() && start.elapsed() < Duration::from_secs(1800) {
        tokio::time::sleep(Duration::from_millis(5)).await;
        pending.retain(|id| !s.has_sales_order(id));
        if s.esm.idle() && !pending.is_empty() && s.esm.q().dead > 0 {
            break;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    stop_jobs.store(true, Ordering::Relaxed);
    let jobs = match jobs {
        Some(h) => Some(h.await?),
        None => None,
    };
    let pool = s.writer_pool();
    let (failed_items, batches, dead) = (
        s.esm.failures.load(Ordering::Relaxed),
        s.esm.batches.load(Ordering::Relaxed),
        s.esm.q().dead,
    );
    let done = ids.len() - pending.len();
    let ns = s.stop().await;
    Ok(Burst {
        orders: ids.len(),
        secs,
        done,
        failed_items,
        dead,
        batches,
        pool,
        jobs,
        ns,
        load,
    })
}

/// The four NetSuite jobs back to back (each as its own function with its
/// own client on the pool) and a console-like client, until `stop`.
fn spawn_jobs(env: &LocalEnv, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<JobsFigures> {
    let (cfg, sdk) = (env.jobs_config.clone(), env.sdk.clone());
    let ns = env.writer_config.netsuite.clone();
    tokio::spawn(async move {
        let mut figures = JobsFigures::default();
        let mut tasks = Vec::new();
        for job in ["inventory", "tracking", "verify", "payouts"] {
            let (cfg, sdk, stop) = (cfg.clone(), sdk.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let Ok(app) = shared::app::JobsApp::new(cfg, &sdk).await else {
                    return (job, 0, 0, 0);
                };
                let (mut ok, mut bad) = (0, 0);
                let req = JobRequest {
                    job: job.into(),
                    shop: Some(SHOP.into()),
                };
                while !stop.load(Ordering::Relaxed) {
                    match app.run(&req).await {
                        Ok(runs)
                            if runs
                                .iter()
                                .all(|r| r.status != shared::store::RunStatus::Failed) =>
                        {
                            ok += 1
                        }
                        _ => bad += 1,
                    }
                }
                let reqs = app
                    .netsuite
                    .as_ref()
                    .and_then(|n| n.slots())
                    .map_or(0, |k| k.stats.requests.load(Ordering::Relaxed));
                (job, ok, bad, reqs)
            }));
        }
        let console = match &ns.source {
            shared::config::NetSuiteSource::Env(c) => shared::app::netsuite_client(
                &ns,
                c,
                &aws_sdk_dynamodb::Client::new(&sdk),
                "console",
            )
            .ok(),
            _ => None,
        };
        if let Some(console) = console {
            while !stop.load(Ordering::Relaxed) {
                if console.suiteql("SELECT id, itemid FROM item").await.is_ok() {
                    figures.console_calls += 1;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        for t in tasks {
            if let Ok((job, ok, bad, reqs)) = t.await {
                figures.runs.insert(job.to_string(), (ok, bad));
                figures.requests += reqs;
            }
        }
        figures
    })
}

struct Latency {
    rate: f64,
    ms: Vec<f64>,
    missing: usize,
    failed_items: u64,
    ns: simulators::netsuite::NetSuiteStats,
    load: String,
}

async fn latency(
    args: &Args,
    sdk: &aws_config::SdkConfig,
    ceiling: f64,
) -> Result<Latency, BenchError> {
    let mut s = Stack::start(args, sdk, "l").await?;
    let ids: Vec<String> = (0..args.latency_orders)
        .map(|i| format!("5764614130391{i:05}"))
        .collect();
    for id in &ids {
        s.order(id)?;
    }
    // Warm the invocations (first SKU lookup, TLS) as a live writer is.
    s.start_invokers(args);
    let rate = ceiling * args.rate_percent / 100.0;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let load = loadavg();
    let start = Instant::now();
    let mut pending: Vec<(usize, Instant)> = Vec::new();
    let mut ms = Vec::new();
    let mut next = 0;
    while (next < ids.len() || !pending.is_empty()) && start.elapsed() < Duration::from_secs(900) {
        while next < ids.len() && Instant::now() >= start + interval.mul_f64(next as f64) {
            pending.push((next, Instant::now()));
            s.esm.send(&ids[next], 100_000 + next);
            next += 1;
        }
        let now = Instant::now();
        pending.retain(|(i, at)| {
            let done = s.has_sales_order(&ids[*i]);
            if done {
                ms.push(now.duration_since(*at).as_secs_f64() * 1000.0);
            }
            !done
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (missing, failed_items) = (pending.len(), s.esm.failures.load(Ordering::Relaxed));
    let ns = s.stop().await;
    ms.sort_by(f64::total_cmp);
    Ok(Latency {
        rate,
        ms,
        missing,
        failed_items,
        ns,
        load,
    })
}

/// Latency of the pool's DynamoDB calls on moto: 200 take/release cycles
/// and 200 renewals, one at a time, on a fresh pool.
async fn pool_latency(args: &Args, sdk: &aws_config::SdkConfig) -> Result<(), BenchError> {
    use shared::netsuite::{SlotPool, Take};
    let s = Stack::start(args, sdk, "p").await?;
    let pool = shared::store::DynamoSlotPool::new(
        aws_sdk_dynamodb::Client::new(sdk),
        &s.env.names.job_runs_table,
        args.share as u32,
    );
    let (mut take, mut renew, mut release) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..200 {
        let until = shared::clock::Clock::now(&shared::clock::SystemClock) * 1000 + 60_000;
        let t = Instant::now();
        let Take::Got(slot) = pool.try_take("bench", None, until).await? else {
            return Err("the empty pool refused a slot".into());
        };
        take.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        pool.renew(slot, "bench", until + 1).await?;
        renew.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        pool.release(slot, "bench").await?;
        release.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    for v in [&mut take, &mut renew, &mut release] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "- slot pool on moto, 200 each, p50 / p95: take (Query + conditional Put) {:.1} / {:.1} ms; renew (conditional Update) {:.1} / {:.1} ms; release (conditional Delete) {:.1} / {:.1} ms",
        pct(&take, 50.0), pct(&take, 95.0), pct(&renew, 50.0), pct(&renew, 95.0), pct(&release, 50.0), pct(&release, 95.0)
    );
    s.stop().await;
    Ok(())
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
    println!(
        "- share {} (pool slots = simulator limit), NetSuite latency {} ms → ceiling {ceiling:.2} requests/s; {} invocations at once, batch size {}, visibility {} s, {} receives",
        args.share, args.netsuite_latency_ms, args.max_concurrency.unwrap_or(args.share),
        args.batch_size, args.visibility_secs, args.max_receive_count
    );
    pool_latency(&args, &sdk).await?;
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
