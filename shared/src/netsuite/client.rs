//! The TBA-signed SuiteTalk REST client: one semaphore for the account's
//! concurrency governance, retries with full-jitter backoff for what is safe
//! to retry, and [`NsError`] for everything else.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use tokio::sync::{Semaphore, SemaphorePermit};
use tracing::Instrument;

use super::error::{body_text, parse_error_doc, NsError};
use super::NetSuiteConfig;
use crate::signing::netsuite::{authorization_header, new_nonce, pct};

const RECORD_PREFIX: &str = "/services/rest/record/v1";
const SUITEQL_PATH: &str = "/services/rest/query/v1/suiteql";

/// SuiteQL's default and maximum page size (netsuite-rest-api.md §3).
pub const SUITEQL_MAX_LIMIT: usize = 1000;

/// What kind of request this is: decides headers and whether a failure
/// after sending may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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
    fn idempotent(self) -> bool {
        self != Kind::NonIdempotentWrite
    }
    fn is_write(self) -> bool {
        matches!(self, Kind::IdempotentWrite | Kind::NonIdempotentWrite)
    }
}

/// One logical call: the same method, path, query and body on every attempt.
struct Call<'a> {
    method: Method,
    path: String,
    /// Already percent-encoded `k=v` pairs; they are part of the signature.
    query: Vec<(&'static str, String)>,
    body: Option<&'a Value>,
    kind: Kind,
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
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: bytes::Bytes,
    system_call: String,
}

impl Reply {
    fn json(&self) -> Result<Value, NsError> {
        serde_json::from_slice(&self.body).map_err(|e| self.decode(format!("invalid JSON: {e}")))
    }

    fn decode(&self, detail: String) -> NsError {
        NsError::Decode {
            status: self.status,
            detail,
            system_call: self.system_call.clone(),
            body: body_text(&self.body),
        }
    }

    /// The internal id from `Location` (its last path segment; the type
    /// segment before it may be lower-cased, §0).
    fn location_id(&self) -> Option<String> {
        let loc = self.headers.get(LOCATION)?.to_str().ok()?;
        let path = loc.split(['?', '#']).next()?;
        let id = path.trim_end_matches('/').rsplit('/').next()?;
        (!id.is_empty()).then(|| id.to_string())
    }
}

/// Why one attempt failed, before deciding whether to retry.
enum AttemptError {
    Status {
        status: StatusCode,
        body: bytes::Bytes,
    },
    Timeout,
    /// `sent` is false when the connection was never established, so the
    /// request cannot have reached NetSuite.
    Network {
        detail: String,
        sent: bool,
    },
}

struct Inner {
    http: reqwest::Client,
    cfg: NetSuiteConfig,
    /// `base_url` without a trailing slash.
    base: String,
    /// One permit per request allowed in flight; holds `limit` permits.
    permits: Semaphore,
    /// Current effective concurrency, `1..=cfg.concurrency` (see [`NetSuiteClient::adapt`]).
    limit: AtomicUsize,
    /// Successes since the limit last changed.
    successes: AtomicUsize,
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

/// Record types are path segments: letters, digits and `_` only
/// (`salesOrder`, `customrecord_x`), so a caller value can never change the URL.
fn check_record_type(field: &'static str, t: &str) -> Result<(), NsError> {
    let ok = t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(NsError::Invalid {
            field,
            detail: format!("record type {t:?} must match [A-Za-z][A-Za-z0-9_]*"),
        })
    }
}

/// NetSuite accepts only `[A-Za-z0-9_-]` in an externalId used in a URL; `|`
/// would even be read as a multi-select delimiter (§2).
fn check_external_id(eid: &str) -> Result<(), NsError> {
    if !eid.is_empty()
        && eid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        Err(NsError::Invalid {
            field: "externalId",
            detail: format!("{eid:?} must match [A-Za-z0-9_-]+"),
        })
    }
}

/// Internal ids are numbers; `eid:<externalId>` is accepted too.
fn check_id(id: &str) -> Result<(), NsError> {
    if let Some(eid) = id.strip_prefix("eid:") {
        return check_external_id(eid);
    }
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(NsError::Invalid {
            field: "id",
            detail: format!("{id:?} must be a numeric internal id or eid:<externalId>"),
        })
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl NetSuiteClient {
    /// Builds the client. Fails if `concurrency` or `max_attempts` is 0 or
    /// the HTTP client cannot be created.
    pub fn new(cfg: NetSuiteConfig) -> Result<Self, NsError> {
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
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                permits,
                limit: AtomicUsize::new(cfg.concurrency),
                successes: AtomicUsize::new(0),
                cfg,
            }),
        })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &NetSuiteConfig {
        &self.inner.cfg
    }

    /// `PUT /record/v1/{type}/eid:{externalId}`: creates or updates, so it is
    /// safe to retry (the idempotent way to write, §6). Returns the internal
    /// id from `Location` when NetSuite sends one.
    pub async fn upsert_by_external_id(
        &self,
        record_type: &str,
        external_id: &str,
        body: &Value,
    ) -> Result<Option<String>, NsError> {
        check_record_type("record_type", record_type)?;
        check_external_id(external_id)?;
        let reply = self
            .execute(Call {
                method: Method::PUT,
                path: format!("{RECORD_PREFIX}/{record_type}/eid:{external_id}"),
                query: Vec::new(),
                body: Some(body),
                kind: Kind::IdempotentWrite,
            })
            .await?;
        Ok(reply.location_id())
    }

    /// `GET /record/v1/{type}/eid:{externalId}`; `Ok(None)` on 404
    /// `NONEXISTENT_ID`. `expand_sub_resources` inlines sublists (§2).
    pub async fn get_by_external_id(
        &self,
        record_type: &str,
        external_id: &str,
        expand_sub_resources: bool,
    ) -> Result<Option<Value>, NsError> {
        check_external_id(external_id)?;
        self.get(
            record_type,
            &format!("eid:{external_id}"),
            expand_sub_resources,
        )
        .await
    }

    /// `GET /record/v1/{type}/{id}`; `Ok(None)` on 404 `NONEXISTENT_ID`.
    pub async fn get(
        &self,
        record_type: &str,
        id: &str,
        expand_sub_resources: bool,
    ) -> Result<Option<Value>, NsError> {
        check_record_type("record_type", record_type)?;
        check_id(id)?;
        let query = if expand_sub_resources {
            vec![("expandSubResources", "true".to_string())]
        } else {
            Vec::new()
        };
        let result = self
            .execute(Call {
                method: Method::GET,
                path: format!("{RECORD_PREFIX}/{record_type}/{id}"),
                query,
                body: None,
                kind: Kind::Read,
            })
            .await;
        match result {
            Ok(reply) => reply.json().map(Some),
            Err(NsError::Api {
                status: 404, code, ..
            }) if code == "NONEXISTENT_ID" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /record/v1/{type}`: returns the new internal id. Never retried
    /// once it may have reached NetSuite: on a timeout, 5xx or broken
    /// connection the error has `maybe_committed() == true` and the caller
    /// must look the record up (by externalId) instead of re-posting.
    pub async fn create(&self, record_type: &str, body: &Value) -> Result<String, NsError> {
        check_record_type("record_type", record_type)?;
        let reply = self
            .execute(Call {
                method: Method::POST,
                path: format!("{RECORD_PREFIX}/{record_type}"),
                query: Vec::new(),
                body: Some(body),
                kind: Kind::NonIdempotentWrite,
            })
            .await?;
        reply
            .location_id()
            .ok_or_else(|| reply.decode("create succeeded but returned no Location id".into()))
    }

    /// `PATCH /record/v1/{type}/{id}`. Retried: the same body applied twice
    /// yields the same record (do not use it to append sublist lines).
    pub async fn patch(&self, record_type: &str, id: &str, body: &Value) -> Result<(), NsError> {
        check_record_type("record_type", record_type)?;
        check_id(id)?;
        self.execute(Call {
            method: Method::PATCH,
            path: format!("{RECORD_PREFIX}/{record_type}/{id}"),
            query: Vec::new(),
            body: Some(body),
            kind: Kind::IdempotentWrite,
        })
        .await
        .map(drop)
    }

    /// `POST /record/v1/{src}/{id}/!transform/{target}` (e.g. salesOrder →
    /// itemFulfillment): returns the new record's id. Same no-blind-retry
    /// rule as [`NetSuiteClient::create`].
    pub async fn transform(
        &self,
        src_type: &str,
        id: &str,
        target_type: &str,
        body: &Value,
    ) -> Result<String, NsError> {
        check_record_type("src_type", src_type)?;
        check_record_type("target_type", target_type)?;
        check_id(id)?;
        let reply = self
            .execute(Call {
                method: Method::POST,
                path: format!("{RECORD_PREFIX}/{src_type}/{id}/!transform/{target_type}"),
                query: Vec::new(),
                body: Some(body),
                kind: Kind::NonIdempotentWrite,
            })
            .await?;
        reply
            .location_id()
            .ok_or_else(|| reply.decode("transform succeeded but returned no Location id".into()))
    }

    /// Runs a SuiteQL query and follows pages (1000 rows each) while
    /// `hasMore`. Each row comes back with its `links` key removed; column
    /// names are lower-cased by NetSuite (§3).
    pub async fn suiteql(&self, query: &str) -> Result<Vec<Map<String, Value>>, NsError> {
        let mut rows = Vec::new();
        let mut offset = 0usize;
        loop {
            let page = self.suiteql_page(query, SUITEQL_MAX_LIMIT, offset).await?;
            let n = page.items.len();
            rows.extend(page.items);
            if !page.has_more {
                return Ok(rows);
            }
            if n == 0 {
                // hasMore with an empty page would loop forever.
                return Err(NsError::Decode {
                    status: 200,
                    detail: format!("SuiteQL page at offset {offset} is empty but hasMore is true"),
                    system_call: format!(
                        "POST {SUITEQL_PATH}?limit={SUITEQL_MAX_LIMIT}&offset={offset}"
                    ),
                    body: String::new(),
                });
            }
            offset += n;
        }
    }

    /// One SuiteQL page: `POST /query/v1/suiteql?limit=&offset=` with
    /// `Prefer: transient`. `limit` is clamped to 1..=1000.
    pub async fn suiteql_page(
        &self,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> Result<SuiteQlPage, NsError> {
        let limit = limit.clamp(1, SUITEQL_MAX_LIMIT);
        let body = json!({ "q": query });
        let reply = self
            .execute(Call {
                method: Method::POST,
                path: SUITEQL_PATH.to_string(),
                query: vec![
                    ("limit", pct(&limit.to_string())),
                    ("offset", pct(&offset.to_string())),
                ],
                body: Some(&body),
                kind: Kind::Query,
            })
            .await?;
        let v = reply.json()?;
        let items = v
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| reply.decode("SuiteQL response has no items array".into()))?;
        let items = items
            .iter()
            .filter_map(|i| {
                let mut m = i.as_object()?.clone();
                m.remove("links");
                Some(m)
            })
            .collect();
        Ok(SuiteQlPage {
            items,
            has_more: v.get("hasMore").and_then(Value::as_bool).unwrap_or(false),
            total_results: v.get("totalResults").and_then(Value::as_u64),
        })
    }

    /// Sends `call`, retrying what is safe to retry. Every attempt holds a
    /// semaphore permit for its whole duration (not during backoff) and is
    /// signed with a fresh nonce and timestamp (NetSuite rejects reuse).
    async fn execute(&self, call: Call<'_>) -> Result<Reply, NsError> {
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
            loop {
                attempt += 1;
                let started = Instant::now();
                let outcome =
                    {
                        let permit = self.inner.permits.acquire().await.map_err(|_| {
                            NsError::Connection {
                                attempts: attempt,
                                detail: "client semaphore closed".into(),
                                system_call: system_call.clone(),
                                maybe_committed: false,
                            }
                        })?;
                        let outcome = self.attempt(&call, &url, body.as_deref()).await;
                        self.adapt(permit, &outcome);
                        outcome
                    };
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
                let retry = self.may_retry(&call, &err) && attempt < cfg.max_attempts;
                let status = match &err {
                    AttemptError::Status { status, .. } => status.as_u16(),
                    _ => 0,
                };
                if retry {
                    let wait = self.backoff(attempt);
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

    /// One signed HTTP exchange; the body is read within the same timeout.
    async fn attempt(
        &self,
        call: &Call<'_>,
        url: &str,
        body: Option<&[u8]>,
    ) -> Result<Reply, AttemptError> {
        let auth = authorization_header(
            &self.inner.cfg.credentials,
            call.method.as_str(),
            url,
            &new_nonce(),
            unix_now(),
        );
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url)
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

/// One page of SuiteQL results.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteQlPage {
    /// Rows with `links` removed.
    pub items: Vec<Map<String, Value>>,
    pub has_more: bool,
    pub total_results: Option<u64>,
}

fn network_error(e: reqwest::Error) -> AttemptError {
    if e.is_timeout() {
        AttemptError::Timeout
    } else {
        AttemptError::Network {
            detail: e.to_string(),
            sent: !e.is_connect(),
        }
    }
}

fn attempt_label(e: &AttemptError) -> &'static str {
    match e {
        AttemptError::Status { .. } => "http_error",
        AttemptError::Timeout => "timeout",
        AttemptError::Network { .. } => "network_error",
    }
}

/// The final error for the order log.
fn to_error(err: AttemptError, call: &Call<'_>, attempts: u32, system_call: String) -> NsError {
    let unknown_outcome = !call.kind.idempotent();
    match err {
        AttemptError::Timeout => NsError::Timeout {
            attempts,
            system_call,
            maybe_committed: unknown_outcome,
        },
        AttemptError::Network { detail, sent } => NsError::Connection {
            attempts,
            detail,
            system_call,
            maybe_committed: unknown_outcome && sent,
        },
        AttemptError::Status { status, body } => {
            let code = status.as_u16();
            let doc = parse_error_doc(code, &body);
            let body = body_text(&body);
            match code {
                401 | 403 => NsError::Unauthorized {
                    status: code,
                    code: doc.code,
                    detail: doc.detail,
                    system_call,
                    body,
                },
                429 => NsError::Throttled {
                    attempts,
                    code: doc.code,
                    detail: doc.detail,
                    system_call,
                    body,
                },
                500..=599 => NsError::Server {
                    status: code,
                    attempts,
                    code: doc.code,
                    detail: doc.detail,
                    system_call,
                    body,
                    maybe_committed: unknown_outcome,
                },
                _ => NsError::Api {
                    status: code,
                    code: doc.code,
                    detail: doc.detail,
                    error_path: doc.path,
                    system_call,
                    body,
                },
            }
        }
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
