//! The writer inside one invocation: different orders run concurrently,
//! each order's events strictly in order, and nothing outlives the
//! invocation's deadline (moto + simulators).

mod common;

use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use common::*;
use serde_json::{json, Value};
use shared::app::WriterApp;
use shared::domain::{OrderId, ShopId};
use shared::store::{DynamoOrderLog, OrderLog, SyncStatus};

/// The seed's linked US order, cloned under new ids.
const TEMPLATE: &str = "576461413038785752";

fn clone_order(env: &local_env::LocalEnv, id: &str) {
    clone_order_with(env, id, "AWAITING_SHIPMENT");
}

fn clone_order_with(env: &local_env::LocalEnv, id: &str, status: &str) {
    let mut order = env
        .seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.shop_id == US_SHOP && o.order["id"] == TEMPLATE)
        .expect("template order")
        .order
        .clone();
    order["id"] = json!(id);
    order["status"] = json!(status);
    env.tiktok.state.upsert_order(US_SHOP, order).unwrap();
}

fn record(message_id: &str, order: &str, type_code: i64, data: Value) -> Value {
    let q = shared::store::QueuedEvent {
        v: 1,
        event_key: format!("EVT#{US_SHOP}#{message_id}"),
        shop_id: ShopId::new(US_SHOP),
        notification_id: shared::domain::NotificationId::new(message_id),
        type_code,
        order_id: Some(OrderId::new(order)),
        received_at: 0,
        data,
    };
    json!({"messageId": message_id, "body": serde_json::to_string(&q).unwrap(),
           "attributes": {"MessageGroupId": format!("{US_SHOP}:{order}"), "ApproximateReceiveCount": "1"}})
}

fn create(message_id: &str, order: &str) -> Value {
    record(
        message_id,
        order,
        1,
        json!({"order_id": order, "order_status": "AWAITING_SHIPMENT"}),
    )
}

fn batch(records: Vec<Value>) -> SqsEvent {
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn failed(r: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<String> {
    let mut v: Vec<String> = r
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    v.sort();
    v
}

fn log(env: &local_env::LocalEnv) -> DynamoOrderLog {
    DynamoOrderLog::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.order_log_table,
    )
}

/// A writer whose messages may each take `budget`.
async fn writer_with_budget(env: &local_env::LocalEnv, budget: Duration) -> WriterApp {
    let mut cfg = env.writer_config.clone();
    cfg.writer.message_budget = budget;
    WriterApp::new(cfg, &env.sdk).await.expect("writer")
}

#[tokio::test]
async fn one_order_stays_in_order_while_other_orders_run_alongside() {
    let env = local_env(30, 5).await;
    for id in [
        "900000000000000001",
        "900000000000000002",
        "900000000000000003",
    ] {
        clone_order(&env, id);
    }
    // Create A, create B, A's next status, create C: A's second event must
    // run after its first is logged (it then only records the status; run
    // alongside, both would see no Sales Order and both create), while B and
    // C run concurrently with A.
    let a = "900000000000000001";
    let event = batch(vec![
        create("a-create", a),
        create("b-create", "900000000000000002"),
        record(
            "a-status",
            a,
            1,
            json!({"order_id": a, "order_status": "AWAITING_SHIPMENT"}),
        ),
        create("c-create", "900000000000000003"),
    ]);
    env.netsuite.state.set_latency_ms(300);
    let resp = env.writer.handle_batch(event, None).await;
    assert!(failed(&resp).is_empty(), "{:?}", failed(&resp));
    let e = log(&env)
        .get(&ShopId::new(US_SHOP), &OrderId::new(a))
        .await
        .unwrap()
        .unwrap();
    let statuses: Vec<&str> = e.history.iter().map(|h| h.sync_status.as_str()).collect();
    assert_eq!(statuses, vec!["created", "updated"], "A in order");
    assert_eq!(env.netsuite.state.records("salesOrder").len(), 3);
    let stats = env.netsuite.state.stats();
    assert!(stats.peak_in_flight >= 2, "orders overlapped: {stats:?}");
}

#[tokio::test]
async fn concurrent_orders_sharing_unlinked_skus_look_them_up_once() {
    let env = local_env(30, 5).await;
    let ids: Vec<String> = (1..=6).map(|i| format!("90000000000000010{i}")).collect();
    for id in &ids {
        clone_order(&env, id);
    }
    env.netsuite.state.set_latency_ms(100);
    let event = batch(
        ids.iter()
            .map(|id| create(&format!("m-{id}"), id))
            .collect(),
    );
    let resp = env.writer.handle_batch(event, None).await;
    assert!(failed(&resp).is_empty(), "{:?}", failed(&resp));
    assert_eq!(env.netsuite.state.records("salesOrder").len(), 6);
    let stats = env.netsuite.state.stats();
    let lookups: u64 = stats
        .per_path
        .iter()
        .filter(|(p, _)| p.ends_with("/suiteql"))
        .map(|(_, n)| *n)
        .sum();
    // Without the per-invocation gate each of the six concurrent records
    // asked NetSuite for the same SKUs (6 lookups).
    assert_eq!(lookups, 1, "{stats:?}");
}

#[tokio::test]
async fn a_slow_netsuite_never_makes_a_batch_overrun_its_deadline() {
    let env = local_env(30, 5).await;
    let orders = ["910000000000000001", "910000000000000002"];
    for id in orders {
        clone_order(&env, id);
    }
    // Two orders, each with a second (status) event behind it in its group.
    let event = || {
        batch(vec![
            create("x1", orders[0]),
            create("y1", orders[1]),
            record(
                "x2",
                orders[0],
                1,
                json!({"order_id": orders[0], "order_status": "IN_TRANSIT"}),
            ),
            record(
                "y2",
                orders[1],
                1,
                json!({"order_id": orders[1], "order_status": "IN_TRANSIT"}),
            ),
        ])
    };
    // NetSuite takes 3 s a request (a create makes two: the SKU lookup and
    // the upsert); each message may take 8 s; the invocation has 12 s, of
    // which 3 s are kept for the digest.
    env.netsuite.state.set_latency_ms(3000);
    let writer = writer_with_budget(&env, Duration::from_secs(8)).await;
    let started = Instant::now();
    let resp = writer
        .handle_batch(event(), Some(started + Duration::from_secs(12)))
        .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(12), "overran: {took:?}");
    assert_eq!(
        failed(&resp),
        vec!["x2", "y2"],
        "the second event of each order was not started"
    );
    assert_eq!(env.netsuite.state.records("salesOrder").len(), 2);

    // NetSuite slower than a message's budget: the call is cut at the
    // budget, the message fails retryably, and the batch still ends in time.
    let z = "910000000000000003";
    clone_order(&env, z);
    env.netsuite.state.set_latency_ms(9000);
    let started = Instant::now();
    let resp = writer
        .handle_batch(
            batch(vec![create("z1", z)]),
            Some(started + Duration::from_secs(12)),
        )
        .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(12), "overran: {took:?}");
    assert_eq!(failed(&resp), vec!["z1"]);
    let e = log(&env)
        .get(&ShopId::new(US_SHOP), &OrderId::new(z))
        .await
        .unwrap()
        .unwrap();
    let f = e.last_failure.clone().expect("a logged failure");
    assert!(f.retryable && e.sync_status == SyncStatus::Failed, "{f:?}");
    assert!(e.history.last().unwrap().note.contains("will retry"));

    // Redelivered with NetSuite back to normal: every unstarted or cut
    // message completes, and nothing is written twice (the cut PUT may have
    // committed: the upsert by externalId absorbs it).
    env.netsuite.state.set_latency_ms(0);
    tokio::time::sleep(Duration::from_secs(9)).await; // let the cut request finish in the simulator
    let resp = writer
        .handle_batch(
            batch(vec![
                record(
                    "x2",
                    orders[0],
                    1,
                    json!({"order_id": orders[0], "order_status": "IN_TRANSIT"}),
                ),
                record(
                    "y2",
                    orders[1],
                    1,
                    json!({"order_id": orders[1], "order_status": "IN_TRANSIT"}),
                ),
                create("z1", z),
            ]),
            Some(Instant::now() + Duration::from_secs(30)),
        )
        .await;
    assert!(failed(&resp).is_empty(), "{:?}", failed(&resp));
    let sos = env.netsuite.state.records("salesOrder");
    assert_eq!(sos.len(), 3, "one Sales Order per order");
    for o in orders.iter().chain([&z]) {
        let e = log(&env)
            .get(&ShopId::new(US_SHOP), &OrderId::new(*o))
            .await
            .unwrap()
            .unwrap();
        assert!(
            matches!(e.sync_status, SyncStatus::Created | SyncStatus::Updated),
            "{o}: {:?}",
            e.sync_status
        );
    }
}
