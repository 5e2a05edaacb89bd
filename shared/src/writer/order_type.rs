//! The order's type in the order flow (issue 26): the type's decision
//! ([`crate::mapping::order_kind::plan_type`]) turned into a Decision the
//! order log records (skipped, or needs review with the type named and the
//! one taxonomy's code), and the original Sales Order a replacement or
//! exchange is linked to.

use super::decision::Decision;
use super::OrderSync;
use crate::domain::{OrderId, OrderType, ShopId};
use crate::mapping::config::ShopMapping;
use crate::mapping::order_kind::{plan_type, OrderKind, SoShape, TypePlan};
use crate::store::SyncStatus;
use crate::tiktok::model::Order;

/// The type's plan as the writer acts on it: a shape to write, or the
/// Decision to log instead (skipped, or held for review).
pub(super) fn type_decision(
    kind: &OrderKind,
    order: &Order,
    cfg: &ShopMapping,
) -> Result<SoShape, Box<Decision>> {
    let status = order.status.as_str();
    match plan_type(kind, order, &cfg.order_types) {
        TypePlan::Write(shape) => Ok(shape),
        TypePlan::Skip(note) => Err(Box::new(Decision::ok(SyncStatus::Skipped, status, note))),
        TypePlan::Hold(f) => Err(Box::new(Decision {
            failure: Some(f),
            ..Decision::ok(
                SyncStatus::NeedsReview,
                status,
                format!("{} order held: not written", kind.order_type.label()),
            )
        })),
    }
}

/// The note of a Sales Order written for a type other than a sale.
pub fn created_note(kind: &OrderKind, shape: &SoShape, original_so: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !matches!(kind.order_type, OrderType::Sale) {
        parts.push(kind.order_type.label().to_string());
    }
    if shape.free {
        parts.push(format!("$0, retail value {}", kind.retail_value));
    } else if kind.gift_lines > 0 {
        parts.push(format!("{} gift line(s) at 0", kind.gift_lines));
    }
    if let Some(o) = &shape.linked_order {
        parts.push(match original_so {
            Some(so) => format!("linked to TikTok order {o} (Sales Order {so})"),
            None => format!("TikTok order {o} has no Sales Order: linked by its TikTok id only"),
        });
    }
    if let Some(d) = shape.ship_date {
        parts.push(format!("expected ship date {d}"));
    }
    match parts.is_empty() {
        true => String::new(),
        false => format!(" [{}]", parts.join("; ")),
    }
}

/// A pre-order waiting at ON_HOLD says what it waits for.
pub fn wait_note(kind: &OrderKind, order: &Order, note: String) -> String {
    match (&kind.order_type, order.release_date) {
        (OrderType::PreOrder, Some(r)) => {
            let day = chrono::DateTime::from_timestamp(r, 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| r.to_string());
            format!("pre-order awaiting release on {day}: no Sales Order until TikTok moves it to AWAITING_SHIPMENT ({note})")
        }
        _ => note,
    }
}

impl OrderSync<'_> {
    /// The original's Sales Order: from the order log (no NetSuite call),
    /// else asked of NetSuite by its externalId; `None` when it has none.
    pub(super) async fn original_sales_order(
        &self,
        shop: &ShopId,
        cfg: &ShopMapping,
        original: &OrderId,
    ) -> Result<Option<String>, crate::taxonomy::Failure> {
        if let Ok(Some(e)) = self.log.get(shop, original).await {
            if let Some(id) = e.netsuite_id {
                return Ok(Some(id));
            }
        }
        let eid = crate::mapping::external_id(&cfg.external_id_prefix, shop, original.as_str());
        self.netsuite_id_of("salesOrder", &eid).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_name_the_type_its_link_and_ship_date() {
        let kind = OrderKind {
            order_type: OrderType::Replacement,
            linked_order: Some(OrderId::new("9")),
            gift_lines: 0,
            retail_value: "12.50".parse().unwrap(),
        };
        let shape = SoShape {
            free: true,
            linked_order: Some(OrderId::new("9")),
            ..Default::default()
        };
        let n = created_note(&kind, &shape, Some("77"));
        assert_eq!(
            n,
            " [Replacement; $0, retail value 12.50; linked to TikTok order 9 (Sales Order 77)]"
        );
        let sale = OrderKind {
            order_type: OrderType::Sale,
            linked_order: None,
            gift_lines: 0,
            retail_value: Default::default(),
        };
        assert_eq!(created_note(&sale, &SoShape::default(), None), "");
    }
}
