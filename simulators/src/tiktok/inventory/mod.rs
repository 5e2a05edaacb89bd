//! Inventory Search and Update Inventory (tiktok-shop-api.md §4;
//! finance-inventory-fulfilment.md §2.1, §2.3, §2.4), plus the
//! `/_sim/inventory/*` controls a test uses to change stock "in Seller
//! Center", lock a SKU in a promotion and count Update Inventory calls.
//!
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
//! {"allow_zero_quantity": true}` accepts it.
//!
//! Inventory Search (`POST /product/202309/inventory/search`, [DOC] id
//! 650a9191c16ffe02b8eec161): body `product_ids` (≤ 100) or `sku_ids`
//! (≤ 600), `sku_ids` win when both are sent. Sim-defined where the docs are
//! silent: neither list, or too many ids, answers 36009004; unknown ids are
//! left out of the answer without an error (harsher: the client must notice
//! what is missing); with `sku_ids` a product lists only the asked SKUs.
//! `committed_quantity` is always 0 (committed units are not modelled).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use super::auth::{authenticate, Authed};
use super::products::{bad_param, parse_body, string_list, SimProduct, SimSku};
use super::{ApiError, SimError, TikTokSim};
use crate::seed::ProductSeed;

pub(crate) const INVENTORY_SEARCH_PATH: &str = "/product/202309/inventory/search";
/// The Update Inventory API as one name: its QPS window and request count.
pub const UPDATE_INVENTORY_API: &str = "/product/202309/products/{product_id}/inventory/update";

/// Update Inventory: at most 100 SKUs per call (12052050).
pub const MAX_UPDATE_SKUS: usize = 100;
/// Documented quantity range ("Valid range: [1, 99,999]").
pub const MAX_QUANTITY: i64 = 99_999;
/// Inventory Search limits (§4).
const MAX_SEARCH_PRODUCT_IDS: usize = 100;
const MAX_SEARCH_SKU_IDS: usize = 600;

/// Update Inventory's documented codes the simulator answers (spec above).
pub mod codes {
    pub const SKU_NEEDS_WAREHOUSE: i64 = 12019022;
    pub const STOCK_COUNT_INVALID: i64 = 12019024;
    pub const INCLUDE_ALL_WAREHOUSES: i64 = 12019028;
    pub const INVALID_PRODUCT_ID: i64 = 12052031;
    pub const SKU_ID_NEEDED: i64 = 12052036;
    pub const WAREHOUSE_WRONG: i64 = 12052037;
    pub const NOT_YOUR_PRODUCT: i64 = 12052048;
    pub const TOO_MANY_SKUS: i64 = 12052050;
    pub const QUANTITY_OUT_OF_RANGE: i64 = 12052055;
    pub const WAREHOUSE_NOT_FOUND: i64 = 12052097;
    pub const PRODUCT_NOT_FOUND: i64 = 12052260;
    pub const PROMOTION_LOCKED: i64 = 12052393;
    pub const NOT_DELIVERY_WAREHOUSE: i64 = 12052532;
    pub const WAREHOUSE_CHANGE: i64 = 12052533;
    pub const SKU_DUPLICATE: i64 = 12052553;
    pub const SKU_NOT_FOUND: i64 = 12052556;
    pub const PRODUCT_STATUS: i64 = 12052901;
    pub const EMPTY_SKU_LIST: i64 = 12052902;
    pub const CHECK_FAILED: i64 = 12052990;
    pub const ONGOING_APPEAL: i64 = 12052308;
    pub const AUCTION_BIDDING: i64 = 12052371;
    pub const SELLER_INACTIVE: i64 = 12052700;
    pub const INTERNAL_ERROR: i64 = 36009003;
}

/// The spec's message for a code (verbatim, `error_code_list`).
fn message(code: i64) -> &'static str {
    match code {
        codes::SKU_NEEDS_WAREHOUSE => "SKU must contain a valid warehouse.",
        codes::STOCK_COUNT_INVALID => "stock count is invalid",
        codes::INCLUDE_ALL_WAREHOUSES => "Multiple warehouses detected. Include all warehouse IDs and the corresponding details and try again.",
        codes::INVALID_PRODUCT_ID => "Invalid product ID(s) found",
        codes::SKU_ID_NEEDED => "The SKU ID is necessary",
        codes::WAREHOUSE_WRONG => "Couldn't update inventory. Possible causes:\n- Inventory is automatically allocated and cannot be modified manually\n- Warehouse IDs provided are incorrect\n- Missing warehouse IDs (all warehouses that stock the product must be included)",
        codes::NOT_YOUR_PRODUCT => "You cannot edit the specified product(s) as it isn't listed in your account or shop. ",
        codes::TOO_MANY_SKUS => "A single product cannot have more than 100 different SKUs",
        codes::QUANTITY_OUT_OF_RANGE => "The SKU inventory quantity for the warehouse must be within allowed limits.",
        codes::WAREHOUSE_NOT_FOUND => "The warehouse does not exist",
        codes::PRODUCT_NOT_FOUND => "The product ID does not exist",
        codes::PROMOTION_LOCKED => "Product locked for Promotion and stock can't be updated below current stock",
        codes::NOT_DELIVERY_WAREHOUSE => "the warehouse not delivery warehouse",
        codes::WAREHOUSE_CHANGE => "Removal, addition, and change of warehouses are not permitted. Please specify the original warehouses for the SKUs.",
        codes::SKU_DUPLICATE => "Sku id duplicate",
        codes::SKU_NOT_FOUND => "The SKU id not exist.",
        codes::PRODUCT_STATUS => "The product in its current status is not available for this operation. Change the product status and try again.",
        codes::EMPTY_SKU_LIST => "The SKU list is empty. Either omit the list entirely, or provide all required details.",
        // The example response spells the summary "Check failed".
        codes::CHECK_FAILED => "Check failed",
        codes::ONGOING_APPEAL => "There's an ongoing appeal. If you wish to edit product details, please revoke the appeal first.",
        codes::AUCTION_BIDDING => "Auction product is bidding when it is not supported to change product info",
        codes::SELLER_INACTIVE => "The seller is inactive.",
        codes::INTERNAL_ERROR => "Internal error. Please try again. If the issue persists after multiple attempts, please contact platform support.",
        _ => UNDOCUMENTED,
    }
}

const UNDOCUMENTED: &str = "unknown error";

fn api_error(code: i64) -> ApiError {
    ApiError::ok_status(code, message(code))
}

/// The per-API QPS window (see the module doc, step 1), over the same
/// state `auth.rs` keeps its per-path windows in.
fn api_qps(sim: &TikTokSim, a: &Authed) -> Result<(), ApiError> {
    let mut st = sim.state();
    let limit = st.qps_limit as usize;
    let key = (
        a.param("app_key").unwrap_or_default().to_string(),
        a.shop.id.clone(),
        UPDATE_INVENTORY_API.to_string(),
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

/// One `data.errors[]` entry.
fn sku_error(code: i64, sku_id: &str, extra: Vec<Value>) -> Value {
    json!({"code": code, "message": message(code), "detail": {"sku_id": sku_id, "extra_errors": extra}})
}

fn warehouse_error(code: i64, warehouse_id: &str) -> Value {
    json!({"warehouse_id": warehouse_id, "code": code, "message": message(code)})
}

/// What one SKU entry of the body asks for, or the error entry refusing it.
fn check_sku(
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

fn search_sku_json(s: &SimSku) -> Value {
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

impl TikTokSim {
    /// Sets a SKU's available quantity in one of its warehouses, as a
    /// seller editing stock in Seller Center would (drift the daily
    /// reconcile must find).
    pub fn set_sku_quantity(
        &self,
        shop_id: &str,
        sku_id: &str,
        warehouse_id: &str,
        quantity: i64,
    ) -> Result<(), SimError> {
        let mut st = self.state();
        let product = st
            .catalog
            .product_of_sku(shop_id, sku_id)
            .ok_or_else(|| SimError::UnknownSku(sku_id.to_string()))?;
        let sku = product
            .sku_mut(sku_id)
            .ok_or_else(|| SimError::UnknownSku(sku_id.to_string()))?;
        match sku.stock.get_mut(warehouse_id) {
            Some(q) => *q = quantity,
            None => {
                return Err(SimError::WarehouseNotAssigned(
                    sku_id.to_string(),
                    warehouse_id.to_string(),
                ))
            }
        }
        Ok(())
    }

    /// Locks (or unlocks) a SKU in a promotion: Update Inventory then
    /// refuses to lower it (12052393).
    pub fn set_promotion_lock(
        &self,
        shop_id: &str,
        sku_id: &str,
        locked: bool,
    ) -> Result<(), SimError> {
        let mut st = self.state();
        if st.catalog.product_of_sku(shop_id, sku_id).is_none() {
            return Err(SimError::UnknownSku(sku_id.to_string()));
        }
        let key = (shop_id.to_string(), sku_id.to_string());
        if locked {
            st.catalog.promotion_locked.insert(key);
        } else {
            st.catalog.promotion_locked.remove(&key);
        }
        Ok(())
    }

    /// Makes the SKU's next `codes.len()` Update Inventory entries fail,
    /// one code per call, inside the 200 (nothing changes for the SKU).
    /// Only codes Update Inventory documents are accepted.
    pub fn fail_next_sku_updates(
        &self,
        shop_id: &str,
        sku_id: &str,
        codes: &[i64],
    ) -> Result<(), SimError> {
        if let Some(c) = codes.iter().find(|c| message(**c) == UNDOCUMENTED) {
            return Err(SimError::UndocumentedInventoryCode(*c));
        }
        let mut st = self.state();
        if st.catalog.product_of_sku(shop_id, sku_id).is_none() {
            return Err(SimError::UnknownSku(sku_id.to_string()));
        }
        st.catalog
            .sku_failures
            .entry((shop_id.to_string(), sku_id.to_string()))
            .or_default()
            .extend(codes);
        Ok(())
    }

    /// Accept `quantity: 0` on Update Inventory (refused by default).
    pub fn set_allow_zero_quantity(&self, allow: bool) {
        self.state().catalog.allow_zero_quantity = allow;
    }

    /// Update Inventory calls of a shop that passed the common checks and
    /// the QPS limit, whatever they answered.
    pub fn inventory_update_calls(&self, shop_id: &str) -> u64 {
        self.state()
            .catalog
            .update_calls
            .get(shop_id)
            .copied()
            .unwrap_or(0)
    }

    /// A SKU's available quantity in a warehouse.
    pub fn sku_quantity(&self, shop_id: &str, sku_id: &str, warehouse_id: &str) -> Option<i64> {
        let mut st = self.state();
        let p = st.catalog.product_of_sku(shop_id, sku_id)?;
        p.sku_mut(sku_id)?.stock.get(warehouse_id).copied()
    }

    /// Inserts or replaces a product of a shop (benchmarks add large catalogues).
    pub fn upsert_product(&self, product: ProductSeed) -> Result<(), SimError> {
        let mut st = self.state();
        if !st.shops.iter().any(|s| s.id == product.shop_id) {
            return Err(SimError::UnknownShop(product.shop_id));
        }
        let sim = SimProduct {
            id: product.id.clone(),
            title: product.title,
            status: product.status,
            update_time: crate::now_secs(),
            skus: product
                .skus
                .into_iter()
                .map(|s| SimSku {
                    id: s.id,
                    seller_sku: s.seller_sku,
                    stock: s
                        .inventory
                        .into_iter()
                        .map(|i| (i.warehouse_id, i.quantity))
                        .collect(),
                })
                .collect(),
        };
        st.catalog
            .products
            .entry(product.shop_id)
            .or_default()
            .insert(product.id, sim);
        Ok(())
    }

    /// What `GET /_sim/inventory/{shop_id}` shows.
    pub fn inventory_snapshot(&self, shop_id: &str) -> Value {
        let st = self.state();
        let skus: BTreeMap<&str, &BTreeMap<String, i64>> = st
            .catalog
            .products
            .get(shop_id)
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|p| p.skus.iter().map(|s| (s.id.as_str(), &s.stock)))
            .collect();
        json!({
            "update_calls": st.catalog.update_calls.get(shop_id).copied().unwrap_or(0),
            "skus": skus,
            "promotion_locked": st.catalog.promotion_locked.iter().filter(|(s, _)| s == shop_id).map(|(_, k)| k).collect::<Vec<_>>(),
            "allow_zero_quantity": st.catalog.allow_zero_quantity,
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct SetQuantity {
    shop_id: String,
    sku_id: String,
    warehouse_id: String,
    quantity: i64,
}

fn control_answer(r: Result<(), SimError>) -> Response {
    match r {
        Ok(()) => (StatusCode::OK, Json(json!({"ok": true}))).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e.to_string()})),
        )
            .into_response(),
    }
}

/// `POST /_sim/inventory/quantity {shop_id, sku_id, warehouse_id, quantity}`:
/// drift made in Seller Center.
pub(crate) async fn control_set_quantity(
    State(sim): State<TikTokSim>,
    Json(req): Json<SetQuantity>,
) -> Response {
    control_answer(sim.set_sku_quantity(&req.shop_id, &req.sku_id, &req.warehouse_id, req.quantity))
}

#[derive(Deserialize)]
pub(crate) struct SetLock {
    shop_id: String,
    sku_id: String,
    #[serde(default = "yes")]
    locked: bool,
}

fn yes() -> bool {
    true
}

/// `POST /_sim/inventory/lock {shop_id, sku_id, locked}`: promotion lock.
pub(crate) async fn control_lock(
    State(sim): State<TikTokSim>,
    Json(req): Json<SetLock>,
) -> Response {
    control_answer(sim.set_promotion_lock(&req.shop_id, &req.sku_id, req.locked))
}

#[derive(Deserialize)]
pub(crate) struct FailSku {
    shop_id: String,
    sku_id: String,
    codes: Vec<i64>,
}

/// `POST /_sim/inventory/fail {shop_id, sku_id, codes}`: see
/// `TikTokSim::fail_next_sku_updates`.
pub(crate) async fn control_fail(
    State(sim): State<TikTokSim>,
    Json(req): Json<FailSku>,
) -> Response {
    control_answer(sim.fail_next_sku_updates(&req.shop_id, &req.sku_id, &req.codes))
}

#[derive(Deserialize)]
pub(crate) struct InventoryConfig {
    allow_zero_quantity: Option<bool>,
}

/// `POST /_sim/inventory/config {allow_zero_quantity}`.
pub(crate) async fn control_config(
    State(sim): State<TikTokSim>,
    Json(req): Json<InventoryConfig>,
) -> Json<Value> {
    if let Some(z) = req.allow_zero_quantity {
        sim.set_allow_zero_quantity(z);
    }
    Json(json!({"ok": true, "allow_zero_quantity": sim.state().catalog.allow_zero_quantity}))
}

/// `GET /_sim/inventory/{shop_id}`: quantities per SKU and warehouse, locks,
/// and how many Update Inventory calls the shop made.
pub(crate) async fn control_show(
    State(sim): State<TikTokSim>,
    Path(shop_id): Path<String>,
) -> Json<Value> {
    Json(sim.inventory_snapshot(&shop_id))
}

#[cfg(test)]
mod tests {
    //! The endpoints over HTTP, signed exactly as a client signs them.
    use super::*;
    use crate::seed::ShopSeed;
    use crate::{spawn_tiktok, RunningSim, TikTokConfig};

    const US: &str = "7494049642642441621";
    const GB: &str = "7494726673780148744";
    const US_MAIN: &str = "7068517275539719942";
    const US_EAST: &str = "7068517275539719943";
    const US_RETURN: &str = "7068517275539719944";
    const TENT_PRODUCT: &str = "1729582718312380001";
    const TENT_SKU: &str = "1729592969712203001";
    const BAG_PRODUCT: &str = "1729582718312380002";
    const BAG_REG: &str = "1729592969712203002";
    const BAG_LONG: &str = "1729592969712203007";

    struct Harness {
        sim: RunningSim<TikTokSim>,
        key: String,
        secret: String,
        http: reqwest::Client,
    }

    async fn start(qps: u32) -> Harness {
        let seed = crate::default_seed().tiktok;
        let sim = spawn_tiktok(
            seed.clone(),
            TikTokConfig {
                port: 0,
                qps_limit: qps,
            },
        )
        .await
        .unwrap();
        Harness {
            sim,
            key: seed.app_key,
            secret: seed.app_secret,
            http: reqwest::Client::new(),
        }
    }

    impl Harness {
        fn shop(&self, id: &str) -> ShopSeed {
            self.sim
                .state
                .shops()
                .into_iter()
                .find(|s| s.id == id)
                .unwrap()
        }

        /// A signed call; `body` None sends no body (GET).
        async fn call(
            &self,
            shop: &str,
            path: &str,
            params: &[(&str, &str)],
            body: Option<Value>,
        ) -> (StatusCode, Value) {
            let shop = self.shop(shop);
            let ts = crate::now_secs().to_string();
            let mut q: Vec<(&str, &str)> = vec![
                ("app_key", &self.key),
                ("timestamp", &ts),
                ("shop_cipher", &shop.cipher),
            ];
            q.extend_from_slice(params);
            let raw = body.map(|b| b.to_string());
            let sign = shared::signing::tiktok::api_sign(
                &self.secret,
                path,
                &q,
                raw.as_deref().map(str::as_bytes),
            );
            let mut all: Vec<(&str, &str)> = q.clone();
            all.push(("sign", &sign));
            let url = format!("{}{path}", self.sim.base_url);
            let req = match raw {
                Some(r) => self
                    .http
                    .post(url)
                    .header("content-type", "application/json")
                    .body(r),
                None => self.http.get(url),
            };
            let resp = req
                .query(&all)
                .header("x-tts-access-token", shop.access_token)
                .send()
                .await
                .unwrap();
            let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
            (status, resp.json().await.unwrap())
        }

        async fn update(&self, shop: &str, product: &str, body: Value) -> (StatusCode, Value) {
            let path = format!("/product/202309/products/{product}/inventory/update");
            self.call(shop, &path, &[], Some(body)).await
        }
    }

    fn tent(main: i64, east: i64) -> Value {
        json!({"skus": [{"id": TENT_SKU, "inventory": [
            {"warehouse_id": US_MAIN, "quantity": main},
            {"warehouse_id": US_EAST, "quantity": east},
        ]}]})
    }

    #[tokio::test]
    async fn search_products_by_seller_sku_pages_with_tokens() {
        let h = start(50).await;
        let (_, body) = h
            .call(
                US,
                "/product/202502/products/search",
                &[("page_size", "1")],
                Some(json!({"seller_skus": ["TENT-2P-GRN", "SLEEP-BAG-LONG", "NOPE"]})),
            )
            .await;
        assert_eq!(body["code"], 0, "{body}");
        assert_eq!(body["data"]["total_count"], 2);
        let p1 = &body["data"]["products"][0];
        assert_eq!(p1["id"], TENT_PRODUCT);
        assert_eq!(p1["skus"][0]["inventory"].as_array().unwrap().len(), 2);
        let token = body["data"]["next_page_token"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(token.contains('+') && token.ends_with("=="));
        let (_, body) = h
            .call(
                US,
                "/product/202502/products/search",
                &[("page_size", "1"), ("page_token", &token)],
                Some(json!({"seller_skus": ["TENT-2P-GRN", "SLEEP-BAG-LONG", "NOPE"]})),
            )
            .await;
        let p2 = &body["data"]["products"][0];
        assert_eq!(p2["id"], BAG_PRODUCT);
        // The whole product comes back, the SKU without a seller SKU too.
        assert_eq!(p2["skus"].as_array().unwrap().len(), 2);
        assert_eq!(body["data"]["next_page_token"], "");
        // Another shop's token, no page_size, too many sku_ids: 36009004.
        let gb_token = page_token_for(GB);
        for (params, b) in [
            (
                vec![("page_size", "1"), ("page_token", gb_token.as_str())],
                json!({}),
            ),
            (vec![], json!({})),
            (
                vec![("page_size", "10")],
                json!({"sku_ids": (0..11).map(|i| i.to_string()).collect::<Vec<_>>()}),
            ),
        ] {
            let (_, body) = h
                .call(US, "/product/202502/products/search", &params, Some(b))
                .await;
            assert_eq!(body["code"], 36009004, "{body}");
        }
    }

    fn page_token_for(shop: &str) -> String {
        super::super::page_token::issue("/product/202502/products/search", shop, 1)
    }

    #[tokio::test]
    async fn warehouses_list_sales_and_return() {
        let h = start(50).await;
        let (_, body) = h.call(US, "/logistics/202309/warehouses", &[], None).await;
        assert_eq!(body["code"], 0, "{body}");
        let ws = body["data"]["warehouses"].as_array().unwrap();
        assert_eq!(ws.len(), 3);
        let kind = |id: &str| ws.iter().find(|w| w["id"] == id).unwrap()["type"].clone();
        assert_eq!(kind(US_MAIN), "SALES_WAREHOUSE");
        assert_eq!(kind(US_RETURN), "RETURN_WAREHOUSE");
    }

    #[tokio::test]
    async fn update_applies_good_skus_and_reports_bad_ones_inside_200() {
        let h = start(50).await;
        let (status, body) = h.update(US, TENT_PRODUCT, tent(30, 7)).await;
        assert_eq!(
            (status, &body["code"]),
            (StatusCode::OK, &json!(0)),
            "{body}"
        );
        assert!(body["data"].get("errors").is_none(), "{body}");
        assert_eq!(h.sim.state.sku_quantity(US, TENT_SKU, US_MAIN), Some(30));
        assert_eq!(h.sim.state.sku_quantity(US, TENT_SKU, US_EAST), Some(7));

        // One good SKU, one missing a warehouse, one out of range, one unknown.
        let (status, body) = h
            .update(
                US,
                BAG_PRODUCT,
                json!({"skus": [
                    {"id": BAG_REG, "inventory": [{"warehouse_id": US_MAIN, "quantity": 9}, {"warehouse_id": US_EAST, "quantity": 1}]},
                    {"id": BAG_LONG, "inventory": [{"warehouse_id": US_MAIN, "quantity": 2}]},
                    {"id": TENT_SKU, "inventory": [{"warehouse_id": US_MAIN, "quantity": 2}]},
                ]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["code"], 0, "{body}");
        let errs = body["data"]["errors"].as_array().unwrap();
        assert_eq!(errs.len(), 2, "{body}");
        assert_eq!(errs[0]["code"], codes::INCLUDE_ALL_WAREHOUSES);
        assert_eq!(errs[0]["detail"]["sku_id"], BAG_LONG);
        assert_eq!(errs[1]["code"], codes::SKU_NOT_FOUND);
        assert_eq!(h.sim.state.sku_quantity(US, BAG_REG, US_MAIN), Some(9));
        assert_eq!(
            h.sim.state.sku_quantity(US, BAG_LONG, US_MAIN),
            Some(4),
            "unchanged"
        );

        // Warehouse-level faults are wrapped in 12052990 with extra_errors.
        let (_, body) = h
            .update(
                US,
                TENT_PRODUCT,
                json!({"skus": [{"id": TENT_SKU, "inventory": [
                    {"warehouse_id": US_MAIN, "quantity": 100000},
                    {"warehouse_id": US_EAST, "quantity": 0},
                    {"warehouse_id": US_RETURN, "quantity": 1},
                    {"warehouse_id": "1", "quantity": 1},
                ]}]}),
            )
            .await;
        let e = &body["data"]["errors"][0];
        assert_eq!(e["code"], codes::CHECK_FAILED, "{body}");
        let extra: Vec<(String, i64)> = e["detail"]["extra_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["warehouse_id"].as_str().unwrap().to_string(),
                    x["code"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            extra,
            vec![
                (US_MAIN.to_string(), codes::QUANTITY_OUT_OF_RANGE),
                (US_EAST.to_string(), codes::QUANTITY_OUT_OF_RANGE),
                (US_RETURN.to_string(), codes::NOT_DELIVERY_WAREHOUSE),
                ("1".to_string(), codes::WAREHOUSE_NOT_FOUND),
            ]
        );
        assert_eq!(
            h.sim.state.sku_quantity(US, TENT_SKU, US_MAIN),
            Some(30),
            "unchanged"
        );
        // Zero is accepted once configured.
        h.sim.state.set_allow_zero_quantity(true);
        let (_, body) = h.update(US, TENT_PRODUCT, tent(0, 0)).await;
        assert!(body["data"].get("errors").is_none(), "{body}");
        assert_eq!(h.sim.state.inventory_update_calls(US), 4);
        assert_eq!(h.sim.state.request_count(UPDATE_INVENTORY_API), 4);
    }

    #[tokio::test]
    async fn promotion_lock_refuses_only_decreases() {
        let h = start(50).await;
        h.sim.state.set_promotion_lock(US, TENT_SKU, true).unwrap();
        let (_, body) = h.update(US, TENT_PRODUCT, tent(39, 5)).await;
        let e = &body["data"]["errors"][0];
        assert_eq!(e["code"], codes::CHECK_FAILED, "{body}");
        assert_eq!(
            e["detail"]["extra_errors"][0]["code"],
            codes::PROMOTION_LOCKED
        );
        assert_eq!(e["detail"]["extra_errors"][0]["warehouse_id"], US_MAIN);
        let (_, body) = h.update(US, TENT_PRODUCT, tent(41, 5)).await;
        assert!(body["data"].get("errors").is_none(), "{body}");
        assert_eq!(h.sim.state.sku_quantity(US, TENT_SKU, US_MAIN), Some(41));
    }

    #[tokio::test]
    async fn request_level_faults_have_their_own_codes() {
        let h = start(50).await;
        let many: Vec<Value> = (0..101)
            .map(|i| json!({"id": format!("{i}"), "inventory": [{"quantity": 1}]}))
            .collect();
        for (shop, product, body, code) in [
            (US, "abc", tent(1, 1), codes::INVALID_PRODUCT_ID),
            (
                US,
                "1729582718312390001",
                tent(1, 1),
                codes::NOT_YOUR_PRODUCT,
            ),
            (US, "999", tent(1, 1), codes::PRODUCT_NOT_FOUND),
            (US, TENT_PRODUCT, json!({"skus": []}), codes::EMPTY_SKU_LIST),
            (
                US,
                TENT_PRODUCT,
                json!({"skus": many}),
                codes::TOO_MANY_SKUS,
            ),
            (US, TENT_PRODUCT, json!({"nope": 1}), 36009004),
        ] {
            let (status, b) = h.update(shop, product, body).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(b["code"], code, "{product}: {b}");
            assert!(b["data"].is_null());
        }
        // Duplicates refuse every copy; a single-warehouse SKU may omit the id.
        let (_, b) = h
            .update(
                US,
                TENT_PRODUCT,
                json!({"skus": [tent(1, 1)["skus"][0], tent(2, 2)["skus"][0]]}),
            )
            .await;
        assert_eq!(b["data"]["errors"].as_array().unwrap().len(), 2, "{b}");
        assert_eq!(b["data"]["errors"][1]["code"], codes::SKU_DUPLICATE);
        let (_, b) = h
            .update(
                US,
                "1729582718312380003",
                json!({"skus": [{"id": "1729592969712203003", "inventory": [{"quantity": 7}]}]}),
            )
            .await;
        assert!(b["data"].get("errors").is_none(), "{b}");
        assert_eq!(
            h.sim.state.sku_quantity(US, "1729592969712203003", US_MAIN),
            Some(7)
        );
    }

    #[tokio::test]
    async fn qps_limit_is_per_api_not_per_product() {
        let h = start(2).await;
        let (s1, _) = h.update(US, TENT_PRODUCT, tent(1, 1)).await;
        let (s2, _) = h.update(US, BAG_PRODUCT, json!({"skus": []})).await;
        let (s3, b3) = h.update(US, "1729582718312380003", tent(1, 1)).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        assert_eq!(s3, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(b3["code"], 36009002);
        assert_eq!(h.sim.state.inventory_update_calls(US), 2);
    }

    #[tokio::test]
    async fn inventory_search_by_skus_or_products_and_drift_control() {
        let h = start(50).await;
        h.sim
            .state
            .set_sku_quantity(US, TENT_SKU, US_EAST, 11)
            .unwrap();
        assert!(h
            .sim
            .state
            .set_sku_quantity(US, TENT_SKU, US_RETURN, 1)
            .is_err());
        let (_, b) = h
            .call(
                US,
                INVENTORY_SEARCH_PATH,
                &[],
                Some(json!({"sku_ids": [TENT_SKU, BAG_LONG, "404"], "product_ids": ["1729582718312380003"]})),
            )
            .await;
        assert_eq!(b["code"], 0, "{b}");
        let inv = b["data"]["inventory"].as_array().unwrap();
        assert_eq!(inv.len(), 2, "sku_ids win: {b}");
        let tent = &inv[0]["skus"][0];
        assert_eq!(tent["total_available_quantity"], 51);
        assert_eq!(tent["warehouse_inventory"][1]["available_quantity"], 11);
        assert_eq!(
            inv[1]["skus"].as_array().unwrap().len(),
            1,
            "only the asked SKU"
        );
        let (_, b) = h
            .call(
                US,
                INVENTORY_SEARCH_PATH,
                &[],
                Some(json!({"product_ids": [BAG_PRODUCT]})),
            )
            .await;
        assert_eq!(
            b["data"]["inventory"][0]["skus"].as_array().unwrap().len(),
            2
        );
        let (_, b) = h
            .call(US, INVENTORY_SEARCH_PATH, &[], Some(json!({})))
            .await;
        assert_eq!(b["code"], 36009004);
        // The control endpoints over HTTP.
        let http = &h.http;
        let base = &h.sim.base_url;
        let r = http
            .post(format!("{base}/_sim/inventory/lock"))
            .json(&json!({"shop_id": US, "sku_id": TENT_SKU}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let r = http
            .post(format!("{base}/_sim/inventory/quantity"))
            .json(
                &json!({"shop_id": US, "sku_id": TENT_SKU, "warehouse_id": US_MAIN, "quantity": 3}),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let snap: Value = http
            .get(format!("{base}/_sim/inventory/{US}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(snap["skus"][TENT_SKU][US_MAIN], 3);
        assert_eq!(snap["promotion_locked"][0], TENT_SKU);
        assert_eq!(snap["update_calls"], 0);
    }
}

#[cfg(test)]
mod client_tests {
    //! The shared TikTok client against this simulator, every call through
    //! `ShopSessions::call_with_refresh`, and the planner's requests
    //! accepted as they are.

    use std::borrow::Cow;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use shared::domain::{NetSuiteItemId, NetSuiteLocationId, ShopId, Sku, SkuId, WarehouseId};
    use shared::jobs::inventory_plan::{
        plan, LinkedSku, PlanInput, QuantityRange, ShopInventorySettings, SkuLink,
    };

    use shared::tiktok::inventory::{
        InventoryErrorClass, SkuInventory, SkuOutcome, UpdateInventoryRequest, WarehouseQuantity,
    };
    use shared::tiktok::products::{locate_skus, ProductFilter, SkuLookupProblem};
    use shared::tiktok::ShopSessions;

    use super::TikTokSim;
    use crate::seed::{ProductSeed, SkuSeed, SkuStockSeed};
    use crate::RunningSim;

    const US: &str = "7494049642642441621";
    const US_MAIN: &str = "7068517275539719942";
    const US_EAST: &str = "7068517275539719943";
    const TENT_SKU: &str = "1729592969712203001";

    use crate::tiktok::client_harness::MemStore;

    async fn setup() -> (RunningSim<TikTokSim>, ShopSessions, Arc<MemStore>) {
        crate::tiktok::client_harness::sessions(crate::default_seed().tiktok).await
    }

    fn shop() -> ShopId {
        ShopId::new(US)
    }

    #[tokio::test]
    async fn maps_seller_skus_and_lists_warehouses() {
        let (sim, sessions, _) = setup().await;
        let wanted: Vec<Sku> = ["TENT-2P-GRN", "SLEEP-BAG-LONG", "HEADLAMP-200", "NOPE"]
            .into_iter()
            .map(Sku::new)
            .collect();
        let products = sessions
            .search_products_by_seller_skus(&shop(), &wanted)
            .await
            .unwrap();
        assert_eq!(products.len(), 3);
        let (found, problems) = locate_skus(&products, &wanted);
        assert_eq!(found.len(), 3);
        let bag = &found[&Sku::new("SLEEP-BAG-LONG")];
        assert_eq!(bag.sku_id, SkuId::new("1729592969712203007"));
        assert_eq!(bag.warehouses.len(), 2);
        assert_eq!(problems, vec![SkuLookupProblem::NotFound(Sku::new("NOPE"))]);

        let warehouses = sessions.get_warehouses(&shop()).await.unwrap();
        assert_eq!(warehouses.iter().filter(|w| w.is_sales()).count(), 2);

        // Paging: 150 more products, listed over two pages of 100.
        for i in 0..150 {
            sim.state
                .upsert_product(ProductSeed {
                    shop_id: US.into(),
                    id: format!("9{i:05}"),
                    title: format!("Bulk {i}"),
                    status: "ACTIVATE".into(),
                    skus: vec![SkuSeed {
                        id: format!("8{i:05}"),
                        seller_sku: format!("BULK-{i}"),
                        inventory: vec![SkuStockSeed {
                            warehouse_id: US_MAIN.into(),
                            quantity: 1,
                        }],
                    }],
                })
                .unwrap();
        }
        let all = sessions
            .search_products(&shop(), &ProductFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 156);
        assert_eq!(
            sim.state.request_count("/product/202502/products/search"),
            3
        );
    }

    #[tokio::test]
    async fn planned_pushes_are_accepted_and_a_second_run_sends_nothing() {
        let (sim, sessions, _) = setup().await;
        let wanted = [Sku::new("TENT-2P-GRN"), Sku::new("HEADLAMP-200")];
        let products = sessions
            .search_products_by_seller_skus(&shop(), &wanted)
            .await
            .unwrap();
        let (found, _) = locate_skus(&products, &wanted);
        let item = |s: &str| NetSuiteItemId::new(s);
        let skus: Vec<LinkedSku> = [("TENT-2P-GRN", "101"), ("HEADLAMP-200", "103")]
            .into_iter()
            .map(|(sku, it)| {
                let l = &found[&Sku::new(sku)];
                LinkedSku {
                    sku_id: Cow::Borrowed(&l.sku_id),
                    product_id: Cow::Borrowed(&l.product_id),
                    warehouses: Cow::Borrowed(&l.warehouses),
                    link: SkuLink::Item(item(it)),
                }
            })
            .collect();
        let settings = ShopInventorySettings {
            location_warehouses: [
                (NetSuiteLocationId::new("1"), WarehouseId::new(US_MAIN)),
                (NetSuiteLocationId::new("4"), WarehouseId::new(US_EAST)),
            ]
            .into_iter()
            .collect(),
            buffer: Default::default(),
            range: QuantityRange {
                min: 1,
                max: 99_999,
            },
        };
        let available: BTreeMap<(NetSuiteItemId, NetSuiteLocationId), i64> = [
            ((item("101"), NetSuiteLocationId::new("1")), 42),
            ((item("101"), NetSuiteLocationId::new("4")), 3),
            ((item("103"), NetSuiteLocationId::new("1")), 230),
        ]
        .into_iter()
        .collect();
        let pending = Default::default();
        let nothing_pushed: BTreeMap<(SkuId, WarehouseId), i64> = BTreeMap::new();
        let input = |last| PlanInput {
            settings: &settings,
            skus: &skus,
            available: &available,
            pending_units: &pending,
            last_pushed: last,
        };
        let p = plan(input(&nothing_pushed));
        assert_eq!(p.requests.len(), 2);
        for r in &p.requests {
            let out = sessions.update_inventory(&shop(), r).await.unwrap();
            assert_eq!(out.failed().count(), 0, "{out:?}");
        }
        assert_eq!(sim.state.sku_quantity(US, TENT_SKU, US_MAIN), Some(42));
        assert_eq!(sim.state.sku_quantity(US, TENT_SKU, US_EAST), Some(3));
        assert_eq!(
            sim.state.sku_quantity(US, "1729592969712203003", US_MAIN),
            Some(230)
        );
        let last = p.desired.clone();
        assert!(plan(input(&last)).requests.is_empty());
        assert_eq!(sim.state.inventory_update_calls(US), 2);

        // What TikTok holds now, then drift made in Seller Center.
        sim.state
            .set_sku_quantity(US, TENT_SKU, US_EAST, 9)
            .unwrap();
        let inv = sessions
            .inventory_by_skus(&shop(), &[SkuId::new(TENT_SKU)])
            .await
            .unwrap();
        let wi = &inv[0].skus[0].warehouse_inventory;
        assert_eq!(
            wi.iter().map(|w| w.available_quantity).collect::<Vec<_>>(),
            vec![42, 9]
        );
    }

    #[tokio::test]
    async fn promotion_lock_and_bad_warehouses_come_back_classified() {
        let (sim, sessions, _) = setup().await;
        sim.state.set_promotion_lock(US, TENT_SKU, true).unwrap();
        let req = UpdateInventoryRequest {
            product_id: shared::domain::ProductId::new("1729582718312380001"),
            skus: vec![SkuInventory {
                id: SkuId::new(TENT_SKU),
                inventory: vec![
                    WarehouseQuantity {
                        warehouse_id: WarehouseId::new(US_MAIN),
                        quantity: 1,
                    },
                    WarehouseQuantity {
                        warehouse_id: WarehouseId::new(US_EAST),
                        quantity: 5,
                    },
                ],
            }],
        };
        let out = sessions.update_inventory(&shop(), &req).await.unwrap();
        assert_eq!(out.results[0].class(), Some(InventoryErrorClass::State));
        let SkuOutcome::Failed(errors) = &out.results[0].outcome else {
            panic!("{out:?}")
        };
        assert_eq!(errors[0].code, 12052393);
        assert_eq!(sim.state.sku_quantity(US, TENT_SKU, US_MAIN), Some(40));

        // Leaving out a warehouse: data/config, SKU-level.
        let mut partial = req.clone();
        partial.skus[0].inventory.truncate(1);
        partial.skus[0].inventory[0].quantity = 50;
        let out = sessions.update_inventory(&shop(), &partial).await.unwrap();
        assert_eq!(
            out.results[0].class(),
            Some(InventoryErrorClass::DataOrConfig)
        );

        // A whole-call refusal is an Err with the same classification.
        let mut other = req.clone();
        other.product_id = shared::domain::ProductId::new("1729582718312390001");
        let err = sessions
            .update_inventory(&shop(), &other)
            .await
            .unwrap_err();
        assert_eq!(err.class(), InventoryErrorClass::DataOrConfig);
        assert!(err.to_string().contains("12052048"), "{err}");
    }

    #[tokio::test]
    async fn a_transient_sku_failure_is_retryable_and_the_retry_applies() {
        let (sim, sessions, _) = setup().await;
        assert!(sim
            .state
            .fail_next_sku_updates(US, TENT_SKU, &[12345])
            .is_err());
        sim.state
            .fail_next_sku_updates(US, TENT_SKU, &[36009003])
            .unwrap();
        let req = UpdateInventoryRequest {
            product_id: shared::domain::ProductId::new("1729582718312380001"),
            skus: vec![SkuInventory {
                id: SkuId::new(TENT_SKU),
                inventory: [(US_MAIN, 20), (US_EAST, 2)]
                    .into_iter()
                    .map(|(w, q)| WarehouseQuantity {
                        warehouse_id: WarehouseId::new(w),
                        quantity: q,
                    })
                    .collect(),
            }],
        };
        let out = sessions.update_inventory(&shop(), &req).await.unwrap();
        let class = out.results[0].class();
        assert_eq!(class, Some(InventoryErrorClass::Transient));
        assert!(class.is_some_and(|c| c.is_retryable()));
        assert_eq!(sim.state.sku_quantity(US, TENT_SKU, US_MAIN), Some(40));
        let out = sessions.update_inventory(&shop(), &req).await.unwrap();
        assert_eq!(out.updated().count(), 1);
        assert_eq!(sim.state.sku_quantity(US, TENT_SKU, US_MAIN), Some(20));
    }

    #[tokio::test]
    async fn an_expired_token_is_refreshed_once_mid_way() {
        let (sim, sessions, store) = setup().await;
        sim.state
            .set_token(US, None, Some(crate::now_secs() - 1))
            .unwrap();
        let before = store.get_now(&shop()).unwrap().access_token;
        let warehouses = sessions.get_warehouses(&shop()).await.unwrap();
        assert_eq!(warehouses.len(), 3);
        assert_ne!(store.get_now(&shop()).unwrap().access_token, before);
        assert_eq!(sim.state.rejected_count(105002), 1);
    }
}
