//! What the tracking job reads from NetSuite, as SuiteQL built by plain
//! functions (finance-inventory-fulfilment.md §4.2):
//!
//! - **Headers**: Item Fulfillments shipped (`t.status = 'C'`, §0.6; never
//!   `shipstatus`, which 500s) with their Sales Order (`createdfrom` of the
//!   header line: it is not a `transaction` column), the Sales Order's
//!   externalId and `BUILTIN.DF(t.shipmethod)`, read in keyset order of
//!   `(lastmodifieddate, id)`. SuiteQL has no row-value comparison the
//!   notes show, so the keyset is two queries: the rows of the cursor's
//!   second with a larger id ([`same_second_query`]), then the rows of later
//!   seconds ([`later_query`]), each one page of at most 1,000 rows. A
//!   thousand fulfilments saved in the same second therefore never stall
//!   the read, and an edit made during a run (which moves a row to a later
//!   second) never makes the read skip another row, as offsets would.
//! - **Tracking numbers**: every package's, through the TrackingNumberMap
//!   join (the safer form of §4.2).
//! - **Lines**: which Sales Order line (`previousline`) and quantity each
//!   fulfilment line ships, through PreviousTransactionLineLink with
//!   `linktype = 'ShipRcpt'`, item lines only (`mainline`/`iscogs` 'F'),
//!   quantities `ABS()`ed (outbound lines are negative).
//! - **Sales Order lines** (`item`, `rate` per line id), to know which
//!   TikTok units each line carries ([`so_line_units`]).
//!
//! `IN` lists hold at most [`IN_LIST_MAX`] ids: Oracle, which SuiteQL runs
//! on, refuses longer lists (ORA-01795, "maximum number of expressions in a
//! list is 1000").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::plan::{FulfilledLine, Fulfilment, SoLineUnits};
use crate::domain::{Money, NetSuiteFulfillmentId, OrderId, OrderLineItemId, ShopId};
use crate::mapping::config::ShopMapping;
use crate::mapping::UnitGroup;
use crate::netsuite::{column_text, sql_quote};

/// Ids per `IN (…)` list (ORA-01795).
pub const IN_LIST_MAX: usize = 1000;
/// The format `TO_CHAR`/`TO_TIMESTAMP` use here (the notes' mask).
pub const TS_MASK: &str = "YYYY-MM-DD HH24:MI:SS";
const TS_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Where the read is: the last fulfilment done, by `lastmodifieddate` as
/// NetSuite renders it (its own time zone; the job never mixes it with its
/// clock after the first run) and internal id. `after_id: None` starts at
/// the beginning of that second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub modified: String,
    #[serde(default)]
    pub after_id: Option<u64>,
}

impl Cursor {
    /// `modified` moved back by `secs` (the overlap), from the start of that second.
    pub fn back(modified: &str, secs: i64) -> Option<Self> {
        let t = chrono::NaiveDateTime::parse_from_str(modified.trim(), TS_FORMAT).ok()?;
        Some(Self {
            modified: (t - chrono::Duration::seconds(secs))
                .format(TS_FORMAT)
                .to_string(),
            after_id: None,
        })
    }

    /// The cursor `secs` before the unix time `now` (UTC): the first run only.
    pub fn since(now: i64, secs: i64) -> Self {
        let t = chrono::DateTime::from_timestamp(now - secs, 0)
            .unwrap_or_default()
            .naive_utc();
        Self {
            modified: t.format(TS_FORMAT).to_string(),
            after_id: None,
        }
    }
}

fn ts(modified: &str) -> String {
    format!("TO_TIMESTAMP({}, '{TS_MASK}')", sql_quote(modified))
}

const HEADER: &str = "SELECT t.id, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified, tl.createdfrom AS so_id, so.externalid AS so_externalid, BUILTIN.DF(t.shipmethod) AS ship_method FROM transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T' JOIN transaction so ON so.id = tl.createdfrom WHERE t.type = 'ItemShip' AND t.status = 'C'";

/// Shipped fulfilments of the cursor's second after its id; `None` when the
/// cursor has no id (the whole second is read by [`later_query`]).
pub fn same_second_query(c: &Cursor) -> Option<String> {
    let id = c.after_id?;
    Some(format!(
        "{HEADER} AND t.lastmodifieddate = {} AND t.id > {id} ORDER BY t.id",
        ts(&c.modified)
    ))
}

/// Shipped fulfilments of the seconds after the cursor's (from its second
/// when it has no id), oldest first.
pub fn later_query(c: &Cursor) -> String {
    let op = if c.after_id.is_some() { ">" } else { ">=" };
    format!(
        "{HEADER} AND t.lastmodifieddate {op} {} ORDER BY t.lastmodifieddate, t.id",
        ts(&c.modified)
    )
}

/// Shipped fulfilments by id (the ones an earlier run left waiting).
pub fn by_id_query(ids: &[NetSuiteFulfillmentId]) -> String {
    format!("{HEADER} AND t.id IN ({}) ORDER BY t.id", list(ids))
}

fn list<T: std::fmt::Display>(ids: &[T]) -> String {
    ids.iter()
        .map(|i| sql_quote(&i.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every tracking number of these fulfilments (§4.2, TrackingNumberMap).
pub fn tracking_query(ids: &[NetSuiteFulfillmentId]) -> String {
    format!(
        "SELECT t.id AS if_id, tn.trackingnumber FROM transaction t JOIN trackingnumbermap m ON m.transaction = t.id JOIN trackingnumber tn ON tn.id = m.trackingnumber WHERE t.type = 'ItemShip' AND t.id IN ({}) ORDER BY t.id, tn.id",
        list(ids)
    )
}

/// The Sales Order line and quantity of each fulfilment line (§4.2).
pub fn lines_query(ids: &[NetSuiteFulfillmentId]) -> String {
    format!(
        "SELECT pl.nextdoc AS if_id, pl.previousline AS so_line, ABS(ifl.quantity) AS qty FROM previoustransactionlinelink pl JOIN transactionline ifl ON ifl.transaction = pl.nextdoc AND ifl.id = pl.nextline WHERE pl.linktype = 'ShipRcpt' AND pl.nextdoc IN ({}) AND ifl.mainline = 'F' AND ifl.iscogs = 'F' AND ifl.itemtype <> 'ShipItem' ORDER BY pl.nextdoc, pl.nextline",
        list(ids)
    )
}

/// Item and rate of every item line of these Sales Orders.
pub fn so_lines_query(so_ids: &[String]) -> String {
    format!(
        "SELECT tl.transaction AS so_id, tl.id AS line, tl.item, tl.rate FROM transactionline tl WHERE tl.transaction IN ({}) AND tl.mainline = 'F' ORDER BY tl.transaction, tl.id",
        list(so_ids)
    )
}

/// One header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub id: u64,
    pub modified: String,
    pub so_id: String,
    pub so_external_id: String,
    pub ship_method: Option<String>,
}

pub fn header(row: &Map<String, Value>) -> Option<Header> {
    let method = column_text(row, "ship_method");
    Some(Header {
        id: column_text(row, "id").parse().ok()?,
        modified: column_text(row, "modified"),
        so_id: column_text(row, "so_id"),
        so_external_id: column_text(row, "so_externalid"),
        ship_method: (!method.trim().is_empty()).then_some(method),
    })
}

/// A shipped fulfilment of this shop, with what locates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipped {
    pub fulfilment: Fulfilment,
    pub so_id: String,
    pub modified: String,
}

/// The TikTok order of one of our Sales Orders (`{prefix}-{shop}-{order}`,
/// `mapping::external_id`); `None` for anything else (another shop's, or
/// entered by hand).
pub fn order_of(external_id: &str, prefix: &str, shop: &ShopId) -> Option<OrderId> {
    let head = crate::mapping::external_id(prefix, shop, "");
    external_id
        .strip_prefix(&head)
        .filter(|o| !o.is_empty())
        .map(OrderId::new)
}

fn whole(v: &Value) -> u32 {
    crate::mapping::money_of(v)
        .and_then(|d| rust_decimal::prelude::ToPrimitive::to_u32(&d.abs().round()))
        .unwrap_or(0)
}

/// Builds this shop's fulfilments from the three reads; headers of other
/// Sales Orders are counted apart.
pub fn assemble(
    headers: &[Header],
    tracking: &[Map<String, Value>],
    lines: &[Map<String, Value>],
    prefix: &str,
    shop: &ShopId,
) -> (Vec<Shipped>, usize) {
    let mut numbers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in tracking {
        let n = column_text(r, "trackingnumber");
        if !n.trim().is_empty() {
            numbers
                .entry(column_text(r, "if_id"))
                .or_default()
                .push(n.trim().to_string());
        }
    }
    let mut fulfilled: BTreeMap<String, Vec<FulfilledLine>> = BTreeMap::new();
    for r in lines {
        let Ok(so_line) = column_text(r, "so_line").parse::<u32>() else {
            continue;
        };
        fulfilled
            .entry(column_text(r, "if_id"))
            .or_default()
            .push(FulfilledLine {
                so_line,
                quantity: whole(r.get("qty").unwrap_or(&Value::Null)),
            });
    }
    let mut out = Vec::new();
    let mut other = 0;
    for h in headers {
        let Some(order_id) = order_of(&h.so_external_id, prefix, shop) else {
            other += 1;
            continue;
        };
        let id = h.id.to_string();
        out.push(Shipped {
            fulfilment: Fulfilment {
                id: NetSuiteFulfillmentId::new(id.clone()),
                order_id,
                lines: fulfilled.remove(&id).unwrap_or_default(),
                tracking_numbers: numbers.remove(&id).unwrap_or_default(),
                ship_method: h.ship_method.clone(),
            },
            so_id: h.so_id.clone(),
            modified: h.modified.clone(),
        });
    }
    (out, other)
}

/// One item line of a Sales Order, as SuiteQL returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoLine {
    pub line: u32,
    pub item: String,
    pub rate: Money,
}

/// Sales Order lines by Sales Order id.
pub fn so_lines(rows: &[Map<String, Value>]) -> BTreeMap<String, Vec<SoLine>> {
    let mut out: BTreeMap<String, Vec<SoLine>> = BTreeMap::new();
    for r in rows {
        let (Ok(line), Some(rate)) = (
            column_text(r, "line").parse::<u32>(),
            crate::mapping::money_of(r.get("rate").unwrap_or(&Value::Null)),
        ) else {
            continue;
        };
        out.entry(column_text(r, "so_id"))
            .or_default()
            .push(SoLine {
                line,
                item: column_text(r, "item"),
                rate: rate.abs(),
            });
    }
    out
}

/// Which TikTok units each Sales Order line carries: the order's unit
/// groups (cancelled units included, as the writer grouped them) matched
/// to lines by item and rate, each line once, in the order both were
/// written (the rule partial cancellations use, `writer::cancel`). A group
/// whose item is unknown (`None`) or that matches no line carries nothing;
/// a fulfilment of such a line then waits with the planner's fix.
pub fn so_line_units(
    groups: &[UnitGroup],
    items: &[Option<String>],
    cfg: &ShopMapping,
    lines: &[SoLine],
) -> Vec<SoLineUnits> {
    let mut used = vec![false; lines.len()];
    let mut out = Vec::new();
    for (g, item) in groups.iter().zip(items) {
        let Some(item) = item else { continue };
        let rate = g.rate(cfg);
        let found = lines
            .iter()
            .enumerate()
            .find(|(i, l)| !used[*i] && l.item == *item && l.rate == rate);
        if let Some((i, l)) = found {
            used[i] = true;
            out.push(SoLineUnits {
                so_line: l.line,
                units: g
                    .units
                    .iter()
                    .map(|(id, n)| (OrderLineItemId::new(id.clone()), *n))
                    .collect(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_keyset_reads_a_second_by_id_then_later_seconds() {
        let c = Cursor {
            modified: "2026-01-02 03:04:05".into(),
            after_id: Some(77),
        };
        let same = same_second_query(&c).unwrap();
        assert!(same.contains("AND t.lastmodifieddate = TO_TIMESTAMP('2026-01-02 03:04:05', 'YYYY-MM-DD HH24:MI:SS') AND t.id > 77 ORDER BY t.id"), "{same}");
        assert!(same.contains("t.type = 'ItemShip' AND t.status = 'C'"));
        assert!(same.contains("JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T' JOIN transaction so ON so.id = tl.createdfrom"));
        let later = later_query(&c);
        assert!(
            later.ends_with("AND t.lastmodifieddate > TO_TIMESTAMP('2026-01-02 03:04:05', 'YYYY-MM-DD HH24:MI:SS') ORDER BY t.lastmodifieddate, t.id"),
            "{later}"
        );
        let start = Cursor::back("2026-01-02 03:04:05", 120).unwrap();
        assert_eq!(start.modified, "2026-01-02 03:02:05");
        assert!(same_second_query(&start).is_none());
        assert!(later_query(&start)
            .contains("t.lastmodifieddate >= TO_TIMESTAMP('2026-01-02 03:02:05'"));
        assert_eq!(Cursor::since(86_400, 3600).modified, "1970-01-01 23:00:00");
        assert!(Cursor::back("yesterday", 1).is_none());
    }

    #[test]
    fn the_detail_queries_follow_the_notes() {
        let ids = [
            NetSuiteFulfillmentId::new("5"),
            NetSuiteFulfillmentId::new("6"),
        ];
        assert!(tracking_query(&ids).contains("JOIN trackingnumbermap m ON m.transaction = t.id JOIN trackingnumber tn ON tn.id = m.trackingnumber WHERE t.type = 'ItemShip' AND t.id IN ('5', '6')"));
        let l = lines_query(&ids);
        assert!(
            l.contains("pl.linktype = 'ShipRcpt' AND pl.nextdoc IN ('5', '6')"),
            "{l}"
        );
        assert!(l.contains("ABS(ifl.quantity) AS qty") && l.contains("ifl.iscogs = 'F'"));
        assert!(
            so_lines_query(&["9".into()]).contains("tl.transaction IN ('9') AND tl.mainline = 'F'")
        );
        assert!(by_id_query(&ids).contains("AND t.id IN ('5', '6') ORDER BY t.id"));
    }

    #[test]
    fn rows_become_this_shops_fulfilments() {
        let shop = ShopId::new("S1");
        let headers = vec![
            header(&row(json!({"id": "5", "modified": "2026-01-02 03:04:05", "so_id": "900", "so_externalid": "tts-S1-O1", "ship_method": "USPS Priority Mail"}))).unwrap(),
            header(&row(json!({"id": 6, "modified": "x", "so_id": "901", "so_externalid": "tts-S2-O2"}))).unwrap(),
            header(&row(json!({"id": "7", "modified": "x", "so_id": "902", "so_externalid": "tts-S1-O3", "ship_method": null}))).unwrap(),
        ];
        let tracking = vec![
            row(json!({"if_id": "5", "trackingnumber": "9400B"})),
            row(json!({"if_id": "5", "trackingnumber": " 9400A "})),
        ];
        let lines = vec![
            row(json!({"if_id": "5", "so_line": "1", "qty": "2"})),
            row(json!({"if_id": "5", "so_line": 2, "qty": 1})),
        ];
        let (out, other) = assemble(&headers, &tracking, &lines, "tts", &shop);
        assert_eq!(other, 1, "another shop's Sales Order");
        assert_eq!(out.len(), 2);
        let f = &out[0].fulfilment;
        assert_eq!(f.order_id, OrderId::new("O1"));
        assert_eq!(f.tracking_numbers, vec!["9400B", "9400A"]);
        assert_eq!(
            f.lines,
            vec![
                FulfilledLine {
                    so_line: 1,
                    quantity: 2
                },
                FulfilledLine {
                    so_line: 2,
                    quantity: 1
                }
            ]
        );
        assert_eq!(f.ship_method.as_deref(), Some("USPS Priority Mail"));
        assert_eq!(out[1].fulfilment.ship_method, None);
        assert!(out[1].fulfilment.tracking_numbers.is_empty());
        assert_eq!(order_of("tts-S1-", "tts", &shop), None);
    }

    #[test]
    fn groups_match_lines_by_item_and_rate_once_each() {
        let g = |sku_id: &str, price: &str, units: &[&str]| UnitGroup {
            seller_sku: crate::domain::Sku::new(sku_id),
            sku_id: sku_id.into(),
            product_name: String::new(),
            quantity: units.len() as u32,
            unit_price: price.parse().unwrap(),
            unit_seller_discount: Money::ZERO,
            amount: Money::ZERO,
            units: units.iter().map(|u| (u.to_string(), 1)).collect(),
            retail_value: None,
            gift: false,
        };
        // The same item at two prices, written as two lines.
        let groups = vec![
            g("A", "10", &["a1", "a2"]),
            g("A", "8", &["a3"]),
            g("B", "5", &["b1"]),
        ];
        let items = vec![Some("101".to_string()), Some("101".to_string()), None];
        let rows = vec![
            row(json!({"so_id": "9", "line": "1", "item": "101", "rate": "10.00"})),
            row(json!({"so_id": "9", "line": "2", "item": "101", "rate": "8"})),
            row(json!({"so_id": "9", "line": "3", "item": "102", "rate": "5"})),
        ];
        let lines = so_lines(&rows).remove("9").unwrap();
        let out = so_line_units(&groups, &items, &ShopMapping::default(), &lines);
        assert_eq!(out.len(), 2, "the unresolved group carries nothing");
        assert_eq!(out[0].so_line, 1);
        assert_eq!(out[0].units.len(), 2);
        assert_eq!(out[1].so_line, 2);
        assert_eq!(out[1].units, vec![(OrderLineItemId::new("a3"), 1)]);
    }
}
