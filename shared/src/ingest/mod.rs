//! Orders in: TikTok's webhook, verified, de-duplicated, archived and queued.
//!
//! - [`envelope`]: what a push must contain, checked field by field.
//! - [`handler`]: the contract with TikTok — size (413), signature on the raw
//!   bytes (401, nothing stored), parsing (400, archived as rejected), then
//!   storage; 200 only for an event that is in the archive and on the queue.

pub mod envelope;
pub mod handler;
pub mod sweep;

pub use envelope::{group_id, parse_envelope, Envelope, EnvelopeError};
pub use handler::{handle, Outcome, WebhookDeps, WebhookResponse};
