//! The tracking push: NetSuite ships, TikTok learns the tracking number.
//!
//! Per shop, each run (finance-inventory-fulfilment.md §3, §4):
//! 1. **Open fulfilments** an earlier run left waiting (a carrier mapping,
//!    a transient failure) are read again from NetSuite by id, unless they
//!    wait for a ship method the carrier table still does not map (then
//!    nothing is called: they are only counted).
//! 2. **Shipped fulfilments** (status C) modified since the watermark, less
//!    a small overlap, are read in keyset pages of 1,000 with their Sales
//!    Order, tracking numbers (every package), ship method and fulfilled
//!    lines (`tracking::read`). Only this shop's Sales Orders
//!    (`externalId` `tts-{shop}-{order}`) are kept.
//! 3. Fulfilments already pushed with the same tracking list (the pushed
//!    store, read 100 at a time) are skipped without calling TikTok. For
//!    the rest: the TikTok orders (Get Order Detail, 50 a call), each Sales
//!    Order's lines and which TikTok units each carries (the writer's
//!    grouping matched by item and rate), Get Shipping Providers per
//!    delivery option (once per run), then the planner
//!    (`tracking::plan::plan`) decides and `tracking::ship` sends:
//!    Mark Package As Shipped (US/UK/EU/JP) or Ship Package, "already
//!    shipped" read against the order (same tracking: done; another: one
//!    correction by Update Shipping Info), corrections once.
//! 4. Each pushed fulfilment is recorded in the pushed store as soon as
//!    TikTok took it (so it is pushed once) and on the order log
//!    (shipped + tracking). Waiting and failed ones go to the run log with
//!    their fix and stay open (job state) for the next run and the digest.
//!
//! The place read is committed after each page (the checkpoint a failed run
//! resumes from); a finished run's watermark is the last fulfilment's
//! `lastmodifieddate` as NetSuite rendered it, so only the first run uses
//! this machine's clock (`lookback` before now, UTC). Calls to TikTok are
//! paced under its QPS limit (`tiktok::pacing`), orders shipped
//! concurrently (one order's fulfilments in sequence).

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::plan::{CarrierTable, PushKey};
use super::read::{self as read, Cursor, Header, Shipped, IN_LIST_MAX};
use super::state::{close_open, load_open, OpenFulfilment};
use crate::clock::Clock;
pub use crate::config::TrackingSettings;
use crate::domain::{NetSuiteFulfillmentId, ShopId};
use crate::jobs::run::{JobError, Progress, ShopJob};
use crate::jobs::JobName;
use crate::mapping::config::MappingConfig;
use crate::netsuite::{NetSuiteClient, SUITEQL_MAX_LIMIT};
use crate::store::{JobRun, JobRuns, LeaseState, OrderLog, PushedFulfilments, SkuLinks};
use crate::tiktok::pacing::Pacer;
use crate::tiktok::ShopSessions;

/// The tracking job over the shop's clients and stores.
pub struct TrackingPush<'a> {
    pub shops: &'a ShopSessions,
    pub netsuite: &'a NetSuiteClient,
    pub links: &'a dyn SkuLinks,
    pub log: &'a dyn OrderLog,
    pub runs: &'a dyn JobRuns,
    pub pushed: &'a dyn PushedFulfilments,
    pub mapping: &'a MappingConfig,
    pub clock: &'a dyn Clock,
    pub settings: TrackingSettings,
}

/// What one run works with for its shop.
pub(super) struct Ctx<'r> {
    pub shop: &'r ShopId,
    pub cfg: &'r crate::mapping::config::ShopMapping,
    pub carriers: CarrierTable,
    pub region: String,
    pub ship: Pacer,
    pub orders: Pacer,
    /// Fulfilments this run already handled (or counted as waiting): a
    /// fulfilment both open and in the overlap is looked at once.
    pub handled: std::sync::Mutex<BTreeSet<NetSuiteFulfillmentId>>,
    /// Fulfilments whose sample cost this run already looked at.
    pub costed: std::sync::Mutex<BTreeSet<NetSuiteFulfillmentId>>,
}

impl Ctx<'_> {
    /// Marks `id` handled; false when it already was.
    pub fn first_time(&self, id: &NetSuiteFulfillmentId) -> bool {
        self.handled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone())
    }

    /// Marks `id`'s sample cost looked at; false when it already was.
    pub fn first_cost(&self, id: &NetSuiteFulfillmentId) -> bool {
        self.costed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone())
    }
}

fn ns_err(what: &str) -> impl Fn(crate::netsuite::NsError) -> JobError + '_ {
    move |e| JobError::Other(format!("NetSuite {what} query: {e}"))
}

impl TrackingPush<'_> {
    /// The shop's market (`region` of Get Authorized Shops), which decides
    /// the ship call (§3.1).
    async fn region(&self, shop: &ShopId) -> Result<String, JobError> {
        let client = self.shops.client();
        let shops = self
            .shops
            .call_with_refresh(shop, |auth| async move {
                client.get_authorized_shops(&auth.access_token).await
            })
            .await?;
        shops
            .into_iter()
            .find(|s| s.id == *shop)
            .map(|s| s.region)
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                JobError::Other(format!(
                    "TikTok's authorized shops do not include shop {shop} with a region; reconnect the shop"
                ))
            })
    }

    /// One page of headers after `c` (module doc of `read`).
    async fn next_headers(&self, c: &Cursor) -> Result<Vec<Header>, JobError> {
        let parse = |rows: Vec<Map<String, Value>>| -> Vec<Header> {
            rows.iter().filter_map(read::header).collect()
        };
        if let Some(q) = read::same_second_query(c) {
            let page = self
                .netsuite
                .suiteql_page(&q, SUITEQL_MAX_LIMIT, 0)
                .await
                .map_err(ns_err("fulfilment"))?;
            if !page.items.is_empty() {
                return Ok(parse(page.items));
            }
        }
        let page = self
            .netsuite
            .suiteql_page(&read::later_query(c), SUITEQL_MAX_LIMIT, 0)
            .await
            .map_err(ns_err("fulfilment"))?;
        Ok(parse(page.items))
    }

    /// All rows of a query over `ids`, `IN` lists of at most 1,000.
    pub(super) async fn rows_for<T: Clone>(
        &self,
        ids: &[T],
        query: impl Fn(&[T]) -> String,
        what: &str,
    ) -> Result<Vec<Map<String, Value>>, JobError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            out.extend(
                self.netsuite
                    .suiteql(&query(chunk))
                    .await
                    .map_err(ns_err(what))?,
            );
        }
        Ok(out)
    }

    /// Headers → this shop's fulfilments with tracking and lines.
    async fn details(
        &self,
        ctx: &Ctx<'_>,
        headers: &[Header],
        run: &mut JobRun,
    ) -> Result<Vec<Shipped>, JobError> {
        let ids: Vec<NetSuiteFulfillmentId> = headers
            .iter()
            .map(|h| NetSuiteFulfillmentId::new(h.id.to_string()))
            .collect();
        let tracking = self
            .rows_for(&ids, read::tracking_query, "tracking number")
            .await?;
        let lines = self
            .rows_for(&ids, read::lines_query, "fulfilment line")
            .await?;
        let (shipped, other) = read::assemble(
            headers,
            &tracking,
            &lines,
            &ctx.cfg.external_id_prefix,
            ctx.shop,
        );
        run.count("fulfilments_read", headers.len() as u64);
        run.count("not_this_shops", other as u64);
        self.sample_costs(ctx, &shipped, run).await?;
        Ok(shipped)
    }

    /// Open fulfilments to look at again: read fresh by id; the ones
    /// NetSuite no longer shows shipped (or that are another shop's now)
    /// are closed.
    async fn reread_open(
        &self,
        ctx: &Ctx<'_>,
        open: &mut BTreeMap<NetSuiteFulfillmentId, OpenFulfilment>,
        run: &mut JobRun,
    ) -> Result<Vec<Shipped>, JobError> {
        let mut ids = Vec::new();
        for o in open.values() {
            let unmapped = o
                .needs_carrier
                .as_deref()
                .is_some_and(|m| ctx.carriers.provider_name(m).is_none());
            if o.retry && !unmapped {
                ids.push(o.shipped.fulfilment.id.clone());
            } else if ctx.first_time(&o.shipped.fulfilment.id) {
                run.count(if unmapped { "waiting" } else { "held" }, 1);
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let headers: Vec<Header> = self
            .rows_for(&ids, read::by_id_query, "open fulfilment")
            .await?
            .iter()
            .filter_map(read::header)
            .collect();
        let shipped = self.details(ctx, &headers, run).await?;
        let found: BTreeSet<&NetSuiteFulfillmentId> =
            shipped.iter().map(|s| &s.fulfilment.id).collect();
        for id in ids.iter().filter(|i| !found.contains(i)) {
            close_open(self.runs, ctx.shop, id).await?;
            open.remove(id);
            run.count("closed_not_shipped", 1);
        }
        Ok(shipped)
    }
}

/// Where a run starts: its checkpoint, else the watermark less the
/// overlap, else `lookback` before `now`.
pub fn start_cursor(start: &LeaseState, now: i64, s: &TrackingSettings) -> Cursor {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|c| serde_json::from_str::<Cursor>(c).ok())
    };
    if let Some(c) = parse(&start.checkpoint) {
        return c;
    }
    parse(&start.watermark)
        .and_then(|w| Cursor::back(&w.modified, s.overlap_secs))
        .unwrap_or_else(|| Cursor::since(now, s.lookback_secs))
}

fn to_text(c: &Cursor) -> Result<String, JobError> {
    serde_json::to_string(c).map_err(|e| JobError::Other(e.to_string()))
}

#[async_trait]
impl ShopJob for TrackingPush<'_> {
    fn name(&self) -> JobName {
        JobName::Tracking
    }

    async fn run(
        &self,
        shop: &ShopId,
        start: &LeaseState,
        progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let mut cursor = start_cursor(start, self.clock.now(), &self.settings);
        let cfg = match self.mapping.for_shop(shop) {
            Ok(c) => c,
            Err(f) => {
                run.note = format!("not pushed: {}", f.reason);
                return to_text(&cursor);
            }
        };
        let ctx = Ctx {
            shop,
            cfg,
            carriers: cfg.tracking.clone().unwrap_or_default().carriers,
            region: self.region(shop).await?,
            ship: Pacer::per_second(self.settings.ship_qps),
            orders: Pacer::per_second(self.settings.order_qps),
            handled: Default::default(),
            costed: Default::default(),
        };
        run.note = format!(
            "market {}; fulfilments modified from {}",
            ctx.region, cursor.modified
        );
        let mut open: BTreeMap<NetSuiteFulfillmentId, OpenFulfilment> = load_open(self.runs, shop)
            .await?
            .into_iter()
            .map(|o| (o.shipped.fulfilment.id.clone(), o))
            .collect();

        // 1. What earlier runs left open (and sample costs left waiting).
        self.pending_sample_costs(&ctx, run).await?;
        let again = self.reread_open(&ctx, &mut open, run).await?;
        self.process(&ctx, again, &mut open, run).await?;

        // 2. Shipped since the watermark, page by page.
        loop {
            let headers = self.next_headers(&cursor).await?;
            let Some(last) = headers.last() else { break };
            let next = Cursor {
                modified: last.modified.clone(),
                after_id: Some(last.id),
            };
            let shipped = self.details(&ctx, &headers, run).await?;
            self.process(&ctx, shipped, &mut open, run).await?;
            run.count("pages", 1);
            cursor = next;
            progress.commit(&to_text(&cursor)?).await?;
        }
        to_text(&cursor)
    }
}

impl TrackingPush<'_> {
    /// Skips what is pushed already (or refused with the same tracking),
    /// ships the rest (`ship`), and records each outcome.
    async fn process(
        &self,
        ctx: &Ctx<'_>,
        shipped: Vec<Shipped>,
        open: &mut BTreeMap<NetSuiteFulfillmentId, OpenFulfilment>,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        if shipped.is_empty() {
            return Ok(());
        }
        let ids: Vec<NetSuiteFulfillmentId> =
            shipped.iter().map(|s| s.fulfilment.id.clone()).collect();
        let pushed = self.pushed.get_many(ctx.shop, &ids).await?;
        let mut todo = Vec::new();
        for s in shipped {
            let id = &s.fulfilment.id;
            if !ctx.first_time(id) {
                continue;
            }
            let key = PushKey::of(&s.fulfilment);
            if pushed.get(id).is_some_and(|p| p.pushed.key == key) {
                run.count("already_pushed", 1);
                if open.remove(id).is_some() {
                    close_open(self.runs, ctx.shop, id).await?;
                }
                continue;
            }
            if let Some(o) = open.get(id).filter(|o| o.key == key) {
                let unmapped = o
                    .needs_carrier
                    .as_deref()
                    .is_some_and(|m| ctx.carriers.provider_name(m).is_none());
                if unmapped {
                    run.count("waiting", 1);
                    continue;
                }
                if !o.retry {
                    run.count("held", 1);
                    continue;
                }
            }
            todo.push(s);
        }
        let outcomes = self.ship_all(ctx, todo, &pushed).await?;
        for (s, done) in outcomes {
            self.record(ctx, s, done, open, run).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_starts_at_its_checkpoint_else_the_watermark_less_the_overlap() {
        let s = TrackingSettings::default();
        let cp = Cursor {
            modified: "2026-01-02 03:04:05".into(),
            after_id: Some(9),
        };
        let start = LeaseState {
            checkpoint: Some(serde_json::to_string(&cp).unwrap()),
            watermark: Some(r#"{"modified":"2026-01-01 00:00:00","after_id":3}"#.into()),
        };
        assert_eq!(start_cursor(&start, 0, &s), cp);
        let start = LeaseState {
            checkpoint: None,
            ..start
        };
        assert_eq!(
            start_cursor(&start, 0, &s),
            Cursor {
                modified: "2025-12-31 23:58:00".into(),
                after_id: None
            }
        );
        let first = start_cursor(&LeaseState::default(), 86_400 * 2, &s);
        assert_eq!(first.modified, "1970-01-02 00:00:00");
    }
}
