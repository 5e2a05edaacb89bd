//! The inventory push: NetSuite is master, TikTok is told only what changed.
//!
//! Per shop with an `inventory` mapping, each run:
//! 1. **SKU map.** Which TikTok product/SKU each seller SKU is, with its
//!    warehouses, from Search Products (all pages); kept in the job's state
//!    and refreshed daily ([`SKU_MAP_TTL_SECS`]).
//! 2. **Stock.** `quantityavailable` per item and mapped location
//!    ([`super::read`]).
//! 3. **Links.** A TikTok SKU is a NetSuite item by its SKU link (read with
//!    the daily SKU map, 100 per BatchGetItem), else by the item whose
//!    `itemid` is the seller SKU; bundles come from the mapping.
//! 4. **Pending.** Units of TikTok orders unpaid, on hold or awaiting
//!    shipment that have no Sales Order yet are subtracted (Get Order List +
//!    order log).
//! 5. **Plan** ([`super::plan::plan`]) against the last-pushed
//!    snapshot; **daily reconcile**: the snapshot is first replaced by what
//!    TikTok holds (Inventory Search), so edits made in Seller Center are
//!    corrected by the diff.
//! 6. **Push** one Update Inventory call per product chunk. Transient SKU
//!    failures are retried in the run (twice); data/config and state
//!    failures (a promotion lock) are reported once with their fix and held:
//!    not sent again until NetSuite's quantity for that SKU changes. Every
//!    TikTok API the job calls in bulk (Search Products, Inventory Search,
//!    Search Orders, Update Inventory) is paced under TikTok's QPS limit
//!    (`tiktok_qps`, each API on its own pacer, as TikTok counts them). Only
//!    SKUs TikTok accepted enter the snapshot, which is saved as the run
//!    goes, so a run that dies resumes from what was really pushed.
//!
//! Memory (issue 11): a catalogue of 100,000 SKUs is held once, in the
//! state; the stock is integers ([`super::read::Stock`]), the
//! linked SKUs borrow from the SKU map, the planner reads the snapshot in
//! place, and pages from TikTok are folded in as they come.

use std::borrow::Cow;
use std::collections::BTreeMap;

use async_trait::async_trait;

use super::plan::{plan_changes, LinkedSku, PlanInput, SkuLink};
use crate::clock::Clock;
use crate::domain::{NetSuiteItemId, NetSuiteLocationId, ShopId, Sku, SkuId};
use crate::jobs::run::{JobError, Progress, ShopJob};
use crate::jobs::JobName;
use crate::mapping::config::{InventoryConfig, MappingConfig};
use crate::netsuite::NetSuiteClient;
use crate::store::{JobRun, JobRuns, LeaseState, OrderLog, RunFailure, SkuLinks};
use crate::tiktok::inventory::{InventoryErrorClass, UpdateInventoryRequest, MAX_SEARCH_SKU_IDS};
use crate::tiktok::pacing::Pacer;
use crate::tiktok::products::{ProductFilter, SkuLocation, SkuLocator};
use crate::tiktok::ShopSessions;

/// The SKU map is rebuilt from Search Products once a day.
pub const SKU_MAP_TTL_SECS: i64 = 24 * 3600;
/// The snapshot is re-read from TikTok once a day.
pub const RECONCILE_EVERY_SECS: i64 = 24 * 3600;
/// In-run retries of a transiently failed request.
const TRANSIENT_RETRIES: u32 = 2;

pub use super::read::{read_stock, stock_query, Stock, STOCK_SLICE_ROWS};
pub use super::state::{load_state, save_state, InventoryState, Quantities, Saved, STATE_BUCKETS};

/// Links TikTok SKUs to what they sell: a bundle from the mapping, else the
/// SKU link, else the item whose `itemid` is the seller SKU. SKUs that match
/// nothing are returned apart (reported, never pushed). The linked SKUs
/// borrow their ids from `located`.
pub fn link_skus<'a>(
    located: &'a [SkuLocation],
    cfg: &InventoryConfig,
    links: &BTreeMap<String, NetSuiteItemId>,
    stock: &Stock,
) -> (Vec<LinkedSku<'a>>, Vec<Sku>) {
    let mut linked = Vec::new();
    let mut unlinked = Vec::new();
    for l in located {
        let sku = l.seller_sku.as_str();
        let link = if let Some(parts) = cfg.bundles.get(sku) {
            Some(SkuLink::Bundle(parts.clone()))
        } else {
            links
                .get(sku)
                .cloned()
                .or_else(|| stock.item_by_itemid(sku))
                .map(SkuLink::Item)
        };
        match link {
            Some(link) => linked.push(LinkedSku {
                sku_id: Cow::Borrowed(&l.sku_id),
                product_id: Cow::Borrowed(&l.product_id),
                warehouses: Cow::Borrowed(&l.warehouses),
                link,
            }),
            None => unlinked.push(l.seller_sku.clone()),
        }
    }
    (linked, unlinked)
}

/// The quantities a request sends for one SKU.
fn sent_quantities(s: &crate::tiktok::inventory::SkuInventory) -> Quantities {
    s.inventory
        .iter()
        .map(|w| (w.warehouse_id.clone(), w.quantity))
        .collect()
}

/// Drops the SKUs of `req` that are held with exactly the quantities it
/// would send again.
pub fn without_held(
    req: &UpdateInventoryRequest,
    held: &BTreeMap<SkuId, Quantities>,
) -> (UpdateInventoryRequest, usize) {
    let mut out = req.clone();
    let before = out.skus.len();
    out.skus
        .retain(|s| held.get(&s.id) != Some(&sent_quantities(s)));
    let dropped = before - out.skus.len();
    (out, dropped)
}

/// The inventory job over the shop's clients and the job's state.
pub struct InventoryPush<'a> {
    pub shops: &'a ShopSessions,
    pub netsuite: &'a NetSuiteClient,
    pub links: &'a dyn SkuLinks,
    pub log: &'a dyn OrderLog,
    pub runs: &'a dyn JobRuns,
    pub mapping: &'a MappingConfig,
    pub clock: &'a dyn Clock,
}

/// Product calls between two saves of the pushed snapshot: a run that dies
/// re-sends at most this many calls' SKUs (quantities are set, not added).
const SAVE_EVERY_CALLS: usize = 50;

impl InventoryPush<'_> {
    /// The SKU map from Search Products, page by page (paced), with the SKU
    /// links read alongside (100 per call), not per run.
    async fn refresh_sku_map(
        &self,
        shop: &ShopId,
        cfg: &InventoryConfig,
        st: &mut InventoryState,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        // The old map is not needed while the new one is read.
        st.sku_map = Vec::new();
        let pace = Pacer::per_second(cfg.tiktok_qps);
        let mut locator = SkuLocator::default();
        self.shops
            .search_products_paged(shop, &ProductFilter::default(), Some(&pace), |page| {
                locator.add(&page)
            })
            .await
            .map_err(|e| JobError::Other(format!("Search Products: {e}")))?;
        let (found, problems) = locator.finish();
        for p in problems {
            run.failures.push(RunFailure {
                subject: "SKU map".into(),
                reason: p.to_string(),
                fix: "Make seller SKUs unique and filled in Seller Center.".into(),
            });
        }
        st.sku_map = found;
        let skus: Vec<Sku> = st.sku_map.iter().map(|l| l.seller_sku.clone()).collect();
        st.links = self
            .links
            .get_many(shop, &skus)
            .await?
            .into_iter()
            .map(|(sku, l)| (sku.as_str().to_string(), NetSuiteItemId::new(l.item_id)))
            .collect();
        Ok(())
    }

    /// What TikTok holds for `skus` (Inventory Search, 600 a call, paced),
    /// folded in per page.
    async fn held_by_tiktok(
        &self,
        shop: &ShopId,
        cfg: &InventoryConfig,
        skus: &[LinkedSku<'_>],
    ) -> Result<BTreeMap<SkuId, Quantities>, JobError> {
        let pace = Pacer::per_second(cfg.tiktok_qps);
        let client = self.shops.client();
        let mut actual: BTreeMap<SkuId, Quantities> = BTreeMap::new();
        for chunk in skus.chunks(MAX_SEARCH_SKU_IDS) {
            let ids: Vec<SkuId> = chunk.iter().map(|l| SkuId::clone(&l.sku_id)).collect();
            let ids = &ids;
            pace.wait().await;
            let page = self
                .shops
                .call_with_refresh(shop, |auth| async move {
                    client.inventory_search_skus(&auth, ids).await
                })
                .await?;
            for p in page {
                for s in p.skus {
                    let fresh = s
                        .warehouse_inventory
                        .into_iter()
                        .map(|w| (w.warehouse_id, w.available_quantity));
                    // A SKU listed twice keeps both lists, the later
                    // quantity winning per warehouse (as map inserts).
                    let q = match actual.remove(&s.id) {
                        Some(before) => before
                            .iter()
                            .map(|(w, q)| (w.clone(), q))
                            .chain(fresh)
                            .collect(),
                        None => fresh.collect(),
                    };
                    actual.insert(s.id, q);
                }
            }
        }
        Ok(actual)
    }

    /// Units of open TikTok orders that have no Sales Order yet, per SKU:
    /// TikTok already holds them as *committed* while NetSuite still counts
    /// them available (notes §2.3), UNPAID orders included (TikTok reserves
    /// stock at order placement).
    async fn pending(
        &self,
        shop: &ShopId,
        cfg: &InventoryConfig,
    ) -> Result<BTreeMap<SkuId, i64>, JobError> {
        let (days, pace) = (cfg.pending_lookback_days, Pacer::per_second(cfg.tiktok_qps));
        let now = self.clock.now();
        let from = now - i64::from(days) * 86_400;
        let client = self.shops.client();
        let mut out: BTreeMap<SkuId, i64> = BTreeMap::new();
        for status in ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"] {
            let mut token: Option<String> = None;
            loop {
                let t = token.clone();
                pace.wait().await;
                let page = self
                    .shops
                    .call_with_refresh(shop, |auth| {
                        let t = t.clone();
                        async move {
                            client
                                .search_orders(
                                    &auth,
                                    from,
                                    now + 1,
                                    Some(status),
                                    100,
                                    t.as_deref(),
                                )
                                .await
                        }
                    })
                    .await?;
                for o in &page.orders {
                    let written = self
                        .log
                        .get(shop, &o.id)
                        .await?
                        .is_some_and(|e| e.netsuite_id.is_some());
                    if written {
                        continue;
                    }
                    for u in &o.line_items {
                        if let Some(s) = &u.sku_id {
                            *out.entry(s.clone()).or_default() += 1;
                        }
                    }
                }
                match page.next_page_token {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl ShopJob for InventoryPush<'_> {
    fn name(&self) -> JobName {
        JobName::Inventory
    }

    async fn run(
        &self,
        shop: &ShopId,
        _start: &LeaseState,
        progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let now = self.clock.now();
        let Some(cfg) = self
            .mapping
            .for_shop(shop)
            .ok()
            .and_then(|m| m.inventory.clone())
        else {
            run.note = "inventory push is not configured for this shop (mapping: inventory)".into();
            return Ok(now.to_string());
        };
        let (mut st, mut saved) = load_state(self.runs, shop).await?;

        // 1. SKU map, daily.
        if st.sku_map.is_empty() || now - st.sku_map_at >= SKU_MAP_TTL_SECS {
            self.refresh_sku_map(shop, &cfg, &mut st, run).await?;
            st.sku_map_at = now;
            run.count("sku_map_refreshed", 1);
        }

        // 2–4. Stock, links, pending units.
        let locations: Vec<NetSuiteLocationId> =
            cfg.push.location_warehouses.keys().cloned().collect();
        let stock = read_stock(self.netsuite, &locations).await?;
        run.count("stock_rows", stock.rows() as u64);
        let (linked, unlinked) = link_skus(&st.sku_map, &cfg, &st.links, &stock);
        // Fulfilled-by-TikTok warehouses are TikTok's count, never pushed.
        let fbt_ids = (self.mapping.for_shop(shop).ok())
            .and_then(|m| m.fbt.as_ref())
            .map(|f| f.warehouse_ids.clone())
            .unwrap_or_default();
        let linked = super::fbt::without_fbt_warehouses(linked, &fbt_ids);
        run.count("skus_managed", linked.len() as u64);
        run.count("skus_unlinked", unlinked.len() as u64);
        let pending = self.pending(shop, &cfg).await?;

        // 5. Daily reconcile with what TikTok holds.
        if now - st.reconciled_at >= RECONCILE_EVERY_SECS && !linked.is_empty() {
            let actual = self.held_by_tiktok(shop, &cfg, &linked).await?;
            let drifted = actual
                .iter()
                .filter(|(s, ws)| st.pushed.get(*s) != Some(*ws))
                .count();
            run.count("reconcile_drifted_skus", drifted as u64);
            st.pushed = actual;
            st.held.clear();
            st.reconciled_at = now;
        }

        let p = plan_changes(PlanInput {
            settings: &cfg.push,
            skus: &linked,
            available: &stock,
            pending_units: &pending,
            last_pushed: &st.pushed,
        });
        for w in &p.warnings {
            run.failures.push(RunFailure {
                subject: "plan".into(),
                reason: w.to_string(),
                fix: "See the reason.".into(),
            });
        }
        run.count("skus_unchanged", p.unchanged_skus as u64);

        // Held SKUs the push no longer manages are forgotten.
        {
            let mut managed: Vec<&SkuId> = linked.iter().map(|l| &*l.sku_id).collect();
            managed.sort_unstable();
            st.held.retain(|s, _| managed.binary_search(&s).is_ok());
        }
        // The requests own what the push needs from here.
        drop(linked);
        drop(stock);

        // 6. Push.
        let mut written = 0;
        let pace = Pacer::per_second(cfg.tiktok_qps);
        for (n, req) in p.requests.iter().enumerate() {
            let (mut req, held) = without_held(req, &st.held);
            run.count("skus_held", held as u64);
            let mut attempt = 0;
            while !req.skus.is_empty() {
                attempt += 1;
                run.count("update_calls", 1);
                pace.wait().await;
                let outcome = match self.shops.update_inventory(shop, &req).await {
                    Ok(o) => o,
                    Err(e)
                        if e.class() == InventoryErrorClass::Transient
                            && attempt <= TRANSIENT_RETRIES =>
                    {
                        continue
                    }
                    Err(e) => {
                        run.failures.push(RunFailure {
                            subject: format!("product {}", req.product_id),
                            reason: e.to_string(),
                            fix: "Retried at the next run; if it repeats, check the product in Seller Center.".into(),
                        });
                        break;
                    }
                };
                let mut retry = Vec::new();
                for r in &outcome.results {
                    let sent = req.skus.iter().find(|s| s.id == r.sku_id);
                    let quantities = sent.map(sent_quantities).unwrap_or_default();
                    match r.class() {
                        None => {
                            run.count("skus_pushed", 1);
                            st.held.remove(&r.sku_id);
                            st.pushed.insert(r.sku_id.clone(), quantities);
                        }
                        Some(InventoryErrorClass::Transient) if attempt <= TRANSIENT_RETRIES => {
                            if let Some(s) = sent {
                                retry.push(s.clone());
                            }
                        }
                        Some(class) => {
                            run.count("skus_failed", 1);
                            let first = match &r.outcome {
                                crate::tiktok::inventory::SkuOutcome::Failed(errs) => {
                                    errs.first().cloned()
                                }
                                crate::tiktok::inventory::SkuOutcome::Updated => None,
                            };
                            run.failures.push(RunFailure {
                                subject: format!("SKU {}", r.sku_id),
                                reason: first.as_ref().map_or_else(
                                    || format!("{class:?}"),
                                    |e| format!("{} ({})", e.message, e.code),
                                ),
                                fix: first
                                    .map_or("Check the SKU in Seller Center.", |e| {
                                        crate::tiktok::inventory::fix_for(e.code)
                                    })
                                    .into(),
                            });
                            if class != InventoryErrorClass::Transient {
                                st.held.insert(r.sku_id.clone(), quantities);
                            }
                        }
                    }
                }
                req.skus = retry;
            }
            if (n + 1) % SAVE_EVERY_CALLS == 0 {
                written += save_state(self.runs, shop, &st, &mut saved).await?;
                progress
                    .commit(&format!("{{\"product\":\"{}\"}}", req.product_id))
                    .await?;
            }
        }
        // Every save of the run counts, not only this last one.
        written += save_state(self.runs, shop, &st, &mut saved).await?;
        run.count("state_items_written", written as u64);
        if !unlinked.is_empty() {
            run.findings.push(format!(
                "{} TikTok SKU(s) match no NetSuite item with stock in the mapped locations and are not pushed (link them, or give a kit a `bundles` entry), e.g. {}",
                unlinked.len(),
                unlinked
                    .iter()
                    .take(5)
                    .map(Sku::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(now.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ProductId, WarehouseId};
    use crate::stock::plan::BundleComponent;
    use crate::tiktok::inventory::{SkuInventory, WarehouseQuantity};
    use crate::tiktok::products::ProductStatus;

    fn located(sku: &str, id: &str) -> SkuLocation {
        SkuLocation {
            seller_sku: Sku::new(sku),
            product_id: ProductId::new("P1"),
            sku_id: SkuId::new(id),
            product_status: ProductStatus::Activate,
            warehouses: vec![WarehouseId::new("W1")],
        }
    }

    #[test]
    fn skus_link_by_bundle_then_link_then_itemid_and_the_rest_are_reported() {
        let mut cfg: InventoryConfig = serde_json::from_value(serde_json::json!({
            "location_warehouses": {"1": "W1"}
        }))
        .unwrap();
        cfg.bundles.insert(
            "KIT".into(),
            vec![BundleComponent {
                item: NetSuiteItemId::new("101"),
                units_per_bundle: 2,
            }],
        );
        let mut stock = Stock::default();
        stock.insert("101", "TENT", "1", 0);
        stock.insert("150", "LEGACY", "1", 0);
        stock.finish();
        let links = BTreeMap::from([("LEGACY".to_string(), NetSuiteItemId::new("102"))]);
        let map = [
            located("KIT", "s1"),
            located("LEGACY", "s2"),
            located("TENT", "s3"),
            located("NONE", "s4"),
        ];
        let (linked, unlinked) = link_skus(&map, &cfg, &links, &stock);
        assert!(matches!(&linked[0].link, SkuLink::Bundle(c) if c[0].units_per_bundle == 2));
        assert_eq!(
            linked[1].link,
            SkuLink::Item(NetSuiteItemId::new("102")),
            "the SKU link wins over itemid"
        );
        assert_eq!(linked[2].link, SkuLink::Item(NetSuiteItemId::new("101")));
        assert_eq!(unlinked, vec![Sku::new("NONE")]);
        assert_eq!(cfg.pending_lookback_days, 3);
    }

    #[test]
    fn a_held_sku_is_not_sent_again_until_its_quantity_changes() {
        let sku = |id: &str, q: i64| SkuInventory {
            id: SkuId::new(id),
            inventory: vec![WarehouseQuantity {
                warehouse_id: WarehouseId::new("W1"),
                quantity: q,
            }],
        };
        let req = UpdateInventoryRequest {
            product_id: ProductId::new("P1"),
            skus: vec![sku("a", 5), sku("b", 7)],
        };
        let held = BTreeMap::from([(
            SkuId::new("a"),
            Quantities::from_iter([(WarehouseId::new("W1"), 5)]),
        )]);
        let (out, dropped) = without_held(&req, &held);
        assert_eq!((out.skus.len(), dropped), (1, 1));
        let changed = UpdateInventoryRequest {
            skus: vec![sku("a", 4)],
            ..req
        };
        assert_eq!(without_held(&changed, &held).1, 0, "a new quantity is sent");
        assert_eq!(held[&SkuId::new("a")].get(&WarehouseId::new("W1")), Some(5));
    }
}
