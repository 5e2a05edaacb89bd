//! An error queue for the ship calls (Mark Package As Shipped, Ship
//! Package): the next calls that pass the common checks answer these codes,
//! one per call, in order, with HTTP 200 (issue 19 item 6).
//!
//! Only the "try again later" codes both ship APIs document are accepted:
//! 11006005, 11006026, 21001043, 21001055, 21008300, 21022030 (the ship
//! APIs' error lists, as issue 19 item 6 cites them) and 21001003 "System
//! timeout" (tiktok-shipping.md, retryable errors). The exact message of
//! each is not in the notes: the simulator sends a sim-defined "try again
//! later" sentence (a client must act on the code, never on the text).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::super::{ApiError, SimError, TikTokSim};

/// The codes [`TikTokSim::fail_next_ship_calls`] accepts.
pub const SHIP_RETRY_CODES: [i64; 7] = [
    11006005, 11006026, 21001043, 21001055, 21008300, 21022030, 21001003,
];

/// The queued failure for this call, if any (called after the common
/// checks and the call count: a refused call still counts).
pub(crate) fn take(f: &mut super::shipments::Fulfillment) -> Result<(), ApiError> {
    match f.ship_failures.pop_front() {
        None => Ok(()),
        Some(21001003) => Err(ApiError::ok_status(21001003, "System timeout")),
        Some(code) => Err(ApiError::ok_status(
            code,
            "The system is busy, please try again later.",
        )),
    }
}

impl TikTokSim {
    /// Makes the next `codes.len()` ship calls fail, one code per call.
    pub fn fail_next_ship_calls(&self, codes: &[i64]) -> Result<(), SimError> {
        if let Some(c) = codes.iter().find(|c| !SHIP_RETRY_CODES.contains(c)) {
            return Err(SimError::UndocumentedCode(*c));
        }
        self.state().fulfillment.ship_failures.extend(codes);
        Ok(())
    }

    /// Queued ship-call failures not yet served.
    pub fn pending_ship_failures(&self) -> usize {
        self.state().fulfillment.ship_failures.len()
    }
}

#[derive(Deserialize)]
pub(crate) struct FailShip {
    codes: Vec<i64>,
}

/// `POST /_sim/fulfillment/fail {"codes": [21001003, …]}`.
pub(crate) async fn control_fail(
    State(sim): State<TikTokSim>,
    Json(req): Json<FailShip>,
) -> Response {
    match sim.fail_next_ship_calls(&req.codes) {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"ok": true, "pending": sim.pending_ship_failures()})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e.to_string()})),
        )
            .into_response(),
    }
}
