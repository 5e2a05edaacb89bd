//! The simulator's own `/_sim/inventory/*` controls (no TikTok API) and the
//! [`TikTokSim`] methods behind them: change stock "in Seller Center", lock
//! a SKU in a promotion, queue SKU-level error codes for Update Inventory,
//! accept `quantity: 0`, count Update Inventory calls and show a shop's
//! stock (finance-inventory-fulfilment.md §2.3, §2.4).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::{message, UNDOCUMENTED};
use crate::seed::ProductSeed;
use crate::tiktok::products::{SimProduct, SimSku};
use crate::tiktok::{SimError, TikTokSim};

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

    /// Adds (or replaces, by id) a warehouse of a shop, as a seller adding
    /// one in Seller Center would; Get Warehouse List then lists it and
    /// Update Inventory accepts it when it is a sales warehouse (benchmarks
    /// with a third warehouse).
    pub fn add_warehouse(&self, w: crate::seed::WarehouseSeed) -> Result<(), SimError> {
        let mut st = self.state();
        if !st.shops.iter().any(|s| s.id == w.shop_id) {
            return Err(SimError::UnknownShop(w.shop_id));
        }
        let list = st.catalog.warehouses.entry(w.shop_id.clone()).or_default();
        list.retain(|x| x.id != w.id);
        list.push(w);
        Ok(())
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
