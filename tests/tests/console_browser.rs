//! The console in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by scripts/test), driven over WebDriver:
//! an operator signs in, filters the failed orders, opens one, links its
//! SKU, resubmits it and sees it become created — with the writer running
//! against the NetSuite simulator. A viewer cannot resubmit; no session
//! means the login page; five wrong passwords are throttled. Screenshots
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
    b.fill("#name", name).await;
    b.fill("#password", pw).await;
    b.click("form.login button[type=submit]").await;
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

    // No session: the login page.
    b.goto(&format!("{base}/orders")).await;
    assert!(b.url().await.ends_with("/login"), "{}", b.url().await);
    b.screenshot(&shots().join("login.png")).await;

    login(&b, &base, "olga", PW).await;
    settled(&b, "Orders by status").await;

    // Filter the failed orders and open ours (once the writer has failed it).
    let failed = format!("{base}/orders?status=failed");
    until_page_has(&b, &failed, ORDER).await;
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
    b.click(&format!("a[href$='/{ORDER}']")).await;
    let src = settled(&b, "Problems").await;
    assert!(
        src.contains("Unlinked Product") && src.contains("TENT-OLD-CODE"),
        "the problem with its reason"
    );
    for b in &buyer {
        assert!(
            !src.contains(b.as_str()),
            "buyer data {b:?} on the order page"
        );
    }
    b.screenshot(&shots().join("order-failed.png")).await;

    // Link the SKU (checked against the NetSuite simulator's items).
    b.click("a[href*='link=TENT-OLD-CODE']").await;
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
    assert!(src.contains("Resubmit every order blocked on this SKU (1)"));
    b.screenshot(&shots().join("sku-links.png")).await;

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
    b.screenshot(&shots().join("order-created.png")).await;
    for (path, file) in [
        ("/", "overview.png"),
        ("/shops", "shops.png"),
        ("/jobs", "jobs.png"),
        ("/exceptions", "exceptions.png"),
    ] {
        b.goto(&format!("{base}{path}")).await;
        b.screenshot(&shots().join(file)).await;
    }
    // The payout job books the seeded statements; the Payouts pages show them.
    let payouts = common::payouts::payout_jobs(&env, "finance-browser@example.com").await;
    common::payouts::run_payouts(&payouts).await;
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
    b.screenshot(&shots().join("payout-statement.png")).await;
    b.close().await;

    // A viewer sees the order but no action.
    let v = driver.browser().await;
    login(&v, &base, "vic", PW).await;
    settled(&v, "Orders by status").await;
    v.goto(&order_url).await;
    let src = v.source().await;
    assert_eq!(
        v.count("input[value=resubmit]").await,
        0,
        "no resubmit form for a viewer"
    );
    assert!(src.contains("needs an operator"));
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
