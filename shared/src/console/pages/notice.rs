//! One-time notices after an action ("Linked SKU … to item …"): a fixed
//! set of kinds, each with its own wording, carried from the POST to the
//! page it redirects to in a short-lived cookie signed with the console
//! key and bound to the session's nonce, and cleared when shown. Nothing
//! in a URL becomes a notice, so a crafted link cannot put an attacker's
//! sentence inside the console.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::console::auth::{session, SessionKey};

/// The notice cookie's name.
pub const COOKIE: &str = "tns_notice";
/// How long a notice waits to be shown.
const MAX_AGE: i64 = 120;

/// What the console can say after an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Notice {
    Linked {
        sku: String,
        item: String,
        name: String,
    },
    Unlinked {
        sku: String,
    },
    NoLink {
        sku: String,
    },
    Resubmitted {
        orders: usize,
        sku: String,
    },
}

impl Notice {
    pub fn text(&self) -> String {
        match self {
            Self::Linked { sku, item, name } => {
                format!("Linked {sku} to NetSuite item {item} ({name}).")
            }
            Self::Unlinked { sku } => format!("Removed the link of {sku}."),
            Self::NoLink { sku } => format!("{sku} had no link."),
            Self::Resubmitted { orders: n, sku } => {
                format!(
                    "Resubmitted {} blocked on {sku}.",
                    super::plural(*n, "order")
                )
            }
        }
    }

    /// The `Set-Cookie` value carrying this notice for the session of `nonce`.
    pub fn cookie(&self, key: &SessionKey, nonce: &str) -> String {
        let payload = B64.encode(serde_json::to_vec(self).unwrap_or_default());
        let sig = B64.encode(key.mac(&[b"notice", nonce.as_bytes(), payload.as_bytes()]));
        session::set_cookie(COOKIE, &format!("{payload}.{sig}"), MAX_AGE)
    }
}

/// The notice a request carries for the session of `nonce`, if its
/// signature holds.
pub fn read(headers: &HeaderMap, key: &SessionKey, nonce: &str) -> Option<Notice> {
    let value = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| session::cookie(h, COOKIE))?;
    let (payload, sig) = value.split_once('.')?;
    let sig = B64.decode(sig).ok()?;
    if !key.verify_mac(&[b"notice", nonce.as_bytes(), payload.as_bytes()], &sig) {
        return None;
    }
    serde_json::from_slice(&B64.decode(payload).ok()?).ok()
}

/// Whether the request carries a notice cookie (valid or not).
pub fn present(headers: &HeaderMap) -> bool {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| session::cookie(h, COOKIE))
        .is_some()
}

/// Clears the notice cookie on a response (the notice was shown).
pub fn clear(mut res: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&session::set_cookie(COOKIE, "", 0)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// A 303 to `to` carrying `notice`.
pub fn redirect(to: &str, key: &SessionKey, nonce: &str, notice: &Notice) -> Response {
    let mut res = super::see_other(to);
    if let Ok(v) = HeaderValue::from_str(&notice.cookie(key, nonce)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_open_only_with_their_key_and_session() {
        let key = SessionKey::new(vec![4u8; 32]).unwrap();
        let n = Notice::Resubmitted {
            orders: 1,
            sku: "A".into(),
        };
        assert_eq!(n.text(), "Resubmitted 1 order blocked on A.");
        let cookie = n.cookie(&key, "nonce-1");
        let value = cookie.split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
        assert_eq!(read(&h, &key, "nonce-1"), Some(n));
        assert_eq!(read(&h, &key, "nonce-2"), None, "another session's");
        let forged = format!(
            "{COOKIE}={}.AAAA",
            B64.encode(br#"{"k":"no_link","sku":"Call 555-0100 to fix this"}"#)
        );
        h.insert(header::COOKIE, HeaderValue::from_str(&forged).unwrap());
        assert_eq!(read(&h, &key, "nonce-1"), None);
        assert!(present(&h));
    }
}
