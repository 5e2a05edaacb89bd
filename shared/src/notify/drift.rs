//! The daily drift digest: one email that tells the admins what is drifting
//! without their asking: orders that failed and are still open (by code,
//! with the fix), orders the missed-order sweep had to recover (a webhook
//! that is not arriving), and job runs that failed. Sent every day, also
//! when all is clear, so a missing digest is itself a signal.
//!
//! Collecting is one [`ShopJob`] run per shop (so it has a run log and a
//! lease like every job); rendering is a plain function with a test.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::clock::Clock;
use crate::domain::ShopId;
use crate::jobs::run::{JobError, Progress, ShopJob};
use crate::jobs::JobName;
use crate::store::shop_profiles::REFRESH_WARNING_SECS;
use crate::store::{
    JobRun, JobRuns, LeaseState, LogFilter, OrderLog, RunStatus, ShopProfile, ShopProfiles,
    SyncStatus,
};

/// How far back the digest looks at job runs.
pub const DIGEST_WINDOW_SECS: i64 = 24 * 3600;

/// What one shop contributes to the digest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShopDrift {
    pub shop: String,
    /// Open failures by code: (count, the fix of the latest one).
    pub failed_by_code: BTreeMap<String, (usize, String)>,
    pub needs_review: usize,
    /// Up to five failed orders, newest first: "order: reason".
    pub examples: Vec<String>,
    /// Orders the sweep recovered in the window (one line each).
    pub recovered: Vec<String>,
    /// Job runs that failed in the window: "job run id: reason".
    pub failed_runs: Vec<String>,
    /// Stock pushes TikTok refused in the latest inventory run: "SKU: reason (fix)".
    pub stock_failures: Vec<String>,
    /// Fulfilments whose tracking is not in TikTok yet: waiting for a
    /// carrier mapping (or another fix) or refused, each with its fix.
    pub tracking_open: Vec<String>,
    /// The shop's authorization: disconnected by the seller, ending soon
    /// (webhook 7), or a refresh token expiring within 14 days.
    pub authorization: Vec<String>,
    /// The latest daily FBT stock check: each difference between TikTok's
    /// FBT stock and NetSuite's FBT location, or why it was skipped.
    pub fbt_stock: Vec<String>,
    /// Returns waiting for a person and decisions made (issue 28).
    pub returns: Vec<String>,
}

impl ShopDrift {
    fn is_clear(&self) -> bool {
        self.failed_by_code.is_empty()
            && self.needs_review == 0
            && self.recovered.is_empty()
            && self.failed_runs.is_empty()
            && self.stock_failures.is_empty()
            && self.tracking_open.is_empty()
            && self.authorization.is_empty()
            && self.fbt_stock.is_empty()
            && self.returns.is_empty()
    }
}

/// Subject and plain-text body of the digest.
pub fn render(shops: &[ShopDrift]) -> (String, String) {
    use crate::domain::shell_quote;
    let failed: usize = shops
        .iter()
        .map(|s| s.failed_by_code.values().map(|(n, _)| n).sum::<usize>())
        .sum();
    let review: usize = shops.iter().map(|s| s.needs_review).sum();
    let recovered: usize = shops.iter().map(|s| s.recovered.len()).sum();
    let runs: usize = shops.iter().map(|s| s.failed_runs.len()).sum();
    let stock: usize = shops.iter().map(|s| s.stock_failures.len()).sum();
    if shops.iter().all(ShopDrift::is_clear) {
        return (
            "TikTok → NetSuite daily digest: all clear".into(),
            format!(
                "No open failures, nothing needing review, no missed webhooks and no failed job runs in {} shop(s).\n",
                shops.len()
            ),
        );
    }
    let mut subject = format!(
        "TikTok → NetSuite daily digest: {failed} failed, {review} to review, {recovered} recovered by the sweep, {stock} stock push(es) refused, {runs} failed job run(s)"
    );
    let fbt: usize = shops.iter().map(|s| s.fbt_stock.len()).sum();
    if fbt > 0 {
        subject.push_str(&format!(", {fbt} FBT stock finding(s)"));
    }
    let to_connect = shops.iter().filter(|s| !s.authorization.is_empty()).count();
    if to_connect > 0 {
        subject.push_str(&format!(", {to_connect} shop(s) to connect again"));
    }
    let mut body = String::new();
    for s in shops.iter().filter(|s| !s.is_clear()) {
        body.push_str(&format!("Shop {}\n", s.shop));
        if !s.authorization.is_empty() {
            body.push_str("  Authorization (connect the shop again: console → Shops → Connect a shop, or `tiktok-netsuite shops authorize-url`):\n");
            for a in &s.authorization {
                body.push_str(&format!("    {a}\n"));
            }
        }
        if !s.failed_by_code.is_empty() {
            body.push_str("  Orders failed and still open:\n");
            for (code, (n, fix)) in &s.failed_by_code {
                body.push_str(&format!("  - {code}: {n} (fix: {fix})\n"));
            }
            for e in &s.examples {
                body.push_str(&format!("    e.g. {e}\n"));
            }
        }
        if s.needs_review > 0 {
            body.push_str(&format!(
                "  Orders needing review: {} (`tiktok-netsuite orders exceptions --shop {}`)\n",
                s.needs_review,
                shell_quote(&s.shop)
            ));
        }
        if !s.recovered.is_empty() {
            body.push_str(&format!(
                "  Orders the sweep recovered (their webhook never came; check the shop's subscription with `tiktok-netsuite webhooks status --shop {}`): {}\n",
                shell_quote(&s.shop),
                s.recovered.len()
            ));
            for r in s.recovered.iter().take(10) {
                body.push_str(&format!("    {r}\n"));
            }
        }
        if !s.stock_failures.is_empty() {
            body.push_str("  Stock pushes TikTok refused (latest inventory run):\n");
            for f in s.stock_failures.iter().take(20) {
                body.push_str(&format!("    {f}\n"));
            }
        }
        if !s.tracking_open.is_empty() {
            body.push_str(&format!(
                "  Fulfilments whose tracking is not in TikTok yet (waiting for a carrier mapping or refused; `tiktok-netsuite tracking status --shop {}`): {}\n",
                shell_quote(&s.shop),
                s.tracking_open.len()
            ));
            for f in s.tracking_open.iter().take(20) {
                body.push_str(&format!("    {f}\n"));
            }
        }
        if !s.fbt_stock.is_empty() {
            body.push_str("  Fulfilled by TikTok stock (latest daily check; TikTok's FBT count against NetSuite's FBT location):\n");
            for f in s.fbt_stock.iter().take(50) {
                body.push_str(&format!("    {f}\n"));
            }
        }
        if !s.returns.is_empty() {
            body.push_str("  Returns:\n");
            for r in &s.returns {
                body.push_str(&format!("    {r}\n"));
            }
        }
        if !s.failed_runs.is_empty() {
            body.push_str("  Job runs that failed (`tiktok-netsuite jobs show <id>`):\n");
            for r in &s.failed_runs {
                body.push_str(&format!("    {r}\n"));
            }
        }
        body.push('\n');
    }
    body.push_str("Resubmit fixed orders with `tiktok-netsuite orders resubmit`; `tiktok-netsuite orders list --status failed` lists them all.\n");
    (subject, body)
}

/// The FBT check's findings of one inventory run (differences, or why it
/// was skipped), without their prefixes.
fn fbt_findings(r: &JobRun) -> Vec<String> {
    use crate::jobs::findings::{FBT_CHECK_SKIPPED, FBT_DIFFERENCE};
    (r.findings.iter())
        .filter_map(|f| {
            (f.strip_prefix(FBT_DIFFERENCE))
                .map(str::to_string)
                .or_else(|| f.starts_with(FBT_CHECK_SKIPPED).then(|| f.clone()))
        })
        .collect()
}

fn date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// What the admins must hear about a shop's authorization: a deauthorization
/// (webhook 6), an authorization TikTok says is ending (webhook 7), and a
/// refresh token that expires within 14 days or has expired.
pub fn authorization_warnings(
    now: i64,
    refresh_expires_at: Option<i64>,
    disconnected_since: Option<i64>,
    profile: Option<&ShopProfile>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = disconnected_since.or(profile.and_then(|p| p.disconnected_at)) {
        out.push(format!(
            "the seller disconnected the app at {}: the shop's orders wait (SHOP_DISCONNECTED) until it is connected again, then resubmit them",
            date(t)
        ));
        return out;
    }
    if let Some(t) = profile.and_then(|p| p.authorization_expires_at) {
        out.push(format!(
            "TikTok says the authorization ends at {}: connect the shop again before then",
            date(t)
        ));
    }
    match refresh_expires_at {
        Some(t) if t <= now => out.push(format!(
            "the refresh token expired at {}: orders cannot be read until the shop is connected again",
            date(t)
        )),
        Some(t) if t - now < REFRESH_WARNING_SECS => out.push(format!(
            "the refresh token expires at {} (in {} day(s)): connect the shop again before then",
            date(t),
            (t - now) / 86_400
        )),
        _ => {}
    }
    out
}

/// Collects each shop's drift; the caller renders and sends once for all.
pub struct DriftDigest<'a> {
    pub log: &'a dyn OrderLog,
    pub runs: &'a dyn JobRuns,
    /// For the refresh-token expiry, a deauthorization and webhook 7's
    /// authorization end, read without a token (`None`: not checked).
    pub profiles: Option<&'a dyn ShopProfiles>,
    pub clock: &'a dyn Clock,
    pub collected: Mutex<Vec<ShopDrift>>,
    /// The returns store, for the returns lines (`None`: not counted).
    pub returns: Option<&'a dyn crate::store::returns::ReturnsStore>,
}

impl DriftDigest<'_> {
    pub fn take(&self) -> Vec<ShopDrift> {
        std::mem::take(&mut *self.collected.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait]
impl ShopJob for DriftDigest<'_> {
    fn name(&self) -> JobName {
        JobName::Digest
    }

    async fn run(
        &self,
        shop: &ShopId,
        _start: &LeaseState,
        _progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let now = self.clock.now();
        let mut d = ShopDrift {
            shop: shop.to_string(),
            ..Default::default()
        };
        let entries = self
            .log
            .list(&LogFilter {
                shop_id: Some(shop.clone()),
                ..Default::default()
            })
            .await?;
        for e in &entries {
            match e.sync_status {
                SyncStatus::Failed => {
                    if let Some(f) = &e.last_failure {
                        let slot = d
                            .failed_by_code
                            .entry(f.code.as_str().to_string())
                            .or_insert((0, f.fix.clone()));
                        slot.0 += 1;
                        if d.examples.len() < 5 {
                            d.examples.push(format!("{}: {}", e.order_id, f.reason));
                        }
                    }
                }
                SyncStatus::NeedsReview => d.needs_review += 1,
                _ => {}
            }
        }
        let mut fbt_seen = false;
        for job in JobName::ALL.iter().filter(|j| **j != JobName::Digest) {
            for r in self.runs.list_runs(job.as_str(), shop, 200).await? {
                if r.started_at < now - DIGEST_WINDOW_SECS {
                    break;
                }
                if *job == JobName::Sweep {
                    d.recovered.extend(r.findings.iter().cloned());
                }
                // Only the latest inventory run's refusals: older ones were
                // retried or are held with the same reason.
                if *job == JobName::Inventory
                    && d.stock_failures.is_empty()
                    && r.status != RunStatus::Running
                {
                    d.stock_failures.extend(
                        r.failures
                            .iter()
                            .filter(|f| {
                                f.subject.starts_with("SKU") || f.subject.starts_with("product")
                            })
                            .map(|f| format!("{}: {} (fix: {})", f.subject, f.reason, f.fix)),
                    );
                }
                // Only the latest run that did the daily FBT check.
                if *job == JobName::Inventory && !fbt_seen {
                    d.fbt_stock = fbt_findings(&r);
                    fbt_seen = !d.fbt_stock.is_empty()
                        || r.counts
                            .contains_key(crate::jobs::findings::FBT_CHECKED_COUNT);
                }
                if r.status == RunStatus::Failed {
                    let why = r.failures.first().map_or("", |f| f.reason.as_str());
                    d.failed_runs.push(format!("{}: {why}", r.id()));
                }
            }
        }
        run.count(
            "orders_failed",
            d.failed_by_code.values().map(|(n, _)| *n as u64).sum(),
        );
        run.count("orders_needing_review", d.needs_review as u64);
        run.count("orders_recovered", d.recovered.len() as u64);
        run.count("job_runs_failed", d.failed_runs.len() as u64);
        run.count("stock_pushes_refused", d.stock_failures.len() as u64);
        d.tracking_open = crate::tracking::state::load_open(self.runs, shop)
            .await?
            .iter()
            .map(crate::tracking::state::describe)
            .collect();
        run.count("fulfilments_open", d.tracking_open.len() as u64);
        let status = match self.profiles {
            Some(p) => p.token_standing(shop).await?,
            None => None,
        };
        let profile = match self.profiles {
            Some(p) => p.get_many(std::slice::from_ref(shop)).await?.remove(shop),
            None => None,
        };
        d.authorization = authorization_warnings(
            now,
            status.map(|(refresh, _)| refresh),
            status.and_then(|(_, since)| since),
            profile.as_ref(),
        );
        run.count("authorization_warnings", d.authorization.len() as u64);
        run.count("fbt_stock_differences", d.fbt_stock.len() as u64);
        if let Some(store) = self.returns {
            let states = store.list(shop).await?;
            d.returns = super::returns_digest::returns_lines(&states, now, DIGEST_WINDOW_SECS);
            run.count(
                "returns_waiting",
                states.iter().filter(|s| s.queued.is_some()).count() as u64,
            );
        }
        self.collected
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(d);
        Ok(now.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_day_says_so_and_a_drifting_one_names_each_problem_and_fix() {
        let clear = vec![ShopDrift {
            shop: "s1".into(),
            ..Default::default()
        }];
        let (subject, body) = render(&clear);
        assert!(subject.ends_with("all clear") && body.contains("1 shop(s)"));

        let mut d = ShopDrift {
            shop: "s1".into(),
            needs_review: 1,
            recovered: vec!["order 9: never seen (TikTok status AWAITING_SHIPMENT)".into()],
            failed_runs: vec!["sweep:s1:1#a: TikTok: boom".into()],
            ..Default::default()
        };
        d.failed_by_code
            .insert("MISSING_SKU".into(), (2, "Set a seller SKU".into()));
        d.examples.push("7: TikTok SKU is empty".into());
        let (subject, body) = render(&[d, clear[0].clone()]);
        assert_eq!(
            subject,
            "TikTok → NetSuite daily digest: 2 failed, 1 to review, 1 recovered by the sweep, 0 stock push(es) refused, 1 failed job run(s)"
        );
        for want in [
            "MISSING_SKU: 2 (fix: Set a seller SKU)",
            "e.g. 7: TikTok SKU is empty",
            "Orders needing review: 1",
            "order 9: never seen",
            "sweep:s1:1#a: TikTok: boom",
        ] {
            assert!(body.contains(want), "{want} missing from:\n{body}");
        }
        assert!(
            !body.contains("Shop s1\n\nShop"),
            "clear shops are left out"
        );
    }

    /// Every command the digest suggests carries the shop id as one quoted
    /// shell word: a crafted id stays text when an operator pastes it.
    #[test]
    fn no_suggested_command_carries_an_unquoted_shop_id() {
        let hostile = "1; touch /tmp/pwned #'$(id)";
        let d = ShopDrift {
            shop: hostile.into(),
            needs_review: 1,
            recovered: vec!["order 9: never seen".into()],
            tracking_open: vec!["fulfilment 5 (order 9): waiting".into()],
            ..Default::default()
        };
        let (_, body) = render(&[d]);
        let commands: Vec<&str> = body
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|c| c.contains("--shop"))
            .collect();
        assert_eq!(commands.len(), 3, "{body}");
        let quoted = crate::domain::shell_quote(hostile);
        for c in commands {
            let arg = c.split_once("--shop ").map(|(_, a)| a);
            assert_eq!(arg, Some(quoted.as_str()), "unquoted shop id in `{c}`");
        }
    }

    #[test]
    fn refresh_tokens_warn_fourteen_days_ahead_and_a_disconnection_says_so() {
        let day = 86_400;
        let now = 1_800_000_000;
        assert!(authorization_warnings(now, Some(now + 15 * day), None, None).is_empty());
        let w = authorization_warnings(now, Some(now + 13 * day + 5), None, None);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("in 13 day(s)"), "{w:?}");
        assert!(authorization_warnings(now, Some(now - 1), None, None)[0].contains("expired"));
        let gone = authorization_warnings(now, Some(now + 99 * day), Some(now - day), None);
        assert!(gone[0].contains("disconnected") && gone[0].contains("SHOP_DISCONNECTED"));
        let d = ShopDrift {
            shop: "s1".into(),
            authorization: w,
            ..Default::default()
        };
        let (subject, body) = render(&[d]);
        assert!(subject.ends_with("1 shop(s) to connect again"), "{subject}");
        assert!(
            body.contains("Connect a shop") && body.contains("in 13 day(s)"),
            "{body}"
        );
    }

    #[test]
    fn fulfilments_waiting_for_a_carrier_mapping_are_listed_with_their_fix() {
        let d = ShopDrift {
            shop: "s1".into(),
            tracking_open: vec!["fulfilment 5 (order 9): needs carrier mapping: ship method 'UPS Ground' (fix: Add ship method 'UPS Ground' to the shop's carrier table)".into()],
            ..Default::default()
        };
        let (subject, body) = render(&[d]);
        assert!(!subject.ends_with("all clear"), "{subject}");
        assert!(
            body.contains("Fulfilments whose tracking is not in TikTok yet"),
            "{body}"
        );
        assert!(body.contains("fix: Add ship method 'UPS Ground'"), "{body}");
    }

    #[test]
    fn fbt_stock_differences_have_their_own_section_and_count() {
        let d = ShopDrift {
            shop: "s1".into(),
            fbt_stock: vec!["SKU TENT (TikTok SKU 1): TikTok's FBT warehouses hold 9 available, NetSuite's FBT location 12 (difference -3)".into()],
            ..Default::default()
        };
        let (subject, body) = render(&[d]);
        assert!(subject.ends_with(", 1 FBT stock finding(s)"), "{subject}");
        assert!(
            body.contains("Fulfilled by TikTok stock") && body.contains("difference -3"),
            "{body}"
        );
    }
}
