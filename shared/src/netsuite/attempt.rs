//! One NetSuite attempt's failure, and how a final failure becomes an [`NsError`].

use reqwest::StatusCode;

use super::error::{body_text, parse_error_doc, NsError};
use super::transport::Call;

/// Why one attempt failed, before deciding whether to retry.
pub(super) enum AttemptError {
    Status {
        status: StatusCode,
        body: bytes::Bytes,
    },
    Timeout,
    /// `sent` is false when the connection was never established, so the
    /// request cannot have reached NetSuite.
    Network {
        detail: String,
        sent: bool,
    },
    /// No access token could be had (M2M): the REST request was never sent.
    Auth(NsError),
}

pub(super) fn network_error(e: reqwest::Error) -> AttemptError {
    if e.is_timeout() {
        AttemptError::Timeout
    } else {
        AttemptError::Network {
            detail: e.to_string(),
            sent: !e.is_connect(),
        }
    }
}

pub(super) fn attempt_label(e: &AttemptError) -> &'static str {
    match e {
        AttemptError::Status { .. } => "http_error",
        AttemptError::Timeout => "timeout",
        AttemptError::Network { .. } => "network_error",
        AttemptError::Auth(_) => "token_error",
    }
}

/// The final error for the order log.
pub(super) fn to_error(
    err: AttemptError,
    call: &Call<'_>,
    attempts: u32,
    system_call: String,
) -> NsError {
    let unknown_outcome = !call.kind.idempotent();
    match err {
        AttemptError::Auth(e) => e,
        AttemptError::Timeout => NsError::Timeout {
            attempts,
            system_call,
            maybe_committed: unknown_outcome,
        },
        AttemptError::Network { detail, sent } => NsError::Connection {
            attempts,
            detail,
            system_call,
            maybe_committed: unknown_outcome && sent,
        },
        AttemptError::Status { status, body } => {
            let code = status.as_u16();
            let doc = parse_error_doc(code, &body);
            let body = body_text(&body);
            match code {
                401 | 403 => NsError::Unauthorized {
                    status: code,
                    code: doc.code,
                    detail: doc.detail,
                    system_call,
                    body,
                },
                429 => NsError::Throttled {
                    attempts,
                    code: doc.code,
                    detail: doc.detail,
                    system_call,
                    body,
                },
                500..=599 => NsError::Server {
                    status: code,
                    attempts,
                    code: doc.code,
                    detail: doc.detail,
                    system_call,
                    body,
                    maybe_committed: unknown_outcome,
                },
                _ => NsError::Api {
                    status: code,
                    code: doc.code,
                    detail: doc.detail,
                    error_path: doc.path,
                    system_call,
                    body,
                },
            }
        }
    }
}
