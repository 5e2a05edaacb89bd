//! References (`{"id": ...}`) on writes and reads.
//!
//! Writes: every referenced record must exist and be active, and the
//! references must agree with each other, else 400 `USER_ERROR` "You have
//! entered an Invalid Field Value {id} for the following field: {field}"
//! with `o:errorPath` naming the field (the recorded REST error shape,
//! netsuite-rest-api.md §4, section_156570709583). NetSuite runs the same
//! field validation as the UI (records load in edit mode, subsect_1544786455),
//! where an inactive record cannot be selected; the REST notes say nothing
//! more specific, so the simulator takes the harsher reading and refuses
//! inactive references on every write.
//!
//! Agreement rules:
//! - A transaction's `subsidiary` must be the customer's subsidiary ("If you
//!   select this entity on a transaction, the transaction is associated with
//!   this subsidiary", CustomerSubsidiaryRelationship schema; sharing one
//!   customer with several subsidiaries needs the Multi-Subsidiary Customer
//!   feature, section_1507907354, which the simulated account does not
//!   have). When omitted it defaults to the customer's subsidiary.
//! - A transaction's `currency` must be one of the customer's currencies
//!   (its primary currency plus its `currencyList` lines). The notes are
//!   silent; harsher reading. When omitted it defaults to the customer's
//!   primary currency.
//! - A `location` (header or line) must belong to the transaction's
//!   subsidiary (a location record has one subsidiary). Harsher reading.
//! - A customer created without `subsidiary` gets the root subsidiary (the
//!   first seeded one), as Oracle's own minimal customer example creates a
//!   customer without it (article_161581923822); its currency defaults to
//!   that subsidiary's base currency.
//!
//! Reads: a reference comes back as `{"links": [{"rel": "self", "href":
//! ".../record/v1/<type>/<id>"}], "id": "...", "refName": "..."}` (the
//! `links`/`id`/`refName` shape of REST records, section_1545141947). The
//! custom price level `-1` has no record, so its `links` is empty. On writes
//! `refName` and `links` inside a reference are ignored, so a GET body can
//! be sent back.

use serde_json::{json, Map, Value};
use std::collections::HashMap;

use super::{get_ci, invalid_field_value, lines, RecordKind, RecordStore, Sublist, KINDS};
use crate::netsuite::NsError;
use crate::seed::NetSuiteSeed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Ref {
    Customer,
    Subsidiary,
    Location,
    Currency,
    Department,
    Class,
    PriceLevel,
    Item,
    /// A journal line's GL account (`journal.rs`).
    Account,
}

/// One row of reference data (everything but customers, which are records).
#[derive(Debug, Clone)]
pub(crate) struct RefRow {
    pub(crate) name: String,
    pub(crate) active: bool,
    /// Location: its subsidiary. Subsidiary: its base currency.
    pub(crate) parent: Option<String>,
    /// REST record type for `links`, lower-cased as NetSuite's hrefs are (§0).
    pub(crate) link_type: &'static str,
}

/// Reference data from the seed.
#[derive(Default)]
pub(crate) struct RefData {
    rows: HashMap<(Ref, String), RefRow>,
    pub(crate) root_subsidiary: Option<String>,
}

fn item_link_type(itemtype: &str) -> &'static str {
    match itemtype {
        "InvtPart" => "inventoryitem",
        "Kit" => "kititem",
        "OthCharge" => "otherchargeitem",
        "Discount" => "discountitem",
        "NonInvtPart" => "noninventoryitem",
        "Service" => "serviceitem",
        "Assembly" => "assemblyitem",
        _ => "item",
    }
}

impl RefData {
    pub(crate) fn from_seed(seed: &NetSuiteSeed) -> Self {
        let mut rows = HashMap::new();
        let mut put = |r: Ref, id: &str, name: &str, active: bool, parent: Option<&str>, lt| {
            rows.insert(
                (r, id.to_string()),
                RefRow {
                    name: name.to_string(),
                    active,
                    parent: parent.map(str::to_string),
                    link_type: lt,
                },
            );
        };
        for s in &seed.subsidiaries {
            put(
                Ref::Subsidiary,
                &s.id,
                &s.name,
                !s.isinactive,
                Some(&s.currency),
                "subsidiary",
            );
        }
        for l in &seed.locations {
            put(
                Ref::Location,
                &l.id,
                &l.name,
                !l.isinactive,
                Some(&l.subsidiary),
                "location",
            );
        }
        for i in &seed.items {
            put(
                Ref::Item,
                &i.id,
                &i.itemid,
                !i.isinactive,
                None,
                item_link_type(&i.itemtype),
            );
        }
        for (list, r, lt) in [
            (&seed.currencies, Ref::Currency, "currency"),
            (&seed.departments, Ref::Department, "department"),
            (&seed.classes, Ref::Class, "classification"),
            (&seed.price_levels, Ref::PriceLevel, "pricelevel"),
        ] {
            for n in list {
                put(r, &n.id, &n.name, !n.isinactive, None, lt);
            }
        }
        for a in &seed.accounts {
            let name = format!("{} {}", a.acctnumber, a.acctname);
            put(Ref::Account, &a.id, &name, !a.isinactive, None, "account");
        }
        // Custom price: always available, no record behind it (§2).
        put(Ref::PriceLevel, "-1", "Custom", true, None, "");
        Self {
            rows,
            root_subsidiary: seed.subsidiaries.first().map(|s| s.id.clone()),
        }
    }

    pub(crate) fn get(&self, r: Ref, id: &str) -> Option<&RefRow> {
        self.rows.get(&(r, id.to_string()))
    }
}

/// The reference kind of a body field, if it is a validated reference.
pub(crate) fn body_ref(k: &RecordKind, field: &str) -> Option<Ref> {
    let f = field.to_ascii_lowercase();
    match f.as_str() {
        "entity" if k.entity_is_customer => Some(Ref::Customer),
        "subsidiary" => Some(Ref::Subsidiary),
        "location" if k.name != "customer" => Some(Ref::Location),
        "currency" => Some(Ref::Currency),
        "department" if k.name != "customer" => Some(Ref::Department),
        "class" if k.name != "customer" => Some(Ref::Class),
        _ => None,
    }
}

/// The reference kind of a sublist line field.
pub(crate) fn line_ref(sl: &Sublist, field: &str) -> Option<Ref> {
    if sl.item_ref.is_some_and(|f| f.eq_ignore_ascii_case(field)) {
        return Some(Ref::Item);
    }
    match field.to_ascii_lowercase().as_str() {
        "location" => Some(Ref::Location),
        "department" => Some(Ref::Department),
        "class" => Some(Ref::Class),
        "price" if sl.item_ref.is_some() => Some(Ref::PriceLevel),
        "currency" if sl.name == "currencyList" => Some(Ref::Currency),
        "account" if sl.name == "line" => Some(Ref::Account),
        _ => None,
    }
}

/// The id a reference value carries: `{"id": "1"}`, `{"id": 1}`, `"1"` or `1`.
pub(crate) fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => match o.get("id")? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Stores every reference of a write body as `{"id": "<string>"}`.
pub(crate) fn normalize(k: &RecordKind, body: &mut Map<String, Value>) {
    for (f, v) in body.iter_mut() {
        if body_ref(k, f).is_some() || f.eq_ignore_ascii_case("createdFrom") {
            if let Some(id) = id_of(v) {
                *v = json!({ "id": id });
            }
        }
    }
    for sl in k.sublists {
        let Some(items) = body
            .get_mut(sl.name)
            .and_then(|s| s.get_mut("items"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for line in items.iter_mut().filter_map(Value::as_object_mut) {
            for (f, v) in line.iter_mut() {
                if line_ref(sl, f).is_some() {
                    if let Some(id) = id_of(v) {
                        *v = json!({ "id": id });
                    }
                }
            }
        }
    }
}

/// What the simulator knows about a customer record.
pub(crate) struct CustomerInfo {
    pub(crate) name: String,
    pub(crate) active: bool,
    pub(crate) subsidiary: Option<String>,
    pub(crate) currencies: Vec<String>,
    pub(crate) primary_currency: Option<String>,
}

impl RecordStore {
    pub(crate) fn customer(&self, id: &str) -> Option<CustomerInfo> {
        let n: u64 = id.parse().ok()?;
        let rec = self.tables.get("customer")?.rows.get(&n)?.as_object()?;
        let primary = get_ci(rec, "currency").and_then(id_of);
        let mut currencies: Vec<String> = primary.iter().cloned().collect();
        for l in lines(rec, "currencyList") {
            if let Some(c) = l.get("currency").and_then(id_of) {
                if !currencies.contains(&c) {
                    currencies.push(c);
                }
            }
        }
        let name = ["entityId", "companyName"]
            .iter()
            .find_map(|f| get_ci(rec, f).and_then(Value::as_str))
            .unwrap_or_default()
            .to_string();
        Some(CustomerInfo {
            name,
            active: !matches!(get_ci(rec, "isInactive"), Some(Value::Bool(true))),
            subsidiary: get_ci(rec, "subsidiary").and_then(id_of),
            currencies,
            primary_currency: primary,
        })
    }

    /// Whether reference `id` of kind `r` exists and is active.
    fn ref_ok(&self, r: Ref, id: &str) -> bool {
        match r {
            Ref::Customer => self.customer(id).is_some_and(|c| c.active),
            _ => self.refs.get(r, id).is_some_and(|row| row.active),
        }
    }

    /// Phase 1: every reference the request itself carries exists and is
    /// active. Paths point into the request body.
    pub(crate) fn check_request_refs(
        &self,
        k: &RecordKind,
        req: &Map<String, Value>,
    ) -> Result<(), NsError> {
        for (f, v) in req {
            let Some(r) = body_ref(k, f) else { continue };
            let id = id_of(v).unwrap_or_else(|| v.to_string());
            if !self.ref_ok(r, &id) {
                return Err(invalid_field_value(&id, f).path(f.clone()));
            }
        }
        for sl in k.sublists {
            for (i, line) in lines(req, sl.name).iter().enumerate() {
                let Some(o) = line.as_object() else { continue };
                for (f, v) in o {
                    let Some(r) = line_ref(sl, f) else { continue };
                    let id = id_of(v).unwrap_or_else(|| v.to_string());
                    if !self.ref_ok(r, &id) {
                        return Err(
                            invalid_field_value(&id, f).path(format!("{}.items[{i}].{f}", sl.name))
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// Fills `subsidiary`/`currency` defaults of a new record (see module doc).
    pub(crate) fn apply_defaults(&self, k: &RecordKind, rec: &mut Map<String, Value>) {
        if k.name == "customer" {
            if get_ci(rec, "subsidiary").is_none() {
                if let Some(root) = &self.refs.root_subsidiary {
                    rec.insert("subsidiary".into(), json!({ "id": root }));
                }
            }
            if get_ci(rec, "currency").is_none() {
                let base = get_ci(rec, "subsidiary")
                    .and_then(id_of)
                    .and_then(|s| self.refs.get(Ref::Subsidiary, &s))
                    .and_then(|s| s.parent.clone());
                if let Some(c) = base {
                    rec.insert("currency".into(), json!({ "id": c }));
                }
            }
            rec.entry("isInactive").or_insert(json!(false));
            return;
        }
        if !k.entity_is_customer || k.transaction_type.is_none() {
            return;
        }
        let Some(cust) = get_ci(rec, "entity")
            .and_then(id_of)
            .and_then(|id| self.customer(&id))
        else {
            return;
        };
        if get_ci(rec, "subsidiary").is_none() {
            if let Some(s) = cust.subsidiary {
                rec.insert("subsidiary".into(), json!({ "id": s }));
            }
        }
        if get_ci(rec, "currency").is_none() {
            if let Some(c) = cust.primary_currency {
                rec.insert("currency".into(), json!({ "id": c }));
            }
        }
    }

    /// Phase 2: the references of the resulting record agree (module doc).
    pub(crate) fn check_agreement(
        &self,
        k: &RecordKind,
        rec: &Map<String, Value>,
    ) -> Result<(), NsError> {
        let sub = get_ci(rec, "subsidiary").and_then(id_of);
        if k.name == "customer" {
            // Its references were checked in phase 1; nothing to agree with.
            return Ok(());
        }
        if k.entity_is_customer {
            if let Some(cust) = get_ci(rec, "entity")
                .and_then(id_of)
                .and_then(|id| self.customer(&id))
            {
                if let (Some(s), Some(cs)) = (&sub, &cust.subsidiary) {
                    if s != cs {
                        return Err(invalid_field_value(s, "subsidiary").path("subsidiary"));
                    }
                }
                if let Some(c) = get_ci(rec, "currency").and_then(id_of) {
                    if !cust.currencies.is_empty() && !cust.currencies.contains(&c) {
                        return Err(invalid_field_value(&c, "currency").path("currency"));
                    }
                }
            }
        }
        let loc_ok = |loc: &str| -> bool {
            match (&sub, self.refs.get(Ref::Location, loc)) {
                (Some(s), Some(row)) => row.parent.as_deref() == Some(s.as_str()),
                _ => true,
            }
        };
        if let Some(l) = get_ci(rec, "location").and_then(id_of) {
            if !loc_ok(&l) {
                return Err(invalid_field_value(&l, "location").path("location"));
            }
        }
        for sl in k.sublists {
            for (i, line) in lines(rec, sl.name).iter().enumerate() {
                if let Some(l) = line
                    .as_object()
                    .and_then(|o| get_ci(o, "location"))
                    .and_then(id_of)
                {
                    if !loc_ok(&l) {
                        return Err(invalid_field_value(&l, "location")
                            .path(format!("{}.items[{i}].location", sl.name)));
                    }
                }
            }
        }
        Ok(())
    }

    /// `{links, id, refName}` for a stored reference.
    fn render_ref(&self, base: &str, r: Option<Ref>, created_from: bool, id: &str) -> Value {
        let (name, link_type): (Option<String>, Option<String>) = if created_from {
            KINDS
                .iter()
                .find_map(|k| {
                    let rec = self.tables.get(k.name)?.rows.get(&id.parse().ok()?)?;
                    Some((
                        rec.get("tranId")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        Some(k.name.to_ascii_lowercase()),
                    ))
                })
                .unwrap_or((None, None))
        } else {
            match r {
                Some(Ref::Customer) => (
                    self.customer(id).map(|c| c.name),
                    Some("customer".to_string()),
                ),
                Some(r) => match self.refs.get(r, id) {
                    Some(row) => (
                        Some(row.name.clone()),
                        (!row.link_type.is_empty()).then(|| row.link_type.to_string()),
                    ),
                    None => (None, None),
                },
                None => (None, None),
            }
        };
        let links = match link_type {
            Some(t) => {
                json!([{"rel": "self", "href": format!("{base}/services/rest/record/v1/{t}/{id}")}])
            }
            None => json!([]),
        };
        let mut o = Map::new();
        o.insert("links".into(), links);
        o.insert("id".into(), json!(id));
        if let Some(n) = name {
            o.insert("refName".into(), json!(n));
        }
        Value::Object(o)
    }

    /// Expands every stored reference of `rec` (body and lines) for a GET.
    pub(crate) fn render_refs(&self, base: &str, k: &RecordKind, rec: &mut Map<String, Value>) {
        for (f, v) in rec.iter_mut() {
            let r = body_ref(k, f);
            let cf = f.eq_ignore_ascii_case("createdFrom");
            if r.is_none() && !cf {
                continue;
            }
            if let Some(id) = id_of(v).filter(|_| v.is_object()) {
                *v = self.render_ref(base, r, cf, &id);
            }
        }
        for sl in k.sublists {
            let Some(items) = rec
                .get_mut(sl.name)
                .and_then(|s| s.get_mut("items"))
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for line in items.iter_mut().filter_map(Value::as_object_mut) {
                self.render_line_refs(base, sl, line);
            }
        }
    }

    pub(crate) fn render_line_refs(&self, base: &str, sl: &Sublist, line: &mut Map<String, Value>) {
        for (f, v) in line.iter_mut() {
            let Some(r) = line_ref(sl, f) else { continue };
            if let Some(id) = id_of(v).filter(|_| v.is_object()) {
                *v = self.render_ref(base, Some(r), false, &id);
            }
        }
    }
}
