//! A generic record store behind `/record/v1/{type}`. Record types are
//! described by data (`KINDS`), not code, so adding creditMemo-style types
//! means adding a table row: body field names, sublists and which references
//! get validated.
//!
//! Behaviour taken from netsuite-rest-api.md §2/§6: create is 204 with an
//! empty body and a `Location` whose type segment is lower-cased; `PUT
//! eid:{externalId}` creates or updates; GET returns sublists as links unless
//! `expandSubResources=true`; PATCH merges lines by `line`. Sim-defined
//! (unverified) details are marked where they occur.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

use super::{NetSuiteSim, NsError};
use crate::seed::NetSuiteSeed;

mod transform;
pub(crate) use transform::transform;

/// A sublist (`item`, `line`, `apply`, ...) of a record type.
pub(crate) struct Sublist {
    pub(crate) name: &'static str,
    pub(crate) line_fields: &'static [&'static str],
    /// Line field whose `id` must be an existing item.
    pub(crate) item_ref: Option<&'static str>,
    /// Sales-order style lines get `isClosed`/`quantityFulfilled`/`quantityBilled`.
    pub(crate) order_line_defaults: bool,
}

/// What the simulator knows about one record type.
pub(crate) struct RecordKind {
    pub(crate) name: &'static str,
    /// SuiteQL `transaction.type` code; `None` for non-transactions.
    pub(crate) transaction_type: Option<&'static str>,
    pub(crate) tranid_prefix: &'static str,
    pub(crate) body_fields: &'static [&'static str],
    pub(crate) sublists: &'static [Sublist],
    /// `entity.id` must name an existing customer.
    pub(crate) entity_is_customer: bool,
    /// Create fails without `entity` ("Please enter value(s) for: Customer").
    pub(crate) entity_required: bool,
}

const TRAN_BODY: &[&str] = &[
    "entity",
    "externalId",
    "tranId",
    "tranDate",
    "memo",
    "otherRefNum",
    "subsidiary",
    "location",
    "department",
    "class",
    "currency",
    "exchangeRate",
    "shipMethod",
    "shippingCost",
    "handlingCost",
    "discountItem",
    "discountRate",
    "orderStatus",
    "shipDate",
    "email",
    "customForm",
    "shippingAddress",
    "billingAddress",
    "taxDetails",
    "status",
    "postingPeriod",
    "createdFrom",
    "account",
    "paymentMethod",
    "total",
    "subtotal",
    "taxTotal",
    "toBeEmailed",
];

const ITEM_LINE: &[&str] = &[
    "item",
    "quantity",
    "rate",
    "amount",
    "price",
    "description",
    "location",
    "isClosed",
    "line",
    "taxCode",
    "department",
    "class",
    "quantityFulfilled",
    "quantityBilled",
    "orderLine",
    "units",
];

const ITEM_SUBLIST: Sublist = Sublist {
    name: "item",
    line_fields: ITEM_LINE,
    item_ref: Some("item"),
    order_line_defaults: false,
};

const FULFILL_BODY: &[&str] = &[
    "entity",
    "externalId",
    "tranId",
    "tranDate",
    "memo",
    "subsidiary",
    "location",
    "department",
    "class",
    "currency",
    "shipMethod",
    "shippingAddress",
    "status",
    "postingPeriod",
    "createdFrom",
    "customForm",
    "shipStatus",
    "shippedDate",
];

const FULFILL_LINE: &[&str] = &[
    "item",
    "quantity",
    "rate",
    "amount",
    "price",
    "description",
    "location",
    "line",
    "orderLine",
    "itemReceive",
    "quantityRemaining",
    "units",
    "department",
    "class",
    "taxCode",
];

pub(crate) const KINDS: &[RecordKind] = &[
    RecordKind {
        name: "salesOrder",
        transaction_type: Some("SalesOrd"),
        tranid_prefix: "SO",
        body_fields: TRAN_BODY,
        sublists: &[Sublist {
            order_line_defaults: true,
            ..ITEM_SUBLIST
        }],
        entity_is_customer: true,
        entity_required: true,
    },
    RecordKind {
        name: "customer",
        transaction_type: None,
        tranid_prefix: "",
        body_fields: &[
            "entityId",
            "externalId",
            "companyName",
            "firstName",
            "lastName",
            "isPerson",
            "email",
            "phone",
            "subsidiary",
            "currency",
            "comments",
            "isInactive",
            "category",
            "terms",
            "addressBook",
        ],
        sublists: &[],
        entity_is_customer: false,
        entity_required: false,
    },
    RecordKind {
        name: "creditMemo",
        transaction_type: Some("CustCred"),
        tranid_prefix: "CM",
        body_fields: TRAN_BODY,
        sublists: &[
            ITEM_SUBLIST,
            Sublist {
                name: "apply",
                line_fields: &["doc", "apply", "amount", "line", "due"],
                item_ref: None,
                order_line_defaults: false,
            },
        ],
        entity_is_customer: true,
        entity_required: true,
    },
    RecordKind {
        name: "invoice",
        transaction_type: Some("CustInvc"),
        tranid_prefix: "INV",
        body_fields: TRAN_BODY,
        sublists: &[ITEM_SUBLIST],
        entity_is_customer: true,
        entity_required: true,
    },
    RecordKind {
        name: "cashSale",
        transaction_type: Some("CashSale"),
        tranid_prefix: "CS",
        body_fields: TRAN_BODY,
        sublists: &[ITEM_SUBLIST],
        entity_is_customer: true,
        entity_required: true,
    },
    RecordKind {
        name: "itemFulfillment",
        transaction_type: Some("ItemShip"),
        tranid_prefix: "IF",
        body_fields: FULFILL_BODY,
        sublists: &[
            Sublist {
                name: "item",
                line_fields: FULFILL_LINE,
                item_ref: Some("item"),
                order_line_defaults: false,
            },
            Sublist {
                name: "package",
                line_fields: &[
                    "packageTrackingNumber",
                    "packageWeight",
                    "packageDescr",
                    "packageTrackingNumberReturn",
                    "line",
                ],
                item_ref: None,
                order_line_defaults: false,
            },
        ],
        entity_is_customer: true,
        entity_required: false,
    },
    RecordKind {
        name: "cashRefund",
        transaction_type: Some("CashRfnd"),
        tranid_prefix: "CR",
        body_fields: TRAN_BODY,
        sublists: &[ITEM_SUBLIST],
        entity_is_customer: true,
        entity_required: true,
    },
    RecordKind {
        name: "journalEntry",
        transaction_type: Some("Journal"),
        tranid_prefix: "JE",
        body_fields: TRAN_BODY,
        sublists: &[Sublist {
            name: "line",
            line_fields: &[
                "account",
                "debit",
                "credit",
                "memo",
                "entity",
                "department",
                "class",
                "location",
                "line",
            ],
            item_ref: None,
            order_line_defaults: false,
        }],
        entity_is_customer: false,
        entity_required: false,
    },
];

/// Looks a URL record type up case-insensitively (`salesorder` = `salesOrder`).
pub(crate) fn kind(rtype: &str) -> Option<&'static RecordKind> {
    KINDS.iter().find(|k| k.name.eq_ignore_ascii_case(rtype))
}

#[derive(Default)]
struct Table {
    rows: BTreeMap<u64, Value>,
    by_eid: HashMap<String, u64>,
}

pub(crate) struct RecordStore {
    next_id: u64,
    tables: BTreeMap<&'static str, Table>,
    item_ids: Vec<String>,
}

/// Runtime internal ids start here, clear of the seeded ids.
const FIRST_RUNTIME_ID: u64 = 1000;

fn ref_id(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// NetSuite accepts `[A-Za-z0-9_-]` in external ids used in URLs (§2).
fn valid_external_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl RecordStore {
    pub(crate) fn from_seed(seed: &NetSuiteSeed) -> Self {
        let mut store = Self {
            next_id: FIRST_RUNTIME_ID,
            tables: BTreeMap::new(),
            item_ids: seed.items.iter().map(|i| i.id.clone()).collect(),
        };
        for c in &seed.customers {
            let id: u64 = c.id.parse().unwrap_or(0);
            let rec = json!({
                "id": c.id, "entityId": c.entityid, "email": c.email,
                "companyName": c.companyname, "subsidiary": {"id": c.subsidiary}, "isPerson": false,
            });
            store
                .tables
                .entry("customer")
                .or_default()
                .rows
                .insert(id, rec);
            store.next_id = store.next_id.max(id + 1);
        }
        store
    }

    fn table(&self, rtype: &str) -> Option<&Table> {
        self.tables.get(kind(rtype)?.name)
    }

    pub(crate) fn get(&self, rtype: &str, id: &str) -> Option<Value> {
        self.table(rtype)?.rows.get(&id.parse().ok()?).cloned()
    }

    pub(crate) fn get_by_eid(&self, rtype: &str, eid: &str) -> Option<Value> {
        let t = self.table(rtype)?;
        t.rows.get(t.by_eid.get(eid)?).cloned()
    }

    pub(crate) fn all(&self, rtype: &str) -> Vec<Value> {
        self.table(rtype)
            .map(|t| t.rows.values().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn snapshot(&self) -> Value {
        Value::Object(
            self.tables
                .iter()
                .map(|(k, t)| {
                    (
                        k.to_string(),
                        Value::Array(t.rows.values().cloned().collect()),
                    )
                })
                .collect(),
        )
    }

    /// Every stored transaction with its SuiteQL type code.
    pub(crate) fn transactions(&self) -> Vec<(&'static str, &Value)> {
        KINDS
            .iter()
            .filter_map(|k| Some((k.transaction_type?, self.tables.get(k.name)?)))
            .flat_map(|(ty, t)| t.rows.values().map(move |v| (ty, v)))
            .collect()
    }

    fn customer_exists(&self, id: &str) -> bool {
        id.parse::<u64>().ok().is_some_and(|n| {
            self.tables
                .get("customer")
                .is_some_and(|t| t.rows.contains_key(&n))
        })
    }

    /// Resolves `123` or `eid:abc` to an internal id.
    fn resolve(&self, k: &RecordKind, key: &str) -> Result<Option<u64>, NsError> {
        let t = self.tables.get(k.name);
        if let Some(eid) = key.strip_prefix("eid:") {
            check_eid(eid)?;
            return Ok(t.and_then(|t| t.by_eid.get(eid).copied()));
        }
        let id: u64 = key.parse().map_err(|_| invalid_id(key))?;
        Ok(t.filter(|t| t.rows.contains_key(&id)).map(|_| id))
    }

    /// Checks references: entity is a customer, line items exist.
    fn validate_refs(
        &self,
        k: &RecordKind,
        body: &Map<String, Value>,
        creating: bool,
    ) -> Result<(), NsError> {
        match body.get("entity") {
            Some(e) if k.entity_is_customer => {
                let id = ref_id(e).unwrap_or_else(|| scalar_string(e));
                if !self.customer_exists(&id) {
                    return Err(invalid_field_value(&id, "entity").path("entity"));
                }
            }
            None if creating && k.entity_required => {
                return Err(NsError::bad_request(
                    "USER_ERROR",
                    "Please enter value(s) for: Customer",
                ));
            }
            _ => {}
        }
        for sl in k.sublists {
            let Some(field) = sl.item_ref else { continue };
            for (i, line) in lines(body, sl.name).iter().enumerate() {
                if let Some(r) = line.get(field) {
                    let id = ref_id(r).unwrap_or_else(|| scalar_string(r));
                    if !self.item_ids.contains(&id) {
                        return Err(invalid_field_value(&id, field)
                            .path(format!("{}.items[{i}].{field}", sl.name)));
                    }
                }
            }
        }
        Ok(())
    }

    /// A sales order line that has been fulfilled cannot be closed. The
    /// wording is sim-defined; NetSuite's exact text is unverified.
    fn check_closing(
        &self,
        k: &RecordKind,
        id: u64,
        patch: &Map<String, Value>,
    ) -> Result<(), NsError> {
        let Some(sl) = k.sublists.iter().find(|s| s.order_line_defaults) else {
            return Ok(());
        };
        let Some(rec) = self.tables.get(k.name).and_then(|t| t.rows.get(&id)) else {
            return Ok(());
        };
        let stored = lines(rec.as_object().unwrap_or(&Map::new()), sl.name);
        let field = |o: &Map<String, Value>, name: &str| -> Option<Value> {
            o.iter()
                .find(|(f, _)| f.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let as_num = |v: Option<Value>| -> f64 {
            match v {
                Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
                Some(Value::String(s)) => s.parse().unwrap_or(0.0),
                _ => 0.0,
            }
        };
        for (i, line) in lines(patch, sl.name).iter().enumerate() {
            let Some(o) = line.as_object() else { continue };
            if !matches!(field(o, "isClosed"), Some(Value::Bool(true))) {
                continue;
            }
            let Some(n) =
                field(o, "line").and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok()))
            else {
                continue;
            };
            let fulfilled = stored
                .iter()
                .filter_map(Value::as_object)
                .find(|s| field(s, "line").and_then(|l| l.as_u64()) == Some(n))
                .map(|s| as_num(field(s, "quantityFulfilled")))
                .unwrap_or(0.0);
            if fulfilled > 0.0 {
                return Err(NsError::bad_request(
                    "USER_ERROR",
                    "Error while accessing a resource. You cannot close a line that has been fulfilled.",
                )
                .path(format!("{}.items[{i}].isClosed", sl.name)));
            }
        }
        Ok(())
    }

    fn insert(&mut self, k: &RecordKind, mut body: Map<String, Value>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        body.insert("id".into(), Value::String(id.to_string()));
        if k.transaction_type.is_some() && !body.contains_key("tranId") {
            body.insert(
                "tranId".into(),
                Value::String(format!("{}{id}", k.tranid_prefix)),
            );
        }
        for sl in k.sublists {
            if let Some(items) = take_lines(&mut body, sl.name) {
                body.insert(
                    sl.name.into(),
                    json!({ "items": number_lines(sl, Vec::new(), items) }),
                );
            }
        }
        let table = self.tables.entry(k.name).or_default();
        if let Some(eid) = body.get("externalId").and_then(Value::as_str) {
            table.by_eid.insert(eid.to_string(), id);
        }
        table.rows.insert(id, Value::Object(body));
        id
    }

    /// Merges `patch` into record `id`. Sublist lines with a known `line`
    /// number are merged into that line; others are appended, unless
    /// `replace` names the sublist, which then replaces it wholesale.
    fn merge(
        &mut self,
        k: &RecordKind,
        id: u64,
        mut patch: Map<String, Value>,
        replace: &[String],
    ) {
        let Some(Value::Object(rec)) = self
            .tables
            .get_mut(k.name)
            .and_then(|t| t.rows.get_mut(&id))
        else {
            return;
        };
        for sl in k.sublists {
            let Some(new_lines) = take_lines(&mut patch, sl.name) else {
                continue;
            };
            let existing = if replace.iter().any(|r| r.eq_ignore_ascii_case(sl.name)) {
                Vec::new()
            } else {
                rec.get(sl.name)
                    .and_then(|s| s.get("items"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            rec.insert(
                sl.name.into(),
                json!({ "items": number_lines(sl, existing, new_lines) }),
            );
        }
        patch.remove("id");
        let old_eid = rec
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_string);
        for (f, v) in patch {
            rec.insert(f, v);
        }
        let new_eid = rec
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_string);
        if old_eid != new_eid {
            if let Some(t) = self.tables.get_mut(k.name) {
                if let Some(o) = old_eid {
                    t.by_eid.remove(&o);
                }
                if let Some(n) = new_eid {
                    t.by_eid.insert(n, id);
                }
            }
        }
    }

    fn remove(&mut self, k: &RecordKind, id: u64) {
        if let Some(t) = self.tables.get_mut(k.name) {
            if let Some(rec) = t.rows.remove(&id) {
                if let Some(eid) = rec.get("externalId").and_then(Value::as_str) {
                    t.by_eid.remove(eid);
                }
            }
        }
    }
}

fn lines(body: &Map<String, Value>, sublist: &str) -> Vec<Value> {
    body.get(sublist)
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn take_lines(body: &mut Map<String, Value>, sublist: &str) -> Option<Vec<Value>> {
    let v = body.remove(sublist)?;
    Some(
        v.get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    )
}

/// Merges incoming lines into `existing` by `line`, numbering new lines
/// after the highest existing one (1-based, as NetSuite's `line`).
fn number_lines(sl: &Sublist, mut existing: Vec<Value>, incoming: Vec<Value>) -> Vec<Value> {
    let line_no = |v: &Value| {
        v.get("line")
            .and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok()))
    };
    let mut next = existing.iter().filter_map(line_no).max().unwrap_or(0) + 1;
    for new in incoming {
        let Value::Object(mut new) = new else {
            continue;
        };
        let target = new
            .get("line")
            .and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok()))
            .and_then(|n| existing.iter().position(|e| line_no(e) == Some(n)));
        match target {
            Some(pos) => {
                if let Some(Value::Object(old)) = existing.get_mut(pos) {
                    new.remove("line");
                    old.extend(new);
                }
            }
            None => {
                new.insert("line".into(), json!(next));
                next += 1;
                if sl.order_line_defaults {
                    new.entry("isClosed").or_insert(json!(false));
                    new.entry("quantityFulfilled").or_insert(json!(0));
                    new.entry("quantityBilled").or_insert(json!(0));
                }
                existing.push(Value::Object(new));
            }
        }
    }
    existing
}

fn invalid_field_value(v: &str, field: &str) -> NsError {
    NsError::bad_request(
        "USER_ERROR",
        format!("Error while accessing a resource. You have entered an Invalid Field Value {v} for the following field: {field}"),
    )
}

fn invalid_id(key: &str) -> NsError {
    NsError::bad_request("INVALID_ID", format!("The record instance ID '{key}' is not valid. Use a numeric internal ID or eid:<externalId>."))
}

fn check_eid(eid: &str) -> Result<(), NsError> {
    if valid_external_id(eid) {
        Ok(())
    } else {
        Err(NsError::bad_request(
            "INVALID_ID",
            format!("Invalid external ID '{eid}'. External IDs may contain only letters, digits, '_' and '-'."),
        ))
    }
}

/// `X-NetSuite-PropertyNameValidation` mode: `Error`, `Warning` (default) or `Ignore`.
fn name_validation(headers: &HeaderMap) -> String {
    headers
        .get("x-netsuite-propertynamevalidation")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("Warning")
        .to_ascii_lowercase()
}

/// First unknown field name in the body or its sublist lines. Field names are
/// matched case-insensitively (Oracle's own examples send `isclosed`), and
/// custom fields (`cust*`) are always accepted.
fn unknown_field(k: &RecordKind, body: &Map<String, Value>) -> Option<String> {
    let known = |list: &[&str], f: &str| {
        f.starts_with("cust") || list.iter().any(|n| n.eq_ignore_ascii_case(f))
    };
    for f in body.keys() {
        if f == "id" || f == "links" {
            continue;
        }
        if let Some(sl) = k.sublists.iter().find(|s| s.name.eq_ignore_ascii_case(f)) {
            for line in lines(body, f) {
                if let Some(bad) = line
                    .as_object()
                    .and_then(|o| o.keys().find(|lf| !known(sl.line_fields, lf)))
                {
                    return Some(bad.clone());
                }
            }
        } else if !known(k.body_fields, f) {
            return Some(f.clone());
        }
    }
    None
}

/// Parses and checks a write body. Returns the body plus a warning for the
/// `X-NetSuite-PropertyValidation` response header, if any.
fn parse_body(
    k: &RecordKind,
    headers: &HeaderMap,
    raw: &[u8],
) -> Result<(Map<String, Value>, Option<String>), NsError> {
    let body: Value = if raw.is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(raw).map_err(|e| {
            // Sim-defined: NetSuite's exact text for malformed JSON is unverified.
            NsError::bad_request(
                "INVALID_CONTENT",
                format!("Invalid JSON in request body: {e}"),
            )
        })?
    };
    let Value::Object(mut body) = body else {
        return Err(NsError::bad_request(
            "INVALID_CONTENT",
            "The request body must be a JSON object.",
        ));
    };
    // Sublist names are canonicalised so later lookups are exact.
    for sl in k.sublists {
        if let Some(key) = body
            .keys()
            .find(|f| *f != sl.name && f.eq_ignore_ascii_case(sl.name))
            .cloned()
        {
            if let Some(v) = body.remove(&key) {
                body.insert(sl.name.into(), v);
            }
        }
    }
    let mut warning = None;
    if let Some(f) = unknown_field(k, &body) {
        let msg =
            format!("Unknown field name {f}. The field does not exist on this record instance.");
        match name_validation(headers).as_str() {
            // Sim-defined error code; the recorded text is the Warning header's.
            "error" => {
                return Err(NsError::bad_request(
                    "USER_ERROR",
                    format!("Error while accessing a resource. {msg}"),
                ))
            }
            "ignore" => {}
            _ => warning = Some(msg),
        }
    }
    if let Some(eid) = body.get("externalId") {
        check_eid(&scalar_string(eid))?;
    }
    Ok((body, warning))
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

fn record_url(headers: &HeaderMap, k: &RecordKind, id: u64) -> String {
    format!(
        "http://{}/services/rest/record/v1/{}/{id}",
        host(headers),
        k.name.to_ascii_lowercase()
    )
}

fn no_content(headers: &HeaderMap, k: &RecordKind, id: u64, warning: Option<String>) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(loc) = HeaderValue::from_str(&record_url(headers, k, id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    if let Some(w) = warning.and_then(|w| HeaderValue::from_str(&w).ok()) {
        resp.headers_mut()
            .insert("x-netsuite-propertyvalidation", w);
    }
    resp
}

fn unknown_type(rtype: &str) -> NsError {
    // Sim-defined: the real service's error for an unknown record type is unverified.
    NsError::new(
        StatusCode::NOT_FOUND,
        "NONEXISTENT_ID",
        format!("Record type '{rtype}' does not exist in the NetSuite simulator."),
    )
}

fn kind_or_404(rtype: &str) -> Result<&'static RecordKind, NsError> {
    kind(rtype).ok_or_else(|| unknown_type(rtype))
}

/// Renders a handler result; INVALID_ID errors carry the request path in
/// `o:errorUrl`, as NetSuite's do (§4).
fn into_response(r: Result<Response, NsError>, uri: &Uri) -> Response {
    r.unwrap_or_else(|e| {
        let e = if e.code == "INVALID_ID" && e.extra("o:errorUrl").is_none() {
            e.url(uri.path())
        } else {
            e
        };
        e.into_response()
    })
}

/// `POST /record/v1/{type}`.
pub(crate) async fn create(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path(rtype): Path<String>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let (body, warning) = parse_body(k, &headers, &raw)?;
            let mut st = sim.state();
            st.records.validate_refs(k, &body, true)?;
            if let Some(eid) = body.get("externalId").map(scalar_string) {
                if st
                    .records
                    .tables
                    .get(k.name)
                    .is_some_and(|t| t.by_eid.contains_key(&eid))
                {
                    // Sim-defined wording: NetSuite's REST text for a duplicate
                    // externalId is unverified (netsuite-rest-api.md §6).
                    return Err(NsError::bad_request(
                    "USER_ERROR",
                    format!("Error while accessing a resource. A record with external ID {eid} already exists."),
                ));
                }
            }
            let id = st.records.insert(k, body);
            tracing::debug!(rtype = k.name, id, "netsuite sim created record");
            Ok(no_content(&headers, k, id, warning))
        })(),
        &uri,
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct ReadParams {
    #[serde(rename = "expandSubResources")]
    expand: Option<String>,
}

fn render(headers: &HeaderMap, k: &RecordKind, id: u64, rec: &Value, expand: bool) -> Value {
    let self_url = record_url(headers, k, id);
    let mut out = rec.as_object().cloned().unwrap_or_default();
    out.insert("links".into(), json!([{"rel": "self", "href": self_url}]));
    for sl in k.sublists {
        let Some(items) = out
            .get(sl.name)
            .and_then(|s| s.get("items"))
            .and_then(Value::as_array)
            .cloned()
        else {
            continue;
        };
        let link = json!([{"rel": "self", "href": format!("{self_url}/{}", sl.name)}]);
        let v = if expand {
            sublist_collection(link, items)
        } else {
            json!({ "links": link })
        };
        out.insert(sl.name.into(), v);
    }
    Value::Object(out)
}

fn sublist_collection(link: Value, items: Vec<Value>) -> Value {
    let n = items.len();
    let items: Vec<Value> = items
        .into_iter()
        .map(|mut l| {
            if let Value::Object(o) = &mut l {
                o.insert("links".into(), json!([]));
            }
            l
        })
        .collect();
    json!({"links": link, "count": n, "hasMore": false, "items": items, "offset": 0, "totalResults": n})
}

fn json_response(v: Value) -> Response {
    let mut resp = (StatusCode::OK, v.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.oracle.resource+json; type=singular-resource; charset=UTF-8",
        ),
    );
    resp
}

/// `GET /record/v1/{type}/{id|eid:x}`.
pub(crate) async fn read(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    Query(p): Query<ReadParams>,
    headers: HeaderMap,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            let rec = st
                .records
                .tables
                .get(k.name)
                .and_then(|t| t.rows.get(&id))
                .ok_or_else(NsError::not_found_record)?;
            let expand = p.expand.is_some_and(|v| v.eq_ignore_ascii_case("true"));
            Ok(json_response(render(&headers, k, id, rec, expand)))
        })(),
        &uri,
    )
}

/// `GET /record/v1/{type}/{id}/{sublist}`: the sublist as a collection.
pub(crate) async fn read_sublist(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key, sublist)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let sl = k
                .sublists
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&sublist))
                .ok_or_else(NsError::not_found_record)?;
            let st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            let rec = st
                .records
                .tables
                .get(k.name)
                .and_then(|t| t.rows.get(&id))
                .ok_or_else(NsError::not_found_record)?;
            let items = rec
                .get(sl.name)
                .and_then(|s| s.get("items"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let link = json!([{"rel": "self", "href": format!("{}/{}", record_url(&headers, k, id), sl.name)}]);
            Ok(json_response(sublist_collection(link, items)))
        })(),
        &uri,
    )
}

/// `PUT /record/v1/{type}/eid:{externalId}`: create or update. On update,
/// body fields are merged and any sublist sent replaces the stored one, so a
/// retried upsert never duplicates lines (sim choice; NetSuite's exact
/// sublist semantics on upsert are unverified).
pub(crate) async fn upsert(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let Some(eid) = key.strip_prefix("eid:") else {
                // Sim-defined: upsert is documented only for eid: keys (§2).
                return Err(NsError::bad_request(
                    "INVALID_ID",
                    "PUT requires an external ID in the URL: eid:<externalId>.",
                ));
            };
            check_eid(eid)?;
            let (mut body, warning) = parse_body(k, &headers, &raw)?;
            body.insert("externalId".into(), Value::String(eid.to_string()));
            let mut st = sim.state();
            let existing = st.records.resolve(k, &key)?;
            st.records.validate_refs(k, &body, existing.is_none())?;
            let id = match existing {
                Some(id) => {
                    let replace: Vec<String> =
                        k.sublists.iter().map(|s| s.name.to_string()).collect();
                    st.records.merge(k, id, body, &replace);
                    id
                }
                None => st.records.insert(k, body),
            };
            Ok(no_content(&headers, k, id, warning))
        })(),
        &uri,
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct PatchParams {
    replace: Option<String>,
}

/// `PATCH /record/v1/{type}/{id|eid:x}`; `?replace=item` replaces a sublist.
pub(crate) async fn update(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    Query(p): Query<PatchParams>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let (body, warning) = parse_body(k, &headers, &raw)?;
            let mut st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            st.records.validate_refs(k, &body, false)?;
            st.records.check_closing(k, id, &body)?;
            if let Some(eid) = body.get("externalId").map(scalar_string) {
                let taken = st
                    .records
                    .tables
                    .get(k.name)
                    .and_then(|t| t.by_eid.get(&eid))
                    .is_some_and(|other| *other != id);
                if taken {
                    return Err(NsError::bad_request(
                    "USER_ERROR",
                    format!("Error while accessing a resource. A record with external ID {eid} already exists."),
                ));
                }
            }
            let replace: Vec<String> = p
                .replace
                .map(|r| r.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default();
            st.records.merge(k, id, body, &replace);
            Ok(no_content(&headers, k, id, warning))
        })(),
        &uri,
    )
}

/// `DELETE /record/v1/{type}/{id|eid:x}`.
pub(crate) async fn remove(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let mut st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            st.records.remove(k, id);
            Ok(StatusCode::NO_CONTENT.into_response())
        })(),
        &uri,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_id_charset() {
        assert!(valid_external_id(
            "tts-7494049642642441621-576461413038785752"
        ));
        assert!(valid_external_id("A_b-9"));
        assert!(!valid_external_id(""));
        assert!(!valid_external_id("a|b"));
        assert!(!valid_external_id("a b"));
    }

    #[test]
    fn lines_merge_by_number_and_append_new() {
        let sl = &KINDS[0].sublists[0];
        let first = number_lines(
            sl,
            Vec::new(),
            vec![
                json!({"item": {"id": "101"}}),
                json!({"item": {"id": "103"}}),
            ],
        );
        assert_eq!(first[1]["line"], 2);
        assert_eq!(first[0]["isClosed"], false);
        let merged = number_lines(
            sl,
            first,
            vec![
                json!({"line": 2, "isClosed": true}),
                json!({"item": {"id": "105"}}),
            ],
        );
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[1]["isClosed"], true);
        assert_eq!(merged[1]["item"]["id"], "103");
        assert_eq!(merged[2]["line"], 3);
    }

    #[test]
    fn kinds_are_case_insensitive() {
        assert_eq!(kind("salesorder").map(|k| k.name), Some("salesOrder"));
        assert_eq!(kind("JOURNALENTRY").map(|k| k.name), Some("journalEntry"));
        assert!(kind("nope").is_none());
    }
}
