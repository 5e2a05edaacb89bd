//! The `transactionaccountingline` table: the general-ledger lines of a
//! transaction, as its "GL Impact" shows them. Columns `transaction`,
//! `transactionline`, `accountingbook`, `account`, `debit`, `credit`,
//! `amount`, `netamount`, `posting` (SuiteQL data model as public queries
//! read it [SECONDARY]: netsuitediagnostics.com "SuiteQL: GL Impact", joined
//! to `transactionline` on both `transaction` and `transactionline`; Tim
//! Dietrich's "General Ledger Impact by Transaction Type" sums `debit`,
//! `credit`, `amount` by `account` and `posting`).
//!
//! Only Item Fulfillments have rows here: what they post is the costing of
//! `netsuite/costing.rs` (read its doc for the rules and readings). Per
//! fulfilled inventory line: a debit to the COGS account on the line's
//! COGS line (`iscogs = 'T'`) and a credit to the asset account on the item
//! line, `amount`/`netamount` positive for a debit and negative for a
//! credit, the other side NULL (sim-defined), `posting = 'T'`, primary book
//! `1`. Other transactions' GL lines are not simulated: a query for them
//! returns no rows (harsher reading: code must not assume rows exist).

use rust_decimal::Decimal;
use std::collections::HashMap;

use super::transaction::transaction_lines;
use super::{aligned, col_index, record_row};
use crate::netsuite::State as SimState;

const TABLE: &str = "transactionaccountingline";

pub(super) fn accounting_lines(st: &SimState) -> Vec<Vec<Option<String>>> {
    let c = &st.costing;
    let (Some(cogs), Some(asset)) = (&c.cogs_account, &c.asset_account) else {
        return Vec::new();
    };
    if c.deferred {
        return Vec::new();
    }
    let at = |col: &str| col_index("transactionline", col).unwrap_or(usize::MAX);
    let (id_c, main_c, cogs_c, item_c, qty_c, type_c) = (
        at("id"),
        at("mainline"),
        at("iscogs"),
        at("item"),
        at("quantity"),
        at("itemtype"),
    );
    let mut out = Vec::new();
    for (ty, rec) in st.records.transactions() {
        if ty != "ItemShip" || record_row(rec).get("shipstatus").map(String::as_str) != Some("C") {
            continue;
        }
        let mut lines = Vec::new();
        transaction_lines(st, ty, rec, &mut lines);
        for l in &lines {
            let cell = |i: usize| l.get(i).cloned().flatten();
            let inventory = matches!(cell(type_c).as_deref(), Some("InvtPart" | "Assembly"));
            if cell(main_c).as_deref() != Some("F") || !inventory {
                continue;
            }
            let item = cell(item_c)
                .and_then(|i| i.parse::<u64>().ok())
                .unwrap_or(0);
            let qty: Decimal = cell(qty_c).and_then(|q| q.parse().ok()).unwrap_or_default();
            let amount = c.cost_of(item, qty);
            let debit = cell(cogs_c).as_deref() == Some("T");
            let mut r: HashMap<&'static str, String> = HashMap::new();
            r.insert("transaction", cell(at("transaction")).unwrap_or_default());
            r.insert("transactionline", cell(id_c).unwrap_or_default());
            r.insert("accountingbook", "1".into());
            r.insert("posting", "T".into());
            let (account, side, signed) = if debit {
                (cogs, "debit", amount)
            } else {
                (asset, "credit", -amount)
            };
            r.insert("account", account.clone());
            r.insert(side, amount.to_string());
            r.insert("amount", signed.to_string());
            r.insert("netamount", signed.to_string());
            out.push(aligned(TABLE, r));
        }
    }
    out
}
