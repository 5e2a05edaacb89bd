//! What the messages of one SQS batch share, to save DynamoDB round trips
//! (issue 20: the writer's own DynamoDB calls were ~4 per order besides the
//! NetSuite pool):
//!
//! - **the order log entries, read at once**: before the batch runs, the
//!   entries of every order whose group starts the batch are read with one
//!   `BatchGetItem` (strongly consistent, as the single `GetItem` was),
//!   instead of one `GetItem` per order. Each prefetched entry serves only
//!   the *first* message of its order ([`BatchMemo::take`] removes it):
//!   that message starts as the batch starts, so it sees what a `GetItem`
//!   of its own would have seen; a later message of the same order reads
//!   the log again after the earlier one wrote it. The write stays
//!   versioned (`record_over`), so an entry changed meanwhile (a job, a
//!   resubmit) is re-read and the outcome folded into it again.
//! - **the read-back checks, written at once**: a freshly created Sales
//!   Order's check for the verify job (`writer::readback`) is collected and
//!   written with the batch's others in one `BatchWriteItem` at the end of
//!   the batch, instead of one `PutItem` each. The check was best effort
//!   before (a failed put was logged, not retried) and stays so; it is
//!   written before the invocation answers, inside the batch's reserve.
//!
//! Used only through the batch adapter (`EventProcessor::prepare` /
//! `finish`); a message processed on its own reads and writes as before.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::domain::{OrderId, ShopId};
use crate::store::{OrderLogEntry, QueuedEvent};

use super::event::WriterEvent;

/// A check waiting for the end of the batch: shop, Sales Order id, the check.
pub type PendingCheck = (ShopId, String, String);

/// One batch's shared reads and deferred writes (see the module doc).
#[derive(Default)]
pub struct BatchMemo {
    /// Entry read for an order (`None`: the log has none), until taken.
    prefetched: Mutex<HashMap<(ShopId, OrderId), Option<OrderLogEntry>>>,
    deferring: AtomicBool,
    checks: Mutex<Vec<PendingCheck>>,
}

/// The orders whose log entries a batch reads up front, by shop, each once:
/// the orders the given events (the first of each group) are about.
pub fn orders_to_prefetch(first_of_groups: &[QueuedEvent]) -> BTreeMap<ShopId, Vec<OrderId>> {
    let mut out: BTreeMap<ShopId, Vec<OrderId>> = BTreeMap::new();
    for e in first_of_groups {
        if let Some(order) = WriterEvent::parse(e).order() {
            let orders = out.entry(e.shop_id.clone()).or_default();
            if !orders.contains(order) {
                orders.push(order.clone());
            }
        }
    }
    out
}

impl BatchMemo {
    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers what the log held for `orders` of `shop` (`found`: the
    /// entries read; an order without one is remembered as having none).
    pub fn remember(&self, shop: &ShopId, orders: &[OrderId], found: Vec<OrderLogEntry>) {
        let mut m = Self::lock(&self.prefetched);
        for o in orders {
            m.insert((shop.clone(), o.clone()), None);
        }
        for e in found {
            if e.shop_id == *shop && orders.contains(&e.order_id) {
                m.insert((shop.clone(), e.order_id.clone()), Some(e));
            }
        }
    }

    /// The prefetched entry of an order, once: `Some(entry or none)` for
    /// the first caller, `None` (read the log yourself) after that or when
    /// the order was not prefetched.
    pub fn take(&self, shop: &ShopId, order: &OrderId) -> Option<Option<OrderLogEntry>> {
        Self::lock(&self.prefetched).remove(&(shop.clone(), order.clone()))
    }

    /// From now on, read-back checks wait for [`Self::drain_checks`].
    pub fn defer_checks(&self) {
        self.deferring.store(true, Ordering::Relaxed);
    }

    /// Keeps the check for the end of the batch; `false`: not deferring,
    /// write it now.
    pub fn defer_check(&self, shop: &ShopId, so_id: &str, check: String) -> bool {
        if !self.deferring.load(Ordering::Relaxed) {
            return false;
        }
        Self::lock(&self.checks).push((shop.clone(), so_id.to_string(), check));
        true
    }

    /// The deferred checks by shop, taken out (a second call gets none).
    pub fn drain_checks(&self) -> BTreeMap<ShopId, Vec<(String, String)>> {
        let mut out: BTreeMap<ShopId, Vec<(String, String)>> = BTreeMap::new();
        for (shop, so, check) in std::mem::take(&mut *Self::lock(&self.checks)) {
            out.entry(shop).or_default().push((so, check));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Outcome, SyncStatus};

    fn event(shop: &str, order: Option<&str>, kind: i64) -> QueuedEvent {
        serde_json::from_value(serde_json::json!({
            "v": 1, "event_key": "k", "shop_id": shop, "notification_id": "n",
            "type": kind, "order_id": order, "received_at": 0,
            "data": order.map_or(serde_json::json!({}), |o| serde_json::json!({"order_id": o, "order_status": "AWAITING_SHIPMENT"}))
        }))
        .unwrap()
    }

    fn entry(shop: &str, order: &str) -> OrderLogEntry {
        OrderLogEntry::apply(
            None,
            &Outcome {
                shop_id: ShopId::new(shop),
                order_id: OrderId::new(order),
                tiktok_status: "AWAITING_SHIPMENT".into(),
                sync_status: SyncStatus::Created,
                netsuite_id: Some("1".into()),
                external_id: None,
                note: String::new(),
                failure: None,
                failed_skus: vec![],
                order_type: None,
                retail_value: None,
                at: 0,
                event: None,
            },
        )
    }

    #[test]
    fn a_batch_reads_each_order_once_by_shop_and_skips_shop_events() {
        let events = vec![
            event("s1", Some("a"), 1),
            event("s2", Some("b"), 1),
            event("s1", Some("a"), 11),
            event("s1", Some("c"), 1),
            // Webhook 6 (seller deauthorization) names no order.
            event("s1", None, 6),
        ];
        let want = BTreeMap::from([
            (
                ShopId::new("s1"),
                vec![OrderId::new("a"), OrderId::new("c")],
            ),
            (ShopId::new("s2"), vec![OrderId::new("b")]),
        ]);
        assert_eq!(orders_to_prefetch(&events), want);
    }

    #[test]
    fn a_prefetched_entry_serves_the_first_message_of_its_order_only() {
        let m = BatchMemo::default();
        let (shop, a, b) = (ShopId::new("s"), OrderId::new("a"), OrderId::new("b"));
        m.remember(&shop, &[a.clone(), b.clone()], vec![entry("s", "a")]);
        assert_eq!(
            m.take(&shop, &a).map(|e| e.map(|e| e.order_id)),
            Some(Some(a.clone()))
        );
        // Known to have no entry: the first message needs no read either.
        assert_eq!(m.take(&shop, &b), Some(None));
        // The next message of the order reads the log again (an earlier one wrote it).
        assert_eq!(m.take(&shop, &a), None);
        // Not prefetched (another shop): read it.
        assert_eq!(m.take(&ShopId::new("t"), &a), None);
    }

    #[test]
    fn an_entry_of_another_order_is_not_remembered_for_it() {
        let m = BatchMemo::default();
        let shop = ShopId::new("s");
        m.remember(&shop, &[OrderId::new("a")], vec![entry("s", "x")]);
        assert_eq!(m.take(&shop, &OrderId::new("a")), Some(None));
        assert_eq!(m.take(&shop, &OrderId::new("x")), None);
    }

    #[test]
    fn checks_are_written_at_once_only_while_deferring() {
        let m = BatchMemo::default();
        let shop = ShopId::new("s");
        assert!(
            !m.defer_check(&shop, "1", "c1".into()),
            "not deferring: write now"
        );
        m.defer_checks();
        assert!(m.defer_check(&shop, "2", "c2".into()));
        assert!(m.defer_check(&ShopId::new("t"), "3", "c3".into()));
        assert!(m.defer_check(&shop, "4", "c4".into()));
        let drained = m.drain_checks();
        assert_eq!(
            drained[&shop],
            vec![
                ("2".to_string(), "c2".to_string()),
                ("4".into(), "c4".into())
            ]
        );
        assert_eq!(
            drained[&ShopId::new("t")],
            vec![("3".to_string(), "c3".to_string())]
        );
        assert!(m.drain_checks().is_empty(), "drained once");
    }
}
