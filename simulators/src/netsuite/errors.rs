//! NetSuite's REST error document, so clients parse simulator errors with the
//! exact code path they use for real ones (netsuite-rest-api.md §4).

use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// Content type of every real NetSuite REST error (§0).
pub(crate) const ERROR_CONTENT_TYPE: &str =
    "application/vnd.oracle.resource+json; type=error; charset=UTF-8";

#[derive(Debug, Clone)]
pub(crate) struct NsError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) detail: String,
    /// Optional `o:error*` members (`o:errorPath`, `o:errorUrl`, ...), in order.
    extras: Vec<(&'static str, String)>,
    www_authenticate: Option<String>,
}

impl NsError {
    pub(crate) fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            extras: Vec::new(),
            www_authenticate: None,
        }
    }

    /// An optional member such as `o:errorQueryParam`.
    pub(crate) fn extra(&self, key: &str) -> Option<&str> {
        self.extras
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub(crate) fn path(mut self, p: impl Into<String>) -> Self {
        self.extras.push(("o:errorPath", p.into()));
        self
    }

    pub(crate) fn query_param(mut self, p: &str) -> Self {
        self.extras.push(("o:errorQueryParam", p.to_string()));
        self
    }

    pub(crate) fn url(mut self, u: impl Into<String>) -> Self {
        self.extras.push(("o:errorUrl", u.into()));
        self
    }

    pub(crate) fn not_found_record() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
            "The record instance does not exist.",
        )
    }

    /// 401 INVALID_LOGIN with NetSuite's wording and `WWW-Authenticate`.
    pub(crate) fn invalid_login(account: &str) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
        );
        e.www_authenticate = Some(format!(
            "OAuth realm=\"{account}\", error=\"token_rejected\""
        ));
        e
    }

    pub(crate) fn body(&self) -> Value {
        let mut d = Map::new();
        d.insert("detail".into(), Value::String(self.detail.clone()));
        for (k, v) in &self.extras {
            d.insert((*k).into(), Value::String(v.clone()));
        }
        d.insert("o:errorCode".into(), Value::String(self.code.to_string()));
        let (uri, title) = type_and_title(self.status);
        json!({"type": uri, "title": title, "status": self.status.as_u16(), "o:errorDetails": [Value::Object(d)]})
    }
}

/// RFC 9110 section URIs as newer NetSuite releases send them; 429 is not in
/// RFC 9110, so it points at RFC 6585 (the real value is unverified).
fn type_and_title(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
            "Bad Request",
        ),
        401 => (
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
            "Unauthorized",
        ),
        403 => (
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4",
            "Forbidden",
        ),
        404 => (
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
            "Not Found",
        ),
        405 => (
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6",
            "Method Not Allowed",
        ),
        429 => (
            "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
            "Too Many Requests",
        ),
        _ => (
            "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1",
            "Internal Server Error",
        ),
    }
}

impl IntoResponse for NsError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut resp = (self.status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(ERROR_CONTENT_TYPE),
        );
        if let Some(w) = self
            .www_authenticate
            .as_deref()
            .and_then(|w| HeaderValue::from_str(w).ok())
        {
            h.insert(header::WWW_AUTHENTICATE, w);
        }
        resp
    }
}

/// Anything outside the simulated endpoints.
pub(crate) async fn not_found(uri: Uri) -> Response {
    NsError::new(
        StatusCode::NOT_FOUND,
        "NONEXISTENT_ID",
        format!(
            "The NetSuite simulator does not serve {} (sim-defined response).",
            uri.path()
        ),
    )
    .into_response()
}
