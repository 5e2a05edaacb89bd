//! How a client keeps its leases on the shared NetSuite slot pool
//! ([`KeeperSettings`]), and the keeper's decisions as plain functions:
//! what to do with a lease when its request ends ([`after_request`]) and
//! how long a waiter sleeps before it reads the pool again ([`poll_nap`]).

use std::time::Duration;

/// How a client keeps its leases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeeperSettings {
    /// Lease time: a dead holder's slot comes back after at most this.
    pub lease: Duration,
    /// A lease must have this much left when a request starts (the request
    /// timeout plus a margin); else it is renewed first.
    pub min_left: Duration,
    /// An idle lease is kept this long for the next request of this client,
    /// when nobody else waits for a slot.
    pub linger: Duration,
    /// At the end of an invocation, leases are kept this long for the next
    /// one (shortened, not deleted) when nobody else waits; zero: deleted.
    pub keep_across: Duration,
    /// A lease held longer than this goes back to the pool when another
    /// holder waits, even if a request of this client wants it next.
    pub max_hold: Duration,
    /// Longest wait for a slot when the caller has no deadline.
    pub max_wait: Duration,
    /// Fewest time between two tries for an extra slot.
    pub extra_every: Duration,
}

impl KeeperSettings {
    /// The writer: a lease goes from one of its requests to the next while
    /// they are ready back to back, and lingers when nobody else waits.
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

/// What to do with a lease whose request has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRequest {
    /// A request of this client waits for a slot now: hand it over (no
    /// DynamoDB call).
    HandOver,
    /// Read the pool's queue: give the lease back if another holder waits,
    /// else keep it idle for the linger.
    AskPool,
    /// Give it back now.
    GiveBack,
}

/// The decision after a request: a lease goes straight to this client's
/// next ready request while it has been held less than `max_hold`; with
/// nothing ready (or held too long) it stays only if nobody else waits, so a
/// slot never sits idle in one invocation while another function or
/// invocation queues for it. Clients without a linger (jobs, the console)
/// give every lease back at once.
pub fn after_request(s: &KeeperSettings, local_waiting: bool, held_for: Duration) -> AfterRequest {
    if s.linger.is_zero() {
        AfterRequest::GiveBack
    } else if local_waiting && held_for < s.max_hold {
        AfterRequest::HandOver
    } else {
        AfterRequest::AskPool
    }
}

/// How long a waiter with `ahead` waiters before it sleeps before reading
/// the pool again: the next in line reads often (a freed slot idles at
/// most ~15 ms before it takes it), those further back less, so the pool's
/// reads stay bounded however many wait.
pub fn poll_nap(ahead: usize) -> Duration {
    let ms = match ahead {
        0 => 15,
        n => (50 * (n as u64 + 1)).min(250),
    };
    Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_goes_to_the_next_ready_request_of_its_client_without_a_pool_call() {
        let s = KeeperSettings::writer(Duration::from_secs(50));
        let a = after_request(&s, true, Duration::from_millis(1_200));
        assert_eq!(a, AfterRequest::HandOver);
        // Nothing ready here: the pool decides (another holder waits: back).
        let a = after_request(&s, false, Duration::from_millis(1_200));
        assert_eq!(a, AfterRequest::AskPool);
        // Held past max_hold: others get their turn even if more is ready.
        let a = after_request(&s, true, Duration::from_secs(6));
        assert_eq!(a, AfterRequest::AskPool);
    }

    #[test]
    fn jobs_and_the_console_give_every_lease_back() {
        for s in [
            KeeperSettings::job(Duration::from_secs(50)),
            KeeperSettings::console(Duration::from_secs(50)),
        ] {
            assert_eq!(
                after_request(&s, true, Duration::ZERO),
                AfterRequest::GiveBack
            );
            assert_eq!(
                after_request(&s, false, Duration::ZERO),
                AfterRequest::GiveBack
            );
        }
    }

    #[test]
    fn the_next_in_line_polls_most_often_and_nobody_polls_slower_than_250_ms() {
        assert_eq!(poll_nap(0), Duration::from_millis(15));
        assert_eq!(poll_nap(1), Duration::from_millis(100));
        assert!(poll_nap(2) > poll_nap(1));
        assert_eq!(poll_nap(50), Duration::from_millis(250));
    }
}
