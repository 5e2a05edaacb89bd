//! Get Statements, `GET /finance/202309/statements` ([DOC]
//! 650a676f0fcef602bf2b91f0; finance-inventory-fulfilment.md §1.1, §1.3):
//! `sort_field=statement_time` required, `statement_time_ge` / `_lt`,
//! `payment_status`, "only data after 2023-07-01", paged by token only (no
//! `total_count`; the `finance` module doc lists every rule).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::paging::{bad_param, listing, next_token, offset, page_of, time_param, token_scope};
use super::{DATA_START, STATEMENTS_PATH};
use crate::tiktok::auth::authenticate;
use crate::tiktok::TikTokSim;

/// `GET /finance/202309/statements`.
pub(crate) async fn get_statements(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = STATEMENTS_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let l = listing(&a, "statement_time")?;
        let ge = time_param(&a, "statement_time_ge")?.unwrap_or(DATA_START);
        let lt = time_param(&a, "statement_time_lt")?.unwrap_or_else(crate::now_secs);
        let status = match a.param("payment_status").filter(|s| !s.is_empty()) {
            None => None,
            Some(s @ ("PAID" | "FAILED" | "PROCESSING")) => Some(s.to_string()),
            Some(s) => {
                return Err(bad_param(format!(
                    "payment_status {s} is not PAID, FAILED or PROCESSING"
                )))
            }
        };
        let scope = token_scope(
            path,
            &a,
            &[
                "sort_order",
                "statement_time_ge",
                "statement_time_lt",
                "payment_status",
            ],
        );
        let off = offset(&a, &scope)?;
        let st = sim.state();
        let hits: Vec<&Value> = st
            .finance
            .statements
            .get(&a.shop.id)
            .into_iter()
            .flat_map(|m| m.values())
            .map(|s| &s.row)
            .filter(|r| {
                let t = r.get("statement_time").and_then(Value::as_i64).unwrap_or(0);
                t >= ge.max(DATA_START) && t < lt
            })
            .filter(|r| {
                status
                    .as_deref()
                    .is_none_or(|s| r.get("payment_status").and_then(Value::as_str) == Some(s))
            })
            .collect();
        let (page, total) = page_of(hits, "statement_time", &l, off);
        let next = next_token(&scope, &a.shop.id, off, l.size, total);
        Ok(json!({"statements": page, "next_page_token": next}))
    });
    sim.finish(path, result)
}
