//! TBA verification as NetSuite applies it: HMAC-SHA256 over method, URL and
//! query (not the JSON body, not the realm), realm = account id, bounded clock
//! skew and no nonce reuse. Every failure is the same opaque 401 INVALID_LOGIN,
//! as on the real service; the reason goes to the log only.

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
