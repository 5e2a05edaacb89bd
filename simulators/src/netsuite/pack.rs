//! "Packing" a sales order from a test or the demo, as a warehouse does it
//! for a TikTok Shipping order: an Item Fulfillment made by the same
//! `salesOrder → itemFulfillment` transform the REST endpoint runs, set to
//! **Packed** (`shipStatus` B: A/B/C = Picked/Packed/Shipped,
//! finance-inventory-fulfilment.md §0.6; public scripts filter
//! `ItemShip:B`, tiktok-shipping.md §8), with the package's weight on the
//! standard `package` sublist (`packageWeight`; the generic list has no
//! dimension fields, SOAP `ItemFulfillmentPackage`) and its size on the
//! custom body fields the README's setup creates
//! (`custbody_tts_pkg_length` …, `shared::labels::measure`). Fields left
//! `None` are not sent (a warehouse that forgot them). Custom fields go
//! through the same "unknown field" check as every write: they must be
//! defined for `itemFulfillment` (seed `custom_fields`).

use axum::http::{HeaderMap, HeaderValue};
use serde_json::{json, Map, Value};

use super::fulfil::{ShipError, ShipLine};
use super::records::{transform_record, WriteParams};
use super::NetSuiteSim;

/// What the warehouse enters on the packed Item Fulfillment.
#[derive(Debug, Clone, Default)]
pub struct Packing {
    /// Empty = every open line at what is left to fulfil on it.
    pub lines: Vec<ShipLine>,
    pub weight: Option<String>,
    pub weight_unit: Option<String>,
    pub length: Option<String>,
    pub width: Option<String>,
    pub height: Option<String>,
    pub size_unit: Option<String>,
}

impl NetSuiteSim {
    /// Creates a Packed (B) Item Fulfillment for `sales_order` (internal id
    /// or `eid:<externalId>`) and returns its internal id.
    pub fn pack_sales_order(&self, sales_order: &str, p: &Packing) -> Result<String, ShipError> {
        let mut body = Map::new();
        body.insert("shipStatus".into(), json!({"id": "B"}));
        if !p.lines.is_empty() {
            let lines: Vec<Value> = p
                .lines
                .iter()
                .map(|l| json!({"orderLine": l.order_line, "quantity": l.quantity}))
                .collect();
            body.insert("item".into(), json!({ "items": lines }));
        }
        if let Some(w) = &p.weight {
            body.insert(
                "package".into(),
                json!({"items": [{"packageWeight": w, "packageDescr": "Box 1"}]}),
            );
        }
        for (field, v) in [
            ("custbody_tts_weight_unit", &p.weight_unit),
            ("custbody_tts_pkg_length", &p.length),
            ("custbody_tts_pkg_width", &p.width),
            ("custbody_tts_pkg_height", &p.height),
            ("custbody_tts_pkg_size_unit", &p.size_unit),
        ] {
            if let Some(v) = v {
                body.insert(field.into(), json!(v));
            }
        }
        let params = WriteParams {
            replace: (!p.lines.is_empty()).then(|| "item".to_string()),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-netsuite-propertynamevalidation",
            HeaderValue::from_static("Error"),
        );
        let raw = Value::Object(body).to_string();
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
}
