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

use crate::domain::WebhookType;

/// The event types each shop is subscribed to (Event API names, TikTok Shop
/// API notes §2): those the writer acts on (order status 1, cancellation
/// 11, return 12) and the shop's authorization warnings (deauthorization 6,
/// expiring 7). All are ones the handler queues ([`WebhookType::is_actionable`]);
/// the other queued types (2 legacy reverse, 3 address, 4 package) are
/// acknowledged by the writer without action, so they are not asked for.
pub const SUBSCRIBED_EVENTS: &[WebhookType] = &[
    WebhookType::OrderStatusChange,
    WebhookType::CancellationStatusChange,
    WebhookType::ReturnStatusChange,
    WebhookType::SellerDeauthorization,
    WebhookType::UpcomingAuthorizationExpiration,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscribed_type_is_one_the_handler_queues() {
        for t in SUBSCRIBED_EVENTS {
            assert!(
                t.is_actionable(),
                "{} would be archived but not queued",
                t.name()
            );
        }
    }
}
