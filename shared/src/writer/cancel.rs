//! Cancellations: close a cancelled order's open Sales Order lines, or reduce
//! exactly the lines whose units TikTok cancelled.
//!
//! Both are idempotent by construction: a full cancellation closes only lines
//! still open, and a partial cancellation sets each Sales Order line to the
//! *absolute* quantity TikTok still expects (ordered units minus every
//! effective cancellation), so applying either twice changes nothing. A line
//! the warehouse already fulfilled or billed is never touched: that is a
//! Cancelled Too Late exception for a person. The decisions are the plain
//! functions [`plan_full_cancel`], [`cancelled_units`] and [`plan_line_changes`].

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::decision::Decision;
use super::items::Resolve;
use super::OrderSync;
use crate::domain::{OrderId, ShopId, Sku};
use crate::mapping::{money_of, num, ItemRef};
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

/// Units of an order after its cancellations, counted by seller SKU.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancelledUnits {
    /// Names of bundle products with cancelled units (never reduced automatically).
    pub bundles: Vec<String>,
    pub cancelled: BTreeMap<String, u32>,
    pub remaining: BTreeMap<String, u32>,
}

/// Units still wanted = order line items neither marked cancelled by TikTok
/// nor named by an effective cancellation; counted by line item id, so it is
/// right whichever way TikTok reports a partial cancel.
pub fn cancelled_units(order: &Order, cancels: &[Cancellation]) -> CancelledUnits {
    let cancelled_ids: HashSet<&str> = cancels
        .iter()
        .filter(|c| c.is_effective())
        .flat_map(|c| {
            c.cancel_line_items
                .iter()
                .map(|l| l.order_line_item_id.as_str())
        })
        .collect();
    let is_cancelled = |l: &crate::tiktok::model::LineItem| {
        l.is_cancelled() || cancelled_ids.contains(l.id.as_str())
    };
    let mut out = CancelledUnits {
        // Bundle units map to several NetSuite lines at allocated prices; a
        // partial cancel of one is surfaced for a person, never dropped.
        bundles: order
            .line_items
            .iter()
            .filter(|l| !l.combined_listing_skus.is_empty() && is_cancelled(l))
            .map(|l| l.product_name.clone())
            .collect(),
        ..Default::default()
    };
    for l in order
        .line_items
        .iter()
        .filter(|l| l.combined_listing_skus.is_empty())
    {
        let sku = l.seller_sku.trim().to_string();
        let bucket = if is_cancelled(l) {
            &mut out.cancelled
        } else {
            &mut out.remaining
        };
        *bucket.entry(sku).or_default() += 1;
    }
    out
}

/// What a partial cancellation changes on the Sales Order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineChanges {
    /// PATCH lines (`line` + `quantity`/`amount` or `isClosed`).
    pub patch: Vec<Value>,
    /// Lines TikTok wants below what was already fulfilled or billed.
    pub too_late: Vec<String>,
    /// What changed, for the log.
    pub changed: Vec<String>,
}

/// Sets each line of a cancelled SKU's item to the units still wanted.
pub fn plan_line_changes(
    skus: &[Sku],
    items: &[ItemRef],
    remaining: &BTreeMap<String, u32>,
    lines: &[Value],
) -> LineChanges {
    let mut out = LineChanges::default();
    for (sku, item) in skus.iter().zip(items) {
        let wanted = remaining.get(sku.as_str()).copied().unwrap_or(0);
        for l in lines
            .iter()
            .filter(|l| l["item"]["id"].as_str() == Some(item.id.as_str()))
        {
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
                let rate = money_of(&l["rate"]).unwrap_or_default();
                out.patch.push(json!({ "line": l["line"], "quantity": wanted, "amount": num(rate * Decimal::from(wanted)) }));
                out.changed
                    .push(format!("line {} ({sku}) {q} → {wanted}", l["line"]));
            }
        }
    }
    out
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
        let units = cancelled_units(order, &cancels);
        if !units.bundles.is_empty() {
            return Decision::failed(
                status,
                Failure::new(
                    ErrorCode::OrderCancellationFailed,
                    format!("TikTok cancelled bundle unit(s) of {} in order {}; bundle lines are not reduced automatically", units.bundles.join(", "), order.id),
                    "Reduce or close the bundle's component lines on the Sales Order in NetSuite, then ignore the order here.",
                )
                .retryable(false)
                .level(Level::Warning),
            )
            .with_status(SyncStatus::NeedsReview)
            .on(so_id);
        }
        if units.cancelled.is_empty() {
            return Decision::ok(
                SyncStatus::Updated,
                status,
                "cancellation without effective cancelled lines: nothing to change",
            )
            .on(so_id);
        }
        let skus: Vec<Sku> = units
            .cancelled
            .keys()
            .map(|s| Sku::new(s.clone()))
            .collect();
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
        let changes = plan_line_changes(&skus, &items, &units.remaining, &lines);
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
        if !changes.patch.is_empty() {
            let body = json!({ "item": { "items": changes.patch } });
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
    fn partial_cancel_sets_absolute_quantities_and_is_idempotent() {
        let skus = [Sku::new("TENT"), Sku::new("LAMP")];
        let items = [ItemRef { id: "101".into() }, ItemRef { id: "103".into() }];
        let remaining = BTreeMap::from([("TENT".to_string(), 1u32)]);
        let lines = [line(1, "101", 2, 0, false), line(2, "103", 1, 0, false)];
        let c = plan_line_changes(&skus, &items, &remaining, &lines);
        assert_eq!(
            c.patch,
            vec![
                json!({"line": 1, "quantity": 1, "amount": 10.5}),
                json!({"line": 2, "isClosed": true})
            ]
        );
        // Applied: the same plan against the result changes nothing.
        let after = [line(1, "101", 1, 0, false), line(2, "103", 1, 0, true)];
        assert!(plan_line_changes(&skus, &items, &remaining, &after)
            .patch
            .is_empty());
        // Below what shipped: too late, nothing patched for that line.
        let shipped = [line(1, "101", 2, 2, false)];
        let c = plan_line_changes(&skus[..1], &items[..1], &remaining, &shipped);
        assert!(c.patch.is_empty() && c.too_late.len() == 1, "{c:?}");
    }
}
