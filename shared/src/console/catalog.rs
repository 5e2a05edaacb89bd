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

    async fn item_names(
        &self,
        item_ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>, String> {
        // Digits only, so they are safe to inline; one query for all.
        let ids: Vec<&str> = item_ids
            .iter()
            .map(String::as_str)
            .filter(|i| !i.is_empty() && i.chars().all(|c| c.is_ascii_digit()))
            .collect();
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let rows = self
            .0
            .suiteql(&format!(
                "SELECT id, itemid FROM item WHERE id IN ({})",
                ids.join(", ")
            ))
            .await
            .map_err(|e| e.to_string())?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let id = match r.get("id")? {
                    serde_json::Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                let name = r.get("itemid")?.as_str()?.to_string();
                Some((id, name))
            })
            .collect())
    }
}
