//! TikTok order → NetSuite Sales Order.
//!
//! Pure where it can be: `group_units` and `build_sales_order` are plain
//! functions over the order and the config, so every pricing rule is unit
//! tested; only SKU and customer resolution need NetSuite.
//!
//! Pricing rules (the TikTok Shop API reference notes, §3):
//! - one TikTok line item is one unit; units are grouped by SKU and price;
//! - a line's rate is `original_price - seller_discount`: platform-funded
//!   discounts are paid to the seller by TikTok, so they stay revenue;
//! - bundle units expand to their components; the bundle's price is split
//!   over components by count, the rounding remainder on the first;
//! - the mapped total must equal `sub_total + platform discounts + shipping
//!   (+ tax when mapped)` from TikTok's payment block, within one cent.
//!
//! [`config`] is a shop's mapping entry. The sections the scheduled flows
//! read are typed here too, one file per flow ([`stock`], [`tracking`],
//! [`payouts`]), so that the mapping depends on no flow and every flow can
//! read its shop's entry.

pub mod config;
pub mod order_kind;
pub mod order_rules;
pub mod payouts;
pub mod routing;
pub mod stock;
pub mod tracking;
mod units;

pub use units::{group_all_units, group_units};

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::domain::{Money, ShopId, Sku};
use crate::taxonomy::{ErrorCode, Failure};
use crate::tiktok::model::Order;
use config::{SellerDiscount, Shipping, ShopMapping, Tax};

/// Units of one SKU at one price.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitGroup {
    pub seller_sku: Sku,
    pub sku_id: String,
    pub product_name: String,
    pub quantity: u32,
    /// Price the seller earns per unit before seller discounts.
    pub unit_price: Money,
    /// Seller-funded discount per unit.
    pub unit_seller_discount: Money,
    /// Amount for the whole group, after seller discount (bundle allocations
    /// are not always divisible per unit, so the amount is what is checked).
    pub amount: Money,
    /// The TikTok order line items whose units this group carries, with the
    /// units each contributes (a bundle unit contributes its component count):
    /// a partial cancellation reduces exactly the lines its units are on.
    pub units: Vec<(String, u32)>,
    /// `Some` for free units (a gift line, a sample's or replacement's
    /// lines): written at rate 0 with this retail value per unit on the line.
    pub retail_value: Option<Money>,
    /// The units are gift lines (`is_gift`).
    pub gift: bool,
}

impl UnitGroup {
    /// The Sales Order line rate this group is written at.
    pub fn rate(&self, cfg: &ShopMapping) -> Money {
        match cfg.seller_discount {
            SellerDiscount::Net => self.unit_price - self.unit_seller_discount,
            SellerDiscount::Item { .. } => self.unit_price,
        }
    }
}

/// Why an order cannot be mapped yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("TikTok SKU is empty on product {products}")]
    MissingSku { products: String },
    #[error("no NetSuite item for seller SKU {}", skus.join(", "))]
    UnlinkedProduct { skus: Vec<String> },
    #[error("Sales Order total {mapped} differs from TikTok's {expected}")]
    TotalMismatch { mapped: Money, expected: Money },
    #[error("{0}")]
    InsufficientData(String),
}

impl MappingError {
    /// The SKUs the order is blocked on, each once (a SKU on two lines, or
    /// at two prices, is one SKU to link), in order.
    pub fn failed_skus(&self) -> Vec<String> {
        match self {
            Self::UnlinkedProduct { skus } => {
                let mut seen = std::collections::HashSet::new();
                skus.iter().filter(|s| seen.insert(*s)).cloned().collect()
            }
            _ => vec![],
        }
    }

    pub fn to_failure(&self, shop: &ShopId) -> Failure {
        match self {
            Self::MissingSku { products } => Failure::new(
                ErrorCode::MissingSku,
                format!("TikTok SKU is empty on product {products}"),
                "Set a seller SKU on the TikTok product (Seller Center → Products) that matches a NetSuite item name/number or a SKU link, then resubmit the order.",
            ),
            Self::UnlinkedProduct { .. } => {
                let skus = self.failed_skus();
                Failure::new(
                    ErrorCode::UnlinkedProduct,
                    format!(
                        "No NetSuite item matches seller SKU {} (shop {shop})",
                        skus.join(", ")
                    ),
                    unlinked_fix(shop, &skus),
                )
            }
            Self::TotalMismatch { mapped, expected } => Failure::new(
                ErrorCode::TotalMismatch,
                format!("Mapped Sales Order total {mapped} differs from TikTok's payment total {expected} by more than one cent"),
                "Check the shop's discount, shipping and tax mapping; the order was not written so nothing needs undoing. Resubmit after fixing the mapping.",
            ),
            Self::InsufficientData(msg) => Failure::new(
                ErrorCode::InsufficientData,
                msg.clone(),
                "Check the order in TikTok Seller Center; resubmit once the data is complete.",
            ),
        }
    }
}

/// SKUs whose commands an unlinked-product fix spells out; the rest are
/// counted (the order page lists them all).
const FIX_SKUS: usize = 5;

/// The fix of an unlinked product, for the CLI: one `skus link` command per
/// SKU, every TikTok value single-quoted for the shell (the console shows
/// a button to the SKU form instead of this text).
fn unlinked_fix(shop: &ShopId, skus: &[String]) -> String {
    let q = crate::domain::shell_quote;
    let shop_q = q(shop.as_str());
    let links: Vec<String> = skus
        .iter()
        .take(FIX_SKUS)
        .map(|s| {
            format!(
                "`tiktok-netsuite skus link --shop {shop_q} --sku {} --item ITEM_ID`",
                q(s)
            )
        })
        .collect();
    let more = match skus.len().saturating_sub(FIX_SKUS) {
        0 => String::new(),
        n => format!(" (and {n} more SKUs: see the order)"),
    };
    let resubmit = skus
        .first()
        .map(|s| {
            format!(
                ", then `tiktok-netsuite orders resubmit --shop {shop_q} --sku {}`",
                q(s)
            )
        })
        .unwrap_or_default();
    let which = if skus.len() > 1 {
        "each SKU"
    } else {
        "the SKU"
    };
    format!(
        "Create a NetSuite item whose Item Name/Number is {which}, or link it to an item (ITEM_ID is the item's NetSuite internal id): {}{more}{resubmit}.",
        links.join("; ")
    )
}

/// A NetSuite item the SKU resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    pub id: String,
}

/// The mapped Sales Order and the figures the total check compared.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesOrderDraft {
    pub external_id: String,
    pub body: Value,
    pub mapped_total: Money,
    pub expected_total: Money,
}

/// Deterministic externalId: letters, digits, `_`, `-` only (NetSuite treats `|` specially).
pub fn external_id(prefix: &str, shop: &ShopId, order: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect()
    };
    format!(
        "{}-{}-{}",
        clean(prefix),
        clean(shop.as_str()),
        clean(order)
    )
}

/// Money as a JSON number whose text is the decimal's exact text.
pub(crate) fn num(m: Money) -> Value {
    serde_json::from_str(&m.normalize().to_string()).unwrap_or(Value::Null)
}

/// A JSON number (or decimal string) read back as money from its text,
/// never through f64.
pub(crate) fn money_of(v: &Value) -> Option<Money> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn reference(id: &Option<String>) -> Option<Value> {
    id.as_ref().map(|id| json!({ "id": id }))
}

/// Builds the Sales Order body. `items[i]` is the resolved item of `groups[i]`.
/// A phone number NetSuite can use: present and not masked by TikTok.
pub fn is_usable_phone(p: &str) -> bool {
    !p.trim().is_empty() && !p.contains('*')
}

pub fn build_sales_order(
    shop: &ShopId,
    order: &Order,
    groups: &[UnitGroup],
    items: &[ItemRef],
    customer_id: &str,
    cfg: &ShopMapping,
) -> Result<SalesOrderDraft, MappingError> {
    if order.payment.currency.trim().is_empty() {
        return Err(MappingError::InsufficientData(format!(
            "order {} has no payment currency",
            order.id
        )));
    }
    let ext = external_id(&cfg.external_id_prefix, shop, order.id.as_str());
    let mut lines: Vec<Value> = Vec::new();
    let mut mapped = Money::ZERO;
    let mut seller_discount_total = Money::ZERO;
    for (g, item) in groups.iter().zip(items) {
        let rate = g.rate(cfg);
        let amount = match cfg.seller_discount {
            SellerDiscount::Net => g.amount,
            SellerDiscount::Item { .. } => {
                let disc = g.unit_seller_discount * Decimal::from(g.quantity);
                seller_discount_total += disc;
                g.amount + disc
            }
        };
        mapped += amount;
        let mut line = json!({
            "item": { "id": item.id },
            "quantity": g.quantity,
            "rate": num(rate),
            "amount": num(amount),
            "price": { "id": cfg.price_level },
            "description": format!("{} ({})", g.product_name, g.seller_sku),
        });
        if let Some(loc) = reference(&cfg.location) {
            line["location"] = loc;
        }
        if let Some(retail) = g.retail_value {
            let f = &cfg.order_types.fields;
            if let Some(c) = &f.retail_value {
                line[c.as_str()] = num(retail);
            }
            if let (true, Some(c)) = (g.gift, &f.gift_mark) {
                line[c.as_str()] = json!(true);
            }
        }
        lines.push(line);
    }
    if let SellerDiscount::Item { item_id } = &cfg.seller_discount {
        if !seller_discount_total.is_zero() {
            mapped -= seller_discount_total;
            lines.push(json!({
                "item": { "id": item_id }, "quantity": 1, "rate": num(-seller_discount_total),
                "amount": num(-seller_discount_total), "price": { "id": cfg.price_level },
                "description": "TikTok seller discount",
            }));
        }
    }
    let p = &order.payment;
    // A free order (sample, giveaway, replacement, exchange) carries no
    // money at all: its shipping is not the buyer's either (order_kind).
    let free = order_kind::classify(order).order_type.is_free();
    // Platform-funded shipping discounts are paid to the seller like item discounts.
    let shipping = match free {
        true => Money::ZERO,
        false => p.shipping_fee + p.shipping_fee_platform_discount,
    };
    let mut body = json!({
        "externalId": ext,
        "otherRefNum": order.id.as_str(),
        "tranDate": chrono::DateTime::from_timestamp(order.create_time, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        "memo": format!("TikTok Shop order {} (shop {shop})", order.id),
        "entity": { "id": customer_id },
        "orderStatus": cfg.order_status,
    });
    match &cfg.shipping {
        Shipping::ShippingCost => {
            body["shippingCost"] = num(shipping);
            mapped += shipping;
        }
        Shipping::Item { item_id } if !shipping.is_zero() => {
            lines.push(json!({
                "item": { "id": item_id }, "quantity": 1, "rate": num(shipping), "amount": num(shipping),
                "price": { "id": cfg.price_level }, "description": "TikTok shipping fee",
            }));
            mapped += shipping;
        }
        Shipping::Item { .. } => {}
    }
    let tax = p.tax + p.retail_delivery_fee;
    // Gift lines are written at 0: a platform discount on one is no revenue.
    let gift_platform: Money = (order.line_items.iter())
        .filter(|l| l.is_gift && !l.is_cancelled())
        .map(|l| l.platform_discount)
        .sum();
    let mut expected = match free {
        true => Money::ZERO,
        false => p.sub_total + p.platform_discount - gift_platform + shipping,
    };
    if let Tax::Item { item_id } = &cfg.tax {
        expected += tax;
        if !tax.is_zero() {
            lines.push(json!({
                "item": { "id": item_id }, "quantity": 1, "rate": num(tax), "amount": num(tax),
                "price": { "id": cfg.price_level }, "description": "TikTok collected tax",
            }));
            mapped += tax;
        }
    }
    body["item"] = json!({ "items": lines });
    let obj: &mut Map<String, Value> = match body.as_object_mut() {
        Some(o) => o,
        None => {
            return Err(MappingError::InsufficientData(
                "internal: body is not an object".into(),
            ))
        }
    };
    for (k, v) in [
        ("subsidiary", &cfg.subsidiary),
        ("location", &cfg.location),
        ("department", &cfg.department),
        ("class", &cfg.class),
        ("currency", &cfg.currency),
    ] {
        if let Some(r) = reference(v) {
            obj.insert(k.to_string(), r);
        }
    }
    if let Some(addr) = &order.recipient_address {
        let mut address = json!({
                "addressee": addr.name,
                "addr1": addr.address_line1,
                "addr2": addr.address_line2,
                "city": addr.level("L3").or(addr.level("L2")).unwrap_or_default(),
                "state": addr.level("L1").unwrap_or_default(),
                "zip": addr.postal_code,
                "country": { "id": addr.region_code },
        });
        // TikTok masks phone numbers (`(+1)213*****98`): a masked number is
        // not a phone number, so none is sent.
        if is_usable_phone(&addr.phone_number) {
            address["addrPhone"] = json!(addr.phone_number);
        }
        obj.insert("shippingAddress".into(), address);
    }
    for (k, v) in &cfg.custom_body_fields {
        obj.insert(k.clone(), v.clone());
    }
    if (mapped - expected).abs() > Decimal::new(1, 2) {
        return Err(MappingError::TotalMismatch { mapped, expected });
    }
    Ok(SalesOrderDraft {
        external_id: ext,
        body,
        mapped_total: mapped,
        expected_total: expected,
    })
}

#[cfg(test)]
mod tests;
