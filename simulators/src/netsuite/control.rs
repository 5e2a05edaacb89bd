//! `/_sim/*` test-control endpoints. No auth on purpose: they are the test
//! harness, not part of the simulated API, and the server is loopback-only.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{FaultKind, NetSuiteSim, StockLevel};

pub(crate) async fn state(State(sim): State<NetSuiteSim>) -> Json<Value> {
    Json(sim.snapshot())
}

pub(crate) async fn stats(State(sim): State<NetSuiteSim>) -> Json<Value> {
    Json(json!(sim.stats()))
}

#[derive(Deserialize)]
pub(crate) struct Config {
    concurrency_limit: Option<usize>,
    latency_ms: Option<u64>,
    /// Zero the counters (peak, 429s, ...) as part of this call.
    #[serde(default)]
    reset_stats: bool,
}

pub(crate) async fn config(State(sim): State<NetSuiteSim>, Json(c): Json<Config>) -> Json<Value> {
    if let Some(n) = c.concurrency_limit {
        sim.set_concurrency_limit(n);
    }
    if let Some(ms) = c.latency_ms {
        sim.set_latency_ms(ms);
    }
    if c.reset_stats {
        sim.reset_stats();
    }
    let st = sim.state();
    Json(
        json!({"ok": true, "concurrency_limit": st.concurrency_limit, "latency_ms": st.latency_ms}),
    )
}

#[derive(Deserialize)]
pub(crate) struct Faults {
    kind: FaultKind,
    #[serde(default = "one")]
    count: u32,
    #[serde(default)]
    delay_secs: u64,
}

fn one() -> u32 {
    1
}

pub(crate) async fn faults(State(sim): State<NetSuiteSim>, Json(f): Json<Faults>) -> Json<Value> {
    sim.inject_fault(f.kind, f.count, f.delay_secs);
    Json(json!({"ok": true, "pending": sim.state().faults.snapshot()}))
}

pub(crate) async fn reset(State(sim): State<NetSuiteSim>) -> Json<Value> {
    sim.reset();
    Json(json!({"ok": true}))
}

#[derive(Deserialize)]
pub(crate) struct SetStock {
    item: String,
    location: String,
    #[serde(flatten)]
    level: StockLevel,
}

/// `POST /_sim/stock {"item","location","quantityonhand","quantityavailable",…}`:
/// sets one item's stock at one location (missing quantities are 0).
pub(crate) async fn set_stock(State(sim): State<NetSuiteSim>, Json(s): Json<SetStock>) -> Response {
    match sim.set_stock(&s.item, &s.location, s.level) {
        Ok(()) => {
            Json(json!({"ok": true, "stock": sim.stock(&s.item, &s.location)})).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct BulkStock {
    items: u64,
    locations: Vec<String>,
}

/// `POST /_sim/stock/bulk {"items": 100000, "locations": ["1","2","3"]}`.
pub(crate) async fn bulk_stock(
    State(sim): State<NetSuiteSim>,
    Json(b): Json<BulkStock>,
) -> Response {
    let locs: Vec<&str> = b.locations.iter().map(String::as_str).collect();
    match sim.bulk_load_stock(b.items, &locs) {
        Ok(r) => Json(json!({"ok": true, "loaded": r})).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct Periods {
    #[serde(default)]
    close: Vec<String>,
    #[serde(default)]
    open: Vec<String>,
}

/// `POST /_sim/periods {"close": ["2025-12"], "open": ["2026-01"]}`: closes
/// or reopens accounting periods (`YYYY-MM`) for journal entries.
pub(crate) async fn periods(State(sim): State<NetSuiteSim>, Json(p): Json<Periods>) -> Response {
    let bad = p.close.iter().chain(&p.open).find(|x| {
        x.len() != 7
            || x.as_bytes()[4] != b'-'
            || x[..4].parse::<u16>().is_err()
            || x[5..]
                .parse::<u8>()
                .map_or(true, |m| !(1..=12).contains(&m))
    });
    if let Some(b) = bad {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": format!("period {b:?} is not YYYY-MM")})),
        )
            .into_response();
    }
    for x in &p.close {
        sim.set_period_closed(x, true);
    }
    for x in &p.open {
        sim.set_period_closed(x, false);
    }
    Json(json!({"ok": true})).into_response()
}
