//! `POST /record/v1/{src}/{id}/!transform/{target}` (netsuite-rest-api.md §2,
//! "Transforms"): 204 + Location of the new target record, whose body the
//! request may override.
//!
//! Sim-defined (unverified) details, chosen to be predictable for tests:
//! - Only five pairs are served (see `PAIRS`); any other pair, including one
//!   NetSuite supports such as salesOrder → returnAuthorization, answers 400
//!   INVALID_PARAMETER naming the pair.
//! - Header fields the target type knows are copied from the source, except
//!   identity/status fields; `createdFrom` points at the source.
//! - Without `item.items` in the body, every open source line is copied with
//!   its remaining quantity (quantity − fulfilled for itemFulfillment,
//!   quantity − billed for invoice/cashSale) and `orderLine` = source `line`.
//!   With `item.items`, those lines are used; a line carrying `orderLine`
//!   starts from that source line and is overlaid by the body's fields; a
//!   line with `itemReceive: false` is dropped.
//! - Side effect on a sales order source: each target line's quantity is
//!   added to the source line's `quantityFulfilled` (itemFulfillment) or
//!   `quantityBilled` (invoice, cashSale).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::str::FromStr;

use super::{
    into_response, kind, lines, no_content, parse_body, scalar_string, NetSuiteSim, NsError,
};

/// (source, target) pairs the simulator can transform.
const PAIRS: &[(&str, &str)] = &[
    ("salesOrder", "invoice"),
    ("salesOrder", "cashSale"),
    ("salesOrder", "itemFulfillment"),
    ("invoice", "creditMemo"),
    ("cashSale", "cashRefund"),
];

/// Source header fields never copied onto the target.
const NOT_COPIED: &[&str] = &[
    "id",
    "links",
    "externalId",
    "tranId",
    "status",
    "orderStatus",
    "createdFrom",
    "total",
    "subtotal",
    "taxTotal",
];

/// Source line fields that describe the source's own progress, not the target line.
const LINE_NOT_COPIED: &[&str] = &["line", "isClosed", "quantityFulfilled", "quantityBilled"];

/// Which source line counter a target type advances.
fn progress_field(target: &str) -> Option<&'static str> {
    match target {
        "itemFulfillment" => Some("quantityFulfilled"),
        "invoice" | "cashSale" => Some("quantityBilled"),
        _ => None,
    }
}

fn get_ci<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn num(v: Option<&Value>) -> Decimal {
    match v {
        Some(Value::Number(n)) => Decimal::from_str(&n.to_string()).unwrap_or_default(),
        Some(Value::String(s)) => Decimal::from_str(s).unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

fn to_json_number(d: Decimal) -> Value {
    let d = d.normalize();
    serde_json::from_str(&d.to_string()).unwrap_or(Value::Null)
}

fn line_no(o: &Map<String, Value>, key: &str) -> Option<u64> {
    get_ci(o, key).and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok()))
}

fn is_true(o: &Map<String, Value>, key: &str) -> bool {
    matches!(get_ci(o, key), Some(Value::Bool(true)))
        || get_ci(o, key).and_then(Value::as_str) == Some("T")
}

/// A source line as a fresh target line: progress fields dropped, `orderLine` set.
fn copy_line(src: &Map<String, Value>) -> Map<String, Value> {
    let mut out: Map<String, Value> = src
        .iter()
        .filter(|(k, _)| {
            !LINE_NOT_COPIED
                .iter()
                .any(|n| n.eq_ignore_ascii_case(k.as_str()))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(n) = line_no(src, "line") {
        out.insert("orderLine".into(), json!(n));
    }
    out
}

/// Sets `quantity` to `q`, rescaling `amount` by `rate` when both are known.
fn set_quantity(line: &mut Map<String, Value>, q: Decimal) {
    line.insert("quantity".into(), to_json_number(q));
    if get_ci(line, "rate").is_some() {
        let amount = (num(get_ci(line, "rate")) * q).round_dp(2);
        line.insert("amount".into(), to_json_number(amount));
    }
}

fn pair_error(src: &str, target: &str) -> NsError {
    NsError::bad_request(
        "INVALID_PARAMETER",
        format!("Transformation of record type {src} to record type {target} is not supported."),
    )
}

/// `POST /record/v1/{src}/{id}/!transform/{target}`.
pub(crate) async fn transform(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((src_type, key, target_type)): Path<(String, String, String)>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let (sk, tk) = match (kind(&src_type), kind(&target_type)) {
                (Some(s), Some(t)) if PAIRS.contains(&(s.name, t.name)) => (s, t),
                _ => return Err(pair_error(&src_type, &target_type)),
            };
            let (mut body, warning) = parse_body(tk, &headers, &raw)?;
            let mut st = sim.state();
            let src_id = st
                .records
                .resolve(sk, &key)?
                .ok_or_else(NsError::not_found_record)?;
            let src = st
                .records
                .tables
                .get(sk.name)
                .and_then(|t| t.rows.get(&src_id))
                .and_then(Value::as_object)
                .cloned()
                .ok_or_else(NsError::not_found_record)?;
            let progress = progress_field(tk.name);

            // Header: copy what the target knows, then point at the source.
            let mut out = Map::new();
            for (f, v) in &src {
                let skip = NOT_COPIED.iter().any(|n| n.eq_ignore_ascii_case(f))
                    || sk.sublists.iter().any(|s| s.name == f.as_str())
                    || !tk.body_fields.iter().any(|n| n.eq_ignore_ascii_case(f));
                if !skip {
                    out.insert(f.clone(), v.clone());
                }
            }
            out.insert("createdFrom".into(), json!({"id": src_id.to_string()}));

            // Lines.
            let src_lines: Vec<Map<String, Value>> = lines(&src, "item")
                .into_iter()
                .filter_map(|l| l.as_object().cloned())
                .collect();
            let find_src = |n: u64| src_lines.iter().find(|l| line_no(l, "line") == Some(n));
            let body_lines = body
                .get("item")
                .and_then(|s| s.get("items"))
                .and_then(Value::as_array)
                .cloned();
            body.remove("item");
            let mut new_lines: Vec<Map<String, Value>> = Vec::new();
            match body_lines {
                Some(given) => {
                    for (i, l) in given.into_iter().enumerate() {
                        let Value::Object(l) = l else { continue };
                        if matches!(get_ci(&l, "itemReceive"), Some(Value::Bool(false))) {
                            continue;
                        }
                        let mut line = match line_no(&l, "orderLine") {
                            Some(n) => {
                                let s = find_src(n).ok_or_else(|| {
                                    NsError::bad_request(
                                        "USER_ERROR",
                                        format!("Error while accessing a resource. The order line {n} does not exist on the source transaction."),
                                    )
                                    .path(format!("item.items[{i}].orderLine"))
                                })?;
                                let mut base = copy_line(s);
                                if progress.is_some() {
                                    let done =
                                        progress.map(|p| num(get_ci(s, p))).unwrap_or_default();
                                    set_quantity(&mut base, num(get_ci(s, "quantity")) - done);
                                }
                                base
                            }
                            None => Map::new(),
                        };
                        let explicit_qty = get_ci(&l, "quantity").map(|q| num(Some(q)));
                        let explicit_amount = get_ci(&l, "amount").is_some();
                        line.extend(l);
                        if let (Some(q), false) = (explicit_qty, explicit_amount) {
                            set_quantity(&mut line, q);
                        }
                        new_lines.push(line);
                    }
                }
                None => {
                    for s in &src_lines {
                        if is_true(s, "isClosed") {
                            continue;
                        }
                        let mut line = copy_line(s);
                        if let Some(p) = progress {
                            let remaining = num(get_ci(s, "quantity")) - num(get_ci(s, p));
                            if remaining <= Decimal::ZERO {
                                continue;
                            }
                            set_quantity(&mut line, remaining);
                        }
                        new_lines.push(line);
                    }
                }
            }
            if new_lines.is_empty() {
                // Sim-defined wording.
                return Err(NsError::bad_request(
                    "USER_ERROR",
                    "Error while accessing a resource. You must enter at least one line item for this transaction.",
                ));
            }

            // Body fields from the request win over copied ones.
            out.extend(body);
            out.insert(
                "item".into(),
                json!({"items": new_lines.iter().cloned().map(Value::Object).collect::<Vec<_>>()}),
            );
            st.records.validate_refs(tk, &out, true)?;
            if let Some(eid) = out.get("externalId").map(scalar_string) {
                if st
                    .records
                    .tables
                    .get(tk.name)
                    .is_some_and(|t| t.by_eid.contains_key(&eid))
                {
                    return Err(NsError::bad_request(
                        "USER_ERROR",
                        format!("Error while accessing a resource. A record with external ID {eid} already exists."),
                    ));
                }
            }
            let id = st.records.insert(tk, out);

            // Side effect on the source's lines.
            if let Some(p) = progress {
                if let Some(Value::Object(rec)) = st
                    .records
                    .tables
                    .get_mut(sk.name)
                    .and_then(|t| t.rows.get_mut(&src_id))
                {
                    if let Some(items) = rec
                        .get_mut("item")
                        .and_then(|s| s.get_mut("items"))
                        .and_then(Value::as_array_mut)
                    {
                        for nl in &new_lines {
                            let Some(n) = line_no(nl, "orderLine") else {
                                continue;
                            };
                            let q = num(get_ci(nl, "quantity"));
                            if let Some(Value::Object(sl)) = items
                                .iter_mut()
                                .find(|l| l.as_object().and_then(|o| line_no(o, "line")) == Some(n))
                            {
                                let done = num(get_ci(sl, p)) + q;
                                sl.insert(p.into(), to_json_number(done));
                            }
                        }
                    }
                }
            }
            tracing::debug!(
                src = sk.name,
                src_id,
                target = tk.name,
                id,
                "netsuite sim transformed record"
            );
            Ok(no_content(&headers, tk, id, warning))
        })(),
        &uri,
    )
}
