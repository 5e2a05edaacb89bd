//! Webhook ingest against moto: signature, validation, de-duplication,
//! archive, FIFO ids, and 5xx when storage is down.

mod common;

use aws_sdk_sqs::types::MessageSystemAttributeName as Attr;
use common::*;

#[tokio::test]
async fn accepted_event_is_archived_and_enqueued_with_fifo_ids() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = order_event(
        "7327112393057371910",
        "7494049642642441621",
        "576486316948490001",
        "AWAITING_SHIPMENT",
    );
    let resp = app.handle("POST", Some(&sign(&body)), &body).await;
    assert_eq!((resp.status, resp.body), (200, None));

    let events = stack.events().await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        attr_s(e, "pk"),
        "EVT#7494049642642441621#7327112393057371910"
    );
    assert_eq!(attr_s(e, "status"), "queued");
    assert_eq!(
        attr_s(e, "raw_body").as_bytes(),
        &body[..],
        "raw body archived byte for byte"
    );
    assert_eq!(attr_s(e, "order_id"), "576486316948490001");
    assert!(e.contains_key("expires_at"), "archive has a TTL");

    let msgs = stack.peek(&stack.names.orders_queue_url).await;
    assert_eq!(msgs.len(), 1);
    let attrs = msgs[0].attributes().expect("attributes");
    assert_eq!(
        attrs.get(&Attr::MessageGroupId).map(String::as_str),
        Some("7494049642642441621:576486316948490001")
    );
    assert_eq!(
        attrs.get(&Attr::MessageDeduplicationId).map(String::as_str),
        Some("7494049642642441621:7327112393057371910"),
        "the shop is part of the deduplication id"
    );
    let q: shared::store::QueuedEvent = serde_json::from_str(msgs[0].body().unwrap()).unwrap();
    assert_eq!(q.shop_id.as_str(), "7494049642642441621");
    assert_eq!(q.data["order_status"], "AWAITING_SHIPMENT");
}

#[tokio::test]
async fn shop_scoped_events_group_by_shop() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = br#"{"type":7,"tts_notification_id":"n-exp","shop_id":"shop-9","timestamp":1,"data":{"message":"expiring","expiration_time":"1627587506"}}"#;
    assert_eq!(
        app.handle("POST", Some(&sign(body)), body).await.status,
        200
    );
    let msgs = stack.peek(&stack.names.orders_queue_url).await;
    assert_eq!(
        msgs[0]
            .attributes()
            .unwrap()
            .get(&Attr::MessageGroupId)
            .map(String::as_str),
        Some("shop-9")
    );
}

#[tokio::test]
async fn duplicate_deliveries_are_stored_once_and_enqueued_once() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = order_event("n-dup", "shop-1", "order-1", "AWAITING_SHIPMENT");
    // Three sequential retries, then five concurrent deliveries of the same event.
    for _ in 0..3 {
        assert_eq!(
            app.handle("POST", Some(&sign(&body)), &body).await.status,
            200
        );
    }
    let sig = sign(&body);
    let results =
        futures::future::join_all((0..5).map(|_| app.handle("POST", Some(&sig), &body))).await;
    assert!(results.iter().all(|r| r.status == 200), "{results:?}");
    assert_eq!(stack.events().await.len(), 1);
    assert_eq!(stack.peek(&stack.names.orders_queue_url).await.len(), 1);
}

#[tokio::test]
async fn missing_notification_id_dedupes_on_body_hash() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = br#"{"type":3,"shop_id":"s","timestamp":1,"data":{"order_id":"o","update_time":1}}"#;
    for _ in 0..2 {
        assert_eq!(
            app.handle("POST", Some(&sign(body)), body).await.status,
            200
        );
    }
    assert_eq!(stack.events().await.len(), 1);
    assert_eq!(stack.peek(&stack.names.orders_queue_url).await.len(), 1);
}

#[tokio::test]
async fn forged_or_missing_signature_is_401_and_stores_nothing() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = order_event("n1", "s", "o", "AWAITING_SHIPMENT");
    let forged = shared::signing::tiktok::webhook_signature(APP_KEY, "not-the-secret", &body);
    for sig in [None, Some(forged.as_str()), Some("")] {
        let r = app.handle("POST", sig, &body).await;
        assert_eq!((r.status, r.body), (401, None));
    }
    assert!(stack.events().await.is_empty());
    assert!(stack.peek(&stack.names.orders_queue_url).await.is_empty());
}

#[tokio::test]
async fn malformed_signed_body_is_200_and_archived_as_rejected() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = br#"{"shop_id":"s","data":{"order_id":"o"}}"#;
    let r = app.handle("POST", Some(&sign(body)), body).await;
    // TikTok's retries would resend the same signed bytes: 200, kept with the reason.
    assert_eq!(r.status, 200);
    let err: serde_json::Value = serde_json::from_str(&r.body.unwrap()).unwrap();
    assert_eq!(err["field"], "type");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("`type` is missing"));
    let events = stack.events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(attr_s(&events[0], "status"), "rejected");
    assert_eq!(attr_s(&events[0], "raw_body").as_bytes(), &body[..]);
    assert!(stack.peek(&stack.names.orders_queue_url).await.is_empty());

    let not_json = b"<xml/>";
    let r = app.handle("POST", Some(&sign(not_json)), not_json).await;
    assert_eq!(r.status, 200);
    assert!(r.body.unwrap().contains("not a JSON object"));
}

#[tokio::test]
async fn oversize_body_is_413() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = vec![b'x'; 256 * 1024 + 1];
    let r = app.handle("POST", Some(&sign(&body)), &body).await;
    assert_eq!(r.status, 413);
    assert!(stack.events().await.is_empty());
}

#[tokio::test]
async fn uninteresting_types_are_archived_and_acknowledged_not_enqueued() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    let body = br#"{"type":5,"tts_notification_id":"p1","shop_id":"s","timestamp":1,"data":{"product_id":"1","status":"ACTIVATE"}}"#;
    assert_eq!(
        app.handle("POST", Some(&sign(body)), body).await.status,
        200
    );
    let events = stack.events().await;
    assert_eq!(attr_s(&events[0], "status"), "ignored");
    assert!(stack.peek(&stack.names.orders_queue_url).await.is_empty());
}

#[tokio::test]
async fn queue_down_answers_5xx_and_a_retry_enqueues_the_stored_event() {
    let stack = Stack::new(30, 5).await;
    let mut broken = stack.config.clone();
    broken.queue.url = format!("{}/123456789012/missing-queue.fifo", endpoint());
    let down = shared::app::WebhookApp::new(broken, &stack.sdk)
        .await
        .unwrap();
    let body = order_event("n-down", "s", "o", "AWAITING_SHIPMENT");
    let r = down.handle("POST", Some(&sign(&body)), &body).await;
    assert_eq!(
        r.status, 503,
        "never 200 for an event that was not enqueued"
    );
    assert!(r.body.unwrap().contains("queue_unavailable"));
    // Stored but not confirmed on the queue...
    assert_eq!(attr_s(&stack.events().await[0], "status"), "received");
    // ...so TikTok's retry, with the queue back, enqueues it rather than dropping it as a duplicate.
    let up = stack.webhook_app().await;
    assert_eq!(
        up.handle("POST", Some(&sign(&body)), &body).await.status,
        200
    );
    assert_eq!(attr_s(&stack.events().await[0], "status"), "queued");
    assert_eq!(stack.peek(&stack.names.orders_queue_url).await.len(), 1);
}

#[tokio::test]
async fn archive_down_answers_5xx_and_enqueues_nothing() {
    let stack = Stack::new(30, 5).await;
    let mut broken = stack.config.clone();
    broken.events.table = "no-such-table".into();
    let down = shared::app::WebhookApp::new(broken, &stack.sdk)
        .await
        .unwrap();
    let body = order_event("n-x", "s", "o", "AWAITING_SHIPMENT");
    let r = down.handle("POST", Some(&sign(&body)), &body).await;
    assert_eq!(r.status, 503);
    assert!(r.body.unwrap().contains("archive_unavailable"));
    assert!(stack.peek(&stack.names.orders_queue_url).await.is_empty());
}
