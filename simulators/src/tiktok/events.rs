//! The Event API and webhook delivery (TikTok Shop API notes §2,
//! "Delivery, response and retries" and "Subscribing"; official Node SDK
//! `tiktok_sdk/api/eventV202309Api.ts`, `model/event/V202309/*`).
//!
//! - `GET /event/202309/webhooks` lists the shop's subscriptions as
//!   `{webhooks:[{event_type, address, create_time, update_time}], total_count}`.
//! - `PUT /event/202309/webhooks` with `{event_type, address}` sets the
//!   address of one event type (replacing any other).
//! - `DELETE /event/202309/webhooks` with `{event_type}` removes it.
//!
//! All three pass the common checks (sign, timestamp, token, shop_cipher:
//! `/event/` is shop-scoped). Where the sources are silent this simulator
//! takes the harsher reading, each refused with 36009004 (the catch-all for
//! invalid parameters, §8) and a message naming the field:
//! - `event_type` must be one of the names §2 lists (unknown names refused,
//!   not stored);
//! - `address` must meet the configuration guide's URL requirements:
//!   `https://`, a domain name (not an IP address), no port, at most 255
//!   characters, no user info. **One deliberate exception:** a loopback host
//!   (`127.0.0.1`, `[::1]`, `localhost`) over `http` with a port is accepted,
//!   because tests send traffic only to loopback. TikTok could never reach
//!   such an address, so accepting it cannot hide a production mistake that
//!   a public address would show;
//! - a body that is not a JSON object with these string fields is refused.
//!
//! Delivery ([`TikTokSim::deliver`]): a push goes only to the address the
//! shop registered for its event type (none: nothing is sent), as TikTok
//! sends it: `POST`, JSON `{type, tts_notification_id, shop_id, timestamp,
//! data}`, `Authorization = hex(HMAC-SHA256(app_secret, app_key + body))`.
//! Only `200` (or `401`) within 3 seconds counts as delivered (§2). TikTok's
//! retries (2 min to 12 h later) are not simulated: the caller sees the one
//! attempt's outcome and may deliver again.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

use super::auth::authenticate;
use super::{ApiError, SimError, TikTokSim};

pub const WEBHOOKS_PATH: &str = "/event/202309/webhooks";

/// Event API names and their push `type` numbers (§2 "Type numbers").
pub const EVENT_TYPES: &[(&str, i64)] = &[
    ("ORDER_STATUS_CHANGE", 1),
    ("REVERSE_STATUS_UPDATE", 2),
    ("RECIPIENT_ADDRESS_UPDATE", 3),
    ("PACKAGE_UPDATE", 4),
    ("PRODUCT_STATUS_CHANGE", 5),
    ("SELLER_DEAUTHORIZATION", 6),
    ("UPCOMING_AUTHORIZATION_EXPIRATION", 7),
    ("CANCELLATION_STATUS_CHANGE", 11),
    ("RETURN_STATUS_CHANGE", 12),
    ("NEW_CONVERSATION", 13),
    ("NEW_MESSAGE", 14),
    ("PRODUCT_INFORMATION_CHANGE", 15),
    ("PRODUCT_CREATION", 16),
    ("PRODUCT_CATEGORY_CHANGE", 18),
    ("INVENTORY_STATUS_CHANGE", 27),
    ("NEW_MESSAGE_LISTENER", 33),
    ("INVOICE_STATUS_CHANGE", 36),
    ("PRODUCT_AUDIT_STATUS_CHANGE", 37),
];

/// The longest address TikTok takes (`UpdateShopWebhookRequestBody`).
const MAX_ADDRESS_LEN: usize = 255;
/// TikTok waits this long for an answer (§2).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(3);

fn type_number(event_type: &str) -> Option<i64> {
    EVENT_TYPES
        .iter()
        .find(|(n, _)| *n == event_type)
        .map(|(_, t)| *t)
}

/// One subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    pub event_type: String,
    pub address: String,
    pub create_time: i64,
    pub update_time: i64,
}

/// shop id → event type → subscription.
pub(crate) type Subscriptions = BTreeMap<String, BTreeMap<String, Subscription>>;

/// What one delivery attempt did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub address: String,
    /// The receiver's HTTP status; `None` when it could not be reached in time.
    pub status: Option<u16>,
    /// 200 or 401 within 3 s (§2): TikTok would not retry.
    pub delivered: bool,
    pub notification_id: String,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::ok_status(36009004, message)
}

/// The configuration guide's URL requirements, with the loopback exception
/// (module doc).
pub(crate) fn check_address(address: &str) -> Result<(), String> {
    if address.is_empty() {
        return Err("address is required".into());
    }
    if address.chars().count() > MAX_ADDRESS_LEN {
        return Err(format!("address exceeds {MAX_ADDRESS_LEN} characters"));
    }
    let (scheme, rest) = address
        .split_once("://")
        .ok_or("address must be an https:// URL")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("address must not carry user info".into());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) => (h, Some(p)),
        _ => (authority, None),
    };
    let bare = host.trim_matches(['[', ']']);
    let ip: Option<std::net::IpAddr> = bare.parse().ok();
    let loopback = ip.map_or(bare.eq_ignore_ascii_case("localhost"), |ip| {
        ip.is_loopback()
    });
    if loopback && (scheme == "http" || scheme == "https") {
        return Ok(());
    }
    if scheme != "https" {
        return Err("address must be an https:// URL".into());
    }
    if host.is_empty() || ip.is_some() || host.starts_with('[') {
        return Err("address must use a domain name, not an IP address".into());
    }
    if port.is_some() {
        return Err("address must not carry a port".into());
    }
    Ok(())
}

fn list(sim: &TikTokSim, shop: &str) -> Value {
    let hooks = sim.webhooks(shop);
    json!({ "total_count": hooks.len(), "webhooks": hooks })
}

#[derive(Deserialize)]
struct PutBody {
    event_type: Option<Value>,
    address: Option<Value>,
}

fn string_field(v: &Option<Value>, name: &str) -> Result<String, ApiError> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(invalid(format!(
            "Invalid parameter: {name} is required and must be a string"
        ))),
    }
}

fn known_type(event_type: &str) -> Result<(), ApiError> {
    type_number(event_type).map(|_| ()).ok_or_else(|| {
        invalid(format!(
            "Invalid parameter: unknown event_type {event_type}"
        ))
    })
}

pub(crate) async fn get_webhooks(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = authenticate(&sim, WEBHOOKS_PATH, q.as_deref(), &headers, &body)
        .map(|a| list(&sim, &a.shop.id));
    sim.finish(WEBHOOKS_PATH, result)
}

pub(crate) async fn put_webhook(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = authenticate(&sim, WEBHOOKS_PATH, q.as_deref(), &headers, &body).and_then(|a| {
        let req: PutBody = serde_json::from_slice(&body)
            .map_err(|_| invalid("Invalid parameter: the body must be a JSON object"))?;
        let event_type = string_field(&req.event_type, "event_type")?;
        let address = string_field(&req.address, "address")?;
        known_type(&event_type)?;
        check_address(&address).map_err(|m| invalid(format!("Invalid parameter: {m}")))?;
        let now = crate::now_secs();
        let mut st = sim.state();
        let shop = st.webhooks.entry(a.shop.id.clone()).or_default();
        let created = shop.get(&event_type).map_or(now, |s| s.create_time);
        shop.insert(
            event_type.clone(),
            Subscription {
                event_type,
                address,
                create_time: created,
                update_time: now,
            },
        );
        Ok(json!({}))
    });
    sim.finish(WEBHOOKS_PATH, result)
}

pub(crate) async fn delete_webhook(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = authenticate(&sim, WEBHOOKS_PATH, q.as_deref(), &headers, &body).and_then(|a| {
        let req: PutBody = serde_json::from_slice(&body)
            .map_err(|_| invalid("Invalid parameter: the body must be a JSON object"))?;
        let event_type = string_field(&req.event_type, "event_type")?;
        known_type(&event_type)?;
        let mut st = sim.state();
        if let Some(shop) = st.webhooks.get_mut(&a.shop.id) {
            shop.remove(&event_type);
        }
        Ok(json!({}))
    });
    sim.finish(WEBHOOKS_PATH, result)
}

impl TikTokSim {
    /// The shop's subscriptions, as Get Shop Webhooks lists them.
    pub fn webhooks(&self, shop_id: &str) -> Vec<Subscription> {
        self.state()
            .webhooks
            .get(shop_id)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Pushes one event of `event_type` for a shop to the address the shop
    /// registered for it, signed as TikTok signs pushes. `Ok(None)`: the shop
    /// has no subscription for this type, so TikTok sends nothing.
    pub async fn deliver(
        &self,
        shop_id: &str,
        event_type: &str,
        data: Value,
    ) -> Result<Option<Delivery>, SimError> {
        let number = type_number(event_type)
            .ok_or_else(|| SimError::NotFound("event type", event_type.to_string()))?;
        let (address, app_key, app_secret) = {
            let st = self.state();
            if !st.shops.iter().any(|s| s.id == shop_id) {
                return Err(SimError::UnknownShop(shop_id.to_string()));
            }
            let Some(sub) = st.webhooks.get(shop_id).and_then(|m| m.get(event_type)) else {
                return Ok(None);
            };
            (
                sub.address.clone(),
                st.app_key.clone(),
                st.app_secret.clone(),
            )
        };
        let notification_id = format!(
            "{}{:06}",
            crate::now_secs(),
            rand::random::<u32>() % 1_000_000
        );
        let body = serde_json::to_vec(&json!({
            "type": number,
            "tts_notification_id": notification_id,
            "shop_id": shop_id,
            "timestamp": crate::now_secs(),
            "data": data,
        }))
        .unwrap_or_default();
        let sign = shared::signing::tiktok::webhook_signature(&app_key, &app_secret, &body);
        let sent = reqwest::Client::new()
            .post(&address)
            .timeout(DELIVERY_TIMEOUT)
            .header("content-type", "application/json")
            .header("authorization", sign)
            .body(body)
            .send()
            .await;
        let status = sent.ok().map(|r| r.status().as_u16());
        Ok(Some(Delivery {
            address,
            delivered: matches!(status, Some(200 | 401)),
            status,
            notification_id,
        }))
    }
}

#[derive(Deserialize)]
pub(crate) struct DeliverRequest {
    shop_id: String,
    event_type: String,
    #[serde(default)]
    data: Value,
}

/// `POST /_sim/webhooks/deliver {shop_id, event_type, data}`: one push to
/// the registered address; answers the [`Delivery`] (`null`: no subscription).
pub(crate) async fn control_deliver(
    State(sim): State<TikTokSim>,
    Json(req): Json<DeliverRequest>,
) -> Response {
    match sim.deliver(&req.shop_id, &req.event_type, req.data).await {
        Ok(d) => Json(json!({ "delivery": d })).into_response(),
        Err(e) => super::control::bad_request(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_meet_the_configuration_guides_requirements() {
        for ok in [
            "https://abc.lambda-url.us-east-1.on.aws/",
            "https://hooks.example.com/tiktok?x=1",
            "http://127.0.0.1:8787/webhook",
            "http://[::1]:9000/",
            "http://localhost:1/x",
        ] {
            assert_eq!(check_address(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "hooks.example.com/x",
            "http://hooks.example.com/x",
            "https://203.0.113.7/x",
            "https://[2001:db8::1]/x",
            "https://hooks.example.com:8443/x",
            "https://user@hooks.example.com/x",
            "ftp://127.0.0.1/x",
        ] {
            assert!(check_address(bad).is_err(), "{bad} accepted");
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(240));
        assert!(check_address(&long).is_err());
    }

    #[test]
    fn every_listed_type_has_its_number() {
        assert_eq!(type_number("ORDER_STATUS_CHANGE"), Some(1));
        assert_eq!(type_number("RETURN_STATUS_CHANGE"), Some(12));
        assert_eq!(type_number("ORDER_STATUS"), None);
    }
}
