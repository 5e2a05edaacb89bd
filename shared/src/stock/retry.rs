//! Refused SKUs are retried, with backoff, until TikTok holds the right
//! number (issue 27, item 5).
//!
//! A SKU TikTok refused (a promotion lock, an appeal, a mapping fault) keeps
//! TikTok's old quantity, which may be higher than NetSuite's: a wrong
//! number standing. The job used to hold it "until the quantity changes",
//! so a lock that lifted left the old number for good. Now each refusal is
//! recorded with the run's time and a count; the SKU is sent again once
//! [`backoff_secs`] has passed (doubling per consecutive refusal, capped at
//! [`MAX_BACKOFF_SECS`]), or at once when NetSuite's quantity changes. It
//! leaves the list only when TikTok accepts it, and every run lists the
//! SKUs still refused (the drift digest reads them from the latest run).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::SkuId;

/// The longest wait between two tries of a refused SKU.
pub const MAX_BACKOFF_SECS: i64 = 24 * 3600;
/// Default first wait (mapping `inventory.refused_retry_secs`): one run
/// interval of the schedule (15 minutes).
pub const DEFAULT_FIRST_RETRY_SECS: i64 = 15 * 60;
/// Refused SKUs named one by one in a run's failures; the rest are counted.
pub const LISTED_REFUSED: usize = 50;

/// One refused SKU: why, how often in a row, and when it is tried again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Consecutive refusals (≥ 1).
    pub attempts: u32,
    /// Unix seconds of the last refusal.
    pub refused_at: i64,
    /// Not sent again (with the same quantities) before this time.
    pub retry_at: i64,
    /// TikTok's reason and code, for the run log.
    pub reason: String,
    /// What to do about it.
    pub fix: String,
}

/// The wait after the `attempts`-th consecutive refusal: `first`, doubled
/// each time, at most [`MAX_BACKOFF_SECS`]. A `first` of 0 retries at
/// every run.
pub fn backoff_secs(first: i64, attempts: u32) -> i64 {
    let first = first.max(0);
    let doublings = attempts.saturating_sub(1).min(20);
    first
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_SECS.max(first))
}

/// Records a refusal of `sku` at `now` (one more in a row).
pub fn refuse(
    refused: &mut BTreeMap<SkuId, Refusal>,
    sku: &SkuId,
    now: i64,
    first_retry_secs: i64,
    reason: String,
    fix: String,
) {
    let attempts = refused.get(sku).map_or(0, |r| r.attempts).saturating_add(1);
    refused.insert(
        sku.clone(),
        Refusal {
            attempts,
            refused_at: now,
            retry_at: now.saturating_add(backoff_secs(first_retry_secs, attempts)),
            reason,
            fix,
        },
    );
}

/// Whether a refused SKU may be sent again at `now` with the quantities
/// it was refused with. A SKU held without a record (state written before
/// retries existed) is due.
pub fn is_due(refused: &BTreeMap<SkuId, Refusal>, sku: &SkuId, now: i64) -> bool {
    refused.get(sku).is_none_or(|r| now >= r.retry_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(900, 1), 900);
        assert_eq!(backoff_secs(900, 2), 1_800);
        assert_eq!(backoff_secs(900, 3), 3_600);
        assert_eq!(backoff_secs(900, 40), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(0, 5), 0, "0 retries at every run");
    }

    #[test]
    fn a_refused_sku_is_due_again_after_its_backoff() {
        let mut r = BTreeMap::new();
        let s = SkuId::new("a");
        assert!(is_due(&r, &s, 0), "no record: due");
        refuse(&mut r, &s, 1_000, 900, "locked".into(), "wait".into());
        assert!(!is_due(&r, &s, 1_899));
        assert!(is_due(&r, &s, 1_900));
        refuse(&mut r, &s, 1_900, 900, "locked".into(), "wait".into());
        assert_eq!(r[&s].attempts, 2);
        assert!(!is_due(&r, &s, 3_699));
        assert!(is_due(&r, &s, 3_700));
    }
}
