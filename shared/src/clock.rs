//! The one way this crate reads the time: a [`Clock`] passed in.
//!
//! Flows, stores and clients take a clock rather than calling the system
//! time themselves, so a test can pin "now" (token expiry, TTLs, order log
//! timestamps) and every part of one invocation agrees on it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Current time in epoch seconds.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// A clock that says what it is told (tests, replays).
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(t: i64) -> Self {
        Self(AtomicI64::new(t))
    }

    pub fn set(&self, t: i64) {
        self.0.store(t, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The system clock as a shareable handle.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::at(10);
        assert_eq!(c.now(), 10);
        c.set(20);
        assert_eq!(c.now(), 20);
        assert!(SystemClock.now() > 1_700_000_000);
    }
}
