//! TikTok Shop Open API request signing and webhook signatures.
//!
//! API requests (the TikTok Shop API reference notes, §1): `HMAC-SHA256(secret, secret + path +
//! sorted(k+v of query minus sign/access_token) + body + secret)`, lowercase hex.
//! Webhooks (§2): `Authorization = hex(HMAC-SHA256(secret, app_key + raw body))`.

use super::hmac_sha256;

/// Query keys that never take part in the API signature.
const UNSIGNED_KEYS: [&str; 2] = ["sign", "access_token"];

/// Signs an Open API request. `query` holds the *decoded* query values (TikTok
/// signs decoded values; only the wire URL is percent-encoded). `body` is the
/// exact byte buffer that will be sent, or `None` for body-less requests.
pub fn api_sign(
    app_secret: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&[u8]>,
) -> String {
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, _)| !UNSIGNED_KEYS.contains(k))
        .copied()
        .collect();
    // Byte-order sort, as SKIT's `StringComparer.Ordinal`.
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut msg: Vec<u8> = Vec::with_capacity(256);
    msg.extend_from_slice(app_secret.as_bytes());
    msg.extend_from_slice(path.as_bytes());
    for (k, v) in pairs {
        msg.extend_from_slice(k.as_bytes());
        msg.extend_from_slice(v.as_bytes());
    }
    if let Some(body) = body {
        msg.extend_from_slice(body);
    }
    msg.extend_from_slice(app_secret.as_bytes());
    hex::encode(hmac_sha256(app_secret.as_bytes(), &msg))
}

/// Checks an API `sign` value in constant time.
pub fn verify_api_sign(
    app_secret: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&[u8]>,
    sign: &str,
) -> bool {
    let expected = api_sign(app_secret, path, query, body);
    constant_time_eq(expected.as_bytes(), sign.as_bytes())
}

/// The `Authorization` header TikTok puts on a webhook push.
pub fn webhook_signature(app_key: &str, app_secret: &str, raw_body: &[u8]) -> String {
    hex::encode(webhook_mac(app_key, app_secret, raw_body))
}

fn webhook_mac(app_key: &str, app_secret: &str, raw_body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(app_key.len() + raw_body.len());
    msg.extend_from_slice(app_key.as_bytes());
    msg.extend_from_slice(raw_body);
    hmac_sha256(app_secret.as_bytes(), &msg)
}

/// Verifies a webhook `Authorization` header against the raw body bytes, in
/// constant time, before anything parses the body.
pub fn verify_webhook(app_key: &str, app_secret: &str, raw_body: &[u8], header: &str) -> bool {
    // TikTok sends lowercase hex; anything that is not 64 hex chars is forged.
    let Ok(given) = hex::decode(header.trim()) else {
        return false;
    };
    let expected = webhook_mac(app_key, app_secret, raw_body);
    constant_time_eq(&expected, &given)
}

/// Length-leaking but content-constant-time comparison (lengths are public here).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_a_official_docs() {
        let s = api_sign(
            "e59af819cc",
            "/authorization/202309/shops",
            &[("app_key", "29a39d"), ("timestamp", "1623812664")],
            None,
        );
        assert_eq!(
            s,
            "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
        );
    }

    #[test]
    fn vector_b_skit_get_and_put() {
        let q = [
            ("app_key", "68xu9ks5p4i8"),
            ("shop_cipher", "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK"),
            ("timestamp", "1696909648"),
        ];
        assert_eq!(
            api_sign("e59af819cc", "/event/202309/webhooks", &q, None),
            "ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37"
        );
        let body = br#"{"event_type":"PACKAGE_UPDATE","address":"https://partner.tiktokshop.com"}"#;
        assert_eq!(
            api_sign("e59af819cc", "/event/202309/webhooks", &q, Some(body)),
            "701dd6deb2389fe4c469b89bd37fc56f96a6da6afeb4d01c9077a65169752fa7"
        );
    }

    #[test]
    fn vector_c_ecomphp() {
        assert_eq!(
            api_sign("app_secret", "/test-api", &[("foo", "bar")], None),
            "d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f"
        );
    }

    #[test]
    fn regression_vectors_orders_and_inventory() {
        let base = [
            ("app_key", "29a39d"),
            ("timestamp", "1623812664"),
            ("shop_cipher", "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK"),
        ];
        let mut q = base.to_vec();
        q.push(("ids", "576461413038785752,576461413038785753"));
        assert_eq!(
            api_sign("e59af819cc", "/order/202309/orders", &q, None),
            "c7c2a0bb5bdaf2fe848b6af7d97b29f01de464ee19e87d81f65a92c371ca35b6"
        );
        let body = br#"{"skus":[{"id":"1729592969712207013","inventory":[{"warehouse_id":"7068517275539719942","quantity":999}]}]}"#;
        assert_eq!(
            api_sign(
                "e59af819cc",
                "/product/202309/products/1729592969712207013/inventory/update",
                &base,
                Some(body)
            ),
            "35b2e55c2c4b97eb5ee315f1d141d645baee6cd7001da2244eceae5ba103b9ee"
        );
    }

    #[test]
    fn sign_and_access_token_are_not_signed() {
        let with = api_sign(
            "s",
            "/p",
            &[("a", "1"), ("sign", "x"), ("access_token", "t")],
            None,
        );
        assert_eq!(with, api_sign("s", "/p", &[("a", "1")], None));
        assert!(verify_api_sign("s", "/p", &[("a", "1")], None, &with));
        assert!(!verify_api_sign("s", "/p", &[("a", "2")], None, &with));
    }

    const WEBHOOK_BODY: &[u8] = br#"{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}"#;

    #[test]
    fn webhook_vector() {
        let sig = webhook_signature("fake_app_key", "fake_app_secret", WEBHOOK_BODY);
        assert_eq!(
            sig,
            "21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27"
        );
        assert!(verify_webhook(
            "fake_app_key",
            "fake_app_secret",
            WEBHOOK_BODY,
            &sig
        ));
    }

    #[test]
    fn webhook_rejects_forgeries() {
        let sig = webhook_signature("fake_app_key", "fake_app_secret", WEBHOOK_BODY);
        assert!(!verify_webhook(
            "fake_app_key",
            "wrong_secret",
            WEBHOOK_BODY,
            &sig
        ));
        assert!(!verify_webhook(
            "other_key",
            "fake_app_secret",
            WEBHOOK_BODY,
            &sig
        ));
        let mut tampered = WEBHOOK_BODY.to_vec();
        tampered[10] ^= 1;
        assert!(!verify_webhook(
            "fake_app_key",
            "fake_app_secret",
            &tampered,
            &sig
        ));
        assert!(!verify_webhook(
            "fake_app_key",
            "fake_app_secret",
            WEBHOOK_BODY,
            ""
        ));
        assert!(!verify_webhook(
            "fake_app_key",
            "fake_app_secret",
            WEBHOOK_BODY,
            "zz"
        ));
        assert!(!verify_webhook(
            "fake_app_key",
            "fake_app_secret",
            WEBHOOK_BODY,
            &sig[..62]
        ));
    }
}
