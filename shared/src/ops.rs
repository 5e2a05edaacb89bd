//! What merchants do from the order log: resubmit, ignore, export.
//!
//! Resubmitting re-enqueues a synthetic order event through the same FIFO
//! queue (same group as the order's webhooks), so it runs the same code path
//! as TikTok's pushes and stays idempotent.

use crate::domain::{NotificationId, ShopId};
use crate::events::{EventQueue, QueuedEvent, StoreError};
use crate::order_log::{LogFilter, OrderLog, OrderLogEntry, Outcome, SyncStatus};

/// Re-enqueues every entry; returns how many orders were queued. The order
/// event goes first; a failed refund or cancellation is replayed after it in
/// the same FIFO group, so it finds the Sales Order the order event creates.
pub async fn resubmit(
    queue: &dyn EventQueue,
    entries: &[OrderLogEntry],
    now: i64,
) -> Result<usize, StoreError> {
    for e in entries {
        let mut events = vec![(
            1,
            serde_json::json!({ "order_id": e.order_id, "order_status": e.tiktok_status }),
        )];
        if let Some((t, data)) = e.failed_event.clone().filter(|(t, _)| *t != 1) {
            events.push((t, data));
        }
        for (i, (type_code, mut data)) in events.into_iter().enumerate() {
            data["resubmitted"] = serde_json::json!(true);
            let notification =
                NotificationId::new(format!("resubmit-{}-{}-{now}-{i}", e.shop_id, e.order_id));
            let event = QueuedEvent {
                v: 1,
                event_key: format!("RESUBMIT#{}#{}#{now}#{i}", e.shop_id, e.order_id),
                shop_id: e.shop_id.clone(),
                notification_id: notification.clone(),
                type_code,
                order_id: Some(e.order_id.clone()),
                received_at: now,
                data,
            };
            let group = format!("{}:{}", e.shop_id, e.order_id);
            queue.enqueue(&event, &group, notification.as_str()).await?;
        }
    }
    Ok(entries.len())
}

/// Selects what a bulk resubmit should pick up: failed (or needing review)
/// orders matching the filter; ignored and created orders never.
pub async fn resubmittable(
    log: &dyn OrderLog,
    filter: &LogFilter,
) -> Result<Vec<OrderLogEntry>, StoreError> {
    Ok(log
        .list(filter)
        .await?
        .into_iter()
        .filter(|e| matches!(e.sync_status, SyncStatus::Failed | SyncStatus::NeedsReview))
        .collect())
}

/// Marks an order ignored, with who/why in the history.
pub async fn ignore(
    log: &dyn OrderLog,
    entry: &OrderLogEntry,
    reason: &str,
    now: i64,
) -> Result<OrderLogEntry, StoreError> {
    log.record(&Outcome {
        shop_id: entry.shop_id.clone(),
        order_id: entry.order_id.clone(),
        tiktok_status: entry.tiktok_status.clone(),
        sync_status: SyncStatus::Ignored,
        netsuite_id: None,
        external_id: None,
        note: format!("ignored by an operator: {reason}"),
        failure: None,
        failed_skus: vec![],
        at: now,
        event: None,
    })
    .await
}

/// Looks one entry up, with an error naming the order when it is missing.
pub async fn find(
    log: &dyn OrderLog,
    shop: &ShopId,
    order: &crate::domain::OrderId,
) -> Result<OrderLogEntry, String> {
    log.get(shop, order)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "order {order} of shop {shop} is not in the order log; check --shop and --order"
            )
        })
}

pub const CSV_HEADER: &str = "shop_id,order_id,tiktok_status,sync_status,netsuite_id,external_id,attempts,first_seen,last_updated,code,level,retryable,reason,fix,http_status,system_code,system_call,failed_skus";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

/// The order log as CSV, one row per order.
pub fn to_csv(entries: &[OrderLogEntry]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for e in entries {
        let f = e.last_failure.as_ref();
        let cols = [
            e.shop_id.to_string(),
            e.order_id.to_string(),
            e.tiktok_status.clone(),
            e.sync_status.as_str().to_string(),
            e.netsuite_id.clone().unwrap_or_default(),
            e.external_id.clone().unwrap_or_default(),
            e.attempts.to_string(),
            iso(e.first_seen),
            iso(e.last_updated),
            f.map(|f| f.code.as_str().to_string()).unwrap_or_default(),
            f.map(|f| format!("{:?}", f.level).to_lowercase())
                .unwrap_or_default(),
            f.map(|f| f.retryable.to_string()).unwrap_or_default(),
            f.map(|f| f.reason.clone()).unwrap_or_default(),
            f.map(|f| f.fix.clone()).unwrap_or_default(),
            f.and_then(|f| f.http_status)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            f.and_then(|f| f.system_code.clone()).unwrap_or_default(),
            f.and_then(|f| f.system_call.clone()).unwrap_or_default(),
            e.failed_skus.join(" "),
        ];
        out.push_str(
            &cols
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderId;
    use crate::taxonomy::{ErrorCode, Failure};

    #[test]
    fn csv_escapes_and_carries_the_failure() {
        let o = Outcome {
            shop_id: ShopId::new("s"),
            order_id: OrderId::new("o"),
            tiktok_status: "AWAITING_SHIPMENT".into(),
            sync_status: SyncStatus::Failed,
            netsuite_id: None,
            external_id: None,
            note: String::new(),
            failure: Some(Failure::new(
                ErrorCode::UnlinkedProduct,
                "SKU \"A,B\" unknown",
                "link it",
            )),
            failed_skus: vec!["A,B".into()],
            at: 0,
            event: None,
        };
        let csv = to_csv(&[OrderLogEntry::apply(None, &o)]);
        let row = csv.lines().nth(1).unwrap();
        assert!(row.starts_with("s,o,AWAITING_SHIPMENT,failed,"), "{row}");
        assert!(
            row.contains("UNLINKED_PRODUCT,error,false,\"SKU \"\"A,B\"\" unknown\",link it"),
            "{row}"
        );
        assert_eq!(csv.lines().next().unwrap(), CSV_HEADER);
    }
}
