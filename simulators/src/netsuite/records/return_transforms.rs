//! The return transforms (returns.md §B2; Oracle "Transforming Records",
//! section_157901123882: `POST /record/v1/<src>/<id>/!transform/<target>`
//! → 204 + Location, the body may set the target's fields):
//!
//! - `invoice | cashSale | salesOrder → returnAuthorization` (REST API
//!   Browser pairs, WSJ `docs/records/*.md`; the cash-sale case is Oracle's
//!   own REST example, section_0526122453).
//! - `returnAuthorization → itemReceipt | creditMemo | cashRefund`
//!   (operation ids `operation--returnAuthorization--id---transform-…-post`,
//!   WSJ).
//!
//! Lines (netsuite-rest-api.md §0, "Replacing a Sublist"
//! section_1545297048): the new record starts with the source's open lines,
//! each carrying `orderLine` = the source line. A request line with a
//! matching `orderLine` updates that line; every other request line is
//! APPENDED. With `?replace=item` the pre-populated lines that no request
//! line matched are removed, so the request's lines are the result. Lines
//! left with quantity 0, or `itemReceive: false` on a receipt, are dropped.
//!
//! Where the sources are silent, the harsher reading (sim-defined wording):
//! - An `orderLine` that is not an open line of the source, or that two
//!   body lines name (each would update the same copied line), is 400 with
//!   its path; a line may not take more than its source line has left (the RA:
//!   the source line's quantity; a receipt: the RA line's quantity less
//!   `quantityReceived`; a credit: less `quantityBilled`).
//! - A new RA is Pending Approval (`orderStatus` A) unless the body says B
//!   (the account preference is unverified, returns.md §B1).
//! - An RA pending approval can be neither received nor credited (Oracle
//!   requires an RA "approved and received" before its revenue commitment
//!   reversal, section_N3197042; the same reading for receipts/credits).
//! - An item receipt needs Advanced Receiving (section_N3681685; checked by
//!   `return_setup.rs` before this runs), only receives lines of the RA
//!   (every line needs an `orderLine`), and every received line needs a
//!   `location` (Multi-Location Inventory). Received units are added to the
//!   location's stock (the receipt is what restocks, returns.md §B2).
//! - A cash refund only from an RA made from a cash sale, a credit memo
//!   only from one that was not (returns.md §B2: the credit type follows
//!   the RA's source), and an RA is credited only once.
//! - Header fields the target knows are copied from the source (including
//!   `shippingCost`/`handlingCost`, as `transform.rs` does), except
//!   identity, status and totals; `createdFrom` points at the source.

use axum::http::HeaderMap;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::transform::line_no;
use super::{
    apply_lines, duplicate_eid, get_ci, kind, lines, num, parse_body, recompute_totals,
    replace_list, scalar_string, to_json_number, NetSuiteSim, NsError, RecordKind, WriteParams,
};

/// (source, target) pairs served here.
const PAIRS: &[(&str, &str)] = &[
    ("invoice", "returnAuthorization"),
    ("cashSale", "returnAuthorization"),
    ("salesOrder", "returnAuthorization"),
    ("returnAuthorization", "itemReceipt"),
    ("returnAuthorization", "creditMemo"),
    ("returnAuthorization", "cashRefund"),
];

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
    "lastModifiedDate",
];

/// Line fields carried from a source line onto the new record's line.
const LINE_COPIED: &[&str] = &[
    "item",
    "rate",
    "price",
    "description",
    "taxCode",
    "units",
    "department",
    "class",
    "location",
];

/// Whether `src → target` is a return transform (case-insensitive names).
pub(super) fn is_return_pair(src: &str, target: &str) -> bool {
    match (kind(src), kind(target)) {
        (Some(s), Some(t)) => PAIRS.contains(&(s.name, t.name)),
        _ => false,
    }
}

fn user_error(detail: String) -> NsError {
    NsError::bad_request(
        "USER_ERROR",
        format!("Error while accessing a resource. {detail}"),
    )
}

fn is_closed(o: &Map<String, Value>) -> bool {
    matches!(get_ci(o, "isClosed"), Some(Value::Bool(true)))
        || get_ci(o, "isClosed").and_then(Value::as_str) == Some("T")
}

fn ref_id(o: &Map<String, Value>, key: &str) -> Option<String> {
    match get_ci(o, key)? {
        Value::Object(r) => r.get("id").map(scalar_string),
        v => Some(scalar_string(v)),
    }
}

/// How much of a source line the target may still take (module doc).
fn left(target: &str, src_line: &Map<String, Value>) -> Decimal {
    let q = num(get_ci(src_line, "quantity"));
    match target {
        "itemReceipt" => q - num(get_ci(src_line, "quantityReceived")),
        "creditMemo" | "cashRefund" => q - num(get_ci(src_line, "quantityBilled")),
        _ => q,
    }
}

/// The RA line counter a target advances.
fn progress(target: &str) -> Option<&'static str> {
    match target {
        "itemReceipt" => Some("quantityReceived"),
        "creditMemo" | "cashRefund" => Some("quantityBilled"),
        _ => None,
    }
}

/// Refusals that depend on the RA itself (module doc).
fn check_ra_source(
    st: &crate::netsuite::State,
    ra_id: u64,
    ra: &Map<String, Value>,
    target: &str,
) -> Result<(), NsError> {
    let status = ref_id(ra, "orderStatus").unwrap_or_else(|| "A".into());
    if status == "A" {
        return Err(user_error(format!(
            "Return authorization {ra_id} is pending approval: approve it before you {}.",
            if target == "itemReceipt" {
                "receive it"
            } else {
                "refund it"
            }
        )));
    }
    if target == "itemReceipt" {
        return Ok(());
    }
    let from = ref_id(ra, "createdFrom").unwrap_or_default();
    let from_cash_sale = st.records.get("cashSale", &from).is_some();
    match (target, from_cash_sale) {
        ("cashRefund", false) => {
            return Err(user_error(format!(
                "Return authorization {ra_id} was not created from a cash sale: refund it with a credit memo."
            )))
        }
        ("creditMemo", true) => {
            return Err(user_error(format!(
                "Return authorization {ra_id} was created from a cash sale: refund it with a cash refund."
            )))
        }
        _ => {}
    }
    let ra_ref = ra_id.to_string();
    let credited = ["creditMemo", "cashRefund"].iter().any(|t| {
        st.records
            .all(t)
            .iter()
            .filter_map(Value::as_object)
            .any(|r| ref_id(r, "createdFrom").as_deref() == Some(ra_ref.as_str()))
    });
    if credited {
        return Err(user_error(format!(
            "Return authorization {ra_id} has already been refunded."
        )));
    }
    Ok(())
}

/// The target's pre-populated lines: the source's open lines with something left.
fn prepopulate(target: &str, src_lines: &[Map<String, Value>]) -> Vec<Value> {
    let mut out = Vec::new();
    for s in src_lines {
        if is_closed(s) {
            continue;
        }
        let q = left(target, s);
        if q <= Decimal::ZERO {
            continue;
        }
        let mut l: Map<String, Value> = s
            .iter()
            .filter(|(k, _)| LINE_COPIED.iter().any(|c| c.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(n) = line_no(s, "line") {
            l.insert("orderLine".into(), json!(n));
        }
        l.insert("quantity".into(), to_json_number(q));
        if let Some(r) = get_ci(s, "rate") {
            let amount = (num(Some(r)) * q).round_dp(2);
            l.insert("amount".into(), to_json_number(amount));
        }
        out.push(Value::Object(l));
    }
    out
}

/// A return transform as the endpoint runs it (see `transform.rs`).
pub(super) fn transform_return(
    sim: &NetSuiteSim,
    src_type: &str,
    key: &str,
    target_type: &str,
    p: &WriteParams,
    headers: &HeaderMap,
    raw: &[u8],
) -> Result<(&'static RecordKind, u64, Option<String>), NsError> {
    let (Some(sk), Some(tk)) = (kind(src_type), kind(target_type)) else {
        return Err(NsError::bad_request(
            "INVALID_PARAMETER",
            "Unknown record type.",
        ));
    };
    let replace = replace_list(tk, p)?;
    let (mut body, warning) = parse_body(tk, headers, raw, &sim.seed().custom_fields)?;
    let mut st = sim.state();
    let src_id = st
        .records
        .resolve(sk, key)?
        .ok_or_else(NsError::not_found_record)?;
    let src = st
        .records
        .get(sk.name, &src_id.to_string())
        .and_then(|v| v.as_object().cloned())
        .ok_or_else(NsError::not_found_record)?;
    st.records.check_request_refs(tk, &body)?;
    if sk.name == "returnAuthorization" {
        check_ra_source(&st, src_id, &src, tk.name)?;
    }

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

    let src_lines: Vec<Map<String, Value>> = lines(&src, "item")
        .into_iter()
        .filter_map(|l| l.as_object().cloned())
        .collect();
    let open = |n: u64| {
        src_lines
            .iter()
            .find(|l| line_no(l, "line") == Some(n) && !is_closed(l))
    };
    let Some(item_sl) = tk.sublists.iter().find(|s| s.name == "item") else {
        return Err(NsError::bad_request(
            "INVALID_PARAMETER",
            "No item sublist.",
        ));
    };
    let (start, _) = apply_lines(item_sl, Vec::new(), prepopulate(tk.name, &src_lines), false);
    let given: Vec<Value> = body
        .remove("item")
        .and_then(|v| v.get("items").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    let mut named = std::collections::BTreeSet::new();
    for (i, l) in given.iter().enumerate() {
        let o = l.as_object().cloned().unwrap_or_default();
        if let Some(n) = line_no(&o, "orderLine") {
            if !named.insert(n) {
                return Err(user_error(format!(
                    "The order line {n} is named by more than one line."
                ))
                .path(format!("item.items[{i}].orderLine")));
            }
        }
        match line_no(&o, "orderLine") {
            Some(n) if open(n).is_none() => {
                return Err(user_error(format!(
                    "The order line {n} is not an open line of the source transaction."
                ))
                .path(format!("item.items[{i}].orderLine")))
            }
            None if tk.name == "itemReceipt" && line_no(&o, "line").is_none() => {
                return Err(user_error(
                    "An item receipt line must name the return authorization line it receives (orderLine).".into(),
                )
                .path(format!("item.items[{i}].orderLine")))
            }
            _ => {}
        }
    }
    let replacing = replace.contains(&"item");
    let (mut result, _) = apply_lines(item_sl, start, given, replacing);
    result.retain(|l| {
        let Some(o) = l.as_object() else { return false };
        let unchecked = matches!(get_ci(o, "itemReceive"), Some(Value::Bool(false)));
        let zero = get_ci(o, "quantity").is_some_and(|q| num(Some(q)).is_zero());
        !unchecked && !zero
    });
    for (i, l) in result.iter().enumerate() {
        let Some(o) = l.as_object() else { continue };
        if let Some(s) = line_no(o, "orderLine").and_then(open) {
            let max = left(tk.name, s).max(Decimal::ZERO);
            let q = num(get_ci(o, "quantity"));
            if q > max {
                return Err(user_error(format!(
                    "Line {} of the source has only {max} left; {q} requested.",
                    line_no(o, "orderLine").unwrap_or_default()
                ))
                .path(format!("item.items[{i}].quantity")));
            }
        }
        if tk.name == "itemReceipt" && ref_id(o, "location").is_none() {
            return Err(user_error("Please enter value(s) for: Location".into())
                .path(format!("item.items[{i}].location")));
        }
    }
    if result.is_empty() {
        return Err(user_error(
            "You must have at least one valid line item for this transaction.".into(),
        ));
    }
    for (f, v) in body {
        if let Some(k) = out.keys().find(|k| k.eq_ignore_ascii_case(&f)).cloned() {
            out.remove(&k);
        }
        out.insert(f, v);
    }
    if tk.name == "returnAuthorization" && get_ci(&out, "orderStatus").is_none() {
        out.insert("orderStatus".into(), json!({"id": "A"}));
    }
    out.insert("item".into(), json!({ "items": result.clone() }));
    st.records.apply_defaults(tk, &mut out);
    recompute_totals(tk, &mut out);
    st.records.check_agreement(tk, &out)?;
    if let Some(eid) = out.get("externalId").map(scalar_string) {
        if st.records.get_by_eid(tk.name, &eid).is_some() {
            return Err(duplicate_eid(&eid));
        }
    }
    let id = st.records.store_new(tk, out);

    if let Some(field) = progress(tk.name) {
        st.records.advance_lines(sk, src_id, &result, field);
    }
    if tk.name == "itemReceipt" {
        for l in result.iter().filter_map(Value::as_object) {
            let (Some(item), Some(loc)) = (ref_id(l, "item"), ref_id(l, "location")) else {
                continue;
            };
            let (Ok(item), Ok(loc)) = (item.parse::<u64>(), loc.parse::<u64>()) else {
                continue;
            };
            let q: i64 = num(get_ci(l, "quantity")).trunc().try_into().unwrap_or(0);
            let mut level = st.stock.get(item, loc).unwrap_or_default();
            level.quantityonhand += q;
            level.quantityavailable += q;
            // Kits and non-inventory items keep no location stock.
            let _ = st.stock.set(item, loc, level);
        }
    }
    tracing::debug!(
        src = sk.name,
        src_id,
        target = tk.name,
        id,
        "netsuite sim return transform"
    );
    Ok((tk, id, warning))
}
