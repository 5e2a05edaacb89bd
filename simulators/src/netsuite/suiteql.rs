//! A deliberately small, honest SuiteQL subset: enough for the lookups the
//! integration makes (items by SKU, customers by email, inventory by
//! location, transactions by externalid), and a loud INVALID_PARAMETER for
//! anything else, so a query the simulator cannot answer faithfully never
//! silently returns wrong rows.
//!
//! Supported: `SELECT * | col [AS alias], ... FROM table [alias]
//! [WHERE cond AND cond ...] [ORDER BY col [ASC|DESC], ...]` where cond is
//! `col = lit`, `LOWER(col) = LOWER(lit)`, `LOWER(col) = lit` or
//! `col IN (lit, ...)`. Paging, response shape and lower-cased keys follow
//! the recorded real response (netsuite-rest-api.md §3).

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
             SELECT */columns [AS alias] FROM table [WHERE col = 'v' | LOWER(col) = LOWER('v') | col IN ('a','b') [AND ...]] \
             [ORDER BY col [ASC|DESC]]."
        ),
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

#[derive(Debug)]
enum Cond {
    Eq {
        col: String,
        lower_col: bool,
        value: String,
    },
    In {
        col: String,
        values: Vec<String>,
    },
}

#[derive(Debug)]
struct Select {
    /// `None` = `*`; else (column, output key).
    columns: Option<Vec<(String, String)>>,
    table: String,
    conds: Vec<Cond>,
    order: Vec<(String, bool)>,
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    table: String,
    alias: Option<String>,
}

const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "AS", "IN", "ASC", "DESC", "GROUP",
    "JOIN", "ON", "LIKE", "NOT", "IS", "NULL", "DISTINCT", "UNION", "HAVING", "LEFT", "INNER",
    "FETCH", "OFFSET", "LIMIT",
];

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
            Some(Tok::Ident(s)) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&s)) => Ok(s),
            other => Err(unsupported(format!(
                "Expected an identifier, found {other:?}"
            ))),
        }
    }

    /// `col` or `qualifier.col`; qualifiers are checked after FROM is known.
    fn column(&mut self) -> Result<(Option<String>, String), NsError> {
        let first = self.ident()?;
        if self.peek() == Some(&Tok::Dot) {
            self.pos += 1;
            return Ok((Some(first), self.ident()?.to_ascii_lowercase()));
        }
        Ok((None, first.to_ascii_lowercase()))
    }

    fn literal(&mut self) -> Result<String, NsError> {
        match self.next() {
            Some(Tok::Str(s)) | Some(Tok::Num(s)) => Ok(s),
            other => Err(unsupported(format!("Expected a literal, found {other:?}"))),
        }
    }

    fn qualified(&self, q: Option<String>, col: String) -> Result<String, NsError> {
        match q {
            None => Ok(col),
            Some(q)
                if q.eq_ignore_ascii_case(&self.table)
                    || self
                        .alias
                        .as_deref()
                        .is_some_and(|a| a.eq_ignore_ascii_case(&q)) =>
            {
                Ok(col)
            }
            Some(q) => Err(unsupported(format!(
                "Unknown table qualifier '{q}' (joins are not supported)"
            ))),
        }
    }

    fn cond(&mut self) -> Result<Cond, NsError> {
        if self.is_kw("LOWER") {
            self.pos += 1;
            self.expect(Tok::LParen)?;
            let (q, c) = self.column()?;
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
                col: self.qualified(q, c)?,
                lower_col: true,
                value,
            });
        }
        let (q, c) = self.column()?;
        let col = self.qualified(q, c)?;
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
        table: String::new(),
        alias: None,
    };
    p.expect_kw("SELECT")?;
    let mut raw_cols: Option<Vec<(Option<String>, String, String)>> = None;
    if p.peek() == Some(&Tok::Star) {
        p.pos += 1;
    } else {
        let mut cols = Vec::new();
        loop {
            let (q, c) = p.column()?;
            let key = if p.is_kw("AS") {
                p.pos += 1;
                p.ident()?.to_ascii_lowercase()
            } else if matches!(p.peek(), Some(Tok::Ident(s)) if !s.eq_ignore_ascii_case("FROM")) {
                p.ident()?.to_ascii_lowercase()
            } else {
                c.clone()
            };
            cols.push((q, c, key));
            if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
        raw_cols = Some(cols);
    }
    p.expect_kw("FROM")?;
    p.table = p.ident()?.to_ascii_lowercase();
    if matches!(p.peek(), Some(Tok::Ident(s)) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)))
    {
        p.alias = Some(p.ident()?);
    }
    let columns = match raw_cols {
        None => None,
        Some(cols) => Some(
            cols.into_iter()
                .map(|(q, c, k)| Ok((p.qualified(q, c)?, k)))
                .collect::<Result<Vec<_>, NsError>>()?,
        ),
    };
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
            let (q, c) = p.column()?;
            let col = p.qualified(q, c)?;
            let desc = if p.is_kw("DESC") {
                p.pos += 1;
                true
            } else {
                if p.is_kw("ASC") {
                    p.pos += 1;
                }
                false
            };
            order.push((col, desc));
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
        table: p.table,
        conds,
        order,
    })
}

/// Flattens a stored record into a SuiteQL row: lower-cased keys, scalars as
/// strings, references (`{"id": ..}`) as their id, sublists dropped.
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

/// The rows and known columns of a table, or `None` if it is not simulated.
fn table(
    st: &SimState,
    seed: &crate::seed::NetSuiteSeed,
    name: &str,
) -> Option<(Vec<Row>, Vec<&'static str>)> {
    let t = match name {
        "item" => (
            seed.items
                .iter()
                .map(|i| {
                    row_of(&[
                        ("id", &i.id),
                        ("itemid", &i.itemid),
                        ("displayname", &i.displayname),
                        ("itemtype", &i.itemtype),
                        ("isinactive", "F"),
                    ])
                })
                .collect(),
            vec![
                "id",
                "itemid",
                "displayname",
                "itemtype",
                "isinactive",
                "externalid",
            ],
        ),
        "location" => (
            seed.locations
                .iter()
                .map(|l| {
                    row_of(&[
                        ("id", &l.id),
                        ("name", &l.name),
                        ("subsidiary", &l.subsidiary),
                        ("isinactive", "F"),
                    ])
                })
                .collect(),
            vec!["id", "name", "subsidiary", "isinactive"],
        ),
        "subsidiary" => (
            seed.subsidiaries
                .iter()
                .map(|s| {
                    row_of(&[
                        ("id", &s.id),
                        ("name", &s.name),
                        ("currency", &s.currency),
                        ("country", &s.country),
                        ("isinactive", "F"),
                    ])
                })
                .collect(),
            vec!["id", "name", "currency", "country", "isinactive"],
        ),
        "inventoryitemlocations" => (
            seed.inventory
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
            vec![
                "item",
                "location",
                "quantityavailable",
                "quantityonhand",
                "quantitycommitted",
                "quantityonorder",
                "quantitybackordered",
            ],
        ),
        "customer" => (
            st.records.all("customer").iter().map(record_row).collect(),
            vec![
                "id",
                "entityid",
                "email",
                "companyname",
                "firstname",
                "lastname",
                "isperson",
                "subsidiary",
                "externalid",
                "isinactive",
                "phone",
            ],
        ),
        "transaction" => (
            st.records
                .transactions()
                .into_iter()
                .map(|(ty, rec)| {
                    let mut r = record_row(rec);
                    r.insert("type".into(), ty.into());
                    r
                })
                .collect(),
            vec![
                "id",
                "tranid",
                "type",
                "externalid",
                "entity",
                "trandate",
                "memo",
                "otherrefnum",
                "subsidiary",
                "currency",
                "status",
                "location",
                "createdfrom",
            ],
        ),
        _ => return None,
    };
    Some(t)
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

fn run(
    st: &SimState,
    seed: &crate::seed::NetSuiteSeed,
    q: &str,
) -> Result<Vec<Map<String, Value>>, NsError> {
    let sel = parse(q)?;
    let (rows, known) = table(st, seed, &sel.table).ok_or_else(|| {
        NsError::bad_request(
            "INVALID_PARAMETER",
            format!("Invalid search query. Detailed unprocessed description follows. Search error occurred: Record '{}' was not found.", sel.table),
        )
        .query_param("q")
    })?;
    let check = |c: &str| -> Result<(), NsError> {
        if known.contains(&c) || rows.iter().any(|r| r.contains_key(c)) {
            Ok(())
        } else {
            Err(NsError::bad_request(
                "INVALID_PARAMETER",
                format!("Invalid search query. Detailed unprocessed description follows. Search error occurred: Field '{c}' for record '{}' was not found.", sel.table),
            )
            .query_param("q"))
        }
    };
    for c in sel.columns.iter().flatten() {
        check(&c.0)?;
    }
    for c in &sel.conds {
        match c {
            Cond::Eq { col, .. } | Cond::In { col, .. } => check(col)?,
        }
    }
    for (c, _) in &sel.order {
        check(c)?;
    }
    let mut hits: Vec<Row> = rows
        .into_iter()
        .filter(|r| {
            sel.conds.iter().all(|c| match c {
                Cond::Eq {
                    col,
                    lower_col,
                    value,
                } => r.get(col).is_some_and(|v| {
                    if *lower_col {
                        v.to_lowercase() == *value
                    } else {
                        v == value
                    }
                }),
                Cond::In { col, values } => r.get(col).is_some_and(|v| values.contains(v)),
            })
        })
        .collect();
    if !sel.order.is_empty() {
        hits.sort_by(|a, b| {
            sel.order.iter().fold(Ordering::Equal, |acc, (c, desc)| {
                acc.then_with(|| {
                    let o = cmp_values(a.get(c), b.get(c));
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
        .map(|r| {
            let mut m = Map::new();
            m.insert("links".into(), json!([]));
            match &sel.columns {
                None => m.extend(r.into_iter().map(|(k, v)| (k, Value::String(v)))),
                Some(cols) => {
                    for (c, key) in cols {
                        if let Some(v) = r.get(c) {
                            m.insert(key.clone(), Value::String(v.clone()));
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
        assert_eq!(s.table, "item");
        assert_eq!(
            s.columns.unwrap(),
            vec![
                ("id".to_string(), "id".to_string()),
                ("itemid".to_string(), "sku".to_string())
            ]
        );
        assert_eq!(s.conds.len(), 2);
        assert_eq!(s.order, vec![("id".to_string(), true)]);
        assert!(parse("select * from customer where email = 'a''b@x.com'").is_ok());
    }

    #[test]
    fn rejects_what_it_cannot_answer() {
        for q in [
            "SELECT id FROM item WHERE itemid LIKE 'T%'",
            "SELECT id FROM item JOIN customer ON 1 = 1",
            "SELECT COUNT(*) FROM item",
            "SELECT id FROM item WHERE a = 1 OR b = 2",
            "DELETE FROM item",
            "SELECT x.id FROM item i",
        ] {
            let e = parse(q).unwrap_err();
            assert_eq!(e.code, "INVALID_PARAMETER", "{q}");
            assert_eq!(e.extra("o:errorQueryParam"), Some("q"));
        }
    }
}
