//! `/_sim/*` test-control endpoints. They take no auth on purpose: they are a
//! test harness, not part of the simulated API, and the server is loopback-only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::TikTokSim;

pub(crate) async fn state(State(sim): State<TikTokSim>) -> Json<Value> {
    Json(sim.snapshot())
}

#[derive(Deserialize)]
pub(crate) struct UpsertOrder {
    shop_id: String,
    order: Value,
}

pub(crate) async fn upsert_order(
    State(sim): State<TikTokSim>,
    Json(req): Json<UpsertOrder>,
) -> Response {
    match sim.upsert_order(&req.shop_id, req.order) {
        Ok(()) => (StatusCode::OK, Json(json!({"ok": true}))).into_response(),
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct UpsertCancellation {
    shop_id: String,
    cancellation: Value,
}

pub(crate) async fn upsert_cancellation(
    State(sim): State<TikTokSim>,
    Json(req): Json<UpsertCancellation>,
) -> Response {
    match sim.upsert_cancellation(&req.shop_id, req.cancellation) {
        Ok(()) => (StatusCode::OK, Json(json!({"ok": true}))).into_response(),
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct UpsertReturn {
    shop_id: String,
    #[serde(rename = "return")]
    return_order: Value,
}

pub(crate) async fn upsert_return(
    State(sim): State<TikTokSim>,
    Json(req): Json<UpsertReturn>,
) -> Response {
    match sim.upsert_return(&req.shop_id, req.return_order) {
        Ok(()) => (StatusCode::OK, Json(json!({"ok": true}))).into_response(),
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct SetToken {
    access_token: Option<String>,
    access_token_expire_in: Option<i64>,
}

pub(crate) async fn set_token(
    State(sim): State<TikTokSim>,
    Path(shop_id): Path<String>,
    Json(req): Json<SetToken>,
) -> Response {
    match sim.set_token(&shop_id, req.access_token, req.access_token_expire_in) {
        Ok(()) => (StatusCode::OK, Json(json!({"ok": true}))).into_response(),
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct FailOrderDetails {
    codes: Vec<i64>,
}

/// `POST /_sim/fail/order_details {"codes":[10002014,…]}`: see
/// `TikTokSim::fail_next_order_details`. Answers the queue length.
pub(crate) async fn fail_order_details(
    State(sim): State<TikTokSim>,
    Json(req): Json<FailOrderDetails>,
) -> Response {
    match sim.fail_next_order_details(&req.codes) {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"ok": true, "pending": sim.pending_order_detail_failures()})),
        )
            .into_response(),
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct Config {
    qps_limit: Option<u32>,
}

pub(crate) async fn config(State(sim): State<TikTokSim>, Json(req): Json<Config>) -> Json<Value> {
    if let Some(q) = req.qps_limit {
        sim.set_qps_limit(q);
    }
    Json(json!({"ok": true, "qps_limit": sim.state().qps_limit}))
}

pub(crate) async fn reset(State(sim): State<TikTokSim>) -> Json<Value> {
    sim.reset();
    Json(json!({"ok": true}))
}

pub(crate) fn bad_request(e: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"ok": false, "error": e.to_string()})),
    )
        .into_response()
}
