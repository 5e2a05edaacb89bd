//! TikTok's warehouses beside the shop's warehouse ↔ location table
//! (issue 27): sales and return warehouses from Get Warehouse List
//! (finance-inventory-fulfilment.md §2.2) and Fulfilled-by-TikTok
//! warehouses from Get FBT Warehouse List (order-types.md §1), each with
//! the NetSuite location the mapping gives it. A sales warehouse the table
//! does not map is flagged (its orders wait, UNMAPPED_WAREHOUSE), and so is
//! a mapped id TikTok does not list as a sales warehouse (the stock push
//! refuses the table). A shop with an `fbt` choice whose authorization
//! lacks `seller.fbt.info`, or that is not enrolled, gets a warning: the
//! daily FBT stock check is skipped, nothing fails.
//!
//! The texts hold what TikTok sends (warehouse names): the console escapes
//! them where it shows them.

use std::collections::BTreeMap;

use super::Check;
use crate::domain::{NetSuiteLocationId, ShopId, WarehouseId};
use crate::mapping::config::MappingConfig;
use crate::mapping::routing::FbtConfig;
use crate::tiktok::fbt::{FbtError, FbtUnavailable, FbtWarehouse};
use crate::tiktok::products::Warehouse;
use crate::tiktok::ShopSessions;

/// What the warehouse checks read.
pub struct WarehouseSide<'a> {
    pub sessions: &'a ShopSessions,
    pub mapping: &'a MappingConfig,
}

/// Get FBT Warehouse List's answer as the check sees it.
#[derive(Debug, Clone)]
pub enum FbtList {
    Listed(Vec<FbtWarehouse>),
    Unavailable(FbtUnavailable),
    Failed(String),
}

/// The table check and the listing (pure).
pub fn warehouse_table(
    shop: &str,
    tiktok: &[Warehouse],
    table: &BTreeMap<NetSuiteLocationId, WarehouseId>,
    fbt_cfg: Option<&FbtConfig>,
    fbt: Option<&FbtList>,
) -> Vec<Check> {
    let location_of = |id: &WarehouseId| {
        (table.iter())
            .filter(|(_, w)| *w == id)
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = Vec::new();
    let mut unmapped = Vec::new();
    for w in tiktok {
        let kind = if w.is_sales() { "sales" } else { "return" };
        let locs = location_of(&w.id);
        let to = if !w.is_sales() {
            " (returns; never mapped)".to_string()
        } else if locs.is_empty() {
            if !table.is_empty() {
                unmapped.push(format!("'{}' {}", w.name, w.id));
            }
            " → not mapped".to_string()
        } else {
            format!(" → location {locs}")
        };
        lines.push(format!("{kind} '{}' {}{to}", w.name, w.id));
    }
    if let Some(FbtList::Listed(list)) = fbt {
        let at = fbt_cfg
            .and_then(|c| c.location.as_deref())
            .map_or(String::new(), |l| format!(" → location {l}"));
        for f in list {
            let ids: Vec<&str> = f.warehouse_ids.iter().map(WarehouseId::as_str).collect();
            lines.push(format!(
                "FBT '{}' {} (warehouse ids {}){at}",
                f.name,
                f.fbt_warehouse_id,
                ids.join(", ")
            ));
        }
    }
    let unknown: Vec<String> = (table.iter())
        .filter(|(_, w)| !tiktok.iter().any(|t| &t.id == *w && t.is_sales()))
        .map(|(l, w)| format!("location {l} → {w}"))
        .collect();
    let name = format!("tiktok.warehouses {shop}");
    let detail = if lines.is_empty() {
        "TikTok lists no warehouse".to_string()
    } else {
        lines.join("; ")
    };
    let mut out = vec![if !unknown.is_empty() {
        Check::fail(
            name,
            format!("{detail}. Mapped ids TikTok does not list as a sales warehouse: {}", unknown.join(", ")),
            "Fix inventory.location_warehouses in the shop's mapping entry: sales warehouse ids only, as listed here; the stock push sends nothing until then.",
        )
    } else if !unmapped.is_empty() {
        Check::warn(
            name,
            format!("{detail}. Sales warehouses not mapped: {}", unmapped.join(", ")),
            "Add each to inventory.location_warehouses (NetSuite location → warehouse id); until then its orders wait (UNMAPPED_WAREHOUSE) and get no stock push.",
        )
    } else {
        Check::pass(name, detail)
    }];
    if let (Some(_), Some(f)) = (fbt_cfg, fbt) {
        let name = format!("tiktok.fbt {shop}");
        out.push(match f {
            FbtList::Listed(l) => Check::pass(
                name,
                format!("{} FBT warehouse(s); the daily FBT stock check runs", l.len()),
            ),
            FbtList::Unavailable(u) => Check::warn(
                name,
                format!("the daily FBT stock check is skipped: {u}"),
                match u {
                    FbtUnavailable::MissingScope => "Add seller.fbt.info to the app in TikTok Partner Center, then have the seller re-authorize the app (console → Shops → Connect a shop).",
                    FbtUnavailable::NotEnabled => "Enrol the shop in Fulfilled by TikTok, or remove its `fbt` choice if it does not use FBT.",
                },
            ),
            FbtList::Failed(e) => Check::warn(name, format!("Get FBT Warehouse List failed: {e}"), "Run the doctor again later."),
        });
    }
    out
}

impl WarehouseSide<'_> {
    /// One check per shop (two with an `fbt` choice).
    pub async fn run(&self, shops: &[ShopId], out: &mut Vec<Check>) {
        for shop in shops {
            let Ok(m) = self.mapping.for_shop(shop) else {
                continue;
            };
            let tiktok = match self.sessions.get_warehouses(shop).await {
                Ok(w) => w,
                Err(e) => {
                    out.push(Check::warn(
                        format!("tiktok.warehouses {}", shop.as_str()),
                        format!("Get Warehouse List failed: {e}"),
                        "Run the doctor again; see the shop's token and scopes checks.",
                    ));
                    continue;
                }
            };
            let fbt = match m.fbt.as_ref() {
                None => None,
                Some(_) => Some(match self.sessions.fbt_warehouses(shop).await {
                    Ok(l) => FbtList::Listed(l),
                    Err(FbtError::Unavailable(u)) => FbtList::Unavailable(u),
                    Err(e) => FbtList::Failed(e.to_string()),
                }),
            };
            let empty = BTreeMap::new();
            let table = (m.inventory.as_ref()).map_or(&empty, |i| &i.push.location_warehouses);
            out.extend(warehouse_table(
                shop.as_str(),
                &tiktok,
                table,
                m.fbt.as_ref(),
                fbt.as_ref(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    fn wh(id: &str, name: &str, kind: &str) -> Warehouse {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "type": kind})).unwrap()
    }

    #[test]
    fn unmapped_sales_warehouses_and_unknown_ids_are_flagged_and_fbt_is_listed() {
        let tiktok = vec![
            wh("W1", "Main", "SALES_WAREHOUSE"),
            wh("W2", "East <b>", "SALES_WAREHOUSE"),
            wh("W3", "Main", "RETURN_WAREHOUSE"),
        ];
        let mut table = BTreeMap::from([(NetSuiteLocationId::new("1"), WarehouseId::new("W1"))]);
        let fbt_cfg: FbtConfig =
            serde_json::from_value(serde_json::json!({"mode": "sales_order", "location": "5"}))
                .unwrap();
        let listed = FbtList::Listed(vec![serde_json::from_value(serde_json::json!({
            "fbt_warehouse_id": "F1", "name": "TikTok_Eastvale(CA)", "warehouse_ids": ["W9"]
        }))
        .unwrap()]);
        let c = warehouse_table("s", &tiktok, &table, Some(&fbt_cfg), Some(&listed));
        assert_eq!(c[0].status, Status::Warn, "{c:?}");
        assert!(
            c[0].detail
                .contains("Sales warehouses not mapped: 'East <b>' W2"),
            "{}",
            c[0].detail
        );
        assert!(c[0]
            .detail
            .contains("return 'Main' W3 (returns; never mapped)"));
        assert!(c[0]
            .detail
            .contains("FBT 'TikTok_Eastvale(CA)' F1 (warehouse ids W9) → location 5"));
        assert_eq!(c[1].status, Status::Pass);

        table.insert(NetSuiteLocationId::new("3"), WarehouseId::new("W3"));
        table.insert(NetSuiteLocationId::new("4"), WarehouseId::new("W2"));
        let missing = FbtList::Unavailable(FbtUnavailable::MissingScope);
        let c = warehouse_table("s", &tiktok, &table, Some(&fbt_cfg), Some(&missing));
        assert_eq!(c[0].status, Status::Fail, "{c:?}");
        assert!(c[0].detail.contains("location 3 → W3"), "{}", c[0].detail);
        assert_eq!(c[1].status, Status::Warn);
        assert!(c[1].detail.contains("seller.fbt.info") && c[1].detail.contains("skipped"));
        // No table: nothing is "unmapped" (orders go to the shop's location).
        let c = warehouse_table("s", &tiktok, &BTreeMap::new(), None, None);
        assert_eq!((c.len(), &c[0].status), (1, &Status::Pass), "{c:?}");
    }
}
