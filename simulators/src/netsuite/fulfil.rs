//! "Shipping" a sales order from a test or the demo: an Item Fulfillment
//! made by the same `salesOrder → itemFulfillment` transform the REST
//! endpoint runs (`records/transform.rs`, netsuite-rest-api.md §2
//! "Transforms", oracle-devrel case 6), so every rule holds: only open
//! lines, at most what is left to fulfil on each line (else 400
//! USER_ERROR), `quantityFulfilled` advances on the order.
//!
//! The fulfillment is Shipped (`shipStatus` C), carries the ship method
//! (`shipMethod`, a ship item) and one `package` line per tracking number
//! (`packageTrackingNumber`), field names per
//! finance-inventory-fulfilment.md §4.1.

use axum::http::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use super::records::{transform_record, WriteParams};
use super::{NetSuiteSim, NsError};

/// One sales order line to fulfil: its `line` number and how many units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShipLine {
    pub order_line: u64,
    pub quantity: u64,
}

/// What [`NetSuiteSim::ship_sales_order`] ships.
#[derive(Debug, Clone, Default)]
pub struct Shipment {
    /// Empty = every open line at what is left to fulfil on it.
    pub lines: Vec<ShipLine>,
    /// One package per number; several orders may share a number.
    pub tracking_numbers: Vec<String>,
    /// Internal id of a ship item (seed: 401 UPS Ground, 402 USPS Priority
    /// Mail, 403 Royal Mail Tracked 48). `None` keeps the order's.
    pub ship_method: Option<String>,
}

/// Why a shipment was refused: NetSuite's HTTP status, `o:errorCode` and detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipError {
    pub status: u16,
    pub code: String,
    pub detail: String,
}

impl From<NsError> for ShipError {
    fn from(e: NsError) -> Self {
        Self {
            status: e.status.as_u16(),
            code: e.code.to_string(),
            detail: e.detail,
        }
    }
}

impl NetSuiteSim {
    /// Creates a Shipped (C) Item Fulfillment for `sales_order` (internal id
    /// or `eid:<externalId>`) and returns its internal id.
    pub fn ship_sales_order(
        &self,
        sales_order: &str,
        shipment: &Shipment,
    ) -> Result<String, ShipError> {
        if let Some(m) = &shipment.ship_method {
            let ok = m
                .parse::<u64>()
                .ok()
                .and_then(|id| {
                    let st = self.state();
                    st.stock
                        .item(id)
                        .map(|i| i.itemtype == "ShipItem" && !i.isinactive)
                })
                .unwrap_or(false);
            if !ok {
                // The refs.rs wording for an invalid reference.
                return Err(NsError::bad_request(
                    "USER_ERROR",
                    format!("Error while accessing a resource. You have entered an Invalid Field Value {m} for the following field: shipMethod"),
                )
                .path("shipMethod")
                .into());
            }
        }
        let mut body = json!({"shipStatus": {"id": "C"}});
        if let Some(m) = &shipment.ship_method {
            body["shipMethod"] = json!({ "id": m });
        }
        if !shipment.lines.is_empty() {
            let lines: Vec<Value> = shipment
                .lines
                .iter()
                .map(|l| json!({"orderLine": l.order_line, "quantity": l.quantity}))
                .collect();
            body["item"] = json!({ "items": lines });
        }
        if !shipment.tracking_numbers.is_empty() {
            let packages: Vec<Value> = shipment
                .tracking_numbers
                .iter()
                .map(|t| json!({ "packageTrackingNumber": t }))
                .collect();
            body["package"] = json!({ "items": packages });
        }
        let params = WriteParams {
            // The given lines are the fulfillment's lines (section_1545297048).
            replace: (!shipment.lines.is_empty()).then(|| "item".to_string()),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-netsuite-propertynamevalidation",
            HeaderValue::from_static("Error"),
        );
        let raw = body.to_string();
        let (_, id, _) = transform_record(
            self,
            "salesOrder",
            sales_order,
            "itemFulfillment",
            &params,
            &headers,
            raw.as_bytes(),
        )?;
        Ok(id.to_string())
    }

    /// Pins a record's `lastModifiedDate` (`YYYY-MM-DD HH:MM:SS`, UTC), so a
    /// test can place records on either side of a watermark. False when the
    /// record or the timestamp is unknown.
    pub fn set_last_modified(&self, record_type: &str, id: &str, timestamp: &str) -> bool {
        let Some(secs) = super::suiteql::parse_timestamp(timestamp) else {
            return false;
        };
        self.state()
            .records
            .set_last_modified(record_type, id, secs)
    }
}
