//! The daily payout job: TikTok statements and payments → NetSuite journal
//! entries, and the finance reconciliation email (issue 12).
//!
//! Per shop with a `payouts` mapping (`mapping::payouts`):
//! 1. the chart of accounts is read once (SuiteQL `account`) and every
//!    configured account number resolved, or the run stops naming the
//!    field (`mapping::payouts::resolve_accounts`);
//! 2. statements and payments of the look-back window (default 10 days:
//!    TikTok publishes them ~5 working days late, finance notes §1.2) are
//!    listed; each statement's Transactions by Statement 202501 pages are
//!    read and kept as sent (`state`), then planned
//!    (`plan::plan_journal`) and upserted as one `journalEntry` by a
//!    deterministic externalId with `?replace=line` (`post`), unless
//!    it is held (reported, not posted);
//! 3. each transaction is matched to its Sales Order / refund through the
//!    order log (`matching`) and the status stored;
//! 4. finance gets one email per statement and status (HTML + CSVs of the
//!    transactions and the journal lines), remembered so a re-run sends
//!    nothing; the CLI can resend;
//! 5. each paid payment is booked in-transit → bank (`plan_payment`).
//!
//! A re-run is safe: a journal whose body has not changed is not written
//! again, and an upsert replaces the lines rather than adding to them.

use std::collections::HashSet;

use futures::TryStreamExt;
use serde_json::{Map, Value};

use super::checks::{tiktok_reserve_net, ReserveMove};
use super::email::{build_email, rows_with_matches, Listed};
use super::matching::{order_of, MatchStatus};
use super::plan::{Held, JournalPlan, JournalPlanner};
use super::post::statement_external_id;
use super::report::ReportRow;
use super::revise::journal_external_id;
use super::state::{PayoutStore, StatementState};
use crate::clock::Clock;
use crate::domain::{OrderId, ShopId};
use crate::jobs::run::JobError;
use crate::mapping::config::{MappingConfig, ShopMapping};
use crate::mapping::payouts::{
    resolve_accounts, AccountIds, AccountRow, PayoutConfig, ACCOUNTS_QUERY,
};
use crate::netsuite::{column_text, NetSuiteClient};
use crate::store::order_awaiting::first_shipped;
use crate::store::{JobRuns, OrderLog};
use crate::tiktok::finance::{FinanceError, Statement};
use crate::tiktok::ShopSessions;

/// Report rows reserved at most from a statement's `total_count` (a larger
/// statement grows past it as it is read).
const PRESIZE_ROWS_MAX: usize = 120_000;

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
    /// Correcting entries this call posted (the last ones of
    /// `state.corrections`).
    pub corrected: usize,
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

pub(super) fn finance(e: FinanceError) -> JobError {
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
    pub(super) fn store<'s>(&'s self, shop: &'s ShopId) -> PayoutStore<'s> {
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

    /// Plans, posts, matches and reports one statement, page by page
    /// (`pages` reads them ahead in groups): each page is kept,
    /// folded into the journal, matched and turned into report rows, then
    /// dropped, so a statement is never held whole.
    pub async fn statement(
        &self,
        shop: &ShopId,
        st: &Statement,
        ids: &AccountIds,
        listed: Listed<'_>,
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
        let prior = store.statement(sid).await?.unwrap_or_default();
        let eid = journal_external_id(&statement_external_id(shop, sid), prior.generation);
        let mut planner = JournalPlanner::new(&cfg.accounts, sid);
        let mut held: Option<Held> = currency_hold(m, st);
        let mut rows: Vec<ReportRow> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let (mut root, mut pages) = (Map::new(), 0usize);
        let mut read = std::pin::pin!(self.pages(shop, st, mode.from_archive));
        while let Some(group) = read.try_next().await? {
            let mut settled: Vec<(OrderId, i64)> = Vec::new();
            for page in group {
                pages = page.n;
                if rows.capacity() == 0 {
                    // Sized once from the statement's count: a 100,000-row
                    // Vec regrown by doubling is briefly held twice. Capped,
                    // so a wrong count cannot reserve more than that.
                    let n = page.root.get("total_count").and_then(Value::as_u64);
                    let n = n.unwrap_or(0).min(PRESIZE_ROWS_MAX as u64) as usize;
                    rows.reserve_exact(n);
                }
                let txs: Vec<Value> = page
                    .txs
                    .into_iter()
                    .filter(|t| {
                        let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
                        id.is_empty() || seen.insert(id.to_string())
                    })
                    .collect();
                if held.is_none() {
                    if let Err(h) = txs.iter().try_for_each(|t| planner.add(t)) {
                        held = Some(h);
                    }
                }
                let logged = &page.logged;
                settled.extend(
                    txs.iter()
                        .filter(|t| t.get("type").and_then(Value::as_str) == Some("ORDER"))
                        .filter_map(order_of)
                        .filter_map(|o| logged.get(o))
                        .filter_map(|e| first_shipped(e).map(|at| (e.order_id.clone(), at))),
                );
                let (r, _) = rows_with_matches(txs, &|o| logged.get(o));
                rows.extend(r);
                root = page.root;
            }
            self.log.mark_settled(shop, &settled).await?;
        }
        // Only the fold needed it; the report and the email come next.
        drop(seen);
        let expected = root.get("total_count").and_then(Value::as_u64);
        if held.is_none() && expected.is_some_and(|n| n != rows.len() as u64) {
            held = Some(Held::Unreadable {
                statement: sid.to_string(),
                reason: format!(
                    "total_count is {} but the pages held {} distinct transactions (incomplete: the next run reads it again)",
                    expected.unwrap_or_default(),
                    rows.len()
                ),
            });
        }
        let root = Value::Object(root);
        let cutoff = now - i64::from(cfg.unsettled_after_days) * 86_400;
        let overdue = self.log.awaiting_settlement(shop, cutoff, 200).await?;
        // The $0 orders of the statement's day, by type (issue 26): one
        // query of the order log's `by-shop` index from the day's start
        // (`ts` >= start, a key condition; never a Scan).
        let (from, to) = super::free_orders::period(st.statement_time);
        let since = super::free_orders::period_filter(shop, st.statement_time);
        let free = super::free_orders::summarise(&self.log.list(&since).await?, from, to);
        let listed = Listed {
            overdue: &overdue,
            free_orders: &free,
            ..listed
        };
        let plan = match held {
            Some(h) => Err(h),
            None => planner.finish(&root, &eid),
        };
        store.put_matches(sid, &rows).await?;
        let (transactions, unmatched) = (
            rows.len(),
            rows.iter()
                .filter(|r| MatchStatus::parse(&r.sales_order).needs_attention())
                .count(),
        );
        let payable =
            super::plan::amount(root.get("payable_amount"), "payable_amount").unwrap_or_default();
        let mut ledger = store.reserve_ledger().await?;
        let mut reserve = ledger.record(sid, ReserveMove::of_rows(st.statement_time, &rows));
        let payment = st.payment_id.as_ref().and_then(|pid| {
            listed
                .payments
                .iter()
                .find(|p| p.id.as_str() == pid.as_str())
        });
        reserve.tiktok_net = tiktok_reserve_net(payment, payable);
        store.put_reserve_ledger(&ledger).await?;
        let corrections_before = prior.corrections.iter().filter(|c| c.posted).count();
        let mut state = prior;
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
            transactions,
            unmatched,
            updated_at: now,
            reserve: Some(reserve),
            ..state
        };
        let written = self.post(shop, m, ids, st, &plan, &mut state, mode).await?;
        let clearing = self.payment_clearing(shop, st, &state, &listed, cfg).await;
        let listed = Listed {
            clearing: clearing.as_ref(),
            ..listed
        };
        let emailed = self
            .email(cfg, &mut state, rows, &plan, listed, mode.resend)
            .await?;
        store.put_statement(&state).await?;
        let corrected = state
            .corrections
            .iter()
            .filter(|c| c.posted)
            .count()
            .saturating_sub(corrections_before);
        Ok(StatementOutcome {
            corrected,
            state,
            written,
            emailed,
        })
    }

    /// Sends the finance email unless it was sent for this status and journal.
    async fn email(
        &self,
        cfg: &PayoutConfig,
        state: &mut StatementState,
        rows: Vec<ReportRow>,
        plan: &Result<JournalPlan, Held>,
        listed: Listed<'_>,
        resend: bool,
    ) -> Result<bool, JobError> {
        let already = state.already_emailed();
        let Some(mail) = self.mail else {
            return Ok(false);
        };
        if cfg.finance_emails.is_empty() || (already && !resend) {
            return Ok(false);
        }
        let message = build_email(cfg, state, &rows, plan, listed, &mail.from);
        // The rows are in the message's CSV now: not held while it is sent.
        drop(rows);
        message.send(&mail.client).await.map_err(|e| {
            JobError::Other(format!(
                "finance email for statement {}: {e}",
                state.statement_id
            ))
        })?;
        state.mark_emailed(self.clock.now());
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
        self.statement(shop, &st, &ids, Listed::default(), mode)
            .await
    }
}

/// A statement in another currency than the shop's books is not booked.
fn currency_hold(
    m: &crate::mapping::config::ShopMapping,
    st: &crate::tiktok::finance::Statement,
) -> Option<Held> {
    let books = m.books_currency.as_deref()?;
    (!st.currency.eq_ignore_ascii_case(books)).then(|| Held::Unreadable {
        statement: st.id.as_str().to_string(),
        reason: format!(
            "its currency {} is not the shop's books_currency {books}",
            st.currency
        ),
    })
}
