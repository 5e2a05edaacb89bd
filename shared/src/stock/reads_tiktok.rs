//! What the inventory push reads from TikTok besides the SKU map (split
//! from `job.rs`): what TikTok holds now (the daily reconcile) and the
//! units of orders not yet written to NetSuite, per SKU and the order's
//! warehouse.

use std::collections::BTreeMap;

use super::job::{InventoryPush, Quantities};
use super::plan::{LinkedSku, PendingUnits};
use crate::domain::{ShopId, SkuId, WarehouseId};
use crate::jobs::run::JobError;
use crate::mapping::config::InventoryConfig;
use crate::tiktok::inventory::MAX_SEARCH_SKU_IDS;
use crate::tiktok::pacing::Pacer;

impl InventoryPush<'_> {
    /// What TikTok holds for `skus` (Inventory Search, 600 a call, paced),
    /// folded in per page.
    pub(super) async fn held_by_tiktok(
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
    pub(super) async fn pending(
        &self,
        shop: &ShopId,
        cfg: &InventoryConfig,
    ) -> Result<PendingUnits, JobError> {
        let (days, pace) = (cfg.pending_lookback_days, Pacer::per_second(cfg.tiktok_qps));
        let now = self.clock.now();
        let from = now - i64::from(days) * 86_400;
        let client = self.shops.client();
        let mut out = PendingUnits::default();
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
                    // Taken off the warehouse the order ships from, when
                    // TikTok names it (plan step 2).
                    let wh = o
                        .warehouse_id
                        .as_deref()
                        .filter(|w| !w.is_empty())
                        .map(WarehouseId::new);
                    for u in &o.line_items {
                        if let Some(s) = &u.sku_id {
                            out.add(s.clone(), wh.clone(), 1);
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
