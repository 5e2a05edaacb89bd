//! SuiteQL (NetSuite REST notes §3): paged queries, `Prefer: transient`.

use reqwest::Method;
use serde_json::{json, Map, Value};

use super::error::NsError;
use super::transport::{Call, Kind, NetSuiteClient, SUITEQL_PATH};
use crate::signing::netsuite::pct;

/// SuiteQL's default and maximum page size (NetSuite REST notes §3).
pub const SUITEQL_MAX_LIMIT: usize = 1000;

/// One page of SuiteQL results.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteQlPage {
    /// Rows with `links` removed.
    pub items: Vec<Map<String, Value>>,
    pub has_more: bool,
    pub total_results: Option<u64>,
}

impl NetSuiteClient {
    /// Runs a SuiteQL query and follows pages (1000 rows each) while
    /// `hasMore`. Each row comes back with its `links` key removed; column
    /// names are lower-cased by NetSuite (§3).
    pub async fn suiteql(&self, query: &str) -> Result<Vec<Map<String, Value>>, NsError> {
        let mut rows = Vec::new();
        let mut offset = 0usize;
        loop {
            let page = self.suiteql_page(query, SUITEQL_MAX_LIMIT, offset).await?;
            let n = page.items.len();
            rows.extend(page.items);
            if !page.has_more {
                return Ok(rows);
            }
            if n == 0 {
                // hasMore with an empty page would loop forever.
                return Err(NsError::Decode {
                    status: 200,
                    detail: format!("SuiteQL page at offset {offset} is empty but hasMore is true"),
                    system_call: format!(
                        "POST {SUITEQL_PATH}?limit={SUITEQL_MAX_LIMIT}&offset={offset}"
                    ),
                    body: String::new(),
                });
            }
            offset += n;
        }
    }

    /// One SuiteQL page: `POST /query/v1/suiteql?limit=&offset=` with
    /// `Prefer: transient`. `limit` is clamped to 1..=1000.
    pub async fn suiteql_page(
        &self,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> Result<SuiteQlPage, NsError> {
        let limit = limit.clamp(1, SUITEQL_MAX_LIMIT);
        let body = json!({ "q": query });
        let reply = self
            .execute(Call {
                method: Method::POST,
                path: SUITEQL_PATH.to_string(),
                query: vec![
                    ("limit", pct(&limit.to_string())),
                    ("offset", pct(&offset.to_string())),
                ],
                body: Some(&body),
                kind: Kind::Query,
            })
            .await?;
        let v = reply.json()?;
        let items = v
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| reply.decode("SuiteQL response has no items array".into()))?;
        let items = items
            .iter()
            .filter_map(|i| {
                let mut m = i.as_object()?.clone();
                m.remove("links");
                Some(m)
            })
            .collect();
        Ok(SuiteQlPage {
            items,
            has_more: v.get("hasMore").and_then(Value::as_bool).unwrap_or(false),
            total_results: v.get("totalResults").and_then(Value::as_u64),
        })
    }
}

/// A SuiteQL column as text: NetSuite sends ids and numbers as strings, the
/// simulator and older records sometimes as numbers; absent or null is "".
pub fn column_text(row: &Map<String, Value>, key: &str) -> String {
    match row.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}
