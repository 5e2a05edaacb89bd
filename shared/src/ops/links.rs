//! SKU links and shop connections, as operators set them.

use super::OpsError;
use crate::domain::{ShopId, Sku};
use crate::store::{ShopCredentials, ShopTokenStore, SkuLink, SkuLinks};

/// Links a TikTok seller SKU to a NetSuite item internal id (`manual` source).
pub async fn link_sku(
    links: &dyn SkuLinks,
    shop: &ShopId,
    sku: &str,
    item: &str,
) -> Result<SkuLink, OpsError> {
    let (sku, item) = (sku.trim(), item.trim());
    if sku.is_empty() {
        return Err(OpsError::Invalid {
            field: "sku",
            reason: "must not be empty; give the seller SKU as it is on the TikTok product".into(),
        });
    }
    if item.is_empty() || !item.chars().all(|c| c.is_ascii_digit()) {
        return Err(OpsError::Invalid {
            field: "item",
            reason: format!(
                "{item:?} is not a NetSuite internal id; give the item's internal id (digits, shown on the item record)"
            ),
        });
    }
    let link = SkuLink {
        shop_id: shop.clone(),
        sku: Sku::new(sku),
        item_id: item.into(),
        source: "manual".into(),
    };
    links.put(&link).await?;
    Ok(link)
}

/// Stores a shop's tokens (from the authorization flow).
pub async fn connect_shop(
    store: &dyn ShopTokenStore,
    creds: &ShopCredentials,
) -> Result<(), OpsError> {
    if creds.cipher.trim().is_empty() {
        return Err(OpsError::Invalid {
            field: "cipher",
            reason: "must not be empty; it is the shop_cipher from Get Authorized Shops".into(),
        });
    }
    Ok(store.put(creds).await?)
}

/// Where SKU links are checked before saving: does this NetSuite item exist
/// (and is it active)? Returns its name (`itemid`) when it does.
#[async_trait::async_trait]
pub trait ItemCatalog: Send + Sync {
    async fn item_name(&self, item_id: &str) -> Result<Option<String>, String>;

    /// The names of many items (absent: no such item); one lookup each
    /// unless overridden.
    async fn item_names(
        &self,
        item_ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>, String> {
        let mut out = std::collections::HashMap::new();
        for id in item_ids {
            if let Some(n) = self.item_name(id).await? {
                out.insert(id.clone(), n);
            }
        }
        Ok(out)
    }
}

/// Links a SKU after checking the item in NetSuite: an unknown or inactive
/// item is refused, naming the field.
pub async fn link_sku_checked(
    links: &dyn SkuLinks,
    catalog: &dyn ItemCatalog,
    shop: &ShopId,
    sku: &str,
    item: &str,
) -> Result<(SkuLink, String), OpsError> {
    let item = item.trim();
    if item.is_empty() || !item.chars().all(|c| c.is_ascii_digit()) {
        return link_sku(links, shop, sku, item)
            .await
            .map(|l| (l, String::new()));
    }
    let name = catalog
        .item_name(item)
        .await
        .map_err(|reason| OpsError::Invalid {
            field: "item",
            reason: format!("NetSuite could not be asked about item {item}: {reason}; try again"),
        })?
        .ok_or_else(|| OpsError::Invalid {
            field: "item",
            reason: format!(
                "NetSuite has no active item with internal id {item}; check the id on the item record"
            ),
        })?;
    let link = link_sku(links, shop, sku, item).await?;
    Ok((link, name))
}

/// Every failed order of a shop blocked on this SKU (index query on the SKU).
pub async fn blocked_on(
    log: &dyn crate::store::OrderLog,
    shop: &ShopId,
    sku: &str,
) -> Result<Vec<crate::store::OrderLogEntry>, OpsError> {
    super::resubmittable(
        log,
        &crate::store::LogFilter {
            shop_id: Some(shop.clone()),
            sku: Some(sku.trim().to_string()),
            ..Default::default()
        },
    )
    .await
}

/// A SKU failed orders are blocked on now, with how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingSku {
    pub shop_id: ShopId,
    pub sku: String,
    pub orders: usize,
}

/// Failed orders read for [`blocking_skus`] (one index page).
pub const BLOCKING_READ: usize = 500;

/// The SKUs failed orders are blocked on (unlinked products), of one shop
/// or all, most orders first; `true` when there were more failed orders
/// than [`BLOCKING_READ`] (the counts are then lower bounds).
pub async fn blocking_skus(
    log: &dyn crate::store::OrderLog,
    shop: Option<&ShopId>,
) -> Result<(Vec<BlockingSku>, bool), OpsError> {
    let filter = crate::store::LogFilter {
        shop_id: shop.cloned(),
        sync_status: Some(crate::store::SyncStatus::Failed),
        code: Some(crate::taxonomy::ErrorCode::UnlinkedProduct.as_str().into()),
        ..Default::default()
    };
    let page = log.page(&filter, None, BLOCKING_READ).await?;
    let mut counts = std::collections::BTreeMap::<(ShopId, String), usize>::new();
    for e in &page.entries {
        let mut seen = std::collections::HashSet::new();
        for s in e.failed_skus.iter().filter(|s| seen.insert(*s)) {
            *counts.entry((e.shop_id.clone(), s.clone())).or_default() += 1;
        }
    }
    let mut out: Vec<BlockingSku> = counts
        .into_iter()
        .map(|((shop_id, sku), orders)| BlockingSku {
            shop_id,
            sku,
            orders,
        })
        .collect();
    out.sort_by(|a, b| b.orders.cmp(&a.orders).then_with(|| a.sku.cmp(&b.sku)));
    Ok((out, page.next.is_some()))
}
