//! The one error type of the TikTok Open API boundary.
//!
//! TikTok answers most failures with HTTP 200 and a non-zero `code` in the
//! `{code, message, request_id, data}` envelope (the TikTok Shop API reference notes, §8), so
//! the classification below reads the code first and the HTTP status second.
//! Callers act on the variant: retry later ([`TikTokError::is_retryable`]),
//! refresh the token ([`TikTokError::TokenExpired`]) or give up and record the
//! code, the call and the trimmed body in the order log.

/// Access token expired: refresh it and call again.
pub const CODE_TOKEN_EXPIRED: i64 = 105002;
/// Invalid `x-tts-access-token`, or the token does not match `shop_cipher`.
pub const CODE_INVALID_TOKEN: i64 = 101000;
/// The seller did not grant the scope this API needs.
pub const CODE_SCOPE_NOT_GRANTED: i64 = 105005;
/// Invalid `sign` (wrong app secret, or the signed bytes differ from the sent ones).
pub const CODE_INVALID_SIGN: i64 = 106001;
/// Catch-all "invalid parameter": auth, timestamp window or body validation.
/// Not an auth failure by itself, and never retried (§8).
pub const CODE_CATCH_ALL: i64 = 36009004;
/// Rate limited (sent with HTTP 429).
pub const CODE_RATE_LIMITED: i64 = 36009002;
/// TikTok internal error: retry.
pub const CODE_INTERNAL: i64 = 36009003;
/// TikTok timeout: retry.
pub const CODE_TIMEOUT: i64 = 36009007;
/// Get Order Detail's transient failures ("Failed to get orders, If multiple
/// retry have failed, please contact the platform"; official Get Order
/// Detail spec, doc 6894134ba28e5204961601a5): retried like 5xx.
pub const CODES_ORDER_DETAIL_TRANSIENT: [i64; 5] =
    [10002014, 10002015, 10037002, 10037003, 10037004];
/// "The order or package does not belong to the current seller" (same spec):
/// permanent; the order is another shop's (or unknown).
pub const CODE_NOT_THE_SELLERS_ORDER: i64 = 21008111;

/// Response bodies kept on errors are cut to this many characters, enough for
/// the order log and alerts without storing whole pages.
pub const MAX_BODY_CHARS: usize = 2000;

/// A failed TikTok Open API (or token endpoint) call.
///
/// `call` is the system call, e.g. `GET /order/202309/orders`; `body` is the
/// trimmed response body of an error envelope. Bodies of successful envelopes
/// are never kept (they hold buyer data or tokens).
#[derive(Debug, thiserror::Error)]
pub enum TikTokError {
    /// A non-zero `code` that is neither an expired token, a rate limit nor a
    /// transient server fault. Not retryable: the request or the credentials
    /// must change first.
    #[error("TikTok {call} failed with code {code}: {message} (HTTP {http_status}, request_id {request_id})")]
    Api {
        call: String,
        code: i64,
        message: String,
        request_id: String,
        http_status: u16,
        body: String,
    },
    /// Code 105002: the access token expired. Refresh it, then call once more.
    #[error("TikTok {call}: the access token has expired (code {code}: {message}, request_id {request_id})")]
    TokenExpired {
        call: String,
        code: i64,
        message: String,
        request_id: String,
        http_status: u16,
        body: String,
    },
    /// Code 36009002 or HTTP 429, still failing after the client's retries.
    #[error("TikTok {call} is rate limited (HTTP {http_status}, code {code:?}) after {attempts} attempts: {message}")]
    RateLimited {
        call: String,
        code: Option<i64>,
        message: String,
        request_id: String,
        http_status: u16,
        body: String,
        attempts: u32,
    },
    /// Code 36009003/36009007 or HTTP 5xx, still failing after the client's retries.
    #[error("TikTok {call} is unavailable (HTTP {http_status}, code {code:?}) after {attempts} attempts: {message}")]
    Unavailable {
        call: String,
        code: Option<i64>,
        message: String,
        request_id: String,
        http_status: u16,
        body: String,
        attempts: u32,
    },
    /// Network error or timeout before a response arrived (URLs are stripped
    /// from the reason: the token endpoint's query carries the app secret).
    #[error("TikTok {call}: transport error after {attempts} attempts: {reason}")]
    Transport {
        call: String,
        reason: String,
        timed_out: bool,
        attempts: u32,
    },
    /// The response did not have the expected shape.
    #[error("TikTok {call}: unexpected response (HTTP {http_status}): {reason}")]
    Decode {
        call: String,
        http_status: u16,
        reason: String,
        /// The trimmed body, only when it was not a success envelope.
        body: Option<String>,
    },
}

impl TikTokError {
    /// Whether calling again later may succeed unchanged: rate limits, 5xx,
    /// TikTok's internal/timeout codes and network failures. An expired token
    /// is not "retryable" here: it needs a refresh first.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::Transport { .. }
        )
    }

    /// Whether the credentials are at fault (expired or invalid token, scope
    /// not granted, bad sign). 36009004 is deliberately excluded: it is a
    /// catch-all that also covers plain parameter errors.
    pub fn is_auth_failure(&self) -> bool {
        match self {
            Self::TokenExpired { .. } => true,
            Self::Api { code, .. } => matches!(
                *code,
                CODE_INVALID_TOKEN | CODE_SCOPE_NOT_GRANTED | CODE_INVALID_SIGN
            ),
            _ => false,
        }
    }

    /// TikTok's envelope code, when a response carried one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } | Self::TokenExpired { code, .. } => Some(*code),
            Self::RateLimited { code, .. } | Self::Unavailable { code, .. } => *code,
            Self::Transport { .. } | Self::Decode { .. } => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { http_status, .. }
            | Self::TokenExpired { http_status, .. }
            | Self::RateLimited { http_status, .. }
            | Self::Unavailable { http_status, .. }
            | Self::Decode { http_status, .. } => Some(*http_status),
            Self::Transport { .. } => None,
        }
    }

    /// The call that failed, e.g. `GET /order/202309/orders`.
    pub fn system_call(&self) -> &str {
        match self {
            Self::Api { call, .. }
            | Self::TokenExpired { call, .. }
            | Self::RateLimited { call, .. }
            | Self::Unavailable { call, .. }
            | Self::Transport { call, .. }
            | Self::Decode { call, .. } => call,
        }
    }

    /// TikTok's `request_id`, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. }
            | Self::TokenExpired { request_id, .. }
            | Self::RateLimited { request_id, .. }
            | Self::Unavailable { request_id, .. } => {
                (!request_id.is_empty()).then_some(request_id.as_str())
            }
            Self::Transport { .. } | Self::Decode { .. } => None,
        }
    }

    /// TikTok's error message (or the transport/decode reason).
    pub fn message(&self) -> &str {
        match self {
            Self::Api { message, .. }
            | Self::TokenExpired { message, .. }
            | Self::RateLimited { message, .. }
            | Self::Unavailable { message, .. } => message,
            Self::Transport { reason, .. } | Self::Decode { reason, .. } => reason,
        }
    }

    /// The response body of a failed call, trimmed to [`MAX_BODY_CHARS`].
    pub fn response_body(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. }
            | Self::TokenExpired { body, .. }
            | Self::RateLimited { body, .. }
            | Self::Unavailable { body, .. } => (!body.is_empty()).then_some(body.as_str()),
            Self::Decode { body, .. } => body.as_deref(),
            Self::Transport { .. } => None,
        }
    }
}

/// Cuts a body to [`MAX_BODY_CHARS`] characters (not bytes: never splits UTF-8).
pub(crate) fn trim_body(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim();
    match text.char_indices().nth(MAX_BODY_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64) -> TikTokError {
        TikTokError::Api {
            call: "GET /x".into(),
            code,
            message: "m".into(),
            request_id: "r".into(),
            http_status: 200,
            body: String::new(),
        }
    }

    #[test]
    fn catch_all_is_neither_retryable_nor_auth() {
        let e = api(CODE_CATCH_ALL);
        assert!(!e.is_retryable());
        assert!(!e.is_auth_failure());
        assert!(api(CODE_INVALID_SIGN).is_auth_failure());
        assert_eq!(e.code(), Some(CODE_CATCH_ALL));
        assert_eq!(e.system_call(), "GET /x");
        assert_eq!(e.response_body(), None);
    }

    #[test]
    fn trims_long_bodies_on_char_boundaries() {
        let long = "é".repeat(MAX_BODY_CHARS + 10);
        let t = trim_body(long.as_bytes());
        assert_eq!(t.chars().count(), MAX_BODY_CHARS + 1);
        assert_eq!(trim_body(b"  {}\n"), "{}");
    }
}
