//! The `previoustransactionlinelink` table: which sales-order line each
//! fulfillment, invoice or cash-sale line was created from
//! (finance-inventory-fulfilment.md §4.2).

use serde_json::Value;

use super::transaction::{line_no, sublist_items};
use crate::netsuite::State as SimState;

/// `PreviousTransactionLineLink`: one row per line created from a sales
/// order line. `ShipRcpt` for item fulfillment lines (§4.2, index ids
/// 69415859526, 49159032039, 67119261728); invoice and cash sale lines
/// link with `OrdBill` (code unverified; present so a query that forgets
/// `linktype = 'ShipRcpt'` gets rows it did not want, the harsher reading).
pub(super) fn links(st: &SimState) -> Vec<Vec<Option<String>>> {
    let mut out = Vec::new();
    for (ty, rec) in st.records.transactions() {
        let linktype = match ty {
            "ItemShip" => "ShipRcpt",
            "CustInvc" | "CashSale" => "OrdBill",
            _ => continue,
        };
        let Some(prev) = rec
            .get("createdFrom")
            .and_then(|c| c.get("id"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let next = rec.get("id").and_then(Value::as_str).unwrap_or_default();
        for l in sublist_items(rec, "item") {
            let (Some(pl), Some(nl)) = (line_no(l, "orderLine"), line_no(l, "line")) else {
                continue;
            };
            out.push(vec![
                Some(prev.to_string()),
                Some(pl),
                Some(next.to_string()),
                Some(nl),
                Some(linktype.to_string()),
            ]);
        }
    }
    out
}
