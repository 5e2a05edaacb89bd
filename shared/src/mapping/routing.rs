//! Where an order is written: warehouse routing and Fulfilled by TikTok
//! (issue 27, order-types.md §1 and §6). A plain function over the order
//! and the shop's mapping entry; the writer acts on its answer.
//!
//! One table per shop links TikTok warehouses and NetSuite locations:
//! `inventory.location_warehouses` (NetSuite location → TikTok sales
//! warehouse). The stock push reads it one way, the orders the other way:
//! an order's `warehouse_id` (order-level only; the 202309 line item has no
//! warehouse field, order-types.md §6) gives the location of the Sales
//! Order's header and of every item line.
//!
//! Rules:
//! - `fulfillment_type` decides first. `FULFILLMENT_BY_TIKTOK` orders follow
//!   the shop's `fbt` choice: `sales_order` → written at `fbt.location`
//!   (never a seller location); `skip` → logged with its amount, not
//!   written; no `fbt` entry → waits with the fix (§1 REC).
//! - A shop with no table at all (no `inventory` entry, or an empty
//!   `location_warehouses`) is a single-warehouse shop: its orders keep the
//!   shop's `location`, as before.
//! - A shop with a table: the order's warehouse must be in it. Unmapped →
//!   the order waits, naming the warehouse; never the default location
//!   silently (§6 REC). Several locations feeding the order's warehouse:
//!   the shop's `location` when it is one of them, else the order waits
//!   (which building picks it is not ours to guess).
//! - An order without `warehouse_id` at a shop with a table: the table's
//!   only warehouse when it has one; otherwise the order waits (no source
//!   says the field can be missing: the harsher reading).

use serde::{Deserialize, Serialize};

use crate::domain::{Money, NetSuiteLocationId, WarehouseId};
use crate::taxonomy::{ErrorCode, Failure, Level};
use crate::tiktok::model::Order;

use super::config::ShopMapping;

/// TikTok's `fulfillment_type` of a Fulfilled-by-TikTok order (SDK-Order,
/// order-types.md §1).
pub const FULFILLMENT_BY_TIKTOK: &str = "FULFILLMENT_BY_TIKTOK";

/// Whether TikTok's own warehouse ships the order.
pub fn is_fbt(order: &Order) -> bool {
    order
        .fulfillment_type
        .as_deref()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(FULFILLMENT_BY_TIKTOK))
}

/// A shop's choice for Fulfilled-by-TikTok orders (`fbt` in its mapping entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FbtConfig {
    pub mode: FbtMode,
    /// The NetSuite location that stands for TikTok's FBT warehouses
    /// (required with `sales_order`; the FBT stock check reads it too).
    #[serde(default)]
    pub location: Option<String>,
    /// The shop's TikTok warehouse ids linked to FBT warehouses (Get FBT
    /// Warehouse List's `warehouse_ids`): the stock push never sends them.
    #[serde(default)]
    pub warehouse_ids: Vec<WarehouseId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FbtMode {
    /// A Sales Order at the FBT location, fulfilled automatically once
    /// TikTok ships it.
    SalesOrder,
    /// Logged as FBT with its amount; nothing written to NetSuite.
    Skip,
}

/// Where the order goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Write the Sales Order with this location on its header and lines
    /// (`None`: the shop names no location at all).
    At { location: Option<String>, fbt: bool },
    /// Fulfilled by TikTok, and the shop chose not to write it.
    SkipFbt { amount: Money, currency: String },
    /// Not written until the shop's mapping says where.
    Wait(RouteWait),
}

/// Why an order cannot be placed at a location yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteWait {
    /// The order's warehouse is not in `inventory.location_warehouses`.
    UnmappedWarehouse { warehouse: String },
    /// The order names no warehouse and the table has several.
    NoWarehouse,
    /// Several locations feed the warehouse and the shop's `location` is
    /// none of them.
    AmbiguousWarehouse {
        warehouse: String,
        locations: Vec<String>,
    },
    /// An FBT order at a shop without an `fbt` choice.
    FbtUnconfigured,
    /// `fbt.mode` is `sales_order` without `fbt.location`.
    FbtNoLocation,
}

/// Decides where the order is written.
pub fn route(order: &Order, cfg: &ShopMapping) -> Route {
    if is_fbt(order) {
        return match &cfg.fbt {
            None => Route::Wait(RouteWait::FbtUnconfigured),
            Some(FbtConfig {
                mode: FbtMode::Skip,
                ..
            }) => Route::SkipFbt {
                amount: order.payment.total_amount,
                currency: order.payment.currency.clone(),
            },
            Some(FbtConfig { location: None, .. }) => Route::Wait(RouteWait::FbtNoLocation),
            Some(FbtConfig {
                location: Some(l), ..
            }) => Route::At {
                location: Some(l.clone()),
                fbt: true,
            },
        };
    }
    let table = match &cfg.inventory {
        Some(i) if !i.push.location_warehouses.is_empty() => &i.push.location_warehouses,
        _ => {
            return Route::At {
                location: cfg.location.clone(),
                fbt: false,
            }
        }
    };
    let warehouse = match order.warehouse_id.as_deref().map(str::trim) {
        Some(w) if !w.is_empty() => w.to_string(),
        _ => {
            let mut ws: Vec<&WarehouseId> = table.values().collect();
            ws.sort();
            ws.dedup();
            match ws.as_slice() {
                [only] => only.as_str().to_string(),
                _ => return Route::Wait(RouteWait::NoWarehouse),
            }
        }
    };
    let locations: Vec<&NetSuiteLocationId> = table
        .iter()
        .filter(|(_, w)| w.as_str() == warehouse)
        .map(|(l, _)| l)
        .collect();
    match locations.as_slice() {
        [] => Route::Wait(RouteWait::UnmappedWarehouse { warehouse }),
        [one] => Route::At {
            location: Some(one.as_str().to_string()),
            fbt: false,
        },
        several => match &cfg.location {
            Some(l) if several.iter().any(|s| s.as_str() == l) => Route::At {
                location: Some(l.clone()),
                fbt: false,
            },
            _ => Route::Wait(RouteWait::AmbiguousWarehouse {
                warehouse,
                locations: several.iter().map(|l| l.as_str().to_string()).collect(),
            }),
        },
    }
}

/// The order log's entry for a waiting route. `name` is the warehouse's
/// name from Get Warehouse List, when it could be read.
pub fn wait_failure(w: &RouteWait, shop: &str, name: Option<&str>) -> Failure {
    let q = crate::domain::shell_quote;
    let resubmit = |order_hint: &str| {
        format!(
            "then resubmit the order (`tiktok-netsuite orders resubmit --shop {} {order_hint}`)",
            q(shop)
        )
    };
    let named = |id: &str| match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("TikTok warehouse \"{n}\" ({id})"),
        None => format!("TikTok warehouse {id}"),
    };
    let (code, reason, fix) = match w {
        RouteWait::UnmappedWarehouse { warehouse } => (
            ErrorCode::UnmappedWarehouse,
            format!(
                "{} is not in the shop's warehouse table (inventory.location_warehouses); the order was not written at the default location",
                named(warehouse)
            ),
            format!(
                "Add the NetSuite location that ships from it to the shop's mapping: \"inventory\": {{ \"location_warehouses\": {{ \"LOCATION_ID\": \"{warehouse}\" }} }}, {}.",
                resubmit("--order ORDER_ID")
            ),
        ),
        RouteWait::NoWarehouse => (
            ErrorCode::UnmappedWarehouse,
            "TikTok sent no warehouse_id and the shop's warehouse table has several warehouses: which location ships it is unknown".to_string(),
            format!("Check the order's warehouse in Seller Center; {}.", resubmit("--order ORDER_ID")),
        ),
        RouteWait::AmbiguousWarehouse { warehouse, locations } => (
            ErrorCode::UnmappedWarehouse,
            format!(
                "{} is fed by several NetSuite locations ({}) and the shop's location is none of them",
                named(warehouse),
                locations.join(", ")
            ),
            format!(
                "Set the shop's \"location\" to the one that ships its orders (one of {}), {}.",
                locations.join(", "),
                resubmit("--order ORDER_ID")
            ),
        ),
        RouteWait::FbtUnconfigured => (
            ErrorCode::FbtUnconfigured,
            "Fulfilled by TikTok order: the shop has no \"fbt\" choice, so it was not written (TikTok's warehouse ships it; a seller location must not)".to_string(),
            format!(
                "Choose in the shop's mapping: \"fbt\": {{ \"mode\": \"sales_order\", \"location\": \"FBT_LOCATION_ID\" }} (written at the FBT location, fulfilled when TikTok ships) or \"fbt\": {{ \"mode\": \"skip\" }}, {}.",
                resubmit("--order ORDER_ID")
            ),
        ),
        RouteWait::FbtNoLocation => (
            ErrorCode::FbtUnconfigured,
            "Fulfilled by TikTok order: fbt.mode is sales_order but fbt.location is not set".to_string(),
            format!(
                "Set \"fbt\": {{ \"location\": \"FBT_LOCATION_ID\" }} to the NetSuite location that stands for TikTok's FBT warehouse, {}.",
                resubmit("--order ORDER_ID")
            ),
        ),
    };
    Failure::new(code, reason, fix)
        .retryable(false)
        .level(Level::Warning)
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;
