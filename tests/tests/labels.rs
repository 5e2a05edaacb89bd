//! TikTok Shipping labels (issue 27 item 3): the label flow against the
//! TikTok simulator and, for the label state, DynamoDB on moto. A dropped
//! connection during the purchase (TikTok committed it, the answer is lost)
//! never leads to a second label.

mod common;

use std::time::Duration;

use serde_json::{json, Value};
use shared::config::TikTokApp;
use shared::domain::{OrderId, ShopId};
use shared::labels::{
    label_one, mark_done, LabelError, LabelRefusal, Market, PackedFulfilment, PackedMeasures,
};
use shared::store::label_states::{DynamoLabelStates, LabelRecord, LabelStates};
use shared::tiktok::{ShopAuth, TikTokClient};
use simulators::tiktok::fulfillment::labels::CREATE_PACKAGES_API;
use simulators::{RunningSim, TikTokConfig, TikTokSim};

const APP_KEY: &str = "6e8a1sim2b4kq";
const APP_SECRET: &str = "sim5f0c2d9e7a1b3c4d5e6f708192a3b4c5d6e7f8";
const US_CIPHER: &str = "ROW_simUSxkMbgAAAeVAQra0eZWebFQq5aIK";
const US_TOKEN: &str = "TTP_simUS_Fw8rA3kQeT0vN2pLx9YcRb7M";

struct World {
    sim: RunningSim<TikTokSim>,
    client: TikTokClient,
    states: DynamoLabelStates,
    _stack: common::Stack,
}

async fn world() -> World {
    let seed = simulators::default_seed();
    let sim = simulators::spawn_tiktok(
        seed.tiktok,
        TikTokConfig {
            port: 0,
            qps_limit: 50,
        },
    )
    .await
    .expect("spawn tiktok sim");
    let client = TikTokClient::new(
        &sim.base_url,
        &sim.base_url,
        TikTokApp {
            app_key: APP_KEY.into(),
            app_secret: APP_SECRET.into(),
        },
        Duration::from_secs(10),
    )
    .expect("client");
    let stack = common::Stack::new(30, 5).await;
    let states = DynamoLabelStates::new(stack.ddb.clone(), &stack.names.job_runs_table);
    World {
        sim,
        client,
        states,
        _stack: stack,
    }
}

fn auth() -> ShopAuth {
    ShopAuth {
        shop_id: ShopId::new(common::US_SHOP),
        cipher: US_CIPHER.into(),
        access_token: US_TOKEN.into(),
    }
}

/// The seed's US order as a TikTok Shipping order under `id`, awaiting
/// shipment, no package yet (US: packages exist only once shipped).
fn tiktok_shipping_order(w: &World, id: &str) -> Vec<String> {
    let mut order = simulators::default_seed()
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "576461413038785752")
        .expect("template")
        .order
        .clone();
    order["id"] = json!(id);
    order["shipping_type"] = json!("TIKTOK");
    order["fulfillment_type"] = json!("FULFILLMENT_BY_SELLER");
    order["status"] = json!("AWAITING_SHIPMENT");
    order["packages"] = json!([]);
    let mut lines = Vec::new();
    for l in order["line_items"].as_array_mut().unwrap() {
        if let Some(m) = l.as_object_mut() {
            for k in ["package_id", "package_status", "tracking_number"] {
                m.remove(k);
            }
        }
        lines.push(l["id"].as_str().unwrap().to_string());
    }
    w.sim.state.upsert_order(common::US_SHOP, order).unwrap();
    lines
}

fn packed(id: &str, lines: Vec<String>) -> PackedFulfilment {
    PackedFulfilment {
        fulfilment_id: format!("IF-{id}"),
        order_id: OrderId::new(id),
        line_item_ids: lines,
        measures: PackedMeasures {
            weight: Some("2.5".into()),
            weight_unit: Some("lb".into()),
            length: Some("12".into()),
            width: Some("9".into()),
            height: Some("4".into()),
            size_unit: Some("in".into()),
        },
    }
}

fn purchases(w: &World) -> u64 {
    w.sim
        .state
        .fulfillment_calls(common::US_SHOP, CREATE_PACKAGES_API)
}

#[tokio::test]
async fn a_packed_fulfilment_gets_one_label_with_tiktoks_tracking_and_a_pdf() {
    let w = world().await;
    let id = "940000000000000001";
    let f = packed(id, tiktok_shipping_order(&w, id));
    let ready = label_one(&w.client, &auth(), &w.states, Market::Us, &f)
        .await
        .expect("label");
    assert_eq!(purchases(&w), 1);
    assert!(ready.tracking_number.starts_with("9400"), "{ready:?}");
    assert_eq!(ready.carrier, "USPS");
    assert!(ready.pdf.starts_with(b"%PDF"));
    // Saved before anything else once TikTok named the package.
    let shop = ShopId::new(common::US_SHOP);
    assert_eq!(
        w.states.get(&shop, &f.fulfilment_id).await.unwrap(),
        Some(LabelRecord::Bought {
            package_id: ready.package_id.clone()
        })
    );
    // Run again (the NetSuite write failed, say): the same label, no purchase.
    let again = label_one(&w.client, &auth(), &w.states, Market::Us, &f)
        .await
        .unwrap();
    assert_eq!(again.package_id, ready.package_id);
    assert_eq!(purchases(&w), 1);
    mark_done(&w.states, &shop, &f.fulfilment_id, &ready)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_dropped_connection_during_the_purchase_never_buys_a_second_label() {
    let w = world().await;
    let id = "940000000000000002";
    let f = packed(id, tiktok_shipping_order(&w, id));
    w.sim.state.drop_next_label_purchases(1);
    let ready = label_one(&w.client, &auth(), &w.states, Market::Us, &f)
        .await
        .expect("the lost answer is reconciled from the order's packages");
    assert_eq!(purchases(&w), 1, "exactly one purchase reached TikTok");
    let order: Value = w.sim.state.orders_json(common::US_SHOP, id).expect("order");
    let packages = order["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1, "{packages:?}");
    assert_eq!(packages[0]["id"], json!(ready.package_id));
    // A later run (a retry of the whole job) buys nothing either.
    label_one(&w.client, &auth(), &w.states, Market::Us, &f)
        .await
        .unwrap();
    assert_eq!(purchases(&w), 1);
}

#[tokio::test]
async fn refusals_reach_the_caller_with_their_fix_and_nothing_is_bought() {
    let w = world().await;
    // Missing size.
    let id = "940000000000000003";
    let mut f = packed(id, tiktok_shipping_order(&w, id));
    f.measures.height = None;
    let e = label_one(&w.client, &auth(), &w.states, Market::Us, &f)
        .await
        .unwrap_err();
    let LabelError::Refused(r @ LabelRefusal::MeasuresMissing { .. }) = e else {
        panic!("{e:?}")
    };
    assert!(r.fix().contains("custbody_tts_pkg_height"), "{}", r.fix());
    // Too heavy for any service: no eligible service.
    let id = "940000000000000004";
    let mut f = packed(id, tiktok_shipping_order(&w, id));
    f.measures.weight = Some("400".into());
    let e = label_one(&w.client, &auth(), &w.states, Market::Us, &f)
        .await
        .unwrap_err();
    assert!(
        matches!(e, LabelError::Refused(LabelRefusal::NoEligibleService)),
        "{e:?}"
    );
    // TikTok's order reshaped by `f`, then packed: the label's answer.
    let refused_when = |id: &'static str, f: fn(&mut serde_json::Value)| {
        let w = &w;
        async move {
            let lines = tiktok_shipping_order(w, id);
            let mut o = w.sim.state.orders_json(common::US_SHOP, id).unwrap();
            f(&mut o);
            w.sim.state.upsert_order(common::US_SHOP, o).unwrap();
            label_one(
                &w.client,
                &auth(),
                &w.states,
                Market::Us,
                &packed(id, lines),
            )
            .await
            .unwrap_err()
        }
    };
    // A buyer cancellation in flight.
    let e = refused_when("940000000000000005", |o| {
        o["is_buyer_request_cancel"] = json!(true)
    })
    .await;
    assert!(
        matches!(e, LabelError::Refused(LabelRefusal::BuyerCancellation)),
        "{e:?}"
    );
    // An address TikTok cannot ship to.
    let e = refused_when("940000000000000006", |o| {
        o["recipient_address"]["postal_code"] = json!("")
    })
    .await;
    assert!(
        matches!(e, LabelError::Refused(LabelRefusal::AddressNotShippable)),
        "{e:?}"
    );
    assert_eq!(purchases(&w), 0);
}

#[tokio::test]
async fn the_dropped_connection_fault_commits_the_purchase_and_loses_the_answer() {
    let w = world().await;
    let id = "940000000000000007";
    let f = packed(id, tiktok_shipping_order(&w, id));
    w.sim.state.drop_next_label_purchases(1);
    let body = json!({"order_id": id, "order_line_item_ids": f.line_item_ids,
        "weight": {"value": "2", "unit": "POUND"},
        "dimension": {"length": "10", "width": "8", "height": "4", "unit": "INCH"}});
    let e = w
        .client
        .create_package_once(&auth(), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            shared::tiktok::TikTokError::Transport { attempts: 1, .. }
        ),
        "one attempt, the answer lost: {e:?}"
    );
    assert_eq!(purchases(&w), 1);
    let order = w.sim.state.orders_json(common::US_SHOP, id).unwrap();
    assert_eq!(
        order["packages"].as_array().unwrap().len(),
        1,
        "TikTok kept it"
    );
}
