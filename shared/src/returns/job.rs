//! The returns sweep as a scheduled job (issue 28 §5): per shop, every
//! return TikTok updated since the last run (less the 2 h overlap) whose
//! `update_time` was not applied runs through the flow — the returns whose
//! webhook never came — and then the queue is checked for deadlines within
//! the shop's margin (the `ReturnsDeadlineNear` metric the alarm reads).
//! The watermark is the window's end, so the next run overlaps it by 2 h.

use async_trait::async_trait;

use super::flow::api::ShopReturnsApi;
use super::flow::sweep::check_deadlines;
use super::flow::ReturnsFlow;
use super::ports::ReturnBooks;
use super::settings::ReturnsSettings;
use crate::clock::Clock;
use crate::domain::ShopId;
use crate::jobs::{JobError, JobName, Progress, ShopJob};
use crate::store::returns::ReturnsStore;
use crate::store::{JobRun, LeaseState};
use crate::tiktok::ShopSessions;

/// A shop's returns settings (from its mapping entry).
pub type SettingsFor<'a> = &'a (dyn Fn(&ShopId) -> ReturnsSettings + Send + Sync);

pub struct ReturnsSweep<'a> {
    pub shops: &'a ShopSessions,
    pub books: &'a dyn ReturnBooks,
    pub store: &'a dyn ReturnsStore,
    pub clock: &'a dyn Clock,
    pub settings: SettingsFor<'a>,
}

/// The job's name in the run log and the schedule's input.
pub const JOB: &str = "returns";

#[async_trait]
impl ShopJob for ReturnsSweep<'_> {
    fn name(&self) -> JobName {
        JobName::parse(JOB)
    }

    async fn run(
        &self,
        shop: &ShopId,
        start: &LeaseState,
        _progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let settings = (self.settings)(shop);
        let api = ShopReturnsApi {
            sessions: self.shops,
            shop: shop.clone(),
        };
        let flow = ReturnsFlow {
            api: &api,
            books: self.books,
            store: self.store,
            clock: self.clock,
            settings: &settings,
        };
        let last = start
            .watermark
            .as_deref()
            .and_then(|w| w.parse::<i64>().ok());
        let report = flow
            .sweep(last)
            .await
            .map_err(|e| JobError::Other(e.to_string()))?;
        run.note = format!(
            "returns updated in [{}, {})",
            report.window.0, report.window.1
        );
        run.count("returns_listed", report.seen as u64);
        run.count("returns_recovered", report.ran.len() as u64);
        run.count("returns_failed", report.failed.len() as u64);
        for id in &report.ran {
            run.findings.push(format!(
                "return {id}: applied by the sweep (its webhook never came)"
            ));
        }
        let due =
            check_deadlines(self.store, self.clock.now(), settings.alarm_margin_secs()).await?;
        run.count("deadlines_near", due.len() as u64);
        for q in &due {
            run.findings.push(format!(
                "return {} (order {}): TikTok's deadline {} for {} is near and nobody has decided",
                q.return_id, q.order_id, q.queued.deadline, q.queued.action
            ));
        }
        Ok(report.window.1.to_string())
    }
}
