//! TikTok Shop Open API simulator (202309 paths).
//!
//! Exists so the webhook and writer functions meet the same gatekeeping the
//! real API applies (sign, timestamp window, token, shop_cipher, per-API QPS)
//! and the same `{code,message,request_id,data}` envelope, on loopback.
//!
//! HTTP status choice: TikTok documents only that rate limiting is HTTP 429
//! (tiktok-shop-api.md §4) and that success must be read from `code == 0`
//! (§8). No public evidence of the HTTP status for sign/token errors was
//! found, so those answer HTTP 200 with a non-zero `code`, which forces
//! clients to check the body exactly as the docs tell them to.

mod auth;
mod authorize;
#[cfg(test)]
mod client_harness;
mod control;
pub mod events;
mod fbt;
pub mod finance;
pub mod fulfillment;
pub mod inventory;
mod orders;
mod page_token;
mod products;
mod return_actions;
mod return_decisions;
mod returns;
pub mod webhooks;

pub use orders::{NOT_THIS_SELLERS_ORDER, ORDER_DETAIL_ERRORS, ORDER_DETAIL_TRANSIENT_CODES};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::lock;
use crate::seed::{ShopSeed, TikTokSeed};

/// TikTok's documented default: 50 QPS per API per (app, shop).
pub const DEFAULT_QPS_LIMIT: u32 = 50;

#[derive(Debug, Clone)]
pub struct TikTokConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub qps_limit: u32,
}

impl Default for TikTokConfig {
    fn default() -> Self {
        Self {
            port: 0,
            qps_limit: DEFAULT_QPS_LIMIT,
        }
    }
}

/// Handle to the simulator's shared state. Cheap to clone.
#[derive(Clone)]
pub struct TikTokSim {
    inner: Arc<Inner>,
}

struct Inner {
    seed: TikTokSeed,
    default_qps: u32,
    state: Mutex<State>,
}

pub(crate) struct State {
    pub(crate) app_key: String,
    pub(crate) app_secret: String,
    pub(crate) shops: Vec<ShopSeed>,
    /// shop id -> order id -> order JSON.
    pub(crate) orders: BTreeMap<String, BTreeMap<String, Value>>,
    /// shop id -> cancel_id -> cancellation JSON (Search Cancellations shape).
    pub(crate) cancellations: BTreeMap<String, BTreeMap<String, Value>>,
    /// shop id -> return_id -> return JSON (Search Returns shape).
    pub(crate) returns: BTreeMap<String, BTreeMap<String, Value>>,
    pub(crate) qps_limit: u32,
    /// (app_key, shop id, path) -> accepted request instants in the last second.
    pub(crate) windows: HashMap<(String, String, String), VecDeque<Instant>>,
    pub(crate) request_counts: BTreeMap<String, u64>,
    pub(crate) rejected: BTreeMap<i64, u64>,
    /// Codes the next Get Order Detail calls answer, one per call, in order.
    pub(crate) order_detail_failures: VecDeque<i64>,
    /// Products, warehouses and stock per shop (`products.rs`, `inventory.rs`).
    pub(crate) catalog: products::Catalog,
    /// Delivery options, shipments and fulfilment call counts (`fulfillment.rs`).
    pub(crate) fulfillment: fulfillment::Fulfillment,
    /// Statements, payments and transactions per shop (`finance.rs`).
    pub(crate) finance: finance::Finance,
    /// The authorization page, its codes and the app's redirect URL (`authorize.rs`).
    pub(crate) authorize: authorize::Authorize,
    /// Webhook subscriptions per shop (`events.rs`, the Event API).
    pub(crate) webhooks: events::Subscriptions,
    /// (shop id, idempotency_key) -> the first request's fingerprint (`return_actions.rs`).
    pub(crate) return_keys: BTreeMap<(String, String), String>,
    /// Fulfilled-by-TikTok enrolment, warehouses and stock per shop (`fbt.rs`).
    pub(crate) fbt: fbt::FbtState,
}

impl State {
    fn from_seed(seed: &TikTokSeed, qps_limit: u32) -> Self {
        let mut orders: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        for o in &seed.orders {
            if let Some(id) = o.order.get("id").and_then(Value::as_str) {
                orders
                    .entry(o.shop_id.clone())
                    .or_default()
                    .insert(id.to_string(), o.order.clone());
            }
        }
        let mut cancellations: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        for c in &seed.cancellations {
            if let Some(id) = c.cancellation.get("cancel_id").and_then(Value::as_str) {
                cancellations
                    .entry(c.shop_id.clone())
                    .or_default()
                    .insert(id.to_string(), c.cancellation.clone());
            }
        }
        let mut returns: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        for r in &seed.returns {
            if let Some(id) = r.return_order.get("return_id").and_then(Value::as_str) {
                returns
                    .entry(r.shop_id.clone())
                    .or_default()
                    .insert(id.to_string(), r.return_order.clone());
            }
        }
        Self {
            app_key: seed.app_key.clone(),
            app_secret: seed.app_secret.clone(),
            shops: seed.shops.clone(),
            orders,
            cancellations,
            returns,
            qps_limit,
            windows: HashMap::new(),
            request_counts: BTreeMap::new(),
            rejected: BTreeMap::new(),
            order_detail_failures: VecDeque::new(),
            catalog: products::Catalog::from_seed(seed),
            fulfillment: fulfillment::Fulfillment::from_seed(seed),
            finance: finance::Finance::from_seed(&seed.finance),
            authorize: authorize::Authorize::default(),
            webhooks: Default::default(),
            return_keys: BTreeMap::new(),
            fbt: fbt::from_seed(&seed.fbt),
        }
    }
}

impl TikTokSim {
    pub fn new(seed: TikTokSeed, cfg: TikTokConfig) -> Self {
        let state = State::from_seed(&seed, cfg.qps_limit);
        Self {
            inner: Arc::new(Inner {
                seed,
                default_qps: cfg.qps_limit,
                state: Mutex::new(state),
            }),
        }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    pub fn app_key(&self) -> String {
        self.state().app_key.clone()
    }

    pub fn app_secret(&self) -> String {
        self.state().app_secret.clone()
    }

    /// Current shops, including any token changes.
    pub fn shops(&self) -> Vec<ShopSeed> {
        self.state().shops.clone()
    }

    /// Inserts or replaces an order (matched by its `id`) for a shop.
    pub fn upsert_order(&self, shop_id: &str, order: Value) -> Result<(), SimError> {
        let id = order
            .get("id")
            .and_then(Value::as_str)
            .ok_or(SimError::OrderWithoutId)?
            .to_string();
        let mut st = self.state();
        if !st.shops.iter().any(|s| s.id == shop_id) {
            return Err(SimError::UnknownShop(shop_id.to_string()));
        }
        st.orders
            .entry(shop_id.to_string())
            .or_default()
            .insert(id, order);
        Ok(())
    }

    /// Inserts or replaces a cancellation (matched by its `cancel_id`) for a shop.
    pub fn upsert_cancellation(&self, shop_id: &str, cancellation: Value) -> Result<(), SimError> {
        let id = cancellation
            .get("cancel_id")
            .and_then(Value::as_str)
            .ok_or(SimError::MissingId("cancellation", "cancel_id"))?
            .to_string();
        let mut st = self.state();
        if !st.shops.iter().any(|s| s.id == shop_id) {
            return Err(SimError::UnknownShop(shop_id.to_string()));
        }
        st.cancellations
            .entry(shop_id.to_string())
            .or_default()
            .insert(id, cancellation);
        Ok(())
    }

    /// Inserts or replaces a return (matched by its `return_id`) for a shop.
    pub fn upsert_return(&self, shop_id: &str, return_order: Value) -> Result<(), SimError> {
        let id = return_order
            .get("return_id")
            .and_then(Value::as_str)
            .ok_or(SimError::MissingId("return", "return_id"))?
            .to_string();
        let mut st = self.state();
        if !st.shops.iter().any(|s| s.id == shop_id) {
            return Err(SimError::UnknownShop(shop_id.to_string()));
        }
        st.returns
            .entry(shop_id.to_string())
            .or_default()
            .insert(id, return_order);
        Ok(())
    }

    /// Replaces a shop's access token and/or its absolute expiry (unix seconds).
    pub fn set_token(
        &self,
        shop_id: &str,
        access_token: Option<String>,
        expire_in: Option<i64>,
    ) -> Result<(), SimError> {
        let mut st = self.state();
        let shop = st
            .shops
            .iter_mut()
            .find(|s| s.id == shop_id)
            .ok_or_else(|| SimError::UnknownShop(shop_id.to_string()))?;
        if let Some(t) = access_token {
            shop.access_token = t;
        }
        if let Some(e) = expire_in {
            shop.access_token_expire_in = e;
        }
        Ok(())
    }

    /// Makes the next `codes.len()` Get Order Detail calls that pass the
    /// common checks fail, one code per call in the given order, with HTTP
    /// 200 and the code's documented message. Appends to any still queued.
    /// Only codes Get Order Detail documents are accepted
    /// ([`ORDER_DETAIL_ERRORS`]); the transient ones a client should retry
    /// are [`ORDER_DETAIL_TRANSIENT_CODES`]. `reset` clears the queue.
    pub fn fail_next_order_details(&self, codes: &[i64]) -> Result<(), SimError> {
        if let Some(c) = codes
            .iter()
            .find(|c| orders::order_detail_message(**c).is_none())
        {
            return Err(SimError::UndocumentedCode(*c));
        }
        self.state().order_detail_failures.extend(codes);
        Ok(())
    }

    /// Queued Get Order Detail failures not yet served.
    pub fn pending_order_detail_failures(&self) -> usize {
        self.state().order_detail_failures.len()
    }

    pub fn set_qps_limit(&self, limit: u32) {
        let mut st = self.state();
        st.qps_limit = limit;
        st.windows.clear();
    }

    /// Back to the seed: orders, tokens, limits and counters.
    pub fn reset(&self) {
        *self.state() = State::from_seed(&self.inner.seed, self.inner.default_qps);
    }

    /// How many calls were answered with `code` (any non-zero TikTok code).
    pub fn rejected_count(&self, code: i64) -> u64 {
        self.state().rejected.get(&code).copied().unwrap_or(0)
    }

    /// Calls received on an API path, accepted or not.
    pub fn request_count(&self, path: &str) -> u64 {
        self.state().request_counts.get(path).copied().unwrap_or(0)
    }

    /// Everything `/_sim/state` shows.
    pub fn snapshot(&self) -> Value {
        let st = self.state();
        json!({
            "shops": st.shops,
            "orders": st.orders.iter().map(|(shop, m)| (shop.clone(), m.values().cloned().collect::<Vec<_>>())).collect::<BTreeMap<_, _>>(),
            "cancellations": st.cancellations.iter().map(|(shop, m)| (shop.clone(), m.values().cloned().collect::<Vec<_>>())).collect::<BTreeMap<_, _>>(),
            "returns": st.returns.iter().map(|(shop, m)| (shop.clone(), m.values().cloned().collect::<Vec<_>>())).collect::<BTreeMap<_, _>>(),
            "qps_limit": st.qps_limit,
            "order_detail_failures": st.order_detail_failures,
            "request_counts": st.request_counts,
            "rejected": st.rejected.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>(),
        })
    }

    /// Counts the call and, if it failed, the failure code; then renders it.
    pub(crate) fn finish(&self, path: &str, result: Result<Value, ApiError>) -> Response {
        let mut st = self.state();
        *st.request_counts.entry(path.to_string()).or_default() += 1;
        match result {
            Ok(data) => {
                drop(st);
                envelope(StatusCode::OK, 0, "Success", data)
            }
            Err(e) => {
                *st.rejected.entry(e.code).or_default() += 1;
                drop(st);
                tracing::debug!(path, code = e.code, message = %e.message, "tiktok sim rejected call");
                e.into_response()
            }
        }
    }
}

/// Misuse of the Rust/control API (not an Open API error).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("unknown shop {0}")]
    UnknownShop(String),
    #[error("order JSON has no string `id`")]
    OrderWithoutId,
    /// (record kind, id field): e.g. a cancellation without `cancel_id`.
    #[error("{0} JSON has no string `{1}`")]
    MissingId(&'static str, &'static str),
    #[error("code {0} is not a documented Get Order Detail error")]
    UndocumentedCode(i64),
    #[error("code {0} is not a documented Update Inventory error")]
    UndocumentedInventoryCode(i64),
    #[error("unknown statement {0} for this shop")]
    UnknownStatement(String),
    #[error("unknown SKU {0} for this shop")]
    UnknownSku(String),
    /// (sku id, warehouse id).
    #[error("SKU {0} is not stocked in warehouse {1}")]
    WarehouseNotAssigned(String, String),
    /// (record kind, id): e.g. a shipment of an unknown package.
    #[error("no {0} {1} in this shop")]
    NotFound(&'static str, String),
    #[error("status {0} is not one a control can set (IN_TRANSIT, DELIVERED)")]
    StatusNotSettable(String),
}

/// A TikTok error: HTTP status plus envelope code and message.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) http: StatusCode,
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl ApiError {
    /// Auth, sign and parameter errors: HTTP 200 with a non-zero code (see module doc).
    pub(crate) fn ok_status(code: i64, message: impl Into<String>) -> Self {
        Self {
            http: StatusCode::OK,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        envelope(self.http, self.code, &self.message, Value::Null)
    }
}

/// TikTok-style request id: timestamp digits plus random upper-case hex.
fn request_id() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let hex: String = (0..20)
        .map(|_| format!("{:X}", rng.gen_range(0..16u8)))
        .collect();
    format!("{}{hex}", crate::now_secs())
}

fn envelope(status: StatusCode, code: i64, message: &str, data: Value) -> Response {
    let body = json!({"code": code, "message": message, "request_id": request_id(), "data": data});
    (status, axum::Json(body)).into_response()
}

/// The simulator's routes over shared state.
pub fn router(sim: TikTokSim) -> Router {
    Router::new()
        .route(
            "/authorization/202309/shops",
            get(orders::get_authorized_shops),
        )
        .route("/order/202309/orders", get(orders::get_order_detail))
        .route(orders::ORDER_SEARCH_PATH, post(orders::search_orders))
        .route("/api/v2/token/refresh", get(orders::refresh_token))
        .route("/api/v2/token/get", get(authorize::token_get))
        .route("/open/authorize", get(authorize::authorize_page))
        .route(
            returns::CANCELLATIONS_PATH,
            post(returns::search_cancellations),
        )
        .route(returns::RETURNS_PATH, post(returns::search_returns))
        .route(
            products::SEARCH_PRODUCTS_PATH,
            post(products::search_products),
        )
        .route(products::WAREHOUSES_PATH, get(products::get_warehouses))
        .route(
            inventory::INVENTORY_SEARCH_PATH,
            post(inventory::inventory_search),
        )
        .route(
            inventory::UPDATE_INVENTORY_API,
            post(inventory::update_inventory),
        )
        .route(
            "/_sim/inventory/quantity",
            post(inventory::control_set_quantity),
        )
        .route("/_sim/inventory/lock", post(inventory::control_lock))
        .route("/_sim/inventory/fail", post(inventory::control_fail))
        .route("/_sim/inventory/config", post(inventory::control_config))
        .route("/_sim/inventory/{shop_id}", get(inventory::control_show))
        .route(
            fulfillment::SHIPPING_PROVIDERS_API,
            get(fulfillment::get_shipping_providers),
        )
        .route(
            fulfillment::MARK_SHIPPED_API,
            post(fulfillment::mark_package_as_shipped),
        )
        .route(
            fulfillment::SHIP_PACKAGE_API,
            post(fulfillment::ship_package),
        )
        .route(
            fulfillment::UPDATE_ORDER_SHIPPING_API,
            post(fulfillment::update_order_shipping_info),
        )
        .route(
            fulfillment::UPDATE_PACKAGE_SHIPPING_API,
            post(fulfillment::update_package_shipping_info),
        )
        .route(
            fulfillment::labels::ELIGIBLE_SERVICES_API,
            post(fulfillment::labels::eligible_services),
        )
        .route(
            fulfillment::labels::CREATE_PACKAGES_API,
            post(fulfillment::labels::create_packages),
        )
        .route(
            fulfillment::labels::SHIPPING_DOCUMENT_API,
            get(fulfillment::labels::shipping_document),
        )
        .route(
            fulfillment::labels::DOCUMENT_PATH,
            get(fulfillment::labels::document),
        )
        .route("/_sim/fulfillment/age", post(fulfillment::control_age))
        .route(
            "/_sim/fulfillment/fail",
            post(fulfillment::failures::control_fail),
        )
        .route(
            "/_sim/fulfillment/advance",
            post(fulfillment::control_advance),
        )
        .route(
            "/_sim/fulfillment/{shop_id}",
            get(fulfillment::control_show),
        )
        .route(finance::STATEMENTS_PATH, get(finance::get_statements))
        .route(finance::PAYMENTS_PATH, get(finance::get_payments))
        .route(
            finance::STATEMENT_TRANSACTIONS_API,
            get(finance::statement_transactions),
        )
        .route(
            finance::ORDER_TRANSACTIONS_API,
            get(finance::order_transactions),
        )
        .route(finance::UNSETTLED_PATH, get(finance::unsettled))
        .route("/_sim/finance/statements", post(finance::control_statement))
        .route(
            "/_sim/finance/statements/{statement_id}/transactions",
            post(finance::control_append),
        )
        .route("/_sim/finance/payments", post(finance::control_payments))
        .route("/_sim/finance/orders", post(finance::control_order))
        .route("/_sim/finance/unsettled", post(finance::control_unsettled))
        .route("/_sim/finance/generate", post(finance::control_generate))
        .route("/_sim/finance/{shop_id}", get(finance::control_show))
        .route(
            events::WEBHOOKS_PATH,
            get(events::get_webhooks)
                .put(events::put_webhook)
                .delete(events::delete_webhook),
        )
        .route("/_sim/webhooks/deliver", post(events::control_deliver))
        .route("/_sim/state", get(control::state))
        .route("/_sim/orders", post(control::upsert_order))
        .route("/_sim/cancellations", post(control::upsert_cancellation))
        .route("/_sim/returns", post(control::upsert_return))
        .route("/_sim/shops/{shop_id}/token", post(control::set_token))
        .route(
            "/_sim/fail/order_details",
            post(control::fail_order_details),
        )
        .route("/_sim/config", post(control::config))
        .route("/_sim/reset", post(control::reset))
        .route(return_actions::APPROVE_PATH, post(return_actions::approve))
        .route(return_actions::REJECT_PATH, post(return_actions::reject))
        .route(
            return_actions::REASONS_PATH,
            get(return_actions::reject_reasons),
        )
        .route("/_sim/returns/tick", post(return_actions::control_tick))
        .route(
            "/_sim/returns/arbitrate",
            post(return_actions::control_arbitrate),
        )
        .route(fbt::FBT_WAREHOUSES_PATH, get(fbt::fbt_warehouses))
        .route(fbt::FBT_INVENTORY_PATH, post(fbt::fbt_inventory_search))
        .fallback(orders::unknown_path)
        .with_state(sim)
}
