//! What the NetSuite simulator starts from: the account and its TBA realm,
//! subsidiaries, currencies, locations, items, customers, the chart of
//! accounts with closed periods (journal entries) and stock per location
//! (netsuite-rest-api.md §2; finance-inventory-fulfilment.md §4.3, §5).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetSuiteSeed {
    /// Account id in NetSuite's own form (`1234567_SB1`); also the TBA realm.
    pub account_id: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token_id: String,
    pub token_secret: String,
    pub subsidiaries: Vec<SubsidiarySeed>,
    pub locations: Vec<LocationSeed>,
    pub items: Vec<ItemSeed>,
    pub customers: Vec<CustomerSeed>,
    pub inventory: Vec<InventorySeed>,
    /// Currency records; absent in older seeds.
    #[serde(default)]
    pub currencies: Vec<NamedSeed>,
    /// Department records; absent in older seeds.
    #[serde(default)]
    pub departments: Vec<NamedSeed>,
    /// Class (`classification`) records; absent in older seeds.
    #[serde(default)]
    pub classes: Vec<NamedSeed>,
    /// Price levels; `-1` (Custom) always exists. Absent in older seeds.
    #[serde(default)]
    pub price_levels: Vec<NamedSeed>,
    /// The chart of accounts (journal entry lines, SuiteQL `account`).
    /// Absent in older seeds.
    #[serde(default)]
    pub accounts: Vec<AccountSeed>,
    /// Closed accounting periods as `YYYY-MM` (a journal dated in one is
    /// refused). Settable at run time with `POST /_sim/periods`.
    #[serde(default)]
    pub closed_periods: Vec<String>,
    /// "Require Approvals on Journal Entries": journal entries are stored
    /// `approved: false` (`records/journal_entry.rs`). Settable at run time
    /// with `NetSuiteSim::set_journal_approval`.
    #[serde(default)]
    pub journal_approval_required: bool,
    /// Custom fields created in the account (Customization → Lists, Records
    /// & Fields). A `cust…` field not listed here is an unknown field, as on
    /// real NetSuite ("Unknown field name …", netsuite-rest-api.md §2).
    /// Absent in `seed.json`, so [`default_custom_fields`] apply.
    #[serde(default = "default_custom_fields")]
    pub custom_fields: Vec<CustomFieldSeed>,
    /// Item costs and the COGS / inventory asset accounts an Item
    /// Fulfillment posts to (`seed/costing.rs`). Absent in older seeds.
    #[serde(default)]
    pub costing: super::CostingSeed,
}

/// One custom field: `custbody…` (transaction body) or `custcol…`
/// (transaction item line), applied to the record types listed (NetSuite's
/// "Applies To" on the field's definition).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomFieldSeed {
    pub id: String,
    /// REST record type names (`salesOrder`, …).
    pub applies_to: Vec<String>,
}

/// The fields the product's order types write by default
/// (`shared::mapping::order_rules::TypeFields`), created for Sales Orders
/// as the README's setup section tells an administrator to.
pub fn default_custom_fields() -> Vec<CustomFieldSeed> {
    shared::mapping::order_rules::TypeFields::default()
        .all()
        .into_iter()
        .map(|id| CustomFieldSeed {
            id: id.to_string(),
            applies_to: vec!["salesOrder".into()],
        })
        // TikTok Shipping labels: the packed Item Fulfillment's size and
        // units, and what the label job writes back (`shared::labels`).
        .chain(
            shared::labels::job::IF_CUSTOM_FIELDS
                .iter()
                .map(|id| CustomFieldSeed {
                    id: id.to_string(),
                    applies_to: vec!["itemFulfillment".into()],
                }),
        )
        .collect()
}

/// One general-ledger account (SuiteQL `account` columns).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountSeed {
    pub id: String,
    pub acctnumber: String,
    pub acctname: String,
    /// NetSuite account type code: `Bank`, `AcctRec`, `OthCurrAsset`,
    /// `Income`, `OthIncome`, `Expense`, `OthExpense`, `OthCurrLiab`, …
    pub accttype: String,
    #[serde(default)]
    pub isinactive: bool,
    /// A summary (parent) account takes no postings.
    #[serde(default)]
    pub issummary: bool,
    /// Subsidiaries the account is available to (empty: all of them).
    #[serde(default)]
    pub subsidiaries: Vec<String>,
}

impl NetSuiteSeed {
    /// The TBA credentials a client of this simulator signs with.
    pub fn credentials(&self) -> shared::signing::netsuite::TbaCredentials {
        shared::signing::netsuite::TbaCredentials {
            realm: self.account_id.clone(),
            consumer_key: self.consumer_key.clone(),
            consumer_secret: self.consumer_secret.clone(),
            token_id: self.token_id.clone(),
            token_secret: self.token_secret.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubsidiarySeed {
    pub id: String,
    pub name: String,
    /// Base currency id.
    pub currency: String,
    pub country: String,
    #[serde(default)]
    pub isinactive: bool,
}

/// A simple list record (currency, department, class, price level).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedSeed {
    pub id: String,
    pub name: String,
    /// ISO code, for currencies only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(default)]
    pub isinactive: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocationSeed {
    pub id: String,
    pub name: String,
    pub subsidiary: String,
    #[serde(default)]
    pub isinactive: bool,
}

/// SuiteQL `item` row; `itemtype` uses NetSuite's codes (`InvtPart`, `Kit`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemSeed {
    pub id: String,
    pub itemid: String,
    pub displayname: String,
    pub itemtype: String,
    #[serde(default)]
    pub isinactive: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerSeed {
    pub id: String,
    pub entityid: String,
    pub email: String,
    pub companyname: String,
    pub subsidiary: String,
    /// Primary currency id; defaults to the subsidiary's base currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Every currency the customer may transact in (its Currencies
    /// sublist); defaults to the primary currency alone.
    #[serde(default)]
    pub currencies: Vec<String>,
    #[serde(default)]
    pub isinactive: bool,
}

/// SuiteQL `inventoryitemlocations` row. Quantities are strings because
/// SuiteQL returns every value as a string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InventorySeed {
    pub item: String,
    pub location: String,
    pub quantityavailable: String,
    pub quantityonhand: String,
    /// Defaults to on hand − available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantitycommitted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantityonorder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantitybackordered: Option<String>,
}
