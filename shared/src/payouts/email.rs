//! The finance email of one statement (pure): the report's checks
//! (`report`) plus what only the job knows (the journal's NetSuite
//! id, the payment and bank side, the fee band), an HTML body with inline
//! styles, and the CSV attachments: every transaction with its parts and
//! match status, and the journal lines.

use serde_json::Value;

use super::checks::ClearingCheck;
use super::matching::{match_transaction, MatchStatus};
use super::plan::{Held, JournalPlan};
use super::report::{self as report, ReportRow};
use super::revise::CorrectionKind;
use super::state::{PostStatus, StatementState};
use crate::domain::{Money, OrderId};
use crate::mapping::payouts::PayoutConfig;
use crate::notify::raw_mail::{Attachment, RawEmail};
use crate::store::OrderLogEntry;
use crate::tiktok::finance::{Payment, Statement};

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
            let entry = super::matching::order_of(t).and_then(logged);
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

/// What the run listed besides the statement: its payments, and TikTok's
/// unsettled transactions (202507, estimates: reported, never posted).
#[derive(Debug, Clone, Copy, Default)]
pub struct Listed<'a> {
    pub payments: &'a [Payment],
    pub unsettled: &'a [Value],
    /// Orders shipped more than `unsettled_after_days` ago and not settled
    /// (order, shipped at), from the order log's awaiting set.
    pub overdue: &'a [(OrderId, i64)],
    /// The statements the run listed, in the order it processes them (a
    /// combined payment's later statements are "waiting", not missing).
    pub statements: &'a [Statement],
    /// The clearing check of the statement's payment (`None`: no payment).
    pub clearing: Option<&'a PaymentClearing>,
    /// The $0 orders of the statement's period by type (issue 26).
    pub free_orders: &'a [super::free_orders::FreeRow],
}

/// The clearing account over a statement's payment, as the report judges it.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentClearing {
    /// The payment journal books the payment in this run: what its
    /// statements put into clearing against what it moves to the bank.
    Checked(ClearingCheck),
    /// A combined payment whose other statements this run reads after this
    /// one: judged in the report of the last of them.
    Waiting(Vec<String>),
    /// The payment cannot be booked (its amount differs from its
    /// statements' payable, currencies differ, …): why. A FAIL.
    Held(String),
    /// Nothing to judge yet (not paid, this statement not posted, or the
    /// stored statements could not be read): why.
    NotYet(String),
}

/// The finance email of one statement (pure over what the job gathered).
/// `rows` are the statement's transactions with their match status in
/// `sales_order` (see [`rows_with_matches`]).
pub fn build_email(
    cfg: &PayoutConfig,
    state: &StatementState,
    rows: &[ReportRow],
    plan: &Result<JournalPlan, Held>,
    listed: Listed<'_>,
    from: &str,
) -> RawEmail {
    let payments = listed.payments;
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
        if state.status == PostStatus::AwaitingApproval {
            checks.integrity.push(format!("Not booked yet: {r}"));
        }
        if state.status == PostStatus::Reversed {
            checks
                .integrity
                .push(format!("Journal reversed in NetSuite: {r}"));
        }
    }
    // (check, pass / fail / information, detail) for the checks table.
    let mut table: Vec<(&str, Option<bool>, String)> = Vec::new();
    if let Some(pid) = &state.payment_id {
        match payments.iter().find(|p| p.id.as_str() == pid) {
            Some(p) => {
                let before = p.payment_amount_before_exchange.value;
                let same = before == state.payable && p.amount.value == before;
                let detail = format!(
                    "payment {pid} ({}): {before} before exchange, bank {} {}; this statement payable {}",
                    p.status.as_str(),
                    p.amount.value,
                    p.amount.currency,
                    state.payable
                );
                // Several statements in one payment: the payment journal
                // reconciles them together (information here).
                table.push(("Statement ↔ payment ↔ bank", same.then_some(true), detail));
            }
            None => table.push((
                "Statement ↔ payment ↔ bank",
                None,
                format!("payment {pid} is not listed yet: checked when it is"),
            )),
        }
    }
    let sum = |f: fn(&ReportRow) -> Money| -> Money { rows.iter().map(f).sum() };
    let gross: Money = rows
        .iter()
        .filter(|r| r.revenue > Money::ZERO)
        .map(|r| r.revenue)
        .sum();
    let fees = sum(|r| r.fee_tax);
    if let Some(band) = &cfg.fee_band {
        if gross > Money::ZERO {
            let pct = (-fees * Money::ONE_HUNDRED / gross).round_dp(2);
            let ok = pct >= band.min_percent && pct <= band.max_percent;
            if !ok {
                checks.payment.push(format!(
                    "fee rate {pct} % of gross revenue is outside the expected {}–{} %",
                    band.min_percent, band.max_percent
                ));
            }
            table.push((
                "Fee rate within the expected band",
                Some(ok),
                format!(
                    "{pct} % (expected {}–{} %)",
                    band.min_percent, band.max_percent
                ),
            ));
        }
    }
    let count =
        |v: &[String]| -> (Option<bool>, String) { (Some(v.is_empty()), format!("{}", v.len())) };
    for (name, (ok, n)) in [
        (
            "Statement adds up (totals and each transaction's parts)",
            count(&checks.integrity),
        ),
        (
            "Settled orders have a Sales Order",
            count(&checks.orders_without_sales_order),
        ),
        (
            "Refunds have their original sale",
            count(&checks.orphan_refunds),
        ),
        (
            "Refunds have a Credit Memo / Cash Refund",
            count(&checks.refunds_not_booked),
        ),
        (
            "Adjustments name an order",
            count(&checks.adjustments_without_order),
        ),
    ] {
        table.push((name, ok, format!("{n} exception(s)")));
    }
    let overdue_named: Vec<String> = listed
        .overdue
        .iter()
        .take(20)
        .map(|(o, at)| format!("{} (shipped {})", o.as_str(), super::post::date_of(*at)))
        .collect();
    let overdue_detail = format!(
        "{} order(s) shipped more than {} days ago not settled{}{}",
        listed.overdue.len(),
        cfg.unsettled_after_days,
        if overdue_named.is_empty() { "" } else { ": " },
        overdue_named.join(", ")
    );
    if !listed.overdue.is_empty() {
        checks.payment.push(overdue_detail.clone());
    }
    table.push((
        "Shipped Sales Orders are settled",
        Some(listed.overdue.is_empty()),
        overdue_detail,
    ));
    table.push((
        "Fee, revenue and shipping keys in the account table",
        Some(checks.unknown_fee_keys.is_empty()),
        format!("{} unknown", checks.unknown_fee_keys.len()),
    ));
    let pid = state.payment_id.as_deref().unwrap_or("-");
    table.push(match listed.clearing {
        Some(PaymentClearing::Checked(c)) => (
            "Clearing nets to zero over the payment",
            Some(c.pass()),
            format!("payment {pid}: {} (the payment journal of this run)", c.detail()),
        ),
        Some(PaymentClearing::Waiting(later)) => (
            "Clearing nets to zero over the payment",
            None,
            format!(
                "payment {pid} also pays statement(s) {}, read later in this run: judged in the last one's report",
                later.join(", ")
            ),
        ),
        Some(PaymentClearing::Held(reason)) => (
            "Clearing nets to zero over the payment",
            Some(false),
            reason.clone(),
        ),
        Some(PaymentClearing::NotYet(why)) => (
            "Clearing nets to zero over the payment",
            None,
            format!("payment {pid}: {why}"),
        ),
        None => (
            "Clearing nets to zero over the payment",
            None,
            "no payment yet".into(),
        ),
    });
    for c in &state.corrections {
        let name = match c.kind {
            CorrectionKind::Reversal => "Journal reversed (reissued statement)",
            _ => "Journal adjusted (revised after its period)",
        };
        table.push((name, None, c.summary()));
    }
    table.push(match &state.reserve {
        Some(rf) => ("Reserve roll-forward", rf.pass(), rf.detail()),
        None => (
            "Reserve roll-forward",
            None,
            format!(
                "{} collected, {} released in this statement",
                checks.reserve_collected, checks.reserve_released
            ),
        ),
    });
    let summary = [
        (
            "Revenue (net of seller discounts and refunds)",
            sum(|r| r.revenue),
        ),
        ("Shipping", sum(|r| r.shipping)),
        ("Fees and taxes on fees", fees),
        ("Adjustments", sum(|r| r.adjustment)),
        ("Settlement", sum(|r| r.settlement)),
        ("Reserve", sum(|r| r.reserve)),
        ("Payable", state.payable),
    ];
    let (mut subject, html, text) =
        report::email(&state.statement_id, &state.currency, plan, &checks);
    if state.status == PostStatus::Reversed {
        subject = format!(
            "TikTok statement {} ({}): REVERSED: reissued, no longer adds up; its journal is reversed in NetSuite",
            state.statement_id, state.currency
        );
    }
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
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;font-size:14px;color:#222\">\n{html}{}{}{}</body></html>\n",
        tables_html(&state.currency, &summary, &table),
        unsettled_html(listed.unsettled),
        super::free_orders::html(listed.free_orders, &state.currency)
    );
    RawEmail {
        from: from.to_string(),
        to: cfg.finance_emails.clone(),
        subject,
        html,
        text,
        attachments,
    }
}

/// TikTok's unsettled transactions (Get Unsettled Transactions 202507,
/// finance notes §1.7): marked as estimates, never posted; the first 20 rows.
fn unsettled_html(rows: &[Value]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let est =
        |r: &Value| super::plan::amount(r.get("est_settlement_amount"), "").unwrap_or_default();
    let total: Money = rows.iter().map(est).sum();
    let td = "style=\"border:1px solid #ccc;padding:4px 8px\"";
    let mut out = format!(
        "<h2>Not settled yet: ESTIMATES, not posted</h2>\n<p>{} transaction(s), estimated settlement {total} in total (TikTok's estimate; it changes until settlement).</p>\n<table style=\"border-collapse:collapse\">\n<tr><th {td}>Order</th><th {td}>Estimated settlement</th><th {td}>Expected</th><th {td}>Why not yet</th></tr>\n",
        rows.len()
    );
    let text = |r: &Value, k: &str| esc(r.get(k).and_then(Value::as_str).unwrap_or_default());
    for r in rows.iter().take(20) {
        out.push_str(&format!(
            "<tr><td {td}>{}</td><td {td} align=\"right\">{}</td><td {td}>{}</td><td {td}>{}</td></tr>\n",
            text(r, "order_id"),
            est(r),
            text(r, "estimated_settlement"),
            text(r, "unsettled_reason")
        ));
    }
    out.push_str("</table>\n");
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The summary and checks tables (inline styles: mail clients drop `<style>`).
fn tables_html(
    currency: &str,
    summary: &[(&str, Money)],
    checks: &[(&str, Option<bool>, String)],
) -> String {
    let td = "style=\"border:1px solid #ccc;padding:4px 8px\"";
    let mut out = format!(
        "<h2>Summary ({})</h2>\n<table style=\"border-collapse:collapse\">\n",
        esc(currency)
    );
    for (name, v) in summary {
        out.push_str(&format!(
            "<tr><td {td}>{}</td><td {td} align=\"right\">{v}</td></tr>\n",
            esc(name)
        ));
    }
    out.push_str("</table>\n<h2>Checks</h2>\n<table style=\"border-collapse:collapse\">\n");
    for (name, ok, detail) in checks {
        let (label, colour) = match ok {
            Some(true) => ("pass", "#1a7f37"),
            Some(false) => ("FAIL", "#cf222e"),
            None => ("info", "#555"),
        };
        out.push_str(&format!(
            "<tr><td {td}>{}</td><td style=\"border:1px solid #ccc;padding:4px 8px;color:{colour};font-weight:bold\">{label}</td><td {td}>{}</td></tr>\n",
            esc(name),
            esc(detail)
        ));
    }
    out.push_str("</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::payouts::tests::config;
    use crate::payouts::plan::plan_journal;
    use crate::payouts::plan::tests::sample;

    #[test]
    fn the_email_has_the_summary_every_check_and_both_attachments() {
        let s = sample();
        let txs = s["transactions"].as_array().unwrap().clone();
        let (rows, statuses) = rows_with_matches(txs, &|_| None);
        assert_eq!(statuses[1].1, MatchStatus::NoSalesOrder);
        let plan = plan_journal(&s, &config().accounts, "tts-stmt-x");
        let state = StatementState {
            statement_id: "7491234567890123456".into(),
            currency: "USD".into(),
            payable: "79.49".parse().unwrap(),
            status: PostStatus::Posted,
            journal_id: Some("1005".into()),
            ..Default::default()
        };
        let mail = build_email(
            &config(),
            &state,
            &rows,
            &plan,
            Listed {
                payments: &[],
                unsettled: &[serde_json::json!({"order_id": "577123456789000091",
                    "est_settlement_amount": "18.20", "estimated_settlement": "Delivered + 7 days",
                    "unsettled_reason": "WAITING_FOR_PACKAGE_DELIVERY"})],
                overdue: &[(OrderId::new("577000000000000777"), 1_764_000_000)],
                statements: &[],
                clearing: None,
                free_orders: &[super::super::free_orders::FreeRow {
                    order_type: crate::domain::OrderType::Sample,
                    orders: 2,
                    retail_value: "150.00".parse().unwrap(),
                }],
            },
            "from@example.com",
        );
        assert!(mail.html.contains("ESTIMATES, not posted") && mail.html.contains("18.20"));
        assert!(mail.html.contains("$0 orders in this period") && mail.html.contains(">150.00<"));
        assert!(mail.subject.contains("posted"), "{}", mail.subject);
        assert!(mail.html.contains("Summary (USD)") && mail.html.contains("79.49"));
        assert!(
            mail.html.contains("Settled orders have a Sales Order</td><td style=\"border:1px solid #ccc;padding:4px 8px;color:#cf222e;font-weight:bold\">FAIL"),
            "{}",
            mail.html
        );
        assert!(
            mail.html.contains("Shipped Sales Orders are settled</td><td style=\"border:1px solid #ccc;padding:4px 8px;color:#cf222e;font-weight:bold\">FAIL")
                && mail.html.contains("577000000000000777 (shipped 2025-11-24)"),
            "{}",
            mail.html
        );
        assert!(
            mail.text.contains("shipped more than 14 days ago"),
            "{}",
            mail.text
        );
        assert_eq!(mail.attachments.len(), 2);
        let csv = String::from_utf8(mail.attachments[0].data.clone()).unwrap();
        assert!(
            csv.lines().nth(2).unwrap().ends_with(",no_sales_order"),
            "{csv}"
        );
    }
}
