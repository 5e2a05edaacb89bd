//! The shop's webhook subscriptions, read with the Event API
//! (`GET /event/202309/webhooks`, tiktok-shop-api.md §2 "Subscribing";
//! response `data.webhooks[{event_type, address, create_time}]` as the
//! official Node SDK's `GetShopWebhooksResponseData` declares it).
//!
//! Kept to one small call behind [`WebhookSubscriptions`], so the check
//! does not depend on how the Event API client (registration) is built.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;

use crate::domain::ShopId;
use crate::tiktok::{Scope, ShopCallError, ShopSessions};

/// The Event API path.
pub const PATH_WEBHOOKS: &str = "/event/202309/webhooks";

/// The event types the product handles (`ingest::envelope`, and the
/// authorization webhooks 6 and 7 of issue 19): each needs an address.
pub const NEEDED_EVENTS: [&str; 5] = [
    "ORDER_STATUS_CHANGE",
    "CANCELLATION_STATUS_CHANGE",
    "RETURN_STATUS_CHANGE",
    "SELLER_DEAUTHORIZATION",
    "UPCOMING_AUTHORIZATION_EXPIRATION",
];

/// Reads a shop's subscriptions: `(event_type, address)` pairs.
#[async_trait]
pub trait WebhookSubscriptions: Send + Sync {
    async fn subscriptions(&self, shop: &ShopId) -> Result<Vec<(String, String)>, ShopCallError>;
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    webhooks: Vec<Webhook>,
}

#[derive(Deserialize)]
struct Webhook {
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    address: String,
}

#[async_trait]
impl WebhookSubscriptions for ShopSessions {
    async fn subscriptions(&self, shop: &ShopId) -> Result<Vec<(String, String)>, ShopCallError> {
        let client = self.client();
        let data: Data = self
            .call_with_refresh(shop, |auth| async move {
                client
                    .call(Method::GET, PATH_WEBHOOKS, Scope::Shop(&auth), &[], None)
                    .await
            })
            .await?;
        Ok(data
            .webhooks
            .into_iter()
            .map(|w| (w.event_type, w.address))
            .collect())
    }
}
