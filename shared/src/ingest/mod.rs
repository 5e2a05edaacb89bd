//! Orders in: TikTok's webhook, verified, de-duplicated, archived and queued,
//! and the sweep that catches the webhooks that never came.
//!
//! - [`envelope`]: what a push must contain, checked field by field.
//! - [`handler`]: the contract with TikTok — size (413), signature on the raw
//!   bytes (401, nothing stored), parsing (400, archived as rejected), then
//!   storage; 200 only for an event that is in the archive and on the queue.
//! - [`sweep`]: the scheduled missed-order sweep. It lives here, not with
//!   the other jobs, because it is a second way in for the same orders: what
//!   it finds is archived and enqueued by [`handler::store_and_enqueue`],
//!   exactly as a webhook is, so a reader of "how orders arrive" sees both.

pub mod envelope;
pub mod handler;
pub mod sweep;

pub use envelope::{group_id, parse_envelope, Envelope, EnvelopeError};
pub use handler::{handle, Outcome, WebhookDeps, WebhookResponse};
