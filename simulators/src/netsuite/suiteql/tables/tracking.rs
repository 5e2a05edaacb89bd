//! The `trackingnumber` and `trackingnumbermap` tables, built from the
//! package sublists of every item fulfillment (finance-inventory-fulfilment.md
//! §4.1, §4.2).

use serde_json::Value;
use std::collections::HashMap;

use super::transaction::{sublist_items, PACKAGE_SUBLISTS};
use crate::netsuite::State as SimState;

/// `trackingnumber` rows (one per distinct number, ids by first use) and
/// `trackingnumbermap` rows (transaction, number id), from every package
/// sublist of every item fulfillment, by ascending fulfillment id
/// (§4.2, index ids 63136032281 and 9883034758). A number shared by several
/// fulfillments is one `trackingnumber` row mapped to each (sim-defined).
/// (`trackingnumber` rows as (id, number), `trackingnumbermap` rows as (transaction, number id)).
pub(super) type Tracking = (Vec<(u64, String)>, Vec<(String, u64)>);

pub(super) fn tracking(st: &SimState) -> Tracking {
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut numbers = Vec::new();
    let mut map = Vec::new();
    for (ty, rec) in st.records.transactions() {
        if ty != "ItemShip" {
            continue;
        }
        let tid = rec.get("id").and_then(Value::as_str).unwrap_or_default();
        for (sl, field) in PACKAGE_SUBLISTS {
            for p in sublist_items(rec, sl) {
                let Some(n) = p
                    .as_object()
                    .and_then(|o| crate::netsuite::records::get_ci(o, field))
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                else {
                    continue;
                };
                let next = ids.len() as u64 + 1;
                let id = *ids.entry(n.to_string()).or_insert_with(|| {
                    numbers.push((next, n.to_string()));
                    next
                });
                if !map.contains(&(tid.to_string(), id)) {
                    map.push((tid.to_string(), id));
                }
            }
        }
    }
    (numbers, map)
}
