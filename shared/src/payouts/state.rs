//! What the payout job remembers per shop, in the job-state items of the
//! job runs table (`JobRuns::get_state` / `put_state`, job `payouts`):
//!
//! - `stmt#<id>`: the statement's [`StatementState`] (journal id, hold
//!   reason, the digest of the last journal body sent, which status the
//!   finance email was sent for);
//! - `pay#<id>`: a payment's [`PaymentState`];
//! - `raw#<id>#<page>`: each page of Transactions by Statement exactly as
//!   TikTok sent it (the webhook archives raw events the same way: the
//!   bytes first, so a journal can be rebuilt and audited; a page of 100
//!   rows is far below DynamoDB's 400 KB item limit);
//! - `match#<id>#<chunk>`: the match status of each transaction, 5,000 a
//!   chunk (`<transaction id>=<status>` lines);
//! - `reserve`: the shop's reserve ledger, one movement per statement
//!   (`checks::ReserveLedger`);
//! - `index`: the statement ids seen, newest last (for `payouts list`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::checks::{ClearingCheck, ReserveLedger, RollForward};
use super::matching::MatchStatus;
use super::report::ReportRow;
use super::revise::Correction;
use crate::domain::{Money, ShopId};
use crate::store::{JobRuns, StoreError};

/// The job name the state is kept under.
pub const JOB: &str = "payouts";
/// Transactions per `match#` item.
pub const MATCH_CHUNK: usize = 5000;

crate::string_enum! {
    /// Where a statement's journal stands.
    #[derive(Default)]
    pub enum PostStatus {
        /// The journal entry is in NetSuite.
        Posted = "posted",
        /// Not posted: it does not add up (or cannot be read); reported.
        #[default]
        Held = "held",
        /// NetSuite refused it; the reason is kept and the next run retries.
        Failed = "failed",
        /// In NetSuite but not approved (`approved` false on the entry read
        /// back: the account requires journal approval); each run reads it
        /// again until a supervisor approves it.
        AwaitingApproval = "awaiting_approval",
        /// TikTok reissued it and it no longer adds up: the journal that
        /// was booked is reversed (`corrections`), and the statement is
        /// held until it adds up again, when a new journal is posted.
        Reversed = "reversed",
    }
}

/// One statement, as the job left it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatementState {
    pub statement_id: String,
    pub statement_time: i64,
    pub currency: String,
    #[serde(default)]
    pub payment_id: Option<String>,
    pub payable: Money,
    pub status: PostStatus,
    pub external_id: String,
    #[serde(default)]
    pub journal_id: Option<String>,
    /// sha256 of the last journal body NetSuite accepted.
    #[serde(default)]
    pub body_digest: String,
    #[serde(default)]
    pub reason: Option<String>,
    pub pages: usize,
    pub transactions: usize,
    pub journal_lines: usize,
    #[serde(default)]
    pub unknown_fee_keys: Vec<String>,
    /// Transactions whose match needs attention.
    pub unmatched: usize,
    /// The status the finance email was sent for, and when.
    #[serde(default)]
    pub emailed: Option<(PostStatus, i64)>,
    /// What the last email showed: the journal's digest and the payable
    /// (`None`: state from before issue 23, keyed on the status alone).
    #[serde(default)]
    pub emailed_journal: Option<String>,
    pub updated_at: i64,
    /// This statement's reserve roll-forward (`checks`).
    #[serde(default)]
    pub reserve: Option<RollForward>,
    /// How many of its journals were reversed: the live journal's
    /// externalId is `revise::journal_external_id(base, generation)`.
    #[serde(default)]
    pub generation: u32,
    /// The live journal's `tranDate` (None: from before issue 23, the
    /// statement date).
    #[serde(default)]
    pub journal_date: Option<String>,
    /// Reversing and adjusting entries, oldest first (`revise`).
    #[serde(default)]
    pub corrections: Vec<Correction>,
}

impl StatementState {
    /// What finance's email must show again when it changes: the status,
    /// the journal sent (its body's digest) and the payable.
    fn journal_key(&self) -> String {
        format!("{}|{}", self.body_digest, self.payable)
    }

    /// Whether finance's last email still describes this statement: same
    /// status **and** same journal (a statement rewritten from 55.20 to
    /// 35.20 keeps its status but is mailed again).
    pub fn already_emailed(&self) -> bool {
        self.emailed
            .as_ref()
            .is_some_and(|(s, _)| *s == self.status)
            && self
                .emailed_journal
                .as_ref()
                .is_none_or(|k| *k == self.journal_key())
    }

    /// Records that finance was mailed this status and journal at `now`.
    pub fn mark_emailed(&mut self, now: i64) {
        self.emailed = Some((self.status.clone(), now));
        self.emailed_journal = Some(self.journal_key());
    }
}

/// The status and reason of a journal entry NetSuite holds, from its
/// `approved` field read back (absent: the account does not use journal
/// approval, so it is posted).
pub fn posted_or_waiting(rec: &Value, external_id: &str) -> (PostStatus, Option<String>) {
    match rec.get("approved").and_then(Value::as_bool) {
        Some(false) => (
            PostStatus::AwaitingApproval,
            Some(format!(
                "journal entry {external_id} is in NetSuite but waits for approval (approved = false): a supervisor approves it in NetSuite; the next run reads it again"
            )),
        ),
        _ => (PostStatus::Posted, None),
    }
}

/// One payment, as the job left it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PaymentState {
    pub payment_id: String,
    pub statements: Vec<String>,
    pub status: PostStatus,
    pub external_id: String,
    #[serde(default)]
    pub journal_id: Option<String>,
    #[serde(default)]
    pub body_digest: String,
    #[serde(default)]
    pub reason: Option<String>,
    pub updated_at: i64,
    /// The clearing account over this payment (`None`: not paid yet).
    #[serde(default)]
    pub clearing: Option<ClearingCheck>,
}

fn decode<T: for<'de> Deserialize<'de>>(
    name: &str,
    v: Option<String>,
) -> Result<Option<T>, StoreError> {
    v.map(|s| {
        serde_json::from_str(&s).map_err(|e| {
            StoreError::unavailable(
                crate::store::Store::JobRuns,
                format!("payout state {name} is unreadable: {e}"),
            )
        })
    })
    .transpose()
}

fn encode<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The payout job's state for one shop.
pub struct PayoutStore<'a> {
    pub runs: &'a dyn JobRuns,
    pub shop: &'a ShopId,
}

impl PayoutStore<'_> {
    pub async fn statement(&self, id: &str) -> Result<Option<StatementState>, StoreError> {
        let name = format!("stmt#{id}");
        decode(&name, self.runs.get_state(JOB, self.shop, &name).await?)
    }

    pub async fn put_statement(&self, s: &StatementState) -> Result<(), StoreError> {
        let name = format!("stmt#{}", s.statement_id);
        self.runs
            .put_state(JOB, self.shop, &name, &encode(s))
            .await?;
        let mut index = self.index().await?;
        if !index.contains(&s.statement_id) {
            index.push(s.statement_id.clone());
            self.runs
                .put_state(JOB, self.shop, "index", &encode(&index))
                .await?;
        }
        Ok(())
    }

    /// Statement ids seen, oldest first.
    pub async fn index(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            decode("index", self.runs.get_state(JOB, self.shop, "index").await?)?
                .unwrap_or_default(),
        )
    }

    pub async fn payment(&self, id: &str) -> Result<Option<PaymentState>, StoreError> {
        let name = format!("pay#{id}");
        decode(&name, self.runs.get_state(JOB, self.shop, &name).await?)
    }

    pub async fn put_payment(&self, p: &PaymentState) -> Result<(), StoreError> {
        let name = format!("pay#{}", p.payment_id);
        self.runs.put_state(JOB, self.shop, &name, &encode(p)).await
    }

    /// The shop's reserve ledger (`reserve`).
    pub async fn reserve_ledger(&self) -> Result<ReserveLedger, StoreError> {
        Ok(decode(
            "reserve",
            self.runs.get_state(JOB, self.shop, "reserve").await?,
        )?
        .unwrap_or_default())
    }

    pub async fn put_reserve_ledger(&self, l: &ReserveLedger) -> Result<(), StoreError> {
        self.runs
            .put_state(JOB, self.shop, "reserve", &encode(l))
            .await
    }

    /// Keeps pages `(n from 1, text as TikTok sent it)` of a statement
    /// (`JobRuns::put_states`: 25 a round trip, not one each).
    pub async fn put_raw_pages(
        &self,
        id: &str,
        pages: Vec<(usize, String)>,
    ) -> Result<(), StoreError> {
        let items: Vec<(String, String)> = pages
            .into_iter()
            .map(|(n, raw)| (format!("raw#{id}#{n:05}"), raw))
            .collect();
        self.runs.put_states(JOB, self.shop, &items).await
    }

    /// Kept page `n` (from 1) of a statement.
    pub async fn raw_page(&self, id: &str, n: usize) -> Result<Option<Value>, StoreError> {
        let name = format!("raw#{id}#{n:05}");
        decode(&name, self.runs.get_state(JOB, self.shop, &name).await?)
    }

    /// Every kept page of a statement, in order.
    pub async fn raw_pages(&self, id: &str) -> Result<Vec<Value>, StoreError> {
        let mut out = Vec::new();
        for n in 1.. {
            let name = format!("raw#{id}#{n:05}");
            match decode::<Value>(&name, self.runs.get_state(JOB, self.shop, &name).await?)? {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Ok(out)
    }

    /// Stores each transaction's match status, as the report rows carry it
    /// (`sales_order`, set by `email::rows_with_matches`): chunks of
    /// [`MATCH_CHUNK`] lines `id=status`, written together. Taken from the
    /// rows so the job does not keep a second list of 100,000 ids.
    pub async fn put_matches(&self, id: &str, rows: &[ReportRow]) -> Result<(), StoreError> {
        let items: Vec<(String, String)> = rows
            .chunks(MATCH_CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                let text: String = chunk
                    .iter()
                    .map(|r| format!("{}={}\n", r.transaction_id, r.sales_order))
                    .collect();
                (format!("match#{id}#{i:03}"), text)
            })
            .collect();
        self.runs.put_states(JOB, self.shop, &items).await
    }

    /// Every stored (transaction id, match status) of a statement.
    pub async fn matches(&self, id: &str) -> Result<Vec<(String, MatchStatus)>, StoreError> {
        let mut out = Vec::new();
        for i in 0.. {
            let name = format!("match#{id}#{i:03}");
            let Some(text) = self.runs.get_state(JOB, self.shop, &name).await? else {
                break;
            };
            out.extend(text.lines().filter_map(|l| {
                let (t, s) = l.split_once('=')?;
                Some((t.to_string(), MatchStatus::parse(s)))
            }));
        }
        Ok(out)
    }
}

/// A whole statement rebuilt from its kept pages: the last page's fields,
/// every page's transactions (de-duplicated by id, first kept).
pub fn assemble(pages: Vec<Value>) -> Value {
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    let mut last = serde_json::Map::new();
    for page in pages {
        let Value::Object(mut m) = page else { continue };
        if let Some(Value::Array(txs)) = m.remove("transactions") {
            for t in txs {
                let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
                if id.is_empty() || seen.insert(id.to_string()) {
                    rows.push(t);
                }
            }
        }
        last = m;
    }
    last.insert("next_page_token".into(), Value::from(""));
    last.insert("transactions".into(), Value::Array(rows));
    Value::Object(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_assemble_into_one_statement_without_duplicates() {
        let a = json!({"id": "1", "total_count": 3, "next_page_token": "x",
                       "transactions": [{"id": "a"}, {"id": "b"}]});
        let b = json!({"id": "1", "total_count": 3, "next_page_token": "",
                       "transactions": [{"id": "b"}, {"id": "c"}]});
        let s = assemble(vec![a, b]);
        let ids: Vec<&str> = s["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(s["total_count"], 3);
    }

    #[test]
    fn a_changed_journal_is_no_longer_already_emailed() {
        let mut s = StatementState {
            status: PostStatus::Posted,
            body_digest: "a".into(),
            payable: "55.20".parse().unwrap(),
            ..Default::default()
        };
        assert!(!s.already_emailed());
        s.mark_emailed(1);
        assert!(s.already_emailed());
        // Rewritten after a chargeback: same status, new journal.
        s.body_digest = "b".into();
        s.payable = "35.20".parse().unwrap();
        assert!(!s.already_emailed(), "the new journal must be mailed");
        s.mark_emailed(2);
        assert!(s.already_emailed());
        s.status = PostStatus::Held;
        assert!(!s.already_emailed());
    }

    #[test]
    fn an_unapproved_journal_is_waiting_and_an_approved_or_plain_one_posted() {
        let (s, r) = posted_or_waiting(&json!({"approved": false}), "tts-stmt-1");
        assert_eq!(s, PostStatus::AwaitingApproval);
        assert!(r.unwrap().contains("waits for approval"));
        assert_eq!(
            posted_or_waiting(&json!({"approved": true}), "x").0,
            PostStatus::Posted
        );
        assert_eq!(posted_or_waiting(&json!({}), "x").0, PostStatus::Posted);
    }
}
