//! Update Inventory's error codes, as the inventory job treats them
//! (finance-inventory-fulfilment.md §2.4's table): the class of each code
//! (data/config, state, transient, unknown), what to do about it, and one
//! SKU's (or warehouse's) failure. Split from `inventory.rs`, which
//! re-exports everything here.

use serde::{Deserialize, Serialize};

use crate::domain::WarehouseId;

/// How the inventory job treats a failure (§2.4's table).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InventoryErrorClass {
    /// The request, the product or the shop's setup is wrong: retrying
    /// unchanged fails again. Report with a fix.
    DataOrConfig,
    /// The SKU cannot change now (promotion lock, appeal, auction bidding,
    /// inactive seller): report, try again on a later run, never in a loop.
    State,
    /// TikTok failed internally: retry.
    Transient,
    /// A code §2.4 does not list, kept as `"{code}: {message}"`: reported,
    /// not retried in the run (later runs try again, with backoff).
    Unknown(String),
}

/// Update Inventory codes of the data/config class (§2.4).
pub const DATA_OR_CONFIG_CODES: [i64; 32] = [
    12019022, 12019024, 12019028, 12052031, 12052032, 12052036, 12052037, 12052048, 12052050,
    12052055, 12052094, 12052097, 12052115, 12052141, 12052260, 12052364, 12052403, 12052465,
    12052530, 12052531, 12052532, 12052533, 12052553, 12052556, 12052849, 12052850, 12052901,
    12052902, 12052921, 12052096, 12052160, 12052207,
];
/// Update Inventory codes of the state class (§2.4).
pub const STATE_CODES: [i64; 4] = [12052308, 12052371, CODE_PROMOTION_LOCKED, 12052700];
/// Product locked for a promotion: "stock can't be updated below current stock".
pub const CODE_PROMOTION_LOCKED: i64 = 12052393;
/// "The check failed": a summary wrapping per-warehouse `extra_errors`.
pub const CODE_CHECK_FAILED: i64 = 12052990;

impl InventoryErrorClass {
    /// The class of an Update Inventory error code. 36009003 (internal
    /// error) is the transient one the spec lists; a bare 12052990 with no
    /// details says only "the check failed" and is treated as data.
    /// The three codes beyond §2.4's table (12052096, 12052160, 12052207:
    /// warehouse/price, variant and brand-warehouse faults in the spec's
    /// error list) are data/config too.
    pub fn of_code(code: i64, message: &str) -> Self {
        if code == super::error::CODE_INTERNAL || code == super::error::CODE_TIMEOUT {
            Self::Transient
        } else if STATE_CODES.contains(&code) {
            Self::State
        } else if DATA_OR_CONFIG_CODES.contains(&code) || code == CODE_CHECK_FAILED {
            Self::DataOrConfig
        } else {
            Self::Unknown(format!("{code}: {message}"))
        }
    }

    /// Whether the job may send the SKU again in the same run.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Transient)
    }
}

/// What to do about a failed SKU, for the run log and the admin digest.
pub fn fix_for(code: i64) -> &'static str {
    match code {
        CODE_PROMOTION_LOCKED => "The SKU is locked in a TikTok promotion: TikTok refuses to lower its stock until the promotion ends. Nothing to do unless NetSuite stock is really short; the next runs try again (with backoff, from 15 minutes up to a day) until TikTok takes the number, and the drift digest lists the SKU meanwhile.",
        12052308 => "The product has an ongoing appeal in Seller Center; revoke or finish the appeal, the next run pushes again.",
        12052371 => "The product is an auction that is bidding; stock can change after the auction.",
        12052700 => "The seller account is inactive in TikTok Shop; reactivate it, the next run pushes again.",
        12019028 | 12052037 | 12052533 | 12019022 => "The SKU's warehouses in TikTok differ from what was sent: refresh the SKU map (the daily product refresh), and check the shop's location → warehouse mapping covers every warehouse the SKU is stocked in.",
        12052097 | 12052530 | 12052531 | 12052532 | 12052364 | 12052403 | 12052465 => "A mapped warehouse is unknown, disabled or not a sales warehouse of this shop: fix the shop's location → warehouse mapping (sales warehouses only, Get Warehouse List).",
        12052055 | 12019024 => "The quantity is outside TikTok's range [1, 99,999] (0 may be refused): check the shop's quantity range and safety buffer settings.",
        12052556 | 12052031 | 12052032 | 12052260 | 12052048 => "The product or SKU no longer exists in this shop: refresh the SKU map, and fix or remove the SKU link.",
        12052849 | 12052850 => "TikTok computes this combo's stock itself: remove the bundle from the inventory push.",
        12052141 | 12052921 => "This product's stock is managed from the global product or the source shop: push stock there, not to this shop.",
        12052901 => "The product is not active in TikTok: activate it, or ignore it in the push.",
        12052094 | 12052115 => "The shop has no (multi-)warehouse permission or no warehouse: fix the shop's setup in Seller Center.",
        36009003 | 36009007 => "TikTok failed internally; retried automatically.",
        _ => "Look the code up in TikTok's Update Inventory error list and fix the SKU or mapping; it is reported, and tried again at later runs with backoff.",
    }
}

/// One failure of a SKU (or of one of its warehouses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuUpdateError {
    pub code: i64,
    pub message: String,
    /// Set when TikTok named the warehouse (`extra_errors`).
    pub warehouse_id: Option<WarehouseId>,
    pub class: InventoryErrorClass,
}

impl SkuUpdateError {
    pub(crate) fn new(code: i64, message: &str, warehouse_id: Option<WarehouseId>) -> Self {
        Self {
            code,
            message: message.to_string(),
            warehouse_id,
            class: InventoryErrorClass::of_code(code, message),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        fix_for(self.code)
    }
}
