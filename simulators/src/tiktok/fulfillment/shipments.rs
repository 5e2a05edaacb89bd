//! The shipments the simulator records per shop (package id → tracking,
//! provider, time, call), and the order checks every shipping call shares:
//! seller-fulfilled and seller-shipped only (finance-inventory-fulfilment.md
//! §3.1, code 21008025), the tracking-number rules (§3.3, 21004012), one
//! tracking number for at most 20 orders of one recipient (§3.1, 21011026 /
//! 21034012), and how a shipment is written back into the order JSON that
//! Get Order Detail serves (§3.4; see the `fulfillment` module doc).

use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

use super::{api_error, codes, MAX_ORDERS_PER_TRACKING};
use crate::seed::{DeliveryOptionSeed, TikTokSeed};
use crate::tiktok::products::bad_param;
use crate::tiktok::ApiError;

/// One shipment the simulator recorded (what `/_sim/fulfillment` shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shipment {
    pub package_id: String,
    pub order_id: String,
    pub line_item_ids: Vec<String>,
    pub tracking_number: String,
    pub shipping_provider_id: String,
    pub shipping_provider_name: String,
    /// Unix seconds; the 72 h window counts from here.
    pub shipped_at: i64,
    /// Which call shipped it: `mark_shipped` or `ship_package`.
    pub via: String,
    /// Tracking corrections accepted (at most one per order).
    pub updates: u32,
}

/// Fulfilment state of all shops.
pub(crate) struct Fulfillment {
    /// shop id -> delivery option id -> option.
    pub(super) options: BTreeMap<String, BTreeMap<String, DeliveryOptionSeed>>,
    /// shop id -> package id -> shipment.
    pub(super) shipments: BTreeMap<String, BTreeMap<String, Shipment>>,
    /// (shop id, API) -> calls that passed the common checks.
    pub(super) calls: BTreeMap<(String, String), u64>,
    pub(super) next_package: u64,
    /// Codes the next ship calls answer (`failures.rs`).
    pub(super) ship_failures: std::collections::VecDeque<i64>,
    /// Label purchases to commit and then drop the connection of (`labels.rs`).
    pub(super) label_drops: u32,
}

impl Fulfillment {
    pub(crate) fn from_seed(seed: &TikTokSeed) -> Self {
        let mut options: BTreeMap<String, BTreeMap<String, DeliveryOptionSeed>> = BTreeMap::new();
        for o in &seed.delivery_options {
            options
                .entry(o.shop_id.clone())
                .or_default()
                .insert(o.id.clone(), o.clone());
        }
        Self {
            options,
            shipments: BTreeMap::new(),
            calls: BTreeMap::new(),
            next_package: 1_153_132_168_900_000_000,
            ship_failures: Default::default(),
            label_drops: 0,
        }
    }

    pub(super) fn count(&mut self, shop: &str, api: &str) {
        *self
            .calls
            .entry((shop.to_string(), api.to_string()))
            .or_default() += 1;
    }
}

pub(super) fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn line_items(order: &Value) -> Vec<&Value> {
    order
        .get("line_items")
        .and_then(Value::as_array)
        .map(|l| l.iter().collect())
        .unwrap_or_default()
}

pub(super) fn is_cancelled(line: &Value) -> bool {
    ["display_status", "package_status"]
        .iter()
        .any(|k| matches!(text(line, k), "CANCELLED" | "CANCEL"))
}

pub(super) fn is_shipped(line: &Value) -> bool {
    !text(line, "tracking_number").is_empty()
}

/// §3.1: only seller-fulfilled, seller-shipped orders take our tracking.
pub(super) fn check_seller_fulfilled(order: &Value) -> Result<(), ApiError> {
    let by_seller = text(order, "fulfillment_type") == "FULFILLMENT_BY_SELLER"
        && text(order, "shipping_type") == "SELLER";
    if !by_seller {
        return Err(api_error(codes::FULFILLED_BY_PLATFORM));
    }
    match text(order, "status") {
        "CANCELLED" | "CANCEL" => Err(api_error(codes::ORDER_CANCELLED)),
        "UNPAID" | "ON_HOLD" => Err(bad_param("the order is not ready to ship")),
        _ => Ok(()),
    }
}

/// `self_shipment`-style `{tracking_number, shipping_provider_id}`.
pub(super) struct Tracking {
    pub(super) number: String,
    pub(super) provider_id: String,
}

pub(super) fn tracking_from(obj: &serde_json::Map<String, Value>) -> Result<Tracking, ApiError> {
    let field = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| bad_param(format!("{k} is required")))
    };
    let number = field("tracking_number")?;
    let provider_id = field("shipping_provider_id")?;
    if !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(api_error(codes::SPECIAL_CHARACTERS));
    }
    Ok(Tracking {
        number,
        provider_id,
    })
}

impl Fulfillment {
    /// §3.1: ≤ 20 orders per tracking number, one recipient.
    pub(super) fn check_consolidation(
        &self,
        shop: &str,
        orders: &BTreeMap<String, Value>,
        order_id: &str,
        tracking: &str,
    ) -> Result<(), ApiError> {
        let users: BTreeSet<&str> = self
            .shipments
            .get(shop)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|s| s.tracking_number == tracking && s.order_id != order_id)
            .map(|s| s.order_id.as_str())
            .collect();
        if users.is_empty() {
            return Ok(());
        }
        let recipient = |id: &str| {
            orders.get(id).map(|o| {
                let a = o.get("recipient_address").cloned().unwrap_or(Value::Null);
                (
                    text(&a, "name").to_string(),
                    text(&a, "full_address").to_string(),
                )
            })
        };
        let mine = recipient(order_id);
        if users.iter().any(|u| recipient(u) != mine) {
            return Err(api_error(codes::TRACKING_USED));
        }
        if users.len() >= MAX_ORDERS_PER_TRACKING {
            return Err(api_error(codes::TRACKING_OVER_LIMIT));
        }
        Ok(())
    }

    pub(super) fn new_package_id(&mut self) -> String {
        self.next_package += 1;
        self.next_package.to_string()
    }
}

/// Writes a shipment (or a corrected one) into the order JSON, then sets the
/// order's status (module doc, "Status").
pub(super) fn apply_to_order(order: &mut Value, s: &Shipment) {
    if let Some(lines) = order.get_mut("line_items").and_then(Value::as_array_mut) {
        for l in lines.iter_mut() {
            if s.line_item_ids.iter().any(|id| id == text(l, "id")) {
                l["package_id"] = json!(s.package_id);
                l["package_status"] = json!("FULFILLING");
                l["tracking_number"] = json!(s.tracking_number);
                l["shipping_provider_id"] = json!(s.shipping_provider_id);
                l["shipping_provider_name"] = json!(s.shipping_provider_name);
            }
        }
    }
    let (live, shipped) = line_items(order)
        .iter()
        .filter(|l| !is_cancelled(l))
        .fold((0, 0), |(n, k), l| (n + 1, k + usize::from(is_shipped(l))));
    let status = if shipped < live {
        "PARTIALLY_SHIPPING"
    } else {
        "AWAITING_COLLECTION"
    };
    if matches!(
        text(order, "status"),
        "AWAITING_SHIPMENT" | "PARTIALLY_SHIPPING" | "AWAITING_COLLECTION"
    ) {
        order["status"] = json!(status);
        if let Some(lines) = order.get_mut("line_items").and_then(Value::as_array_mut) {
            for l in lines
                .iter_mut()
                .filter(|l| is_shipped(l) && !is_cancelled(l))
            {
                l["display_status"] = json!(status);
            }
        }
    }
    // The packages the order's line items now reference.
    let packages: BTreeSet<String> = line_items(order)
        .iter()
        .map(|l| text(l, "package_id").to_string())
        .filter(|p| !p.is_empty())
        .collect();
    order["packages"] = json!(packages
        .iter()
        .map(|p| json!({"id": p}))
        .collect::<Vec<_>>());
    order["tracking_number"] = json!(s.tracking_number);
    order["shipping_provider_id"] = json!(s.shipping_provider_id);
    order["shipping_provider"] = json!(s.shipping_provider_name);
    order["update_time"] = json!(crate::now_secs());
}
