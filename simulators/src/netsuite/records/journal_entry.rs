//! What NetSuite checks on a `journalEntry` write, run on the record that
//! would be stored (after the request's lines were merged with the stored
//! ones, so an upsert that appends lines is judged on the whole result).
//!
//! Sources and readings:
//! - **Balance to the cent.** Debits must equal credits, else 400
//!   `USER_ERROR` "Error while accessing a resource. The amounts in a
//!   journal entry must balance." (the recorded REST response,
//!   netsuite-rest-api.md §4 and §2 "Journal entry", from
//!   target-netsuite-v2's `create_invalid_journal_entry_amount_test`).
//! - **Line limit.** Oracle section_N550610: "For journal entries, these
//!   limits are 1,000 lines for the user interface and for synchronous SOAP
//!   web services" (finance-inventory-fulfilment.md §0 item 7). REST is not
//!   stated; harsher reading: synchronous REST has the same 1,000 lines.
//!   Wording sim-defined.
//! - **Accounts.** A line's `account` must exist and be active (the
//!   reference checks of `refs.rs`: "Invalid Field Value … account"); it
//!   must be postable, i.e. not a summary account, and available to the
//!   entry's subsidiary (NetSuite's account record restricts accounts to
//!   subsidiaries; the REST notes are silent on the error: harsher reading,
//!   the same Invalid Field Value on `line.items[i].account`).
//! - **One amount per line.** A line carries a debit or a credit, positive,
//!   in whole cents (the UI takes one or the other; the notes are silent on
//!   REST: harsher reading, anything else is an Invalid Field Value).
//!   "You must enter at least one line item for this transaction." for an
//!   entry without lines (NetSuite's standard transaction message; wording
//!   unverified for REST).
//! - **Subsidiary and currency.** Oracle's minimal REST example sends
//!   `subsidiary` (section_0223040947); the simulated account is OneWorld,
//!   so it is required ("Please enter value(s) for: Subsidiary"). The
//!   currency defaults to the subsidiary's base currency; another currency
//!   needs an `exchangeRate` (the simulator has no rate table; harsher
//!   reading).
//! - **Posting period.** "NetSuite does not process a transaction with a
//!   date in a closed period" (Oracle help bridgehead_4337970750); the
//!   message "The transaction date is not within an open accounting
//!   period." is quoted from NetSuite by a third party (wp.jjknowledgebase
//!   .com/?p=53296). The account's "default posting period when the date is
//!   in a closed period" preference is not simulated: a closed period is
//!   refused (harsher reading) with 400 `USER_ERROR`, the code
//!   netsuite-rest-api.md §4 gives NetSuite's business-rule refusals. An
//!   edit of an entry already stored in a closed period is refused the
//!   same way, whatever date it asks for. Periods are calendar months
//!   `YYYY-MM`, closed from the seed, with `POST /_sim/periods` or
//!   `NetSuiteSim::set_period_closed`, and listed by SuiteQL
//!   `accountingperiod` (`suiteql/tables/periods.rs`).
//! - **Journal approval.** Oracle's Records Browser lists `approved`
//!   (checkbox, "Approved") on the `journalentry` record; with the
//!   accounting preference "Require Approvals on Journal Entries" on, a new
//!   entry waits for a supervisor and does not post until approved (Oracle
//!   help "Journal Entry Approval"). The simulated account has the setting
//!   (`journal_approval_required`, seed or `set_journal_approval`): every
//!   journal entry is stored `approved: false`. Harsher readings where the
//!   help is silent for REST: a creator's own `approved: true` is ignored
//!   (the integration role is not taken to be the approver), and an edit
//!   to an entry sends it back to waiting. Without the setting every entry
//!   is stored `approved: true`.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

use super::kinds::{RecordKind, Sublist, TRAN_BODY};
use super::refs::id_of;
use super::{get_ci, invalid_field_value, lines, num};
use crate::netsuite::NsError;
use crate::seed::{AccountSeed, NetSuiteSeed};

/// The most lines a journal entry may have (section_N550610, see module doc).
pub(crate) const MAX_JOURNAL_LINES: usize = 1000;

/// The chart of accounts and the closed periods.
#[derive(Default)]
pub(crate) struct Books {
    accounts: HashMap<String, AccountSeed>,
    /// Subsidiary id → base currency id.
    base_currency: HashMap<String, String>,
    pub(crate) closed: BTreeSet<String>,
    /// "Require Approvals on Journal Entries" (module doc).
    pub(crate) approval_required: bool,
}

fn user_error(detail: impl Into<String>) -> NsError {
    NsError::bad_request("USER_ERROR", detail)
}

impl Books {
    pub(crate) fn from_seed(seed: &NetSuiteSeed) -> Self {
        Self {
            accounts: seed
                .accounts
                .iter()
                .map(|a| (a.id.clone(), a.clone()))
                .collect(),
            base_currency: seed
                .subsidiaries
                .iter()
                .map(|s| (s.id.clone(), s.currency.clone()))
                .collect(),
            closed: seed.closed_periods.iter().cloned().collect(),
            approval_required: seed.journal_approval_required,
        }
    }

    /// Stamps `approved` on an entry about to be stored (module doc).
    pub(crate) fn stamp_approval(&self, rec: &mut Map<String, Value>) {
        rec.insert("approved".into(), Value::Bool(!self.approval_required));
    }

    /// 400 `USER_ERROR` (netsuite-rest-api.md §4) when the entry's
    /// `tranDate` is in a closed period (module doc, "Posting period").
    /// Also run on the stored entry before an edit: NetSuite does not
    /// change a transaction of a closed period either (harsher reading of
    /// bridgehead_4337970750 for a move out of it).
    pub(crate) fn check_period(&self, rec: &Map<String, Value>) -> Result<(), NsError> {
        if let Some(period) = get_ci(rec, "tranDate")
            .and_then(Value::as_str)
            .and_then(|d| d.get(..7))
        {
            if self.closed.contains(period) {
                return Err(user_error(
                    "Error while accessing a resource. The transaction date is not within an open accounting period.",
                )
                .path("tranDate"));
            }
        }
        Ok(())
    }

    /// The checks of the module doc on the record about to be stored.
    pub(crate) fn check(&self, rec: &Map<String, Value>) -> Result<(), NsError> {
        let Some(sub) = get_ci(rec, "subsidiary").and_then(id_of) else {
            return Err(user_error("Please enter value(s) for: Subsidiary").path("subsidiary"));
        };
        if let Some(cur) = get_ci(rec, "currency").and_then(id_of) {
            let base = self.base_currency.get(&sub);
            if base != Some(&cur) && get_ci(rec, "exchangeRate").is_none() {
                return Err(invalid_field_value(&cur, "currency").path("currency"));
            }
        }
        self.check_period(rec)?;
        let items = lines(rec, "line");
        if items.is_empty() {
            return Err(user_error(
                "You must enter at least one line item for this transaction.",
            ));
        }
        if items.len() > MAX_JOURNAL_LINES {
            return Err(user_error(format!(
                "Error while accessing a resource. A journal entry can have at most {MAX_JOURNAL_LINES} lines; this one has {}.",
                items.len()
            ))
            .path("line"));
        }
        let (mut debits, mut credits) = (Decimal::ZERO, Decimal::ZERO);
        for (i, l) in items.iter().enumerate() {
            let empty = Map::new();
            let o = l.as_object().unwrap_or(&empty);
            let at = |f: &str| format!("line.items[{i}].{f}");
            let Some(acct) = get_ci(o, "account").and_then(id_of) else {
                return Err(user_error("Please enter value(s) for: Account").path(at("account")));
            };
            let postable = self.accounts.get(&acct).is_some_and(|a| {
                !a.isinactive
                    && !a.issummary
                    && (a.subsidiaries.is_empty() || a.subsidiaries.contains(&sub))
            });
            if !postable {
                return Err(invalid_field_value(&acct, "account").path(at("account")));
            }
            let debit = get_ci(o, "debit").filter(|v| !v.is_null());
            let credit = get_ci(o, "credit").filter(|v| !v.is_null());
            let (field, v) = match (debit, credit) {
                (Some(d), None) => ("debit", d),
                (None, Some(c)) => ("credit", c),
                (Some(d), Some(c)) if num(Some(c)).is_zero() => ("debit", d),
                (Some(d), Some(c)) if num(Some(d)).is_zero() => ("credit", c),
                (Some(d), Some(_)) => {
                    return Err(invalid_field_value(&d.to_string(), "debit").path(at("debit")))
                }
                (None, None) => {
                    return Err(
                        user_error("Please enter value(s) for: Debit or Credit").path(at("debit"))
                    )
                }
            };
            let amount = num(Some(v));
            let well_formed = matches!(v, Value::Number(_))
                || v.as_str().is_some_and(|s| s.parse::<Decimal>().is_ok());
            if !well_formed || amount <= Decimal::ZERO || amount.round_dp(2) != amount {
                return Err(invalid_field_value(&v.to_string(), field).path(at(field)));
            }
            if field == "debit" {
                debits += amount;
            } else {
                credits += amount;
            }
        }
        if debits != credits {
            return Err(user_error(
                "Error while accessing a resource. The amounts in a journal entry must balance.",
            ));
        }
        Ok(())
    }

    /// Every account, for SuiteQL `account`.
    pub(crate) fn accounts(&self) -> impl Iterator<Item = &AccountSeed> {
        self.accounts.values()
    }
}

/// The `journalEntry` record type (`/record/v1/journalEntry`, SuiteQL type
/// code `Journal`): one `line` sublist of debits and credits.
pub(super) const KIND: RecordKind = RecordKind {
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
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn books() -> Books {
        let seed: crate::seed::Seed =
            serde_json::from_str(include_str!("../../../seed.json")).unwrap();
        let mut b = Books::from_seed(&seed.netsuite);
        b.closed.insert("2025-12".into());
        b
    }

    fn je(lines: Value) -> Map<String, Value> {
        json!({"subsidiary": {"id": "1"}, "currency": {"id": "1"}, "tranDate": "2026-01-01",
               "line": {"items": lines}})
        .as_object()
        .unwrap()
        .clone()
    }

    fn detail(e: NsError) -> String {
        e.body().to_string()
    }

    #[test]
    fn a_balanced_entry_on_postable_accounts_passes_and_every_rule_has_its_error() {
        let b = books();
        let ok = je(json!([{"account": {"id": "103"}, "debit": 79.49},
                           {"account": {"id": "105"}, "credit": "79.49"}]));
        b.check(&ok).unwrap();
        let off = je(json!([{"account": {"id": "103"}, "debit": 79.49},
                            {"account": {"id": "105"}, "credit": 79.48}]));
        assert!(detail(b.check(&off).unwrap_err()).contains("must balance"));
        let summary = je(json!([{"account": {"id": "110"}, "debit": 1},
                                {"account": {"id": "105"}, "credit": 1}]));
        assert!(detail(b.check(&summary).unwrap_err()).contains("line.items[0].account"));
        let other_sub = je(json!([{"account": {"id": "122"}, "debit": 1},
                                  {"account": {"id": "105"}, "credit": 1}]));
        assert!(detail(b.check(&other_sub).unwrap_err()).contains("Invalid Field Value 122"));
        let cents = je(json!([{"account": {"id": "103"}, "debit": 1.005},
                              {"account": {"id": "105"}, "credit": 1.005}]));
        assert!(detail(b.check(&cents).unwrap_err()).contains("debit"));
        let both = je(json!([{"account": {"id": "103"}, "debit": 1, "credit": 1}]));
        assert!(b.check(&both).is_err());
        let mut closed = ok.clone();
        closed.insert("tranDate".into(), json!("2025-12-31"));
        assert!(detail(b.check(&closed).unwrap_err()).contains("open accounting period"));
        assert!(detail(b.check_period(&closed).unwrap_err()).contains("USER_ERROR"));
        b.check_period(&ok).unwrap();
        let mut no_sub = ok.clone();
        no_sub.remove("subsidiary");
        assert!(detail(b.check(&no_sub).unwrap_err()).contains("Subsidiary"));
        let mut gbp = ok.clone();
        gbp.insert("currency".into(), json!({"id": "2"}));
        assert!(b.check(&gbp).is_err(), "foreign currency without a rate");
        gbp.insert("exchangeRate".into(), json!(1.27));
        b.check(&gbp).unwrap();
        let many: Vec<Value> = (0..=MAX_JOURNAL_LINES)
            .map(|i| {
                if i % 2 == 0 {
                    json!({"account": {"id": "103"}, "debit": 1})
                } else {
                    json!({"account": {"id": "105"}, "credit": 1})
                }
            })
            .collect();
        assert!(detail(b.check(&je(json!(many))).unwrap_err()).contains("at most 1000"));
        assert!(b.check(&je(json!([]))).is_err());
    }

    #[test]
    fn with_approval_required_every_entry_is_stored_waiting_even_when_it_says_approved() {
        let mut b = books();
        let mut rec = je(json!([]));
        rec.insert("approved".into(), json!(true));
        b.stamp_approval(&mut rec);
        assert_eq!(rec["approved"], json!(true), "no setting: approved");
        b.approval_required = true;
        b.stamp_approval(&mut rec);
        assert_eq!(rec["approved"], json!(false));
    }
}
