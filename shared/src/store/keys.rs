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
