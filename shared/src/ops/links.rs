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
