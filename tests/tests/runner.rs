//! The local runner end to end on moto: HTTP in, SQS, writer batches with
//! partial failures, DLQ after the redrive count.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use cli::runner::LocalRunner;
use common::*;

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

#[tokio::test]
async fn webhook_over_http_reaches_the_writer() {
    let stack = Stack::new(2, 3).await;
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let runner = LocalRunner::start(
        stack.webhook_app().await,
        stack.writer_app(),
        &stack.sdk,
        addr,
        2,
    )
    .await
    .unwrap();
    let url = format!("http://{}/webhook", runner.webhook_addr);
    let http = reqwest::Client::new();
    for i in 0..3 {
        let body = order_event(
            &format!("n{i}"),
            "shop",
            &format!("order-{i}"),
            "AWAITING_SHIPMENT",
        );
        let r = http
            .post(&url)
            .header("authorization", sign(&body))
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
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);

    wait_for("all three events processed", 30, || async {
        stack
            .events()
            .await
            .iter()
            .filter(|e| attr_s(e, "status") == "processed")
            .count()
            == 3
    })
    .await;
    let stats = runner.stop().await;
    assert_eq!(stats.succeeded, 3);
    assert_eq!(stats.failed, 0);
}

#[tokio::test]
async fn poison_message_fails_alone_and_reaches_the_dlq() {
    let stack = Stack::new(1, 2).await;
    let body = order_event("good", "shop", "order-g", "AWAITING_SHIPMENT");
    let app = stack.webhook_app().await;
    assert_eq!(
        app.handle("POST", Some(&sign(&body)), &body).await.status,
        200
    );
    stack
        .sqs
        .send_message()
        .queue_url(&stack.names.orders_queue_url)
        .message_body("this is not an event")
        .message_group_id("poison-group")
        .message_deduplication_id("poison")
        .send()
        .await
        .unwrap();

    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let runner = LocalRunner::start(app, stack.writer_app(), &stack.sdk, addr, 1)
        .await
        .unwrap();
    wait_for("the poison message in the DLQ", 40, || async {
        let attrs = stack
            .sqs
            .get_queue_attributes()
            .queue_url(&stack.names.orders_dlq_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap();
        attrs
            .attributes()
            .and_then(|a| {
                a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            })
            .is_some_and(|n| n == "1")
    })
    .await;
    let stats = runner.stop().await;
    assert!(
        stats.failed >= 2,
        "the poison message was retried before dead-lettering: {stats:?}"
    );
    let events = stack.events().await;
    assert_eq!(
        attr_s(&events[0], "status"),
        "processed",
        "the good message was not held back by the bad one"
    );
    let dlq = stack.peek(&stack.names.orders_dlq_url).await;
    assert_eq!(
        dlq[0].body(),
        Some("this is not an event"),
        "the poison body is kept verbatim in the DLQ"
    );
}

#[tokio::test]
async fn writer_reports_only_failed_records_and_holds_back_their_group() {
    let stack = Stack::new(30, 5).await;
    let writer = stack.writer_app();
    let app = stack.webhook_app().await;
    let good = order_event("g1", "s", "o1", "AWAITING_SHIPMENT");
    assert_eq!(
        app.handle("POST", Some(&sign(&good)), &good).await.status,
        200
    );
    let queued = stack.peek(&stack.names.orders_queue_url).await[0]
        .body()
        .unwrap()
        .to_string();
    let event: SqsEvent = serde_json::from_value(serde_json::json!({"Records": [
        {"messageId": "m-bad", "body": "{not json", "attributes": {"MessageGroupId": "s:o2", "ApproximateReceiveCount": "1"}},
        {"messageId": "m-good", "body": queued, "attributes": {"MessageGroupId": "s:o1", "ApproximateReceiveCount": "1"}},
        {"messageId": "m-after-bad", "body": queued, "attributes": {"MessageGroupId": "s:o2", "ApproximateReceiveCount": "1"}}
    ]}))
    .unwrap();
    let resp = writer.handle_batch(event).await;
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
    assert_eq!(attr_s(&stack.events().await[0], "status"), "processed");
}
