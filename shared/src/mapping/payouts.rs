//! A shop's payout settings (`payouts` in its mapping entry): the GL
//! accounts per journal line kind (as NetSuite account **numbers**, resolved
//! to internal ids through SuiteQL `account` when the job runs), the fee key
//! → group table, the bank side of payments, who gets the finance report,
//! and the fee band the report checks.
//!
//! Example (the planner's accounts are flattened in):
//! ```json
//! "payouts": {
//!   "revenue_source": {"mode": "journal"},
//!   "sales_revenue": "4000", "seller_discounts": "4010", "refunds": "4020",
//!   "shipping_income": "4100",
//!   "fee_groups": {"commission": "6100", "transaction": "6110", "affiliate": "6120",
//!                  "shipping_services": "6130", "programme": "6140", "fee_taxes": "6150"},
//!   "other_fees": "6190", "adjustments": {"LOGISTICS_REIMBURSEMENT": "4200"},
//!   "other_adjustments": "6900", "reserve": "1250", "payout_in_transit": "1260",
//!   "bank": "1000", "fx_difference": "7000",
//!   "finance_emails": ["finance@example.com"],
//!   "fee_band": {"min_percent": "5", "max_percent": "25"},
//!   "unsettled_after_days": 14
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::Money;

/// Where the sales side of a statement goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum RevenueSource {
    /// The journal books revenue, discounts and refunds to their accounts.
    Journal,
    /// The Sales Orders (invoices / cash sales) booked revenue already: the
    /// sales side clears their receivable instead: revenue, seller
    /// discounts, refunds and the customer-paid shipping (the Sales Order
    /// billed it) all go to `clearing_account`.
    SalesOrders {
        clearing_account: String,
        /// The Sales Orders were booked at the price the customer paid, net
        /// of the platform-funded discount: TikTok's
        /// `supplementary_component.platform_discount_amount` (and its
        /// refund) is then debited to clearing and credited here ("platform
        /// discount reimbursement", finance notes §5.2), so clearing clears.
        /// Absent: the Sales Orders carry the price before the platform's
        /// discount, and `subtotal_before_discount_amount` clears them as is.
        #[serde(default)]
        platform_discount_account: Option<String>,
        /// The Sales Orders carry the tax TikTok collects and remits as
        /// marketplace facilitator (`tax: item`): its
        /// `supplementary_component.sales_tax_amount` is credited to
        /// clearing and debited here (sales tax payable / marketplace
        /// facilitator clearing, finance notes §5.2). Absent: no tax on the
        /// Sales Orders.
        #[serde(default)]
        collected_tax_account: Option<String>,
    },
}

/// A shop's chart of accounts for payouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutAccounts {
    pub revenue_source: RevenueSource,
    pub sales_revenue: String,
    pub seller_discounts: String,
    pub refunds: String,
    pub shipping_income: String,
    /// Fee group → account (`commission`, `transaction`, `affiliate`,
    /// `shipping_services`, `programme`, `fee_taxes`, …).
    pub fee_groups: BTreeMap<String, String>,
    /// Fee or shipping key → group; [`default_fee_keys`] fills the gaps.
    #[serde(default)]
    pub fee_keys: BTreeMap<String, String>,
    pub other_fees: String,
    /// Revenue key TikTok adds that the planner does not know (e.g.
    /// `cod_service_fee_amount`) → account number; a key not here goes to
    /// `other_adjustments` and is listed in the report with the unknown fee keys.
    #[serde(default)]
    pub revenue_keys: BTreeMap<String, String>,
    /// Adjustment `type` → account.
    #[serde(default)]
    pub adjustments: BTreeMap<String, String>,
    pub other_adjustments: String,
    pub reserve: String,
    pub payout_in_transit: String,
    /// Takes the cent a statement's rounding to its currency's minor unit
    /// leaves (`payouts::rounding`); without it such a statement is held.
    #[serde(default)]
    pub rounding: Option<String>,
    /// Takes a statement's difference instead of holding it (optional).
    #[serde(default)]
    pub variance: Option<String>,
}

/// The expected fee rate, |fees| / gross revenue, in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeBand {
    pub min_percent: Money,
    pub max_percent: Money,
}

fn default_lookback_days() -> u32 {
    10
}

/// The `payouts` part of a shop's mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutConfig {
    #[serde(flatten)]
    pub accounts: PayoutAccounts,
    /// Bank account the payments land in (the payment journal's debit).
    pub bank: String,
    /// Takes a payment's difference between the bank amount and the
    /// statements' payable (exchange or rounding); without it such a
    /// payment is held and reported.
    #[serde(default)]
    pub fx_difference: Option<String>,
    /// Who gets the reconciliation report (none: no email).
    #[serde(default)]
    pub finance_emails: Vec<String>,
    #[serde(default)]
    pub fee_band: Option<FeeBand>,
    /// How far back statements and payments are read (TikTok publishes
    /// them about 5 working days late, finance notes §1.2).
    #[serde(default = "default_lookback_days")]
    pub lookback_days: u32,
    /// A Sales Order shipped this many days ago and still not settled by
    /// TikTok is reported (default 14: settlement follows delivery plus
    /// the return window, finance notes §1.2).
    #[serde(default = "default_unsettled_after_days")]
    pub unsettled_after_days: u32,
}

fn default_unsettled_after_days() -> u32 {
    14
}

impl PayoutConfig {
    /// Every account number the config names, with the field naming it.
    pub fn account_fields(&self) -> Vec<(String, String)> {
        let a = &self.accounts;
        let mut out = vec![
            ("payouts.sales_revenue".to_string(), a.sales_revenue.clone()),
            (
                "payouts.seller_discounts".into(),
                a.seller_discounts.clone(),
            ),
            ("payouts.refunds".into(), a.refunds.clone()),
            ("payouts.shipping_income".into(), a.shipping_income.clone()),
            ("payouts.other_fees".into(), a.other_fees.clone()),
            (
                "payouts.other_adjustments".into(),
                a.other_adjustments.clone(),
            ),
            ("payouts.reserve".into(), a.reserve.clone()),
            (
                "payouts.payout_in_transit".into(),
                a.payout_in_transit.clone(),
            ),
            ("payouts.bank".into(), self.bank.clone()),
        ];
        if let RevenueSource::SalesOrders {
            clearing_account,
            platform_discount_account,
            collected_tax_account,
        } = &a.revenue_source
        {
            out.push((
                "payouts.revenue_source.clearing_account".into(),
                clearing_account.clone(),
            ));
            if let Some(n) = platform_discount_account {
                out.push((
                    "payouts.revenue_source.platform_discount_account".into(),
                    n.clone(),
                ));
            }
            if let Some(n) = collected_tax_account {
                out.push((
                    "payouts.revenue_source.collected_tax_account".into(),
                    n.clone(),
                ));
            }
        }
        for (k, n) in &a.revenue_keys {
            out.push((format!("payouts.revenue_keys.{k}"), n.clone()));
        }
        for (g, n) in &a.fee_groups {
            out.push((format!("payouts.fee_groups.{g}"), n.clone()));
        }
        for (t, n) in &a.adjustments {
            out.push((format!("payouts.adjustments.{t}"), n.clone()));
        }
        if let Some(v) = &a.variance {
            out.push(("payouts.variance".into(), v.clone()));
        }
        if let Some(v) = &a.rounding {
            out.push(("payouts.rounding".into(), v.clone()));
        }
        if let Some(v) = &self.fx_difference {
            out.push(("payouts.fx_difference".into(), v.clone()));
        }
        out
    }

    /// Checks what serde cannot: every error names the field and the fix.
    pub fn validate(&self) -> Result<(), String> {
        for (field, number) in self.account_fields() {
            if number.trim().is_empty() {
                return Err(format!(
                    "{field} is empty: set it to a NetSuite account number, e.g. \"6190\""
                ));
            }
        }
        for (key, group) in &self.accounts.fee_keys {
            if !self.accounts.fee_groups.contains_key(group) {
                let known: Vec<&str> = self
                    .accounts
                    .fee_groups
                    .keys()
                    .map(String::as_str)
                    .collect();
                return Err(format!(
                    "payouts.fee_keys.{key} names the group {group:?}, which payouts.fee_groups does not have: add \"{group}\": \"<account number>\" to fee_groups or use one of {}",
                    known.join(", ")
                ));
            }
        }
        for e in &self.finance_emails {
            let ok = e.split_once('@').is_some_and(|(u, d)| {
                !u.is_empty() && d.contains('.') && !e.contains(char::is_whitespace)
            });
            if !ok {
                return Err(format!(
                    "payouts.finance_emails has {e:?}, which is not an email address: write it as name@example.com"
                ));
            }
        }
        if let Some(b) = &self.fee_band {
            if b.min_percent < Money::ZERO || b.max_percent < b.min_percent {
                return Err(format!(
                    "payouts.fee_band is {}–{} %: min_percent must be ≥ 0 and ≤ max_percent",
                    b.min_percent, b.max_percent
                ));
            }
        }
        if !(1..=60).contains(&self.lookback_days) {
            return Err(format!(
                "payouts.lookback_days is {}: use 1 to 60 (10 covers TikTok's ~5 working days of delay)",
                self.lookback_days
            ));
        }
        Ok(())
    }
}

/// Account number → NetSuite internal id, from SuiteQL `account` rows.
pub type AccountIds = BTreeMap<String, String>;

/// One SuiteQL `account` row, as the job reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub number: String,
    pub name: String,
    pub inactive: bool,
    pub summary: bool,
}

/// Resolves every configured number to an internal id; an error names each
/// field whose account is missing, inactive or a summary account.
pub fn resolve_accounts(cfg: &PayoutConfig, rows: &[AccountRow]) -> Result<AccountIds, String> {
    let by_number: BTreeMap<&str, &AccountRow> =
        rows.iter().map(|r| (r.number.as_str(), r)).collect();
    let mut ids = AccountIds::new();
    let mut problems = Vec::new();
    for (field, number) in cfg.account_fields() {
        match by_number.get(number.as_str()) {
            None => problems.push(format!("{field} is account {number}, which NetSuite does not have: create it or fix the number")),
            Some(r) if r.inactive => problems.push(format!("{field} is account {number} ({}), which is inactive: reactivate it or choose another", r.name)),
            Some(r) if r.summary => problems.push(format!("{field} is account {number} ({}), a summary account that takes no postings: choose one of its child accounts", r.name)),
            Some(r) => {
                ids.insert(number, r.id.clone());
            }
        }
    }
    if problems.is_empty() {
        Ok(ids)
    } else {
        Err(problems.join("; "))
    }
}

/// The SuiteQL that lists the chart of accounts.
pub const ACCOUNTS_QUERY: &str =
    "SELECT id, acctnumber, acctname, accttype, isinactive, issummary FROM account";

/// The documented `shipping_cost_breakdown` keys (§1.5): booked to
/// shipping services without being listed; any other key is listed.
pub const SHIPPING_KEYS: &[&str] = &[
    "actual_shipping_fee_amount",
    "shipping_fee_discount_amount",
    "return_shipping_fee_amount",
    "replacement_shipping_fee_amount",
    "exchange_shipping_fee_amount",
    "signature_confirmation_fee_amount",
    "shipping_insurance_fee_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
    "return_shipping_label_fee_amount",
    "seller_self_shipping_service_fee_amount",
    "return_shipping_fee_paid_buyer_amount",
    "failed_delivery_subsidy_amount",
    "shipping_fee_guarantee_reimbursement",
    "fbt_free_shipping_fee_amount",
    "free_return_subsidy_amount",
];

/// The documented fee keys and their groups (§1.5); the shop's table wins.
pub fn default_fee_keys() -> BTreeMap<&'static str, &'static str> {
    let mut m = BTreeMap::new();
    for k in [
        "platform_commission_amount",
        "referral_fee_amount",
        "refund_administration_fee_amount",
        "dynamic_commission_amount",
        "tsp_commission_amount",
    ] {
        m.insert(k, "commission");
    }
    for k in [
        "transaction_fee_amount",
        "credit_card_handling_fee_amount",
        "seller_paylater_handling_fee_amount",
        "dt_handling_fee_amount",
    ] {
        m.insert(k, "transaction");
    }
    for k in [
        "affiliate_commission_amount",
        "affiliate_partner_commission_amount",
        "affiliate_ads_commission_amount",
        "external_affiliate_marketing_fee_amount",
        "cofunded_creator_bonus_amount",
    ] {
        m.insert(k, "affiliate");
    }
    for k in [
        "sfp_service_fee_amount",
        "live_specials_fee_amount",
        "bonus_cashback_service_fee_amount",
        "mall_service_fee_amount",
        "voucher_xtra_service_fee_amount",
        "flash_sales_service_fee_amount",
        "cofunded_promotion_service_fee_amount",
        "pre_order_service_fee_amount",
        "epr_pob_service_fee_amount",
        "fee_per_item_sold_amount",
        "campaign_resource_fee",
        "installation_service_fee",
        "shipping_fee_guarantee_service_fee",
    ] {
        m.insert(k, "programme");
    }
    for k in [
        "vat_amount",
        "import_vat_amount",
        "customs_duty_amount",
        "customs_clearance_amount",
        "sst_amount",
        "gst_amount",
        "iva_amount",
        "isr_amount",
        "anti_dumping_duty_amount",
        "local_vat_amount",
        "pit_amount",
    ] {
        m.insert(k, "fee_taxes");
    }
    m
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A journal-mode chart of accounts (also the report's tests').
    pub(crate) fn accounts() -> PayoutAccounts {
        serde_json::from_value(json!({
            "revenue_source": {"mode": "journal"},
            "sales_revenue": "4000", "seller_discounts": "4010", "refunds": "4020",
            "shipping_income": "4100",
            "fee_groups": {"commission": "6100", "transaction": "6110", "affiliate": "6120",
                           "shipping_services": "6130", "programme": "6140", "fee_taxes": "6150"},
            "other_fees": "6190",
            "adjustments": {"LOGISTICS_REIMBURSEMENT": "4200"},
            "other_adjustments": "6900",
            "reserve": "1250", "payout_in_transit": "1260"
        }))
        .unwrap()
    }

    pub(crate) fn config() -> PayoutConfig {
        let mut v = serde_json::to_value(accounts()).unwrap();
        v["bank"] = json!("1000");
        v["finance_emails"] = json!(["finance@example.com"]);
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn validation_names_the_field_and_the_fix() {
        let c = config();
        assert_eq!(c.lookback_days, 10);
        c.validate().unwrap();
        let mut bad = c.clone();
        bad.accounts
            .fee_keys
            .insert("gmv_max_ad_fee_amount".into(), "ads".into());
        let e = bad.validate().unwrap_err();
        assert!(
            e.contains("payouts.fee_keys.gmv_max_ad_fee_amount") && e.contains("fee_groups"),
            "{e}"
        );
        let mut bad = c.clone();
        bad.finance_emails = vec!["finance".into()];
        assert!(bad
            .validate()
            .unwrap_err()
            .contains("payouts.finance_emails"));
        let mut bad = c.clone();
        bad.bank = " ".into();
        assert!(bad
            .validate()
            .unwrap_err()
            .contains("payouts.bank is empty"));
    }

    #[test]
    fn accounts_resolve_by_number_and_each_problem_names_its_field() {
        let c = config();
        let mut rows: Vec<AccountRow> = c
            .account_fields()
            .into_iter()
            .enumerate()
            .map(|(i, (_, n))| AccountRow {
                id: (100 + i).to_string(),
                number: n,
                name: "x".into(),
                inactive: false,
                summary: false,
            })
            .collect();
        let ids = resolve_accounts(&c, &rows).unwrap();
        assert_eq!(ids.get("1000").map(String::as_str), Some("108"));
        rows.retain(|r| r.number != "6190");
        rows.iter_mut()
            .find(|r| r.number == "1250")
            .unwrap()
            .summary = true;
        let e = resolve_accounts(&c, &rows).unwrap_err();
        assert!(
            e.contains("payouts.other_fees is account 6190") && e.contains("payouts.reserve"),
            "{e}"
        );
    }
}
