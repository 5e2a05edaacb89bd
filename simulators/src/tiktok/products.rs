//! Products and warehouses (finance-inventory-fulfilment.md §2.1, §2.2):
//! the shop catalogue the inventory push reads, and the state Update
//! Inventory (`inventory.rs`) changes.
//!
//! Products are keyed per shop (the same seller SKU has other product and
//! SKU ids in another shop); stock is kept per (SKU, warehouse) as the
//! `quantity` TikTok calls "the total SKU quantity available in the
//! warehouse" (§2.3). Committed units are not modelled (always 0).
//!
//! Endpoints:
//! - Search Products 202502 (`POST /product/202502/products/search`,
//!   [DOC] id 67b837b685619104a6846369): query `page_size` (1..=100) and
//!   `page_token`; body filters `status`, `seller_skus[]`, `sku_ids[]`
//!   (≤ 10). A product matches `seller_skus` when any of its SKUs does, and
//!   comes back with **all** its SKUs (harsher reading: the docs do not
//!   say the SKU list is narrowed, so the client must pick its SKU itself).
//! - Get Warehouse List 202309 (`GET /logistics/202309/warehouses`,
//!   [DOC] id 650aa418defece02be6e66b6): no paging; sales and return
//!   warehouses both listed (the client must keep only `SALES_WAREHOUSE`).
//!
//! `page_size` is required, "Valid range: [1-100]" ([DOC]
//! search-products-202502 spec, query parameters). Sim-defined where the
//! docs are silent: products are returned by id ascending; a missing or
//! out-of-range `page_size`, more than 10 `sku_ids`, a malformed body or a
//! page token that is not exactly one this endpoint issued to this shop
//! (see `page_token.rs`) all answer the catch-all 36009004
//! (tiktok-shop-api.md §8: it covers body validation; the spec lists no
//! parameter code of its own).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::auth::{authenticate, Authed};
use super::{page_token, ApiError, TikTokSim};
use crate::seed::{TikTokSeed, WarehouseSeed};

pub(crate) const SEARCH_PRODUCTS_PATH: &str = "/product/202502/products/search";
pub(crate) const WAREHOUSES_PATH: &str = "/logistics/202309/warehouses";

/// Search Products `page_size` range (spec: required, [1-100]).
const PAGE_SIZE: (usize, usize) = (1, 100);
/// Search Products accepts at most 10 `sku_ids` (§2.1).
const MAX_SEARCH_SKU_IDS: usize = 10;

/// One SKU: its seller SKU and available quantity per assigned warehouse.
#[derive(Debug, Clone)]
pub(crate) struct SimSku {
    pub(crate) id: String,
    pub(crate) seller_sku: String,
    /// warehouse id -> available quantity. The keys are the SKU's assigned
    /// warehouses, the set Update Inventory must list exactly.
    pub(crate) stock: BTreeMap<String, i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct SimProduct {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) status: String,
    pub(crate) update_time: i64,
    pub(crate) skus: Vec<SimSku>,
}

impl SimProduct {
    pub(crate) fn sku_mut(&mut self, sku_id: &str) -> Option<&mut SimSku> {
        self.skus.iter_mut().find(|s| s.id == sku_id)
    }

    /// Search Products / Get Product shape.
    ///
    /// A SKU whose seller SKU is empty has no `seller_sku` key at all: Search
    /// Products 202502 (doc id 67b837b685619104a6846369) lists `seller_sku`
    /// as optional, and Seller Center lets a merchant leave it blank. The
    /// docs do not say whether a blank one comes back as `""` or absent;
    /// absent is the harsher reading (a client that indexes it fails).
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "update_time": self.update_time,
            "skus": self.skus.iter().map(|s| {
                let mut v = json!({
                    "id": s.id,
                    "inventory": s.stock.iter().map(|(w, q)| json!({"warehouse_id": w, "quantity": q})).collect::<Vec<_>>(),
                    "status_info": {"status": "NORMAL"},
                });
                if !s.seller_sku.is_empty() {
                    v["seller_sku"] = json!(s.seller_sku);
                }
                v
            }).collect::<Vec<_>>(),
        })
    }
}

/// Every shop's catalogue, warehouses and inventory-call counters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    /// shop id -> warehouses.
    pub(crate) warehouses: BTreeMap<String, Vec<WarehouseSeed>>,
    /// shop id -> product id -> product.
    pub(crate) products: BTreeMap<String, BTreeMap<String, SimProduct>>,
    /// (shop id, sku id) locked in a promotion (control endpoint).
    pub(crate) promotion_locked: BTreeSet<(String, String)>,
    /// shop id -> Update Inventory calls that passed the common checks.
    pub(crate) update_calls: BTreeMap<String, u64>,
    /// Accept `quantity: 0` (the docs say [1, 99,999]; §0.5 unverified).
    pub(crate) allow_zero_quantity: bool,
    /// (shop id, sku id) -> codes the SKU's next Update Inventory entries
    /// answer inside the 200, one per call (control endpoint).
    pub(crate) sku_failures: BTreeMap<(String, String), VecDeque<i64>>,
}

impl Catalog {
    pub(crate) fn from_seed(seed: &TikTokSeed) -> Self {
        let mut c = Catalog::default();
        for w in &seed.warehouses {
            c.warehouses
                .entry(w.shop_id.clone())
                .or_default()
                .push(w.clone());
        }
        for p in &seed.products {
            let product = SimProduct {
                id: p.id.clone(),
                title: p.title.clone(),
                status: p.status.clone(),
                update_time: 1735689600,
                skus: p
                    .skus
                    .iter()
                    .map(|s| SimSku {
                        id: s.id.clone(),
                        seller_sku: s.seller_sku.clone(),
                        stock: s
                            .inventory
                            .iter()
                            .map(|i| (i.warehouse_id.clone(), i.quantity))
                            .collect(),
                    })
                    .collect(),
            };
            c.products
                .entry(p.shop_id.clone())
                .or_default()
                .insert(p.id.clone(), product);
        }
        c
    }

    /// The product of `shop` holding `sku_id`.
    pub(crate) fn product_of_sku(&mut self, shop: &str, sku_id: &str) -> Option<&mut SimProduct> {
        self.products
            .get_mut(shop)?
            .values_mut()
            .find(|p| p.skus.iter().any(|s| s.id == sku_id))
    }
}

pub(crate) fn bad_param(msg: impl std::fmt::Display) -> ApiError {
    ApiError::ok_status(36009004, format!("Invalid parameter: {msg}"))
}

/// The body as a JSON object; an empty body is an empty object.
pub(crate) fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_param("request body must be a JSON object")),
    }
}

/// A list of strings; absent, null or empty means "no filter".
pub(crate) fn string_list(
    body: &Map<String, Value>,
    key: &str,
) -> Result<Option<Vec<String>>, ApiError> {
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

fn page_size(a: &Authed) -> Result<usize, ApiError> {
    let (min, max) = PAGE_SIZE;
    a.param("page_size")
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| bad_param(format!("page_size is required, between {min} and {max}")))
}

/// `POST /product/202502/products/search`.
pub(crate) async fn search_products(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = SEARCH_PRODUCTS_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let size = page_size(&a)?;
        let offset = match a.param("page_token").filter(|s| !s.is_empty()) {
            None => 0,
            Some(t) => page_token::accept(t, path, &a.shop.id)
                .ok_or_else(|| bad_param("page_token is invalid"))?,
        };
        let body = parse_body(&body)?;
        let seller_skus = string_list(&body, "seller_skus")?;
        let sku_ids = string_list(&body, "sku_ids")?;
        if sku_ids
            .as_ref()
            .is_some_and(|v| v.len() > MAX_SEARCH_SKU_IDS)
        {
            return Err(bad_param("sku_ids supports at most 10 ids"));
        }
        let status = match body.get("status") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s == "ALL" => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad_param("status must be a string")),
        };
        let st = sim.state();
        let hits: Vec<&SimProduct> = st
            .catalog
            .products
            .get(&a.shop.id)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|p| status.as_ref().is_none_or(|s| &p.status == s))
            .filter(|p| {
                seller_skus
                    .as_ref()
                    .is_none_or(|f| p.skus.iter().any(|s| f.contains(&s.seller_sku)))
            })
            .filter(|p| {
                sku_ids
                    .as_ref()
                    .is_none_or(|f| p.skus.iter().any(|s| f.contains(&s.id)))
            })
            .collect();
        let total = hits.len();
        let page: Vec<Value> = hits
            .iter()
            .skip(offset)
            .take(size)
            .map(|p| p.to_json())
            .collect();
        let end = offset.saturating_add(size);
        let next = if end < total {
            page_token::issue(path, &a.shop.id, end)
        } else {
            String::new()
        };
        Ok(json!({"products": page, "total_count": total, "next_page_token": next}))
    });
    sim.finish(path, result)
}

/// `GET /logistics/202309/warehouses`: every warehouse of the shop, sales
/// and return alike, no paging (§2.1, §2.2).
pub(crate) async fn get_warehouses(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = WAREHOUSES_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).map(|a| {
        let st = sim.state();
        let list: Vec<Value> = st
            .catalog
            .warehouses
            .get(&a.shop.id)
            .into_iter()
            .flatten()
            .map(|w| {
                json!({
                    "id": w.id,
                    "entity_id": w.entity_id,
                    "name": w.name,
                    "effect_status": w.effect_status,
                    "type": w.kind,
                    "sub_type": w.sub_type,
                    "is_default": w.is_default,
                    "address": {"region_code": a.shop.region},
                })
            })
            .collect();
        json!({ "warehouses": list })
    });
    sim.finish(path, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_keyed_per_shop() {
        let seed = crate::default_seed().tiktok;
        let mut c = Catalog::from_seed(&seed);
        let us = "7494049642642441621";
        let gb = "7494726673780148744";
        assert!(c.product_of_sku(us, "1729592969712203001").is_some());
        assert!(c.product_of_sku(gb, "1729592969712203001").is_none());
        let tent = c.product_of_sku(gb, "1729592969712204001").unwrap();
        assert_eq!(tent.id, "1729582718312390001");
        let j = tent.to_json();
        assert_eq!(j["skus"][0]["inventory"][0]["quantity"], 12);
        assert_eq!(c.warehouses[us].len(), 3);
    }
}
