//! A generic record store behind `/record/v1/{type}`. Record types are
//! described by data (`KINDS`), not code, so adding creditMemo-style types
//! means adding a table row: body field names, sublists and which references
//! get validated.
//!
//! Behaviour taken from netsuite-rest-api.md §2/§6: create is 204 with an
//! empty body and a `Location` whose type segment is lower-cased
//! (section_1545141395); `PUT eid:{externalId}` creates or updates
//! (section_156335203191); GET returns sublists as links unless
//! `expandSubResources=true` (section_1545141947). References are validated
//! and rendered as described in `refs.rs`.
//!
//! Sublists (all writes: POST, PUT upsert, PATCH and `!transform`):
//! - Create: "lines of a keyed sublist are updated if the line contains
//!   matching keys, and the remaining lines from the request are added"
//!   ("Creating a Sublist", section_1545142420). A new record has no lines,
//!   so every line is added.
//! - Update (PATCH, and PUT upsert of an existing record): a request line
//!   whose `line` matches an existing line updates that line; every other
//!   request line is APPENDED to the lines already there ("Updating a
//!   Sublist", section_1545295601). The upsert endpoint takes the same
//!   `replace` parameter as PATCH and no other sublist rule is documented for
//!   it, so it behaves exactly like PATCH: a retried upsert without
//!   `?replace=item` doubles the lines (netsuite-rest-api.md §0).
//! - `?replace=a,b`: for each named sublist, existing lines whose `line`
//!   matches a request line are updated, all other existing lines are
//!   removed, and unmatched request lines are added ("Replacing a Sublist",
//!   section_1545297048; deleting a line this way, chapter_1545142407). A
//!   named sublist that is absent from the body is emptied (the source is
//!   silent; harsher reading). A name that is not a sublist of the record is
//!   400 INVALID_PARAMETER on `replace` (sim-defined wording). Removing a
//!   line that has been fulfilled or billed is refused (harsher reading).
//! - Line numbers (`line`) are never reused: new lines get numbers above
//!   every line the record had before the request.
//! - A line's `amount` is `quantity × rate` unless the request sets `amount`;
//!   changing `quantity` or `rate` of a stored line recomputes it. A
//!   transaction's `subtotal` (sum of item line amounts) and `total`
//!   (subtotal + `shippingCost` + `handlingCost`) are always recomputed from
//!   the resulting lines; values sent for them are ignored (they are
//!   read-only in the UI, whose validation REST runs, subsect_1544786455).
//!
//! Upsert response: the notes leave open whether PUT returns `Location`
//! ("Open items"). On create it does, like POST (section_1545141395; the
//! REST API Browser lists 204 for PUT). On update it does NOT (harsher
//! reading): a client must read the id with `GET .../eid:<externalId>`.
//! Sim-defined (unverified) details are marked where they occur.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

use super::{NetSuiteSim, NsError};
use crate::seed::NetSuiteSeed;
use rust_decimal::Decimal;
use std::str::FromStr;

mod journal;
mod refs;
mod transform;
pub(crate) use transform::{transform, transform_record};

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
    // Read-only: accepted so a GET body can be sent back; every write restamps it.
    "lastModifiedDate",
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
    "packedDate",
    "pickedDate",
    "shipCarrier",
    "lastModifiedDate",
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
            "lastModifiedDate",
        ],
        sublists: &[Sublist {
            name: "currencyList",
            line_fields: &["currency", "line"],
            item_ref: None,
            order_line_defaults: false,
        }],
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
            // Package sublists, field names per finance-inventory-fulfilment.md §4.1.
            Sublist {
                name: "package",
                line_fields: &[
                    "packageTrackingNumber",
                    "packageWeight",
                    "packageDescr",
                    "packageTrackingNumberReturn",
                    "packageCartonNumber",
                    "line",
                ],
                item_ref: None,
                order_line_defaults: false,
            },
            Sublist {
                name: "packageUps",
                line_fields: &["packageTrackingNumberUps", "packageWeightUps", "line"],
                item_ref: None,
                order_line_defaults: false,
            },
            Sublist {
                name: "packageFedex",
                line_fields: &["packageTrackingNumberFedEx", "packageWeightFedEx", "line"],
                item_ref: None,
                order_line_defaults: false,
            },
            Sublist {
                name: "packageUsps",
                line_fields: &["packageTrackingNumberUsps", "packageWeightUsps", "line"],
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
    refs: refs::RefData,
    /// Chart of accounts and closed periods (journal entries, `journal.rs`).
    pub(crate) books: journal::Books,
}

/// Runtime internal ids start here, clear of the seeded ids.
const FIRST_RUNTIME_ID: u64 = 1000;

pub(crate) fn get_ci<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A JSON number or numeric string as a Decimal (0 otherwise).
pub(crate) fn num(v: Option<&Value>) -> Decimal {
    match v {
        Some(Value::Number(n)) => Decimal::from_str(&n.to_string()).unwrap_or_default(),
        Some(Value::String(s)) => Decimal::from_str(s).unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

pub(crate) fn to_json_number(d: Decimal) -> Value {
    let d = d.normalize();
    serde_json::from_str(&d.to_string()).unwrap_or(Value::Null)
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
            refs: refs::RefData::from_seed(seed),
            books: journal::Books::from_seed(seed),
        };
        for c in &seed.customers {
            let id: u64 = c.id.parse().unwrap_or(0);
            let currency = c.currency.clone().or_else(|| {
                seed.subsidiaries
                    .iter()
                    .find(|s| s.id == c.subsidiary)
                    .map(|s| s.currency.clone())
            });
            let mut rec = json!({
                "id": c.id, "entityId": c.entityid, "email": c.email,
                "companyName": c.companyname, "subsidiary": {"id": c.subsidiary}, "isPerson": false,
                "isInactive": c.isinactive,
            });
            if let Some(cur) = currency {
                rec["currency"] = json!({ "id": cur });
            }
            if !c.currencies.is_empty() {
                let list: Vec<Value> = c
                    .currencies
                    .iter()
                    .enumerate()
                    .map(|(i, cur)| json!({"line": i + 1, "currency": {"id": cur}}))
                    .collect();
                rec["currencyList"] = json!({ "items": list });
            }
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

    /// Overwrites a record's `lastModifiedDate` (tests pin watermarks).
    pub(crate) fn set_last_modified(&mut self, rtype: &str, id: &str, secs: i64) -> bool {
        let Some(k) = kind(rtype) else { return false };
        let Ok(id) = id.parse::<u64>() else {
            return false;
        };
        match self
            .tables
            .get_mut(k.name)
            .and_then(|t| t.rows.get_mut(&id))
        {
            Some(Value::Object(rec)) => {
                rec.insert("lastModifiedDate".into(), json!(iso(secs)));
                true
            }
            _ => false,
        }
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

    /// Refuses a create without the entity the record requires.
    fn check_required(&self, k: &RecordKind, rec: &Map<String, Value>) -> Result<(), NsError> {
        if k.entity_required && get_ci(rec, "entity").is_none() {
            return Err(NsError::bad_request(
                "USER_ERROR",
                "Please enter value(s) for: Customer",
            ));
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

    /// A new record built from a write body: sublists numbered as on
    /// create (section_1545142420), defaults filled, totals computed. Not
    /// stored yet.
    fn prepare_new(&self, k: &RecordKind, mut body: Map<String, Value>) -> Map<String, Value> {
        body.remove("id");
        for sl in k.sublists {
            if let Some(items) = take_lines(&mut body, sl.name) {
                let (lines, _) = apply_lines(sl, Vec::new(), items, false);
                body.insert(sl.name.into(), json!({ "items": lines }));
            }
        }
        self.apply_defaults(k, &mut body);
        recompute_totals(k, &mut body);
        body
    }

    /// Stores a prepared record under a fresh internal id.
    fn store_new(&mut self, k: &RecordKind, mut rec: Map<String, Value>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        stamp(&mut rec);
        rec.insert("id".into(), Value::String(id.to_string()));
        if k.transaction_type.is_some() && !rec.contains_key("tranId") {
            rec.insert(
                "tranId".into(),
                Value::String(format!("{}{id}", k.tranid_prefix)),
            );
        }
        let table = self.tables.entry(k.name).or_default();
        if let Some(eid) = rec.get("externalId").and_then(Value::as_str) {
            table.by_eid.insert(eid.to_string(), id);
        }
        table.rows.insert(id, Value::Object(rec));
        id
    }

    /// Record `id` with `patch` applied (section_1545295601, or
    /// section_1545297048 for the sublists named in `replace`), not stored
    /// yet. Fails if a replace would remove a fulfilled or billed line.
    fn prepare_update(
        &self,
        k: &RecordKind,
        id: u64,
        mut patch: Map<String, Value>,
        replace: &[&'static str],
    ) -> Result<Map<String, Value>, NsError> {
        let mut rec = self
            .tables
            .get(k.name)
            .and_then(|t| t.rows.get(&id))
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(NsError::not_found_record)?;
        for sl in k.sublists {
            let replacing = replace.contains(&sl.name);
            let incoming = match take_lines(&mut patch, sl.name) {
                Some(l) => l,
                None if replacing => Vec::new(),
                None => continue,
            };
            let existing = lines(&rec, sl.name);
            let (merged, removed) = apply_lines(sl, existing, incoming, replacing);
            if let Some(busy) = removed.iter().find(|l| {
                num(l.get("quantityFulfilled")) > Decimal::ZERO
                    || num(l.get("quantityBilled")) > Decimal::ZERO
            }) {
                // Harsher reading; sim-defined wording.
                return Err(NsError::bad_request(
                    "USER_ERROR",
                    format!(
                        "Error while accessing a resource. You cannot remove line {} because it has been fulfilled or billed.",
                        busy.get("line").map(scalar_string).unwrap_or_default()
                    ),
                )
                .path(sl.name));
            }
            rec.insert(sl.name.into(), json!({ "items": merged }));
        }
        patch.remove("id");
        for (f, v) in patch {
            // Field names are case-insensitive (§2 examples send `isclosed`).
            if let Some(existing) = rec.keys().find(|e| e.eq_ignore_ascii_case(&f)).cloned() {
                rec.remove(&existing);
            }
            rec.insert(f, v);
        }
        recompute_totals(k, &mut rec);
        Ok(rec)
    }

    /// Stores an updated record, keeping the externalId index in step.
    fn commit_update(&mut self, k: &RecordKind, id: u64, rec: Map<String, Value>) {
        let Some(t) = self.tables.get_mut(k.name) else {
            return;
        };
        let old_eid = t
            .rows
            .get(&id)
            .and_then(|r| r.get("externalId"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let new_eid = rec
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_string);
        if old_eid != new_eid {
            if let Some(o) = old_eid {
                t.by_eid.remove(&o);
            }
            if let Some(n) = new_eid {
                t.by_eid.insert(n, id);
            }
        }
        let mut rec = rec;
        stamp(&mut rec);
        t.rows.insert(id, Value::Object(rec));
    }

    /// Phase 1 + phase 2 reference checks (`refs.rs`) on a write.
    fn validate(
        &self,
        k: &RecordKind,
        request: &Map<String, Value>,
        result: &Map<String, Value>,
    ) -> Result<(), NsError> {
        self.check_request_refs(k, request)?;
        self.check_agreement(k, result)
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

/// Sets `lastModifiedDate` (read-only, ISO 8601 UTC, whole seconds) to now:
/// every successful write moves it, which is what a watermark query on
/// `transaction.lastmodifieddate` reads (finance-inventory-fulfilment.md §4.2).
pub(crate) fn stamp(rec: &mut Map<String, Value>) {
    rec.retain(|k, _| !k.eq_ignore_ascii_case("lastModifiedDate"));
    rec.insert("lastModifiedDate".into(), json!(iso(crate::now_secs())));
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn iso(secs: i64) -> String {
    format!(
        "{}Z",
        super::suiteql::format_timestamp(secs).replace(' ', "T")
    )
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

fn line_no_of(v: &Value, key: &str) -> Option<u64> {
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
    refs::normalize(k, &mut body);
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

/// 204 with `Location` (create, transform, upsert that created).
fn no_content(headers: &HeaderMap, k: &RecordKind, id: u64, warning: Option<String>) -> Response {
    let mut resp = no_content_without_location(warning);
    if let Ok(loc) = HeaderValue::from_str(&record_url(headers, k, id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    resp
}

/// 204 without `Location` (upsert that updated; see module doc).
fn no_content_without_location(warning: Option<String>) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
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

#[derive(Deserialize, Default)]
pub(crate) struct WriteParams {
    pub(crate) replace: Option<String>,
}

/// The sublists named by `?replace=`, checked against the record type.
fn replace_list(k: &RecordKind, p: &WriteParams) -> Result<Vec<&'static str>, NsError> {
    let Some(raw) = p.replace.as_deref() else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            k.sublists
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(name))
                .map(|s| s.name)
                .ok_or_else(|| {
                    // Sim-defined wording (module doc).
                    NsError::bad_request(
                        "INVALID_PARAMETER",
                        format!("Invalid value for the query parameter replace: {name} is not a sublist of {}.", k.name),
                    )
                    .query_param("replace")
                })
        })
        .collect()
}

fn duplicate_eid(eid: &str) -> NsError {
    // Sim-defined wording: NetSuite's REST text for a duplicate externalId
    // is unverified (netsuite-rest-api.md §6).
    NsError::bad_request(
        "USER_ERROR",
        format!(
            "Error while accessing a resource. A record with external ID {eid} already exists."
        ),
    )
}

impl RecordStore {
    /// Validates and stores a new record built from `body` (create and
    /// upsert-create share this).
    fn create_from(&mut self, k: &RecordKind, body: Map<String, Value>) -> Result<u64, NsError> {
        self.check_request_refs(k, &body)?;
        let rec = self.prepare_new(k, body);
        self.check_required(k, &rec)?;
        self.check_agreement(k, &rec)?;
        if k.name == "journalEntry" {
            self.books.check(&rec)?;
        }
        if let Some(eid) = rec.get("externalId").map(scalar_string) {
            if self
                .tables
                .get(k.name)
                .is_some_and(|t| t.by_eid.contains_key(&eid))
            {
                return Err(duplicate_eid(&eid));
            }
        }
        Ok(self.store_new(k, rec))
    }

    /// Validates and applies an update (PATCH and upsert-update share this).
    fn update_from(
        &mut self,
        k: &RecordKind,
        id: u64,
        body: Map<String, Value>,
        replace: &[&'static str],
    ) -> Result<(), NsError> {
        self.check_closing(k, id, &body)?;
        if let Some(eid) = body.get("externalId").map(scalar_string) {
            let taken = self
                .tables
                .get(k.name)
                .and_then(|t| t.by_eid.get(&eid))
                .is_some_and(|other| *other != id);
            if taken {
                return Err(duplicate_eid(&eid));
            }
        }
        let rec = self.prepare_update(k, id, body.clone(), replace)?;
        self.validate(k, &body, &rec)?;
        if k.name == "journalEntry" {
            // Judged on the merged lines: an upsert that appends its lines
            // to the stored ones (no `?replace=line`) doubles both sides and
            // still balances, exactly as NetSuite would let it.
            self.books.check(&rec)?;
        }
        self.commit_update(k, id, rec);
        Ok(())
    }
}

/// `POST /record/v1/{type}`; `?replace=` is accepted as on PATCH
/// (section_1545297048 shows it on POST).
pub(crate) async fn create(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path(rtype): Path<String>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            replace_list(k, &p)?;
            let (body, warning) = parse_body(k, &headers, &raw)?;
            let mut st = sim.state();
            let id = st.records.create_from(k, body)?;
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

fn render(
    store: &RecordStore,
    headers: &HeaderMap,
    k: &RecordKind,
    id: u64,
    rec: &Value,
    expand: bool,
) -> Value {
    let self_url = record_url(headers, k, id);
    let mut out = rec.as_object().cloned().unwrap_or_default();
    store.render_refs(&format!("http://{}", host(headers)), k, &mut out);
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
            Ok(json_response(render(
                &st.records,
                &headers,
                k,
                id,
                rec,
                expand,
            )))
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
            let base = format!("http://{}", host(&headers));
            let items: Vec<Value> = rec
                .get(sl.name)
                .and_then(|s| s.get("items"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut l| {
                    if let Value::Object(o) = &mut l {
                        st.records.render_line_refs(&base, sl, o);
                    }
                    l
                })
                .collect();
            let link = json!([{"rel": "self", "href": format!("{}/{}", record_url(&headers, k, id), sl.name)}]);
            Ok(json_response(sublist_collection(link, items)))
        })(),
        &uri,
    )
}

/// `PUT /record/v1/{type}/eid:{externalId}[?replace=...]`: creates, or
/// updates exactly like PATCH (module doc: lines are appended unless
/// `replace` names the sublist). 204 with `Location` only when it created.
pub(crate) async fn upsert(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    Query(p): Query<WriteParams>,
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
            let replace = replace_list(k, &p)?;
            let (mut body, warning) = parse_body(k, &headers, &raw)?;
            body.insert("externalId".into(), Value::String(eid.to_string()));
            let mut st = sim.state();
            match st.records.resolve(k, &key)? {
                Some(id) => {
                    st.records.update_from(k, id, body, &replace)?;
                    Ok(no_content_without_location(warning))
                }
                None => {
                    let id = st.records.create_from(k, body)?;
                    Ok(no_content(&headers, k, id, warning))
                }
            }
        })(),
        &uri,
    )
}

/// `PATCH /record/v1/{type}/{id|eid:x}[?replace=...]` (module doc).
pub(crate) async fn update(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let replace = replace_list(k, &p)?;
            let (body, warning) = parse_body(k, &headers, &raw)?;
            let mut st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            st.records.update_from(k, id, body, &replace)?;
            // Unchanged from before: PATCH answers with Location (unverified).
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
        let (first, _) = apply_lines(
            sl,
            Vec::new(),
            vec![
                json!({"item": {"id": "101"}, "quantity": 2, "rate": 1.5}),
                json!({"item": {"id": "103"}}),
            ],
            false,
        );
        assert_eq!(first[1]["line"], 2);
        assert_eq!(first[0]["isClosed"], false);
        assert_eq!(first[0]["amount"], 3);
        let (merged, removed) = apply_lines(
            sl,
            first.clone(),
            vec![
                json!({"line": 2, "isClosed": true}),
                json!({"item": {"id": "105"}}),
                json!({"line": 1, "quantity": 4}),
            ],
            false,
        );
        assert!(removed.is_empty());
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[1]["isClosed"], true);
        assert_eq!(merged[1]["item"]["id"], "103");
        assert_eq!(merged[2]["line"], 3);
        assert_eq!(merged[0]["amount"], 6, "quantity change reprices");

        // Replace: matched lines updated, others removed, new ones numbered
        // above every previous line.
        let (replaced, removed) = apply_lines(
            sl,
            merged,
            vec![
                json!({"line": 3, "quantity": 1}),
                json!({"item": {"id": "104"}}),
            ],
            true,
        );
        assert_eq!(removed.len(), 2);
        assert_eq!(replaced.len(), 2);
        assert_eq!(replaced[0]["item"]["id"], "105");
        assert_eq!(replaced[1]["line"], 4);
    }

    #[test]
    fn kinds_are_case_insensitive() {
        assert_eq!(kind("salesorder").map(|k| k.name), Some("salesOrder"));
        assert_eq!(kind("JOURNALENTRY").map(|k| k.name), Some("journalEntry"));
        assert!(kind("nope").is_none());
    }
}
