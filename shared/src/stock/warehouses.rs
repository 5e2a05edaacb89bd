//! The shop's location → warehouse table checked against Get Warehouse
//! List before anything is pushed (issue 27, item 5).
//!
//! A mistyped warehouse id, or the shop's return warehouse, used to make the
//! planner treat the SKU's real warehouse as unmapped and push it the
//! lowest quantity (1), with a message about another warehouse. Only
//! `SALES_WAREHOUSE` ids may receive stock (finance-inventory-fulfilment.md
//! §2.2; Get Warehouse List, doc id 650aa418defece02be6e66b6); Update
//! Inventory refuses others (12052097 "The warehouse does not exist",
//! 12052532 "the warehouse not delivery warehouse", §2.4). On any problem
//! the job sends nothing for the shop: a wrong table would push wrong
//! numbers to the right warehouses.

use crate::domain::{NetSuiteLocationId, WarehouseId};
use crate::mapping::stock::ShopInventorySettings;
use crate::tiktok::products::{Warehouse, WarehouseType};

/// A row of `inventory.location_warehouses` TikTok would not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingProblem {
    #[error("mapping inventory.location_warehouses.\"{location}\" = \"{warehouse}\": TikTok has no warehouse {warehouse} in this shop (Get Warehouse List: {known}); fix the id (sales warehouses only)")]
    UnknownWarehouse {
        location: NetSuiteLocationId,
        warehouse: WarehouseId,
        /// The shop's sales warehouses, "id (name)".
        known: String,
    },
    #[error("mapping inventory.location_warehouses.\"{location}\" = \"{warehouse}\": warehouse {warehouse} ({name}) is a {kind} warehouse, not a sales warehouse; map the location to a sales warehouse ({known})")]
    NotSales {
        location: NetSuiteLocationId,
        warehouse: WarehouseId,
        name: String,
        kind: String,
        known: String,
    },
}

/// Every row of the table whose warehouse is not one of the shop's sales
/// warehouses, in location order. Empty = the table may be pushed.
pub fn check_mapping(
    settings: &ShopInventorySettings,
    warehouses: &[Warehouse],
) -> Vec<MappingProblem> {
    let known = warehouses
        .iter()
        .filter(|w| w.is_sales())
        .map(|w| format!("{} ({})", w.id, w.name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = Vec::new();
    for (location, warehouse) in &settings.location_warehouses {
        match warehouses.iter().find(|w| &w.id == warehouse) {
            None => out.push(MappingProblem::UnknownWarehouse {
                location: location.clone(),
                warehouse: warehouse.clone(),
                known: known.clone(),
            }),
            Some(w) if !w.is_sales() => out.push(MappingProblem::NotSales {
                location: location.clone(),
                warehouse: warehouse.clone(),
                name: w.name.clone(),
                kind: match &w.kind {
                    WarehouseType::Return => "return".to_string(),
                    other => other.as_str().to_string(),
                },
                known: known.clone(),
            }),
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wh(id: &str, kind: &str) -> Warehouse {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": format!("wh {id}"), "type": kind, "effect_status": "ENABLED"
        }))
        .unwrap()
    }

    #[test]
    fn unknown_and_return_warehouses_are_named_with_their_field() {
        let settings: ShopInventorySettings = serde_json::from_value(serde_json::json!({
            "location_warehouses": {"1": "W1", "3": "W9", "4": "R1"}
        }))
        .unwrap();
        let list = [wh("W1", "SALES_WAREHOUSE"), wh("R1", "RETURN_WAREHOUSE")];
        let p = check_mapping(&settings, &list);
        assert_eq!(p.len(), 2, "{p:?}");
        let text: Vec<String> = p.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("location_warehouses.\"3\"") && text[0].contains("W9"));
        assert!(text[1].contains("location_warehouses.\"4\"") && text[1].contains("return"));
        assert!(text[1].contains("W1 (wh W1)"), "{}", text[1]);
        let good: ShopInventorySettings = serde_json::from_value(serde_json::json!({
            "location_warehouses": {"1": "W1"}
        }))
        .unwrap();
        assert!(check_mapping(&good, &list).is_empty());
    }
}
