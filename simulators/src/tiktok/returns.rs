//! Return and refund search endpoints (tiktok-shop-api.md §6): Search
//! Cancellations and Search Returns. Records are stored as raw JSON per shop
//! (like orders), so tests can upsert any shape; the handlers only read the
//! fields they filter and sort on.
//!
//! Sim-defined details: results are sorted by `create_time` descending (the
//! documented default sort field), then by id; a page_size out of range or a
//! body that is not a JSON object answer the catch-all parameter error
//! 36009004 (§8: it also covers body-validation errors).
//!
//! `page_token`: see `page_token.rs`. Tokens are padded base64 carrying `+`,
//! `/` and `=` (§1) and are accepted only exactly as issued, for the same
//! endpoint and shop. Anything else answers 25001001, the parameter error
//! both endpoints' official docs list ("An invalid request parameter was
//! passed…", [DOCS] search-returns-202309 doc 650ab69edefece02be70785b and
//! search-cancellations-202309 doc 650ab68bc16ffe02b8f2ea41, error codes),
//! with HTTP 200 like every other body-coded error here (module doc of
//! `tiktok`).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use super::auth::{authenticate, Authed};
use super::{page_token, ApiError, TikTokSim};

pub(crate) const CANCELLATIONS_PATH: &str = "/return_refund/202309/cancellations/search";
pub(crate) const RETURNS_PATH: &str = "/return_refund/202309/returns/search";

/// Documented page size bounds: cancellations 1–50 (default 10), returns 10–50.
const CANCEL_PAGE: (usize, usize) = (1, 50);
const RETURN_PAGE: (usize, usize) = (10, 50);
const DEFAULT_PAGE_SIZE: usize = 10;

/// The endpoints' documented "invalid request parameter" code.
pub(crate) const INVALID_PARAMETER: i64 = 25001001;

pub(super) fn bad_param(msg: impl std::fmt::Display) -> ApiError {
    ApiError::ok_status(36009004, format!("Invalid parameter: {msg}"))
}

fn page_size(a: &Authed, (min, max): (usize, usize)) -> Result<usize, ApiError> {
    match a.param("page_size").filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| bad_param(format!("page_size must be between {min} and {max}"))),
    }
}

/// A page_token that is not exactly one this endpoint issued to this shop.
fn bad_page_token() -> ApiError {
    ApiError::ok_status(
        INVALID_PARAMETER,
        "An invalid request parameter was passed. Please check that you have the correct parameter type(s) and format. (page_token is invalid)",
    )
}

pub(super) fn page_offset(a: &Authed, path: &str) -> Result<usize, ApiError> {
    match a.param("page_token").filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(t) => page_token::accept(t, path, &a.shop.id).ok_or_else(bad_page_token),
    }
}

pub(super) fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_param("request body must be a JSON object")),
    }
}

/// A list-of-strings filter; absent or empty means "no filter".
fn string_list(body: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => {
            let v: Option<Vec<String>> = a.iter().map(|x| x.as_str().map(str::to_string)).collect();
            let v = v.ok_or_else(|| bad_param(format!("{key} must be a list of strings")))?;
            Ok((!v.is_empty()).then_some(v))
        }
        Some(_) => Err(bad_param(format!("{key} must be a list of strings"))),
    }
}

/// The request-filter list spells `CANCELLATION_REQUEST_CANCEL` while
/// responses say `..._CANCELLED` (§6); both match either.
fn canonical_cancel_status(s: &str) -> &str {
    match s {
        "CANCELLATION_REQUEST_CANCEL" => "CANCELLATION_REQUEST_CANCELLED",
        other => other,
    }
}

/// A filter over one string field of the record.
struct Filter {
    field: &'static str,
    values: Vec<String>,
    canon: Canon,
}

fn same(s: &str) -> &str {
    s
}

impl Filter {
    fn matches(&self, rec: &Value) -> bool {
        let v = rec.get(self.field).and_then(Value::as_str).unwrap_or("");
        self.values
            .iter()
            .any(|f| (self.canon)(f) == (self.canon)(v))
    }
}

/// Where a page request comes from: the endpoint and shop its tokens are bound to.
struct PageScope<'a> {
    path: &'a str,
    shop_id: &'a str,
}

fn search(
    records: Option<&BTreeMap<String, Value>>,
    filters: &[Filter],
    offset: usize,
    size: usize,
    list_key: &str,
    scope: &PageScope<'_>,
) -> Value {
    let mut hits: Vec<&Value> = records
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|r| filters.iter().all(|f| f.matches(r)))
        .collect();
    let ctime = |r: &Value| r.get("create_time").and_then(Value::as_i64).unwrap_or(0);
    // Stable sort keeps the BTreeMap's id order among equal create_times.
    hits.sort_by_key(|r| std::cmp::Reverse(ctime(r)));
    let total = hits.len();
    let page: Vec<Value> = hits.into_iter().skip(offset).take(size).cloned().collect();
    let end = offset.saturating_add(size);
    let next = if end < total {
        page_token::issue(scope.path, scope.shop_id, end)
    } else {
        String::new()
    };
    json!({ list_key: page, "total_count": total, "next_page_token": next })
}

/// Maps a value to its canonical spelling before comparison.
type Canon = fn(&str) -> &str;

/// (body filter key, record field, canonicaliser).
type FilterSpec = (&'static str, &'static str, Canon);

fn filters(body: &Map<String, Value>, spec: &[FilterSpec]) -> Result<Vec<Filter>, ApiError> {
    let mut out = Vec::new();
    for (key, field, canon) in spec {
        if let Some(values) = string_list(body, key)? {
            out.push(Filter {
                field,
                values,
                canon: *canon,
            });
        }
    }
    Ok(out)
}

/// `POST /return_refund/202309/cancellations/search`.
pub(crate) async fn search_cancellations(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = CANCELLATIONS_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let size = page_size(&a, CANCEL_PAGE)?;
        let offset = page_offset(&a, path)?;
        let body = parse_body(&body)?;
        let fs = filters(
            &body,
            &[
                ("cancel_ids", "cancel_id", same),
                ("order_ids", "order_id", same),
                ("cancel_types", "cancel_type", same),
                ("cancel_status", "cancel_status", canonical_cancel_status),
            ],
        )?;
        let st = sim.state();
        Ok(search(
            st.cancellations.get(&a.shop.id),
            &fs,
            offset,
            size,
            "cancellations",
            &PageScope {
                path,
                shop_id: &a.shop.id,
            },
        ))
    });
    sim.finish(path, result)
}

/// `POST /return_refund/202309/returns/search`.
pub(crate) async fn search_returns(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = RETURNS_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let size = page_size(&a, RETURN_PAGE)?;
        let offset = page_offset(&a, path)?;
        let body = parse_body(&body)?;
        let fs = filters(
            &body,
            &[
                ("return_ids", "return_id", same),
                ("order_ids", "order_id", same),
                ("return_types", "return_type", same),
                ("return_status", "return_status", same),
                // Documented request filter ([DOCS] search-returns-202309:
                // `seller_proposed_return_type` []string, `PARTIAL_REFUND`).
                (
                    "seller_proposed_return_type",
                    "seller_proposed_return_type",
                    same,
                ),
            ],
        )?;
        let range = update_time_range(&body)?;
        let st = sim.state();
        let in_range: Option<BTreeMap<String, Value>> = st.returns.get(&a.shop.id).map(|m| {
            m.iter()
                .filter(|(_, r)| range.contains(r))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        });
        Ok(search(
            in_range.as_ref(),
            &fs,
            offset,
            size,
            "return_orders",
            &PageScope {
                path,
                shop_id: &a.shop.id,
            },
        ))
    });
    sim.finish(path, result)
}

/// `update_time_ge` / `update_time_lt` (documented body filters of Search
/// Returns 202309, returns.md §A1), as Unix seconds; a non-integer is the
/// parameter error (*harsh*: the docs do not say).
struct UpdateRange(Option<i64>, Option<i64>);

impl UpdateRange {
    fn contains(&self, rec: &Value) -> bool {
        let t = rec.get("update_time").and_then(Value::as_i64).unwrap_or(0);
        self.0.is_none_or(|ge| t >= ge) && self.1.is_none_or(|lt| t < lt)
    }
}

fn update_time_range(body: &Map<String, Value>) -> Result<UpdateRange, ApiError> {
    let get = |k: &str| match body.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| bad_param(format!("{k} must be an integer"))),
    };
    Ok(UpdateRange(get("update_time_ge")?, get("update_time_lt")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_time_range_filters() {
        let b = json!({"update_time_ge": 10, "update_time_lt": 20});
        let r = update_time_range(b.as_object().unwrap()).unwrap();
        assert!(r.contains(&json!({"update_time": 10})));
        assert!(!r.contains(&json!({"update_time": 20})));
        assert!(update_time_range(json!({"update_time_ge": "x"}).as_object().unwrap()).is_err());
    }

    #[test]
    fn cancel_status_spellings_match() {
        let f = Filter {
            field: "cancel_status",
            values: vec!["CANCELLATION_REQUEST_CANCEL".into()],
            canon: canonical_cancel_status,
        };
        assert!(f.matches(&json!({"cancel_status": "CANCELLATION_REQUEST_CANCELLED"})));
        assert!(!f.matches(&json!({"cancel_status": "CANCELLATION_REQUEST_COMPLETE"})));
    }

    #[test]
    fn paging_issues_tokens_until_the_end() {
        let m: BTreeMap<String, Value> = (0..5)
            .map(|i| (format!("{i}"), json!({"id": i, "create_time": i})))
            .collect();
        let scope = PageScope {
            path: "/p",
            shop_id: "s",
        };
        let p1 = search(Some(&m), &[], 0, 2, "x", &scope);
        assert_eq!(p1["total_count"], 5);
        assert_eq!(p1["x"][0]["id"], 4, "newest first");
        let t = p1["next_page_token"].as_str().unwrap();
        assert_eq!(page_token::accept(t, "/p", "s"), Some(2));
        let p3 = search(Some(&m), &[], 4, 2, "x", &scope);
        assert_eq!(p3["x"].as_array().unwrap().len(), 1);
        assert_eq!(p3["next_page_token"], "");
    }
}
