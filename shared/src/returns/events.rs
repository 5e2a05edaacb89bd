//! What starts the flow (issue 28 §5): webhook 12 `RETURN_STATUS_CHANGE`
//! (returns.md §A5: `data{order_id, return_id, return_status, return_type,
//! update_time, …}`, no lines and no amounts, so the return is always read
//! again with Search Returns), the legacy type 2 (reverse order status
//! change; its fields — `reverse_order_id`, `reverse_order_status` — are
//! [U]: read harshly, an event without a return id is ignored), and the
//! sweep by `update_time` that finds returns whose webhook never came.

use serde_json::Value;

use crate::domain::OrderId;

/// A return to read again and run through the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTrigger {
    pub return_id: String,
    pub order_id: OrderId,
    /// The event's `update_time` (0 when absent): an older event than the
    /// one already applied still triggers a re-read, never a rollback.
    pub update_time: i64,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The return an event is about, for types 12 and (legacy) 2.
pub fn trigger(kind: u32, data: &Value) -> Option<ReturnTrigger> {
    let return_id = match kind {
        12 => text(data, "return_id"),
        2 => text(data, "reverse_order_id").or_else(|| text(data, "return_id")),
        _ => None,
    }?;
    let order_id = OrderId(text(data, "order_id")?);
    let update_time = data
        .get("update_time")
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()))
        .unwrap_or(0);
    Some(ReturnTrigger {
        return_id,
        order_id,
        update_time,
    })
}

/// How far back each sweep looks before its last run (returns.md
/// "Recommended flow": `update_time_ge = last − 2 h`).
pub const SWEEP_OVERLAP_SECS: i64 = 2 * 3600;

/// The sweep's `[update_time_ge, update_time_lt)` window.
pub fn sweep_window(last_run: Option<i64>, now: i64, first_lookback_secs: i64) -> (i64, i64) {
    let from = match last_run {
        Some(t) => t - SWEEP_OVERLAP_SECS,
        None => now - first_lookback_secs,
    };
    (from.min(now), now)
}

/// Whether a swept return needs the flow: its `update_time` is newer than
/// what was last applied for it (webhook or sweep), so a duplicate never
/// runs it twice.
pub fn needs_flow(applied_update_time: Option<i64>, swept_update_time: i64) -> bool {
    applied_update_time.is_none_or(|t| swept_update_time > t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_12_and_legacy_2() {
        let t = trigger(
            12,
            &json!({"order_id": "O1", "return_id": "R1", "update_time": 5}),
        )
        .unwrap();
        assert_eq!((t.return_id.as_str(), t.update_time), ("R1", 5));
        let l = trigger(2, &json!({"order_id": 7, "reverse_order_id": "R2"})).unwrap();
        assert_eq!((l.return_id.as_str(), l.order_id.0.as_str()), ("R2", "7"));
        assert!(trigger(2, &json!({"order_id": "O1"})).is_none());
        assert!(trigger(1, &json!({"order_id": "O1", "return_id": "R1"})).is_none());
    }

    /// Edge case 2: the sweep's window overlaps the last run; a return the
    /// webhook missed is found, one already applied is not run again.
    #[test]
    fn edge_02_sweep_finds_the_missed_return_once() {
        assert_eq!(
            sweep_window(Some(10_000), 20_000, 86_400),
            (10_000 - 7200, 20_000)
        );
        assert_eq!(sweep_window(None, 100_000, 86_400), (13_600, 100_000));
        assert!(needs_flow(None, 50));
        assert!(!needs_flow(Some(50), 50));
        assert!(needs_flow(Some(50), 51));
    }
}
