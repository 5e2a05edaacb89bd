//! Shop tokens: each connected shop's TikTok credentials, one item per shop
//! (`pk = SHOP#{shop_id}`, `sk = TOKEN` in the shop tokens table, apart from the order log).
//!
//! When they are refreshed is [`crate::tiktok::auth`]'s business; this file
//! only keeps them.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::aws::{describe, get_n, get_s, is_condition_failed, n, s};
use super::{keys, Store, StoreError};
use crate::clock::Clock;
use crate::domain::ShopId;

/// Everything needed to call TikTok for one shop. `Debug` hides the tokens.
/// The part a call sends is `ShopCredentials::auth`, in `tiktok::auth`.
#[derive(Clone, PartialEq, Eq)]
pub struct ShopCredentials {
    pub shop_id: ShopId,
    pub cipher: String,
    pub access_token: String,
    /// Absolute unix seconds.
    pub access_token_expires_at: i64,
    pub refresh_token: String,
    /// Absolute unix seconds.
    pub refresh_token_expires_at: i64,
}

impl std::fmt::Debug for ShopCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopCredentials")
            .field("shop_id", &self.shop_id)
            .field("cipher", &self.cipher)
            .field("access_token", &"<redacted>")
            .field("access_token_expires_at", &self.access_token_expires_at)
            .field("refresh_token", &"<redacted>")
            .field("refresh_token_expires_at", &self.refresh_token_expires_at)
            .finish()
    }
}

impl ShopCredentials {
    /// Whether the access token is expired or expires within `margin` of `now`.
    pub fn access_expires_within(&self, now: i64, margin: Duration) -> bool {
        self.access_token_expires_at <= now.saturating_add(margin.as_secs() as i64)
    }
}

/// Where shop credentials live.
#[async_trait]
pub trait ShopTokenStore: Send + Sync {
    async fn get(&self, shop: &ShopId) -> Result<Option<ShopCredentials>, StoreError>;
    async fn put(&self, creds: &ShopCredentials) -> Result<(), StoreError>;
    /// Claims the right to refresh a shop's token until `until` (epoch
    /// seconds), if the stored access token is still `seen` and nobody holds
    /// an unexpired claim: only one container refreshes at a time, because a
    /// refresh may invalidate the tokens the previous one issued.
    async fn claim_refresh(
        &self,
        shop: &ShopId,
        seen: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError>;
    /// Stores refreshed credentials only if the stored access token is still
    /// `seen` (the one the refresh replaced), releasing the claim: `Ok(false)`
    /// when another container stored first, whose tokens then stand.
    async fn replace(&self, seen: &str, creds: &ShopCredentials) -> Result<bool, StoreError>;
    /// The stored credentials and, when TikTok said the seller deauthorized
    /// the app (webhook 6), since when: such tokens are not used.
    async fn get_with_status(
        &self,
        shop: &ShopId,
    ) -> Result<Option<(ShopCredentials, Option<i64>)>, StoreError> {
        Ok(self.get(shop).await?.map(|c| (c, None)))
    }
    /// Marks a shop's tokens as deauthorized at `at` until the next connect
    /// (which puts new tokens); `Ok(false)` when no tokens are stored.
    async fn disconnect(&self, shop: &ShopId, at: i64) -> Result<bool, StoreError>;
}

/// Credentials in the shop tokens table (string keys `pk`/`sk`):
/// `pk = SHOP#{shop_id}`, `sk = TOKEN`. A connect writes
/// unconditionally (and so clears a deauthorization, `disconnected_at`); a refresh first claims the item
/// ([`ShopTokenStore::claim_refresh`]) and then writes only over the access
/// token it replaced ([`ShopTokenStore::replace`]), so two containers never
/// refresh at once nor overwrite each other's (possibly rotated) tokens.
pub struct DynamoShopTokenStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    clock: Arc<dyn Clock>,
}

impl DynamoShopTokenStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            clock: crate::clock::system(),
        }
    }
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::ShopTokens, describe(e))
}

impl DynamoShopTokenStore {
    /// Puts the item (dropping any refresh claim); with `only_if_access_token`,
    /// only over that access token.
    async fn write(
        &self,
        c: &ShopCredentials,
        only_if_access_token: Option<&str>,
    ) -> Result<bool, StoreError> {
        let req = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::shop_tokens(&c.shop_id)))
            .item("sk", s(keys::SHOP_TOKENS_SK))
            .item("kind", s("shop_token"))
            .item("shop_id", s(c.shop_id.as_str()))
            .item("cipher", s(&c.cipher))
            .item("access_token", s(&c.access_token))
            .item("access_token_expires_at", n(c.access_token_expires_at))
            .item("refresh_token", s(&c.refresh_token))
            .item("refresh_token_expires_at", n(c.refresh_token_expires_at))
            .item("updated_at", n(self.clock.now()));
        let req = match only_if_access_token {
            // Never over a deauthorization: a refresh that raced webhook 6
            // must not bring the shop back.
            Some(old) => req
                .condition_expression(
                    "access_token = :old AND attribute_not_exists(disconnected_at)",
                )
                .expression_attribute_values(":old", s(old)),
            None => req,
        };
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failed(&e) => Ok(false),
            Err(e) => Err(unavailable(&e)),
        }
    }
}

#[async_trait]
impl ShopTokenStore for DynamoShopTokenStore {
    async fn get(&self, shop: &ShopId) -> Result<Option<ShopCredentials>, StoreError> {
        Ok(self.get_with_status(shop).await?.map(|(c, _)| c))
    }

    async fn get_with_status(
        &self,
        shop: &ShopId,
    ) -> Result<Option<(ShopCredentials, Option<i64>)>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(keys::shop_tokens(shop)))
            .key("sk", s(keys::SHOP_TOKENS_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        let Some(item) = out.item() else {
            return Ok(None);
        };
        let corrupt = |reason: String| StoreError::Corrupt {
            store: Store::ShopTokens,
            key: keys::shop_tokens(shop),
            reason,
        };
        let text = |k: &str| -> Result<String, StoreError> {
            get_s(item, k)
                .cloned()
                .ok_or_else(|| corrupt(format!("no string attribute {k}")))
        };
        let num = |k: &str| -> Result<i64, StoreError> {
            get_n(item, k).ok_or_else(|| corrupt(format!("no numeric attribute {k}")))
        };
        let creds = ShopCredentials {
            shop_id: shop.clone(),
            cipher: text("cipher")?,
            access_token: text("access_token")?,
            access_token_expires_at: num("access_token_expires_at")?,
            refresh_token: text("refresh_token")?,
            refresh_token_expires_at: num("refresh_token_expires_at")?,
        };
        Ok(Some((creds, get_n(item, "disconnected_at"))))
    }

    async fn disconnect(&self, shop: &ShopId, at: i64) -> Result<bool, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::shop_tokens(shop)))
            .key("sk", s(keys::SHOP_TOKENS_SK))
            .update_expression("SET disconnected_at = :at REMOVE refreshing_until")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":at", n(at))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failed(&e) => Ok(false),
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn put(&self, c: &ShopCredentials) -> Result<(), StoreError> {
        self.write(c, None).await.map(|_| ())
    }

    async fn replace(&self, seen: &str, creds: &ShopCredentials) -> Result<bool, StoreError> {
        self.write(creds, Some(seen)).await
    }

    async fn claim_refresh(
        &self,
        shop: &ShopId,
        seen: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::shop_tokens(shop)))
            .key("sk", s(keys::SHOP_TOKENS_SK))
            .update_expression("SET refreshing_until = :until")
            .condition_expression(
                "access_token = :seen AND attribute_not_exists(disconnected_at) AND (attribute_not_exists(refreshing_until) OR refreshing_until < :now)",
            )
            .expression_attribute_values(":seen", s(seen))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":until", n(until))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failed(&e) => Ok(false),
            Err(e) => Err(unavailable(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_debug_hides_tokens() {
        let c = ShopCredentials {
            shop_id: ShopId::new("1"),
            cipher: "c".into(),
            access_token: "SECRET_A".into(),
            access_token_expires_at: 10,
            refresh_token: "SECRET_R".into(),
            refresh_token_expires_at: 20,
        };
        let s = format!("{c:?}");
        assert!(!s.contains("SECRET_A") && !s.contains("SECRET_R"), "{s}");
        assert!(c.access_expires_within(0, Duration::from_secs(10)));
        assert!(!c.access_expires_within(0, Duration::from_secs(9)));
    }
}
