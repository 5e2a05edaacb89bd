//! Per-shop mapping configuration: one JSON document (env `MAPPING_CONFIG`,
//! inline JSON or a file path) with a default and per-shop overrides.
//!
//! Defaults follow what peers do (the peers notes): one generic customer because
//! TikTok withholds buyer emails, create only once the order is paid and past
//! the one-hour ON_HOLD window (`AWAITING_SHIPMENT`), platform-funded
//! discounts counted as the seller's revenue.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::ShopId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MappingConfig {
    #[serde(default)]
    pub default: ShopMapping,
    #[serde(default)]
    pub shops: HashMap<String, ShopMapping>,
    /// What happens to a shop with no entry in `shops`.
    #[serde(default)]
    pub unlisted_shops: UnlistedShops,
}

/// A shop without its own entry is refused unless the document says the
/// default applies: a new shop must never be written, silently, into
/// another shop's subsidiary and currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UnlistedShops {
    /// Orders of unlisted shops fail with Insufficient Data naming the shop.
    #[default]
    Reject,
    /// Unlisted shops use `default` (stated on purpose, e.g. one shop per stack).
    UseDefault,
}

impl MappingConfig {
    /// The shop's mapping: its own entry, or `default` when
    /// `unlisted_shops` is `use_default`.
    pub fn for_shop(&self, shop: &ShopId) -> Result<&ShopMapping, Box<crate::taxonomy::Failure>> {
        match (self.shops.get(shop.as_str()), self.unlisted_shops) {
            (Some(m), _) => Ok(m),
            (None, UnlistedShops::UseDefault) => Ok(&self.default),
            (None, UnlistedShops::Reject) => Err(Box::new(crate::taxonomy::Failure::new(
                crate::taxonomy::ErrorCode::InsufficientData,
                format!("shop {shop} has no entry in MAPPING_CONFIG.shops, and unlisted shops are refused"),
                "Add the shop under \"shops\" with its subsidiary, location, customer and books_currency (or set \"unlisted_shops\": \"use_default\"), then resubmit.",
            )
            .retryable(false))),
        }
    }

    /// Parses inline JSON, or reads the file the value names.
    pub fn load(value: &str) -> Result<Self, String> {
        let text = if value.trim_start().starts_with('{') {
            value.to_string()
        } else {
            std::fs::read_to_string(value)
                .map_err(|e| format!("cannot read mapping file {value}: {e}"))?
        };
        let cfg: Self =
            serde_json::from_str(&text).map_err(|e| format!("mapping config is not valid: {e}"))?;
        for (shop, m) in std::iter::once(("default", &cfg.default))
            .chain(cfg.shops.iter().map(|(k, v)| (k.as_str(), v)))
        {
            m.validate()
                .map_err(|e| format!("mapping for shop {shop}: {e}"))?;
        }
        Ok(cfg)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShopMapping {
    /// TikTok statuses that create the Sales Order.
    pub trigger_statuses: Vec<String>,
    /// Prefix of the deterministic externalId.
    pub external_id_prefix: String,
    /// ISO 4217 code of the currency the shop's books are kept in (the
    /// subsidiary's): an order or refund in any other currency is refused.
    pub books_currency: Option<String>,
    pub subsidiary: Option<String>,
    pub location: Option<String>,
    pub department: Option<String>,
    pub class: Option<String>,
    pub currency: Option<String>,
    /// `"B"` = Pending Fulfillment (approved), `"A"` = Pending Approval.
    pub order_status: String,
    /// Price level on lines; `-1` is NetSuite's custom price (rate as sent).
    pub price_level: String,
    pub customer: CustomerStrategy,
    pub seller_discount: SellerDiscount,
    pub shipping: Shipping,
    pub tax: Tax,
    /// Extra body fields (`custbody…`) copied verbatim.
    pub custom_body_fields: serde_json::Map<String, serde_json::Value>,
    /// How completed TikTok refunds are booked.
    pub refund_record: RefundRecord,
    /// Stock push to TikTok (`None`: this shop's stock is not pushed).
    pub inventory: Option<InventoryConfig>,
    /// Tracking push to TikTok: the carrier table (`None`: an empty table,
    /// so every fulfilment waits for a carrier mapping, with the fix).
    pub tracking: Option<TrackingConfig>,
    /// Payouts → journal entries and the finance report (`None`: this
    /// shop's payouts are not booked).
    pub payouts: Option<super::payouts::PayoutConfig>,
    /// What each kind of order becomes (samples, replacements, pre-orders…).
    pub order_types: super::order_rules::OrderTypeRules,
    /// Fulfilled-by-TikTok orders (`None`: they wait with the fix; issue 27).
    pub fbt: Option<super::routing::FbtConfig>,
    /// Returns (issue 28): the decision policy (absent, the default: a
    /// person decides every return in the console before TikTok's
    /// deadline), the returns locations (sellable, damaged) and the
    /// alarm's margin.
    pub returns: crate::returns::settings::ReturnsSettings,
    /// TikTok Shipping labels bought from packed Item Fulfillments (`None`:
    /// the label job leaves this shop alone; issue 27).
    pub labels: Option<LabelsConfig>,
}

/// A shop's TikTok Shipping labels: the File Cabinet folder their PDFs go
/// to (internal id; the document service refuses a file without one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelsConfig {
    pub folder_id: String,
}

/// A shop's tracking push: NetSuite ship method name → TikTok shipping
/// provider name (resolved against Get Shipping Providers for each order's
/// delivery option, exact and case-insensitive; finance-inventory-fulfilment.md §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrackingConfig {
    #[serde(default)]
    pub carriers: super::tracking::CarrierTable,
}

/// A shop's inventory push: the planner's settings (locations → warehouses,
/// buffer, range) plus what only the job needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryConfig {
    #[serde(flatten)]
    pub push: super::stock::ShopInventorySettings,
    /// Seller SKU → its components, for SKUs sold as bundles (kits have no
    /// location stock in NetSuite, notes §4.3).
    #[serde(default)]
    pub bundles: std::collections::BTreeMap<String, Vec<super::stock::BundleComponent>>,
    /// How far back TikTok orders still to be written are counted (days).
    #[serde(default = "default_pending_days")]
    pub pending_lookback_days: u32,
    /// Calls per second the job sends to each TikTok API it pages through
    /// (Update Inventory, Search Orders): under TikTok's 50 QPS per API and
    /// shop (tiktok-shop-api.md §4), leaving room for the other jobs.
    #[serde(default = "default_inventory_qps")]
    pub tiktok_qps: u32,
    /// First wait (seconds) before a SKU TikTok refused is sent again with
    /// the same quantities; doubled per refusal in a row, at most a day
    /// (`stock::retry`). 0 = at every run.
    #[serde(default = "default_refused_retry_secs")]
    pub refused_retry_secs: i64,
}

fn default_refused_retry_secs() -> i64 {
    15 * 60
}

fn default_pending_days() -> u32 {
    3
}

fn default_inventory_qps() -> u32 {
    40
}

/// Credit Memo (from the invoice when there is one) or Cash Refund (from the cash sale when there is one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RefundRecord {
    #[default]
    CreditMemo,
    CashRefund,
}

impl RefundRecord {
    /// NetSuite record type, and the transaction type it is transformed from.
    pub fn record_type(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::CreditMemo => ("creditMemo", "invoice", "CustInvc"),
            Self::CashRefund => ("cashRefund", "cashSale", "CashSale"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::CreditMemo => "Credit Memo",
            Self::CashRefund => "Cash Refund",
        }
    }
}

impl Default for ShopMapping {
    fn default() -> Self {
        Self {
            trigger_statuses: vec!["AWAITING_SHIPMENT".into()],
            external_id_prefix: "tts".into(),
            books_currency: None,
            subsidiary: None,
            location: None,
            department: None,
            class: None,
            currency: None,
            order_status: "B".into(),
            price_level: "-1".into(),
            customer: CustomerStrategy::default(),
            seller_discount: SellerDiscount::Net,
            shipping: Shipping::ShippingCost,
            tax: Tax::Ignore,
            custom_body_fields: Default::default(),
            refund_record: RefundRecord::CreditMemo,
            inventory: None,
            tracking: None,
            payouts: None,
            order_types: Default::default(),
            fbt: None,
            returns: Default::default(),
            labels: None,
        }
    }
}

impl ShopMapping {
    fn validate(&self) -> Result<(), String> {
        if self.trigger_statuses.is_empty() {
            return Err(
                "trigger_statuses is empty: list at least one status, e.g. AWAITING_SHIPMENT"
                    .into(),
            );
        }
        if !self
            .external_id_prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err("external_id_prefix may only contain letters, digits, _ and -".into());
        }
        match self.books_currency.as_deref() {
            None => {
                return Err("books_currency is required: the ISO code of the currency the shop's books are kept in, e.g. \"USD\"".into())
            }
            Some(c) if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()) => {
                return Err(format!("books_currency {c:?} is not an ISO 4217 code such as \"USD\""))
            }
            Some(_) => {}
        }
        if let CustomerStrategy {
            mode: CustomerMode::Generic,
            customer_id: None,
            ..
        } = &self.customer
        {
            return Err("customer.customer_id is required with mode \"generic\": set the NetSuite id of the TikTok customer".into());
        }
        if let Some(p) = &self.payouts {
            if self.subsidiary.is_none() {
                return Err("payouts needs subsidiary: set the NetSuite id of the subsidiary the journals are booked in".into());
            }
            p.validate()?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerStrategy {
    pub mode: CustomerMode,
    /// The generic customer, and the fallback when matching finds nobody.
    pub customer_id: Option<String>,
}

impl Default for CustomerStrategy {
    fn default() -> Self {
        Self {
            mode: CustomerMode::Generic,
            customer_id: Some("TIKTOK-CUSTOMER-ID-NOT-SET".into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerMode {
    /// Every order on one customer (TikTok withholds buyer emails).
    Generic,
    /// Case-insensitive email match; none → the fallback customer; several → Duplicate Customer.
    MatchEmail,
    /// Create (or reuse, by externalId) a customer per TikTok buyer.
    Create,
}

/// Seller-funded discounts: netted into the line rate, or shown on their own line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SellerDiscount {
    Net,
    Item { item_id: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Shipping {
    /// The header's `shippingCost`.
    ShippingCost,
    /// An other-charge item line.
    Item { item_id: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Tax {
    /// Marketplace facilitator: TikTok collects and remits; not on the Sales Order.
    Ignore,
    /// Posted to a tax clearing item line.
    Item { item_id: String },
    /// Left to SuiteTax to compute.
    SuiteTax,
}
