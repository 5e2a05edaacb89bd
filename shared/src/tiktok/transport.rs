//! The signed TikTok Shop Open API transport (TikTok Shop API notes §1, §3, §8).
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
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::classify::{classify, retry_after, transport, with_attempts, Attempt};
use super::error::TikTokError;
use crate::clock::Clock;
use crate::domain::ShopId;

/// Production host of the token endpoints; the Open API itself lives on
/// [`crate::config::DEFAULT_TIKTOK_API_BASE_URL`].
pub const DEFAULT_TIKTOK_AUTH_BASE_URL: &str = "https://auth.tiktok-shops.com";

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

/// The TikTok app's credentials (`config` loads them): the key is public, the secret signs everything.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct TikTokApp {
    pub app_key: String,
    pub app_secret: String,
}

impl std::fmt::Debug for TikTokApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikTokApp")
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .finish()
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

#[derive(Clone)]
struct Inner {
    http: reqwest::Client,
    api_base_url: String,
    auth_base_url: String,
    app: TikTokApp,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    /// Per attempt (cut to the message's deadline, see [`crate::deadline`]).
    timeout: Duration,
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

/// One request, rebuilt (new timestamp and sign) for every attempt.
pub(super) struct Spec<'a> {
    pub(super) method: Method,
    pub(super) base_url: &'a str,
    pub(super) path: &'a str,
    /// Decoded query parameters besides `app_key`/`timestamp`/`sign`.
    pub(super) params: Vec<(&'a str, &'a str)>,
    /// `Some` for signed Open API calls; `None` for the unsigned token endpoint.
    pub(super) signed: Option<Scope<'a>>,
    pub(super) body: Option<&'a [u8]>,
    /// Never keep the body of this call's responses (token endpoint).
    pub(super) sensitive: bool,
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
                clock: crate::clock::system(),
                timeout,
            }),
        })
    }

    /// The same client with another retry policy (tests use more attempts).
    pub fn with_retry_policy(self, retry: RetryPolicy) -> Self {
        let mut inner = (*self.inner).clone();
        inner.retry = retry;
        Self {
            inner: Arc::new(inner),
        }
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The same client signing with timestamps from `clock`.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        let mut inner = (*self.inner).clone();
        inner.clock = clock;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The app this client signs for.
    pub fn app(&self) -> &TikTokApp {
        &self.inner.app
    }

    /// The token host (see [`DEFAULT_TIKTOK_AUTH_BASE_URL`]).
    pub(super) fn auth_base_url(&self) -> &str {
        &self.inner.auth_base_url
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
    pub(super) async fn execute(&self, spec: &Spec<'_>) -> Result<Value, TikTokError> {
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
                    let delay = policy.backoff(attempt, retry_after);
                    // No retry that the message's deadline would cut short.
                    if error.is_retryable()
                        && attempt < max
                        && crate::deadline::allows_retry(delay, Duration::from_secs(1))
                    {
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
        let timestamp = self.inner.clock.now().to_string();
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
            .timeout(crate::deadline::attempt_timeout(self.inner.timeout))
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

pub(super) fn call_name(method: &Method, path: &str) -> String {
    format!("{method} {path}")
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
        let t = crate::tiktok::TokenSet {
            access_token: "SECRET_A".into(),
            access_token_expire_in: 1,
            refresh_token: "SECRET_R".into(),
            refresh_token_expire_in: 2,
        };
        let s = format!("{t:?}");
        assert!(!s.contains("SECRET_A") && !s.contains("SECRET_R"), "{s}");
    }
}
