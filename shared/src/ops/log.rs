//! Reading the order log: one order, a filtered list, the exceptions.

use super::OpsError;
use crate::domain::{OrderId, ShopId};
use crate::store::{LogFilter, OrderLog, OrderLogEntry, SyncStatus};
use crate::taxonomy::ErrorCode;

/// Looks one entry up, with an error naming the order when it is missing.
pub async fn find(
    log: &dyn OrderLog,
    shop: &ShopId,
    order: &OrderId,
) -> Result<OrderLogEntry, OpsError> {
    log.get(shop, order)
        .await?
        .ok_or_else(|| OpsError::NotFound {
            shop: shop.to_string(),
            order: order.to_string(),
        })
}

/// Selects what a bulk resubmit should pick up: failed (or needing review)
/// orders matching the filter; ignored and created orders never.
pub async fn resubmittable(
    log: &dyn OrderLog,
    filter: &LogFilter,
) -> Result<Vec<OrderLogEntry>, OpsError> {
    Ok(log
        .list(filter)
        .await?
        .into_iter()
        .filter(is_resubmittable)
        .collect())
}

/// Whether a bulk resubmit picks this entry up.
pub fn is_resubmittable(e: &OrderLogEntry) -> bool {
    matches!(e.sync_status, SyncStatus::Failed | SyncStatus::NeedsReview)
}

/// Cancelled-too-late exceptions: orders TikTok cancelled after the
/// warehouse shipped or billed them.
pub async fn exceptions(
    log: &dyn OrderLog,
    shop: Option<ShopId>,
) -> Result<Vec<OrderLogEntry>, OpsError> {
    let filter = LogFilter {
        shop_id: shop,
        code: Some(ErrorCode::CancelledTooLate.as_str().to_string()),
        ..Default::default()
    };
    Ok(log.list(&filter).await?)
}
