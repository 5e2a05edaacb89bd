//! The simulator's own `/_sim/fulfillment/*` controls (no TikTok API): read
//! what was shipped, age a shipment past TikTok's 72 h update window
//! (finance-inventory-fulfilment.md §3.4) and move an order on to
//! IN_TRANSIT / DELIVERED, plus the [`TikTokSim`] methods tests call for the
//! same.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::shipments::{is_cancelled, is_shipped, line_items, Shipment};
use crate::tiktok::{SimError, TikTokSim};

impl TikTokSim {
    /// Shipments of one order, oldest package id first.
    pub fn shipments(&self, shop_id: &str, order_id: &str) -> Vec<Shipment> {
        self.state()
            .fulfillment
            .shipments
            .get(shop_id)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|s| s.order_id == order_id)
            .cloned()
            .collect()
    }

    /// Calls of a shop to one fulfilment API (e.g. [`MARK_SHIPPED_API`])
    /// that passed the common checks and the QPS limit, whatever they answered.
    pub fn fulfillment_calls(&self, shop_id: &str, api: &str) -> u64 {
        self.state()
            .fulfillment
            .calls
            .get(&(shop_id.to_string(), api.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Moves a shipment's time back by `seconds` (past the 72 h window).
    pub fn age_shipment(
        &self,
        shop_id: &str,
        package_id: &str,
        seconds: i64,
    ) -> Result<(), SimError> {
        let mut st = self.state();
        let s = st
            .fulfillment
            .shipments
            .get_mut(shop_id)
            .and_then(|m| m.get_mut(package_id))
            .ok_or_else(|| SimError::NotFound("shipment of package", package_id.to_string()))?;
        s.shipped_at -= seconds;
        Ok(())
    }

    /// The carrier's side: a fully shipped order moves to `IN_TRANSIT` or
    /// `DELIVERED` (the only statuses accepted here).
    pub fn advance_order(
        &self,
        shop_id: &str,
        order_id: &str,
        status: &str,
    ) -> Result<(), SimError> {
        if !matches!(status, "IN_TRANSIT" | "DELIVERED") {
            return Err(SimError::StatusNotSettable(status.to_string()));
        }
        let mut st = self.state();
        let order = st
            .orders
            .get_mut(shop_id)
            .and_then(|m| m.get_mut(order_id))
            .ok_or_else(|| SimError::NotFound("order", order_id.to_string()))?;
        let live = line_items(order).into_iter().filter(|l| !is_cancelled(l));
        if live.clone().next().is_none() || !live.into_iter().all(is_shipped) {
            return Err(SimError::NotFound(
                "fully shipped order",
                order_id.to_string(),
            ));
        }
        order["status"] = json!(status);
        order["update_time"] = json!(crate::now_secs());
        if let Some(lines) = order.get_mut("line_items").and_then(Value::as_array_mut) {
            for l in lines
                .iter_mut()
                .filter(|l| is_shipped(l) && !is_cancelled(l))
            {
                l["display_status"] = json!(status);
            }
        }
        Ok(())
    }

    /// What `GET /_sim/fulfillment/{shop_id}` shows.
    pub fn fulfillment_snapshot(&self, shop_id: &str) -> Value {
        let st = self.state();
        let calls: BTreeMap<&str, u64> = st
            .fulfillment
            .calls
            .iter()
            .filter(|((s, _), _)| s == shop_id)
            .map(|((_, api), n)| (api.as_str(), *n))
            .collect();
        let shipments: Vec<&Shipment> = st
            .fulfillment
            .shipments
            .get(shop_id)
            .into_iter()
            .flat_map(|m| m.values())
            .collect();
        json!({"calls": calls, "shipments": shipments})
    }
}

fn control_answer(r: Result<(), SimError>) -> Response {
    match r {
        Ok(()) => (StatusCode::OK, Json(json!({"ok": true}))).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e.to_string()})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct AgeShipment {
    shop_id: String,
    package_id: String,
    seconds: i64,
}

/// `POST /_sim/fulfillment/age {shop_id, package_id, seconds}`.
pub(crate) async fn control_age(
    State(sim): State<TikTokSim>,
    Json(req): Json<AgeShipment>,
) -> Response {
    control_answer(sim.age_shipment(&req.shop_id, &req.package_id, req.seconds))
}

#[derive(Deserialize)]
pub(crate) struct AdvanceOrder {
    shop_id: String,
    order_id: String,
    status: String,
}

/// `POST /_sim/fulfillment/advance {shop_id, order_id, status}`.
pub(crate) async fn control_advance(
    State(sim): State<TikTokSim>,
    Json(req): Json<AdvanceOrder>,
) -> Response {
    control_answer(sim.advance_order(&req.shop_id, &req.order_id, &req.status))
}

/// `GET /_sim/fulfillment/{shop_id}`: shipments and call counts.
pub(crate) async fn control_show(
    State(sim): State<TikTokSim>,
    Path(shop_id): Path<String>,
) -> Json<Value> {
    Json(sim.fulfillment_snapshot(&shop_id))
}
