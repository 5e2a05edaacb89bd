//! The payout job's run ([`ShopJob`]) and its payments: each paid payment
//! is booked in-transit → bank once its statements are posted
//! (`post::plan_payment`; several statements when TikTok combined
//! them).

use async_trait::async_trait;

use super::checks::ClearingCheck;
use super::email::{Listed, PaymentClearing};
use super::job::{finance, payout_config, Mode, Payouts};
use super::post::{
    date_of, digest, journal_body, payment_external_id, plan_payment, JournalHeader,
    PayableStatement, PaymentPlan,
};
use super::state::{posted_or_waiting, PaymentState, PostStatus, StatementState};
use crate::domain::ShopId;
use crate::jobs::run::{JobError, Progress, ShopJob};
use crate::jobs::JobName;
use crate::mapping::config::ShopMapping;
use crate::mapping::payouts::{AccountIds, PayoutConfig};
use crate::store::{JobRun, LeaseState, RunFailure};
use crate::tiktok::finance::{Payment, Statement};

/// The clearing check of a payment plan: what its statements put into
/// clearing against what the payment journal moves out (nothing when the
/// plan holds); `None` while the payment has not reached the bank.
pub fn clearing_of(
    plan: &PaymentPlan,
    statements: &[PayableStatement],
    cfg: &PayoutConfig,
) -> Option<ClearingCheck> {
    let payables: Vec<_> = statements.iter().map(|s| s.payable).collect();
    let clearing = &cfg.accounts.payout_in_transit;
    match plan {
        PaymentPlan::Post { lines, .. } => Some(ClearingCheck::of(&payables, lines, clearing)),
        PaymentPlan::Hold(_) => Some(ClearingCheck::of(&payables, &[], clearing)),
        PaymentPlan::Skip(_) => None,
    }
}

/// Statements (newest first) searched for those a payment pays: two
/// months of daily statements, where a payment's are days old.
pub const RECENT_STATEMENTS: usize = 60;

impl Payouts<'_> {
    /// The clearing check of `st`'s payment for its report, as the payment
    /// journal will book it in this run (the same `plan_payment`). Never
    /// fails the statement: its journal is already posted by now.
    pub(super) async fn payment_clearing(
        &self,
        shop: &ShopId,
        st: &Statement,
        state: &StatementState,
        listed: &Listed<'_>,
        cfg: &PayoutConfig,
    ) -> Option<PaymentClearing> {
        let pid = st.payment_id.as_ref()?;
        let Some(p) = listed
            .payments
            .iter()
            .find(|p| p.id.as_str() == pid.as_str())
        else {
            return Some(PaymentClearing::NotYet(
                "not listed by TikTok yet: checked when it is".into(),
            ));
        };
        if state.status != PostStatus::Posted {
            return Some(PaymentClearing::NotYet(
                "this statement is not posted, so the payment cannot be booked".into(),
            ));
        }
        let of = match self.posted_statements_of(shop, p, Some(state)).await {
            Ok(of) => of,
            Err(e) => {
                return Some(PaymentClearing::NotYet(format!(
                "its statements could not be read ({e}); the run log has the payment's own check"
            )))
            }
        };
        let later: Vec<String> = listed
            .statements
            .iter()
            .skip_while(|s| s.id != st.id)
            .skip(1)
            .filter(|s| s.payment_id == st.payment_id)
            .map(|s| s.id.as_str().to_string())
            .collect();
        Some(match plan_payment(p, &of, cfg) {
            plan @ PaymentPlan::Post { .. } => match clearing_of(&plan, &of, cfg) {
                Some(c) => PaymentClearing::Checked(c),
                None => PaymentClearing::NotYet("not paid yet".into()),
            },
            PaymentPlan::Hold(_) if !later.is_empty() => PaymentClearing::Waiting(later),
            PaymentPlan::Hold(reason) => PaymentClearing::Held(reason),
            PaymentPlan::Skip(reason) => PaymentClearing::NotYet(reason),
        })
    }

    /// The posted statements a payment pays, as the job stored them;
    /// `this`, a statement being processed now, counts with its new state.
    pub(super) async fn posted_statements_of(
        &self,
        shop: &ShopId,
        p: &Payment,
        this: Option<&StatementState>,
    ) -> Result<Vec<PayableStatement>, JobError> {
        let store = self.store(shop);
        let mut out = Vec::new();
        // A payment pays statements of the days just before it: the newest
        // ones bound the reads, however many the shop has had.
        let index = store.index().await?;
        for sid in index.iter().rev().take(RECENT_STATEMENTS).rev().cloned() {
            let s = match this.filter(|t| t.statement_id == sid) {
                Some(t) => Some(t.clone()),
                None => store.statement(&sid).await?,
            };
            if let Some(s) = s {
                if s.payment_id.as_deref() == Some(p.id.as_str()) && s.status == PostStatus::Posted
                {
                    out.push(PayableStatement {
                        id: s.statement_id,
                        payable: s.payable,
                        currency: s.currency,
                    });
                }
            }
        }
        if let Some(t) = this.filter(|t| {
            t.status == PostStatus::Posted
                && t.payment_id.as_deref() == Some(p.id.as_str())
                && !out.iter().any(|s| s.id == t.statement_id)
        }) {
            out.push(PayableStatement {
                id: t.statement_id.clone(),
                payable: t.payable,
                currency: t.currency.clone(),
            });
        }
        Ok(out)
    }

    /// The statements of `p` the job has read but not posted, each with
    /// its status and reason (a held payment names them rather than
    /// saying none was read).
    async fn unposted_of(&self, shop: &ShopId, p: &Payment) -> Result<Vec<String>, JobError> {
        let store = self.store(shop);
        let index = store.index().await?;
        let mut out = Vec::new();
        for sid in index.iter().rev().take(RECENT_STATEMENTS) {
            if let Some(s) = store.statement(sid).await? {
                if s.payment_id.as_deref() == Some(p.id.as_str()) && s.status != PostStatus::Posted
                {
                    out.push(format!(
                        "its statement {sid} is {}: {}",
                        s.status,
                        s.reason.unwrap_or_default()
                    ));
                }
            }
        }
        Ok(out)
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
        let of_payment = self.posted_statements_of(shop, p, None).await?;
        let eid = payment_external_id(shop, p.id.as_str());
        let mut state = store.payment(p.id.as_str()).await?.unwrap_or_default();
        state.payment_id = p.id.as_str().to_string();
        state.external_id = eid.clone();
        state.updated_at = self.clock.now();
        let plan = plan_payment(p, &of_payment, cfg);
        state.clearing = clearing_of(&plan, &of_payment, cfg);
        match plan {
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
                        Ok((id, rec)) => {
                            state.journal_id = Some(id);
                            state.body_digest = d;
                            (state.status, state.reason) = posted_or_waiting(&rec, &eid);
                        }
                        Err(r) => {
                            state.status = PostStatus::Failed;
                            state.reason = Some(r);
                        }
                    }
                } else if state.status == PostStatus::Held {
                    // Held while a statement was reversed, its journal
                    // unchanged: booked as it stands.
                    state.status = PostStatus::Posted;
                    state.reason = None;
                }
            }
            PaymentPlan::Hold(r) => {
                let waiting = self.unposted_of(shop, p).await?;
                let mut r = if waiting.is_empty() {
                    r
                } else {
                    format!("payment {}: not booked while {}", p.id, waiting.join("; "))
                };
                if let Some(id) = &state.journal_id {
                    r.push_str(&format!(
                        "; its journal {eid} (NetSuite {id}), booked before, stays: the bank received the money"
                    ));
                }
                state.status = PostStatus::Held;
                state.reason = Some(r);
            }
            PaymentPlan::Skip(r) => {
                state.status = PostStatus::Held;
                state.reason = Some(r);
            }
        }
        store.put_payment(&state).await?;
        Ok(state)
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
        // Estimates for the report only (never posted); a failure here does
        // not stop the booking.
        let unsettled = match self.shops.unsettled_between(shop, from, now).await {
            Ok(rows) => rows,
            Err(e) => {
                run.findings.push(format!(
                    "unsettled transactions not read (the report omits them): {e}"
                ));
                Vec::new()
            }
        };
        let listed = Listed {
            payments: &payments,
            unsettled: &unsettled,
            overdue: &[],
            statements: &statements,
            clearing: None,
            free_orders: &[],
        };
        for st in &statements {
            let o = self
                .statement(shop, st, &ids, listed, Mode::default())
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
                    fix: if s.status == PostStatus::AwaitingApproval {
                        "Approve the journal entry in NetSuite; the next run reads it again.".into()
                    } else if s.status == PostStatus::Reversed {
                        "Its journal is reversed in NetSuite; ask TikTok to correct the statement. When it adds up again the next run posts a new journal.".into()
                    } else {
                        "Finance has the report; fix the figures with TikTok or set payouts.variance, then run `payouts rebuild --statement`.".into()
                    },
                });
            }
            let new = s.corrections.len().saturating_sub(o.corrected);
            for c in s.corrections.iter().skip(new).filter(|c| c.posted) {
                run.count(&format!("corrections_{}", c.kind.as_str()), 1);
                run.findings
                    .push(format!("statement {}: {}", s.statement_id, c.summary()));
            }
            if !s.unknown_fee_keys.is_empty() {
                run.findings.push(format!(
                    "statement {}: keys not in the account table (booked to the defaults): {}",
                    s.statement_id,
                    s.unknown_fee_keys.join(", ")
                ));
            }
            progress.commit(st.id.as_str()).await?;
        }
        for p in &payments {
            let s = self.payment(shop, p, cfg, m, &ids).await?;
            run.count(&format!("payments_{}", s.status.as_str()), 1);
            if let Some(c) = s.clearing.as_ref().filter(|c| !c.pass()) {
                run.count("clearing_not_zero", 1);
                run.findings.push(format!(
                    "payment {}: clearing does not net to zero: {}",
                    s.payment_id,
                    c.detail()
                ));
            }
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
