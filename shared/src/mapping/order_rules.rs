//! A shop's choices per order type (issue 26): the `order_types` section of
//! its mapping entry. Every field has a documented default, so a shop that
//! says nothing gets the defaults the README lists:
//!
//! - sample: a $0 Sales Order marked as a sample;
//! - LIVE giveaway: as a sample;
//! - replacement / exchange: a $0 Sales Order linked to the original;
//! - pre-order: the expected ship date is the release date plus TikTok's
//!   handling time (2 business days when TikTok sends none,
//!   order-types.md §5).
//!
//! The custom fields the Sales Order carries are named here; NetSuite
//! refuses a custom field that was not created in the account
//! (netsuite-rest-api.md §2, "Unknown field name … The field does not exist
//! on this record instance"), so a shop without one sets it to `null`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct OrderTypeRules {
    pub sample: SampleRule,
    pub giveaway: GiveawayMode,
    pub replacement: ReplacementMode,
    pub pre_order: PreOrderRule,
    pub fields: TypeFields,
}

/// What a sample becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SampleRule {
    pub mode: SampleMode,
    /// NetSuite class of sample Sales Orders (instead of the shop's).
    pub class: Option<String>,
    /// NetSuite department of sample Sales Orders (instead of the shop's).
    pub department: Option<String>,
    /// A dedicated "TikTok samples" customer (instead of the shop's).
    pub customer_id: Option<String>,
    /// The marketing expense account the samples' cost belongs to, written
    /// into [`TypeFields::cost_account`] for the account's fulfilment
    /// posting (a Sales Order has no cost account of its own).
    pub cost_account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SampleMode {
    /// A $0 Sales Order: the real items at rate 0, stock moves, no revenue.
    #[default]
    ZeroSalesOrder,
    /// Not written; logged as skipped.
    Skip,
}

/// What a LIVE giveaway (`ZERO_LOTTERY`) becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GiveawayMode {
    /// Exactly what a sample becomes (the sample rule applies).
    #[default]
    AsSample,
    Skip,
    /// Waits in the order log for a person.
    Review,
}

/// What a replacement or an exchange becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementMode {
    /// A $0 Sales Order linked to the original's.
    #[default]
    ZeroSalesOrder,
    Skip,
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreOrderRule {
    /// Business days from the release date to the expected ship date when
    /// TikTok sends no `handling_duration` (TikTok: ship within 2 business
    /// days of release, order-types.md §5).
    pub handling_days: u32,
}

impl Default for PreOrderRule {
    fn default() -> Self {
        Self { handling_days: 2 }
    }
}

/// The custom field ids the typed Sales Order carries; `null` leaves one out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypeFields {
    /// Body, free-form text: the order type (`sample`, `replacement`, …).
    pub order_type: Option<String>,
    /// Body, check box "TikTok sample": set on samples and giveaways.
    pub sample_mark: Option<String>,
    /// Body, free-form text: the TikTok id of the order replaced / exchanged.
    pub original_order: Option<String>,
    /// Body, list/record (Transaction): the original Sales Order.
    pub original_sales_order: Option<String>,
    /// Body, list/record (Account): the sample's cost account.
    pub cost_account: Option<String>,
    /// Column, currency: the retail value per unit of a free line.
    pub retail_value: Option<String>,
    /// Column, check box: a gift line.
    pub gift_mark: Option<String>,
}

impl Default for TypeFields {
    fn default() -> Self {
        let some = |s: &str| Some(s.to_string());
        Self {
            order_type: some("custbody_tts_order_type"),
            sample_mark: some("custbody_tts_sample"),
            original_order: some("custbody_tts_original_order"),
            original_sales_order: some("custbody_tts_original_so"),
            cost_account: some("custbody_tts_cost_account"),
            retail_value: some("custcol_tts_retail_value"),
            gift_mark: some("custcol_tts_gift"),
        }
    }
}

impl TypeFields {
    /// Every field named, body fields first (the README's setup list).
    pub fn all(&self) -> Vec<&str> {
        [
            &self.order_type,
            &self.sample_mark,
            &self.original_order,
            &self.original_sales_order,
            &self.cost_account,
            &self.retail_value,
            &self.gift_mark,
        ]
        .into_iter()
        .filter_map(|f| f.as_deref())
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_shop_that_turns_a_field_off() {
        let r: OrderTypeRules = serde_json::from_str("{}").unwrap();
        assert_eq!(r.sample.mode, SampleMode::ZeroSalesOrder);
        assert_eq!(r.giveaway, GiveawayMode::AsSample);
        assert_eq!(r.pre_order.handling_days, 2);
        assert_eq!(r.fields.all().len(), 7);
        let r: OrderTypeRules = serde_json::from_str(
            r#"{"sample": {"mode": "skip"}, "replacement": "review", "fields": {"gift_mark": null}}"#,
        )
        .unwrap();
        assert_eq!(r.sample.mode, SampleMode::Skip);
        assert_eq!(r.replacement, ReplacementMode::Review);
        assert_eq!(r.fields.gift_mark, None);
        assert!(
            r.fields.order_type.is_some(),
            "other fields keep their default"
        );
    }
}
