//! One NetSuite budget for the whole deployment (issue 20): the writer, every
//! job and the console take their slots from one pool in DynamoDB (moto), so
//! together they never exceed the account share, and a holder that dies
//! gives its slot back by itself.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use common::*;
use serde_json::{json, Value};
use shared::app::{JobRequest, JobsApp, WriterApp};
use shared::domain::{OrderId, ShopId};
use shared::netsuite::SlotPool;
use shared::store::{DynamoOrderLog, DynamoSlotPool, OrderLog, RunStatus, SyncStatus};

const TEMPLATE: &str = "576461413038785752";
const MAIN: &str = "7068517275539719942";
const EAST: &str = "7068517275539719943";

fn clone_order(env: &local_env::LocalEnv, id: &str) {
    let mut order = seed_us_order(env);
    assert_eq!(order["id"], TEMPLATE);
    order["id"] = json!(id);
    order["status"] = json!("AWAITING_SHIPMENT");
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
}

fn create(message_id: &str, order: &str) -> Value {
    let q = shared::store::QueuedEvent {
        v: 1,
        event_key: format!("EVT#{US_SHOP}#{message_id}"),
        shop_id: ShopId::new(US_SHOP),
        notification_id: shared::domain::NotificationId::new(message_id),
        type_code: 1,
        order_id: Some(OrderId::new(order)),
        received_at: 0,
        data: json!({"order_id": order, "order_status": "AWAITING_SHIPMENT"}),
    };
    json!({"messageId": message_id, "body": serde_json::to_string(&q).unwrap(),
           "attributes": {"MessageGroupId": format!("{US_SHOP}:{order}"), "ApproximateReceiveCount": "1"}})
}

fn batch(records: Vec<Value>) -> SqsEvent {
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn failed(r: &SqsBatchResponse) -> Vec<String> {
    r.batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect()
}

fn external_id(order: &str) -> String {
    shared::mapping::external_id("tts", &ShopId::new(US_SHOP), order)
}

async fn pooled_env(share: usize, latency_ms: u64) -> local_env::LocalEnv {
    local_env::LocalEnv::start_pooled(
        sdk().await,
        local_env::LocalOptions {
            netsuite_concurrency: share,
            netsuite_latency_ms: latency_ms,
            ..Default::default()
        },
    )
    .await
    .expect("local environment")
}

/// The jobs function's app as deployed for one job: its own NetSuite client
/// (one request at a time) on the shared pool.
async fn jobs_app(env: &local_env::LocalEnv) -> JobsApp {
    let mut cfg = env.jobs_config.clone();
    let us = cfg.jobs.mapping.shops.get_mut(US_SHOP).expect("US shop");
    us.inventory = Some(
        serde_json::from_value(json!({
            "location_warehouses": {"1": MAIN, "3": EAST},
            "buffer": {"units": 2, "percent": 10}
        }))
        .unwrap(),
    );
    us.tracking =
        Some(serde_json::from_value(json!({"carriers": {"USPS Priority Mail": "USPS"}})).unwrap());
    JobsApp::new(cfg, &env.sdk).await.unwrap()
}

async fn run_job(env: &local_env::LocalEnv, name: &str) -> Vec<shared::store::JobRun> {
    let app = jobs_app(env).await;
    let runs = app
        .run(&JobRequest {
            job: name.into(),
            shop: Some(US_SHOP.into()),
        })
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        app.netsuite
            .as_ref()
            .and_then(|n| n.slots())
            .map(|k| k.held()),
        Some(0),
        "{name} gave back every slot at the end of its run"
    );
    runs
}

#[tokio::test]
async fn the_writer_jobs_and_console_together_stay_within_the_share() {
    const SHARE: usize = 3;
    let env = pooled_env(SHARE, 100).await;
    // A burst: 30 orders, five batches of six, three writer invocations at
    // once (the event source's MaximumConcurrency = the share).
    let ids: Vec<String> = (0..30).map(|i| format!("9200000000000000{i:02}")).collect();
    for id in &ids {
        clone_order(&env, id);
    }
    let writers = local_env::runner::invocations(&env.writer, &env.sdk, SHARE)
        .await
        .unwrap();
    let batches: Vec<SqsEvent> = ids
        .chunks(6)
        .map(|c| batch(c.iter().map(|id| create(&format!("m-{id}"), id)).collect()))
        .collect();
    let queue = Arc::new(tokio::sync::Mutex::new(batches));
    let writer_tasks = writers.iter().map(|w| {
        let (w, queue) = (w.clone(), queue.clone());
        async move {
            let mut failures = Vec::new();
            loop {
                let Some(event) = queue.lock().await.pop() else {
                    break;
                };
                let deadline = Instant::now() + Duration::from_secs(60);
                failures.extend(failed(&w.handle_batch(event, Some(deadline)).await));
            }
            assert_eq!(w.netsuite.slots().map(|k| k.held() <= SHARE), Some(true));
            failures
        }
    });
    // The console's NetSuite calls (its item search), brief, one at a time.
    let creds = match &env.writer_config.netsuite.source {
        shared::config::NetSuiteSource::Env(c) => c.clone(),
        other => panic!("local credentials expected, got {other:?}"),
    };
    let console = shared::app::netsuite_client(
        &env.writer_config.netsuite,
        &creds,
        &aws_sdk_dynamodb::Client::new(&env.sdk),
        shared::app::NetSuiteCaller::Console,
    )
    .unwrap();
    let console_calls = async {
        let mut ok = 0;
        for _ in 0..8 {
            console
                .suiteql("SELECT id, itemid FROM item")
                .await
                .expect("console query");
            ok += 1;
        }
        ok
    };
    let (writer_failures, inventory, tracking, payouts, verify, console_ok) = tokio::join!(
        futures::future::join_all(writer_tasks),
        run_job(&env, "inventory"),
        run_job(&env, "tracking"),
        run_job(&env, "payouts"),
        run_job(&env, "verify"),
        console_calls,
    );
    let stats = env.netsuite.state.stats();
    assert_eq!(stats.rejected_429, 0, "{stats:?}");
    assert!(stats.peak_in_flight <= SHARE, "{stats:?}");
    for f in &writer_failures {
        assert!(f.is_empty(), "writer batch items failed: {f:?}");
    }
    for (name, runs) in [
        ("inventory", &inventory),
        ("tracking", &tracking),
        ("payouts", &payouts),
        ("verify", &verify),
    ] {
        assert_eq!(runs.len(), 1, "{name}");
        assert!(
            matches!(runs[0].status, RunStatus::Succeeded | RunStatus::Partial),
            "{name} finished: {:?}",
            runs[0]
        );
    }
    assert_eq!(console_ok, 8);
    assert_eq!(console.slots().map(|k| k.held()), Some(0));
    let log = DynamoOrderLog::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.order_log_table,
    );
    for id in &ids {
        let e = log
            .get(&ShopId::new(US_SHOP), &OrderId::new(id))
            .await
            .unwrap()
            .expect("logged");
        assert_eq!(e.sync_status, SyncStatus::Created, "{id}");
        assert!(env
            .netsuite
            .state
            .record_by_external_id("salesOrder", &external_id(id))
            .is_some());
    }
    // The writer really did more than one request at a time through the pool.
    assert!(stats.peak_in_flight >= 2, "{stats:?}");
}

#[tokio::test]
async fn a_dead_holders_slot_comes_back_within_the_lease_and_nothing_is_written_twice() {
    const LEASE: Duration = Duration::from_secs(3);
    let env = pooled_env(1, 800).await;
    let mut cfg = env.writer_config.clone();
    if let Some(s) = cfg.netsuite.slots.as_mut() {
        s.lease = LEASE;
    }
    // A message may take the lease plus its two 800 ms requests and a
    // margin: if the dead holder's slot did not come back within the lease,
    // the message would fail.
    cfg.writer.message_budget = LEASE + Duration::from_secs(3);
    let order = "921000000000000001";
    clone_order(&env, order);
    let event = || batch(vec![create("dead-1", order)]);
    let pool = DynamoSlotPool::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.job_runs_table,
        1,
    );

    // Invocation 1 takes the only slot and dies mid-request (aborted, its
    // process gone: nothing gives the slot back).
    let first = Arc::new(WriterApp::new(cfg.clone(), &env.sdk).await.unwrap());
    let dead_holder = first.netsuite.slots().unwrap().holder().to_string();
    let task = tokio::spawn({
        let first = first.clone();
        async move { first.handle_batch(event(), None).await }
    });
    let started = Instant::now();
    while pool.holders().await.unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never took a slot"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    task.abort();
    let _ = task.await;
    drop(first);
    let held = pool.holders().await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0].1, dead_holder,
        "the dead holder still holds the slot"
    );
    assert_eq!(pool.size(), 1);

    // SQS delivers the message again to another invocation: it waits for the
    // slot to expire, then writes the order once.
    let second = WriterApp::new(cfg, &env.sdk).await.unwrap();
    let deadline =
        Instant::now() + LEASE + Duration::from_millis(3500) + shared::app::BATCH_RESERVE;
    let resp = second.handle_batch(event(), Some(deadline)).await;
    let log = DynamoOrderLog::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.order_log_table,
    );
    let entry = log
        .get(&ShopId::new(US_SHOP), &OrderId::new(order))
        .await
        .unwrap();
    assert!(failed(&resp).is_empty(), "{resp:?} {entry:?}");
    let keeper = second.netsuite.slots().unwrap();
    assert!(
        keeper
            .stats
            .waited_ms
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0,
        "it had to wait for the dead holder's slot"
    );
    let sales_orders: Vec<Value> = env
        .netsuite
        .state
        .records("salesOrder")
        .into_iter()
        .filter(|r| r["externalId"] == external_id(order))
        .collect();
    assert_eq!(sales_orders.len(), 1, "one Sales Order: {sales_orders:?}");
    let stats = env.netsuite.state.stats();
    assert_eq!(
        (stats.rejected_429, stats.peak_in_flight),
        (0, 1),
        "{stats:?}"
    );
    assert_eq!(entry.expect("logged").sync_status, SyncStatus::Created);
    // Its slot is shortened for the next invocation, not held for a lease.
    let held = pool.holders().await.unwrap();
    assert!(held
        .iter()
        .all(|(_, h, _)| h == second.netsuite.slots().unwrap().holder()));
}
