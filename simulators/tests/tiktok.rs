//! TikTok simulator: the common checks and the order shape.

mod common;

use common::{now, TikTok};
use reqwest::StatusCode;
use simulators::tiktok::{NOT_THIS_SELLERS_ORDER, ORDER_DETAIL_TRANSIENT_CODES};
use simulators::{default_seed, spawn_tiktok, RunningSim, TikTokConfig, TikTokSim};

const ORDERS: &str = "/order/202309/orders";
const SHOPS: &str = "/authorization/202309/shops";
const US_ORDER: &str = "576461413038785752";

async fn start(
    qps: u32,
) -> (
    RunningSim<TikTokSim>,
    TikTok,
    simulators::seed::ShopSeed,
    simulators::seed::ShopSeed,
) {
    let seed = default_seed().tiktok;
    let sim = spawn_tiktok(
        seed.clone(),
        TikTokConfig {
            port: 0,
            qps_limit: qps,
        },
    )
    .await
    .unwrap();
    let tt = TikTok {
        base: sim.base_url.clone(),
        app_key: seed.app_key,
        app_secret: seed.app_secret,
        client: reqwest::Client::new(),
    };
    (sim, tt, seed.shops[0].clone(), seed.shops[1].clone())
}

#[tokio::test]
async fn signed_request_returns_one_line_item_per_unit() {
    let (sim, tt, us, _) = start(50).await;
    let (status, body) = tt.send(tt.call(SHOPS, Some(&us.access_token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["data"]["shops"][0]["cipher"], us.cipher.as_str());
    assert!(body["request_id"].as_str().is_some_and(|s| !s.is_empty()));

    let mut c = tt.call(ORDERS, Some(&us.access_token));
    c.params = vec![
        ("shop_cipher", us.cipher.clone()),
        ("ids", format!("{US_ORDER},576461413038785753")),
    ];
    let (status, body) = tt.send(c).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["code"], 0, "{body}");
    let orders = body["data"]["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2);
    let lines = orders[0]["line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["sku_id"], lines[1]["sku_id"]);
    assert_ne!(lines[0]["id"], lines[1]["id"]);
    assert!(lines[0].get("quantity").is_none());
    assert_eq!(orders[0]["payment"]["total_amount"], "279.15");
    assert!(orders[1]["line_items"][0]["combined_listing_skus"].is_array());
    assert_eq!(sim.state.request_count(ORDERS), 1);
}

fn order_call<'a>(
    tt: &TikTok,
    shop: &'a simulators::seed::ShopSeed,
    ids: &str,
) -> common::TtCall<'a> {
    let mut c = tt.call(ORDERS, Some(&shop.access_token));
    c.params = vec![
        ("shop_cipher", shop.cipher.clone()),
        ("ids", ids.to_string()),
    ];
    c
}

/// Another shop's order, an unknown id, or either mixed with a good id:
/// the whole call answers 21008111 with no data.
#[tokio::test]
async fn order_ids_that_are_not_this_shops_answer_21008111() {
    let (sim, tt, _, gb) = start(50).await;
    for ids in [
        US_ORDER.to_string(),
        "111".to_string(),
        format!("578903215467812301,{US_ORDER}"),
        "578903215467812301,111".to_string(),
    ] {
        let (status, body) = tt.send(order_call(&tt, &gb, &ids)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["code"], NOT_THIS_SELLERS_ORDER, "{ids}: {body}");
        assert_eq!(body["code"], 21008111);
        assert!(body["data"].is_null(), "{body}");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("The order or package does not belong to the current seller."));
    }
    assert_eq!(sim.state.rejected_count(21008111), 4);
    // The shop's own orders still come back.
    let (_, body) = tt.send(order_call(&tt, &gb, "578903215467812301")).await;
    assert_eq!(body["code"], 0, "{body}");
}

#[tokio::test]
async fn queued_order_detail_failures_answer_one_call_each() {
    let (sim, tt, us, _) = start(50).await;
    assert_eq!(
        ORDER_DETAIL_TRANSIENT_CODES,
        [10002014, 10002015, 10037002, 10037003, 10037004]
    );
    sim.state
        .fail_next_order_details(&ORDER_DETAIL_TRANSIENT_CODES)
        .unwrap();
    assert_eq!(sim.state.pending_order_detail_failures(), 5);
    for code in ORDER_DETAIL_TRANSIENT_CODES {
        let (status, body) = tt.send(order_call(&tt, &us, US_ORDER)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["code"], code, "{body}");
        assert!(body["data"].is_null());
        assert_eq!(
            body["message"],
            "Failed to get orders, If multiple retry have failed, please contact the platform for assistance"
        );
    }
    let (_, body) = tt.send(order_call(&tt, &us, US_ORDER)).await;
    assert_eq!(body["code"], 0, "the queue is spent: {body}");

    // A call failing the common checks does not consume a queued failure.
    sim.state.fail_next_order_details(&[36009003]).unwrap();
    let mut c = order_call(&tt, &us, US_ORDER);
    c.sign_override = Some("00");
    assert_eq!(tt.send(c).await.1["code"], 106001);
    assert_eq!(
        tt.send(order_call(&tt, &us, US_ORDER)).await.1["code"],
        36009003
    );

    // Only documented Get Order Detail codes; nothing is queued on error.
    assert!(sim
        .state
        .fail_next_order_details(&[10002014, 12345])
        .is_err());
    assert_eq!(sim.state.pending_order_detail_failures(), 0);

    // HTTP control hook; reset clears the queue.
    let r = tt
        .client
        .post(format!("{}/_sim/fail/order_details", tt.base))
        .json(&serde_json::json!({"codes": [10037003, 10002015]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["pending"], 2);
    let r = tt
        .client
        .post(format!("{}/_sim/fail/order_details", tt.base))
        .json(&serde_json::json!({"codes": [1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        tt.send(order_call(&tt, &us, US_ORDER)).await.1["code"],
        10037003
    );
    sim.state.reset();
    assert_eq!(sim.state.pending_order_detail_failures(), 0);
    assert_eq!(tt.send(order_call(&tt, &us, US_ORDER)).await.1["code"], 0);
}

async fn refresh(tt: &TikTok, refresh_token: &str) -> serde_json::Value {
    let url = format!(
        "{}/api/v2/token/refresh?app_key={}&app_secret={}&refresh_token={}&grant_type=refresh_token",
        tt.base, tt.app_key, tt.app_secret, refresh_token
    );
    tt.client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let (sim, tt, us, _) = start(50).await;
    let b1 = refresh(&tt, &us.refresh_token).await;
    assert_eq!(b1["code"], 0, "{b1}");
    let rt1 = b1["data"]["refresh_token"].as_str().unwrap().to_string();
    let at1 = b1["data"]["access_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, us.refresh_token, "a new refresh token");
    assert_ne!(at1, us.access_token, "a new access token");
    assert_eq!(
        b1["data"]["refresh_token_expire_in"], us.refresh_token_expire_in,
        "rotation does not extend the authorization"
    );
    // The presented refresh token is spent; so is the old access token.
    let b = refresh(&tt, &us.refresh_token).await;
    assert_eq!(b["code"], 36004005, "{b}");
    assert!(b["data"].is_null());
    assert_eq!(
        tt.send(tt.call(SHOPS, Some(&us.access_token))).await.1["code"],
        101000
    );
    assert_eq!(tt.send(tt.call(SHOPS, Some(&at1))).await.1["code"], 0);
    assert_eq!(sim.state.shops()[0].refresh_token, rt1);

    // Two concurrent refreshes with the same token: exactly one wins.
    let (a, b) = tokio::join!(refresh(&tt, &rt1), refresh(&tt, &rt1));
    let mut codes = [a["code"].as_i64().unwrap(), b["code"].as_i64().unwrap()];
    codes.sort();
    assert_eq!(codes, [0, 36004005], "{a} {b}");
    let winner = if a["code"] == 0 { &a } else { &b };
    let rt2 = winner["data"]["refresh_token"].as_str().unwrap();
    assert_ne!(rt2, rt1);
    assert_eq!(refresh(&tt, rt2).await["code"], 0);
}

#[tokio::test]
async fn wrong_sign_is_106001() {
    let (sim, tt, us, _) = start(50).await;
    let mut c = tt.call(SHOPS, Some(&us.access_token));
    c.sign_override = Some("deadbeef");
    let (status, body) = tt.send(c).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["code"], 106001);
    assert!(body["data"].is_null());
    // An uppercase-hex sign is also wrong: TikTok wants lowercase.
    let ts = now();
    let ts_s = ts.to_string();
    let upper = shared::signing::tiktok::api_sign(
        &tt.app_secret,
        SHOPS,
        &[("app_key", &tt.app_key), ("timestamp", &ts_s)],
        None,
    )
    .to_uppercase();
    let mut c = tt.call(SHOPS, Some(&us.access_token));
    c.timestamp = ts;
    c.sign_override = Some(&upper);
    assert_eq!(tt.send(c).await.1["code"], 106001);
    assert_eq!(sim.state.rejected_count(106001), 2);
}

#[tokio::test]
async fn stale_or_future_timestamp_is_rejected() {
    let (_sim, tt, us, _) = start(50).await;
    let mut c = tt.call(SHOPS, Some(&us.access_token));
    c.timestamp = now() - 600;
    let (_, body) = tt.send(c).await;
    assert_eq!(body["code"], 36009004, "{body}");
    let mut c = tt.call(SHOPS, Some(&us.access_token));
    c.timestamp = now() + 120;
    assert_eq!(tt.send(c).await.1["code"], 36009004);
    let mut c = tt.call(SHOPS, Some(&us.access_token));
    c.timestamp = now() - 200;
    assert_eq!(tt.send(c).await.1["code"], 0);
}

#[tokio::test]
async fn missing_invalid_and_expired_tokens() {
    let (sim, tt, us, _) = start(50).await;
    assert_eq!(tt.send(tt.call(SHOPS, None)).await.1["code"], 36009004);
    assert_eq!(
        tt.send(tt.call(SHOPS, Some("TTP_not_a_token"))).await.1["code"],
        101000
    );
    sim.state.set_token(&us.id, None, Some(now() - 1)).unwrap();
    let (status, body) = tt.send(tt.call(SHOPS, Some(&us.access_token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["code"], 105002, "{body}");

    // Refresh issues a new token that works.
    let url = format!(
        "{}/api/v2/token/refresh?app_key={}&app_secret={}&refresh_token={}&grant_type=refresh_token",
        tt.base, tt.app_key, tt.app_secret, us.refresh_token
    );
    let body: serde_json::Value = tt
        .client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 0, "{body}");
    let fresh = body["data"]["access_token"].as_str().unwrap().to_string();
    assert!(body["data"]["access_token_expire_in"].as_i64().unwrap() > now());
    assert_eq!(tt.send(tt.call(SHOPS, Some(&fresh))).await.1["code"], 0);
}

#[tokio::test]
async fn shop_cipher_rules() {
    let (_sim, tt, us, gb) = start(50).await;
    let mut c = tt.call(ORDERS, Some(&us.access_token));
    c.params = vec![("ids", US_ORDER.to_string())];
    assert_eq!(tt.send(c).await.1["code"], 106013);

    let mut c = tt.call(ORDERS, Some(&us.access_token));
    c.params = vec![
        ("shop_cipher", gb.cipher.clone()),
        ("ids", US_ORDER.to_string()),
    ];
    assert_eq!(tt.send(c).await.1["code"], 101000);

    let mut c = tt.call(SHOPS, Some(&us.access_token));
    c.params = vec![("shop_cipher", us.cipher.clone())];
    let (_, body) = tt.send(c).await;
    assert_eq!(body["code"], 36009004);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Unexpected identifier"));
}

#[tokio::test]
async fn more_than_50_ids_is_rejected() {
    let (_sim, tt, us, _) = start(50).await;
    let ids: Vec<String> = (0..51).map(|i| format!("5764614130387857{i:02}")).collect();
    let mut c = tt.call(ORDERS, Some(&us.access_token));
    c.params = vec![("shop_cipher", us.cipher.clone()), ("ids", ids.join(","))];
    assert_eq!(tt.send(c).await.1["code"], 36009004);
}

#[tokio::test]
async fn qps_limit_gives_http_429() {
    let (sim, tt, us, gb) = start(3).await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        let (status, body) = tt.send(tt.call(SHOPS, Some(&us.access_token))).await;
        codes.push((status, body["code"].as_i64().unwrap()));
    }
    assert_eq!(&codes[..3], &[(StatusCode::OK, 0); 3]);
    assert_eq!(codes[3], (StatusCode::TOO_MANY_REQUESTS, 36009002));
    // The limit is per shop: the other shop is unaffected.
    assert_eq!(
        tt.send(tt.call(SHOPS, Some(&gb.access_token))).await.1["code"],
        0
    );
    // The window slides: after a second the shop is served again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        tt.send(tt.call(SHOPS, Some(&us.access_token))).await.1["code"],
        0
    );
    assert_eq!(sim.state.rejected_count(36009002), 2);
}

#[tokio::test]
async fn control_endpoints() {
    let (_sim, tt, us, _) = start(50).await;
    let order = serde_json::json!({"id": "579000000000000001", "status": "AWAITING_SHIPMENT", "line_items": []});
    let r = tt
        .client
        .post(format!("{}/_sim/orders", tt.base))
        .json(&serde_json::json!({"shop_id": us.id, "order": order}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut c = tt.call(ORDERS, Some(&us.access_token));
    c.params = vec![
        ("shop_cipher", us.cipher.clone()),
        ("ids", "579000000000000001".into()),
    ];
    assert_eq!(
        tt.send(c).await.1["data"]["orders"][0]["id"],
        "579000000000000001"
    );

    let r = tt
        .client
        .post(format!("{}/_sim/shops/{}/token", tt.base, us.id))
        .json(&serde_json::json!({"access_token_expire_in": now() - 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        tt.send(tt.call(SHOPS, Some(&us.access_token))).await.1["code"],
        105002
    );

    let state: serde_json::Value = tt
        .client
        .get(format!("{}/_sim/state", tt.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["rejected"]["105002"], 1);
    assert_eq!(state["request_counts"][ORDERS], 1);

    tt.client
        .post(format!("{}/_sim/config", tt.base))
        .json(&serde_json::json!({"qps_limit": 1}))
        .send()
        .await
        .unwrap();
    tt.client
        .post(format!("{}/_sim/reset", tt.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        tt.send(tt.call(SHOPS, Some(&us.access_token))).await.1["code"],
        0
    );
    assert_eq!(
        tt.send(tt.call(SHOPS, Some(&us.access_token))).await.1["code"],
        0,
        "reset restores the default QPS"
    );
}
