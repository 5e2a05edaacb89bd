//! Update Inventory (`POST /product/202309/products/{product_id}/inventory/update`,
//! [DOC] update-inventory-202309, id 6503068fc20ad60284b38858), checks in order:
//! 1. the common checks (`auth.rs`), then TikTok's QPS limit **per API**
//!    (§4 "50 QPS per API, per (app, shop)"): every product's path is the
//!    same API, so the window is keyed by the path template, not by the
//!    product (HTTP 429, code 36009002);
//! 2. the product: not digits 12052031, another shop's 12052048, unknown
//!    12052260, not `ACTIVATE` 12052901 (spec: "SKUs belonging to a product
//!    in the `ACTIVATE` status");
//! 3. the body: not an object with a `skus` list 36009004 (§8 catch-all),
//!    empty list 12052902, more than 100 SKUs 12052050;
//! 4. each SKU on its own. A SKU-level fault is one `data.errors[]` entry
//!    with its own code and `detail.sku_id`: no id 12052036, id repeated in
//!    the call 12052553 (harsher reading: every copy is refused, since
//!    which quantity is meant is ambiguous), not a SKU of this product
//!    12052556, no inventory list 12019022, a multi-warehouse SKU whose list
//!    leaves out one of its warehouses or omits `warehouse_id` 12019028 (the
//!    spec: "You must include all warehouse IDs assigned to this SKU …
//!    Do not omit any or add unrelated warehouses"; `warehouse_id` is
//!    "Optional if there is only 1 warehouse"). Warehouse-level faults come
//!    as the spec's own response example does: main code 12052990 "Check
//!    failed" wrapping `detail.extra_errors[{warehouse_id, code, message}]`:
//!    unknown warehouse 12052097, a return warehouse 12052532, a sales
//!    warehouse not assigned to the SKU 12052533, the same warehouse twice
//!    12052037, a quantity that is not an integer 12019024 or outside
//!    [1, 99,999] 12052055, and a promotion-locked SKU lowered below its
//!    current stock 12052393 ("Product locked for Promotion and stock can't
//!    be updated below current stock": raising it is accepted).
//!
//! All of step 4 answers HTTP 200 with `code: 0` (§4 "Partial failures
//! arrive inside a `code: 0` response"). A SKU with any error changes in no
//! warehouse (harsher reading: the docs do not say a SKU is updated
//! partially); the SKUs without errors are applied. `data.errors` is left
//! out when there is none (harsher: a client must not expect the key).
//!
//! A test can queue documented codes for a SKU (`/_sim/inventory/fail`):
//! the SKU's next entries answer them as SKU-level errors inside the 200,
//! one per call, and change nothing; e.g. 36009003 (the spec's transient
//! "Internal error. Please try again") or 12052308 (ongoing appeal).
//!
//! `quantity: 0`: the spec says "Valid range: [1, 99,999]"; an integrator
//! spec says 0 is accepted (§0.5, unverified). Harsher reading by default:
//! 0 is refused with 12052055; `/_sim/inventory/config

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::{
    api_error, api_qps, codes, message, MAX_QUANTITY, MAX_UPDATE_SKUS, UPDATE_INVENTORY_API,
};
use crate::tiktok::auth::authenticate;
use crate::tiktok::products::{bad_param, parse_body, SimSku};
use crate::tiktok::TikTokSim;

pub(super) fn sku_error(code: i64, sku_id: &str, extra: Vec<Value>) -> Value {
    json!({"code": code, "message": message(code), "detail": {"sku_id": sku_id, "extra_errors": extra}})
}

pub(super) fn warehouse_error(code: i64, warehouse_id: &str) -> Value {
    json!({"warehouse_id": warehouse_id, "code": code, "message": message(code)})
}

/// What one SKU entry of the body asks for, or the error entry refusing it.
pub(super) fn check_sku(
    entry: &Value,
    sku: &SimSku,
    shop_warehouses: &BTreeMap<String, String>,
    locked: bool,
    min_quantity: i64,
) -> Result<BTreeMap<String, i64>, Value> {
    let id = sku.id.as_str();
    let Some(list) = entry
        .get("inventory")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    else {
        return Err(sku_error(codes::SKU_NEEDS_WAREHOUSE, id, vec![]));
    };
    let single = (sku.stock.len() == 1)
        .then(|| sku.stock.keys().next().cloned())
        .flatten();
    let mut wanted: BTreeMap<String, i64> = BTreeMap::new();
    let mut extra = Vec::new();
    for inv in list {
        let wh = match inv.get("warehouse_id").and_then(Value::as_str) {
            Some(w) if !w.is_empty() => w.to_string(),
            _ => match &single {
                Some(w) => w.clone(),
                None => return Err(sku_error(codes::INCLUDE_ALL_WAREHOUSES, id, vec![])),
            },
        };
        match shop_warehouses.get(&wh).map(String::as_str) {
            None => {
                extra.push(warehouse_error(codes::WAREHOUSE_NOT_FOUND, &wh));
                continue;
            }
            Some("SALES_WAREHOUSE") => {}
            Some(_) => {
                extra.push(warehouse_error(codes::NOT_DELIVERY_WAREHOUSE, &wh));
                continue;
            }
        }
        let Some(current) = sku.stock.get(&wh) else {
            extra.push(warehouse_error(codes::WAREHOUSE_CHANGE, &wh));
            continue;
        };
        let Some(q) = inv.get("quantity").and_then(Value::as_i64) else {
            extra.push(warehouse_error(codes::STOCK_COUNT_INVALID, &wh));
            continue;
        };
        if !(min_quantity..=MAX_QUANTITY).contains(&q) {
            extra.push(warehouse_error(codes::QUANTITY_OUT_OF_RANGE, &wh));
            continue;
        }
        if locked && q < *current {
            extra.push(warehouse_error(codes::PROMOTION_LOCKED, &wh));
            continue;
        }
        if wanted.insert(wh.clone(), q).is_some() {
            extra.push(warehouse_error(codes::WAREHOUSE_WRONG, &wh));
        }
    }
    if !extra.is_empty() {
        return Err(sku_error(codes::CHECK_FAILED, id, extra));
    }
    if sku.stock.keys().any(|w| !wanted.contains_key(w)) {
        return Err(sku_error(codes::INCLUDE_ALL_WAREHOUSES, id, vec![]));
    }
    Ok(wanted)
}

/// `POST /product/202309/products/{product_id}/inventory/update`.
pub(crate) async fn update_inventory(
    State(sim): State<TikTokSim>,
    Path(product_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/product/202309/products/{product_id}/inventory/update");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        api_qps(&sim, &a)?;
        let shop = a.shop.id.clone();
        let mut st = sim.state();
        *st.catalog.update_calls.entry(shop.clone()).or_default() += 1;
        if product_id.is_empty() || !product_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(api_error(codes::INVALID_PRODUCT_ID));
        }
        let owned = st
            .catalog
            .products
            .get(&shop)
            .is_some_and(|m| m.contains_key(&product_id));
        if !owned {
            let elsewhere = st
                .catalog
                .products
                .values()
                .any(|m| m.contains_key(&product_id));
            return Err(api_error(if elsewhere {
                codes::NOT_YOUR_PRODUCT
            } else {
                codes::PRODUCT_NOT_FOUND
            }));
        }
        let active = st
            .catalog
            .products
            .get(&shop)
            .and_then(|m| m.get(&product_id))
            .is_some_and(|p| p.status == "ACTIVATE");
        if !active {
            return Err(api_error(codes::PRODUCT_STATUS));
        }
        let body = parse_body(&body)?;
        let Some(entries) = body.get("skus").and_then(Value::as_array) else {
            return Err(bad_param("skus is required and must be a list"));
        };
        if entries.is_empty() {
            return Err(api_error(codes::EMPTY_SKU_LIST));
        }
        if entries.len() > MAX_UPDATE_SKUS {
            return Err(api_error(codes::TOO_MANY_SKUS));
        }
        let shop_warehouses: BTreeMap<String, String> = st
            .catalog
            .warehouses
            .get(&shop)
            .into_iter()
            .flatten()
            .map(|w| (w.id.clone(), w.kind.clone()))
            .collect();
        let min_quantity = if st.catalog.allow_zero_quantity { 0 } else { 1 };
        let locked: BTreeSet<String> = st
            .catalog
            .promotion_locked
            .iter()
            .filter(|(s, _)| *s == shop)
            .map(|(_, k)| k.clone())
            .collect();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for e in entries {
            if let Some(id) = e.get("id").and_then(Value::as_str) {
                *seen.entry(id).or_default() += 1;
            }
        }
        // Queued failures: one per SKU entry of this call.
        let mut injected: BTreeMap<String, i64> = BTreeMap::new();
        for id in seen.keys() {
            let key = (shop.clone(), (*id).to_string());
            if let Some(code) = st
                .catalog
                .sku_failures
                .get_mut(&key)
                .and_then(VecDeque::pop_front)
            {
                injected.insert((*id).to_string(), code);
            }
        }
        let Some(product) = st
            .catalog
            .products
            .get_mut(&shop)
            .and_then(|m| m.get_mut(&product_id))
        else {
            return Err(api_error(codes::PRODUCT_NOT_FOUND));
        };
        let mut errors = Vec::new();
        let mut apply: Vec<(String, BTreeMap<String, i64>)> = Vec::new();
        for e in entries {
            let id = e.get("id").and_then(Value::as_str).unwrap_or_default();
            if id.is_empty() {
                errors.push(sku_error(codes::SKU_ID_NEEDED, "", vec![]));
                continue;
            }
            if seen.get(id).copied().unwrap_or(0) > 1 {
                errors.push(sku_error(codes::SKU_DUPLICATE, id, vec![]));
                continue;
            }
            let Some(sku) = product.skus.iter().find(|s| s.id == id) else {
                errors.push(sku_error(codes::SKU_NOT_FOUND, id, vec![]));
                continue;
            };
            if let Some(code) = injected.get(id) {
                errors.push(sku_error(*code, id, vec![]));
                continue;
            }
            match check_sku(e, sku, &shop_warehouses, locked.contains(id), min_quantity) {
                Ok(wanted) => apply.push((id.to_string(), wanted)),
                Err(err) => errors.push(err),
            }
        }
        if !apply.is_empty() {
            product.update_time = crate::now_secs();
        }
        for (id, wanted) in apply {
            if let Some(sku) = product.sku_mut(&id) {
                sku.stock.extend(wanted);
            }
        }
        let mut data = Map::new();
        if !errors.is_empty() {
            data.insert("errors".into(), Value::Array(errors));
        }
        Ok(Value::Object(data))
    });
    sim.finish(UPDATE_INVENTORY_API, result)
}
