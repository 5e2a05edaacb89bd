//! The console's returns queue and its alarm (issue 28 §4): each return
//! waiting for a person shows TikTok's deadline from
//! `seller_next_action_response` (never a hard-coded clock), and an alarm is
//! due once the deadline is nearer than the shop's margin and no decision
//! has been sent.

use super::record::ReturnRecord;
use super::status::SellerAction;

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub return_id: String,
    pub order_id: String,
    pub action: SellerAction,
    pub deadline: i64,
    pub why: String,
}

/// The row for a return a person must decide, if TikTok waits for one.
pub fn queue_row(r: &ReturnRecord, why: &str) -> Option<QueueRow> {
    let (action, deadline) = r.next_deadline()?;
    Some(QueueRow {
        return_id: r.return_id.clone(),
        order_id: r.order_id.0.clone(),
        action,
        deadline,
        why: why.to_string(),
    })
}

/// Whether the alarm is due: unanswered and within `margin_secs` of the
/// deadline (or past it). Rows sorted by deadline come first in the queue.
pub fn alarm_due(row: &QueueRow, decided: bool, now: i64, margin_secs: i64) -> bool {
    !decided && now >= row.deadline - margin_secs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edge case 16: the alarm fires before the deadline when nothing was sent.
    #[test]
    fn edge_16_alarm_before_the_deadline() {
        let r: ReturnRecord = serde_json::from_value(serde_json::json!({
            "return_id": "R1", "order_id": "O1",
            "seller_next_action_response": [{"action": "SELLER_RESPOND_RETURN", "deadline": 10_000}]
        }))
        .unwrap();
        let row = queue_row(&r, "no rule").unwrap();
        assert_eq!(row.deadline, 10_000);
        assert!(!alarm_due(&row, false, 5_000, 3_600));
        assert!(alarm_due(&row, false, 6_400, 3_600));
        assert!(!alarm_due(&row, true, 9_999, 3_600));
    }
}
