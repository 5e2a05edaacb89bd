//! The order log's secondary indexes (declared in `resources::ORDER_LOG_INDEXES`):
//! which attributes each entry carries for them, which index a filter
//! queries, and paging through one — so listing the log never scans it and
//! one page costs a bounded number of queries whatever the log's size.
//!
//! Every index's sort key is `ts` = zero-padded `last_updated`, `#`, order
//! id: newest first when queried backwards, and a date range is a key
//! condition. An entry blocked on several SKUs (or with several open
//! problems) is indexed under its first SKU / latest failure's code; the
//! filter still checks every one of them on the entries it reads.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use base64::Engine;

use super::aws::{get_s, s};
pub use super::order_log::LogPage;
use super::order_log::{unavailable, DynamoOrderLog};
use super::{LogFilter, OrderLogEntry, StoreError};

/// Queries one page may take to fill itself when the filter drops entries
/// the index returned (e.g. a level filter): the bound on DynamoDB calls.
pub const MAX_QUERIES_PER_PAGE: usize = 4;

/// The `ts` sort key of an entry.
pub fn ts_key(last_updated: i64, order: &str) -> String {
    format!("{:012}#{order}", last_updated.max(0))
}

/// A `ts` bound for a time (seconds): every key of that second sorts after it.
fn ts_bound(t: i64) -> String {
    format!("{:012}", t.max(0))
}

/// The index attributes of an entry, written with it.
pub fn index_attributes(e: &OrderLogEntry) -> Vec<(&'static str, AttributeValue)> {
    let mut out = vec![
        ("ts", s(ts_key(e.last_updated, e.order_id.as_str()))),
        ("order_shop", s(e.shop_id.as_str())),
        (
            "shop_status",
            s(format!("{}#{}", e.shop_id, e.sync_status.as_str())),
        ),
    ];
    let code = e
        .last_failure
        .as_ref()
        .map(|f| f.code.as_str().to_string())
        .or_else(|| {
            e.open_problems
                .last()
                .map(|p| p.failure.code.as_str().to_string())
        });
    if let Some(code) = code {
        out.push(("fail_code", s(code)));
    }
    let sku = e
        .failed_skus
        .first()
        .or_else(|| e.open_problems.iter().find_map(|p| p.failed_skus.first()));
    if let Some(sku) = sku {
        out.push(("fail_sku", s(format!("{}#{sku}", e.shop_id))));
    }
    out
}

/// Which index a filter reads, and the partition key value there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexQuery {
    pub index: &'static str,
    pub key_attr: &'static str,
    pub key: String,
}

/// The most selective index for a filter: SKU (with its shop), code, shop
/// and status, status, shop, else every order.
pub fn plan(f: &LogFilter) -> IndexQuery {
    let q = |index, key_attr, key: String| IndexQuery {
        index,
        key_attr,
        key,
    };
    match (&f.sku, &f.shop_id, &f.code, &f.sync_status) {
        (Some(sku), Some(shop), _, _) => q("by-sku", "fail_sku", format!("{shop}#{sku}")),
        (_, _, Some(code), _) => q("by-code", "fail_code", code.trim().to_ascii_uppercase()),
        (_, Some(shop), _, Some(st)) => q(
            "by-shop-status",
            "shop_status",
            format!("{shop}#{}", st.as_str()),
        ),
        (_, None, _, Some(st)) => q("by-status", "sync_status", st.as_str().to_string()),
        (_, Some(shop), _, None) => q("by-shop", "order_shop", shop.to_string()),
        _ => q("by-kind", "kind", "order".to_string()),
    }
}

/// Encodes a page's last key as an opaque cursor.
fn encode_cursor(key: &HashMap<String, AttributeValue>) -> String {
    let flat: HashMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str())))
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&flat).unwrap_or_default())
}

/// Decodes a cursor of the index `q` reads: exactly its key attributes,
/// each a string of sane length. A tampered or stale one starts from the
/// top (the console signs its cursors and refuses a forged one first).
fn decode_cursor(c: &str, q: &IndexQuery) -> Option<HashMap<String, AttributeValue>> {
    if c.len() > 2048 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    let flat: HashMap<String, String> = serde_json::from_slice(&bytes).ok()?;
    let wanted = ["pk", "sk", "ts", q.key_attr];
    let exact = wanted.iter().all(|k| flat.contains_key(*k))
        && flat.keys().all(|k| wanted.contains(&k.as_str()))
        && flat.values().all(|v| !v.is_empty() && v.len() <= 512)
        && flat.get(q.key_attr) == Some(&q.key);
    if !exact {
        return None;
    }
    Some(flat.into_iter().map(|(k, v)| (k, s(v))).collect())
}

impl DynamoOrderLog {
    fn query(
        &self,
        q: &IndexQuery,
        since: Option<i64>,
        until: Option<i64>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(q.index)
            .scan_index_forward(false)
            .expression_attribute_names("#k", q.key_attr)
            .expression_attribute_values(":k", s(&q.key));
        let cond = match (since, until) {
            (None, None) => "#k = :k",
            (Some(a), None) => {
                req = req.expression_attribute_values(":a", s(ts_bound(a)));
                "#k = :k AND ts >= :a"
            }
            (None, Some(b)) => {
                req = req.expression_attribute_values(":b", s(ts_bound(b)));
                "#k = :k AND ts < :b"
            }
            (Some(a), Some(b)) => {
                req = req
                    .expression_attribute_values(":a", s(ts_bound(a)))
                    .expression_attribute_values(":b", s(ts_bound(b)));
                "#k = :k AND ts BETWEEN :a AND :b"
            }
        };
        req.key_condition_expression(cond)
    }

    /// One page: at most `limit` entries in at most [`MAX_QUERIES_PER_PAGE`] queries.
    pub async fn query_page(
        &self,
        filter: &LogFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, StoreError> {
        let q = plan(filter);
        let limit = limit.clamp(1, 500);
        let mut start = cursor.and_then(|c| decode_cursor(c, &q));
        let mut page = LogPage::default();
        while page.queries < MAX_QUERIES_PER_PAGE {
            let out = self
                .query(&q, filter.since, filter.until)
                .limit(limit as i32)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            page.queries += 1;
            for item in out.items() {
                let e = Self::decode(item)?;
                if filter.matches(&e) {
                    page.entries.push(e);
                    if page.entries.len() == limit {
                        let mut key: HashMap<String, AttributeValue> = HashMap::new();
                        for k in ["pk", "sk", "ts", q.key_attr] {
                            if let Some(v) = get_s(item, k) {
                                key.insert(k.to_string(), s(v));
                            }
                        }
                        page.next = Some(encode_cursor(&key));
                        return Ok(page);
                    }
                }
            }
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(page),
            }
        }
        page.next = start.as_ref().map(encode_cursor);
        Ok(page)
    }

    /// Every matching entry (the CLI's list and bulk selections), page by page.
    pub async fn list_all(&self, filter: &LogFilter) -> Result<Vec<OrderLogEntry>, StoreError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.query_page(filter, cursor.as_deref(), 500).await?;
            out.extend(page.entries);
            match page.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    /// Last-update times (and one attribute) of the entries under one index
    /// key since `since`, reading at most `max_queries` pages: the overview's
    /// counts and chart. `true` when it stopped at the cap.
    pub async fn times(
        &self,
        q: &IndexQuery,
        since: i64,
        attr: Option<&'static str>,
        max_queries: usize,
    ) -> Result<(Vec<(i64, Option<String>)>, bool), StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        for _ in 0..max_queries {
            let mut req = self
                .query(q, Some(since), None)
                .set_exclusive_start_key(start.take());
            req = match attr {
                Some(a) => req
                    .projection_expression("ts, #a")
                    .expression_attribute_names("#a", a),
                None => req.projection_expression("ts"),
            };
            let page = req.send().await.map_err(|e| unavailable(&e))?;
            for item in page.items() {
                let t = get_s(item, "ts")
                    .and_then(|t| t.split('#').next())
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                out.push((t, attr.and_then(|a| get_s(item, a)).cloned()));
            }
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok((out, false)),
            }
        }
        Ok((out, true))
    }

    /// How many entries sit under one index key since `since` (one query per
    /// 1 MB read, at most `max_queries`); `true` when it stopped at the cap.
    pub async fn count(
        &self,
        q: &IndexQuery,
        since: i64,
        max_queries: usize,
    ) -> Result<(u64, bool), StoreError> {
        let mut total = 0u64;
        let mut start = None;
        for _ in 0..max_queries {
            let page = self
                .query(q, Some(since), None)
                .select(Select::Count)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            total += page.count().max(0) as u64;
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok((total, false)),
            }
        }
        Ok((total, true))
    }

    /// The newest entry of one shop (its last activity), in one query.
    pub async fn latest_of_shop(
        &self,
        shop: &crate::domain::ShopId,
    ) -> Result<Option<OrderLogEntry>, StoreError> {
        let q = IndexQuery {
            index: "by-shop",
            key_attr: "order_shop",
            key: shop.to_string(),
        };
        let out = self
            .query(&q, None, None)
            .limit(1)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        out.items().first().map(Self::decode).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, ShopId};
    use crate::store::SyncStatus;

    #[test]
    fn the_most_selective_index_answers_each_filter() {
        let f =
            |shop: Option<&str>, st: Option<SyncStatus>, code: Option<&str>, sku: Option<&str>| {
                plan(&LogFilter {
                    shop_id: shop.map(ShopId::new),
                    sync_status: st,
                    code: code.map(str::to_string),
                    sku: sku.map(str::to_string),
                    ..Default::default()
                })
                .index
            };
        assert_eq!(f(None, None, None, None), "by-kind");
        assert_eq!(f(Some("s"), None, None, None), "by-shop");
        assert_eq!(f(None, Some(SyncStatus::Failed), None, None), "by-status");
        assert_eq!(
            f(Some("s"), Some(SyncStatus::Failed), None, None),
            "by-shop-status"
        );
        assert_eq!(
            f(Some("s"), Some(SyncStatus::Failed), Some("x"), None),
            "by-code"
        );
        assert_eq!(f(Some("s"), None, Some("x"), Some("A")), "by-sku");
        assert_eq!(ts_key(5, "o"), "000000000005#o");
    }

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let mut k = HashMap::new();
        for (a, v) in [
            ("pk", "ORDER#s#o"),
            ("sk", "LOG"),
            ("ts", "1#o"),
            ("kind", "order"),
        ] {
            k.insert(a.to_string(), s(v));
        }
        let q = plan(&LogFilter::default());
        assert_eq!(decode_cursor(&encode_cursor(&k), &q), Some(k.clone()));
        assert_eq!(decode_cursor("not base64!", &q), None);
        // Another index's key, an extra attribute, a missing one: junk.
        let failed = plan(&LogFilter {
            sync_status: Some(SyncStatus::Failed),
            ..Default::default()
        });
        assert_eq!(decode_cursor(&encode_cursor(&k), &failed), None);
        let mut extra = k.clone();
        extra.insert("x".into(), s("1"));
        assert_eq!(decode_cursor(&encode_cursor(&extra), &q), None);
        k.remove("ts");
        assert_eq!(decode_cursor(&encode_cursor(&k), &q), None);
        let _ = OrderId::new("o");
    }
}
