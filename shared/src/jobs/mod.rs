//! Scheduled jobs: work that runs on a timer rather than on a webhook.
//!
//! - [`run`]: what every job shares: the lease that keeps two runs of one
//!   job and shop from overlapping, checkpoints a failed run resumes from,
//!   and the run log (`store::job_runs`).
//! - [`sweep`]: the missed-order sweep: TikTok orders updated since the last
//!   sweep that the order log has not seen (or has seen in an older status)
//!   are enqueued exactly as a webhook would enqueue them.
//! - [`inventory_plan`]: what to push to TikTok per SKU and warehouse from
//!   NetSuite's stock (buffer, bundles, not-yet-written orders, diff only);
//!   a plain function, the job around it is not built yet.
//! - [`drift`]: the daily drift digest for the admins (open failures, orders
//!   the sweep recovered, failed job runs).
//!
//! The `jobs` Lambda function runs one job, named in its schedule's input,
//! for one shop or for every shop of the mapping (`app::JobsApp`).

pub mod drift;
pub mod inventory_plan;
pub mod run;
pub mod sweep;
pub mod tracking_plan;

pub use run::{run_for_shop, JobError, Progress, ShopJob};

crate::string_enum! {
    /// The jobs a schedule can name.
    pub enum JobName {
        /// Finds orders whose webhook never came.
        Sweep = "sweep",
        /// Emails the admins what is drifting, once a day.
        Digest = "digest",
    }
}
