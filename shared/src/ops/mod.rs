//! Operations: what operators do with the order log. The CLI (and the
//! browser console of a later issue) are thin faces over these functions.
//!
//! - [`log`]: find one order, list by filter, the exceptions list.
//! - [`resubmit`]: re-enqueue failed orders through the same FIFO queue.
//! - [`ignore`]: mark an order ignored, with the reason in its history.
//! - [`export`]: the log as CSV.
//! - [`links`]: SKU links and shop connections.
//! - [`payouts`]: payout statements, their checks, re-sending the report.
//! - [`webhooks`]: each shop's webhook subscriptions through TikTok's Event API.
//! - [`overview`], [`attention`]: the console's overview (orders; what the jobs leave for a person).

pub mod attention;
pub mod audit;
#[cfg(test)]
mod csv_writers_test;
pub mod export;
pub mod ignore;
pub mod links;
pub mod log;
pub mod overview;
/// Password hashing (argon2id), for the users an admin manages and the
/// console's login.
#[cfg(feature = "console")]
pub mod password;
pub mod payouts;
pub mod resubmit;
#[cfg(feature = "console")]
pub mod users;
pub mod webhooks;

pub use export::{to_csv, CSV_HEADER};
pub use ignore::{ignore, unignore};
pub use links::{connect_shop, link_sku};
pub use log::{exceptions, find, resubmittable};
pub use resubmit::resubmit;

use crate::store::StoreError;

/// The operations boundary's one error type.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The order is not in the log.
    #[error("order {order} of shop {shop} is not in the order log; check --shop and --order")]
    NotFound { shop: String, order: String },
    /// An argument is unusable, naming it and the fix.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The payout job could not do it (NetSuite, TikTok, SES), with its reason.
    #[error("payout job: {0}")]
    Job(#[from] crate::jobs::run::JobError),
    /// TikTok refused or could not be reached, for this shop.
    #[error("TikTok, shop {shop}: {reason}")]
    TikTok { shop: String, reason: String },
}
