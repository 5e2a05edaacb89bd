//! Webhook registration through TikTok's Event API, against moto and the
//! simulators on loopback: the status names the missing event types, a
//! registration without the operator's confirmation changes nothing, a
//! confirmed one sets them, and the simulator then delivers an order push
//! to the registered address, which the webhook accepts and the writer
//! turns into a Sales Order.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;
use shared::domain::{ShopId, WebhookType};
use shared::ingest::SUBSCRIBED_EVENTS;
use shared::ops::webhooks::{register, status};
use shared::tiktok::events::{Subscription, WebhookAddress, PATH_WEBHOOKS};
use shared::tiktok::Scope;

/// The local environment with the webhook served on loopback, and the
/// address it is reached at.
async fn world() -> (local_env::LocalEnv, WebhookAddress) {
    let env = local_env(30, 5).await;
    let (addr, _task) =
        local_env::runner::serve_webhook(env.webhook.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .expect("serve webhook");
    let address = WebhookAddress::parse(&format!("http://{addr}/webhook")).expect("address");
    (env, address)
}

fn us() -> ShopId {
    ShopId::new(US_SHOP)
}

#[tokio::test]
async fn status_names_the_missing_types_and_an_unconfirmed_registration_changes_nothing() {
    let (env, address) = world().await;
    let shops = &env.jobs.shops;

    let plan = status(shops, &us(), &address).await.expect("status");
    assert_eq!(plan.events.len(), SUBSCRIBED_EVENTS.len());
    assert!(
        plan.events.iter().all(|e| e.now == Subscription::Missing),
        "{plan:?}"
    );
    assert_eq!(plan.to_register(), SUBSCRIBED_EVENTS.to_vec());

    let r = register(shops, &us(), &address, false)
        .await
        .expect("plan only");
    assert!(r.set.is_empty() && r.after.is_none(), "{r:?}");
    assert_eq!(r.before, plan);
    assert!(
        env.tiktok.state.webhooks(US_SHOP).is_empty(),
        "nothing registered without --yes"
    );
    // And so TikTok sends nothing.
    let none = env
        .tiktok
        .state
        .deliver(US_SHOP, "ORDER_STATUS_CHANGE", json!({"order_id": "1"}))
        .await
        .expect("deliver");
    assert_eq!(none, None);
}

#[tokio::test]
async fn a_confirmed_registration_sets_each_type_and_the_next_order_push_becomes_a_sales_order() {
    let (env, address) = world().await;
    let shops = &env.jobs.shops;
    // One type already goes to an old stack: the plan says so and moves it.
    let old = WebhookAddress::parse("https://old-stack.example.com/hook").unwrap();
    shops
        .call_with_refresh(&us(), |auth| {
            let old = old.clone();
            async move {
                shops
                    .client()
                    .update_shop_webhook(&auth, WebhookType::OrderStatusChange, &old)
                    .await
            }
        })
        .await
        .expect("old subscription");
    let plan = status(shops, &us(), &address).await.expect("status");
    assert_eq!(
        plan.events[0].now,
        Subscription::Elsewhere {
            address: old.to_string()
        }
    );

    let r = register(shops, &us(), &address, true)
        .await
        .expect("register");
    assert_eq!(r.set, SUBSCRIBED_EVENTS.to_vec());
    assert!(r.after.as_ref().is_some_and(|a| a.is_complete()), "{r:?}");
    let subs = env.tiktok.state.webhooks(US_SHOP);
    assert_eq!(subs.len(), SUBSCRIBED_EVENTS.len());
    assert!(
        subs.iter().all(|s| s.address == address.as_str()),
        "{subs:?}"
    );
    assert!(
        env.tiktok.state.webhooks(GB_SHOP).is_empty(),
        "another shop is not touched"
    );
    // A second registration has nothing to do.
    let again = register(shops, &us(), &address, true).await.unwrap();
    assert!(again.set.is_empty() && again.before.is_complete());

    // TikTok now pushes the shop's order events to the webhook.
    let order = "576461413038785752";
    let d = env
        .tiktok
        .state
        .deliver(
            US_SHOP,
            "ORDER_STATUS_CHANGE",
            json!({"order_id": order, "order_status": "AWAITING_SHIPMENT", "is_on_hold_order": false, "update_time": now()}),
        )
        .await
        .expect("deliver")
        .expect("subscribed");
    assert_eq!((d.status, d.delivered), (Some(200), true), "{d:?}");
    assert_eq!(d.address, address.as_str());
    // Types the product does not handle are not subscribed: nothing is sent.
    assert_eq!(
        env.tiktok
            .state
            .deliver(US_SHOP, "PACKAGE_UPDATE", json!({}))
            .await
            .unwrap(),
        None
    );

    assert!(
        local_env::runner::drain(&env).await.expect("drain") >= 1,
        "the push was queued"
    );
    let ext = shared::mapping::external_id("tts", &us(), order);
    let created = env
        .netsuite
        .state
        .records("salesOrder")
        .iter()
        .filter(|r| r["externalId"] == json!(ext))
        .count();
    assert_eq!(created, 1, "one Sales Order for the pushed order");
}

/// The simulator is as strict as the configuration guide (and harsher
/// where it is silent): an address TikTok would not deliver to, or an
/// unknown event type, is refused and not stored.
#[tokio::test]
async fn the_event_api_refuses_addresses_and_types_tiktok_would_not_take() {
    let (env, _) = world().await;
    let shops = &env.jobs.shops;
    for (event_type, address) in [
        ("ORDER_STATUS_CHANGE", "http://hooks.example.com/tiktok"),
        ("ORDER_STATUS_CHANGE", "https://203.0.113.7/tiktok"),
        (
            "ORDER_STATUS_CHANGE",
            "https://hooks.example.com:8443/tiktok",
        ),
        ("ORDER_STATUS", "https://hooks.example.com/tiktok"),
    ] {
        let body = json!({ "event_type": event_type, "address": address });
        let refused = shops
            .call_with_refresh(&us(), |auth| {
                let body = body.clone();
                async move {
                    shops
                        .client()
                        .call_json::<_, serde_json::Value>(
                            Method::PUT,
                            PATH_WEBHOOKS,
                            Scope::Shop(&auth),
                            &[],
                            &body,
                        )
                        .await
                }
            })
            .await;
        let code = match refused {
            Err(shared::tiktok::ShopCallError::TikTok(e)) => e.code(),
            other => panic!("{event_type} → {address} accepted: {other:?}"),
        };
        assert_eq!(code, Some(36009004), "{event_type} → {address}");
    }
    assert!(env.tiktok.state.webhooks(US_SHOP).is_empty());
}

const PW: &str = "a long enough passphrase";

/// The console's Webhooks page shows the plan; only an admin's confirming
/// POST with its CSRF token changes anything.
#[tokio::test]
async fn the_console_shows_the_plan_and_registers_only_on_an_admins_confirmation() {
    use common::console::{add_user, console_over, csrf_in, serve, ConsoleHttp};
    let (env, address) = world().await;
    let mut console = console_over(
        &env.sdk,
        &env.names,
        aws_sdk_dynamodb::Client::new(&env.sdk),
    );
    console.webhooks = Some(std::sync::Arc::new(shared::ops::webhooks::Registrar {
        sessions: env.jobs.shops.clone(),
        address: Some(address.clone()),
    }));
    add_user(&env.sdk, &env.names, "ada", "admin", PW).await;
    add_user(&env.sdk, &env.names, "olga", "operator", PW).await;
    let base = serve(console).await;
    let path = shared::console::pages::webhooks::PATH;

    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", PW).await.status, 303);
    let page = olga.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("ORDER_STATUS_CHANGE") && page.body.contains("missing"));
    assert!(page.body.contains(US_SHOP) && page.body.contains(GB_SHOP));
    assert!(
        !page.body.contains("Register the webhook"),
        "no button for an operator"
    );
    let token = csrf_in(&page.body);
    let r = olga
        .post(
            path,
            &[("csrf", &token), ("shop", US_SHOP), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 403, "an operator may not register");

    let ada = ConsoleHttp::new(&base);
    assert_eq!(ada.login("ada", PW).await.status, 303);
    let page = ada.get(&format!("{path}?shop={US_SHOP}")).await;
    assert!(page.body.contains("Register the webhook"), "{}", page.body);
    let r = ada
        .post(
            path,
            &[("csrf", "forged"), ("shop", US_SHOP), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 403, "a forged CSRF token is refused");
    let token = csrf_in(&page.body);
    let r = ada.post(path, &[("csrf", &token), ("shop", US_SHOP)]).await;
    assert_eq!(r.status, 303, "unconfirmed: back to the plan");
    assert!(
        env.tiktok.state.webhooks(US_SHOP).is_empty(),
        "nothing set without confirm"
    );
    assert!(env.tiktok.state.webhooks(GB_SHOP).is_empty());

    let r = ada
        .post(
            path,
            &[("csrf", &token), ("shop", US_SHOP), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        env.tiktok.state.webhooks(US_SHOP).len(),
        SUBSCRIBED_EVENTS.len()
    );
    let after = ada.get(r.location.as_deref().expect("location")).await;
    assert!(
        after.body.contains("registered") && !after.body.contains(">missing<"),
        "{}",
        after.body
    );
}
