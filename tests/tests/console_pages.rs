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
        order_type: None,
        retail_value: None,
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
        assert_eq!(r.status, 303, "{p}");
        assert!(
            r.location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login")),
            "{p}: {:?}",
            r.location
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
        Some("/login?next=%2Forders")
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

/// A copy of a session cookie taken before the session ended: refused.
async fn refused(copy: &ConsoleHttp, what: &str) {
    let r = copy.get("/orders").await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/login?next=%2Forders")),
        "a cookie replayed after {what} still reads /orders"
    );
}

#[tokio::test]
async fn a_cookie_replayed_after_sign_out_reset_role_change_or_removal_is_refused() {
    let stack = Stack::new(30, 5).await;
    let console = console_over(&stack.sdk, &stack.names, stack.ddb.clone());
    add_user(&stack.sdk, &stack.names, "olga", "operator", PW).await;
    let log = DynamoOrderLog::new(stack.ddb.clone(), &stack.names.order_log_table);
    fill(&log, 0, 3).await;
    let base = serve(console).await;
    let users =
        shared::store::DynamoConsoleUsers::new(stack.ddb.clone(), &stack.names.console_table);
    let now = common::now();

    // Sign-out: the copy can neither read nor act.
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", PW).await.status, 303);
    let other_browser = ConsoleHttp::new(&base);
    assert_eq!(other_browser.login("olga", PW).await.status, 303);
    let copy = olga.copy();
    let token = csrf_in(&olga.get("/orders/shop-a/o000000").await.body);
    assert_eq!(
        copy.get("/orders").await.status,
        200,
        "the copy works before"
    );
    let r = olga.post("/logout", &[("csrf", &token)]).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/login")));
    refused(&copy, "sign-out").await;
    let r = copy
        .post(
            "/orders/shop-a/o000000/action",
            &[
                ("csrf", &token),
                ("action", "ignore"),
                ("reason", "replayed"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/login"), "{}", r.body);
    let e = log
        .get(&ShopId::new("shop-a"), &OrderId::new("o000000"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        e.sync_status,
        SyncStatus::Failed,
        "the replayed POST did nothing"
    );
    // Signing out ends that session only: another browser's goes on.
    assert_eq!(other_browser.get("/orders").await.status, 200);

    // A password reset ends every session of the user.
    let new_pw = "another long passphrase";
    shared::ops::users::reset_password(&users, "olga", new_pw, now)
        .await
        .unwrap();
    refused(&other_browser, "a password reset").await;

    // A role change too.
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", new_pw).await.status, 303);
    let copy = olga.copy();
    shared::ops::users::set_role(&users, "olga", "viewer", now)
        .await
        .unwrap();
    refused(&copy, "a role change").await;
    refused(&olga, "a role change").await;
    // Even one written straight to the table, without ending the sessions.
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", new_pw).await.status, 303);
    assert_eq!(olga.get("/orders").await.status, 200);
    let mut u = shared::store::ConsoleUsers::get(&users, "olga")
        .await
        .unwrap()
        .unwrap();
    u.role = shared::store::Role::Admin;
    shared::store::ConsoleUsers::put(&users, &u).await.unwrap();
    refused(&olga, "a role written to the table").await;

    // Removing the user.
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", new_pw).await.status, 303);
    let copy = olga.copy();
    shared::ops::users::remove_user(&users, "olga")
        .await
        .unwrap();
    refused(&copy, "the user's removal").await;
    // And re-adding the name does not bring an old session back.
    add_user(&stack.sdk, &stack.names, "olga", "operator", PW).await;
    refused(&copy, "the user's removal and re-adding").await;
}

/// Sends `n` sign-ins at once from `source`, user `name(i)`; returns how
/// many were checked (401) and how many throttled (429).
async fn burst(
    base: &str,
    source: &str,
    n: usize,
    name: impl Fn(usize) -> String,
) -> (usize, usize) {
    let clients: Vec<ConsoleHttp> = (0..n)
        .map(|_| ConsoleHttp::from_source(base, source))
        .collect();
    // Every client holds its login form first, so the POSTs go together.
    let forms = futures::future::join_all(clients.iter().map(|c| c.get("/login"))).await;
    let posts = clients.iter().zip(forms).enumerate().map(|(i, (c, f))| {
        let csrf = csrf_in(&f.body);
        let name = name(i);
        async move {
            c.post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("name", &name),
                    ("password", "wrong password here"),
                ],
            )
            .await
            .status
        }
    });
    let statuses = futures::future::join_all(posts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + throttled, n, "{statuses:?}");
    (checked, throttled)
}

#[tokio::test]
async fn thirty_concurrent_wrong_passwords_get_at_most_the_limit_of_checks() {
    let stack = Stack::new(30, 5).await;
    add_user(&stack.sdk, &stack.names, "vic", "viewer", PW).await;
    // moto applies the console's writes one at a time, as DynamoDB applies
    // the writes to one item (see `serial_moto`); the 30 sign-ins run at once.
    let serial = common::console::serial_moto(&stack.sdk).await;
    let ddb = aws_sdk_dynamodb::Client::new(&serial);
    let base = serve(console_over(&serial, &stack.names, ddb)).await;

    // One user, 30 at once: five passwords checked, the rest refused.
    let (checked, throttled) = burst(&base, "127.0.0.2", 30, |_| "vic".into()).await;
    assert!(
        checked <= 5 && throttled >= 25,
        "checked {checked}, throttled {throttled}"
    );
    assert_eq!(
        ConsoleHttp::from_source(&base, "127.0.0.3")
            .login("vic", PW)
            .await
            .status,
        429,
        "the user stays locked, from any address"
    );

    // One address, 30 names at once: twenty checked at most.
    let (checked, throttled) = burst(&base, "127.0.0.4", 30, |i| format!("user{i}")).await;
    assert!(
        checked <= 20 && throttled >= 10,
        "checked {checked}, throttled {throttled}"
    );

    // A right password from a fresh address goes through, and does not use
    // up that address's attempts.
    add_user(&stack.sdk, &stack.names, "ana", "viewer", PW).await;
    for _ in 0..25 {
        let ana = ConsoleHttp::from_source(&base, "127.0.0.5");
        assert_eq!(ana.login("ana", PW).await.status, 303);
    }
}

/// Records a failed order of shop-a blocked on `skus`, as the writer would.
async fn failed_on(log: &DynamoOrderLog, order: &str, skus: &[&str]) {
    let e = shared::mapping::MappingError::UnlinkedProduct {
        skus: skus.iter().map(|s| s.to_string()).collect(),
    };
    let shop = ShopId::new("shop-a");
    let o = Outcome {
        shop_id: shop.clone(),
        order_id: OrderId::new(order),
        tiktok_status: "AWAITING_SHIPMENT".into(),
        sync_status: SyncStatus::Failed,
        netsuite_id: None,
        external_id: None,
        note: String::new(),
        failure: Some(e.to_failure(&shop)),
        failed_skus: e.failed_skus(),
        order_type: None,
        retail_value: None,
        at: common::now(),
        event: None,
    };
    log.record(&o).await.expect("record");
}

const HOSTILE_SKU: &str = "x; rm -rf ~ $(id) 'q'";
const FORMULA_SKU: &str = "=HYPERLINK(\"http://evil.example/\",\"open\")";

#[tokio::test]
async fn exports_fixes_notices_and_cursors_carry_no_attacker_text() {
    let stack = Stack::new(30, 5).await;
    add_user(&stack.sdk, &stack.names, "olga", "operator", PW).await;
    let log = DynamoOrderLog::new(stack.ddb.clone(), &stack.names.order_log_table);
    fill(&log, 0, 120).await;
    failed_on(&log, "o-formula", &[FORMULA_SKU, "-2+3+cmd|' /C calc'!A0"]).await;
    failed_on(&log, "o-hostile", &[HOSTILE_SKU, HOSTILE_SKU, "B-2"]).await;
    let base = serve(console_over(&stack.sdk, &stack.names, stack.ddb.clone())).await;
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", PW).await.status, 303);

    // The CSV export defuses formulas (quoted by RFC 4180, `'` in front).
    let csv = olga.get("/orders.csv?status=failed").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .contains("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"open\"\")"),
        "{}",
        csv.body
    );
    for line in csv.body.lines() {
        for bad in [",=", ",+", ",@", ",\"=", ",\"@", ",-2+3"] {
            assert!(!line.contains(bad), "a live formula ({bad}) in {line}");
        }
    }

    // The order page offers the SKU form for each SKU, never a shell command.
    let page = olga.get("/orders/shop-a/o-hostile").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("tiktok-netsuite skus link"),
        "{}",
        page.body
    );
    let link = "/skus?shop=shop-a&amp;q=x%3B%20rm%20-rf%20~%20%24%28id%29%20%27q%27&amp;link=x%3B%20rm%20-rf%20~%20%24%28id%29%20%27q%27#link";
    assert!(page.body.contains(link), "{}", page.body);
    assert!(
        page.body
            .contains("seller SKU x; rm -rf ~ $(id) 'q', B-2 (shop"),
        "a SKU on two lines is named once: {}",
        page.body
    );

    // `?msg=` is not shown; a signed one-time notice is, once.
    let r = olga
        .get("/skus?shop=shop-a&msg=Your+account+is+locked.+Call+555-0100")
        .await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("555-0100"), "{}", r.body);
    let csrf = csrf_in(&r.body);
    let r = olga
        .post(
            "/skus",
            &[
                ("csrf", &csrf),
                ("shop", "shop-a"),
                ("sku", "B-2"),
                ("item", "101"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        !r.location.as_deref().unwrap_or("").contains("msg"),
        "{:?}",
        r.location
    );
    let shown = olga.get(r.location.as_deref().unwrap()).await;
    assert!(
        shown.body.contains("Linked B-2 to NetSuite item 101"),
        "{}",
        shown.body
    );
    let again = olga.get(r.location.as_deref().unwrap()).await;
    assert!(!again.body.contains("Linked B-2"), "a notice shows once");

    // A forged or edited cursor is a 400, not a 503.
    let first = olga.get("/orders").await;
    let next = first
        .body
        .split("rel=\"next\"")
        .next()
        .and_then(|b| b.rsplit("href=\"").next())
        .map(|h| h.split('"').next().unwrap().replace("&amp;", "&"))
        .expect("a next page");
    assert_eq!(olga.get(&next).await.status, 200);
    let forged = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"pk":"x","sk":"y","ts":"z"}"#,
    );
    for bad in [
        format!("/orders?cursor={forged}"),
        format!("/orders?cursor={forged}.AAAA"),
        next.replace("/orders?", "/orders?status=failed&"),
        format!("{next}x"),
    ] {
        let r = olga.get(&bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body.contains("first page"), "{}", r.body);
    }

    // A long bad value is not echoed in full.
    let long = "z".repeat(60_000);
    for field in ["status", "code", "since", "shop", "sku"] {
        let r = olga.get(&format!("/orders?{field}={long}")).await;
        assert_eq!(r.status, 400, "{field}");
        assert!(r.body.len() < 8_000, "{field}: {} bytes", r.body.len());
        assert!(r.body.contains("60000 characters"), "{}", r.body);
    }
}

#[tokio::test]
async fn pages_are_compressed_framework_errors_are_pages_and_sign_in_returns() {
    let stack = Stack::new(30, 5).await;
    add_user(&stack.sdk, &stack.names, "olga", "operator", PW).await;
    let log = DynamoOrderLog::new(stack.ddb.clone(), &stack.names.order_log_table);
    fill(&log, 0, 60).await;
    let base = serve(console_over(&stack.sdk, &stack.names, stack.ddb.clone())).await;

    // A deep link without a session returns to it after signing in; a
    // `next` that leaves the console goes to the overview.
    let anon = ConsoleHttp::new(&base);
    let r = anon.get("/orders?status=failed").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?next=%2Forders%3Fstatus%3Dfailed")
    );
    let olga = ConsoleHttp::new(&base);
    let form = olga.get(r.location.as_deref().unwrap()).await;
    assert!(
        form.body
            .contains("name=\"next\" value=\"/orders?status=failed\""),
        "{}",
        form.body
    );
    let r = olga
        .post(
            "/login",
            &[
                ("csrf", &csrf_in(&form.body)),
                ("name", "olga"),
                ("password", PW),
                ("next", "/orders?status=failed"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/orders?status=failed"))
    );
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let c = ConsoleHttp::new(&base);
        let form = c.get("/login").await;
        let r = c
            .post(
                "/login",
                &[
                    ("csrf", &csrf_in(&form.body)),
                    ("name", "olga"),
                    ("password", PW),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/"), "{evil}");
    }

    // Pages are gzip-compressed for a browser that takes it.
    let http = reqwest::Client::new();
    let cookie = format!(
        "tns_session={}",
        olga.cookie("tns_session").expect("a session cookie")
    );
    let plain = http
        .get(format!("{base}/orders"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let plain_len = plain.bytes().await.unwrap().len();
    let zipped = http
        .get(format!("{base}/orders"))
        .header("cookie", &cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        zipped
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    assert!(zipped.headers().contains_key("content-security-policy"));
    let zipped_len = zipped.bytes().await.unwrap().len();
    assert!(
        zipped_len * 3 < plain_len,
        "gzip {zipped_len} bytes, plain {plain_len}"
    );

    // A JSON POST (415) and an oversized form (413) get the console's page.
    let token = csrf_in(&olga.get("/orders").await.body);
    let r = http
        .post(format!("{base}/orders/bulk"))
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body(format!("{{\"csrf\":\"{token}\",\"action\":\"resubmit\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Not a form") && body.contains("Back to the overview"),
        "{body}"
    );
    let big = "x".repeat(100 * 1024);
    let r = olga
        .post(
            "/orders/bulk",
            &[("csrf", &token), ("action", "resubmit"), ("reason", &big)],
        )
        .await;
    assert_eq!(r.status, 413);
    assert!(
        r.body.contains("Too large") && r.body.contains("<main"),
        "{}",
        r.body
    );
}
