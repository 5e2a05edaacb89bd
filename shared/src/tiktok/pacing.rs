//! Client-side pacing under TikTok's rate limit: "50 QPS per API", counted
//! per (app, shop) (tiktok-shop-api.md §4, rate-limits page
//! 64f1991d64ed2e0295f3d2c0). Going over answers 429 / 36009002, which the
//! transport retries with backoff; a job that sends thousands of calls
//! paces itself instead, so it never leans on the limit (and leaves room
//! for the writer and the other jobs calling the same shop).
//!
//! A [`Pacer`] hands out start times at least `1 / qps` apart, shared by
//! every task of a run (concurrent calls queue for their slot).

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// TikTok's documented default limit per API, shop and app.
pub const TIKTOK_QPS_PER_API: u32 = 50;

/// Start times at least `interval` apart.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// At most `qps` starts a second (at least 1).
    pub fn per_second(qps: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / qps.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for this call's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_rate() {
        let p = Pacer::per_second(40);
        let start = Instant::now();
        for _ in 0..41 {
            p.wait().await;
        }
        // 41 starts at 25 ms spacing: the last one 1 s after the first.
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
    }
}
