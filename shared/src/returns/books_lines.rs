//! The line bodies [`super::books::NetSuiteBooks`] sends, as plain functions
//! over what it read: which source line each returned, received or credited
//! unit goes on (`orderLine`), and the totals check.
//!
//! A transform's new record starts with the source's lines, each carrying
//! `orderLine`; a body line with a matching `orderLine` updates that line and
//! any other is appended, unless `?replace=item` makes the body's lines the
//! whole sublist (Oracle section_157901123882, section_1545297048;
//! netsuite-rest-api.md §0). So every body here names its `orderLine` and is
//! sent with `?replace=item`: only the returned units, never a copy of the
//! whole invoice.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::credit::CreditPlan;
use super::receipt::ReceiptPlan;
use crate::domain::{Money, Sku};

/// One line of a source transaction (invoice, cash sale, Sales Order) or of
/// the RA, with what it still has open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLine {
    /// The line's number (`line`; `orderLine` on the new record).
    pub line: u64,
    /// NetSuite item internal id.
    pub item: String,
    pub sku: Sku,
    /// Units still open: the line's quantity (an RA's source), less those
    /// received (a receipt) or refunded (a credit).
    pub open: u32,
}

/// Why a body could not be built; the caller names the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("{sku} is not on the {what}")]
    NotOnSource { sku: Sku, what: &'static str },
    #[error("{requested} × {sku} exceeds the {open} open on the {what}")]
    Exceeds {
        sku: Sku,
        requested: u32,
        open: u32,
        what: &'static str,
    },
    #[error("nothing to {0}: no line has a unit")]
    Nothing(&'static str),
}

pub(crate) fn money(m: Money) -> Value {
    serde_json::from_str(&m.normalize().to_string()).unwrap_or(Value::Null)
}

/// Spreads `units` of `sku` over its open lines, in line order.
fn allocate(
    sku: &Sku,
    units: u32,
    open: &mut [OpenLine],
    what: &'static str,
) -> Result<Vec<(OpenLine, u32)>, LineError> {
    let mine: Vec<usize> = (0..open.len()).filter(|&i| &open[i].sku == sku).collect();
    if mine.is_empty() {
        return Err(LineError::NotOnSource {
            sku: sku.clone(),
            what,
        });
    }
    let total: u32 = mine.iter().map(|&i| open[i].open).sum();
    if units > total {
        return Err(LineError::Exceeds {
            sku: sku.clone(),
            requested: units,
            open: total,
            what,
        });
    }
    let mut left = units;
    let mut out = Vec::new();
    for i in mine {
        if left == 0 {
            break;
        }
        let q = left.min(open[i].open);
        if q == 0 {
            continue;
        }
        open[i].open -= q;
        left -= q;
        out.push((open[i].clone(), q));
    }
    Ok(out)
}

/// The RA's lines: the returned units by SKU on the source lines they came
/// from (item and `orderLine` set, so an edit of an existing RA matches them
/// and a SKU new to the RA can be added).
pub fn ra_lines(units: &[(Sku, u32)], source: &[OpenLine]) -> Result<Vec<Value>, LineError> {
    let mut open = source.to_vec();
    let mut out = Vec::new();
    for (sku, q) in units {
        for (l, q) in allocate(
            sku,
            *q,
            &mut open,
            "order's invoice, cash sale or Sales Order",
        )? {
            out.push(json!({"item": {"id": l.item}, "orderLine": l.line, "quantity": q}));
        }
    }
    if out.is_empty() {
        return Err(LineError::Nothing("return"));
    }
    Ok(out)
}

/// The Item Receipt's lines: received units into their location; missing or
/// wrong units are simply not on it (with `?replace=item`, an RA line no body
/// line names is not received).
pub fn receipt_lines(plan: &ReceiptPlan, ra: &[OpenLine]) -> Result<Vec<Value>, LineError> {
    let mut open = ra.to_vec();
    let mut out = Vec::new();
    for l in plan.lines.iter().filter(|l| l.receive && l.quantity > 0) {
        let Some(loc) = &l.location else { continue };
        for (ra_line, q) in allocate(&l.sku, l.quantity, &mut open, "return authorization")? {
            out.push(json!({
                "orderLine": ra_line.line,
                "itemReceive": true,
                "quantity": q,
                "location": {"id": loc},
            }));
        }
    }
    if out.is_empty() {
        return Err(LineError::Nothing("receive"));
    }
    Ok(out)
}

/// The received lines of a plan, one plan per location in order of first
/// appearance (sellable before damaged as the plan lists them). An Item
/// Receipt line has one `location`, and two body lines naming the same RA
/// line would update the same copied line, so units of one RA line going to
/// two locations need two receipts (an RA is received in parts, returns.md
/// §B1 "Partially Received").
pub fn by_location(plan: &ReceiptPlan) -> Vec<ReceiptPlan> {
    let mut out: Vec<ReceiptPlan> = Vec::new();
    for l in plan.lines.iter().filter(|l| l.receive && l.quantity > 0) {
        let Some(loc) = &l.location else { continue };
        match out
            .iter_mut()
            .find(|p| p.lines.first().and_then(|f| f.location.as_ref()) == Some(loc))
        {
            Some(p) => p.lines.push(l.clone()),
            None => out.push(ReceiptPlan {
                lines: vec![l.clone()],
                ..plan.clone()
            }),
        }
    }
    out
}

/// The externalId of the `i`-th receipt (by location) of one grading: the
/// first keeps the caller's, the next add `-2`, `-3`, … (still `[A-Za-z0-9_-]`).
pub fn receipt_external_id(base: &str, i: usize) -> String {
    if i == 0 {
        base.to_string()
    } else {
        format!("{base}-{}", i + 1)
    }
}

/// The credit's lines at TikTok's amounts: per SKU its units on the RA's
/// lines, the SKU's amount spread by units (the remainder on its last line,
/// so the lines add up to the cent).
pub fn credit_lines(plan: &CreditPlan, ra: &[OpenLine]) -> Result<Vec<Value>, LineError> {
    let mut open = ra.to_vec();
    let mut out = Vec::new();
    for (sku, units, amount) in &plan.lines {
        let parts = allocate(sku, *units, &mut open, "return authorization")?;
        let mut left = *amount;
        let n = parts.len();
        for (i, (l, q)) in parts.into_iter().enumerate() {
            let a = if i + 1 == n {
                left
            } else {
                (*amount * Money::from(q) / Money::from(*units)).round_dp(2)
            };
            left -= a;
            out.push(json!({"orderLine": l.line, "quantity": q, "amount": money(a)}));
        }
    }
    if out.is_empty() {
        return Err(LineError::Nothing("credit"));
    }
    Ok(out)
}

/// The plan's own figures agree: its lines, shipping and tax add up to its
/// total. Returns the sum on a difference.
pub fn plan_sum(plan: &CreditPlan) -> Money {
    plan.lines.iter().map(|(_, _, m)| *m).sum::<Money>() + plan.shipping + plan.tax
}

/// Sums units per SKU over rows of (SKU, quantity); quantities may be
/// negative (outbound lines are stored negative) and are counted as units.
pub fn units_by_sku<'a>(rows: impl IntoIterator<Item = (&'a Sku, Money)>) -> BTreeMap<Sku, u32> {
    let mut out: BTreeMap<Sku, u32> = BTreeMap::new();
    for (sku, q) in rows {
        let q: u32 = q.abs().trunc().try_into().unwrap_or(0);
        *out.entry(sku.clone()).or_insert(0) += q;
    }
    out.retain(|_, q| *q > 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::returns::receipt::{plan_receipt, Grade, ReturnLocations};

    fn dec(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn line(line: u64, item: &str, sku: &str, open: u32) -> OpenLine {
        OpenLine {
            line,
            item: item.into(),
            sku: Sku(sku.into()),
            open,
        }
    }

    /// Edge case 3: one of three units → one line of quantity 1.
    #[test]
    fn partial_return_names_its_order_line() {
        let src = [line(1, "101", "MUG", 3), line(2, "102", "CAP", 1)];
        let l = ra_lines(&[(Sku("MUG".into()), 1)], &src).unwrap();
        assert_eq!(
            l,
            vec![json!({"item": {"id": "101"}, "orderLine": 1, "quantity": 1})]
        );
        let err = ra_lines(&[(Sku("MUG".into()), 4)], &src).unwrap_err();
        assert!(matches!(err, LineError::Exceeds { open: 3, .. }), "{err}");
        assert!(matches!(
            ra_lines(&[(Sku("HAT".into()), 1)], &src),
            Err(LineError::NotOnSource { .. })
        ));
    }

    /// A SKU on two source lines (two prices) is spread over both.
    #[test]
    fn units_spread_over_lines() {
        let src = [line(1, "101", "MUG", 1), line(3, "101", "MUG", 2)];
        let l = ra_lines(&[(Sku("MUG".into()), 2)], &src).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1]["orderLine"], 3);
        assert_eq!(l[1]["quantity"], 1);
    }

    /// Edge case 12: good and damaged go to their locations; missing is not on the receipt.
    #[test]
    fn receipt_by_grade() {
        let s = Sku("MUG".into());
        let plan = plan_receipt(
            &[
                (s.clone(), Grade::Good),
                (s.clone(), Grade::Damaged),
                (s, Grade::Missing),
            ],
            &ReturnLocations {
                sellable: "1".into(),
                damaged: "9".into(),
            },
        );
        let l = receipt_lines(&plan, &[line(1, "101", "MUG", 3)]).unwrap();
        assert_eq!(l.len(), 2);
        let locs: Vec<&str> = l
            .iter()
            .map(|x| x["location"]["id"].as_str().unwrap())
            .collect();
        assert!(locs.contains(&"1") && locs.contains(&"9"));
        assert!(l.iter().all(|x| x["quantity"] == 1));
        let parts = by_location(&plan);
        assert_eq!(parts.len(), 2, "one receipt per location");
        assert!(parts.iter().all(|p| p.lines.len() == 1));
        assert_eq!(receipt_external_id("r", 1), "r-2");
    }

    #[test]
    fn credit_amounts_add_up_to_the_cent() {
        let plan = CreditPlan {
            lines: vec![(Sku("MUG".into()), 3, dec("10.00"))],
            shipping: dec("1.50"),
            tax: dec("0"),
            total: dec("11.50"),
        };
        let l = credit_lines(&plan, &[line(1, "101", "MUG", 1), line(2, "101", "MUG", 2)]).unwrap();
        let sum: Money = l
            .iter()
            .map(|x| x["amount"].to_string().parse::<Money>().unwrap())
            .sum();
        assert_eq!(sum, dec("10.00"));
        assert_eq!(plan_sum(&plan), dec("11.50"));
    }

    #[test]
    fn units_sum_absolute() {
        let a = Sku("A".into());
        let u = units_by_sku([(&a, dec("-2")), (&a, dec("1"))]);
        assert_eq!(u.get(&a), Some(&3));
    }
}
