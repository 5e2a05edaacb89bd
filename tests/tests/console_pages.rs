//! The console over HTTP against moto: logins, sessions, CSRF, roles,
//! throttling, and the number of DynamoDB calls behind the Orders page,
//! which must not grow with the log (index queries, never a Scan).

mod common;

use std::sync::atomic::Ordering;

use futures::StreamExt;
use std::sync::Arc;

use common::console::{
    add_user, console_over, counted_client, csrf_in, serve, CallCounter, ConsoleHttp,
};
use common::Stack;
use shared::domain::{OrderId, ShopId};
use shared::store::{DynamoOrderLog, OrderLog, Outcome, SyncStatus};
use shared::taxonomy::{ErrorCode, Failure};

const PW: &str = "a long enough passphrase";

fn outcome(shop: &str, order: String, i: usize, at: i64) -> Outcome {
    let failed = i.is_multiple_of(3);
    Outcome {
        shop_id: ShopId::new(shop),
        order_id: OrderId::new(order),
        tiktok_status: "AWAITING_SHIPMENT".into(),
        sync_status: if failed {
            SyncStatus::Failed
        } else {
            SyncStatus::Created
        },
        netsuite_id: (!failed).then(|| format!("{}", 1000 + i)),
        external_id: None,
        note: String::new(),
        failure: failed.then(|| {
            Failure::new(
                ErrorCode::UnlinkedProduct,
                format!("SKU-{} is not linked", i % 7),
                "link it on the SKU links page",
            )
        }),
        failed_skus: if failed {
            vec![format!("SKU-{}", i % 7)]
        } else {
            vec![]
        },
        at,
        event: None,
    }
}

/// Fills the log with `n` more entries over the last day (a third failed).
async fn fill(log: &DynamoOrderLog, from: usize, n: usize) {
    let now = common::now();
    let mut tasks = futures::stream::iter(from..from + n)
        .map(|i| {
            let shop = if i.is_multiple_of(2) {
                "shop-a"
            } else {
                "shop-b"
            };
            let o = outcome(shop, format!("o{i:06}"), i, now - (i as i64 % 86_000));
            async move { log.record(&o).await.expect("record") }
        })
        .buffer_unordered(16);
    while tasks.next().await.is_some() {}
}
const PAGES: &[&str] = &[
    "/orders",
    "/orders?status=failed",
    "/orders?code=UNLINKED_PRODUCT",
    "/orders?shop=shop-a&status=failed",
    "/orders?shop=shop-a",
    "/orders?shop=shop-a&sku=SKU-3",
    "/orders?status=created&since=2020-01-01",
];

async fn calls_per_page(http: &ConsoleHttp, counter: &CallCounter) -> Vec<usize> {
    let mut out = Vec::new();
    for p in PAGES {
        let before = counter.calls.load(Ordering::SeqCst);
        let r = http.get(p).await;
        assert_eq!(r.status, 200, "{p}: {}", r.body);
        out.push(counter.calls.load(Ordering::SeqCst) - before);
    }
    out
}

#[tokio::test]
async fn the_orders_page_makes_the_same_few_dynamodb_calls_whatever_the_log_size() {
    let stack = Stack::new(30, 5).await;
    let counter = Arc::new(CallCounter::default());
    let console = console_over(
        &stack.sdk,
        &stack.names,
        counted_client(&stack.sdk, counter.clone()),
    );
    add_user(&stack.sdk, &stack.names, "ana", "viewer", PW).await;
    let http = ConsoleHttp::new(&serve(console).await);
    assert_eq!(http.login("ana", PW).await.status, 303);
    let log = DynamoOrderLog::new(stack.ddb.clone(), &stack.names.order_log_table);

    fill(&log, 0, 120).await;
    let small = calls_per_page(&http, &counter).await;
    fill(&log, 120, 1080).await;
    let large = calls_per_page(&http, &counter).await;
    assert_eq!(
        small, large,
        "calls per page for {PAGES:?}: 120 entries {small:?}, 1200 entries {large:?}"
    );
    // One GetItem (the user) and one Query per page here.
    assert!(large.iter().all(|&n| n <= 2), "{large:?}");
    // The level filter reads and drops entries: still bounded.
    let before = counter.calls.load(Ordering::SeqCst);
    assert_eq!(http.get("/orders?level=error").await.status, 200);
    let n = counter.calls.load(Ordering::SeqCst) - before;
    assert!(
        n <= 1 + shared::store::order_index::MAX_QUERIES_PER_PAGE,
        "{n}"
    );
    assert_eq!(counter.scans.load(Ordering::SeqCst), 0, "no page may scan");

    // Paging walks every failed order exactly once.
    let mut seen = 0;
    let mut path = "/orders?status=failed".to_string();
    loop {
        let r = http.get(&path).await;
        seen += r.body.matches("badge s-failed").count();
        match r
            .body
            .split("rel=\"next\"")
            .next()
            .and_then(|b| b.rsplit("href=\"").next())
        {
            Some(h) if r.body.contains("rel=\"next\"") => {
                path = h.split('"').next().unwrap().replace("&amp;", "&")
            }
            _ => break,
        }
    }
    assert_eq!(seen, 400, "a third of 1200 entries failed");
    // The overview is bounded too, and never scans.
    assert_eq!(http.get("/").await.status, 200);
    assert_eq!(counter.scans.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn sessions_csrf_roles_and_throttling_hold() {
    let stack = Stack::new(30, 5).await;
    let console = console_over(&stack.sdk, &stack.names, stack.ddb.clone());
    add_user(&stack.sdk, &stack.names, "vic", "viewer", PW).await;
    add_user(&stack.sdk, &stack.names, "olga", "operator", PW).await;
    let log = DynamoOrderLog::new(stack.ddb.clone(), &stack.names.order_log_table);
    fill(&log, 0, 3).await;
    let base = serve(console).await;

    // No session: every page leads to the login page.
    let anon = ConsoleHttp::new(&base);
    for p in [
        "/",
        "/orders",
        "/orders/shop-a/o000000",
        "/skus",
        "/shops",
        "/jobs",
    ] {
        let r = anon.get(p).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/login")),
            "{p}"
        );
    }
    assert_eq!(
        anon.post(
            "/orders/shop-a/o000000/action",
            &[("action", "resubmit"), ("reason", "x")]
        )
        .await
        .location
        .as_deref(),
        Some("/login")
    );

    // A viewer reads but cannot resubmit, even with a valid token.
    let vic = ConsoleHttp::new(&base);
    assert_eq!(vic.login("vic", PW).await.status, 303);
    let page = vic.get("/orders/shop-a/o000000").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains(">Resubmit<"),
        "no resubmit button for a viewer"
    );
    let token = csrf_in(&page.body);
    let r = vic
        .post(
            "/orders/shop-a/o000000/action",
            &[("csrf", &token), ("action", "resubmit"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("needs the operator role"), "{}", r.body);

    // An operator's POST without (or with a wrong) CSRF token changes nothing.
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", PW).await.status, 303);
    let before = log
        .get(&ShopId::new("shop-a"), &OrderId::new("o000000"))
        .await
        .unwrap()
        .unwrap();
    for form in [
        vec![("action", "ignore"), ("reason", "x")],
        vec![("csrf", "AAAA"), ("action", "ignore"), ("reason", "x")],
    ] {
        let r = olga.post("/orders/shop-a/o000000/action", &form).await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    // Another session's token is not this session's.
    let r = olga
        .post(
            "/orders/shop-a/o000000/action",
            &[("csrf", &token), ("action", "ignore"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, 403);
    let after = log
        .get(&ShopId::new("shop-a"), &OrderId::new("o000000"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before, after);
    // With its token the operator's action goes through and is recorded.
    let token = csrf_in(&olga.get("/orders/shop-a/o000000").await.body);
    let r = olga
        .post(
            "/orders/shop-a/o000000/action",
            &[
                ("csrf", &token),
                ("action", "ignore"),
                ("reason", "duplicate test order"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = log
        .get(&ShopId::new("shop-a"), &OrderId::new("o000000"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.sync_status, SyncStatus::Ignored);
    assert!(
        e.history
            .last()
            .unwrap()
            .note
            .contains("duplicate test order (by olga)"),
        "{:?}",
        e.history.last()
    );
    // Signing out ends the session.
    let r = olga.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        olga.get("/orders").await.location.as_deref(),
        Some("/login")
    );

    // Five wrong passwords: the sixth attempt is refused even when right.
    let eve = ConsoleHttp::new(&base);
    for _ in 0..5 {
        assert_eq!(eve.login("vic", "wrong password here").await.status, 401);
    }
    let r = eve.login("vic", PW).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("Too many failed sign-ins"));
    // Held in DynamoDB: a second console (another Lambda instance) agrees.
    let other =
        ConsoleHttp::new(&serve(console_over(&stack.sdk, &stack.names, stack.ddb.clone())).await);
    assert_eq!(other.login("vic", PW).await.status, 429);
}

#[tokio::test]
async fn reindex_puts_entries_written_before_the_indexes_into_them() {
    let stack = Stack::new(30, 5).await;
    let log = DynamoOrderLog::new(stack.ddb.clone(), &stack.names.order_log_table);
    fill(&log, 0, 6).await;
    // An entry as an older version wrote it: no index attributes.
    for a in ["ts", "order_shop", "shop_status", "fail_code", "fail_sku"] {
        stack
            .ddb
            .update_item()
            .table_name(&stack.names.order_log_table)
            .key(
                "pk",
                aws_sdk_dynamodb::types::AttributeValue::S("ORDER#shop-a#o000000".into()),
            )
            .key(
                "sk",
                aws_sdk_dynamodb::types::AttributeValue::S("LOG".into()),
            )
            .update_expression(format!("REMOVE {a}"))
            .send()
            .await
            .unwrap();
    }
    let failed = shared::store::LogFilter {
        sync_status: Some(SyncStatus::Failed),
        ..Default::default()
    };
    assert_eq!(
        log.list(&failed).await.unwrap().len(),
        1,
        "o000000 is in no index"
    );
    assert_eq!(log.reindex_all().await.unwrap(), 6);
    assert_eq!(log.list(&failed).await.unwrap().len(), 2);
}
