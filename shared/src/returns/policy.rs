//! The per-shop return policy: what can be decided without a person
//! (issue 28 §4; returns.md "Recommended flow"). A plain function over the
//! return, its value and the order's age. Rules are checked in a fixed,
//! harsh order: anything unknown (status, type, reason) goes to a person;
//! a reject rule wins over an approve rule; a value cap or a never-auto SKU
//! sends the return to a person rather than approving it.
//!
//! A reject reason is never hard-coded: the policy names the reason it wants
//! (`name` from Get Reject Reasons), and [`pick_reject_reason`] finds it in
//! the list fetched for that very return (TikTok removed US reasons without
//! notice, returns.md §A6). A reason that is gone routes to a person.

use serde::{Deserialize, Serialize};

use super::record::ReturnRecord;
use super::status::{Decision, ReturnStatus, ReturnType};
use crate::domain::{Money, Sku};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReturnPolicy {
    /// Return reasons (`return_reason`) approved outright.
    #[serde(default)]
    pub approve_reasons: Vec<String>,
    /// Returns worth at most this are approved returnless (buyer keeps it).
    #[serde(default)]
    pub returnless_up_to: Option<Money>,
    /// Never decided automatically above this value.
    #[serde(default)]
    pub auto_up_to: Option<Money>,
    /// Orders older than this many days go to a person.
    #[serde(default)]
    pub max_order_age_days: Option<u32>,
    /// SKUs a person always decides.
    #[serde(default)]
    pub manual_skus: Vec<Sku>,
    /// Return reason → the reject reason name to send.
    #[serde(default)]
    pub reject: Vec<RejectRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectRule {
    pub return_reason: String,
    pub reject_reason: String,
}

/// What the policy says.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyOutcome {
    Approve(Decision),
    /// `APPROVE_RETURN` with `buyer_keep_item: true`.
    ApproveReturnless,
    /// Reject with this reason name (found in the fetched list first).
    Reject {
        decision: Decision,
        reason: String,
    },
    /// Nothing to decide now (no open request).
    NoDecision,
    /// A person decides, before the deadline; the why is shown in the queue.
    AskPerson(String),
}

/// Decides a pending request. `value` is the return's `refund_total`,
/// `order_age_days` the days since the order was paid.
pub fn decide(p: &ReturnPolicy, r: &ReturnRecord, order_age_days: u32) -> PolicyOutcome {
    let (approve, reject) = match (&r.return_status, &r.return_type) {
        (ReturnStatus::RequestPending, ReturnType::Refund) => {
            (Decision::ApproveRefund, Decision::RejectRefund)
        }
        (ReturnStatus::RequestPending, ReturnType::ReturnAndRefund) => {
            (Decision::ApproveReturn, Decision::RejectReturn)
        }
        (ReturnStatus::RequestPending, other) => {
            return PolicyOutcome::AskPerson(format!("return type {other}"));
        }
        (ReturnStatus::Unknown(s), _) => {
            return PolicyOutcome::AskPerson(format!("unknown status {s:?}"));
        }
        _ => return PolicyOutcome::NoDecision,
    };
    if let Some(rule) = p.reject.iter().find(|x| x.return_reason == r.return_reason) {
        return PolicyOutcome::Reject {
            decision: reject,
            reason: rule.reject_reason.clone(),
        };
    }
    let value = r.refund_amount.refund_total;
    if let Some(sku) = r.units_by_sku().keys().find(|s| p.manual_skus.contains(s)) {
        return PolicyOutcome::AskPerson(format!("SKU {sku} is decided by a person"));
    }
    if p.auto_up_to.is_some_and(|cap| value > cap) {
        return PolicyOutcome::AskPerson(format!("value {value} above the automatic limit"));
    }
    if p.max_order_age_days.is_some_and(|d| order_age_days > d) {
        return PolicyOutcome::AskPerson(format!("order is {order_age_days} days old"));
    }
    if r.return_type == ReturnType::ReturnAndRefund
        && r.can_buyer_keep_item
        && p.returnless_up_to.is_some_and(|cap| value <= cap)
    {
        return PolicyOutcome::ApproveReturnless;
    }
    if p.approve_reasons.contains(&r.return_reason) {
        return PolicyOutcome::Approve(approve);
    }
    PolicyOutcome::AskPerson(format!("no rule for reason {:?}", r.return_reason))
}

/// One reason from Get Reject Reasons (`reasons[{name, text}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectReason {
    pub name: String,
    #[serde(default)]
    pub text: String,
}

/// The wanted reason if TikTok still offers it for this return.
pub fn pick_reject_reason<'a>(
    wanted: &str,
    fetched: &'a [RejectReason],
) -> Option<&'a RejectReason> {
    fetched.iter().find(|r| r.name == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret(reason: &str, total: &str, keep: bool) -> ReturnRecord {
        serde_json::from_value(serde_json::json!({
            "return_id": "R1", "order_id": "O1",
            "return_type": "RETURN_AND_REFUND",
            "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
            "return_reason": reason, "can_buyer_keep_item": keep,
            "refund_amount": {"refund_total": total},
            "return_line_items": [{"seller_sku": "MUG"}]
        }))
        .unwrap()
    }

    fn policy() -> ReturnPolicy {
        ReturnPolicy {
            approve_reasons: vec!["defective".into()],
            returnless_up_to: Some(Money::new(500, 2)),
            auto_up_to: Some(Money::new(10000, 2)),
            max_order_age_days: Some(30),
            manual_skus: vec![Sku("GOLD".into())],
            reject: vec![RejectRule {
                return_reason: "changed_mind_late".into(),
                reject_reason: "seller_reject_apply_reason_1".into(),
            }],
        }
    }

    #[test]
    fn approve_by_reason() {
        assert_eq!(
            decide(&policy(), &ret("defective", "20", false), 3),
            PolicyOutcome::Approve(Decision::ApproveReturn)
        );
    }

    #[test]
    fn returnless_under_the_cap_only_when_tiktok_allows() {
        assert_eq!(
            decide(&policy(), &ret("defective", "4.99", true), 3),
            PolicyOutcome::ApproveReturnless
        );
        assert_eq!(
            decide(&policy(), &ret("defective", "4.99", false), 3),
            PolicyOutcome::Approve(Decision::ApproveReturn)
        );
    }

    #[test]
    fn reject_by_reason_and_person_for_value_age_sku() {
        assert!(matches!(
            decide(&policy(), &ret("changed_mind_late", "20", false), 3),
            PolicyOutcome::Reject {
                decision: Decision::RejectReturn,
                ..
            }
        ));
        assert!(matches!(
            decide(&policy(), &ret("defective", "100.01", false), 3),
            PolicyOutcome::AskPerson(_)
        ));
        assert!(matches!(
            decide(&policy(), &ret("defective", "20", false), 31),
            PolicyOutcome::AskPerson(_)
        ));
        let mut gold = ret("defective", "20", false);
        gold.return_line_items[0].seller_sku = "GOLD".into();
        assert!(matches!(
            decide(&policy(), &gold, 1),
            PolicyOutcome::AskPerson(_)
        ));
        assert!(matches!(
            decide(&policy(), &ret("other", "20", false), 1),
            PolicyOutcome::AskPerson(_)
        ));
    }

    /// Edge case 15: a reason TikTok no longer offers is not sent.
    #[test]
    fn edge_15_removed_reason_is_not_sent() {
        let fetched = vec![RejectReason {
            name: "seller_reject_apply_reason_4".into(),
            text: String::new(),
        }];
        assert!(pick_reject_reason("reverse_reject_request_reason_1", &fetched).is_none());
        assert!(pick_reject_reason("seller_reject_apply_reason_4", &fetched).is_some());
    }
}
