//! What an account needs for return records, as switches a test can turn
//! off (all on by default), so the doctor's checks can be seen failing and
//! the REST side's refusals are real (issue 28 §6; returns.md edge case 23):
//!
//! - **Return Authorizations** (Setup > Company > Enable Features >
//!   Transactions): the `returnAuthorization` record exists only with it
//!   (Oracle section_N3688557, section_N425745).
//! - **Advanced Receiving**: the `itemReceipt` of returned goods exists only
//!   with it (section_N3681685).
//! - **The RA approval permission** ("Return Auth. Approval"): approving an
//!   RA means setting `orderStatus` B (returns.md §B1: A = Pending Approval,
//!   B = Pending Receipt, settable on create and update, WSJ schema). The
//!   permission's REST behaviour is unverified (§B1 "[U]"); harsher reading:
//!   a write that sets B without it is 403 `INSUFFICIENT_PERMISSION`, and
//!   this is judged before the record is looked up, so `PATCH
//!   returnAuthorization/0 {"orderStatus":{"id":"B"}}` probes it (404 with
//!   the permission, 403 without).
//!
//! A record type or transform that needs a feature that is off answers 400
//! `FEATURE_DISABLED` (the code SOAP web services use for a disabled feature;
//! the REST wording is unverified, sim-defined). `orderStatus` other than A
//! or B on an RA write is 400 "Invalid Field Value" (only A and B are
//! settable, WSJ schema).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{NetSuiteSim, NsError};

/// The account's return set-up (all on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct ReturnSetup {
    #[serde(default = "on")]
    pub return_authorizations: bool,
    #[serde(default = "on")]
    pub advanced_receiving: bool,
    #[serde(default = "on")]
    pub ra_approval_permission: bool,
}

fn on() -> bool {
    true
}

impl Default for ReturnSetup {
    fn default() -> Self {
        Self {
            return_authorizations: true,
            advanced_receiving: true,
            ra_approval_permission: true,
        }
    }
}

fn feature_off(feature: &str) -> NsError {
    NsError::bad_request(
        "FEATURE_DISABLED",
        format!(
            "The feature '{feature}' required to access this page is not enabled in this account."
        ),
    )
}

/// The record type and, for a transform, the target of a record path.
fn record_path(path: &str) -> Option<(&str, Option<&str>)> {
    let rest = path.strip_prefix("/services/rest/record/v1/")?;
    let segs: Vec<&str> = rest.split('/').collect();
    let target = match segs.as_slice() {
        [_, _, "!transform", t, ..] => Some(*t),
        _ => None,
    };
    Some((segs.first().copied()?, target))
}

/// Whether the request touches a record type that needs a feature that is
/// off (module doc).
fn check_features(setup: &ReturnSetup, rtype: &str, target: Option<&str>) -> Result<(), NsError> {
    let touches = |n: &str| {
        rtype.eq_ignore_ascii_case(n) || target.is_some_and(|t| t.eq_ignore_ascii_case(n))
    };
    if touches("returnAuthorization") && !setup.return_authorizations {
        return Err(feature_off("Return Authorizations"));
    }
    if touches("itemReceipt") && !setup.advanced_receiving {
        return Err(feature_off("Advanced Receiving"));
    }
    Ok(())
}

/// `orderStatus` on an RA write: A or B only; B needs the permission.
fn check_status(setup: &ReturnSetup, body: &Value) -> Result<(), NsError> {
    let Some(v) = body
        .as_object()
        .and_then(|o| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("orderStatus"))
        })
        .map(|(_, v)| v)
    else {
        return Ok(());
    };
    let id = match v {
        Value::Object(o) => o.get("id").and_then(Value::as_str).unwrap_or_default(),
        Value::String(s) => s.as_str(),
        _ => "",
    };
    match id {
        "A" => Ok(()),
        "B" if setup.ra_approval_permission => Ok(()),
        "B" => Err(NsError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_PERMISSION",
            "Permission Violation: You need the 'Return Auth. Approval' permission to approve a return authorization. Please contact your account administrator.",
        )),
        other => Err(NsError::bad_request(
            "USER_ERROR",
            format!("Error while accessing a resource. You have entered an Invalid Field Value {other} for the following field: orderStatus"),
        )
        .path("orderStatus")),
    }
}

/// Middleware in front of the record routes (inside the auth gate).
pub(crate) async fn gate(State(sim): State<NetSuiteSim>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some((rtype, target)) = record_path(&path) else {
        return next.run(req).await;
    };
    let setup = sim.state().return_setup;
    if let Err(e) = check_features(&setup, rtype, target) {
        return e.into_response();
    }
    let writes_ra = match target {
        Some(t) => t.eq_ignore_ascii_case("returnAuthorization"),
        None => {
            rtype.eq_ignore_ascii_case("returnAuthorization")
                && matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH)
        }
    };
    if !writes_ra {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return NsError::bad_request("INVALID_CONTENT", "The request body could not be read.")
            .into_response();
    };
    if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
        if let Err(e) = check_status(&setup, &v) {
            return e.into_response();
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// `POST /_sim/return_setup {"return_authorizations": bool,
/// "advanced_receiving": bool, "ra_approval_permission": bool}` (missing
/// switches are on).
pub(crate) async fn control(
    State(sim): State<NetSuiteSim>,
    Json(s): Json<ReturnSetup>,
) -> Json<Value> {
    sim.state().return_setup = s;
    Json(json!({"ok": true}))
}

impl NetSuiteSim {
    /// Sets the account's return set-up (features and the approval permission).
    pub fn set_return_setup(&self, setup: ReturnSetup) {
        self.state().return_setup = setup;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_features() {
        let off = ReturnSetup {
            return_authorizations: false,
            advanced_receiving: false,
            ra_approval_permission: false,
        };
        let (t, tg) =
            record_path("/services/rest/record/v1/invoice/5/!transform/returnAuthorization")
                .unwrap();
        assert_eq!((t, tg), ("invoice", Some("returnAuthorization")));
        assert!(check_features(&off, t, tg).is_err());
        assert!(check_features(&ReturnSetup::default(), t, tg).is_ok());
        assert!(check_features(&off, "itemreceipt", None).is_err());
        assert!(check_features(&off, "salesOrder", None).is_ok());
    }

    #[test]
    fn approval_needs_the_permission_and_only_a_or_b() {
        let no = ReturnSetup {
            ra_approval_permission: false,
            ..ReturnSetup::default()
        };
        let b = json!({"orderStatus": {"id": "B"}});
        assert_eq!(
            check_status(&no, &b).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        assert!(check_status(&ReturnSetup::default(), &b).is_ok());
        assert!(check_status(&no, &json!({"orderStatus": {"id": "A"}})).is_ok());
        assert!(check_status(&no, &json!({"orderStatus": {"id": "H"}})).is_err());
    }
}
