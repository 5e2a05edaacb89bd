//! The `Authorization` header of each attempt: a fresh TBA signature, or an
//! OAuth 2.0 client-credentials access token (NetSuite REST notes §1b)
//! cached for the client and all its clones.
//!
//! The cache is one async mutex: the first caller that finds no usable
//! token fetches one while the others wait, so N concurrent calls cost one
//! token request. A token is used until [`REFRESH_EARLY`] before it expires.
//! After a 401 the transport calls [`Authorizer::forget`] with the header it
//! sent, gets a new token and retries once.

use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use tokio::sync::Mutex;

use super::error::{body_text, NsError};
use super::NetSuiteAuth;
use crate::clock::Clock;
use crate::signing::netsuite::{authorization_header, new_nonce, TbaCredentials};
use crate::signing::netsuite_m2m::{token_request_body, AssertionSigner, TOKEN_PATH};

/// A token is replaced this long before NetSuite says it expires, so a call
/// never starts with a token that dies on the way.
pub(super) const REFRESH_EARLY: Duration = Duration::from_secs(60);

/// Oracle: the access token "is valid for 60 minutes" (§1b); used when a
/// response has no readable `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(60 * 60);

const TOKEN_CALL: &str = "POST /services/rest/auth/oauth2/v1/token";

pub(super) enum Authorizer {
    Tba(TbaCredentials),
    M2m(TokenCache),
}

pub(super) struct TokenCache {
    signer: AssertionSigner,
    token_url: String,
    timeout: Duration,
    cached: Mutex<Option<Cached>>,
}

/// A live token. No `Debug`: it must never reach a log.
struct Cached {
    header: String,
    refresh_at: Instant,
}

/// How long after it was requested a token with `expires_in` is replaced:
/// [`REFRESH_EARLY`] before the end, or half-way for a very short lifetime.
pub(super) fn refresh_after(expires_in: Duration) -> Duration {
    if expires_in > REFRESH_EARLY * 2 {
        expires_in - REFRESH_EARLY
    } else {
        expires_in / 2
    }
}

/// `expires_in` as a number or a numeric string (Oracle's excerpt does not
/// say which, §1b); the documented 60 minutes when absent or unreadable.
pub(super) fn expires_in(body: &Value) -> Duration {
    let secs = match body.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    secs.map(Duration::from_secs).unwrap_or(DEFAULT_LIFETIME)
}

impl Authorizer {
    /// `base` is the REST host without a trailing slash; the token URL is
    /// on the same host. A key that cannot sign fails here.
    pub(super) fn new(auth: &NetSuiteAuth, base: &str, timeout: Duration) -> Result<Self, NsError> {
        Ok(match auth {
            NetSuiteAuth::Tba(c) => Authorizer::Tba(c.clone()),
            NetSuiteAuth::M2m(c) => Authorizer::M2m(TokenCache {
                signer: AssertionSigner::new(c).map_err(|e| NsError::Invalid {
                    field: "private_key",
                    detail: e.to_string(),
                })?,
                token_url: format!("{base}{TOKEN_PATH}"),
                timeout,
                cached: Mutex::new(None),
            }),
        })
    }

    /// The header value for one attempt.
    pub(super) async fn header(
        &self,
        http: &reqwest::Client,
        method: &str,
        url: &str,
    ) -> Result<String, NsError> {
        match self {
            Authorizer::Tba(c) => Ok(authorization_header(
                c,
                method,
                url,
                &new_nonce(),
                crate::clock::SystemClock.now() as u64,
            )),
            Authorizer::M2m(cache) => cache.header(http).await,
        }
    }

    /// After a 401: drops the cached token if it is the one `sent` carried
    /// (another call may already have replaced it). True when a retry with
    /// a new token can help, i.e. for M2M; a TBA 401 is final.
    pub(super) async fn forget(&self, sent: &str) -> bool {
        match self {
            Authorizer::Tba(_) => false,
            Authorizer::M2m(cache) => {
                let mut cached = cache.cached.lock().await;
                if cached.as_ref().is_some_and(|c| c.header == sent) {
                    *cached = None;
                }
                true
            }
        }
    }
}

impl TokenCache {
    async fn header(&self, http: &reqwest::Client) -> Result<String, NsError> {
        // Held across the token request: one refresh in flight, the rest wait.
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            if Instant::now() < c.refresh_at {
                return Ok(c.header.clone());
            }
        }
        let fresh = self.fetch(http).await?;
        let header = fresh.header.clone();
        *cached = Some(fresh);
        Ok(header)
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<Cached, NsError> {
        let now = crate::clock::SystemClock.now();
        let assertion =
            self.signer
                .assertion(&self.token_url, now)
                .map_err(|e| NsError::Invalid {
                    field: "private_key",
                    detail: e.to_string(),
                })?;
        let sent = Instant::now();
        let resp = http
            .post(&self.token_url)
            .timeout(crate::deadline::attempt_timeout(self.timeout))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(token_request_body(&assertion))
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => return Err(transport_error(e)),
        };
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport_error)?;
        if !status.is_success() {
            tracing::warn!(status = status.as_u16(), "netsuite token request refused");
            return Err(refused(status.as_u16(), &bytes));
        }
        let body: Value = serde_json::from_slice(&bytes).map_err(|_| decode("not JSON"))?;
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| decode("no access_token"))?;
        let lifetime = expires_in(&body);
        tracing::info!(
            expires_in_secs = lifetime.as_secs(),
            alg = ?self.signer.algorithm(),
            "netsuite access token obtained"
        );
        Ok(Cached {
            header: format!("Bearer {token}"),
            refresh_at: sent + refresh_after(lifetime),
        })
    }
}

fn transport_error(e: reqwest::Error) -> NsError {
    if e.is_timeout() {
        NsError::Timeout {
            attempts: 1,
            system_call: TOKEN_CALL.into(),
            maybe_committed: false,
        }
    } else {
        NsError::Connection {
            attempts: 1,
            detail: e.to_string(),
            system_call: TOKEN_CALL.into(),
            maybe_committed: false,
        }
    }
}

/// A 2xx without a usable token. The body is not kept: it may hold one.
fn decode(detail: &str) -> NsError {
    NsError::Decode {
        status: 200,
        detail: format!("token response: {detail}"),
        system_call: TOKEN_CALL.into(),
        body: String::new(),
    }
}

/// A refused token request. RFC 6749 §5.2 bodies (`{"error": …}`) hold no
/// secret, so the trimmed body is kept. 429 and 5xx are transient; anything
/// else (a wrong key, client id, certificate id or role) needs a human.
fn refused(status: u16, bytes: &[u8]) -> NsError {
    let doc: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let code = doc
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("token_request_failed")
        .to_string();
    let detail = doc
        .get("error_description")
        .and_then(Value::as_str)
        .unwrap_or("NetSuite refused the OAuth 2.0 token request: check the client id, the certificate id and its mapping (Setup > Integration > OAuth 2.0 Client Credentials (M2M) Setup) and the private key")
        .to_string();
    let body = body_text(bytes);
    let system_call = TOKEN_CALL.to_string();
    match status {
        429 => NsError::Throttled {
            attempts: 1,
            code,
            detail,
            system_call,
            body,
        },
        500..=599 => NsError::Server {
            status,
            attempts: 1,
            code,
            detail,
            system_call,
            body,
            maybe_committed: false,
        },
        _ => NsError::Unauthorized {
            status,
            code,
            detail,
            system_call,
            body,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_replaced_a_minute_early() {
        assert_eq!(
            refresh_after(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(100)),
            Duration::from_secs(50)
        );
        assert_eq!(refresh_after(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn expires_in_as_number_string_or_missing() {
        assert_eq!(
            expires_in(&json!({"expires_in": 1800})),
            Duration::from_secs(1800)
        );
        assert_eq!(
            expires_in(&json!({"expires_in": "3600"})),
            Duration::from_secs(3600)
        );
        assert_eq!(expires_in(&json!({})), DEFAULT_LIFETIME);
        assert_eq!(expires_in(&json!({"expires_in": "soon"})), DEFAULT_LIFETIME);
    }

    #[test]
    fn a_refused_token_request_is_classified() {
        let e = refused(400, br#"{"error":"invalid_client"}"#);
        assert!(matches!(&e, NsError::Unauthorized { code, .. } if code == "invalid_client"));
        assert!(!e.is_retryable());
        assert!(refused(503, b"").is_retryable());
        assert!(refused(429, b"").is_retryable());
        assert!(!refused(503, b"").maybe_committed());
    }
}
