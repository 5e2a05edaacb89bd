//! How the simulated account costs its inventory: the cost of goods an
//! Item Fulfillment posts (SuiteQL `transactionaccountingline`,
//! `netsuite/suiteql/tables/accounting.rs`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The accounts and unit costs behind an Item Fulfillment's COGS posting.
/// Absent in older seeds: then no fulfillment posts any cost (every item
/// costs nothing; the harsher reading of a `transactionaccountingline`
/// with no amount, see the table's doc).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CostingSeed {
    /// Internal id of the Cost of Goods Sold account (`accttype` `COGS`)
    /// every inventory item posts to (an item record's "COGS Account").
    #[serde(default)]
    pub cogs_account: Option<String>,
    /// Internal id of the inventory asset account (an item record's
    /// "Asset Account"), credited by the same amount.
    #[serde(default)]
    pub asset_account: Option<String>,
    /// Unit cost per item internal id, as decimal text (`"41.20"`). An item
    /// not listed costs 0.
    #[serde(default)]
    pub item_costs: BTreeMap<String, String>,
}
