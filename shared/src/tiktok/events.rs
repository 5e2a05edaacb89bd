//! The Event API (TikTok Shop API notes §2 "Delivery, response and
//! retries", "Subscribing"): a shop's webhook subscriptions, listed with
//! `GET /event/202309/webhooks` and set one event type at a time with
//! `PUT /event/202309/webhooks` (body `{event_type, address}`, address at
//! most 255 characters). Sources: the official Node SDK
//! (`tiktok_sdk/api/eventV202309Api.ts`, `model/event/V202309/*`) and
//! SKIT's signature vector for the PUT.
//!
//! [`plan`] is the pure part: given the address the product is deployed at
//! and the event types it handles, which subscriptions are missing or point
//! elsewhere. The operator-facing use case is `ops::webhooks`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::error::TikTokError;
use super::transport::{Scope, ShopAuth, TikTokClient};
use crate::domain::WebhookType;

/// The Event API's one path (GET lists, PUT sets, DELETE removes).
pub const PATH_WEBHOOKS: &str = "/event/202309/webhooks";

/// The longest address TikTok takes (`UpdateShopWebhookRequestBody`, §2).
pub const MAX_ADDRESS_LEN: usize = 255;

/// One subscription as Get Shop Webhooks lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopWebhook {
    pub event_type: String,
    pub address: String,
    #[serde(default)]
    pub create_time: i64,
    #[serde(default)]
    pub update_time: i64,
}

#[derive(Deserialize)]
struct WebhooksData {
    #[serde(default)]
    webhooks: Vec<ShopWebhook>,
}

/// The PUT body. Field order matters for nothing but the signature's test
/// vector (SKIT signs `{"event_type":…,"address":…}` in this order).
#[derive(Serialize)]
struct UpdateBody<'a> {
    event_type: &'a str,
    address: &'a str,
}

impl TikTokClient {
    /// `GET /event/202309/webhooks`: the shop's subscriptions.
    pub async fn get_shop_webhooks(
        &self,
        shop: &ShopAuth,
    ) -> Result<Vec<ShopWebhook>, TikTokError> {
        let data: WebhooksData = self
            .call(Method::GET, PATH_WEBHOOKS, Scope::Shop(shop), &[], None)
            .await?;
        Ok(data.webhooks)
    }

    /// `PUT /event/202309/webhooks`: pushes of `event_type` for this shop go
    /// to `address` from now on (replacing any other address).
    pub async fn update_shop_webhook(
        &self,
        shop: &ShopAuth,
        event_type: WebhookType,
        address: &WebhookAddress,
    ) -> Result<(), TikTokError> {
        let name = event_type.name();
        let _: serde_json::Value = self
            .call_json(
                Method::PUT,
                PATH_WEBHOOKS,
                Scope::Shop(shop),
                &[],
                &UpdateBody {
                    event_type: &name,
                    address: address.as_str(),
                },
            )
            .await?;
        Ok(())
    }
}

/// A webhook address TikTok can take: `https://`, a domain name (not an IP
/// address), no port, no user info, at most 255 characters (§2 "URL
/// requirements"). The one exception is a loopback host (`127.0.0.1`,
/// `[::1]`, `localhost`) over `http` or `https` with any port: local runs
/// and tests, which TikTok itself could never reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAddress(String);

/// Why an address cannot be registered, and what to give instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("{0:?} is not a URL; give the stack's WebhookUrl output (https://…)")]
    NotAUrl(String),
    #[error("the address has {0} characters; TikTok takes at most 255")]
    TooLong(usize),
    #[error("TikTok delivers only to https:// addresses; give the stack's WebhookUrl output")]
    NotHttps,
    #[error("TikTok delivers only to a domain name, not to the IP address {0}")]
    IpAddress(String),
    #[error("TikTok delivers only to the default https port; remove :{0}")]
    Port(u16),
    #[error("the address may not carry a user name or password")]
    UserInfo,
}

impl WebhookAddress {
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        let raw = raw.trim();
        if raw.chars().count() > MAX_ADDRESS_LEN {
            return Err(AddressError::TooLong(raw.chars().count()));
        }
        let url = reqwest::Url::parse(raw).map_err(|_| AddressError::NotAUrl(raw.to_string()))?;
        let host = url
            .host_str()
            .ok_or_else(|| AddressError::NotAUrl(raw.into()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(AddressError::UserInfo);
        }
        let ip: Option<std::net::IpAddr> = host.trim_matches(['[', ']']).parse().ok();
        let loopback = ip.map_or(host.eq_ignore_ascii_case("localhost"), |ip| {
            ip.is_loopback()
        });
        if loopback {
            return match url.scheme() {
                "http" | "https" => Ok(Self(raw.to_string())),
                _ => Err(AddressError::NotHttps),
            };
        }
        if url.scheme() != "https" {
            return Err(AddressError::NotHttps);
        }
        if ip.is_some() {
            return Err(AddressError::IpAddress(host.to_string()));
        }
        if let Some(port) = url.port() {
            return Err(AddressError::Port(port));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for WebhookAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where one event type's pushes go today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// To the deployed address: nothing to do.
    Registered,
    /// Nowhere: this shop's pushes of this type are not sent.
    Missing,
    /// To another address (an old stack, another tool): ours gets none.
    Elsewhere { address: String },
}

/// One event type the product handles, and its subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    pub event_type: WebhookType,
    pub now: Subscription,
}

impl PlannedEvent {
    /// Whether registering would change this subscription.
    pub fn needs_update(&self) -> bool {
        self.now != Subscription::Registered
    }
}

/// What registering would do for one shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPlan {
    pub address: WebhookAddress,
    /// Each handled type once, in the order given.
    pub events: Vec<PlannedEvent>,
    /// Subscriptions of types the product does not handle: left as they are.
    pub others: Vec<ShopWebhook>,
}

impl WebhookPlan {
    /// The types a registration sets (missing or elsewhere).
    pub fn to_register(&self) -> Vec<WebhookType> {
        self.events
            .iter()
            .filter(|e| e.needs_update())
            .map(|e| e.event_type)
            .collect()
    }

    /// Every handled type reaches the deployed address.
    pub fn is_complete(&self) -> bool {
        self.events.iter().all(|e| !e.needs_update())
    }
}

/// Compares the shop's subscriptions with what the product needs (pure).
/// Addresses match exactly (after trimming spaces): TikTok posts to the
/// string it was given, so a differing path or trailing `/` is elsewhere.
pub fn plan(
    address: &WebhookAddress,
    needed: &[WebhookType],
    current: &[ShopWebhook],
) -> WebhookPlan {
    let mut events: Vec<PlannedEvent> = Vec::with_capacity(needed.len());
    for t in needed {
        if events.iter().any(|e| e.event_type == *t) {
            continue;
        }
        let name = t.name();
        let mine: Vec<&ShopWebhook> = current.iter().filter(|w| w.event_type == name).collect();
        let now = if mine.iter().any(|w| w.address.trim() == address.as_str()) {
            Subscription::Registered
        } else if let Some(w) = mine.first() {
            Subscription::Elsewhere {
                address: w.address.clone(),
            }
        } else {
            Subscription::Missing
        };
        events.push(PlannedEvent {
            event_type: *t,
            now,
        });
    }
    let others = current
        .iter()
        .filter(|w| !needed.iter().any(|t| t.name() == w.event_type))
        .cloned()
        .collect();
    WebhookPlan {
        address: address.clone(),
        events,
        others,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(t: &str, a: &str) -> ShopWebhook {
        ShopWebhook {
            event_type: t.into(),
            address: a.into(),
            create_time: 1,
            update_time: 2,
        }
    }

    const URL: &str = "https://abc.lambda-url.us-east-1.on.aws/";

    #[test]
    fn plans_missing_elsewhere_and_registered() {
        let ours = WebhookAddress::parse(URL).unwrap();
        let needed = [
            WebhookType::OrderStatusChange,
            WebhookType::CancellationStatusChange,
            WebhookType::ReturnStatusChange,
            WebhookType::OrderStatusChange,
        ];
        let current = [
            hook("ORDER_STATUS_CHANGE", URL),
            hook("CANCELLATION_STATUS_CHANGE", "https://old.example.com/hook"),
            hook("NEW_MESSAGE", "https://chat.example.com/"),
        ];
        let p = plan(&ours, &needed, &current);
        assert_eq!(p.events.len(), 3, "each type once");
        assert_eq!(p.events[0].now, Subscription::Registered);
        assert_eq!(
            p.events[1].now,
            Subscription::Elsewhere {
                address: "https://old.example.com/hook".into()
            }
        );
        assert_eq!(p.events[2].now, Subscription::Missing);
        assert_eq!(
            p.to_register(),
            vec![
                WebhookType::CancellationStatusChange,
                WebhookType::ReturnStatusChange
            ]
        );
        assert!(!p.is_complete());
        assert_eq!(p.others, vec![current[2].clone()], "left as they are");
    }

    #[test]
    fn a_complete_subscription_plans_nothing_and_no_subscription_plans_everything() {
        let ours = WebhookAddress::parse(URL).unwrap();
        let needed = [
            WebhookType::OrderStatusChange,
            WebhookType::SellerDeauthorization,
        ];
        let done = plan(
            &ours,
            &needed,
            &[
                hook("SELLER_DEAUTHORIZATION", URL),
                hook("ORDER_STATUS_CHANGE", URL),
            ],
        );
        assert!(done.is_complete() && done.to_register().is_empty());
        let none = plan(&ours, &needed, &[]);
        assert_eq!(none.to_register(), needed.to_vec());
    }

    #[test]
    fn a_different_path_or_trailing_slash_is_elsewhere() {
        let ours = WebhookAddress::parse(URL).unwrap();
        let p = plan(
            &ours,
            &[WebhookType::OrderStatusChange],
            &[hook("ORDER_STATUS_CHANGE", URL.trim_end_matches('/'))],
        );
        assert!(matches!(p.events[0].now, Subscription::Elsewhere { .. }));
    }

    #[test]
    fn addresses_follow_tiktoks_url_requirements() {
        assert!(WebhookAddress::parse(URL).is_ok());
        assert_eq!(
            WebhookAddress::parse("http://hooks.example.com/x"),
            Err(AddressError::NotHttps)
        );
        assert!(matches!(
            WebhookAddress::parse("https://203.0.113.9/x"),
            Err(AddressError::IpAddress(_))
        ));
        assert_eq!(
            WebhookAddress::parse("https://hooks.example.com:8443/x"),
            Err(AddressError::Port(8443))
        );
        assert_eq!(
            WebhookAddress::parse("https://u:p@hooks.example.com/x"),
            Err(AddressError::UserInfo)
        );
        let long = format!("https://hooks.example.com/{}", "a".repeat(240));
        assert!(matches!(
            WebhookAddress::parse(&long),
            Err(AddressError::TooLong(_))
        ));
        assert!(matches!(
            WebhookAddress::parse("hooks"),
            Err(AddressError::NotAUrl(_))
        ));
        // Loopback: local runs and tests only (TikTok cannot reach it).
        assert!(WebhookAddress::parse("http://127.0.0.1:8787/webhook").is_ok());
        assert!(WebhookAddress::parse("http://[::1]:9/").is_ok());
        assert!(WebhookAddress::parse("ftp://127.0.0.1/").is_err());
    }

    /// SKIT's vector (TikTok Shop API notes §1 B): the PUT body this client
    /// sends signs to the documented value.
    #[test]
    fn the_put_body_signs_like_skits_vector() {
        let body = serde_json::to_vec(&UpdateBody {
            event_type: "PACKAGE_UPDATE",
            address: "https://partner.tiktokshop.com",
        })
        .unwrap();
        let query = [
            ("app_key", "68xu9ks5p4i8"),
            ("shop_cipher", "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK"),
            ("timestamp", "1696909648"),
        ];
        assert_eq!(
            crate::signing::tiktok::api_sign("e59af819cc", PATH_WEBHOOKS, &query, Some(&body)),
            "701dd6deb2389fe4c469b89bd37fc56f96a6da6afeb4d01c9077a65169752fa7"
        );
        assert_eq!(
            crate::signing::tiktok::api_sign("e59af819cc", PATH_WEBHOOKS, &query, None),
            "ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37"
        );
    }
}
