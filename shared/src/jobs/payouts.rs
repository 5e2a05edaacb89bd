//! The daily payout job: TikTok statements and payments → NetSuite journal
//! entries, and the finance reconciliation email (issue 12).
//!
//! Per shop with a `payouts` mapping (`payout_config`):
//! 1. the chart of accounts is read once (SuiteQL `account`) and every
//!    configured account number resolved, or the run stops naming the
//!    field (`payout_config::resolve_accounts`);
//! 2. statements and payments of the look-back window (default 10 days:
//!    TikTok publishes them ~5 working days late, finance notes §1.2) are
//!    listed; each statement's Transactions by Statement 202501 pages are
//!    read and kept as sent (`payout_state`), then planned
//!    (`payout_plan::plan_journal`) and upserted as one `journalEntry` by a
//!    deterministic externalId with `?replace=line` (`payout_post`), unless
//!    it is held (reported, not posted);
//! 3. each transaction is matched to its Sales Order / refund through the
//!    order log (`payout_match`) and the status stored;
//! 4. finance gets one email per statement and status (HTML + CSVs of the
//!    transactions and the journal lines), remembered so a re-run sends
//!    nothing; the CLI can resend;
//! 5. each paid payment is booked in-transit → bank (`plan_payment`).
//!
//! A re-run is safe: a journal whose body has not changed is not written
//! again, and an upsert replaces the lines rather than adding to them.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::payout_config::{
    resolve_accounts, AccountIds, AccountRow, PayoutConfig, ACCOUNTS_QUERY,
};
use super::payout_match::{match_transaction, order_of, MatchStatus};
use super::payout_plan::{plan_journal, Held, JournalPlan};
use super::payout_post::{
    date_of, digest, journal_body, payment_external_id, plan_payment, statement_date,
    statement_external_id, JournalHeader, PayableStatement, PaymentPlan,
};
use super::payout_report as report;
use super::payout_state::{PaymentState, PayoutStore, PostStatus, StatementState};
use super::run::{JobError, Progress, ShopJob};
use super::JobName;
use crate::clock::Clock;
use crate::domain::{Money, OrderId, ShopId};
use crate::mapping::config::{MappingConfig, ShopMapping};
use crate::netsuite::{column_text, NetSuiteClient};
use crate::notify::raw_mail::{Attachment, RawEmail};
use crate::store::{JobRun, JobRuns, LeaseState, OrderLog, RunFailure};
use crate::tiktok::finance::{FinanceError, Payment, Statement};
use crate::tiktok::ShopSessions;

/// Who sends the finance email, through which SES client.
pub struct FinanceMail {
    pub client: aws_sdk_sesv2::Client,
    pub from: String,
}

/// The payout job over its clients and stores.
pub struct Payouts<'a> {
    pub shops: &'a ShopSessions,
    pub netsuite: &'a NetSuiteClient,
    pub runs: &'a dyn JobRuns,
    pub log: &'a dyn OrderLog,
    pub mapping: &'a MappingConfig,
    pub clock: &'a dyn Clock,
    pub mail: Option<&'a FinanceMail>,
}

/// What happened to one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementOutcome {
    pub state: StatementState,
    /// The journal was written (false: unchanged, held or failed).
    pub written: bool,
    pub emailed: bool,
}

/// How a statement is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mode {
    /// Rewrite the journal even when its body has not changed.
    pub rebuild: bool,
    /// Send the email even when it was sent for this status.
    pub resend: bool,
    /// Plan from the kept pages instead of reading TikTok again.
    pub from_archive: bool,
}

fn finance(e: FinanceError) -> JobError {
    match e {
        FinanceError::Call(c) => JobError::TikTok(c),
        other => JobError::Other(other.to_string()),
    }
}

/// The shop's mapping and payout config, or why there is none.
pub fn payout_config<'m>(
    mapping: &'m MappingConfig,
    shop: &ShopId,
) -> Result<Option<(&'m ShopMapping, &'m PayoutConfig)>, JobError> {
    let m = mapping
        .for_shop(shop)
        .map_err(|f| JobError::Other(format!("{}: {}", f.reason, f.fix)))?;
    Ok(m.payouts.as_ref().map(|p| (m, p)))
}

impl Payouts<'_> {
    fn store<'s>(&'s self, shop: &'s ShopId) -> PayoutStore<'s> {
        PayoutStore {
            runs: self.runs,
            shop,
        }
    }

    /// Every configured account number → internal id (SuiteQL `account`).
    pub async fn account_ids(&self, cfg: &PayoutConfig) -> Result<AccountIds, JobError> {
        let rows = self
            .netsuite
            .suiteql(ACCOUNTS_QUERY)
            .await
            .map_err(|e| JobError::Other(format!("NetSuite account query: {e}")))?;
        let rows: Vec<AccountRow> = rows
            .iter()
            .map(|r| AccountRow {
                id: column_text(r, "id"),
                number: column_text(r, "acctnumber"),
                name: column_text(r, "acctname"),
                inactive: column_text(r, "isinactive") == "T",
                summary: column_text(r, "issummary") == "T",
            })
            .collect();
        resolve_accounts(cfg, &rows).map_err(|e| JobError::Other(format!("payout accounts: {e}")))
    }

    /// Reads a statement's pages from TikTok, keeping each as sent.
    async fn fetch(&self, shop: &ShopId, st: &Statement) -> Result<(Value, usize), JobError> {
        let mut raws: Vec<String> = Vec::new();
        let mut pages: Vec<Value> = Vec::new();
        self.shops
            .each_statement_page(shop, &st.id, |page: Map<String, Value>| {
                let v = Value::Object(page);
                raws.push(v.to_string());
                pages.push(v);
            })
            .await
            .map_err(finance)?;
        let store = self.store(shop);
        for (i, raw) in raws.iter().enumerate() {
            store.put_raw_page(st.id.as_str(), i + 1, raw).await?;
        }
        let n = pages.len();
        Ok((super::payout_state::assemble(pages), n))
    }

    /// Matches every transaction through the order log (one read per order).
    async fn matches(
        &self,
        shop: &ShopId,
        data: &Value,
    ) -> Result<Vec<(String, MatchStatus)>, JobError> {
        let empty = Vec::new();
        let txs = data
            .get("transactions")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        let mut logged = HashMap::new();
        let orders: HashSet<&str> = txs
            .iter()
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("ORDER"))
            .filter_map(order_of)
            .collect();
        for o in orders {
            let e = self.log.get(shop, &OrderId::new(o)).await?;
            logged.insert(o.to_string(), e);
        }
        Ok(txs
            .iter()
            .map(|t| {
                let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
                let entry = order_of(t)
                    .and_then(|o| logged.get(o))
                    .and_then(Option::as_ref);
                (id.to_string(), match_transaction(t, entry))
            })
            .collect())
    }

    /// Plans, posts, matches and reports one statement.
    pub async fn statement(
        &self,
        shop: &ShopId,
        st: &Statement,
        ids: &AccountIds,
        payments: &[Payment],
        mode: Mode,
    ) -> Result<StatementOutcome, JobError> {
        let Some((m, cfg)) = payout_config(self.mapping, shop)? else {
            return Err(JobError::Other(format!(
                "shop {shop} has no payouts config: add \"payouts\" to its mapping entry"
            )));
        };
        let store = self.store(shop);
        let sid = st.id.as_str();
        let now = self.clock.now();
        let (data, pages) = if mode.from_archive {
            let pages = store.raw_pages(sid).await?;
            let n = pages.len();
            (super::payout_state::assemble(pages), n)
        } else {
            self.fetch(shop, st).await?
        };
        let eid = statement_external_id(shop, sid);
        let mut state = store.statement(sid).await?.unwrap_or_default();
        let plan = self.plan(m, cfg, &data, &eid, st);
        let matches = self.matches(shop, &data).await?;
        store.put_matches(sid, &matches).await?;
        let payable = super::payout_plan::amount(data.get("payable_amount"), "payable_amount")
            .unwrap_or_default();
        state = StatementState {
            statement_id: sid.to_string(),
            statement_time: st.statement_time,
            currency: st.currency.clone(),
            payment_id: st
                .payment_id
                .as_ref()
                .map(|p| p.as_str().to_string())
                .filter(|p| !p.is_empty()),
            payable,
            external_id: eid.clone(),
            pages,
            transactions: matches.len(),
            unmatched: matches.iter().filter(|(_, s)| s.needs_attention()).count(),
            updated_at: now,
            ..state
        };
        let mut written = false;
        match &plan {
            Ok(p) => {
                state.journal_lines = p.lines.len();
                state.unknown_fee_keys = p.unknown_fee_keys.iter().cloned().collect();
                let header = JournalHeader {
                    external_id: eid.clone(),
                    subsidiary: m.subsidiary.clone().unwrap_or_default(),
                    currency: m.currency.clone(),
                    tran_date: statement_date(st.statement_time),
                    memo: format!("TikTok statement {sid}"),
                    department: m.department.clone(),
                    class: m.class.clone(),
                    location: m.location.clone(),
                };
                let body = journal_body(&header, &p.lines, ids).map_err(JobError::Other)?;
                let d = digest(&body);
                if mode.rebuild || state.body_digest != d || state.journal_id.is_none() {
                    match self.write("journalEntry", &eid, &body).await {
                        Ok(id) => {
                            state.journal_id = Some(id);
                            state.body_digest = d;
                            state.status = PostStatus::Posted;
                            state.reason = None;
                            written = true;
                        }
                        Err(reason) => {
                            state.status = PostStatus::Failed;
                            state.reason = Some(reason);
                        }
                    }
                } else {
                    state.status = PostStatus::Posted;
                }
            }
            Err(h) => {
                state.status = PostStatus::Held;
                state.reason = Some(h.to_string());
                state.journal_lines = 0;
            }
        }
        let emailed = self
            .email(
                cfg,
                &mut state,
                &data,
                &plan,
                &matches,
                payments,
                mode.resend,
            )
            .await?;
        store.put_statement(&state).await?;
        Ok(StatementOutcome {
            state,
            written,
            emailed,
        })
    }

    fn plan(
        &self,
        m: &ShopMapping,
        cfg: &PayoutConfig,
        data: &Value,
        eid: &str,
        st: &Statement,
    ) -> Result<JournalPlan, Held> {
        if let Some(books) = &m.books_currency {
            if !st.currency.eq_ignore_ascii_case(books) {
                return Err(Held::Unreadable {
                    statement: st.id.as_str().to_string(),
                    reason: format!(
                        "its currency {} is not the shop's books_currency {books}",
                        st.currency
                    ),
                });
            }
        }
        plan_journal(data, &cfg.accounts, eid)
    }

    /// Upserts by externalId with the lines replaced; the internal id, or
    /// NetSuite's reason.
    async fn write(&self, record: &str, eid: &str, body: &Value) -> Result<String, String> {
        let loc = self
            .netsuite
            .upsert_by_external_id(record, eid, body, &["line"])
            .await
            .map_err(|e| e.to_string())?;
        if let Some(id) = loc {
            return Ok(id);
        }
        let rec = self
            .netsuite
            .get_by_external_id(record, eid, false)
            .await
            .map_err(|e| e.to_string())?;
        rec.and_then(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
            .ok_or_else(|| format!("{record} {eid} was written but cannot be read back"))
    }

    /// Sends the finance email unless it was sent for this status.
    #[allow(clippy::too_many_arguments)]
    async fn email(
        &self,
        cfg: &PayoutConfig,
        state: &mut StatementState,
        data: &Value,
        plan: &Result<JournalPlan, Held>,
        matches: &[(String, MatchStatus)],
        payments: &[Payment],
        resend: bool,
    ) -> Result<bool, JobError> {
        let already = state
            .emailed
            .as_ref()
            .is_some_and(|(s, _)| *s == state.status);
        let Some(mail) = self.mail else {
            return Ok(false);
        };
        if cfg.finance_emails.is_empty() || (already && !resend) {
            return Ok(false);
        }
        let message = build_email(cfg, state, data, plan, matches, payments, &mail.from);
        message.send(&mail.client).await.map_err(|e| {
            JobError::Other(format!(
                "finance email for statement {}: {e}",
                state.statement_id
            ))
        })?;
        state.emailed = Some((state.status.clone(), self.clock.now()));
        Ok(true)
    }

    /// Plans a statement the job has read again from its kept pages:
    /// `rebuild` rewrites its journal, `resend` mails finance again (the
    /// CLI's `payouts rebuild|report`).
    pub async fn again(
        &self,
        shop: &ShopId,
        statement_id: &str,
        mode: Mode,
    ) -> Result<StatementOutcome, JobError> {
        let Some((_, cfg)) = payout_config(self.mapping, shop)? else {
            return Err(JobError::Other(format!(
                "shop {shop} has no payouts config: add \"payouts\" to its mapping entry"
            )));
        };
        let Some(s) = self.store(shop).statement(statement_id).await? else {
            return Err(JobError::Other(format!(
                "statement {statement_id} has not been read for shop {shop}: run the payouts job first (`tiktok-netsuite jobs run payouts --shop {shop}`)"
            )));
        };
        let st: Statement = serde_json::from_value(serde_json::json!({
            "id": s.statement_id, "statement_time": s.statement_time, "currency": s.currency,
            "settlement_amount": "0", "fee_amount": "0", "adjustment_amount": "0",
            "payment_status": "PAID", "payment_id": s.payment_id,
        }))
        .map_err(|e| JobError::Other(format!("statement {statement_id}: {e}")))?;
        let ids = self.account_ids(cfg).await?;
        let mode = Mode {
            from_archive: true,
            ..mode
        };
        self.statement(shop, &st, &ids, &[], mode).await
    }

    /// Books one payment (in-transit → bank) once its statements are known.
    pub async fn payment(
        &self,
        shop: &ShopId,
        p: &Payment,
        cfg: &PayoutConfig,
        m: &ShopMapping,
        ids: &AccountIds,
    ) -> Result<PaymentState, JobError> {
        let store = self.store(shop);
        let mut of_payment = Vec::new();
        for sid in store.index().await? {
            if let Some(s) = store.statement(&sid).await? {
                if s.payment_id.as_deref() == Some(p.id.as_str()) && s.status == PostStatus::Posted
                {
                    of_payment.push(PayableStatement {
                        id: s.statement_id,
                        payable: s.payable,
                        currency: s.currency,
                    });
                }
            }
        }
        let eid = payment_external_id(shop, p.id.as_str());
        let mut state = store.payment(p.id.as_str()).await?.unwrap_or_default();
        state.payment_id = p.id.as_str().to_string();
        state.external_id = eid.clone();
        state.updated_at = self.clock.now();
        match plan_payment(p, &of_payment, cfg) {
            PaymentPlan::Post {
                lines, statements, ..
            } => {
                state.statements = statements;
                let header = JournalHeader {
                    external_id: eid.clone(),
                    subsidiary: m.subsidiary.clone().unwrap_or_default(),
                    currency: m.currency.clone(),
                    tran_date: date_of(p.paid_time.unwrap_or(p.create_time)),
                    memo: format!("TikTok payment {}", p.id),
                    department: None,
                    class: None,
                    location: None,
                };
                let body = journal_body(&header, &lines, ids).map_err(JobError::Other)?;
                let d = digest(&body);
                if state.body_digest != d || state.journal_id.is_none() {
                    match self.write("journalEntry", &eid, &body).await {
                        Ok(id) => {
                            state.journal_id = Some(id);
                            state.body_digest = d;
                            state.status = PostStatus::Posted;
                            state.reason = None;
                        }
                        Err(r) => {
                            state.status = PostStatus::Failed;
                            state.reason = Some(r);
                        }
                    }
                }
            }
            PaymentPlan::Hold(r) | PaymentPlan::Skip(r) => {
                state.status = PostStatus::Held;
                state.reason = Some(r);
            }
        }
        store.put_payment(&state).await?;
        Ok(state)
    }
}

/// The finance email of one statement (pure over what the job gathered).
pub fn build_email(
    cfg: &PayoutConfig,
    state: &StatementState,
    data: &Value,
    plan: &Result<JournalPlan, Held>,
    matches: &[(String, MatchStatus)],
    payments: &[Payment],
    from: &str,
) -> RawEmail {
    let status: HashMap<&str, &MatchStatus> =
        matches.iter().map(|(t, s)| (t.as_str(), s)).collect();
    let mut rows = report::rows(data, &|_| true);
    for r in &mut rows {
        r.sales_order = status
            .get(r.transaction_id.as_str())
            .map_or_else(String::new, |s| s.as_str().to_string());
    }
    let mut checks = report::checks(&rows, plan);
    checks.journal_link = state
        .journal_id
        .as_ref()
        .map(|id| format!("journal entry {id} (externalId {})", state.external_id));
    if let Some(r) = &state.reason {
        if state.status == PostStatus::Failed {
            checks
                .integrity
                .push(format!("NetSuite refused the journal: {r}"));
        }
    }
    if let Some(pid) = &state.payment_id {
        match payments.iter().find(|p| p.id.as_str() == pid) {
            Some(p) => checks.payment.push(format!(
                "payment {pid} ({}): {} before exchange, bank {} {} (this statement payable {})",
                p.status.as_str(),
                p.payment_amount_before_exchange.value,
                p.amount.value,
                p.amount.currency,
                state.payable
            )),
            None => checks.payment.push(format!(
                "payment {pid} is not listed yet: the bank side is checked when it is"
            )),
        }
    }
    if let Some(band) = &cfg.fee_band {
        let gross: Money = rows
            .iter()
            .filter(|r| r.revenue > Money::ZERO)
            .map(|r| r.revenue)
            .sum();
        let fees: Money = rows.iter().map(|r| r.fee_tax).sum();
        if gross > Money::ZERO {
            let pct = (-fees * Money::ONE_HUNDRED / gross).round_dp(2);
            if pct < band.min_percent || pct > band.max_percent {
                checks.payment.push(format!(
                    "fee rate {pct} % of gross revenue is outside the expected {}–{} %",
                    band.min_percent, band.max_percent
                ));
            }
        }
    }
    let (subject, html, text) = report::email(&state.statement_id, &state.currency, plan, &checks);
    let mut attachments = vec![Attachment {
        filename: format!("tiktok-statement-{}-transactions.csv", state.statement_id),
        content_type: "text/csv".into(),
        data: report::csv(&rows).into_bytes(),
    }];
    if let Ok(p) = plan {
        attachments.push(Attachment {
            filename: format!("tiktok-statement-{}-journal.csv", state.statement_id),
            content_type: "text/csv".into(),
            data: report::journal_csv(p).into_bytes(),
        });
    }
    RawEmail {
        from: from.to_string(),
        to: cfg.finance_emails.clone(),
        subject,
        html: format!(
            "<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;font-size:14px\">\n{html}</body></html>\n"
        ),
        text,
        attachments,
    }
}

#[async_trait]
impl ShopJob for Payouts<'_> {
    fn name(&self) -> JobName {
        JobName::Payouts
    }

    async fn run(
        &self,
        shop: &ShopId,
        _start: &LeaseState,
        progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let now = self.clock.now();
        let Some((m, cfg)) = payout_config(self.mapping, shop)? else {
            run.note = "no payouts config for this shop: nothing to book".into();
            return Ok(now.to_string());
        };
        let ids = self.account_ids(cfg).await?;
        let from = now - i64::from(cfg.lookback_days) * 86_400;
        run.note = format!("statements and payments in [{from}, {now})");
        let statements = self
            .shops
            .statements_between(shop, from, now)
            .await
            .map_err(finance)?;
        let payments = self
            .shops
            .payments_between(shop, from, now)
            .await
            .map_err(finance)?;
        run.count("statements_listed", statements.len() as u64);
        run.count("payments_listed", payments.len() as u64);
        for st in &statements {
            let o = self
                .statement(shop, st, &ids, &payments, Mode::default())
                .await?;
            let s = &o.state;
            run.count(&format!("statements_{}", s.status.as_str()), 1);
            run.count("journals_written", u64::from(o.written));
            run.count("emails_sent", u64::from(o.emailed));
            run.count("transactions", s.transactions as u64);
            run.count("unmatched", s.unmatched as u64);
            if s.status != PostStatus::Posted {
                let reason = s.reason.clone().unwrap_or_default();
                run.failures.push(RunFailure {
                    subject: format!("statement {}", s.statement_id),
                    reason: reason.clone(),
                    fix: "Finance has the report; fix the figures with TikTok or set payouts.variance, then run `payouts rebuild --statement`.".into(),
                });
            }
            if !s.unknown_fee_keys.is_empty() {
                run.findings.push(format!(
                    "statement {}: fee keys booked to other fees: {}",
                    s.statement_id,
                    s.unknown_fee_keys.join(", ")
                ));
            }
            progress.commit(st.id.as_str()).await?;
        }
        for p in &payments {
            let s = self.payment(shop, p, cfg, m, &ids).await?;
            run.count(&format!("payments_{}", s.status.as_str()), 1);
            if s.status != PostStatus::Posted {
                run.findings.push(format!(
                    "payment {}: {}",
                    s.payment_id,
                    s.reason.unwrap_or_default()
                ));
            }
        }
        Ok(now.to_string())
    }
}
