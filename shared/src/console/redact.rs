//! What a page never shows: a buyer's address, phone or email, or a token.
//! The order log holds none by design; response bodies kept with a failure
//! come from NetSuite and TikTok, so they pass through here first.

/// JSON keys whose values are dropped (matched case-insensitively, as substrings).
const SENSITIVE_KEYS: &[&str] = &[
    "email",
    "phone",
    "address",
    "addr",
    "token",
    "secret",
    "password",
    "recipient",
    "buyer",
    "zip",
    "postal",
];

fn is_sensitive(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SENSITIVE_KEYS.iter().any(|s| k.contains(s))
}

fn scrub(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if is_sensitive(k) {
                    *val = serde_json::Value::String("[redacted]".into());
                } else {
                    scrub(val);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(scrub),
        serde_json::Value::String(s) => *s = mask_emails(s),
        _ => {}
    }
}

/// Replaces every word containing `@` between two word characters with `[email]`.
fn mask_emails(s: &str) -> String {
    s.split_inclusive(char::is_whitespace)
        .map(|w| {
            let core = w.trim_end();
            match core.find('@') {
                Some(i) if i > 0 && i + 1 < core.len() && core[i + 1..].contains('.') => {
                    format!("[email]{}", &w[core.len()..])
                }
                _ => w.to_string(),
            }
        })
        .collect()
}

/// A body fit for a page: JSON with sensitive fields dropped, or text with
/// emails masked, trimmed to `max` characters.
pub fn body(raw: &str, max: usize) -> String {
    let out = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(mut v) => {
            scrub(&mut v);
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        Err(_) => mask_emails(raw),
    };
    if out.chars().count() > max {
        let mut t: String = out.chars().take(max).collect();
        t.push('…');
        t
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buyer_contact_data_and_tokens_never_pass() {
        let raw = r#"{"o:errorDetails":[{"detail":"bad for jane@example.com"}],"shipping_address":{"full_address":"1 Road"},"buyer_email":"x@y.z","phone_number":"+1555","access_token":"TTP_abc","order_id":"5771"}"#;
        let b = body(raw, 2000);
        for secret in ["jane@example.com", "1 Road", "x@y.z", "+1555", "TTP_abc"] {
            assert!(!b.contains(secret), "{secret} in {b}");
        }
        assert!(b.contains("5771"));
        assert_eq!(body("mail a@b.co now", 100), "mail [email] now");
        assert_eq!(body(&"x".repeat(10), 4), "xxxx…");
    }
}
