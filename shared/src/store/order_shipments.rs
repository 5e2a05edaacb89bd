//! Shipments on the order log: what the tracking job told TikTok for each
//! NetSuite Item Fulfillment of an order (tracking number, carrier, units),
//! so `orders show` says shipped and with what.

use super::order_log::{DynamoOrderLog, OrderLog, OrderLogEntry};
use super::{keys, Store, StoreError};
use crate::domain::{OrderId, ShopId};

pub use super::order_log::ShipmentRecord;

/// The entry with `shipment` in place of the same fulfilment's; `None` when
/// nothing would change.
pub fn with_shipment(mut e: OrderLogEntry, shipment: &ShipmentRecord) -> Option<OrderLogEntry> {
    let slot = e
        .shipments
        .iter_mut()
        .find(|s| s.fulfilment_id == shipment.fulfilment_id);
    match slot {
        Some(s) if s.tracking_number == shipment.tracking_number && !shipment.corrected => {
            return None
        }
        Some(s) => {
            let units = std::mem::take(&mut s.units);
            *s = shipment.clone();
            if s.units.is_empty() {
                s.units = units;
            }
        }
        None => e.shipments.push(shipment.clone()),
    }
    Some(e)
}

/// Whether this shipment starts the order's wait for settlement (the payout
/// report's "shipped, not yet settled" set): the first, uncorrected shipment
/// of a sale. A free order (sample, giveaway, replacement, exchange) is never
/// settled by TikTok, so it never awaits settlement and the payout report
/// never lists it as an unsettled sale.
pub fn starts_settlement_wait(current: &OrderLogEntry, shipment: &ShipmentRecord) -> bool {
    let free = current.order_type.as_ref().is_some_and(|t| t.is_free());
    current.shipments.is_empty() && !shipment.corrected && !free
}

impl DynamoOrderLog {
    /// [`OrderLog::record_shipment`]: read, add, write under the entry's
    /// version (a writer updating the same order meanwhile is re-read).
    pub(super) async fn add_shipment(
        &self,
        shop: &ShopId,
        order: &OrderId,
        shipment: &ShipmentRecord,
    ) -> Result<bool, StoreError> {
        for _ in 0..5 {
            let Some(current) = self.get(shop, order).await? else {
                return Ok(false);
            };
            let v = current.version;
            let first = starts_settlement_wait(&current, shipment);
            let Some(next) = with_shipment(current, shipment) else {
                return Ok(true);
            };
            // Through the one versioned write, so the item keeps its
            // index attributes (the console's filters) like every change.
            if self.put_entry(next, Some(v)).await?.is_some() {
                // The payout report's "shipped, not yet settled" set.
                if first {
                    self.await_settlement(shop, order, shipment.at).await?;
                }
                return Ok(true);
            }
        }
        Err(StoreError::Contention {
            store: Store::OrderLog,
            key: keys::order_log(shop, order),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NetSuiteFulfillmentId, OrderLineItemId, ShippingProviderId};

    fn rec(id: &str, tracking: &str, corrected: bool) -> ShipmentRecord {
        ShipmentRecord {
            fulfilment_id: NetSuiteFulfillmentId::new(id),
            tracking_number: tracking.into(),
            other_tracking: vec![],
            shipping_provider_id: ShippingProviderId::new("P"),
            units: if corrected {
                vec![]
            } else {
                vec![OrderLineItemId::new("u1")]
            },
            package_id: None,
            at: 1,
            corrected,
        }
    }

    #[test]
    fn a_shipment_is_added_once_and_a_correction_keeps_its_units() {
        let e: OrderLogEntry = serde_json::from_value(serde_json::json!({
            "shop_id": "s", "order_id": "1", "tiktok_status": "AWAITING_SHIPMENT",
            "sync_status": "created", "attempts": 1, "first_seen": 1, "last_updated": 1
        }))
        .unwrap();
        let e = with_shipment(e, &rec("5", "T1", false)).unwrap();
        assert!(with_shipment(e.clone(), &rec("5", "T1", false)).is_none());
        let e = with_shipment(e, &rec("5", "T2", true)).unwrap();
        assert_eq!(e.shipments.len(), 1);
        assert_eq!(e.shipments[0].tracking_number, "T2");
        assert!(e.shipments[0].corrected);
        assert_eq!(e.shipments[0].units, vec![OrderLineItemId::new("u1")]);
        let e = with_shipment(e, &rec("6", "T3", false)).unwrap();
        assert_eq!(e.shipments.len(), 2);
    }

    #[test]
    fn a_shipped_sample_or_replacement_never_awaits_settlement() {
        let entry = |order_type: &str| -> OrderLogEntry {
            serde_json::from_value(serde_json::json!({
                "shop_id": "s", "order_id": "1", "tiktok_status": "AWAITING_SHIPMENT",
                "sync_status": "created", "attempts": 1, "first_seen": 1, "last_updated": 1,
                "order_type": order_type
            }))
            .unwrap()
        };
        let first = rec("5", "T1", false);
        assert!(starts_settlement_wait(&entry("sale"), &first));
        assert!(starts_settlement_wait(&entry("pre_order"), &first));
        for free in ["sample", "replacement", "exchange", "giveaway"] {
            assert!(!starts_settlement_wait(&entry(free), &first), "{free}");
        }
        // A second shipment or a correction never starts the wait again.
        let shipped = with_shipment(entry("sale"), &first).unwrap();
        assert!(!starts_settlement_wait(&shipped, &rec("6", "T2", false)));
        assert!(!starts_settlement_wait(
            &entry("sale"),
            &rec("5", "T3", true)
        ));
    }
}
