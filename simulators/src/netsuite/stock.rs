//! The item catalogue and stock per item and location behind the SuiteQL
//! tables `item` and `inventoryitemlocations` (finance-inventory-fulfilment.md
//! §4.3; netsuite-rest-api.md §2 "Inventory by location").
//!
//! - One stock row per (inventory item, location), with the five quantities
//!   the notes list (`quantityonhand`, `quantityavailable`,
//!   `quantitycommitted`, `quantityonorder`, `quantitybackordered`; index ids
//!   52491211992, 52690321674, 4920548736, 53876462363).
//! - Kits and groups have no location stock rows (§4.3: "Kits and groups have
//!   no location stock rows"): setting stock on an item whose type is not an
//!   inventory part (`InvtPart`, `Assembly`) is refused. The notes name kits
//!   and groups only; refusing every non-inventory type is the harsher reading.
//! - Quantities are whole units (sim-defined; NetSuite allows decimals).
//!   `quantityavailable` is stored as given, not derived: the notes do not
//!   give NetSuite's formula, and a client must read the column, not compute it.
//! - Rows at inactive locations and of inactive items exist and are returned
//!   unless the query filters them (harsher reading, as for every other table,
//!   suiteql.rs module doc).
//! - Storage is two vectors sorted by key, so a keyset query
//!   (`iil.item > '…'`) starts with a binary search and a 100,000-item ×
//!   3-location catalogue costs about 20 MB.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::seed::NetSuiteSeed;

/// One row of the SuiteQL `item` table.
#[derive(Debug, Clone)]
pub(crate) struct ItemRow {
    pub(crate) id: u64,
    pub(crate) itemid: String,
    pub(crate) displayname: String,
    pub(crate) itemtype: String,
    pub(crate) isinactive: bool,
}

/// The quantities of one item at one location (SuiteQL strings of integers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    #[serde(default)]
    pub quantityonhand: i64,
    #[serde(default)]
    pub quantityavailable: i64,
    #[serde(default)]
    pub quantitycommitted: i64,
    #[serde(default)]
    pub quantityonorder: i64,
    #[serde(default)]
    pub quantitybackordered: i64,
}

impl StockLevel {
    /// On hand `on_hand` of which `committed` are committed to orders; the
    /// rest is available.
    pub fn on_hand(on_hand: i64, committed: i64) -> Self {
        Self {
            quantityonhand: on_hand,
            quantityavailable: (on_hand - committed).max(0),
            quantitycommitted: committed,
            ..Self::default()
        }
    }
}

/// One row of `inventoryitemlocations`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LevelRow {
    pub(crate) item: u64,
    pub(crate) location: u64,
    pub(crate) level: StockLevel,
}

/// What [`Stock::bulk_load`] created.
#[derive(Debug, Clone, Serialize)]
pub struct BulkLoaded {
    pub first_item_id: u64,
    pub items: u64,
    pub rows: u64,
}

/// Item catalogue and stock levels. `version` changes on every write so
/// SuiteQL can reuse a result computed on the same data.
#[derive(Clone)]
pub(crate) struct Stock {
    pub(crate) items: Arc<Vec<ItemRow>>,
    pub(crate) levels: Arc<Vec<LevelRow>>,
    pub(crate) version: u64,
}

/// Item types that hold stock per location (see module doc).
fn stocked(itemtype: &str) -> bool {
    matches!(itemtype, "InvtPart" | "Assembly")
}

/// Synthetic items start here, clear of seeded and runtime record ids.
pub const BULK_FIRST_ITEM_ID: u64 = 1_000_000;

impl Stock {
    pub(crate) fn from_seed(seed: &NetSuiteSeed) -> Self {
        let mut items: Vec<ItemRow> = seed
            .items
            .iter()
            .filter_map(|i| {
                Some(ItemRow {
                    id: i.id.parse().ok()?,
                    itemid: i.itemid.clone(),
                    displayname: i.displayname.clone(),
                    itemtype: i.itemtype.clone(),
                    isinactive: i.isinactive,
                })
            })
            .collect();
        items.sort_by_key(|i| i.id);
        let mut levels: Vec<LevelRow> = seed
            .inventory
            .iter()
            .filter_map(|s| {
                let q = |v: &Option<String>| {
                    v.as_deref()
                        .and_then(|s| s.parse::<i64>().ok())
                        .unwrap_or(0)
                };
                let onhand = s.quantityonhand.parse().ok()?;
                let available = s.quantityavailable.parse().ok()?;
                Some(LevelRow {
                    item: s.item.parse().ok()?,
                    location: s.location.parse().ok()?,
                    level: StockLevel {
                        quantityonhand: onhand,
                        quantityavailable: available,
                        quantitycommitted: s
                            .quantitycommitted
                            .as_deref()
                            .and_then(|c| c.parse().ok())
                            .unwrap_or(onhand - available),
                        quantityonorder: q(&s.quantityonorder),
                        quantitybackordered: q(&s.quantitybackordered),
                    },
                })
            })
            .collect();
        levels.sort_by_key(|l| (l.item, l.location));
        Self {
            items: Arc::new(items),
            levels: Arc::new(levels),
            version: 0,
        }
    }

    pub(crate) fn item(&self, id: u64) -> Option<&ItemRow> {
        self.items
            .binary_search_by_key(&id, |i| i.id)
            .ok()
            .map(|i| &self.items[i])
    }

    /// Sets (or creates) the stock row of `item` at `location`.
    pub(crate) fn set(
        &mut self,
        item: u64,
        location: u64,
        level: StockLevel,
    ) -> Result<(), String> {
        let it = self
            .item(item)
            .ok_or_else(|| format!("item {item} does not exist"))?;
        if !stocked(&it.itemtype) {
            return Err(format!(
                "item {item} is a {} and has no location stock rows (finance-inventory-fulfilment.md §4.3)",
                it.itemtype
            ));
        }
        let levels = Arc::make_mut(&mut self.levels);
        match levels.binary_search_by_key(&(item, location), |l| (l.item, l.location)) {
            Ok(i) => levels[i].level = level,
            Err(i) => levels.insert(
                i,
                LevelRow {
                    item,
                    location,
                    level,
                },
            ),
        }
        self.version += 1;
        Ok(())
    }

    pub(crate) fn get(&self, item: u64, location: u64) -> Option<StockLevel> {
        self.levels
            .binary_search_by_key(&(item, location), |l| (l.item, l.location))
            .ok()
            .map(|i| self.levels[i].level)
    }

    /// Adds `count` synthetic inventory items (`SKU-0000001`, … with ids
    /// from the first free id at or above [`BULK_FIRST_ITEM_ID`]) with one
    /// stock row at each of `locations`. Quantities are a deterministic
    /// function of item and location. Cheap: one sorted append.
    pub(crate) fn bulk_load(&mut self, count: u64, locations: &[u64]) -> BulkLoaded {
        let first = self
            .items
            .last()
            .map(|i| i.id + 1)
            .unwrap_or(0)
            .max(BULK_FIRST_ITEM_ID);
        let items = Arc::make_mut(&mut self.items);
        items.reserve(count as usize);
        let levels = Arc::make_mut(&mut self.levels);
        levels.reserve((count as usize) * locations.len());
        let mut locs = locations.to_vec();
        locs.sort_unstable();
        locs.dedup();
        for n in 0..count {
            let id = first + n;
            items.push(ItemRow {
                id,
                itemid: format!("SKU-{:07}", id - BULK_FIRST_ITEM_ID),
                displayname: format!("Synthetic item {id}"),
                itemtype: "InvtPart".into(),
                isinactive: false,
            });
            for &loc in &locs {
                let on_hand = ((id * 31 + loc * 17) % 200) as i64;
                let committed = ((id + loc) % 5) as i64;
                levels.push(LevelRow {
                    item: id,
                    location: loc,
                    level: StockLevel::on_hand(on_hand, committed.min(on_hand)),
                });
            }
        }
        // Appended ids are above every existing id, so both stay sorted.
        self.version += 1;
        BulkLoaded {
            first_item_id: first,
            items: count,
            rows: count * locs.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kits_have_no_stock_rows_and_set_keeps_order() {
        let seed = crate::default_seed().netsuite;
        let mut s = Stock::from_seed(&seed);
        assert!(s.levels.iter().all(|l| l.item != 106), "kit 106");
        let e = s.set(106, 1, StockLevel::on_hand(5, 0)).unwrap_err();
        assert!(e.contains("Kit"), "{e}");
        assert!(s.set(999, 1, StockLevel::default()).is_err());
        let v = s.version;
        s.set(104, 2, StockLevel::on_hand(9, 2)).unwrap();
        assert_eq!(s.version, v + 1);
        assert_eq!(s.get(104, 2).unwrap().quantityavailable, 7);
        let keys: Vec<(u64, u64)> = s.levels.iter().map(|l| (l.item, l.location)).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn bulk_load_appends_sorted_synthetic_items() {
        let seed = crate::default_seed().netsuite;
        let mut s = Stock::from_seed(&seed);
        let before = s.levels.len();
        let b = s.bulk_load(1000, &[3, 1, 2, 1]);
        assert_eq!(b.first_item_id, BULK_FIRST_ITEM_ID);
        assert_eq!(b.rows, 3000);
        assert_eq!(s.levels.len(), before + 3000);
        assert_eq!(
            s.item(BULK_FIRST_ITEM_ID + 999).unwrap().itemid,
            "SKU-0000999"
        );
        let again = s.bulk_load(10, &[1]);
        assert_eq!(again.first_item_id, BULK_FIRST_ITEM_ID + 1000);
        let keys: Vec<(u64, u64)> = s.levels.iter().map(|l| (l.item, l.location)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
