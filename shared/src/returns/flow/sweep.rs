//! The sweep (issue 28 §5): every return TikTok updated in the window
//! ([`crate::returns::events::sweep_window`], 2 h overlap with the last
//! run) whose `update_time` the store has not applied runs through the flow,
//! so a webhook that never came is caught. And the alarm: every queued
//! return whose TikTok deadline is within the margin is counted into the
//! `ReturnsDeadlineNear` metric the template's alarm reads.

use super::{FlowError, ReturnsFlow};
use crate::returns::events::{needs_flow, sweep_window};
use crate::returns::queue::{alarm_due, QueueRow};
use crate::returns::SellerAction;
use crate::store::returns::{QueueItem, ReturnsStore};
use crate::store::StoreError;

/// How far back a shop's first sweep looks.
pub const FIRST_LOOKBACK_SECS: i64 = 7 * 86_400;

/// The metric the template's alarm reads.
pub const DEADLINE_METRIC: &str = "ReturnsDeadlineNear";

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub window: (i64, i64),
    /// Returns TikTok listed in the window.
    pub seen: usize,
    /// Of those, the ones the flow ran (not yet applied).
    pub ran: Vec<String>,
    /// Returns that failed (the next sweep tries again).
    pub failed: Vec<String>,
}

impl ReturnsFlow<'_> {
    /// Sweeps one shop's returns updated since `last_run` (less 2 h).
    pub async fn sweep(&self, last_run: Option<i64>) -> Result<SweepReport, FlowError> {
        let window = sweep_window(last_run, self.clock.now(), FIRST_LOOKBACK_SECS);
        let found = self.api.updated(window.0, window.1).await?;
        let mut report = SweepReport {
            window,
            seen: found.len(),
            ..Default::default()
        };
        for r in found {
            let applied = self
                .store
                .get(self.api.shop(), &r.return_id)
                .await?
                .map(|s| s.applied_update_time);
            if !needs_flow(applied, r.update_time) {
                continue;
            }
            match self.look_at(&r.return_id).await {
                Ok(_) => report.ran.push(r.return_id),
                Err(e) => {
                    tracing::warn!(shop_id = %self.api.shop(), return_id = %r.return_id, error = %e, "returns sweep: not applied; the next sweep tries again");
                    report.failed.push(r.return_id);
                }
            }
        }
        Ok(report)
    }
}

/// The queued returns whose deadline is within `margin_secs` of `now` (or
/// past), across shops: what the alarm counts.
pub async fn due_soon(
    store: &dyn ReturnsStore,
    now: i64,
    margin_secs: i64,
) -> Result<Vec<QueueItem>, StoreError> {
    let rows = store.queue(Some(now + margin_secs + 1)).await?;
    Ok(rows
        .into_iter()
        .filter(|q| {
            let row = QueueRow {
                return_id: q.return_id.clone(),
                order_id: q.order_id.to_string(),
                action: SellerAction::parse(&q.queued.action),
                deadline: q.queued.deadline,
                why: q.queued.why.clone(),
            };
            alarm_due(&row, false, now, margin_secs)
        })
        .collect())
}

/// Checks the queue and emits the alarm's metric (0 when none is due, so
/// the alarm returns to OK). Returns the due rows.
pub async fn check_deadlines(
    store: &dyn ReturnsStore,
    now: i64,
    margin_secs: i64,
) -> Result<Vec<QueueItem>, StoreError> {
    let due = due_soon(store, now, margin_secs).await?;
    for q in &due {
        tracing::warn!(shop_id = %q.shop_id, return_id = %q.return_id, deadline = q.queued.deadline, action = %q.queued.action, "returns: a queued return's TikTok deadline is near and nobody has decided");
    }
    crate::metrics::emit(
        &[("Flow", "returns")],
        &[(DEADLINE_METRIC, due.len() as u64)],
    );
    Ok(due)
}
