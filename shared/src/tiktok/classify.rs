//! Reading one TikTok answer: success is `code == 0` in the envelope, never
//! the HTTP status alone; otherwise the code decides (token expired, rate
//! limited, transient, or a final API error), with the HTTP status as the
//! fallback when there is no envelope.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use serde_json::Value;

use super::error::{
    trim_body, TikTokError, CODES_ORDER_DETAIL_TRANSIENT, CODE_INTERNAL, CODE_RATE_LIMITED,
    CODE_TIMEOUT, CODE_TOKEN_EXPIRED,
};

/// The envelope every Open API and token response uses.
#[derive(Deserialize)]
pub(super) struct Envelope {
    code: i64,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    data: Option<Value>,
}

/// What one attempt produced.
pub(super) enum Attempt {
    Data(Value),
    Failed {
        error: TikTokError,
        retry_after: Option<Duration>,
    },
}

pub(super) fn transport(call: &str, e: reqwest::Error) -> Attempt {
    let timed_out = e.is_timeout();
    // `without_url`: the token endpoint's URL carries the app secret.
    let mut reason = crate::store::aws::describe(&e.without_url());
    if timed_out && !reason.contains("timed out") {
        reason.push_str(" (timed out)");
    }
    Attempt::Failed {
        error: TikTokError::Transport {
            call: call.to_string(),
            reason,
            timed_out,
            attempts: 1,
        },
        retry_after: None,
    }
}

/// `Retry-After` in seconds, when present.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Reads the envelope: `code == 0` is success whatever the HTTP status says;
/// otherwise the code decides, with the HTTP status as fallback.
pub(super) fn classify(
    call: &str,
    status: u16,
    raw: &[u8],
    sensitive: bool,
    retry_after: Option<Duration>,
) -> Attempt {
    let keep = |raw: &[u8]| {
        if sensitive {
            String::new()
        } else {
            trim_body(raw)
        }
    };
    let env: Envelope = match serde_json::from_slice(raw) {
        Ok(env) => env,
        Err(e) => {
            // No envelope (a proxy's HTML page, an empty 502…): the status decides.
            let (message, body) = (
                format!("HTTP {status} without a TikTok envelope: {e}"),
                keep(raw),
            );
            let error = if status == 429 {
                TikTokError::RateLimited {
                    call: call.into(),
                    code: None,
                    message,
                    request_id: String::new(),
                    http_status: status,
                    body,
                    attempts: 1,
                }
            } else if status >= 500 {
                TikTokError::Unavailable {
                    call: call.into(),
                    code: None,
                    message,
                    request_id: String::new(),
                    http_status: status,
                    body,
                    attempts: 1,
                }
            } else {
                TikTokError::Decode {
                    call: call.into(),
                    http_status: status,
                    reason: message,
                    body: (!sensitive).then_some(body),
                }
            };
            return Attempt::Failed { error, retry_after };
        }
    };
    if env.code == 0 {
        return Attempt::Data(env.data.unwrap_or(Value::Null));
    }
    let code = env.code;
    let message = env.message.unwrap_or_default();
    let request_id = env.request_id.unwrap_or_default();
    let body = keep(raw);
    let error = if code == CODE_TOKEN_EXPIRED {
        TikTokError::TokenExpired {
            call: call.into(),
            code,
            message,
            request_id,
            http_status: status,
            body,
        }
    } else if code == CODE_RATE_LIMITED || status == 429 {
        TikTokError::RateLimited {
            call: call.into(),
            code: Some(code),
            message,
            request_id,
            http_status: status,
            body,
            attempts: 1,
        }
    } else if code == CODE_INTERNAL
        || code == CODE_TIMEOUT
        || CODES_ORDER_DETAIL_TRANSIENT.contains(&code)
        || status >= 500
    {
        TikTokError::Unavailable {
            call: call.into(),
            code: Some(code),
            message,
            request_id,
            http_status: status,
            body,
            attempts: 1,
        }
    } else {
        TikTokError::Api {
            call: call.into(),
            code,
            message,
            request_id,
            http_status: status,
            body,
        }
    };
    Attempt::Failed { error, retry_after }
}

/// Records how many attempts a retryable failure took.
pub(super) fn with_attempts(mut e: TikTokError, n: u32) -> TikTokError {
    match &mut e {
        TikTokError::RateLimited { attempts, .. }
        | TikTokError::Unavailable { attempts, .. }
        | TikTokError::Transport { attempts, .. } => *attempts = n,
        _ => {}
    }
    e
}
