//! One return as Search Returns 202309 gives it (doc 650ab69edefece02be70785b,
//! returns.md §A3), read defensively: TikTok's own example sends
//! `is_combined_return` as the string `"true "`, so every boolean accepts a
//! bool or a (trimmed) string, and anything else reads as `false` — the
//! harsher reading for `can_buyer_keep_item`, which only ever widens what a
//! buyer gets.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

use super::status::{ArbitrationStatus, ReturnStatus, ReturnType, SellerAction};
use crate::domain::{Money, OrderId, Sku};
use crate::tiktok::aftersales::{PartialRefund, RefundAmount};

/// A bool TikTok may send as `true`, `"true"` or `"true "`.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    })
}

/// Epoch seconds TikTok may send as a number or a string.
fn lenient_time<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

/// One returned unit: TikTok order lines are one unit each and return lines
/// carry no quantity, so returned quantity = lines per SKU (§A3, inferred).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnLine {
    #[serde(default)]
    pub return_line_item_id: String,
    #[serde(default)]
    pub order_line_item_id: String,
    #[serde(default)]
    pub sku_id: String,
    #[serde(default)]
    pub seller_sku: String,
    #[serde(default)]
    pub refund_amount: RefundAmount,
}

/// A deadline TikTok set for the seller (`seller_next_action_response`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextAction {
    pub action: SellerAction,
    #[serde(default, deserialize_with = "lenient_time")]
    pub deadline: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnRecord {
    pub return_id: String,
    pub order_id: OrderId,
    #[serde(default)]
    pub return_type: ReturnType,
    #[serde(default)]
    pub return_status: ReturnStatus,
    #[serde(default)]
    pub arbitration_status: Option<ArbitrationStatus>,
    #[serde(default)]
    pub return_reason: String,
    #[serde(default, deserialize_with = "lenient_time")]
    pub create_time: i64,
    #[serde(default, deserialize_with = "lenient_time")]
    pub update_time: i64,
    #[serde(default)]
    pub return_line_items: Vec<ReturnLine>,
    #[serde(default)]
    pub refund_amount: RefundAmount,
    #[serde(default)]
    pub seller_next_action_response: Vec<NextAction>,
    /// The return this one was edited from / to.
    #[serde(default)]
    pub pre_return_id: Option<String>,
    #[serde(default)]
    pub next_return_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_combined_return: bool,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub can_buyer_keep_item: bool,
    /// Set by us when we approved with `buyer_keep_item` (the API does not
    /// echo it back; the decision log does).
    #[serde(default, deserialize_with = "lenient_bool")]
    pub buyer_keep_item: bool,
    #[serde(default)]
    pub seller_proposed_return_type: Option<String>,
    #[serde(default)]
    pub partial_refund: Option<PartialRefund>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub buyer_rejected_partial_refund: bool,
}

impl ReturnRecord {
    /// TikTok's deadline for one action, never a hard-coded clock (§A6).
    pub fn deadline_for(&self, action: &SellerAction) -> Option<i64> {
        self.seller_next_action_response
            .iter()
            .filter(|a| &a.action == action && a.deadline > 0)
            .map(|a| a.deadline)
            .min()
    }

    /// The earliest open deadline, whatever the action.
    pub fn next_deadline(&self) -> Option<(SellerAction, i64)> {
        self.seller_next_action_response
            .iter()
            .filter(|a| a.deadline > 0)
            .min_by_key(|a| a.deadline)
            .map(|a| (a.action.clone(), a.deadline))
    }

    /// Nothing ships back (§A6 "Returnless"): type `REFUND`, an approval
    /// with `buyer_keep_item`, or a partial refund the buyer accepted.
    pub fn is_returnless(&self) -> bool {
        self.return_type == ReturnType::Refund
            || self.buyer_keep_item
            || (self.seller_proposed_return_type.as_deref() == Some("PARTIAL_REFUND")
                && !self.buyer_rejected_partial_refund
                && self.partial_refund.is_some())
    }

    /// Returned units per SKU (seller SKU, else TikTok's sku id).
    pub fn units_by_sku(&self) -> BTreeMap<Sku, u32> {
        let mut out = BTreeMap::new();
        for l in &self.return_line_items {
            *out.entry(line_sku(l)).or_insert(0) += 1;
        }
        out
    }

    /// The sum of the lines' `refund_total`.
    pub fn lines_total(&self) -> Money {
        self.return_line_items
            .iter()
            .map(|l| l.refund_amount.refund_total)
            .sum()
    }

    /// Whether `other` (the same return read again) is newer than `self`:
    /// by `update_time`, then by how far along the path its status is. An
    /// older webhook never rolls a return back (edge case 1).
    pub fn is_superseded_by(&self, other: &ReturnRecord) -> bool {
        (other.update_time, other.return_status.rank())
            > (self.update_time, self.return_status.rank())
    }
}

/// The SKU a line is booked under.
pub fn line_sku(l: &ReturnLine) -> Sku {
    if l.seller_sku.trim().is_empty() {
        Sku(l.sku_id.clone())
    } else {
        Sku(l.seller_sku.trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edge case 21: `"true "`, `SELLER_ARRANGE`, an undocumented status.
    #[test]
    fn edge_21_hostile_fields_parse() {
        let r: ReturnRecord = serde_json::from_value(serde_json::json!({
            "return_id": "R1", "order_id": "O1",
            "return_type": "RETURN_AND_REFUND",
            "return_status": "RETURN_OR_REFUND_REQUEST_REJECTED",
            "return_method": "SELLER_ARRANGE",
            "is_combined_return": "true ",
            "can_buyer_keep_item": "maybe",
            "update_time": "1700000000",
            "seller_next_action_response": [{"action": "SELLER_RESPOND_SOMETHING", "deadline": 5}],
            "return_line_items": [{"seller_sku": "A", "refund_amount": {"refund_total": "1.50"}}]
        }))
        .unwrap();
        assert!(r.is_combined_return);
        assert!(!r.can_buyer_keep_item);
        assert_eq!(r.update_time, 1_700_000_000);
        assert!(matches!(r.return_status, ReturnStatus::Unknown(_)));
        assert!(matches!(
            r.next_deadline(),
            Some((SellerAction::Unknown(_), 5))
        ));
    }

    #[test]
    fn deadline_comes_from_tiktok() {
        let r: ReturnRecord = serde_json::from_value(serde_json::json!({
            "return_id": "R1", "order_id": "O1",
            "seller_next_action_response": [
                {"action": "SELLER_RESPOND_RETURN", "deadline": 200},
                {"action": "SELLER_RESPOND_REFUND", "deadline": 100}]
        }))
        .unwrap();
        assert_eq!(r.deadline_for(&SellerAction::RespondReturn), Some(200));
        assert_eq!(r.next_deadline(), Some((SellerAction::RespondRefund, 100)));
    }
}
