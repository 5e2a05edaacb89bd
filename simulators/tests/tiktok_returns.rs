//! TikTok simulator: Search Cancellations and Search Returns (§6).

mod common;

use common::TikTok;
use reqwest::StatusCode;
use serde_json::{json, Value};
use simulators::seed::ShopSeed;
use simulators::{default_seed, spawn_tiktok, RunningSim, TikTokConfig, TikTokSim};

const CANCELS: &str = "/return_refund/202309/cancellations/search";
const RETURNS: &str = "/return_refund/202309/returns/search";

async fn start() -> (RunningSim<TikTokSim>, TikTok, ShopSeed, ShopSeed) {
    let seed = default_seed().tiktok;
    let sim = spawn_tiktok(seed.clone(), TikTokConfig::default())
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

async fn search(
    tt: &TikTok,
    path: &str,
    shop: &ShopSeed,
    extra: &[(&'static str, &str)],
    body: Value,
) -> Value {
    let mut c = tt.call(path, Some(&shop.access_token));
    c.params = vec![("shop_cipher", shop.cipher.clone())];
    c.params
        .extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let (status, body) = tt.send_post(c, &body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn ids(data: &Value, list: &str, key: &str) -> Vec<String> {
    data[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn seeded_cancellations_full_and_partial() {
    let (sim, tt, us, _) = start().await;
    let body = search(&tt, CANCELS, &us, &[], json!({})).await;
    assert_eq!(body["code"], 0, "{body}");
    let data = &body["data"];
    assert_eq!(data["total_count"], 2);
    assert_eq!(data["next_page_token"], "");

    let body = search(
        &tt,
        CANCELS,
        &us,
        &[],
        json!({"order_ids": ["576461413038785755"]}),
    )
    .await;
    let full = &body["data"]["cancellations"][0];
    assert_eq!(full["cancel_id"], "4035318504086604100");
    assert_eq!(full["cancel_type"], "BUYER_CANCEL");
    assert_eq!(full["cancel_status"], "CANCELLATION_REQUEST_COMPLETE");
    assert_eq!(full["refund_amount"]["refund_total"], "26.46");
    assert_eq!(
        full["cancel_line_items"][0]["order_line_item_id"],
        "577086512123755401"
    );

    let body = search(
        &tt,
        CANCELS,
        &us,
        &[],
        json!({"cancel_ids": ["4035318504086604101"]}),
    )
    .await;
    let partial = &body["data"]["cancellations"][0];
    assert_eq!(partial["order_id"], "576461413038785752");
    let lines = partial["cancel_line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["order_line_item_id"], "577086512123755102");
    assert_eq!(lines[0]["seller_sku"], "TENT-2P-GRN");
    assert_eq!(lines[0]["refund_amount"]["refund_subtotal"], "114.99");
    assert_eq!(partial["refund_amount"]["currency"], "USD");
    assert_eq!(partial["refund_amount"]["refund_total"], "124.19");
    // The order itself is untouched by a partial cancellation.
    let st = sim.state.snapshot();
    let order = st["orders"]["7494049642642441621"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "576461413038785752")
        .unwrap()
        .clone();
    assert_eq!(order["status"], "AWAITING_SHIPMENT");
    assert_eq!(sim.state.request_count(CANCELS), 3);
}

#[tokio::test]
async fn cancellation_status_filter_and_shop_scope() {
    let (_sim, tt, us, gb) = start().await;
    let body = search(
        &tt,
        CANCELS,
        &us,
        &[],
        json!({"cancel_status": ["CANCELLATION_REQUEST_PENDING"]}),
    )
    .await;
    assert_eq!(body["data"]["total_count"], 0);
    assert_eq!(body["data"]["cancellations"], json!([]));

    let body = search(
        &tt,
        CANCELS,
        &us,
        &[],
        json!({"cancel_status": ["CANCELLATION_REQUEST_COMPLETE"]}),
    )
    .await;
    assert_eq!(body["data"]["total_count"], 2);

    // The GB shop cannot see the US shop's cancellations, even by id.
    let body = search(
        &tt,
        CANCELS,
        &gb,
        &[],
        json!({"cancel_ids": ["4035318504086604100"]}),
    )
    .await;
    assert_eq!(body["code"], 0);
    assert_eq!(body["data"]["total_count"], 0);
}

#[tokio::test]
async fn cancellation_paging_and_upsert() {
    let (sim, tt, us, _) = start().await;
    for i in 0..3 {
        sim.state
            .upsert_cancellation(
                &us.id,
                json!({"cancel_id": format!("99{i}"), "order_id": "1", "cancel_status": "CANCELLATION_REQUEST_PENDING", "create_time": 1800000000 + i}),
            )
            .unwrap();
    }
    // Same id replaces.
    sim.state
        .upsert_cancellation(
            &us.id,
            json!({"cancel_id": "992", "order_id": "1", "cancel_status": "CANCELLATION_REQUEST_SUCCESS", "create_time": 1800000002}),
        )
        .unwrap();
    let b1 = search(&tt, CANCELS, &us, &[("page_size", "2")], json!({})).await;
    assert_eq!(b1["data"]["total_count"], 5);
    assert_eq!(
        ids(&b1["data"], "cancellations", "cancel_id"),
        ["992", "991"]
    );
    assert_eq!(
        b1["data"]["cancellations"][0]["cancel_status"],
        "CANCELLATION_REQUEST_SUCCESS"
    );
    let token = b1["data"]["next_page_token"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    let b2 = search(
        &tt,
        CANCELS,
        &us,
        &[("page_size", "2"), ("page_token", &token)],
        json!({}),
    )
    .await;
    let token = b2["data"]["next_page_token"].as_str().unwrap().to_string();
    let b3 = search(
        &tt,
        CANCELS,
        &us,
        &[("page_size", "2"), ("page_token", &token)],
        json!({}),
    )
    .await;
    assert_eq!(b3["data"]["cancellations"].as_array().unwrap().len(), 1);
    assert_eq!(b3["data"]["next_page_token"], "");
    let mut all = ids(&b1["data"], "cancellations", "cancel_id");
    all.extend(ids(&b2["data"], "cancellations", "cancel_id"));
    all.extend(ids(&b3["data"], "cancellations", "cancel_id"));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 5);

    // page_size out of range is the catch-all parameter error; a token
    // this endpoint never issued is the endpoint's documented 25001001.
    for (k, v) in [("page_size", "0"), ("page_size", "51")] {
        let b = search(&tt, CANCELS, &us, &[(k, v)], json!({})).await;
        assert_eq!(b["code"], 36009004, "{k}={v}: {b}");
    }
    let b = search(&tt, CANCELS, &us, &[("page_token", "zzz")], json!({})).await;
    assert_eq!(b["code"], 25001001, "{b}");
    // Unknown shop and missing id are control errors.
    assert!(sim
        .state
        .upsert_cancellation("nope", json!({"cancel_id": "1"}))
        .is_err());
    assert!(sim.state.upsert_cancellation(&us.id, json!({})).is_err());

    // Reset drops upserts and restores the seed.
    sim.state.reset();
    let b = search(&tt, CANCELS, &us, &[], json!({})).await;
    assert_eq!(b["data"]["total_count"], 2);
}

#[tokio::test]
async fn search_goes_through_common_checks() {
    let (_sim, tt, us, _) = start().await;
    // No shop_cipher.
    let c = tt.call(CANCELS, Some(&us.access_token));
    let (_, b) = tt.send_post(c, &json!({})).await;
    assert_eq!(b["code"], 106013);
    // Sign over a different body than the one sent.
    let mut c = tt.call(RETURNS, Some(&us.access_token));
    c.params = vec![("shop_cipher", us.cipher.clone())];
    let wrong = shared::signing::tiktok::api_sign("x", RETURNS, &[], None);
    c.sign_override = Some(&wrong);
    let (_, b) = tt.send_post(c, &json!({})).await;
    assert_eq!(b["code"], 106001);
    // Bad token.
    let mut c = tt.call(RETURNS, Some("bogus"));
    c.params = vec![("shop_cipher", us.cipher.clone())];
    let (_, b) = tt.send_post(c, &json!({})).await;
    assert_eq!(b["code"], 101000);
    // Filters must be lists.
    let b = search(&tt, RETURNS, &us, &[], json!({"order_ids": "1"})).await;
    assert_eq!(b["code"], 36009004);
}

#[tokio::test]
async fn seeded_returns_refund_and_replacement() {
    let (_sim, tt, us, gb) = start().await;
    let b = search(&tt, RETURNS, &gb, &[], json!({})).await;
    assert_eq!(b["code"], 0, "{b}");
    assert_eq!(b["data"]["total_count"], 3);
    assert!(b["data"]["return_orders"].is_array());

    let b = search(
        &tt,
        RETURNS,
        &gb,
        &[],
        json!({"order_ids": ["578903215467812302"]}),
    )
    .await;
    let r = &b["data"]["return_orders"][0];
    assert_eq!(r["return_id"], "4035318504086604200");
    assert_eq!(r["return_type"], "REFUND");
    assert_eq!(r["return_status"], "RETURN_OR_REFUND_REQUEST_COMPLETE");
    let a = &r["refund_amount"];
    assert_eq!(a["currency"], "GBP");
    assert_eq!(a["refund_subtotal"], "109.00");
    assert_eq!(a["refund_shipping_fee"], "0.00");
    assert_eq!(a["refund_tax"], "0.00");
    assert_eq!(a["refund_total"], "109.00");
    let lines = r["return_line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["order_line_item_id"], "577086512123756201");
    assert_eq!(lines[0]["seller_sku"], "TENT-2P-GRN");

    let b = search(
        &tt,
        RETURNS,
        &gb,
        &[],
        json!({"return_ids": ["4035318504086604201"]}),
    )
    .await;
    let r = &b["data"]["return_orders"][0];
    assert_eq!(r["order_id"], "578903215467812301");
    assert_eq!(r["return_type"], "REPLACEMENT");
    assert_eq!(r["return_status"], "REPLACEMENT_REQUEST_COMPLETE");

    // The US shop has none; returns page_size starts at 10.
    let b = search(&tt, RETURNS, &us, &[], json!({})).await;
    assert_eq!(b["data"]["total_count"], 0);
    let b = search(&tt, RETURNS, &gb, &[("page_size", "5")], json!({})).await;
    assert_eq!(b["code"], 36009004);
    let b = search(&tt, RETURNS, &gb, &[("page_size", "50")], json!({})).await;
    assert_eq!(b["code"], 0);
}

#[tokio::test]
async fn control_endpoints_upsert_cancellations_and_returns() {
    let (sim, tt, us, gb) = start().await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/_sim/returns", sim.base_url))
        .json(&json!({"shop_id": gb.id, "return": {"return_id": "777", "order_id": "578903215467812301", "return_type": "RETURN_AND_REFUND", "return_status": "AWAITING_BUYER_SHIP"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http
        .post(format!("{}/_sim/cancellations", sim.base_url))
        .json(&json!({"shop_id": us.id, "cancellation": {"cancel_id": "888", "order_id": "576461413038785753", "cancel_status": "CANCELLATION_REQUEST_PENDING"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http
        .post(format!("{}/_sim/returns", sim.base_url))
        .json(&json!({"shop_id": gb.id, "return": {"order_id": "1"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let b = search(
        &tt,
        RETURNS,
        &gb,
        &[],
        json!({"return_types": ["RETURN_AND_REFUND"]}),
    )
    .await;
    assert_eq!(ids(&b["data"], "return_orders", "return_id"), ["777"]);
    let b = search(&tt, CANCELS, &us, &[], json!({"cancel_ids": ["888"]})).await;
    assert_eq!(b["data"]["total_count"], 1);
    let st = sim.state.snapshot();
    assert_eq!(st["returns"][gb.id.as_str()].as_array().unwrap().len(), 4);
    assert_eq!(
        st["cancellations"][us.id.as_str()]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// Checks a token carries the characters clients mangle (§1).
fn assert_awkward(token: &str) {
    assert!(
        token.contains('+') && token.contains('/') && token.ends_with('='),
        "{token}"
    );
}

#[tokio::test]
async fn page_tokens_contain_plus_slash_equals_and_must_come_back_exact() {
    let (sim, tt, us, gb) = start().await;
    // Cancellations: page_size 1 over the US shop's 2 seeded records.
    let b1 = search(&tt, CANCELS, &us, &[("page_size", "1")], json!({})).await;
    assert_eq!(b1["code"], 0, "{b1}");
    let t1 = b1["data"]["next_page_token"].as_str().unwrap().to_string();
    assert_awkward(&t1);
    let b2 = search(
        &tt,
        CANCELS,
        &us,
        &[("page_size", "1"), ("page_token", &t1)],
        json!({}),
    )
    .await;
    assert_eq!(b2["code"], 0, "{b2}");
    assert_eq!(b2["data"]["next_page_token"], "");
    assert_ne!(
        ids(&b1["data"], "cancellations", "cancel_id"),
        ids(&b2["data"], "cancellations", "cancel_id")
    );

    // Mangled the way careless clients do: `+` read as a space, padding
    // dropped, URL-safe alphabet, or sent to another endpoint/shop.
    let mangled = [
        t1.replace('+', " "),
        t1.trim_end_matches('=').to_string(),
        t1.replace('+', "-").replace('/', "_"),
        format!("{t1}x"),
    ];
    for t in &mangled {
        let b = search(
            &tt,
            CANCELS,
            &us,
            &[("page_size", "1"), ("page_token", t)],
            json!({}),
        )
        .await;
        assert_eq!(b["code"], 25001001, "{t}: {b}");
        assert!(b["data"].is_null());
    }
    let b = search(&tt, RETURNS, &us, &[("page_token", &t1)], json!({})).await;
    assert_eq!(b["code"], 25001001, "a cancellations token on returns: {b}");

    // A token put on the wire without percent-encoding: the server reads
    // `+` as a space, so the signed value no longer matches (106001).
    let mut q: Vec<(String, String)> = vec![
        ("app_key".into(), tt.app_key.clone()),
        ("timestamp".into(), common::now().to_string()),
        ("shop_cipher".into(), us.cipher.clone()),
        ("page_size".into(), "1".into()),
        ("page_token".into(), t1.clone()),
    ];
    let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sign = shared::signing::tiktok::api_sign(&tt.app_secret, CANCELS, &pairs, Some(b"{}"));
    q.push(("sign".into(), sign));
    let raw_query: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let r: Value = tt
        .client
        .post(format!("{}{CANCELS}?{}", tt.base, raw_query.join("&")))
        .header("x-tts-access-token", &us.access_token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["code"], 106001, "{r}");

    // Returns (page_size 10..=50): 12 more GB returns make 15, two pages.
    for i in 0..12 {
        sim.state
            .upsert_return(
                &gb.id,
                json!({"return_id": format!("77{i:02}"), "order_id": "578903215467812301", "return_type": "REFUND", "return_status": "RETURN_OR_REFUND_REQUEST_PENDING", "create_time": 1800000000 + i}),
            )
            .unwrap();
    }
    let r1 = search(&tt, RETURNS, &gb, &[("page_size", "10")], json!({})).await;
    assert_eq!(r1["data"]["total_count"], 15);
    assert_eq!(r1["data"]["return_orders"].as_array().unwrap().len(), 10);
    let rt = r1["data"]["next_page_token"].as_str().unwrap().to_string();
    assert_awkward(&rt);
    let bad = search(
        &tt,
        RETURNS,
        &gb,
        &[("page_size", "10"), ("page_token", &rt.replace('+', " "))],
        json!({}),
    )
    .await;
    assert_eq!(bad["code"], 25001001, "{bad}");
    let other_shop = search(&tt, RETURNS, &us, &[("page_token", &rt)], json!({})).await;
    assert_eq!(
        other_shop["code"], 25001001,
        "a GB token on the US shop: {other_shop}"
    );
    let r2 = search(
        &tt,
        RETURNS,
        &gb,
        &[("page_size", "10"), ("page_token", &rt)],
        json!({}),
    )
    .await;
    assert_eq!(r2["code"], 0, "{r2}");
    assert_eq!(r2["data"]["return_orders"].as_array().unwrap().len(), 5);
    assert_eq!(r2["data"]["next_page_token"], "");
    let mut all = ids(&r1["data"], "return_orders", "return_id");
    all.extend(ids(&r2["data"], "return_orders", "return_id"));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 15);
}

#[tokio::test]
async fn seeded_seller_proposed_partial_refund() {
    let (_sim, tt, _, gb) = start().await;
    let b = search(
        &tt,
        RETURNS,
        &gb,
        &[],
        json!({"seller_proposed_return_type": ["PARTIAL_REFUND"]}),
    )
    .await;
    assert_eq!(b["code"], 0, "{b}");
    assert_eq!(
        ids(&b["data"], "return_orders", "return_id"),
        ["4035318504086604202"]
    );
    let r = &b["data"]["return_orders"][0];
    assert_eq!(r["order_id"], "578903215467812302");
    assert_eq!(r["return_type"], "REFUND");
    assert_eq!(r["return_status"], "RETURN_OR_REFUND_REQUEST_COMPLETE");
    assert_eq!(r["seller_proposed_return_type"], "PARTIAL_REFUND");
    assert_eq!(
        r["partial_refund"],
        json!({"currency": "GBP", "amount": "30.00"})
    );
    assert_eq!(r["buyer_rejected_partial_refund"], false);
    assert_eq!(r["refund_amount"]["refund_total"], "30.00");
    assert_eq!(r["refund_amount"]["refund_subtotal"], "30.00");
    let lines = r["return_line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["order_line_item_id"], "577086512123756201");
    assert_eq!(lines[0]["refund_amount"]["refund_total"], "30.00");

    // Also found by order and by id; the full refund is not a partial one.
    let b = search(
        &tt,
        RETURNS,
        &gb,
        &[],
        json!({"order_ids": ["578903215467812302"]}),
    )
    .await;
    assert_eq!(
        ids(&b["data"], "return_orders", "return_id"),
        ["4035318504086604200", "4035318504086604202"]
    );
    assert!(b["data"]["return_orders"][0]
        .get("partial_refund")
        .is_none());
    let b = search(
        &tt,
        RETURNS,
        &gb,
        &[],
        json!({"return_ids": ["4035318504086604202"]}),
    )
    .await;
    assert_eq!(b["data"]["total_count"], 1);
}
