//! The overview: what the log looks like in the last day and week, in a
//! bounded number of index queries (never a scan). Counts stop at a cap and
//! say so; the chart and the counts share their reads.

use std::collections::BTreeMap;

use super::OpsError;
use crate::domain::ShopId;
use crate::store::order_index::IndexQuery;
use crate::store::shop_directory::ShopStatus;
use crate::store::{DynamoOrderLog, SyncStatus};
use crate::taxonomy::ErrorCode;

/// Pages (1 MB each) one count may read before it reports "at least".
pub const MAX_PAGES: usize = 3;
pub const DAY: i64 = 86_400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub status: SyncStatus,
    pub last_24h: u64,
    pub last_7d: u64,
    /// The count stopped at the cap: the true number is higher.
    pub capped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeCount {
    pub code: ErrorCode,
    pub count: u64,
    /// The fix the newest order with this code carries.
    pub fix: String,
}

/// One hour of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hour {
    pub start: i64,
    pub orders: u64,
    pub failures: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopActivity {
    pub shop: ShopStatus,
    /// When the newest order event of this shop was recorded.
    pub last_event: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub counts: Vec<StatusCount>,
    pub top_codes: Vec<CodeCount>,
    pub hours: Vec<Hour>,
    pub shops: Vec<ShopActivity>,
}

/// Buckets times into the 24 hours before `now` (oldest first).
pub fn hourly(now: i64, orders: &[i64], failures: &[i64]) -> Vec<Hour> {
    let end = now - now.rem_euclid(3600) + 3600;
    let start = end - 24 * 3600;
    let mut hours: Vec<Hour> = (0..24)
        .map(|i| Hour {
            start: start + i * 3600,
            orders: 0,
            failures: 0,
        })
        .collect();
    let idx = |t: i64| (t >= start && t < end).then(|| ((t - start) / 3600) as usize);
    for t in orders {
        if let Some(i) = idx(*t) {
            hours[i].orders += 1;
        }
    }
    for t in failures {
        if let Some(i) = idx(*t) {
            hours[i].failures += 1;
        }
    }
    hours
}

/// Counts codes, most frequent first (ties by code), at most `n`.
pub fn top(codes: impl IntoIterator<Item = String>, n: usize) -> Vec<(String, u64)> {
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for c in codes {
        *m.entry(c).or_default() += 1;
    }
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// Builds the overview.
pub async fn overview(
    log: &DynamoOrderLog,
    shops: Vec<ShopStatus>,
    now: i64,
) -> Result<Overview, OpsError> {
    let week = now - 7 * DAY;
    let day = now - DAY;
    let mut out = Overview::default();
    let mut failure_times = Vec::new();
    let mut failure_codes = Vec::new();
    for status in SyncStatus::ALL {
        let q = IndexQuery {
            index: "by-status",
            key_attr: "sync_status",
            key: status.as_str().to_string(),
        };
        let failing = matches!(status, SyncStatus::Failed | SyncStatus::NeedsReview);
        let (times, capped) = log
            .times(&q, week, failing.then_some("fail_code"), MAX_PAGES)
            .await?;
        if failing {
            failure_times.extend(times.iter().map(|(t, _)| *t));
            failure_codes.extend(times.iter().filter_map(|(_, c)| c.clone()));
        }
        out.counts.push(StatusCount {
            status: status.clone(),
            last_24h: times.iter().filter(|(t, _)| *t >= day).count() as u64,
            last_7d: times.len() as u64,
            capped,
        });
    }
    let all = IndexQuery {
        index: "by-kind",
        key_attr: "kind",
        key: "order".into(),
    };
    let (orders, _) = log.times(&all, day, None, MAX_PAGES).await?;
    let order_times: Vec<i64> = orders.into_iter().map(|(t, _)| t).collect();
    out.hours = hourly(now, &order_times, &failure_times);
    for (code, count) in top(failure_codes, 5) {
        let filter = crate::store::LogFilter {
            code: Some(code.clone()),
            ..Default::default()
        };
        let newest = log.query_page(&filter, None, 1).await?;
        out.top_codes.push(CodeCount {
            code: ErrorCode::parse(&code),
            count,
            fix: newest
                .entries
                .first()
                .and_then(|e| e.last_failure.as_ref().map(|f| f.fix.clone()))
                .unwrap_or_default(),
        });
    }
    for shop in shops {
        let last = log.latest_of_shop(&shop.shop_id).await?;
        out.shops.push(ShopActivity {
            shop,
            last_event: last.map(|e| e.last_updated),
        });
    }
    Ok(out)
}

/// The shop filter's value, when given.
pub fn shop_param(v: Option<&str>) -> Option<ShopId> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(ShopId::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_top_codes() {
        let now = 10 * 3600 + 5;
        let h = hourly(now, &[now, now - 3600, 0], &[now]);
        assert_eq!(h.len(), 24);
        assert_eq!((h[23].orders, h[23].failures), (1, 1));
        assert_eq!(h[22].orders, 1);
        let t = top(["B".into(), "A".into(), "B".into()], 5);
        assert_eq!(t, vec![("B".into(), 2), ("A".into(), 1)]);
    }
}
