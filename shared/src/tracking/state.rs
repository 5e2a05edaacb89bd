//! What the tracking job keeps between runs for a shop, in the job state
//! (`STATE#tracking#{shop}`): one item per fulfilment that is not pushed
//! yet and must be looked at again without NetSuite changing it (the
//! watermark has passed it): waiting for a carrier mapping (or another
//! fix), or failed. One item each, so a thousand fulfilments waiting on
//! one unmapped carrier never make one item outgrow DynamoDB's 400 KB.
//!
//! Pushed fulfilments are not here: they are in the pushed store
//! (`store::pushed_fulfilments`), read per page.

use serde::{Deserialize, Serialize};

use super::plan::PushKey;
use super::read::Shipped;
use crate::domain::ShopId;
use crate::jobs::run::JobError;
use crate::store::JobRuns;

/// The job's name in the state keys.
pub const JOB: &str = "tracking";
const PREFIX: &str = "open#";

crate::string_enum! {
    /// Why a fulfilment is open.
    pub enum OpenKind {
        /// The planner's wait: a fix by a person (carrier mapping, …).
        Waiting = "waiting",
        /// TikTok refused or failed the push.
        Failed = "failed",
    }
}

/// One fulfilment not pushed yet, with what the run log said about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenFulfilment {
    pub shipped: Shipped,
    pub kind: OpenKind,
    pub reason: String,
    pub fix: String,
    /// Looked at again every run (waits, transient failures); a refusal a
    /// retry cannot fix is looked at again only when NetSuite changes the
    /// fulfilment (a new tracking list).
    pub retry: bool,
    /// The tracking list that failed, to tell a change from a repeat.
    pub key: PushKey,
    /// A wait for a carrier mapping: the ship method to look up again.
    #[serde(default)]
    pub needs_carrier: Option<String>,
    pub since: i64,
}

fn unreadable(shop: &ShopId, name: &str, e: serde_json::Error) -> JobError {
    JobError::Other(format!(
        "tracking state {name} of shop {shop} is unreadable ({e}); delete it and the next run reads the fulfilment again from NetSuite if it changes"
    ))
}

/// Every open fulfilment of a shop.
pub async fn load_open(runs: &dyn JobRuns, shop: &ShopId) -> Result<Vec<OpenFulfilment>, JobError> {
    let mut out = Vec::new();
    for (name, text) in runs.list_state(JOB, shop, 100_000).await? {
        if name.starts_with(PREFIX) {
            out.push(serde_json::from_str(&text).map_err(|e| unreadable(shop, &name, e))?);
        }
    }
    Ok(out)
}

fn name_of(o: &OpenFulfilment) -> String {
    format!("{PREFIX}{}", o.shipped.fulfilment.id)
}

/// Stores (or replaces) one open fulfilment.
pub async fn put_open(
    runs: &dyn JobRuns,
    shop: &ShopId,
    o: &OpenFulfilment,
) -> Result<(), JobError> {
    let text = serde_json::to_string(o).map_err(|e| JobError::Other(e.to_string()))?;
    runs.put_state(JOB, shop, &name_of(o), &text).await?;
    Ok(())
}

/// Closes one open fulfilment (pushed, or no longer ours to push).
pub async fn close_open(
    runs: &dyn JobRuns,
    shop: &ShopId,
    fulfilment: &crate::domain::NetSuiteFulfillmentId,
) -> Result<(), JobError> {
    runs.delete_state(JOB, shop, &format!("{PREFIX}{fulfilment}"))
        .await?;
    Ok(())
}

/// One line per open fulfilment, for the digest and `tracking status`.
pub fn describe(o: &OpenFulfilment) -> String {
    format!(
        "fulfilment {} (order {}): {} (fix: {})",
        o.shipped.fulfilment.id, o.shipped.fulfilment.order_id, o.reason, o.fix
    )
}
