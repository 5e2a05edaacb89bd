//! What the scheduled jobs leave for a person, per shop, for the overview:
//! stock pushes TikTok refused in the latest inventory run, fulfilments
//! whose tracking waits for a carrier mapping (or was refused), and payout
//! statements held. Read from the job run log and the jobs' state, a few
//! queries per shop.

use super::OpsError;
use crate::domain::ShopId;
use crate::jobs::JobName;
use crate::payouts::state::PostStatus;
use crate::store::{JobRuns, RunStatus};

/// Lines kept per kind (the counts are whole).
pub const EXAMPLES: usize = 5;
/// Payout statements looked at per shop (newest first).
pub const STATEMENTS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopAttention {
    pub shop: ShopId,
    /// Stock pushes the latest inventory run had refused: "SKU …: reason".
    pub stock_refused: Vec<String>,
    pub stock_refused_count: usize,
    /// Fulfilments waiting for a carrier mapping: (ship method, count).
    pub tracking_waiting: Vec<(String, usize)>,
    pub tracking_waiting_count: usize,
    /// Fulfilments whose tracking TikTok refused (or that wait for
    /// another fix).
    pub tracking_other_count: usize,
    /// Held statements: (statement id, why).
    pub payouts_held: Vec<(String, String)>,
}

impl ShopAttention {
    pub fn is_clear(&self) -> bool {
        self.stock_refused_count == 0
            && self.tracking_waiting_count == 0
            && self.tracking_other_count == 0
            && self.payouts_held.is_empty()
    }
}

/// What the jobs leave for a person in one shop.
pub async fn attention(runs: &dyn JobRuns, shop: &ShopId) -> Result<ShopAttention, OpsError> {
    let mut a = ShopAttention {
        shop: shop.clone(),
        stock_refused: vec![],
        stock_refused_count: 0,
        tracking_waiting: vec![],
        tracking_waiting_count: 0,
        tracking_other_count: 0,
        payouts_held: vec![],
    };
    // The latest finished inventory run's refusals: older ones were
    // retried or are held with the same reason.
    let latest = runs
        .list_runs(JobName::Inventory.as_str(), shop, 3)
        .await?
        .into_iter()
        .find(|r| r.status != RunStatus::Running);
    if let Some(r) = latest {
        let refused: Vec<String> = r
            .failures
            .iter()
            .filter(|f| f.subject.starts_with("SKU") || f.subject.starts_with("product"))
            .map(|f| format!("{}: {}", f.subject, f.reason))
            .collect();
        a.stock_refused_count = refused.len();
        a.stock_refused = refused.into_iter().take(EXAMPLES).collect();
    }
    let mut methods = std::collections::BTreeMap::<String, usize>::new();
    for o in crate::tracking::state::load_open(runs, shop).await? {
        match o.needs_carrier {
            Some(m) => *methods.entry(m).or_default() += 1,
            None => a.tracking_other_count += 1,
        }
    }
    a.tracking_waiting_count = methods.values().sum();
    a.tracking_waiting = methods.into_iter().take(EXAMPLES).collect();
    for s in super::payouts::list(runs, shop, STATEMENTS).await? {
        if matches!(s.status, PostStatus::Held | PostStatus::Reversed) {
            a.payouts_held
                .push((s.statement_id.clone(), s.reason.clone().unwrap_or_default()));
        }
    }
    Ok(a)
}
