//! The finance email of one statement (pure): the report's checks
//! (`payout_report`) plus what only the job knows (the journal's NetSuite
//! id, the payment and bank side, the fee band), an HTML body with inline
//! styles, and the CSV attachments: every transaction with its parts and
//! match status, and the journal lines.

use serde_json::Value;

use super::payout_config::PayoutConfig;
use super::payout_match::{match_transaction, MatchStatus};
use super::payout_plan::{Held, JournalPlan};
use super::payout_report::{self as report, ReportRow};
use super::payout_state::{PostStatus, StatementState};
use crate::domain::Money;
use crate::notify::raw_mail::{Attachment, RawEmail};
use crate::store::OrderLogEntry;
use crate::tiktok::finance::Payment;

/// One page's transactions as report rows, each matched against its
/// order's log entry (`logged(order id)`); the statuses also come back for
/// storing.
pub fn rows_with_matches<'e>(
    txs: Vec<Value>,
    logged: &dyn Fn(&str) -> Option<&'e OrderLogEntry>,
) -> (Vec<ReportRow>, Vec<(String, MatchStatus)>) {
    let statuses: Vec<(String, MatchStatus)> = txs
        .iter()
        .map(|t| {
            let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
            let entry = super::payout_match::order_of(t).and_then(logged);
            (id.to_string(), match_transaction(t, entry))
        })
        .collect();
    let page = serde_json::json!({ "transactions": txs });
    let mut rows = report::rows(&page, &|_| true);
    for (r, (_, s)) in rows.iter_mut().zip(&statuses) {
        r.sales_order = s.as_str().to_string();
    }
    (rows, statuses)
}

/// The finance email of one statement (pure over what the job gathered).
/// `rows` are the statement's transactions with their match status in
/// `sales_order` (see [`rows_with_matches`]).
pub fn build_email(
    cfg: &PayoutConfig,
    state: &StatementState,
    rows: &[ReportRow],
    plan: &Result<JournalPlan, Held>,
    payments: &[Payment],
    from: &str,
) -> RawEmail {
    let mut checks = report::checks(rows, plan);
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
        data: report::csv(rows).into_bytes(),
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
