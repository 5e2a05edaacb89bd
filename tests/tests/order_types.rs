//! Orders that are not sales (issue 26), end to end: moto (order log, SKU
//! links, archive) + the TikTok and NetSuite simulators on loopback. Each
//! type is written as its decision says: a sample at $0 with its retail
//! value and mark, a replacement linked to the original, a gift line at rate
//! 0, a pre-order only after release with its ship date, an unknown
//! `order_type` held with its name, a sample carrying money held; a held
//! order resubmitted after the shop's choice changed is written the new way.

mod common;

use common::writer_world::{world_with, World, BASE};
use common::*;
use serde_json::{json, Value};
use shared::domain::OrderType;
use shared::mapping::config::MappingConfig;
use shared::store::SyncStatus;
use shared::taxonomy::ErrorCode;
use shared::writer::EventProcessor;

fn mapping(order_types: Value) -> MappingConfig {
    MappingConfig::load(
        &json!({
            "default": {"books_currency": "USD", "subsidiary": "1", "location": "1",
                        "customer": {"mode": "generic", "customer_id": "201"},
                        "order_types": order_types},
            "unlisted_shops": "use_default",
        })
        .to_string(),
    )
    .unwrap()
}

async fn world() -> World {
    world_with(mapping(json!({}))).await
}

fn lines(so: &Value) -> Vec<Value> {
    so["item"]["items"].as_array().cloned().unwrap_or_default()
}

/// A seller-issued sample as order-types.md §2 infers it: one tent at a
/// 100% seller discount, $0 totals, the value in `gift_retail_price`.
fn free_one_tent(o: &mut Value) {
    let mut l = o["line_items"][0].clone();
    l["seller_discount"] = json!("129.99");
    l["platform_discount"] = json!("0.00");
    l["sale_price"] = json!("0.00");
    l["gift_retail_price"] = json!("129.99");
    l["item_tax"] = json!([]);
    o["line_items"] = json!([l]);
    o["payment"] = json!({"currency": "USD", "original_total_product_price": "129.99",
        "seller_discount": "129.99", "platform_discount": "0.00", "sub_total": "0.00",
        "shipping_fee": "0.00", "tax": "0.00", "total_amount": "0.00"});
}

#[tokio::test]
async fn a_sample_is_a_zero_sales_order_with_its_retail_value_and_mark() {
    let w = world().await;
    w.put("900000000000000001", |o| {
        free_one_tent(o);
        o["is_sample_order"] = json!(true);
    });
    w.process("900000000000000001", "AWAITING_SHIPMENT").await;
    let e = w.entry("900000000000000001").await;
    assert_eq!(e.sync_status, SyncStatus::Created, "{:?}", e.history);
    assert_eq!(e.order_type, Some(OrderType::Sample));
    // The log keeps the retail value, for the finance report (item 4).
    assert_eq!(e.retail_value, Some("129.99".parse().unwrap()));
    let so = w.sales_order("900000000000000001").expect("sales order");
    assert_eq!(so["custbody_tts_sample"], json!(true));
    assert_eq!(so["custbody_tts_order_type"], "sample");
    assert_eq!(so["total"], json!(0));
    let l = lines(&so);
    assert_eq!(l.len(), 1);
    assert_eq!(
        (l[0]["item"]["id"].clone(), l[0]["rate"].clone()),
        (json!("101"), json!(0))
    );
    assert_eq!(l[0]["custcol_tts_retail_value"], json!(129.99));
    assert!(
        e.history[0].note.contains("retail value 129.99"),
        "{}",
        e.history[0].note
    );
}

#[tokio::test]
async fn a_sample_carrying_money_is_held_then_written_the_new_way_on_resubmit() {
    let mut w = world().await;
    // A platform-issued sample paid by gift card (order-types.md §2: the
    // harsher reading, a non-zero total).
    w.put("900000000000000002", |o| o["is_sample_order"] = json!(true));
    w.process("900000000000000002", "AWAITING_SHIPMENT").await;
    let e = w.entry("900000000000000002").await;
    assert_eq!(e.sync_status, SyncStatus::NeedsReview);
    let f = e.last_failure.clone().expect("failure");
    assert_eq!(f.code, ErrorCode::OrderTypeAmount);
    assert!(f.reason.contains("279.15 USD"), "{}", f.reason);
    assert!(w.sales_order("900000000000000002").is_none());

    // Replacements reviewed by the shop, then the choice changes: the
    // resubmitted order is written the new way.
    w.put("900000000000000003", |o| {
        free_one_tent(o);
        o["is_replacement_order"] = json!(true);
        o["replaced_order_id"] = json!(BASE);
    });
    w.mapping = mapping(json!({"replacement": "review"}));
    w.process("900000000000000003", "AWAITING_SHIPMENT").await;
    let e = w.entry("900000000000000003").await;
    assert_eq!(e.sync_status, SyncStatus::NeedsReview);
    assert_eq!(
        e.last_failure.as_ref().unwrap().code,
        ErrorCode::OrderTypeReview
    );
    w.mapping = mapping(json!({}));
    for ev in shared::ops::resubmit::replay_events(&e, now()) {
        w.sync().process(&ev, 1).await.unwrap();
    }
    let e = w.entry("900000000000000003").await;
    assert_eq!(e.sync_status, SyncStatus::Created, "{:?}", e.history);
    assert!(e.open_problems.is_empty());
    assert_eq!(
        w.sales_order("900000000000000003").unwrap()["total"],
        json!(0)
    );
}

#[tokio::test]
async fn a_replacement_is_a_zero_sales_order_linked_to_the_original() {
    let w = world().await;
    w.process(BASE, "AWAITING_SHIPMENT").await;
    let original = w.entry(BASE).await.netsuite_id.expect("original SO");
    w.put("900000000000000004", |o| {
        free_one_tent(o);
        o["is_replacement_order"] = json!(true);
        o["replaced_order_id"] = json!(BASE);
    });
    w.process("900000000000000004", "AWAITING_SHIPMENT").await;
    let e = w.entry("900000000000000004").await;
    assert_eq!(e.sync_status, SyncStatus::Created, "{:?}", e.history);
    assert_eq!(e.order_type, Some(OrderType::Replacement));
    assert_eq!(e.retail_value, Some("129.99".parse().unwrap()));
    let so = w.sales_order("900000000000000004").unwrap();
    assert_eq!(so["custbody_tts_original_order"], BASE);
    assert_eq!(so["custbody_tts_original_so"]["id"], original.as_str());
    let memo = so["memo"].as_str().unwrap();
    assert!(
        memo.contains(&format!(
            "replacement of TikTok order {BASE} (Sales Order {original})"
        )),
        "{memo}"
    );
    assert_eq!(so["total"], json!(0));
}

#[tokio::test]
async fn a_gift_line_is_written_at_rate_zero_with_its_mark() {
    let w = world().await;
    // The order …752 plus a headlamp as a seller-funded gift (its price
    // fully discounted: the $0 sale_price is inferred, order-types.md §4).
    w.put("900000000000000005", |o| {
        let mut g = o["line_items"][2].clone();
        g["id"] = json!("9000000000000000059");
        g["is_gift"] = json!(true);
        g["seller_discount"] = g["original_price"].clone();
        g["platform_discount"] = json!("0.00");
        g["sale_price"] = json!("0.00");
        g["gift_retail_price"] = g["original_price"].clone();
        g["item_tax"] = json!([]);
        o["line_items"].as_array_mut().unwrap().push(g);
    });
    w.process("900000000000000005", "AWAITING_SHIPMENT").await;
    let e = w.entry("900000000000000005").await;
    assert_eq!(e.sync_status, SyncStatus::Created, "{:?}", e.history);
    assert_eq!(e.order_type, Some(OrderType::GiftWithPurchase));
    let l = lines(&w.sales_order("900000000000000005").unwrap());
    assert_eq!(l.len(), 3, "{l:?}");
    let gift = l
        .iter()
        .find(|l| l["custcol_tts_gift"] == json!(true))
        .expect("gift line");
    assert_eq!(
        (gift["rate"].clone(), gift["quantity"].clone()),
        (json!(0), json!(1))
    );
    assert!(gift["custcol_tts_retail_value"].is_number());
}

#[tokio::test]
async fn a_pre_order_waits_for_release_then_is_written_with_its_ship_date() {
    let w = world().await;
    // Released Thu 2026-01-01: ship date two business days later.
    let pre = |status: &'static str| {
        move |o: &mut Value| {
            o["order_type"] = json!("PRE_ORDER");
            o["release_date"] = json!(1767225600);
            o["status"] = json!(status);
        }
    };
    w.put("900000000000000006", pre("ON_HOLD"));
    w.process("900000000000000006", "ON_HOLD").await;
    let e = w.entry("900000000000000006").await;
    assert_eq!(e.sync_status, SyncStatus::Waiting);
    assert_eq!(e.order_type, Some(OrderType::PreOrder));
    assert!(
        e.history[0].note.contains("awaiting release on 2026-01-01"),
        "{}",
        e.history[0].note
    );
    assert!(w.sales_order("900000000000000006").is_none());
    w.put("900000000000000006", pre("AWAITING_SHIPMENT"));
    w.process("900000000000000006", "AWAITING_SHIPMENT").await;
    assert_eq!(
        w.entry("900000000000000006").await.sync_status,
        SyncStatus::Created
    );
    let so = w.sales_order("900000000000000006").unwrap();
    assert_eq!(so["shipDate"], "2026-01-05");
    assert_eq!(so["custbody_tts_order_type"], "pre_order");
}

#[tokio::test]
async fn an_unknown_order_type_waits_for_review_with_its_name() {
    let w = world().await;
    w.put("900000000000000007", |o| {
        o["order_type"] = json!("SHOP_PARTNER")
    });
    w.process("900000000000000007", "AWAITING_SHIPMENT").await;
    let e = w.entry("900000000000000007").await;
    assert_eq!(e.sync_status, SyncStatus::NeedsReview);
    assert_eq!(
        e.order_type,
        Some(OrderType::Unknown("SHOP_PARTNER".into()))
    );
    let f = e.last_failure.expect("failure");
    assert_eq!(f.code, ErrorCode::UnknownOrderType);
    assert!(f.reason.contains("SHOP_PARTNER"), "{}", f.reason);
    assert!(w.sales_order("900000000000000007").is_none());
}

#[tokio::test]
async fn netsuite_refuses_a_custom_field_the_account_does_not_have() {
    // The simulator knows only the custom fields its account defines, as
    // NetSuite does (netsuite-rest-api.md §2): a shop naming another field
    // gets NetSuite's error in the order log, never a silent drop.
    let mut w = world().await;
    w.mapping = mapping(json!({"fields": {"sample_mark": "custbody_not_created"}}));
    w.put("900000000000000008", |o| {
        free_one_tent(o);
        o["is_sample_order"] = json!(true);
    });
    w.process("900000000000000008", "AWAITING_SHIPMENT").await;
    let e = w.entry("900000000000000008").await;
    assert_eq!(e.sync_status, SyncStatus::Failed);
    let f = e.last_failure.unwrap();
    assert!(
        f.reason.contains("custbody_not_created")
            || f.response_body
                .unwrap_or_default()
                .contains("custbody_not_created")
    );
}
