//! Resolving what an order names into NetSuite ids: TikTok seller SKUs to
//! items (SKU links first, then one SuiteQL lookup, cached as a link) and
//! the buyer to a customer (per the shop's customer mode).

use super::decision::Decision;
use super::OrderSync;
use crate::domain::{ShopId, Sku};
use crate::mapping::config::{CustomerMode, ShopMapping};
use crate::mapping::{ItemRef, MappingError};
use crate::netsuite::sql_quote;
use crate::store::SkuLink;
use crate::taxonomy::{ErrorCode, Failure};
use crate::tiktok::model::Order;

impl OrderSync<'_> {
    pub(super) async fn resolve_items<'s>(
        &self,
        shop: &ShopId,
        skus: impl Iterator<Item = &'s Sku>,
    ) -> Result<Vec<ItemRef>, Resolve> {
        let skus: Vec<&Sku> = skus.collect();
        let mut found: Vec<Option<String>> = vec![None; skus.len()];
        let mut missing = self.read_links(shop, &skus, &mut found).await?;
        // One lookup at a time per invocation: the records of a batch run
        // concurrently and often share SKUs; the ones that waited find the
        // links the first one stored instead of asking NetSuite again.
        let _gate = if missing.is_empty() {
            None
        } else {
            let gate = self.lookups.lock().await;
            missing = self.read_links(shop, &skus, &mut found).await?;
            Some(gate)
        };
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|s| sql_quote(s.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = self
                .netsuite
                .suiteql(&format!(
                    "SELECT id, itemid FROM item WHERE itemid IN ({list}) AND isinactive = 'F'"
                ))
                .await
                .map_err(|e| Resolve::Failed(Failure::from(&e)))?;
            for (sku, slot) in skus.iter().zip(found.iter_mut()) {
                if slot.is_some() {
                    continue;
                }
                let hits: Vec<&str> = rows
                    .iter()
                    .filter(|r| {
                        r.get("itemid")
                            .and_then(|v| v.as_str())
                            .is_some_and(|i| i.eq_ignore_ascii_case(sku.as_str()))
                    })
                    .filter_map(|r| r.get("id").and_then(|v| v.as_str()))
                    .collect();
                if let [id] = hits[..] {
                    *slot = Some(id.to_string());
                    let link = SkuLink {
                        shop_id: shop.clone(),
                        sku: (*sku).clone(),
                        item_id: id.to_string(),
                        source: "lookup".into(),
                    };
                    if let Err(e) = self.skus.put(&link).await {
                        tracing::warn!(error = %e, "could not cache a SKU link");
                    }
                }
            }
        }
        let unlinked: Vec<String> = skus
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(s, _)| s.as_str().to_string())
            .collect();
        if !unlinked.is_empty() {
            return Err(Resolve::Unlinked(unlinked));
        }
        Ok(found
            .into_iter()
            .map(|id| ItemRef {
                id: id.unwrap_or_default(),
            })
            .collect())
    }

    /// Fills the empty slots of `found` from the SKU links; the SKUs still
    /// without one.
    async fn read_links<'s>(
        &self,
        shop: &ShopId,
        skus: &[&'s Sku],
        found: &mut [Option<String>],
    ) -> Result<Vec<&'s Sku>, Resolve> {
        let mut missing = Vec::new();
        for (sku, slot) in skus.iter().zip(found.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let link = self
                .skus
                .get(shop, sku)
                .await
                .map_err(|e| Resolve::Failed(Failure::from(&e)))?;
            *slot = link.map(|l| l.item_id);
            if slot.is_none() {
                missing.push(*sku);
            }
        }
        Ok(missing)
    }

    pub(super) async fn resolve_customer(
        &self,
        shop: &ShopId,
        order: &Order,
        cfg: &ShopMapping,
    ) -> Result<String, Failure> {
        let fallback = cfg.customer.customer_id.clone();
        let email = order
            .buyer_email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        match (cfg.customer.mode, email) {
            (CustomerMode::MatchEmail, Some(email)) => {
                let rows = self
                    .netsuite
                    .suiteql(&format!(
                        "SELECT id FROM customer WHERE LOWER(email) = LOWER({}) AND isinactive = 'F'",
                        sql_quote(email)
                    ))
                    .await
                    .map_err(|e| Failure::from(&e))?;
                match rows.len() {
                    1 => Ok(rows[0].get("id").and_then(|v| v.as_str()).unwrap_or_default().to_string()),
                    0 => fallback.ok_or_else(|| no_customer(shop)),
                    n => Err(Failure::new(
                        ErrorCode::DuplicateCustomer,
                        format!("{n} NetSuite customers share the buyer's email"),
                        "Merge the duplicate customers in NetSuite (or switch the shop to the generic customer), then resubmit.",
                    )),
                }
            }
            (CustomerMode::Create, _) => {
                // One customer per TikTok buyer (`user_id`), so a buyer's
                // second order finds the first one's customer.
                let Some(buyer) = order
                    .user_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                else {
                    return Err(Failure::new(
                        ErrorCode::InsufficientData,
                        format!("order {} has no buyer user_id; customer mode `create` needs it", order.id),
                        "Switch the shop's customer mode to `generic` (MAPPING_CONFIG), or resubmit once TikTok returns the buyer.",
                    ));
                };
                let ext = crate::mapping::external_id("tts-cust", shop, buyer);
                let mut body = serde_json::json!({
                    "externalId": ext, "companyName": format!("TikTok buyer {buyer}"), "isPerson": false,
                });
                if let Some(e) = email {
                    body["email"] = serde_json::json!(e);
                }
                if let Some(sub) = &cfg.subsidiary {
                    body["subsidiary"] = serde_json::json!({ "id": sub });
                }
                self.netsuite
                    .upsert_by_external_id("customer", &ext, &body, &[])
                    .await
                    .map_err(|e| Failure::from(&e))?;
                let rec = self
                    .netsuite
                    .get_by_external_id("customer", &ext, false)
                    .await
                    .map_err(|e| Failure::from(&e))?;
                rec.and_then(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string))
                    .ok_or_else(|| no_customer(shop))
            }
            _ => fallback.ok_or_else(|| no_customer(shop)),
        }
    }
}

pub(super) enum Resolve {
    Unlinked(Vec<String>),
    Failed(Failure),
}

fn no_customer(shop: &ShopId) -> Failure {
    Failure::new(
        ErrorCode::InsufficientData,
        format!("no NetSuite customer is configured for shop {shop}"),
        "Set customer.customer_id in the shop's mapping (MAPPING_CONFIG) to the generic TikTok customer, then resubmit.",
    )
}

pub(super) fn mapping_failed(shop: &ShopId, status: &str, e: &MappingError) -> Decision {
    let mut d = Decision::failed(status, e.to_failure(shop));
    d.failed_skus = e.failed_skus();
    d
}
