//! The seller's return decisions, as a state machine over a stored return
//! (Search Returns shape): Approve Return / Reject Return 202309, TikTok's
//! auto-approval at the deadline, and arbitration. Sources: returns.md §A1
//! (Approve/Reject bodies, `idempotency_key` ≤ 255 chars), §A4 (the
//! transitions, from the overview doc 650b2001bace3e02b76db38a), §A6
//! (auto-approval when the seller does not answer in time), §A2 (codes
//! 25011011/25011012 "status cannot reject/approve", from Get Review
//! Decision 202606).
//!
//! Harsher readings where the docs are silent (each marked *harsh*):
//! - a decision is accepted only while its seller action is open in
//!   `seller_next_action_response`;
//! - `buyer_keep_item` is refused unless the return says `can_buyer_keep_item`;
//! - a `reject_reason` must be one of the reasons listed for that return;
//! - an `idempotency_key` re-sent with a different request is a parameter
//!   error, and one re-sent with the same request applies nothing again.

use serde_json::{json, Map, Value};

use super::ApiError;

pub(crate) const CANNOT_REJECT: i64 = 25011011;
pub(crate) const CANNOT_APPROVE: i64 = 25011012;
pub(crate) const INVALID_PARAMETER: i64 = 25001001;

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::ok_status(INVALID_PARAMETER, msg)
}

fn status(rec: &Value) -> &str {
    rec.get("return_status")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn rtype(rec: &Value) -> &str {
    rec.get("return_type").and_then(Value::as_str).unwrap_or("")
}

/// The deadline of an open seller action, if it is open.
pub(crate) fn open_action(rec: &Value, action: &str) -> Option<i64> {
    rec.get("seller_next_action_response")?
        .as_array()?
        .iter()
        .find(|a| a.get("action").and_then(Value::as_str) == Some(action))
        .and_then(|a| a.get("deadline").and_then(Value::as_i64))
}

fn set(rec: &mut Value, st: &str, role: &str, now: i64, next: Option<(&str, i64)>) {
    rec["return_status"] = json!(st);
    rec["role"] = json!(role);
    rec["update_time"] = json!(now);
    rec["seller_next_action_response"] = match next {
        Some((a, d)) => json!([{ "action": a, "deadline": d }]),
        None => json!([]),
    };
}

/// The reject reasons listed for a return (`_sim_reject_reasons`, seeded per
/// return; absent means TikTok's generic list below).
pub(crate) fn reject_reasons(rec: &Value) -> Vec<String> {
    match rec.get("_sim_reject_reasons").and_then(Value::as_array) {
        Some(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        None => vec![
            "seller_reject_apply_reason_1".into(),
            "seller_reject_receive_package_reason_1".into(),
        ],
    }
}

/// How long the buyer has to ship back once approved (sim-defined: 5 days,
/// Indonesia's published figure, returns.md §A6).
pub(crate) const SHIP_BACK_SECS: i64 = 5 * 86_400;

/// Applies one Approve or Reject call.
pub(crate) fn apply(
    rec: &mut Value,
    reject: bool,
    body: &Map<String, Value>,
    now: i64,
) -> Result<(), ApiError> {
    let decision = body
        .get("decision")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("decision is required"))?;
    let refuse = |code| {
        ApiError::ok_status(
            code,
            format!(
                "The return status cannot {} ({})",
                if reject { "reject" } else { "approve" },
                status(rec)
            ),
        )
    };
    let cannot = if reject {
        CANNOT_REJECT
    } else {
        CANNOT_APPROVE
    };
    let (action, ok_type) = match decision {
        "APPROVE_RETURN" | "REJECT_RETURN" | "OFFER_PARTIAL_REFUND" => {
            ("SELLER_RESPOND_RETURN", "RETURN_AND_REFUND")
        }
        "APPROVE_REFUND" | "REJECT_REFUND" => ("SELLER_RESPOND_REFUND", "REFUND"),
        "APPROVE_RECEIVED_PACKAGE" | "REJECT_RECEIVED_PACKAGE" => {
            ("SELLER_RESPOND_RECEIVE_PACKAGE", "RETURN_AND_REFUND")
        }
        other => return Err(bad(format!("decision {other} is not supported"))),
    };
    if decision.starts_with("REJECT") != reject {
        return Err(bad(format!(
            "decision {decision} does not belong to this endpoint"
        )));
    }
    if rtype(rec) != ok_type || open_action(rec, action).is_none() {
        return Err(refuse(cannot));
    }
    if reject {
        let reason = body
            .get("reject_reason")
            .and_then(Value::as_str)
            .unwrap_or("");
        if reason.is_empty() || !reject_reasons(rec).iter().any(|r| r == reason) {
            return Err(bad(format!(
                "reject_reason {reason:?} is not valid for this return"
            )));
        }
    }
    let keep = body
        .get("buyer_keep_item")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if keep
        && (decision != "APPROVE_RETURN"
            || rec.get("can_buyer_keep_item").and_then(Value::as_bool) != Some(true))
    {
        return Err(bad("buyer_keep_item is not allowed for this return"));
    }
    match decision {
        "APPROVE_RETURN" if keep => {
            rec["buyer_keep_item"] = json!(true);
            set(rec, "RETURN_OR_REFUND_REQUEST_SUCCESS", "SELLER", now, None);
        }
        "APPROVE_RETURN" => set(rec, "AWAITING_BUYER_SHIP", "SELLER", now, None),
        "APPROVE_REFUND" | "APPROVE_RECEIVED_PACKAGE" => {
            set(rec, "RETURN_OR_REFUND_REQUEST_SUCCESS", "SELLER", now, None)
        }
        "REJECT_RETURN" | "REJECT_REFUND" => {
            set(rec, "REFUND_OR_RETURN_REQUEST_REJECT", "SELLER", now, None)
        }
        "REJECT_RECEIVED_PACKAGE" => set(rec, "REJECT_RECEIVE_PACKAGE", "SELLER", now, None),
        _ => return Err(bad(format!("decision {decision} is not simulated"))),
    }
    if decision == "APPROVE_RETURN" && !keep {
        rec["_sim_ship_back_by"] = json!(now + SHIP_BACK_SECS);
    }
    Ok(())
}

/// TikTok acting on its own clock: a seller deadline that passed is
/// auto-approved (§A6); a buyer who misses the ship-back deadline has the
/// return cancelled (§A4, [OV-NEW]). Returns whether anything changed.
pub(crate) fn tick(rec: &mut Value, now: i64) -> bool {
    let due = |a: &str, r: &Value| open_action(r, a).is_some_and(|d| d <= now);
    if due("SELLER_RESPOND_RETURN", rec) {
        set(rec, "AWAITING_BUYER_SHIP", "SYSTEM", now, None);
        rec["_sim_ship_back_by"] = json!(now + SHIP_BACK_SECS);
        return true;
    }
    if due("SELLER_RESPOND_REFUND", rec) || due("SELLER_RESPOND_RECEIVE_PACKAGE", rec) {
        set(rec, "RETURN_OR_REFUND_REQUEST_SUCCESS", "SYSTEM", now, None);
        return true;
    }
    let ship_by = rec.get("_sim_ship_back_by").and_then(Value::as_i64);
    if status(rec) == "AWAITING_BUYER_SHIP" && ship_by.is_some_and(|d| d <= now) {
        set(rec, "RETURN_OR_REFUND_REQUEST_CANCEL", "SYSTEM", now, None);
        return true;
    }
    false
}

/// Arbitration's outcome (§A4): a request rejection won by the buyer goes
/// to AWAITING_BUYER_SHIP, a package rejection won by the buyer to SUCCESS;
/// won by the seller, both are cancelled.
pub(crate) fn arbitrate(rec: &mut Value, buyer_wins: bool, now: i64) -> Result<(), ApiError> {
    let next = match (status(rec), buyer_wins) {
        ("REFUND_OR_RETURN_REQUEST_REJECT", true) => "AWAITING_BUYER_SHIP",
        ("REJECT_RECEIVE_PACKAGE", true) => "RETURN_OR_REFUND_REQUEST_SUCCESS",
        ("REFUND_OR_RETURN_REQUEST_REJECT" | "REJECT_RECEIVE_PACKAGE", false) => {
            "RETURN_OR_REFUND_REQUEST_CANCEL"
        }
        (s, _) => return Err(bad(format!("no arbitration from {s}"))),
    };
    rec["arbitration_status"] = json!(if buyer_wins {
        "SUPPORT_BUYER"
    } else {
        "SUPPORT_SELLER"
    });
    set(rec, next, "OPERATOR", now, None);
    if next == "AWAITING_BUYER_SHIP" {
        rec["_sim_ship_back_by"] = json!(now + SHIP_BACK_SECS);
    }
    Ok(())
}

/// One idempotency key's first request (return id + body), to compare retries against.
pub(crate) fn fingerprint(return_id: &str, reject: bool, body: &Map<String, Value>) -> String {
    format!("{return_id}|{reject}|{}", Value::Object(body.clone()))
}

/// Checks an `idempotency_key`: `Ok(true)` when this exact request was
/// already applied (answer success, apply nothing), `Ok(false)` when new.
pub(crate) fn check_key(seen: Option<&String>, key: &str, fp: &str) -> Result<bool, ApiError> {
    if key.len() > 255 {
        return Err(bad("idempotency_key is longer than 255 characters"));
    }
    match seen {
        Some(prev) if prev == fp => Ok(true),
        Some(_) => Err(bad("idempotency_key was already used for another request")),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(kind: &str) -> Value {
        json!({"return_id": "R1", "return_type": kind, "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
               "can_buyer_keep_item": true,
               "seller_next_action_response": [{"action": if kind == "REFUND" {"SELLER_RESPOND_REFUND"} else {"SELLER_RESPOND_RETURN"}, "deadline": 100}]})
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn approve_then_approve_again_is_cannot_approve() {
        let mut r = pending("RETURN_AND_REFUND");
        apply(
            &mut r,
            false,
            &body(json!({"decision": "APPROVE_RETURN"})),
            10,
        )
        .unwrap();
        assert_eq!(status(&r), "AWAITING_BUYER_SHIP");
        let e = apply(
            &mut r,
            false,
            &body(json!({"decision": "APPROVE_RETURN"})),
            11,
        )
        .unwrap_err();
        assert_eq!(e.code, CANNOT_APPROVE);
    }

    #[test]
    fn reject_needs_a_listed_reason() {
        let mut r = pending("RETURN_AND_REFUND");
        let e = apply(&mut r, true, &body(json!({"decision": "REJECT_RETURN", "reject_reason": "reverse_reject_request_reason_1"})), 10).unwrap_err();
        assert_eq!(e.code, INVALID_PARAMETER);
        apply(&mut r, true, &body(json!({"decision": "REJECT_RETURN", "reject_reason": "seller_reject_apply_reason_1"})), 10).unwrap();
        assert_eq!(status(&r), "REFUND_OR_RETURN_REQUEST_REJECT");
    }

    #[test]
    fn auto_approval_then_missed_ship_back_cancels() {
        let mut r = pending("RETURN_AND_REFUND");
        assert!(!tick(&mut r, 99));
        assert!(tick(&mut r, 100));
        assert_eq!(status(&r), "AWAITING_BUYER_SHIP");
        assert_eq!(r["role"], "SYSTEM");
        assert!(tick(&mut r, 100 + SHIP_BACK_SECS));
        assert_eq!(status(&r), "RETURN_OR_REFUND_REQUEST_CANCEL");
    }

    #[test]
    fn arbitration_either_way() {
        let reject = body(
            json!({"decision": "REJECT_RETURN", "reject_reason": "seller_reject_apply_reason_1"}),
        );
        let mut a = pending("RETURN_AND_REFUND");
        apply(&mut a, true, &reject, 1).unwrap();
        let mut b = a.clone();
        arbitrate(&mut a, true, 2).unwrap();
        assert_eq!(status(&a), "AWAITING_BUYER_SHIP");
        arbitrate(&mut b, false, 2).unwrap();
        assert_eq!(status(&b), "RETURN_OR_REFUND_REQUEST_CANCEL");
        assert!(arbitrate(&mut b, true, 3).is_err());
    }

    #[test]
    fn keep_item_only_when_allowed() {
        let mut r = pending("RETURN_AND_REFUND");
        r["can_buyer_keep_item"] = json!(false);
        let keep = body(json!({"decision": "APPROVE_RETURN", "buyer_keep_item": true}));
        assert!(apply(&mut r, false, &keep, 1).is_err());
        r["can_buyer_keep_item"] = json!(true);
        apply(&mut r, false, &keep, 1).unwrap();
        assert_eq!(status(&r), "RETURN_OR_REFUND_REQUEST_SUCCESS");
    }

    #[test]
    fn idempotency_keys() {
        let fp = fingerprint("R1", false, &body(json!({"decision": "APPROVE_RETURN"})));
        assert!(!check_key(None, "k", &fp).unwrap());
        assert!(check_key(Some(&fp), "k", &fp).unwrap());
        assert!(check_key(Some(&"other".to_string()), "k", &fp).is_err());
        assert!(check_key(None, &"k".repeat(256), &fp).is_err());
    }
}
