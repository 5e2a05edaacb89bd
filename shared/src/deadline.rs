//! How long the current message may still take.
//!
//! A Lambda invocation has a hard deadline; a message started too late, or a
//! retry loop that sleeps past it, gets the whole batch killed mid-write. The
//! writer runs each message inside [`within`] its own deadline, and the
//! NetSuite and TikTok transports read [`remaining`] before every attempt:
//! they shorten the request timeout to what is left and stop retrying when a
//! further attempt cannot finish in time (the message then fails retryably
//! and comes back from SQS).

use std::future::Future;
use std::time::{Duration, Instant};

tokio::task_local! {
    static DEADLINE: Instant;
}

/// The `Instant` of a deadline given in epoch milliseconds (the Lambda
/// context's `deadline`).
pub fn from_epoch_millis(deadline_ms: u64) -> Instant {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Instant::now() + Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// Runs `f` with `deadline` as the current message's deadline.
pub async fn within<F: Future>(deadline: Instant, f: F) -> F::Output {
    DEADLINE.scope(deadline, f).await
}

/// Time left before the current deadline; `None` outside [`within`].
pub fn remaining() -> Option<Duration> {
    DEADLINE
        .try_with(|d| d.saturating_duration_since(Instant::now()))
        .ok()
}

/// The timeout of one attempt: the configured one, cut to what is left.
pub fn attempt_timeout(configured: Duration) -> Duration {
    remaining().map_or(configured, |r| configured.min(r))
}

/// Whether another attempt (after `backoff`) still has `min_attempt` to run.
pub fn allows_retry(backoff: Duration, min_attempt: Duration) -> bool {
    remaining().is_none_or(|r| r > backoff + min_attempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn remaining_is_scoped_to_the_message() {
        assert_eq!(remaining(), None);
        assert!(allows_retry(
            Duration::from_secs(100),
            Duration::from_secs(1)
        ));
        let end = Instant::now() + Duration::from_secs(5);
        within(end, async {
            let r = remaining().expect("inside");
            assert!(r <= Duration::from_secs(5) && r > Duration::from_secs(4));
            assert!(attempt_timeout(Duration::from_secs(1)) == Duration::from_secs(1));
            assert!(!allows_retry(
                Duration::from_secs(4),
                Duration::from_secs(2)
            ));
            assert!(allows_retry(
                Duration::from_millis(100),
                Duration::from_secs(1)
            ));
        })
        .await;
    }
}
