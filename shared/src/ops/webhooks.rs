//! Webhook registration per shop through TikTok's Event API, so no Partner
//! Center step is needed per shop. `status` reads the shop's subscriptions
//! and plans ([`crate::tiktok::events::plan`]) against the event types the
//! product handles ([`crate::ingest::SUBSCRIBED_EVENTS`]); `register`
//! changes nothing unless the operator confirmed, then sets each missing or
//! misdirected type and reads the subscriptions back. The CLI
//! (`tiktok-netsuite webhooks status|register`) and the console's Webhooks
//! page are the two faces.

use super::OpsError;
use crate::domain::{ShopId, WebhookType};
use crate::ingest::SUBSCRIBED_EVENTS;
use crate::tiktok::events::plan;
pub use crate::tiktok::events::{Subscription, WebhookAddress, WebhookPlan};
use crate::tiktok::ShopSessions;

/// Where the console (and the CLI, without `--url`) find the deployed
/// webhook URL: the template sets it from the webhook's Function URL.
pub const WEBHOOK_URL_ENV: &str = "WEBHOOK_URL";

/// What registration needs: the shop sessions (every TikTok call goes
/// through their one refresh path) and the deployed address, when known.
#[derive(Clone)]
pub struct Registrar {
    pub sessions: ShopSessions,
    pub address: Option<WebhookAddress>,
}

/// Parses an operator's address, naming the field and the fix.
pub fn address(raw: &str) -> Result<WebhookAddress, OpsError> {
    WebhookAddress::parse(raw).map_err(|e| OpsError::Invalid {
        field: "url",
        reason: e.to_string(),
    })
}

/// The address from `--url`, else from [`WEBHOOK_URL_ENV`].
pub fn address_or_env(
    given: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<WebhookAddress, OpsError> {
    match given.map(str::to_string).or_else(|| env(WEBHOOK_URL_ENV)) {
        Some(raw) if !raw.trim().is_empty() => address(&raw),
        _ => Err(OpsError::Invalid {
            field: "url",
            reason: format!(
                "no webhook address: pass --url with the stack's WebhookUrl output, or set {WEBHOOK_URL_ENV}"
            ),
        }),
    }
}

fn tiktok(shop: &ShopId, e: crate::tiktok::ShopCallError) -> OpsError {
    OpsError::TikTok {
        shop: shop.to_string(),
        reason: e.to_string(),
    }
}

/// The shop's subscriptions against what the product needs.
pub async fn status(
    sessions: &ShopSessions,
    shop: &ShopId,
    address: &WebhookAddress,
) -> Result<WebhookPlan, OpsError> {
    let current = sessions
        .call_with_refresh(shop, |auth| async move {
            sessions.client().get_shop_webhooks(&auth).await
        })
        .await
        .map_err(|e| tiktok(shop, e))?;
    Ok(plan(address, SUBSCRIBED_EVENTS, &current))
}

/// What a registration did (or, unconfirmed, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The plan as read before anything was set.
    pub before: WebhookPlan,
    /// The types set (empty when not confirmed or nothing was needed).
    pub set: Vec<WebhookType>,
    /// The subscriptions read back after setting; `None` when nothing was set.
    pub after: Option<WebhookPlan>,
}

/// Plans, and only when `confirmed` sets each type the plan names, one PUT
/// each, then reads the subscriptions back. A TikTok refusal stops at that
/// type, naming it; the ones already set stay set.
pub async fn register(
    sessions: &ShopSessions,
    shop: &ShopId,
    address: &WebhookAddress,
    confirmed: bool,
) -> Result<Registration, OpsError> {
    let before = status(sessions, shop, address).await?;
    let todo = before.to_register();
    if !confirmed || todo.is_empty() {
        return Ok(Registration {
            before,
            set: Vec::new(),
            after: None,
        });
    }
    let mut set = Vec::with_capacity(todo.len());
    for t in todo {
        sessions
            .call_with_refresh(shop, |auth| async move {
                sessions
                    .client()
                    .update_shop_webhook(&auth, t, address)
                    .await
            })
            .await
            .map_err(|e| OpsError::TikTok {
                shop: shop.to_string(),
                reason: format!(
                    "setting {} failed after {} of the others were set: {e}",
                    t.name(),
                    set.len()
                ),
            })?;
        tracing::info!(shop_id = %shop, event_type = %t.name(), "webhook subscription set");
        set.push(t);
    }
    let after = status(sessions, shop, address).await?;
    Ok(Registration {
        before,
        set,
        after: Some(after),
    })
}

/// The plan as lines for a terminal or an email (pure).
pub fn describe(p: &WebhookPlan) -> Vec<String> {
    let mut out: Vec<String> = p
        .events
        .iter()
        .map(|e| match &e.now {
            Subscription::Registered => format!("ok       {}", e.event_type.name()),
            Subscription::Missing => format!("missing  {} (not subscribed)", e.event_type.name()),
            Subscription::Elsewhere { address } => {
                format!("elsewhere {} (goes to {address})", e.event_type.name())
            }
        })
        .collect();
    for o in &p.others {
        out.push(format!(
            "other    {} → {} (not used by this product; left as it is)",
            o.event_type, o.address
        ));
    }
    out
}
