//! Issue 23 items 2 and 6 against moto and both simulators: a booked
//! statement TikTok reissues so that it no longer adds up is reversed in
//! NetSuite (once, even across a run that stopped half-way) and a new
//! journal is posted when it adds up again; a statement revised after its
//! month closed gets an adjusting entry in the first open period, and its
//! payment is booked.

mod common;

use std::sync::Arc;

use common::console::{add_user, console_over, serve, ConsoleHttp};
use common::*;
use serde_json::{json, Value};
use shared::app::{JobRequest, JobsApp};
use shared::domain::ShopId;
use shared::ops::payouts as ops;
use shared::payouts::revise::CorrectionKind;
use shared::payouts::state::{PayoutStore, PostStatus};

use common::payouts::payout_jobs as jobs;

/// 2026-01-01 00:00 UTC: the statement covers 2025-12-31.
const STATEMENT_TIME: i64 = 1_767_225_600;

fn payouts() -> JobRequest {
    JobRequest {
        job: "payouts".into(),
        shop: Some(US_SHOP.into()),
    }
}

fn sale(tid: &str) -> Value {
    json!({"id": tid, "type": "ORDER", "order_id": "577123456789019001",
        "order_create_time": 1767100000, "settlement_amount": "55.20", "revenue_amount": "60.00",
        "revenue_breakdown": {"subtotal_before_discount_amount": "60.00",
            "seller_discount_amount": "0", "refund_subtotal_before_discount_amount": "0",
            "seller_discount_refund_amount": "0"},
        "shipping_cost_amount": "0", "shipping_cost_breakdown": {},
        "fee_tax_amount": "-4.80", "fee_tax_breakdown": {"fee": {"referral_fee_amount": "-4.80"}, "tax": {}},
        "adjustment_amount": "0"})
}

fn chargeback(tid: &str) -> Value {
    json!({"id": tid, "type": "CHARGE_BACK", "adjustment_id": "7491234599999919001",
        "adjustment_order_id": "577123456789019001", "order_create_time": 1767100000,
        "settlement_amount": "-20.00", "revenue_amount": "0", "shipping_cost_amount": "0",
        "fee_tax_amount": "0", "adjustment_amount": "-20.00"})
}

/// Puts statement `id` (paid by `payment`, when given) with `txs`, whose
/// root says `total` (not necessarily what the rows add up to).
fn statement(env: &local_env::LocalEnv, id: &str, payment: &str, total: &str, txs: Vec<Value>) {
    let n = txs.len();
    let data = json!({"id": id, "create_time": STATEMENT_TIME, "status": "SETTLED",
        "currency": "USD", "total_settlement_amount": total, "total_reserve_amount": "0",
        "payable_amount": total, "total_count": n, "next_page_token": "", "transactions": txs});
    let row = json!({"id": id, "statement_time": STATEMENT_TIME, "currency": "USD",
        "settlement_amount": total, "revenue_amount": "60.00", "net_sales_amount": "60.00",
        "shipping_cost_amount": "0", "fee_amount": "-4.80", "adjustment_amount": "0",
        "payment_status": if payment.is_empty() { "PROCESSING" } else { "PAID" },
        "payment_id": payment});
    env.tiktok
        .state
        .upsert_statement(US_SHOP, row, Some(data))
        .unwrap();
}

fn paid(env: &local_env::LocalEnv, id: &str, amount: &str) {
    let money = json!({"value": amount, "currency": "USD"});
    env.tiktok
        .state
        .upsert_payments(
            US_SHOP,
            vec![
                json!({"id": id, "create_time": 1767312000, "status": "PAID",
                "paid_time": 1767398400, "settlement_amount": money,
                "reserve_amount": {"value": "0", "currency": "USD"},
                "payment_amount_before_exchange": money, "exchange_rate": "1.000000",
                "amount": money, "bank_account": "***1234"}),
            ],
        )
        .unwrap();
}

/// (account number, debit, credit) of a stored journal, sorted.
fn lines(env: &local_env::LocalEnv, je: &Value) -> Vec<(String, String, String)> {
    let number = |id: &str| -> String {
        env.seed
            .netsuite
            .accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.acctnumber.clone())
            .unwrap_or_default()
    };
    let mut out: Vec<(String, String, String)> = je["line"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let amt = |k: &str| l.get(k).map(|v| v.to_string()).unwrap_or_default();
            (
                number(l["account"]["id"].as_str().unwrap()),
                amt("debit"),
                amt("credit"),
            )
        })
        .collect();
    out.sort();
    out
}

fn want(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, d, c)| (a.to_string(), d.to_string(), c.to_string()))
        .collect()
}

fn journal(env: &local_env::LocalEnv, eid: &str) -> Value {
    env.netsuite
        .state
        .record_by_external_id("journalEntry", eid)
        .unwrap_or_else(|| panic!("journal {eid} in NetSuite"))
}

/// The HTML of the last finance email about statement `id`, and its subject.
async fn last_mail(to: &str, id: &str) -> (String, String) {
    let mails = local_env::captured_raw_mail(&endpoint())
        .await
        .expect("moto data");
    let (_, raw) = mails
        .into_iter()
        .filter(|(dest, _)| dest.iter().any(|d| d.contains(to)))
        .rfind(|(_, raw)| raw.contains(id))
        .expect("a finance email for the statement");
    let subject = raw
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .unwrap_or_default()
        .to_string();
    let html = shared::notify::raw_mail::parse_parts(&raw)
        .into_iter()
        .find(|p| p.0 == "text/html")
        .map(|p| String::from_utf8_lossy(&p.2).into_owned())
        .unwrap_or_default();
    (subject, html)
}

async fn console_page(env: &local_env::LocalEnv, app: JobsApp, path: &str) -> String {
    let mut console = console_over(
        &env.sdk,
        &env.names,
        aws_sdk_dynamodb::Client::new(&env.sdk),
    );
    console.payouts = Some(Arc::new(app));
    add_user(
        &env.sdk,
        &env.names,
        "rita",
        "viewer",
        "a long enough passphrase",
    )
    .await;
    let base = serve(console).await;
    let http = ConsoleHttp::new(&base);
    assert_eq!(
        http.login("rita", "a long enough passphrase").await.status,
        303
    );
    let r = http.get(path).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[tokio::test]
async fn a_reissued_statement_that_no_longer_adds_up_is_reversed_once_then_booked_anew() {
    let env = local_env(30, 5).await;
    let to = "finance-reissue@example.com";
    let app = jobs(&env, to).await;
    let id = "7491234567890129101";
    let shop = ShopId::new(US_SHOP);
    let store = PayoutStore {
        runs: &app.runs,
        shop: &shop,
    };
    statement(&env, id, "", "55.20", vec![sale("7491234500000019001")]);
    app.run(&payouts()).await.unwrap();
    let eid = format!("tts-stmt-{US_SHOP}-{id}");
    let booked = want(&[
        ("1260", "55.2", ""),
        ("4000", "", "60"),
        ("6100", "4.8", ""),
    ]);
    assert_eq!(lines(&env, &journal(&env, &eid)), booked);
    let original_id = store.statement(id).await.unwrap().unwrap().journal_id;

    // TikTok reissues it with a chargeback, but its totals still say 55.20.
    statement(
        &env,
        id,
        "",
        "55.20",
        vec![
            sale("7491234500000019001"),
            chargeback("7491234500000019002"),
        ],
    );
    let runs = app.run(&payouts()).await.unwrap();
    let rev_eid = format!("{eid}-rev");
    let rev = journal(&env, &rev_eid);
    assert_eq!(
        lines(&env, &rev),
        want(&[
            ("1260", "", "55.2"),
            ("4000", "60", ""),
            ("6100", "", "4.8"),
        ]),
        "every line of the original, debit and credit swapped"
    );
    assert_eq!(
        rev["tranDate"], "2026-01-09",
        "the day the reissue was seen"
    );
    assert!(rev["memo"]
        .as_str()
        .unwrap()
        .contains(&format!("Reversal of {eid}")));
    assert!(
        rev["memo"]
            .as_str()
            .unwrap()
            .contains(&format!("[corrects {eid}")),
        "{rev}"
    );
    assert_eq!(
        lines(&env, &journal(&env, &eid)),
        booked,
        "the original stays"
    );
    let s = store.statement(id).await.unwrap().unwrap();
    assert_eq!(s.status, PostStatus::Reversed, "{s:?}");
    assert_eq!((s.journal_id.as_deref(), s.generation), (None, 1));
    let reason = s.reason.clone().unwrap();
    assert!(
        reason.contains("does not add up") && reason.contains(&rev_eid),
        "{reason}"
    );
    assert_eq!(s.corrections.len(), 1);
    let c = &s.corrections[0];
    assert_eq!(
        (&c.kind, c.posted, &c.corrects, &c.corrects_id),
        (&CorrectionKind::Reversal, true, &eid, &original_id)
    );
    assert_eq!(
        runs[0].counts.get("corrections_reversal"),
        Some(&1),
        "{:?}",
        runs[0]
    );
    assert!(runs[0]
        .failures
        .iter()
        .any(|f| f.subject.contains(id) && f.fix.contains("reversed")));

    // `payouts show`: the check lines name the reversal.
    let v = ops::show(&app.runs, &shop, id).await.unwrap();
    let checks = ops::check_lines(&v);
    assert!(
        checks
            .iter()
            .any(|l| l.name.contains("Journal reversed") && l.detail.contains(&rev_eid)),
        "{checks:?}"
    );
    assert!(checks
        .iter()
        .any(|l| l.name == "Statement adds up" && l.pass == Some(false)));
    // The finance email.
    let (subject, html) = last_mail(to, id).await;
    assert!(subject.contains("REVERSED"), "{subject}");
    assert!(
        html.contains(&rev_eid) && html.contains("Journal reversed"),
        "{html}"
    );

    // A re-run posts no second reversal.
    let count = env.netsuite.state.records("journalEntry").len();
    app.run(&payouts()).await.unwrap();
    assert_eq!(env.netsuite.state.records("journalEntry").len(), count);
    let again = store.statement(id).await.unwrap().unwrap();
    assert_eq!(
        (
            again.status.clone(),
            again.corrections.len(),
            again.generation
        ),
        (PostStatus::Reversed, 1, 1)
    );

    // A run that stopped after storing the planned reversal (maybe after
    // NetSuite took it): the next run sends the same entry once.
    let mut planned = again.clone();
    planned.corrections[0].posted = false;
    planned.corrections[0].journal_id = None;
    planned.generation = 0;
    planned.journal_id = original_id.clone();
    planned.external_id = eid.clone();
    planned.status = PostStatus::Posted;
    store.put_statement(&planned).await.unwrap();
    app.run(&payouts()).await.unwrap();
    assert_eq!(env.netsuite.state.records("journalEntry").len(), count);
    assert_eq!(lines(&env, &journal(&env, &rev_eid)), lines(&env, &rev));
    let resumed = store.statement(id).await.unwrap().unwrap();
    assert_eq!(
        (
            resumed.status.clone(),
            resumed.corrections.len(),
            resumed.generation
        ),
        (PostStatus::Reversed, 1, 1),
        "{resumed:?}"
    );
    assert!(resumed.corrections[0].posted);

    // The console's statement page says so.
    let page = console_page(
        &env,
        jobs(&env, to).await,
        &format!("/payouts/{US_SHOP}/{id}"),
    )
    .await;
    assert!(
        page.contains("s-reversed") && page.contains("Reversed: ") && page.contains(&rev_eid),
        "{page}"
    );

    // TikTok corrects the totals: it adds up again and a new journal is
    // posted under the next externalId; the reversed pair stays.
    statement(
        &env,
        id,
        "",
        "35.20",
        vec![
            sale("7491234500000019001"),
            chargeback("7491234500000019002"),
        ],
    );
    app.run(&payouts()).await.unwrap();
    let v2 = format!("{eid}-v2");
    assert_eq!(
        lines(&env, &journal(&env, &v2)),
        want(&[
            ("1260", "35.2", ""),
            ("4000", "", "60"),
            ("6100", "4.8", ""),
            ("6900", "20", ""),
        ])
    );
    assert_eq!(journal(&env, &v2)["tranDate"], "2025-12-31");
    assert_eq!(lines(&env, &journal(&env, &eid)), booked);
    let s = store.statement(id).await.unwrap().unwrap();
    assert_eq!(s.status, PostStatus::Posted, "{s:?}");
    assert_eq!(s.external_id, v2);
    assert_eq!(env.netsuite.state.records("journalEntry").len(), count + 1);
    let (subject, _) = last_mail(to, id).await;
    assert!(
        subject.contains(&format!("journal {v2} posted")),
        "{subject}"
    );
}

#[tokio::test]
async fn a_revision_after_the_month_closed_is_adjusted_in_the_first_open_period_and_paid() {
    let env = local_env(30, 5).await;
    let to = "finance-closed@example.com";
    let app = jobs(&env, to).await;
    let id = "7491234567890129201";
    let payment = "3459275187040259201";
    let shop = ShopId::new(US_SHOP);
    let store = PayoutStore {
        runs: &app.runs,
        shop: &shop,
    };
    statement(
        &env,
        id,
        payment,
        "55.20",
        vec![sale("7491234500000029001")],
    );
    app.run(&payouts()).await.unwrap();
    let eid = format!("tts-stmt-{US_SHOP}-{id}");
    let booked = want(&[
        ("1260", "55.2", ""),
        ("4000", "", "60"),
        ("6100", "4.8", ""),
    ]);
    assert_eq!(lines(&env, &journal(&env, &eid)), booked);
    assert_eq!(journal(&env, &eid)["tranDate"], "2025-12-31");

    // December closes; then TikTok revises the statement (a chargeback,
    // 35.20 now) and pays 35.20.
    env.netsuite.state.set_period_closed("2025-12", true);
    statement(
        &env,
        id,
        payment,
        "35.20",
        vec![
            sale("7491234500000029001"),
            chargeback("7491234500000029002"),
        ],
    );
    paid(&env, payment, "35.20");
    let count = env.netsuite.state.records("journalEntry").len();
    let runs = app.run(&payouts()).await.unwrap();
    let s = store.statement(id).await.unwrap().unwrap();
    assert_eq!(s.status, PostStatus::Posted, "{s:?} {:?}", runs[0]);
    let adj = s
        .corrections
        .iter()
        .find(|c| c.kind == CorrectionKind::Adjustment)
        .expect("an adjusting entry");
    assert!(adj.external_id.starts_with(&format!("{eid}-adj-")));
    let je = journal(&env, &adj.external_id);
    assert_eq!(
        lines(&env, &je),
        want(&[("1260", "", "20"), ("6900", "20", "")]),
        "exactly the difference"
    );
    assert_eq!(
        je["tranDate"], "2026-01-01",
        "first day of the first open period"
    );
    assert!(je["memo"].as_str().unwrap().contains(&eid));
    assert!(je["memo"]
        .as_str()
        .unwrap()
        .contains(&format!("[corrects {eid}")));
    assert_eq!(
        lines(&env, &journal(&env, &eid)),
        booked,
        "December untouched"
    );
    let reason = s.reason.clone().unwrap();
    assert!(
        reason.contains("period 2025-12") && reason.contains("period 2026-01"),
        "{reason}"
    );
    // The payment is booked on the revised payable.
    let pay = journal(&env, &format!("tts-pay-{US_SHOP}-{payment}"));
    assert_eq!(
        lines(&env, &pay),
        want(&[("1000", "35.2", ""), ("1260", "", "35.2")])
    );
    let p = store.payment(payment).await.unwrap().unwrap();
    assert_eq!(p.status, PostStatus::Posted, "{p:?}");
    assert_eq!(env.netsuite.state.records("journalEntry").len(), count + 2);
    let (_, html) = last_mail(to, id).await;
    assert!(html.contains(&adj.external_id), "{html}");
    let v = ops::show(&app.runs, &shop, id).await.unwrap();
    assert!(ops::check_lines(&v)
        .iter()
        .any(|l| l.name.contains("Journal adjusted") && l.detail.contains("2026-01-01")));

    // A re-run books nothing more.
    app.run(&payouts()).await.unwrap();
    assert_eq!(env.netsuite.state.records("journalEntry").len(), count + 2);
    let again = store.statement(id).await.unwrap().unwrap();
    assert_eq!(again.corrections.len(), 1);
    assert_eq!(again.status, PostStatus::Posted);
}
