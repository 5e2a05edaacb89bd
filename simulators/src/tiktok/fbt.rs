//! Fulfilled by TikTok: Get FBT Warehouse List (`GET /fbt/202408/warehouses`)
//! and Search FBT Inventory (`POST /fbt/202408/inventory/search`), plus
//! the controls a test uses to change what TikTok's FBT shelves hold.
//!
//! Sources: order-types.md §1 and **SDK-FBT** (`yxiZo/tiktok-partner-backend`,
//! `sdk/api/fbtV202408Api.ts`, `sdk/model/fbt/V202408/*`); TikTok's doc ids
//! are not in the reference docs.
//! - Both need the `seller.fbt.info` scope (the shared auth gate answers
//!   105005 without it, `shared::tiktok::scopes`).
//! - A shop not enrolled in FBT: a public connector reports 404 "Invalid
//!   path" on `fbt/.../inventory/search`; the simulator answers HTTP 404
//!   with that message (code 40006, sim-defined: no source gives one).
//! - Search FBT Inventory: `page_size` required, "Valid range: [1-100]";
//!   `goods_ids` and `sku_ids` ≤ 100 each and "either `goods_ids` or
//!   `sku_ids`" (both: 36009004, sim-defined); `fbt_warehouse_ids` filter;
//!   without `goods_ids`/`sku_ids`, "all goods with non-zero inventory"
//!   (a zero row is left out). One row per goods and FBT warehouse, its
//!   SKUs with their own `on_hand_detail`. Page tokens are opaque and
//!   strict (`page_token.rs`). Harsher where silent: `total_count` is sent
//!   but a client must not size anything by it.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::auth::authenticate;
use super::page_token;
use super::products::{bad_param, parse_body, string_list};
use super::{ApiError, TikTokSim};
use crate::seed::FbtShopSeed;

pub(crate) const FBT_WAREHOUSES_PATH: &str = "/fbt/202408/warehouses";
pub(crate) const FBT_INVENTORY_PATH: &str = "/fbt/202408/inventory/search";
const MAX_IDS: usize = 100;

/// Every shop's FBT, by shop id.
pub(crate) type FbtState = BTreeMap<String, FbtShopSeed>;

pub(crate) fn from_seed(seed: &[FbtShopSeed]) -> FbtState {
    seed.iter()
        .map(|s| (s.shop_id.clone(), s.clone()))
        .collect()
}

fn not_enrolled() -> ApiError {
    ApiError {
        http: StatusCode::NOT_FOUND,
        code: 40006,
        message: "Invalid path".into(),
    }
}

/// The shop's FBT, if it is enrolled.
fn enrolled(sim: &TikTokSim, shop_id: &str) -> Result<FbtShopSeed, ApiError> {
    match sim.state().fbt.get(shop_id) {
        Some(s) if s.enrolled => Ok(s.clone()),
        _ => Err(not_enrolled()),
    }
}

/// `GET /fbt/202408/warehouses` (no paging documented).
pub(crate) async fn fbt_warehouses(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = FBT_WAREHOUSES_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body)
        .and_then(|a| enrolled(&sim, &a.shop.id))
        .map(|f| {
            let list: Vec<Value> = (f.warehouses.iter())
                .map(|w| {
                    json!({
                        "fbt_warehouse_id": w.fbt_warehouse_id,
                        "name": w.name,
                        "type": "PLATFORM_WAREHOUSE",
                        "subscribed": w.subscribed,
                        "warehouse_ids": w.warehouse_ids,
                        "addresses": [],
                        "logistics_services": [],
                    })
                })
                .collect();
            json!({ "warehouses": list })
        });
    sim.finish(path, result)
}

/// `POST /fbt/202408/inventory/search`.
pub(crate) async fn fbt_inventory_search(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = FBT_INVENTORY_PATH;
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let f = enrolled(&sim, &a.shop.id)?;
        let size: usize = match a.param("page_size").map(str::parse::<usize>) {
            Some(Ok(n)) if (1..=100).contains(&n) => n,
            _ => return Err(bad_param("page_size must be within [1-100]")),
        };
        let offset = match a.param("page_token").filter(|t| !t.is_empty()) {
            None => 0,
            Some(t) => page_token::accept(t, path, &a.shop.id)
                .ok_or_else(|| bad_param("page_token is invalid"))?,
        };
        let b = parse_body(&body)?;
        let goods = string_list(&b, "goods_ids")?.unwrap_or_default();
        let skus = string_list(&b, "sku_ids")?.unwrap_or_default();
        let warehouses = string_list(&b, "fbt_warehouse_ids")?.unwrap_or_default();
        if !goods.is_empty() && !skus.is_empty() {
            return Err(bad_param("use either goods_ids or sku_ids"));
        }
        if goods.len() > MAX_IDS || skus.len() > MAX_IDS {
            return Err(bad_param("at most 100 goods_ids or sku_ids"));
        }
        let filtered = !goods.is_empty() || !skus.is_empty();
        // One row per (FBT warehouse, goods), SKUs under it.
        let mut rows: BTreeMap<(String, String), Vec<&crate::seed::FbtStockSeed>> = BTreeMap::new();
        for s in &f.inventory {
            let keep = (warehouses.is_empty() || warehouses.contains(&s.fbt_warehouse_id))
                && (goods.is_empty() || goods.contains(&s.goods_id))
                && (skus.is_empty() || skus.contains(&s.sku_id))
                && (filtered || s.available + s.reserved != 0);
            if keep {
                let key = (s.fbt_warehouse_id.clone(), s.goods_id.clone());
                rows.entry(key).or_default().push(s);
            }
        }
        let total = rows.len();
        let page: Vec<Value> = (rows.iter().skip(offset).take(size))
            .map(|((w, g), skus)| {
                let available: i64 = skus.iter().map(|s| s.available).sum();
                let reserved: i64 = skus.iter().map(|s| s.reserved).sum();
                json!({
                    "fbt_warehouse_id": w,
                    "goods": {
                        "id": g,
                        "name": skus.first().map(|s| s.reference_code.as_str()),
                        "reference_code": skus.first().map(|s| s.reference_code.as_str()),
                        "skus": skus.iter().map(|s| json!({
                            "id": s.sku_id,
                            "on_hand_detail": {
                                "available_quantity": s.available,
                                "reserved_quantity": s.reserved,
                                "total_quantity": s.available + s.reserved,
                            },
                        })).collect::<Vec<_>>(),
                    },
                    "on_hand_detail": {
                        "available_quantity": available,
                        "reserved_quantity": reserved,
                        "total_quantity": available + reserved,
                        "unfulfillable_quantity": 0,
                    },
                    "in_transit_quantity": 0,
                })
            })
            .collect();
        let end = offset + page.len();
        let next = if end < total {
            page_token::issue(path, &a.shop.id, end)
        } else {
            String::new()
        };
        Ok(json!({"inventory": page, "next_page_token": next, "total_count": total}))
    });
    sim.finish(path, result)
}

impl TikTokSim {
    /// Sets what an FBT warehouse holds available of a TikTok SKU, as
    /// TikTok's own count would change (a shrink, a count correction).
    pub fn set_fbt_available(
        &self,
        shop_id: &str,
        fbt_warehouse_id: &str,
        sku_id: &str,
        available: i64,
    ) -> bool {
        let mut st = self.state();
        let Some(f) = st.fbt.get_mut(shop_id) else {
            return false;
        };
        match (f.inventory.iter_mut())
            .find(|s| s.fbt_warehouse_id == fbt_warehouse_id && s.sku_id == sku_id)
        {
            Some(s) => {
                s.available = available;
                true
            }
            None => false,
        }
    }

    /// Enrols or unenrols a shop in FBT (unenrolled: HTTP 404).
    pub fn set_fbt_enrolled(&self, shop_id: &str, enrolled: bool) {
        let mut st = self.state();
        let f = st.fbt.entry(shop_id.to_string()).or_insert(FbtShopSeed {
            shop_id: shop_id.to_string(),
            enrolled,
            warehouses: Vec::new(),
            inventory: Vec::new(),
        });
        f.enrolled = enrolled;
    }
}

#[cfg(test)]
mod tests {
    use shared::domain::{ShopId, SkuId};
    use shared::tiktok::fbt::{FbtError, FbtUnavailable};

    const US: &str = "7494049642642441621";
    const GB: &str = "7494726673780148744";

    #[tokio::test]
    async fn fbt_warehouses_and_inventory_read_and_a_shop_without_fbt_is_named() {
        let mut seed = crate::default_seed().tiktok;
        // 150 goods rows: two pages of 100.
        let us = seed.fbt.iter_mut().find(|f| f.shop_id == US).unwrap();
        for i in 0..148 {
            us.inventory.push(crate::seed::FbtStockSeed {
                fbt_warehouse_id: "7310000000000000001".into(),
                goods_id: format!("g{i}"),
                reference_code: String::new(),
                sku_id: format!("s{i}"),
                available: 1,
                reserved: 0,
            });
        }
        let (sim, sessions, _) = crate::tiktok::client_harness::sessions(seed).await;
        let w = sessions.fbt_warehouses(&ShopId::new(US)).await.unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].warehouse_ids[0].as_str(), "7068517275539719945");
        let inv = sessions.fbt_inventory(&ShopId::new(US)).await.unwrap();
        assert_eq!(inv.skus.len(), 150);
        assert_eq!(
            inv.skus[&SkuId::new("1729592969712203001")].available,
            Some(12)
        );
        assert!(sim
            .state
            .set_fbt_available(US, "7310000000000000001", "1729592969712203001", 9));
        let inv = sessions.fbt_inventory(&ShopId::new(US)).await.unwrap();
        assert_eq!(
            inv.skus[&SkuId::new("1729592969712203001")].available,
            Some(9)
        );
        match sessions.fbt_warehouses(&ShopId::new(GB)).await {
            Err(FbtError::Unavailable(FbtUnavailable::NotEnabled)) => {}
            other => panic!("{other:?}"),
        }
        sim.state.set_granted_scopes(US, &["seller.product.basic"]);
        sim.state.set_fbt_enrolled(US, true);
        match sessions.fbt_inventory(&ShopId::new(US)).await {
            Err(FbtError::Unavailable(FbtUnavailable::MissingScope)) => {}
            other => panic!("{other:?}"),
        }
    }
}
