//! The NetSuite concurrency budget: one concept every caller of NetSuite
//! shares (the writer today, the scheduled jobs next).
//!
//! A NetSuite account allows a fixed number of concurrent REST requests
//! (5 on a standard account), shared with every other integration. The
//! merchant gives this product a share of it (`NETSUITE_CONCURRENCY_LIMIT`).
//! Each Lambda invocation has its own client and semaphore, so the share is
//! divided over the invocations that may run at once: the writer's event
//! source `MaximumConcurrency` (`WRITER_MAX_CONCURRENCY`, the same template
//! parameter). At peak, invocations × permits each ≤ the share.

/// The integration's share of the account limit, and how many invocations
/// may hold a part of it at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetSuiteBudget {
    /// Requests this integration may have in flight across all invocations.
    pub account_share: usize,
    /// Invocations that may run at once (the event source's maximum concurrency).
    pub concurrent_invocations: usize,
}

impl NetSuiteBudget {
    /// NetSuite request slots for one invocation: the share divided over the
    /// concurrent invocations, at least one.
    pub fn per_invocation(&self) -> usize {
        (self.account_share / self.concurrent_invocations.max(1)).max(1)
    }

    /// The most requests that can be in flight at peak with this split.
    pub fn peak(&self) -> usize {
        self.per_invocation() * self.concurrent_invocations.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_never_exceeds_the_share() {
        for share in 1..=12 {
            for inv in 1..=share {
                let b = NetSuiteBudget {
                    account_share: share,
                    concurrent_invocations: inv,
                };
                assert!(b.per_invocation() >= 1);
                assert!(b.peak() <= share, "{b:?}");
            }
        }
        let b = NetSuiteBudget {
            account_share: 5,
            concurrent_invocations: 2,
        };
        assert_eq!((b.per_invocation(), b.peak()), (2, 4));
    }
}
