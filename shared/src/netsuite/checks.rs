//! What a caller's value may be before it goes into a NetSuite URL.

use super::error::NsError;

/// Record types are path segments: letters, digits and `_` only
/// (`salesOrder`, `customrecord_x`), so a caller value can never change the URL.
pub(super) fn check_record_type(field: &'static str, t: &str) -> Result<(), NsError> {
    let ok = t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(NsError::Invalid {
            field,
            detail: format!("record type {t:?} must match [A-Za-z][A-Za-z0-9_]*"),
        })
    }
}

/// NetSuite accepts only `[A-Za-z0-9_-]` in an externalId used in a URL; `|`
/// would even be read as a multi-select delimiter (§2).
pub(super) fn check_external_id(eid: &str) -> Result<(), NsError> {
    if !eid.is_empty()
        && eid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        Err(NsError::Invalid {
            field: "externalId",
            detail: format!("{eid:?} must match [A-Za-z0-9_-]+"),
        })
    }
}

/// Internal ids are numbers; `eid:<externalId>` is accepted too.
pub(super) fn check_id(id: &str) -> Result<(), NsError> {
    if let Some(eid) = id.strip_prefix("eid:") {
        return check_external_id(eid);
    }
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(NsError::Invalid {
            field: "id",
            detail: format!("{id:?} must be a numeric internal id or eid:<externalId>"),
        })
    }
}
