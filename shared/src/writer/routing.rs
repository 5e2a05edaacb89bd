//! Where the order flow writes (issue 27): the route
//! ([`crate::mapping::routing::route`]) turned into the mapping the Sales
//! Order is built with, or into the Decision logged instead; and the
//! automatic Item Fulfillment of a Fulfilled-by-TikTok Sales Order once
//! TikTok ships it (order-types.md §1 REC).

use super::decision::Decision;
use super::OrderSync;
use crate::domain::{OrderStatus, ShopId};
use crate::mapping::config::ShopMapping;
use crate::mapping::routing::{is_fbt, route, wait_failure, FbtMode, Route, RouteWait};
use crate::store::SyncStatus;
use crate::taxonomy::Failure;
use crate::tiktok::model::Order;

/// TikTok statuses at which TikTok's warehouse has shipped an FBT order
/// (order-types.md §1 REC: AWAITING_COLLECTION or IN_TRANSIT; later ones
/// too, for an order first seen late).
pub fn fbt_shipped(status: &OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::AwaitingCollection
            | OrderStatus::InTransit
            | OrderStatus::Delivered
            | OrderStatus::Completed
    )
}

/// The externalId of an FBT order's Item Fulfillment: one per order, so a
/// redelivered event finds it instead of fulfilling twice.
pub fn fbt_fulfilment_external_id(cfg: &ShopMapping, shop: &ShopId, order: &str) -> String {
    crate::mapping::external_id(&format!("{}-fbt-if", cfg.external_id_prefix), shop, order)
}

impl OrderSync<'_> {
    /// The shop's mapping with the order's location on it, or the Decision
    /// to log instead (FBT skipped, or waiting for the table or the choice).
    pub(super) async fn routed(
        &self,
        shop: &ShopId,
        order: &Order,
        cfg: &ShopMapping,
    ) -> Result<ShopMapping, Box<Decision>> {
        let status = order.status.as_str();
        match route(order, cfg) {
            Route::At { location, .. } => Ok(ShopMapping {
                location,
                ..cfg.clone()
            }),
            Route::SkipFbt { amount, currency } => Err(Box::new(Decision::ok(
                SyncStatus::Skipped,
                status,
                format!("Fulfilled by TikTok, {amount} {currency}: not written (the shop's fbt mode is skip)"),
            ))),
            Route::Wait(w) => {
                let name = match &w {
                    RouteWait::UnmappedWarehouse { warehouse }
                    | RouteWait::AmbiguousWarehouse { warehouse, .. } => {
                        self.warehouse_name(shop, warehouse).await
                    }
                    _ => None,
                };
                let f = wait_failure(&w, shop.as_str(), name.as_deref());
                Err(Box::new(Decision::failed(status, f)))
            }
        }
    }

    /// The warehouse's name from Get Warehouse List; `None` when it cannot
    /// be read (the reason then names the id only).
    async fn warehouse_name(&self, shop: &ShopId, warehouse: &str) -> Option<String> {
        match self.shops.get_warehouses(shop).await {
            Ok(ws) => ws
                .into_iter()
                .find(|w| w.id.as_str() == warehouse)
                .map(|w| w.name),
            Err(e) => {
                tracing::warn!(error = %e, shop = %shop, "warehouse list not read; the reason names the id only");
                None
            }
        }
    }

    /// After the order's decision: an FBT Sales Order that TikTok reports
    /// shipped is fulfilled from its location, once.
    pub(super) async fn fbt_after(
        &self,
        shop: &ShopId,
        cfg: &ShopMapping,
        order: &Order,
        mut d: Decision,
    ) -> Decision {
        let sales_order_mode = cfg
            .fbt
            .as_ref()
            .is_some_and(|f| f.mode == FbtMode::SalesOrder);
        let so_id = match (&d.status, &d.netsuite_id) {
            (SyncStatus::Created | SyncStatus::Updated, Some(id)) => id.clone(),
            _ => return d,
        };
        if !is_fbt(order) || !sales_order_mode || !fbt_shipped(&order.status) {
            return d;
        }
        match self.fbt_fulfil(shop, cfg, order, &so_id).await {
            Ok(note) => d.note = format!("{}; {note}", d.note),
            Err(f) => {
                let note = d.note.clone();
                d = Decision::failed(order.status.as_str(), f).on(&so_id);
                d.note = note;
            }
        }
        d
    }

    async fn fbt_fulfil(
        &self,
        shop: &ShopId,
        cfg: &ShopMapping,
        order: &Order,
        so_id: &str,
    ) -> Result<String, Failure> {
        let eid = fbt_fulfilment_external_id(cfg, shop, order.id.as_str());
        if let Some(id) = self.netsuite_id_of("itemFulfillment", &eid).await? {
            return Ok(format!(
                "Fulfilled by TikTok: Item Fulfillment {id} already exists"
            ));
        }
        let body = serde_json::json!({
            "externalId": eid,
            "shipStatus": { "id": "C" },
            "memo": format!("Fulfilled by TikTok: TikTok order {} shipped by TikTok's warehouse ({})", order.id, order.status.as_str()),
        });
        let id = self
            .netsuite
            .transform("salesOrder", so_id, "itemFulfillment", &body, &[])
            .await
            .map_err(|e| Failure::from(&e))?;
        Ok(format!(
            "Fulfilled by TikTok: Item Fulfillment {id} created from the FBT location"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_statuses_are_the_ones_after_tiktok_picks() {
        assert!(!fbt_shipped(&OrderStatus::AwaitingShipment));
        assert!(fbt_shipped(&OrderStatus::AwaitingCollection));
        assert!(fbt_shipped(&OrderStatus::InTransit));
        assert!(!fbt_shipped(&OrderStatus::Cancelled));
    }
}
