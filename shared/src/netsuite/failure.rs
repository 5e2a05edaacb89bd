//! NetSuite's errors, mapped once into the order log's taxonomy
//! ([`crate::taxonomy`]); each boundary maps its own error beside it.

use crate::netsuite::NsError;
use crate::taxonomy::{ErrorCode, Failure};

impl From<&NsError> for Failure {
    fn from(e: &NsError) -> Self {
        let (code, fix) = match e {
            NsError::Unauthorized { .. } => (
                ErrorCode::Unauthorized,
                "Check the NetSuite integration record, access token and role permissions (README: first-time checklist); resubmit afterwards.",
            ),
            NsError::Throttled { .. } => (
                ErrorCode::RateLimited,
                "NetSuite's account concurrency limit was busy; the order is retried automatically. If it persists, lower other integrations' load or raise the limit.",
            ),
            NsError::Timeout { .. } => (ErrorCode::Timeout, "Retried automatically; idempotent writes make the retry safe."),
            NsError::Connection { .. } | NsError::Server { .. } => (
                ErrorCode::ConnectionError,
                "NetSuite was unreachable or failed; the order is retried automatically.",
            ),
            NsError::Api { code, .. } if matches!(code.as_str(), "INVALID_FLD_VALUE" | "INVALID_KEY_OR_REF" | "INVALID_ID" | "INVALID_CONTENT") => (
                ErrorCode::InvalidSchema,
                "A mapped value was refused (see the field path); fix the shop's mapping or the referenced NetSuite record, then resubmit.",
            ),
            NsError::Api { .. } | NsError::Decode { .. } | NsError::Invalid { .. } => (
                ErrorCode::OrderCreationFailed,
                "Read NetSuite's message below; correct the record or mapping in NetSuite, then resubmit.",
            ),
        };
        let reason = match (e, e.error_path()) {
            (_, Some(path)) => format!("{e} (field {path})"),
            _ => e.to_string(),
        };
        Failure::new(code, reason, fix)
            .retryable(e.is_retryable())
            .with_response(
                e.http_status(),
                e.code().map(str::to_string),
                e.system_call().map(str::to_string),
                e.response_body().map(str::to_string),
            )
    }
}
