//! Resubmitting: re-enqueue a synthetic order event through the same FIFO
//! queue and group as the order's webhooks, so it runs the same code path as
//! TikTok's pushes and stays idempotent.

use super::OpsError;
use crate::store::{keys, EventQueue, OrderLogEntry, QueuedEvent};

/// The events a resubmit replays for one order: the order event first, then
/// a failed refund or cancellation after it in the same FIFO group, so it
/// finds the Sales Order the order event creates.
pub fn replay_events(e: &OrderLogEntry, now: i64) -> Vec<QueuedEvent> {
    let mut events = vec![(
        1,
        serde_json::json!({ "order_id": e.order_id, "order_status": e.tiktok_status }),
    )];
    // Every open problem's event after the order's (a failed refund and a
    // cancellation needing review are both replayed), else the latest failure's.
    let mut replays: Vec<(i64, serde_json::Value)> = e
        .open_problems
        .iter()
        .filter_map(|p| p.event.clone())
        .collect();
    if replays.is_empty() {
        replays.extend(e.failed_event.clone());
    }
    for (t, data) in replays.into_iter().filter(|(t, _)| *t != 1) {
        if !events.iter().any(|(k, d)| *k == t && *d == data) {
            events.push((t, data));
        }
    }
    events
        .into_iter()
        .enumerate()
        .map(|(i, (type_code, mut data))| {
            data["resubmitted"] = serde_json::json!(true);
            QueuedEvent {
                v: 1,
                event_key: keys::resubmit_event(&e.shop_id, &e.order_id, now, i),
                shop_id: e.shop_id.clone(),
                notification_id: keys::resubmit_notification(&e.shop_id, &e.order_id, now, i),
                type_code,
                order_id: Some(e.order_id.clone()),
                received_at: now,
                data,
            }
        })
        .collect()
}

/// Re-enqueues every entry; returns how many orders were queued.
pub async fn resubmit(
    queue: &dyn EventQueue,
    entries: &[OrderLogEntry],
    now: i64,
) -> Result<usize, OpsError> {
    for e in entries {
        let group = keys::order_group(&e.shop_id, &e.order_id);
        for event in replay_events(e, now) {
            let dedup = keys::sqs_token(event.notification_id.as_str());
            queue.enqueue(&event, &group, &dedup).await?;
        }
    }
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, ShopId};
    use crate::store::{Outcome, SyncStatus};
    use crate::taxonomy::{ErrorCode, Failure};

    #[test]
    fn a_failed_refund_is_replayed_after_its_order() {
        let e = OrderLogEntry::apply(
            None,
            &Outcome {
                shop_id: ShopId::new("s"),
                order_id: OrderId::new("o"),
                tiktok_status: "DELIVERED".into(),
                sync_status: SyncStatus::Failed,
                netsuite_id: None,
                external_id: None,
                note: String::new(),
                failure: Some(Failure::new(ErrorCode::RefundCreationFailed, "r", "f")),
                failed_skus: vec![],
                order_type: None,
                retail_value: None,
                at: 0,
                event: Some((12, serde_json::json!({"return_id": "R"}))),
            },
        );
        let events = replay_events(&e, 7);
        assert_eq!(events.len(), 2);
        assert_eq!((events[0].type_code, events[1].type_code), (1, 12));
        assert_eq!(events[1].data["return_id"], "R");
        assert!(events.iter().all(|e| e.data["resubmitted"] == true));
        assert_ne!(events[0].notification_id, events[1].notification_id);
    }
}
