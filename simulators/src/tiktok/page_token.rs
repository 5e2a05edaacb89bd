//! Page tokens for the paged search endpoints.
//!
//! Source: tiktok-shop-api.md §1 ("`page_token` values contain `/`, `+` and
//! `=`"); the official Search Returns / Search Cancellations docs
//! ([DOCS] doc ids 650ab69edefece02be70785b and 650ab68bc16ffe02b8f2ea41)
//! show `next_page_token` as padded standard base64
//! (`aDU2dHIz…SDhlaA==`) and call it "an opaque token … Retrieve this value
//! from the result of the `next_page_token` from a previous response".
//!
//! The simulator therefore issues standard base64 **with padding** whose
//! payload starts with bytes that always encode to `+/+/`, and is padded so
//! the token always ends in `==`. Every token thus carries all three
//! characters a careless client mangles: `+` (read as a space by form
//! decoding), `/` and `=`.
//!
//! The docs are silent on how exact a token must be; harsher reading: a
//! token is accepted only byte for byte as issued (canonical base64, same
//! endpoint, same shop). Anything else, e.g. `+` turned into a space or the
//! padding stripped, is an invalid parameter (see `returns::bad_page_token`).

/// Encodes to `+/+/` in standard base64.
const MARKER: [u8; 3] = [0xFB, 0xFF, 0xBF];

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648 §4) with `=` padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strict standard base64: alphabet only, padded to a multiple of 4, and
/// canonical (re-encoding gives the same string back).
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32);
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let last = bytes.len() / 4 - 1;
    for (ci, chunk) in bytes.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && ci != last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pad as u32;
        let full = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&full[..3 - pad]);
    }
    (encode(&out) == s).then_some(out)
}

/// The token for the page starting at `offset` of `path` for `shop_id`.
pub(crate) fn issue(path: &str, shop_id: &str, offset: usize) -> String {
    let mut payload = MARKER.to_vec();
    payload.extend_from_slice(format!("{path}\n{shop_id}\n{offset}").as_bytes());
    // len % 3 == 1 makes the encoding end in "==".
    while payload.len() % 3 != 1 {
        payload.push(0);
    }
    encode(&payload)
}

/// The offset a token stands for, if it is exactly one this simulator
/// issued for the same endpoint and shop.
pub(crate) fn accept(token: &str, path: &str, shop_id: &str) -> Option<usize> {
    let raw = decode(token)?;
    let rest = raw.strip_prefix(&MARKER[..])?;
    let end = rest.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    let mut parts = text.split('\n');
    let (p, s, o) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || p != path || s != shop_id {
        return None;
    }
    // Digits only: "+5" would parse but was never issued.
    if o.is_empty() || !o.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    o.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            if !enc.is_empty() {
                assert_eq!(decode(enc).unwrap(), plain.as_bytes());
            }
        }
        // TikTok's documented example token decodes as standard base64.
        assert!(
            decode("aDU2dHIzMlFhME5CUzJKUDhDdVJhTDM1WmJkeFVTVW9LTkRaSnNaZCtuWjJXVU5CSDhlaA==")
                .is_some()
        );
    }

    #[test]
    fn tokens_carry_plus_slash_and_padding() {
        for offset in [0, 1, 10, 49, 12345] {
            let t = issue("/p", "shop", offset);
            assert!(t.starts_with("+/+/"), "{t}");
            assert!(t.ends_with("=="), "{t}");
            assert_eq!(accept(&t, "/p", "shop"), Some(offset));
        }
    }

    #[test]
    fn mangled_or_foreign_tokens_are_refused() {
        let t = issue("/p", "shop", 10);
        assert_eq!(accept(&t.replace('+', " "), "/p", "shop"), None);
        assert_eq!(accept(t.trim_end_matches('='), "/p", "shop"), None);
        assert_eq!(accept(&t.replace('/', "_"), "/p", "shop"), None);
        assert_eq!(accept(&format!("{t}=="), "/p", "shop"), None);
        assert_eq!(accept(&t, "/q", "shop"), None);
        assert_eq!(accept(&t, "/p", "other"), None);
        assert_eq!(accept("sim-offset-10", "/p", "shop"), None);
        // Non-canonical trailing bits.
        assert_eq!(decode("Zh=="), None);
    }
}
