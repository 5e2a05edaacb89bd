//! Ignoring an order: it stops appearing among failures, and the reason is
//! kept in its history.

use super::OpsError;
use crate::store::{OrderLog, OrderLogEntry, Outcome, SyncStatus};

/// Takes an order out of the ignored state: it waits for its next event or
/// a resubmit, which then writes it as usual.
pub async fn unignore(
    log: &dyn OrderLog,
    entry: &OrderLogEntry,
    reason: &str,
    now: i64,
) -> Result<OrderLogEntry, OpsError> {
    if entry.sync_status != SyncStatus::Ignored {
        return Err(OpsError::Invalid {
            field: "order",
            reason: format!(
                "order {} is {}, not ignored; nothing to undo",
                entry.order_id, entry.sync_status
            ),
        });
    }
    Ok(log
        .record(&Outcome {
            shop_id: entry.shop_id.clone(),
            order_id: entry.order_id.clone(),
            tiktok_status: entry.tiktok_status.clone(),
            sync_status: SyncStatus::Waiting,
            netsuite_id: None,
            external_id: None,
            note: format!("un-ignored by an operator: {reason}; resubmit it (or wait for its next event) to write it"),
            failure: None,
            failed_skus: vec![],
            order_type: None,
            retail_value: None,
            at: now,
            event: None,
        })
        .await?)
}

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
            order_type: None,
            retail_value: None,
            at: now,
            event: None,
        })
        .await?)
}
