//! The webhook handler: verify, de-duplicate, archive, enqueue, answer.
//!
//! It is written over `EventArchive`/`EventQueue` so the Lambda binary, the
//! local runner and the tests all run this exact code. The order of checks is
//! the contract with TikTok: size (413), then signature on the raw bytes
//! (401, nothing stored), then parsing (400, archived as rejected), then
//! storage; any storage failure answers 5xx so TikTok retries, and 200 is only
//! ever sent for an event that is in the archive.

use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::config::TikTokApp;
use crate::domain::{NotificationId, OrderId, ShopId, WebhookType};
use crate::events::{
    ArchivedEvent, Claim, EventArchive, EventQueue, EventStatus, QueuedEvent, RejectedEvent,
    StoreError,
};
use crate::signing::tiktok::verify_webhook;

/// What the handler needs, borrowed from whoever wired it.
pub struct WebhookDeps<'a> {
    pub app: &'a TikTokApp,
    pub archive: &'a dyn EventArchive,
    pub queue: &'a dyn EventQueue,
    pub max_body_bytes: usize,
    pub retention_days: u32,
    /// Current time in epoch seconds (injected for tests).
    pub now: i64,
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

/// The envelope fields we rely on, parsed leniently so that every problem can
/// be reported by name rather than as a serde message.
#[derive(Debug, Deserialize)]
struct RawEnvelope {
    #[serde(rename = "type")]
    type_code: Option<Value>,
    tts_notification_id: Option<Value>,
    shop_id: Option<Value>,
    data: Option<Value>,
}

/// A validated envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub kind: WebhookType,
    pub notification_id: NotificationId,
    pub shop_id: ShopId,
    pub order_id: Option<OrderId>,
    pub data: Value,
}

/// A request-validation problem: which field, and what the sender should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EnvelopeError {
    pub field: Option<&'static str>,
    pub message: String,
}

fn bad(field: Option<&'static str>, message: impl Into<String>) -> EnvelopeError {
    EnvelopeError {
        field,
        message: message.into(),
    }
}

/// Ids arrive as strings, but tolerate numbers (older examples use them).
fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses and validates the envelope of a signed body.
pub fn parse_envelope(body: &[u8]) -> Result<Envelope, EnvelopeError> {
    let raw: RawEnvelope = serde_json::from_slice(body).map_err(|e| {
        bad(None, format!("body is not a JSON object: {e}; TikTok pushes are JSON objects with type, shop_id and data"))
    })?;
    let type_code = match raw.type_code {
        None => {
            return Err(bad(
                Some("type"),
                "field `type` is missing; every TikTok push carries an integer `type`",
            ))
        }
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| {
                bad(
                    Some("type"),
                    format!("field `type` must be an integer, got {v}"),
                )
            })?,
    };
    let kind = WebhookType::from_code(type_code);
    let shop_id = raw
        .shop_id
        .as_ref()
        .and_then(id_string)
        .map(ShopId)
        .ok_or_else(|| {
            bad(
                Some("shop_id"),
                "field `shop_id` is missing or empty; it names the shop the event belongs to",
            )
        })?;
    let data = match raw.data {
        Some(v @ Value::Object(_)) => v,
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(other) => {
            return Err(bad(
                Some("data"),
                format!("field `data` must be an object, got {other}"),
            ))
        }
    };
    let order_id = data
        .get("order_id")
        .and_then(id_string)
        .map(OrderId)
        .or_else(|| single_package_order(&data));
    if matches!(
        kind,
        WebhookType::OrderStatusChange
            | WebhookType::CancellationStatusChange
            | WebhookType::ReturnStatusChange
    ) && order_id.is_none()
    {
        return Err(bad(
            Some("data.order_id"),
            format!(
                "field `data.order_id` is required for type {type_code} ({}) events",
                kind.name()
            ),
        ));
    }
    let notification_id = match raw.tts_notification_id.as_ref().and_then(id_string) {
        Some(id) => NotificationId(id),
        // Older pushes omit the id; the body hash still de-duplicates retries.
        None => NotificationId(format!("sha256-{}", hex::encode(Sha256::digest(body)))),
    };
    Ok(Envelope {
        kind,
        notification_id,
        shop_id,
        order_id,
        data,
    })
}

/// Package updates (type 4) name orders inside `package_list`; when exactly
/// one order is involved, the event belongs to that order's group.
fn single_package_order(data: &Value) -> Option<OrderId> {
    let mut ids = data
        .get("package_list")?
        .as_array()?
        .iter()
        .filter_map(|p| p.get("order_id_list")?.as_array().cloned())
        .flatten()
        .filter_map(|v| id_string(&v));
    let first = ids.next()?;
    if ids.all(|o| o == first) {
        Some(OrderId(first))
    } else {
        None
    }
}

/// FIFO `MessageGroupId`: one group per order for order-scoped types so the
/// writer sees an order's events in sequence; per shop otherwise.
pub fn group_id(env: &Envelope) -> String {
    match (&env.order_id, env.kind.is_order_scoped()) {
        (Some(order), true) => sqs_token(&format!("{}:{}", env.shop_id, order)),
        _ => sqs_token(env.shop_id.as_str()),
    }
}

/// SQS group and dedup ids allow 128 chars of alphanumerics and punctuation.
fn sqs_token(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect()
}

/// Archive key; also what de-duplication is conditional on.
pub fn event_key(shop: &ShopId, notification: &NotificationId) -> String {
    format!("EVT#{shop}#{notification}")
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
        return WebhookResponse::empty(401);
    }
    let expires_at = deps.now + i64::from(deps.retention_days) * 86_400;

    let envelope = match parse_envelope(body) {
        Ok(e) => e,
        Err(e) => {
            let rejected = RejectedEvent {
                key: format!("REJ#{}", hex::encode(Sha256::digest(body))),
                raw_body: String::from_utf8_lossy(body).into_owned(),
                reason: e.message.clone(),
                received_at: deps.now,
                expires_at,
            };
            if let Err(store) = deps.archive.archive_rejected(&rejected).await {
                tracing::error!(error = %store, "could not archive a rejected webhook");
                return unavailable(&store);
            }
            tracing::warn!(field = e.field, reason = %e.message, "signed webhook rejected as malformed");
            return WebhookResponse::error(400, "invalid_event", e.field, &e.message);
        }
    };

    match store_and_enqueue(deps, &envelope, body, expires_at).await {
        Ok(outcome) => {
            tracing::info!(
                shop_id = %envelope.shop_id,
                order_id = envelope.order_id.as_ref().map(|o| o.as_str()),
                notification_id = %envelope.notification_id,
                event_type = envelope.kind.code(),
                outcome = outcome.as_str(),
                "webhook accepted"
            );
            WebhookResponse::empty(200)
        }
        Err(e) => {
            tracing::error!(error = %e, notification_id = %envelope.notification_id, "webhook not stored; answering 5xx so TikTok retries");
            unavailable(&e)
        }
    }
}

fn unavailable(e: &StoreError) -> WebhookResponse {
    let code = match e {
        StoreError::Archive(_) => "archive_unavailable",
        StoreError::Queue(_) => "queue_unavailable",
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

async fn store_and_enqueue(
    deps: &WebhookDeps<'_>,
    env: &Envelope,
    body: &[u8],
    expires_at: i64,
) -> Result<Outcome, StoreError> {
    let key = event_key(&env.shop_id, &env.notification_id);
    let actionable = env.kind.is_actionable();
    let record = ArchivedEvent {
        key: key.clone(),
        shop_id: env.shop_id.clone(),
        notification_id: env.notification_id.clone(),
        type_code: env.kind.code(),
        type_name: env.kind.name(),
        order_id: env.order_id.clone(),
        raw_body: String::from_utf8_lossy(body).into_owned(),
        received_at: deps.now,
        expires_at,
        status: if actionable {
            EventStatus::Received
        } else {
            EventStatus::Ignored
        },
    };
    let requeue = match deps.archive.claim(&record).await? {
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
        received_at: deps.now,
        data: env.data.clone(),
    };
    deps.queue
        .enqueue(
            &message,
            &group_id(env),
            &sqs_token(env.notification_id.as_str()),
        )
        .await?;
    if let Err(e) = deps
        .archive
        .set_status(
            &key,
            EventStatus::Queued,
            deps.now,
            Some(EventStatus::Received),
        )
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
            now: 1000,
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
    async fn malformed_signed_body_is_400_naming_the_field_and_archived() {
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
            assert_eq!(resp.status, 400, "{}", String::from_utf8_lossy(body));
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
                ("s1:o1".to_string(), "n1".to_string()),
                ("s1".to_string(), "n2".to_string())
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

    #[test]
    fn missing_notification_id_falls_back_to_body_hash() {
        let body = br#"{"type":3,"shop_id":"s","data":{"order_id":"o"}}"#;
        let env = parse_envelope(body).unwrap();
        assert!(env.notification_id.as_str().starts_with("sha256-"));
        assert_eq!(env.notification_id.as_str().len(), 7 + 64);
    }

    #[test]
    fn package_update_groups_by_its_single_order() {
        let body = br#"{"type":4,"tts_notification_id":"n","shop_id":"s","data":{"sc_type":"SPLIT","package_list":[{"package_id":"p1","order_id_list":["o9"]},{"package_id":"p2","order_id_list":["o9"]}]}}"#;
        assert_eq!(group_id(&parse_envelope(body).unwrap()), "s:o9");
        let two = br#"{"type":4,"tts_notification_id":"n","shop_id":"s","data":{"package_list":[{"order_id_list":["a","b"]}]}}"#;
        assert_eq!(group_id(&parse_envelope(two).unwrap()), "s");
    }
}
