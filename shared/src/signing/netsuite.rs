//! NetSuite Token-Based Authentication: OAuth 1.0a with HMAC-SHA256.
//!
//! Rules from the NetSuite REST reference notes, §1a (Oracle's TBA pages): base string = `METHOD&pct(url without
//! query)&pct(sorted params)`, where params are the six `oauth_*` values plus
//! every query parameter (JSON bodies and the realm are not signed); key =
//! `pct(consumer_secret)&pct(token_secret)`; signature = base64(HMAC-SHA256).

use base64::Engine as _;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::collections::BTreeMap;

use super::hmac_sha256;

/// RFC 5849 §3.6: everything but ALPHA, DIGIT, `-`, `.`, `_`, `~` is encoded.
const RFC5849: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// RFC 5849 percent-encoding.
pub fn pct(s: &str) -> String {
    utf8_percent_encode(s, RFC5849).to_string()
}

/// The four secrets plus the realm (account id) of a TBA integration.
#[derive(Clone)]
pub struct TbaCredentials {
    /// Account id in NetSuite's own form, e.g. `1234567_SB1`; sent as realm.
    pub realm: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token_id: String,
    pub token_secret: String,
}

impl std::fmt::Debug for TbaCredentials {
    // Secrets never reach a log line, even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TbaCredentials")
            .field("realm", &self.realm)
            .field("consumer_key", &"<redacted>")
            .field("token_id", &"<redacted>")
            .finish()
    }
}

/// Splits `scheme://host[:port]/path?query` into the normalized base URL and
/// the decoded query pairs.
fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            let scheme = scheme.to_ascii_lowercase();
            let host = host.to_ascii_lowercase();
            // Default ports are omitted from the base string (RFC 5849 §3.4.1.2).
            let host = match (scheme.as_str(), host.rsplit_once(':')) {
                ("https", Some((h, "443"))) | ("http", Some((h, "80"))) => h.to_string(),
                _ => host,
            };
            format!("{scheme}://{host}{path}")
        }
        None => base.to_string(),
    };
    let pairs = query
        .map(|q| {
            q.split('&')
                .filter(|s| !s.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (form_decode(k), form_decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    (base, pairs)
}

fn form_decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Builds the signature base string. `extra` holds decoded parameters beyond
/// the URL's query (form-body params in RFC vectors; none for JSON bodies).
pub fn base_string(
    method: &str,
    url: &str,
    oauth: &[(String, String)],
    extra: &[(String, String)],
) -> String {
    let (base_url, mut params) = split_url(url);
    params.extend(oauth.iter().cloned());
    params.extend(extra.iter().cloned());
    let mut encoded: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (pct(&k), pct(&v)))
        .collect();
    encoded.sort();
    let joined = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        pct(&base_url),
        pct(&joined)
    )
}

fn oauth_params(creds: &TbaCredentials, nonce: &str, timestamp: u64) -> Vec<(String, String)> {
    vec![
        ("oauth_consumer_key".into(), creds.consumer_key.clone()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), "HMAC-SHA256".into()),
        ("oauth_timestamp".into(), timestamp.to_string()),
        ("oauth_token".into(), creds.token_id.clone()),
        ("oauth_version".into(), "1.0".into()),
    ]
}

/// Base64 HMAC-SHA256 over a base string with the two secrets.
pub fn signature(consumer_secret: &str, token_secret: &str, base: &str) -> String {
    let key = format!("{}&{}", pct(consumer_secret), pct(token_secret));
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key.as_bytes(), base.as_bytes()))
}

/// The full `Authorization: OAuth …` header value for one request.
pub fn authorization_header(
    creds: &TbaCredentials,
    method: &str,
    url: &str,
    nonce: &str,
    timestamp: u64,
) -> String {
    let oauth = oauth_params(creds, nonce, timestamp);
    let base = base_string(method, url, &oauth, &[]);
    let sig = signature(&creds.consumer_secret, &creds.token_secret, &base);
    let mut parts = vec![format!("realm=\"{}\"", pct(&creds.realm))];
    parts.extend(oauth.iter().map(|(k, v)| format!("{k}=\"{}\"", pct(v))));
    parts.push(format!("oauth_signature=\"{}\"", pct(&sig)));
    format!("OAuth {}", parts.join(", "))
}

/// A fresh 20-character nonce (NetSuite wants at least 6, ideally 20).
pub fn new_nonce() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
}

/// Why an `Authorization` header was refused; the simulator turns each into
/// NetSuite's 401 `INVALID_LOGIN`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TbaError {
    #[error("Authorization header is missing or is not OAuth")]
    NotOAuth,
    #[error("OAuth parameter {0} is missing")]
    Missing(&'static str),
    #[error("unsupported oauth_signature_method {0}; NetSuite requires HMAC-SHA256")]
    Method(String),
    #[error("oauth_signature does not match")]
    BadSignature,
}

/// Parses an `OAuth k="v", …` header into decoded key/value pairs.
pub fn parse_authorization_header(header: &str) -> Result<BTreeMap<String, String>, TbaError> {
    let rest = header
        .trim()
        .strip_prefix("OAuth ")
        .ok_or(TbaError::NotOAuth)?;
    let mut out = BTreeMap::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').ok_or(TbaError::NotOAuth)?;
        let v = v.trim().trim_matches('"');
        out.insert(
            k.trim().to_string(),
            percent_decode_str(v).decode_utf8_lossy().into_owned(),
        );
    }
    Ok(out)
}

/// Parsed and signature-checked OAuth parameters of a request.
#[derive(Debug, Clone)]
pub struct VerifiedOAuth {
    pub realm: Option<String>,
    pub consumer_key: String,
    pub token_id: String,
    pub nonce: String,
    pub timestamp: u64,
}

/// Verifies a request's header the way NetSuite does. `secrets` maps a
/// (consumer key, token id) pair to its two secrets; unknown keys fail.
///
/// The base string covers every protocol parameter the client actually sent
/// in the header (RFC 5849 §3.4.1.3.1: all `oauth_*` parameters except
/// `oauth_signature`, and not `realm`; Oracle section_157652573296 repeats the
/// realm rule), plus the query. So a client that adds `oauth_body_hash` or
/// omits the optional `oauth_version` (RFC 5849 §3.1) still verifies, and any
/// sent parameter that is altered after signing fails.
pub fn verify_request(
    header: &str,
    method: &str,
    url: &str,
    secrets: impl Fn(&str, &str) -> Option<(String, String)>,
) -> Result<VerifiedOAuth, TbaError> {
    let p = parse_authorization_header(header)?;
    let get = |k: &'static str| p.get(k).cloned().ok_or(TbaError::Missing(k));
    let method_name = get("oauth_signature_method")?;
    if method_name != "HMAC-SHA256" {
        return Err(TbaError::Method(method_name));
    }
    let consumer_key = get("oauth_consumer_key")?;
    let token_id = get("oauth_token")?;
    let nonce = get("oauth_nonce")?;
    let ts_raw = get("oauth_timestamp")?;
    let given = get("oauth_signature")?;
    let timestamp = ts_raw
        .parse::<u64>()
        .map_err(|_| TbaError::Missing("oauth_timestamp"))?;
    if p.get("oauth_version").is_some_and(|v| v != "1.0") {
        // RFC 5849 §3.1: if present, the value MUST be "1.0".
        return Err(TbaError::BadSignature);
    }
    let (cs, ts) = secrets(&consumer_key, &token_id).ok_or(TbaError::BadSignature)?;
    let oauth: Vec<(String, String)> = p
        .iter()
        .filter(|(k, _)| k.starts_with("oauth_") && k.as_str() != "oauth_signature")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let expected = signature(&cs, &ts, &base_string(method, url, &oauth, &[]));
    if !super::tiktok::constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        return Err(TbaError::BadSignature);
    }
    Ok(VerifiedOAuth {
        realm: p.get("realm").cloned(),
        consumer_key,
        token_id,
        nonce,
        timestamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oracle_creds(realm: &str) -> TbaCredentials {
        TbaCredentials {
            realm: realm.into(),
            consumer_key: "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4".into(),
            consumer_secret: "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5"
                .into(),
            token_id: "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc".into(),
            token_secret: "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295".into(),
        }
    }
    const NONCE: &str = "fjaLirsIcCGVZWzBX0pg";
    const TS: u64 = 1508242306;

    #[test]
    fn vector_1_rest_get() {
        let c = oracle_creds("123456");
        let url = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40";
        let base = base_string("GET", url, &oauth_params(&c, NONCE, TS), &[]);
        assert_eq!(base, "GET&https%3A%2F%2F123456.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Femployee%2F40&oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0");
        assert_eq!(
            signature(&c.consumer_secret, &c.token_secret, &base),
            "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="
        );
        let h = authorization_header(&c, "GET", url, NONCE, TS);
        assert!(h.starts_with("OAuth realm=\"123456\", "));
        assert!(
            h.contains("oauth_signature=\"B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D\"")
        );
        let v = verify_request(&h, "GET", url, |_, _| {
            Some((c.consumer_secret.clone(), c.token_secret.clone()))
        });
        assert!(v.is_ok(), "{v:?}");
    }

    #[test]
    fn vector_2_query_params_signed_realm_not() {
        let c = oracle_creds("1234567");
        let url = "https://1234567.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue&testParam=someOtherValue";
        let base = base_string("POST", url, &oauth_params(&c, NONCE, TS), &[]);
        assert!(base.starts_with("POST&https%3A%2F%2F1234567.restlets.api.netsuite.com%2Fapp%2Fsite%2Fhosting%2Frestlet.nl&customParam%3DsomeValue%26deploy%3D1%26oauth_consumer_key"));
        assert!(base.ends_with("oauth_version%3D1.0%26script%3D6%26testParam%3DsomeOtherValue"));
        assert_eq!(
            signature(&c.consumer_secret, &c.token_secret, &base),
            "i7MEtGwhCTIZbTsTrNGw9LdcERn4wsjt5C7TxmKWIfU="
        );
        let url2 = url.replace("1234567.", "123456.");
        let base2 = base_string("POST", &url2, &oauth_params(&c, NONCE, TS), &[]);
        assert_eq!(
            signature(&c.consumer_secret, &c.token_secret, &base2),
            "+KK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ="
        );
        // The realm does not change the signature.
        let h1 = authorization_header(&c, "POST", url, NONCE, TS);
        let h2 = authorization_header(&oracle_creds("OTHER"), "POST", url, NONCE, TS);
        let sig = |h: &str| {
            parse_authorization_header(h)
                .ok()
                .and_then(|m| m.get("oauth_signature").cloned())
        };
        assert_eq!(sig(&h1), sig(&h2));
    }

    #[test]
    fn vector_3_rfc5849_encoding() {
        let oauth: Vec<(String, String)> = [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_nonce", "7d8f3e4a"),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", "137131201"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = vec![
            ("c2".to_string(), String::new()),
            ("a3".to_string(), "2 q".to_string()),
        ];
        let base = base_string(
            "POST",
            "https://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
            &oauth,
            &form,
        );
        assert_eq!(base, "POST&https%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7%26oauth_version%3D1.0");
    }

    #[test]
    fn verify_rejects_wrong_secret_url_or_method() {
        let c = oracle_creds("123456");
        let url = "http://127.0.0.1:8080/services/rest/query/v1/suiteql?limit=10&offset=0";
        let h = authorization_header(&c, "POST", url, "abcdefghij", 1);
        let good = |_: &str, _: &str| Some((c.consumer_secret.clone(), c.token_secret.clone()));
        assert!(verify_request(&h, "POST", url, good).is_ok());
        // Paging parameters are signed: dropping them breaks the signature.
        let unpaged = "http://127.0.0.1:8080/services/rest/query/v1/suiteql";
        assert_eq!(
            verify_request(&h, "POST", unpaged, good).unwrap_err(),
            TbaError::BadSignature
        );
        assert_eq!(
            verify_request(&h, "GET", url, good).unwrap_err(),
            TbaError::BadSignature
        );
        let bad = |_: &str, _: &str| Some(("x".to_string(), "y".to_string()));
        assert_eq!(
            verify_request(&h, "POST", url, bad).unwrap_err(),
            TbaError::BadSignature
        );
        assert_eq!(
            verify_request("Bearer x", "POST", url, good).unwrap_err(),
            TbaError::NotOAuth
        );
    }

    /// Builds a header over exactly `oauth` (signed as given), as a client
    /// with a different parameter set would.
    fn custom_header(
        c: &TbaCredentials,
        method: &str,
        url: &str,
        oauth: &[(&str, &str)],
    ) -> String {
        let owned: Vec<(String, String)> = oauth
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let sig = signature(
            &c.consumer_secret,
            &c.token_secret,
            &base_string(method, url, &owned, &[]),
        );
        let mut parts = vec![format!("realm=\"{}\"", pct(&c.realm))];
        parts.extend(owned.iter().map(|(k, v)| format!("{k}=\"{}\"", pct(v))));
        parts.push(format!("oauth_signature=\"{}\"", pct(&sig)));
        format!("OAuth {}", parts.join(", "))
    }

    #[test]
    fn verify_signs_every_sent_oauth_parameter() {
        let c = oracle_creds("123456");
        let url = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder?replace=item";
        let good = |_: &str, _: &str| Some((c.consumer_secret.clone(), c.token_secret.clone()));
        let base = [
            ("oauth_consumer_key", c.consumer_key.as_str()),
            ("oauth_nonce", NONCE),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", "1508242306"),
            ("oauth_token", c.token_id.as_str()),
        ];
        // With oauth_body_hash (authlib's force_include_body) and oauth_version.
        let mut with_hash = base.to_vec();
        with_hash.push(("oauth_body_hash", "2jmj7l5rSw0yVb/vlWAYkK/YBwk="));
        with_hash.push(("oauth_version", "1.0"));
        let h = custom_header(&c, "PUT", url, &with_hash);
        let v = verify_request(&h, "PUT", url, good);
        assert!(v.is_ok(), "{v:?}");
        // Without the optional oauth_version.
        let h_nov = custom_header(&c, "PUT", url, &base);
        assert!(verify_request(&h_nov, "PUT", url, good).is_ok());
        // A sent parameter altered after signing fails.
        let tampered = h.replace("2jmj7l5rSw0yVb", "3jmj7l5rSw0yVb");
        assert_ne!(tampered, h);
        assert_eq!(
            verify_request(&tampered, "PUT", url, good).unwrap_err(),
            TbaError::BadSignature
        );
        // Adding a parameter that was not signed fails too.
        let added = h_nov.replacen("oauth_token=", "oauth_version=\"1.0\", oauth_token=", 1);
        assert_eq!(
            verify_request(&added, "PUT", url, good).unwrap_err(),
            TbaError::BadSignature
        );
        // The standard header (oauth_version present) still verifies.
        let std = authorization_header(&c, "PUT", url, NONCE, TS);
        assert!(verify_request(&std, "PUT", url, good).is_ok());
    }
}
