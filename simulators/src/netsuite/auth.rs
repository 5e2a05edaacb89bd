//! Authentication as NetSuite applies it, both ways a REST call may carry:
//! - TBA (OAuth 1.0a, help section_158618788810 and the REST notes §1a):
//!   HMAC-SHA256 over method, URL and query (not the JSON body, not the
//!   realm), realm = account id, bounded clock skew and no nonce reuse;
//! - `Bearer` access tokens from the OAuth 2.0 client credentials (M2M)
//!   token endpoint (section_162755359851, section_162790605110,
//!   section_0312092247; REST notes §1b), whose token endpoint is below.
//!
//! Every failure of a REST call is the same opaque 401 INVALID_LOGIN, as on
//! the real service; the reason goes to the log only.

use axum::http::{header, HeaderMap, Method, Uri};

use super::{NetSuiteSim, NsError};

/// Allowed skew between oauth_timestamp and server time. NetSuite's exact
/// window is unverified (netsuite-rest-api.md "Open items"); 5 minutes is the
/// common OAuth 1.0a server default.
const MAX_SKEW_SECS: i64 = 300;

/// Nonces are remembered a little longer than the skew window, after which a
/// replay would be rejected for its timestamp anyway.
const NONCE_TTL_SECS: i64 = 2 * MAX_SKEW_SECS;

/// Checks the `Authorization` header of a `/services/rest` request.
pub(crate) fn check(
    sim: &NetSuiteSim,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), NsError> {
    let account = sim.account_id().to_string();
    let reject = |why: &str| {
        tracing::info!(
            reason = why,
            path = uri.path(),
            "netsuite sim rejected login"
        );
        NsError::invalid_login(&account)
    };
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| reject("no Authorization header"))?;
    if let Some(token) = auth.strip_prefix("Bearer ") {
        return sim.m2m_check_bearer(token.trim()).map_err(&reject);
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| reject("no Host header"))?;
    // The client signed the URL it called; on loopback that is plain http.
    let url = match uri.query() {
        Some(q) => format!("http://{host}{}?{q}", uri.path()),
        None => format!("http://{host}{}", uri.path()),
    };
    let seed = sim.seed();
    let verified =
        shared::signing::netsuite::verify_request(auth, method.as_str(), &url, |ck, tid| {
            (ck == seed.consumer_key && tid == seed.token_id)
                .then(|| (seed.consumer_secret.clone(), seed.token_secret.clone()))
        })
        .map_err(|e| reject(&e.to_string()))?;
    if verified.realm.as_deref() != Some(account.as_str()) {
        return Err(reject("realm does not match the account id"));
    }
    if verified.nonce.len() < 6 {
        return Err(reject("nonce shorter than 6 characters"));
    }
    let now = crate::now_secs();
    let ts = i64::try_from(verified.timestamp).unwrap_or(i64::MAX);
    if (now - ts).abs() > MAX_SKEW_SECS {
        return Err(reject("oauth_timestamp outside the allowed skew"));
    }
    let mut st = sim.state();
    st.nonces.retain(|_, seen| now - *seen <= NONCE_TTL_SECS);
    let key = (
        verified.consumer_key,
        verified.token_id,
        verified.nonce,
        verified.timestamp,
    );
    if st.nonces.contains_key(&key) {
        drop(st);
        return Err(reject("nonce and timestamp already used"));
    }
    st.nonces.insert(key, now);
    Ok(())
}

// ---------------------------------------------------------------------------
// OAuth 2.0 client credentials (M2M)
// ---------------------------------------------------------------------------

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::signing::netsuite_m2m::{
    AssertionClaims, CLIENT_ASSERTION_TYPE, GRANT_TYPE, MAX_ASSERTION_SECS, SCOPE, TOKEN_PATH,
};

use crate::lock;

/// Oracle: the access token "is valid for 60 minutes" (§1b).
pub const ACCESS_TOKEN_SECS: i64 = 60 * 60;

/// The scope values Oracle lists for the `scope` claim (§1b).
const KNOWN_SCOPES: [&str; 3] = ["restlets", "rest_webservices", "suite_analytics"];

/// Allowed skew for a future `iat` (the same window as TBA timestamps; Oracle
/// does not state one).
const IAT_SKEW_SECS: i64 = MAX_SKEW_SECS;

/// One row of Setup > Integration > OAuth 2.0 Client Credentials (M2M)
/// Setup: a certificate uploaded for an integration (client id), whose
/// certificate id the JWT names as `kid` (section_162790605110).
#[derive(Debug, Clone, Deserialize)]
pub struct M2mClient {
    pub client_id: String,
    pub certificate_id: String,
    /// The uploaded X.509 certificate (or public key), PEM.
    pub certificate: String,
}

/// Counters of the token endpoint, for tests.
#[derive(Debug, Clone, Default, Serialize)]
pub struct M2mStats {
    /// Every `POST /services/rest/auth/oauth2/v1/token`.
    pub token_requests: u64,
    pub tokens_issued: u64,
    pub tokens_refused: u64,
    /// Why the last refused request was refused (never sent to the client).
    pub last_refusal: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyFamily {
    Rsa,
    Ec,
}

struct Registered {
    client_id: String,
    key: DecodingKey,
    family: KeyFamily,
}

struct Issued {
    expires_at: i64,
}

/// The simulator's M2M state: registered certificates and issued tokens.
/// `reset()` leaves it alone: certificates are account set-up, like the
/// seed's TBA keys (tests read counter differences).
#[derive(Default)]
pub(crate) struct M2m {
    state: Mutex<M2mState>,
}

#[derive(Default)]
struct M2mState {
    /// certificate id → mapping.
    clients: HashMap<String, Registered>,
    /// access token → expiry.
    tokens: HashMap<String, Issued>,
    /// Every bearer token is refused at the REST endpoints (a role or
    /// mapping revoked after the token was issued), for retry tests.
    refuse_tokens: bool,
    stats: M2mStats,
}

/// An RFC 6749 §5.2 error: `400 {"error": code}`. Oracle's excerpt does not
/// show its error bodies; one status and the standard codes, with the reason
/// kept to the log (and to [`M2mStats::last_refusal`]), is the harsher reading.
struct Refusal {
    code: &'static str,
    why: String,
}

fn refuse(code: &'static str, why: impl Into<String>) -> Refusal {
    Refusal {
        code,
        why: why.into(),
    }
}

impl NetSuiteSim {
    fn m2m(&self) -> std::sync::MutexGuard<'_, M2mState> {
        lock(&self.inner.m2m.state)
    }

    /// Registers a certificate for a client id, as the M2M setup page does.
    /// Refuses a PEM that is not an RSA or EC certificate / public key.
    pub fn register_m2m_client(&self, client: M2mClient) -> Result<(), String> {
        let pem = client.certificate.as_bytes();
        let (key, family) = match DecodingKey::from_ec_pem(pem) {
            Ok(k) => (k, KeyFamily::Ec),
            Err(_) => match DecodingKey::from_rsa_pem(pem) {
                Ok(k) => (k, KeyFamily::Rsa),
                Err(e) => return Err(format!("not an RSA or EC certificate: {e}")),
            },
        };
        self.m2m().clients.insert(
            client.certificate_id,
            Registered {
                client_id: client.client_id,
                key,
                family,
            },
        );
        Ok(())
    }

    /// Forgets every issued access token: the next REST call with one gets 401.
    pub fn revoke_m2m_tokens(&self) {
        self.m2m().tokens.clear();
    }

    /// While set, the REST endpoints refuse every bearer token, new ones too.
    pub fn set_m2m_tokens_refused(&self, refused: bool) {
        self.m2m().refuse_tokens = refused;
    }

    pub fn m2m_stats(&self) -> M2mStats {
        self.m2m().stats.clone()
    }

    /// A bearer token on a REST call: issued here and not expired.
    pub(crate) fn m2m_check_bearer(&self, token: &str) -> Result<(), &'static str> {
        let mut st = self.m2m();
        let now = crate::now_secs();
        st.tokens.retain(|_, t| t.expires_at > now);
        if st.refuse_tokens {
            return Err("bearer tokens are refused (test switch)");
        }
        match st.tokens.get(token) {
            Some(_) => Ok(()),
            None => Err("unknown or expired access token"),
        }
    }

    /// Checks a token request; on success returns a new access token.
    fn m2m_issue(&self, headers: &HeaderMap, body: &[u8]) -> Result<String, Refusal> {
        // The form content type is what Oracle's flow sends (§1b); anything
        // else (JSON, no type) is refused: the harsher reading.
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim() == "application/x-www-form-urlencoded")
            });
        if !form {
            return Err(refuse("invalid_request", "body is not form-encoded"));
        }
        let params = form_pairs(body);
        let param = |k: &str| params.get(k).map(String::as_str);
        if param("grant_type") != Some(GRANT_TYPE) {
            return Err(refuse(
                "unsupported_grant_type",
                "grant_type is not client_credentials",
            ));
        }
        if param("client_assertion_type") != Some(CLIENT_ASSERTION_TYPE) {
            return Err(refuse(
                "invalid_request",
                "client_assertion_type is not the jwt-bearer URN",
            ));
        }
        let jwt = param("client_assertion")
            .ok_or_else(|| refuse("invalid_request", "no client_assertion"))?;
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refuse("invalid_request", "no Host header"))?;
        let token_url = format!("http://{host}{TOKEN_PATH}");
        let claims = self.m2m_verify(jwt, &token_url)?;
        let now = crate::now_secs();
        if claims.exp - claims.iat > MAX_ASSERTION_SECS {
            return Err(refuse(
                "invalid_client",
                "exp is more than 60 minutes after iat",
            ));
        }
        if claims.iat > now + IAT_SKEW_SECS {
            return Err(refuse("invalid_client", "iat is in the future"));
        }
        check_scope(&claims.scope)?;
        let token = format!("sim-at-{}", shared::signing::netsuite::new_nonce());
        self.m2m().tokens.insert(
            token.clone(),
            Issued {
                expires_at: now + ACCESS_TOKEN_SECS,
            },
        );
        Ok(token)
    }

    /// Header rules (`typ`, `alg`, `kid`), then the signature with the
    /// registered certificate, `aud`, `iss` and `exp`.
    fn m2m_verify(&self, jwt: &str, token_url: &str) -> Result<AssertionClaims, Refusal> {
        let head = jsonwebtoken::decode_header(jwt).map_err(|e| {
            refuse(
                "invalid_request",
                format!("client_assertion is not a JWT: {e}"),
            )
        })?;
        if head.typ.as_deref() != Some("JWT") {
            return Err(refuse("invalid_client", "JWT typ is not \"JWT\""));
        }
        // Oracle's list: PS256/384/512 and ES256/384/512; RS256 is not in it.
        // ES512 is not verifiable with this JWT library, so it is refused too.
        let family = match head.alg {
            Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => KeyFamily::Rsa,
            Algorithm::ES256 | Algorithm::ES384 => KeyFamily::Ec,
            other => {
                return Err(refuse(
                    "invalid_client",
                    format!("JWT alg {other:?} is not allowed (PS256/384/512, ES256/384)"),
                ))
            }
        };
        let kid = head
            .kid
            .ok_or_else(|| refuse("invalid_client", "JWT has no kid"))?;
        let st = self.m2m();
        let reg = st
            .clients
            .get(&kid)
            .ok_or_else(|| refuse("invalid_client", "kid names no registered certificate"))?;
        if reg.family != family {
            return Err(refuse(
                "invalid_client",
                "JWT alg does not fit the certificate's key type",
            ));
        }
        let mut v = Validation::new(head.alg);
        v.set_audience(&[token_url]);
        v.set_issuer(&[reg.client_id.as_str()]);
        v.set_required_spec_claims(&["exp", "iat", "aud", "iss"]);
        v.leeway = 0;
        jsonwebtoken::decode::<AssertionClaims>(jwt, &reg.key, &v)
            .map(|d| d.claims)
            .map_err(|e| refuse("invalid_client", format!("JWT refused: {e}")))
    }
}

/// `scope`: comma-separated values Oracle knows, including
/// `rest_webservices`. A token without it could call nothing this simulator
/// serves, so it is refused at once (harsher than Oracle, which might issue
/// it and refuse the REST calls).
fn check_scope(scope: &str) -> Result<(), Refusal> {
    let values: Vec<&str> = scope.split(',').map(str::trim).collect();
    if let Some(bad) = values.iter().find(|s| !KNOWN_SCOPES.contains(s)) {
        return Err(refuse("invalid_scope", format!("unknown scope {bad:?}")));
    }
    if !values.contains(&SCOPE) {
        return Err(refuse("invalid_scope", "scope lacks rest_webservices"));
    }
    Ok(())
}

/// Decoded `k=v&…` pairs of a form body.
fn form_pairs(body: &[u8]) -> HashMap<String, String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `POST /services/rest/auth/oauth2/v1/token` (section_162755359851).
/// Response: `{"access_token","expires_in","token_type"}`; Oracle fixes
/// `expires_in` and `token_type` but the excerpt does not show their values,
/// so `expires_in` is sent as the string `"3600"` (a client must read a
/// string as well as a number) and `token_type` as `"Bearer"`.
pub(crate) async fn token(
    State(sim): State<NetSuiteSim>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    sim.m2m().stats.token_requests += 1;
    match sim.m2m_issue(&headers, &body) {
        Ok(access_token) => {
            sim.m2m().stats.tokens_issued += 1;
            Json(json!({
                "access_token": access_token,
                "expires_in": ACCESS_TOKEN_SECS.to_string(),
                "token_type": "Bearer",
            }))
            .into_response()
        }
        Err(r) => {
            tracing::info!(reason = %r.why, "netsuite sim refused a token request");
            let mut st = sim.m2m();
            st.stats.tokens_refused += 1;
            st.stats.last_refusal = Some(r.why);
            (StatusCode::BAD_REQUEST, Json(json!({"error": r.code}))).into_response()
        }
    }
}

/// `POST /_sim/m2m/clients` `{client_id, certificate_id, certificate}`.
pub(crate) async fn register(State(sim): State<NetSuiteSim>, Json(c): Json<M2mClient>) -> Response {
    match sim.register_m2m_client(c) {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"error": e}))).into_response(),
    }
}

/// `POST /_sim/m2m/revoke`: forgets every issued access token.
pub(crate) async fn revoke(State(sim): State<NetSuiteSim>) -> Json<serde_json::Value> {
    sim.revoke_m2m_tokens();
    Json(json!({"ok": true}))
}

/// `GET /_sim/m2m/stats`.
pub(crate) async fn stats(State(sim): State<NetSuiteSim>) -> Json<M2mStats> {
    Json(sim.m2m_stats())
}
