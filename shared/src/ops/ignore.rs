//! Ignoring an order: it stops appearing among failures, and the reason is
//! kept in its history.

use super::OpsError;
use crate::store::{OrderLog, OrderLogEntry, Outcome, SyncStatus};

/// Marks an order ignored, with who/why in the history.
pub async fn ignore(
    log: &dyn OrderLog,
    entry: &OrderLogEntry,
    reason: &str,
    now: i64,
) -> Result<OrderLogEntry, OpsError> {
    Ok(log
        .record(&Outcome {
            shop_id: entry.shop_id.clone(),
            order_id: entry.order_id.clone(),
            tiktok_status: entry.tiktok_status.clone(),
            sync_status: SyncStatus::Ignored,
            netsuite_id: None,
            external_id: None,
            note: format!("ignored by an operator: {reason}"),
            failure: None,
            failed_skus: vec![],
            at: now,
            event: None,
        })
        .await?)
}
