//! Payout statements for operators: the list per shop, one statement with
//! its checks, and re-sending its finance report. The CLI
//! (`tiktok-netsuite payouts list|show|report`) and the console's Payouts
//! pages are two faces over these functions, which read the payout job's
//! own state ([`PayoutStore`]) and re-send through the job itself
//! ([`Payouts::again`]).
//!
//! Bounded reads: a list reads the shop's statement index and at most
//! `limit` statements (2 + `limit` `GetItem`s, never a Scan); a statement
//! reads its own item, its kept pages and its match chunks — in proportion
//! to that statement, whatever the number of statements or orders.

use std::collections::HashMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::OpsError;
use crate::domain::{Money, ShopId};
use crate::payouts::job::{Mode, Payouts};
use crate::payouts::matching::MatchStatus;
use crate::payouts::plan::{Held, JournalPlan};
use crate::payouts::report::{self as report, Checks, ReportRow};
use crate::payouts::revise::CorrectionKind;
use crate::payouts::state::{assemble, PaymentState, PayoutStore, PostStatus, StatementState, JOB};
use crate::store::JobRuns;

/// Statements a list shows per shop, newest first.
pub const LIST_LIMIT: usize = 50;

/// The newest `limit` statements of a shop, newest first (the index keeps
/// them oldest first).
pub async fn list(
    runs: &dyn JobRuns,
    shop: &ShopId,
    limit: usize,
) -> Result<Vec<StatementState>, OpsError> {
    let store = PayoutStore { runs, shop };
    let mut out = Vec::new();
    for id in store.index().await?.iter().rev().take(limit) {
        if let Some(s) = store.statement(id).await? {
            out.push(s);
        }
    }
    Ok(out)
}

/// Who re-sent a statement's report, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resent {
    pub by: String,
    pub at: i64,
}

/// One statement as an operator reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementView {
    pub state: StatementState,
    /// Every transaction with its match status in `sales_order`.
    pub rows: Vec<ReportRow>,
    pub checks: Checks,
    /// Transactions whose match needs attention: (transaction id, status).
    pub attention: Vec<(String, MatchStatus)>,
    pub resent: Vec<Resent>,
    /// The statement's payment as the job booked it (its clearing check),
    /// once the job has seen the payment.
    pub payment: Option<PaymentState>,
}

fn not_read(shop: &ShopId, statement: &str) -> OpsError {
    OpsError::Invalid {
        field: "statement",
        reason: format!(
            "statement {statement} has not been read for shop {shop}; the payouts list shows those that have (`payouts list --shop {shop}`)"
        ),
    }
}

fn resent_key(statement: &str) -> String {
    format!("resent#{statement}")
}

/// One statement with its transactions (from the kept pages), their match
/// status and the report's checks.
pub async fn show(
    runs: &dyn JobRuns,
    shop: &ShopId,
    statement: &str,
) -> Result<StatementView, OpsError> {
    let store = PayoutStore { runs, shop };
    let state = store
        .statement(statement)
        .await?
        .ok_or_else(|| not_read(shop, statement))?;
    let mut pages = Vec::with_capacity(state.pages);
    for n in 1..=state.pages {
        if let Some(p) = store.raw_page(statement, n).await? {
            pages.push(p);
        }
    }
    let matches = store.matches(statement).await?;
    let resent = match runs.get_state(JOB, shop, &resent_key(statement)).await? {
        Some(s) => serde_json::from_str(&s).unwrap_or_default(),
        None => Vec::new(),
    };
    let payment = match &state.payment_id {
        Some(pid) => store.payment(pid).await?,
        None => None,
    };
    let mut v = view(state, &assemble(pages), matches, resent);
    v.payment = payment;
    Ok(v)
}

/// The view over what was read (pure): rows with their stored match
/// status, and the checks as the report computes them. The journal plan is
/// not kept by the job, so integrity comes from the statement's hold reason
/// and the unknown fee keys from its state.
pub fn view(
    state: StatementState,
    statement: &serde_json::Value,
    matches: Vec<(String, MatchStatus)>,
    resent: Vec<Resent>,
) -> StatementView {
    let by_id: HashMap<&str, &MatchStatus> = matches.iter().map(|(t, s)| (t.as_str(), s)).collect();
    let mut rows = report::rows(statement, &|_| true);
    for r in &mut rows {
        if let Some(s) = by_id.get(r.transaction_id.as_str()) {
            r.sales_order = s.as_str().to_string();
        }
    }
    let plan: Result<JournalPlan, Held> = match (&state.status, &state.reason) {
        (PostStatus::Held | PostStatus::Reversed, reason) => Err(Held::Unreadable {
            statement: state.statement_id.clone(),
            reason: reason.clone().unwrap_or_else(|| "held".into()),
        }),
        _ => Ok(JournalPlan {
            external_id: state.external_id.clone(),
            statement_id: state.statement_id.clone(),
            currency: state.currency.clone(),
            lines: Vec::new(),
            unknown_fee_keys: state.unknown_fee_keys.iter().cloned().collect(),
            transactions_by_type: Default::default(),
            variances: Vec::new(),
        }),
    };
    let checks = report::checks(&rows, &plan);
    let attention = matches
        .into_iter()
        .filter(|(_, s)| s.needs_attention())
        .collect();
    StatementView {
        state,
        rows,
        checks,
        attention,
        resent,
        payment: None,
    }
}

/// One check of a statement: its name, pass or not, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    pub name: &'static str,
    /// `None`: information only, the check cannot be made yet (a payment
    /// not booked, TikTok giving no figure to compare with).
    pub pass: Option<bool>,
    pub detail: String,
}

impl CheckLine {
    /// `pass`, `FAIL` or `info`, as the CLI and the console show it.
    pub fn verdict(&self) -> &'static str {
        match self.pass {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "info",
        }
    }
}

fn listed(ids: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = ids
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        s.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    s
}

/// The statement's checks as pass/FAIL lines, amounts included (pure).
pub fn check_lines(v: &StatementView) -> Vec<CheckLine> {
    let s = &v.state;
    let c = &v.checks;
    let sum = |f: fn(&ReportRow) -> Money| v.rows.iter().map(f).sum::<Money>();
    let of = |ids: &[String], what: &str| {
        if ids.is_empty() {
            "none".to_string()
        } else {
            format!("{} {what}: {}", ids.len(), listed(ids))
        }
    };
    let mut refunds = c.refunds_not_booked.clone();
    refunds.extend(c.orphan_refunds.iter().cloned());
    let mut lines = vec![
        CheckLine {
            name: "Statement adds up",
            pass: Some(!matches!(s.status, PostStatus::Held | PostStatus::Reversed)),
            detail: match &s.reason {
                Some(r) if matches!(s.status, PostStatus::Held | PostStatus::Reversed) => r.clone(),
                _ => format!(
                    "payable {} {}; {} transactions settle {}",
                    s.payable,
                    s.currency,
                    v.rows.len(),
                    sum(|r| r.settlement)
                ),
            },
        },
        CheckLine {
            name: "Journal entry in NetSuite",
            pass: Some(s.status == PostStatus::Posted && s.journal_id.is_some()),
            detail: match (&s.journal_id, &s.status) {
                (Some(id), PostStatus::Posted) => {
                    format!("internal id {id} ({} lines)", s.journal_lines)
                }
                _ => s
                    .reason
                    .clone()
                    .unwrap_or_else(|| format!("not posted ({})", s.status)),
            },
        },
        CheckLine {
            name: "Settled orders have a Sales Order",
            pass: Some(c.orders_without_sales_order.is_empty()),
            detail: of(&c.orders_without_sales_order, "without"),
        },
        CheckLine {
            name: "Refunds booked",
            pass: Some(refunds.is_empty()),
            detail: of(&refunds, "not booked or without a sale"),
        },
        CheckLine {
            name: "Adjustments name an order",
            pass: Some(c.adjustments_without_order.is_empty()),
            detail: of(&c.adjustments_without_order, "without an order"),
        },
        CheckLine {
            name: "Fee types known",
            pass: Some(s.unknown_fee_keys.is_empty()),
            detail: if s.unknown_fee_keys.is_empty() {
                "all mapped".into()
            } else {
                format!(
                    "not in the account table, booked to the defaults: {}",
                    s.unknown_fee_keys.join(", ")
                )
            },
        },
        CheckLine {
            name: "Finance report sent",
            pass: Some(s.already_emailed()),
            detail: match &s.emailed {
                Some((st, _)) if s.already_emailed() => format!("for status {st}"),
                Some((st, _)) if *st == s.status => {
                    format!("sent for an earlier journal (status {st}), not yet for this one")
                }
                Some((st, _)) => format!("sent for {st}, not yet for {}", s.status),
                None => "not sent".into(),
            },
        },
    ];
    // Reversing and adjusting entries (issue 23): information, the
    // statement's own lines say whether it is booked now.
    lines.extend(s.corrections.iter().map(|c| CheckLine {
        name: match c.kind {
            CorrectionKind::Reversal => "Journal reversed (reissued statement)",
            _ => "Journal adjusted (revised after its period)",
        },
        pass: None,
        detail: c.summary(),
    }));
    lines.push(match &s.reserve {
        Some(rf) => CheckLine {
            name: "Reserve roll-forward",
            pass: rf.pass(),
            detail: rf.detail(),
        },
        None => CheckLine {
            name: "Reserve roll-forward",
            pass: None,
            detail: format!(
                "{} collected, {} released in this statement",
                c.reserve_collected, c.reserve_released
            ),
        },
    });
    let clearing = v.payment.as_ref().and_then(|p| p.clearing.as_ref());
    lines.push(CheckLine {
        name: "Clearing nets to zero over the payment",
        pass: clearing.map(|c| c.pass()),
        detail: match (clearing, &s.payment_id) {
            (Some(c), Some(pid)) => format!("payment {pid}: {}", c.detail()),
            (Some(c), None) => c.detail(),
            (None, Some(pid)) => format!("payment {pid} is not booked yet: checked when it is"),
            (None, None) => "no payment yet".into(),
        },
    });
    lines
}

/// Re-sends a statement's finance report; the console holds one when it is
/// wired to the payout job (its NetSuite, TikTok and SES clients).
#[async_trait]
pub trait ReportSender: Send + Sync {
    /// Plans the statement again from its kept pages and mails finance
    /// even if its report was sent for this status.
    async fn resend(&self, shop: &ShopId, statement: &str) -> Result<StatementState, OpsError>;
}

#[async_trait]
impl ReportSender for crate::app::JobsApp {
    async fn resend(&self, shop: &ShopId, statement: &str) -> Result<StatementState, OpsError> {
        let job = self.payouts().ok_or(OpsError::Invalid {
            field: "NETSUITE_SECRET_ID",
            reason: "the payouts job needs NetSuite: set NETSUITE_SECRET_ID (or NETSUITE_ACCOUNT_ID and the token variables)".into(),
        })?;
        Ok(report_again(&job, shop, statement, true).await?.0)
    }
}

/// Mails a statement's report again through the job: with `resend`, even
/// when it was sent for its current status. Whether a mail went out.
pub async fn report_again(
    job: &Payouts<'_>,
    shop: &ShopId,
    statement: &str,
    resend: bool,
) -> Result<(StatementState, bool), OpsError> {
    let o = job
        .again(
            shop,
            statement,
            Mode {
                resend,
                ..Mode::default()
            },
        )
        .await?;
    Ok((o.state, o.emailed))
}

/// Re-sends a statement's report for an operator and records who and when
/// (kept beside the statement in the payout job's state).
pub async fn resend_by(
    sender: &dyn ReportSender,
    runs: &dyn JobRuns,
    shop: &ShopId,
    statement: &str,
    actor: &str,
    now: i64,
) -> Result<StatementState, OpsError> {
    let store = PayoutStore { runs, shop };
    if store.statement(statement).await?.is_none() {
        return Err(not_read(shop, statement));
    }
    let state = sender.resend(shop, statement).await?;
    let key = resent_key(statement);
    let mut log: Vec<Resent> = match runs.get_state(JOB, shop, &key).await? {
        Some(s) => serde_json::from_str(&s).unwrap_or_default(),
        None => Vec::new(),
    };
    log.push(Resent {
        by: actor.to_string(),
        at: now,
    });
    let text = serde_json::to_string(&log).unwrap_or_default();
    runs.put_state(JOB, shop, &key, &text).await?;
    tracing::info!(shop = %shop, statement, actor, "payout report re-sent");
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(status: PostStatus) -> StatementState {
        StatementState {
            statement_id: "s1".into(),
            currency: "USD".into(),
            payable: Money::new(1050, 2),
            status,
            external_id: "TTS-STMT-s1".into(),
            journal_id: Some("77".into()),
            journal_lines: 6,
            pages: 1,
            ..StatementState::default()
        }
    }

    fn statement() -> serde_json::Value {
        json!({"transactions": [
            {"id": "t1", "type": "ORDER", "order_id": "o1", "settlement_amount": "10.50"},
            {"id": "t2", "type": "ORDER", "order_id": "o2", "settlement_amount": "0"},
            {"id": "t3", "type": "LOGISTICS_REIMBURSEMENT", "adjustment_amount": "2.00"},
        ]})
    }

    #[test]
    fn a_posted_statement_passes_but_flags_an_order_without_its_sales_order() {
        let v = view(
            state(PostStatus::Posted),
            &statement(),
            vec![
                ("t1".into(), MatchStatus::Matched),
                ("t2".into(), MatchStatus::NoSalesOrder),
                ("t3".into(), MatchStatus::AdjustmentWithoutOrder),
            ],
            vec![],
        );
        assert_eq!(v.rows[1].sales_order, "no_sales_order");
        assert_eq!(v.attention.len(), 2);
        let lines = check_lines(&v);
        let get = |n: &str| lines.iter().find(|l| l.name == n).unwrap();
        assert_eq!(get("Statement adds up").pass, Some(true));
        assert!(get("Statement adds up")
            .detail
            .contains("payable 10.50 USD"));
        assert!(get("Journal entry in NetSuite")
            .detail
            .contains("internal id 77"));
        assert_eq!(get("Settled orders have a Sales Order").pass, Some(false));
        assert!(get("Settled orders have a Sales Order")
            .detail
            .contains("o2"));
        assert_eq!(get("Adjustments name an order").pass, Some(false));
        assert_eq!(get("Finance report sent").pass, Some(false));
        assert_eq!(get("Clearing nets to zero over the payment").pass, None);
        assert_eq!(v.checks.adjustments["LOGISTICS_REIMBURSEMENT"].0, 1);
    }

    #[test]
    fn a_held_statement_fails_with_its_reason() {
        let mut s = state(PostStatus::Held);
        s.journal_id = None;
        s.reason = Some("statement s1 does not add up: fees differ by 0.01".into());
        s.emailed = Some((PostStatus::Held, 5));
        let v = view(s, &json!({"transactions": []}), vec![], vec![]);
        let lines = check_lines(&v);
        assert_eq!(lines[0].pass, Some(false));
        assert!(lines[0].detail.contains("differ by 0.01"));
        assert_eq!(lines[1].pass, Some(false));
        assert_eq!(lines[6].pass, Some(true), "{:?}", lines[6]);
        assert_eq!(v.checks.integrity.len(), 1);
    }
}
