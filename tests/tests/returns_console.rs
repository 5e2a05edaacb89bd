//! The console's Returns page (issue 28 §7): the queue with TikTok's own
//! deadline, everything TikTok sent escaped, and the grading form (CSRF like
//! every form) that runs the flow's receipt step: the Item Receipt by grade
//! and the received-package decision, recorded as the console user's.

mod common;
#[path = "common/returns_world.rs"]
mod returns_world;

use std::sync::Arc;

use common::console::{add_user, console_over, csrf_in, serve, ConsoleHttp};
use common::writer_world::{world_with, US};
use returns_world::{line, locations, pending, BookCall, RecordingBooks, ORDER};
use serde_json::json;
use shared::console::pages::returns::{until, ReturnsDesk};
use shared::domain::ShopId;
use shared::mapping::config::MappingConfig;
use shared::returns::flow::api::ShopReturnsApi;
use shared::returns::flow::ReturnsFlow;
use shared::returns::settings::ReturnsSettings;
use shared::store::returns::{DynamoReturnsStore, ReturnsStore};

const PW: &str = "correct horse battery staple";

fn settings() -> ReturnsSettings {
    ReturnsSettings {
        locations: Some(locations()),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_returns_page_shows_tiktoks_deadline_escaped_and_grades_a_parcel() {
    let mapping = MappingConfig::load(include_str!("../../events/mapping.local.json")).unwrap();
    let w = world_with(mapping).await;
    let store = Arc::new(DynamoReturnsStore::new(
        w._stack.ddb.clone(),
        &w._stack.names.returns_table,
    ));
    let books = Arc::new(RecordingBooks::new(&[("MUG", 3)]));
    let now = common::now();
    let deadline = now + 5 * 3600 + 120;
    // A parcel that arrived (two units), and a return with a hostile status.
    let mut parcel = pending("RC1", deadline, 1_000);
    parcel["return_status"] = json!("BUYER_SHIPPED_ITEM");
    parcel["seller_next_action_response"] =
        json!([{"action": "SELLER_RESPOND_RECEIVE_PACKAGE", "deadline": deadline}]);
    parcel["return_line_items"] = json!([line(1, "10", "0"), line(2, "10", "0")]);
    let mut hostile = pending("RC2", deadline + 60, 1_000);
    hostile["return_status"] = json!("<script>alert(1)</script>");
    for r in [parcel, hostile] {
        w.tiktok_sim.state.upsert_return(US, r).unwrap();
    }
    let s = settings();
    let api = ShopReturnsApi {
        sessions: &w.shops,
        shop: ShopId::new(US),
    };
    let clock = shared::clock::SystemClock;
    let flow = ReturnsFlow {
        api: &api,
        books: books.as_ref(),
        store: store.as_ref(),
        clock: &clock,
        settings: &s,
    };
    flow.look_at("RC1").await.unwrap();
    flow.look_at("RC2").await.unwrap();

    let mut console = console_over(&w._stack.sdk, &w._stack.names, w._stack.ddb.clone());
    console.returns = Some(Arc::new(ReturnsDesk {
        store: store.clone(),
        books: Some(books.clone()),
        sessions: Some(w.shops.clone()),
        settings: Arc::new(|_: &ShopId| settings()),
    }));
    add_user(&w._stack.sdk, &w._stack.names, "olga", "operator", PW).await;
    let base = serve(console).await;
    let olga = ConsoleHttp::new(&base);
    assert_eq!(olga.login("olga", PW).await.status, 303);
    let page = olga.get("/returns").await;
    assert_eq!(page.status, 200, "{}", page.body);
    // TikTok's deadline, as TikTok set it, and how far it is.
    let shown = chrono::DateTime::from_timestamp(deadline, 0)
        .unwrap()
        .format("%Y-%m-%d %H:%M UTC")
        .to_string();
    assert!(page.body.contains(&shown), "{shown} not on the page");
    assert!(page.body.contains(&until(deadline, now)) || page.body.contains("in 5 h"));
    assert!(
        !page.body.contains("<script>alert(1)"),
        "TikTok's text is escaped"
    );
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.body.contains(&format!("/returns/{US}/RC1/grade")));
    assert!(page.body.contains(ORDER));

    // Without the CSRF token nothing happens.
    let path = format!("/returns/{US}/RC1/grade");
    let r = olga.post(&path, &[("g0", "good"), ("g1", "damaged")]).await;
    assert_eq!(r.status, 403);
    assert!(books
        .calls()
        .iter()
        .all(|c| !matches!(c, BookCall::Receive { .. })));

    let csrf = csrf_in(&page.body);
    let r = olga
        .post(&path, &[("csrf", &csrf), ("g0", "good"), ("g1", "damaged")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(books.calls().contains(&BookCall::Receive {
        ra: "RA1".into(),
        lines: vec![
            ("MUG".into(), 1, Some("1".into()), true),
            ("MUG".into(), 1, Some("9".into()), true)
        ],
    }));
    let st = store.get(&ShopId::new(US), "RC1").await.unwrap().unwrap();
    let d = &st.decisions[0];
    assert_eq!(
        (d.decision.as_str(), d.by.as_str(), d.outcome.as_str()),
        ("REJECT_RECEIVED_PACKAGE", "olga", "sent")
    );
    assert!(st.queued.is_none());
    let after = olga.get("/returns").await;
    assert!(after.body.contains("REJECT_RECEIVED_PACKAGE") && after.body.contains("olga"));
}
