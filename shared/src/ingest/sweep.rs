//! The missed-order sweep.
//!
//! TikTok retries a webhook it could not deliver 4 times over about 15 hours
//! and then gives up (tiktok-shop-api.md §2), and a shop whose webhook is not
//! configured yet sends none at all. So, per shop, the sweep lists the orders
//! TikTok says changed since the last sweep (Get Order List by
//! `update_time`, oldest first, paged) and compares each with the order log:
//! an order the log has never seen, or has seen in another status, is
//! archived and enqueued exactly as a webhook would be (same FIFO group, a
//! deterministic notification id, so a second sweep or a late webhook is
//! de-duplicated). The writer then fetches the order and decides as for any
//! event: nothing is written twice.
//!
//! The window is `[watermark − overlap, start of this run)`: the overlap
//! covers orders whose `update_time` TikTok sets a little late; the first run
//! looks back `lookback`. After each page the run commits its place (window
//! and page token); a run that fails resumes that same window from there.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::clock::Clock;
pub use crate::config::SweepSettings;
use crate::domain::{ShopId, WebhookType};
use crate::ingest::Envelope;
use crate::jobs::run::{JobError, Progress, ShopJob};
use crate::jobs::JobName;
use crate::store::{
    keys, EventArchive, EventQueue, JobRun, LeaseState, OrderLog, OrderLogEntry, SyncStatus,
};
use crate::tiktok::orders::OrderSummary;
use crate::tiktok::ShopSessions;

/// What the sweep does with one order TikTok listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SweepDecision {
    /// Enqueue it; the reason goes to the run log.
    Enqueue(String),
    /// The log already has it in this status.
    UpToDate,
    /// An operator ignored it: not resurrected by a sweep.
    Ignored,
}

/// Compares one listed order with its order-log entry.
pub fn plan_order(order: &OrderSummary, logged: Option<&OrderLogEntry>) -> SweepDecision {
    match logged {
        None => SweepDecision::Enqueue(format!(
            "never seen (TikTok status {})",
            order.status.as_str()
        )),
        Some(e) if e.sync_status == SyncStatus::Ignored => SweepDecision::Ignored,
        Some(e) if e.tiktok_status == order.status.as_str() => SweepDecision::UpToDate,
        Some(e) => SweepDecision::Enqueue(format!(
            "order log has {}, TikTok has {}",
            e.tiktok_status,
            order.status.as_str()
        )),
    }
}

/// Where a run is: the window and the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub from: i64,
    pub to: i64,
    #[serde(default)]
    pub page_token: Option<String>,
}

/// The window a run covers: a checkpoint's, else from the watermark (less
/// the overlap, at most `lookback` ago), else `lookback` ago; up to `now`.
pub fn plan_window(start: &LeaseState, now: i64, s: &SweepSettings) -> SweepPoint {
    if let Some(p) = start
        .checkpoint
        .as_deref()
        .and_then(|c| serde_json::from_str::<SweepPoint>(c).ok())
    {
        return p;
    }
    let earliest = now - s.lookback_secs;
    let from = start
        .watermark
        .as_deref()
        .and_then(|w| w.parse::<i64>().ok())
        .map_or(earliest, |w| (w - s.overlap_secs).max(earliest));
    SweepPoint {
        from,
        to: now,
        page_token: None,
    }
}

/// The sweep over the writer's stores and the shop's TikTok session.
pub struct Sweep<'a> {
    pub shops: &'a ShopSessions,
    pub log: &'a dyn OrderLog,
    pub archive: &'a dyn EventArchive,
    pub queue: &'a dyn EventQueue,
    pub clock: &'a dyn Clock,
    pub settings: SweepSettings,
    /// Archive retention of the events it enqueues (as for webhooks).
    pub retention_days: u32,
}

impl Sweep<'_> {
    /// Archives and enqueues one order event as a webhook would.
    async fn enqueue(
        &self,
        shop: &ShopId,
        o: &OrderSummary,
    ) -> Result<crate::ingest::Outcome, JobError> {
        let now = self.clock.now();
        let notification = keys::sweep_notification(&o.id, o.status.as_str(), o.update_time);
        let data = json!({
            "order_id": o.id.as_str(),
            "order_status": o.status.as_str(),
            "update_time": o.update_time,
            "source": "sweep",
        });
        let body = json!({
            "type": WebhookType::OrderStatusChange.code(),
            "tts_notification_id": notification.as_str(),
            "shop_id": shop.as_str(),
            "timestamp": now,
            "data": data,
        });
        let env = Envelope {
            kind: WebhookType::OrderStatusChange,
            notification_id: notification,
            shop_id: shop.clone(),
            order_id: Some(o.id.clone()),
            data,
        };
        let outcome = crate::ingest::handler::store_and_enqueue(
            self.archive,
            self.queue,
            &env,
            body.to_string().as_bytes(),
            now,
            now + i64::from(self.retention_days) * 86_400,
        )
        .await?;
        Ok(outcome)
    }
}

#[async_trait]
impl ShopJob for Sweep<'_> {
    fn name(&self) -> JobName {
        JobName::Sweep
    }

    async fn run(
        &self,
        shop: &ShopId,
        start: &LeaseState,
        progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let mut point = plan_window(start, self.clock.now(), &self.settings);
        run.note = format!("orders updated in [{}, {})", point.from, point.to);
        let client = self.shops.client();
        loop {
            let (from, to, size) = (point.from, point.to, self.settings.page_size);
            let token = point.page_token.clone();
            let page = self
                .shops
                .call_with_refresh(shop, |auth| {
                    let token = token.clone();
                    async move {
                        client
                            .search_orders_updated(&auth, from, to, size, token.as_deref())
                            .await
                    }
                })
                .await?;
            run.count("orders_listed", page.orders.len() as u64);
            for o in &page.orders {
                let logged = self.log.get(shop, &o.id).await?;
                match plan_order(o, logged.as_ref()) {
                    SweepDecision::UpToDate => run.count("up_to_date", 1),
                    SweepDecision::Ignored => run.count("ignored", 1),
                    SweepDecision::Enqueue(why) => {
                        use crate::ingest::Outcome;
                        match self.enqueue(shop, o).await? {
                            Outcome::Queued => {
                                tracing::info!(shop_id = %shop, order_id = %o.id, reason = %why, metric = "sweep_recovered", count = 1, "sweep enqueued an order the log had missed");
                                run.count("enqueued", 1);
                                run.findings.push(format!("order {}: {why}", o.id));
                            }
                            // Archived by an earlier try but maybe not sent:
                            // sent again under the same SQS deduplication id.
                            Outcome::Requeued => run.count("requeued", 1),
                            Outcome::Duplicate | Outcome::Ignored => run.count("already_queued", 1),
                        }
                    }
                }
            }
            point.page_token = page.next_page_token;
            if point.page_token.is_none() {
                break;
            }
            let checkpoint = serde_json::to_string(&point)
                .map_err(|e| JobError::Other(format!("checkpoint: {e}")))?;
            progress.commit(&checkpoint).await?;
        }
        Ok(point.to.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, OrderStatus};

    fn summary(status: OrderStatus) -> OrderSummary {
        OrderSummary {
            id: OrderId::new("1"),
            status,
            update_time: 100,
            line_items: vec![],
            warehouse_id: None,
        }
    }

    fn entry(status: &str, sync: SyncStatus) -> OrderLogEntry {
        serde_json::from_value(json!({
            "shop_id": "s", "order_id": "1", "tiktok_status": status,
            "sync_status": sync.as_str(), "attempts": 1, "first_seen": 1, "last_updated": 1
        }))
        .unwrap()
    }

    #[test]
    fn unseen_or_behind_orders_are_enqueued_others_left_alone() {
        let o = summary(OrderStatus::AwaitingShipment);
        assert!(
            matches!(plan_order(&o, None), SweepDecision::Enqueue(w) if w.contains("never seen"))
        );
        let same = entry("AWAITING_SHIPMENT", SyncStatus::Created);
        assert_eq!(plan_order(&o, Some(&same)), SweepDecision::UpToDate);
        let behind = entry("UNPAID", SyncStatus::Waiting);
        assert!(
            matches!(plan_order(&o, Some(&behind)), SweepDecision::Enqueue(w) if w.contains("UNPAID"))
        );
        let ignored = entry("UNPAID", SyncStatus::Ignored);
        assert_eq!(plan_order(&o, Some(&ignored)), SweepDecision::Ignored);
    }

    #[test]
    fn the_window_resumes_a_checkpoint_else_follows_the_watermark() {
        let s = SweepSettings::default();
        let now = 1_000_000;
        let first = plan_window(&LeaseState::default(), now, &s);
        assert_eq!((first.from, first.to), (now - s.lookback_secs, now));
        let after = LeaseState {
            checkpoint: None,
            watermark: Some("999000".into()),
        };
        assert_eq!(plan_window(&after, now, &s).from, 999_000 - s.overlap_secs);
        let long_ago = LeaseState {
            checkpoint: None,
            watermark: Some("5".into()),
        };
        assert_eq!(plan_window(&long_ago, now, &s).from, now - s.lookback_secs);
        let cp = SweepPoint {
            from: 10,
            to: 20,
            page_token: Some("a+/=".into()),
        };
        let resumed = LeaseState {
            checkpoint: Some(serde_json::to_string(&cp).unwrap()),
            watermark: Some("999000".into()),
        };
        assert_eq!(plan_window(&resumed, now, &s), cp);
    }
}
