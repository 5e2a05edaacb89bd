//! The phases: a burst (alone or with the jobs and a console), steady-rate
//! latency, and the slot pool's own DynamoDB latency.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cli::bench::loadavg;
use local_env::LocalEnv;
use shared::app::JobRequest;

use crate::stack::Stack;
use crate::{pct, Args, BenchError, SHOP};

pub(crate) struct Burst {
    pub(crate) orders: usize,
    pub(crate) secs: f64,
    pub(crate) done: usize,
    pub(crate) failed_items: u64,
    pub(crate) dead: usize,
    pub(crate) batches: u64,
    pub(crate) pool: (u64, u64, u64, u64),
    pub(crate) jobs: Option<JobsFigures>,
    /// The verify job run after the writer alone: runs, NetSuite requests.
    pub(crate) verify: Option<(u64, u64)>,
    pub(crate) ns: simulators::netsuite::NetSuiteStats,
    pub(crate) load: String,
    /// Sampled every 20 ms (in process, no DynamoDB call): means of the
    /// slots the writers hold and of NetSuite's requests in flight.
    pub(crate) slots: Slots,
}

/// How the share was used during a burst (means over the samples).
#[derive(Default)]
pub(crate) struct Slots {
    pub(crate) samples: u64,
    held: f64,
    in_flight: f64,
}

impl Slots {
    fn sample(&mut self, held: usize, in_flight: usize) {
        self.samples += 1;
        self.held += held as f64;
        self.in_flight += in_flight as f64;
    }

    /// Mean slots held by the writers, mean NetSuite requests in flight.
    pub(crate) fn means(&self) -> (f64, f64) {
        let n = self.samples.max(1) as f64;
        (self.held / n, self.in_flight / n)
    }
}

#[derive(Default)]
pub(crate) struct JobsFigures {
    pub(crate) runs: HashMap<String, (u64, u64)>,
    pub(crate) requests: u64,
    pub(crate) console_calls: u64,
}

pub(crate) async fn burst(
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
    let mut slots = Slots::default();
    // Every 20 ms: the end is known to 20 ms in a run of a minute or more,
    // and the bench's own polling takes less CPU from what it measures.
    while !pending.is_empty() && start.elapsed() < Duration::from_secs(1800) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        slots.sample(s.writers_holding(), s.env.netsuite.state.stats().in_flight);
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
    let verify = if with_jobs {
        None
    } else {
        Some(verify_all(&mut s).await?)
    };
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
        verify,
        ns,
        load,
        slots,
    })
}

/// Runs the verify job until it has checked every Sales Order the burst
/// created (each run reads up to 100 per SuiteQL query): (runs, requests).
async fn verify_all(s: &mut Stack) -> Result<(u64, u64), BenchError> {
    // The invocations finish their batches (order log, checks) first.
    s.esm.closed.store(true, Ordering::Relaxed);
    for h in s.invokers.drain(..) {
        let _ = h.await;
    }
    let app = shared::app::JobsApp::new(s.env.jobs_config.clone(), &s.env.sdk).await?;
    let before = s.env.netsuite.state.stats().requests;
    let req = JobRequest {
        job: "verify".into(),
        shop: Some(SHOP.into()),
    };
    let mut runs = 0;
    for _ in 0..20 {
        runs += 1;
        let out = app.run(&req).await?;
        let pending: u64 = out
            .iter()
            .flat_map(|r| r.counts.iter())
            .filter(|(k, _)| k.as_str() == "pending")
            .map(|(_, v)| *v)
            .sum();
        if pending == 0 {
            break;
        }
    }
    Ok((runs, s.env.netsuite.state.stats().requests - before))
}

/// The four NetSuite jobs back to back (each as its own function with its
/// own client on the pool) and a console-like client, until `stop`.
pub(crate) fn spawn_jobs(
    env: &LocalEnv,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<JobsFigures> {
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
                shared::app::NetSuiteCaller::Console,
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

pub(crate) struct Latency {
    pub(crate) rate: f64,
    pub(crate) ms: Vec<f64>,
    pub(crate) missing: usize,
    pub(crate) failed_items: u64,
    pub(crate) ns: simulators::netsuite::NetSuiteStats,
    pub(crate) load: String,
}

pub(crate) async fn latency(
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
pub(crate) async fn pool_latency(
    args: &Args,
    sdk: &aws_config::SdkConfig,
) -> Result<(), BenchError> {
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
