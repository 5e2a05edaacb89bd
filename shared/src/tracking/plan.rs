//! What to send TikTok for one shipped NetSuite Item Fulfillment: a plain
//! function ([`plan`]) over the fulfilment, the TikTok order as it is now,
//! the order's units per Sales Order line, the shop's carrier table and
//! TikTok's provider list (finance-inventory-fulfilment.md §3, §4.2).
//!
//! Rules, each with its source:
//! - **Seller-shipped only** (§3.1): `fulfillment_type` FULFILLMENT_BY_SELLER
//!   and `shipping_type` SELLER take our tracking; a TikTok-fulfilled order
//!   (`fulfillment_type` FULFILLMENT_BY_TIKTOK) is skipped (TikTok would
//!   refuse with 21008025). A seller-fulfilled order on TikTok's label
//!   (`shipping_type` TIKTOK) is the seller's to ship, but its tracking is
//!   TikTok's (tiktok-shipping.md §2, §5; MPAS/UPSI refuse it with
//!   21011004): it goes to the label flow ([`crate::labels`] decides there),
//!   never pushed from here and never counted as TikTok-fulfilled. Either
//!   field missing or unknown: the order waits (harsher: never push on a
//!   guess).
//! - **Units** (§3.2 [INFERENCE]): one TikTok line item is one unit, so a
//!   Sales Order line fulfilled for quantity *q* sends *q* of its line items:
//!   the first ones, in the order the writer grouped them
//!   ([`crate::mapping::UnitGroup::units`]), that TikTok does not already
//!   show shipped and are not cancelled. A bundle unit sits on each of its
//!   components' lines with its component count; it is sent only when this
//!   fulfilment covers all of it, and a fulfilment covering part of a
//!   bundle unit waits.
//! - **The call by market** (§3.1): Mark Package As Shipped with exactly the
//!   fulfilled units' line item ids in US/UK/EU/JP; elsewhere Ship Package,
//!   which ships a whole package, so the units must be exactly one
//!   package's unshipped units.
//! - **Carrier** (§3.3): the NetSuite ship method is looked up in the shop's
//!   carrier table (trimmed, case-insensitive) giving a TikTok provider
//!   *name*, resolved against Get Shipping Providers for the order's
//!   delivery option by exact case-insensitive name, never fuzzily. No
//!   entry, or a name TikTok does not offer: "needs carrier mapping" with
//!   the fix (what to add, what TikTok offers).
//! - **Tracking** (§4.1, §4.2): TikTok takes one tracking number per
//!   package; a fulfilment with several (multi-box) sends the first as
//!   NetSuite lists it and names the others in the plan for the run log
//!   (the SuiteQL of §4.2 does not say which box holds which unit).
//! - **Once** (§4.2 "Dedupe"): the key is the fulfilment id and its sorted
//!   tracking list. The same key already pushed: nothing. The same
//!   fulfilment with another tracking list: one Update Shipping Info
//!   (TikTok's 72 h / one-update rule decides, §3.4).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{NetSuiteFulfillmentId, OrderId, OrderLineItemId, PackageId};
use crate::tiktok::fulfillment::{
    uses_mark_shipped, MarkShippedRequest, SelfShipment, ShipCall, ShippingInfoTarget,
    ShippingProvider,
};
use crate::tiktok::model::Order;

/// One fulfilled Sales Order line: its NetSuite line number (`orderLine`,
/// §4.1; `previousline` in the SuiteQL of §4.2) and the quantity shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilledLine {
    pub so_line: u32,
    pub quantity: u32,
}

/// A shipped (status C) Item Fulfillment, as the job reads it (§4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fulfilment {
    pub id: NetSuiteFulfillmentId,
    /// From the Sales Order's externalId `tts-{shop}-{order}`.
    pub order_id: OrderId,
    pub lines: Vec<FulfilledLine>,
    /// Every package's tracking number, in NetSuite's order.
    pub tracking_numbers: Vec<String>,
    /// `BUILTIN.DF(shipmethod)`: the ship method's name.
    pub ship_method: Option<String>,
}

/// The TikTok units one Sales Order line carries: `(line item id, units of
/// it on this line)`, as [`crate::mapping::UnitGroup::units`] holds them (a
/// plain unit counts 1; a bundle unit its component count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoLineUnits {
    pub so_line: u32,
    pub units: Vec<(OrderLineItemId, u32)>,
}

pub use crate::mapping::tracking::CarrierTable;
pub use crate::store::pushed_fulfilments::{PushKey, Pushed};

/// The key of a fulfilment (the type is the store's, which keeps it).
impl PushKey {
    pub fn of(f: &Fulfilment) -> Self {
        let mut tracking: Vec<String> = f
            .tracking_numbers
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        tracking.sort();
        tracking.dedup();
        Self {
            fulfilment_id: f.id.clone(),
            tracking_numbers: tracking,
        }
    }
}

/// Everything [`plan`] reads.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    pub fulfilment: &'a Fulfilment,
    /// The order as Get Order Detail returns it now.
    pub order: &'a Order,
    /// The shop's market (`region` of Get Authorized Shops).
    pub region: &'a str,
    pub so_lines: &'a [SoLineUnits],
    pub carriers: &'a CarrierTable,
    /// Get Shipping Providers for the order's delivery option; `None` when
    /// the order has none to ask about.
    pub providers: Option<&'a [ShippingProvider]>,
    pub pushed: Option<&'a Pushed>,
}

/// Why a fulfilment waits, with what fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitReason {
    /// No carrier table entry for the ship method, or its provider name is
    /// not offered for the order's delivery option.
    NeedsCarrierMapping {
        ship_method: String,
        fix: String,
    },
    /// The order has no delivery option, so TikTok's carriers are unknown.
    NoDeliveryOption,
    NoTrackingNumber,
    /// `fulfillment_type` / `shipping_type` missing or unknown.
    UnknownFulfilmentType {
        fulfillment_type: String,
        shipping_type: String,
    },
    OrderCancelled,
    /// A fulfilled Sales Order line carries no TikTok units.
    UnknownSoLine(u32),
    /// More units fulfilled on a line than TikTok has left unshipped.
    MoreUnitsThanTikTok {
        so_line: u32,
        fulfilled: u32,
        unshipped: u32,
    },
    /// Part of a bundle unit is fulfilled; TikTok ships whole units.
    PartialBundleUnit(OrderLineItemId),
    /// Ship Package markets: the units are not exactly one package's.
    NotOnePackage {
        packages: Vec<String>,
    },
}

impl WaitReason {
    /// The fix for the run log and the digest.
    pub fn fix(&self) -> String {
        match self {
            Self::NeedsCarrierMapping { fix, .. } => fix.clone(),
            Self::NoDeliveryOption => "TikTok's order has no delivery option to ask for carriers; check the order in Seller Center.".into(),
            Self::NoTrackingNumber => "Enter the package tracking number on the Item Fulfillment in NetSuite; the next run pushes it.".into(),
            Self::UnknownFulfilmentType { .. } => "TikTok did not say who fulfils this order; check it in Seller Center before shipping.".into(),
            Self::OrderCancelled => "TikTok cancelled the order after it was fulfilled: stop or recover the shipment, then ignore the fulfilment here.".into(),
            Self::UnknownSoLine(l) => format!("Sales Order line {l} has no TikTok units (added by hand?): fulfil only lines written from TikTok, or push this tracking in Seller Center."),
            Self::MoreUnitsThanTikTok { so_line, .. } => format!("Line {so_line} ships more units than TikTok has left to ship: compare the Item Fulfillment with the TikTok order."),
            Self::PartialBundleUnit(id) => format!("Bundle unit {id} is only partly fulfilled: fulfil all its components together."),
            Self::NotOnePackage { packages } => format!("TikTok ships whole packages in this market; the fulfilled units are not exactly one package ({}): fulfil the package's units together.", packages.join(", ")),
        }
    }
}

/// The decision for one fulfilment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingPlan {
    /// Send this; record `key` (and the package TikTok returns) once done.
    Push {
        call: ShipCall,
        key: PushKey,
        /// Tracking numbers beyond the one sent (multi-box), for the log.
        other_tracking: Vec<String>,
    },
    /// The tracking list changed since it was pushed: one correction.
    Correct {
        target: ShippingInfoTarget,
        shipment: SelfShipment,
        key: PushKey,
    },
    /// Same fulfilment, same tracking list: nothing to send.
    AlreadyPushed,
    /// Fulfilled by TikTok: never ours to push.
    SkipFulfilledByTikTok,
    /// Seller-fulfilled on TikTok's label (`shipping_type` TIKTOK): the
    /// label flow buys the label and writes TikTok's tracking on the Item
    /// Fulfillment; nothing is pushed from the tracking job.
    TikTokShippingLabel,
    /// Not pushed until a person fixes something.
    Wait(WaitReason),
}

/// Decides what to send for one fulfilment (module doc).
pub fn plan(input: PlanInput<'_>) -> TrackingPlan {
    let f = input.fulfilment;
    let order = input.order;
    let key = PushKey::of(f);
    if input.pushed.is_some_and(|p| p.key == key) {
        return TrackingPlan::AlreadyPushed;
    }
    let ft = order.fulfillment_type.as_deref().unwrap_or_default();
    let st = order.shipping_type.as_deref().unwrap_or_default();
    if ft == "FULFILLMENT_BY_TIKTOK" {
        return TrackingPlan::SkipFulfilledByTikTok;
    }
    if ft == "FULFILLMENT_BY_SELLER" && st == "TIKTOK" {
        return TrackingPlan::TikTokShippingLabel;
    }
    if ft != "FULFILLMENT_BY_SELLER" || st != "SELLER" {
        return TrackingPlan::Wait(WaitReason::UnknownFulfilmentType {
            fulfillment_type: ft.into(),
            shipping_type: st.into(),
        });
    }
    if order.status == crate::domain::OrderStatus::Cancelled {
        return TrackingPlan::Wait(WaitReason::OrderCancelled);
    }
    let Some(first) = key.tracking_numbers.first() else {
        return TrackingPlan::Wait(WaitReason::NoTrackingNumber);
    };
    // NetSuite's first tracking number (the key's list is sorted).
    let sent = f
        .tracking_numbers
        .iter()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .unwrap_or(first)
        .to_string();
    let provider = match resolve_provider(&input) {
        Ok(p) => p,
        Err(w) => return TrackingPlan::Wait(w),
    };
    let shipment = SelfShipment {
        tracking_number: sent.clone(),
        shipping_provider_id: provider.id.clone(),
    };
    if let Some(p) = input.pushed {
        let target = match &p.package_id {
            Some(pkg) => ShippingInfoTarget::Package(pkg.clone()),
            None => ShippingInfoTarget::Order(f.order_id.clone()),
        };
        return TrackingPlan::Correct {
            target,
            shipment,
            key,
        };
    }
    // An earlier push whose record was lost: TikTok already holds our
    // tracking on as many units of every line as were fulfilled. Checked
    // before picking units, or the other unshipped units of a line would
    // be sent under this tracking. (Limit: a second fulfilment of the same
    // line reusing the first one's tracking number reads as pushed too.)
    if shipped_with(f, order, input.so_lines, &key.tracking_numbers) {
        return TrackingPlan::AlreadyPushed;
    }
    let units = match pick_units(f, order, input.so_lines) {
        Ok(u) => u,
        Err(w) => return TrackingPlan::Wait(w),
    };
    let other_tracking: Vec<String> = key
        .tracking_numbers
        .iter()
        .filter(|t| **t != sent)
        .cloned()
        .collect();
    let call = if uses_mark_shipped(input.region) {
        ShipCall::MarkShipped(MarkShippedRequest {
            order_id: f.order_id.clone(),
            order_line_item_ids: units,
            tracking_number: shipment.tracking_number,
            shipping_provider_id: shipment.shipping_provider_id,
        })
    } else {
        match one_package(order, &units) {
            Ok(package_id) => ShipCall::ShipPackage {
                order_id: f.order_id.clone(),
                package_id,
                line_item_ids: units,
                shipment,
            },
            Err(w) => return TrackingPlan::Wait(w),
        }
    };
    TrackingPlan::Push {
        call,
        key,
        other_tracking,
    }
}

/// Ship method → provider name → TikTok's provider for the order's option.
fn resolve_provider<'a>(input: &PlanInput<'a>) -> Result<&'a ShippingProvider, WaitReason> {
    let offered = |list: &[ShippingProvider]| {
        list.iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(providers) = input.providers else {
        return Err(WaitReason::NoDeliveryOption);
    };
    let method = input
        .fulfilment
        .ship_method
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    if method.is_empty() {
        return Err(WaitReason::NeedsCarrierMapping {
            ship_method: String::new(),
            fix: format!("The Item Fulfillment has no ship method: set one that the shop's carrier table maps (TikTok offers: {}).", offered(providers)),
        });
    }
    let Some(name) = input.carriers.provider_name(method) else {
        return Err(WaitReason::NeedsCarrierMapping {
            ship_method: method.into(),
            fix: format!("Add ship method '{method}' to the shop's carrier table with one of TikTok's provider names: {}.", offered(providers)),
        });
    };
    providers
        .iter()
        .find(|p| p.name.trim().eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| WaitReason::NeedsCarrierMapping {
            ship_method: method.into(),
            fix: format!("The carrier table maps '{method}' to '{name}', which TikTok does not offer for this order's delivery option; use one of: {}.", offered(providers)),
        })
}

/// The line item ids this fulfilment ships (module doc, "Units").
fn pick_units(
    f: &Fulfilment,
    order: &Order,
    so_lines: &[SoLineUnits],
) -> Result<Vec<OrderLineItemId>, WaitReason> {
    let open = |id: &OrderLineItemId| {
        order
            .line_items
            .iter()
            .find(|l| l.id == id.as_str())
            .is_some_and(|l| !l.is_cancelled() && l.shipped_tracking().is_none())
    };
    // Units of each line item over all Sales Order lines (bundles span several).
    let mut total: BTreeMap<&OrderLineItemId, u32> = BTreeMap::new();
    for l in so_lines {
        for (id, n) in &l.units {
            *total.entry(id).or_default() += n;
        }
    }
    let mut covered: BTreeMap<&OrderLineItemId, u32> = BTreeMap::new();
    // (Sales Order line, unit) pairs already taken: each once.
    let mut used: Vec<(u32, &OrderLineItemId)> = Vec::new();
    let mut order_seen: Vec<&OrderLineItemId> = Vec::new();
    for fl in &f.lines {
        let Some(line) = so_lines.iter().find(|l| l.so_line == fl.so_line) else {
            return Err(WaitReason::UnknownSoLine(fl.so_line));
        };
        let free = |id: &OrderLineItemId, used: &[(u32, &OrderLineItemId)]| {
            open(id) && !used.iter().any(|(l, u)| *l == fl.so_line && *u == id)
        };
        let unshipped: u32 = line
            .units
            .iter()
            .filter(|(id, _)| free(id, &used))
            .map(|(_, n)| n)
            .sum();
        if fl.quantity > unshipped {
            return Err(WaitReason::MoreUnitsThanTikTok {
                so_line: fl.so_line,
                fulfilled: fl.quantity,
                unshipped,
            });
        }
        let mut left = fl.quantity;
        for (id, n) in &line.units {
            if left == 0 {
                break;
            }
            if !free(id, &used) {
                continue;
            }
            let take = left.min(*n);
            left -= take;
            *covered.entry(id).or_default() += take;
            used.push((fl.so_line, id));
            if !order_seen.contains(&id) {
                order_seen.push(id);
            }
        }
    }
    let mut ids = Vec::with_capacity(order_seen.len());
    for id in order_seen {
        if covered.get(id) != total.get(id) {
            return Err(WaitReason::PartialBundleUnit(id.clone()));
        }
        ids.push(id.clone());
    }
    Ok(ids)
}

/// Whether every fulfilled line has at least its quantity of units that
/// TikTok shows shipped with one of `tracking`.
fn shipped_with(
    f: &Fulfilment,
    order: &Order,
    so_lines: &[SoLineUnits],
    tracking: &[String],
) -> bool {
    let ours = |id: &OrderLineItemId| {
        order.line_items.iter().any(|l| {
            l.id == id.as_str()
                && l.shipped_tracking()
                    .is_some_and(|t| tracking.iter().any(|x| x == t))
        })
    };
    f.lines.iter().all(|fl| {
        so_lines
            .iter()
            .find(|l| l.so_line == fl.so_line)
            .is_some_and(|l| {
                l.units
                    .iter()
                    .filter(|(id, _)| ours(id))
                    .map(|(_, n)| n)
                    .sum::<u32>()
                    >= fl.quantity
            })
    })
}

/// Ship Package markets: the one package whose unshipped units are exactly `units`.
fn one_package(order: &Order, units: &[OrderLineItemId]) -> Result<PackageId, WaitReason> {
    let package_of = |id: &OrderLineItemId| {
        order
            .line_items
            .iter()
            .find(|l| l.id == id.as_str())
            .and_then(|l| l.package_id.clone())
    };
    let mut packages: Vec<String> = units
        .iter()
        .map(|u| package_of(u).map_or_else(|| "(none)".to_string(), |p| p.0))
        .collect();
    packages.sort();
    packages.dedup();
    let [only] = packages.as_slice() else {
        return Err(WaitReason::NotOnePackage { packages });
    };
    let rest = order.line_items.iter().filter(|l| {
        l.package_id.as_ref().is_some_and(|p| p.as_str() == only)
            && !l.is_cancelled()
            && l.shipped_tracking().is_none()
    });
    let whole = rest.clone().count() == units.len()
        && rest
            .into_iter()
            .all(|l| units.iter().any(|u| u.as_str() == l.id));
    if only == "(none)" || !whole {
        return Err(WaitReason::NotOnePackage { packages });
    }
    Ok(PackageId::new(only.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderStatus, ShippingProviderId};
    use serde_json::json;

    const USPS: &str = "7117858858072016686";

    /// Line items: t1, t2 (tent, one package P1), h1 (headlamp, P1),
    /// b1 (a bundle unit: 2 stoves + 1 pot), all seller-shipped.
    fn order() -> Order {
        let line = |id: &str, sku: &str| {
            json!({"id": id, "sku_id": sku, "seller_sku": sku, "package_id": "P1",
                   "original_price": "10.00", "display_status": "AWAITING_SHIPMENT"})
        };
        serde_json::from_value(json!({
            "id": "O1", "status": "AWAITING_SHIPMENT",
            "fulfillment_type": "FULFILLMENT_BY_SELLER", "shipping_type": "SELLER",
            "delivery_option_id": "D1", "packages": [{"id": "P1"}],
            "payment": {"currency": "USD"},
            "line_items": [line("t1", "TENT"), line("t2", "TENT"), line("h1", "LAMP"), line("b1", "KIT")],
        }))
        .unwrap()
    }

    /// SO line 1: tents; 2: headlamp; 3: stoves (b1 ×2); 4: pot (b1 ×1).
    fn so_lines() -> Vec<SoLineUnits> {
        let u = |id: &str, n: u32| (OrderLineItemId::new(id), n);
        vec![
            SoLineUnits {
                so_line: 1,
                units: vec![u("t1", 1), u("t2", 1)],
            },
            SoLineUnits {
                so_line: 2,
                units: vec![u("h1", 1)],
            },
            SoLineUnits {
                so_line: 3,
                units: vec![u("b1", 2)],
            },
            SoLineUnits {
                so_line: 4,
                units: vec![u("b1", 1)],
            },
        ]
    }

    fn fulfilment(lines: &[(u32, u32)], tracking: &[&str], method: Option<&str>) -> Fulfilment {
        Fulfilment {
            id: NetSuiteFulfillmentId::new("IF9"),
            order_id: OrderId::new("O1"),
            lines: lines
                .iter()
                .map(|(l, q)| FulfilledLine {
                    so_line: *l,
                    quantity: *q,
                })
                .collect(),
            tracking_numbers: tracking.iter().map(|t| t.to_string()).collect(),
            ship_method: method.map(str::to_string),
        }
    }

    fn carriers() -> CarrierTable {
        CarrierTable(
            [("USPS Priority Mail".to_string(), "usps".to_string())]
                .into_iter()
                .collect(),
        )
    }

    fn providers() -> Vec<ShippingProvider> {
        vec![
            ShippingProvider {
                id: ShippingProviderId::new(USPS),
                name: "USPS".into(),
            },
            ShippingProvider {
                id: ShippingProviderId::new("UPS1"),
                name: "UPS".into(),
            },
        ]
    }

    struct Case {
        f: Fulfilment,
        order: Order,
        region: &'static str,
        pushed: Option<Pushed>,
        providers: Option<Vec<ShippingProvider>>,
    }

    impl Case {
        fn new(f: Fulfilment) -> Self {
            Self {
                f,
                order: order(),
                region: "US",
                pushed: None,
                providers: Some(providers()),
            }
        }
        fn run(&self) -> TrackingPlan {
            let lines = so_lines();
            let carriers = carriers();
            plan(PlanInput {
                fulfilment: &self.f,
                order: &self.order,
                region: self.region,
                so_lines: &lines,
                carriers: &carriers,
                providers: self.providers.as_deref(),
                pushed: self.pushed.as_ref(),
            })
        }
    }

    fn ids(v: &[&str]) -> Vec<OrderLineItemId> {
        v.iter().map(|s| OrderLineItemId::new(*s)).collect()
    }

    fn key(tracking: &[&str]) -> PushKey {
        PushKey {
            fulfilment_id: NetSuiteFulfillmentId::new("IF9"),
            tracking_numbers: tracking.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn us_partial_fulfilment_sends_exactly_its_units() {
        let f = fulfilment(
            &[(1, 1), (2, 1)],
            &["9400111"],
            Some(" usps priority mail "),
        );
        let TrackingPlan::Push {
            call,
            key: k,
            other_tracking,
        } = Case::new(f).run()
        else {
            panic!("expected a push")
        };
        assert_eq!(
            call,
            ShipCall::MarkShipped(MarkShippedRequest {
                order_id: OrderId::new("O1"),
                order_line_item_ids: ids(&["t1", "h1"]),
                tracking_number: "9400111".into(),
                shipping_provider_id: ShippingProviderId::new(USPS),
            })
        );
        assert_eq!(k, key(&["9400111"]));
        assert!(other_tracking.is_empty());
    }

    #[test]
    fn units_tiktok_shows_shipped_are_not_sent_again() {
        let mut c = Case::new(fulfilment(
            &[(1, 1)],
            &["9400222"],
            Some("USPS Priority Mail"),
        ));
        c.order.line_items[0].tracking_number = Some("9400111".into());
        let TrackingPlan::Push { call, .. } = c.run() else {
            panic!()
        };
        assert_eq!(call.line_item_ids(), ids(&["t2"]).as_slice());
        // Both tents shipped already: more units than TikTok has left.
        c.order.line_items[1].tracking_number = Some("9400111".into());
        assert_eq!(
            c.run(),
            TrackingPlan::Wait(WaitReason::MoreUnitsThanTikTok {
                so_line: 1,
                fulfilled: 1,
                unshipped: 0
            })
        );
        // ... unless TikTok holds our own tracking on them: a lost record.
        c.order.line_items[1].tracking_number = Some("9400222".into());
        assert_eq!(c.run(), TrackingPlan::AlreadyPushed);
    }

    #[test]
    fn a_lost_record_never_ships_the_lines_other_units() {
        // One tent of two fulfilled; TikTok already holds our tracking on t1.
        let mut c = Case::new(fulfilment(
            &[(1, 1)],
            &["9400222"],
            Some("USPS Priority Mail"),
        ));
        c.order.line_items[0].tracking_number = Some("9400222".into());
        assert_eq!(c.run(), TrackingPlan::AlreadyPushed);
    }

    #[test]
    fn the_same_fulfilment_and_tracking_list_is_pushed_once() {
        let mut c = Case::new(fulfilment(
            &[(1, 2)],
            &["B2", "A1"],
            Some("USPS Priority Mail"),
        ));
        let TrackingPlan::Push {
            call,
            key: k,
            other_tracking,
        } = c.run()
        else {
            panic!()
        };
        assert_eq!(
            call.tracking_number(),
            "B2",
            "NetSuite's first number is sent"
        );
        assert_eq!(k, key(&["A1", "B2"]), "the key is sorted");
        assert_eq!(other_tracking, vec!["A1".to_string()]);
        c.pushed = Some(Pushed {
            key: k,
            package_id: Some(PackageId::new("P9")),
        });
        assert_eq!(c.run(), TrackingPlan::AlreadyPushed);
        // Another tracking list for the same fulfilment: one correction.
        c.f.tracking_numbers = vec!["C3".into()];
        assert_eq!(
            c.run(),
            TrackingPlan::Correct {
                target: ShippingInfoTarget::Package(PackageId::new("P9")),
                shipment: SelfShipment {
                    tracking_number: "C3".into(),
                    shipping_provider_id: ShippingProviderId::new(USPS),
                },
                key: key(&["C3"]),
            }
        );
    }

    #[test]
    fn fbt_orders_are_skipped_and_unknown_types_wait() {
        let mut c = Case::new(fulfilment(&[(1, 1)], &["T"], Some("USPS Priority Mail")));
        c.order.fulfillment_type = Some("FULFILLMENT_BY_TIKTOK".into());
        assert_eq!(c.run(), TrackingPlan::SkipFulfilledByTikTok);
        c.order.fulfillment_type = Some("FULFILLMENT_BY_SELLER".into());
        c.order.shipping_type = Some("TIKTOK".into());
        // TikTok Shipping: the seller ships on TikTok's label, not skipped.
        assert_eq!(c.run(), TrackingPlan::TikTokShippingLabel);
        c.order.shipping_type = None;
        assert_eq!(
            c.run(),
            TrackingPlan::Wait(WaitReason::UnknownFulfilmentType {
                fulfillment_type: "FULFILLMENT_BY_SELLER".into(),
                shipping_type: String::new(),
            })
        );
        c.order.shipping_type = Some("SELLER".into());
        c.order.status = OrderStatus::Cancelled;
        assert_eq!(c.run(), TrackingPlan::Wait(WaitReason::OrderCancelled));
    }

    #[test]
    fn an_unmapped_carrier_waits_with_a_fix_never_a_guess() {
        let mut c = Case::new(fulfilment(&[(1, 1)], &["T"], Some("UPS Ground")));
        let TrackingPlan::Wait(w) = c.run() else {
            panic!()
        };
        assert_eq!(
            w,
            WaitReason::NeedsCarrierMapping {
                ship_method: "UPS Ground".into(),
                fix: "Add ship method 'UPS Ground' to the shop's carrier table with one of TikTok's provider names: USPS, UPS.".into(),
            }
        );
        assert_eq!(w.fix(), "Add ship method 'UPS Ground' to the shop's carrier table with one of TikTok's provider names: USPS, UPS.");
        // Mapped to a name TikTok does not offer for this option.
        c.f.ship_method = Some("USPS Priority Mail".into());
        c.providers = Some(vec![providers()[1].clone()]);
        let TrackingPlan::Wait(WaitReason::NeedsCarrierMapping { fix, .. }) = c.run() else {
            panic!()
        };
        assert!(fix.contains("maps 'USPS Priority Mail' to 'usps'"), "{fix}");
        // No ship method, no delivery option, no tracking.
        c.providers = Some(providers());
        c.f.ship_method = None;
        assert!(
            matches!(c.run(), TrackingPlan::Wait(WaitReason::NeedsCarrierMapping { ship_method, .. }) if ship_method.is_empty())
        );
        c.providers = None;
        c.f.ship_method = Some("USPS Priority Mail".into());
        assert_eq!(c.run(), TrackingPlan::Wait(WaitReason::NoDeliveryOption));
        c.f.tracking_numbers = vec!["  ".into()];
        assert_eq!(c.run(), TrackingPlan::Wait(WaitReason::NoTrackingNumber));
    }

    #[test]
    fn a_bundle_unit_ships_only_whole() {
        let mut c = Case::new(fulfilment(
            &[(3, 2), (4, 1)],
            &["T"],
            Some("USPS Priority Mail"),
        ));
        let TrackingPlan::Push { call, .. } = c.run() else {
            panic!()
        };
        assert_eq!(call.line_item_ids(), ids(&["b1"]).as_slice());
        c.f.lines = vec![FulfilledLine {
            so_line: 3,
            quantity: 2,
        }];
        assert_eq!(
            c.run(),
            TrackingPlan::Wait(WaitReason::PartialBundleUnit(OrderLineItemId::new("b1")))
        );
        c.f.lines = vec![FulfilledLine {
            so_line: 7,
            quantity: 1,
        }];
        assert_eq!(c.run(), TrackingPlan::Wait(WaitReason::UnknownSoLine(7)));
    }

    #[test]
    fn other_markets_ship_a_whole_package() {
        let mut c = Case::new(fulfilment(
            &[(1, 2), (2, 1), (3, 2), (4, 1)],
            &["JNE1"],
            Some("USPS Priority Mail"),
        ));
        c.region = "ID";
        let TrackingPlan::Push { call, .. } = c.run() else {
            panic!()
        };
        assert_eq!(
            call,
            ShipCall::ShipPackage {
                order_id: OrderId::new("O1"),
                package_id: PackageId::new("P1"),
                line_item_ids: ids(&["t1", "t2", "h1", "b1"]),
                shipment: SelfShipment {
                    tracking_number: "JNE1".into(),
                    shipping_provider_id: ShippingProviderId::new(USPS),
                },
            }
        );
        // Part of the package: Ship Package cannot send it.
        c.f.lines.truncate(1);
        assert_eq!(
            c.run(),
            TrackingPlan::Wait(WaitReason::NotOnePackage {
                packages: vec!["P1".into()]
            })
        );
    }
}
