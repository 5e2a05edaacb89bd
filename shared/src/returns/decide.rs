//! Sending a decision to TikTok safely (returns.md "Recommended flow"):
//!
//! - The return is read again first; a decision goes out only while TikTok
//!   still waits for the seller action it answers (`seller_next_action_response`).
//!   If TikTok already decided (auto-approval after the deadline,
//!   arbitration, the buyer cancelled) that is recorded, not an error.
//! - The `idempotency_key` (≤ 255 chars, Approve/Reject Return 202309) is a
//!   SHA-256 of the return, the decision and the deadline it answers: a
//!   retry after a timeout sends the same key (one decision, edge case 14),
//!   while a new round after arbitration (a new deadline) gets a new one.
//! - TikTok's "status cannot approve/reject" codes (25011011, 25011012, Get
//!   Review Decision 202606, §A2) and "transferred to a platform operator"
//!   (25011010) mean someone else decided: a no-op, never a retry loop.

use sha2::{Digest, Sha256};

use super::record::ReturnRecord;
use super::status::Decision;

/// The deterministic key of one decision on one return for one deadline.
pub fn idempotency_key(return_id: &str, decision: &Decision, deadline: i64) -> String {
    let mut h = Sha256::new();
    h.update(return_id.as_bytes());
    h.update(b"|");
    h.update(decision.as_str().as_bytes());
    h.update(b"|");
    h.update(deadline.to_string().as_bytes());
    format!("tn-{}", hex::encode(h.finalize()))
}

/// What to do once the return has been read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Go {
    /// Send, with this key.
    Send { idempotency_key: String },
    /// TikTok no longer waits for this answer: it (or the buyer, or
    /// arbitration) decided. Record it; nothing to send.
    AlreadyDecided { status: String },
}

/// Whether `decision` may still be sent on the freshly read return.
pub fn before_sending(fresh: &ReturnRecord, decision: &Decision) -> Go {
    let open = decision
        .answers()
        .and_then(|action| fresh.deadline_for(&action));
    match open {
        Some(deadline) if !fresh.return_status.is_final() => Go::Send {
            idempotency_key: idempotency_key(&fresh.return_id, decision, deadline),
        },
        _ => Go::AlreadyDecided {
            status: fresh.return_status.to_string(),
        },
    }
}

/// TikTok codes that mean "this was already decided", not a failure.
pub const ALREADY_DECIDED_CODES: [i64; 3] = [25011010, 25011011, 25011012];

/// Whether TikTok's answer code means someone else already decided.
pub fn is_already_decided(code: i64) -> bool {
    ALREADY_DECIDED_CODES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(status: &str, action: Option<&str>) -> ReturnRecord {
        let next: Vec<_> = action
            .map(|a| serde_json::json!({"action": a, "deadline": 1000}))
            .into_iter()
            .collect();
        serde_json::from_value(serde_json::json!({
            "return_id": "R1", "order_id": "O1", "return_type": "RETURN_AND_REFUND",
            "return_status": status, "seller_next_action_response": next
        }))
        .unwrap()
    }

    /// Edge case 13: TikTok auto-approved before we answered.
    #[test]
    fn edge_13_auto_approved_is_not_an_error() {
        let go = before_sending(
            &fresh("AWAITING_BUYER_SHIP", None),
            &Decision::ApproveReturn,
        );
        assert_eq!(
            go,
            Go::AlreadyDecided {
                status: "AWAITING_BUYER_SHIP".into()
            }
        );
        assert!(is_already_decided(25011012));
        assert!(!is_already_decided(36009003));
    }

    /// Edge case 14: a retry sends the same key; a new deadline a new one.
    #[test]
    fn edge_14_retry_has_the_same_key() {
        let f = fresh(
            "RETURN_OR_REFUND_REQUEST_PENDING",
            Some("SELLER_RESPOND_RETURN"),
        );
        let a = before_sending(&f, &Decision::ApproveReturn);
        assert_eq!(a, before_sending(&f, &Decision::ApproveReturn));
        let Go::Send { idempotency_key } = a else {
            panic!("should send")
        };
        assert!(idempotency_key.len() <= 255);
        assert_ne!(
            idempotency_key,
            self::idempotency_key("R1", &Decision::ApproveReturn, 2000)
        );
        assert_ne!(
            idempotency_key,
            self::idempotency_key("R1", &Decision::RejectReturn, 1000)
        );
    }
}
