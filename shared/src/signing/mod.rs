//! Request signing for both remote systems.
//!
//! Both the real clients and the simulators use these functions, so a bug here
//! would be invisible end to end; that is why every function is pinned by the
//! published test vectors (kept in the project's reference notes) rather than by round trips.

pub mod netsuite;
pub mod netsuite_m2m;
pub mod tiktok;

/// Lowercase hex HMAC-SHA256, the building block of both TikTok signatures.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC-SHA256 accepts any key length"),
    };
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}
