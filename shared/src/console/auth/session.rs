//! Sessions: a cookie holding who, until when and a random nonce, signed
//! with HMAC-SHA256 under the key from Secrets Manager. Nothing is stored
//! server-side; a changed byte or an expired time is no session.
//!
//! The cookie is `HttpOnly; Secure; SameSite=Strict; Path=/`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The session cookie's name.
pub const COOKIE: &str = "tns_session";
/// The pre-login cookie carrying the login form's CSRF nonce.
pub const LOGIN_COOKIE: &str = "tns_login";
/// How long a session lasts.
pub const TTL_SECS: i64 = 8 * 3600;

/// The signing key (from the console's secret).
#[derive(Clone)]
pub struct SessionKey(Vec<u8>);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("console session secret: must be at least 32 bytes; store a long random value (e.g. 64 hex characters) in the secret")]
pub struct WeakKey;

impl SessionKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, WeakKey> {
        let bytes = bytes.into();
        if bytes.len() < 32 {
            return Err(WeakKey);
        }
        Ok(Self(bytes))
    }

    pub(crate) fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        // HMAC accepts keys of any length.
        let mut m = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes any key length"),
        };
        for p in parts {
            m.update(p);
            m.update(b"\x1f");
        }
        m.finalize().into_bytes().to_vec()
    }

    pub(crate) fn verify_mac(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        let want = self.mac(parts);
        want.len() == tag.len() && want.iter().zip(tag).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
    }
}

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    #[serde(rename = "u")]
    pub user: String,
    #[serde(rename = "e")]
    pub expires_at: i64,
    /// Random, per session: what its CSRF token is derived from.
    #[serde(rename = "n")]
    pub nonce: String,
}

/// A fresh random nonce (128 bits, hex).
pub fn nonce() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

impl Session {
    pub fn start(user: &str, now: i64) -> Self {
        Self {
            user: user.to_string(),
            expires_at: now + TTL_SECS,
            nonce: nonce(),
        }
    }

    /// The cookie value: `payload.signature`, both base64url.
    pub fn seal(&self, key: &SessionKey) -> String {
        let payload = B64.encode(serde_json::to_vec(self).unwrap_or_default());
        let sig = B64.encode(key.mac(&[b"session", payload.as_bytes()]));
        format!("{payload}.{sig}")
    }

    /// The session in a cookie value, if its signature holds and it has not expired.
    pub fn open(value: &str, key: &SessionKey, now: i64) -> Option<Self> {
        let (payload, sig) = value.split_once('.')?;
        let sig = B64.decode(sig).ok()?;
        if !key.verify_mac(&[b"session", payload.as_bytes()], &sig) {
            return None;
        }
        let s: Session = serde_json::from_slice(&B64.decode(payload).ok()?).ok()?;
        (s.expires_at > now).then_some(s)
    }
}

/// A `Set-Cookie` value for a cookie of this console.
pub fn set_cookie(name: &str, value: &str, max_age: i64) -> String {
    format!("{name}={value}; Max-Age={max_age}; Path=/; HttpOnly; Secure; SameSite=Strict")
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A signed pre-login nonce (`nonce.signature`).
pub fn seal_login_nonce(nonce: &str, key: &SessionKey) -> String {
    format!(
        "{nonce}.{}",
        B64.encode(key.mac(&[b"login", nonce.as_bytes()]))
    )
}

/// The nonce of a pre-login cookie whose signature holds.
pub fn open_login_nonce(value: &str, key: &SessionKey) -> Option<String> {
    let (nonce, sig) = value.split_once('.')?;
    let sig = B64.decode(sig).ok()?;
    key.verify_mac(&[b"login", nonce.as_bytes()], &sig)
        .then(|| nonce.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SessionKey {
        SessionKey::new(vec![7u8; 32]).unwrap()
    }

    #[test]
    fn sealed_sessions_open_until_they_expire_and_not_when_changed() {
        let s = Session::start("ana", 100);
        let v = s.seal(&key());
        assert_eq!(Session::open(&v, &key(), 101), Some(s.clone()));
        assert_eq!(Session::open(&v, &key(), 100 + TTL_SECS), None, "expired");
        let other = SessionKey::new(vec![8u8; 32]).unwrap();
        assert_eq!(Session::open(&v, &other, 101), None, "other key");
        // Forge a longer expiry with the old signature.
        let mut forged = s.clone();
        forged.expires_at += 1000;
        let fv = forged.seal(&other);
        let tampered = format!(
            "{}.{}",
            fv.split('.').next().unwrap(),
            v.split('.').nth(1).unwrap()
        );
        assert_eq!(Session::open(&tampered, &key(), 101), None);
        assert!(SessionKey::new(vec![1u8; 8]).is_err());
    }

    #[test]
    fn cookies_are_strict_and_parsed() {
        let c = set_cookie(COOKIE, "v", 10);
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(c.contains(attr), "{c}");
        }
        assert_eq!(cookie("a=1; tns_session=xyz; b=2", COOKIE), Some("xyz"));
        assert_eq!(cookie("a=1", COOKIE), None);
        let n = seal_login_nonce("abc", &key());
        assert_eq!(open_login_nonce(&n, &key()).as_deref(), Some("abc"));
        assert_eq!(open_login_nonce("abc.AAAA", &key()), None);
    }
}
