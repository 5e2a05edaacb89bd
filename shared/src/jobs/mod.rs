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
//!   a plain function; [`inventory`] is the job around it
//!   ([`inventory_stock`]: NetSuite's stock, [`inventory_state`]: what it keeps).
//! - [`payout_plan`]: one TikTok statement → one balanced journal entry,
//!   summarised by account; [`payout_report`]: the finance email (CSV of
//!   every transaction, checks, HTML). Both pure; [`payouts`] is the daily
//!   job around them ([`payout_config`], [`payout_email`], [`payout_match`], [`payout_pages`], [`payout_post`],
//!   [`payout_run`], [`payout_state`], [`payout_checks`]).
//! - [`tracking_plan`]: which TikTok call ships a NetSuite fulfilment's
//!   units with its tracking (pure); [`tracking`] is the job around it
//!   ([`tracking_read`]: the SuiteQL, [`tracking_ship`]: the calls,
//!   [`tracking_record`]: outcomes, [`tracking_state`]: fulfilments left open).
//! - [`verify`]: freshly created Sales Orders read back in batches and
//!   compared with what the writer sent.
//! - [`permissions`]: the DynamoDB/SQS/SES actions each job calls, which
//!   its IAM role grants exactly (checked against the template).
//! - [`drift`]: the daily drift digest for the admins (open failures, orders
//!   the sweep recovered, failed job runs).
//!
//! The `jobs` Lambda function runs one job, named in its schedule's input,
//! for one shop or for every shop of the mapping (`app::JobsApp`).

pub mod drift;
pub mod inventory;
pub mod inventory_plan;
pub mod inventory_state;
pub mod inventory_stock;
pub mod payout_checks;
pub mod payout_config;
pub mod payout_email;
pub mod payout_match;
pub mod payout_pages;
pub mod payout_plan;
pub mod payout_post;
pub mod payout_report;
pub mod payout_run;
pub mod payout_state;
pub mod payouts;
pub mod permissions;
pub mod run;
pub mod sweep;
pub mod tracking;
pub mod tracking_plan;
pub mod tracking_read;
pub mod tracking_record;
pub mod tracking_ship;
pub mod tracking_state;
pub mod verify;

pub use run::{run_for_shop, JobError, Progress, ShopJob};

crate::string_enum! {
    /// The jobs a schedule can name.
    pub enum JobName {
        /// Finds orders whose webhook never came.
        Sweep = "sweep",
        /// Emails the admins what is drifting, once a day.
        Digest = "digest",
        /// Pushes NetSuite stock to TikTok, only what changed.
        Inventory = "inventory",
        /// Reads freshly created Sales Orders back, in batches.
        Verify = "verify",
        /// Pushes NetSuite fulfilments' tracking to TikTok, once each.
        Tracking = "tracking",
        /// Books TikTok statements and payments as journal entries and
        /// emails finance the reconciliation report.
        Payouts = "payouts",
    }
}
