//! What the TikTok simulator starts from: the app's key and secret, the
//! shops (id, cipher, region, tokens) and the orders, cancellations and
//! returns they hold. Orders stay raw JSON in Get Order Detail's shape
//! (tiktok-shop-api.md §3) so a test can post any shape TikTok might send.

use serde::{Deserialize, Serialize};

use super::{
    default_delivery_options, default_finance, default_products, default_warehouses,
    DeliveryOptionSeed, FinanceSeed, ProductSeed, WarehouseSeed,
};
use super::{default_fbt, FbtShopSeed};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TikTokSeed {
    pub app_key: String,
    pub app_secret: String,
    pub shops: Vec<ShopSeed>,
    pub orders: Vec<OrderSeed>,
    /// Search Cancellations records; absent in older seeds.
    #[serde(default)]
    pub cancellations: Vec<CancellationSeed>,
    /// Search Returns records; absent in older seeds.
    #[serde(default)]
    pub returns: Vec<ReturnSeed>,
    /// Get Warehouse List records per shop; absent in `seed.json`, so the
    /// built-in [`default_warehouses`] apply.
    #[serde(default = "default_warehouses")]
    pub warehouses: Vec<WarehouseSeed>,
    /// Products with their SKUs and stock per warehouse; absent in
    /// `seed.json`, so the built-in [`default_products`] apply.
    #[serde(default = "default_products")]
    pub products: Vec<ProductSeed>,
    /// Delivery options with their shipping providers per shop; absent in
    /// `seed.json`, so the built-in [`default_delivery_options`] apply.
    #[serde(default = "default_delivery_options")]
    pub delivery_options: Vec<DeliveryOptionSeed>,
    /// Finance API records (statements, their 202501 transactions,
    /// payments, per-order transactions, unsettled estimates); absent in
    /// `seed.json`, so the built-in [`default_finance`] applies.
    #[serde(default = "default_finance")]
    pub finance: FinanceSeed,
    /// Fulfilled-by-TikTok enrolment, warehouses and stock per shop; absent
    /// in `seed.json`, so the built-in [`default_fbt`] applies.
    #[serde(default = "default_fbt")]
    pub fbt: Vec<FbtShopSeed>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShopSeed {
    pub id: String,
    pub name: String,
    pub region: String,
    pub seller_type: String,
    pub code: String,
    pub cipher: String,
    pub access_token: String,
    /// Absolute unix seconds, as TikTok's token endpoint returns it.
    pub access_token_expire_in: i64,
    pub refresh_token: String,
    pub refresh_token_expire_in: i64,
    /// The scopes the seller granted (token responses' `granted_scopes`);
    /// a call whose API needs another scope answers 105005. Default: every
    /// scope the product calls (`shared::tiktok::scopes::NEEDED` and `OPTIONAL`).
    #[serde(default = "all_scopes")]
    pub granted_scopes: Vec<String>,
}

fn all_scopes() -> Vec<String> {
    (shared::tiktok::scopes::NEEDED.iter())
        .chain(shared::tiktok::scopes::OPTIONAL.iter())
        .map(|s| s.name.to_string())
        .collect()
}

/// One order in the Get Order Detail 202309 shape, owned by `shop_id`.
///
/// The US shop holds one order of each type that is not a plain sale
/// (issue 26, order-types.md §2–§5, §8), copied from order …752's shape:
/// - …760 a seller-issued sample: TikTok says seller samples "are $0"; the
///   field values are inferred, so the tent carries a 100% seller discount,
///   `sale_price` and every total "0.00", and its value in
///   `gift_retail_price`;
/// - …761 a platform-issued sample "paid via gift card": its amounts are
///   unconfirmed, so the harsher reading, a non-zero total (24.50 + 5.99
///   shipping + tax), which the writer must hold;
/// - …762 a replacement of …752 and …763 an exchange of …752: Seller Center
///   shows "$0 value"; the payload amounts are unverified, all "0.00" here;
/// - …764 a sale with a gift line (`is_gift`, its `sale_price` 0 inferred,
///   `gift_retail_price` set);
/// - …765 a LIVE giveaway (`ZERO_LOTTERY`, "$0" per TikTok's Rithum guide);
/// - …766 a pre-order ON_HOLD until its `release_date` (2025-01-16);
/// - …767 made to order with `handling_duration` 10 business days;
/// - …768 an `order_type` no source lists (`SHOP_PARTNER`, seen only as a
///   deprecated line `sku_type`).
///
/// Their times are those of …752 (2025), outside every job's look-back, so
/// they change no stock, sweep or count the other tests assert.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderSeed {
    pub shop_id: String,
    pub order: serde_json::Value,
}

/// One cancellation in the Search Cancellations 202309 shape, owned by `shop_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CancellationSeed {
    pub shop_id: String,
    pub cancellation: serde_json::Value,
}

/// One return in the Search Returns 202309 shape (`return_orders[]`), owned by `shop_id`.
///
/// A seller-proposed partial refund carries, per the official Search Returns
/// spec ([DOCS] search-returns-202309, doc id 650ab69edefece02be70785b):
/// `seller_proposed_return_type: "PARTIAL_REFUND"`, `partial_refund:
/// {currency, amount}` (both strings; "the partial refund amount offered by
/// seller … only seller proposed partial refund will return this field")
/// and `buyer_rejected_partial_refund` (bool). The spec does not say what
/// `refund_amount` holds then; harsher reading: it states the partial
/// amount, not the order's value, so a client that books `refund_amount`
/// books the partial sum and one that books the order total is wrong. The
/// seed's example is return 4035318504086604202 (GB order …302, £30.00).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReturnSeed {
    pub shop_id: String,
    #[serde(rename = "return")]
    pub return_order: serde_json::Value,
}
