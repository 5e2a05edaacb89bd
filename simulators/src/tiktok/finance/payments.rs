//! Get Payments, `GET /finance/202309/payments` ([DOC]
//! 650a6784bace3e02b756fe6d; finance-inventory-fulfilment.md §1.1, §1.4):
//! `sort_field=create_time` required, `create_time_ge` / `_lt`, paged by
//! token; "unavailable to SEA markets" (ID, MY, PH, SG, TH, VN refused with
//! 36009004, the code is not documented).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::paging::{bad_param, listing, next_token, offset, page_of, time_param, token_scope};
use super::{DATA_START, PAYMENTS_PATH, SEA_REGIONS};
use crate::tiktok::auth::authenticate;
use crate::tiktok::TikTokSim;

/// `GET /finance/202309/payments`.
pub(crate) async fn get_payments(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = PAYMENTS_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        if SEA_REGIONS.contains(&a.shop.region.as_str()) {
            return Err(bad_param(
                "Get Payments is currently unavailable to SEA markets",
            ));
        }
        let l = listing(&a, "create_time")?;
        let ge = time_param(&a, "create_time_ge")?.unwrap_or(DATA_START);
        let lt = time_param(&a, "create_time_lt")?.unwrap_or_else(crate::now_secs);
        let scope = token_scope(
            path,
            &a,
            &["sort_order", "create_time_ge", "create_time_lt"],
        );
        let off = offset(&a, &scope)?;
        let st = sim.state();
        let hits: Vec<&Value> = st
            .finance
            .payments
            .get(&a.shop.id)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|p| {
                let t = p.get("create_time").and_then(Value::as_i64).unwrap_or(0);
                t >= ge.max(DATA_START) && t < lt
            })
            .collect();
        let (page, total) = page_of(hits, "create_time", &l, off);
        let next = next_token(&scope, &a.shop.id, off, l.size, total);
        Ok(json!({"payments": page, "next_page_token": next}))
    });
    sim.finish(path, result)
}
