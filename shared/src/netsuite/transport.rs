//! The SuiteTalk REST transport (TBA or OAuth 2.0, `oauth2.rs`): one
//! semaphore for the account's concurrency governance, retries with
//! full-jitter backoff for what is safe to retry, one retry with a new
//! token after an M2M 401, and [`NsError`] for everything else.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::{Semaphore, SemaphorePermit};
use tracing::Instrument;

use super::attempt::{attempt_label, network_error, to_error, AttemptError};
pub(super) use super::checks::{check_external_id, check_id, check_record_type};
use super::error::{body_text, NsError};
use super::oauth2::Authorizer;
use super::NetSuiteConfig;

/// Shortest attempt worth starting before a message's deadline.
const MIN_ATTEMPT: Duration = Duration::from_secs(1);

pub(super) const RECORD_PREFIX: &str = "/services/rest/record/v1";
pub(super) const SUITEQL_PATH: &str = "/services/rest/query/v1/suiteql";

/// What kind of request this is: decides headers and whether a failure
/// after sending may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// GET: safe to retry.
    Read,
    /// PUT eid upsert / PATCH: idempotent record writes, safe to retry.
    IdempotentWrite,
    /// POST create / transform: a retry after the request may have reached
    /// NetSuite could create a second record, so only failures that prove
    /// nothing ran (429, connect errors) are retried.
    NonIdempotentWrite,
    /// SuiteQL: a read sent as POST, safe to retry.
    Query,
}

impl Kind {
    pub(super) fn idempotent(self) -> bool {
        self != Kind::NonIdempotentWrite
    }
    fn is_write(self) -> bool {
        matches!(self, Kind::IdempotentWrite | Kind::NonIdempotentWrite)
    }
}

/// One logical call: the same method, path, query and body on every attempt.
pub(super) struct Call<'a> {
    pub(super) method: Method,
    pub(super) path: String,
    /// Already percent-encoded `k=v` pairs; they are part of the signature.
    pub(super) query: Vec<(&'static str, String)>,
    pub(super) body: Option<&'a Value>,
    pub(super) kind: Kind,
}

impl Call<'_> {
    fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let q: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{}?{}", self.path, q.join("&"))
    }
}

/// A successful (2xx) response.
pub(super) struct Reply {
    status: u16,
    headers: HeaderMap,
    body: bytes::Bytes,
    system_call: String,
}

impl Reply {
    pub(super) fn json(&self) -> Result<Value, NsError> {
        serde_json::from_slice(&self.body).map_err(|e| self.decode(format!("invalid JSON: {e}")))
    }

    pub(super) fn decode(&self, detail: String) -> NsError {
        NsError::Decode {
            status: self.status,
            detail,
            system_call: self.system_call.clone(),
            body: body_text(&self.body),
        }
    }

    /// The internal id from `Location` (its last path segment; the type
    /// segment before it may be lower-cased, §0).
    pub(super) fn location_id(&self) -> Option<String> {
        let loc = self.headers.get(LOCATION)?.to_str().ok()?;
        let path = loc.split(['?', '#']).next()?;
        let id = path.trim_end_matches('/').rsplit('/').next()?;
        (!id.is_empty()).then(|| id.to_string())
    }
}

struct Inner {
    http: reqwest::Client,
    cfg: NetSuiteConfig,
    /// TBA signer or the shared M2M token cache.
    auth: Authorizer,
    /// `base_url` without a trailing slash.
    base: String,
    /// One permit per request allowed in flight; holds `limit` permits.
    permits: Semaphore,
    /// Current effective concurrency, `1..=cfg.concurrency` (see [`NetSuiteClient::adapt`]).
    limit: AtomicUsize,
    /// Successes since the limit last changed.
    successes: AtomicUsize,
    /// The deployment's shared slot pool (`None`: this client's semaphore only).
    slots: Option<Arc<super::SlotKeeper>>,
}

/// NetSuite SuiteTalk REST client. Cheap to clone (an `Arc` inside); clones
/// share one semaphore, so all of a process's requests together stay within
/// `concurrency`.
#[derive(Clone)]
pub struct NetSuiteClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for NetSuiteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetSuiteClient")
            .field("base_url", &self.inner.base)
            .field("concurrency", &self.inner.cfg.concurrency)
            .finish()
    }
}

impl NetSuiteClient {
    /// Builds the client. Fails if `concurrency` or `max_attempts` is 0 or
    /// the HTTP client cannot be created.
    pub fn new(cfg: NetSuiteConfig) -> Result<Self, NsError> {
        Self::with_slots(cfg, None)
    }

    /// [`Self::new`], every request also holding a slot of the shared pool.
    pub fn with_slots(
        cfg: NetSuiteConfig,
        slots: Option<Arc<super::SlotKeeper>>,
    ) -> Result<Self, NsError> {
        if cfg.concurrency == 0 {
            return Err(NsError::Invalid {
                field: "concurrency",
                detail: "must be at least 1".into(),
            });
        }
        if cfg.max_attempts == 0 {
            return Err(NsError::Invalid {
                field: "max_attempts",
                detail: "must be at least 1".into(),
            });
        }
        let base = cfg.base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(NsError::Invalid {
                field: "base_url",
                detail: format!("{base:?} must start with https:// (or http:// for a simulator)"),
            });
        }
        let http = reqwest::Client::builder()
            // A redirect would be sent with a signature for the old URL.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.request_timeout)
            .build()
            .map_err(|e| NsError::Invalid {
                field: "http_client",
                detail: e.to_string(),
            })?;
        let permits = Semaphore::new(cfg.concurrency);
        let auth = Authorizer::new(&cfg.credentials, &base, cfg.request_timeout)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                auth,
                base,
                permits,
                limit: AtomicUsize::new(cfg.concurrency),
                successes: AtomicUsize::new(0),
                slots,
                cfg,
            }),
        })
    }

    /// This client's leases on the shared slot pool, if it uses one.
    pub fn slots(&self) -> Option<&super::SlotKeeper> {
        self.inner.slots.as_deref()
    }

    /// End of an invocation: pool leases are shortened or given back.
    pub async fn end_of_invocation(&self) {
        if let Some(k) = &self.inner.slots {
            k.end_of_invocation().await;
        }
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &NetSuiteConfig {
        &self.inner.cfg
    }

    /// Sends `call`, retrying what is safe to retry. Every attempt holds a
    /// semaphore permit for its whole duration (not during backoff) and is
    /// signed with a fresh nonce and timestamp (NetSuite rejects reuse).
    pub(super) async fn execute(&self, call: Call<'_>) -> Result<Reply, NsError> {
        let cfg = &self.inner.cfg;
        let path_and_query = call.path_and_query();
        let system_call = format!("{} {}", call.method, path_and_query);
        let url = format!("{}{}", self.inner.base, path_and_query);
        let body = match call.body {
            Some(v) => Some(serde_json::to_vec(v).map_err(|e| NsError::Invalid {
                field: "body",
                detail: e.to_string(),
            })?),
            None => None,
        };
        let span =
            tracing::info_span!("netsuite_request", method = %call.method, path = %call.path);
        async {
            let mut attempt: u32 = 0;
            let mut reauthorized = false;
            loop {
                attempt += 1;
                let started = Instant::now();
                let outcome = {
                    // Waiting for a slot counts against the message's deadline too.
                    let wait = crate::deadline::attempt_timeout(Duration::MAX);
                    let permit =
                        match tokio::time::timeout(wait, self.inner.permits.acquire()).await {
                            Ok(Ok(p)) => p,
                            Ok(Err(_)) => {
                                return Err(NsError::Connection {
                                    attempts: attempt,
                                    detail: "client semaphore closed".into(),
                                    system_call: system_call.clone(),
                                    maybe_committed: false,
                                })
                            }
                            Err(_) => {
                                return Err(NsError::Timeout {
                                    attempts: attempt,
                                    system_call: system_call.clone(),
                                    maybe_committed: false,
                                })
                            }
                        };
                    let slots = self.inner.slots.as_deref();
                    let lease = super::lease_pool::take(slots, wait, attempt, &system_call).await?;
                    let (outcome, sent) = self.attempt(&call, &url, body.as_deref()).await;
                    if let (Some(k), Some(lease)) = (&self.inner.slots, lease) {
                        k.give_back(lease).await;
                    }
                    self.adapt(permit, &outcome);
                    (outcome, sent)
                };
                let (outcome, sent) = outcome;
                let elapsed_ms = started.elapsed().as_millis() as u64;
                let err = match outcome {
                    Ok(reply) => {
                        tracing::debug!(status = reply.status, attempt, elapsed_ms, "netsuite ok");
                        return Ok(Reply {
                            system_call,
                            ..reply
                        });
                    }
                    Err(e) => e,
                };
                // An M2M token NetSuite no longer accepts: a new one, once.
                let unauthorized = matches!(
                    &err,
                    AttemptError::Status { status, .. } if *status == StatusCode::UNAUTHORIZED
                );
                if unauthorized && !reauthorized && self.inner.auth.forget(&sent).await {
                    reauthorized = true;
                    tracing::info!(attempt, "netsuite 401 with a token: one retry, new token");
                    continue;
                }
                let wait = self.backoff(attempt);
                // No retry that the message's deadline would cut short.
                let retry = self.may_retry(&call, &err)
                    && attempt < cfg.max_attempts
                    && crate::deadline::allows_retry(wait, MIN_ATTEMPT);
                let status = match &err {
                    AttemptError::Status { status, .. } => status.as_u16(),
                    _ => 0,
                };
                if retry {
                    tracing::warn!(
                        status,
                        attempt,
                        elapsed_ms,
                        backoff_ms = wait.as_millis() as u64,
                        outcome = attempt_label(&err),
                        "netsuite attempt failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
                if status == 404 {
                    // Lookups by externalId expect 404 for "not there yet".
                    tracing::debug!(status, attempt, elapsed_ms, "netsuite record not found");
                } else {
                    tracing::warn!(
                        status,
                        attempt,
                        elapsed_ms,
                        outcome = attempt_label(&err),
                        "netsuite request failed"
                    );
                }
                return Err(to_error(err, &call, attempt, system_call));
            }
        }
        .instrument(span)
        .await
    }

    /// The current effective concurrency: `concurrency` unless NetSuite has
    /// answered 429 recently (see [`NetSuiteClient::adapt`]).
    pub fn effective_concurrency(&self) -> usize {
        self.inner.limit.load(Ordering::SeqCst)
    }

    /// Additive-increase/multiplicative-decrease on the semaphore. A 429
    /// proves the account's pool is smaller than our `concurrency` (other
    /// integrations share it, §5), so the permit that got it is forgotten:
    /// the effective limit drops by one (never below 1). After `limit`
    /// consecutive successes one permit is added back, up to `concurrency`.
    /// Without this, a client configured above the account limit keeps
    /// colliding and requests can exhaust their attempts.
    fn adapt(&self, permit: SemaphorePermit<'_>, outcome: &Result<Reply, AttemptError>) {
        let inner = &self.inner;
        match outcome {
            Err(AttemptError::Status { status, .. })
                if *status == StatusCode::TOO_MANY_REQUESTS =>
            {
                inner.successes.store(0, Ordering::SeqCst);
                let shrunk = inner
                    .limit
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
                        (l > 1).then(|| l - 1)
                    });
                if let Ok(old) = shrunk {
                    permit.forget();
                    tracing::info!(limit = old - 1, "netsuite 429: lowering client concurrency");
                }
            }
            Ok(_) => {
                let n = inner.successes.fetch_add(1, Ordering::SeqCst) + 1;
                let max = inner.cfg.concurrency;
                let grown = inner
                    .limit
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
                        (l < max && n >= l).then(|| l + 1)
                    });
                if let Ok(old) = grown {
                    inner.successes.store(0, Ordering::SeqCst);
                    inner.permits.add_permits(1);
                    tracing::debug!(limit = old + 1, "netsuite client concurrency raised");
                }
                drop(permit);
            }
            Err(_) => drop(permit),
        }
    }

    /// One authorized HTTP exchange; the body is read within the same
    /// timeout. Also returns the `Authorization` value sent (for a 401).
    async fn attempt(
        &self,
        call: &Call<'_>,
        url: &str,
        body: Option<&[u8]>,
    ) -> (Result<Reply, AttemptError>, String) {
        let inner = &self.inner;
        match inner
            .auth
            .header(&inner.http, call.method.as_str(), url)
            .await
        {
            Ok(auth) => (self.send(call, url, body, &auth).await, auth),
            Err(e) => (Err(AttemptError::Auth(e)), String::new()),
        }
    }

    async fn send(
        &self,
        call: &Call<'_>,
        url: &str,
        body: Option<&[u8]>,
        auth: &str,
    ) -> Result<Reply, AttemptError> {
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url)
            .timeout(crate::deadline::attempt_timeout(
                self.inner.cfg.request_timeout,
            ))
            .header(reqwest::header::AUTHORIZATION, auth);
        if call.kind == Kind::Query {
            req = req.header("Prefer", HeaderValue::from_static("transient"));
        }
        if call.kind.is_write() {
            req = req
                .header("X-NetSuite-PropertyNameValidation", "Error")
                .header("X-NetSuite-PropertyValueValidation", "Error");
        }
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let resp = req.send().await.map_err(network_error)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(network_error)?;
        if status.is_success() {
            Ok(Reply {
                status: status.as_u16(),
                headers,
                body: bytes,
                system_call: String::new(),
            })
        } else {
            Err(AttemptError::Status {
                status,
                body: bytes,
            })
        }
    }

    /// 429 means NetSuite blocked the request before running it, and a
    /// connect failure means it was never sent: both are safe for any
    /// method. 5xx, timeouts and broken connections are retried only for
    /// idempotent calls. Other 4xx never.
    fn may_retry(&self, call: &Call<'_>, err: &AttemptError) -> bool {
        match err {
            AttemptError::Status { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS => true,
            AttemptError::Status { status, .. } => {
                status.is_server_error() && call.kind.idempotent()
            }
            AttemptError::Timeout => call.kind.idempotent(),
            AttemptError::Network { sent, .. } => !sent || call.kind.idempotent(),
            // The REST request was never sent.
            AttemptError::Auth(e) => e.is_retryable(),
        }
    }

    /// Exponential backoff with full jitter: uniform in
    /// `0..=min(max_backoff, base_backoff * 2^(attempt-1))`, so throttled
    /// workers do not retry in step (§5).
    fn backoff(&self, attempt: u32) -> Duration {
        let cfg = &self.inner.cfg;
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let cap = cfg
            .base_backoff
            .checked_mul(factor)
            .unwrap_or(cfg.max_backoff)
            .min(cfg.max_backoff);
        let cap_ms = cap.as_millis() as u64;
        Duration::from_millis(rand::thread_rng().gen_range(0..=cap_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_path_segments() {
        assert!(check_external_id("tts-123_abc").is_ok());
        for bad in ["", "a|b", "a b", "a/b", "é"] {
            let e = check_external_id(bad).unwrap_err();
            assert!(matches!(
                e,
                NsError::Invalid {
                    field: "externalId",
                    ..
                }
            ));
        }
        assert!(check_record_type("t", "salesOrder").is_ok());
        assert!(check_record_type("t", "customrecord_x").is_ok());
        assert!(check_record_type("t", "../x").is_err());
        assert!(check_id("123").is_ok());
        assert!(check_id("eid:abc-1").is_ok());
        assert!(check_id("12a").is_err());
    }

    #[test]
    fn backoff_is_bounded() {
        let c = NetSuiteClient::new(super::super::NetSuiteConfig::new(
            "http://127.0.0.1:1",
            crate::signing::netsuite::TbaCredentials {
                realm: "1".into(),
                consumer_key: "k".into(),
                consumer_secret: "s".into(),
                token_id: "t".into(),
                token_secret: "ts".into(),
            },
        ))
        .unwrap();
        for attempt in 1..40 {
            let d = c.backoff(attempt);
            assert!(d <= c.config().max_backoff);
            if attempt == 1 {
                assert!(d <= c.config().base_backoff);
            }
        }
    }

    #[test]
    fn location_id_is_last_segment() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LOCATION,
            HeaderValue::from_static(
                "https://2945321.suitetalk.api.netsuite.com/services/rest/record/v1/journalentry/23450",
            ),
        );
        let r = Reply {
            status: 204,
            headers,
            body: bytes::Bytes::new(),
            system_call: String::new(),
        };
        assert_eq!(r.location_id().as_deref(), Some("23450"));
    }
}
