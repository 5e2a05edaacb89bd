//! Cancellations: close a cancelled order's open Sales Order lines, or reduce
//! exactly the lines whose units TikTok cancelled.
//!
//! Both are idempotent by construction: a full cancellation closes only lines
//! still open, and a partial cancellation sets each Sales Order line to the
//! *absolute* quantity TikTok still expects (ordered units minus every
//! effective cancellation), so applying either twice changes nothing. A line
//! the warehouse already fulfilled or billed is never touched: that is a
//! Cancelled Too Late exception for a person. The decisions are the plain
//! functions [`plan_full_cancel`], [`cancelled_line_items`], [`wanted_units`]
//! and [`plan_line_changes`].

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::decision::Decision;
use super::items::Resolve;
use super::OrderSync;
use crate::domain::Money;
use crate::domain::{OrderId, ShopId, Sku};
use crate::mapping::config::ShopMapping;
use crate::mapping::{group_all_units, money_of, num, UnitGroup};
use crate::store::SyncStatus;
use crate::taxonomy::{ErrorCode, Failure, Level};
use crate::tiktok::aftersales::Cancellation;
use crate::tiktok::model::Order;

/// A quantity field of a Sales Order line, as a whole number of units.
fn qty(l: &Value, k: &str) -> u32 {
    l.get(k)
        .and_then(|v| v.as_f64())
        .map_or(0, |f| f.max(0.0) as u32)
}

/// What a full cancellation does to a Sales Order's lines.
#[derive(Debug, Clone, PartialEq)]
pub enum FullCancelPlan {
    /// Some lines were fulfilled or billed: change nothing, tell a person.
    TooLate(Vec<String>),
    /// Close these lines (`{"line": n, "isClosed": true}` each); empty when all are closed.
    Close(Vec<Value>),
}

/// Closes every open line unless any line is already fulfilled or billed.
pub fn plan_full_cancel(lines: &[Value]) -> FullCancelPlan {
    let done: Vec<String> = lines
        .iter()
        .filter(|l| qty(l, "quantityFulfilled") > 0 || qty(l, "quantityBilled") > 0)
        .map(|l| {
            format!(
                "line {} (item {}): fulfilled {}, billed {}",
                l["line"],
                l["item"]["id"].as_str().unwrap_or("?"),
                qty(l, "quantityFulfilled"),
                qty(l, "quantityBilled")
            )
        })
        .collect();
    if !done.is_empty() {
        return FullCancelPlan::TooLate(done);
    }
    FullCancelPlan::Close(
        lines
            .iter()
            .filter(|l| l.get("isClosed").and_then(|v| v.as_bool()) != Some(true))
            .filter_map(|l| l.get("line").cloned())
            .map(|line| json!({ "line": line, "isClosed": true }))
            .collect(),
    )
}

/// The TikTok line items an order's effective cancellations (and TikTok's
/// own line statuses) took away.
pub fn cancelled_line_items<'o>(order: &'o Order, cancels: &'o [Cancellation]) -> HashSet<&'o str> {
    let mut ids: HashSet<&str> = cancels
        .iter()
        .filter(|c| c.is_effective())
        .flat_map(|c| {
            c.cancel_line_items
                .iter()
                .map(|l| l.order_line_item_id.as_str())
        })
        .collect();
    ids.extend(
        order
            .line_items
            .iter()
            .filter(|l| l.is_cancelled())
            .map(|l| l.id.as_str()),
    );
    ids
}

/// Units of a group TikTok still wants: those whose line item is not cancelled.
pub fn wanted_units(g: &UnitGroup, cancelled: &HashSet<&str>) -> u32 {
    g.units
        .iter()
        .filter(|(id, _)| !cancelled.contains(id.as_str()))
        .map(|(_, q)| q)
        .sum()
}

/// What a partial cancellation changes on the Sales Order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineChanges {
    /// PATCH lines (`line` + `quantity`/`amount` or `isClosed`).
    pub patch: Vec<Value>,
    /// Lines TikTok wants below what was already fulfilled or billed.
    pub too_late: Vec<String>,
    /// Groups with units still wanted but no Sales Order line to carry them.
    pub unmatched: Vec<String>,
    /// What changed, for the log.
    pub changed: Vec<String>,
    /// A new header `shippingCost` (shipping booked in the header).
    pub shipping_cost: Option<Money>,
}

/// One group of the order's units, as the Sales Order carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLine<'g> {
    pub sku: &'g str,
    pub item: &'g str,
    pub rate: Money,
    /// Units TikTok still wants on this line.
    pub wanted: u32,
}

/// Sets each Sales Order line to the units its own TikTok line items still
/// want. Groups are matched to lines by item and rate, each line once, in
/// the order both were written, so when one item sits on two lines (another
/// price, a seller discount, a bundle component also sold alone) only the
/// line whose units were cancelled changes.
pub fn plan_line_changes(groups: &[GroupLine<'_>], lines: &[Value]) -> LineChanges {
    let mut out = LineChanges::default();
    let mut used = vec![false; lines.len()];
    for g in groups {
        let found = lines.iter().enumerate().find(|(i, l)| {
            !used[*i]
                && l["item"]["id"].as_str() == Some(g.item)
                && money_of(&l["rate"]).is_some_and(|r| r == g.rate)
        });
        let Some((i, l)) = found else {
            if g.wanted > 0 {
                out.unmatched
                    .push(format!("{} × {} at {}", g.wanted, g.sku, g.rate));
            }
            continue;
        };
        used[i] = true;
        let sku = g.sku;
        let wanted = g.wanted;
        let (q, fulfilled) = (
            qty(l, "quantity"),
            qty(l, "quantityFulfilled").max(qty(l, "quantityBilled")),
        );
        if wanted < fulfilled {
            out.too_late.push(format!(
                "line {} ({sku}): fulfilled/billed {fulfilled}, TikTok now wants {wanted}",
                l["line"]
            ));
        } else if wanted == 0 && l["isClosed"] != json!(true) {
            out.patch
                .push(json!({ "line": l["line"], "isClosed": true }));
            out.changed
                .push(format!("closed line {} ({sku})", l["line"]));
        } else if wanted > 0 && wanted != q {
            out.patch.push(json!({ "line": l["line"], "quantity": wanted, "amount": num(g.rate * Decimal::from(wanted)) }));
            out.changed
                .push(format!("line {} ({sku}) {q} → {wanted}", l["line"]));
        }
    }
    out
}

/// The seller-discount item line set to the discount of the units left
/// (`left`, positive; the line carries it negated); closed at zero. `None`
/// when there is no such line or it is already right.
pub fn plan_discount_line(lines: &[Value], item_id: &str, left: Money) -> Option<(Value, String)> {
    let l = lines.iter().find(|l| {
        l["item"]["id"].as_str() == Some(item_id)
            && money_of(&l["rate"]).is_some_and(|r| r < Money::ZERO)
    })?;
    let now = -money_of(&l["amount"]).or_else(|| money_of(&l["rate"]))?;
    if left.is_zero() {
        return (l["isClosed"] != json!(true)).then(|| {
            (
                json!({ "line": l["line"], "isClosed": true }),
                format!("closed discount line {}", l["line"]),
            )
        });
    }
    (now != left).then(|| {
        (
            json!({ "line": l["line"], "quantity": 1, "rate": num(-left), "amount": num(-left) }),
            format!("discount line {} {} → {}", l["line"], -now, -left),
        )
    })
}

/// The tax the order still carries after its cancellations: shipping tax
/// and retail delivery fees as they were, plus the per-unit taxes of the
/// line items not cancelled. `None` when TikTok's per-unit taxes do not add
/// up to its product tax (then nothing can be said per unit).
pub fn tax_left(order: &Order, cancelled: &HashSet<&str>) -> Option<Money> {
    let unit_tax = |l: &crate::tiktok::model::LineItem| -> Money {
        l.item_tax.iter().map(|t| t.tax_amount).sum()
    };
    let p = &order.payment;
    let all: Money = order.line_items.iter().map(unit_tax).sum();
    if (all - p.product_tax).abs() > Decimal::new(1, 2) {
        return None;
    }
    let live: Money = order
        .line_items
        .iter()
        .filter(|l| !cancelled.contains(l.id.as_str()))
        .map(unit_tax)
        .sum();
    Some(p.tax - p.product_tax + p.retail_delivery_fee + live)
}

/// A charge item line (tax) set to `left`; closed at zero. `None` when there
/// is no such line or it is already right.
pub fn plan_charge_line(lines: &[Value], item_id: &str, left: Money) -> Option<(Value, String)> {
    let l = lines.iter().find(|l| {
        l["item"]["id"].as_str() == Some(item_id)
            && money_of(&l["rate"]).is_some_and(|r| r >= Money::ZERO)
    })?;
    let now = money_of(&l["amount"]).or_else(|| money_of(&l["rate"]))?;
    if left.is_zero() {
        return (l["isClosed"] != json!(true)).then(|| {
            (
                json!({ "line": l["line"], "isClosed": true }),
                format!("closed line {}", l["line"]),
            )
        });
    }
    (now != left).then(|| {
        (
            json!({ "line": l["line"], "quantity": 1, "rate": num(left), "amount": num(left) }),
            format!("line {} {now} → {left}", l["line"]),
        )
    })
}

fn too_late(reason: String, fix: &str) -> Failure {
    Failure::new(ErrorCode::CancelledTooLate, reason, fix)
        .retryable(false)
        .level(Level::Warning)
}

fn gone(so_id: &str) -> Failure {
    Failure::new(
        ErrorCode::NotFound,
        format!("Sales Order {so_id} is no longer in NetSuite"),
        "Check whether it was deleted in NetSuite; nothing is left to change. Ignore the order once checked.",
    )
    .retryable(false)
}

/// A PATCH NetSuite refused for a business reason is a cancellation failure.
fn patch_failed(e: &crate::netsuite::NsError) -> Failure {
    let mut f = Failure::from(e);
    if !f.retryable {
        f.code = ErrorCode::OrderCancellationFailed;
    }
    f
}

impl OrderSync<'_> {
    /// The Sales Order with its lines, or the failure to log.
    async fn sales_order_lines(&self, so_id: &str) -> Result<Vec<Value>, Failure> {
        match self.netsuite.get("salesOrder", so_id, true).await {
            Ok(Some(so)) => Ok(so["item"]["items"].as_array().cloned().unwrap_or_default()),
            Ok(None) => Err(gone(so_id)),
            Err(e) => Err(Failure::from(&e)),
        }
    }

    /// TikTok cancelled an order that has a Sales Order: close its open lines,
    /// unless the warehouse already fulfilled or billed any of them.
    pub(super) async fn cancel(&self, id: &str, order: &OrderId, status: &str) -> Decision {
        let lines = match self.sales_order_lines(id).await {
            Ok(l) => l,
            Err(f) => return Decision::failed(status, f).on(id),
        };
        let open = match plan_full_cancel(&lines) {
            FullCancelPlan::TooLate(done) => {
                return Decision::failed(
                    status,
                    too_late(
                        format!("TikTok cancelled order {order} after Sales Order {id} was fulfilled or billed: {}", done.join("; ")),
                        "The Sales Order was left unchanged. Stop or recover the shipment, then credit or close the Sales Order in NetSuite by hand; ignore the order here when done.",
                    ),
                )
                .with_status(SyncStatus::NeedsReview)
                .on(id)
            }
            FullCancelPlan::Close(open) => open,
        };
        let n = open.len();
        if n > 0 {
            let body = json!({ "item": { "items": open } });
            if let Err(e) = self.netsuite.patch("salesOrder", id, &body).await {
                return Decision::failed(status, patch_failed(&e)).on(id);
            }
        }
        Decision::ok(
            SyncStatus::Cancelled,
            status,
            if n > 0 {
                format!("TikTok cancelled the order: closed {n} line(s) of Sales Order {id}")
            } else {
                format!("TikTok cancelled the order: Sales Order {id} already closed")
            },
        )
        .on(id)
    }

    /// Some lines of a live order were cancelled: reduce or close exactly those.
    pub(super) async fn partial_cancel(
        &self,
        shop: &ShopId,
        cfg: &ShopMapping,
        so_id: &str,
        order: &Order,
    ) -> Decision {
        let status = order.status.as_str();
        let client = self.shops.client();
        let cancels = match self
            .shops
            .call_with_refresh(shop, |auth| async move {
                client.cancellations_for_order(&auth, &order.id).await
            })
            .await
        {
            Ok(c) => c,
            Err(e) => return Decision::failed(status, Failure::from(&e)),
        };
        let cancelled = cancelled_line_items(order, &cancels);
        let groups = match group_all_units(order) {
            Ok(g) => g,
            Err(e) => return Decision::failed(status, e.to_failure(shop)),
        };
        if groups
            .iter()
            .all(|g| wanted_units(g, &cancelled) == g.quantity)
        {
            return Decision::ok(
                SyncStatus::Updated,
                status,
                "cancellation without effective cancelled lines: nothing to change",
            )
            .on(so_id);
        }
        let skus: Vec<Sku> = groups.iter().map(|g| g.seller_sku.clone()).collect();
        let items = match self.resolve_items(shop, skus.iter()).await {
            Ok(i) => i,
            Err(Resolve::Unlinked(s)) => {
                return Decision::failed(
                    status,
                    Failure::new(
                        ErrorCode::OrderCancellationFailed,
                        format!("cancelled SKU {} has no NetSuite item", s.join(", ")),
                        "Link the SKU (`tiktok-netsuite skus link`) and resubmit, or close the line in NetSuite by hand.",
                    ),
                )
            }
            Err(Resolve::Failed(f)) => return Decision::failed(status, f),
        };
        let lines = match self.sales_order_lines(so_id).await {
            Ok(l) => l,
            Err(f) => return Decision::failed(status, f),
        };
        let planned: Vec<GroupLine<'_>> = groups
            .iter()
            .zip(&items)
            .map(|(g, item)| GroupLine {
                sku: g.seller_sku.as_str(),
                item: item.id.as_str(),
                rate: g.rate(cfg),
                wanted: wanted_units(g, &cancelled),
            })
            .collect();
        let mut changes = plan_line_changes(&planned, &lines);
        // The seller-discount line (discount item mode) follows the units left.
        if let crate::mapping::config::SellerDiscount::Item { item_id } = &cfg.seller_discount {
            let left: Money = groups
                .iter()
                .map(|g| g.unit_seller_discount * Money::from(wanted_units(g, &cancelled)))
                .sum();
            if let Some((p, note)) = plan_discount_line(&lines, item_id, left) {
                changes.patch.push(p);
                changes.changed.push(note);
            }
        }
        // Shipping TikTok refunded with an effective cancellation comes off the
        // Sales Order's shipping (its line, or the header's shippingCost).
        let refunded_shipping: Money = cancels
            .iter()
            .filter(|c| c.is_effective())
            .map(|c| c.refund_amount.refund_shipping_fee)
            .sum();
        if !refunded_shipping.is_zero() {
            let p = &order.payment;
            let left = (p.shipping_fee + p.shipping_fee_platform_discount - refunded_shipping)
                .max(Money::ZERO);
            match &cfg.shipping {
                crate::mapping::config::Shipping::Item { item_id } => {
                    if let Some((p, note)) = plan_charge_line(&lines, item_id, left) {
                        changes.patch.push(p);
                        changes.changed.push(format!("shipping {note}"));
                    }
                }
                crate::mapping::config::Shipping::ShippingCost => {
                    changes.shipping_cost = Some(left);
                    changes.changed.push(format!("shippingCost → {left}"));
                }
            }
        }
        // The tax line (tax item mode) follows the taxes of the units left,
        // when TikTok's per-unit taxes add up to its product tax.
        if let crate::mapping::config::Tax::Item { item_id } = &cfg.tax {
            match tax_left(order, &cancelled) {
                Some(left) => {
                    if let Some((p, note)) = plan_charge_line(&lines, item_id, left) {
                        changes.patch.push(p);
                        changes.changed.push(note);
                    }
                }
                None => changes
                    .changed
                    .push("tax line left as it was (TikTok's per-unit taxes do not add up to its product tax)".into()),
            }
        }
        if !changes.unmatched.is_empty() {
            return Decision::failed(
                status,
                Failure::new(
                    ErrorCode::OrderCancellationFailed,
                    format!("Sales Order {so_id} has no line for {} that TikTok still wants; nothing was changed", changes.unmatched.join(", ")),
                    "The Sales Order was edited by hand or written by another version: reduce the cancelled units in NetSuite, then ignore the order here.",
                )
                .retryable(false)
                .level(Level::Warning),
            )
            .with_status(SyncStatus::NeedsReview)
            .on(so_id);
        }
        if !changes.too_late.is_empty() {
            return Decision::failed(
                status,
                too_late(
                    format!("TikTok cancelled units of order {} that Sales Order {so_id} already fulfilled or billed: {}", order.id, changes.too_late.join("; ")),
                    "The Sales Order was left unchanged. Recover the shipped units or refund them in NetSuite by hand; ignore the order here when done.",
                ),
            )
            .with_status(SyncStatus::NeedsReview)
            .on(so_id);
        }
        if !changes.patch.is_empty() || changes.shipping_cost.is_some() {
            let mut body = json!({ "item": { "items": changes.patch } });
            if let Some(cost) = changes.shipping_cost {
                body["shippingCost"] = num(cost);
            }
            if let Err(e) = self.netsuite.patch("salesOrder", so_id, &body).await {
                return Decision::failed(status, patch_failed(&e)).on(so_id);
            }
        }
        let note = if changes.changed.is_empty() {
            "cancelled lines already applied".to_string()
        } else {
            changes.changed.join(", ")
        };
        Decision::ok(
            SyncStatus::PartiallyCancelled,
            status,
            format!("partial cancellation: {note}"),
        )
        .on(so_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32, item: &str, q: u32, fulfilled: u32, closed: bool) -> Value {
        json!({ "line": n, "item": { "id": item }, "quantity": q, "rate": 10.5,
                "quantityFulfilled": fulfilled, "quantityBilled": 0, "isClosed": closed })
    }

    #[test]
    fn full_cancel_closes_open_lines_or_stops_when_shipped() {
        let lines = [line(1, "101", 2, 0, false), line(2, "103", 1, 0, true)];
        assert_eq!(
            plan_full_cancel(&lines),
            FullCancelPlan::Close(vec![json!({"line": 1, "isClosed": true})])
        );
        let shipped = [line(1, "101", 2, 1, false), line(2, "103", 1, 0, false)];
        match plan_full_cancel(&shipped) {
            FullCancelPlan::TooLate(done) => assert_eq!(done.len(), 1, "{done:?}"),
            other => panic!("{other:?}"),
        }
        let all_closed = [line(1, "101", 2, 0, true)];
        assert_eq!(plan_full_cancel(&all_closed), FullCancelPlan::Close(vec![]));
    }

    #[test]
    fn partial_cancel_reduces_only_the_line_whose_units_were_cancelled() {
        let d = |s: &str| s.parse::<Money>().unwrap();
        // One item on two lines: 2 units at 10 (line 1), 1 unit at 8 (line 2).
        let lines = [
            json!({"line": 1, "item": {"id": "101"}, "quantity": 2, "rate": 10, "quantityFulfilled": 0, "quantityBilled": 0}),
            json!({"line": 2, "item": {"id": "101"}, "quantity": 1, "rate": 8, "quantityFulfilled": 0, "quantityBilled": 0}),
            json!({"line": 3, "item": {"id": "103"}, "quantity": 1, "rate": 5, "quantityFulfilled": 0, "quantityBilled": 0}),
        ];
        // One unit at 10 cancelled: line 1 → 1, line 2 untouched (not 2 and 2).
        let groups = [
            GroupLine {
                sku: "TENT",
                item: "101",
                rate: d("10"),
                wanted: 1,
            },
            GroupLine {
                sku: "TENT",
                item: "101",
                rate: d("8"),
                wanted: 1,
            },
            GroupLine {
                sku: "LAMP",
                item: "103",
                rate: d("5"),
                wanted: 0,
            },
        ];
        let c = plan_line_changes(&groups, &lines);
        assert_eq!(
            c.patch,
            vec![
                json!({"line": 1, "quantity": 1, "amount": 10}),
                json!({"line": 3, "isClosed": true})
            ]
        );
        assert!(c.unmatched.is_empty() && c.too_late.is_empty());
        // Applied: the same plan against the result changes nothing.
        let after = [
            json!({"line": 1, "item": {"id": "101"}, "quantity": 1, "rate": 10}),
            json!({"line": 2, "item": {"id": "101"}, "quantity": 1, "rate": 8}),
            json!({"line": 3, "item": {"id": "103"}, "quantity": 1, "rate": 5, "isClosed": true}),
        ];
        assert!(plan_line_changes(&groups, &after).patch.is_empty());
        // Below what shipped: too late. No line for wanted units: unmatched.
        let shipped = [
            json!({"line": 1, "item": {"id": "101"}, "quantity": 2, "rate": 10, "quantityFulfilled": 2}),
        ];
        let c = plan_line_changes(&groups[..1], &shipped);
        assert!(c.patch.is_empty() && c.too_late.len() == 1, "{c:?}");
        let c = plan_line_changes(&groups[1..2], &shipped);
        assert_eq!(c.unmatched.len(), 1, "{c:?}");
    }

    #[test]
    fn the_discount_line_follows_the_units_left() {
        let d = |s: &str| s.parse::<Money>().unwrap();
        let lines = [
            json!({"line": 1, "item": {"id": "101"}, "quantity": 2, "rate": 129.99}),
            json!({"line": 2, "item": {"id": "190"}, "quantity": 1, "rate": -20, "amount": -20}),
        ];
        let (p, note) = plan_discount_line(&lines, "190", d("10")).unwrap();
        assert_eq!(
            p,
            json!({"line": 2, "quantity": 1, "rate": -10, "amount": -10}),
            "{note}"
        );
        assert!(
            plan_discount_line(&lines, "190", d("20")).is_none(),
            "already right"
        );
        let (p, _) = plan_discount_line(&lines, "190", Money::ZERO).unwrap();
        assert_eq!(p, json!({"line": 2, "isClosed": true}));
        assert!(plan_discount_line(&lines, "999", d("10")).is_none());
    }

    #[test]
    fn the_tax_line_follows_the_taxes_of_the_units_left() {
        let d = |s: &str| s.parse::<Money>().unwrap();
        let lines = [
            json!({"line": 4, "item": {"id": "191"}, "quantity": 1, "rate": 20.68, "amount": 20.68}),
        ];
        let (p, _) = plan_charge_line(&lines, "191", d("10.58")).unwrap();
        assert_eq!(
            p,
            json!({"line": 4, "quantity": 1, "rate": 10.58, "amount": 10.58})
        );
        assert!(plan_charge_line(&lines, "191", d("20.68")).is_none());
        let (p, _) = plan_charge_line(&lines, "191", Money::ZERO).unwrap();
        assert_eq!(p, json!({"line": 4, "isClosed": true}));
    }

    #[test]
    fn wanted_units_count_only_live_line_items() {
        let g = UnitGroup {
            seller_sku: Sku::new("MUG"),
            sku_id: "1".into(),
            product_name: "Bundle".into(),
            quantity: 4,
            unit_price: Money::ONE,
            unit_seller_discount: Money::ZERO,
            amount: Money::from(4),
            units: vec![("b1".into(), 2), ("b2".into(), 2)],
            retail_value: None,
            gift: false,
        };
        let cancelled: HashSet<&str> = ["b2"].into_iter().collect();
        assert_eq!(
            wanted_units(&g, &cancelled),
            2,
            "a bundle unit takes its component count"
        );
    }
}
