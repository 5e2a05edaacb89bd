//! The simulated SuiteQL tables: their columns (with a type that decides
//! how values compare) and their rows. Which columns exist, and why, is in
//! the parent module's doc.
//!
//! Files: the reference tables (item, location, subsidiary, currency,
//! department, classification, account, customer, inventoryitemlocations)
//! are built here from the seed and the stock; `transaction.rs` holds
//! `transaction` and `transactionline`, `tracking.rs` `trackingnumber` and
//! `trackingnumbermap`, `links.rs` `previoustransactionlinelink`,
//! `periods.rs` `accountingperiod`.

use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

use crate::netsuite::stock::{ItemRow, LevelRow};
use crate::netsuite::State as SimState;
use crate::seed::NetSuiteSeed;

mod accounting;
mod links;
mod periods;
mod tracking;
mod transaction;

use links::links;
use periods::periods;
use tracking::tracking;
use transaction::{transaction_lines, transaction_row};

/// How a column's values compare: numbers numerically (ids, quantities,
/// amounts), dates as instants, everything else as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Num,
    Text,
    /// Unix seconds inside; rendered as `M/D/YYYY` unless `TO_CHAR`ed.
    Date,
}

use Kind::{Date, Num, Text};

/// The SuiteQL columns each simulated table exposes, in row order.
pub(crate) fn columns(table: &str) -> Option<&'static [(&'static str, Kind)]> {
    Some(match table {
        "item" => &[
            ("id", Num),
            ("itemid", Text),
            ("displayname", Text),
            ("itemtype", Text),
            ("isinactive", Text),
            ("externalid", Text),
        ],
        "location" => &[
            ("id", Num),
            ("name", Text),
            ("subsidiary", Num),
            ("isinactive", Text),
        ],
        "subsidiary" => &[
            ("id", Num),
            ("name", Text),
            ("currency", Num),
            ("country", Text),
            ("isinactive", Text),
        ],
        "currency" => &[
            ("id", Num),
            ("name", Text),
            ("symbol", Text),
            ("isinactive", Text),
        ],
        "department" | "classification" => &[("id", Num), ("name", Text), ("isinactive", Text)],
        // Columns of the Records Catalog `account` table (acctnumber,
        // acctname, fullname, accttype codes such as `Bank`/`Income`,
        // isinactive, issummary), as public SuiteQL over accounts selects
        // them [SECONDARY]; `fullname` is the name here (no parent accounts
        // are simulated).
        "account" => &[
            ("id", Num),
            ("acctnumber", Text),
            ("acctname", Text),
            ("fullname", Text),
            ("accttype", Text),
            ("isinactive", Text),
            ("issummary", Text),
        ],
        "inventoryitemlocations" => &[
            ("item", Num),
            ("location", Num),
            ("quantityavailable", Num),
            ("quantityonhand", Num),
            ("quantitycommitted", Num),
            ("quantityonorder", Num),
            ("quantitybackordered", Num),
        ],
        "customer" => &[
            ("id", Num),
            ("entityid", Text),
            ("email", Text),
            ("companyname", Text),
            ("firstname", Text),
            ("lastname", Text),
            ("isperson", Text),
            ("subsidiary", Num),
            ("currency", Num),
            ("externalid", Text),
            ("isinactive", Text),
            ("phone", Text),
        ],
        "transaction" => &[
            ("id", Num),
            ("tranid", Text),
            ("type", Text),
            ("externalid", Text),
            ("entity", Num),
            ("trandate", Text),
            ("memo", Text),
            ("otherrefnum", Text),
            ("currency", Num),
            ("status", Text),
            ("foreigntotal", Num),
            ("lastmodifieddate", Date),
            ("shipmethod", Num),
        ],
        "transactionline" => &[
            ("transaction", Num),
            ("id", Num),
            ("linesequencenumber", Num),
            ("mainline", Text),
            ("createdfrom", Num),
            ("item", Num),
            ("quantity", Num),
            ("rate", Num),
            ("foreignamount", Num),
            ("location", Num),
            ("subsidiary", Num),
            ("department", Num),
            ("class", Num),
            ("isclosed", Text),
            ("entity", Num),
            ("iscogs", Text),
            ("itemtype", Text),
        ],
        // `periods.rs` (Records Catalog `accountingperiod`).
        "accountingperiod" => &[
            ("id", Num),
            ("periodname", Text),
            ("startdate", Date),
            ("enddate", Date),
            ("closed", Text),
            ("alllocked", Text),
            ("aplocked", Text),
            ("arlocked", Text),
            ("isadjust", Text),
            ("isquarter", Text),
            ("isyear", Text),
            ("isposting", Text),
            ("isinactive", Text),
        ],
        "trackingnumbermap" => &[("transaction", Num), ("trackingnumber", Num)],
        "trackingnumber" => &[("id", Num), ("trackingnumber", Text)],
        // File Cabinet files (`files.rs`): SuiteQL `file` id, name, folder.
        "file" => &[("id", Num), ("name", Text), ("folder", Num)],
        "previoustransactionlinelink" => &[
            ("previousdoc", Num),
            ("previousline", Num),
            ("nextdoc", Num),
            ("nextline", Num),
            ("linktype", Text),
        ],
        // `accounting.rs` (an Item Fulfillment's GL lines).
        "transactionaccountingline" => &[
            ("transaction", Num),
            ("transactionline", Num),
            ("accountingbook", Num),
            ("account", Num),
            ("debit", Num),
            ("credit", Num),
            ("amount", Num),
            ("netamount", Num),
            ("posting", Text),
        ],
        _ => return None,
    })
}

/// Position of `col` in `table`'s columns.
pub(crate) fn col_index(table: &str, col: &str) -> Option<usize> {
    columns(table)?.iter().position(|(c, _)| *c == col)
}

/// REST record fields known not to be SuiteQL columns of `table` (§0).
pub(crate) fn not_exposed(table: &str, col: &str) -> bool {
    table == "transaction" && ["createdfrom", "location", "subsidiary"].contains(&col)
}

/// A table's rows. Small tables are built per query as text cells aligned
/// to `columns()`; the catalogue and stock are read in place (typed), so a
/// 300,000-row query allocates nothing per row it filters out.
pub(crate) enum Source<'a> {
    Rows(Vec<Vec<Option<String>>>),
    Items(&'a [ItemRow]),
    Levels(&'a [LevelRow]),
}

pub(super) fn tf(b: bool) -> &'static str {
    if b {
        "T"
    } else {
        "F"
    }
}

impl Source<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Source::Rows(r) => r.len(),
            Source::Items(r) => r.len(),
            Source::Levels(r) => r.len(),
        }
    }

    /// The numeric value of a `Num`/`Date` column (None = NULL or not a number).
    pub(crate) fn num(&self, row: usize, col: usize) -> Option<f64> {
        match self {
            Source::Rows(r) => r[row][col].as_deref()?.parse().ok(),
            Source::Items(r) => (col == 0).then_some(r[row].id as f64),
            Source::Levels(r) => {
                let l = &r[row];
                let q = &l.level;
                Some(match col {
                    0 => l.item as f64,
                    1 => l.location as f64,
                    2 => q.quantityavailable as f64,
                    3 => q.quantityonhand as f64,
                    4 => q.quantitycommitted as f64,
                    5 => q.quantityonorder as f64,
                    _ => q.quantitybackordered as f64,
                })
            }
        }
    }

    /// The stored text of a cell (None = NULL).
    pub(crate) fn text(&self, row: usize, col: usize) -> Option<Cow<'_, str>> {
        match self {
            Source::Rows(r) => r[row][col].as_deref().map(Cow::Borrowed),
            Source::Items(r) => {
                let i = &r[row];
                match col {
                    0 => Some(Cow::Owned(i.id.to_string())),
                    1 => Some(Cow::Borrowed(&i.itemid)),
                    2 => Some(Cow::Borrowed(&i.displayname)),
                    3 => Some(Cow::Borrowed(&i.itemtype)),
                    4 => Some(Cow::Borrowed(tf(i.isinactive))),
                    _ => None,
                }
            }
            Source::Levels(_) => self
                .num(row, col)
                .map(|n| Cow::Owned((n as i64).to_string())),
        }
    }
}

/// Text cells of one row, aligned to `columns(table)`.
pub(super) fn aligned(table: &str, mut r: HashMap<&'static str, String>) -> Vec<Option<String>> {
    columns(table)
        .unwrap_or(&[])
        .iter()
        .map(|(c, _)| r.remove(c))
        .collect()
}

/// Flattens a stored record into SuiteQL values: lower-cased keys, scalars
/// as strings, booleans as `T`/`F`, references (`{"id": ..}`) as their id.
pub(super) fn record_row(rec: &Value) -> HashMap<String, String> {
    let mut row = HashMap::new();
    if let Some(o) = rec.as_object() {
        for (k, v) in o {
            let s = match v {
                Value::Null | Value::Array(_) => continue,
                Value::String(s) => s.clone(),
                Value::Bool(b) => tf(*b).to_string(),
                Value::Number(n) => n.to_string(),
                Value::Object(m) => match m.get("id") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => continue,
                },
            };
            row.insert(k.to_ascii_lowercase(), s);
        }
    }
    row
}

/// Keeps the columns of `table` from a flattened record.
pub(super) fn pick(table: &str, r: &HashMap<String, String>) -> HashMap<&'static str, String> {
    columns(table)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(c, _)| Some((*c, r.get(*c)?.clone())))
        .collect()
}

pub(crate) fn source<'a>(st: &'a SimState, seed: &NetSuiteSeed, name: &str) -> Option<Source<'a>> {
    let named = |list: &[crate::seed::NamedSeed]| -> Vec<Vec<Option<String>>> {
        list.iter()
            .map(|n| {
                let mut r = HashMap::from([
                    ("id", n.id.clone()),
                    ("name", n.name.clone()),
                    ("isinactive", tf(n.isinactive).to_string()),
                ]);
                if let Some(s) = &n.symbol {
                    r.insert("symbol", s.clone());
                }
                aligned(name, r)
            })
            .collect()
    };
    let txs = || st.records.transactions();
    let rows: Vec<Vec<Option<String>>> = match name {
        "item" => return Some(Source::Items(&st.stock.items)),
        "inventoryitemlocations" => return Some(Source::Levels(&st.stock.levels)),
        "location" => seed
            .locations
            .iter()
            .map(|l| {
                aligned(
                    name,
                    HashMap::from([
                        ("id", l.id.clone()),
                        ("name", l.name.clone()),
                        ("subsidiary", l.subsidiary.clone()),
                        (
                            "isinactive",
                            tf(l.isinactive || st.role.inactive_locations.contains(&l.id))
                                .to_string(),
                        ),
                    ]),
                )
            })
            .collect(),
        "subsidiary" => seed
            .subsidiaries
            .iter()
            .map(|s| {
                aligned(
                    name,
                    HashMap::from([
                        ("id", s.id.clone()),
                        ("name", s.name.clone()),
                        ("currency", s.currency.clone()),
                        ("country", s.country.clone()),
                        ("isinactive", tf(s.isinactive).to_string()),
                    ]),
                )
            })
            .collect(),
        "currency" => named(&seed.currencies),
        "file" => st
            .files
            .rows()
            .map(|f| {
                aligned(
                    name,
                    HashMap::from([
                        ("id", f.id.to_string()),
                        ("name", f.name.clone()),
                        ("folder", f.folder.clone()),
                    ]),
                )
            })
            .collect(),
        "account" => {
            let mut rows: Vec<_> = st.records.books.accounts().collect();
            rows.sort_by_key(|a| a.id.parse::<u64>().unwrap_or(u64::MAX));
            rows.into_iter()
                .map(|a| {
                    aligned(
                        name,
                        HashMap::from([
                            ("id", a.id.clone()),
                            ("acctnumber", a.acctnumber.clone()),
                            ("acctname", a.acctname.clone()),
                            ("fullname", a.acctname.clone()),
                            ("accttype", a.accttype.clone()),
                            ("isinactive", tf(a.isinactive).to_string()),
                            ("issummary", tf(a.issummary).to_string()),
                        ]),
                    )
                })
                .collect()
        }
        "department" => named(&seed.departments),
        "classification" => named(&seed.classes),
        "customer" => st
            .records
            .all("customer")
            .iter()
            .map(|c| {
                let mut r = record_row(c);
                r.entry("isinactive".into()).or_insert_with(|| "F".into());
                aligned(name, pick(name, &r))
            })
            .collect(),
        "transaction" => txs()
            .into_iter()
            .map(|(ty, rec)| transaction_row(ty, rec))
            .collect(),
        "transactionline" => {
            let mut out = Vec::new();
            for (ty, rec) in txs() {
                transaction_lines(st, ty, rec, &mut out);
            }
            out
        }
        "trackingnumber" | "trackingnumbermap" => {
            let (numbers, map) = tracking(st);
            if name == "trackingnumber" {
                numbers
                    .into_iter()
                    .map(|(id, n)| vec![Some(id.to_string()), Some(n)])
                    .collect()
            } else {
                map.into_iter()
                    .map(|(t, n)| vec![Some(t), Some(n.to_string())])
                    .collect()
            }
        }
        "previoustransactionlinelink" => links(st),
        "accountingperiod" => periods(&st.records.books.closed),
        "transactionaccountingline" => accounting::accounting_lines(st),
        _ => return None,
    };
    Some(Source::Rows(rows))
}
