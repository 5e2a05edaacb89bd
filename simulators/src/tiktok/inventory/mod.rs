//! Inventory Search and Update Inventory (tiktok-shop-api.md §4;
//! finance-inventory-fulfilment.md §2.1, §2.3, §2.4), plus the
//! `/_sim/inventory/*` controls a test uses to change stock "in Seller
//! Center", lock a SKU in a promotion and count Update Inventory calls.
//!
//! Files, one per API: `update.rs` (Update Inventory, [DOC]
//! 6503068fc20ad60284b38858) and `search.rs` (Inventory Search, [DOC]
//! 650a9191c16ffe02b8eec161), each listing its rules and their sources;
//! `controls.rs` holds the `/_sim/inventory/*` controls. The codes and
//! messages both APIs answer, and the per-API QPS window, are here.

use axum::http::StatusCode;
use std::time::{Duration, Instant};

use super::auth::Authed;
use super::{ApiError, TikTokSim};

mod controls;
mod search;
mod update;

pub(crate) use controls::{
    control_config, control_fail, control_lock, control_set_quantity, control_show,
};
pub(crate) use search::inventory_search;
pub(crate) use update::update_inventory;

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

#[cfg(test)]
mod tests {
    //! The endpoints over HTTP, signed exactly as a client signs them.
    use super::*;

    use axum::http::StatusCode;

    use serde_json::{json, Value};

    use crate::tiktok::TikTokSim;

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
    use shared::stock::plan::{
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
        let pending: BTreeMap<SkuId, i64> = Default::default();
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
