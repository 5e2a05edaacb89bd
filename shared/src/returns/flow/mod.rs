//! The returns flow (issue 28): the I/O around the pure core. Given a return
//! to look at (webhook 12 / legacy 2, or the sweep), it reads the return
//! again from TikTok, skips it when the store already applied that
//! `update_time` (duplicate and out-of-order events), writes the RA through
//! [`ReturnBooks`] as [`super::ra_plan`] says, decides with the shop's
//! policy and sends the decision after reading the return again
//! ([`super::decide::before_sending`]), queues what a person must decide
//! with TikTok's deadline, closes the RA on cancel, and books the credit on
//! `RETURN_OR_REFUND_REQUEST_COMPLETE` (held with both figures on a
//! mismatch). Nothing is closed before TikTok's final status.
//!
//! - [`api`]: the TikTok calls, as a small trait.
//! - [`look`]: one return through the flow.
//! - [`send`]: one decision to TikTok, safely.
//! - [`receive`]: the console's grading → Item Receipt → the
//!   received-package decision.
//! - [`sweep`]: the returns whose webhook never came, and the deadline alarm.

pub mod api;
pub mod look;
pub mod receive;
pub mod send;
pub mod sweep;

use super::ports::ReturnBooks;
use super::settings::ReturnsSettings;
use crate::clock::Clock;
use crate::netsuite::NsError;
use crate::store::returns::ReturnsStore;
use crate::store::StoreError;
use api::{ApiFailure, ReturnsApi};

/// Who made a decision the policy made.
pub const BY_POLICY: &str = "policy";

/// One shop's returns flow, borrowed from the caller.
pub struct ReturnsFlow<'a> {
    pub api: &'a dyn ReturnsApi,
    pub books: &'a dyn ReturnBooks,
    pub store: &'a dyn ReturnsStore,
    pub clock: &'a dyn Clock,
    pub settings: &'a ReturnsSettings,
}

/// The flow's one error type.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("TikTok: {0}")]
    TikTok(#[from] ApiFailure),
    #[error("NetSuite: {0}")]
    Books(#[from] NsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "return {0} changed while it was being applied; it is applied again on the next attempt"
    )]
    Contention(String),
    #[error("return {0} is not known to TikTok for this shop")]
    NotFound(String),
    #[error("return {0} has no Return Authorization to receive against")]
    NoRa(String),
    #[error("the shop has no returns locations (returns.locations.sellable and .damaged in its mapping)")]
    NoLocations,
    #[error("return {0}: nothing was graded")]
    NothingGraded(String),
}

impl FlowError {
    /// Whether the same event may succeed later unchanged.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::TikTok(f) => f.retryable,
            Self::Books(e) => e.is_retryable(),
            Self::Store(_) | Self::Contention(_) => true,
            Self::NotFound(_) | Self::NoRa(_) | Self::NoLocations | Self::NothingGraded(_) => false,
        }
    }
}
