//! CSRF tokens: every form carries `HMAC(key, "csrf", nonce)` of the
//! session's (or, on the login form, the pre-login cookie's) nonce; a POST
//! whose token does not match is refused before anything else runs. With
//! `SameSite=Strict` cookies this is a second, independent guard.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;

use super::SessionKey;

/// The form field carrying the token.
pub const FIELD: &str = "csrf";

/// The token of a nonce.
pub fn token(key: &SessionKey, nonce: &str) -> String {
    B64.encode(key.mac(&[b"csrf", nonce.as_bytes()]))
}

/// Whether `given` is the token of `nonce` (constant-time).
pub fn check(key: &SessionKey, nonce: &str, given: &str) -> bool {
    B64.decode(given)
        .map(|tag| key.verify_mac(&[b"csrf", nonce.as_bytes()], &tag))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_to_their_nonce() {
        let k = SessionKey::new(vec![3u8; 32]).unwrap();
        let t = token(&k, "n1");
        assert!(check(&k, "n1", &t));
        assert!(!check(&k, "n2", &t));
        assert!(!check(&k, "n1", ""));
        assert!(!check(&k, "n1", "%%%"));
    }
}
