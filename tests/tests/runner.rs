//! The local runner end to end on moto + simulators: signed HTTP webhooks in,
//! Sales Orders out, Lambda's partial-batch semantics, DLQ after the redrive
//! count with the order log still showing why.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use common::*;
use local_env::LocalRunner;
use shared::domain::{OrderId, ShopId};
use shared::store::{DynamoOrderLog, OrderLog, SyncStatus};

async fn wait_for<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out after {secs}s waiting for {what}");
}

fn log(env: &local_env::LocalEnv) -> DynamoOrderLog {
    DynamoOrderLog::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.order_log_table,
    )
}

async fn status_of(env: &local_env::LocalEnv, shop: &str, order: &str) -> Option<SyncStatus> {
    log(env)
        .get(&ShopId::new(shop), &OrderId::new(order))
        .await
        .unwrap()
        .map(|e| e.sync_status)
}

#[tokio::test]
async fn signed_webhooks_over_http_become_sales_orders() {
    let env = local_env(2, 3).await;
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let runner = LocalRunner::start(env.webhook.clone(), env.writer.clone(), &env.sdk, addr, 2)
        .await
        .unwrap();
    let url = format!("http://{}/webhook", runner.webhook_addr);
    let http = reqwest::Client::new();
    for (n, shop, order, status) in [
        ("n1", US_SHOP, "576461413038785752", "AWAITING_SHIPMENT"),
        ("n2", GB_SHOP, "578903215467812301", "AWAITING_SHIPMENT"),
        ("n3", US_SHOP, "576461413038785753", "ON_HOLD"),
    ] {
        let body = order_event(n, shop, order, status);
        let r = http
            .post(&url)
            .header("authorization", env.sign(&body))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "", "TikTok expects an empty 200");
    }
    let r = http
        .post(&url)
        .header("authorization", "bad")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(http.get(&url).send().await.unwrap().status(), 405);

    wait_for("two Sales Orders and a waiting order", 30, || async {
        status_of(&env, US_SHOP, "576461413038785753").await == Some(SyncStatus::Waiting)
            && env.netsuite.state.records("salesOrder").len() == 2
    })
    .await;
    let stats = runner.stop().await;
    assert_eq!((stats.succeeded, stats.failed), (3, 0));
    assert_eq!(
        status_of(&env, GB_SHOP, "578903215467812301").await,
        Some(SyncStatus::Created)
    );
}

#[tokio::test]
async fn poison_message_fails_alone_and_reaches_the_dlq() {
    let env = local_env(1, 2).await;
    let body = order_event("good", US_SHOP, "576461413038785752", "AWAITING_SHIPMENT");
    assert_eq!(
        env.webhook
            .handle("POST", Some(&env.sign(&body)), &body)
            .await
            .status,
        200
    );
    let sqs = aws_sdk_sqs::Client::new(&env.sdk);
    sqs.send_message()
        .queue_url(&env.names.orders_queue_url)
        .message_body("this is not an event")
        .message_group_id("poison-group")
        .message_deduplication_id("poison")
        .send()
        .await
        .unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let runner = LocalRunner::start(env.webhook.clone(), env.writer.clone(), &env.sdk, addr, 1)
        .await
        .unwrap();
    wait_for("the poison message in the DLQ", 40, || async {
        dlq_depth(&sqs, &env.names.orders_dlq_url).await == 1
    })
    .await;
    let stats = runner.stop().await;
    assert!(
        stats.failed >= 2,
        "the poison message was retried before dead-lettering: {stats:?}"
    );
    assert_eq!(
        status_of(&env, US_SHOP, "576461413038785752").await,
        Some(SyncStatus::Created),
        "the good order was not held back"
    );
}

async fn dlq_depth(sqs: &aws_sdk_sqs::Client, url: &str) -> usize {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap();
    out.attributes()
        .and_then(|a| a.get(&A::ApproximateNumberOfMessages))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn netsuite_down_for_good_sends_the_order_to_the_dlq_with_its_reason_in_the_log() {
    let env = local_env(1, 2).await;
    env.netsuite
        .state
        .inject_fault(simulators::netsuite::FaultKind::ServerError, 10_000, 0);
    let body = order_event("down", GB_SHOP, "578903215467812301", "AWAITING_SHIPMENT");
    assert_eq!(
        env.webhook
            .handle("POST", Some(&env.sign(&body)), &body)
            .await
            .status,
        200
    );
    let sqs = aws_sdk_sqs::Client::new(&env.sdk);
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let runner = LocalRunner::start(env.webhook.clone(), env.writer.clone(), &env.sdk, addr, 1)
        .await
        .unwrap();
    wait_for("the order in the DLQ", 90, || async {
        dlq_depth(&sqs, &env.names.orders_dlq_url).await == 1
    })
    .await;
    runner.stop().await;
    let e = log(&env)
        .get(&ShopId::new(GB_SHOP), &OrderId::new("578903215467812301"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.sync_status, SyncStatus::Failed);
    let f = e.last_failure.unwrap();
    assert_eq!(
        (f.code.as_str(), f.retryable, f.http_status),
        ("CONNECTION_ERROR", true, Some(500))
    );
    assert!(
        e.history.last().unwrap().note.contains("dead-letter queue"),
        "{:?}",
        e.history.last()
    );
    assert!(env.netsuite.state.records("salesOrder").is_empty());
}

#[tokio::test]
async fn writer_reports_only_failed_records_and_holds_back_their_group() {
    let env = local_env(30, 5).await;
    let good = order_event("g1", US_SHOP, "576461413038785752", "AWAITING_SHIPMENT");
    assert_eq!(
        env.webhook
            .handle("POST", Some(&env.sign(&good)), &good)
            .await
            .status,
        200
    );
    let sqs = aws_sdk_sqs::Client::new(&env.sdk);
    let got = sqs
        .receive_message()
        .queue_url(&env.names.orders_queue_url)
        .send()
        .await
        .unwrap();
    let queued = got.messages()[0].body().unwrap().to_string();
    let event: SqsEvent = serde_json::from_value(serde_json::json!({"Records": [
        {"messageId": "m-bad", "body": "{not json", "attributes": {"MessageGroupId": "s:o2", "ApproximateReceiveCount": "1"}},
        {"messageId": "m-good", "body": queued, "attributes": {"MessageGroupId": "s:o1", "ApproximateReceiveCount": "1"}},
        {"messageId": "m-after-bad", "body": queued, "attributes": {"MessageGroupId": "s:o2", "ApproximateReceiveCount": "1"}}
    ]}))
    .unwrap();
    let resp = env.writer.handle_batch(event, None).await;
    let failed: Vec<&str> = resp
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(
        failed,
        vec!["m-bad", "m-after-bad"],
        "later messages of a failed group wait, others go on"
    );
    assert_eq!(env.netsuite.state.records("salesOrder").len(), 1);
}

#[tokio::test]
async fn new_failures_reach_admins_in_one_digest_per_batch() {
    let env = local_env(30, 5).await;
    // moto is shared by tests running in parallel: count only this test's mail.
    let ours = || async {
        captured_mail()
            .await
            .into_iter()
            .filter(|(_, b)| b.contains("576461413038785754"))
            .collect::<Vec<_>>()
    };
    // Two orders fail for reasons a retry cannot fix, in one batch.
    for order in ["576461413038785754", "576461413038785753"] {
        let mut o = env
            .seed
            .tiktok
            .orders
            .iter()
            .find(|o| o.order["id"] == order)
            .unwrap()
            .order
            .clone();
        o["status"] = serde_json::json!("AWAITING_SHIPMENT");
        if order.ends_with("753") {
            o["line_items"][0]["combined_listing_skus"][0]["seller_sku"] =
                serde_json::json!("NOT-IN-NETSUITE");
        }
        env.tiktok.state.upsert_order(US_SHOP, o).unwrap();
    }
    let records: Vec<serde_json::Value> = ["576461413038785754", "576461413038785753"]
        .iter()
        .map(|order| {
            let body = order_event(&format!("d-{order}"), US_SHOP, order, "AWAITING_SHIPMENT");
            let env_ = shared::ingest::parse_envelope(&body).unwrap();
            let q = shared::store::QueuedEvent {
                v: 1,
                event_key: shared::store::keys::event(&env_.shop_id, &env_.notification_id),
                shop_id: env_.shop_id,
                notification_id: env_.notification_id,
                type_code: 1,
                order_id: env_.order_id,
                received_at: 0,
                data: env_.data,
            };
            serde_json::json!({"messageId": order, "body": serde_json::to_string(&q).unwrap(),
                               "attributes": {"MessageGroupId": order, "ApproximateReceiveCount": "1"}})
        })
        .collect();
    let event: SqsEvent =
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap();
    let resp = env.writer.handle_batch(event.clone(), None).await;
    assert!(
        resp.batch_item_failures.is_empty(),
        "non-retryable failures are consumed"
    );
    let mails = ours().await;
    assert_eq!(mails.len(), 1, "one digest for the batch");
    let (subject, body) = mails.last().unwrap();
    assert!(subject.contains("2 order(s)"), "{subject}");
    assert!(
        body.contains("576461413038785754") && body.contains("Missing SKU"),
        "{body}"
    );
    assert!(
        body.contains("NOT-IN-NETSUITE") && body.contains("Fix:"),
        "{body}"
    );
    // The same failures again are not news.
    env.writer.handle_batch(event, None).await;
    assert_eq!(ours().await.len(), 1);
}

#[tokio::test]
async fn resubmit_after_linking_the_sku_goes_through_the_queue_and_succeeds() {
    use shared::store::{DynamoSkuLinks, SkuLink, SkuLinks};
    let env = local_env(2, 3).await;
    let mut o = env
        .seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "578903215467812302")
        .unwrap()
        .order
        .clone();
    o["line_items"][0]["seller_sku"] = serde_json::json!("TENT-LEGACY");
    env.tiktok.state.upsert_order(GB_SHOP, o).unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let runner = LocalRunner::start(env.webhook.clone(), env.writer.clone(), &env.sdk, addr, 1)
        .await
        .unwrap();
    let body = order_event("rs1", GB_SHOP, "578903215467812302", "AWAITING_SHIPMENT");
    assert_eq!(
        env.webhook
            .handle("POST", Some(&env.sign(&body)), &body)
            .await
            .status,
        200
    );
    wait_for("the unlinked-SKU failure", 30, || async {
        status_of(&env, GB_SHOP, "578903215467812302").await == Some(SyncStatus::Failed)
    })
    .await;

    // The operator links the SKU and resubmits everything blocked on it.
    let ddb = aws_sdk_dynamodb::Client::new(&env.sdk);
    DynamoSkuLinks::new(ddb, &env.names.order_log_table)
        .put(&SkuLink {
            shop_id: ShopId::new(GB_SHOP),
            sku: shared::domain::Sku::new("TENT-LEGACY"),
            item_id: "101".into(),
            source: "manual".into(),
        })
        .await
        .unwrap();
    let filter = shared::store::LogFilter {
        sku: Some("TENT-LEGACY".into()),
        ..Default::default()
    };
    let blocked = shared::ops::resubmittable(&log(&env), &filter)
        .await
        .unwrap();
    assert_eq!(blocked.len(), 1);
    let queue = shared::store::SqsEventQueue::new(
        aws_sdk_sqs::Client::new(&env.sdk),
        &env.names.orders_queue_url,
    );
    assert_eq!(
        shared::ops::resubmit(&queue, &blocked, now())
            .await
            .unwrap(),
        1
    );
    wait_for("the resubmitted order created", 30, || async {
        status_of(&env, GB_SHOP, "578903215467812302").await == Some(SyncStatus::Created)
    })
    .await;
    runner.stop().await;
    assert_eq!(env.netsuite.state.records("salesOrder").len(), 1);
    let e = log(&env)
        .get(&ShopId::new(GB_SHOP), &OrderId::new("578903215467812302"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.attempts, 2);
    assert!(e.last_failure.is_none());
    let csv = shared::ops::to_csv(&[e]);
    assert!(csv.lines().nth(1).unwrap().contains(",created,"), "{csv}");
}

fn batch_of(notification: &str, shop: &str, order: &str) -> SqsEvent {
    let body = order_event(notification, shop, order, "AWAITING_SHIPMENT");
    let e = shared::ingest::parse_envelope(&body).unwrap();
    let q = shared::store::QueuedEvent {
        v: 1,
        event_key: shared::store::keys::event(&e.shop_id, &e.notification_id),
        shop_id: e.shop_id,
        notification_id: e.notification_id,
        type_code: 1,
        order_id: e.order_id,
        received_at: 0,
        data: e.data,
    };
    serde_json::from_value(serde_json::json!({"Records": [{"messageId": notification, "body": serde_json::to_string(&q).unwrap(),
        "attributes": {"MessageGroupId": order, "ApproximateReceiveCount": "1"}}]}))
    .unwrap()
}

#[tokio::test]
async fn an_expired_tiktok_token_is_refreshed_and_the_order_goes_through() {
    let env = local_env(30, 5).await;
    // TikTok expired the token early; our store still believes it is valid.
    env.tiktok
        .state
        .set_token(US_SHOP, None, Some(now() - 10))
        .unwrap();
    let resp = env
        .writer
        .handle_batch(batch_of("tok1", US_SHOP, "576461413038785752"), None)
        .await;
    assert!(resp.batch_item_failures.is_empty());
    assert_eq!(
        status_of(&env, US_SHOP, "576461413038785752").await,
        Some(SyncStatus::Created)
    );
    use shared::store::ShopTokenStore;
    let store = shared::store::DynamoShopTokenStore::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.shop_tokens_table,
    );
    let creds = store.get(&ShopId::new(US_SHOP)).await.unwrap().unwrap();
    let seeded = env
        .seed
        .tiktok
        .shops
        .iter()
        .find(|s| s.id == US_SHOP)
        .unwrap();
    assert_ne!(
        creds.access_token, seeded.access_token,
        "the refreshed token was stored"
    );
}

#[tokio::test]
async fn a_failed_token_refresh_is_an_unauthorized_failure_and_an_admin_alert() {
    use shared::store::{DynamoShopTokenStore, ShopCredentials, ShopTokenStore};
    let env = local_env(30, 5).await;
    let store = DynamoShopTokenStore::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.shop_tokens_table,
    );
    let seeded = env
        .seed
        .tiktok
        .shops
        .iter()
        .find(|s| s.id == GB_SHOP)
        .unwrap();
    store
        .put(&ShopCredentials {
            shop_id: ShopId::new(GB_SHOP),
            cipher: seeded.cipher.clone(),
            access_token: seeded.access_token.clone(),
            access_token_expires_at: now() + 60,
            refresh_token: "TTP_revoked".into(),
            refresh_token_expires_at: now() + 86_400,
        })
        .await
        .unwrap();
    let resp = env
        .writer
        .handle_batch(batch_of("tok2", GB_SHOP, "578903215467812301"), None)
        .await;
    assert!(
        resp.batch_item_failures.is_empty(),
        "a revoked refresh token needs a human, not retries"
    );
    let e = log(&env)
        .get(&ShopId::new(GB_SHOP), &OrderId::new("578903215467812301"))
        .await
        .unwrap()
        .unwrap();
    let f = e.last_failure.unwrap();
    assert_eq!((f.code.as_str(), f.retryable), ("UNAUTHORIZED", false));
    assert!(f.fix.contains("re-authorize"), "{}", f.fix);
    let mails: Vec<_> = captured_mail()
        .await
        .into_iter()
        .filter(|(_, b)| b.contains("578903215467812301"))
        .collect();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].1.contains("Unauthorized"), "{}", mails[0].1);
}
