//! Issue 19's end to end: from nothing to a Sales Order only through what a
//! merchant does. Both shops start with no tokens at all; an admin signs in
//! to the console and connects each shop through TikTok's authorization page
//! (the simulator's consent redirect) and the callback; registers the
//! deployed webhook for each shop on Shops > Webhooks; runs the doctor until
//! every line passes; then TikTok pushes a signed order event to the
//! registered address and the writer creates the Sales Order. Once with
//! NetSuite TBA and once with OAuth 2.0 M2M (PS256). Moto through the
//! endpoint override, the simulators, the console and the webhook on
//! loopback, real HTTP.

mod common;

use std::sync::Arc;

use common::console::{add_user, csrf_in, serve, ConsoleHttp};
use common::{now, GB_SHOP, US_SHOP};
use local_env::netsuite_auth::NetSuiteAuthMode;
use serde_json::json;
use shared::domain::{OrderId, ShopId};
use shared::store::{DynamoOrderLog, OrderLog, SyncStatus};
use shared::tiktok::events::WebhookAddress;

const PW: &str = "a long enough passphrase";
const ORDER: &str = "576461413038785752";

async fn from_nothing_to_a_sales_order(mode: NetSuiteAuthMode) {
    let env = local_env::LocalEnv::start(
        common::sdk().await,
        local_env::LocalOptions {
            visibility_timeout_secs: 30,
            max_receive_count: 5,
            netsuite_auth: mode,
            ..Default::default()
        },
    )
    .await
    .expect("local environment");
    assert_eq!(env.netsuite_auth, mode);
    let ddb = aws_sdk_dynamodb::Client::new(&env.sdk);
    // Nothing connected: the seeded tokens of both shops are removed.
    for shop in [US_SHOP, GB_SHOP] {
        ddb.delete_item()
            .table_name(&env.names.shop_tokens_table)
            .key("pk", shared::store::aws::s(format!("SHOP#{shop}")))
            .key("sk", shared::store::aws::s("TOKEN"))
            .send()
            .await
            .expect("forget the seeded tokens");
    }

    // The deployed webhook, on loopback.
    let (addr, _task) =
        local_env::runner::serve_webhook(env.webhook.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .expect("serve webhook");
    let address = WebhookAddress::parse(&format!("http://{addr}/webhook")).expect("address");

    // The console, with Shops > Webhooks pointing at the deployed address.
    let mut console = local_env::console::local_console(&env)
        .await
        .expect("console");
    console.webhooks = Some(Arc::new(shared::ops::webhooks::Registrar {
        sessions: env.jobs.shops.clone(),
        address: Some(address.clone()),
    }));
    let base = serve(console).await;
    add_user(&env.sdk, &env.names, "ada", "admin", PW).await;
    env.tiktok.state.configure_authorization(
        &format!("{base}{}", shared::connect::CALLBACK_PATH),
        local_env::console::LOCAL_SERVICE_ID,
    );
    let admin = ConsoleHttp::new(&base);
    assert_eq!(admin.login("ada", PW).await.status, 303);
    // TikTok's redirect carries no console cookie (SameSite=Strict).
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // 1. Connect each shop: Shops > Connect a shop > TikTok > callback.
    for shop in [US_SHOP, GB_SHOP] {
        env.tiktok.state.authorizing_shop(shop);
        let shops = admin.get("/shops").await;
        let r = admin
            .post("/shops/connect", &[("csrf", &csrf_in(&shops.body))])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let tiktok_page = r.location.expect("a redirect to TikTok");
        let consent = browser.get(&tiktok_page).send().await.expect("page");
        assert_eq!(consent.status().as_u16(), 302);
        let back = consent.headers()["location"].to_str().unwrap().to_string();
        let cb = browser.get(&back).send().await.expect("callback");
        assert_eq!(cb.status().as_u16(), 200, "{:?}", cb.text().await);
    }
    let shops = admin.get("/shops").await;
    for s in &env.seed.tiktok.shops {
        assert!(shops.body.contains(&s.name), "{} on the Shops page", s.name);
    }

    // 2. Register the webhook for each shop (Shops > Webhooks, confirmed).
    let path = shared::console::pages::webhooks::PATH;
    for shop in [US_SHOP, GB_SHOP] {
        let page = admin.get(path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let r = admin
            .post(
                path,
                &[
                    ("csrf", &csrf_in(&page.body)),
                    ("shop", shop),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert!(
            r.status == 200 || r.status == 303,
            "{}: {}",
            r.status,
            r.body
        );
        let subs = env.tiktok.state.webhooks(shop);
        assert!(
            !subs.is_empty() && subs.iter().all(|s| s.address == address.as_str()),
            "{shop}: {subs:?}"
        );
    }

    // 3. The doctor: every line passes.
    let report = env
        .jobs
        .doctor
        .doctor(
            &env.jobs.config,
            &env.jobs.shops,
            env.jobs.netsuite.as_ref(),
            env.jobs.clock.as_ref(),
        )
        .run(&env.jobs.config.jobs.shops())
        .await;
    println!("{}", report.lines().join("\n"));
    assert!(!report.failed(), "{}", report.lines().join("\n"));

    // 4. TikTok pushes an order to the registered address, signed.
    let d = env
        .tiktok
        .state
        .deliver(
            US_SHOP,
            "ORDER_STATUS_CHANGE",
            json!({"order_id": ORDER, "order_status": "AWAITING_SHIPMENT", "is_on_hold_order": false, "update_time": now()}),
        )
        .await
        .expect("deliver")
        .expect("subscribed");
    assert_eq!((d.status, d.delivered), (Some(200), true), "{d:?}");
    local_env::runner::drain(&env).await.expect("drain");

    // 5. The Sales Order is in NetSuite.
    let entry = DynamoOrderLog::new(ddb, &env.names.order_log_table)
        .get(&ShopId::new(US_SHOP), &OrderId::new(ORDER))
        .await
        .expect("log")
        .expect("logged");
    assert_eq!(entry.sync_status, SyncStatus::Created, "{entry:?}");
    assert!(entry.netsuite_id.is_some(), "{entry:?}");
}

#[tokio::test]
async fn a_merchant_goes_from_nothing_to_a_sales_order_with_tba() {
    from_nothing_to_a_sales_order(NetSuiteAuthMode::Tba).await;
}

#[tokio::test]
async fn a_merchant_goes_from_nothing_to_a_sales_order_with_oauth2_m2m() {
    from_nothing_to_a_sales_order(NetSuiteAuthMode::M2m(
        shared::signing::netsuite_m2m::M2mAlgorithm::PS256,
    ))
    .await;
}
