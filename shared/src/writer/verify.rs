//! After a write: does the record NetSuite holds match what was sent?
//!
//! Oracle's sublist rules (netsuite-rest-api.md §sublists) make a write
//! without `replace` append lines, and a transform start from the source's
//! lines; a record that comes out different from the body is a money bug,
//! never something to accept silently. The comparison is a plain function
//! over the record as read back (sublists expanded) and the body sent:
//! line count, quantity per item, and the total within a cent.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::domain::Money;
use crate::mapping::money_of;

/// Quantity per item id over the record's `item` sublist (lines without an
/// item id, such as description lines, count under `?`).
pub fn quantities_by_item(record: &Value) -> BTreeMap<String, Decimal> {
    let mut out = BTreeMap::new();
    for line in record["item"]["items"].as_array().into_iter().flatten() {
        let id = match &line["item"]["id"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => "?".to_string(),
        };
        let qty = money_of(&line["quantity"]).unwrap_or_default();
        *out.entry(id).or_insert(Decimal::ZERO) += qty;
    }
    out
}

fn line_count(v: &Value) -> usize {
    v["item"]["items"].as_array().map_or(0, Vec::len)
}

fn describe(q: &BTreeMap<String, Decimal>) -> String {
    q.iter()
        .map(|(item, n)| format!("item {item} × {}", n.normalize()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What differs between the record NetSuite holds and the body written,
/// naming both figures; `None` when line count, quantity per item and (when
/// given) the total within a cent all match.
pub fn differences(
    record: &Value,
    intended_body: &Value,
    intended_total: Option<Money>,
) -> Option<String> {
    let mut found = Vec::new();
    let (have, want) = (line_count(record), line_count(intended_body));
    if have != want {
        found.push(format!("{have} line(s) where {want} were written"));
    }
    let (have_q, want_q) = (
        quantities_by_item(record),
        quantities_by_item(intended_body),
    );
    if have_q != want_q {
        found.push(format!(
            "quantities {} where {} were written",
            describe(&have_q),
            describe(&want_q)
        ));
    }
    if let Some(want) = intended_total {
        match money_of(&record["total"]) {
            Some(t) if (t - want).abs() <= Decimal::new(1, 2) => {}
            Some(t) => found.push(format!("total {t} where {want} was intended")),
            None => found.push(format!("no total where {want} was intended")),
        }
    }
    (!found.is_empty()).then(|| found.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(item: &str, qty: Value) -> Value {
        json!({"item": {"id": item}, "quantity": qty})
    }

    #[test]
    fn the_same_lines_and_total_match_whatever_the_number_format() {
        let body = json!({"item": {"items": [line("10", json!(2)), line("11", json!(1))]}});
        let rec = json!({"total": "30.00", "item": {"items": [line("10", json!("2.0")), line("11", json!(1))]}});
        assert_eq!(differences(&rec, &body, Some("30".parse().unwrap())), None);
    }

    #[test]
    fn moved_quantities_with_the_same_line_count_are_caught() {
        // Two lines of item 10 (2 + 1) became 3 + 0: same count, same total
        // when the prices match, but the wrong line was reduced.
        let body = json!({"item": {"items": [line("10", json!(2)), line("10", json!(1)), line("11", json!(1))]}});
        let rec = json!({"total": 40, "item": {"items": [line("10", json!(3)), line("10", json!(1)), line("11", json!(1))]}});
        let d = differences(&rec, &body, Some("40".parse().unwrap())).unwrap();
        assert!(
            d.contains("item 10 × 4") && d.contains("item 10 × 3"),
            "{d}"
        );
        assert!(!d.contains("line(s)"), "{d}");
    }

    #[test]
    fn appended_lines_and_a_doubled_total_are_both_named() {
        let body = json!({"item": {"items": [line("10", json!(1))]}});
        let rec =
            json!({"total": 20, "item": {"items": [line("10", json!(1)), line("10", json!(1))]}});
        let d = differences(&rec, &body, Some("10".parse().unwrap())).unwrap();
        assert!(d.contains("2 line(s) where 1 were written"), "{d}");
        assert!(d.contains("total 20 where 10 was intended"), "{d}");
    }

    #[test]
    fn a_missing_total_is_a_difference_only_when_one_was_intended() {
        let body = json!({"item": {"items": [line("10", json!(1))]}});
        let rec = json!({"item": {"items": [line("10", json!(1))]}});
        assert_eq!(differences(&rec, &body, None), None);
        assert!(differences(&rec, &body, Some(Money::ONE)).is_some());
    }
}
