//! One NetSuite concurrency budget for the whole deployment: a pool of
//! `share` slots that every function calling NetSuite (the writer, every
//! job, the console) takes a slot from before each request.
//!
//! - [`SlotPool`]: the shared pool (DynamoDB in production,
//!   `store::netsuite_slots`). A slot is taken with a conditional write (free
//!   or expired), names its holder and carries an expiry, so a holder that
//!   dies gives its slot back by itself after at most the lease time.
//!   Waiters queue (a `WAIT#` item with the time they started waiting), and a
//!   free slot goes to the oldest waiter first ([`may_take`]).
//! - [`SlotKeeper`]: one client's leases. A request reuses a lease this
//!   client already holds (renewed before it could run out); a lease is kept
//!   across back-to-back requests for a short linger, so a busy client pays
//!   no DynamoDB write per request. A client holding no lease waits in the
//!   queue, bounded by the caller's deadline; one that holds some takes an
//!   extra slot only when it is free and nobody waits (so the writer can use
//!   the whole share when nothing else runs). A lease held longer than
//!   `max_hold` is given back, so a waiting job gets its turn.
//!
//! Per request (not per invocation) because a writer invocation spends most
//! of its time on TikTok and DynamoDB; see BENCHMARKS.md, "One NetSuite
//! budget", for the measurements and the cost.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;

pub use super::lease_settings::KeeperSettings;
use super::lease_settings::{after_request, poll_nap, AfterRequest};
pub use super::slot_pool::{may_take, waiters_ahead, PoolView, SlotError, SlotPool, Take};

/// A slot this client holds.
#[derive(Debug, Clone)]
pub struct Lease {
    pub slot: u32,
    until_ms: i64,
    taken: Instant,
    idle_since: Instant,
}

/// DynamoDB calls made for the pool, for the benchmarks' cost figures.
#[derive(Debug, Default)]
pub struct KeeperStats {
    pub reads: AtomicU64,
    pub writes: AtomicU64,
    pub requests: AtomicU64,
    pub waited_ms: AtomicU64,
}

#[derive(Default)]
struct Held {
    idle: Vec<Lease>,
    /// Leases held, idle or in use.
    count: usize,
    last_extra: Option<Instant>,
    /// One request of this client waits in the pool's queue at a time (one
    /// place, one `since`); the others wait for its lease.
    polling: bool,
    /// Since when this client waits in the pool's queue, and until when
    /// its queue entry lives.
    queued: Option<(i64, i64)>,
}

/// One client's leases on the shared pool (see the module doc).
pub struct SlotKeeper {
    pool: Arc<dyn SlotPool>,
    holder: String,
    settings: KeeperSettings,
    held: Mutex<Held>,
    returned: tokio::sync::Notify,
    /// Requests of this client waiting for a slot now.
    wanting: AtomicUsize,
    pub stats: KeeperStats,
}

/// Counts a request as wanting a slot while it lives.
struct Wanting<'a>(&'a AtomicUsize);

impl Drop for Wanting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Marks the request holding it as this client's one pool poller.
struct Polling<'a>(&'a SlotKeeper);

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        self.0.lock().polling = false;
        self.0.returned.notify_waiters();
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn ms(d: Duration) -> i64 {
    d.as_millis() as i64
}

impl std::fmt::Debug for SlotKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlotKeeper")
            .field("holder", &self.holder)
            .finish()
    }
}

impl SlotKeeper {
    /// `kind` names the function in the holder id (`writer-…`), so a held
    /// slot shows who holds it.
    pub fn new(pool: Arc<dyn SlotPool>, kind: &str, settings: KeeperSettings) -> Self {
        let id: u64 = rand::thread_rng().gen();
        Self {
            pool,
            holder: format!("{kind}-{id:016x}"),
            settings,
            held: Mutex::new(Held::default()),
            returned: tokio::sync::Notify::new(),
            wanting: AtomicUsize::new(0),
            stats: KeeperStats::default(),
        }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count(&self, reads: u64, writes: u64) {
        self.stats.reads.fetch_add(reads, Ordering::Relaxed);
        self.stats.writes.fetch_add(writes, Ordering::Relaxed);
    }

    /// Leases held now (idle or in use).
    pub fn held(&self) -> usize {
        self.lock().count
    }

    /// A slot for one request, waiting at most `wait`: an idle lease of
    /// this client, else a slot from the pool. `Ok(None)`: no slot in time.
    pub async fn acquire(&self, wait: Duration) -> Result<Option<Lease>, SlotError> {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        self.wanting.fetch_add(1, Ordering::Relaxed);
        let _wanting = Wanting(&self.wanting);
        let started = Instant::now();
        let give_up = started + wait.min(self.settings.max_wait);
        let got = loop {
            // Registered before looking, so a lease handed over meanwhile wakes us.
            let returned = self.returned.notified();
            tokio::pin!(returned);
            returned.as_mut().enable();
            if let Some(lease) = self.take_idle() {
                if let Some(lease) = self.ready(lease).await? {
                    break Some(lease);
                }
                continue;
            }
            let (count, extra_due, poller) = {
                let mut h = self.lock();
                let due = h.count > 0
                    && h.last_extra
                        .is_none_or(|t| t.elapsed() >= self.settings.extra_every);
                if due {
                    h.last_extra = Some(Instant::now());
                }
                let poller = h.count == 0 && !h.polling;
                if poller {
                    h.polling = true;
                }
                (h.count, due, poller.then(|| Polling(self)))
            };
            if let Some(_poller) = poller {
                match self.poll_pool(give_up).await? {
                    Some(lease) => break Some(lease),
                    None if Instant::now() >= give_up => break None,
                    None => continue,
                }
            }
            if extra_due {
                // An extra slot: only when free and nobody waits.
                if let Some(lease) = self.take_from_pool(None).await? {
                    break Some(lease);
                }
            }
            let now = Instant::now();
            if now >= give_up {
                break None;
            }
            let nap = if count > 0 { 50 } else { 250 };
            let nap = (give_up - now).min(Duration::from_millis(nap));
            let _ = tokio::time::timeout(nap, returned).await;
        };
        self.stats
            .waited_ms
            .fetch_add(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        Ok(got)
    }

    /// One try at the pool; `None` when busy (or lost to another taker).
    async fn take_from_pool(&self, since: Option<i64>) -> Result<Option<Lease>, SlotError> {
        let until = now_ms() + ms(self.settings.lease);
        let take = self.pool.try_take(&self.holder, since, until).await?;
        self.count(1, u64::from(!matches!(take, Take::Busy { .. })));
        Ok(match take {
            Take::Got(slot) => Some(self.took(slot, until)),
            _ => None,
        })
    }

    fn took(&self, slot: u32, until_ms: i64) -> Lease {
        self.lock().count += 1;
        let now = Instant::now();
        Lease {
            slot,
            until_ms,
            taken: now,
            idle_since: now,
        }
    }

    /// The poller's wait in the pool's queue: tries, queues (once, keeping
    /// its place), sleeps [`poll_nap`] for its place in line, until it gets a
    /// slot or `give_up`. Leaves the queue either way.
    async fn poll_pool(&self, give_up: Instant) -> Result<Option<Lease>, SlotError> {
        let got = loop {
            let since = self.lock().queued.map(|(s, _)| s);
            let until = now_ms() + ms(self.settings.lease);
            let take = self.pool.try_take(&self.holder, since, until).await?;
            self.count(1, u64::from(!matches!(take, Take::Busy { .. })));
            let ahead = match take {
                Take::Got(slot) => break Some(self.took(slot, until)),
                Take::Lost => continue,
                Take::Busy { ahead } => ahead,
            };
            let now = Instant::now();
            if now >= give_up {
                break None;
            }
            let now_ms = now_ms();
            let (since, queue_until) = self.lock().queued.unwrap_or((now_ms, 0));
            // The queue entry lives 3 s and is rewritten only when it has
            // less than 1.5 s left, so a dead waiter leaves it quickly.
            if queue_until - now_ms < 1_500 {
                self.pool.queue(&self.holder, since, now_ms + 3_000).await?;
                self.count(0, 1);
                self.lock().queued = Some((since, now_ms + 3_000));
            }
            let jitter = rand::thread_rng().gen_range(0.8..1.2);
            let nap = poll_nap(ahead).mul_f64(jitter);
            tokio::time::sleep(nap.min(give_up.saturating_duration_since(Instant::now()))).await;
        };
        if self.lock().queued.take().is_some() {
            self.pool.unqueue(&self.holder).await?;
            self.count(0, 1);
        }
        Ok(got)
    }

    fn take_idle(&self) -> Option<Lease> {
        let mut h = self.lock();
        // Most recently used first: the others may then linger out.
        let i = h
            .idle
            .iter()
            .enumerate()
            .max_by_key(|(_, l)| l.idle_since)
            .map(|(i, _)| i)?;
        Some(h.idle.swap_remove(i))
    }

    /// `lease` with enough time left for a request, renewed if needed;
    /// `None` when it was lost (expired and taken by another holder).
    async fn ready(&self, mut lease: Lease) -> Result<Option<Lease>, SlotError> {
        let now = now_ms();
        if lease.until_ms - now >= ms(self.settings.min_left) {
            return Ok(Some(lease));
        }
        let until = now + ms(self.settings.lease);
        let kept = lease.until_ms > now && self.pool.renew(lease.slot, &self.holder, until).await?;
        if lease.until_ms > now {
            self.count(0, 1);
        }
        if kept {
            lease.until_ms = until;
            Ok(Some(lease))
        } else {
            self.forget(1);
            Ok(None)
        }
    }

    fn forget(&self, n: usize) {
        let mut h = self.lock();
        h.count = h.count.saturating_sub(n);
        drop(h);
        self.returned.notify_waiters();
    }

    /// Returns a lease after a request ([`after_request`]): handed to this
    /// client's next waiting request, kept idle for the linger when nobody
    /// else waits, else given back at once. Leases idle past their linger
    /// are given back too.
    pub async fn give_back(&self, mut lease: Lease) {
        let now = Instant::now();
        let local = self.wanting.load(Ordering::Relaxed) > 0;
        let keep = match after_request(&self.settings, local, now.duration_since(lease.taken)) {
            AfterRequest::HandOver => true,
            AfterRequest::GiveBack => false,
            AfterRequest::AskPool => {
                self.count(1, 0);
                match self.pool.others_waiting(&self.holder).await {
                    Ok(false) => {
                        // Nobody waits: the max_hold count starts again.
                        lease.taken = now;
                        true
                    }
                    Ok(true) => false,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the NetSuite slot queue; the slot goes back");
                        false
                    }
                }
            }
        };
        let mut stale = Vec::new();
        {
            let mut h = self.lock();
            let linger = self.settings.linger;
            let mut i = 0;
            while i < h.idle.len() {
                if now.duration_since(h.idle[i].idle_since) > linger {
                    stale.push(h.idle.swap_remove(i));
                } else {
                    i += 1;
                }
            }
            if keep {
                lease.idle_since = now;
                h.idle.push(lease);
            } else {
                stale.push(lease);
            }
        }
        self.returned.notify_waiters();
        for l in stale {
            self.release(l).await;
        }
    }

    async fn release(&self, lease: Lease) {
        if lease.until_ms > now_ms() {
            if let Err(e) = self.pool.release(lease.slot, &self.holder).await {
                tracing::warn!(error = %e, slot = lease.slot, "could not free a NetSuite slot; it expires by itself");
            }
            self.count(0, 1);
        }
        self.forget(1);
    }

    /// End of an invocation: idle leases are shortened to `keep_across`
    /// (so the next invocation of this instance reuses them, and they
    /// expire by themselves if none comes) or given back.
    pub async fn end_of_invocation(&self) {
        let idle: Vec<Lease> = std::mem::take(&mut self.lock().idle);
        let mut keep = self.settings.keep_across;
        if !idle.is_empty() && !keep.is_zero() {
            self.count(1, 0);
            if !matches!(self.pool.others_waiting(&self.holder).await, Ok(false)) {
                // Someone else waits: the slots go back now.
                keep = Duration::ZERO;
            }
        }
        for mut l in idle {
            let now = now_ms();
            if l.until_ms - now < 200 {
                // About to expire anyway: never revive it.
                self.forget(1);
                continue;
            }
            if keep.is_zero() || l.taken.elapsed() >= self.settings.max_hold {
                self.release(l).await;
                continue;
            }
            let until = now + ms(keep);
            match self.pool.renew(l.slot, &self.holder, until).await {
                Ok(true) => {
                    self.count(0, 1);
                    l.until_ms = until;
                    self.lock().idle.push(l);
                }
                Ok(false) => self.forget(1),
                Err(e) => {
                    tracing::warn!(error = %e, slot = l.slot, "could not shorten a NetSuite slot; it expires by itself");
                    self.lock().idle.push(l);
                }
            }
        }
    }
}

/// A slot for one attempt of a NetSuite call (none without a pool), as the
/// transport's error: no slot within `wait` is a timeout, a pool that
/// cannot be read a connection failure; neither sent anything.
pub(super) async fn take(
    keeper: Option<&SlotKeeper>,
    wait: Duration,
    attempts: u32,
    system_call: &str,
) -> Result<Option<Lease>, super::NsError> {
    let Some(k) = keeper else { return Ok(None) };
    match k.acquire(wait).await {
        Ok(Some(lease)) => Ok(Some(lease)),
        Ok(None) => Err(super::NsError::Timeout {
            attempts,
            system_call: system_call.to_string(),
            maybe_committed: false,
        }),
        Err(e) => Err(super::NsError::Connection {
            attempts,
            detail: e.to_string(),
            system_call: system_call.to_string(),
            maybe_committed: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;

    /// A one-slot pool in memory (the DynamoDB one is tested on moto in
    /// tests/netsuite_budget.rs), counting releases.
    #[derive(Default)]
    struct OneSlot {
        holder: Mutex<Option<(String, i64)>>,
        waiting: Mutex<Vec<(String, i64)>>,
        releases: AtomicU64,
        queue_writes: AtomicU64,
    }

    #[async_trait]
    impl SlotPool for OneSlot {
        fn size(&self) -> u32 {
            1
        }
        async fn try_take(&self, h: &str, q: Option<i64>, until: i64) -> Result<Take, SlotError> {
            let mut slot = self.holder.lock().unwrap();
            let free = match &*slot {
                Some((_, u)) if *u > now_ms() => vec![],
                _ => vec![0],
            };
            let view = PoolView {
                free,
                waiting: self.waiting.lock().unwrap().clone(),
            };
            Ok(match may_take(&view, h, q, 0) {
                Some(_) => {
                    *slot = Some((h.to_string(), until));
                    Take::Got(0)
                }
                None => Take::Busy {
                    ahead: waiters_ahead(&view, h, q),
                },
            })
        }
        async fn queue(&self, h: &str, since: i64, _: i64) -> Result<(), SlotError> {
            self.queue_writes.fetch_add(1, Ordering::Relaxed);
            let mut w = self.waiting.lock().unwrap();
            w.retain(|(x, _)| x != h);
            w.push((h.to_string(), since));
            Ok(())
        }
        async fn unqueue(&self, h: &str) -> Result<(), SlotError> {
            self.waiting.lock().unwrap().retain(|(w, _)| w != h);
            Ok(())
        }
        async fn renew(&self, _: u32, h: &str, until: i64) -> Result<bool, SlotError> {
            let mut slot = self.holder.lock().unwrap();
            let mine = slot.as_ref().is_some_and(|(held, _)| held == h);
            if mine {
                *slot = Some((h.to_string(), until));
            }
            Ok(mine)
        }
        async fn release(&self, _: u32, h: &str) -> Result<(), SlotError> {
            self.releases.fetch_add(1, Ordering::Relaxed);
            let mut slot = self.holder.lock().unwrap();
            if slot.as_ref().is_some_and(|(held, _)| held == h) {
                *slot = None;
            }
            Ok(())
        }
        async fn others_waiting(&self, h: &str) -> Result<bool, SlotError> {
            Ok(self.waiting.lock().unwrap().iter().any(|(w, _)| w != h))
        }
    }

    fn writer(pool: &Arc<OneSlot>) -> Arc<SlotKeeper> {
        let settings = KeeperSettings::writer(Duration::from_secs(30));
        Arc::new(SlotKeeper::new(pool.clone(), "writer", settings))
    }

    #[tokio::test]
    async fn an_idle_lease_lingers_only_while_no_other_holder_waits() {
        let pool = Arc::new(OneSlot::default());
        let k = writer(&pool);
        let lease = k.acquire(Duration::from_secs(1)).await.unwrap().unwrap();
        k.give_back(lease).await;
        assert_eq!((k.held(), pool.releases.load(Ordering::Relaxed)), (1, 0));
        // A job queues: the next time the lease goes idle it goes back.
        let lease = k.acquire(Duration::from_secs(1)).await.unwrap().unwrap();
        pool.queue("job-1", 1, i64::MAX).await.unwrap();
        k.give_back(lease).await;
        assert_eq!((k.held(), pool.releases.load(Ordering::Relaxed)), (0, 1));
        let got = pool.try_take("job-1", Some(1), i64::MAX).await.unwrap();
        assert_eq!(got, Take::Got(0));
    }

    #[tokio::test]
    async fn a_lease_goes_to_this_clients_waiting_request_first() {
        let pool = Arc::new(OneSlot::default());
        let k = writer(&pool);
        let first = k.acquire(Duration::from_secs(1)).await.unwrap().unwrap();
        pool.queue("job-1", 1, i64::MAX).await.unwrap();
        let k2 = k.clone();
        let second = tokio::spawn(async move { k2.acquire(Duration::from_secs(5)).await });
        while k.wanting.load(Ordering::Relaxed) == 0 {
            tokio::task::yield_now().await;
        }
        k.give_back(first).await;
        let second = second.await.unwrap().unwrap().unwrap();
        assert_eq!(pool.releases.load(Ordering::Relaxed), 0);
        // Nothing more of its own to send: the waiting job gets the slot.
        k.give_back(second).await;
        assert_eq!(pool.releases.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn many_requests_of_one_client_wait_in_the_queue_as_one_keeping_their_place() {
        let pool = Arc::new(OneSlot::default());
        *pool.holder.lock().unwrap() = Some(("other".into(), i64::MAX));
        let k = writer(&pool);
        // Five requests, each sending once it has a slot (10 ms) and
        // giving it back.
        let waits: Vec<_> = (0..5)
            .map(|_| {
                let k = k.clone();
                tokio::spawn(async move {
                    let lease = k.acquire(Duration::from_secs(10)).await.unwrap();
                    let Some(lease) = lease else { return false };
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    k.give_back(lease).await;
                    true
                })
            })
            .collect();
        while pool.waiting.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let since = pool.waiting.lock().unwrap()[0].1;
        // A later waiter queues behind it.
        pool.queue("job-2", since + 1, i64::MAX).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        // One entry for the five requests, never moved back.
        let w = pool.waiting.lock().unwrap().clone();
        assert_eq!(w.iter().filter(|(h, _)| h == k.holder()).count(), 1);
        assert!(w.contains(&(k.holder().to_string(), since)));
        assert_eq!(pool.queue_writes.load(Ordering::Relaxed), 2);
        // The slot frees: this client is first in line, takes it, and its
        // five requests use it one after another.
        *pool.holder.lock().unwrap() = None;
        for w in waits {
            assert!(w.await.unwrap());
        }
        // Then, with job-2 waiting, the slot went back exactly once.
        assert_eq!(pool.releases.load(Ordering::Relaxed), 1);
        assert_eq!(k.held(), 0);
    }
}
