//! The tracking job's sending half: for a page of fulfilments to push, load
//! what the planner reads (TikTok orders, Sales Order lines and the units
//! each carries, shipping providers), plan each fulfilment, send, and
//! record the outcome (pushed store, order log, open fulfilments, run log).
//!
//! Orders go concurrently (`concurrency`), each order's fulfilments one
//! after another over a local copy of the order that is updated after
//! every push, so a second fulfilment of the same order in the same run
//! picks the units still unshipped. Every TikTok call waits for its slot
//! of the run's pacer.

use std::collections::{BTreeMap, HashMap};

use futures::stream::{self, StreamExt};

use super::job::{Ctx, TrackingPush};
use super::plan::{plan, PlanInput, PushKey, Pushed, TrackingPlan};
use super::read::{self as read, Shipped, SoLine};
use super::record::{failed, store_failed, Done};
use crate::domain::{DeliveryOptionId, NetSuiteFulfillmentId, OrderId, PackageId, Sku};
use crate::jobs::run::JobError;
use crate::mapping::group_all_units;
use crate::netsuite::sql_quote;
use crate::store::{PushedRecord, ShipmentRecord};
use crate::tiktok::fulfillment::{
    PushOutcome, SelfShipment, ShipCall, ShippingInfoTarget, ShippingProvider,
};
use crate::tiktok::model::Order;
use crate::tiktok::{ShopCallError, TikTokError};

fn provider_of(call: &ShipCall) -> crate::domain::ShippingProviderId {
    match call {
        ShipCall::MarkShipped(r) => r.shipping_provider_id.clone(),
        ShipCall::ShipPackage { shipment, .. } => shipment.shipping_provider_id.clone(),
    }
}

impl TrackingPush<'_> {
    /// Get Order Detail for `ids`, 50 a call, each call paced. An order
    /// TikTok returns in a shape that does not decode fails only itself (its
    /// chunk is asked again one id at a time): the reason comes back apart,
    /// so one odd order never holds up the others page after page.
    async fn orders(
        &self,
        ctx: &Ctx<'_>,
        ids: &[OrderId],
    ) -> Result<(HashMap<OrderId, Order>, HashMap<OrderId, String>), JobError> {
        let client = self.shops.client();
        let mut out = HashMap::new();
        let mut unreadable = HashMap::new();
        for chunk in ids.chunks(crate::tiktok::orders::MAX_ORDER_IDS_PER_CALL) {
            ctx.orders.wait().await;
            let got = self
                .shops
                .call_with_refresh(ctx.shop, |auth| async move {
                    client.get_orders(&auth, chunk).await
                })
                .await;
            match got {
                Ok(got) => out.extend(got.into_iter().map(|o| (o.id.clone(), o))),
                Err(ShopCallError::TikTok(TikTokError::Decode { .. })) => {
                    for id in chunk {
                        ctx.orders.wait().await;
                        let one = std::slice::from_ref(id);
                        match self
                            .shops
                            .call_with_refresh(ctx.shop, |auth| async move {
                                client.get_orders(&auth, one).await
                            })
                            .await
                        {
                            Ok(got) => out.extend(got.into_iter().map(|o| (o.id.clone(), o))),
                            Err(e @ ShopCallError::TikTok(TikTokError::Decode { .. })) => {
                                unreadable.insert(id.clone(), e.to_string());
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok((out, unreadable))
    }

    /// Seller SKU → NetSuite item: the SKU links (which the writer stores
    /// for every SKU it resolved), else one lookup by `itemid` (exactly one
    /// active item).
    async fn items(
        &self,
        ctx: &Ctx<'_>,
        skus: Vec<Sku>,
    ) -> Result<HashMap<String, String>, JobError> {
        let mut out: HashMap<String, String> = self
            .links
            .get_many(ctx.shop, &skus)
            .await?
            .into_iter()
            .map(|(s, l)| (s.as_str().to_string(), l.item_id))
            .collect();
        let missing: Vec<String> = skus
            .iter()
            .filter(|s| !out.contains_key(s.as_str()))
            .map(|s| s.as_str().to_string())
            .collect();
        for chunk in missing.chunks(read::IN_LIST_MAX) {
            let list = chunk
                .iter()
                .map(|s| sql_quote(s))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = self
                .netsuite
                .suiteql(&format!(
                    "SELECT id, itemid FROM item WHERE itemid IN ({list}) AND isinactive = 'F'"
                ))
                .await
                .map_err(|e| JobError::Other(format!("NetSuite item query: {e}")))?;
            let mut hits: HashMap<String, Vec<String>> = HashMap::new();
            for r in &rows {
                hits.entry(crate::netsuite::column_text(r, "itemid").to_lowercase())
                    .or_default()
                    .push(crate::netsuite::column_text(r, "id"));
            }
            for sku in chunk {
                if let Some([one]) = hits.get(&sku.to_lowercase()).map(Vec::as_slice) {
                    out.insert(sku.clone(), one.clone());
                }
            }
        }
        Ok(out)
    }

    /// Loads what the planner reads for `todo`, then ships order by order.
    pub(super) async fn ship_all(
        &self,
        ctx: &Ctx<'_>,
        todo: Vec<Shipped>,
        pushed: &BTreeMap<NetSuiteFulfillmentId, PushedRecord>,
    ) -> Result<Vec<(Shipped, Done)>, JobError> {
        if todo.is_empty() {
            return Ok(Vec::new());
        }
        let mut so_ids: Vec<String> = todo.iter().map(|s| s.so_id.clone()).collect();
        so_ids.sort();
        so_ids.dedup();
        let so_lines = read::so_lines(
            &self
                .rows_for(&so_ids, read::so_lines_query, "Sales Order line")
                .await?,
        );
        let mut order_ids: Vec<OrderId> =
            todo.iter().map(|s| s.fulfilment.order_id.clone()).collect();
        order_ids.sort();
        order_ids.dedup();
        let (orders, unreadable) = self.orders(ctx, &order_ids).await?;
        let mut skus: Vec<Sku> = orders
            .values()
            .flat_map(|o| group_all_units(o).unwrap_or_default())
            .map(|g| g.seller_sku)
            .collect();
        skus.sort();
        skus.dedup();
        let items = self.items(ctx, skus).await?;
        let mut providers: HashMap<DeliveryOptionId, Vec<ShippingProvider>> = HashMap::new();
        for o in orders.values() {
            let Some(opt) = &o.delivery_option_id else {
                continue;
            };
            let seller = o.fulfillment_type.as_deref() == Some("FULFILLMENT_BY_SELLER");
            if providers.contains_key(opt) || !seller {
                continue;
            }
            ctx.ship.wait().await;
            let list = self.shops.shipping_providers(ctx.shop, opt).await?;
            providers.insert(opt.clone(), list);
        }
        let mut by_order: BTreeMap<OrderId, Vec<Shipped>> = BTreeMap::new();
        for s in todo {
            by_order
                .entry(s.fulfilment.order_id.clone())
                .or_default()
                .push(s);
        }
        let (orders, so_lines, items, providers, unreadable) =
            (&orders, &so_lines, &items, &providers, &unreadable);
        let done: Vec<Vec<(Shipped, Done)>> = stream::iter(by_order)
            .map(|(id, list)| async move {
                self.ship_order(
                    ctx,
                    orders.get(&id).cloned().ok_or_else(|| {
                        unreadable.get(&id).cloned().unwrap_or_else(|| {
                            format!("TikTok does not return order {id} for this shop")
                        })
                    }),
                    list,
                    so_lines,
                    items,
                    providers,
                    pushed,
                )
                .await
            })
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await;
        Ok(done.into_iter().flatten().collect())
    }

    /// One order's fulfilments, in fulfilment order.
    #[allow(clippy::too_many_arguments)]
    async fn ship_order(
        &self,
        ctx: &Ctx<'_>,
        order: Result<Order, String>,
        mut list: Vec<Shipped>,
        so_lines: &BTreeMap<String, Vec<SoLine>>,
        items: &HashMap<String, String>,
        providers: &HashMap<DeliveryOptionId, Vec<ShippingProvider>>,
        pushed: &BTreeMap<NetSuiteFulfillmentId, PushedRecord>,
    ) -> Vec<(Shipped, Done)> {
        list.sort_by_key(|s| s.fulfilment.id.as_str().parse::<u64>().unwrap_or(u64::MAX));
        let mut order = match order {
            Ok(o) => o,
            Err(reason) => {
                return list
                    .into_iter()
                    .map(|s| {
                        (s, Done::Failed {
                            reason: reason.clone(),
                            fix: "Check the order in Seller Center and the Sales Order's externalId; push the tracking there by hand if TikTok cannot return the order.".into(),
                            retryable: false,
                        })
                    })
                    .collect()
            }
        };
        let groups = group_all_units(&order).unwrap_or_default();
        let group_items: Vec<Option<String>> = groups
            .iter()
            .map(|g| items.get(g.seller_sku.as_str()).cloned())
            .collect();
        let offered = order
            .delivery_option_id
            .as_ref()
            .and_then(|o| providers.get(o))
            .map(Vec::as_slice);
        let mut out = Vec::with_capacity(list.len());
        for s in list {
            let lines = so_lines.get(&s.so_id).map(Vec::as_slice).unwrap_or(&[]);
            let units = read::so_line_units(&groups, &group_items, ctx.cfg, lines);
            let record = pushed.get(&s.fulfilment.id);
            let decision = plan(PlanInput {
                fulfilment: &s.fulfilment,
                order: &order,
                region: &ctx.region,
                so_lines: &units,
                carriers: &ctx.carriers,
                providers: offered,
                pushed: record.map(|r| &r.pushed),
            });
            let done = self.execute(ctx, &s, decision, &mut order, record).await;
            out.push((s, done));
        }
        out
    }

    /// Sends one plan and records what TikTok took.
    async fn execute(
        &self,
        ctx: &Ctx<'_>,
        s: &Shipped,
        decision: TrackingPlan,
        order: &mut Order,
        record: Option<&PushedRecord>,
    ) -> Done {
        let f = &s.fulfilment;
        match decision {
            TrackingPlan::AlreadyPushed => {
                // TikTok holds our tracking but the record was lost: keep it now.
                let key = PushKey::of(f);
                if let Err(e) = self.remember(ctx, s, key, None, 0).await {
                    return store_failed(e);
                }
                Done::AlreadyPushed
            }
            TrackingPlan::SkipFulfilledByTikTok => Done::SkippedFulfilledByTikTok,
            TrackingPlan::TikTokShippingLabel => Done::LabelFlow,
            TrackingPlan::Wait(w) => Done::Waiting(w),
            TrackingPlan::Push {
                call,
                key,
                other_tracking,
            } => {
                ctx.ship.wait().await;
                let (package, warning, already) =
                    match self.shops.push_shipment(ctx.shop, &call).await {
                        Ok(PushOutcome::Shipped {
                            package_id,
                            warning,
                        }) => (package_id, warning, false),
                        Ok(PushOutcome::AlreadyShippedSameTracking { package_id }) => {
                            (package_id, None, true)
                        }
                        Ok(PushOutcome::ShippedWithOtherTracking { package_id, .. }) => {
                            // Shipped by hand with another number: NetSuite's is
                            // sent as the one correction TikTok allows.
                            let target = package_id.clone().map_or(
                                ShippingInfoTarget::Order(f.order_id.clone()),
                                ShippingInfoTarget::Package,
                            );
                            let shipment = SelfShipment {
                                tracking_number: call.tracking_number().to_string(),
                                shipping_provider_id: provider_of(&call),
                            };
                            return self
                                .correct(ctx, s, key, target, shipment, package_id, 0)
                                .await;
                        }
                        Err(e) => return failed(&e),
                    };
                for l in order
                    .line_items
                    .iter_mut()
                    .filter(|l| call.line_item_ids().iter().any(|u| u.as_str() == l.id))
                {
                    l.tracking_number = Some(call.tracking_number().to_string());
                    if package.is_some() {
                        l.package_id = package.clone();
                    }
                }
                if let Err(e) = self.remember(ctx, s, key, package.clone(), 0).await {
                    return store_failed(e);
                }
                let shipment = ShipmentRecord {
                    fulfilment_id: f.id.clone(),
                    tracking_number: call.tracking_number().to_string(),
                    other_tracking,
                    shipping_provider_id: provider_of(&call),
                    units: call.line_item_ids().to_vec(),
                    package_id: package,
                    at: self.clock.now(),
                    corrected: false,
                };
                self.log_shipment(ctx, &f.order_id, &shipment).await;
                Done::Pushed { warning, already }
            }
            TrackingPlan::Correct {
                target,
                shipment,
                key,
            } => {
                let used = record.map_or(0, |r| r.corrections);
                if used >= 1 {
                    return Done::Failed {
                        reason: format!("the tracking list changed again after one correction (now {})", key.tracking_numbers.join(", ")),
                        fix: "TikTok allows one tracking correction per order: correct it in Seller Center or with TikTok support.".into(),
                        retryable: false,
                    };
                }
                let package = record.and_then(|r| r.pushed.package_id.clone());
                self.correct(ctx, s, key, target, shipment, package, used)
                    .await
            }
        }
    }

    /// One Update Shipping Info, then the record and the order log.
    #[allow(clippy::too_many_arguments)]
    async fn correct(
        &self,
        ctx: &Ctx<'_>,
        s: &Shipped,
        key: PushKey,
        target: ShippingInfoTarget,
        shipment: SelfShipment,
        package: Option<PackageId>,
        used: u32,
    ) -> Done {
        let f = &s.fulfilment;
        ctx.ship.wait().await;
        if let Err(e) = self
            .shops
            .correct_tracking(ctx.shop, &f.order_id, &target, &shipment)
            .await
        {
            return failed(&e);
        }
        if let Err(e) = self.remember(ctx, s, key, package.clone(), used + 1).await {
            return store_failed(e);
        }
        let rec = ShipmentRecord {
            fulfilment_id: f.id.clone(),
            tracking_number: shipment.tracking_number,
            other_tracking: vec![],
            shipping_provider_id: shipment.shipping_provider_id,
            units: vec![],
            package_id: package,
            at: self.clock.now(),
            corrected: true,
        };
        self.log_shipment(ctx, &f.order_id, &rec).await;
        Done::Corrected
    }

    async fn remember(
        &self,
        ctx: &Ctx<'_>,
        s: &Shipped,
        key: PushKey,
        package_id: Option<PackageId>,
        corrections: u32,
    ) -> Result<(), crate::store::StoreError> {
        let record = PushedRecord {
            pushed: Pushed { key, package_id },
            order_id: s.fulfilment.order_id.clone(),
            at: self.clock.now(),
            corrections,
        };
        self.pushed.put(ctx.shop, &record).await
    }

    /// The order log's shipments; a failure here is logged, not fatal (the
    /// push itself is recorded in the pushed store).
    async fn log_shipment(&self, ctx: &Ctx<'_>, order: &OrderId, rec: &ShipmentRecord) {
        match self.log.record_shipment(ctx.shop, order, rec).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(shop_id = %ctx.shop, order_id = %order, "order log has no entry for a shipped order")
            }
            Err(e) => {
                tracing::warn!(shop_id = %ctx.shop, order_id = %order, error = %e, "could not add the shipment to the order log")
            }
        }
    }
}
