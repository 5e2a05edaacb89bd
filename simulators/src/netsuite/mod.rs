//! NetSuite SuiteTalk REST simulator: TBA-signed record and SuiteQL calls
//! under `/services/rest`, with the account concurrency limit, latency and
//! fault injection the writer must survive.
//!
//! Why it exists: the writer's correctness hinges on behaviour that only
//! shows up against a stateful NetSuite (upsert by externalId, 204 +
//! Location, 429 at the concurrency limit, a commit whose response never
//! arrives). Error bodies use NetSuite's `{type,title,status,o:errorDetails}`
//! shape and content type (netsuite-rest-api.md §0, §4).

mod auth;
mod control;
mod costing;
mod errors;
mod faults;
mod files;
mod fulfil;
mod pack;
mod records;
mod return_setup;
mod role;
mod stock;
mod suiteql;

use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::lock;
use crate::seed::NetSuiteSeed;

pub use auth::{M2mClient, M2mStats};
pub(crate) use errors::NsError;
pub use faults::FaultKind;
pub use files::{StoredFile, LABEL_FOLDER_ID, MAX_UPLOAD_BYTES};
pub use fulfil::{ShipError, ShipLine, Shipment};
pub use pack::Packing;
pub use return_setup::ReturnSetup;
pub use stock::{BulkLoaded, StockLevel, BULK_FIRST_ITEM_ID};

/// Shared/Standard tier and developer accounts allow 5 concurrent requests (§5).
pub const DEFAULT_CONCURRENCY_LIMIT: usize = 5;

#[derive(Debug, Clone)]
pub struct NetSuiteConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub concurrency_limit: usize,
    /// Added to every authenticated request while it counts as in flight.
    pub latency_ms: u64,
}

impl Default for NetSuiteConfig {
    fn default() -> Self {
        Self {
            port: 0,
            concurrency_limit: DEFAULT_CONCURRENCY_LIMIT,
            latency_ms: 0,
        }
    }
}

/// Counters exposed by `/_sim/stats` and to tests directly.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NetSuiteStats {
    pub in_flight: usize,
    pub peak_in_flight: usize,
    /// Every request under `/services/rest`, including rejected ones.
    pub requests: u64,
    pub rejected_401: u64,
    pub rejected_429: u64,
    pub faults_5xx_fired: u64,
    pub faults_timeout_fired: u64,
    /// `"METHOD /path"` -> count.
    pub per_path: BTreeMap<String, u64>,
}

/// Handle to the simulator's shared state. Cheap to clone.
#[derive(Clone)]
pub struct NetSuiteSim {
    inner: Arc<Inner>,
}

struct Inner {
    seed: NetSuiteSeed,
    default_cfg: NetSuiteConfig,
    state: Mutex<State>,
    /// OAuth 2.0 M2M certificates and access tokens (`auth.rs`).
    m2m: auth::M2m,
}

pub(crate) struct State {
    pub(crate) concurrency_limit: usize,
    pub(crate) latency_ms: u64,
    pub(crate) stats: NetSuiteStats,
    pub(crate) records: records::RecordStore,
    /// (consumer key, token, nonce, timestamp) -> when first seen (unix secs).
    pub(crate) nonces: HashMap<(String, String, String, u64), i64>,
    pub(crate) faults: faults::FaultQueue,
    /// Item catalogue and stock per location (`stock.rs`).
    pub(crate) stock: stock::Stock,
    /// The last large catalogue SuiteQL result (`suiteql/exec.rs`).
    pub(crate) suiteql_cache: Option<suiteql::CachedResult>,
    /// What the integration role may not use, inactive locations (`role.rs`).
    pub(crate) role: role::Role,
    /// Return features and the RA approval permission (`return_setup.rs`).
    pub(crate) return_setup: return_setup::ReturnSetup,
    /// Item costs behind fulfillments' GL lines (`costing.rs`).
    pub(crate) costing: costing::Costing,
    /// Files and their attachments (`files.rs`).
    pub(crate) files: files::FileCabinet,
}

impl State {
    fn new(seed: &NetSuiteSeed, cfg: &NetSuiteConfig) -> Self {
        Self {
            concurrency_limit: cfg.concurrency_limit,
            latency_ms: cfg.latency_ms,
            stats: NetSuiteStats::default(),
            records: records::RecordStore::from_seed(seed),
            nonces: HashMap::new(),
            faults: faults::FaultQueue::default(),
            stock: stock::Stock::from_seed(seed),
            suiteql_cache: None,
            role: role::Role::default(),
            return_setup: return_setup::ReturnSetup::default(),
            costing: costing::Costing::from_seed(seed),
            files: files::FileCabinet::default(),
        }
    }
}

impl NetSuiteSim {
    pub fn new(seed: NetSuiteSeed, cfg: NetSuiteConfig) -> Self {
        let state = State::new(&seed, &cfg);
        Self {
            inner: Arc::new(Inner {
                seed,
                default_cfg: cfg,
                state: Mutex::new(state),
                m2m: auth::M2m::default(),
            }),
        }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    pub(crate) fn seed(&self) -> &NetSuiteSeed {
        &self.inner.seed
    }

    pub fn account_id(&self) -> &str {
        &self.inner.seed.account_id
    }

    /// The TBA credentials the simulator accepts.
    pub fn credentials(&self) -> shared::signing::netsuite::TbaCredentials {
        self.inner.seed.credentials()
    }

    pub fn stats(&self) -> NetSuiteStats {
        self.state().stats.clone()
    }

    pub fn peak_in_flight(&self) -> usize {
        self.state().stats.peak_in_flight
    }

    pub fn rejected_429(&self) -> u64 {
        self.state().stats.rejected_429
    }

    pub fn set_concurrency_limit(&self, limit: usize) {
        self.state().concurrency_limit = limit;
    }

    pub fn set_latency_ms(&self, ms: u64) {
        self.state().latency_ms = ms;
    }

    /// Queues `count` upcoming failures of `kind`. `delay_secs` is how long a
    /// `timeout_after_commit` response is held after the write commits.
    pub fn inject_fault(&self, kind: FaultKind, count: u32, delay_secs: u64) {
        self.state().faults.push(kind, count, delay_secs);
    }

    /// Zeroes peak/counters without touching records or config.
    pub fn reset_stats(&self) {
        let mut st = self.state();
        let in_flight = st.stats.in_flight;
        st.stats = NetSuiteStats {
            in_flight,
            peak_in_flight: in_flight,
            ..Default::default()
        };
    }

    /// Back to the seed: records, config, faults, nonces and counters.
    pub fn reset(&self) {
        let mut st = self.state();
        let in_flight = st.stats.in_flight;
        *st = State::new(&self.inner.seed, &self.inner.default_cfg);
        st.stats.in_flight = in_flight;
    }

    /// A stored record by internal id (`record_type` is case-insensitive).
    pub fn record(&self, record_type: &str, id: &str) -> Option<Value> {
        self.state().records.get(record_type, id)
    }

    /// A stored record by externalId.
    pub fn record_by_external_id(&self, record_type: &str, external_id: &str) -> Option<Value> {
        self.state().records.get_by_eid(record_type, external_id)
    }

    /// All stored records of a type, by ascending internal id.
    pub fn records(&self, record_type: &str) -> Vec<Value> {
        self.state().records.all(record_type)
    }

    /// Sets the stock of an inventory item at a location (creating the row).
    /// Refused for items without location stock (kits, non-inventory items)
    /// and unknown items (`stock.rs`).
    pub fn set_stock(&self, item: &str, location: &str, level: StockLevel) -> Result<(), String> {
        let item: u64 = item
            .parse()
            .map_err(|_| format!("item id {item} is not numeric"))?;
        let location: u64 = location
            .parse()
            .map_err(|_| format!("location id {location} is not numeric"))?;
        if !self
            .seed()
            .locations
            .iter()
            .any(|l| l.id == location.to_string())
        {
            return Err(format!("location {location} does not exist"));
        }
        self.state().stock.set(item, location, level)
    }

    /// The stock row of an item at a location, if there is one.
    pub fn stock(&self, item: &str, location: &str) -> Option<StockLevel> {
        self.state()
            .stock
            .get(item.parse().ok()?, location.parse().ok()?)
    }

    /// Adds `items` synthetic inventory items (`SKU-0000000`, …) with a stock
    /// row at each of `locations`, for large-catalogue benchmarks.
    pub fn bulk_load_stock(&self, items: u64, locations: &[&str]) -> Result<BulkLoaded, String> {
        let mut locs = Vec::new();
        for l in locations {
            if !self.seed().locations.iter().any(|s| s.id == *l) {
                return Err(format!("location {l} does not exist"));
            }
            locs.push(
                l.parse::<u64>()
                    .map_err(|_| format!("location id {l} is not numeric"))?,
            );
        }
        Ok(self.state().stock.bulk_load(items, &locs))
    }

    /// Everything `/_sim/state` shows.
    /// Closes (or reopens) the accounting period `YYYY-MM`: a journal entry
    /// dated in a closed period is refused (`records/journal.rs`).
    pub fn set_period_closed(&self, period: &str, closed: bool) {
        let mut st = self.state();
        if closed {
            st.records.books.closed.insert(period.to_string());
        } else {
            st.records.books.closed.remove(period);
        }
    }

    /// Turns the account's "Require Approvals on Journal Entries" on or
    /// off (`records/journal_entry.rs`): entries written from now on are
    /// stored `approved: false` while it is on.
    pub fn set_journal_approval(&self, required: bool) {
        self.state().records.books.approval_required = required;
    }

    /// Approves a stored journal entry, as its supervisor would in the UI.
    pub fn approve_journal(&self, external_id: &str) -> bool {
        self.state().records.set_field_by_eid(
            "journalEntry",
            external_id,
            "approved",
            Value::Bool(true),
        )
    }

    pub fn snapshot(&self) -> Value {
        let st = self.state();
        json!({
            "records": st.records.snapshot(),
            "concurrency_limit": st.concurrency_limit,
            "latency_ms": st.latency_ms,
            "pending_faults": st.faults.snapshot(),
        })
    }
}

/// The simulator's routes over shared state. `/services/rest/*` routes sit
/// behind the gate (auth, concurrency, latency, faults); `/_sim/*` does not.
pub fn router(sim: NetSuiteSim) -> Router {
    let rest = Router::new()
        .route("/services/rest/record/v1/{rtype}", post(records::create))
        .route(
            "/services/rest/record/v1/{rtype}/{id}",
            get(records::read)
                .put(records::upsert)
                .patch(records::update)
                .delete(records::remove),
        )
        .route(
            "/services/rest/record/v1/{rtype}/{id}/{sublist}",
            get(records::read_sublist),
        )
        .route(
            "/services/rest/record/v1/{rtype}/{id}/!transform/{target}",
            post(records::transform),
        )
        .route("/services/rest/query/v1/suiteql", post(suiteql::handle))
        .route("/services/rest/document/v1/file", post(files::upload))
        .route(
            "/services/rest/record/v1/{rtype}/{id}/!attach/{kind}/{target}",
            post(files::attach),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            return_setup::gate,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            faults::gate,
        ));
    let control = Router::new()
        .route("/_sim/state", get(control::state))
        .route("/_sim/stats", get(control::stats))
        .route("/_sim/config", post(control::config))
        .route("/_sim/faults", post(control::faults))
        .route("/_sim/reset", post(control::reset))
        .route("/_sim/stock", post(control::set_stock))
        .route("/_sim/stock/bulk", post(control::bulk_stock))
        .route("/_sim/periods", post(control::periods))
        .route("/_sim/role", post(role::control))
        .route("/_sim/m2m/clients", post(auth::register))
        .route("/_sim/m2m/revoke", post(auth::revoke))
        .route("/_sim/m2m/stats", get(auth::stats))
        .route("/services/rest/auth/oauth2/v1/token", post(auth::token))
        .route("/_sim/return_setup", post(return_setup::control));
    rest.merge(control)
        .fallback(errors::not_found)
        .with_state(sim)
}
