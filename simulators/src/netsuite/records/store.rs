//! The record store itself: one table of records per type, keyed by
//! internal id and by external id, with the create/update/delete steps the
//! HTTP handlers (`http.rs`) and transforms (`transform.rs`) share, and the
//! small JSON helpers they all use. Runtime ids start at 1000, clear of the
//! seeded ones (sim-defined).

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use super::sublists::take_lines;
use super::{apply_lines, kind, lines, recompute_totals, NsError, RecordKind, KINDS};
use crate::seed::NetSuiteSeed;

#[derive(Default)]
pub(super) struct Table {
    pub(super) rows: BTreeMap<u64, Value>,
    pub(super) by_eid: HashMap<String, u64>,
}

pub(crate) struct RecordStore {
    pub(super) next_id: u64,
    pub(super) tables: BTreeMap<&'static str, Table>,
    pub(super) refs: super::refs::RefData,
    /// Chart of accounts and closed periods (journal entries, `journal.rs`).
    pub(crate) books: super::journal_entry::Books,
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

pub(super) fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// NetSuite accepts `[A-Za-z0-9_-]` in external ids used in URLs (§2).
pub(super) fn valid_external_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(super) fn invalid_id(key: &str) -> NsError {
    NsError::bad_request("INVALID_ID", format!("The record instance ID '{key}' is not valid. Use a numeric internal ID or eid:<externalId>."))
}

pub(super) fn check_eid(eid: &str) -> Result<(), NsError> {
    if valid_external_id(eid) {
        Ok(())
    } else {
        Err(NsError::bad_request(
            "INVALID_ID",
            format!("Invalid external ID '{eid}'. External IDs may contain only letters, digits, '_' and '-'."),
        ))
    }
}

impl RecordStore {
    pub(crate) fn from_seed(seed: &NetSuiteSeed) -> Self {
        let mut store = Self {
            next_id: FIRST_RUNTIME_ID,
            tables: BTreeMap::new(),
            refs: super::refs::RefData::from_seed(seed),
            books: super::journal_entry::Books::from_seed(seed),
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

    pub(super) fn table(&self, rtype: &str) -> Option<&Table> {
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

    /// Sets one body field of a stored record (a UI action the simulator
    /// stands in for, e.g. a supervisor approving a journal); false when
    /// there is no such record.
    pub(crate) fn set_field_by_eid(
        &mut self,
        rtype: &str,
        eid: &str,
        field: &str,
        v: Value,
    ) -> bool {
        let Some(t) = self.tables.get_mut(rtype) else {
            return false;
        };
        let Some(id) = t.by_eid.get(eid).copied() else {
            return false;
        };
        match t.rows.get_mut(&id).and_then(Value::as_object_mut) {
            Some(o) => {
                o.insert(field.to_string(), v);
                true
            }
            None => false,
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
    pub(super) fn resolve(&self, k: &RecordKind, key: &str) -> Result<Option<u64>, NsError> {
        let t = self.tables.get(k.name);
        if let Some(eid) = key.strip_prefix("eid:") {
            check_eid(eid)?;
            return Ok(t.and_then(|t| t.by_eid.get(eid).copied()));
        }
        let id: u64 = key.parse().map_err(|_| invalid_id(key))?;
        Ok(t.filter(|t| t.rows.contains_key(&id)).map(|_| id))
    }

    /// Refuses a create without the entity the record requires.
    pub(super) fn check_required(
        &self,
        k: &RecordKind,
        rec: &Map<String, Value>,
    ) -> Result<(), NsError> {
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
    pub(super) fn check_closing(
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
    pub(super) fn prepare_new(
        &self,
        k: &RecordKind,
        mut body: Map<String, Value>,
    ) -> Map<String, Value> {
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
    pub(super) fn store_new(&mut self, k: &RecordKind, mut rec: Map<String, Value>) -> u64 {
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
    pub(super) fn prepare_update(
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
    pub(super) fn commit_update(&mut self, k: &RecordKind, id: u64, rec: Map<String, Value>) {
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
    pub(super) fn validate(
        &self,
        k: &RecordKind,
        request: &Map<String, Value>,
        result: &Map<String, Value>,
    ) -> Result<(), NsError> {
        self.check_request_refs(k, request)?;
        self.check_agreement(k, result)
    }

    pub(super) fn remove(&mut self, k: &RecordKind, id: u64) {
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
        crate::netsuite::suiteql::format_timestamp(secs).replace(' ', "T")
    )
}

pub(super) fn duplicate_eid(eid: &str) -> NsError {
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
    pub(super) fn create_from(
        &mut self,
        k: &RecordKind,
        body: Map<String, Value>,
    ) -> Result<u64, NsError> {
        self.check_request_refs(k, &body)?;
        let mut rec = self.prepare_new(k, body);
        self.check_required(k, &rec)?;
        self.check_agreement(k, &rec)?;
        if k.name == "journalEntry" {
            self.books.check(&rec)?;
            self.books.stamp_approval(&mut rec);
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
    pub(super) fn update_from(
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
        if k.name == "journalEntry" {
            if let Some(Value::Object(stored)) = self.get(k.name, &id.to_string()) {
                self.books.check_period(&stored)?;
            }
        }
        let mut rec = self.prepare_update(k, id, body.clone(), replace)?;
        self.validate(k, &body, &rec)?;
        if k.name == "journalEntry" {
            // Judged on the merged lines: an upsert that appends its lines
            // to the stored ones (no `?replace=line`) doubles both sides and
            // still balances, exactly as NetSuite would let it.
            self.books.check(&rec)?;
            self.books.stamp_approval(&mut rec);
        }
        self.commit_update(k, id, rec);
        Ok(())
    }
}
