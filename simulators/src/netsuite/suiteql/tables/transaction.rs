//! The `transaction` and `transactionline` tables: one row per stored
//! sales order, invoice, cash sale, credit memo, cash refund, item
//! fulfillment and journal entry (type codes `SalesOrd`, `CustInvc`, ...),
//! and one per line, with the columns the integration's queries read
//! (finance-inventory-fulfilment.md §4.2; the parent `suiteql` module doc
//! says which columns exist and why).

use serde_json::Value;
use std::collections::HashMap;

use super::{aligned, pick, record_row};
use crate::netsuite::State as SimState;

pub(super) fn sublist_items<'a>(rec: &'a Value, name: &str) -> &'a [Value] {
    rec.get(name)
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Package sublists of an item fulfillment and their tracking-number field
/// (finance-inventory-fulfilment.md §4.1: read all that exist).
pub(crate) const PACKAGE_SUBLISTS: &[(&str, &str)] = &[
    ("package", "packageTrackingNumber"),
    ("packageUps", "packageTrackingNumberUps"),
    ("packageFedex", "packageTrackingNumberFedEx"),
    ("packageUsps", "packageTrackingNumberUsps"),
];

pub(super) fn line_no(l: &Value, key: &str) -> Option<String> {
    match l.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

pub(super) fn transaction_row(ty: &str, rec: &Value) -> Vec<Option<String>> {
    let mut r = record_row(rec);
    r.insert("type".into(), ty.into());
    if let Some(t) = r.remove("total") {
        r.insert("foreigntotal".into(), t);
    }
    if ty == "ItemShip" {
        // `t.status` of an item fulfillment is its ship status letter
        // (§0.6; index id 63136032281).
        if let Some(s) = r.get("shipstatus").cloned() {
            r.insert("status".into(), s);
        }
    }
    if let Some(secs) = r
        .get("lastmodifieddate")
        .and_then(|d| crate::netsuite::suiteql::parse::parse_timestamp(d))
    {
        r.insert("lastmodifieddate".into(), secs.to_string());
    }
    aligned("transaction", pick("transaction", &r))
}

pub(super) fn transaction_lines(
    st: &SimState,
    ty: &str,
    rec: &Value,
    out: &mut Vec<Vec<Option<String>>>,
) {
    let h = record_row(rec);
    let tid = h.get("id").cloned().unwrap_or_default();
    let get = |k: &str| h.get(k).cloned();
    let mut main: HashMap<&'static str, String> = HashMap::new();
    main.insert("transaction", tid.clone());
    main.insert("id", "0".into());
    main.insert("linesequencenumber", "0".into());
    main.insert("mainline", "T".into());
    main.insert("iscogs", "F".into());
    for (col, field) in [
        ("createdfrom", "createdfrom"),
        ("location", "location"),
        ("subsidiary", "subsidiary"),
        ("department", "department"),
        ("class", "class"),
        ("entity", "entity"),
        ("foreignamount", "total"),
    ] {
        if let Some(v) = get(field) {
            main.insert(col, v);
        }
    }
    out.push(aligned("transactionline", main));
    if ty == "Journal" {
        return;
    }
    let itemtype = |id: &str| -> Option<String> {
        st.stock.item(id.parse().ok()?).map(|i| i.itemtype.clone())
    };
    let outbound = ty == "ItemShip";
    let mut last = 0u64;
    let mut cogs = Vec::new();
    for l in sublist_items(rec, "item") {
        let lr = record_row(l);
        let mut r: HashMap<&'static str, String> = HashMap::new();
        r.insert("transaction", tid.clone());
        let n = lr.get("line").cloned().unwrap_or_default();
        last = last.max(n.parse().unwrap_or(0));
        r.insert("id", n.clone());
        r.insert("linesequencenumber", n);
        r.insert("mainline", "F".into());
        r.insert("iscogs", "F".into());
        r.insert(
            "isclosed",
            lr.get("isclosed").cloned().unwrap_or_else(|| "F".into()),
        );
        let quantity = lr.get("quantity").map(|q| {
            // Outbound quantities are stored negative (§4.2).
            if outbound && !q.starts_with('-') && q != "0" {
                format!("-{q}")
            } else {
                q.clone()
            }
        });
        for (col, v) in [
            ("createdfrom", get("createdfrom")),
            ("subsidiary", get("subsidiary")),
            ("entity", get("entity")),
            ("item", lr.get("item").cloned()),
            ("quantity", quantity),
            ("rate", lr.get("rate").cloned()),
            ("foreignamount", lr.get("amount").cloned()),
            ("location", lr.get("location").cloned()),
            ("department", lr.get("department").cloned()),
            ("class", lr.get("class").cloned()),
            ("itemtype", lr.get("item").and_then(|i| itemtype(i))),
        ] {
            if let Some(v) = v {
                r.insert(col, v);
            }
        }
        if outbound {
            cogs.push(r.clone());
        }
        out.push(aligned("transactionline", r));
    }
    // An item fulfillment also carries COGS lines and, with a ship method, a
    // shipping line (§4.2, index id 12452274665: filter `iscogs = 'F'` and
    // `itemtype <> 'ShipItem'`). Their ids and amounts are sim-defined.
    for mut r in cogs {
        last += 1;
        r.insert("id", last.to_string());
        r.insert("linesequencenumber", last.to_string());
        r.insert("iscogs", "T".into());
        if let Some(q) = r
            .get("quantity")
            .map(|q| q.trim_start_matches('-').to_string())
        {
            r.insert("quantity", q);
        }
        out.push(aligned("transactionline", r));
    }
    if outbound {
        if let Some(m) = get("shipmethod") {
            last += 1;
            let mut r: HashMap<&'static str, String> = HashMap::new();
            r.insert("transaction", tid.clone());
            r.insert("id", last.to_string());
            r.insert("linesequencenumber", last.to_string());
            r.insert("mainline", "F".into());
            r.insert("iscogs", "F".into());
            r.insert("isclosed", "F".into());
            if let Some(t) = itemtype(&m) {
                r.insert("itemtype", t);
            }
            r.insert("item", m);
            out.push(aligned("transactionline", r));
        }
    }
}
