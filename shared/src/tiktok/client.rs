//! The signed TikTok Shop Open API client (tiktok-shop-api.md §1, §3, §8).
//!
//! Every call gets a fresh `timestamp` and `sign` (per attempt: the server
//! rejects timestamps older than 5 minutes), the access token travels only in
//! the `x-tts-access-token` header, and a body is serialized once so the
//! signed bytes are the sent bytes. Success is `code == 0` in the body, never
//! the HTTP status alone. Rate limits and transient faults are retried here
//! with exponential backoff and full jitter; everything else is returned to
//! the caller as a classified [`TikTokError`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::Rng;
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{
    trim_body, TikTokError, CODE_INTERNAL, CODE_RATE_LIMITED, CODE_TIMEOUT, CODE_TOKEN_EXPIRED,
};
use super::model::Order;
use crate::config::TikTokApp;
use crate::domain::{OrderId, ShopId};

/// Production host of the token endpoints; the Open API itself lives on
/// [`crate::config::DEFAULT_TIKTOK_API_BASE_URL`].
pub const DEFAULT_TIKTOK_AUTH_BASE_URL: &str = "https://auth.tiktok-shops.com";

/// Get Order Detail accepts at most 50 ids per call (§3).
pub const MAX_ORDER_IDS_PER_CALL: usize = 50;

const PATH_AUTHORIZED_SHOPS: &str = "/authorization/202309/shops";
const PATH_ORDER_DETAIL: &str = "/order/202309/orders";
const PATH_TOKEN_REFRESH: &str = "/api/v2/token/refresh";

/// RFC 3986 unreserved characters stay as they are; everything else in a
/// query key or value is percent-encoded on the wire (values are signed
/// decoded, so the encoding choice cannot break the signature).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How the client retries rate limits (429/36009002) and transient faults
/// (5xx, 36009003, 36009007, network, timeout). Other failures never retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, including the first (1 disables retries).
    pub max_attempts: u32,
    /// Upper bound of the first backoff; doubles per attempt.
    pub base_delay: Duration,
    /// Cap of any single backoff (also caps a server `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, 0.5 s doubling to at most 8 s: about 3.5 s of expected
    /// waiting, which fits the writer's 60 s Lambda timeout with room for NetSuite.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Full jitter: uniform in `[0, min(max, base * 2^(attempt-1))]`, and at
    /// least the server's `Retry-After` when it sent one (capped at `max_delay`).
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let ceiling = exp.min(self.max_delay);
        let jitter_ms = rand::thread_rng().gen_range(0..=ceiling.as_millis() as u64);
        let jitter = Duration::from_millis(jitter_ms);
        match retry_after {
            Some(ra) => jitter.max(ra.min(self.max_delay)),
            None => jitter,
        }
    }
}

/// What a shop-scoped call needs: the shop, its `shop_cipher` and the access
/// token. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ShopAuth {
    pub shop_id: ShopId,
    pub cipher: String,
    pub access_token: String,
}

impl std::fmt::Debug for ShopAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopAuth")
            .field("shop_id", &self.shop_id)
            .field("cipher", &self.cipher)
            .field("access_token", &"<redacted>")
            .finish()
    }
}

/// One shop the access token may act for (`GET /authorization/202309/shops`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizedShop {
    pub id: ShopId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region: String,
    /// The `shop_cipher` every shop-scoped call must send.
    pub cipher: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub seller_type: String,
}

/// Tokens from the token endpoint. Both `*_expire_in` are **absolute** unix
/// seconds (§8), not durations. `Debug` hides the tokens.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    pub access_token_expire_in: i64,
    pub refresh_token: String,
    pub refresh_token_expire_in: i64,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field("access_token_expire_in", &self.access_token_expire_in)
            .field("refresh_token", &"<redacted>")
            .field("refresh_token_expire_in", &self.refresh_token_expire_in)
            .finish()
    }
}

/// Whose authority a signed call runs under.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    /// Shop-scoped APIs: token header plus `shop_cipher`.
    Shop(&'a ShopAuth),
    /// Token-only APIs (`/authorization/*`, `/seller/*`), which reject `shop_cipher`.
    Token(&'a str),
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Shop(a) => f.debug_tuple("Shop").field(a).finish(),
            Self::Token(_) => f.write_str("Token(<redacted>)"),
        }
    }
}

/// The signed TikTok Shop Open API client. Cheap to clone (an `Arc` inside),
/// so one instance serves every shop and task of a Lambda.
#[derive(Clone)]
pub struct TikTokClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    api_base_url: String,
    auth_base_url: String,
    app: TikTokApp,
    retry: RetryPolicy,
}

impl std::fmt::Debug for TikTokClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikTokClient")
            .field("api_base_url", &self.inner.api_base_url)
            .field("auth_base_url", &self.inner.auth_base_url)
            .field("app", &self.inner.app)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// The envelope every Open API and token response uses.
#[derive(Deserialize)]
struct Envelope {
    code: i64,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    data: Option<Value>,
}

/// One request, rebuilt (new timestamp and sign) for every attempt.
struct Spec<'a> {
    method: Method,
    base_url: &'a str,
    path: &'a str,
    /// Decoded query parameters besides `app_key`/`timestamp`/`sign`.
    params: Vec<(&'a str, &'a str)>,
    /// `Some` for signed Open API calls; `None` for the unsigned token endpoint.
    signed: Option<Scope<'a>>,
    body: Option<&'a [u8]>,
    /// Never keep the body of this call's responses (token endpoint).
    sensitive: bool,
}

/// What one attempt produced.
enum Attempt {
    Data(Value),
    Failed {
        error: TikTokError,
        retry_after: Option<Duration>,
    },
}

#[derive(Deserialize)]
struct ShopsData {
    #[serde(default)]
    shops: Vec<AuthorizedShop>,
}

#[derive(Deserialize)]
struct OrdersData {
    #[serde(default)]
    orders: Vec<Value>,
}

impl TikTokClient {
    /// `api_base_url` is the Open API host, `auth_base_url` the token host
    /// (separate in production: [`DEFAULT_TIKTOK_AUTH_BASE_URL`]); both
    /// without a trailing slash (one is stripped). `timeout` bounds each
    /// attempt. Fails only if the HTTP client cannot be built (TLS setup).
    pub fn new(
        api_base_url: impl Into<String>,
        auth_base_url: impl Into<String>,
        app: TikTokApp,
        timeout: Duration,
    ) -> Result<Self, TikTokError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| TikTokError::Transport {
                call: "client setup".into(),
                reason: e.without_url().to_string(),
                timed_out: false,
                attempts: 0,
            })?;
        let trim = |s: String| s.trim_end_matches('/').to_string();
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                api_base_url: trim(api_base_url.into()),
                auth_base_url: trim(auth_base_url.into()),
                app,
                retry: RetryPolicy::default(),
            }),
        })
    }

    /// The same client with another retry policy (tests use more attempts).
    pub fn with_retry_policy(self, retry: RetryPolicy) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                api_base_url: inner.api_base_url.clone(),
                auth_base_url: inner.auth_base_url.clone(),
                app: inner.app.clone(),
                retry,
            }),
        }
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// `GET /authorization/202309/shops`: the shops this token may act for,
    /// with the `cipher` every shop-scoped call needs.
    pub async fn get_authorized_shops(
        &self,
        access_token: &str,
    ) -> Result<Vec<AuthorizedShop>, TikTokError> {
        let data: ShopsData = self
            .call(
                Method::GET,
                PATH_AUTHORIZED_SHOPS,
                Scope::Token(access_token),
                &[],
                None,
            )
            .await?;
        Ok(data.shops)
    }

    /// `GET /order/202309/orders?ids=…`: Get Order Detail. Ids are
    /// de-duplicated and sent 50 per call (TikTok's maximum), in order. Ids
    /// TikTok does not know (or that belong to another shop) are simply
    /// absent from the result. One line item is one unit (§3).
    pub async fn get_orders(
        &self,
        shop: &ShopAuth,
        ids: &[OrderId],
    ) -> Result<Vec<Order>, TikTokError> {
        let mut unique: Vec<&str> = Vec::with_capacity(ids.len());
        for id in ids {
            let id = id.as_str().trim();
            if !id.is_empty() && !unique.contains(&id) {
                unique.push(id);
            }
        }
        let mut out = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(MAX_ORDER_IDS_PER_CALL) {
            let joined = chunk.join(",");
            let data: OrdersData = self
                .call(
                    Method::GET,
                    PATH_ORDER_DETAIL,
                    Scope::Shop(shop),
                    &[("ids", joined.as_str())],
                    None,
                )
                .await?;
            for raw in data.orders {
                out.push(decode_order(raw)?);
            }
        }
        Ok(out)
    }

    /// One order, or `None` when TikTok does not return it for this shop.
    pub async fn get_order(
        &self,
        shop: &ShopAuth,
        id: &OrderId,
    ) -> Result<Option<Order>, TikTokError> {
        let orders = self.get_orders(shop, std::slice::from_ref(id)).await?;
        Ok(orders.into_iter().find(|o| o.id == *id))
    }

    /// `GET {auth_base_url}/api/v2/token/refresh`: a new access token. Not
    /// signed: the app secret itself is a query parameter (so URLs are never
    /// logged or kept in errors). Whether the refresh token rotates is
    /// unverified (§8): store whatever comes back.
    pub async fn refresh_token(&self, refresh_token: &str) -> Result<TokenSet, TikTokError> {
        let app = &self.inner.app;
        let spec = Spec {
            method: Method::GET,
            base_url: &self.inner.auth_base_url,
            path: PATH_TOKEN_REFRESH,
            params: vec![
                ("app_key", app.app_key.as_str()),
                ("app_secret", app.app_secret.as_str()),
                ("refresh_token", refresh_token),
                ("grant_type", "refresh_token"),
            ],
            signed: None,
            body: None,
            sensitive: true,
        };
        let data = self.execute(&spec).await?;
        serde_json::from_value(data).map_err(|e| TikTokError::Decode {
            call: call_name(&Method::GET, PATH_TOKEN_REFRESH),
            http_status: 200,
            reason: format!("token data: {e}"),
            body: None,
        })
    }

    /// A signed Open API call returning `data` as `T`. `params` are the
    /// decoded query parameters beyond the common ones (arrays comma-joined);
    /// `body` is the exact JSON bytes to send and sign (`None`: no body).
    /// The building block for endpoints without a dedicated method.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        scope: Scope<'_>,
        params: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<T, TikTokError> {
        let spec = Spec {
            method: method.clone(),
            base_url: &self.inner.api_base_url,
            path,
            params: params.to_vec(),
            signed: Some(scope),
            body,
            sensitive: false,
        };
        let data = self.execute(&spec).await?;
        serde_json::from_value(data).map_err(|e| TikTokError::Decode {
            call: call_name(&method, path),
            http_status: 200,
            reason: format!("data: {e}"),
            body: None,
        })
    }

    /// [`Self::call`] with a body serialized once, so the signed bytes are
    /// exactly the sent bytes.
    pub async fn call_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        scope: Scope<'_>,
        params: &[(&str, &str)],
        body: &B,
    ) -> Result<T, TikTokError> {
        let bytes = serde_json::to_vec(body).map_err(|e| TikTokError::Decode {
            call: call_name(&method, path),
            http_status: 0,
            reason: format!("request body could not be serialized: {e}"),
            body: None,
        })?;
        self.call(method, path, scope, params, Some(&bytes)).await
    }

    /// Runs attempts until success, a non-retryable failure, or the policy's
    /// last attempt.
    async fn execute(&self, spec: &Spec<'_>) -> Result<Value, TikTokError> {
        let policy = self.inner.retry;
        let max = policy.max_attempts.max(1);
        let call = call_name(&spec.method, spec.path);
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let outcome = self.attempt(spec, &call).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match outcome {
                Attempt::Data(data) => {
                    tracing::debug!(method = %spec.method, path = spec.path, code = 0, attempt, elapsed_ms, "tiktok call succeeded");
                    return Ok(data);
                }
                Attempt::Failed { error, retry_after } => {
                    let code = error.code().unwrap_or(-1);
                    let http_status = error.http_status().unwrap_or(0);
                    if error.is_retryable() && attempt < max {
                        let delay = policy.backoff(attempt, retry_after);
                        tracing::warn!(method = %spec.method, path = spec.path, code, http_status, attempt, elapsed_ms, delay_ms = delay.as_millis() as u64, error = %error, "tiktok call failed, retrying");
                        tokio::time::sleep(delay).await;
                        attempt += 1;
                        continue;
                    }
                    tracing::warn!(method = %spec.method, path = spec.path, code, http_status, attempt, elapsed_ms, error = %error, "tiktok call failed");
                    return Err(with_attempts(error, attempt));
                }
            }
        }
    }

    /// One HTTP exchange: build (timestamp, sign), send, classify.
    async fn attempt(&self, spec: &Spec<'_>, call: &str) -> Attempt {
        let timestamp = crate::now_epoch().to_string();
        let mut query: Vec<(&str, &str)> = Vec::with_capacity(spec.params.len() + 4);
        let mut token: Option<&str> = None;
        if let Some(scope) = spec.signed {
            query.push(("app_key", self.inner.app.app_key.as_str()));
            query.push(("timestamp", timestamp.as_str()));
            match scope {
                Scope::Shop(auth) => {
                    token = Some(auth.access_token.as_str());
                    if takes_shop_cipher(spec.path) {
                        query.push(("shop_cipher", auth.cipher.as_str()));
                    }
                }
                Scope::Token(t) => token = Some(t),
            }
        }
        // Empty values are left out of both the URL and the signature (SKIT
        // does the same), so the two always agree.
        query.extend(spec.params.iter().filter(|(_, v)| !v.is_empty()).copied());
        let sign = spec.signed.map(|_| {
            crate::signing::tiktok::api_sign(
                &self.inner.app.app_secret,
                spec.path,
                &query,
                spec.body,
            )
        });

        let mut url = format!("{}{}", spec.base_url, spec.path);
        let mut sep = '?';
        let sign_pair = sign.as_deref().map(|s| ("sign", s));
        for (k, v) in query.iter().copied().chain(sign_pair) {
            url.push(sep);
            sep = '&';
            url.extend(utf8_percent_encode(k, QUERY_VALUE));
            url.push('=');
            url.extend(utf8_percent_encode(v, QUERY_VALUE));
        }

        let mut req = self
            .inner
            .http
            .request(spec.method.clone(), url)
            .header(CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header("x-tts-access-token", t);
        }
        if let Some(body) = spec.body {
            req = req.body(body.to_vec());
        }

        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return transport(call, e),
        };
        let status = resp.status().as_u16();
        let retry_after = retry_after(resp.headers());
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return transport(call, e),
        };
        classify(call, status, &bytes, spec.sensitive, retry_after)
    }
}

/// Whether an API takes `shop_cipher`: authorization and seller APIs reject
/// it with 36009004 "Unexpected identifier" (§1).
fn takes_shop_cipher(path: &str) -> bool {
    !(path.starts_with("/authorization/") || path.starts_with("/seller/"))
}

fn call_name(method: &Method, path: &str) -> String {
    format!("{method} {path}")
}

fn transport(call: &str, e: reqwest::Error) -> Attempt {
    let timed_out = e.is_timeout();
    // `without_url`: the token endpoint's URL carries the app secret.
    let mut reason = crate::aws::describe(&e.without_url());
    if timed_out && !reason.contains("timed out") {
        reason.push_str(" (timed out)");
    }
    Attempt::Failed {
        error: TikTokError::Transport {
            call: call.to_string(),
            reason,
            timed_out,
            attempts: 1,
        },
        retry_after: None,
    }
}

/// `Retry-After` in seconds, when present.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Reads the envelope: `code == 0` is success whatever the HTTP status says;
/// otherwise the code decides, with the HTTP status as fallback.
fn classify(
    call: &str,
    status: u16,
    raw: &[u8],
    sensitive: bool,
    retry_after: Option<Duration>,
) -> Attempt {
    let keep = |raw: &[u8]| {
        if sensitive {
            String::new()
        } else {
            trim_body(raw)
        }
    };
    let env: Envelope = match serde_json::from_slice(raw) {
        Ok(env) => env,
        Err(e) => {
            // No envelope (a proxy's HTML page, an empty 502…): the status decides.
            let (message, body) = (
                format!("HTTP {status} without a TikTok envelope: {e}"),
                keep(raw),
            );
            let error = if status == 429 {
                TikTokError::RateLimited {
                    call: call.into(),
                    code: None,
                    message,
                    request_id: String::new(),
                    http_status: status,
                    body,
                    attempts: 1,
                }
            } else if status >= 500 {
                TikTokError::Unavailable {
                    call: call.into(),
                    code: None,
                    message,
                    request_id: String::new(),
                    http_status: status,
                    body,
                    attempts: 1,
                }
            } else {
                TikTokError::Decode {
                    call: call.into(),
                    http_status: status,
                    reason: message,
                    body: (!sensitive).then_some(body),
                }
            };
            return Attempt::Failed { error, retry_after };
        }
    };
    if env.code == 0 {
        return Attempt::Data(env.data.unwrap_or(Value::Null));
    }
    let code = env.code;
    let message = env.message.unwrap_or_default();
    let request_id = env.request_id.unwrap_or_default();
    let body = keep(raw);
    let error = if code == CODE_TOKEN_EXPIRED {
        TikTokError::TokenExpired {
            call: call.into(),
            code,
            message,
            request_id,
            http_status: status,
            body,
        }
    } else if code == CODE_RATE_LIMITED || status == 429 {
        TikTokError::RateLimited {
            call: call.into(),
            code: Some(code),
            message,
            request_id,
            http_status: status,
            body,
            attempts: 1,
        }
    } else if code == CODE_INTERNAL || code == CODE_TIMEOUT || status >= 500 {
        TikTokError::Unavailable {
            call: call.into(),
            code: Some(code),
            message,
            request_id,
            http_status: status,
            body,
            attempts: 1,
        }
    } else {
        TikTokError::Api {
            call: call.into(),
            code,
            message,
            request_id,
            http_status: status,
            body,
        }
    };
    Attempt::Failed { error, retry_after }
}

/// Records how many attempts a retryable failure took.
fn with_attempts(mut e: TikTokError, n: u32) -> TikTokError {
    match &mut e {
        TikTokError::RateLimited { attempts, .. }
        | TikTokError::Unavailable { attempts, .. }
        | TikTokError::Transport { attempts, .. } => *attempts = n,
        _ => {}
    }
    e
}

/// Decodes one order, naming it (not its content: buyer data) on failure.
fn decode_order(raw: Value) -> Result<Order, TikTokError> {
    let id = raw
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("<no id>")
        .to_string();
    serde_json::from_value(raw).map_err(|e| TikTokError::Decode {
        call: call_name(&Method::GET, PATH_ORDER_DETAIL),
        http_status: 200,
        reason: format!("order {id} does not match the 202309 order model: {e}"),
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_codes_and_statuses() {
        let c = |status: u16, body: &str| match classify(
            "GET /x",
            status,
            body.as_bytes(),
            false,
            None,
        ) {
            Attempt::Data(_) => None,
            Attempt::Failed { error, .. } => Some(error),
        };
        assert!(c(200, r#"{"code":0,"message":"ok","data":{}}"#).is_none());
        assert!(matches!(
            c(200, r#"{"code":105002,"message":"expired"}"#),
            Some(TikTokError::TokenExpired { .. })
        ));
        assert!(matches!(
            c(429, r#"{"code":36009002,"message":"slow down"}"#),
            Some(TikTokError::RateLimited { .. })
        ));
        assert!(matches!(
            c(429, "busy"),
            Some(TikTokError::RateLimited { code: None, .. })
        ));
        assert!(
            c(200, r#"{"code":36009003,"message":"internal"}"#).is_some_and(|e| e.is_retryable())
        );
        assert!(c(502, "<html>bad gateway</html>").is_some_and(|e| e.is_retryable()));
        let catch_all = c(200, r#"{"code":36009004,"message":"x","request_id":"r1"}"#);
        assert!(catch_all
            .as_ref()
            .is_some_and(|e| !e.is_retryable() && e.code() == Some(36009004)));
        assert_eq!(catch_all.as_ref().and_then(|e| e.request_id()), Some("r1"));
        assert!(matches!(
            c(200, "not json"),
            Some(TikTokError::Decode { .. })
        ));
        // A non-zero code on HTTP 200 is still a failure.
        assert!(matches!(
            c(200, r#"{"code":106001,"message":"Invalid sign"}"#),
            Some(TikTokError::Api { code: 106001, .. })
        ));
    }

    #[test]
    fn sensitive_bodies_are_not_kept() {
        let Attempt::Failed { error, .. } = classify(
            "GET /t",
            200,
            br#"{"code":36004005,"message":"no"}"#,
            true,
            None,
        ) else {
            panic!("expected failure");
        };
        assert_eq!(error.response_body(), None);
    }

    #[test]
    fn backoff_stays_within_bounds() {
        let p = RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for attempt in 1..6 {
            assert!(p.backoff(attempt, None) <= Duration::from_millis(300));
        }
        assert!(p.backoff(1, None) <= Duration::from_millis(100));
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(10))),
            Duration::from_millis(300)
        );
    }

    #[test]
    fn debug_hides_tokens() {
        let a = ShopAuth {
            shop_id: ShopId::new("1"),
            cipher: "c".into(),
            access_token: "SECRET_TOKEN".into(),
        };
        assert!(!format!("{a:?}").contains("SECRET_TOKEN"));
        let t = TokenSet {
            access_token: "SECRET_A".into(),
            access_token_expire_in: 1,
            refresh_token: "SECRET_R".into(),
            refresh_token_expire_in: 2,
        };
        let s = format!("{t:?}");
        assert!(!s.contains("SECRET_A") && !s.contains("SECRET_R"), "{s}");
    }
}
