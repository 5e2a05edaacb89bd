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
//!    order log), off the order's own `warehouse_id` when it names one.
//! 5. **Plan** ([`super::plan::plan`]) against the last-pushed
//!    snapshot; **daily reconcile**: the snapshot is first replaced by what
//!    TikTok holds (Inventory Search), so edits made in Seller Center are
//!    corrected by the diff.
//! 0. **Table check.** The shop's location → warehouse table is checked
//!    against Get Warehouse List ([`super::warehouses`]): an unknown or
//!    non-sales warehouse fails the run, naming the field and the id, and
//!    nothing is pushed. A shop the mapping does not list fails the run.
//! 6. **Push** one Update Inventory call per product chunk. Transient SKU
//!    failures are retried in the run (twice); data/config and state
//!    failures (a promotion lock) are reported with their fix and retried at
//!    later runs with backoff ([`super::retry`]), or at once when NetSuite's
//!    quantity changes, until TikTok accepts them; every run lists the
//!    refused SKUs still waiting (the drift digest reads them). Every
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
use crate::tiktok::inventory::{InventoryErrorClass, UpdateInventoryRequest};
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

/// A shop the mapping does not know: the run fails and names the known ones.
fn unknown_shop(shop: &ShopId, mapping: &MappingConfig) -> JobError {
    let mut known: Vec<&str> = mapping.shops.keys().map(String::as_str).collect();
    known.sort_unstable();
    JobError::Other(format!(
        "unknown shop {shop}: it has no entry in MAPPING_CONFIG.shops (known: {}), so there is no stock push for it; check --shop",
        known.join(", ")
    ))
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
        let mut unmanaged = super::unmanaged::Unmanaged::default();
        for (product_id, sku_id) in locator.named_without_seller_sku.drain(..) {
            unmanaged.add(super::unmanaged::UnmanagedSku {
                sku_id,
                product_id,
                seller_sku: String::new(),
                why: super::unmanaged::UnmanagedWhy::NoSellerSku,
            });
        }
        // Counted beyond the named ones.
        let named = unmanaged.total();
        if let Some(n) = unmanaged
            .counts
            .get_mut(&super::unmanaged::UnmanagedWhy::NoSellerSku)
        {
            *n += locator.without_seller_sku.saturating_sub(named);
        }
        let (found, problems) = locator.finish();
        for p in problems {
            if let crate::tiktok::products::SkuLookupProblem::Ambiguous { sku, sku_ids } = &p {
                for id in sku_ids {
                    unmanaged.add(super::unmanaged::UnmanagedSku {
                        sku_id: id.clone(),
                        product_id: crate::domain::ProductId::new(""),
                        seller_sku: sku.as_str().to_string(),
                        why: super::unmanaged::UnmanagedWhy::AmbiguousSellerSku,
                    });
                }
            }
            run.failures.push(RunFailure {
                subject: "SKU map".into(),
                reason: p.to_string(),
                fix: "Make seller SKUs unique and filled in Seller Center.".into(),
            });
        }
        st.map_unmanaged = unmanaged;
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
        let cfg = match self.mapping.for_shop(shop) {
            // A shop the mapping does not list is an error, not a quiet
            // "succeeded" (issue 27): unless the default entry pushes stock.
            Ok(m) if self.mapping.shops.contains_key(shop.as_str()) || m.inventory.is_some() => {
                m.inventory.clone()
            }
            Ok(_) | Err(_) => return Err(unknown_shop(shop, self.mapping)),
        };
        let Some(cfg) = cfg else {
            run.note = "inventory push is not configured for this shop (mapping: inventory)".into();
            run.findings.push(run.note.clone());
            return Ok(now.to_string());
        };
        // 0. The location → warehouse table against Get Warehouse List:
        // nothing is sent on a wrong table.
        let warehouses = self.shops.get_warehouses(shop).await?;
        let problems = super::warehouses::check_mapping(&cfg.push, &warehouses);
        if !problems.is_empty() {
            for p in &problems {
                run.failures.push(RunFailure {
                    subject: "mapping".into(),
                    reason: p.to_string(),
                    fix: "Fix inventory.location_warehouses in the shop's mapping entry (sales warehouse ids from Get Warehouse List, `tiktok-netsuite doctor` lists them); nothing is pushed for this shop until then.".into(),
                });
            }
            return Err(JobError::Other(format!(
                "the shop's location → warehouse table names {} warehouse(s) TikTok would not take (see the mapping failures); nothing was pushed",
                problems.len()
            )));
        }
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
            st.refused.clear();
            st.reconciled_at = now;
            self.fbt_check(shop, &st, &stock, run).await;
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
            st.refused.retain(|s, _| st.held.contains_key(s));
        }
        // Every SKU not managed, with why (state and findings).
        st.unmanaged = st.map_unmanaged.clone();
        let mut unlinked_sorted: Vec<&Sku> = unlinked.iter().collect();
        unlinked_sorted.sort_unstable();
        for l in st
            .sku_map
            .iter()
            .filter(|l| unlinked_sorted.binary_search(&&l.seller_sku).is_ok())
        {
            st.unmanaged.add(super::unmanaged::UnmanagedSku {
                sku_id: l.sku_id.clone(),
                product_id: l.product_id.clone(),
                seller_sku: l.seller_sku.as_str().to_string(),
                why: super::unmanaged::UnmanagedWhy::NoNetSuiteItem,
            });
        }
        for w in &p.warnings {
            if let super::plan::PlanWarning::NoWarehouse { sku_id } = w {
                st.unmanaged.add(super::unmanaged::UnmanagedSku {
                    sku_id: sku_id.clone(),
                    product_id: crate::domain::ProductId::new(""),
                    seller_sku: String::new(),
                    why: super::unmanaged::UnmanagedWhy::NoWarehouse,
                });
            }
        }
        for (why, n) in &st.unmanaged.counts {
            run.count(&format!("skus_unmanaged_{}", why.as_str()), *n);
        }
        // The requests own what the push needs from here.
        drop(linked);
        drop(stock);

        // 6. Push.
        let mut written = 0;
        let mut refused_now: Vec<SkuId> = Vec::new();
        let pace = Pacer::per_second(cfg.tiktok_qps);
        // Refused SKUs whose backoff has passed are sent again with the
        // same quantities ([`super::retry`]); the others wait.
        let waiting: BTreeMap<SkuId, Quantities> = st
            .held
            .iter()
            .filter(|(s, _)| !super::retry::is_due(&st.refused, s, now))
            .map(|(s, q)| (s.clone(), q.clone()))
            .collect();
        run.count(
            "skus_refused_retried",
            (st.held.len() - waiting.len()) as u64,
        );
        let first_retry = cfg.refused_retry_secs;
        for (n, req) in p.requests.iter().enumerate() {
            let (mut req, held) = without_held(req, &waiting);
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
                            st.refused.remove(&r.sku_id);
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
                            let reason = first.as_ref().map_or_else(
                                || format!("{class:?}"),
                                |e| format!("{} ({})", e.message, e.code),
                            );
                            let fix: String = first
                                .map_or("Check the SKU in Seller Center.", |e| {
                                    crate::tiktok::inventory::fix_for(e.code)
                                })
                                .into();
                            // Every refusal is retried at later runs, with
                            // backoff, until TikTok holds the number.
                            super::retry::refuse(
                                &mut st.refused,
                                &r.sku_id,
                                now,
                                first_retry,
                                reason.clone(),
                                fix.clone(),
                            );
                            st.held.insert(r.sku_id.clone(), quantities);
                            refused_now.push(r.sku_id.clone());
                            run.failures.push(RunFailure {
                                subject: format!("SKU {}", r.sku_id),
                                reason,
                                fix,
                            });
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
        // Refused earlier and still waiting: TikTok shows another number
        // than NetSuite's, so the run (and the drift digest) lists them.
        refused_now.sort_unstable();
        let still: Vec<(&SkuId, &super::retry::Refusal)> = st
            .refused
            .iter()
            .filter(|(s, _)| refused_now.binary_search(s).is_err())
            .collect();
        run.count("skus_refused_waiting", still.len() as u64);
        for (sku, r) in still.iter().take(super::retry::LISTED_REFUSED) {
            run.failures.push(RunFailure {
                subject: format!("SKU {sku}"),
                reason: format!(
                    "TikTok refused the last push ({}, {} time(s) in a row) and still holds the old quantity; tried again at {} (unix time)",
                    r.reason, r.attempts, r.retry_at
                ),
                fix: r.fix.clone(),
            });
        }
        if still.len() > super::retry::LISTED_REFUSED {
            run.findings.push(format!(
                "{} more refused SKU(s) wait for their retry (`tiktok-netsuite inventory status`)",
                still.len() - super::retry::LISTED_REFUSED
            ));
        }
        for line in st.unmanaged.lines() {
            run.findings.push(line);
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
