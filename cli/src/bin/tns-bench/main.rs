//! `tns-bench`: throughput, latency and memory of the local order pipeline.
//!
//! Runs against moto (AWS_ENDPOINT_URL, started by `scripts/bench`) and the
//! in-process simulators; all traffic stays on loopback. Three phases, each on
//! a fresh [`LocalEnv`] (own tables, queues, simulators, empty SKU cache):
//!
//! 1. **throughput**: N orders exist in the TikTok simulator; all N signed
//!    webhooks are posted as fast as a few concurrent posters can while the
//!    writers run; the clock runs from the first post until every Sales
//!    Order exists in the NetSuite simulator.
//! 2. **backlog**: the same N webhooks are posted and queued first (a burst
//!    during a live sale); the clock starts with the writers and stops at the
//!    last Sales Order: how much of NetSuite's budget the writer uses.
//! 3. **latency**: webhooks are posted at a steady rate below the ceiling;
//!    event → Sales Order latency is the time from a webhook's post to the
//!    first poll that sees its Sales Order in the simulator.
//!
//! The writer side is wired like [`local_env::runner::LocalRunner`] (the webhook
//! router on a loopback port, `--writer-concurrency` [`SqsPoller`]s with 1 s
//! long polls) but the poll loop is inlined here so each batch can be timed
//! against the writer's 60 s Lambda timeout, and each poller gets its own
//! `WriterApp` (as each concurrent Lambda invocation has its own process and
//! NetSuite semaphore). `--shared-writer` shares one, as `LocalRunner` does:
//! its semaphore then holds limit / pollers permits for all pollers together.
//!
//! Memory: the process's peak RSS (VmHWM) is reset through
//! `/proc/self/clear_refs` before each phase's first post, so the reported
//! peak covers that phase only. It includes both simulators, the webhook and
//! the pollers, so it is an upper bound for the writer alone.
//!
//! Prints a markdown summary on stdout; logs (RUST_LOG, default `warn`) go to stderr.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use cli::bench::{chrono_like_now, loadavg, loopback_endpoint, proc_status_kib, reset_peak_rss};
use local_env::runner::{serve_webhook, PollStats, SqsPoller};
use local_env::{LocalEnv, LocalOptions};
use serde_json::{json, Value};
use shared::domain::ShopId;
use shared::store::{LogFilter, OrderLog};
use tokio::sync::watch;
use tokio::task::JoinHandle;

mod latency;
use latency::{latency_phase, print_summary};

/// Seed shop (US) and the seed order cloned for every benchmark order.
const SHOP: &str = "7494049642642441621";
const TEMPLATE_ORDER: &str = "576461413038785752";

type BenchError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "tns-bench",
    about = "Orders/s, event→Sales Order latency and peak memory of the local pipeline"
)]
struct Args {
    /// Orders in the throughput phase.
    #[arg(long, default_value_t = 200)]
    orders: usize,
    /// NetSuite simulator concurrency limit (and the writer's account share).
    #[arg(long, default_value_t = 5)]
    netsuite_concurrency: usize,
    /// Latency the NetSuite simulator adds to every request.
    #[arg(long, default_value_t = 300)]
    netsuite_latency_ms: u64,
    /// Concurrent writer pollers (the event source's maximum concurrency).
    #[arg(long, default_value_t = 5)]
    writer_concurrency: usize,
    /// Webhooks per second in the latency phase (keep it below the ceiling).
    #[arg(long, default_value_t = 4.0)]
    rate: f64,
    /// Messages per writer invocation (the event source's BatchSize, 1–10).
    #[arg(long, default_value_t = shared::resources::WRITER_BATCH_SIZE as i32,
          value_parser = clap::value_parser!(i32).range(1..=10))]
    batch_size: i32,
    /// Orders in the latency phase.
    #[arg(long, default_value_t = 60)]
    latency_orders: usize,
    /// Concurrent webhook posters in the throughput phase.
    #[arg(long, default_value_t = 4)]
    posters: usize,
    /// Give up waiting for Sales Orders after this many seconds (per phase).
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
    /// Orders queue visibility timeout; 360 s as deployed (6 × the writer timeout).
    #[arg(long, default_value_t = 360)]
    visibility_timeout_secs: u32,
    /// Receives before the DLQ; 5 as deployed.
    #[arg(long, default_value_t = 5)]
    max_receive_count: u32,
    /// Skip the throughput phase.
    #[arg(long)]
    skip_throughput: bool,
    /// Skip the latency phase.
    #[arg(long)]
    skip_latency: bool,
    /// Skip the backlog phase (the same orders queued before the writers start).
    #[arg(long)]
    skip_backlog: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("tns-bench: some orders failed or did not finish; see the summary");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check_args(a: &Args) -> Result<(), BenchError> {
    if a.orders == 0 || a.orders > 99_999 || a.latency_orders > 99_999 {
        return Err("--orders must be 1..=99999 and --latency-orders at most 99999".into());
    }
    if !(a.rate > 0.0 && a.rate.is_finite()) {
        return Err("--rate must be a positive number".into());
    }
    if a.netsuite_concurrency == 0 || a.writer_concurrency == 0 || a.posters == 0 {
        return Err("concurrencies and --posters must be at least 1".into());
    }
    Ok(())
}

async fn run(args: Args) -> Result<bool, BenchError> {
    check_args(&args)?;
    let endpoint = loopback_endpoint()?;
    let sdk = shared::store::aws::sdk_config().await;
    let load_before = loadavg();
    let started_at = chrono_like_now();
    let mut ok = true;

    let mut throughput = Vec::new();
    for (backlog, skip) in [(false, args.skip_throughput), (true, args.skip_backlog)] {
        if skip {
            continue;
        }
        eprintln!(
            "tns-bench: {} phase, {} orders",
            if backlog { "backlog" } else { "throughput" },
            args.orders
        );
        let r = throughput_phase(&args, &sdk, backlog).await?;
        ok &= r.failed_orders == 0 && r.stuck == 0 && r.post_errors == 0;
        throughput.push(r);
    }
    let latency = if args.skip_latency || args.latency_orders == 0 {
        None
    } else {
        eprintln!(
            "tns-bench: latency phase, {} orders at {}/s",
            args.latency_orders, args.rate
        );
        let r = latency_phase(&args, &sdk).await?;
        ok &= r.failed_orders == 0 && r.stuck == 0 && r.post_errors == 0;
        Some(r)
    };
    let load_after = loadavg();

    print_summary(
        &args,
        &endpoint,
        &started_at,
        &load_before,
        &load_after,
        &throughput,
        latency.as_ref(),
    );
    Ok(ok)
}

// ---------------------------------------------------------------- pipeline

#[derive(Debug, Default, Clone, Copy)]
struct PollerTotals {
    stats: PollStats,
    /// Longest receive → writer → delete cycle that carried messages.
    max_batch: Duration,
    largest_batch: u64,
}

impl PollerTotals {
    fn add(&mut self, o: &PollerTotals) {
        self.stats.add(&o.stats);
        self.max_batch = self.max_batch.max(o.max_batch);
        self.largest_batch = self.largest_batch.max(o.largest_batch);
    }
}

/// One fresh environment with the webhook on loopback and the writer pollers.
struct Pipeline {
    env: LocalEnv,
    sdk: aws_config::SdkConfig,
    url: String,
    shutdown: watch::Sender<bool>,
    /// Writer invocations not started yet (see [`Pipeline::spawn_pollers`]).
    idle: Vec<SqsPoller>,
    pollers: Vec<JoinHandle<PollerTotals>>,
    server: JoinHandle<()>,
}

impl Pipeline {
    async fn start(
        args: &Args,
        sdk: &aws_config::SdkConfig,
        phase: &str,
    ) -> Result<Self, BenchError> {
        let opts = LocalOptions {
            prefix: format!(
                "bench{}{phase}",
                shared::clock::Clock::now(&shared::clock::SystemClock)
            ),
            visibility_timeout_secs: args.visibility_timeout_secs,
            max_receive_count: args.max_receive_count,
            netsuite_concurrency: args.netsuite_concurrency,
            netsuite_latency_ms: args.netsuite_latency_ms,
            netsuite_auth: Default::default(),
        };
        let env = LocalEnv::start(sdk.clone(), opts).await?;
        let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
        let (webhook_addr, server) = serve_webhook(env.webhook.clone(), addr).await?;
        let (tx, _) = watch::channel(false);
        let region = sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into());
        // One writer app per poller, like concurrent Lambda invocations, each
        // holding share ÷ pollers NetSuite slots (local_env::runner::invocations).
        let writers =
            local_env::runner::invocations(&env.writer, sdk, args.writer_concurrency).await?;
        let idle = writers
            .into_iter()
            .map(|writer| SqsPoller {
                sqs: aws_sdk_sqs::Client::new(sdk),
                queue_url: env.names.orders_queue_url.clone(),
                writer,
                region: region.clone(),
                wait_secs: 1,
                function_timeout: local_env::runner::FUNCTION_TIMEOUT,
                batch_size: args.batch_size,
            })
            .collect();
        Ok(Self {
            env,
            sdk: sdk.clone(),
            url: format!("http://{webhook_addr}/webhook"),
            shutdown: tx,
            idle,
            pollers: Vec::new(),
            server,
        })
    }

    /// Starts the writer pollers (the event source begins invoking).
    fn spawn_pollers(&mut self) {
        let rx = self.shutdown.subscribe();
        for p in self.idle.drain(..) {
            self.pollers.push(tokio::spawn(poll_loop(p, rx.clone())));
        }
    }

    /// Stops the pollers after their current batch, the server and the simulators.
    async fn stop(self) -> (PollerTotals, simulators::netsuite::NetSuiteStats) {
        let _ = self.shutdown.send(true);
        let mut total = PollerTotals::default();
        for p in self.pollers {
            if let Ok(t) = p.await {
                total.add(&t);
            }
        }
        self.server.abort();
        let stats = self.env.netsuite.state.stats();
        self.env.tiktok.shutdown().await;
        self.env.netsuite.shutdown().await;
        (total, stats)
    }

    /// Puts a clone of the seed order under `order_id` into the TikTok simulator.
    fn create_order(&self, template: &Value, order_id: &str) -> Result<(), BenchError> {
        let mut order = template.clone();
        order["id"] = json!(order_id);
        order["status"] = json!("AWAITING_SHIPMENT");
        order["update_time"] = json!(shared::clock::Clock::now(&shared::clock::SystemClock));
        self.env.tiktok.state.upsert_order(SHOP, order)?;
        Ok(())
    }

    fn template(&self) -> Result<Value, BenchError> {
        self.env
            .seed
            .tiktok
            .orders
            .iter()
            .find(|o| o.shop_id == SHOP && o.order["id"] == TEMPLATE_ORDER)
            .map(|o| o.order.clone())
            .ok_or_else(|| format!("seed order {TEMPLATE_ORDER} not found").into())
    }

    fn has_sales_order(&self, external_id: &str) -> bool {
        self.env
            .netsuite
            .state
            .record_by_external_id("salesOrder", external_id)
            .is_some()
    }

    /// Order log entries of this run whose sync status is not `created`.
    async fn failed_orders(&self, ids: &[String]) -> Result<Vec<String>, BenchError> {
        let log = shared::store::DynamoOrderLog::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            &self.env.names.order_log_table,
        );
        let entries = log.list(&LogFilter::default()).await?;
        let by_id: HashMap<&str, _> = entries.iter().map(|e| (e.order_id.as_str(), e)).collect();
        let mut out = Vec::new();
        for id in ids {
            match by_id.get(id.as_str()) {
                Some(e) if e.sync_status.as_str() == "created" => {}
                Some(e) => out.push(format!(
                    "{id}: {} ({})",
                    e.sync_status.as_str(),
                    e.last_failure
                        .as_ref()
                        .map(|f| format!("{}: {}", f.code.label(), f.reason))
                        .unwrap_or_else(|| "no failure recorded".into())
                )),
                None => out.push(format!("{id}: not in the order log")),
            }
        }
        Ok(out)
    }
}

async fn poll_loop(p: SqsPoller, shutdown: watch::Receiver<bool>) -> PollerTotals {
    let mut t = PollerTotals::default();
    let stats = p
        .run_observed(shutdown, |s, took| {
            t.max_batch = t.max_batch.max(took);
            t.largest_batch = t.largest_batch.max(s.received);
        })
        .await;
    t.stats = stats;
    t
}

fn webhook_body(notification_id: &str, order_id: &str) -> Vec<u8> {
    let now = shared::clock::Clock::now(&shared::clock::SystemClock);
    json!({
        "type": 1,
        "tts_notification_id": notification_id,
        "shop_id": SHOP,
        "timestamp": now,
        "data": {
            "order_id": order_id,
            "order_status": "AWAITING_SHIPMENT",
            "is_on_hold_order": false,
            "update_time": now,
        }
    })
    .to_string()
    .into_bytes()
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    sig: String,
    body: Vec<u8>,
) -> Result<u16, String> {
    http.post(url)
        .header("content-type", "application/json")
        .header("authorization", sig)
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

fn external_id(order_id: &str) -> String {
    shared::mapping::external_id("tts", &ShopId::new(SHOP), order_id)
}

// ---------------------------------------------------------------- phases

struct Throughput {
    /// Drain of a queue filled before the writers start (else posts and
    /// writes overlap).
    backlog: bool,
    orders: usize,
    post_secs: f64,
    total_secs: f64,
    completed: usize,
    stuck: usize,
    post_errors: usize,
    failed_orders: usize,
    failed_detail: Vec<String>,
    pollers: PollerTotals,
    ns: simulators::netsuite::NetSuiteStats,
    rss_setup_kib: u64,
    hwm_kib: u64,
    /// Completion time of each order from the first post, sorted (ms).
    completion_ms: Vec<f64>,
}

async fn throughput_phase(
    args: &Args,
    sdk: &aws_config::SdkConfig,
    backlog: bool,
) -> Result<Throughput, BenchError> {
    let mut p = Pipeline::start(args, sdk, if backlog { "b" } else { "t" }).await?;
    if !backlog {
        p.spawn_pollers();
    }
    let template = p.template()?;
    let ids: Vec<String> = (0..args.orders)
        .map(|i| format!("5764614130388{i:05}"))
        .collect();
    for id in &ids {
        p.create_order(&template, id)?;
    }
    let bodies: Arc<Vec<(Vec<u8>, String)>> = Arc::new(
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                let body = webhook_body(&format!("73271123930{i:08}"), id);
                let sig = p.env.sign(&body);
                (body, sig)
            })
            .collect(),
    );
    let mut pending: HashMap<String, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (external_id(id), i))
        .collect();
    let mut done_ms = vec![None; ids.len()];

    let http = reqwest::Client::new();
    let rss_setup_kib = proc_status_kib("VmRSS");
    reset_peak_rss();
    let start = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let posters: Vec<JoinHandle<usize>> = (0..args.posters)
        .map(|_| {
            let (http, url, next, bodies) =
                (http.clone(), p.url.clone(), next.clone(), bodies.clone());
            tokio::spawn(async move {
                let mut errors = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((body, sig)) = bodies.get(i) else {
                        break;
                    };
                    match post(&http, &url, sig.clone(), body.clone()).await {
                        Ok(200) => {}
                        Ok(s) => {
                            tracing::warn!(status = s, "webhook not accepted");
                            errors += 1;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "webhook post failed");
                            errors += 1;
                        }
                    }
                }
                errors
            })
        })
        .collect();
    let mut post_secs = None;
    let mut post_errors = 0;
    let mut posters = Some(posters);
    let mut start = start;
    if backlog {
        // A burst already queued (a live sale): every webhook is stored and
        // enqueued before the first invocation; the clock starts with it.
        for h in posters.take().into_iter().flatten() {
            post_errors += h.await.unwrap_or(1);
        }
        post_secs = Some(start.elapsed().as_secs_f64());
        start = Instant::now();
        p.spawn_pollers();
    }
    let deadline = Duration::from_secs(args.timeout_secs);
    while !pending.is_empty() && start.elapsed() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if posters
            .as_ref()
            .is_some_and(|ps| ps.iter().all(|h| h.is_finished()))
        {
            for h in posters.take().into_iter().flatten() {
                post_errors += h.await.unwrap_or(1);
            }
            post_secs = Some(start.elapsed().as_secs_f64());
        }
        let now_ms = start.elapsed().as_secs_f64() * 1000.0;
        pending.retain(|eid, i| {
            if p.has_sales_order(eid) {
                done_ms[*i] = Some(now_ms);
                false
            } else {
                true
            }
        });
    }
    let total_secs = start.elapsed().as_secs_f64();
    for h in posters.take().into_iter().flatten() {
        post_errors += h.await.unwrap_or(1);
    }
    let post_secs = post_secs.unwrap_or(total_secs);
    let hwm_kib = proc_status_kib("VmHWM");
    let failed_detail = p.failed_orders(&ids).await?;
    let (pollers, ns) = p.stop().await;
    let mut completion_ms: Vec<f64> = done_ms.into_iter().flatten().collect();
    completion_ms.sort_by(f64::total_cmp);
    Ok(Throughput {
        backlog,
        orders: ids.len(),
        post_secs,
        total_secs,
        completed: completion_ms.len(),
        stuck: pending.len(),
        post_errors,
        failed_orders: failed_detail.len(),
        failed_detail,
        pollers,
        ns,
        rss_setup_kib,
        hwm_kib,
        completion_ms,
    })
}
