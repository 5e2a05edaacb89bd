//! Transactions: by Statement 202501, `GET /finance/202501/statements/
//! {statement_id}/statement_transactions` ([DOC] 6789c0c11882810314794094,
//! finance-inventory-fulfilment.md §1.5); by Order 202501, `GET
//! /finance/202501/orders/{order_id}/statement_transactions` ([DOC]
//! 6789a057b59cf903096d991b, §1.6); and Unsettled 202507, `GET
//! /finance/202507/orders/unsettled` ([DOC] 68886ace1564fc04a94bd525,
//! §1.7). Sorting, paging and the readings where the docs are silent are
//! in the `finance` module doc.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::paging::{
    api_qps, bad_param, listing, next_token, offset, page_of, time_param, token_scope,
};
use super::{ORDER_TRANSACTIONS_API, STATEMENT_TRANSACTIONS_API, UNSETTLED_PATH, UNSETTLED_START};
use crate::tiktok::auth::authenticate;
use crate::tiktok::TikTokSim;

/// `GET /finance/202501/statements/{statement_id}/statement_transactions`.
pub(crate) async fn statement_transactions(
    State(sim): State<TikTokSim>,
    Path(statement_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/finance/202501/statements/{statement_id}/statement_transactions");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        api_qps(&sim, &a, STATEMENT_TRANSACTIONS_API)?;
        let l = listing(&a, "order_create_time")?;
        let scope = token_scope(&path, &a, &["sort_order"]);
        let off = offset(&a, &scope)?;
        let mut st = sim.state();
        let s = st
            .finance
            .statements
            .get_mut(&a.shop.id)
            .and_then(|m| m.get_mut(&statement_id))
            .ok_or_else(|| bad_param(format!("statement_id {statement_id} is invalid")))?;
        let total = s.rows.len();
        let end = off.saturating_add(l.size).min(total);
        let mut page = Vec::with_capacity(end.saturating_sub(off));
        for k in off..end {
            let i = if l.descending { total - 1 - k } else { k };
            if let Some(t) = s.rows.get(i) {
                page.push(t);
            }
        }
        let mut data = s.root.clone();
        data.insert("total_count".into(), json!(total));
        data.insert(
            "next_page_token".into(),
            json!(next_token(&scope, &a.shop.id, off, l.size, total)),
        );
        data.insert("transactions".into(), Value::Array(page));
        Ok(Value::Object(data))
    });
    sim.finish(STATEMENT_TRANSACTIONS_API, result)
}

/// `GET /finance/202501/orders/{order_id}/statement_transactions`.
pub(crate) async fn order_transactions(
    State(sim): State<TikTokSim>,
    Path(order_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/finance/202501/orders/{order_id}/statement_transactions");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        api_qps(&sim, &a, ORDER_TRANSACTIONS_API)?;
        if order_id.is_empty() || !order_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_param(format!("order_id {order_id} is invalid")));
        }
        let st = sim.state();
        Ok(st
            .finance
            .by_order
            .get(&a.shop.id)
            .and_then(|m| m.get(&order_id))
            .cloned()
            .unwrap_or_else(|| json!({"order_id": order_id, "sku_transactions": []})))
    });
    sim.finish(ORDER_TRANSACTIONS_API, result)
}

/// `GET /finance/202507/orders/unsettled`.
pub(crate) async fn unsettled(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = UNSETTLED_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let l = listing(&a, "order_create_time")?;
        let ge = time_param(&a, "search_time_ge")?.unwrap_or(UNSETTLED_START);
        let lt = time_param(&a, "search_time_lt")?.unwrap_or_else(crate::now_secs);
        let scope = token_scope(
            path,
            &a,
            &["sort_order", "search_time_ge", "search_time_lt"],
        );
        let off = offset(&a, &scope)?;
        let st = sim.state();
        let hits: Vec<&Value> = st
            .finance
            .unsettled
            .get(&a.shop.id)
            .into_iter()
            .flatten()
            .filter(|t| {
                let c = t
                    .get("order_create_time")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                c >= ge.max(UNSETTLED_START) && c < lt
            })
            .collect();
        let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
        for t in &hits {
            for (field, sum) in [
                ("est_settlement_amount", "sum_est_settlement_amount"),
                ("est_revenue_amount", "sum_est_revenue_amount"),
                ("est_adjustment_amount", "sum_est_adjustment_amount"),
                ("est_fee_tax_amount", "sum_est_fee_amount"),
            ] {
                let v = t
                    .get(field)
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<Decimal>().ok())
                    .unwrap_or_default();
                *sums.entry(sum).or_default() += v;
            }
        }
        let (page, total) = page_of(hits, "order_create_time", &l, off);
        let next = next_token(&scope, &a.shop.id, off, l.size, total);
        let mut data = json!({"transactions": page, "total_count": total, "next_page_token": next});
        for (k, v) in sums {
            data[k] = json!(v.to_string());
        }
        Ok(data)
    });
    sim.finish(path, result)
}
