//! The payout job against moto (DynamoDB, SES) and both simulators: the
//! seeded statements of the TikTok simulator (the §1.10 sample, two
//! statements combined into one payment, one that does not add up) become
//! journal entries in the NetSuite simulator, and finance gets the report,
//! read back from moto's SES.

mod common;

use common::*;
use serde_json::json;
use shared::app::{JobRequest, JobsApp};
use shared::domain::{OrderId, ShopId};
use shared::payouts::job::Mode;
use shared::payouts::state::{PayoutStore, PostStatus};
use shared::store::{OrderLog, Outcome, SyncStatus};

use common::payouts::{payout_jobs as jobs, BROKEN, NOW, SAMPLE};

const COMBINED_A: &str = "7491234567890123457";
const COMBINED_B: &str = "7491234567890123458";
const COMBINED_PAYMENT: &str = "3459275187040258850";

fn payouts() -> JobRequest {
    JobRequest {
        job: "payouts".into(),
        shop: Some(US_SHOP.into()),
    }
}

/// Sales Order 555 exists for the sample's first order (the writer's log).
async fn order_booked(app: &JobsApp, order: &str, status: SyncStatus) {
    app.log
        .record(&Outcome {
            shop_id: ShopId::new(US_SHOP),
            order_id: OrderId::new(order),
            tiktok_status: "COMPLETED".into(),
            sync_status: status,
            netsuite_id: Some("555".into()),
            external_id: None,
            note: String::new(),
            failure: None,
            failed_skus: vec![],
            order_type: None,
            retail_value: None,
            at: NOW - 86_400,
            event: None,
        })
        .await
        .unwrap();
}

/// (account number, debit, credit) of a stored journal, by account id.
fn lines(env: &local_env::LocalEnv, eid: &str) -> Vec<(String, String, String)> {
    let je = env
        .netsuite
        .state
        .record_by_external_id("journalEntry", eid)
        .unwrap_or_else(|| panic!("journal {eid} in NetSuite"));
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

/// The finance emails moto's SES captured for `to`: their decoded MIME parts.
async fn finance_mail(to: &str) -> Vec<Vec<Part>> {
    local_env::captured_raw_mail(&endpoint())
        .await
        .expect("moto data")
        .into_iter()
        .filter(|(dest, _)| dest.iter().any(|d| d.contains(to)))
        .map(|(_, raw)| shared::notify::raw_mail::parse_parts(&raw))
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A mail's decoded MIME parts: (content type, file name, bytes).
type Part = (String, Option<String>, Vec<u8>);

/// The email of statement `sid` among `mails` (the one carrying its
/// transactions CSV).
fn statement_mail<'m>(mails: &'m [Vec<Part>], sid: &str) -> &'m [Part] {
    let csv = format!("tiktok-statement-{sid}-transactions.csv");
    mails
        .iter()
        .find(|parts| parts.iter().any(|p| p.1.as_deref() == Some(csv.as_str())))
        .unwrap_or_else(|| panic!("the email of statement {sid}"))
}

/// That email's HTML body.
fn statement_html(mails: &[Vec<Part>], sid: &str) -> String {
    statement_mail(mails, sid)
        .iter()
        .find(|p| p.0 == "text/html")
        .map(|p| text(&p.2))
        .expect("an HTML part")
}

#[tokio::test]
async fn statements_become_balanced_journals_once_and_finance_gets_each_report() {
    let env = local_env(30, 5).await;
    let to = "finance-run@example.com";
    let app = jobs(&env, to).await;
    order_booked(&app, "577123456789000001", SyncStatus::Created).await;
    let mails_before = finance_mail(to).await.len();

    let runs = app.run(&payouts()).await.unwrap();
    let r = &runs[0];
    assert_eq!(r.counts.get("statements_listed"), Some(&4), "{r:?}");
    assert_eq!(r.counts.get("statements_posted"), Some(&3), "{r:?}");
    assert_eq!(r.counts.get("statements_held"), Some(&1), "{r:?}");

    // The §1.10 sample, hand-computed: Cr revenue 50 + 30; Dr seller
    // discount 5; Cr shipping 5.99; Dr referral 2.70 + 1.80; Dr affiliate
    // 4.50; Cr logistics reimbursement 12.50; Dr reserve held 5; Dr payout
    // in transit 79.49. Dr = Cr = 98.49.
    let eid = format!("tts-stmt-{US_SHOP}-{SAMPLE}");
    let want: Vec<(String, String, String)> = [
        ("1250", "5", ""),
        ("1260", "79.49", ""),
        ("4000", "", "80"),
        ("4010", "5", ""),
        ("4100", "", "5.99"),
        ("4200", "", "12.5"),
        ("6100", "4.5", ""),
        ("6120", "4.5", ""),
    ]
    .iter()
    .map(|(a, d, c)| (a.to_string(), d.to_string(), c.to_string()))
    .collect();
    assert_eq!(lines(&env, &eid), want);
    let je = env
        .netsuite
        .state
        .record_by_external_id("journalEntry", &eid)
        .unwrap();
    assert_eq!(je["tranDate"], "2025-12-31", "the day the statement covers");
    assert_eq!(je["subsidiary"]["id"], "1");

    // The statement that does not add up is held, not posted, and reported.
    let broken = format!("tts-stmt-{US_SHOP}-{BROKEN}");
    assert!(env
        .netsuite
        .state
        .record_by_external_id("journalEntry", &broken)
        .is_none());
    assert!(
        r.failures.iter().any(|f| f.subject.contains(BROKEN)),
        "{r:?}"
    );
    let store = PayoutStore {
        runs: &app.runs,
        shop: &ShopId::new(US_SHOP),
    };
    let held = store.statement(BROKEN).await.unwrap().unwrap();
    assert_eq!(held.status, PostStatus::Held);
    assert!(held.reason.unwrap().contains("21.00"));

    // Combined payment: statements A (8.20) and B (11.10, a reserve
    // release) paid as one 19.30: one journal in-transit → bank.
    let pay = format!("tts-pay-{US_SHOP}-{COMBINED_PAYMENT}");
    assert_eq!(
        lines(&env, &pay),
        vec![
            ("1000".to_string(), "19.3".to_string(), String::new()),
            ("1260".to_string(), String::new(), "19.3".to_string())
        ]
    );
    let p = store.payment(COMBINED_PAYMENT).await.unwrap().unwrap();
    assert_eq!(p.statements, [COMBINED_A, COMBINED_B]);
    // The clearing account nets to zero over the combined payment.
    let c = p.clearing.expect("a paid payment has a clearing check");
    assert_eq!(
        (c.into.to_string(), c.moved_out.to_string(), c.pass()),
        ("19.30".to_string(), "19.30".to_string(), true),
        "{c:?}"
    );
    assert_eq!(r.counts.get("clearing_not_zero"), None, "{r:?}");

    // Reserve roll-forward: the sample holds 5.00, which its own payment's
    // reserve_amount (-5.00) confirms; each statement opens where the one
    // before it (by statement time) closed.
    let sample_state = store.statement(SAMPLE).await.unwrap().unwrap();
    let rf = sample_state.reserve.clone().expect("rolled forward");
    assert_eq!(
        (rf.held.to_string(), rf.released.to_string(), rf.pass()),
        ("5.00".to_string(), "0".to_string(), Some(true)),
        "{rf:?}"
    );
    assert_eq!(rf.closing, rf.opening + rf.held - rf.released);
    let ledger = store.reserve_ledger().await.unwrap();
    assert_eq!(ledger.movements.len(), 4, "{ledger:?}");
    let mut by_time: Vec<_> = ledger.movements.iter().collect();
    by_time.sort_by_key(|(id, m)| (m.statement_time, (*id).clone()));
    let mut balance = shared::domain::Money::ZERO;
    for (id, m) in by_time {
        let s = store.statement(id).await.unwrap().unwrap();
        let rf = s.reserve.expect("every statement rolls forward");
        assert_eq!(
            rf.opening, balance,
            "statement {id} opens at the previous closing"
        );
        balance = rf.closing;
        assert_eq!(rf.held - rf.released, m.held - m.released);
    }
    let b = store.statement(COMBINED_B).await.unwrap().unwrap();
    let b_rf = b.reserve.unwrap();
    assert!(b_rf.released > b_rf.held, "B releases reserve: {b_rf:?}");
    assert_eq!(
        b_rf.pass(),
        None,
        "a combined payment gives no figure for B alone"
    );

    // Matching: order 1 has its Sales Order, order 2 does not.
    let m = store.matches(SAMPLE).await.unwrap();
    let status = |t: &str| {
        m.iter()
            .find(|(id, _)| id == t)
            .map(|(_, s)| s.as_str().to_string())
    };
    assert_eq!(status("7491234500000000001").as_deref(), Some("matched"));
    assert_eq!(
        status("7491234500000000002").as_deref(),
        Some("no_sales_order")
    );

    // One email per statement: HTML body and the CSVs with the right rows.
    let mails = finance_mail(to).await;
    assert_eq!(mails.len() - mails_before, 4, "one per statement");
    let sample_mail = statement_mail(&mails, SAMPLE);
    let html = statement_html(&mails, SAMPLE);
    assert!(html.contains("<td>1260</td><td>79.49</td>"), "{html}");
    assert!(
        html.contains("Reserve roll-forward")
            && html.contains("held 5.00")
            && html.contains("payment says -5.00"),
        "{html}"
    );
    assert!(
        html.contains("577123456789000002"),
        "the unmatched order is named: {html}"
    );
    // The clearing check is in the report too, as the payment journal
    // books it (the sample's own payment: 79.49 in, 79.49 out).
    assert!(
        html.contains("Clearing nets to zero over the payment")
            && html.contains("79.49 into clearing − 79.49 moved to the bank = 0"),
        "{html}"
    );
    // Statement A of the combined payment was mailed before B was read:
    // its clearing waits for B (no false FAIL); B's mail judges both.
    let mail_html = |sid: &str| statement_html(&mails, sid);
    assert!(
        mail_html(COMBINED_A).contains(&format!(
            "also pays statement(s) {COMBINED_B}, read later in this run"
        )),
        "{}",
        mail_html(COMBINED_A)
    );
    assert!(
        mail_html(COMBINED_B).contains("19.30 into clearing − 19.30 moved to the bank = 0"),
        "{}",
        mail_html(COMBINED_B)
    );
    let csv = sample_mail
        .iter()
        .find(|p| {
            p.1.as_deref()
                .is_some_and(|n| n.ends_with("transactions.csv"))
        })
        .map(|p| text(&p.2))
        .unwrap();
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 5, "header + 4 transactions: {csv}");
    assert!(rows[0].ends_with("match_status"));
    assert!(
        rows.iter()
            .any(|l| l.starts_with("7491234500000000001,ORDER") && l.ends_with(",matched")),
        "{csv}"
    );
    assert!(
        rows.iter()
            .any(|l| l.starts_with("7491234500000000002,ORDER") && l.ends_with(",no_sales_order")),
        "{csv}"
    );
    let journal = sample_mail
        .iter()
        .find(|p| p.1.as_deref().is_some_and(|n| n.ends_with("journal.csv")))
        .map(|p| text(&p.2))
        .unwrap();
    assert_eq!(
        journal.split("\r\n").filter(|l| !l.is_empty()).count(),
        9,
        "{journal}"
    );
    assert!(journal.contains(",1260,79.49,0,"), "{journal}");

    // A second run changes nothing: same journal, same lines, no new mail.
    let count = env.netsuite.state.records("journalEntry").len();
    let again = app.run(&payouts()).await.unwrap();
    assert_eq!(
        again[0].counts.get("journals_written"),
        Some(&0),
        "{:?}",
        again[0]
    );
    assert_eq!(
        again[0].counts.get("emails_sent"),
        Some(&0),
        "{:?}",
        again[0]
    );
    assert_eq!(env.netsuite.state.records("journalEntry").len(), count);
    assert_eq!(lines(&env, &eid), want);
    assert_eq!(finance_mail(to).await.len(), mails.len());
    assert_eq!(
        store.reserve_ledger().await.unwrap(),
        ledger,
        "a re-run adds no reserve"
    );
    assert_eq!(
        store.statement(SAMPLE).await.unwrap().unwrap().reserve,
        Some(rf)
    );

    // The CLI's rebuild and report --resend work from the kept raw pages:
    // the same journal, rewritten in place, and one more email.
    let job = app.payouts().expect("NetSuite configured");
    let shop = ShopId::new(US_SHOP);
    let rebuilt = job
        .again(
            &shop,
            SAMPLE,
            Mode {
                rebuild: true,
                ..Mode::default()
            },
        )
        .await
        .unwrap();
    assert!(rebuilt.written && !rebuilt.emailed, "{rebuilt:?}");
    assert_eq!(rebuilt.state.pages, 1);
    assert_eq!(env.netsuite.state.records("journalEntry").len(), count);
    assert_eq!(lines(&env, &eid), want);
    let resent = job
        .again(
            &shop,
            SAMPLE,
            Mode {
                resend: true,
                ..Mode::default()
            },
        )
        .await
        .unwrap();
    assert!(resent.emailed && !resent.written, "{resent:?}");
    assert_eq!(finance_mail(to).await.len(), mails.len() + 1);
    assert!(
        job.again(&shop, "1", Mode::default()).await.is_err(),
        "never read"
    );
}

#[tokio::test]
async fn unknown_fees_and_an_orphan_refund_are_booked_and_reported() {
    let env = local_env(30, 5).await;
    let to = "finance-fees@example.com";
    let app = jobs(&env, to).await;
    let id = "7491234567890129001";
    let tx = |tid: &str,
              order: &str,
              rev: &str,
              refund: &str,
              fee_key: &str,
              fee: &str,
              settle: &str| {
        json!({"id": tid, "type": "ORDER", "order_id": order, "order_create_time": 1767500000,
            "settlement_amount": settle, "revenue_amount": rev,
            "revenue_breakdown": {"subtotal_before_discount_amount": if refund == "0" { rev } else { "0" },
                "seller_discount_amount": "0", "refund_subtotal_before_discount_amount": refund,
                "seller_discount_refund_amount": "0"},
            "shipping_cost_amount": "0", "shipping_cost_breakdown": {},
            "fee_tax_amount": fee, "fee_tax_breakdown": {"fee": {fee_key: fee}, "tax": {}},
            "adjustment_amount": "0"})
    };
    // A sale with a fee key no table knows, and a refund of an order that
    // never reached NetSuite.
    let sale = tx(
        "7491234500000009001",
        "577123456789009001",
        "40.00",
        "0",
        "gmv_max_ad_fee_amount",
        "-2.00",
        "38.00",
    );
    let refund = tx(
        "7491234500000009002",
        "577123456789009002",
        "-10.00",
        "-10.00",
        "referral_fee_amount",
        "0.60",
        "-9.40",
    );
    let data = json!({"id": id, "create_time": 1767571200, "status": "SETTLED", "currency": "USD",
        "total_settlement_amount": "28.60", "total_reserve_amount": "0", "payable_amount": "28.60",
        "total_count": 2, "next_page_token": "", "transactions": [sale, refund]});
    let row = json!({"id": id, "statement_time": 1767571200, "currency": "USD",
        "settlement_amount": "28.60", "revenue_amount": "", "net_sales_amount": "30.00",
        "shipping_cost_amount": "0", "fee_amount": "-1.40", "adjustment_amount": "0",
        "payment_status": "PROCESSING", "payment_id": ""});
    env.tiktok
        .state
        .upsert_statement(US_SHOP, row, Some(data))
        .unwrap();

    let runs = app.run(&payouts()).await.unwrap();
    let r = &runs[0];
    assert!(
        r.findings
            .iter()
            .any(|f| f.contains("gmv_max_ad_fee_amount")),
        "{r:?}"
    );
    let eid = format!("tts-stmt-{US_SHOP}-{id}");
    let l = lines(&env, &eid);
    assert!(
        l.contains(&("6190".into(), "2".into(), String::new())),
        "other fees: {l:?}"
    );
    assert!(
        l.contains(&("4020".into(), "10".into(), String::new())),
        "refund: {l:?}"
    );
    let store = PayoutStore {
        runs: &app.runs,
        shop: &ShopId::new(US_SHOP),
    };
    let m = store.matches(id).await.unwrap();
    assert!(
        m.iter()
            .any(|(t, s)| t == "7491234500000009002" && s.as_str() == "orphan_refund"),
        "{m:?}"
    );
    let mail = finance_mail(to)
        .await
        .into_iter()
        .find(|parts| {
            parts
                .iter()
                .any(|p| p.1.as_deref().is_some_and(|n| n.contains(id)))
        })
        .expect("the statement's email");
    let html = mail
        .iter()
        .find(|p| p.0 == "text/html")
        .map(|p| text(&p.2))
        .unwrap();
    assert!(html.contains("gmv_max_ad_fee_amount"), "{html}");
    assert!(
        html.contains("no original sale") && html.contains("577123456789009002"),
        "{html}"
    );
}

/// A statement first read after its month closed: NetSuite refuses the
/// statement's own date (the simulator's closed-period check), so the
/// journal is booked on the first day of the first open period, saying so.
#[tokio::test]
async fn a_statement_whose_month_is_closed_is_booked_in_the_first_open_period() {
    let env = local_env(30, 5).await;
    let app = jobs(&env, "finance-period@example.com").await;
    env.netsuite.state.set_period_closed("2025-12", true);
    let runs = app.run(&payouts()).await.unwrap();
    let store = PayoutStore {
        runs: &app.runs,
        shop: &ShopId::new(US_SHOP),
    };
    let s = store.statement(SAMPLE).await.unwrap().unwrap();
    assert_eq!(s.status, PostStatus::Posted, "{:?}", runs[0]);
    let je = env
        .netsuite
        .state
        .record_by_external_id("journalEntry", &s.external_id)
        .unwrap();
    assert_eq!(je["tranDate"], "2026-01-01");
    assert_eq!(s.journal_date.as_deref(), Some("2026-01-01"));
    let note = s.reason.unwrap();
    assert!(
        note.contains("closed period 2025-12") && note.contains("2026-01-01"),
        "{note}"
    );
}

/// Issue 23 item 9: on an account that requires journal approval the entry
/// is stored `approved: false`; the job reads that back and reports the
/// statement as waiting, not booked, until a supervisor approves it.
#[tokio::test]
async fn an_unapproved_journal_is_reported_as_waiting_until_it_is_approved() {
    let env = local_env(30, 5).await;
    let app = jobs(&env, "finance-approval@example.com").await;
    env.netsuite.state.set_journal_approval(true);
    app.run(&payouts()).await.unwrap();
    let store = PayoutStore {
        runs: &app.runs,
        shop: &ShopId::new(US_SHOP),
    };
    let s = store.statement(SAMPLE).await.unwrap().unwrap();
    assert_eq!(s.status, PostStatus::AwaitingApproval, "{s:?}");
    assert!(
        s.reason.as_deref().unwrap().contains("waits for approval"),
        "{s:?}"
    );
    assert!(s.journal_id.is_some());
    assert!(env.netsuite.state.approve_journal(&s.external_id));
    app.run(&payouts()).await.unwrap();
    let s = store.statement(SAMPLE).await.unwrap().unwrap();
    assert_eq!(s.status, PostStatus::Posted, "{s:?}");
    assert_eq!(s.reason, None);
}

/// The simulator is as strict as NetSuite on journals, and as unkind: an
/// upsert without `?replace=line` adds its lines to the stored ones.
#[tokio::test]
async fn the_netsuite_simulator_checks_journals_and_appends_lines_unless_replaced() {
    let env = local_env(30, 5).await;
    let ns = env.jobs.netsuite.as_ref().expect("NetSuite client");
    let body = |debit: &str, credit: &str, account: &str| {
        json!({"subsidiary": {"id": "1"}, "tranDate": "2026-01-05",
               "line": {"items": [
                   {"account": {"id": account}, "debit": debit.parse::<f64>().unwrap()},
                   {"account": {"id": "105"}, "credit": credit.parse::<f64>().unwrap()}]}})
    };
    let e = ns
        .upsert_by_external_id(
            "journalEntry",
            "je-test",
            &body("10.00", "9.99", "103"),
            &["line"],
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("The amounts in a journal entry must balance"),
        "{e}"
    );
    let e = ns
        .upsert_by_external_id(
            "journalEntry",
            "je-test",
            &body("10", "10", "110"),
            &["line"],
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("account"), "a summary account: {e}");
    ns.upsert_by_external_id("journalEntry", "je-test", &body("10", "10", "103"), &[])
        .await
        .unwrap();
    ns.upsert_by_external_id("journalEntry", "je-test", &body("10", "10", "103"), &[])
        .await
        .unwrap();
    let je = env
        .netsuite
        .state
        .record_by_external_id("journalEntry", "je-test")
        .unwrap();
    assert_eq!(
        je["line"]["items"].as_array().unwrap().len(),
        4,
        "appended, as NetSuite does"
    );
    ns.upsert_by_external_id(
        "journalEntry",
        "je-test",
        &body("10", "10", "103"),
        &["line"],
    )
    .await
    .unwrap();
    let je = env
        .netsuite
        .state
        .record_by_external_id("journalEntry", "je-test")
        .unwrap();
    assert_eq!(je["line"]["items"].as_array().unwrap().len(), 2, "replaced");
    // SuiteQL over the chart of accounts.
    let rows = ns
        .suiteql("SELECT id, acctnumber, issummary FROM account WHERE acctnumber = '6000'")
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["issummary"], "T");
}

/// A shipment of `order` on the order log, `days` before the run.
async fn shipped(app: &JobsApp, order: &str, days: i64) {
    use shared::domain::{NetSuiteFulfillmentId, ShippingProviderId};
    use shared::store::order_shipments::ShipmentRecord;
    order_booked(app, order, SyncStatus::Created).await;
    let rec = ShipmentRecord {
        fulfilment_id: NetSuiteFulfillmentId::new(format!("IF{order}")),
        tracking_number: format!("T{order}"),
        other_tracking: vec![],
        shipping_provider_id: ShippingProviderId::new("P1"),
        units: vec![],
        package_id: None,
        at: NOW - days * 86_400,
        corrected: false,
    };
    assert!(app
        .log
        .record_shipment(&ShopId::new(US_SHOP), &OrderId::new(order), &rec)
        .await
        .unwrap());
}

#[tokio::test]
async fn orders_shipped_long_ago_and_not_settled_are_reported_and_settled_ones_leave_the_set() {
    let env = local_env(30, 5).await;
    let to = "finance-shipped@example.com";
    let app = jobs(&env, to).await;
    let before = finance_mail(to).await.len();
    shipped(&app, "577123456789000001", 20).await; // settled in the sample
    shipped(&app, "577000000000000901", 20).await; // never settled: overdue
    shipped(&app, "577000000000000902", 2).await; // recent: not yet due
    let shop = ShopId::new(US_SHOP);
    assert_eq!(
        app.log
            .awaiting_settlement(&shop, NOW, 10)
            .await
            .unwrap()
            .len(),
        3
    );

    let runs = app.run(&payouts()).await.unwrap();
    assert_eq!(
        runs[0].counts.get("statements_listed"),
        Some(&4),
        "{:?}",
        runs[0]
    );
    let left: Vec<String> = app
        .log
        .awaiting_settlement(&shop, NOW, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|(o, _)| o.as_str().to_string())
        .collect();
    assert_eq!(left, ["577000000000000901", "577000000000000902"]);

    let mails = finance_mail(to).await;
    let html: String = mails[before..]
        .iter()
        .flat_map(|parts| parts.iter().filter(|p| p.0 == "text/html"))
        .map(|p| text(&p.2))
        .collect();
    assert!(
        html.contains("577000000000000901 (shipped 2025-12-20)"),
        "{html}"
    );
    assert!(!html.contains("577000000000000902 (shipped"), "{html}");
    assert!(!html.contains("577123456789000001 (shipped"), "{html}");
}

/// Issue 26 item 4: the statement's email lists the $0 orders of its day by
/// type with their retail value — only those written to NetSuite (a held
/// sample is not goods that left stock), only those of the statement's day.
#[tokio::test]
async fn the_statement_email_lists_the_days_zero_orders_by_type_with_their_retail_value() {
    use shared::domain::OrderType;
    let env = local_env(30, 5).await;
    let to = "finance-free@example.com";
    let app = jobs(&env, to).await;
    // The §1.10 sample statement's `statement_time` (simulators' seed).
    let statement_time = 1_767_225_600;
    let free = |order: &str, t: OrderType, written: bool, retail: &str, at: i64| Outcome {
        shop_id: ShopId::new(US_SHOP),
        order_id: OrderId::new(order),
        tiktok_status: "AWAITING_SHIPMENT".into(),
        sync_status: if written {
            SyncStatus::Created
        } else {
            SyncStatus::Failed
        },
        netsuite_id: written.then(|| "901".to_string()),
        external_id: None,
        note: String::new(),
        failure: None,
        failed_skus: vec![],
        order_type: Some(t),
        retail_value: Some(retail.parse().unwrap()),
        at,
        event: None,
    };
    for o in [
        free(
            "577000000000000101",
            OrderType::Sample,
            true,
            "129.99",
            statement_time - 3_600,
        ),
        free(
            "577000000000000102",
            OrderType::Sample,
            true,
            "20.00",
            statement_time - 7_200,
        ),
        free(
            "577000000000000103",
            OrderType::Replacement,
            true,
            "24.50",
            statement_time - 60,
        ),
        // Held, never written: not listed.
        free(
            "577000000000000104",
            OrderType::Sample,
            false,
            "999.00",
            statement_time - 60,
        ),
        // The day before the statement's: not listed.
        free(
            "577000000000000105",
            OrderType::Sample,
            true,
            "555.00",
            statement_time - 90_000,
        ),
    ] {
        app.log.record(&o).await.unwrap();
    }
    app.run(&payouts()).await.unwrap();
    let mails = finance_mail(to).await;
    let html = statement_html(&mails, SAMPLE);
    assert!(html.contains("$0 orders in this period"), "{html}");
    let row = |label: &str, n: usize, value: &str| {
        format!(">{label}</td><td style=\"border:1px solid #ccc;padding:4px 8px\" align=\"right\">{n}</td><td style=\"border:1px solid #ccc;padding:4px 8px\" align=\"right\">{value}</td>")
    };
    assert!(html.contains(&row("Sample", 2, "149.99")), "{html}");
    assert!(html.contains(&row("Replacement", 1, "24.50")), "{html}");
    assert!(
        !html.contains("999.00") && !html.contains("555.00"),
        "{html}"
    );
}
