//! `NsError`: everything that can go wrong at the NetSuite boundary, carrying
//! what the order log needs to explain a failure to a merchant (HTTP status,
//! NetSuite `o:errorCode`, detail, `o:errorPath`, the system call and a
//! trimmed response body).
//!
//! Error bodies follow NetSuite's `{type,title,status,o:errorDetails[]}`
//! document (the NetSuite REST reference notes, §4); `type` is never matched on because it
//! changed between releases.

use serde_json::Value;

/// Response bodies kept on an error are trimmed to this many characters, so
/// one misbehaving response cannot bloat the order log.
pub const MAX_BODY_CHARS: usize = 2000;

/// An error from the NetSuite REST client.
///
/// `Display` never includes the response body (bodies may echo buyer data);
/// use [`NsError::response_body`] to store it where it belongs.
#[derive(Debug, thiserror::Error)]
pub enum NsError {
    /// NetSuite rejected the request (4xx other than 401/403/429): a
    /// validation or business error. Retrying the same request cannot help.
    #[error("{system_call} failed: HTTP {status} {code}: {detail}")]
    Api {
        status: u16,
        code: String,
        detail: String,
        /// `o:errorPath`, e.g. `item.items[0].item`, when NetSuite names the field.
        error_path: Option<String>,
        system_call: String,
        body: String,
    },
    /// 401 `INVALID_LOGIN` (bad TBA credentials, signature, realm or clock)
    /// or 403 `INSUFFICIENT_PERMISSION` (role lacks a permission). Needs a
    /// human; never retried.
    #[error("{system_call} failed: HTTP {status} {code}: {detail}")]
    Unauthorized {
        status: u16,
        code: String,
        detail: String,
        system_call: String,
        body: String,
    },
    /// 429 `CONCURRENCY_LIMIT_EXCEEDED` on every one of `attempts` tries.
    #[error("{system_call} throttled by NetSuite after {attempts} attempt(s): {code}: {detail}")]
    Throttled {
        attempts: u32,
        code: String,
        detail: String,
        system_call: String,
        body: String,
    },
    /// 5xx on the last attempt. For a non-idempotent POST this is returned
    /// after one attempt with `maybe_committed = true`.
    #[error("{system_call} failed after {attempts} attempt(s): HTTP {status} {code}: {detail}")]
    Server {
        status: u16,
        attempts: u32,
        code: String,
        detail: String,
        system_call: String,
        body: String,
        maybe_committed: bool,
    },
    /// No complete response within the request timeout. NetSuite may still
    /// have committed the write (`maybe_committed` for a POST).
    #[error("{system_call} timed out after {attempts} attempt(s)")]
    Timeout {
        attempts: u32,
        system_call: String,
        maybe_committed: bool,
    },
    /// The connection failed or broke. `maybe_committed` is true when a
    /// non-idempotent request may have reached NetSuite.
    #[error("{system_call} connection error after {attempts} attempt(s): {detail}")]
    Connection {
        attempts: u32,
        detail: String,
        system_call: String,
        maybe_committed: bool,
    },
    /// A 2xx response that is not what the API documents (bad JSON, a create
    /// without `Location`, ...). The request itself succeeded.
    #[error("{system_call}: unexpected response (HTTP {status}): {detail}")]
    Decode {
        status: u16,
        detail: String,
        system_call: String,
        body: String,
    },
    /// Refused before sending: a caller value would make a wrong or unsafe
    /// URL (e.g. an externalId outside `[A-Za-z0-9_-]`), or the client
    /// configuration is unusable.
    #[error("invalid {field}: {detail}")]
    Invalid { field: &'static str, detail: String },
}

impl NsError {
    /// True for transient failures (429, 5xx, timeouts, network errors) that
    /// a later retry of the whole operation may fix. Note that for a
    /// non-idempotent POST the caller must first check whether the write
    /// happened (see [`NsError::maybe_committed`]).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            NsError::Throttled { .. }
                | NsError::Server { .. }
                | NsError::Timeout { .. }
                | NsError::Connection { .. }
        )
    }

    /// True when a non-idempotent request (POST create/transform) failed in
    /// a way that leaves its outcome unknown: the record may exist. Look it
    /// up (e.g. by externalId) before doing anything else.
    pub fn maybe_committed(&self) -> bool {
        match self {
            NsError::Server {
                maybe_committed, ..
            }
            | NsError::Timeout {
                maybe_committed, ..
            }
            | NsError::Connection {
                maybe_committed, ..
            } => *maybe_committed,
            _ => false,
        }
    }

    /// The HTTP status of the final response, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            NsError::Api { status, .. }
            | NsError::Unauthorized { status, .. }
            | NsError::Server { status, .. }
            | NsError::Decode { status, .. } => Some(*status),
            NsError::Throttled { .. } => Some(429),
            _ => None,
        }
    }

    /// NetSuite's `o:errorCode` (e.g. `USER_ERROR`, `INVALID_LOGIN`). When a
    /// response carried no parseable error document this is `HTTP_<status>`.
    pub fn code(&self) -> Option<&str> {
        match self {
            NsError::Api { code, .. }
            | NsError::Unauthorized { code, .. }
            | NsError::Throttled { code, .. }
            | NsError::Server { code, .. } => Some(code),
            _ => None,
        }
    }

    /// NetSuite's `detail` text, or the client-side reason.
    pub fn detail(&self) -> Option<&str> {
        match self {
            NsError::Api { detail, .. }
            | NsError::Unauthorized { detail, .. }
            | NsError::Throttled { detail, .. }
            | NsError::Server { detail, .. }
            | NsError::Connection { detail, .. }
            | NsError::Decode { detail, .. }
            | NsError::Invalid { detail, .. } => Some(detail),
            NsError::Timeout { .. } => None,
        }
    }

    /// `o:errorPath`: which field of the request body NetSuite objected to.
    pub fn error_path(&self) -> Option<&str> {
        match self {
            NsError::Api { error_path, .. } => error_path.as_deref(),
            _ => None,
        }
    }

    /// The request as `METHOD /services/rest/...` (query included), without
    /// host or body. `None` when the request was refused before sending.
    pub fn system_call(&self) -> Option<&str> {
        match self {
            NsError::Api { system_call, .. }
            | NsError::Unauthorized { system_call, .. }
            | NsError::Throttled { system_call, .. }
            | NsError::Server { system_call, .. }
            | NsError::Timeout { system_call, .. }
            | NsError::Connection { system_call, .. }
            | NsError::Decode { system_call, .. } => Some(system_call),
            NsError::Invalid { .. } => None,
        }
    }

    /// The final response body, trimmed to [`MAX_BODY_CHARS`] characters.
    pub fn response_body(&self) -> Option<&str> {
        match self {
            NsError::Api { body, .. }
            | NsError::Unauthorized { body, .. }
            | NsError::Throttled { body, .. }
            | NsError::Server { body, .. }
            | NsError::Decode { body, .. } => Some(body),
            _ => None,
        }
    }
}

/// The first `o:errorDetails` entry of a NetSuite error document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorDoc {
    pub code: String,
    pub detail: String,
    pub path: Option<String>,
}

/// Parses `{type,title,status,o:errorDetails:[{detail,o:errorCode,o:errorPath?}]}`.
/// Anything else (an HTML proxy page, empty body) yields `HTTP_<status>` with
/// the body's start as detail, so the caller still has something to log.
pub(crate) fn parse_error_doc(status: u16, body: &[u8]) -> ErrorDoc {
    let parsed: Option<ErrorDoc> = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        let first = v.get("o:errorDetails")?.as_array()?.first()?.clone();
        let s = |k: &str| first.get(k).and_then(Value::as_str).map(str::to_string);
        Some(ErrorDoc {
            code: s("o:errorCode").unwrap_or_else(|| format!("HTTP_{status}")),
            detail: s("detail")
                .or_else(|| v.get("title").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default(),
            path: s("o:errorPath"),
        })
    });
    parsed.unwrap_or_else(|| ErrorDoc {
        code: format!("HTTP_{status}"),
        detail: trim_chars(&String::from_utf8_lossy(body), 200),
        path: None,
    })
}

/// The first `max` characters of `s` (never splits a UTF-8 character).
pub(crate) fn trim_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A response body as kept on an error.
pub(crate) fn body_text(body: &[u8]) -> String {
    trim_chars(&String::from_utf8_lossy(body), MAX_BODY_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recorded_error_document() {
        let body = br#"{"type":"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1","title":"Bad Request","status":400,
 "o:errorDetails":[{"detail":"Invalid Field Value 999 for the following field: item","o:errorPath":"item.items[0].item","o:errorCode":"USER_ERROR"}]}"#;
        let d = parse_error_doc(400, body);
        assert_eq!(d.code, "USER_ERROR");
        assert_eq!(d.path.as_deref(), Some("item.items[0].item"));
        assert!(d.detail.contains("Invalid Field Value"));
    }

    #[test]
    fn non_json_error_body_gets_synthetic_code() {
        let d = parse_error_doc(502, b"<html>Bad Gateway</html>");
        assert_eq!(d.code, "HTTP_502");
        assert_eq!(d.detail, "<html>Bad Gateway</html>");
        assert_eq!(d.path, None);
    }

    #[test]
    fn trims_on_char_boundaries() {
        let s = "é".repeat(MAX_BODY_CHARS + 10);
        let t = body_text(s.as_bytes());
        assert_eq!(t.chars().count(), MAX_BODY_CHARS + 1);
        assert_eq!(trim_chars("abc", 5), "abc");
    }

    #[test]
    fn classification() {
        let timeout = NsError::Timeout {
            attempts: 1,
            system_call: "POST /x".into(),
            maybe_committed: true,
        };
        assert!(timeout.is_retryable());
        assert!(timeout.maybe_committed());
        assert_eq!(timeout.http_status(), None);
        let api = NsError::Api {
            status: 400,
            code: "USER_ERROR".into(),
            detail: "d".into(),
            error_path: Some("entity".into()),
            system_call: "PUT /y".into(),
            body: "{}".into(),
        };
        assert!(!api.is_retryable());
        assert_eq!(api.code(), Some("USER_ERROR"));
        assert_eq!(api.system_call(), Some("PUT /y"));
        assert!(!api.to_string().contains("{}"));
    }
}
