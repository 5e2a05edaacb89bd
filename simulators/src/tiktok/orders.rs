//! The Open API endpoints the integration calls: authorized shops, order
//! detail, and token refresh. Handlers are thin; the gatekeeping lives in
//! `auth` so every endpoint enforces it identically.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::{authenticate, decode_query};
use super::{ApiError, TikTokSim};

/// Get Order Detail accepts at most 50 ids per call (§3).
const MAX_ORDER_IDS: usize = 50;

/// Refreshed tokens live 7 days, TikTok's documented default (§8).
const TOKEN_LIFETIME_SECS: i64 = 7 * 24 * 3600;

pub(crate) async fn get_authorized_shops(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = "/authorization/202309/shops";
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).map(|a| {
        let s = a.shop;
        json!({"shops": [{
            "id": s.id, "name": s.name, "region": s.region,
            "seller_type": s.seller_type, "cipher": s.cipher, "code": s.code,
        }]})
    });
    sim.finish(path, result)
}

pub(crate) async fn get_order_detail(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = "/order/202309/orders";
    let result = authenticate(&sim, path, q.as_deref(), &headers, &body).and_then(|a| {
        let ids: Vec<&str> = a
            .param("ids")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if ids.is_empty() {
            return Err(ApiError::ok_status(
                36009004,
                "Invalid parameter: ids is required",
            ));
        }
        if ids.len() > MAX_ORDER_IDS {
            return Err(ApiError::ok_status(
                36009004,
                "Invalid parameter: ids supports at most 50 order ids",
            ));
        }
        let st = sim.state();
        let shop_orders = st.orders.get(&a.shop.id);
        // Unknown ids (or ids of another shop) are simply omitted.
        let orders: Vec<Value> = ids
            .iter()
            .filter_map(|id| shop_orders.and_then(|m| m.get(*id)).cloned())
            .collect();
        Ok(json!({ "orders": orders }))
    });
    sim.finish(path, result)
}

/// `GET /api/v2/token/refresh`. On the real service this lives on the auth
/// host and needs no signature, only app_key + app_secret + refresh_token.
pub(crate) async fn refresh_token(State(sim): State<TikTokSim>, RawQuery(q): RawQuery) -> Response {
    let path = "/api/v2/token/refresh";
    let query = decode_query(q.as_deref());
    let get = |k: &str| {
        query
            .iter()
            .find(|(qk, _)| qk == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let result = (|| {
        let mut st = sim.state();
        if get("app_key") != st.app_key || get("app_secret") != st.app_secret {
            return Err(ApiError::ok_status(
                36004004,
                "Invalid app_key or app_secret",
            ));
        }
        if get("grant_type") != "refresh_token" {
            return Err(ApiError::ok_status(
                36009004,
                "Invalid parameter: grant_type must be refresh_token",
            ));
        }
        let rt = get("refresh_token");
        let now = crate::now_secs();
        let shop = st
            .shops
            .iter_mut()
            .find(|s| !rt.is_empty() && s.refresh_token == rt)
            .ok_or_else(|| ApiError::ok_status(36004005, "can not find related auth record"))?;
        if shop.refresh_token_expire_in <= now {
            return Err(ApiError::ok_status(36004001, "rt has expired"));
        }
        shop.access_token = format!("TTP_sim_{}", shared::signing::netsuite::new_nonce());
        shop.access_token_expire_in = now + TOKEN_LIFETIME_SECS;
        Ok(json!({
            "access_token": shop.access_token,
            "access_token_expire_in": shop.access_token_expire_in,
            "refresh_token": shop.refresh_token,
            "refresh_token_expire_in": shop.refresh_token_expire_in,
            "open_id": format!("sim-open-{}", shop.id),
            "seller_name": shop.name,
            "seller_base_region": shop.region,
            "user_type": 0,
            "granted_scopes": ["seller.order.info", "seller.product.basic", "seller.fulfillment.basic"],
        }))
    })();
    sim.finish(path, result)
}

/// Unknown API path: 36009009 with HTTP 404.
pub(crate) async fn unknown_path(State(sim): State<TikTokSim>, uri: Uri) -> Response {
    let path = uri.path().to_string();
    sim.finish(
        &path,
        Err(ApiError {
            http: StatusCode::NOT_FOUND,
            code: 36009009,
            message: "Invalid path".into(),
        }),
    )
}
