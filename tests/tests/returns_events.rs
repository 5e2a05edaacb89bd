//! Return events (issue 28 §5): webhook 12 and the legacy type 2 are
//! accepted by the webhook function and queued in the order's FIFO group
//! (so a return waits behind its order), and the writer hands them to the
//! returns flow when it is wired with it: the return is read again from
//! TikTok, its RA written through `ReturnBooks`, the shop's policy decides,
//! and a duplicate event applies nothing twice.

mod common;
#[path = "common/returns_world.rs"]
mod returns_world;

use aws_sdk_sqs::types::MessageSystemAttributeName as Attr;
use common::writer_world::{world_with, US};
use common::{sign, Stack};
use returns_world::{pending, RecordingBooks, ORDER};
use serde_json::json;
use shared::domain::{NotificationId, OrderId, ShopId};
use shared::mapping::config::MappingConfig;
use shared::store::returns::{DynamoReturnsStore, ReturnsStore};
use shared::store::{OrderLog, QueuedEvent};
use shared::writer::returns_flow::ReturnsWiring;
use shared::writer::EventProcessor;

fn event(kind: i64, notification: &str, data: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"type": kind, "tts_notification_id": notification,
        "shop_id": US, "timestamp": 1_700_000_000, "data": data}))
    .unwrap()
}

#[tokio::test]
async fn webhook_12_and_legacy_2_are_queued_behind_their_order() {
    let stack = Stack::new(30, 5).await;
    let app = stack.webhook_app().await;
    for body in [
        event(
            12,
            "n12",
            json!({"order_id": ORDER, "return_id": "R12",
            "return_status": "RETURN_OR_REFUND_REQUEST_PENDING", "update_time": 1_700_000_000}),
        ),
        event(
            2,
            "n2",
            json!({"order_id": ORDER, "reverse_order_id": "R2",
            "reverse_order_status": 1, "update_time": 1_700_000_001}),
        ),
    ] {
        let r = app.handle("POST", Some(&sign(&body)), &body).await;
        assert_eq!(r.status, 200);
    }
    let msgs = stack.peek(&stack.names.orders_queue_url).await;
    assert_eq!(msgs.len(), 2);
    for m in &msgs {
        let attrs = m.attributes().unwrap();
        assert_eq!(
            attrs.get(&Attr::MessageGroupId).map(String::as_str),
            Some(format!("{US}:{ORDER}").as_str()),
            "the order's group"
        );
    }
}

fn mapping() -> MappingConfig {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../events/mapping.local.json")).unwrap();
    v["shops"][US]["returns"]["policy"] = json!({"approve_reasons": ["defective"]});
    MappingConfig::load(&v.to_string()).unwrap()
}

fn queued(kind: i64, id: &str, data: serde_json::Value) -> QueuedEvent {
    QueuedEvent {
        v: 1,
        event_key: format!("EVT#{US}#{id}"),
        shop_id: ShopId::new(US),
        notification_id: NotificationId::new(id),
        type_code: kind,
        order_id: Some(OrderId::new(ORDER)),
        received_at: 0,
        data,
    }
}

#[tokio::test]
async fn the_writer_runs_return_events_through_the_flow_once() {
    let w = world_with(mapping()).await;
    let m = mapping();
    assert_eq!(
        m.for_shop(&ShopId::new(US))
            .unwrap()
            .returns
            .locations
            .as_ref()
            .map(|l| l.damaged.as_str()),
        Some("3"),
        "the local mapping names the returns locations"
    );
    let books = RecordingBooks::new(&[("MUG", 3)]);
    let store = DynamoReturnsStore::new(w._stack.ddb.clone(), &w._stack.names.returns_table);
    let now = common::now();
    // No rule for this reason: a person decides, TikTok's record stays as it is.
    let mut r12 = pending("RW12", now + 86_400, 1_000);
    r12["return_reason"] = json!("changed_mind");
    w.tiktok_sim.state.upsert_return(US, r12).unwrap();
    w.tiktok_sim
        .state
        .upsert_return(US, pending("RW02", now + 86_400, 1_000))
        .unwrap();
    let mut sync = w.sync();
    sync.returns = Some(ReturnsWiring {
        books: &books,
        store: &store,
    });
    let e12 = queued(12, "e12", json!({"order_id": ORDER, "return_id": "RW12"}));
    sync.process(&e12, 1).await.unwrap();
    sync.process(&e12, 1).await.unwrap();
    let e2 = queued(
        2,
        "e2",
        json!({"order_id": ORDER, "reverse_order_id": "RW02"}),
    );
    sync.process(&e2, 1).await.unwrap();
    let shop = ShopId::new(US);
    let r12 = store.get(&shop, "RW12").await.unwrap().expect("RW12");
    assert!(r12.ra_id.is_some(), "RA written");
    assert!(r12.decisions.is_empty());
    assert_eq!(r12.queued.unwrap().deadline, now + 86_400);
    let r02 = store
        .get(&shop, "RW02")
        .await
        .unwrap()
        .expect("RW02 (legacy type 2)");
    assert!(r02.ra_id.is_some(), "RA written");
    assert_eq!(r02.decisions.len(), 1, "decided once by the policy");
    assert_eq!(r02.decisions[0].decision, "APPROVE_RETURN");
    assert_eq!(
        w.tiktok_sim.state.snapshot()["returns"][US]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["return_id"] == "RW02")
            .unwrap()["return_status"],
        "AWAITING_BUYER_SHIP"
    );
    assert_eq!(
        books.upserts("tts-ret-RW12").len(),
        1,
        "the duplicate applied nothing"
    );
    let entry = w
        .log
        .get(&shop, &OrderId::new(ORDER))
        .await
        .unwrap()
        .unwrap();
    assert!(
        entry
            .history
            .iter()
            .any(|a| a.note.contains("return RW12 already applied")),
        "{:?}",
        entry.history.iter().map(|a| &a.note).collect::<Vec<_>>()
    );
}
