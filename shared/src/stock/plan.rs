//! The inventory push's pure planner: from NetSuite stock, the shop's
//! settings, the SKU links and the last pushed snapshot, the quantity each
//! TikTok (SKU, warehouse) should show and the few Update Inventory calls
//! that get it there (finance-inventory-fulfilment.md §2.3, §2.4; issue 11).
//!
//! No I/O and no clock: the job reads everything first, then calls
//! [`plan`], so every number here is testable exactly. Integer math only
//! (stock is whole units; no decimal or float anywhere).
//!
//! Per (SKU, warehouse), in this order:
//! 1. **Item availability per warehouse** = Σ `quantityavailable` of the
//!    NetSuite locations mapped to the warehouse (several locations may feed
//!    one warehouse; only `SALES_WAREHOUSE` ids belong in the mapping, §2.2).
//! 2. **Minus units not yet written to NetSuite** (§2.3's pitfall: TikTok
//!    already moved them to committed, NetSuite has not netted them out).
//!    They are given per TikTok SKU and turned into item units through the
//!    SKU links (a bundle's pending units consume each component ×
//!    units per bundle), so a pending bundle lowers its components' own
//!    SKUs too. An order that names its `warehouse_id` (TikTok routed it,
//!    order-types.md §6) is taken off that warehouse only, so the other
//!    warehouses do not undersell (issue 27); units whose order names no
//!    warehouse are taken from **every** warehouse (never oversell; it
//!    understates until the orders are written, minutes later).
//! 3. **SKU quantity**: a plain SKU takes its item's figure; a bundle takes
//!    the minimum over its components of ⌊available ÷ units per bundle⌋
//!    (floor: a part bundle cannot be sold). A bundle with no component is 0.
//! 4. **Safety buffer**: first the percent, rounded so as never to oversell
//!    (what is left is ⌊q × (100 − percent) ÷ 100⌋, i.e. the buffer rounds
//!    up), then the units. Nothing is taken off a quantity ≤ 0.
//! 5. **Clamp** to the shop's range ([`QuantityRange`]).
//!
//! A warehouse of the SKU that no location maps to gets the range's lowest
//! value (NetSuite is master and holds no stock for it) and a warning: the
//! call must still list it (all-warehouses rule), and guessing its stock
//! would oversell.
//!
//! **Diff**: a SKU is sent when any of its warehouses differs from the last
//! pushed snapshot (a missing snapshot entry counts as different), and then
//! with **all** its warehouses. Changed SKUs are grouped per product,
//! ≤ [`MAX_UPDATE_SKUS`] per request; unchanged SKUs of the same product are
//! left out (§2.4 step 3).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::{NetSuiteItemId, NetSuiteLocationId, ProductId, SkuId, WarehouseId};
use crate::tiktok::inventory::{
    SkuInventory, UpdateInventoryRequest, WarehouseQuantity, MAX_UPDATE_SKUS,
};

pub use crate::mapping::stock::{
    BundleComponent, QuantityRange, SafetyBuffer, ShopInventorySettings,
};

/// What a TikTok SKU sells in NetSuite terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkuLink {
    Item(NetSuiteItemId),
    Bundle(Vec<BundleComponent>),
}

/// A TikTok SKU the push manages, located by the SKU map. The job borrows
/// the ids from its SKU map (no second copy of 100,000 SKUs); tests may
/// own them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedSku<'a> {
    pub sku_id: Cow<'a, SkuId>,
    pub product_id: Cow<'a, ProductId>,
    /// Every warehouse the SKU is stocked in on TikTok (Search Products).
    pub warehouses: Cow<'a, [WarehouseId]>,
    pub link: SkuLink,
}

/// NetSuite stock as the planner reads it. The job keeps its stock
/// compact (integer keys); the planner only asks for sums.
pub trait StockSource: std::fmt::Debug {
    /// Σ `quantityavailable` of `item` over `locations` (absent = 0).
    fn available(&self, item: &NetSuiteItemId, locations: &[&NetSuiteLocationId]) -> i64;
}

/// Rows as read: available per (item, location).
impl StockSource for BTreeMap<(NetSuiteItemId, NetSuiteLocationId), i64> {
    fn available(&self, item: &NetSuiteItemId, locations: &[&NetSuiteLocationId]) -> i64 {
        locations.iter().fold(0i64, |sum, l| {
            sum.saturating_add(
                self.get(&(item.clone(), (*l).clone()))
                    .copied()
                    .unwrap_or(0),
            )
        })
    }
}

/// What was last pushed successfully, per (SKU, warehouse). The job reads
/// it from its state as is (no flattened copy).
pub trait Snapshot: std::fmt::Debug {
    fn quantity(&self, sku: &SkuId, warehouse: &WarehouseId) -> Option<i64>;
}

impl Snapshot for BTreeMap<(SkuId, WarehouseId), i64> {
    fn quantity(&self, sku: &SkuId, warehouse: &WarehouseId) -> Option<i64> {
        self.get(&(sku.clone(), warehouse.clone())).copied()
    }
}

/// Units of TikTok orders not yet written to NetSuite, as the planner
/// reads them: per SKU, with the warehouse the order ships from when known.
pub trait PendingSource: std::fmt::Debug {
    /// Calls `f(sku, warehouse, units)` for each entry; `None` = the order
    /// names no warehouse (taken off every warehouse).
    fn each(&self, f: &mut dyn FnMut(&SkuId, Option<&WarehouseId>, i64));
}

/// Per SKU only: every unit is taken off every warehouse.
impl PendingSource for BTreeMap<SkuId, i64> {
    fn each(&self, f: &mut dyn FnMut(&SkuId, Option<&WarehouseId>, i64)) {
        for (sku, units) in self {
            f(sku, None, *units);
        }
    }
}

/// Per (SKU, the order's `warehouse_id`), `None` when the order names none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingUnits(pub BTreeMap<(SkuId, Option<WarehouseId>), i64>);

impl PendingUnits {
    /// Adds `units` of `sku` for an order shipping from `warehouse`.
    pub fn add(&mut self, sku: SkuId, warehouse: Option<WarehouseId>, units: i64) {
        let e = self.0.entry((sku, warehouse)).or_default();
        *e = e.saturating_add(units);
    }
}

impl PendingSource for PendingUnits {
    fn each(&self, f: &mut dyn FnMut(&SkuId, Option<&WarehouseId>, i64)) {
        for ((sku, wh), units) in &self.0 {
            f(sku, wh.as_ref(), *units);
        }
    }
}

/// Everything the planner reads.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    pub settings: &'a ShopInventorySettings,
    pub skus: &'a [LinkedSku<'a>],
    /// NetSuite `quantityavailable` per (item, location); absent = 0.
    pub available: &'a dyn StockSource,
    /// Units of TikTok orders not yet written to NetSuite, per TikTok SKU
    /// (and per warehouse where the order names one: [`PendingUnits`]).
    pub pending_units: &'a dyn PendingSource,
    /// What was last pushed successfully, per (SKU, warehouse).
    pub last_pushed: &'a dyn Snapshot,
}

/// Something the planner worked around; for the run log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PlanWarning {
    #[error("SKU {sku_id}: no NetSuite location maps to its TikTok warehouse {warehouse_id}, so it is pushed the lowest quantity; map a location to it or remove the warehouse from the SKU in Seller Center")]
    UnmappedWarehouse {
        sku_id: SkuId,
        warehouse_id: WarehouseId,
    },
    #[error("SKU {sku_id} is a bundle without components; it is pushed the lowest quantity until its components are linked")]
    EmptyBundle { sku_id: SkuId },
    #[error("SKU {sku_id}: bundle component {item} has 0 units per bundle; it reads as no stock until fixed")]
    ZeroUnitsPerBundle { sku_id: SkuId, item: NetSuiteItemId },
    #[error("SKU {sku_id} is listed twice; the first link is used")]
    DuplicateSku { sku_id: SkuId },
    #[error(
        "SKU {sku_id} has no TikTok warehouse; nothing can be pushed for it (refresh the SKU map)"
    )]
    NoWarehouse { sku_id: SkuId },
}

/// What to push.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryPlan {
    /// The quantity every managed (SKU, warehouse) should show; empty from
    /// [`plan_changes`].
    pub desired: BTreeMap<(SkuId, WarehouseId), i64>,
    /// One Update Inventory call per product chunk, products in id order,
    /// SKUs in id order.
    pub requests: Vec<UpdateInventoryRequest>,
    pub changed_skus: usize,
    pub unchanged_skus: usize,
    pub warnings: Vec<PlanWarning>,
}

/// Computes desired quantities and the requests for what changed.
pub fn plan(input: PlanInput<'_>) -> InventoryPlan {
    plan_with(input, true)
}

/// [`plan`] without `desired`: the job only sends the requests, and a map
/// of every (SKU, warehouse) would be 200,000 keys for 100,000 SKUs.
pub fn plan_changes(input: PlanInput<'_>) -> InventoryPlan {
    plan_with(input, false)
}

fn plan_with(input: PlanInput<'_>, keep_desired: bool) -> InventoryPlan {
    let settings = input.settings;
    let mut warnings = Vec::new();

    // Unique SKUs, first link wins.
    let mut seen: BTreeSet<&SkuId> = BTreeSet::new();
    let mut skus: Vec<&LinkedSku<'_>> = Vec::with_capacity(input.skus.len());
    for s in input.skus {
        if seen.insert(&*s.sku_id) {
            skus.push(s);
        } else {
            warnings.push(PlanWarning::DuplicateSku {
                sku_id: SkuId::clone(&s.sku_id),
            });
        }
    }

    // 1. Item availability per mapped warehouse: the locations feeding each.
    let mut feeds: BTreeMap<&WarehouseId, Vec<&NetSuiteLocationId>> = BTreeMap::new();
    for (location, wh) in &settings.location_warehouses {
        feeds.entry(wh).or_default().push(location);
    }

    // 2. Pending TikTok units, in item units.
    let links: BTreeMap<&SkuId, &SkuLink> = skus.iter().map(|s| (&*s.sku_id, &s.link)).collect();
    // Units with no warehouse per item; units of routed orders per
    // (item, warehouse).
    let mut pending_items: BTreeMap<&NetSuiteItemId, i64> = BTreeMap::new();
    let mut pending_at: BTreeMap<(&NetSuiteItemId, WarehouseId), i64> = BTreeMap::new();
    input.pending_units.each(&mut |sku, wh, units| {
        let units = units.max(0);
        let mut add = |item, n: i64| {
            let p = match wh {
                None => pending_items.entry(item).or_default(),
                Some(w) => pending_at.entry((item, w.clone())).or_default(),
            };
            *p = p.saturating_add(n);
        };
        match links.get(sku) {
            Some(SkuLink::Item(item)) => add(item, units),
            Some(SkuLink::Bundle(components)) => {
                for c in components {
                    add(&c.item, units.saturating_mul(i64::from(c.units_per_bundle)));
                }
            }
            // Not linked: its orders cannot be written either, and no item
            // of ours is affected.
            None => {}
        }
    });
    let item_available = |item: &NetSuiteItemId, wh: &WarehouseId| -> i64 {
        let stock = feeds
            .get(wh)
            .map_or(0, |locations| input.available.available(item, locations));
        let here = pending_at.get(&(item, wh.clone())).copied().unwrap_or(0);
        stock
            .saturating_sub(pending_items.get(item).copied().unwrap_or(0))
            .saturating_sub(here)
    };

    let mut desired = BTreeMap::new();
    // product -> changed SKUs (ordered).
    let mut changed: BTreeMap<&ProductId, Vec<SkuInventory>> = BTreeMap::new();
    let mut unchanged_skus = 0;
    let mut changed_skus = 0;
    for s in skus {
        if s.warehouses.is_empty() {
            warnings.push(PlanWarning::NoWarehouse {
                sku_id: SkuId::clone(&s.sku_id),
            });
            continue;
        }
        if let SkuLink::Bundle(components) = &s.link {
            if components.is_empty() {
                warnings.push(PlanWarning::EmptyBundle {
                    sku_id: SkuId::clone(&s.sku_id),
                });
            }
            for c in components.iter().filter(|c| c.units_per_bundle == 0) {
                warnings.push(PlanWarning::ZeroUnitsPerBundle {
                    sku_id: SkuId::clone(&s.sku_id),
                    item: c.item.clone(),
                });
            }
        }
        // Quantities first; the request entry is built only if it changed.
        let mut quantities: Vec<(&WarehouseId, i64)> = Vec::with_capacity(s.warehouses.len());
        let mut differs = false;
        for wh in s.warehouses.iter() {
            if quantities.iter().any(|(w, _)| *w == wh) {
                continue;
            }
            let q = if feeds.contains_key(wh) {
                // 3. Plain or bundle.
                let raw = match &s.link {
                    SkuLink::Item(item) => item_available(item, wh),
                    SkuLink::Bundle(components) => components
                        .iter()
                        .map(|c| match c.units_per_bundle {
                            0 => 0,
                            n => item_available(&c.item, wh).div_euclid(i64::from(n)),
                        })
                        .min()
                        .unwrap_or(0),
                };
                // 4., 5.
                settings.range.clamp(settings.buffer.apply(raw))
            } else {
                warnings.push(PlanWarning::UnmappedWarehouse {
                    sku_id: SkuId::clone(&s.sku_id),
                    warehouse_id: wh.clone(),
                });
                settings.range.min
            };
            differs |= input.last_pushed.quantity(&s.sku_id, wh) != Some(q);
            if keep_desired {
                desired.insert((SkuId::clone(&s.sku_id), wh.clone()), q);
            }
            quantities.push((wh, q));
        }
        if differs {
            let inventory = quantities
                .into_iter()
                .map(|(wh, q)| WarehouseQuantity {
                    warehouse_id: wh.clone(),
                    quantity: q,
                })
                .collect();
            changed_skus += 1;
            changed
                .entry(&*s.product_id)
                .or_default()
                .push(SkuInventory {
                    id: SkuId::clone(&s.sku_id),
                    inventory,
                });
        } else {
            unchanged_skus += 1;
        }
    }

    let mut requests = Vec::new();
    for (product, mut list) in changed {
        list.sort_by(|a, b| a.id.cmp(&b.id));
        let mut rest = list.as_slice();
        while !rest.is_empty() {
            let (head, tail) = rest.split_at(rest.len().min(MAX_UPDATE_SKUS));
            requests.push(UpdateInventoryRequest {
                product_id: product.clone(),
                skus: head.to_vec(),
            });
            rest = tail;
        }
    }
    InventoryPlan {
        desired,
        requests,
        changed_skus,
        unchanged_skus,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiktok::inventory::MAX_QUANTITY;

    const W1: &str = "W1";
    const W2: &str = "W2";

    fn loc(s: &str) -> NetSuiteLocationId {
        NetSuiteLocationId::new(s)
    }
    fn item(s: &str) -> NetSuiteItemId {
        NetSuiteItemId::new(s)
    }
    fn wh(s: &str) -> WarehouseId {
        WarehouseId::new(s)
    }
    fn sku(s: &str) -> SkuId {
        SkuId::new(s)
    }

    /// Locations L1, L2 → W1; L3 → W2.
    fn settings(units: i64, percent: u32, range: QuantityRange) -> ShopInventorySettings {
        ShopInventorySettings {
            location_warehouses: [
                (loc("L1"), wh(W1)),
                (loc("L2"), wh(W1)),
                (loc("L3"), wh(W2)),
            ]
            .into_iter()
            .collect(),
            buffer: SafetyBuffer { units, percent },
            range,
        }
    }

    fn plain(sku_id: &str, product: &str, item_id: &str, whs: &[&str]) -> LinkedSku<'static> {
        LinkedSku {
            sku_id: Cow::Owned(sku(sku_id)),
            product_id: Cow::Owned(ProductId::new(product)),
            warehouses: whs.iter().map(|w| wh(w)).collect(),
            link: SkuLink::Item(item(item_id)),
        }
    }

    fn stock(rows: &[(&str, &str, i64)]) -> BTreeMap<(NetSuiteItemId, NetSuiteLocationId), i64> {
        rows.iter()
            .map(|(i, l, q)| ((item(i), loc(l)), *q))
            .collect()
    }

    struct Case {
        settings: ShopInventorySettings,
        skus: Vec<LinkedSku<'static>>,
        available: BTreeMap<(NetSuiteItemId, NetSuiteLocationId), i64>,
        pending: BTreeMap<SkuId, i64>,
        last: BTreeMap<(SkuId, WarehouseId), i64>,
    }

    impl Case {
        fn new(
            settings: ShopInventorySettings,
            skus: Vec<LinkedSku<'static>>,
            rows: &[(&str, &str, i64)],
        ) -> Self {
            Self {
                settings,
                skus,
                available: stock(rows),
                pending: BTreeMap::new(),
                last: BTreeMap::new(),
            }
        }
        fn run(&self) -> InventoryPlan {
            plan(PlanInput {
                settings: &self.settings,
                skus: &self.skus,
                available: &self.available,
                pending_units: &self.pending,
                last_pushed: &self.last,
            })
        }
    }

    fn q(p: &InventoryPlan, s: &str, w: &str) -> i64 {
        p.desired[&(sku(s), wh(w))]
    }

    #[test]
    fn several_locations_feed_one_warehouse() {
        let c = Case::new(
            settings(0, 0, QuantityRange::default()),
            vec![plain("S1", "P1", "I1", &[W1, W2])],
            &[
                ("I1", "L1", 5),
                ("I1", "L2", 7),
                ("I1", "L3", 4),
                ("I1", "L9", 100),
            ],
        );
        let p = c.run();
        assert_eq!(q(&p, "S1", W1), 12);
        assert_eq!(q(&p, "S1", W2), 4);
    }

    #[test]
    fn buffer_units() {
        let c = Case::new(
            settings(3, 0, QuantityRange::default()),
            vec![plain("S1", "P1", "I1", &[W1])],
            &[("I1", "L1", 10)],
        );
        assert_eq!(q(&c.run(), "S1", W1), 7);
    }

    #[test]
    fn buffer_percent_rounds_so_as_never_to_oversell() {
        // 10 × 85 % = 8.5 → 8 (the 1.5-unit buffer rounds up to 2).
        let c = Case::new(
            settings(0, 15, QuantityRange::default()),
            vec![
                plain("S1", "P1", "I1", &[W1]),
                plain("S2", "P1", "I2", &[W1]),
            ],
            &[("I1", "L1", 10), ("I2", "L1", 1)],
        );
        let p = c.run();
        assert_eq!(q(&p, "S1", W1), 8);
        // 1 × 85 % = 0.85 → 0.
        assert_eq!(q(&p, "S2", W1), 0);
        // Percent first, then units: 10 → 8 → 6.
        let mut c = c;
        c.settings.buffer.units = 2;
        assert_eq!(q(&c.run(), "S1", W1), 6);
        assert_eq!(
            SafetyBuffer {
                units: 0,
                percent: 250
            }
            .apply(40),
            0
        );
        assert_eq!(
            SafetyBuffer {
                units: 5,
                percent: 50
            }
            .apply(-3),
            -3
        );
    }

    #[test]
    fn clamps_at_both_ends() {
        let c = Case::new(
            settings(5, 0, QuantityRange::default()),
            vec![
                plain("LOW", "P1", "I1", &[W1]),
                plain("HIGH", "P1", "I2", &[W1]),
                plain("NEG", "P1", "I3", &[W1]),
            ],
            &[("I1", "L1", 2), ("I2", "L1", 150_000), ("I3", "L1", -4)],
        );
        let p = c.run();
        assert_eq!(q(&p, "LOW", W1), 0, "2 − 5 = −3 → 0");
        assert_eq!(q(&p, "HIGH", W1), 99_999, "149,995 → 99,999");
        assert_eq!(q(&p, "NEG", W1), 0);
        // A shop whose TikTok refuses 0.
        let mut c = c;
        c.settings.range = QuantityRange { min: 1, max: 500 };
        let p = c.run();
        assert_eq!(q(&p, "LOW", W1), 1);
        assert_eq!(q(&p, "HIGH", W1), 500);
    }

    fn bundle_case() -> Case {
        // Bundle B = 1 stove (I4) + 2 mugs (I5). Stove 7, mugs 9.
        let bundle = LinkedSku {
            sku_id: Cow::Owned(sku("B")),
            product_id: Cow::Owned(ProductId::new("PB")),
            warehouses: Cow::Owned(vec![wh(W1)]),
            link: SkuLink::Bundle(vec![
                BundleComponent {
                    item: item("I4"),
                    units_per_bundle: 1,
                },
                BundleComponent {
                    item: item("I5"),
                    units_per_bundle: 2,
                },
            ]),
        };
        Case::new(
            settings(0, 0, QuantityRange::default()),
            vec![
                bundle,
                plain("STOVE", "P4", "I4", &[W1]),
                plain("MUG", "P5", "I5", &[W1]),
            ],
            &[("I4", "L1", 7), ("I5", "L1", 9)],
        )
    }

    #[test]
    fn bundle_takes_the_minimum_over_its_components() {
        let p = bundle_case().run();
        // min(7 ÷ 1, ⌊9 ÷ 2⌋) = min(7, 4) = 4.
        assert_eq!(q(&p, "B", W1), 4);
        assert_eq!(q(&p, "STOVE", W1), 7);
        assert_eq!(q(&p, "MUG", W1), 9);
    }

    #[test]
    fn units_not_yet_written_are_subtracted_in_item_units() {
        let mut c = bundle_case();
        // 2 bundles and 1 mug sold on TikTok, not yet in NetSuite:
        // stove 7 − 2 = 5; mugs 9 − 2×2 − 1 = 4.
        c.pending = [(sku("B"), 2), (sku("MUG"), 1), (sku("UNLINKED"), 50)]
            .into_iter()
            .collect();
        let p = c.run();
        assert_eq!(q(&p, "STOVE", W1), 5);
        assert_eq!(q(&p, "MUG", W1), 4);
        assert_eq!(q(&p, "B", W1), 2, "min(5, ⌊4 ÷ 2⌋)");
        // Taken from every warehouse: TikTok does not say which ships them.
        let mut c = Case::new(
            settings(0, 0, QuantityRange::default()),
            vec![plain("S1", "P1", "I1", &[W1, W2])],
            &[("I1", "L1", 10), ("I1", "L3", 6)],
        );
        c.pending.insert(sku("S1"), 3);
        let p = c.run();
        assert_eq!((q(&p, "S1", W1), q(&p, "S1", W2)), (7, 3));
    }

    #[test]
    fn units_of_a_routed_order_are_taken_off_its_own_warehouse_only() {
        let c = Case::new(
            settings(0, 0, QuantityRange::default()),
            vec![plain("S1", "P1", "I1", &[W1, W2])],
            &[("I1", "L1", 10), ("I1", "L3", 6)],
        );
        let mut pending = PendingUnits::default();
        pending.add(sku("S1"), Some(wh(W2)), 3);
        pending.add(sku("S1"), None, 1);
        let p = plan(PlanInput {
            settings: &c.settings,
            skus: &c.skus,
            available: &c.available,
            pending_units: &pending,
            last_pushed: &c.last,
        });
        // W1: 10 − 1 (no warehouse named); W2: 6 − 1 − 3.
        assert_eq!((q(&p, "S1", W1), q(&p, "S1", W2)), (9, 2));
    }

    #[test]
    fn no_change_means_no_request() {
        let mut c = Case::new(
            settings(0, 0, QuantityRange::default()),
            vec![plain("S1", "P1", "I1", &[W1, W2])],
            &[("I1", "L1", 10), ("I1", "L3", 6)],
        );
        let first = c.run();
        assert_eq!(first.requests.len(), 1);
        assert_eq!(first.changed_skus, 1);
        c.last = first.desired.clone();
        let second = c.run();
        assert!(second.requests.is_empty());
        assert_eq!((second.changed_skus, second.unchanged_skus), (0, 1));
    }

    #[test]
    fn a_changed_sku_is_sent_with_all_its_warehouses_and_alone() {
        let mut c = Case::new(
            settings(0, 0, QuantityRange::default()),
            vec![
                plain("S1", "P1", "I1", &[W1, W2]),
                plain("S2", "P1", "I2", &[W1]),
            ],
            &[("I1", "L1", 10), ("I1", "L3", 6), ("I2", "L1", 3)],
        );
        c.last = c.run().desired;
        c.available.insert((item("I1"), loc("L3")), 5);
        let p = c.run();
        assert_eq!(p.requests.len(), 1);
        let r = &p.requests[0];
        assert_eq!(r.product_id, ProductId::new("P1"));
        assert_eq!(r.skus.len(), 1, "S2 unchanged, left out");
        assert_eq!(
            r.skus[0].inventory,
            vec![
                WarehouseQuantity {
                    warehouse_id: wh(W1),
                    quantity: 10
                },
                WarehouseQuantity {
                    warehouse_id: wh(W2),
                    quantity: 5
                },
            ]
        );
    }

    #[test]
    fn more_than_100_changed_skus_of_one_product_are_split() {
        let skus: Vec<LinkedSku> = (0..250)
            .map(|i| plain(&format!("S{i:03}"), "P1", "I1", &[W1]))
            .chain(std::iter::once(plain("OTHER", "P2", "I1", &[W1])))
            .collect();
        let c = Case::new(
            settings(0, 0, QuantityRange::default()),
            skus,
            &[("I1", "L1", 4)],
        );
        let p = c.run();
        let sizes: Vec<(String, usize)> = p
            .requests
            .iter()
            .map(|r| (r.product_id.to_string(), r.skus.len()))
            .collect();
        assert_eq!(
            sizes,
            vec![
                ("P1".into(), 100),
                ("P1".into(), 100),
                ("P1".into(), 50),
                ("P2".into(), 1)
            ]
        );
        assert!(p.requests.iter().all(|r| r.validate().is_ok()));
        assert_eq!(p.requests[1].skus[0].id, sku("S100"));
    }

    #[test]
    fn unmapped_warehouses_get_the_minimum_and_a_warning() {
        let c = Case::new(
            settings(
                0,
                0,
                QuantityRange {
                    min: 1,
                    max: MAX_QUANTITY,
                },
            ),
            vec![
                plain("S1", "P1", "I1", &[W1, "W9"]),
                plain("S1", "P1", "I2", &[W1]),
            ],
            &[("I1", "L1", 10)],
        );
        let p = c.run();
        assert_eq!(q(&p, "S1", "W9"), 1);
        assert_eq!(q(&p, "S1", W1), 10, "first link wins");
        assert!(p.warnings.contains(&PlanWarning::UnmappedWarehouse {
            sku_id: sku("S1"),
            warehouse_id: wh("W9")
        }));
        assert!(p
            .warnings
            .contains(&PlanWarning::DuplicateSku { sku_id: sku("S1") }));
        assert_eq!(p.requests[0].skus[0].inventory.len(), 2);
    }
}
