//! The webhook envelope: what a signed TikTok push must contain, checked
//! field by field so every problem is reported by name.

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::{NotificationId, OrderId, ShopId, WebhookType};
use crate::store::keys;

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
        (Some(order), true) => keys::order_group(&env.shop_id, order),
        _ => keys::shop_group(&env.shop_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
