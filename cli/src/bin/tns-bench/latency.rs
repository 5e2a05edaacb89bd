//! `tns-bench`'s latency phase (orders posted at a steady rate, each
//! timed from its webhook to its Sales Order) and the summary it prints.

use std::time::{Duration, Instant};

use cli::bench::{cores, proc_status_kib, reset_peak_rss};
use tokio::task::JoinHandle;

use super::{
    external_id, post, webhook_body, Args, BenchError, Pipeline, PollerTotals, Throughput,
};

pub(super) struct Latency {
    pub(super) orders: usize,
    pub(super) rate: f64,
    pub(super) achieved_rate: f64,
    pub(super) latencies_ms: Vec<f64>,
    pub(super) stuck: usize,
    pub(super) post_errors: usize,
    pub(super) failed_orders: usize,
    pub(super) failed_detail: Vec<String>,
    pub(super) pollers: PollerTotals,
    pub(super) ns: simulators::netsuite::NetSuiteStats,
    pub(super) hwm_kib: u64,
}

pub(super) async fn latency_phase(
    args: &Args,
    sdk: &aws_config::SdkConfig,
) -> Result<Latency, BenchError> {
    let mut p = Pipeline::start(args, sdk, "l").await?;
    p.spawn_pollers();
    let template = p.template()?;
    let ids: Vec<String> = (0..args.latency_orders)
        .map(|i| format!("5764614130389{i:05}"))
        .collect();
    for id in &ids {
        p.create_order(&template, id)?;
    }
    let http = reqwest::Client::new();
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    // (external id, post time); posts run on their own tasks so a slow
    // answer never delays the schedule.
    let mut pending: Vec<(String, Instant)> = Vec::with_capacity(ids.len());
    let mut latencies_ms = Vec::with_capacity(ids.len());
    let mut posts: Vec<JoinHandle<bool>> = Vec::new();
    reset_peak_rss();
    let start = Instant::now();
    let deadline = Duration::from_secs(args.timeout_secs);
    let mut next_post = 0usize;
    let mut last_post = start;
    while (next_post < ids.len() || !pending.is_empty()) && start.elapsed() < deadline {
        let due = start + interval.mul_f64(next_post as f64);
        if next_post < ids.len() && Instant::now() >= due {
            let id = &ids[next_post];
            let body = webhook_body(&format!("73271123931{next_post:08}"), id);
            let sig = p.env.sign(&body);
            let (http, url) = (http.clone(), p.url.clone());
            let at = Instant::now();
            last_post = at;
            posts.push(tokio::spawn(async move {
                matches!(post(&http, &url, sig, body).await, Ok(200))
            }));
            pending.push((external_id(id), at));
            next_post += 1;
            continue;
        }
        let now = Instant::now();
        pending.retain(|(eid, at)| {
            if p.has_sales_order(eid) {
                latencies_ms.push(now.duration_since(*at).as_secs_f64() * 1000.0);
                false
            } else {
                true
            }
        });
        let mut nap = Duration::from_millis(10);
        if next_post < ids.len() {
            let due = start + interval.mul_f64(next_post as f64);
            nap = nap.min(due.saturating_duration_since(Instant::now()));
        }
        tokio::time::sleep(nap).await;
    }
    let achieved_rate = if next_post > 1 {
        (next_post - 1) as f64 / last_post.duration_since(start).as_secs_f64().max(1e-9)
    } else {
        0.0
    };
    let mut post_errors = 0;
    for h in posts {
        if !h.await.unwrap_or(false) {
            post_errors += 1;
        }
    }
    let hwm_kib = proc_status_kib("VmHWM");
    let failed_detail = p.failed_orders(&ids[..next_post]).await?;
    let (pollers, ns) = p.stop().await;
    latencies_ms.sort_by(f64::total_cmp);
    Ok(Latency {
        orders: ids.len(),
        rate: args.rate,
        achieved_rate,
        latencies_ms,
        stuck: pending.len() + (ids.len() - next_post),
        post_errors,
        failed_orders: failed_detail.len(),
        failed_detail,
        pollers,
        ns,
        hwm_kib,
    })
}

// ---------------------------------------------------------------- output

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub(super) fn print_summary(
    args: &Args,
    endpoint: &str,
    started_at: &str,
    load_before: &str,
    load_after: &str,
    phases: &[Throughput],
    l: Option<&Latency>,
) {
    let latency_s = args.netsuite_latency_ms as f64 / 1000.0;
    let ceiling = if latency_s > 0.0 {
        args.netsuite_concurrency as f64 / latency_s
    } else {
        f64::INFINITY
    };
    println!("## tns-bench results\n");
    println!("- started: {started_at}; cores: {}", cores());
    println!("- load average (1/5/15 min) before: {load_before}; after: {load_after}");
    println!("- AWS endpoint: {endpoint} (moto); simulators in-process on 127.0.0.1");
    println!(
        "- NetSuite simulator: concurrency limit {}, latency {} ms → ceiling {:.1} requests/s; writer pollers {} (per-invocation NetSuite share {}, one WriterApp per poller, as separate Lambda invocations, records of different orders concurrent); batch size {}; queue visibility {} s, max receives {}",
        args.netsuite_concurrency,
        args.netsuite_latency_ms,
        ceiling,
        args.writer_concurrency,
        (args.netsuite_concurrency / args.writer_concurrency).max(1),
        args.batch_size,
        args.visibility_timeout_secs,
        args.max_receive_count
    );
    println!();
    for t in phases {
        let ops = t.completed as f64 / t.total_secs;
        let rpo = t.ns.requests as f64 / t.orders as f64;
        if t.backlog {
            println!(
                "### Backlog ({} orders queued before the writers start: a burst, drained)\n",
                t.orders
            );
        } else {
            println!(
                "### Throughput ({} orders, {} concurrent posters, writers running)\n",
                t.orders, args.posters
            );
        }
        println!("| metric | value |\n|---|---|");
        println!("| Sales Orders created | {} of {} |", t.completed, t.orders);
        if t.backlog {
            println!(
                "| webhooks posted and queued in (before the clock) | {:.2} s |",
                t.post_secs
            );
            println!(
                "| first invocation → last Sales Order | {:.2} s |",
                t.total_secs
            );
        } else {
            println!("| all webhooks posted after | {:.2} s |", t.post_secs);
            println!("| first post → last Sales Order | {:.2} s |", t.total_secs);
        }
        println!("| orders/s | {ops:.2} |");
        println!("| ceiling (concurrency / latency) | {ceiling:.1} /s |");
        println!("| fraction of ceiling | {:.1} % |", 100.0 * ops / ceiling);
        println!(
            "| NetSuite requests/order | {rpo:.2} ({} requests) |",
            t.ns.requests
        );
        println!(
            "| NetSuite requests/s (fraction of ceiling) | {:.2} ({:.1} %) |",
            t.ns.requests as f64 / t.total_secs,
            100.0 * t.ns.requests as f64 / t.total_secs / ceiling
        );
        println!(
            "| orders/s ceiling at {rpo:.2} requests/order | {:.2} /s ({:.1} % reached) |",
            ceiling / rpo,
            100.0 * ops / (ceiling / rpo)
        );
        println!(
            "| failed orders (order log not `created`) | {} |",
            t.failed_orders
        );
        println!("| orders without a Sales Order at the end | {} |", t.stuck);
        println!("| webhook posts not answered 200 | {} |", t.post_errors);
        println!(
            "| writer batches / messages ok / failed | {} / {} / {} |",
            t.pollers.stats.batches, t.pollers.stats.succeeded, t.pollers.stats.failed
        );
        println!(
            "| largest batch / longest batch cycle | {} msgs / {:.2} s |",
            t.pollers.largest_batch,
            t.pollers.max_batch.as_secs_f64()
        );
        println!("| NetSuite 429s | {} |", t.ns.rejected_429);
        println!(
            "| NetSuite peak in flight | {} (limit {}) |",
            t.ns.peak_in_flight, args.netsuite_concurrency
        );
        println!(
            "| order completion from first post p50 / p95 / max | {:.0} / {:.0} / {:.0} ms |",
            percentile(&t.completion_ms, 50.0),
            percentile(&t.completion_ms, 95.0),
            percentile(&t.completion_ms, 100.0)
        );
        println!(
            "| RSS after setup (before first post) | {} |",
            mib(t.rss_setup_kib)
        );
        println!("| peak RSS during the phase (VmHWM) | {} |", mib(t.hwm_kib));
        println!();
        println!("NetSuite requests by path:\n");
        let mut grouped: std::collections::BTreeMap<String, u64> = Default::default();
        for (path, n) in &t.ns.per_path {
            // `PUT …/salesOrder/eid:tts-…` → `PUT …/salesOrder/eid:*`
            let key = match path.rsplit_once('/') {
                Some((head, tail)) if tail.starts_with("eid:") => format!("{head}/eid:*"),
                Some((head, tail)) if tail.chars().all(|c| c.is_ascii_digit()) => {
                    format!("{head}/{{id}}")
                }
                _ => path.clone(),
            };
            *grouped.entry(key).or_default() += n;
        }
        for (path, n) in &grouped {
            println!("- `{path}`: {n}");
        }
        println!();
        for f in &t.failed_detail {
            println!("- failed: {f}");
        }
    }
    if let Some(l) = l {
        let lat = &l.latencies_ms;
        println!(
            "### Latency ({} orders at {} webhooks/s, {:.2}/s achieved)\n",
            l.orders, l.rate, l.achieved_rate
        );
        println!("| metric | value |\n|---|---|");
        println!("| Sales Orders seen | {} of {} |", lat.len(), l.orders);
        println!(
            "| event → Sales Order p50 / p95 / max | {:.0} / {:.0} / {:.0} ms |",
            percentile(lat, 50.0),
            percentile(lat, 95.0),
            percentile(lat, 100.0)
        );
        println!(
            "| min | {:.0} ms |",
            lat.first().copied().unwrap_or(f64::NAN)
        );
        println!("| failed orders | {} |", l.failed_orders);
        println!("| orders without a Sales Order at the end | {} |", l.stuck);
        println!("| webhook posts not answered 200 | {} |", l.post_errors);
        println!(
            "| NetSuite requests/order | {:.2} |",
            l.ns.requests as f64 / l.orders as f64
        );
        println!(
            "| NetSuite 429s / peak in flight | {} / {} |",
            l.ns.rejected_429, l.ns.peak_in_flight
        );
        println!(
            "| writer batches / messages ok / failed | {} / {} / {} |",
            l.pollers.stats.batches, l.pollers.stats.succeeded, l.pollers.stats.failed
        );
        println!("| peak RSS during the phase (VmHWM) | {} |", mib(l.hwm_kib));
        println!();
        for f in &l.failed_detail {
            println!("- failed: {f}");
        }
    }
}
