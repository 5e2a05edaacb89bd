//! `tns-bench-payouts [N]`: one statement of N (default 100,000) TikTok
//! transactions through the payout planner and the finance report: the
//! journal (lines by account), the transactions CSV, the journal CSV, the
//! HTML email and its MIME message. Pure CPU and memory, no network: the
//! figures are for what the job does between reading the pages and
//! writing to NetSuite / SES. Prints time and peak RSS (VmHWM), also before
//! planning (the statement as a JSON value is most of it).

use std::time::Instant;

use cli::bench::{chrono_like_now, cores, loadavg, proc_status_kib, reset_peak_rss};
use serde_json::{json, Value};
use shared::payouts::matching::MatchStatus;
use shared::payouts::state::{PostStatus, StatementState};

fn m(c: i64) -> String {
    shared::domain::Money::new(c, 2).to_string()
}

/// Transaction `i`: mostly sales, every 20th a refund, every 50th with an
/// unknown fee key, every 100th an adjustment, every 200th a reserve row.
fn tx(i: usize) -> (Value, i64, i64) {
    let id = format!("74912345{i:011}");
    let order = format!("5771234{i:012}");
    if i % 200 == 199 {
        let r = -((i % 7) as i64 + 1) * 100;
        return (
            json!({"id": id, "type": "RESERVE", "reserve_id": format!("r{i}"),
                "associated_order_id": order, "reserve_status": "COLLECTED",
                "estimated_release_time": "1769472000", "reserve_amount": m(r)}),
            0,
            r,
        );
    }
    if i % 100 == 99 {
        let a = 250 + (i % 13) as i64;
        return (
            json!({"id": id, "type": "LOGISTICS_REIMBURSEMENT", "order_create_time": 1765843200,
                "adjustment_id": format!("a{i}"), "adjustment_order_id": order,
                "settlement_amount": m(a), "revenue_amount": "0", "shipping_cost_amount": "0",
                "fee_tax_amount": "0", "adjustment_amount": m(a)}),
            a,
            0,
        );
    }
    let subtotal = 1000 + (i % 97) as i64 * 37;
    let refund = i % 20 == 19;
    let (sub, refund_sub) = if refund {
        (0, -subtotal)
    } else {
        (subtotal, 0)
    };
    let discount = if refund { 0 } else { -(subtotal / 10) };
    let revenue = sub + refund_sub + discount;
    let shipping = if refund { 0 } else { 599 };
    let referral = -(revenue.abs() * 6 / 100) * revenue.signum();
    let affiliate = if i.is_multiple_of(3) {
        -(revenue / 10)
    } else {
        0
    };
    let unknown = if i.is_multiple_of(50) { -25 } else { 0 };
    let fee = referral + affiliate + unknown;
    let settlement = revenue + shipping + fee;
    let mut fees = json!({"referral_fee_amount": m(referral), "transaction_fee_amount": "0",
        "affiliate_commission_amount": m(affiliate), "refund_administration_fee_amount": "0"});
    if unknown != 0 {
        fees["gmv_max_ad_fee_amount"] = json!(m(unknown));
    }
    (
        json!({"id": id, "type": "ORDER", "order_id": order, "order_create_time": 1766880000 + i as i64,
            "settlement_amount": m(settlement), "revenue_amount": m(revenue),
            "revenue_breakdown": {"subtotal_before_discount_amount": m(sub),
                "seller_discount_amount": m(discount),
                "refund_subtotal_before_discount_amount": m(refund_sub), "seller_discount_refund_amount": "0"},
            "shipping_cost_amount": m(shipping),
            "shipping_cost_breakdown": {"actual_shipping_fee_amount": "0", "shipping_fee_discount_amount": "0",
                "customer_paid_shipping_fee_amount": m(shipping), "return_shipping_fee_amount": "0",
                "supplementary_component": {"customer_shipping_fee": m(shipping)}},
            "fee_tax_amount": m(fee),
            "fee_tax_breakdown": {"fee": fees, "tax": {}},
            "adjustment_amount": "0",
            "supplementary_component": {"customer_payment_amount": m(revenue + shipping),
                "platform_discount_amount": "0", "sales_tax_amount": "0"}}),
        settlement,
        0,
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let started_at = chrono_like_now();
    let load = loadavg();
    let accounts: shared::payouts::plan::PayoutAccounts = serde_json::from_value(json!({
        "revenue_source": {"mode": "journal"},
        "sales_revenue": "4000", "seller_discounts": "4010", "refunds": "4020",
        "shipping_income": "4100",
        "fee_groups": {"commission": "6100", "transaction": "6110", "affiliate": "6120",
                       "shipping_services": "6130", "programme": "6140", "fee_taxes": "6150"},
        "other_fees": "6190", "adjustments": {"LOGISTICS_REIMBURSEMENT": "4200"},
        "other_adjustments": "6900", "reserve": "1250", "payout_in_transit": "1260"
    }))?;
    let cfg: shared::mapping::payouts::PayoutConfig = {
        let mut v = serde_json::to_value(&accounts)?;
        v["bank"] = json!("1000");
        v["finance_emails"] = json!(["finance@example.com"]);
        serde_json::from_value(v)?
    };
    let rss_start = proc_status_kib("VmRSS");
    reset_peak_rss();
    // As the job does it: TikTok's pages of 100 arrive as JSON text, each
    // is parsed, folded into the journal, matched and turned into report
    // rows, then dropped (no order has a Sales Order: the worst case for
    // the report's lists).
    let sid = "7491234567890199999";
    let t0 = Instant::now();
    let mut planner = shared::payouts::plan::JournalPlanner::new(&accounts, sid);
    let (mut rows, mut matches) = (Vec::new(), Vec::new());
    let (mut settle, mut reserve, mut page_bytes) = (0i64, 0i64, 0usize);
    let mut parse = std::time::Duration::ZERO;
    let mut synth = std::time::Duration::ZERO;
    for start in (0..n).step_by(100) {
        let tg = Instant::now();
        let mut txs = Vec::with_capacity(100);
        for i in start..(start + 100).min(n) {
            let (t, s, r) = tx(i);
            settle += s;
            reserve += r;
            txs.push(t);
        }
        let text = json!({"id": sid, "total_count": n, "transactions": txs}).to_string();
        page_bytes += text.len();
        synth += tg.elapsed();
        let tp = Instant::now();
        let mut page: Value = serde_json::from_str(&text)?;
        parse += tp.elapsed();
        let txs = match page["transactions"].take() {
            Value::Array(t) => t,
            _ => Vec::new(),
        };
        for t in &txs {
            planner.add(t).map_err(|h| h.to_string())?;
        }
        let (r, ms) = shared::payouts::email::rows_with_matches(txs, &|_| None);
        rows.extend(r);
        matches.extend(ms);
    }
    let root = json!({"id": sid, "create_time": 1767225600, "status": "SETTLED", "currency": "USD",
        "total_settlement_amount": m(settle), "total_reserve_amount": m(reserve),
        "payable_amount": m(settle + reserve), "total_count": n});
    let plan = planner.finish(&root, "tts-stmt-bench");
    // Making up the pages is the benchmark's, not the job's: left out.
    let planned = t0.elapsed() - synth;
    let lines = plan.as_ref().map(|p| p.lines.len()).unwrap_or(0);
    let balanced = plan
        .as_ref()
        .map(|p| p.total_debits() == p.total_credits())
        .unwrap_or(false);
    let state = StatementState {
        statement_id: sid.into(),
        currency: "USD".into(),
        status: if plan.is_ok() {
            PostStatus::Posted
        } else {
            PostStatus::Held
        },
        external_id: "tts-stmt-bench".into(),
        journal_id: Some("1000".into()),
        transactions: matches.len(),
        ..Default::default()
    };
    let t2 = Instant::now();
    let mail = shared::payouts::email::build_email(
        &cfg,
        &state,
        &rows,
        &plan,
        shared::payouts::email::Listed::default(),
        "payouts@example.com",
    );
    let mime = mail.to_mime("bench");
    let reported = t2.elapsed();
    let csv_bytes: usize = mail.attachments.iter().map(|a| a.data.len()).sum();
    let unmatched = matches
        .iter()
        .filter(|(_, s): &&(String, MatchStatus)| s.needs_attention())
        .count();
    println!(
        "payout planner + report benchmark, {started_at}, {} cores, load {load}",
        cores()
    );
    println!(
        "transactions: {n} in {} pages of 100 ({:.1} MB of JSON, made up in {:.2} s, not counted; parsing {:.2} s, counted)",
        n.div_ceil(100),
        page_bytes as f64 / 1e6,
        synth.as_secs_f64(),
        parse.as_secs_f64()
    );
    println!(
        "pages → journal + matched rows: {:.3} s → {lines} journal lines, balanced: {balanced}, {unmatched} flagged{}",
        planned.as_secs_f64(),
        plan.as_ref()
            .err()
            .map(|h| format!(" (HELD: {h})"))
            .unwrap_or_default()
    );
    println!(
        "report (checks, CSVs, HTML, MIME): {:.3} s → CSVs {} bytes, MIME {} bytes",
        reported.as_secs_f64(),
        csv_bytes,
        mime.len()
    );
    println!(
        "total {:.3} s; peak RSS {:.1} MiB (VmHWM, whole process, {:.1} MiB at start)",
        (planned + reported).as_secs_f64(),
        proc_status_kib("VmHWM") as f64 / 1024.0,
        rss_start as f64 / 1024.0
    );
    Ok(())
}
