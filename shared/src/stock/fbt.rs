//! Fulfilled-by-TikTok warehouses are never pushed (issue 27,
//! order-types.md §1 REC: "Never send FBT-linked warehouse IDs in Update
//! Inventory. Push only seller-warehouse quantities, and treat FBT stock as
//! read-only"). TikTok's FBT stock is TikTok's count of its own shelves;
//! a NetSuite quantity sent there would be a wrong number.
//!
//! The FBT-linked warehouse ids are the shop's `fbt.warehouse_ids` (the
//! `warehouse_ids` Get FBT Warehouse List relates to each
//! `fbt_warehouse_id`, SDK-FBT). Whether Update Inventory accepts a SKU's
//! request without its FBT warehouse is unverified (§1): TikTok's refusal,
//! if any, reaches the run's SKU outcomes with its code, and nothing is
//! ever sent for the FBT warehouse.

use std::borrow::Cow;

use super::plan::LinkedSku;
use crate::domain::WarehouseId;

/// The SKUs with every FBT-linked warehouse taken off; a SKU stocked only
/// at FBT keeps no warehouse (the planner reports it as having none).
pub fn without_fbt_warehouses<'a>(
    skus: Vec<LinkedSku<'a>>,
    fbt: &[WarehouseId],
) -> Vec<LinkedSku<'a>> {
    if fbt.is_empty() {
        return skus;
    }
    skus.into_iter()
        .map(|mut s| {
            if s.warehouses.iter().any(|w| fbt.contains(w)) {
                let kept: Vec<WarehouseId> = (s.warehouses.iter())
                    .filter(|w| !fbt.contains(w))
                    .cloned()
                    .collect();
                s.warehouses = Cow::Owned(kept);
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NetSuiteItemId, NetSuiteLocationId, ProductId, SkuId};
    use crate::mapping::stock::ShopInventorySettings;
    use crate::stock::plan::{plan, PlanInput, SkuLink};
    use std::collections::BTreeMap;

    #[derive(Debug)]
    struct Stock;
    impl crate::stock::plan::StockSource for Stock {
        fn available(&self, _: &NetSuiteItemId, _: &[&NetSuiteLocationId]) -> i64 {
            12
        }
    }

    #[test]
    fn the_push_never_sends_an_fbt_warehouse() {
        let seller = WarehouseId::new("7068517275539719942");
        let fbt = WarehouseId::new("7068517275539719960");
        let sku = LinkedSku {
            sku_id: Cow::Owned(SkuId::new("S1")),
            product_id: Cow::Owned(ProductId::new("P1")),
            warehouses: Cow::Owned(vec![seller.clone(), fbt.clone()]),
            link: SkuLink::Item(NetSuiteItemId::new("101")),
        };
        let settings = ShopInventorySettings {
            location_warehouses: [(NetSuiteLocationId::new("1"), seller.clone())].into(),
            ..Default::default()
        };
        let sent = |skus: &[LinkedSku<'_>]| -> Vec<WarehouseId> {
            let p = plan(PlanInput {
                settings: &settings,
                skus,
                available: &Stock,
                pending_units: &BTreeMap::new(),
                last_pushed: &BTreeMap::<(SkuId, WarehouseId), i64>::new(),
            });
            (p.requests.iter())
                .flat_map(|r| r.skus.iter())
                .flat_map(|s| s.inventory.iter().map(|i| i.warehouse_id.clone()))
                .collect()
        };
        // Today's planner sends the FBT warehouse (at the range's minimum).
        assert!(sent(std::slice::from_ref(&sku)).contains(&fbt));
        let kept = without_fbt_warehouses(vec![sku], std::slice::from_ref(&fbt));
        assert_eq!(sent(&kept), vec![seller]);
    }
}
