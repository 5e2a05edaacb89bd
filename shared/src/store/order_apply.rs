//! How one processing attempt's [`Outcome`] folds into an order's log entry:
//! status, attempts, the open problems per kind of event, the latest failure
//! and a bounded history. A plain function over data; the stores call it
//! inside their versioned write (`order_item::put_entry`).

use super::order_log::{Attempt, OpenProblem, OrderLogEntry, SyncStatus, HISTORY_LEN};
use crate::domain::{OrderId, ShopId};
use crate::taxonomy::Failure;

/// What one processing attempt concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub shop_id: ShopId,
    pub order_id: OrderId,
    pub tiktok_status: String,
    pub sync_status: SyncStatus,
    pub netsuite_id: Option<String>,
    pub external_id: Option<String>,
    pub note: String,
    pub failure: Option<Failure>,
    pub failed_skus: Vec<String>,
    /// The order's type, when this attempt read the order (issue 26).
    pub order_type: Option<crate::domain::OrderType>,
    /// The retail value of its free units, for $0 types and gift lines.
    pub retail_value: Option<crate::domain::Money>,
    pub at: i64,
    /// The event this attempt processed (`type`, `data`), when there was one.
    pub event: Option<(i64, serde_json::Value)>,
}

impl OrderLogEntry {
    /// Folds an attempt's outcome into the entry.
    pub fn apply(entry: Option<OrderLogEntry>, o: &Outcome) -> OrderLogEntry {
        let mut e = entry.unwrap_or_else(|| OrderLogEntry {
            shop_id: o.shop_id.clone(),
            order_id: o.order_id.clone(),
            tiktok_status: o.tiktok_status.clone(),
            sync_status: o.sync_status.clone(),
            netsuite_id: None,
            external_id: None,
            attempts: 0,
            first_seen: o.at,
            last_updated: o.at,
            last_failure: None,
            failed_skus: vec![],
            history: vec![],
            failed_event: None,
            open_problems: vec![],
            shipments: vec![],
            order_type: None,
            retail_value: None,
            version: 0,
        });
        if o.order_type.is_some() {
            e.order_type = o.order_type.clone();
            e.retail_value = o.retail_value;
        }
        e.attempts += 1;
        // Open problems, one per kind of event.
        let kind = o.event.as_ref().map_or(0, |(t, _)| *t);
        match (&o.failure, &o.sync_status) {
            (_, SyncStatus::Ignored) => e.open_problems.clear(),
            (Some(f), SyncStatus::Failed | SyncStatus::NeedsReview) => {
                e.open_problems.retain(|p| p.kind != kind);
                e.open_problems.push(OpenProblem {
                    kind,
                    status: o.sync_status.clone(),
                    failure: f.clone(),
                    failed_skus: o.failed_skus.clone(),
                    event: o.event.clone(),
                });
            }
            (None, s) if *s != SyncStatus::Failed => e.open_problems.retain(|p| p.kind != kind),
            _ => {}
        }
        e.tiktok_status = o.tiktok_status.clone();
        // A created order stays created: later events never downgrade it to waiting.
        let keep_created = matches!(e.sync_status, SyncStatus::Created | SyncStatus::Updated)
            && matches!(o.sync_status, SyncStatus::Waiting | SyncStatus::Skipped);
        // An open problem of another kind of event (a failed refund, a
        // cancellation that needs review) keeps the order listed as failed or
        // needing review until that event itself succeeds or is ignored: an
        // order-status push must not hide it.
        let other_kind_open = o.failure.is_none()
            && o.sync_status != SyncStatus::Ignored
            && e.open_problems.iter().any(|p| p.kind != kind);
        if other_kind_open {
            if let Some(p) = e.open_problems.last() {
                e.sync_status = p.status.clone();
            }
        } else if !keep_created {
            e.sync_status = o.sync_status.clone();
        }
        if o.netsuite_id.is_some() {
            e.netsuite_id = o.netsuite_id.clone();
        }
        if o.external_id.is_some() {
            e.external_id = o.external_id.clone();
        }
        e.last_updated = o.at;
        match &o.failure {
            Some(f) => {
                e.last_failure = Some(f.clone());
                e.failed_skus = o.failed_skus.clone();
                if o.event.is_some() {
                    e.failed_event = o.event.clone();
                }
            }
            // A success clears a failure of the same kind of event only: an
            // order update must not hide a refund that still failed.
            None if o.sync_status != SyncStatus::Failed
                && match (&e.failed_event, &o.event) {
                    (Some((failed, _)), Some((now, _))) => failed == now,
                    _ => true,
                } =>
            {
                e.last_failure = None;
                e.failed_skus.clear();
                e.failed_event = None;
            }
            None => {}
        }
        e.history.push(Attempt {
            at: o.at,
            sync_status: o.sync_status.clone(),
            tiktok_status: o.tiktok_status.clone(),
            note: o.note.clone(),
            failure: o.failure.clone(),
        });
        if e.history.len() > HISTORY_LEN {
            let drop = e.history.len() - HISTORY_LEN;
            e.history.drain(..drop);
        }
        e
    }
}
