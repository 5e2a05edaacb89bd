//! The webhook handler: verify, de-duplicate, archive, enqueue, answer.
//!
//! It is written over `EventArchive`/`EventQueue` so the Lambda binary, the
//! local runner and the tests all run this exact code. The order of checks is
//! the contract with TikTok: size (413), then signature on the raw bytes
//! (401, nothing stored), then parsing (200, archived as rejected with the
//! reason: TikTok's retries would resend the same signed bytes), then
//! storage; any storage failure answers 5xx so TikTok retries, and 200 is only
//! ever sent for an event that is in the archive.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::envelope::{group_id, parse_envelope, Envelope};
use crate::clock::Clock;
use crate::config::TikTokApp;
use crate::signing::tiktok::verify_webhook;
use crate::store::{
    keys, ArchivedEvent, Claim, EventArchive, EventQueue, EventStatus, QueuedEvent, RejectedEvent,
    Store, StoreError,
};

/// What the handler needs, borrowed from whoever wired it.
pub struct WebhookDeps<'a> {
    pub app: &'a TikTokApp,
    pub archive: &'a dyn EventArchive,
    pub queue: &'a dyn EventQueue,
    pub max_body_bytes: usize,
    pub retention_days: u32,
    /// Where "now" comes from (archive timestamps and TTL).
    pub clock: &'a dyn Clock,
}

/// A transport-neutral response; adapters turn it into Lambda or axum responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookResponse {
    pub status: u16,
    /// JSON error body for 4xx/5xx answers that carry one; TikTok wants 200/401 empty.
    pub body: Option<String>,
}

impl WebhookResponse {
    fn empty(status: u16) -> Self {
        Self { status, body: None }
    }

    /// 200 for a signed but unusable push: kept, named, not retried.
    fn rejected(field: Option<&str>, message: &str) -> Self {
        Self::error(200, "invalid_event", field, message)
    }

    fn error(status: u16, code: &str, field: Option<&str>, message: &str) -> Self {
        let mut v = json!({ "error": code, "message": message });
        if let Some(f) = field {
            v["field"] = json!(f);
        }
        Self {
            status,
            body: Some(v.to_string()),
        }
    }
}

/// Handles one webhook delivery.
pub async fn handle(
    deps: &WebhookDeps<'_>,
    method: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> WebhookResponse {
    if !method.eq_ignore_ascii_case("POST") {
        return WebhookResponse::error(
            405,
            "method_not_allowed",
            None,
            "TikTok Shop webhooks are delivered with POST",
        );
    }
    if body.len() > deps.max_body_bytes {
        tracing::warn!(
            bytes = body.len(),
            limit = deps.max_body_bytes,
            "webhook body too large"
        );
        return WebhookResponse::error(
            413,
            "payload_too_large",
            None,
            &format!(
                "body is {} bytes; the limit is {} (WEBHOOK_MAX_BODY_BYTES)",
                body.len(),
                deps.max_body_bytes
            ),
        );
    }
    let signed = authorization
        .is_some_and(|sig| verify_webhook(&deps.app.app_key, &deps.app.app_secret, body, sig));
    if !signed {
        tracing::warn!(
            has_header = authorization.is_some(),
            "webhook signature rejected"
        );
        crate::metrics::emit(&[("Function", "webhook")], &[("WebhooksUnsigned", 1)]);
        return WebhookResponse::empty(401);
    }
    let now = deps.clock.now();
    let expires_at = now + i64::from(deps.retention_days) * 86_400;

    let envelope = match parse_envelope(body) {
        Ok(e) => e,
        Err(e) => {
            let rejected = RejectedEvent {
                key: keys::rejected(&hex::encode(Sha256::digest(body))),
                raw_body: String::from_utf8_lossy(body).into_owned(),
                reason: e.message.clone(),
                received_at: now,
                expires_at,
            };
            if let Err(store) = deps.archive.archive_rejected(&rejected).await {
                tracing::error!(error = %store, "could not archive a rejected webhook");
                return unavailable(&store);
            }
            // TikTok signed it, so its retries would send the same bytes:
            // answer 200 (nothing a retry can fix), keep it with the reason
            // in the archive, and count it for the admins in the logs.
            tracing::warn!(
                field = e.field,
                reason = %e.message,
                key = %rejected.key,
                metric = "webhook_rejected_malformed",
                count = 1,
                "signed webhook rejected as malformed; archived with the reason"
            );
            crate::metrics::emit(&[("Function", "webhook")], &[("WebhooksMalformed", 1)]);
            return WebhookResponse::rejected(e.field, &e.message);
        }
    };

    match store_and_enqueue(deps.archive, deps.queue, &envelope, body, now, expires_at).await {
        Ok(outcome) => {
            tracing::info!(
                shop_id = %envelope.shop_id,
                order_id = envelope.order_id.as_ref().map(|o| o.as_str()),
                notification_id = %envelope.notification_id,
                event_type = envelope.kind.code(),
                outcome = outcome.as_str(),
                "webhook accepted"
            );
            crate::metrics::emit(&[("Function", "webhook")], &[("WebhooksAccepted", 1)]);
            WebhookResponse::empty(200)
        }
        Err(e) => {
            tracing::error!(error = %e, notification_id = %envelope.notification_id, "webhook not stored; answering 5xx so TikTok retries");
            unavailable(&e)
        }
    }
}

fn unavailable(e: &StoreError) -> WebhookResponse {
    let code = match e.store() {
        Store::OrdersQueue => "queue_unavailable",
        _ => "archive_unavailable",
    };
    WebhookResponse::error(503, code, None, "the event was not stored; retry later")
}

/// What happened to an accepted event, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Queued,
    Ignored,
    Duplicate,
    Requeued,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Ignored => "ignored",
            Self::Duplicate => "duplicate",
            Self::Requeued => "requeued",
        }
    }
}

/// Archives the event (the claim is the de-duplication) and enqueues it on
/// its order's FIFO group. Also how the missed-order sweep
/// (`ingest::sweep`) enqueues what it finds, so a recovered order travels
/// exactly like a webhook and is de-duplicated like one.
pub(crate) async fn store_and_enqueue(
    archive: &dyn EventArchive,
    queue: &dyn EventQueue,
    env: &Envelope,
    body: &[u8],
    now: i64,
    expires_at: i64,
) -> Result<Outcome, StoreError> {
    let key = keys::event(&env.shop_id, &env.notification_id);
    let actionable = env.kind.is_actionable();
    let record = ArchivedEvent {
        key: key.clone(),
        shop_id: env.shop_id.clone(),
        notification_id: env.notification_id.clone(),
        type_code: env.kind.code(),
        type_name: env.kind.name(),
        order_id: env.order_id.clone(),
        raw_body: String::from_utf8_lossy(body).into_owned(),
        received_at: now,
        expires_at,
        status: if actionable {
            EventStatus::Received
        } else {
            EventStatus::Ignored
        },
    };
    let requeue = match archive.claim(&record).await? {
        Claim::New if !actionable => {
            tracing::info!(event_type = env.kind.code(), name = %env.kind.name(), "event type archived, not enqueued");
            return Ok(Outcome::Ignored);
        }
        Claim::New => false,
        // A previous delivery stored it but may have failed to enqueue it.
        Claim::Existing(EventStatus::Received) => true,
        Claim::Existing(_) => return Ok(Outcome::Duplicate),
    };
    let message = QueuedEvent {
        v: 1,
        event_key: key.clone(),
        shop_id: env.shop_id.clone(),
        notification_id: env.notification_id.clone(),
        type_code: env.kind.code(),
        order_id: env.order_id.clone(),
        received_at: now,
        data: env.data.clone(),
    };
    queue
        .enqueue(
            &message,
            &group_id(env),
            &keys::dedup_id(&env.shop_id, &env.notification_id),
        )
        .await?;
    if let Err(e) = archive
        .set_status(&key, EventStatus::Queued, now, Some(EventStatus::Received))
        .await
    {
        // Stored and enqueued: the event is safe. A redelivery would re-enqueue
        // with the same dedup id, which SQS and the idempotent writer absorb.
        tracing::warn!(error = %e, "event enqueued but archive status not updated");
    }
    Ok(if requeue {
        Outcome::Requeued
    } else {
        Outcome::Queued
    })
}

#[cfg(test)]
mod tests {
    //! Handler logic over recording doubles of the traits; the same paths run
    //! against moto in `tests/tests/webhook.rs`.
    use super::*;
    use async_trait::async_trait;
    use serde_json::Value;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder {
        claims: Mutex<Vec<ArchivedEvent>>,
        rejected: Mutex<Vec<RejectedEvent>>,
        sent: Mutex<Vec<(String, String)>>,
    }

    #[async_trait]
    impl EventArchive for Recorder {
        async fn claim(&self, e: &ArchivedEvent) -> Result<Claim, StoreError> {
            self.claims.lock().unwrap().push(e.clone());
            Ok(Claim::New)
        }
        async fn set_status(
            &self,
            _: &str,
            _: EventStatus,
            _: i64,
            _: Option<EventStatus>,
        ) -> Result<(), StoreError> {
            Ok(())
        }
        async fn archive_rejected(&self, e: &RejectedEvent) -> Result<(), StoreError> {
            self.rejected.lock().unwrap().push(e.clone());
            Ok(())
        }
    }

    #[async_trait]
    impl EventQueue for Recorder {
        async fn enqueue(&self, _: &QueuedEvent, g: &str, d: &str) -> Result<(), StoreError> {
            self.sent.lock().unwrap().push((g.into(), d.into()));
            Ok(())
        }
    }

    fn app() -> TikTokApp {
        TikTokApp {
            app_key: "fake_app_key".into(),
            app_secret: "fake_app_secret".into(),
        }
    }

    async fn call(r: &Recorder, body: &[u8], sig: Option<&str>) -> WebhookResponse {
        let app = app();
        let deps = WebhookDeps {
            app: &app,
            archive: r,
            queue: r,
            max_body_bytes: 1024,
            retention_days: 1,
            clock: &crate::clock::FixedClock::at(1000),
        };
        handle(&deps, "POST", sig, body).await
    }

    fn sign(body: &[u8]) -> String {
        crate::signing::tiktok::webhook_signature("fake_app_key", "fake_app_secret", body)
    }

    #[tokio::test]
    async fn unsigned_and_forged_get_401_and_store_nothing() {
        let r = Recorder::default();
        let body = br#"{"type":1,"shop_id":"1","data":{"order_id":"2"}}"#;
        assert_eq!(
            call(&r, body, None).await,
            WebhookResponse {
                status: 401,
                body: None
            }
        );
        assert_eq!(call(&r, body, Some(&"0".repeat(64))).await.status, 401);
        assert!(r.claims.lock().unwrap().is_empty() && r.rejected.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn oversize_is_413_before_signature() {
        let r = Recorder::default();
        let body = vec![b' '; 2000];
        let resp = call(&r, &body, None).await;
        assert_eq!(resp.status, 413);
        assert!(resp.body.unwrap().contains("WEBHOOK_MAX_BODY_BYTES"));
    }

    #[tokio::test]
    async fn malformed_signed_body_is_200_naming_the_field_and_archived() {
        let r = Recorder::default();
        for (body, field) in [
            (&br#"{"shop_id":"1","data":{}}"#[..], Some("type")),
            (
                &br#"{"type":1,"data":{"order_id":"2"}}"#[..],
                Some("shop_id"),
            ),
            (
                &br#"{"type":1,"shop_id":"1","data":{}}"#[..],
                Some("data.order_id"),
            ),
            (&br#"{"type":1,"#[..], None),
        ] {
            let resp = call(&r, body, Some(&sign(body))).await;
            assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(body));
            let v: Value = serde_json::from_str(&resp.body.unwrap()).unwrap();
            assert_eq!(v["error"], "invalid_event");
            assert_eq!(v.get("field").and_then(|f| f.as_str()), field);
        }
        assert_eq!(r.rejected.lock().unwrap().len(), 4);
        assert!(r.claims.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn group_and_dedup_ids() {
        let r = Recorder::default();
        let order = br#"{"type":1,"tts_notification_id":"n1","shop_id":"s1","timestamp":1,"data":{"order_id":"o1","order_status":"AWAITING_SHIPMENT"}}"#;
        let deauth = br#"{"type":6,"tts_notification_id":"n2","shop_id":"s1","timestamp":1,"data":{"message":"x"}}"#;
        let product =
            br#"{"type":5,"tts_notification_id":"n3","shop_id":"s1","timestamp":1,"data":{}}"#;
        for b in [&order[..], &deauth[..], &product[..]] {
            assert_eq!(call(&r, b, Some(&sign(b))).await.status, 200);
        }
        let sent = r.sent.lock().unwrap().clone();
        assert_eq!(
            sent,
            vec![
                ("s1:o1".to_string(), "s1:n1".to_string()),
                ("s1".to_string(), "s1:n2".to_string())
            ]
        );
        let claims = r.claims.lock().unwrap();
        assert_eq!(
            claims.len(),
            3,
            "the ignored product event is still archived"
        );
        assert_eq!(claims[2].status, EventStatus::Ignored);
    }
}
