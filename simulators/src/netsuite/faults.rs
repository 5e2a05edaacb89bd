//! The gate every `/services/rest` request passes (auth, then the account
//! concurrency limit, then injected latency and faults), and the fault queue.
//!
//! Order matters and mirrors NetSuite: a request that fails login never takes
//! a concurrency slot; one that gets a slot holds it for its whole life,
//! including injected latency and a held-back response, so the peak seen by
//! tests is the concurrency the real account would have seen.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::time::Duration;

use super::{auth, role, NetSuiteSim, NsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// HTTP 500 UNEXPECTED_ERROR instead of running the request.
    #[serde(rename = "5xx")]
    ServerError,
    /// The write commits, then the response is held for `delay_secs` so the
    /// client times out although the record exists.
    #[serde(rename = "timeout_after_commit")]
    TimeoutAfterCommit,
}

#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    server_errors: u32,
    timeouts: VecDeque<u64>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, kind: FaultKind, count: u32, delay_secs: u64) {
        match kind {
            FaultKind::ServerError => self.server_errors += count,
            FaultKind::TimeoutAfterCommit => self
                .timeouts
                .extend(std::iter::repeat_n(delay_secs, count as usize)),
        }
    }

    fn take_server_error(&mut self) -> bool {
        let hit = self.server_errors > 0;
        self.server_errors = self.server_errors.saturating_sub(1);
        hit
    }

    pub(crate) fn snapshot(&self) -> Value {
        json!({"5xx": self.server_errors, "timeout_after_commit": self.timeouts})
    }
}

/// Releases a concurrency slot however the request ends, including when the
/// client hangs up and the future is dropped.
struct Slot(NetSuiteSim);

impl Drop for Slot {
    fn drop(&mut self) {
        let mut st = self.0.state();
        st.stats.in_flight = st.stats.in_flight.saturating_sub(1);
    }
}

fn acquire(sim: &NetSuiteSim) -> Option<Slot> {
    let mut st = sim.state();
    if st.stats.in_flight >= st.concurrency_limit {
        st.stats.rejected_429 += 1;
        return None;
    }
    st.stats.in_flight += 1;
    st.stats.peak_in_flight = st.stats.peak_in_flight.max(st.stats.in_flight);
    Some(Slot(sim.clone()))
}

fn is_record_write(method: &Method, path: &str) -> bool {
    path.starts_with("/services/rest/record/")
        && matches!(
            *method,
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        )
}

pub(crate) async fn gate(State(sim): State<NetSuiteSim>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    {
        let mut st = sim.state();
        st.stats.requests += 1;
        *st.stats
            .per_path
            .entry(format!("{method} {path}"))
            .or_default() += 1;
    }
    if let Err(e) = auth::check(&sim, &method, req.uri(), req.headers()) {
        sim.state().stats.rejected_401 += 1;
        return e.into_response();
    }
    let denied = role::check_record(&sim.state().role, &path);
    if let Err(e) = denied {
        return e.into_response();
    }
    let Some(slot) = acquire(&sim) else {
        tracing::debug!(%method, path, "netsuite sim concurrency limit hit");
        return NsError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "CONCURRENCY_LIMIT_EXCEEDED",
            "Concurrent request limit exceeded. Request blocked.",
        )
        .into_response();
    };
    let latency = sim.state().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let (server_error, hold) = {
        let mut st = sim.state();
        if st.faults.take_server_error() {
            st.stats.faults_5xx_fired += 1;
            (true, None)
        } else if is_record_write(&method, &path) {
            let hold = st.faults.timeouts.pop_front();
            if hold.is_some() {
                st.stats.faults_timeout_fired += 1;
            }
            (false, hold)
        } else {
            (false, None)
        }
    };
    if server_error {
        drop(slot);
        return NsError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            "An unexpected error occurred. Error ID: sim-injected-fault",
        )
        .into_response();
    }
    let resp = next.run(req).await;
    if let Some(secs) = hold {
        tracing::debug!(%method, path, secs, "netsuite sim holding a committed response");
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    drop(slot);
    resp
}
