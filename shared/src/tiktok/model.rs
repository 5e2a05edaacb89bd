//! TikTok Get Order Detail (202309) as the writer uses it.
//!
//! Money fields arrive as decimal strings and become `Money`; a missing or
//! empty money field reads as zero because TikTok omits fees that do not
//! apply. Unknown fields are ignored so new API fields never break parsing.

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::{Money, OrderId, OrderStatus};

/// Decimal string (or number) → `Money`; missing/empty → 0.
pub fn money<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(Money::ZERO),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(Money::ZERO),
        Some(serde_json::Value::String(s)) => {
            s.trim().parse::<Money>().map_err(serde::de::Error::custom)
        }
        Some(serde_json::Value::Number(n)) => n
            .to_string()
            .parse::<Money>()
            .map_err(serde::de::Error::custom),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a decimal string, got {other}"
        ))),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub status: OrderStatus,
    #[serde(default)]
    pub create_time: i64,
    #[serde(default)]
    pub update_time: i64,
    #[serde(default)]
    pub paid_time: Option<i64>,
    /// TikTok's anonymized relay address; never logged.
    #[serde(default)]
    pub buyer_email: Option<String>,
    /// The buyer's TikTok id: one NetSuite customer per buyer in `create` mode.
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub buyer_message: Option<String>,
    #[serde(default)]
    pub is_on_hold_order: bool,
    #[serde(default)]
    pub is_sample_order: bool,
    #[serde(default)]
    pub is_replacement_order: bool,
    /// The order a replacement replaces ("Returned only if
    /// `is_replacement_order` = true", order-types.md §3).
    #[serde(default)]
    pub replaced_order_id: Option<OrderId>,
    /// An exchange order (US and UK only, order-types.md §3).
    #[serde(default)]
    pub is_exchange_order: bool,
    /// The order an exchange was generated from.
    #[serde(default)]
    pub exchange_source_order_id: Option<OrderId>,
    /// `NORMAL`, `ZERO_LOTTERY`, `PRE_ORDER`, `MADE_TO_ORDER`, `BACK_ORDER`,
    /// or empty for standard orders (order-types.md §8); kept as TikTok's
    /// text so a new type is seen, never mapped to a sale.
    #[serde(default)]
    pub order_type: Option<String>,
    /// PRE_ORDER only: when handling starts and the order becomes
    /// AWAITING_SHIPMENT (unix seconds, order-types.md §5).
    #[serde(default)]
    pub release_date: Option<i64>,
    /// Made-to-order / back-order handling time (order-types.md §5).
    #[serde(default)]
    pub handling_duration: Option<HandlingDuration>,
    #[serde(default)]
    pub warehouse_id: Option<String>,
    #[serde(default)]
    pub fulfillment_type: Option<String>,
    #[serde(default)]
    pub delivery_option_name: Option<String>,
    /// `SELLER` or `TIKTOK`: only `SELLER` orders take our tracking (§3.1
    /// of the fulfilment notes).
    #[serde(default)]
    pub shipping_type: Option<String>,
    /// Where Get Shipping Providers is asked for this order's carriers.
    #[serde(default)]
    pub delivery_option_id: Option<crate::domain::DeliveryOptionId>,
    /// `packages[{id}]`: present from payment outside the US, after the
    /// shipment in the US (fulfilment notes §3.1).
    #[serde(default)]
    pub packages: Vec<PackageRef>,
    pub payment: Payment,
    #[serde(default)]
    pub recipient_address: Option<Address>,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub currency: String,
    #[serde(default, deserialize_with = "money")]
    pub original_total_product_price: Money,
    #[serde(default, deserialize_with = "money")]
    pub seller_discount: Money,
    #[serde(default, deserialize_with = "money")]
    pub platform_discount: Money,
    #[serde(default, deserialize_with = "money")]
    pub sub_total: Money,
    #[serde(default, deserialize_with = "money")]
    pub original_shipping_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub shipping_fee_seller_discount: Money,
    #[serde(default, deserialize_with = "money")]
    pub shipping_fee_platform_discount: Money,
    #[serde(default, deserialize_with = "money")]
    pub shipping_fee_cofunded_discount: Money,
    #[serde(default, deserialize_with = "money")]
    pub shipping_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub tax: Money,
    #[serde(default, deserialize_with = "money")]
    pub product_tax: Money,
    #[serde(default, deserialize_with = "money")]
    pub shipping_fee_tax: Money,
    #[serde(default, deserialize_with = "money")]
    pub retail_delivery_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub small_order_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub buyer_service_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub handling_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub shipping_insurance_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub item_insurance_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub total_amount: Money,
}

/// Buyer address. Personal data: mapped into NetSuite, never logged.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub phone_number: String,
    #[serde(default)]
    pub address_line1: String,
    #[serde(default)]
    pub address_line2: String,
    #[serde(default)]
    pub address_line3: String,
    #[serde(default)]
    pub address_line4: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub district_info: Vec<District>,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Address")
            .field("region_code", &self.region_code)
            .finish_non_exhaustive()
    }
}

impl Address {
    /// The district name at a level (`L0` country … `L3` city).
    pub fn level(&self, level: &str) -> Option<&str> {
        self.district_info
            .iter()
            .find(|d| d.address_level == level)
            .map(|d| d.address_name.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct District {
    #[serde(default)]
    pub address_level_name: String,
    #[serde(default)]
    pub address_name: String,
    #[serde(default)]
    pub address_level: String,
}

/// One unit: TikTok sends one line item per unit, with no quantity field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    pub id: String,
    pub sku_id: String,
    #[serde(default)]
    pub product_id: String,
    #[serde(default)]
    pub product_name: String,
    #[serde(default)]
    pub sku_name: String,
    #[serde(default)]
    pub seller_sku: String,
    #[serde(default, deserialize_with = "money")]
    pub original_price: Money,
    #[serde(default, deserialize_with = "money")]
    pub sale_price: Money,
    #[serde(default, deserialize_with = "money")]
    pub seller_discount: Money,
    #[serde(default, deserialize_with = "money")]
    pub platform_discount: Money,
    #[serde(default)]
    pub display_status: Option<String>,
    #[serde(default)]
    pub package_status: Option<String>,
    #[serde(default)]
    pub is_gift: bool,
    /// Retail price of a free item (LIVE giveaway, free sample, gift with
    /// purchase); 0 on other lines (order-types.md §2, §4).
    #[serde(default, deserialize_with = "money")]
    pub gift_retail_price: Money,
    /// Deprecated line-level type (`PRE_ORDER`, `MADE_TO_ORDER`, `NORMAL`,
    /// `ZERO_LOTTERY`, `SHOP_PARTNER`): the fallback when `order_type` is
    /// empty in older payloads (order-types.md §5).
    #[serde(default)]
    pub sku_type: Option<String>,
    #[serde(default)]
    pub item_tax: Vec<ItemTax>,
    #[serde(default)]
    pub combined_listing_skus: Vec<ComboSku>,
    /// The unit's package, once TikTok made one.
    #[serde(default)]
    pub package_id: Option<crate::domain::PackageId>,
    /// Set once the unit shipped (empty or absent before).
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub shipping_provider_id: Option<crate::domain::ShippingProviderId>,
    #[serde(default)]
    pub shipping_provider_name: Option<String>,
}

/// `handling_duration`: `days` is a decimal string; `type` is
/// `CALENDAR_DAY` or `BUSINESS_DAY` (TikTok's default when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HandlingDuration {
    #[serde(default, deserialize_with = "days")]
    pub days: Option<u32>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `"5"` or `5` → 5; empty or unreadable → `None` (never a guess).
fn days<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    })
}

/// One entry of an order's `packages[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRef {
    pub id: crate::domain::PackageId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemTax {
    #[serde(default)]
    pub tax_type: String,
    #[serde(default, deserialize_with = "money")]
    pub tax_amount: Money,
    #[serde(default)]
    pub tax_rate: Option<String>,
}

/// A component of a virtual bundle; `sku_count` is its quantity per bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComboSku {
    pub sku_id: String,
    #[serde(default = "one")]
    pub sku_count: u32,
    #[serde(default)]
    pub product_id: String,
    #[serde(default)]
    pub seller_sku: String,
}

impl LineItem {
    /// TikTok marks cancelled units on the line item (`display_status` uses the
    /// order statuses; `package_status` has its own CANCELLED).
    pub fn is_cancelled(&self) -> bool {
        [&self.display_status, &self.package_status]
            .iter()
            .any(|s| matches!(s.as_deref(), Some("CANCELLED" | "CANCEL")))
    }
}

impl LineItem {
    /// The tracking number TikTok holds for this unit, if it shipped
    /// (TikTok may send an empty string for "none").
    pub fn shipped_tracking(&self) -> Option<&str> {
        self.tracking_number
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
}

fn one() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_money_strings_and_defaults() {
        let p: Payment = serde_json::from_str(
            r#"{"currency":"USD","sub_total":"252.48","tax":"","total_amount":279.15}"#,
        )
        .unwrap();
        assert_eq!(p.sub_total.to_string(), "252.48");
        assert_eq!(p.tax, Money::ZERO);
        assert_eq!(p.total_amount.to_string(), "279.15");
        assert_eq!(p.shipping_fee, Money::ZERO);
    }

    #[test]
    fn address_debug_hides_personal_data() {
        let a = Address {
            name: "Jane Doe".into(),
            phone_number: "555".into(),
            ..Default::default()
        };
        let s = format!("{a:?}");
        assert!(!s.contains("Jane") && !s.contains("555"), "{s}");
    }
}
