//! Inventory costing: what an Item Fulfillment posts to the general ledger,
//! read back through SuiteQL `transactionaccountingline`
//! (`suiteql/tables/accounting.rs`).
//!
//! Sources and readings:
//! - A fulfilled inventory item moves its cost out of stock: the fulfillment
//!   debits the item's COGS account and credits its inventory asset account
//!   (order-types.md §2 "use the real item so inventory and COGS move";
//!   Oracle help "Item Fulfillment" / "GL Impact", the item record's "COGS
//!   Account" and "Asset Account"). The simulated account has one COGS and
//!   one asset account for every item (`CostingSeed`).
//! - The amount is quantity × the item's unit cost, in whole cents of the
//!   subsidiary's base currency (sim-defined: one cost per item, no cost
//!   layers; NetSuite's average/FIFO/standard costing differ, and the
//!   integration must read the posted amount, never compute it).
//! - Only a Shipped (`C`) fulfillment posts: with pick, pack and ship a
//!   Picked or Packed fulfillment has no GL impact yet (Oracle help "Pick,
//!   Pack and Ship"; finance-inventory-fulfilment.md §0 item 6 for the
//!   letters).
//! - An item with no cost posts lines of 0 (harsher reading: under average
//!   costing an item with no cost history posts COGS at 0 until costed).
//! - Costing can lag the fulfillment: the sources do not say when the GL
//!   lines of a fulfillment become readable (NetSuite recalculates costs in
//!   a background process). Harsher reading: [`NetSuiteSim::set_costing_deferred`]
//!   withholds every fulfillment's accounting lines until it is turned off.
//! - Kits and non-inventory items post no cost here (their components are
//!   not simulated).

use rust_decimal::Decimal;
use std::collections::HashMap;

use super::NetSuiteSim;
use crate::seed::NetSuiteSeed;

/// The costing state behind `transactionaccountingline`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Costing {
    pub(crate) cogs_account: Option<String>,
    pub(crate) asset_account: Option<String>,
    pub(crate) costs: HashMap<u64, Decimal>,
    /// GL lines of fulfillments withheld (costing not run yet).
    pub(crate) deferred: bool,
}

impl Costing {
    pub(crate) fn from_seed(seed: &NetSuiteSeed) -> Self {
        let c = &seed.costing;
        Self {
            cogs_account: c.cogs_account.clone(),
            asset_account: c.asset_account.clone(),
            costs: c
                .item_costs
                .iter()
                .filter_map(|(id, cost)| Some((id.parse().ok()?, cost.parse().ok()?)))
                .collect(),
            deferred: false,
        }
    }

    /// What `quantity` units of `item` cost (0 for an item without a cost).
    pub(crate) fn cost_of(&self, item: u64, quantity: Decimal) -> Decimal {
        (self.costs.get(&item).copied().unwrap_or_default() * quantity.abs()).round_dp(2)
    }
}

impl NetSuiteSim {
    /// Sets an item's unit cost for fulfillments read from now on.
    pub fn set_item_cost(&self, item: u64, unit_cost: Decimal) {
        self.state().costing.costs.insert(item, unit_cost);
    }

    /// Withholds (true) or releases (false) every fulfillment's GL lines.
    pub fn set_costing_deferred(&self, deferred: bool) {
        self.state().costing.deferred = deferred;
    }
}
