//! The port of the shared NetSuite slot pool ([`SlotPool`], stored in
//! DynamoDB by `store::netsuite_slots`) and who may take a free slot
//! ([`may_take`]): the oldest waiter first.

use async_trait::async_trait;

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
    let ahead = waiters_ahead(view, holder, queued_since);
    (view.free.len() > ahead).then(|| view.free[pick % view.free.len()])
}

/// How many waiters are ahead of `holder` (all other waiters if it is not
/// queued; those that queued earlier if it is, ties by holder id).
pub fn waiters_ahead(view: &PoolView, holder: &str, queued_since: Option<i64>) -> usize {
    view.waiting
        .iter()
        .filter(|(h, since)| {
            h != holder
                && queued_since
                    .is_none_or(|mine| *since < mine || (*since == mine && h.as_str() < holder))
        })
        .count()
}

/// How an attempt to take a slot ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    Got(u32),
    /// No slot for this holder now (all held, or `ahead` waiters before it).
    Busy {
        ahead: usize,
    },
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
    /// Whether a holder other than `holder` waits in the queue now.
    async fn others_waiting(&self, holder: &str) -> Result<bool, SlotError>;
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
