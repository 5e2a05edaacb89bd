//! Scheduled jobs against moto and the simulators: the missed-order sweep
//! finds what no webhook brought and it is written once; runs of one job
//! and shop never overlap; a run that died is resumed from its checkpoint.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::domain::{OrderId, ShopId};
use shared::store::{JobRuns, OrderLog, RunStatus};

/// The seed's linked US order, cloned under `id` with a fresh `update_time`.
fn clone_order(env: &local_env::LocalEnv, id: &str, status: &str, update_time: i64) {
    let mut order = seed_us_order(env);
    order["id"] = json!(id);
    order["status"] = json!(status);
    order["update_time"] = json!(update_time);
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
}

fn sweep() -> JobRequest {
    job("sweep")
}

/// `job` for the US shop, as its schedule would send it.
fn job(name: &str) -> JobRequest {
    JobRequest {
        job: name.into(),
        shop: Some(US_SHOP.into()),
    }
}

/// Delivers the queue to the writer until it is empty.
async fn drain(env: &local_env::LocalEnv) -> u64 {
    local_env::runner::drain(env).await.expect("poll")
}

fn sales_orders_for(env: &local_env::LocalEnv, order: &str) -> usize {
    let ext = shared::mapping::external_id("tts", &ShopId::new(US_SHOP), order);
    env.netsuite
        .state
        .records("salesOrder")
        .iter()
        .filter(|r| r["externalId"] == json!(ext))
        .count()
}

#[tokio::test]
async fn a_missed_order_is_found_and_written_exactly_once() {
    let env = local_env(30, 5).await;
    let id = "910000000000000001";
    clone_order(&env, id, "AWAITING_SHIPMENT", now() - 120);
    // An order updated long before the window is not the sweep's business.
    clone_order(
        &env,
        "910000000000000002",
        "AWAITING_SHIPMENT",
        now() - 3 * 86_400,
    );

    let runs = env.jobs.run(&sweep()).await.unwrap();
    let run = &runs[0];
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.get("enqueued"), Some(&1), "{run:?}");
    assert!(
        run.findings[0].contains(id) && run.findings[0].contains("never seen"),
        "{run:?}"
    );
    assert_eq!(drain(&env).await, 1);
    assert_eq!(sales_orders_for(&env, id), 1);

    // The next run sees the order again (overlap) but the log has it now.
    let again = env.jobs.run(&sweep()).await.unwrap();
    assert_eq!(again[0].counts.get("enqueued"), None, "{:?}", again[0]);
    assert_eq!(
        again[0].counts.get("up_to_date"),
        Some(&1),
        "{:?}",
        again[0]
    );
    assert_eq!(drain(&env).await, 0);
    assert_eq!(sales_orders_for(&env, id), 1);

    // A status the log never heard about is enqueued once more; the writer
    // records it on the same Sales Order.
    clone_order(&env, id, "IN_TRANSIT", now() - 5);
    let moved = env.jobs.run(&sweep()).await.unwrap();
    assert_eq!(moved[0].counts.get("enqueued"), Some(&1), "{:?}", moved[0]);
    assert!(
        moved[0].findings[0].contains("AWAITING_SHIPMENT"),
        "{:?}",
        moved[0]
    );
    assert_eq!(drain(&env).await, 1);
    assert_eq!(sales_orders_for(&env, id), 1);
    let log = shared::store::DynamoOrderLog::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.order_log_table,
    );
    let e = log
        .get(&ShopId::new(US_SHOP), &OrderId::new(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.tiktok_status, "IN_TRANSIT");

    // The run log shows all three runs, newest first.
    let listed = env
        .jobs
        .runs
        .list_runs("sweep", &ShopId::new(US_SHOP), 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(
        env.jobs
            .runs
            .get_run(&listed[0].id())
            .await
            .unwrap()
            .as_ref(),
        Some(&listed[0])
    );
}

#[tokio::test]
async fn a_run_never_overlaps_the_previous_run_of_the_same_job_and_shop() {
    let env = local_env(30, 5).await;
    clone_order(&env, "910000000000000011", "AWAITING_SHIPMENT", now() - 60);
    let shop = ShopId::new(US_SHOP);
    // A run that is still going (or died a moment ago) holds the lease.
    let held = env
        .jobs
        .runs
        .acquire("sweep", &shop, "other-run", now(), now() + 300)
        .await
        .unwrap();
    assert!(held.is_some());
    let runs = env.jobs.run(&sweep()).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Skipped, "{:?}", runs[0]);
    assert_eq!(drain(&env).await, 0, "a skipped run enqueues nothing");

    // Two runs started together: they never overlap. Either the second
    // meets the first's lease and is skipped, or (when the first was already
    // done) it runs after it and finds the order already queued; either way
    // the order is enqueued once.
    env.jobs
        .runs
        .release("sweep", &shop, "other-run", None)
        .await
        .unwrap();
    let req = sweep();
    let (a, b) = tokio::join!(env.jobs.run(&req), env.jobs.run(&req));
    let (a, b) = (a.unwrap().remove(0), b.unwrap().remove(0));
    let enqueued = |r: &shared::store::JobRun| r.counts.get("enqueued").copied().unwrap_or(0);
    assert!(enqueued(&a) + enqueued(&b) >= 1, "{a:?} {b:?}");
    assert!(
        matches!(
            (&a.status, &b.status),
            (
                RunStatus::Succeeded | RunStatus::Skipped,
                RunStatus::Succeeded | RunStatus::Skipped
            )
        ),
        "{a:?} {b:?}"
    );
    // Whatever the interleaving (one run may also finish before the other
    // takes the lease; once, under load, both reported work in the same
    // second, which DynamoDB's atomic conditional write would not allow, so
    // moto's is suspected), the archive claim and SQS's deduplication id
    // deliver the order once.
    assert_eq!(drain(&env).await, 1, "the order is enqueued once");
}

#[tokio::test]
async fn pages_are_committed_and_a_dead_run_is_resumed_from_its_checkpoint() {
    let env = local_env(30, 5).await;
    for (i, age) in [(1, 300), (2, 200), (3, 100)] {
        clone_order(
            &env,
            &format!("91000000000000002{i}"),
            "AWAITING_SHIPMENT",
            now() - age,
        );
    }
    // One order per page: three pages, page tokens carrying `+`, `/`, `=`.
    let mut cfg = env.jobs_config.clone();
    cfg.jobs.sweep.page_size = 1;
    let jobs = Arc::new(JobsApp::new(cfg, &env.sdk).await.unwrap());
    let shop = ShopId::new(US_SHOP);

    // A run died after committing a window that holds only the newest order
    // (its lease expired): the next run resumes that window, not a new one.
    let t = now();
    let checkpoint = json!({"from": t - 150, "to": t, "page_token": null}).to_string();
    assert!(jobs
        .runs
        .acquire("sweep", &shop, "dead-run", t - 600, t - 1)
        .await
        .unwrap()
        .is_some());
    assert!(jobs
        .runs
        .checkpoint("sweep", &shop, "dead-run", &checkpoint, t - 1)
        .await
        .unwrap());
    let resumed = jobs.run(&sweep()).await.unwrap();
    let r = &resumed[0];
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.resumed_from.as_deref(), Some(checkpoint.as_str()));
    assert_eq!(
        r.counts.get("enqueued"),
        Some(&1),
        "only the checkpoint's window: {r:?}"
    );

    // The run after it starts from the watermark less the overlap (10 min),
    // so it pages through all three, one per page, and enqueues the other two.
    let next = jobs.run(&sweep()).await.unwrap();
    let n = &next[0];
    assert_eq!(n.resumed_from, None);
    assert_eq!(n.counts.get("orders_listed"), Some(&3), "{n:?}");
    assert_eq!(n.counts.get("enqueued"), Some(&2), "{n:?}");
    assert_eq!(drain(&env).await, 3);
}

#[tokio::test]
async fn the_daily_digest_names_open_failures_and_what_the_sweep_recovered() {
    let env = local_env(30, 5).await;
    // The seed's order whose product has no seller SKU, paid, its webhook lost.
    let mut order = env
        .seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "576461413038785754")
        .expect("seed order")
        .order
        .clone();
    let id = "910000000000000031";
    order["id"] = json!(id);
    order["status"] = json!("AWAITING_SHIPMENT");
    order["update_time"] = json!(now() - 30);
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
    env.jobs.run(&sweep()).await.unwrap();
    assert_eq!(drain(&env).await, 1);

    let runs = env.jobs.run(&job("digest")).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Succeeded, "{:?}", runs[0]);
    assert_eq!(
        runs[0].counts.get("orders_failed"),
        Some(&1),
        "{:?}",
        runs[0]
    );
    assert_eq!(
        runs[0].counts.get("orders_recovered"),
        Some(&1),
        "{:?}",
        runs[0]
    );
    let mail = captured_mail().await;
    let (subject, body) = mail
        .iter()
        .find(|(s, b)| s.contains("daily digest") && b.contains(id))
        .unwrap_or_else(|| panic!("no digest naming {id}: {mail:?}"));
    assert!(
        subject.contains("1 failed") && subject.contains("1 recovered"),
        "{subject}"
    );
    assert!(
        body.contains("MISSING_SKU") && body.contains("fix:"),
        "{body}"
    );
    assert!(body.contains(&format!("order {id}: never seen")), "{body}");
}

#[tokio::test]
async fn created_sales_orders_are_read_back_in_batches_and_a_changed_one_is_reported() {
    let env = local_env(30, 5).await;
    let (a, b) = ("910000000000000041", "910000000000000042");
    clone_order(&env, a, "AWAITING_SHIPMENT", now() - 60);
    clone_order(&env, b, "AWAITING_SHIPMENT", now() - 50);
    env.jobs.run(&sweep()).await.unwrap();
    assert_eq!(drain(&env).await, 2);
    // Someone adds a line to B's Sales Order in NetSuite (a PATCH without
    // `replace` appends, as Oracle documents) before the read-back.
    let ext_b = shared::mapping::external_id("tts", &ShopId::new(US_SHOP), b);
    let so_b = env
        .writer
        .netsuite
        .get_by_external_id("salesOrder", &ext_b, false)
        .await
        .unwrap()
        .unwrap();
    let so_b_id = so_b["id"].as_str().unwrap().to_string();
    env.writer
        .netsuite
        .patch(
            "salesOrder",
            &so_b_id,
            &json!({"item": {"items": [{"item": {"id": "103"}, "quantity": 1, "rate": 24.5, "amount": 24.5}]}}),
        )
        .await
        .unwrap();

    let queries_before = suiteql_count(&env);
    let runs = env.jobs.run(&job("verify")).await.unwrap();
    let r = &runs[0];
    assert_eq!(r.counts.get("verified"), Some(&1), "{r:?}");
    assert_eq!(r.counts.get("differs"), Some(&1), "{r:?}");
    assert_eq!(
        suiteql_count(&env) - queries_before,
        1,
        "one query for both"
    );
    let log = shared::store::DynamoOrderLog::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.order_log_table,
    );
    let e = log
        .get(&ShopId::new(US_SHOP), &OrderId::new(b))
        .await
        .unwrap()
        .unwrap();
    let f = e.last_failure.expect("B is failed");
    assert_eq!(f.code.as_str(), "ORDER_CREATION_FAILED");
    assert!(
        f.reason.contains(&so_b_id) && f.reason.contains("item 103 × 2"),
        "{}",
        f.reason
    );
    let ok = log
        .get(&ShopId::new(US_SHOP), &OrderId::new(a))
        .await
        .unwrap()
        .unwrap();
    assert!(ok.last_failure.is_none(), "{ok:?}");
    // Each check is taken once.
    let again = env.jobs.run(&job("verify")).await.unwrap();
    assert_eq!(again[0].counts.get("pending"), Some(&0), "{:?}", again[0]);
}

fn suiteql_count(env: &local_env::LocalEnv) -> u64 {
    env.netsuite
        .state
        .stats()
        .per_path
        .iter()
        .filter(|(p, _)| p.ends_with("/suiteql"))
        .map(|(_, n)| *n)
        .sum()
}
