//! Ship Package for a **TikTok Shipping** package outside the US (UK, EU,
//! SEA): the package exists from payment (its `package_id` in Get Order
//! Detail), the seller only schedules the handover, and TikTok's carrier
//! and tracking come with it (tiktok-shipping.md §1b, FOV "Schedule
//! shipping from TikTok"; UKEU "Get Order Detail → SP set to TikTok
//! Shipping → GPSD").
//!
//! Rules ("sim": the harsher reading where the sources are silent):
//! - `self_shipment` on a TIKTOK order: 21011004 (the order takes no seller
//!   tracking, §"Edge cases" 13).
//! - `handover_method` is `PICKUP` or `DROP_OFF` (SP body); a UK/EU
//!   `PICKUP` without `pickup_slot{start_time,end_time}`: 21011054 (§ edge
//!   case 15). Absent: sim, taken as DROP_OFF (SEA ignores it, CL-SEAHO).
//! - A cancelled order 21011041, a pending buyer cancellation 21011007 (as
//!   Create Packages).
//! - TikTok writes the arrangement into the order as Create Packages does:
//!   the lines' `package_status` PROCESSING, `tracking_number`,
//!   `shipping_provider_id/_name` (UK: Evri, the default courier; EU and
//!   SEA: sim names), `status` AWAITING_COLLECTION once every live line is
//!   arranged. SP's response `data` is empty (SP).

use serde_json::{json, Map, Value};

use super::shipments::{is_cancelled, text};
use super::{api_error, codes};
use crate::tiktok::products::bad_param;
use crate::tiktok::ApiError;

/// TikTok's answer to `self_shipment` on a TikTok Shipping order.
pub const SELLER_TRACKING_ON_TIKTOK_SHIPPING: i64 = 21011004;
/// A UK/EU pickup without a slot.
pub const PICKUP_SLOT_REQUIRED: i64 = 21011054;

const UKEU: &[&str] = &["GB", "UK", "DE", "FR", "IT", "ES", "IE"];

/// The market's TikTok carrier (id, name).
fn carrier(region: &str) -> (&'static str, &'static str) {
    match region {
        "GB" | "UK" => ("7208502187360519982", "Evri"),
        r if UKEU.contains(&r) => ("7208502187360519983", "DHL eCommerce"),
        _ => ("7208502187360519984", "J&T Express"),
    }
}

/// Schedules the handover of `package_id` of `order` (a TIKTOK order).
pub(super) fn tiktok_handover(
    order: &mut Value,
    package_id: &str,
    body: &Map<String, Value>,
    region: &str,
) -> Result<Value, ApiError> {
    if body.contains_key("self_shipment") {
        return Err(ApiError::ok_status(
            SELLER_TRACKING_ON_TIKTOK_SHIPPING,
            "This order is shipped by TikTok Shipping; tracking cannot be provided by the seller.",
        ));
    }
    match text(order, "status") {
        "CANCELLED" | "CANCEL" => return Err(api_error(codes::ORDER_CANCELLED)),
        _ if order
            .get("is_buyer_request_cancel")
            .and_then(Value::as_bool)
            .unwrap_or(false) =>
        {
            return Err(api_error(codes::AFTER_SALE))
        }
        _ => {}
    }
    match body.get("handover_method").and_then(Value::as_str) {
        None | Some("DROP_OFF") => {}
        Some("PICKUP") => {
            let slot = body.get("pickup_slot");
            let has = |k: &str| slot.and_then(|s| s.get(k)).is_some_and(|v| !v.is_null());
            if UKEU.contains(&region) && !(has("start_time") && has("end_time")) {
                return Err(ApiError::ok_status(
                    PICKUP_SLOT_REQUIRED,
                    "Please select a pickup time slot.",
                ));
            }
        }
        Some(other) => {
            return Err(bad_param(format!(
                "handover_method {other} is not PICKUP or DROP_OFF"
            )))
        }
    }
    let (provider_id, provider) = carrier(region);
    let tail = &package_id[package_id.len().saturating_sub(10)..];
    let tracking = format!("TT{tail}{region}");
    let mut all = true;
    if let Some(items) = order.get_mut("line_items").and_then(Value::as_array_mut) {
        for l in items.iter_mut() {
            if text(l, "package_id") == package_id && !is_cancelled(l) {
                l["package_status"] = json!("PROCESSING");
                l["tracking_number"] = json!(tracking);
                l["shipping_provider_id"] = json!(provider_id);
                l["shipping_provider_name"] = json!(provider);
            } else if !is_cancelled(l) && text(l, "tracking_number").is_empty() {
                all = false;
            }
        }
    }
    if all {
        order["status"] = json!("AWAITING_COLLECTION");
    }
    Ok(json!({}))
}
