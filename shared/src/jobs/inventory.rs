//! The inventory push: NetSuite is master, TikTok is told only what changed.
//!
//! Per shop with an `inventory` mapping, each run:
//! 1. **SKU map.** Which TikTok product/SKU each seller SKU is, with its
//!    warehouses, from Search Products (all pages); kept in the job's state
//!    and refreshed daily ([`SKU_MAP_TTL_SECS`]).
//! 2. **Stock.** `quantityavailable` per item and mapped location from
//!    SuiteQL `inventoryitemlocations` (notes §4.3), read in keyset slices by
//!    item id (SuiteQL answers at most 100,000 rows per query).
//! 3. **Links.** A TikTok SKU is a NetSuite item by its SKU link (read with
//!    the daily SKU map, 100 per BatchGetItem), else by the item whose
//!    `itemid` is the seller SKU; bundles come from the mapping.
//! 4. **Pending.** Units of TikTok orders unpaid, on hold or awaiting
//!    shipment that have no Sales Order yet are subtracted (Get Order List +
//!    order log).
//! 5. **Plan** ([`super::inventory_plan::plan`]) against the last-pushed
//!    snapshot; **daily reconcile**: the snapshot is first replaced by what
//!    TikTok holds (Inventory Search), so edits made in Seller Center are
//!    corrected by the diff.
//! 6. **Push** one Update Inventory call per product chunk. Transient SKU
//!    failures are retried in the run (twice); data/config and state
//!    failures (a promotion lock) are reported once with their fix and held:
//!    not sent again until NetSuite's quantity for that SKU changes. Calls
//!    are paced under TikTok's QPS limit (`tiktok_qps`). Only
//!    SKUs TikTok accepted enter the snapshot, which is saved as the run
//!    goes, so a run that dies resumes from what was really pushed.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::inventory_plan::{plan, LinkedSku, PlanInput, SkuLink};
use super::run::{JobError, Progress, ShopJob};
use super::JobName;
use crate::clock::Clock;
use crate::domain::{NetSuiteItemId, NetSuiteLocationId, ShopId, Sku, SkuId, WarehouseId};
use crate::mapping::config::{InventoryConfig, MappingConfig};
use crate::netsuite::{sql_quote, NetSuiteClient};
use crate::store::{JobRun, JobRuns, LeaseState, OrderLog, RunFailure, SkuLinks};
use crate::tiktok::inventory::{InventoryErrorClass, UpdateInventoryRequest};
use crate::tiktok::pacing::Pacer;
use crate::tiktok::products::{locate_skus, ProductFilter, SkuLocation};
use crate::tiktok::ShopSessions;

/// The SKU map is rebuilt from Search Products once a day.
pub const SKU_MAP_TTL_SECS: i64 = 24 * 3600;
/// The snapshot is re-read from TikTok once a day.
pub const RECONCILE_EVERY_SECS: i64 = 24 * 3600;
/// Rows per keyset slice, below SuiteQL's 100,000-row cap.
pub const STOCK_SLICE_ROWS: usize = 90_000;
/// In-run retries of a transiently failed request.
const TRANSIENT_RETRIES: u32 = 2;

pub use super::inventory_state::{load_state, save_state, InventoryState, Saved, STATE_BUCKETS};

/// The SuiteQL of one keyset slice of stock (notes §4.3).
pub fn stock_query(locations: &[NetSuiteLocationId], after_item: Option<&str>) -> String {
    let locs = locations
        .iter()
        .map(|l| sql_quote(l.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let after = after_item
        .map(|i| format!(" AND iil.item > {}", sql_quote(i)))
        .unwrap_or_default();
    format!(
        "SELECT iil.item, i.itemid, iil.location, iil.quantityavailable FROM inventoryitemlocations iil JOIN item i ON i.id = iil.item WHERE iil.location IN ({locs}) AND i.isinactive = 'F'{after} ORDER BY iil.item, iil.location"
    )
}

/// Stock read from NetSuite: available per (item, location), and item by `itemid`.
#[derive(Debug, Clone, Default)]
pub struct Stock {
    pub available: BTreeMap<(NetSuiteItemId, NetSuiteLocationId), i64>,
    pub item_by_itemid: BTreeMap<String, NetSuiteItemId>,
}

/// Links TikTok SKUs to what they sell: a bundle from the mapping, else the
/// SKU link, else the item whose `itemid` is the seller SKU. SKUs that match
/// nothing are returned apart (reported, never pushed).
pub fn link_skus(
    located: &[SkuLocation],
    cfg: &InventoryConfig,
    links: &BTreeMap<String, NetSuiteItemId>,
    stock: &Stock,
) -> (Vec<LinkedSku>, Vec<Sku>) {
    let mut linked = Vec::new();
    let mut unlinked = Vec::new();
    for l in located {
        let sku = l.seller_sku.as_str();
        let link = if let Some(parts) = cfg.bundles.get(sku) {
            Some(SkuLink::Bundle(parts.clone()))
        } else {
            links
                .get(sku)
                .or_else(|| stock.item_by_itemid.get(sku))
                .map(|i| SkuLink::Item(i.clone()))
        };
        match link {
            Some(link) => linked.push(LinkedSku {
                sku_id: l.sku_id.clone(),
                product_id: l.product_id.clone(),
                warehouses: l.warehouses.clone(),
                link,
            }),
            None => unlinked.push(l.seller_sku.clone()),
        }
    }
    (linked, unlinked)
}

/// The flat snapshot the planner compares with.
pub fn flatten(
    m: &BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
) -> BTreeMap<(SkuId, WarehouseId), i64> {
    m.iter()
        .flat_map(|(s, ws)| ws.iter().map(move |(w, q)| ((s.clone(), w.clone()), *q)))
        .collect()
}

/// Drops the SKUs of `req` that are held with exactly the quantities it
/// would send again.
pub fn without_held(
    req: &UpdateInventoryRequest,
    held: &BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
) -> (UpdateInventoryRequest, usize) {
    let mut out = req.clone();
    let before = out.skus.len();
    out.skus.retain(|s| {
        let wanted: BTreeMap<WarehouseId, i64> = s
            .inventory
            .iter()
            .map(|w| (w.warehouse_id.clone(), w.quantity))
            .collect();
        held.get(&s.id) != Some(&wanted)
    });
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
    async fn read_stock(&self, cfg: &InventoryConfig) -> Result<Stock, JobError> {
        let locations: Vec<NetSuiteLocationId> =
            cfg.push.location_warehouses.keys().cloned().collect();
        let mut stock = Stock::default();
        if locations.is_empty() {
            return Ok(stock);
        }
        let mut after: Option<String> = None;
        let text = crate::netsuite::column_text;
        loop {
            let q = stock_query(&locations, after.as_deref());
            // Rows are taken page by page (not held for the whole slice);
            // `last` is the slice's last item so far, `before` the one
            // before it.
            let (mut last, mut before) = (None::<String>, after.clone());
            let mut offset = 0;
            let full = loop {
                let page = self
                    .netsuite
                    .suiteql_page(&q, crate::netsuite::SUITEQL_MAX_LIMIT, offset)
                    .await
                    .map_err(|e| JobError::Other(format!("NetSuite stock query: {e}")))?;
                offset += page.items.len();
                for r in &page.items {
                    let item = text(r, "item");
                    if last.as_ref() != Some(&item) {
                        if let Some(l) = last.replace(item.clone()) {
                            before = Some(l);
                        }
                    }
                    let qty = crate::mapping::money_of(
                        r.get("quantityavailable")
                            .unwrap_or(&serde_json::Value::Null),
                    )
                    .and_then(|d| rust_decimal::prelude::ToPrimitive::to_i64(&d.floor()))
                    .unwrap_or(0);
                    let id = NetSuiteItemId::new(item);
                    stock.item_by_itemid.insert(text(r, "itemid"), id.clone());
                    stock
                        .available
                        .insert((id, NetSuiteLocationId::new(text(r, "location"))), qty);
                }
                if !page.has_more || offset >= STOCK_SLICE_ROWS {
                    break page.has_more;
                }
            };
            if !full {
                return Ok(stock);
            }
            // A slice cut inside an item's rows: drop that item, the next
            // slice starts after the item before it.
            if let Some(l) = &last {
                let id = NetSuiteItemId::new(l.clone());
                for loc in &locations {
                    stock.available.remove(&(id.clone(), loc.clone()));
                }
            }
            if before == after {
                return Ok(stock);
            }
            after = before;
        }
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
            let products = self
                .shops
                .search_products(shop, &ProductFilter::default())
                .await
                .map_err(|e| JobError::Other(format!("Search Products: {e}")))?;
            let wanted: Vec<Sku> = products
                .iter()
                .flat_map(|p| p.skus.iter().filter_map(|s| s.seller_sku.clone()))
                .collect();
            let (found, problems) = locate_skus(&products, &wanted);
            for p in problems {
                run.failures.push(RunFailure {
                    subject: "SKU map".into(),
                    reason: p.to_string(),
                    fix: "Make seller SKUs unique and filled in Seller Center.".into(),
                });
            }
            st.sku_map = found.into_values().collect();
            st.sku_map_at = now;
            // SKU links, read with the map (100 per call), not per run.
            let skus: Vec<Sku> = st.sku_map.iter().map(|l| l.seller_sku.clone()).collect();
            st.links = self
                .links
                .get_many(shop, &skus)
                .await?
                .into_iter()
                .map(|(sku, l)| (sku.as_str().to_string(), NetSuiteItemId::new(l.item_id)))
                .collect();
            run.count("sku_map_refreshed", 1);
        }

        // 2–4. Stock, links, pending units.
        let stock = self.read_stock(&cfg).await?;
        run.count("stock_rows", stock.available.len() as u64);
        let (linked, unlinked) = link_skus(&st.sku_map, &cfg, &st.links, &stock);
        run.count("skus_managed", linked.len() as u64);
        run.count("skus_unlinked", unlinked.len() as u64);
        let pending = self.pending(shop, &cfg).await?;

        // 5. Daily reconcile with what TikTok holds.
        if now - st.reconciled_at >= RECONCILE_EVERY_SECS && !linked.is_empty() {
            let ids: Vec<SkuId> = linked.iter().map(|l| l.sku_id.clone()).collect();
            let held_by_tiktok = self.shops.inventory_by_skus(shop, &ids).await?;
            let mut actual: BTreeMap<SkuId, BTreeMap<WarehouseId, i64>> = BTreeMap::new();
            for p in &held_by_tiktok {
                for s in &p.skus {
                    let ws = actual.entry(s.id.clone()).or_default();
                    for w in &s.warehouse_inventory {
                        ws.insert(w.warehouse_id.clone(), w.available_quantity);
                    }
                }
            }
            let drifted = actual
                .iter()
                .filter(|(s, ws)| st.pushed.get(*s) != Some(*ws))
                .count();
            run.count("reconcile_drifted_skus", drifted as u64);
            st.pushed = actual;
            st.held.clear();
            st.reconciled_at = now;
        }

        let last = flatten(&st.pushed);
        let p = plan(PlanInput {
            settings: &cfg.push,
            skus: &linked,
            available: &stock.available,
            pending_units: &pending,
            last_pushed: &last,
        });
        for w in &p.warnings {
            run.failures.push(RunFailure {
                subject: "plan".into(),
                reason: w.to_string(),
                fix: "See the reason.".into(),
            });
        }
        run.count("skus_unchanged", p.unchanged_skus as u64);

        // 6. Push.
        let managed: BTreeSet<SkuId> = linked.iter().map(|l| l.sku_id.clone()).collect();
        st.held.retain(|s, _| managed.contains(s));
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
                    let quantities: BTreeMap<WarehouseId, i64> = sent
                        .map(|s| {
                            s.inventory
                                .iter()
                                .map(|w| (w.warehouse_id.clone(), w.quantity))
                                .collect()
                        })
                        .unwrap_or_default();
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
                save_state(self.runs, shop, &st, &mut saved).await?;
                progress
                    .commit(&format!("{{\"product\":\"{}\"}}", req.product_id))
                    .await?;
            }
        }
        let written = save_state(self.runs, shop, &st, &mut saved).await?;
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
    use crate::domain::ProductId;
    use crate::jobs::inventory_plan::BundleComponent;
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
    fn the_stock_query_is_the_notes_shape_with_a_keyset() {
        let q = stock_query(
            &[NetSuiteLocationId::new("1"), NetSuiteLocationId::new("2")],
            Some("9'9"),
        );
        assert!(
            q.contains("FROM inventoryitemlocations iil JOIN item i ON i.id = iil.item"),
            "{q}"
        );
        assert!(
            q.contains("iil.location IN ('1', '2') AND i.isinactive = 'F' AND iil.item > '9''9'"),
            "{q}"
        );
        assert!(q.ends_with("ORDER BY iil.item, iil.location"), "{q}");
        assert!(!stock_query(&[NetSuiteLocationId::new("1")], None).contains("iil.item >"));
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
        stock
            .item_by_itemid
            .insert("TENT".into(), NetSuiteItemId::new("101"));
        stock
            .item_by_itemid
            .insert("LEGACY".into(), NetSuiteItemId::new("150"));
        let links = BTreeMap::from([("LEGACY".to_string(), NetSuiteItemId::new("102"))]);
        let (linked, unlinked) = link_skus(
            &[
                located("KIT", "s1"),
                located("LEGACY", "s2"),
                located("TENT", "s3"),
                located("NONE", "s4"),
            ],
            &cfg,
            &links,
            &stock,
        );
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
            BTreeMap::from([(WarehouseId::new("W1"), 5)]),
        )]);
        let (out, dropped) = without_held(&req, &held);
        assert_eq!((out.skus.len(), dropped), (1, 1));
        let changed = UpdateInventoryRequest {
            skus: vec![sku("a", 4)],
            ..req
        };
        assert_eq!(without_held(&changed, &held).1, 0, "a new quantity is sent");
        assert_eq!(
            flatten(&held).get(&(SkuId::new("a"), WarehouseId::new("W1"))),
            Some(&5)
        );
    }
}
