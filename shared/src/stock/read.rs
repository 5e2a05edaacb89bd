//! The inventory push's NetSuite stock: `quantityavailable` per item and
//! mapped location from SuiteQL `inventoryitemlocations` (notes §4.3), read
//! in keyset slices by item id (SuiteQL answers at most 100,000 rows per
//! query), and held compactly: 300,000 rows (100,000 items × 3 locations)
//! as integers, not as pairs of id strings (issue 11's 256 MB).

use std::collections::BTreeMap;

use super::plan::StockSource;
use crate::domain::{NetSuiteItemId, NetSuiteLocationId};
use crate::jobs::run::JobError;
use crate::netsuite::{sql_quote, NetSuiteClient};

/// Rows per keyset slice, below SuiteQL's 100,000-row cap.
pub const STOCK_SLICE_ROWS: usize = 90_000;

/// The SuiteQL of one keyset slice of stock (notes §4.3).
pub fn stock_query(locations: &[NetSuiteLocationId], after_item: Option<&str>) -> String {
    let locs = locations
        .iter()
        .map(|l| sql_quote(l.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let after = after_item
        .map(|i| format!(" AND iil.item > {}", sql_quote(i)))
        .unwrap_or_default();
    format!(
        "SELECT iil.item, i.itemid, iil.location, iil.quantityavailable FROM inventoryitemlocations iil JOIN item i ON i.id = iil.item WHERE iil.location IN ({locs}) AND i.isinactive = 'F'{after} ORDER BY iil.item, iil.location"
    )
}

/// An item as an integer: NetSuite internal ids are decimal numbers and
/// are kept as such; any other id is numbered in [`Stock::other_items`]
/// with the top bit set.
type ItemKey = u64;
const OTHER: u64 = 1 << 63;

/// Stock read from NetSuite: available per (item, location), and item by
/// `itemid`. Rows are appended while reading and sorted by [`Stock::finish`].
#[derive(Debug, Clone, Default)]
pub struct Stock {
    /// Locations by index (the mapped ones: a handful).
    locations: Vec<NetSuiteLocationId>,
    /// (item, location index, available), sorted once read.
    rows: Vec<(ItemKey, u32, i64)>,
    /// `itemid` → item.
    by_itemid: BTreeMap<Box<str>, ItemKey>,
    /// Ids that are not plain decimal numbers, by `key - OTHER`.
    other_items: Vec<NetSuiteItemId>,
    other_keys: BTreeMap<NetSuiteItemId, ItemKey>,
}

/// The key of a canonical decimal id (no sign, no leading zero), if any.
fn numeric_key(id: &str) -> Option<ItemKey> {
    let canonical = !id.is_empty()
        && id.len() <= 18
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    canonical.then(|| id.parse().ok()).flatten()
}

impl Stock {
    /// One row as SuiteQL gives it; a later row for the same (item,
    /// location) replaces the earlier one.
    pub fn insert(&mut self, item: &str, itemid: &str, location: &str, available: i64) {
        let key = self.key_or_add(item);
        let loc = match self.locations.iter().position(|l| l.as_str() == location) {
            Some(i) => i,
            None => {
                self.locations.push(NetSuiteLocationId::new(location));
                self.locations.len() - 1
            }
        } as u32;
        self.by_itemid.insert(itemid.into(), key);
        self.rows.push((key, loc, available));
    }

    /// Drops the rows of `item` read last (a slice cut inside its rows).
    pub fn drop_last_item(&mut self, item: &str) {
        if let Some(key) = self.key(item) {
            while self.rows.last().is_some_and(|r| r.0 == key) {
                self.rows.pop();
            }
        }
    }

    /// Sorts the rows for lookups; the last row of an (item, location) wins.
    pub fn finish(&mut self) {
        self.rows.reverse();
        // Stable: among equal keys the last read comes first and is kept.
        self.rows.sort_by_key(|r| (r.0, r.1));
        self.rows.dedup_by_key(|r| (r.0, r.1));
        self.rows.shrink_to_fit();
    }

    /// (item, location) rows held.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// The item whose `itemid` is `itemid`.
    pub fn item_by_itemid(&self, itemid: &str) -> Option<NetSuiteItemId> {
        self.by_itemid.get(itemid).map(|k| self.item_id(*k))
    }

    fn item_id(&self, key: ItemKey) -> NetSuiteItemId {
        if key >= OTHER {
            self.other_items[(key - OTHER) as usize].clone()
        } else {
            NetSuiteItemId::new(key.to_string())
        }
    }

    fn key(&self, item: &str) -> Option<ItemKey> {
        numeric_key(item).or_else(|| self.other_keys.get(&NetSuiteItemId::new(item)).copied())
    }

    fn key_or_add(&mut self, item: &str) -> ItemKey {
        if let Some(k) = self.key(item) {
            return k;
        }
        let k = OTHER + self.other_items.len() as u64;
        self.other_items.push(NetSuiteItemId::new(item));
        self.other_keys.insert(NetSuiteItemId::new(item), k);
        k
    }
}

impl StockSource for Stock {
    fn available(&self, item: &NetSuiteItemId, locations: &[&NetSuiteLocationId]) -> i64 {
        let Some(key) = self.key(item.as_str()) else {
            return 0;
        };
        locations
            .iter()
            .filter_map(|l| self.locations.iter().position(|x| x == *l))
            .fold(0i64, |sum, loc| {
                let q = self
                    .rows
                    .binary_search_by_key(&(key, loc as u32), |r| (r.0, r.1))
                    .map_or(0, |i| self.rows[i].2);
                sum.saturating_add(q)
            })
    }
}

/// Reads the stock of the mapped `locations`, slice by slice, page by page.
pub async fn read_stock(
    netsuite: &NetSuiteClient,
    locations: &[NetSuiteLocationId],
) -> Result<Stock, JobError> {
    let mut stock = Stock::default();
    if locations.is_empty() {
        return Ok(stock);
    }
    let mut after: Option<String> = None;
    let text = crate::netsuite::column_text;
    loop {
        let q = stock_query(locations, after.as_deref());
        // Rows are taken page by page (not held for the whole slice);
        // `last` is the slice's last item so far, `before` the one
        // before it.
        let (mut last, mut before) = (None::<String>, after.clone());
        let mut offset = 0;
        let full = loop {
            let page = netsuite
                .suiteql_page(&q, crate::netsuite::SUITEQL_MAX_LIMIT, offset)
                .await
                .map_err(|e| JobError::Other(format!("NetSuite stock query: {e}")))?;
            offset += page.items.len();
            for r in &page.items {
                let item = text(r, "item");
                if last.as_ref() != Some(&item) {
                    if let Some(l) = last.replace(item.clone()) {
                        before = Some(l);
                    }
                }
                let qty = crate::mapping::money_of(
                    r.get("quantityavailable")
                        .unwrap_or(&serde_json::Value::Null),
                )
                .and_then(|d| rust_decimal::prelude::ToPrimitive::to_i64(&d.floor()))
                .unwrap_or(0);
                stock.insert(&item, &text(r, "itemid"), &text(r, "location"), qty);
            }
            if !page.has_more || offset >= STOCK_SLICE_ROWS {
                break page.has_more;
            }
        };
        if !full {
            break;
        }
        // A slice cut inside an item's rows: drop that item, the next
        // slice starts after the item before it.
        if let Some(l) = &last {
            stock.drop_last_item(l);
        }
        if before == after {
            break;
        }
        after = before;
    }
    stock.finish();
    Ok(stock)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(s: &str) -> NetSuiteItemId {
        NetSuiteItemId::new(s)
    }
    fn loc(s: &str) -> NetSuiteLocationId {
        NetSuiteLocationId::new(s)
    }

    #[test]
    fn the_stock_query_is_the_notes_shape_with_a_keyset() {
        let q = stock_query(&[loc("1"), loc("2")], Some("9'9"));
        assert!(
            q.contains("FROM inventoryitemlocations iil JOIN item i ON i.id = iil.item"),
            "{q}"
        );
        assert!(
            q.contains("iil.location IN ('1', '2') AND i.isinactive = 'F' AND iil.item > '9''9'"),
            "{q}"
        );
        assert!(q.ends_with("ORDER BY iil.item, iil.location"), "{q}");
        assert!(!stock_query(&[loc("1")], None).contains("iil.item >"));
    }

    #[test]
    fn stock_is_summed_per_location_list_whatever_the_item_ids_look_like() {
        let mut s = Stock::default();
        s.insert("101", "TENT", "1", 5);
        s.insert("101", "TENT", "2", 7);
        s.insert("0101", "ODD", "1", 100);
        s.insert("X-9", "TEXT", "2", 3);
        s.insert("101", "TENT", "1", 6); // read again: the last row wins
        s.insert("202", "CUT", "1", 50);
        s.drop_last_item("202");
        s.finish();
        assert_eq!(s.rows(), 4);
        let (l1, l2, l3) = (loc("1"), loc("2"), loc("3"));
        assert_eq!(s.available(&item("101"), &[&l1, &l2]), 13);
        assert_eq!(s.available(&item("101"), &[&l3]), 0);
        assert_eq!(s.available(&item("0101"), &[&l1]), 100, "not item 101");
        assert_eq!(s.available(&item("X-9"), &[&l1, &l2]), 3);
        assert_eq!(s.available(&item("202"), &[&l1]), 0, "dropped");
        assert_eq!(s.available(&item("404"), &[&l1]), 0);
        assert_eq!(s.item_by_itemid("TENT"), Some(item("101")));
        assert_eq!(s.item_by_itemid("ODD"), Some(item("0101")));
        assert_eq!(s.item_by_itemid("TEXT"), Some(item("X-9")));
        assert_eq!(s.item_by_itemid("NONE"), None);
    }
}
