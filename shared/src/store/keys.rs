//! Every key format of the tables and every SQS id, in one place.
//!
//! The order log table holds several kinds of item, told apart by the
//! partition key's prefix and by `kind`; the events table holds archived and
//! rejected webhooks. Building a key anywhere else is a bug: a key written
//! one way and read another is an order that silently disappears.

use crate::domain::{NotificationId, OrderId, ShopId, Sku};

/// Archive key of a webhook; also what de-duplication is conditional on.
pub fn event(shop: &ShopId, notification: &NotificationId) -> String {
    format!("EVT#{shop}#{notification}")
}

/// Archive key of a signed but unusable request (`sha256` of its body, hex).
pub fn rejected(body_sha256_hex: &str) -> String {
    format!("REJ#{body_sha256_hex}")
}

/// Pseudo event key of a resubmitted event (there is no archive record).
pub fn resubmit_event(shop: &ShopId, order: &OrderId, at: i64, index: usize) -> String {
    format!("RESUBMIT#{shop}#{order}#{at}#{index}")
}

/// Notification id of a resubmitted event (also its SQS deduplication id).
pub fn resubmit_notification(
    shop: &ShopId,
    order: &OrderId,
    at: i64,
    index: usize,
) -> NotificationId {
    NotificationId::new(format!("resubmit-{shop}-{order}-{at}-{index}"))
}

/// Order log entry: `pk`.
pub fn order_log(shop: &ShopId, order: &OrderId) -> String {
    format!("ORDER#{shop}#{order}")
}
/// Order log entry: `sk`.
pub const ORDER_LOG_SK: &str = "LOG";

/// SKU link: `pk`.
pub fn sku_link(shop: &ShopId, sku: &Sku) -> String {
    format!("SKU#{shop}#{sku}")
}
/// SKU link: `sk`.
pub const SKU_LINK_SK: &str = "LINK";

/// Shop credentials: `pk`.
pub fn shop_tokens(shop: &ShopId) -> String {
    format!("SHOP#{shop}")
}
/// Shop credentials: `sk`.
pub const SHOP_TOKENS_SK: &str = "TOKEN";

/// A shop's name, region and connection state, beside its tokens: `sk`
/// (same `pk` as the tokens). It has no `kind`, so it stays out of the
/// `shops` index, and a refresh (which puts the token item) never touches it.
pub const SHOP_PROFILE_SK: &str = "PROFILE";

/// A pending shop authorization (console table): `pk`, from the hash of its
/// `state` (the table never holds the state itself); `sk` is [`CONNECT_STATE_SK`].
pub fn connect_state(state_sha256_hex: &str) -> String {
    format!("CONNECT#{state_sha256_hex}")
}
/// Pending authorization: `sk`.
pub const CONNECT_STATE_SK: &str = "STATE";

/// Lease of one job for one shop: `pk` (`sk` is [`JOB_LEASE_SK`]).
pub fn job_lease(job: &str, shop: &ShopId) -> String {
    format!("LEASE#{job}#{shop}")
}
/// Lease item: `sk`.
pub const JOB_LEASE_SK: &str = "LEASE";

/// State a job keeps between runs for one shop: `pk` (`sk` is the state's name).
pub fn job_state(job: &str, shop: &ShopId) -> String {
    format!("STATE#{job}#{shop}")
}

/// Runs of one job for one shop: `pk`; `sk` is [`job_run_sk`].
pub fn job_runs(job: &str, shop: &ShopId) -> String {
    format!("RUN#{job}#{shop}")
}
/// A run's `sk`: its start time first, so a query lists runs in time order.
pub fn job_run_sk(started_at: i64, nonce: &str) -> String {
    format!("{started_at:012}#{nonce}")
}

/// Fulfilments whose tracking reached TikTok, one shop: `pk` (job runs table).
pub fn pushed_fulfilments(shop: &ShopId) -> String {
    format!("PUSHED#{shop}")
}
/// One pushed fulfilment: `sk`.
pub fn pushed_fulfilment_sk(id: &crate::domain::NetSuiteFulfillmentId) -> String {
    format!("IF#{id}")
}

/// Notification id of an order event the sweep found missing; the same
/// order, status and update time always give the same id, so a second sweep
/// (or a late webhook's retry of the same state) is de-duplicated.
pub fn sweep_notification(order: &OrderId, status: &str, update_time: i64) -> NotificationId {
    NotificationId::new(format!("sweep-{order}-{status}-{update_time}"))
}

/// The FIFO `MessageGroupId` of one order: all its events, webhooks and
/// resubmits alike, run in sequence.
pub fn order_group(shop: &ShopId, order: &OrderId) -> String {
    sqs_token(&format!("{shop}:{order}"))
}

/// The FIFO `MessageGroupId` of a shop-scoped event.
pub fn shop_group(shop: &ShopId) -> String {
    sqs_token(shop.as_str())
}

/// The SQS deduplication id of a webhook: notification ids are TikTok's,
/// unique per app at best, so the shop is part of it.
pub fn dedup_id(shop: &ShopId, notification: &NotificationId) -> String {
    sqs_token(&format!("{shop}:{notification}"))
}

/// SQS group and deduplication ids allow up to 128 printable ASCII
/// characters; anything else is dropped.
pub fn sqs_token(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_tokens() {
        let (shop, order) = (ShopId::new("1"), OrderId::new("2"));
        assert_eq!(order_log(&shop, &order), "ORDER#1#2");
        assert_eq!(order_group(&shop, &order), "1:2");
        assert_eq!(sqs_token("a b\u{e9}c"), "abc");
        assert_eq!(sqs_token(&"x".repeat(300)).len(), 128);
        assert_eq!(
            order_group(&ShopId::new("s p"), &OrderId::new("o")),
            "sp:o",
            "resubmits and webhooks share the sanitised group"
        );
    }
}
