//! A seller authorizing the app: TikTok's authorization page (as a consent
//! redirect), the code-for-token exchange, and the webhooks TikTok sends
//! when a seller takes the authorization back (6) or it nears its end (7).
//!
//! Sources (tiktok-shop-api.md §8 "Token flow", from TikTok's Authorization
//! overview 202407, partner doc 678e3a3292b0f40314a92d75, and EcomPHP
//! `src/Auth.php`; §2 "Type 6"/"Type 7" for the webhooks, docs
//! 65095746defece02be4d749d and 6509579c0fcef602bf11312c):
//! - the page is `/open/authorize?service_id=…` with a `state`; the seller
//!   comes back at the app's registered redirect URL with `code` and
//!   `state`, or with `code=null&error=auth_denied` when they refuse;
//! - `auth_code` is single-use and expires in 30 minutes;
//! - `GET /api/v2/token/get?app_key&app_secret&auth_code&grant_type=authorized_code`,
//!   unsigned, answers the same data as a refresh (absolute expiries).
//!
//! Harsher readings where the sources are silent, each said where it applies:
//! the page refuses an unknown `service_id` and a missing `state`; a used
//! code answers exactly like an unknown one; the denial carries the state.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::auth::decode_query;
use super::{ApiError, TikTokSim};

/// How long an `auth_code` lives (§8: "expires in 30 min").
pub const CODE_LIFETIME_SECS: i64 = 30 * 60;
/// The access token a code or refresh issues lives 7 days (§8, "default lifetime").
const ACCESS_LIFETIME_SECS: i64 = 7 * 24 * 3600;
/// A refresh token a code issues, when the seed's has passed: §8 leaves the
/// lifetime unverified; a year.
const REFRESH_LIFETIME_SECS: i64 = 365 * 24 * 3600;

/// The app's authorization settings and the codes issued.
#[derive(Debug, Clone)]
pub(crate) struct Authorize {
    /// The app's service id (Partner Center); the page refuses any other.
    pub(crate) service_id: String,
    /// The redirect URL registered for the app; `None`: the page refuses.
    pub(crate) redirect_url: Option<String>,
    /// The seller refuses the next authorization.
    pub(crate) deny_next: bool,
    /// Which shop the consenting seller owns (default: the first).
    pub(crate) shop_id: Option<String>,
    pub(crate) code_lifetime_secs: i64,
    /// code → (shop id, expires at).
    pub(crate) codes: HashMap<String, (String, i64)>,
}

impl Default for Authorize {
    fn default() -> Self {
        Self {
            service_id: "sim-service-id".into(),
            redirect_url: None,
            deny_next: false,
            shop_id: None,
            code_lifetime_secs: CODE_LIFETIME_SECS,
            codes: HashMap::new(),
        }
    }
}

fn page(status: StatusCode, text: &str) -> Response {
    (status, text.to_string()).into_response()
}

fn enc(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `GET /open/authorize?service_id=…&state=…`: the seller consents (or, when
/// told to, refuses) and is sent back to the registered redirect URL.
pub(crate) async fn authorize_page(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
) -> Response {
    let query = decode_query(q.as_deref());
    let get = |k: &str| {
        query
            .iter()
            .find(|(qk, _)| qk == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let mut st = sim.state();
    let Some(redirect) = st.authorize.redirect_url.clone() else {
        return page(
            StatusCode::BAD_REQUEST,
            "this app has no redirect URL registered",
        );
    };
    if get("service_id").as_deref() != Some(st.authorize.service_id.as_str()) {
        return page(StatusCode::BAD_REQUEST, "invalid service_id");
    }
    let Some(state) = get("state") else {
        return page(StatusCode::BAD_REQUEST, "state is required");
    };
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let location = if std::mem::take(&mut st.authorize.deny_next) {
        format!(
            "{redirect}{sep}code=null&error=auth_denied&state={}",
            enc(&state)
        )
    } else {
        let Some(shop) = st
            .authorize
            .shop_id
            .clone()
            .or_else(|| st.shops.first().map(|s| s.id.clone()))
        else {
            return page(StatusCode::BAD_REQUEST, "the seller has no shop");
        };
        let code = format!("sim_code_{}", shared::signing::netsuite::new_nonce());
        let expires = crate::now_secs() + st.authorize.code_lifetime_secs;
        st.authorize.codes.insert(code.clone(), (shop, expires));
        format!("{redirect}{sep}code={}&state={}", enc(&code), enc(&state))
    };
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// `GET /api/v2/token/get`: a code for the shop's tokens, once. New tokens
/// replace the shop's old ones (a re-authorization).
pub(crate) async fn token_get(State(sim): State<TikTokSim>, RawQuery(q): RawQuery) -> Response {
    let path = "/api/v2/token/get";
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
        // The same refusals as the refresh (`orders::refresh_token`).
        if get("app_key") != st.app_key || get("app_secret") != st.app_secret {
            return Err(ApiError::ok_status(
                36004004,
                "Invalid app_key or app_secret",
            ));
        }
        if get("grant_type") != "authorized_code" {
            return Err(ApiError::ok_status(
                36009004,
                "Invalid parameter: grant_type must be authorized_code",
            ));
        }
        // Single-use: taken out whatever happens next. A used code answers
        // like an unknown one (harsher reading: the source is silent).
        let (shop_id, expires) = st
            .authorize
            .codes
            .remove(&get("auth_code"))
            .ok_or_else(|| ApiError::ok_status(36004005, "can not find related auth record"))?;
        let now = crate::now_secs();
        if expires <= now {
            return Err(ApiError::ok_status(36004001, "auth_code has expired"));
        }
        let shop = st
            .shops
            .iter_mut()
            .find(|s| s.id == shop_id)
            .ok_or_else(|| ApiError::ok_status(36004005, "can not find related auth record"))?;
        let nonce = shared::signing::netsuite::new_nonce;
        shop.access_token = format!("TTP_sim_{}", nonce());
        shop.access_token_expire_in = now + ACCESS_LIFETIME_SECS;
        shop.refresh_token = format!("TTP_sim_rt_{}", nonce());
        if shop.refresh_token_expire_in <= now {
            shop.refresh_token_expire_in = now + REFRESH_LIFETIME_SECS;
        }
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

impl TikTokSim {
    /// Registers the app's redirect URL and service id.
    pub fn configure_authorization(&self, redirect_url: &str, service_id: &str) {
        let mut st = self.state();
        st.authorize.redirect_url = Some(redirect_url.to_string());
        st.authorize.service_id = service_id.to_string();
    }

    /// The next seller refuses on the authorization page.
    pub fn deny_next_authorization(&self) {
        self.state().authorize.deny_next = true;
    }

    /// Which shop the next consenting seller owns.
    pub fn authorizing_shop(&self, shop_id: &str) {
        self.state().authorize.shop_id = Some(shop_id.to_string());
    }

    /// Makes every code issued from now on live `secs` (an expired-code test).
    pub fn set_code_lifetime(&self, secs: i64) {
        self.state().authorize.code_lifetime_secs = secs;
    }

    /// Renames a shop (what Get Authorized Shops answers from now on).
    pub fn set_shop_name(&self, shop_id: &str, name: &str) {
        if let Some(s) = self.state().shops.iter_mut().find(|s| s.id == shop_id) {
            s.name = name.to_string();
        }
    }

    /// The seller deauthorizes the app: the shop's tokens stop working, and
    /// the answer is the webhook TikTok pushes (type 6, unsigned).
    pub fn deauthorize(&self, shop_id: &str) -> Option<Value> {
        let mut st = self.state();
        let shop = st.shops.iter_mut().find(|s| s.id == shop_id)?;
        let nonce = shared::signing::netsuite::new_nonce;
        shop.access_token = format!("revoked_{}", nonce());
        shop.refresh_token = format!("revoked_rt_{}", nonce());
        Some(json!({
            "type": 6,
            "tts_notification_id": format!("sim-deauth-{}", nonce()),
            "shop_id": shop_id,
            "timestamp": crate::now_secs(),
            "data": {"message": format!("Shop_id {shop_id} is deauthorized from your APP by merchant.")},
        }))
    }

    /// The webhook TikTok pushes `days` before a shop's authorization ends
    /// (type 7, unsigned; `expiration_time` a string, as in the doc's example).
    pub fn expiring_webhook(&self, shop_id: &str, days: i64) -> Value {
        let at = crate::now_secs() + days * 86_400;
        json!({
            "type": 7,
            "tts_notification_id": format!("sim-expiring-{}", shared::signing::netsuite::new_nonce()),
            "shop_id": shop_id,
            "timestamp": crate::now_secs(),
            "data": {
                "message": format!("Authorization of shop_id {shop_id} is expiring in {days} days. Please re-authorize."),
                "expiration_time": at.to_string(),
            },
        })
    }
}
