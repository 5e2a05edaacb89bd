//! The NetSuite writer: one queued event in, one order-log outcome out.
//!
//! - [`batch`]: the SQS batch adapter (Lambda's partial-batch semantics).
//! - [`event`]: the queued event, parsed once into a [`WriterEvent`].
//! - [`process`]: dispatch to the flow, record the outcome, collect the digest.
//! - One file per flow, each with its decision as a plain, unit-tested
//!   function: [`order`] (create the Sales Order once), [`cancel`] (close or
//!   reduce lines), [`refund`] (Credit Memo / Cash Refund); [`items`]
//!   resolves SKUs and customers for all of them; [`verify`] compares what
//!   NetSuite holds after a write with what was sent.
//! - [`readback`]: the scheduled read-back of freshly created Sales Orders
//!   (the `verify` job), batched 100 to a SuiteQL query. It lives here
//!   because it finishes the writer's own check: [`order`] queues what it
//!   sent, and the job compares it with [`verify`]'s rule, the same as the
//!   immediate read-backs of updates and refunds.
//!
//! Retryable failures go back to SQS (and to the DLQ after the redrive
//! count) and are logged on every attempt; failures a retry cannot fix are
//! logged once and the message is consumed.

pub mod batch;
pub mod batch_memo;
pub mod cancel;
mod decision;
pub mod event;
mod items;
pub mod order;
pub mod order_type;
pub mod process;
pub mod readback;
pub mod refund;
pub mod returns_flow;
pub mod routing;
pub mod verify;

pub use batch::{handle_batch, BatchLimits, EventProcessor, ProcessError};
pub use decision::Decision;
pub use event::WriterEvent;

use crate::clock::Clock;
use crate::mapping::config::MappingConfig;
use crate::netsuite::NetSuiteClient;
use crate::notify::Digest;
use crate::store::{EventArchive, OrderLog, SkuLinks};
use crate::tiktok::ShopSessions;

/// Everything one writer invocation works with, borrowed from the app.
pub struct OrderSync<'a> {
    /// Every TikTok call goes through these sessions (token refresh included).
    pub shops: &'a ShopSessions,
    pub netsuite: &'a NetSuiteClient,
    pub skus: &'a dyn SkuLinks,
    pub log: &'a dyn OrderLog,
    pub archive: &'a dyn EventArchive,
    pub mapping: &'a MappingConfig,
    /// The queue's redrive count: the attempt that reaches it is the last.
    pub max_receive_count: u32,
    pub clock: &'a dyn Clock,
    /// Collects new failures for the admins' digest (one email per batch).
    pub digest: Option<&'a Digest>,
    /// Where webhooks 6 and 7 mark a shop disconnected or its authorization
    /// expiring, for the Shops page and the daily digest; `None`: not marked
    /// there (the token store's mark still stops the shop's orders).
    pub profiles: Option<&'a dyn crate::store::ShopProfiles>,
    /// Held while looking SKUs up in NetSuite, so the concurrent records of
    /// one batch ask once for a SKU they share (`items::resolve_items`).
    pub lookups: tokio::sync::Mutex<()>,
    /// Where a freshly created Sales Order is queued for the verify job's
    /// read-back (`writer::readback`); `None`: not queued.
    pub checks: Option<&'a dyn crate::store::JobRuns>,
    /// One batch's log entries read at once and read-back checks written
    /// at once (`batch_memo`); empty outside the batch adapter.
    pub batch: batch_memo::BatchMemo,
    /// The returns flow (issue 28); `None`: return events only book refunds.
    pub returns: Option<returns_flow::ReturnsWiring<'a>>,
}
