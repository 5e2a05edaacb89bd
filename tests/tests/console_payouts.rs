//! The console's Payouts pages over HTTP against moto and both simulators:
//! the payout job books the seeded statements (the §1.10 sample, one that
//! does not add up), then the list and statement pages show their journal
//! ids and checks; a viewer cannot re-send a report, an operator can, and
//! moto's SES receives exactly one more finance email.

mod common;

use std::sync::Arc;

use std::sync::atomic::Ordering;

use common::console::{
    add_user, console_over, counted_client, csrf_in, serve, CallCounter, ConsoleHttp,
};
use common::payouts::{payout_jobs, run_payouts, BROKEN, SAMPLE};
use common::*;
use shared::domain::{OrderId, OrderType, ShopId};
use shared::payouts::state::{PayoutStore, PostStatus};
use shared::store::{OrderLog, Outcome, SyncStatus};

const PW: &str = "a long enough passphrase";

async fn mails_to(to: &str) -> usize {
    local_env::captured_raw_mail(&endpoint())
        .await
        .expect("moto data")
        .into_iter()
        .filter(|(dest, _)| dest.iter().any(|d| d.contains(to)))
        .count()
}

#[tokio::test]
async fn payouts_pages_show_journals_and_checks_and_operators_resend_the_report() {
    let env = local_env(30, 5).await;
    let to = "finance-console@example.com";
    let app = payout_jobs(&env, to).await;
    // Issue 26: two samples and a replacement written on the sample
    // statement's day (its `statement_time` in the simulators' seed), and a
    // held sample that never left stock: the page lists the day's $0 orders
    // by type with the email's figures.
    let statement_time = 1_767_225_600;
    for (order, t, written, retail) in [
        ("577000000000000201", OrderType::Sample, true, "129.99"),
        ("577000000000000202", OrderType::Sample, true, "20.00"),
        ("577000000000000203", OrderType::Replacement, true, "24.50"),
        ("577000000000000204", OrderType::Sample, false, "999.00"),
    ] {
        app.log
            .record(&Outcome {
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
                at: statement_time - 3_600,
                event: None,
            })
            .await
            .unwrap();
    }
    run_payouts(&app).await;
    let shop = ShopId::new(US_SHOP);
    let store = PayoutStore {
        runs: &app.runs,
        shop: &shop,
    };
    let sample = store.statement(SAMPLE).await.unwrap().expect("sample read");
    assert_eq!(sample.status, PostStatus::Posted, "{sample:?}");
    let journal = sample.journal_id.clone().expect("sample journal id");
    let broken = store.statement(BROKEN).await.unwrap().expect("broken read");
    assert_eq!(broken.status, PostStatus::Held, "{broken:?}");

    let counter = Arc::new(CallCounter::default());
    let ddb = counted_client(&env.sdk, counter.clone());
    let mut console = console_over(&env.sdk, &env.names, ddb);
    console.netsuite_ui = Some(format!("{}/services/rest/record/v1", env.netsuite.base_url));
    console.payouts = Some(Arc::new(payout_jobs(&env, to).await));
    add_user(&env.sdk, &env.names, "vic", "viewer", PW).await;
    add_user(&env.sdk, &env.names, "olga", "operator", PW).await;
    let base = serve(console).await;

    // No session: the login page.
    let anon = ConsoleHttp::new(&base);
    let r = anon.get("/payouts").await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/login?next=%2Fpayouts"))
    );

    // The list: every statement of the shop with its status and journal.
    let vic = ConsoleHttp::new(&base);
    assert_eq!(vic.login("vic", PW).await.status, 303);
    let before = counter.calls.load(Ordering::SeqCst);
    let list = vic.get(&format!("/payouts?shop={US_SHOP}")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    // The user, the shop's statement index, one GetItem per statement shown
    // (4 seeded; at most LIST_LIMIT): never a Scan.
    assert_eq!(counter.calls.load(Ordering::SeqCst) - before, 1 + 1 + 4);
    assert_eq!(counter.scans.load(Ordering::SeqCst), 0, "no page may scan");
    assert!(list.body.contains(SAMPLE) && list.body.contains(BROKEN));
    assert!(list.body.contains(&format!("internal id {journal}")));
    assert!(list.body.contains(&sample.external_id));
    assert!(list.body.contains("s-held"));
    // Newest first: the broken statement (Jan 4) before the sample (Jan 1).
    assert!(list.body.find(BROKEN) < list.body.find(SAMPLE));
    // Without a shop: every connected shop (one query of the tokens table).
    let all = vic.get("/payouts").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains(SAMPLE), "{}", all.body);
    assert_eq!(counter.scans.load(Ordering::SeqCst), 0, "no page may scan");

    // The sample: its journal linked, its checks with pass/FAIL.
    let path = format!("/payouts/{US_SHOP}/{SAMPLE}");
    let page = vic.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&format!(
        "{}/services/rest/record/v1/journalEntry/{journal}",
        env.netsuite.base_url
    )));
    for check in [
        "Statement adds up",
        "Journal entry in NetSuite",
        "Settled orders have a Sales Order",
        "Finance report sent",
    ] {
        assert!(page.body.contains(check), "{check}");
    }
    assert!(page.body.contains(">pass<"));
    // The day's $0 orders by type, as the finance email lists them.
    assert!(
        page.body.contains("$0 orders in this period"),
        "{}",
        page.body
    );
    let row = |label: &str, n: usize, value: &str| {
        format!("<tr><td>{label}</td><td class=\"num\">{n}</td><td class=\"num\">{value}</td></tr>")
    };
    assert!(
        page.body.contains(&row("Sample", 2, "149.99")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&row("Replacement", 1, "24.50")),
        "{}",
        page.body
    );
    assert!(!page.body.contains("999.00"), "a held sample is not listed");
    assert_eq!(counter.scans.load(Ordering::SeqCst), 0, "no page may scan");
    // No order of the sample is in the log: the Sales Order check fails.
    assert!(page.body.contains(">FAIL<"));
    assert!(
        !page.body.contains(">Re-send report<"),
        "no re-send button for a viewer"
    );

    // The held statement says why.
    let held = vic.get(&format!("/payouts/{US_SHOP}/{BROKEN}")).await;
    assert_eq!(held.status, 200);
    assert!(held.body.contains("Held: "), "{}", held.body);
    assert!(held.body.contains("not posted"));

    // A viewer cannot re-send, even with a valid token.
    let before = mails_to(to).await;
    let token = csrf_in(&page.body);
    let r = vic
        .post(&format!("{path}/resend"), &[("csrf", &token)])
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(mails_to(to).await, before);

    // An operator without a valid token: refused.
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", PW).await.status, 303);
    let r = olga
        .post(&format!("{path}/resend"), &[("csrf", "forged")])
        .await;
    assert_eq!(r.status, 403);

    // An operator re-sends: one more email, recorded who.
    let page = olga.get(&path).await;
    assert!(page.body.contains(">Re-send report<"));
    let r = olga
        .post(&format!("{path}/resend"), &[("csrf", &csrf_in(&page.body))])
        .await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some(path.as_str())),
        "{}",
        r.body
    );
    assert_eq!(mails_to(to).await, before + 1);
    let page = olga.get(&path).await;
    assert!(page.body.contains("Re-sent by olga"), "{}", page.body);

    // An unknown statement: a page naming it, not a crash.
    let r = olga.get(&format!("/payouts/{US_SHOP}/nope")).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("nope"));
}
