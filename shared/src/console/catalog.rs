//! NetSuite as the console's item catalog: a SKU link is saved only when
//! the item it names exists and is active (one SuiteQL query, the same
//! `item` table the writer's SKU lookup reads).

use crate::netsuite::NetSuiteClient;
use crate::ops::links::ItemCatalog;

pub struct NetSuiteCatalog(pub NetSuiteClient);

#[async_trait::async_trait]
impl ItemCatalog for NetSuiteCatalog {
    async fn item_name(&self, item_id: &str) -> Result<Option<String>, String> {
        // Digits only (checked by the caller), so it is safe to inline.
        if !item_id.chars().all(|c| c.is_ascii_digit()) || item_id.is_empty() {
            return Ok(None);
        }
        let rows = self
            .0
            .suiteql(&format!(
                "SELECT id, itemid FROM item WHERE id = {item_id} AND isinactive = 'F'"
            ))
            .await
            .map_err(|e| e.to_string())?;
        Ok(rows.first().map(|r| {
            r.get("itemid")
                .and_then(|v| v.as_str())
                .unwrap_or(item_id)
                .to_string()
        }))
    }
}
