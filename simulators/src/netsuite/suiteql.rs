//! A deliberately small, honest SuiteQL subset: enough for the lookups the
//! integration makes, and a loud 400 INVALID_PARAMETER (`o:errorQueryParam:
//! "q"`, netsuite-rest-api.md §4) for anything else, so a query the simulator
//! cannot answer faithfully never silently returns wrong rows. Paging,
//! response shape and lower-cased keys follow the recorded real response
//! (§3, section_158394344595).
//!
//! # Grammar
//!
//! ```text
//! SELECT * | col [[AS] alias], ...
//! FROM table [alias] { [INNER] JOIN table [alias] ON col = col }
//! [WHERE cond { AND cond }]
//! [ORDER BY col [ASC|DESC], ...]
//! ```
//! `col` is `name` or `qualifier.name` (qualifier = table name or alias; an
//! unqualified name must belong to exactly one joined table). `cond` is
//! `col = 'lit'`, `LOWER(col) = LOWER('lit')`, `LOWER(col) = 'lit'` or
//! `col IN ('a', 'b', ...)`. `SELECT *` works on a single table only. No OR,
//! LIKE, functions, GROUP BY, outer joins or subqueries.
//!
//! # Columns
//!
//! SuiteQL is not the REST record schema (§0): each table answers only the
//! columns listed in `columns()`; any other column in SELECT, ON, WHERE or
//! ORDER BY is 400 INVALID_PARAMETER "Field 'x' for record 't' was not
//! found" (for fields that exist on the REST record but not in SuiteQL the
//! detail adds "Reason: NOT_EXPOSED", as public validators report; exact text
//! unverified). In particular `transaction` has NO `createdfrom`, `location`
//! or `subsidiary`: they are `transactionline` columns, read on the header
//! line (`mainline = 'T'`) (§0; subsidiary by the same rule, harsher
//! reading). Every transaction has one `transactionline` row with `mainline
//! = 'T'` and `id = '0'`, plus one row per item line with `mainline = 'F'`.
//! `createdfrom` is set on the header line AND on every item line of a
//! transaction created by a transform (the notes are silent on item lines;
//! harsher reading), so a query that forgets `mainline = 'T'` gets one row
//! per line. Booleans are `'T'`/`'F'`; references are their internal id.
//! `item`, `customer`, `location`, `subsidiary`, `currency`, `department`
//! and `classification` expose `isinactive`, and inactive rows are returned
//! unless filtered: the seed holds an inactive item whose `itemid` equals an
//! active item's (`TENT-2P-GRN`: 101 active, 151 inactive) and an inactive
//! customer sharing an active customer's email.
//!
//! `transaction.type` codes: SalesOrd, CustInvc, CashSale, CustCred,
//! CashRfnd, ItemShip, Journal.
//!
//! # Supported shapes for "what was created from sales order 123"
//!
//! ```sql
//! -- one query, with a join:
//! SELECT t.id, t.type FROM transaction t
//!   JOIN transactionline tl ON tl.transaction = t.id
//!   WHERE tl.createdfrom = '123' AND tl.mainline = 'T'
//! -- or two queries, without one:
//! SELECT transaction, createdfrom FROM transactionline
//!   WHERE createdfrom = '123' AND mainline = 'T'
//! SELECT id, type FROM transaction WHERE id IN ('1001', '1002')
//! ```
//! Filtering the type in the join works too (`AND t.type = 'CustInvc'`).
//! `SELECT id, type FROM transaction WHERE createdfrom = '123'` is refused.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::{NetSuiteSim, NsError, State as SimState};

/// SuiteQL page size: default and maximum 1000 (§3).
const MAX_LIMIT: usize = 1000;

type Row = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Comma,
    LParen,
    RParen,
    Eq,
    Star,
    Dot,
}

fn unsupported(why: impl std::fmt::Display) -> NsError {
    NsError::bad_request(
        "INVALID_PARAMETER",
        format!(
            "Invalid search query. {why}. This query is unsupported in the NetSuite simulator, which accepts only: \
             SELECT */columns [AS alias] FROM table [alias] [[INNER] JOIN table [alias] ON a.col = b.col ...] \
             [WHERE col = 'v' | LOWER(col) = LOWER('v') | col IN ('a','b') [AND ...]] [ORDER BY col [ASC|DESC]]."
        ),
    )
    .query_param("q")
}

fn field_not_found(col: &str, table: &str, not_exposed: bool) -> NsError {
    let reason = if not_exposed {
        " Reason: NOT_EXPOSED - the field exists on the REST record but is not a SuiteQL column of this table."
    } else {
        ""
    };
    NsError::bad_request(
        "INVALID_PARAMETER",
        format!("Invalid search query. Detailed unprocessed description follows. Search error occurred: Field '{col}' for record '{table}' was not found.{reason}"),
    )
    .query_param("q")
}

fn tokenize(q: &str) -> Result<Vec<Tok>, NsError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            ',' => (out.push(Tok::Comma), i += 1).1,
            '(' => (out.push(Tok::LParen), i += 1).1,
            ')' => (out.push(Tok::RParen), i += 1).1,
            '=' => (out.push(Tok::Eq), i += 1).1,
            '*' => (out.push(Tok::Star), i += 1).1,
            '.' => (out.push(Tok::Dot), i += 1).1,
            ';' if chars[i + 1..].iter().all(|c| c.is_whitespace()) => i = chars.len(),
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(unsupported("Unterminated string literal")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                out.push(Tok::Num(chars[start..i].iter().collect()));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(unsupported(format!("Unexpected character '{other}'"))),
        }
    }
    Ok(out)
}

/// `name` or `qualifier.name`, as written.
#[derive(Debug, Clone, PartialEq)]
struct ColRef {
    qual: Option<String>,
    col: String,
}

#[derive(Debug)]
enum Cond {
    Eq {
        col: ColRef,
        lower_col: bool,
        value: String,
    },
    In {
        col: ColRef,
        values: Vec<String>,
    },
}

#[derive(Debug)]
struct TableRef {
    name: String,
    alias: Option<String>,
}

#[derive(Debug)]
struct Select {
    /// `None` = `*`; else (column, output key).
    columns: Option<Vec<(ColRef, String)>>,
    /// The FROM table, then each joined table.
    tables: Vec<TableRef>,
    /// `ON a = b` of each join, in order.
    ons: Vec<(ColRef, ColRef)>,
    conds: Vec<Cond>,
    order: Vec<(ColRef, bool)>,
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "AS", "IN", "ASC", "DESC", "GROUP",
    "JOIN", "ON", "LIKE", "NOT", "IS", "NULL", "DISTINCT", "UNION", "HAVING", "LEFT", "INNER",
    "RIGHT", "FULL", "OUTER", "CROSS", "FETCH", "OFFSET", "LIMIT",
];

fn reserved(s: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), NsError> {
        if self.is_kw(kw) {
            self.pos += 1;
            Ok(())
        } else {
            Err(unsupported(format!("Expected {kw} near {}", self.here())))
        }
    }

    fn expect(&mut self, t: Tok) -> Result<(), NsError> {
        if self.peek() == Some(&t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(unsupported(format!("Expected {t:?} near {}", self.here())))
        }
    }

    fn here(&self) -> String {
        match self.peek() {
            Some(t) => format!("{t:?}"),
            None => "end of query".into(),
        }
    }

    fn ident(&mut self) -> Result<String, NsError> {
        match self.next() {
            Some(Tok::Ident(s)) if !reserved(&s) => Ok(s),
            other => Err(unsupported(format!(
                "Expected an identifier, found {other:?}"
            ))),
        }
    }

    fn column(&mut self) -> Result<ColRef, NsError> {
        let first = self.ident()?;
        if self.peek() == Some(&Tok::Dot) {
            self.pos += 1;
            return Ok(ColRef {
                qual: Some(first),
                col: self.ident()?.to_ascii_lowercase(),
            });
        }
        Ok(ColRef {
            qual: None,
            col: first.to_ascii_lowercase(),
        })
    }

    fn literal(&mut self) -> Result<String, NsError> {
        match self.next() {
            Some(Tok::Str(s)) | Some(Tok::Num(s)) => Ok(s),
            other => Err(unsupported(format!("Expected a literal, found {other:?}"))),
        }
    }

    fn table_ref(&mut self) -> Result<TableRef, NsError> {
        let name = self.ident()?.to_ascii_lowercase();
        let alias = if matches!(self.peek(), Some(Tok::Ident(s)) if !reserved(s)) {
            Some(self.ident()?)
        } else {
            None
        };
        Ok(TableRef { name, alias })
    }

    fn cond(&mut self) -> Result<Cond, NsError> {
        if self.is_kw("LOWER") {
            self.pos += 1;
            self.expect(Tok::LParen)?;
            let col = self.column()?;
            self.expect(Tok::RParen)?;
            self.expect(Tok::Eq)?;
            let value = if self.is_kw("LOWER") {
                self.pos += 1;
                self.expect(Tok::LParen)?;
                let v = self.literal()?.to_lowercase();
                self.expect(Tok::RParen)?;
                v
            } else {
                self.literal()?
            };
            return Ok(Cond::Eq {
                col,
                lower_col: true,
                value,
            });
        }
        let col = self.column()?;
        if self.is_kw("IN") {
            self.pos += 1;
            self.expect(Tok::LParen)?;
            let mut values = vec![self.literal()?];
            while self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                values.push(self.literal()?);
            }
            self.expect(Tok::RParen)?;
            return Ok(Cond::In { col, values });
        }
        self.expect(Tok::Eq)?;
        Ok(Cond::Eq {
            col,
            lower_col: false,
            value: self.literal()?,
        })
    }
}

fn parse(q: &str) -> Result<Select, NsError> {
    let mut p = Parser {
        toks: tokenize(q)?,
        pos: 0,
    };
    p.expect_kw("SELECT")?;
    let mut columns = None;
    if p.peek() == Some(&Tok::Star) {
        p.pos += 1;
    } else {
        let mut cols = Vec::new();
        loop {
            let c = p.column()?;
            let key = if p.is_kw("AS") {
                p.pos += 1;
                p.ident()?.to_ascii_lowercase()
            } else if matches!(p.peek(), Some(Tok::Ident(s)) if !s.eq_ignore_ascii_case("FROM")) {
                p.ident()?.to_ascii_lowercase()
            } else {
                c.col.clone()
            };
            cols.push((c, key));
            if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
        columns = Some(cols);
    }
    p.expect_kw("FROM")?;
    let mut tables = vec![p.table_ref()?];
    let mut ons = Vec::new();
    loop {
        if p.is_kw("INNER") {
            p.pos += 1;
            p.expect_kw("JOIN")?;
        } else if p.is_kw("JOIN") {
            p.pos += 1;
        } else {
            break;
        }
        tables.push(p.table_ref()?);
        p.expect_kw("ON")?;
        let a = p.column()?;
        p.expect(Tok::Eq)?;
        let b = p.column()?;
        ons.push((a, b));
    }
    if columns.is_none() && tables.len() > 1 {
        return Err(unsupported("SELECT * with a JOIN"));
    }
    let mut conds = Vec::new();
    if p.is_kw("WHERE") {
        p.pos += 1;
        conds.push(p.cond()?);
        while p.is_kw("AND") {
            p.pos += 1;
            conds.push(p.cond()?);
        }
    }
    let mut order = Vec::new();
    if p.is_kw("ORDER") {
        p.pos += 1;
        p.expect_kw("BY")?;
        loop {
            let c = p.column()?;
            let desc = if p.is_kw("DESC") {
                p.pos += 1;
                true
            } else {
                if p.is_kw("ASC") {
                    p.pos += 1;
                }
                false
            };
            order.push((c, desc));
            if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
    }
    if let Some(t) = p.peek() {
        return Err(unsupported(format!("Unsupported syntax near {t:?}")));
    }
    Ok(Select {
        columns,
        tables,
        ons,
        conds,
        order,
    })
}

/// Flattens a stored record into SuiteQL values: lower-cased keys, scalars
/// as strings, booleans as `T`/`F`, references (`{"id": ..}`) as their id.
fn record_row(rec: &Value) -> Row {
    let mut row = Row::new();
    if let Some(o) = rec.as_object() {
        for (k, v) in o {
            let s = match v {
                Value::Null | Value::Array(_) => continue,
                Value::String(s) => s.clone(),
                Value::Bool(b) => if *b { "T" } else { "F" }.to_string(),
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

fn row_of(pairs: &[(&str, &str)]) -> Row {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn tf(b: bool) -> &'static str {
    if b {
        "T"
    } else {
        "F"
    }
}

/// The SuiteQL columns each simulated table exposes (module doc).
fn columns(table: &str) -> Option<&'static [&'static str]> {
    Some(match table {
        "item" => &[
            "id",
            "itemid",
            "displayname",
            "itemtype",
            "isinactive",
            "externalid",
        ],
        "location" => &["id", "name", "subsidiary", "isinactive"],
        "subsidiary" => &["id", "name", "currency", "country", "isinactive"],
        "currency" => &["id", "name", "symbol", "isinactive"],
        "department" | "classification" => &["id", "name", "isinactive"],
        "inventoryitemlocations" => &[
            "item",
            "location",
            "quantityavailable",
            "quantityonhand",
            "quantitycommitted",
            "quantityonorder",
            "quantitybackordered",
        ],
        "customer" => &[
            "id",
            "entityid",
            "email",
            "companyname",
            "firstname",
            "lastname",
            "isperson",
            "subsidiary",
            "currency",
            "externalid",
            "isinactive",
            "phone",
        ],
        "transaction" => &[
            "id",
            "tranid",
            "type",
            "externalid",
            "entity",
            "trandate",
            "memo",
            "otherrefnum",
            "currency",
            "status",
            "foreigntotal",
        ],
        "transactionline" => &[
            "transaction",
            "id",
            "linesequencenumber",
            "mainline",
            "createdfrom",
            "item",
            "quantity",
            "rate",
            "foreignamount",
            "location",
            "subsidiary",
            "department",
            "class",
            "isclosed",
            "entity",
        ],
        _ => return None,
    })
}

/// REST record fields known not to be SuiteQL columns of `table` (§0).
fn not_exposed(table: &str, col: &str) -> bool {
    table == "transaction" && ["createdfrom", "location", "subsidiary"].contains(&col)
}

fn transaction_lines(ty: &str, rec: &Value) -> Vec<Row> {
    let h = record_row(rec);
    let tid = h.get("id").cloned().unwrap_or_default();
    let get = |k: &str| h.get(k).cloned();
    let mut main = Row::new();
    main.insert("transaction".into(), tid.clone());
    main.insert("id".into(), "0".into());
    main.insert("linesequencenumber".into(), "0".into());
    main.insert("mainline".into(), "T".into());
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
            main.insert(col.into(), v);
        }
    }
    let mut out = vec![main];
    if ty == "Journal" {
        return out;
    }
    let items = rec
        .get("item")
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for l in &items {
        let lr = record_row(l);
        let mut r = Row::new();
        r.insert("transaction".into(), tid.clone());
        let n = lr.get("line").cloned().unwrap_or_default();
        r.insert("id".into(), n.clone());
        r.insert("linesequencenumber".into(), n);
        r.insert("mainline".into(), "F".into());
        r.insert(
            "isclosed".into(),
            lr.get("isclosed").cloned().unwrap_or_else(|| "F".into()),
        );
        for (col, v) in [
            ("createdfrom", get("createdfrom")),
            ("subsidiary", get("subsidiary")),
            ("entity", get("entity")),
            ("item", lr.get("item").cloned()),
            ("quantity", lr.get("quantity").cloned()),
            ("rate", lr.get("rate").cloned()),
            ("foreignamount", lr.get("amount").cloned()),
            ("location", lr.get("location").cloned()),
            ("department", lr.get("department").cloned()),
            ("class", lr.get("class").cloned()),
        ] {
            if let Some(v) = v {
                r.insert(col.into(), v);
            }
        }
        out.push(r);
    }
    out
}

/// The rows of a table, or `None` if it is not simulated. Only exposed
/// columns are present.
fn rows(st: &SimState, seed: &crate::seed::NetSuiteSeed, name: &str) -> Option<Vec<Row>> {
    let named = |list: &[crate::seed::NamedSeed]| -> Vec<Row> {
        list.iter()
            .map(|n| {
                let mut r = row_of(&[
                    ("id", &n.id),
                    ("name", &n.name),
                    ("isinactive", tf(n.isinactive)),
                ]);
                if let Some(s) = &n.symbol {
                    r.insert("symbol".into(), s.clone());
                }
                r
            })
            .collect()
    };
    let rows: Vec<Row> = match name {
        "item" => seed
            .items
            .iter()
            .map(|i| {
                row_of(&[
                    ("id", &i.id),
                    ("itemid", &i.itemid),
                    ("displayname", &i.displayname),
                    ("itemtype", &i.itemtype),
                    ("isinactive", tf(i.isinactive)),
                ])
            })
            .collect(),
        "location" => seed
            .locations
            .iter()
            .map(|l| {
                row_of(&[
                    ("id", &l.id),
                    ("name", &l.name),
                    ("subsidiary", &l.subsidiary),
                    ("isinactive", tf(l.isinactive)),
                ])
            })
            .collect(),
        "subsidiary" => seed
            .subsidiaries
            .iter()
            .map(|s| {
                row_of(&[
                    ("id", &s.id),
                    ("name", &s.name),
                    ("currency", &s.currency),
                    ("country", &s.country),
                    ("isinactive", tf(s.isinactive)),
                ])
            })
            .collect(),
        "currency" => named(&seed.currencies),
        "department" => named(&seed.departments),
        "classification" => named(&seed.classes),
        "inventoryitemlocations" => seed
            .inventory
            .iter()
            .map(|i| {
                row_of(&[
                    ("item", &i.item),
                    ("location", &i.location),
                    ("quantityavailable", &i.quantityavailable),
                    ("quantityonhand", &i.quantityonhand),
                ])
            })
            .collect(),
        "customer" => st
            .records
            .all("customer")
            .iter()
            .map(|c| {
                let mut r = record_row(c);
                r.entry("isinactive".into()).or_insert_with(|| "F".into());
                r
            })
            .collect(),
        "transaction" => st
            .records
            .transactions()
            .into_iter()
            .map(|(ty, rec)| {
                let mut r = record_row(rec);
                r.insert("type".into(), ty.into());
                if let Some(t) = r.remove("total") {
                    r.insert("foreigntotal".into(), t);
                }
                r
            })
            .collect(),
        "transactionline" => st
            .records
            .transactions()
            .into_iter()
            .flat_map(|(ty, rec)| transaction_lines(ty, rec))
            .collect(),
        _ => return None,
    };
    let cols = columns(name)?;
    Some(
        rows.into_iter()
            .map(|r| {
                r.into_iter()
                    .filter(|(k, _)| cols.contains(&k.as_str()))
                    .collect()
            })
            .collect(),
    )
}

fn cmp_values(a: Option<&String>, b: Option<&String>) -> Ordering {
    match (
        a.and_then(|s| s.parse::<f64>().ok()),
        b.and_then(|s| s.parse::<f64>().ok()),
    ) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(&b),
    }
}

/// A column resolved to (table index, column name).
type Resolved = (usize, String);

fn resolve(tables: &[TableRef], c: &ColRef) -> Result<Resolved, NsError> {
    let idx = match &c.qual {
        Some(q) => tables
            .iter()
            .position(|t| {
                t.alias
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(q))
                    || (t.alias.is_none() && t.name.eq_ignore_ascii_case(q))
                    || t.name.eq_ignore_ascii_case(q)
            })
            .ok_or_else(|| unsupported(format!("Unknown table qualifier '{q}'")))?,
        None if tables.len() == 1 => 0,
        None => {
            let owners: Vec<usize> = tables
                .iter()
                .enumerate()
                .filter(|(_, t)| columns(&t.name).is_some_and(|cs| cs.contains(&c.col.as_str())))
                .map(|(i, _)| i)
                .collect();
            match owners[..] {
                [i] => i,
                [] => return Err(field_not_found(&c.col, &tables[0].name, false)),
                _ => {
                    return Err(unsupported(format!(
                        "Column '{}' is ambiguous; qualify it with a table alias",
                        c.col
                    )))
                }
            }
        }
    };
    let t = &tables[idx];
    if !columns(&t.name).is_some_and(|cs| cs.contains(&c.col.as_str())) {
        return Err(field_not_found(
            &c.col,
            &t.name,
            not_exposed(&t.name, &c.col),
        ));
    }
    Ok((idx, c.col.clone()))
}

fn run(
    st: &SimState,
    seed: &crate::seed::NetSuiteSeed,
    q: &str,
) -> Result<Vec<Map<String, Value>>, NsError> {
    let sel = parse(q)?;
    let mut data: Vec<Vec<Row>> = Vec::new();
    for t in &sel.tables {
        data.push(rows(st, seed, &t.name).ok_or_else(|| {
            NsError::bad_request(
                "INVALID_PARAMETER",
                format!("Invalid search query. Detailed unprocessed description follows. Search error occurred: Record '{}' was not found.", t.name),
            )
            .query_param("q")
        })?);
    }
    let cols: Option<Vec<(Resolved, String)>> = match &sel.columns {
        None => None,
        Some(cs) => Some(
            cs.iter()
                .map(|(c, k)| Ok((resolve(&sel.tables, c)?, k.clone())))
                .collect::<Result<_, NsError>>()?,
        ),
    };
    let ons: Vec<(Resolved, Resolved)> = sel
        .ons
        .iter()
        .map(|(a, b)| Ok((resolve(&sel.tables, a)?, resolve(&sel.tables, b)?)))
        .collect::<Result<_, NsError>>()?;
    enum RCond {
        Eq(Resolved, bool, String),
        In(Resolved, Vec<String>),
    }
    let conds: Vec<RCond> = sel
        .conds
        .iter()
        .map(|c| {
            Ok(match c {
                Cond::Eq {
                    col,
                    lower_col,
                    value,
                } => RCond::Eq(resolve(&sel.tables, col)?, *lower_col, value.clone()),
                Cond::In { col, values } => RCond::In(resolve(&sel.tables, col)?, values.clone()),
            })
        })
        .collect::<Result<_, NsError>>()?;
    let order: Vec<(Resolved, bool)> = sel
        .order
        .iter()
        .map(|(c, d)| Ok((resolve(&sel.tables, c)?, *d)))
        .collect::<Result<_, NsError>>()?;

    // Nested-loop inner join; join i (1-based table) must only use tables 0..=i.
    let get = |combo: &[&Row], (t, c): &Resolved| -> Option<String> {
        combo.get(*t).and_then(|r| r.get(c)).cloned()
    };
    let mut combos: Vec<Vec<&Row>> = data[0].iter().map(|r| vec![r]).collect();
    for (i, rows) in data.iter().enumerate().skip(1) {
        let (a, b) = &ons[i - 1];
        if a.0 > i || b.0 > i {
            return Err(unsupported(
                "A JOIN condition refers to a table joined later",
            ));
        }
        let mut next = Vec::new();
        for c in &combos {
            for r in rows {
                let mut combo = c.clone();
                combo.push(r);
                match (get(&combo, a), get(&combo, b)) {
                    (Some(x), Some(y)) if x == y => next.push(combo),
                    _ => {}
                }
            }
        }
        combos = next;
    }
    let mut hits: Vec<Vec<&Row>> = combos
        .into_iter()
        .filter(|combo| {
            conds.iter().all(|c| match c {
                RCond::Eq(col, lower, value) => get(combo, col).is_some_and(|v| {
                    if *lower {
                        v.to_lowercase() == *value
                    } else {
                        v == *value
                    }
                }),
                RCond::In(col, values) => get(combo, col).is_some_and(|v| values.contains(&v)),
            })
        })
        .collect();
    if !order.is_empty() {
        hits.sort_by(|a, b| {
            order.iter().fold(Ordering::Equal, |acc, (c, desc)| {
                acc.then_with(|| {
                    let o = cmp_values(get(a, c).as_ref(), get(b, c).as_ref());
                    if *desc {
                        o.reverse()
                    } else {
                        o
                    }
                })
            })
        });
    }
    // SuiteQL omits null columns from result items.
    Ok(hits
        .into_iter()
        .map(|combo| {
            let mut m = Map::new();
            m.insert("links".into(), json!([]));
            match &cols {
                None => m.extend(
                    combo[0]
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone()))),
                ),
                Some(cols) => {
                    for (c, key) in cols {
                        if let Some(v) = get(&combo, c) {
                            m.insert(key.clone(), Value::String(v));
                        }
                    }
                }
            }
            m
        })
        .collect())
}

#[derive(Deserialize, Default)]
pub(crate) struct Paging {
    limit: Option<String>,
    offset: Option<String>,
}

fn paging_param(v: Option<String>, name: &str, default: usize) -> Result<usize, NsError> {
    match v {
        None => Ok(default),
        Some(s) => s.parse::<usize>().map_err(|_| {
            NsError::bad_request(
                "INVALID_PARAMETER",
                format!("Invalid value for the query parameter {name}: {s}."),
            )
            .query_param(name)
        }),
    }
}

/// `POST /query/v1/suiteql?limit=&offset=` with body `{"q": "..."}`.
pub(crate) async fn handle(
    State(sim): State<NetSuiteSim>,
    Query(pg): Query<Paging>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let result = (|| {
        let limit = paging_param(pg.limit, "limit", MAX_LIMIT)?;
        let offset = paging_param(pg.offset, "offset", 0)?;
        if limit == 0 || limit > MAX_LIMIT {
            // Sim-defined: the real service's answer to limit > 1000 is unverified.
            return Err(NsError::bad_request(
                "INVALID_PARAMETER",
                "The limit query parameter must be between 1 and 1000.",
            )
            .query_param("limit"));
        }
        let body: Value = serde_json::from_slice(&raw).map_err(|e| {
            NsError::bad_request(
                "INVALID_CONTENT",
                format!("Invalid JSON in request body: {e}"),
            )
        })?;
        let q = body.get("q").and_then(Value::as_str).ok_or_else(|| {
            NsError::bad_request(
                "INVALID_PARAMETER",
                "The request body must contain a SuiteQL query in 'q'.",
            )
            .query_param("q")
        })?;
        let all = run(&sim.state(), sim.seed(), q)?;
        let total = all.len();
        let page: Vec<Value> = all
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(Value::Object)
            .collect();
        let count = page.len();
        let has_more = offset + count < total;
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("127.0.0.1");
        let href = |o: usize| {
            format!("http://{host}/services/rest/query/v1/suiteql?limit={limit}&offset={o}")
        };
        let mut links = vec![json!({"rel": "self", "href": href(offset)})];
        if has_more {
            links.push(json!({"rel": "next", "href": href(offset + limit)}));
        }
        Ok(
            json!({"links": links, "count": count, "hasMore": has_more, "items": page, "offset": offset, "totalResults": total}),
        )
    })();
    match result {
        Err(e) => e.into_response(),
        Ok(v) => {
            let mut resp = (StatusCode::OK, v.to_string()).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.oracle.resource+json; type=collection; charset=UTF-8",
                ),
            );
            let transient = headers
                .get("prefer")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.to_ascii_lowercase().contains("transient"));
            if transient {
                h.insert("preference-applied", HeaderValue::from_static("transient"));
            } else {
                tracing::warn!("SuiteQL call without `Prefer: transient`; NetSuite documents the header as required");
            }
            resp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_subset() {
        let s = parse("SELECT i.id, i.itemid AS SKU FROM item i WHERE LOWER(i.itemid) = LOWER('Tent') AND id IN ('1', 2) ORDER BY id DESC").unwrap();
        assert_eq!(s.tables[0].name, "item");
        let cols = s.columns.unwrap();
        assert_eq!(cols[1].0.col, "itemid");
        assert_eq!(cols[1].1, "sku");
        assert_eq!(s.conds.len(), 2);
        assert!(s.order[0].1);
        assert!(parse("select * from customer where email = 'a''b@x.com'").is_ok());
        let j = parse("SELECT t.id, t.type FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.createdfrom = '5' AND tl.mainline = 'T'").unwrap();
        assert_eq!(j.tables.len(), 2);
        assert_eq!(j.ons.len(), 1);
    }

    #[test]
    fn rejects_what_it_cannot_answer() {
        for q in [
            "SELECT id FROM item WHERE itemid LIKE 'T%'",
            "SELECT id FROM item LEFT JOIN customer ON customer.id = item.id",
            "SELECT * FROM item i JOIN customer c ON c.id = i.id",
            "SELECT COUNT(*) FROM item",
            "SELECT id FROM item WHERE a = 1 OR b = 2",
            "DELETE FROM item",
        ] {
            let e = parse(q).unwrap_err();
            assert_eq!(e.code, "INVALID_PARAMETER", "{q}");
            assert_eq!(e.extra("o:errorQueryParam"), Some("q"));
        }
    }

    #[test]
    fn columns_resolve_per_table() {
        let tables = vec![
            TableRef {
                name: "transaction".into(),
                alias: Some("t".into()),
            },
            TableRef {
                name: "transactionline".into(),
                alias: Some("tl".into()),
            },
        ];
        let c = |q: Option<&str>, col: &str| ColRef {
            qual: q.map(str::to_string),
            col: col.into(),
        };
        assert_eq!(
            resolve(&tables, &c(Some("tl"), "createdfrom")).unwrap(),
            (1, "createdfrom".into())
        );
        assert_eq!(resolve(&tables, &c(None, "createdfrom")).unwrap().0, 1);
        assert!(resolve(&tables, &c(None, "id")).is_err(), "ambiguous");
        let e = resolve(&tables, &c(Some("t"), "createdfrom")).unwrap_err();
        assert!(e.detail.contains("NOT_EXPOSED"), "{}", e.detail);
        assert!(resolve(&tables, &c(Some("x"), "id")).is_err());
    }
}
