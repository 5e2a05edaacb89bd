//! HTTP for the seller's return decisions (state machine in
//! `return_decisions.rs`): `POST /return_refund/202309/returns/{id}/approve`,
//! `…/reject`, `GET /return_refund/202309/reject_reasons`
//! (`return_or_cancel_id` required, answers `reasons[{name, text}]`), and
//! the controls `/_sim/returns/tick` (TikTok's clock: auto-approval, missed
//! ship-back) and `/_sim/returns/arbitrate`. Sources: returns.md §A1.
//!
//! The sim's "now" for a decision is the request's signed `timestamp`
//! (checked by `authenticate` against the wall clock), so tests drive
//! deadlines through the stored records, never by sleeping.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::authenticate;
use super::return_decisions as rd;
use super::returns::parse_body;
use super::{ApiError, TikTokSim};

pub(crate) const APPROVE_PATH: &str = "/return_refund/202309/returns/{return_id}/approve";
pub(crate) const REJECT_PATH: &str = "/return_refund/202309/returns/{return_id}/reject";
pub(crate) const REASONS_PATH: &str = "/return_refund/202309/reject_reasons";

fn not_found(id: &str) -> ApiError {
    // Search Returns' documented "no permission for this order" (§A3).
    ApiError::ok_status(25020005, format!("No permission for return {id}"))
}

async fn decide(
    sim: TikTokSim,
    return_id: String,
    reject: bool,
    q: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let verb = if reject { "reject" } else { "approve" };
    let path = format!("/return_refund/202309/returns/{return_id}/{verb}");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        let key = a.param("idempotency_key").unwrap_or_default().to_string();
        if key.is_empty() {
            // *harsh*: the docs list the key; the sim requires it.
            return Err(ApiError::ok_status(
                rd::INVALID_PARAMETER,
                "idempotency_key is required",
            ));
        }
        let now: i64 = a
            .param("timestamp")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let body = parse_body(&body)?;
        let fp = rd::fingerprint(&return_id, reject, &body);
        let mut st = sim.state();
        let seen_key = (a.shop.id.clone(), key.clone());
        if rd::check_key(st.return_keys.get(&seen_key), &key, &fp)? {
            return Ok(json!({}));
        }
        let rec = st
            .returns
            .get_mut(&a.shop.id)
            .and_then(|m| m.get_mut(&return_id))
            .ok_or_else(|| not_found(&return_id))?;
        rd::apply(rec, reject, &body, now)?;
        st.return_keys.insert(seen_key, fp);
        Ok(json!({}))
    });
    sim.finish(&path, result)
}

pub(crate) async fn approve(
    State(sim): State<TikTokSim>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    decide(sim, id, false, q, headers, body).await
}

pub(crate) async fn reject(
    State(sim): State<TikTokSim>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    decide(sim, id, true, q, headers, body).await
}

/// `GET /return_refund/202309/reject_reasons`.
pub(crate) async fn reject_reasons(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = authenticate(&sim, REASONS_PATH, q.as_deref(), &headers, &body).and_then(|a| {
        let id = a
            .param("return_or_cancel_id")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ApiError::ok_status(rd::INVALID_PARAMETER, "return_or_cancel_id is required")
            })?
            .to_string();
        let st = sim.state();
        let rec = st
            .returns
            .get(&a.shop.id)
            .and_then(|m| m.get(&id))
            .ok_or_else(|| not_found(&id))?;
        let reasons: Vec<Value> = rd::reject_reasons(rec)
            .into_iter()
            .map(|n| json!({"name": n, "text": n}))
            .collect();
        Ok(json!({ "reasons": reasons }))
    });
    sim.finish(REASONS_PATH, result)
}

#[derive(Deserialize)]
pub(crate) struct Tick {
    now: i64,
}

/// `POST /_sim/returns/tick {now}`: TikTok's clock passes `now`.
pub(crate) async fn control_tick(State(sim): State<TikTokSim>, Json(t): Json<Tick>) -> Response {
    let mut st = sim.state();
    let changed: usize = st
        .returns
        .values_mut()
        .flat_map(|m| m.values_mut())
        .map(|r| usize::from(rd::tick(r, t.now)))
        .sum();
    (StatusCode::OK, Json(json!({ "changed": changed }))).into_response()
}

#[derive(Deserialize)]
pub(crate) struct Arbitrate {
    shop_id: String,
    return_id: String,
    buyer_wins: bool,
    now: i64,
}

/// `POST /_sim/returns/arbitrate {shop_id, return_id, buyer_wins, now}`.
pub(crate) async fn control_arbitrate(
    State(sim): State<TikTokSim>,
    Json(a): Json<Arbitrate>,
) -> Response {
    let mut st = sim.state();
    let Some(rec) = st
        .returns
        .get_mut(&a.shop_id)
        .and_then(|m| m.get_mut(&a.return_id))
    else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such return"})),
        )
            .into_response();
    };
    match rd::arbitrate(rec, a.buyer_wins, a.now) {
        Ok(()) => (StatusCode::OK, Json(json!({"ok": true}))).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"error": e.message}))).into_response(),
    }
}
