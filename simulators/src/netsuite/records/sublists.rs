//! Sublist line rules shared by every write (POST, PUT upsert, PATCH and
//! `!transform`), as set out in the `records` module doc: lines merge by
//! `line` number, others are appended with fresh numbers, `?replace=`
//! removes unmatched lines ("Updating a Sublist" section_1545295601,
//! "Replacing a Sublist" section_1545297048), and amounts and totals are
//! recomputed (subsect_1544786455).

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::{get_ci, num, to_json_number, RecordKind, Sublist};

pub(super) fn lines(body: &Map<String, Value>, sublist: &str) -> Vec<Value> {
    body.get(sublist)
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

pub(super) fn take_lines(body: &mut Map<String, Value>, sublist: &str) -> Option<Vec<Value>> {
    let v = body.remove(sublist)?;
    Some(
        v.get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    )
}

pub(super) fn line_no_of(v: &Value, key: &str) -> Option<u64> {
    v.as_object()
        .and_then(|o| get_ci(o, key))
        .and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok()))
}

/// Sets `amount` to `quantity × rate` (2 dp) when both are known.
pub(crate) fn reprice(line: &mut Map<String, Value>) {
    let (Some(q), Some(r)) = (get_ci(line, "quantity"), get_ci(line, "rate")) else {
        return;
    };
    let amount = (num(Some(q)) * num(Some(r))).round_dp(2);
    if let Some(k) = line
        .keys()
        .find(|k| k.eq_ignore_ascii_case("amount"))
        .cloned()
    {
        line.remove(&k);
    }
    line.insert("amount".into(), to_json_number(amount));
}

/// Applies request lines to a sublist (see the module doc): a line whose
/// `line` (or, on lines a transform pre-populated, `orderLine`,
/// section_159795520083) matches an existing line updates it; other lines
/// are appended with fresh numbers. With `replace`, existing lines nobody
/// matched are removed and returned as the second value.
pub(crate) fn apply_lines(
    sl: &Sublist,
    existing: Vec<Value>,
    incoming: Vec<Value>,
    replace: bool,
) -> (Vec<Value>, Vec<Value>) {
    let mut next = existing
        .iter()
        .filter_map(|v| line_no_of(v, "line"))
        .max()
        .unwrap_or(0)
        + 1;
    let target_of = |existing: &[Value], new: &Map<String, Value>| -> Option<usize> {
        let nv = Value::Object(new.clone());
        if let Some(n) = line_no_of(&nv, "line") {
            return existing
                .iter()
                .position(|e| line_no_of(e, "line") == Some(n));
        }
        let n = line_no_of(&nv, "orderLine")?;
        existing
            .iter()
            .position(|e| line_no_of(e, "orderLine") == Some(n))
    };
    let incoming: Vec<Map<String, Value>> = incoming
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(o) => Some(o),
            _ => None,
        })
        .collect();
    let mut removed = Vec::new();
    let mut existing = existing;
    if replace {
        let keep: Vec<bool> = existing
            .iter()
            .enumerate()
            .map(|(i, _)| incoming.iter().any(|n| target_of(&existing, n) == Some(i)))
            .collect();
        let (kept, gone): (Vec<_>, Vec<_>) = existing.into_iter().zip(keep).partition(|(_, k)| *k);
        existing = kept.into_iter().map(|(v, _)| v).collect();
        removed = gone.into_iter().map(|(v, _)| v).collect();
    }
    for mut new in incoming {
        match target_of(&existing, &new) {
            Some(pos) => {
                if let Some(Value::Object(old)) = existing.get_mut(pos) {
                    new.remove("line");
                    let reprices = get_ci(&new, "amount").is_none()
                        && (get_ci(&new, "quantity").is_some() || get_ci(&new, "rate").is_some());
                    for (f, v) in new {
                        if let Some(k) = old.keys().find(|k| k.eq_ignore_ascii_case(&f)).cloned() {
                            old.remove(&k);
                        }
                        old.insert(f, v);
                    }
                    if reprices {
                        reprice(old);
                    }
                }
            }
            None => {
                if let Some(k) = new.keys().find(|k| k.eq_ignore_ascii_case("line")).cloned() {
                    new.remove(&k);
                }
                new.insert("line".into(), json!(next));
                next += 1;
                if sl.order_line_defaults {
                    new.entry("isClosed").or_insert(json!(false));
                    new.entry("quantityFulfilled").or_insert(json!(0));
                    new.entry("quantityBilled").or_insert(json!(0));
                }
                if sl.item_ref.is_some() && get_ci(&new, "amount").is_none() {
                    reprice(&mut new);
                }
                existing.push(Value::Object(new));
            }
        }
    }
    (existing, removed)
}

/// Recomputes `subtotal` and `total` of a transaction with an item sublist
/// from its lines (module doc). Item fulfillments carry no totals.
pub(crate) fn recompute_totals(k: &RecordKind, rec: &mut Map<String, Value>) {
    if k.transaction_type.is_none()
        || k.name == "itemFulfillment"
        || !k.sublists.iter().any(|s| s.name == "item")
    {
        return;
    }
    let subtotal: Decimal = lines(rec, "item")
        .iter()
        .filter_map(Value::as_object)
        .map(|l| match get_ci(l, "amount") {
            Some(a) => num(Some(a)),
            None => (num(get_ci(l, "quantity")) * num(get_ci(l, "rate"))).round_dp(2),
        })
        .sum();
    let total = subtotal + num(get_ci(rec, "shippingCost")) + num(get_ci(rec, "handlingCost"));
    for f in ["subtotal", "total"] {
        if let Some(key) = rec.keys().find(|x| x.eq_ignore_ascii_case(f)).cloned() {
            rec.remove(&key);
        }
    }
    rec.insert("subtotal".into(), to_json_number(subtotal));
    rec.insert("total".into(), to_json_number(total));
}
