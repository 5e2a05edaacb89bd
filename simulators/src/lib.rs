//! Loopback-only stand-ins for TikTok Shop and NetSuite, so the functions can
//! be exercised end to end (signatures, tokens, rate and concurrency limits,
//! error shapes) without real accounts. They bind 127.0.0.1 only and are not
//! the real services: where a real behaviour could not be verified, the
//! module that fakes it says so.

pub mod bench_catalogue;
pub mod netsuite;
pub mod seed;
pub mod tiktok;

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

pub use netsuite::{NetSuiteConfig, NetSuiteSim};
pub use seed::{Seed, SeedError};
pub use tiktok::{TikTokConfig, TikTokSim};

/// The embedded `seed.json`. Tests and the demo rely on its ids, so there is
/// no sensible fallback: it is compiled in, pinned by a unit test, and cannot
/// change at run time. Use [`seed::try_default_seed`] to handle the error.
pub fn default_seed() -> Seed {
    match seed::try_default_seed() {
        Ok(s) => s,
        Err(e) => unreachable!("embedded seed.json is covered by unit tests: {e}"),
    }
}

/// A simulator serving on a loopback port.
pub struct RunningSim<S> {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    pub addr: SocketAddr,
    /// Shared state; tests read counters (e.g. peak concurrency) from it directly.
    pub state: S,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl<S> RunningSim<S> {
    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        if let Err(e) = task.await {
            tracing::warn!(error = %e, "simulator task ended abnormally");
        }
    }
}

impl<S> Drop for RunningSim<S> {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds 127.0.0.1:`port` (0 = any free port) and serves `router` there.
async fn serve<S>(
    router: axum::Router,
    port: u16,
    state: S,
    name: &'static str,
) -> std::io::Result<RunningSim<S>> {
    let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = server.await {
            tracing::error!(error = %e, sim = name, "simulator server failed");
        }
    });
    tracing::info!(sim = name, %addr, "simulator listening");
    Ok(RunningSim {
        base_url: format!("http://{addr}"),
        addr,
        state,
        shutdown: Some(tx),
        task,
    })
}

/// Starts the TikTok Shop simulator.
pub async fn spawn_tiktok(
    seed: seed::TikTokSeed,
    cfg: TikTokConfig,
) -> std::io::Result<RunningSim<TikTokSim>> {
    let port = cfg.port;
    let sim = TikTokSim::new(seed, cfg);
    serve(tiktok::router(sim.clone()), port, sim, "tiktok").await
}

/// Starts the NetSuite REST simulator.
pub async fn spawn_netsuite(
    seed: seed::NetSuiteSeed,
    cfg: NetSuiteConfig,
) -> std::io::Result<RunningSim<NetSuiteSim>> {
    let port = cfg.port;
    let sim = NetSuiteSim::new(seed, cfg);
    serve(netsuite::router(sim.clone()), port, sim, "netsuite").await
}

/// Locks a mutex, recovering from poisoning: simulator state stays usable
/// after a panicking handler, which matters more here than strictness.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
