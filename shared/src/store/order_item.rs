//! How an order log entry is stored: its item (keys, filter and index
//! attributes, the entry as JSON) and the versioned write every change goes
//! through.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::aws::{is_condition_failed, n, s};
use super::order_log::unavailable;
use super::{keys, DynamoOrderLog, OrderLogEntry, Store, StoreError};

impl DynamoOrderLog {
    /// Writes `next` over `prev_version` (none: a new entry); `Ok(None)`
    /// when someone else wrote first.
    pub(super) async fn put_entry(
        &self,
        mut next: OrderLogEntry,
        prev_version: Option<u64>,
    ) -> Result<Option<OrderLogEntry>, StoreError> {
        next.version = prev_version.map_or(1, |v| v + 1);
        let doc = serde_json::to_string(&next).map_err(|e| StoreError::Corrupt {
            store: Store::OrderLog,
            key: keys::order_log(&next.shop_id, &next.order_id),
            reason: e.to_string(),
        })?;
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item_of(&next, doc)));
        put = match prev_version {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(v) => put
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(v)),
        };
        match put.send().await {
            Ok(_) => Ok(Some(next)),
            Err(e) if is_condition_failed(&e) => Ok(None),
            Err(e) => Err(unavailable(&e)),
        }
    }
}

/// The DynamoDB item of an entry: keys, filter attributes, index
/// attributes and the entry as JSON in `doc`.
pub fn item_of(e: &OrderLogEntry, doc: String) -> HashMap<String, AttributeValue> {
    let mut item: HashMap<String, AttributeValue> = [
        ("pk", s(keys::order_log(&e.shop_id, &e.order_id))),
        ("sk", s(keys::ORDER_LOG_SK)),
        ("kind", s("order")),
        ("shop_id", s(e.shop_id.as_str())),
        ("order_id", s(e.order_id.as_str())),
        ("sync_status", s(e.sync_status.as_str())),
        ("last_updated", n(e.last_updated)),
        ("version", n(e.version)),
        ("doc", s(doc)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in super::order_index::index_attributes(e) {
        item.insert(k.to_string(), v);
    }
    item
}

impl DynamoOrderLog {
    /// Rewrites every order entry with its index attributes (entries written
    /// before the console's indexes existed are in none of them). A one-off
    /// migration for `tiktok-netsuite orders reindex`, so it scans; an entry
    /// changed meanwhile is skipped (its own write indexed it). Returns how
    /// many entries were rewritten.
    pub async fn reindex_all(&self) -> Result<usize, StoreError> {
        let mut done = 0;
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("kind = :k")
                .expression_attribute_values(":k", s("order"))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            for item in page.items() {
                let e = Self::decode(item)?;
                let doc = super::aws::get_s(item, "doc").cloned().unwrap_or_default();
                let out = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(item_of(&e, doc)))
                    .condition_expression("version = :v")
                    .expression_attribute_values(":v", n(e.version))
                    .send()
                    .await;
                match out {
                    Ok(_) => done += 1,
                    Err(err) if is_condition_failed(&err) => {}
                    Err(err) => return Err(unavailable(&err)),
                }
            }
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(done),
            }
        }
    }
}
