//! A shop's stock-push settings (`inventory` in its mapping entry): which
//! NetSuite locations feed which TikTok warehouse, the safety buffer, the
//! quantity range TikTok accepts, and bundles' components. The `stock`
//! flow reads them ([`crate::stock::plan`]); they live here, with the rest
//! of the mapping file, so that `mapping` depends on no flow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{NetSuiteItemId, NetSuiteLocationId, WarehouseId};
use crate::tiktok::inventory::MAX_QUANTITY;

/// The quantities TikTok accepts. The spec says [1, 99,999]; whether 0 is
/// accepted is unverified (§0.5). The default is [0, 99,999]: pushing 1
/// for a SKU NetSuite has none of would sell a unit that does not exist,
/// while a refused 0 is reported (12052055) with its fix (raise `min` to 1
/// or deactivate the SKU). A shop whose TikTok refuses 0 sets `min: 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuantityRange {
    pub min: i64,
    pub max: i64,
}

impl Default for QuantityRange {
    fn default() -> Self {
        Self {
            min: 0,
            max: MAX_QUANTITY,
        }
    }
}

impl QuantityRange {
    pub fn clamp(&self, q: i64) -> i64 {
        q.max(self.min).min(self.max)
    }
}

/// Units held back from TikTok, per (SKU, warehouse). Both parts apply when
/// both are set: first `percent`, then `units` (module doc, step 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyBuffer {
    #[serde(default)]
    pub units: i64,
    /// Whole percent, 0–100 (values above 100 act as 100).
    #[serde(default)]
    pub percent: u32,
}

impl SafetyBuffer {
    /// `q` after the buffer (never below `q` for `q <= 0`).
    pub fn apply(&self, q: i64) -> i64 {
        if q <= 0 {
            return q;
        }
        let keep = 100 - i128::from(self.percent.min(100));
        // Floor of what is left = the buffer rounds up: never oversell.
        let after_percent = (i128::from(q) * keep / 100) as i64;
        after_percent.saturating_sub(self.units.max(0))
    }
}

/// A shop's inventory push settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopInventorySettings {
    /// NetSuite location → TikTok sales warehouse; several locations may
    /// map to one warehouse. Locations not listed feed nothing.
    pub location_warehouses: BTreeMap<NetSuiteLocationId, WarehouseId>,
    #[serde(default)]
    pub buffer: SafetyBuffer,
    #[serde(default)]
    pub range: QuantityRange,
}

/// One component of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleComponent {
    pub item: NetSuiteItemId,
    /// Units of the item in one bundle (≥ 1; 0 is reported and reads as 0 stock).
    pub units_per_bundle: u32,
}
