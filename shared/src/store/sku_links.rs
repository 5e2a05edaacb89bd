//! SKU links: TikTok seller SKU → NetSuite item id, per shop.
//!
//! Merchants link by hand (the CLI), and every SuiteQL hit is cached here so
//! an order needs one item lookup per new SKU, not per order.

use super::aws::{describe, get_s, s};
use super::{keys, Store, StoreError};
use crate::domain::{ShopId, Sku};
use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuLink {
    pub shop_id: ShopId,
    pub sku: Sku,
    pub item_id: String,
    /// `manual` (CLI) or `lookup` (cached SuiteQL hit).
    pub source: String,
}

#[async_trait]
pub trait SkuLinks: Send + Sync {
    async fn get(&self, shop: &ShopId, sku: &Sku) -> Result<Option<SkuLink>, StoreError>;
    async fn put(&self, link: &SkuLink) -> Result<(), StoreError>;
    /// The links of many SKUs at once (the inventory job's daily SKU map);
    /// SKUs without a link are absent. One `get` each unless overridden.
    async fn get_many(
        &self,
        shop: &ShopId,
        skus: &[Sku],
    ) -> Result<std::collections::BTreeMap<Sku, SkuLink>, StoreError> {
        let mut out = std::collections::BTreeMap::new();
        for sku in skus {
            if let Some(l) = self.get(shop, sku).await? {
                out.insert(sku.clone(), l);
            }
        }
        Ok(out)
    }
}

/// Links in the order log table: `pk = SKU#{shop}#{sku}`, `sk = LINK`.
pub struct DynamoSkuLinks {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoSkuLinks {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::SkuLinks, describe(e))
}

/// A link's sort key in the `by-kind` index.
fn link_ts(shop: &ShopId, sku: &str) -> String {
    format!("{shop}#{sku}")
}

impl DynamoSkuLinks {
    /// Up to `limit` links of a shop whose SKU starts with `prefix`, in SKU
    /// order: one query on the `by-kind` index.
    pub async fn search(
        &self,
        shop: &ShopId,
        prefix: &str,
        limit: i32,
    ) -> Result<Vec<SkuLink>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("by-kind")
            .key_condition_expression("kind = :k AND begins_with(ts, :p)")
            .expression_attribute_values(":k", s("sku_link"))
            .expression_attribute_values(":p", s(link_ts(shop, prefix)))
            .limit(limit.max(1))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out
            .items()
            .iter()
            .filter_map(|i| {
                Some(SkuLink {
                    shop_id: ShopId::new(get_s(i, "shop_id")?),
                    sku: Sku::new(get_s(i, "sku")?),
                    item_id: get_s(i, "item_id")?.clone(),
                    source: get_s(i, "source").cloned().unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Removes a link; `Ok(false)` when there was none.
    pub async fn delete(&self, shop: &ShopId, sku: &Sku) -> Result<bool, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(keys::sku_link(shop, sku)))
            .key("sk", s(keys::SKU_LINK_SK))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()))
    }
}

#[async_trait]
impl SkuLinks for DynamoSkuLinks {
    async fn get(&self, shop: &ShopId, sku: &Sku) -> Result<Option<SkuLink>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(keys::sku_link(shop, sku)))
            .key("sk", s(keys::SKU_LINK_SK))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out.item().and_then(|i| {
            Some(SkuLink {
                shop_id: shop.clone(),
                sku: sku.clone(),
                item_id: get_s(i, "item_id")?.clone(),
                source: get_s(i, "source").cloned().unwrap_or_default(),
            })
        }))
    }

    /// BatchGetItem, 100 keys a call (DynamoDB's limit), unprocessed keys
    /// asked again.
    async fn get_many(
        &self,
        shop: &ShopId,
        skus: &[Sku],
    ) -> Result<std::collections::BTreeMap<Sku, SkuLink>, StoreError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut out = std::collections::BTreeMap::new();
        for chunk in skus.chunks(100) {
            let mut keys: Vec<
                std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
            > = chunk
                .iter()
                .map(|sku| {
                    std::collections::HashMap::from([
                        ("pk".to_string(), s(keys::sku_link(shop, sku))),
                        ("sk".to_string(), s(keys::SKU_LINK_SK)),
                    ])
                })
                .collect();
            for _ in 0..10 {
                if keys.is_empty() {
                    break;
                }
                let ka = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut keys)))
                    .build()
                    .map_err(|e| unavailable(&e))?;
                let res = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, ka)
                    .send()
                    .await
                    .map_err(|e| unavailable(&e))?;
                for i in res
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    if let (Some(sku), Some(item)) = (get_s(i, "sku"), get_s(i, "item_id")) {
                        let sku = Sku::new(sku.clone());
                        out.insert(
                            sku.clone(),
                            SkuLink {
                                shop_id: shop.clone(),
                                sku,
                                item_id: item.clone(),
                                source: get_s(i, "source").cloned().unwrap_or_default(),
                            },
                        );
                    }
                }
                keys = res
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .map(|k| k.keys().to_vec())
                    .unwrap_or_default();
            }
        }
        Ok(out)
    }

    async fn put(&self, link: &SkuLink) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::sku_link(&link.shop_id, &link.sku)))
            .item("sk", s(keys::SKU_LINK_SK))
            .item("kind", s("sku_link"))
            .item("shop_id", s(link.shop_id.as_str()))
            .item("sku", s(link.sku.as_str()))
            .item("item_id", s(&link.item_id))
            .item("source", s(&link.source))
            // The `by-kind` index lists links by shop and SKU prefix.
            .item("ts", s(link_ts(&link.shop_id, link.sku.as_str())))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }
}
