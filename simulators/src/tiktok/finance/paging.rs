//! Request parsing every finance list shares (finance-inventory-fulfilment.md
//! §1.1): the required `sort_field`, `sort_order`, `page_size` 1–100
//! (default 20), unix-second time bounds, the opaque `page_token` bound to
//! its path, shop and filters (`page_token.rs`), and TikTok's per-API QPS
//! window (tiktok-shop-api.md §4). Every fault is the catch-all 36009004
//! (§8).

use axum::http::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

use super::{DEFAULT_PAGE_SIZE, PAGE_SIZE_RANGE};
use crate::tiktok::auth::Authed;
use crate::tiktok::{page_token, ApiError, TikTokSim};

pub(super) fn bad_param(msg: impl std::fmt::Display) -> ApiError {
    ApiError::ok_status(36009004, format!("Invalid parameter: {msg}"))
}

/// `sort_field` (required, exactly `only`), `sort_order`, `page_size`.
pub(super) struct Listing {
    pub(super) descending: bool,
    pub(super) size: usize,
}

pub(super) fn listing(a: &Authed, only: &str) -> Result<Listing, ApiError> {
    match a.param("sort_field").filter(|s| !s.is_empty()) {
        None => return Err(bad_param(format!("sort_field is required ({only})"))),
        Some(f) if f == only => {}
        Some(f) => return Err(bad_param(format!("sort_field {f} is not {only}"))),
    }
    let descending = match a.param("sort_order").filter(|s| !s.is_empty()) {
        None | Some("ASC") => false,
        Some("DESC") => true,
        Some(o) => return Err(bad_param(format!("sort_order {o} is not ASC or DESC"))),
    };
    let (min, max) = PAGE_SIZE_RANGE;
    let size = match a.param("page_size").filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE_SIZE,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| bad_param(format!("page_size must be between {min} and {max}")))?,
    };
    Ok(Listing { descending, size })
}

/// An optional unix-seconds parameter.
pub(super) fn time_param(a: &Authed, key: &str) -> Result<Option<i64>, ApiError> {
    match a.param(key).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad_param(format!("{key} must be a unix time in seconds"))),
    }
}

/// The scope a page token is bound to: the path plus every parameter that
/// shapes the result except `page_size` (see the module doc).
pub(super) fn token_scope(path: &str, a: &Authed, keys: &[&str]) -> String {
    let mut scope = path.to_string();
    for k in keys {
        scope.push('|');
        scope.push_str(a.param(k).unwrap_or_default());
    }
    scope
}

pub(super) fn offset(a: &Authed, scope: &str) -> Result<usize, ApiError> {
    match a.param("page_token").filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(t) => page_token::accept(t, scope, &a.shop.id)
            .ok_or_else(|| bad_param("page_token is invalid")),
    }
}

pub(super) fn next_token(
    scope: &str,
    shop: &str,
    offset: usize,
    size: usize,
    total: usize,
) -> String {
    let end = offset.saturating_add(size);
    if end < total {
        page_token::issue(scope, shop, end)
    } else {
        String::new()
    }
}

/// Per-API QPS for the path-templated APIs (module doc).
pub(super) fn api_qps(sim: &TikTokSim, a: &Authed, api: &str) -> Result<(), ApiError> {
    let mut st = sim.state();
    let limit = st.qps_limit as usize;
    let key = (
        a.param("app_key").unwrap_or_default().to_string(),
        a.shop.id.clone(),
        api.to_string(),
    );
    let window = st.windows.entry(key).or_default();
    let now = Instant::now();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        window.pop_front();
    }
    if window.len() >= limit {
        return Err(ApiError {
            http: StatusCode::TOO_MANY_REQUESTS,
            code: 36009002,
            message: "Too many requests".into(),
        });
    }
    window.push_back(now);
    Ok(())
}

/// Sorts `hits` by `key` (ties by id) and cuts one page.
pub(super) fn page_of(
    mut hits: Vec<&Value>,
    key: &str,
    l: &Listing,
    offset: usize,
) -> (Vec<Value>, usize) {
    let k = |v: &Value| {
        (
            v.get(key).and_then(Value::as_i64).unwrap_or(0),
            v.get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    };
    hits.sort_by_cached_key(|v| k(v));
    if l.descending {
        hits.reverse();
    }
    let total = hits.len();
    let page = hits
        .into_iter()
        .skip(offset)
        .take(l.size)
        .cloned()
        .collect();
    (page, total)
}
