//! Orders shipped and not yet settled by TikTok, per shop, for the payout
//! report's "shipped more than N days ago and not yet settled" check.
//!
//! The order log has no index by shipment date (its `list` is a Scan), so
//! the log keeps a small per-shop set beside the entries, in the same
//! table: `pk = AWAITING#{shop}`, `sk = {shipped_at, 12 digits}#{order}`,
//! written when an order's first shipment is recorded and deleted when the
//! payout job sees the order settled. The check is then one bounded
//! `Query` (`sk < cutoff`) returning only the overdue orders; the items'
//! `kind` is `awaiting`, so order listings never see them.

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};

use super::aws::s;
use super::order_log::{DynamoOrderLog, OrderLogEntry};
use super::{Store, StoreError};
use crate::domain::{OrderId, ShopId};

fn pk(shop: &ShopId) -> String {
    format!("AWAITING#{}", shop.as_str())
}

fn sk(shipped_at: i64, order: &OrderId) -> String {
    format!("{:012}#{}", shipped_at.max(0), order.as_str())
}

/// The (order, first shipped) pairs once each, in key order.
fn unique(orders: &[(OrderId, i64)]) -> Vec<&(OrderId, i64)> {
    let mut v: Vec<&(OrderId, i64)> = orders.iter().collect();
    v.sort_by(|a, b| (a.1, a.0.as_str()).cmp(&(b.1, b.0.as_str())));
    v.dedup();
    v
}

/// When the order first shipped, from its log entry.
pub fn first_shipped(e: &OrderLogEntry) -> Option<i64> {
    e.shipments.iter().map(|s| s.at).min()
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::OrderLog, super::aws::describe(e))
}

impl DynamoOrderLog {
    /// Puts the order in its shop's awaiting-settlement set (idempotent).
    pub(super) async fn await_settlement(
        &self,
        shop: &ShopId,
        order: &OrderId,
        shipped_at: i64,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(pk(shop)))
            .item("sk", s(sk(shipped_at, order)))
            .item("kind", s("awaiting"))
            .item("order_id", s(order.as_str()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| unavailable(&e))
    }

    /// Orders of `shop` shipped before `cutoff` and not settled since:
    /// (order, shipped at), oldest first, at most `limit`.
    pub(super) async fn overdue(
        &self,
        shop: &ShopId,
        cutoff: i64,
        limit: usize,
    ) -> Result<Vec<(OrderId, i64)>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p AND sk < :c")
                .expression_attribute_values(":p", s(pk(shop)))
                .expression_attribute_values(":c", s(format!("{:012}", cutoff.max(0))))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            for item in page.items() {
                let Some(AttributeValue::S(k)) = item.get("sk") else {
                    continue;
                };
                if let Some((at, order)) = k.split_once('#') {
                    out.push((OrderId::new(order), at.parse().unwrap_or_default()));
                }
                if out.len() >= limit {
                    return Ok(out);
                }
            }
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }

    /// Takes settled orders out of the set (`batch_write`: 25 deletes a
    /// call, what DynamoDB leaves unprocessed sent again).
    pub(super) async fn settled(
        &self,
        shop: &ShopId,
        orders: &[(OrderId, i64)],
    ) -> Result<(), StoreError> {
        // One statement may settle an order twice (a sale and its refund):
        // DynamoDB refuses a batch naming the same key twice.
        let reqs: Vec<WriteRequest> = unique(orders)
            .into_iter()
            .map(|(o, at)| {
                DeleteRequest::builder()
                    .key("pk", s(pk(shop)))
                    .key("sk", s(sk(*at, o)))
                    .build()
                    .map(|d| WriteRequest::builder().delete_request(d).build())
                    .map_err(|e| unavailable(&e))
            })
            .collect::<Result<_, _>>()?;
        super::batch_write::batch_write(&self.client, &self.table, reqs, Store::OrderLog).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_settled_twice_in_one_statement_is_deleted_once() {
        let o = |id: &str, at: i64| (OrderId::new(id), at);
        let orders = [o("2", 10), o("1", 10), o("2", 10), o("1", 5)];
        assert_eq!(unique(&orders), vec![&o("1", 5), &o("1", 10), &o("2", 10)]);
    }

    #[test]
    fn keys_sort_by_shipment_time() {
        let a = sk(99, &OrderId::new("9"));
        let b = sk(1_000, &OrderId::new("1"));
        assert!(a < b, "{a} {b}");
        assert!(b < format!("{:012}", 1_001));
        assert!(b >= format!("{:012}", 1_000));
    }
}
