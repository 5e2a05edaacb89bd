//! Sessions: a cookie holding who, until when and a random nonce, signed
//! with HMAC-SHA256 under the key from Secrets Manager, and a record of it
//! in the console table (`store::console_sessions`) under a hash of the
//! nonce. A changed byte, an expired time or a missing record is no
//! session: signing out, a password reset, a role change or removing the
//! user deletes the record, and a cookie copied before is refused.
//!
//! The cookie is `HttpOnly; Secure; SameSite=Strict; Path=/`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{ConsoleUser, SessionRecord};

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

    /// The id its server-side record is stored under: a hash of the nonce,
    /// so the table never holds what the cookie carries.
    pub fn id(&self) -> String {
        hex::encode(Sha256::digest(format!("tns-session\x1f{}", self.nonce)))
    }

    /// The record to store when this session starts for `user`.
    pub fn record(&self, user: &ConsoleUser, now: i64) -> SessionRecord {
        SessionRecord {
            user: self.user.clone(),
            role: user.role.clone(),
            password_tag: password_tag(&user.password_hash),
            created_at: now,
            expires_at: self.expires_at,
        }
    }

    /// Whether this (signature-checked) session is alive: its record exists,
    /// is this user's, has not expired, and the user still has the role
    /// and the password it started with. Returns the user when it is.
    pub fn holds(
        &self,
        user: Option<ConsoleUser>,
        record: Option<&SessionRecord>,
        now: i64,
    ) -> Option<ConsoleUser> {
        let (user, r) = (user?, record?);
        let alive = r.user == self.user
            && user.name == self.user
            && r.expires_at > now
            && self.expires_at > now
            && r.role == user.role
            && r.password_tag == password_tag(&user.password_hash)
            && user.role.rank() > 0;
        alive.then_some(user)
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

/// A short fingerprint of a password hash: a session records it, and a
/// reset (a new hash) no longer matches.
pub fn password_tag(hash: &str) -> String {
    hex::encode(&Sha256::digest(hash.as_bytes())[..12])
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
    fn a_session_holds_only_with_its_record_role_and_password() {
        let user = ConsoleUser {
            name: "ana".into(),
            role: crate::store::Role::Operator,
            password_hash: "$argon2id$one".into(),
            created_at: 0,
            updated_at: 0,
        };
        let s = Session::start("ana", 100);
        let r = s.record(&user, 100);
        assert_eq!(
            s.holds(Some(user.clone()), Some(&r), 101),
            Some(user.clone())
        );
        assert_eq!(s.holds(Some(user.clone()), None, 101), None, "signed out");
        assert_eq!(s.holds(None, Some(&r), 101), None, "removed");
        let mut viewer = user.clone();
        viewer.role = crate::store::Role::Viewer;
        assert_eq!(s.holds(Some(viewer), Some(&r), 101), None, "role changed");
        let mut reset = user.clone();
        reset.password_hash = "$argon2id$two".into();
        assert_eq!(s.holds(Some(reset), Some(&r), 101), None, "password reset");
        assert_eq!(s.holds(Some(user.clone()), Some(&r), 100 + TTL_SECS), None);
        let other = Session::start("ana", 100);
        assert_ne!(s.id(), other.id());
        assert_eq!(s.id().len(), 64);
        assert!(!s.id().contains(&s.nonce));
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
