//!
//! Inventory Search (`POST /product/202309/inventory/search`, [DOC] id
//! 650a9191c16ffe02b8eec161): body `product_ids` (≤ 100) or `sku_ids`
//! (≤ 600), `sku_ids` win when both are sent. Sim-defined where the docs are
//! silent: neither list, or too many ids, answers 36009004; unknown ids are
//! left out of the answer without an error (harsher: the client must notice
//! what is missing); with `sku_ids` a product lists only the asked SKUs.
//! `committed_quantity` is always 0 (committed units are not modelled).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::{INVENTORY_SEARCH_PATH, MAX_SEARCH_PRODUCT_IDS, MAX_SEARCH_SKU_IDS};
use crate::tiktok::auth::authenticate;
use crate::tiktok::products::{bad_param, parse_body, string_list, SimProduct, SimSku};
use crate::tiktok::TikTokSim;

pub(super) fn search_sku_json(s: &SimSku) -> Value {
    let total: i64 = s.stock.values().sum();
    json!({
        "id": s.id,
        "seller_sku": s.seller_sku,
        "total_available_quantity": total,
        "total_committed_quantity": 0,
        "warehouse_inventory": s.stock.iter().map(|(w, q)| json!({
            "warehouse_id": w, "available_quantity": q, "committed_quantity": 0,
        })).collect::<Vec<_>>(),
    })
}

/// `POST /product/202309/inventory/search`.
pub(crate) async fn inventory_search(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = INVENTORY_SEARCH_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let body = parse_body(&body)?;
        let sku_ids = string_list(&body, "sku_ids")?;
        let product_ids = string_list(&body, "product_ids")?;
        if sku_ids.as_ref().is_some_and(|v| v.len() > MAX_SEARCH_SKU_IDS) {
            return Err(bad_param("sku_ids supports at most 600 ids"));
        }
        if sku_ids.is_none() && product_ids.as_ref().is_some_and(|v| v.len() > MAX_SEARCH_PRODUCT_IDS) {
            return Err(bad_param("product_ids supports at most 100 ids"));
        }
        let st = sim.state();
        let products = st.catalog.products.get(&a.shop.id);
        let all = || products.into_iter().flat_map(|m| m.values());
        let inventory: Vec<Value> = match (sku_ids, product_ids) {
            (Some(skus), _) => all()
                .filter_map(|p: &SimProduct| {
                    let hits: Vec<Value> = p
                        .skus
                        .iter()
                        .filter(|s| skus.contains(&s.id))
                        .map(search_sku_json)
                        .collect();
                    (!hits.is_empty()).then(|| json!({"product_id": p.id, "skus": hits}))
                })
                .collect(),
            (None, Some(ids)) => all()
                .filter(|p| ids.contains(&p.id))
                .map(|p| json!({"product_id": p.id, "skus": p.skus.iter().map(search_sku_json).collect::<Vec<_>>()}))
                .collect(),
            (None, None) => return Err(bad_param("product_ids or sku_ids is required")),
        };
        Ok(json!({ "inventory": inventory }))
    });
    sim.finish(path, result)
}
