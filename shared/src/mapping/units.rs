//! Units → Sales Order line groups: one TikTok line item is one unit;
//! units are grouped by SKU, price and whether they are free; bundles
//! expand to their components.
//!
//! Free units (a gift line, or every line of a sample, giveaway,
//! replacement or exchange: issue 26, order-types.md §2–§4) are grouped at
//! price 0 with their retail value kept, so stock moves with no revenue.

use rust_decimal::Decimal;

use super::{MappingError, UnitGroup};
use crate::domain::{Money, Sku};
use crate::tiktok::model::{LineItem, Order};

/// Groups every unit of the order, cancelled or not, the way
/// [`group_units`] groups the live ones: what a partial cancellation matches
/// against the Sales Order's lines.
pub fn group_all_units(order: &Order) -> Result<Vec<UnitGroup>, MappingError> {
    group(order, true)
}

/// Groups one-unit line items into quantities, expanding bundles.
pub fn group_units(order: &Order) -> Result<Vec<UnitGroup>, MappingError> {
    group(order, false)
}

fn group(order: &Order, include_cancelled: bool) -> Result<Vec<UnitGroup>, MappingError> {
    let live = |l: &&crate::tiktok::model::LineItem| include_cancelled || !l.is_cancelled();
    if !include_cancelled && order.line_items.iter().all(|l| l.is_cancelled()) {
        return Err(MappingError::InsufficientData(format!(
            "order {} has no line items that are not cancelled",
            order.id
        )));
    }
    let missing: Vec<&str> = order
        .line_items
        .iter()
        .filter(|l| live(l) && l.seller_sku.trim().is_empty() && l.combined_listing_skus.is_empty())
        .map(|l| l.product_name.as_str())
        .collect();
    if !missing.is_empty() {
        let mut names: Vec<&str> = missing;
        names.dedup();
        return Err(MappingError::MissingSku {
            products: names.join(", "),
        });
    }
    let free_order = super::order_kind::classify(order).order_type.is_free();
    let mut groups: Vec<UnitGroup> = Vec::new();
    let mut add = |line_item: &str, sku: &str, sku_id: &str, name: &str, qty: u32, p: Priced| {
        if let Some(g) = groups.iter_mut().find(|g| {
            g.sku_id == sku_id
                && g.unit_price == p.price
                && g.unit_seller_discount == p.disc
                && g.retail_value == p.retail
                && g.gift == p.gift
        }) {
            g.quantity += qty;
            g.amount += p.amount;
            g.units.push((line_item.to_string(), qty));
        } else {
            groups.push(UnitGroup {
                seller_sku: Sku::new(sku.trim()),
                sku_id: sku_id.to_string(),
                product_name: name.to_string(),
                quantity: qty,
                unit_price: p.price,
                unit_seller_discount: p.disc,
                amount: p.amount,
                units: vec![(line_item.to_string(), qty)],
                retail_value: p.retail,
                gift: p.gift,
            });
        }
    };
    for line in order.line_items.iter().filter(live) {
        let unit = Priced::of(line, free_order);
        if line.combined_listing_skus.is_empty() {
            add(
                line.id.as_str(),
                &line.seller_sku,
                &line.sku_id,
                &line.product_name,
                1,
                unit,
            );
            continue;
        }
        // Bundle: split the unit's price (and a free unit's retail value)
        // over its components by count, the remainder on the last.
        let total_count: u32 = line
            .combined_listing_skus
            .iter()
            .map(|c| c.sku_count.max(1))
            .sum();
        if line
            .combined_listing_skus
            .iter()
            .any(|c| c.seller_sku.trim().is_empty())
        {
            return Err(MappingError::MissingSku {
                products: format!("{} (a bundle component)", line.product_name),
            });
        }
        let retail = unit.retail.unwrap_or(Money::ZERO);
        let (mut allocated, mut allocated_retail) = (Money::ZERO, Money::ZERO);
        let last = line.combined_listing_skus.len() - 1;
        for (i, c) in line.combined_listing_skus.iter().enumerate() {
            let qty = c.sku_count.max(1);
            let share = Decimal::from(qty) / Decimal::from(total_count);
            let (amount, part_retail) = if i == last {
                (unit.amount - allocated, retail - allocated_retail)
            } else {
                (
                    (unit.amount * share).round_dp(2),
                    (retail * share).round_dp(2),
                )
            };
            allocated += amount;
            allocated_retail += part_retail;
            let per = |m: Money| (m / Decimal::from(qty)).round_dp(4);
            let part = Priced {
                price: per(amount),
                disc: Money::ZERO,
                amount,
                retail: unit.retail.map(|_| per(part_retail)),
                gift: unit.gift,
            };
            add(
                line.id.as_str(),
                &c.seller_sku,
                &c.sku_id,
                &line.product_name,
                qty,
                part,
            );
        }
    }
    Ok(groups)
}

/// One unit's price as the Sales Order carries it.
#[derive(Clone, Copy)]
struct Priced {
    price: Money,
    disc: Money,
    amount: Money,
    /// `Some` for a free unit: its retail value per unit.
    retail: Option<Money>,
    gift: bool,
}

impl Priced {
    /// A paid unit earns `original_price - seller_discount`; a free unit
    /// (a gift line, or any line of a free order) is priced 0 and keeps its
    /// retail value: `gift_retail_price`, or the original price when TikTok
    /// sent none (order-types.md §2, §4: the $0 `sale_price` of free lines is
    /// inferred, so nothing here relies on it).
    fn of(line: &LineItem, free_order: bool) -> Self {
        if line.is_gift || free_order {
            let retail = if line.gift_retail_price.is_zero() {
                line.original_price
            } else {
                line.gift_retail_price
            };
            return Self {
                price: Money::ZERO,
                disc: Money::ZERO,
                amount: Money::ZERO,
                retail: Some(retail),
                gift: line.is_gift,
            };
        }
        Self {
            price: line.original_price,
            disc: line.seller_discount,
            amount: line.original_price - line.seller_discount,
            retail: None,
            gift: false,
        }
    }
}
