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

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rand::Rng;

/// Why the pool could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("NetSuite slot pool: {0}")]
pub struct SlotError(pub String);

/// What the pool holds now: its free slots and its queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolView {
    /// Slots that are free or expired.
    pub free: Vec<u32>,
    /// Waiters: holder and when it started waiting (epoch ms), unexpired only.
    pub waiting: Vec<(String, i64)>,
}

/// Which free slot `holder` may take, if any: only when more slots are free
/// than waiters ahead of it (all other waiters if it is not queued; those
/// that queued earlier if it is, ties by holder id), so the oldest waiter is
/// served first and a client taking an extra slot never jumps the queue.
/// `pick` spreads concurrent takers over the free slots.
pub fn may_take(
    view: &PoolView,
    holder: &str,
    queued_since: Option<i64>,
    pick: usize,
) -> Option<u32> {
    let ahead = view
        .waiting
        .iter()
        .filter(|(h, since)| {
            h != holder
                && queued_since
                    .is_none_or(|mine| *since < mine || (*since == mine && h.as_str() < holder))
        })
        .count();
    (view.free.len() > ahead).then(|| view.free[pick % view.free.len()])
}

/// How an attempt to take a slot ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    Got(u32),
    /// No slot for this holder now (all held, or waiters ahead).
    Busy,
    /// Another holder took the chosen slot first: look again at once.
    Lost,
}

/// The shared pool of NetSuite slots.
#[async_trait]
pub trait SlotPool: Send + Sync {
    /// The account share: how many slots exist.
    fn size(&self) -> u32;
    /// Reads the pool and, if [`may_take`] allows, takes a slot until `until_ms`.
    async fn try_take(
        &self,
        holder: &str,
        queued_since: Option<i64>,
        until_ms: i64,
    ) -> Result<Take, SlotError>;
    /// Puts (or refreshes) `holder` in the queue, waiting since `since_ms`.
    async fn queue(&self, holder: &str, since_ms: i64, until_ms: i64) -> Result<(), SlotError>;
    /// Takes `holder` out of the queue.
    async fn unqueue(&self, holder: &str) -> Result<(), SlotError>;
    /// Moves the slot's expiry to `until_ms` if `holder` still holds it;
    /// `false` when it does not (it expired and was taken).
    async fn renew(&self, slot: u32, holder: &str, until_ms: i64) -> Result<bool, SlotError>;
    /// Frees the slot if `holder` still holds it.
    async fn release(&self, slot: u32, holder: &str) -> Result<(), SlotError>;
}

/// How a client keeps its leases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeeperSettings {
    /// Lease time: a dead holder's slot comes back after at most this.
    pub lease: Duration,
    /// A lease must have this much left when a request starts (the request
    /// timeout plus a margin); else it is renewed first.
    pub min_left: Duration,
    /// An idle lease is kept this long for the next request of this client.
    pub linger: Duration,
    /// At the end of an invocation, leases are kept this long for the next
    /// one (shortened, not deleted); zero: deleted.
    pub keep_across: Duration,
    /// A lease held longer than this is given back when it goes idle.
    pub max_hold: Duration,
    /// Longest wait for a slot when the caller has no deadline.
    pub max_wait: Duration,
    /// Fewest time between two tries for an extra slot.
    pub extra_every: Duration,
}

impl KeeperSettings {
    /// The writer: leases kept across back-to-back requests and batches.
    /// A request must fit in two thirds of `lease` (see [`Self::request_timeout`]).
    pub fn writer(lease: Duration) -> Self {
        Self {
            lease,
            min_left: lease * 2 / 3,
            linger: Duration::from_millis(500),
            keep_across: Duration::from_secs(2),
            max_hold: Duration::from_secs(5),
            max_wait: Duration::from_secs(600),
            extra_every: Duration::from_millis(500),
        }
    }

    /// A scheduled job: its NetSuite requests are sparse between TikTok
    /// and DynamoDB work, so each slot is given back at once (measured: a
    /// linger let four jobs cut the writer to 20 % of its rate).
    pub fn job(lease: Duration) -> Self {
        Self {
            linger: Duration::ZERO,
            keep_across: Duration::ZERO,
            max_hold: Duration::ZERO,
            ..Self::writer(lease)
        }
    }

    /// The console: brief calls, each slot given back at once.
    pub fn console(lease: Duration) -> Self {
        Self {
            linger: Duration::ZERO,
            keep_across: Duration::ZERO,
            max_hold: Duration::ZERO,
            max_wait: Duration::from_secs(20),
            ..Self::writer(lease)
        }
    }

    /// The longest request that surely ends while its lease is held: a
    /// lease has at least `min_left` when a request starts.
    pub fn request_timeout(&self, configured: Duration) -> Duration {
        configured.min(self.min_left * 9 / 10)
    }
}

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
}

/// One client's leases on the shared pool (see the module doc).
pub struct SlotKeeper {
    pool: Arc<dyn SlotPool>,
    holder: String,
    settings: KeeperSettings,
    held: Mutex<Held>,
    returned: tokio::sync::Notify,
    pub stats: KeeperStats,
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
        let started = Instant::now();
        let give_up = started + wait.min(self.settings.max_wait);
        let mut queued: Option<i64> = None;
        let mut queue_until = 0i64;
        let got = loop {
            if let Some(lease) = self.take_idle() {
                if let Some(lease) = self.ready(lease).await? {
                    break Some(lease);
                }
                continue;
            }
            let (count, extra_due) = {
                let mut h = self.lock();
                let due = h
                    .last_extra
                    .is_none_or(|t| t.elapsed() >= self.settings.extra_every);
                if h.count > 0 && due {
                    h.last_extra = Some(Instant::now());
                }
                (h.count, due)
            };
            if count == 0 || extra_due {
                let until = now_ms() + ms(self.settings.lease);
                let take = self.pool.try_take(&self.holder, queued, until).await?;
                self.count(1, u64::from(take != Take::Busy));
                match take {
                    Take::Got(slot) => {
                        self.lock().count += 1;
                        let now = Instant::now();
                        break Some(Lease {
                            slot,
                            until_ms: until,
                            taken: now,
                            idle_since: now,
                        });
                    }
                    Take::Lost => continue,
                    Take::Busy => {}
                }
            }
            let now = Instant::now();
            if now >= give_up {
                break None;
            }
            if count > 0 {
                // Wait for one of our own leases to come back.
                let nap = (give_up - now).min(Duration::from_millis(50));
                let _ = tokio::time::timeout(nap, self.returned.notified()).await;
                continue;
            }
            let now_ms = now_ms();
            if queued.is_none() {
                queued = Some(now_ms);
            }
            // The queue entry lives 3 s and is rewritten only when it has
            // less than 1.5 s left, so a dead waiter leaves it quickly.
            if let (Some(since), true) = (queued, queue_until - now_ms < 1_500) {
                queue_until = now_ms + 3_000;
                self.pool.queue(&self.holder, since, queue_until).await?;
                self.count(0, 1);
            }
            let nap = Duration::from_millis(rand::thread_rng().gen_range(20..=60));
            tokio::time::sleep(nap.min(give_up.saturating_duration_since(Instant::now()))).await;
        };
        if queued.is_some() {
            self.pool.unqueue(&self.holder).await?;
            self.count(0, 1);
        }
        self.stats
            .waited_ms
            .fetch_add(started.elapsed().as_millis() as u64, Ordering::Relaxed);
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

    /// Returns a lease after a request: kept idle for the next one, or
    /// given back when it has been held past `max_hold`. Leases idle past
    /// their linger are given back too.
    pub async fn give_back(&self, mut lease: Lease) {
        let now = Instant::now();
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
            if now.duration_since(lease.taken) >= self.settings.max_hold {
                stale.push(lease);
            } else {
                lease.idle_since = now;
                h.idle.push(lease);
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
        let keep = self.settings.keep_across;
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

    fn view(free: &[u32], waiting: &[(&str, i64)]) -> PoolView {
        PoolView {
            free: free.to_vec(),
            waiting: waiting.iter().map(|(h, s)| (h.to_string(), *s)).collect(),
        }
    }

    #[test]
    fn the_oldest_waiter_is_served_first() {
        let v = view(&[3], &[("job", 100), ("writer", 200)]);
        assert_eq!(may_take(&v, "job", Some(100), 0), Some(3));
        assert_eq!(may_take(&v, "writer", Some(200), 0), None);
        // Not queued: every waiter is ahead.
        assert_eq!(may_take(&v, "console", None, 0), None);
        let v = view(&[1, 4], &[("job", 100)]);
        assert_eq!(may_take(&v, "writer", None, 1), Some(4));
        // Ties are broken by holder id, so exactly one of them goes first.
        let v = view(&[2], &[("a", 5), ("b", 5)]);
        assert_eq!(may_take(&v, "a", Some(5), 0), Some(2));
        assert_eq!(may_take(&v, "b", Some(5), 0), None);
    }

    #[test]
    fn nothing_free_nothing_taken() {
        assert_eq!(may_take(&view(&[], &[]), "w", None, 7), None);
        assert_eq!(may_take(&view(&[0], &[]), "w", None, 7), Some(0));
    }
}
