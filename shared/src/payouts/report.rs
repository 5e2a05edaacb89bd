//! The finance report of one statement (pure): one CSV row per transaction,
//! and the checks finance reads first (finance-inventory-fulfilment.md §5.3),
//! as an HTML email body with a plain-text twin.
//!
//! The journal is summarised by account; this report is where the per-order
//! detail lives, so every transaction is a row, with the amounts TikTok sent
//! and the supplementary figures that are not part of settlement (customer
//! payment, platform discount, sales tax), and whether its order has a Sales
//! Order. Text from TikTok is escaped in the HTML and quoted in the CSV.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::plan::{Held, JournalPlan};
use crate::domain::Money;

/// Adjustment types finance should look at first (§5.3 item 5).
pub const HIGHLIGHTED: [&str; 4] = [
    "PLATFORM_PENALTY",
    "DEDUCTIONS_INCURRED_BY_SELLER",
    "CHARGE_BACK",
    "GMV_PAYMENT_FOR_ADS",
];

/// One transaction of the statement, as the CSV shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub transaction_id: String,
    pub kind: String,
    /// `order_id`, else `adjustment_order_id`, else `associated_order_id`.
    pub order_id: String,
    pub adjustment_id: String,
    pub settlement: Money,
    pub revenue: Money,
    pub shipping: Money,
    pub fee_tax: Money,
    pub adjustment: Money,
    pub reserve: Money,
    pub customer_payment: Money,
    pub platform_discount: Money,
    pub sales_tax: Money,
    /// `yes`, `no` or empty (not an order row) from [`rows`]; the payout
    /// job overwrites it with the transaction's
    /// [`MatchStatus`](super::matching::MatchStatus).
    pub sales_order: String,
}

fn text(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// An amount for the report: one the journal planner would refuse as
/// unreadable (and hold the statement for) shows as 0 here.
fn money(v: Option<&Value>) -> Money {
    super::plan::amount(v, "").unwrap_or_default()
}

/// The rows of a statement; `has_sales_order` says whether an order id has
/// a Sales Order in NetSuite (by externalId).
pub fn rows(statement: &Value, has_sales_order: &dyn Fn(&str) -> bool) -> Vec<ReportRow> {
    let empty = Vec::new();
    statement
        .get("transactions")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
        .iter()
        .map(|t| {
            let kind = text(t, "type");
            let order = [
                text(t, "order_id"),
                text(t, "adjustment_order_id"),
                text(t, "associated_order_id"),
            ]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
            let sup = t.get("supplementary_component");
            let is_order = kind.eq_ignore_ascii_case("ORDER");
            ReportRow {
                transaction_id: text(t, "id"),
                adjustment_id: text(t, "adjustment_id"),
                settlement: money(t.get("settlement_amount")),
                revenue: money(t.get("revenue_amount")),
                shipping: money(t.get("shipping_cost_amount")),
                fee_tax: money(t.get("fee_tax_amount")),
                adjustment: money(t.get("adjustment_amount")),
                reserve: money(t.get("reserve_amount")),
                customer_payment: money(sup.and_then(|s| s.get("customer_payment_amount"))),
                platform_discount: money(sup.and_then(|s| s.get("platform_discount_amount"))),
                sales_tax: money(sup.and_then(|s| s.get("sales_tax_amount"))),
                sales_order: if is_order {
                    if has_sales_order(&order) { "yes" } else { "no" }.into()
                } else {
                    String::new()
                },
                order_id: order,
                kind,
            }
        })
        .collect()
}

/// The CSV attachment: a header and one line per row (quoted and
/// formula-defused by [`crate::csv_file`]).
pub fn csv(rows: &[ReportRow]) -> String {
    // About 100 bytes a row: sized once rather than regrown.
    let mut w = crate::csv_file::CsvWriter::new(
        &[
            "transaction_id",
            "type",
            "order_id",
            "adjustment_id",
            "settlement",
            "revenue",
            "shipping",
            "fee_tax",
            "adjustment",
            "reserve",
            "customer_payment",
            "platform_discount",
            "sales_tax",
            "match_status",
        ],
        rows.len() * 104 + 256,
    );
    for r in rows {
        w.row([
            r.transaction_id.clone(),
            r.kind.clone(),
            r.order_id.clone(),
            r.adjustment_id.clone(),
            r.settlement.to_string(),
            r.revenue.to_string(),
            r.shipping.to_string(),
            r.fee_tax.to_string(),
            r.adjustment.to_string(),
            r.reserve.to_string(),
            r.customer_payment.to_string(),
            r.platform_discount.to_string(),
            r.sales_tax.to_string(),
            r.sales_order.clone(),
        ]);
    }
    w.finish()
}

/// The journal-lines attachment: one line per account, with the totals.
pub fn journal_csv(plan: &JournalPlan) -> String {
    let mut w = crate::csv_file::CsvWriter::new(
        &["external_id", "account", "debit", "credit", "memo"],
        plan.lines.len() * 96 + 64,
    );
    for l in &plan.lines {
        w.row([
            plan.external_id.clone(),
            l.account.clone(),
            l.debit.to_string(),
            l.credit.to_string(),
            l.memo.clone(),
        ]);
    }
    w.finish()
}

/// What finance reads first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checks {
    /// The statement's own arithmetic (held, or booked to variance).
    pub integrity: Vec<String>,
    pub unknown_fee_keys: BTreeSet<String>,
    /// Settled orders with no Sales Order in NetSuite.
    pub orders_without_sales_order: Vec<String>,
    /// Refunds with no original sale in NetSuite (by order id).
    pub orphan_refunds: Vec<String>,
    /// Refunds of a known sale with no Credit Memo / Cash Refund yet.
    pub refunds_not_booked: Vec<String>,
    /// Adjustments that name no order (by adjustment id).
    pub adjustments_without_order: Vec<String>,
    /// Statement ↔ payment ↔ bank findings (filled by the payout job).
    pub payment: Vec<String>,
    /// Where the journal is in NetSuite (filled by the payout job).
    pub journal_link: Option<String>,
    /// Adjustments by type: (count, total).
    pub adjustments: BTreeMap<String, (usize, Money)>,
    pub reserve_collected: Money,
    pub reserve_released: Money,
}

pub fn checks(rows: &[ReportRow], plan: &Result<JournalPlan, Held>) -> Checks {
    let mut c = Checks::default();
    match plan {
        Ok(p) => {
            c.integrity = p.variances.clone();
            c.unknown_fee_keys = p.unknown_fee_keys.clone();
        }
        Err(h) => c.integrity = vec![h.to_string()],
    }
    for r in rows {
        match r.sales_order.as_str() {
            "no" | "no_sales_order" => c.orders_without_sales_order.push(r.order_id.clone()),
            "orphan_refund" => c.orphan_refunds.push(r.order_id.clone()),
            "refund_not_booked" => c.refunds_not_booked.push(r.order_id.clone()),
            "adjustment_without_order" => {
                c.adjustments_without_order
                    .push(if r.adjustment_id.is_empty() {
                        r.transaction_id.clone()
                    } else {
                        r.adjustment_id.clone()
                    })
            }
            _ => {}
        }
        if r.kind.eq_ignore_ascii_case("RESERVE") {
            if r.reserve < Money::ZERO {
                c.reserve_collected += -r.reserve;
            } else {
                c.reserve_released += r.reserve;
            }
        } else if !r.kind.eq_ignore_ascii_case("ORDER") {
            let e = c
                .adjustments
                .entry(r.kind.clone())
                .or_insert((0, Money::ZERO));
            e.0 += 1;
            e.1 += r.adjustment;
        }
    }
    c
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Subject, HTML body and plain-text body of the finance email.
pub fn email(
    statement_id: &str,
    currency: &str,
    plan: &Result<JournalPlan, Held>,
    c: &Checks,
) -> (String, String, String) {
    let status = match plan {
        Ok(p) if c.journal_link.is_some() && p.variances.is_empty() => {
            format!("journal {} posted", p.external_id)
        }
        Ok(p) if p.variances.is_empty() => format!("journal {} ready to post", p.external_id),
        Ok(p) => format!("journal {} with a variance", p.external_id),
        Err(_) => "HELD: does not add up".into(),
    };
    let subject = format!("TikTok statement {statement_id} ({currency}): {status}");
    let mut issues: Vec<String> = c.integrity.clone();
    if !c.unknown_fee_keys.is_empty() {
        issues.push(format!(
            "keys not in the account table (fee keys booked to other TikTok fees, revenue_breakdown.* to other adjustments, shipping_cost_breakdown.* to shipping services; map them in payouts.fee_keys / revenue_keys): {}",
            c.unknown_fee_keys
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !c.orders_without_sales_order.is_empty() {
        issues.push(format!(
            "{} settled order(s) have no Sales Order in NetSuite: {}",
            c.orders_without_sales_order.len(),
            c.orders_without_sales_order
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (what, list) in [
        (
            "refund(s) have no original sale in NetSuite",
            &c.orphan_refunds,
        ),
        (
            "refund(s) have no Credit Memo / Cash Refund yet",
            &c.refunds_not_booked,
        ),
        ("adjustment(s) name no order", &c.adjustments_without_order),
    ] {
        if !list.is_empty() {
            let shown: Vec<&str> = list.iter().take(20).map(String::as_str).collect();
            issues.push(format!("{} {what}: {}", list.len(), shown.join(", ")));
        }
    }
    issues.extend(c.payment.iter().cloned());
    for (kind, (n, total)) in &c.adjustments {
        if HIGHLIGHTED.contains(&kind.as_str()) {
            issues.push(format!("{n} {kind} adjustment(s), {total} {currency}"));
        }
    }
    let mut text = format!("{subject}\n\n");
    let mut html = format!("<h1>{}</h1>\n", esc(&subject));
    if issues.is_empty() {
        text.push_str(
            "Checks: everything adds up; no unknown fees; every settled order has a Sales Order.\n",
        );
        html.push_str("<p>Checks: everything adds up; no unknown fees; every settled order has a Sales Order.</p>\n");
    } else {
        text.push_str("Needs attention:\n");
        html.push_str("<h2>Needs attention</h2>\n<ul>\n");
        for i in &issues {
            let _ = writeln!(text, "- {i}");
            let _ = writeln!(html, "<li>{}</li>", esc(i));
        }
        html.push_str("</ul>\n");
    }
    if let Some(link) = &c.journal_link {
        let _ = writeln!(text, "\nNetSuite: {link}");
        let _ = writeln!(html, "<p>NetSuite: {}</p>", esc(link));
    }
    if let Ok(p) = plan {
        text.push_str("\nJournal lines:\n");
        html.push_str(
            "<h2>Journal</h2>\n<table>\n<tr><th>Account</th><th>Debit</th><th>Credit</th></tr>\n",
        );
        for l in &p.lines {
            let _ = writeln!(
                text,
                "  {:<12} Dr {:>12}  Cr {:>12}",
                l.account, l.debit, l.credit
            );
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&l.account),
                l.debit,
                l.credit
            );
        }
        let _ = writeln!(
            text,
            "  {:<12} Dr {:>12}  Cr {:>12}",
            "total",
            p.total_debits(),
            p.total_credits()
        );
        let _ = writeln!(
            html,
            "<tr><th>Total</th><th>{}</th><th>{}</th></tr>\n</table>",
            p.total_debits(),
            p.total_credits()
        );
    }
    let _ = writeln!(
        text,
        "\nReserve: {} collected, {} released. Every transaction is in the attached CSV.",
        c.reserve_collected, c.reserve_released
    );
    let _ = writeln!(
        html,
        "<p>Reserve: {} collected, {} released. Every transaction is in the attached CSV.</p>",
        c.reserve_collected, c.reserve_released
    );
    (subject, html, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payouts::plan::plan_journal;
    use crate::payouts::plan::tests::{accounts, sample};
    use serde_json::json;

    #[test]
    fn every_transaction_is_a_row_and_unmatched_orders_are_flagged() {
        let s = sample();
        let r = rows(&s, &|o| o == "577123456789000001");
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].customer_payment, "51.59".parse().unwrap());
        assert_eq!(r[0].sales_tax, "3.60".parse().unwrap());
        assert_eq!(
            (r[0].sales_order.as_str(), r[1].sales_order.as_str()),
            ("yes", "no")
        );
        assert_eq!(
            r[2].order_id, "577123456700000777",
            "adjustments carry their order"
        );
        assert_eq!(r[3].reserve, "-5.00".parse().unwrap());
        let plan = plan_journal(&s, &accounts(), "tts-stmt-1");
        let c = checks(&r, &plan);
        assert_eq!(
            c.orders_without_sales_order,
            vec!["577123456789000002".to_string()]
        );
        assert_eq!(c.reserve_collected, "5.00".parse().unwrap());
        assert_eq!(
            c.adjustments.get("LOGISTICS_REIMBURSEMENT").map(|a| a.0),
            Some(1)
        );
        let (subject, html, text) = email("7491234567890123456", "USD", &plan, &c);
        assert!(subject.contains("ready to post"), "{subject}");
        assert!(html.contains("<td>1260</td><td>79.49</td>"), "{html}");
        assert!(text.contains("577123456789000002") && html.contains("577123456789000002"));
    }

    #[test]
    fn the_csv_quotes_and_defuses_what_tiktok_sends() {
        let mut s = sample();
        s["transactions"][2]["type"] = json!("Violation fee （settlement fee）, =HYPERLINK(\"x\")");
        let r = rows(&s, &|_| true);
        let out = csv(&r);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.len(), 6, "header, 4 rows, trailing empty");
        assert!(lines[0].starts_with("transaction_id,type,order_id"));
        assert!(
            lines[1].contains(",43.79,45.00,5.99,-7.20,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[3].contains("\"Violation fee （settlement fee）, =HYPERLINK(\"\"x\"\")\""),
            "{}",
            lines[3]
        );
        assert_eq!(crate::csv_file::defuse("=1+1"), "'=1+1");
        assert_eq!(
            crate::csv_file::defuse("-7.20"),
            "-7.20",
            "numbers stay numbers"
        );
        let held = plan_journal(
            &json!({"id": "9", "total_settlement_amount": "1"}),
            &accounts(),
            "x",
        );
        let c = checks(&[], &held);
        let (subject, html, _) = email("9", "USD", &held, &c);
        assert!(
            subject.contains("HELD") && html.contains("does not add up"),
            "{subject} {html}"
        );
        let (_, html, _) = email("<9>", "USD", &held, &c);
        assert!(html.contains("&lt;9&gt;") && !html.contains("<9>"));
    }
}
