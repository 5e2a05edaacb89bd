//! A shop's tracking-push settings (`carriers` in its mapping entry): the
//! carrier table the `tracking` flow reads ([`crate::tracking::plan`]).
//! It lives here, with the rest of the mapping file, so that `mapping`
//! depends on no flow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The shop's carrier table: NetSuite ship method name → TikTok provider name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CarrierTable(pub BTreeMap<String, String>);

impl CarrierTable {
    /// The provider name for a ship method (trimmed, case-insensitive).
    pub fn provider_name(&self, ship_method: &str) -> Option<&str> {
        let want = ship_method.trim();
        self.0
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(want))
            .map(|(_, v)| v.as_str())
    }
}
