//! What every scheduled run shares, whatever it does: work that runs on a
//! timer rather than on a webhook.
//!
//! - [`run`]: the lease that keeps two runs of one job and shop from
//!   overlapping, checkpoints a failed run resumes from, and the run log
//!   (`store::job_runs`), with its metrics.
//! - [`permissions`]: the DynamoDB/SQS/SES actions each job calls, which
//!   its IAM role grants exactly (checked against the template).
//! - [`JobName`]: the jobs a schedule can name.
//!
//! The jobs themselves live with their flow: the missed-order sweep in
//! `ingest::sweep`, the Sales Order read-back in `writer::readback`, the
//! stock push in `stock`, the tracking push in `tracking`, the payout
//! journals and finance email in `payouts`, the drift digest in
//! `notify::drift`. Each flow uses [`run`]; so that `jobs` depends on no
//! flow, the match that dispatches a [`JobName`] to its flow is in
//! `app::JobsApp` (the wiring layer), which runs one job, named in its
//! schedule's input, for one shop or for every shop of the mapping.

pub mod findings;
pub mod permissions;
pub mod run;

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
        /// Checks the set-up against every configured service
        /// (`doctor`); a failed check raises the doctor alarm.
        Doctor = "doctor",
        /// Buys TikTok Shipping labels for packed Item Fulfillments and
        /// puts the tracking and the PDF on them.
        Labels = "labels",
    }
}
