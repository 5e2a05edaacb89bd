//! Event API, shop webhooks: `GET /event/202309/webhooks` lists the shop's
//! subscriptions as `data.webhooks[{event_type, address, create_time}]`
//! (tiktok-shop-api.md §2 "Subscribing"; shape per the official Node SDK's
//! `GetShopWebhooksResponseData`). Shop-scoped like every non-authorization
//! API here (it takes `shop_cipher`; the SKIT sign vector for this path is
//! computed with one). Each shop starts subscribed to every event type the
//! product handles; a test removes one with
//! `POST /_sim/webhooks {"shop_id", "event_type", "address": ""}` or
//! [`TikTokSim::set_webhook`] to break the doctor's webhook check.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::TikTokSim;

pub const WEBHOOKS_PATH: &str = "/event/202309/webhooks";

/// The address every seeded shop is subscribed with.
pub const SEEDED_ADDRESS: &str = "https://webhook.example.com/tiktok";

/// shop id → event type → address.
pub(crate) fn seeded(
    shops: &[crate::seed::ShopSeed],
) -> BTreeMap<String, BTreeMap<String, String>> {
    shops
        .iter()
        .map(|s| {
            let subs = shared::doctor::webhooks::NEEDED_EVENTS
                .iter()
                .map(|t| (t.to_string(), SEEDED_ADDRESS.to_string()))
                .collect();
            (s.id.clone(), subs)
        })
        .collect()
}

pub(crate) async fn get_webhooks(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = super::auth::authenticate(&sim, WEBHOOKS_PATH, q.as_deref(), &headers, &body).map(|authed| {
        let st = sim.state();
        let subs: Vec<Value> = st
            .webhooks
            .get(&authed.shop.id)
            .map(|m| {
                m.iter()
                    .filter(|(_, a)| !a.is_empty())
                    .map(|(t, a)| json!({"event_type": t, "address": a, "create_time": 1_700_000_000}))
                    .collect()
            })
            .unwrap_or_default();
        json!({"webhooks": subs, "total_count": subs.len()})
    });
    sim.finish(WEBHOOKS_PATH, result)
}

#[derive(Deserialize)]
pub(crate) struct SetWebhook {
    shop_id: String,
    event_type: String,
    address: String,
}

pub(crate) async fn control_set(
    State(sim): State<TikTokSim>,
    Json(req): Json<SetWebhook>,
) -> Json<Value> {
    sim.set_webhook(&req.shop_id, &req.event_type, &req.address);
    Json(json!({"ok": true}))
}

impl TikTokSim {
    /// Sets (or, with an empty address, removes) a shop's subscription.
    pub fn set_webhook(&self, shop_id: &str, event_type: &str, address: &str) {
        let mut st = self.state();
        let subs = st.webhooks.entry(shop_id.to_string()).or_default();
        if address.is_empty() {
            subs.remove(event_type);
        } else {
            subs.insert(event_type.to_string(), address.to_string());
        }
    }

    /// Replaces a shop's granted scopes (the next token refresh returns them).
    pub fn set_granted_scopes(&self, shop_id: &str, scopes: &[&str]) {
        let mut st = self.state();
        if let Some(s) = st.shops.iter_mut().find(|s| s.id == shop_id) {
            s.granted_scopes = scopes.iter().map(|s| s.to_string()).collect();
        }
    }
}
