//! The order log: one DynamoDB item per shop + order, the page merchants
//! work from (status, NetSuite id, the latest failure with its reason and fix,
//! and a short history of attempts).
//!
//! Writes are read-modify-write with an optimistic version check, so a
//! resubmit racing a redelivery cannot lose an attempt from the history.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::aws::{describe, get_s, s};
use super::{keys, Store, StoreError};
use crate::domain::{
    NetSuiteFulfillmentId, OrderId, OrderLineItemId, PackageId, ShippingProviderId, ShopId,
};
use crate::taxonomy::Failure;

pub use super::order_apply::Outcome;

crate::string_enum! {
    /// How far an order got towards NetSuite.
    pub enum SyncStatus {
        /// Seen, not yet eligible (UNPAID, ON_HOLD).
        Waiting = "waiting",
        Created = "created",
        /// A later TikTok status was recorded; the Sales Order was left as is.
        Updated = "updated",
        /// Deliberately not written (cancelled before creation, sample order, …).
        Skipped = "skipped",
        Failed = "failed",
        /// An outcome a human must check (e.g. an unknown status).
        NeedsReview = "needs_review",
        Cancelled = "cancelled",
        /// Some lines were cancelled; the rest stand.
        PartiallyCancelled = "partially_cancelled",
        /// A refund was booked (Credit Memo or Cash Refund).
        Refunded = "refunded",
        /// A human chose to ignore it.
        Ignored = "ignored",
    }
}

/// One attempt in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: i64,
    pub sync_status: SyncStatus,
    pub tiktok_status: String,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// Attempts kept per order.
pub const HISTORY_LEN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLogEntry {
    pub shop_id: ShopId,
    pub order_id: OrderId,
    pub tiktok_status: String,
    pub sync_status: SyncStatus,
    #[serde(default)]
    pub netsuite_id: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    pub attempts: u32,
    pub first_seen: i64,
    pub last_updated: i64,
    #[serde(default)]
    pub last_failure: Option<Failure>,
    /// SKUs behind the latest failure, so "resubmit everything blocked on SKU X" is one filter.
    #[serde(default)]
    pub failed_skus: Vec<String>,
    #[serde(default)]
    pub history: Vec<Attempt>,
    /// The event behind the latest failure (`type`, `data`), so a resubmit
    /// replays a failed refund or cancellation, not just the order.
    #[serde(default)]
    pub failed_event: Option<(i64, serde_json::Value)>,
    /// Every problem still open on this order, one per kind of event (order,
    /// cancellation, return): a refund that failed and a cancellation that
    /// needs review are both listed until each is resolved or the order is
    /// ignored. The order is failed / needs review while any is open.
    #[serde(default)]
    pub open_problems: Vec<OpenProblem>,
    /// What was shipped and with which tracking, per NetSuite fulfilment
    /// (the tracking job, `store::order_shipments`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipments: Vec<ShipmentRecord>,
    /// The order's type (sale, sample, …) as the writer last read it, and
    /// the retail value of its free units ($0 types, gift lines; issue 26).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<crate::domain::OrderType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retail_value: Option<crate::domain::Money>,
    #[serde(default)]
    pub version: u64,
}

/// One open problem of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenProblem {
    /// The webhook type of the event that failed (1 order, 11 cancellation, 12 return).
    pub kind: i64,
    pub status: SyncStatus,
    pub failure: Failure,
    #[serde(default)]
    pub failed_skus: Vec<String>,
    /// The event to replay on resubmit.
    #[serde(default)]
    pub event: Option<(i64, serde_json::Value)>,
}

impl OrderLogEntry {
    /// Whether any open problem (or the latest failure) carries this code.
    pub fn has_code(&self, code: &str) -> bool {
        self.last_failure
            .as_ref()
            .is_some_and(|f| f.code.as_str().eq_ignore_ascii_case(code))
            || self
                .open_problems
                .iter()
                .any(|p| p.failure.code.as_str().eq_ignore_ascii_case(code))
    }

    /// Whether any open problem (or the latest failure) is blocked on this SKU.
    pub fn blocked_on(&self, sku: &str) -> bool {
        self.failed_skus.iter().any(|x| x == sku)
            || self
                .open_problems
                .iter()
                .any(|p| p.failed_skus.iter().any(|x| x == sku))
    }

    /// Appends a history line that changes nothing else.
    pub fn push_note(&mut self, note: &str, at: i64) {
        self.history.push(Attempt {
            at,
            sync_status: self.sync_status.clone(),
            tiktok_status: self.tiktok_status.clone(),
            note: note.to_string(),
            failure: None,
        });
        if self.history.len() > HISTORY_LEN {
            let drop = self.history.len() - HISTORY_LEN;
            self.history.drain(..drop);
        }
    }
}

/// Filters for listing (the CLI's `orders list`).
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub shop_id: Option<ShopId>,
    pub sync_status: Option<SyncStatus>,
    pub code: Option<String>,
    pub sku: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Level of the latest failure (the console's filter).
    pub level: Option<crate::taxonomy::Level>,
    pub order_type: Option<crate::domain::OrderType>,
}

impl LogFilter {
    pub fn matches(&self, e: &OrderLogEntry) -> bool {
        self.shop_id.as_ref().is_none_or(|s| *s == e.shop_id)
            && self
                .sync_status
                .as_ref()
                .is_none_or(|s| *s == e.sync_status)
            && self.code.as_ref().is_none_or(|c| e.has_code(c))
            && self.sku.as_ref().is_none_or(|s| e.blocked_on(s))
            && self.since.is_none_or(|t| e.last_updated >= t)
            && self.until.is_none_or(|t| e.last_updated < t)
            && (self.order_type.as_ref()).is_none_or(|t| e.order_type.as_ref() == Some(t))
            && self.level.is_none_or(|l| {
                e.last_failure.as_ref().is_some_and(|f| f.level == l)
                    || e.open_problems.iter().any(|p| p.failure.level == l)
            })
    }
}

#[async_trait]
pub trait OrderLog: Send + Sync {
    async fn get(
        &self,
        shop: &ShopId,
        order: &OrderId,
    ) -> Result<Option<OrderLogEntry>, StoreError>;
    /// Records an attempt; returns the updated entry.
    async fn record(&self, outcome: &Outcome) -> Result<OrderLogEntry, StoreError> {
        let current = self.get(&outcome.shop_id, &outcome.order_id).await?;
        self.record_over(current, outcome).await
    }
    /// Records an attempt over the entry the caller already read (saving a
    /// read on the writer's hot path); a concurrent change is re-read.
    async fn record_over(
        &self,
        current: Option<OrderLogEntry>,
        outcome: &Outcome,
    ) -> Result<OrderLogEntry, StoreError>;
    /// Every entry the filter matches, newest first (index queries, never a scan).
    async fn list(&self, filter: &LogFilter) -> Result<Vec<OrderLogEntry>, StoreError>;
    /// Adds a shipment to the order's entry (replacing the same
    /// fulfilment's); `false` when the log has no entry for the order.
    async fn record_shipment(
        &self,
        shop: &ShopId,
        order: &OrderId,
        shipment: &ShipmentRecord,
    ) -> Result<bool, StoreError>;
    /// Orders of `shop` first shipped before `cutoff` and not settled by
    /// TikTok since (`order_awaiting`): (order, shipped at), at most `limit`.
    async fn awaiting_settlement(
        &self,
        shop: &ShopId,
        cutoff: i64,
        limit: usize,
    ) -> Result<Vec<(OrderId, i64)>, StoreError>;
    /// Takes orders TikTok settled out of that set: (order, first shipped).
    async fn mark_settled(
        &self,
        shop: &ShopId,
        orders: &[(OrderId, i64)],
    ) -> Result<(), StoreError>;
    /// The entries of several orders of a shop (those the log has); the
    /// default reads them one by one.
    async fn get_many(
        &self,
        shop: &ShopId,
        orders: &[OrderId],
    ) -> Result<Vec<OrderLogEntry>, StoreError> {
        let mut out = Vec::new();
        for o in orders {
            if let Some(e) = self.get(shop, o).await? {
                out.push(e);
            }
        }
        Ok(out)
    }
    /// Adds a line to the order's history (an operator's action: who, what,
    /// why) without changing its status or problems.
    async fn note(
        &self,
        shop: &ShopId,
        order: &OrderId,
        note: &str,
        at: i64,
    ) -> Result<OrderLogEntry, StoreError>;
    /// One page of at most `limit` entries, newest first, after `cursor`
    /// (from the previous page), in a bounded number of queries.
    async fn page(
        &self,
        filter: &LogFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, StoreError>;
}

/// The order log on DynamoDB: `pk = ORDER#{shop}#{order}`, `sk = LOG`, the
/// entry as a JSON document in `doc` plus top-level attributes for filters.
pub struct DynamoOrderLog {
    pub(super) client: aws_sdk_dynamodb::Client,
    pub(super) table: String,
}

impl DynamoOrderLog {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub(super) fn decode(
        item: &HashMap<String, AttributeValue>,
    ) -> Result<OrderLogEntry, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            store: Store::OrderLog,
            key: get_s(item, "pk").cloned().unwrap_or_default(),
            reason,
        };
        let doc = get_s(item, "doc").ok_or_else(|| corrupt("no doc attribute".into()))?;
        serde_json::from_str(doc).map_err(|e| corrupt(e.to_string()))
    }
}

pub(super) fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::OrderLog, describe(e))
}

#[async_trait]
impl OrderLog for DynamoOrderLog {
    async fn get(
        &self,
        shop: &ShopId,
        order: &OrderId,
    ) -> Result<Option<OrderLogEntry>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(keys::order_log(shop, order)))
            .key("sk", s(keys::ORDER_LOG_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        out.item().map(Self::decode).transpose()
    }

    /// `BatchGetItem`, 100 keys a call (DynamoDB's maximum), consistent
    /// reads; unprocessed keys are asked for again (a few times, backing off).
    async fn get_many(
        &self,
        shop: &ShopId,
        orders: &[OrderId],
    ) -> Result<Vec<OrderLogEntry>, StoreError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut out = Vec::new();
        for chunk in orders.chunks(100) {
            let keys: Vec<HashMap<String, AttributeValue>> = chunk
                .iter()
                .map(|o| {
                    HashMap::from([
                        ("pk".to_string(), s(keys::order_log(shop, o))),
                        ("sk".to_string(), s(keys::ORDER_LOG_SK)),
                    ])
                })
                .collect();
            let mut pending = Some(
                // Only what `decode` reads: the item also carries the
                // console's index attributes, which nothing here needs.
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .projection_expression("pk, #doc")
                    .expression_attribute_names("#doc", "doc")
                    .consistent_read(true)
                    .build()
                    .map_err(|e| unavailable(&e))?,
            );
            for attempt in 0..5u32 {
                let Some(ka) = pending.take() else { break };
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                }
                let res = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, ka)
                    .send()
                    .await
                    .map_err(|e| unavailable(&e))?;
                if let Some(items) = res.responses().and_then(|r| r.get(&self.table)) {
                    for item in items {
                        out.push(Self::decode(item)?);
                    }
                }
                pending = res
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .filter(|k| !k.keys().is_empty())
                    .cloned();
            }
            if pending.is_some() {
                return Err(StoreError::unavailable(
                    Store::OrderLog,
                    "BatchGetItem left keys unprocessed after 5 tries (throttled)",
                ));
            }
        }
        Ok(out)
    }

    async fn record_over(
        &self,
        known: Option<OrderLogEntry>,
        outcome: &Outcome,
    ) -> Result<OrderLogEntry, StoreError> {
        // A handful of retries covers a resubmit racing a redelivery.
        let mut known = Some(known);
        for _ in 0..5 {
            let current = match known.take() {
                Some(k) => k,
                None => self.get(&outcome.shop_id, &outcome.order_id).await?,
            };
            let prev_version = current.as_ref().map(|e| e.version);
            let next = OrderLogEntry::apply(current, outcome);
            if let Some(next) = self.put_entry(next, prev_version).await? {
                return Ok(next);
            }
        }
        Err(StoreError::Contention {
            store: Store::OrderLog,
            key: keys::order_log(&outcome.shop_id, &outcome.order_id),
        })
    }

    async fn list(&self, filter: &LogFilter) -> Result<Vec<OrderLogEntry>, StoreError> {
        self.list_all(filter).await
    }

    async fn note(
        &self,
        shop: &ShopId,
        order: &OrderId,
        note: &str,
        at: i64,
    ) -> Result<OrderLogEntry, StoreError> {
        for _ in 0..5 {
            let Some(mut e) = self.get(shop, order).await? else {
                return Err(StoreError::Corrupt {
                    store: Store::OrderLog,
                    key: keys::order_log(shop, order),
                    reason: "no such order to note an action on".into(),
                });
            };
            let prev = e.version;
            e.push_note(note, at);
            if let Some(next) = self.put_entry(e, Some(prev)).await? {
                return Ok(next);
            }
        }
        Err(StoreError::Contention {
            store: Store::OrderLog,
            key: keys::order_log(shop, order),
        })
    }

    async fn page(
        &self,
        filter: &LogFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, StoreError> {
        self.query_page(filter, cursor, limit).await
    }

    async fn record_shipment(
        &self,
        shop: &ShopId,
        order: &OrderId,
        shipment: &ShipmentRecord,
    ) -> Result<bool, StoreError> {
        self.add_shipment(shop, order, shipment).await
    }

    async fn awaiting_settlement(
        &self,
        shop: &ShopId,
        cutoff: i64,
        limit: usize,
    ) -> Result<Vec<(OrderId, i64)>, StoreError> {
        self.overdue(shop, cutoff, limit).await
    }

    async fn mark_settled(
        &self,
        shop: &ShopId,
        orders: &[(OrderId, i64)],
    ) -> Result<(), StoreError> {
        self.settled(shop, orders).await
    }
}

/// One page of the log.
#[derive(Debug, Clone, Default)]
pub struct LogPage {
    pub entries: Vec<OrderLogEntry>,
    /// Opaque cursor of the next page; `None` on the last.
    pub next: Option<String>,
    /// DynamoDB queries this page took.
    pub queries: usize,
}

/// One fulfilment's shipment as TikTok took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub fulfilment_id: NetSuiteFulfillmentId,
    pub tracking_number: String,
    /// Tracking numbers of the fulfilment's other boxes (TikTok takes one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_tracking: Vec<String>,
    pub shipping_provider_id: ShippingProviderId,
    /// The TikTok units shipped (empty for a correction).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<OrderLineItemId>,
    #[serde(default)]
    pub package_id: Option<PackageId>,
    pub at: i64,
    /// Set when this was a tracking correction (Update Shipping Info).
    #[serde(default)]
    pub corrected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::{ErrorCode, Failure};

    fn outcome(status: SyncStatus, failure: Option<Failure>, at: i64) -> Outcome {
        Outcome {
            shop_id: ShopId::new("s"),
            order_id: OrderId::new("o"),
            tiktok_status: "AWAITING_SHIPMENT".into(),
            sync_status: status,
            netsuite_id: None,
            external_id: None,
            note: String::new(),
            failure,
            failed_skus: vec!["SKU-1".into()],
            order_type: None,
            retail_value: None,
            at,
            event: None,
        }
    }

    #[test]
    fn failure_then_success_clears_the_failure_and_keeps_history() {
        let f = Failure::new(ErrorCode::UnlinkedProduct, "SKU-1 unknown", "link it");
        let e = OrderLogEntry::apply(None, &outcome(SyncStatus::Failed, Some(f), 1));
        assert_eq!(e.failed_skus, vec!["SKU-1"]);
        let mut ok = outcome(SyncStatus::Created, None, 2);
        ok.netsuite_id = Some("1000".into());
        let e = OrderLogEntry::apply(Some(e), &ok);
        assert_eq!(e.sync_status, SyncStatus::Created);
        assert!(e.last_failure.is_none() && e.failed_skus.is_empty());
        assert_eq!((e.attempts, e.first_seen, e.history.len()), (2, 1, 2));
        let e = OrderLogEntry::apply(Some(e), &outcome(SyncStatus::Waiting, None, 3));
        assert_eq!(e.sync_status, SyncStatus::Created, "never downgraded");
        assert_eq!(e.netsuite_id.as_deref(), Some("1000"));
    }

    #[test]
    fn a_failed_refund_stays_listed_when_a_later_status_push_succeeds() {
        let mut refund = outcome(
            SyncStatus::Failed,
            Some(Failure::new(ErrorCode::RefundCreationFailed, "r", "f")),
            1,
        );
        refund.event = Some((12, serde_json::json!({"return_id": "R"})));
        let e = OrderLogEntry::apply(None, &refund);
        let mut push = outcome(SyncStatus::Updated, None, 2);
        push.event = Some((1, serde_json::json!({"order_status": "IN_TRANSIT"})));
        let e = OrderLogEntry::apply(Some(e), &push);
        assert_eq!(e.sync_status, SyncStatus::Failed, "still listed as failed");
        assert!(e.last_failure.is_some() && e.failed_event.is_some());
        // The refund itself succeeding closes it.
        let mut booked = outcome(SyncStatus::Refunded, None, 3);
        booked.event = Some((12, serde_json::json!({"return_id": "R"})));
        let e = OrderLogEntry::apply(Some(e), &booked);
        assert_eq!(e.sync_status, SyncStatus::Refunded);
        assert!(e.last_failure.is_none());
    }

    #[test]
    fn each_kind_of_event_keeps_its_own_open_problem() {
        let with = |status, failure: Option<Failure>, kind: i64, at| {
            let mut o = outcome(status, failure, at);
            o.event = Some((kind, serde_json::json!({})));
            o
        };
        let refund = Failure::new(ErrorCode::RefundCreationFailed, "r", "f");
        let review = Failure::new(ErrorCode::CancelledTooLate, "c", "f");
        let e = OrderLogEntry::apply(None, &with(SyncStatus::Failed, Some(refund), 12, 1));
        let e = OrderLogEntry::apply(Some(e), &with(SyncStatus::NeedsReview, Some(review), 11, 2));
        assert_eq!(e.open_problems.len(), 2);
        assert!(e.has_code("REFUND_CREATION_FAILED") && e.has_code("CANCELLED_TOO_LATE"));
        // The refund goes through: the cancellation's problem stays open.
        let e = OrderLogEntry::apply(Some(e), &with(SyncStatus::Refunded, None, 12, 3));
        assert_eq!(e.open_problems.len(), 1);
        assert_eq!(e.sync_status, SyncStatus::NeedsReview);
        assert!(!e.has_code("REFUND_CREATION_FAILED") && e.has_code("CANCELLED_TOO_LATE"));
        // An operator ignores the order: nothing is open.
        let e = OrderLogEntry::apply(Some(e), &with(SyncStatus::Ignored, None, 0, 4));
        assert!(e.open_problems.is_empty());
        assert_eq!(e.sync_status, SyncStatus::Ignored);
    }

    #[test]
    fn history_is_capped() {
        let mut e = None;
        for i in 0..30 {
            e = Some(OrderLogEntry::apply(
                e,
                &outcome(SyncStatus::Waiting, None, i),
            ));
        }
        let e = e.unwrap();
        assert_eq!(e.history.len(), HISTORY_LEN);
        assert_eq!(e.history[0].at, 10);
        assert_eq!(e.attempts, 30);
    }
}
