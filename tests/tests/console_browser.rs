//! The console in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by scripts/test), driven over WebDriver:
//! an operator follows a deep link through the login page, filters the
//! failed orders, opens one, follows its fix's button to the SKU form,
//! links the SKU, resubmits it and sees it become created — with the
//! writer running against the NetSuite simulator — and the pages say what
//! is true (the exceptions count, the payouts job's last run, dates in
//! the run log, the SKU named once, the jobs' leftovers on the overview).
//! Operator and viewer walk every page; a viewer has no action; five wrong
//! passwords are throttled. Screenshots
//! of the main pages go to `target/screenshots/`, or to the folder in
//! `TNS_SCREENSHOTS_DIR` (`TNS_SCREENSHOTS_DIR=docs/screenshots` refreshes
//! the README's pictures), so a test run leaves the checkout unchanged.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::console::add_user;
use common::webdriver::{Browser, Driver};
use common::{local_env, GB_SHOP};
use local_env::LocalRunner;
use serde_json::json;

const PW: &str = "a long enough passphrase";
const ORDER: &str = "578903215467812302";

fn shots() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::var_os("TNS_SCREENSHOTS_DIR") {
        Some(dir) => root.join(dir),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("screenshots"),
    }
}

async fn login(b: &Browser, base: &str, name: &str, pw: &str) {
    b.goto(&format!("{base}/login")).await;
    login_here(b, name, pw).await;
}

/// Signs in on the login page the browser is on.
async fn login_here(b: &Browser, name: &str, pw: &str) {
    b.fill("#name", name).await;
    b.fill("#password", pw).await;
    b.click("form.login button[type=submit]").await;
}

/// Opens `url` and waits until the page has loaded (its title is there).
async fn until_ready(b: &Browser, url: &str) {
    b.goto(url).await;
    settled(b, "</title>").await;
}

/// Where screenshots of a run go that are not the README's pictures.
fn run_shots() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("screenshots")
}

/// Waits (bounded) until the current page, after a click, contains `text`;
/// returns its source. A click that submits a form returns before the next
/// page has always loaded.
async fn settled(b: &Browser, text: &str) -> String {
    for _ in 0..100 {
        let src = b.source().await;
        if src.contains(text) {
            return src;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never showed {text:?}: {}", b.source().await);
}

/// Reloads `url` until its source contains `text` (bounded: 60 tries).
async fn until_page_has(b: &Browser, url: &str, text: &str) -> String {
    let start = Instant::now();
    for _ in 0..120 {
        b.goto(url).await;
        let src = b.source().await;
        if src.contains(text) {
            return src;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("{url} never showed {text:?} ({:?})", start.elapsed());
}

#[tokio::test]
async fn an_operator_fixes_a_failed_order_in_the_browser() {
    let env = local_env(2, 5).await;
    // The UK order's lines carry a seller SKU NetSuite does not know.
    let seed = simulators::default_seed();
    let mut order = seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == ORDER)
        .expect("seed order")
        .order
        .clone();
    for l in order["line_items"].as_array_mut().expect("lines") {
        l["seller_sku"] = json!("TENT-OLD-CODE");
    }
    let buyer: Vec<String> = [
        "buyer_email",
        "/recipient_address/phone_number",
        "/recipient_address/full_address",
    ]
    .iter()
    .filter_map(|k| {
        if k.starts_with('/') {
            order.pointer(k)
        } else {
            order.get(*k)
        }
    })
    .filter_map(|v| v.as_str().map(str::to_string))
    .filter(|v| !v.is_empty())
    .collect();
    env.tiktok
        .state
        .upsert_order(GB_SHOP, order)
        .expect("sim order");
    let runner = LocalRunner::start(
        env.webhook.clone(),
        env.writer.clone(),
        &env.sdk,
        "127.0.0.1:0".parse().unwrap(),
        2,
    )
    .await
    .expect("runner");
    let body = common::order_event("n-browser-1", GB_SHOP, ORDER, "AWAITING_SHIPMENT");
    let r = reqwest::Client::new()
        .post(format!("http://{}/webhook", runner.webhook_addr))
        .header("authorization", env.sign(&body))
        .body(body)
        .send()
        .await
        .expect("webhook");
    assert_eq!(r.status(), 200);

    let console = local_env::console::local_console(&env)
        .await
        .expect("console");
    let (addr, _task) = local_env::console::serve_console(
        std::sync::Arc::new(console),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("serve");
    let base = format!("http://{addr}");
    add_user(&env.sdk, &env.names, "olga", "operator", PW).await;
    add_user(&env.sdk, &env.names, "vic", "viewer", PW).await;

    let driver = Driver::start().await;
    let b = driver.browser().await;
    b.window_size(1366, 900).await;

    // No session: the login page, which keeps the deep link.
    let deep = format!("{base}/orders?status=failed");
    until_ready(&b, &deep).await;
    let url = b.url().await;
    assert!(
        url.ends_with("/login?next=%2Forders%3Fstatus%3Dfailed"),
        "{url}"
    );
    b.screenshot(&shots().join("login.png")).await;

    // Signing in lands on the page asked for.
    login_here(&b, "olga", PW).await;
    settled(&b, "Filter orders").await;
    assert!(
        b.url().await.ends_with("/orders?status=failed"),
        "{}",
        b.url().await
    );

    // Wait for the writer to fail our order.
    let failed = format!("{base}/orders?status=failed");
    let src = until_page_has(&b, &failed, ORDER).await;
    // The list shows each failure's fix: a button to link its SKU.
    assert!(src.contains("Problem and fix"), "{src}");
    assert!(src.contains("Link SKU <code>TENT-OLD-CODE</code>"), "{src}");
    assert!(src.contains("1 order on this page"), "{src}");
    // The filter bar is one row at 1366 px.
    let first = b.rect("form.filters label[for=status]").await;
    let last = b.rect("form.filters a.button").await;
    // One row: the last control ends where the first does (bottom-aligned).
    assert!(
        (first.1 + first.3 - (last.1 + last.3)).abs() < 2.0 && last.0 > first.0,
        "the filter bar wraps at 1366 px: {first:?} … {last:?}"
    );
    b.goto(&format!("{base}/orders")).await;
    b.click("#status option[value=failed]").await;
    b.click("form.filters button[type=submit]").await;
    let mut url = b.url().await;
    for _ in 0..100 {
        if url.contains("status=failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        url = b.url().await;
    }
    assert!(url.contains("status=failed"), "the filter's page: {url}");
    settled(&b, ORDER).await;
    b.screenshot(&shots().join("orders.png")).await;

    // The order's type is shown and filtered on (issue 26): the writer read
    // the UK order as an ordinary sale.
    b.goto(&format!("{base}/orders")).await;
    b.click("#type option[value=sale]").await;
    b.click("form.filters button[type=submit]").await;
    let mut url = b.url().await;
    for _ in 0..100 {
        if url.contains("type=sale") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        url = b.url().await;
    }
    assert!(url.contains("type=sale"), "the type filter's page: {url}");
    let src = settled(&b, ORDER).await;
    assert!(src.contains("<td>Sale</td>"), "{src}");
    b.screenshot(&run_shots().join("orders-by-type.png")).await;
    let none = until_page_has(
        &b,
        &format!("{base}/orders?type=sample"),
        "0 orders on this page",
    )
    .await;
    assert!(!none.contains(ORDER), "a sale is not listed as a sample");

    // Exceptions counts the failed order; no kind says a bare "None.".
    b.goto(&format!("{base}/exceptions")).await;
    let src = b.source().await;
    assert!(src.contains("Failed (1)"), "{src}");
    assert!(!src.contains("None."), "{src}");
    assert!(src.contains("No orders need review."), "{src}");
    b.screenshot(&shots().join("exceptions.png")).await;

    // The overview's top failure code says what to do, not one SKU's command.
    b.goto(&format!("{base}/")).await;
    let src = b.source().await;
    assert!(
        src.contains("Link each blocking SKU to a NetSuite item"),
        "{src}"
    );
    assert!(!src.contains("tiktok-netsuite skus link"), "{src}");

    b.goto(&failed).await;
    b.click(&format!("a[href$='/{ORDER}']")).await;
    let src = settled(&b, "Problems").await;
    assert!(
        src.contains("Unlinked Product") && src.contains("seller SKU TENT-OLD-CODE (shop"),
        "the problem with its reason, the SKU (on every line) named once: {src}"
    );
    assert!(!src.contains("TENT-OLD-CODE, TENT-OLD-CODE"), "{src}");
    assert!(
        !src.contains("tiktok-netsuite skus link"),
        "a button, not a command"
    );
    for b in &buyer {
        assert!(
            !src.contains(b.as_str()),
            "buyer data {b:?} on the order page"
        );
    }
    b.screenshot(&shots().join("order-failed.png")).await;

    // The fix's button opens the SKU form for that SKU, which lists the
    // SKUs blocking orders now.
    b.click("p.fix a.button[href*='link=TENT-OLD-CODE']").await;
    let src = settled(&b, "SKUs blocking orders now").await;
    assert!(src.contains("<code>TENT-OLD-CODE</code>"), "{src}");
    assert!(
        src.contains("1 failed order</strong> is blocked on"),
        "{src}"
    );
    b.fill("#l-item", "999999").await;
    b.click("form[aria-label='Link a SKU'] button[type=submit]")
        .await;
    settled(&b, "NetSuite has no active item").await;
    b.goto(&format!(
        "{base}/skus?shop={GB_SHOP}&q=TENT-OLD-CODE&link=TENT-OLD-CODE"
    ))
    .await;
    b.fill("#l-item", "101").await;
    b.click("form[aria-label='Link a SKU'] button[type=submit]")
        .await;
    let src = settled(&b, "Linked TENT-OLD-CODE").await;
    assert!(
        src.contains("Linked TENT-OLD-CODE to NetSuite item 101"),
        "{src}"
    );
    let name = src
        .split("to NetSuite item 101 (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("the item's name in the notice")
        .to_string();
    assert!(
        src.contains(&format!("101 · {name}")),
        "the link lists its item by name: {src}"
    );
    assert!(src.contains("Resubmit every order blocked on this SKU (1)"));
    b.screenshot(&shots().join("sku-links.png")).await;
    // The notice is shown once.
    b.goto(&format!("{base}/skus?shop={GB_SHOP}&q=TENT-OLD-CODE"))
        .await;
    assert!(!b.source().await.contains("Linked TENT-OLD-CODE"));

    // Resubmit from the order page, with a reason, and watch it become created.
    let order_url = format!("{base}/orders/{GB_SHOP}/{ORDER}");
    b.goto(&order_url).await;
    b.fill("#r-resubmit", "SKU linked to item 101").await;
    b.click("form input[value=resubmit] ~ button[type=submit]")
        .await;
    settled(&b, "resubmitted by olga").await;
    let src = until_page_has(&b, &order_url, "badge s-created").await;
    assert!(
        src.contains("resubmitted by olga: SKU linked to item 101"),
        "the action is in the timeline"
    );
    assert!(
        src.contains(
            "<span class=\"badge\">action</span> · TikTok AWAITING_SHIPMENT<br>resubmitted by olga"
        ),
        "an action carries no failed badge: {src}"
    );
    b.screenshot(&shots().join("order-created.png")).await;

    // The payout job books the seeded statements (one does not add up and
    // is held); for the UK shop, which has no payouts mapping, it runs and
    // says so.
    let payouts = common::payouts::payout_jobs(&env, "finance-browser@example.com").await;
    common::payouts::run_payouts(&payouts).await;
    payouts
        .run(&shared::app::JobRequest {
            job: "payouts".into(),
            shop: Some(GB_SHOP.into()),
        })
        .await
        .expect("payouts run (UK)");
    b.goto(&format!("{base}/payouts")).await;
    let src = settled(&b, common::payouts::SAMPLE).await;
    assert!(
        src.contains("The payouts job last ran") && src.contains("no payouts config for this shop"),
        "{src}"
    );
    assert!(!src.contains("has not run for this shop"), "{src}");
    b.goto(&format!("{base}/payouts?shop={}", common::US_SHOP))
        .await;
    settled(&b, common::payouts::SAMPLE).await;
    b.screenshot(&shots().join("payouts.png")).await;
    b.goto(&format!(
        "{base}/payouts/{}/{}",
        common::US_SHOP,
        common::payouts::SAMPLE
    ))
    .await;
    settled(&b, "Re-send report").await;
    let src = b.source().await;
    assert!(
        src.contains("No samples, giveaways, replacements or exchanges"),
        "{src}"
    );
    // Issue 26: a sample and a replacement written on the sample statement's
    // day (its `statement_time` in the seed): its page lists them by type.
    for (order, t, retail) in [
        (
            "577000000000000301",
            shared::domain::OrderType::Sample,
            "129.99",
        ),
        (
            "577000000000000302",
            shared::domain::OrderType::Replacement,
            "24.50",
        ),
    ] {
        shared::store::OrderLog::record(
            &payouts.log,
            &shared::store::Outcome {
                shop_id: shared::domain::ShopId::new(common::US_SHOP),
                order_id: shared::domain::OrderId::new(order),
                tiktok_status: "AWAITING_SHIPMENT".into(),
                sync_status: shared::store::SyncStatus::Created,
                netsuite_id: Some("901".into()),
                external_id: None,
                note: String::new(),
                failure: None,
                failed_skus: vec![],
                order_type: Some(t),
                retail_value: Some(retail.parse().unwrap()),
                at: 1_767_225_600 - 3_600,
                event: None,
            },
        )
        .await
        .unwrap();
    }
    b.goto(&format!(
        "{base}/payouts/{}/{}",
        common::US_SHOP,
        common::payouts::SAMPLE
    ))
    .await;
    let src = settled(&b, "$0 orders in this period").await;
    assert!(
        src.contains(
            "<tr><td>Sample</td><td class=\"num\">1</td><td class=\"num\">129.99</td></tr>"
        ),
        "{src}"
    );
    b.screenshot(&shots().join("payout-statement.png")).await;

    // Jobs shows run windows as dates, not epoch seconds.
    b.goto(&format!("{base}/jobs")).await;
    let src = b.source().await;
    assert!(
        src.contains("statements and payments in [2025-12-30 00:00 UTC, 2026-01-09 00:00 UTC)"),
        "{src}"
    );
    assert!(!src.contains("[17"), "{src}");
    b.screenshot(&shots().join("jobs.png")).await;

    // The overview: orders, and what the jobs leave for a person.
    b.goto(&format!("{base}/")).await;
    let src = b.source().await;
    assert!(src.contains("Stock, tracking and payouts"), "{src}");
    assert!(
        src.contains("1 payout statement</strong> held") && src.contains(common::payouts::BROKEN),
        "{src}"
    );
    b.screenshot(&shots().join("overview.png")).await;
    b.goto(&format!("{base}/shops")).await;
    b.screenshot(&shots().join("shops.png")).await;
    b.goto(&format!("{base}/health")).await;
    assert!(b.source().await.contains("<title>Health"));
    b.screenshot(&shots().join("health.png")).await;

    // Every page as the operator: a page, with its actions.
    let pages = every_page(&base);
    for (path, title) in &pages {
        b.goto(&format!("{base}{path}")).await;
        let src = b.source().await;
        assert!(src.contains(&format!("<title>{title}")), "{path}: {src}");
        assert!(src.contains("olga · operator"), "{path}");
    }
    b.close().await;

    // A viewer reads every page but has no action.
    let v = driver.browser().await;
    v.window_size(1366, 900).await;
    login(&v, &base, "vic", PW).await;
    settled(&v, "Orders by status").await;
    for (i, (path, title)) in pages.iter().enumerate() {
        v.goto(&format!("{base}{path}")).await;
        let src = v.source().await;
        assert!(src.contains(&format!("<title>{title}")), "{path}: {src}");
        assert!(src.contains("vic · viewer"), "{path}");
        for action in [
            "input[value=resubmit]",
            "input[value=ignore]",
            "form[aria-label='Link a SKU']",
            "form[action='/skus/remove']",
            "form[action='/orders/bulk']",
            "form[action$='/resend']",
        ] {
            assert_eq!(v.count(action).await, 0, "{path}: a viewer sees {action}");
        }
        v.screenshot(&run_shots().join(format!("viewer-{i}.png")))
            .await;
    }
    v.goto(&order_url).await;
    assert!(v.source().await.contains("needs an operator"));
    v.close().await;

    // Five wrong passwords, then even the right one is refused for a while.
    let t = driver.browser().await;
    for _ in 0..5 {
        login(&t, &base, "vic", "not the password at all").await;
        settled(&t, "Wrong user name or password").await;
    }
    login(&t, &base, "vic", PW).await;
    settled(&t, "Too many failed sign-ins").await;
    t.close().await;
    runner.stop().await;
}

/// Every page of the console, with its title.
fn every_page(_base: &str) -> Vec<(String, &'static str)> {
    vec![
        ("/".into(), "Overview"),
        ("/orders".into(), "Orders"),
        ("/orders?status=failed".into(), "Orders"),
        (format!("/orders/{GB_SHOP}/{ORDER}"), "Order "),
        ("/exceptions".into(), "Exceptions"),
        (format!("/skus?shop={GB_SHOP}"), "SKU links"),
        ("/shops".into(), "Shops"),
        ("/jobs".into(), "Jobs"),
        ("/health".into(), "Health"),
        ("/payouts".into(), "Payouts"),
        (
            format!("/payouts/{}/{}", common::US_SHOP, common::payouts::SAMPLE),
            "Statement ",
        ),
    ]
}
