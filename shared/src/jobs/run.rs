//! One run of one job for one shop: lease, checkpoints, run log.
//!
//! A run first takes the job's lease for the shop (`store::job_runs`); when
//! another run holds it, this run is logged as skipped and does nothing, so
//! a schedule that fires while a slow run is still going never doubles the
//! work (or a push). The job commits its place with [`Progress::commit`]
//! after each unit of work it has finished; a run that fails (or dies: its
//! lease expires) leaves that checkpoint, and the next run resumes from it.
//! A finished run stores its watermark, where the next run starts.

use async_trait::async_trait;

use super::JobName;
use crate::clock::Clock;
use crate::domain::ShopId;
use crate::store::{JobRun, JobRuns, LeaseState, RunFailure, RunStatus, StoreError};
use crate::tiktok::ShopCallError;

/// Why a run stopped before it finished.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("TikTok: {0}")]
    TikTok(#[from] ShopCallError),
    /// Another run took the lease (this one outlived it): stop, commit nothing.
    #[error("the lease of {job} for shop {shop} was taken over by another run")]
    LeaseLost { job: String, shop: ShopId },
    #[error("{0}")]
    Other(String),
}

impl JobError {
    /// What an operator should do about it, for the run log.
    pub fn fix(&self) -> String {
        if let Self::TikTok(ShopCallError::TikTok(e)) = self {
            if e.code() == Some(crate::tiktok::error::CODE_SCOPE_NOT_GRANTED) {
                return crate::tiktok::scopes::missing_scope_fix(e.system_call());
            }
        }
        let fix = match self {
            Self::Store(_) => "AWS storage was unavailable; the next run resumes from the last committed point.",
            Self::TikTok(ShopCallError::Token(_)) => "Reconnect the shop (its TikTok authorization failed); the next run resumes.",
            Self::TikTok(_) => "TikTok refused or failed the call; the next run resumes from the last committed point. If it repeats, check the reason.",
            Self::LeaseLost { .. } => "This run took longer than its lease; raise the job's lease or lower its batch size.",
            Self::Other(_) => "See the reason; the next run resumes from the last committed point.",
        };
        fix.to_string()
    }
}

/// A job's work for one shop.
#[async_trait]
pub trait ShopJob: Send + Sync {
    fn name(&self) -> JobName;
    /// Does the work from `start` (a checkpoint to resume from, the last
    /// watermark), committing its place through `progress` and counting into
    /// `run`; returns the watermark the next run starts from.
    async fn run(
        &self,
        shop: &ShopId,
        start: &LeaseState,
        progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError>;
}

/// Commits a run's place while it holds the lease.
pub struct Progress<'a> {
    runs: &'a dyn JobRuns,
    clock: &'a dyn Clock,
    job: String,
    shop: ShopId,
    owner: String,
    lease_secs: i64,
}

impl Progress<'_> {
    /// Stores `checkpoint` and extends the lease; an error when the lease is
    /// no longer this run's.
    pub async fn commit(&self, checkpoint: &str) -> Result<(), JobError> {
        let until = self.clock.now() + self.lease_secs;
        if self
            .runs
            .checkpoint(&self.job, &self.shop, &self.owner, checkpoint, until)
            .await?
        {
            Ok(())
        } else {
            Err(JobError::LeaseLost {
                job: self.job.clone(),
                shop: self.shop.clone(),
            })
        }
    }
}

fn nonce() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 8)
}

/// Runs `job` for `shop` under its lease and logs the run. The lease lasts
/// `lease_secs` from each commit: longer than one unit of work, shorter
/// than the schedule's period, so a dead run's successor is not held up.
pub async fn run_for_shop(
    job: &dyn ShopJob,
    shop: &ShopId,
    runs: &dyn JobRuns,
    clock: &dyn Clock,
    lease_secs: i64,
) -> Result<JobRun, StoreError> {
    let name = job.name().as_str().to_string();
    let now = clock.now();
    let mut run = JobRun {
        job: name.clone(),
        shop_id: shop.clone(),
        started_at: now,
        nonce: nonce(),
        ended_at: None,
        status: RunStatus::Running,
        counts: Default::default(),
        failures: Vec::new(),
        findings: Vec::new(),
        resumed_from: None,
        note: String::new(),
    };
    let owner = run.id();
    let Some(start) = runs
        .acquire(&name, shop, &owner, now, now + lease_secs)
        .await?
    else {
        run.status = RunStatus::Skipped;
        run.ended_at = Some(now);
        run.note = "another run of this job for this shop still holds the lease".into();
        tracing::info!(job = %name, shop_id = %shop, "job run skipped: lease held");
        runs.put_run(&run).await?;
        return Ok(run);
    };
    run.resumed_from = start.checkpoint.clone();
    runs.put_run(&run).await?;
    let progress = Progress {
        runs,
        clock,
        job: name.clone(),
        shop: shop.clone(),
        owner: owner.clone(),
        lease_secs,
    };
    let result = job.run(shop, &start, &progress, &mut run).await;
    run.ended_at = Some(clock.now());
    match result {
        Ok(watermark) => {
            run.status = if run.failures.is_empty() {
                RunStatus::Succeeded
            } else {
                RunStatus::Partial
            };
            runs.release(&name, shop, &owner, Some(&watermark)).await?;
        }
        Err(e) => {
            tracing::error!(job = %name, shop_id = %shop, error = %e, "job run failed");
            run.status = RunStatus::Failed;
            run.failures.push(RunFailure {
                subject: "run".into(),
                reason: e.to_string(),
                fix: e.fix(),
            });
            if !matches!(e, JobError::LeaseLost { .. }) {
                runs.release(&name, shop, &owner, None).await?;
            }
        }
    }
    tracing::info!(
        job = %name,
        shop_id = %shop,
        status = run.status.as_str(),
        counts = ?run.counts,
        failures = run.failures.len(),
        "job run finished"
    );
    emit_run(&run);
    runs.put_run(&run).await?;
    Ok(run)
}

/// The run's counts as EMF metrics (e.g. `SweepEnqueued`), plus
/// `JobRunsFailed` for a failed run, per job.
fn emit_run(run: &JobRun) {
    let job = run.job.as_str();
    let names = run_metrics(run);
    let metrics: Vec<(&str, u64)> = names.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    crate::metrics::emit(&[("Function", "jobs"), ("Job", job)], &metrics);
}

/// The metrics a finished run emits (the doctor's `checks_failed` count
/// is `DoctorChecksFailed`, which the template alarms on).
pub fn run_metrics(run: &JobRun) -> Vec<(String, u64)> {
    let job = run.job.as_str();
    let mut names: Vec<(String, u64)> = run
        .counts
        .iter()
        .map(|(k, v)| (format!("{}{}", camel(job), camel(k)), *v))
        .collect();
    names.push((
        "JobRunsFailed".into(),
        u64::from(run.status == RunStatus::Failed),
    ));
    names
}

/// `orders_listed` → `OrdersListed`.
fn camel(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
