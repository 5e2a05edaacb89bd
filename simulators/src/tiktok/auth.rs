//! The checks every Open API call passes before any handler runs, in the
//! order the simulator applies them. Keeping them in one place makes the
//! precedence explicit: a request with two faults reports the first.
//!
//! Code choices (tiktok-shop-api.md §8): missing or malformed common
//! parameters (app_key, timestamp, sign, token header) and a stale timestamp
//! use the catch-all 36009004; a wrong sign is 106001; an unknown or
//! mismatched token is 101000; an expired one 105002; a missing shop_cipher
//! 106013; a scope the seller did not grant 105005; rate limiting 36009002
//! with HTTP 429.

use axum::http::{HeaderMap, StatusCode};
use std::time::{Duration, Instant};

use super::{ApiError, TikTokSim};
use crate::seed::ShopSeed;

/// Accepted clock skew: timestamps must lie in [now - 300 s, now + 30 s].
const MAX_AGE_SECS: i64 = 300;
const MAX_FUTURE_SECS: i64 = 30;

/// A call that passed every common check.
pub(crate) struct Authed {
    pub(crate) shop: ShopSeed,
    /// Decoded query pairs.
    pub(crate) query: Vec<(String, String)>,
}

impl Authed {
    pub(crate) fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Whether an API takes `shop_cipher`. Authorization and seller APIs reject
/// it (EcomPHP strips it for these prefixes, §1).
fn is_shop_scoped(path: &str) -> bool {
    !(path.starts_with("/authorization/") || path.starts_with("/seller/"))
}

/// Decodes a raw query string the way TikTok signs it (decoded values).
pub(crate) fn decode_query(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw else { return Vec::new() };
    raw.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs the common checks for `path`.
pub(crate) fn authenticate(
    sim: &TikTokSim,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Authed, ApiError> {
    let query = decode_query(raw_query);
    let get = |k: &str| {
        query
            .iter()
            .find(|(qk, _)| qk == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let now = crate::now_secs();
    let mut st = sim.state();

    // 1. app_key
    let app_key = get("app_key")
        .ok_or_else(|| ApiError::ok_status(36009004, "Invalid parameter: app_key is required"))?;
    if app_key != st.app_key {
        return Err(ApiError::ok_status(
            36009004,
            "Invalid credentials: app_key does not exist",
        ));
    }

    // 2. timestamp
    let ts = get("timestamp")
        .ok_or_else(|| ApiError::ok_status(36009004, "Invalid parameter: timestamp is required"))?;
    let ts: i64 = ts.parse().map_err(|_| {
        ApiError::ok_status(
            36009004,
            "Invalid parameter: timestamp must be unix seconds",
        )
    })?;
    if ts < now - MAX_AGE_SECS || ts > now + MAX_FUTURE_SECS {
        return Err(ApiError::ok_status(
            36009004,
            "Invalid timestamp: it must be within 5 minutes before and 30 seconds after server time",
        ));
    }

    // 3. sign, over path + decoded query (minus sign/access_token) + raw body
    let sign = get("sign")
        .ok_or_else(|| ApiError::ok_status(36009004, "Invalid parameter: sign is required"))?;
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = (!body.is_empty()).then_some(body);
    if !shared::signing::tiktok::verify_api_sign(&st.app_secret, path, &pairs, body, sign) {
        return Err(ApiError::ok_status(106001, "Invalid sign"));
    }

    // 4. access token header
    let token = headers
        .get("x-tts-access-token")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::ok_status(
                36009004,
                "Invalid parameter: x-tts-access-token header is required",
            )
        })?;
    let shop = st
        .shops
        .iter()
        .find(|s| s.access_token == token)
        .cloned()
        .ok_or_else(|| ApiError::ok_status(101000, "Invalid access_token"))?;
    if shop.access_token_expire_in <= now {
        return Err(ApiError::ok_status(
            105002,
            "access token is expired, please refresh it",
        ));
    }

    // 5. shop_cipher
    let cipher = get("shop_cipher");
    if is_shop_scoped(path) {
        let cipher =
            cipher.ok_or_else(|| ApiError::ok_status(106013, "shop_cipher is required"))?;
        if cipher != shop.cipher {
            return Err(ApiError::ok_status(
                101000,
                "Invalid access_token: it does not match shop_cipher",
            ));
        }
    } else if cipher.is_some() {
        return Err(ApiError::ok_status(
            36009004,
            "Unexpected identifier: shop_cipher",
        ));
    }

    // 5b. scope: 105005 "scope not granted" (§8) when the seller did not
    // grant the scope the API needs (`shared::tiktok::scopes`; TikTok's
    // message wording is not documented, and it does not name the scope
    // here: the harsher reading, the client must know which scope it is).
    if let Some(scope) = shared::tiktok::scopes::scope_for_path(path) {
        if !shop.granted_scopes.iter().any(|g| g == scope) {
            return Err(ApiError::ok_status(
                105005,
                "Access denied: the seller has not granted the scope this API needs",
            ));
        }
    }

    // 6. per (app, shop, path) QPS, sliding one-second window
    let limit = st.qps_limit as usize;
    let key = (app_key.to_string(), shop.id.clone(), path.to_string());
    let window = st.windows.entry(key).or_default();
    let now_i = Instant::now();
    while window
        .front()
        .is_some_and(|t| now_i.duration_since(*t) >= Duration::from_secs(1))
    {
        window.pop_front();
    }
    if window.len() >= limit {
        return Err(ApiError {
            http: StatusCode::TOO_MANY_REQUESTS,
            code: 36009002,
            message: "Too many requests".into(),
        });
    }
    window.push_back(now_i);

    Ok(Authed { shop, query })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        let q = decode_query(Some("a=1%2B2&b=x+y&page_token=ab%2F%3D&c=%zz&d"));
        assert_eq!(
            q,
            vec![
                ("a".into(), "1+2".into()),
                ("b".into(), "x y".into()),
                ("page_token".into(), "ab/=".into()),
                ("c".into(), "%zz".into()),
                ("d".into(), String::new()),
            ]
        );
    }
}
