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
//! SELECT * | expr [[AS] alias], ...
//! FROM table [alias] { [INNER] JOIN table [alias] ON col = col { AND cond } }
//! [WHERE cond { AND cond }]
//! [ORDER BY col [ASC|DESC], ...]
//!
//! expr = col | ABS(col) | BUILTIN.DF(col) | TO_CHAR(col, 'YYYY-MM-DD HH24:MI:SS')
//! cond = col op lit | col op col | col IN (lit, ...) | LOWER(col) = LOWER('lit') | LOWER(col) = 'lit'
//! op   = = | <> | != | > | >= | < | <=
//! lit  = 'text' | number | TO_TIMESTAMP('YYYY-MM-DD HH24:MI:SS', 'YYYY-MM-DD HH24:MI:SS')
//! ```
//! `col` is `name` or `qualifier.name` (qualifier = table name or alias; an
//! unqualified name must belong to exactly one joined table). `SELECT *`
//! works on a single table only. A function in the select list needs an
//! alias (real SuiteQL names it `expr1`…, unverified). No OR, LIKE, other
//! functions, GROUP BY, outer joins or subqueries. Extra `AND` conditions
//! inside an `ON` are the same as WHERE conditions (inner joins only).
//!
//! # Comparisons
//!
//! Each column has a type (`tables::columns`): ids, references, quantities
//! and amounts are numbers and compare numerically (`iil.item > '99'` holds
//! for item 100; a literal that is not a number is 400 "Invalid number", as
//! Oracle's implicit conversion fails); other columns compare as text
//! (binary order). NULL satisfies no condition and sorts last ascending.
//! Dates (`transaction.lastmodifieddate`) compare only with
//! `TO_TIMESTAMP(…, 'YYYY-MM-DD HH24:MI:SS')` (the form in §4.2); a bare
//! string is 400, because Oracle would convert it with the account's date
//! format preference (harsher reading). The simulated account's time zone is
//! UTC. Selected plainly, a date comes back as `M/D/YYYY`, date only (the
//! default date preference; harsher reading, unverified): a watermark needs
//! `TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS')`. Timestamps have
//! whole-second precision, so several records can share one.
//!
//! # Result cap
//!
//! "Without SuiteAnalytics Connect, you can display maximum 100 000 results"
//! (section_156414087576; §3, section_157909186990). A query matching more
//! answers its first 100,000 rows in ORDER BY order and says
//! `totalResults: 100000`, `hasMore: false` at the end: the truncation is
//! silent (harsher reading, the source does not say whether it errors).
//! `offset` ≥ 100,000 is 400 (1000 pages of ≤ 1000 rows, sim-defined
//! wording). A large catalogue is read with keyset windows: page one
//! window with `offset` (≤ 100,000 rows), then start the next after the
//! last key seen (`AND iil.item > '<last item>'`).
//!
//! # Columns
//!
//! SuiteQL is not the REST record schema (§0): each table answers only the
//! columns listed in `tables::columns()`; any other column in SELECT, ON,
//! WHERE or ORDER BY is 400 INVALID_PARAMETER "Field 'x' for record 't' was
//! not found" (for fields that exist on the REST record but not in SuiteQL
//! the detail adds "Reason: NOT_EXPOSED", as public validators report; exact
//! text unverified). In particular `transaction` has NO `createdfrom`,
//! `location` or `subsidiary`: they are `transactionline` columns, read on
//! the header line (`mainline = 'T'`) (§0; subsidiary by the same rule,
//! harsher reading). Every transaction has one `transactionline` row with
//! `mainline = 'T'` and `id = '0'`, plus one row per item line with
//! `mainline = 'F'`. `createdfrom` is set on the header line AND on every
//! item line of a transaction created by a transform (the notes are silent
//! on item lines; harsher reading), so a query that forgets `mainline = 'T'`
//! gets one row per line. Booleans are `'T'`/`'F'`; references are their
//! internal id. `item`, `customer`, `location`, `subsidiary`, `currency`,
//! `department` and `classification` expose `isinactive`, and inactive rows
//! are returned unless filtered: the seed holds an inactive item whose
//! `itemid` equals an active item's (`TENT-2P-GRN`: 101 active, 151
//! inactive) and an inactive customer sharing an active customer's email.
//!
//! `transaction.type` codes: SalesOrd, CustInvc, CashSale, CustCred,
//! CashRfnd, ItemShip, Journal.
//!
//! # Inventory per location (finance-inventory-fulfilment.md §4.3)
//!
//! `inventoryitemlocations` (`item`, `location`, `quantityonhand`,
//! `quantityavailable`, `quantitycommitted`, `quantityonorder`,
//! `quantitybackordered`; `stock.rs`), joined to `item` for `itemid` and
//! `isinactive`. Kits have no rows; rows at inactive locations and of
//! inactive items are returned unless filtered. `BUILTIN.DF(iil.location)`
//! is the location's name (its display value; the form of §4.3).
//!
//! ```sql
//! SELECT iil.item, i.itemid AS sku, iil.location, BUILTIN.DF(iil.location) AS location_name,
//!        iil.quantityonhand, iil.quantityavailable, iil.quantitycommitted,
//!        iil.quantityonorder, iil.quantitybackordered
//! FROM inventoryitemlocations iil
//! JOIN item i ON i.id = iil.item
//! WHERE iil.location IN ('1', '2', '3') AND i.isinactive = 'F' AND iil.item > '0'
//! ORDER BY iil.item, iil.location
//! ```
//!
//! # Accounting periods
//!
//! `accountingperiod` (`tables/periods.rs`): monthly posting periods with
//! `closed`/`alllocked` from the books' closed set (the one the journal
//! entry check refuses), plus quarter and year rows to filter out:
//!
//! ```sql
//! SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD HH24:MI:SS') AS startdate,
//!        closed, alllocked FROM accountingperiod
//! WHERE isquarter = 'F' AND isyear = 'F' AND isadjust = 'F' ORDER BY startdate
//! ```
//!
//! # Item fulfillments (finance-inventory-fulfilment.md §4.1, §4.2)
//!
//! - `transaction.status` of an `ItemShip` is its `shipStatus` letter
//!   (A Picked, B Packed, C Shipped; §0.6, index id 63136032281).
//!   `transaction.shipstatus` answers 500 UNEXPECTED_ERROR ("transaction.shipstatus
//!   500s, so read transaction.status", same source).
//! - `transaction.shipmethod` is the ship item's id; `BUILTIN.DF(t.shipmethod)`
//!   its name (index id 12452274665). `transaction.trackingnumberlist` is
//!   refused (its format is unverified): use the TrackingNumberMap join.
//! - `trackingnumbermap (transaction, trackingnumber)` and `trackingnumber
//!   (id, trackingnumber)`: every tracking number of every package sublist
//!   (`package`, `packageUps`, `packageFedex`, `packageUsps`, §4.1).
//! - `previoustransactionlinelink (previousdoc, previousline, nextdoc,
//!   nextline, linktype)`: `ShipRcpt` per fulfillment line (§4.2); invoice
//!   and cash sale lines link with `OrdBill` (code unverified, harsher).
//! - An `ItemShip`'s item lines have NEGATIVE `quantity` (outbound, §4.2,
//!   hence `ABS()`); it also has one COGS line per item line (`iscogs = 'T'`,
//!   positive quantity) and, with a ship method, a shipping line
//!   (`itemtype = 'ShipItem'`), which `iscogs = 'F'` and `itemtype <>
//!   'ShipItem'` filter out (§4.2, index id 12452274665). `transactionline.
//!   itemtype` is the item's type code; NULL on the header line.
//!
//! ```sql
//! -- Shipped fulfilments since a watermark, with their sales order:
//! SELECT t.id AS if_id, t.tranid, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified,
//!        t.status, BUILTIN.DF(t.shipmethod) AS ship_method, tl.createdfrom AS so_id,
//!        so.externalid AS so_externalid, so.otherrefnum
//! FROM transaction t
//! JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T'
//! JOIN transaction so ON so.id = tl.createdfrom
//! WHERE t.type = 'ItemShip' AND t.status = 'C'
//!   AND t.lastmodifieddate > TO_TIMESTAMP('2026-01-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
//! ORDER BY t.lastmodifieddate, t.id
//! -- Their tracking numbers, one row each:
//! SELECT t.id AS if_id, tn.trackingnumber FROM transaction t
//! JOIN trackingnumbermap m ON m.transaction = t.id
//! JOIN trackingnumber tn ON tn.id = m.trackingnumber
//! WHERE t.type = 'ItemShip' AND t.id IN ('1001', '1002')
//! -- Which sales order lines and quantities each fulfils:
//! SELECT pl.nextdoc AS if_id, pl.previousdoc AS so_id, pl.previousline AS so_line,
//!        ifl.item, ABS(ifl.quantity) AS qty
//! FROM previoustransactionlinelink pl
//! JOIN transactionline ifl ON ifl.transaction = pl.nextdoc AND ifl.id = pl.nextline
//! WHERE pl.linktype = 'ShipRcpt' AND pl.nextdoc IN ('1001', '1002')
//!   AND ifl.mainline = 'F' AND ifl.iscogs = 'F' AND ifl.itemtype <> 'ShipItem'
//! ```
//! A join is hashed on the first equality of its `ON`; further conditions,
//! including column comparisons such as `ifl.id = pl.nextline`, filter the
//! joined rows, in the `ON` or the WHERE alike (inner joins).
//!
//! # GL lines (`tables/accounting.rs`, `costing.rs`)
//!
//! `transactionaccountingline (transaction, transactionline, accountingbook,
//! account, debit, credit, amount, netamount, posting)`: what a Shipped
//! Item Fulfillment posts (COGS debit, inventory asset credit, at the
//! items' cost). The sample-cost journal reads it joined to `account`:
//!
//! ```sql
//! SELECT tal.transaction AS if_id, tal.account AS account, tal.debit AS debit, tal.credit AS credit
//! FROM transactionaccountingline tal JOIN account a ON a.id = tal.account
//! WHERE tal.transaction IN ('1001') AND tal.posting = 'T' AND a.accttype = 'COGS'
//! ORDER BY tal.transaction, tal.transactionline
//! ```
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

mod dates;
mod exec;
mod parse;
mod predicates;
mod tables;

pub(crate) use exec::CachedResult;
pub(crate) use parse::{format_timestamp, parse_timestamp};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{NetSuiteSim, NsError};

/// SuiteQL page size: default and maximum 1000 (§3).
const MAX_LIMIT: usize = 1000;

/// Rows a query can return without SuiteAnalytics Connect (module doc).
pub(crate) const RESULT_CAP: usize = 100_000;

pub(crate) fn unsupported(why: impl std::fmt::Display) -> NsError {
    NsError::bad_request(
        "INVALID_PARAMETER",
        format!(
            "Invalid search query. {why}. This query is unsupported in the NetSuite simulator, which accepts only: \
             SELECT */col/ABS(col)/BUILTIN.DF(col)/TO_CHAR(date, 'YYYY-MM-DD HH24:MI:SS') [AS alias] FROM table [alias] \
             [[INNER] JOIN table [alias] ON a.col = b.col [AND cond] ...] \
             [WHERE col =|<>|>|>=|<|<= lit | LOWER(col) = LOWER('v') | col IN ('a','b') [AND ...]] [ORDER BY col [ASC|DESC]]."
        ),
    )
    .query_param("q")
}

pub(crate) fn field_not_found(col: &str, table: &str, not_exposed: bool) -> NsError {
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
        if offset >= RESULT_CAP {
            // Sim-defined wording: 1000 pages of at most 1000 rows (module doc).
            return Err(NsError::bad_request(
                "INVALID_PARAMETER",
                format!("The offset query parameter must be below {RESULT_CAP}: SuiteQL returns at most {RESULT_CAP} results."),
            )
            .query_param("offset"));
        }
        let result = exec::run(&mut sim.state(), sim.seed(), q, offset, limit)?;
        let total = result.total;
        let page: Vec<Value> = result.items.into_iter().map(Value::Object).collect();
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
    use super::exec::resolve;
    use super::parse::{ColRef, TableRef};

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
        let r = resolve(&tables, &c(Some("tl"), "createdfrom")).unwrap();
        assert_eq!((r.table, r.col), (1, 4));
        assert_eq!(resolve(&tables, &c(None, "createdfrom")).unwrap().table, 1);
        assert!(resolve(&tables, &c(None, "id")).is_err(), "ambiguous");
        let e = resolve(&tables, &c(Some("t"), "createdfrom")).unwrap_err();
        assert!(e.detail.contains("NOT_EXPOSED"), "{}", e.detail);
        assert!(resolve(&tables, &c(Some("x"), "id")).is_err());
        let e = resolve(&tables, &c(Some("t"), "shipstatus")).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (500, "UNEXPECTED_ERROR"));
        let e = resolve(&tables, &c(Some("t"), "trackingnumberlist")).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "INVALID_PARAMETER"));
    }
}
