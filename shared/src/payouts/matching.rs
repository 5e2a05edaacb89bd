//! Matching a statement's transactions to what NetSuite has (pure): each
//! order transaction to its Sales Order and each refund to its Credit Memo
//! or Cash Refund, through the order log (the writer records the Sales
//! Order's internal id and a booked refund there; the key is TikTok's
//! `order_id`, the Sales Order's externalId, finance notes §5.2 "Matching").
//!
//! A refund row is an `ORDER` transaction whose revenue carries a refund
//! (`refund_subtotal_before_discount_amount` < 0, or a negative
//! `revenue_amount`, §1.5). Reserve rows and adjustments that name an order
//! are informational (§5.2); an adjustment with no order at all is flagged
//! (§5.3 item 5, "orphans have no order").

use serde_json::Value;

use crate::domain::Money;
use crate::store::{OrderLogEntry, SyncStatus};

crate::string_enum! {
    /// How one transaction matched NetSuite; stored per transaction and
    /// shown in the report's CSV.
    pub enum MatchStatus {
        /// A sale whose Sales Order exists.
        Matched = "matched",
        /// A settled sale with no Sales Order in NetSuite.
        NoSalesOrder = "no_sales_order",
        /// A refund whose Credit Memo / Cash Refund was booked.
        RefundMatched = "refund_matched",
        /// A refund of a known sale, but no Credit Memo / Cash Refund yet.
        RefundNotBooked = "refund_not_booked",
        /// A refund with no original sale in NetSuite.
        OrphanRefund = "orphan_refund",
        /// An adjustment that names no order.
        AdjustmentWithoutOrder = "adjustment_without_order",
        /// Reserves and adjustments of an order: nothing to match.
        NotApplicable = "not_applicable",
    }
}

impl MatchStatus {
    /// Whether the report lists it as needing attention.
    pub fn needs_attention(&self) -> bool {
        matches!(
            self,
            Self::NoSalesOrder
                | Self::RefundNotBooked
                | Self::OrphanRefund
                | Self::AdjustmentWithoutOrder
        )
    }
}

fn amount(t: &Value, path: &[&str]) -> Money {
    let mut v = Some(t);
    for p in path {
        v = v.and_then(|x| x.get(p));
    }
    super::plan::amount(v, "").unwrap_or_default()
}

/// Whether an `ORDER` transaction is (or carries) a refund.
pub fn is_refund(t: &Value) -> bool {
    amount(
        t,
        &[
            "revenue_breakdown",
            "refund_subtotal_before_discount_amount",
        ],
    ) < Money::ZERO
        || amount(t, &["revenue_amount"]) < Money::ZERO
}

/// The order id a transaction names: `order_id`, else `adjustment_order_id`,
/// else `associated_order_id` (reserves).
pub fn order_of(t: &Value) -> Option<&str> {
    ["order_id", "adjustment_order_id", "associated_order_id"]
        .iter()
        .filter_map(|k| t.get(k).and_then(Value::as_str))
        .find(|s| !s.is_empty())
}

/// Whether the order log shows a booked refund on the order.
fn refund_booked(e: &OrderLogEntry) -> bool {
    e.sync_status == SyncStatus::Refunded
        || e.history
            .iter()
            .any(|a| a.sync_status == SyncStatus::Refunded)
}

/// Matches one transaction against its order's log entry (if any).
pub fn match_transaction(t: &Value, logged: Option<&OrderLogEntry>) -> MatchStatus {
    let kind = t.get("type").and_then(Value::as_str).unwrap_or_default();
    if kind.eq_ignore_ascii_case("RESERVE") {
        return MatchStatus::NotApplicable;
    }
    if !kind.eq_ignore_ascii_case("ORDER") {
        return if order_of(t).is_some() {
            MatchStatus::NotApplicable
        } else {
            MatchStatus::AdjustmentWithoutOrder
        };
    }
    let has_so = logged.is_some_and(|e| e.netsuite_id.is_some());
    match (is_refund(t), has_so) {
        (false, true) => MatchStatus::Matched,
        (false, false) => MatchStatus::NoSalesOrder,
        (true, false) => MatchStatus::OrphanRefund,
        (true, true) if logged.is_some_and(refund_booked) => MatchStatus::RefundMatched,
        (true, true) => MatchStatus::RefundNotBooked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(status: &str, netsuite_id: Option<&str>) -> OrderLogEntry {
        serde_json::from_value(json!({
            "shop_id": "s", "order_id": "1", "tiktok_status": "COMPLETED",
            "sync_status": status, "netsuite_id": netsuite_id,
            "attempts": 1, "first_seen": 1, "last_updated": 1
        }))
        .unwrap()
    }

    #[test]
    fn sales_refunds_and_adjustments_each_get_their_status() {
        let sample = crate::payouts::plan::tests::sample();
        let txs = sample["transactions"].as_array().unwrap();
        let so = entry("created", Some("501"));
        assert_eq!(match_transaction(&txs[0], Some(&so)), MatchStatus::Matched);
        assert_eq!(match_transaction(&txs[1], None), MatchStatus::NoSalesOrder);
        assert_eq!(
            match_transaction(&txs[2], None),
            MatchStatus::NotApplicable,
            "a logistics reimbursement names its order"
        );
        assert_eq!(match_transaction(&txs[3], None), MatchStatus::NotApplicable);
        let refund = json!({"type": "ORDER", "order_id": "9", "revenue_amount": "-30.00",
            "revenue_breakdown": {"refund_subtotal_before_discount_amount": "-30.00"}});
        assert!(is_refund(&refund));
        assert_eq!(match_transaction(&refund, None), MatchStatus::OrphanRefund);
        assert_eq!(
            match_transaction(&refund, Some(&so)),
            MatchStatus::RefundNotBooked
        );
        let refunded = entry("refunded", Some("501"));
        assert_eq!(
            match_transaction(&refund, Some(&refunded)),
            MatchStatus::RefundMatched
        );
        let orphan_adj =
            json!({"type": "PLATFORM_PENALTY", "adjustment_id": "7", "adjustment_amount": "-5"});
        assert_eq!(
            match_transaction(&orphan_adj, None),
            MatchStatus::AdjustmentWithoutOrder
        );
        assert!(MatchStatus::OrphanRefund.needs_attention());
    }
}
