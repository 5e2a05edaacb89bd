//! The operations console: server-rendered pages over the same [`crate::ops`]
//! use cases the CLI calls, behind real logins.
//!
//! - [`router`]: the axum router (routes, security headers, the session guard).
//! - [`auth`]: password hashes, signed session cookies, CSRF tokens, throttling.
//! - [`pages`]: one file per page (its handler and its markup), and the frame.
//! - [`chart`]: the overview's inline SVG chart.
//! - [`redact`]: what never reaches a page (buyer contact data, tokens).
//! - [`app`]: configuration and clients → a ready [`Console`].
//!
//! Built only with the `console` feature, so other functions do not compile
//! the web stack. Handlers parse a form, call one `ops` function and render.

pub mod app;
pub mod auth;
pub mod catalog;
pub mod chart;
pub mod pages;
pub mod redact;
pub mod router;

use std::sync::Arc;

use crate::clock::Clock;
use crate::ops::links::ItemCatalog;
use crate::store::{
    ConsoleUsers, DynamoOrderLog, DynamoSkuLinks, EventQueue, JobRuns, LoginThrottle,
};

pub use app::{ConsoleConfig, ConsoleInitError};
pub use auth::SessionKey;
pub use router::router;

/// The source address of a request, as the face serving it knows it (the
/// Lambda request context, or the local socket). Used for throttling only.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

/// Everything the console's pages read and act on.
pub struct Console {
    pub log: Arc<DynamoOrderLog>,
    pub links: Arc<DynamoSkuLinks>,
    pub users: Arc<dyn ConsoleUsers>,
    pub throttle: Arc<dyn LoginThrottle>,
    pub queue: Arc<dyn EventQueue>,
    pub runs: Arc<dyn JobRuns>,
    pub catalog: Arc<dyn ItemCatalog>,
    /// For the shops index and the DLQ depth.
    pub ddb: aws_sdk_dynamodb::Client,
    pub tokens_table: String,
    pub sqs: aws_sdk_sqs::Client,
    pub dlq_url: String,
    /// NetSuite's UI host (`https://{account}.app.netsuite.com`) for record links.
    pub netsuite_ui: Option<String>,
    pub key: SessionKey,
    pub clock: Arc<dyn Clock>,
    /// Re-sends a payout statement's report through the payout job; `None`
    /// when the console runs without the jobs' settings (the Payouts pages
    /// then only read).
    pub payouts: Option<Arc<dyn crate::ops::payouts::ReportSender>>,
    /// "Connect a shop" (TikTok's authorization page and the callback);
    /// `None` when no TikTok service id is configured.
    pub connect: Option<Arc<crate::connect::Connector>>,
    /// Registers each shop's webhook through TikTok's Event API; `None`
    /// when the console runs without the TikTok app's settings.
    pub webhooks: Option<Arc<crate::ops::webhooks::Registrar>>,
    /// The Returns page (issue 28); `None`: not shown.
    pub returns: Option<Arc<pages::returns::ReturnsDesk>>,
}
