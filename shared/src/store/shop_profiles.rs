//! What a person reads about a connected shop: its name and region, who
//! connected it and when, and whether TikTok said it is disconnected
//! (webhook 6) or its authorization is expiring (webhook 7).
//!
//! One item per shop in the shop tokens table, beside the token item
//! (`pk = SHOP#{shop_id}`, `sk = PROFILE`). Why not attributes on the token
//! item: the `shops` index projects only the expiries, and a projection
//! cannot be changed in place; and a token refresh puts the whole token item,
//! which would drop them. The profile item has no `kind`, so it stays out of
//! the index; pages read the profiles of the listed shops with one
//! `BatchGetItem` (100 keys per call), never a token.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};

use super::aws::{describe, get_n, get_s, is_condition_failed, n, s};
use super::{keys, Store, StoreError};
use crate::domain::ShopId;

/// The daily digest and the Shops page warn this long (14 days) before a
/// refresh token expires: after it, the seller must authorize the app again.
pub const REFRESH_WARNING_SECS: i64 = 14 * 86_400;

/// What a profile read may return, from the profile or the token item (the
/// console's and the digest's IAM grants allow these attributes only, so
/// they can never read a token from the same table).
pub const PROFILE_ATTRIBUTES: &[&str] = &[
    "pk",
    "sk",
    "shop_id",
    "shop_name",
    "region",
    "connected_at",
    "connected_by",
    "disconnected_at",
    "authorization_expires_at",
    "refresh_token_expires_at",
];

/// A shop as people see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopProfile {
    pub shop_id: ShopId,
    /// The shop's name in TikTok (hostile text: escape it).
    pub name: String,
    /// TikTok's region code (`US`, `GB`, …).
    pub region: String,
    pub connected_at: i64,
    /// The operator who connected it.
    pub connected_by: String,
    /// When TikTok said the seller deauthorized the app (webhook 6).
    pub disconnected_at: Option<i64>,
    /// When TikTok says the authorization ends (webhook 7's `expiration_time`).
    pub authorization_expires_at: Option<i64>,
}

/// Where shop profiles live.
#[async_trait]
pub trait ShopProfiles: Send + Sync {
    /// Writes the whole profile (a connect: no disconnection, no warning).
    async fn save(&self, p: &ShopProfile) -> Result<(), StoreError>;
    /// The profiles of these shops (absent: none stored).
    async fn get_many(&self, shops: &[ShopId]) -> Result<HashMap<ShopId, ShopProfile>, StoreError>;
    /// The refresh token's expiry and the deauthorization mark of the shop's
    /// token item, read without its tokens; `None`: no tokens stored.
    async fn token_standing(&self, shop: &ShopId)
        -> Result<Option<(i64, Option<i64>)>, StoreError>;
    /// Records a deauthorization (creating the profile if there is none).
    async fn mark_disconnected(&self, shop: &ShopId, at: i64) -> Result<(), StoreError>;
    /// Records when the authorization expires.
    async fn mark_expiring(&self, shop: &ShopId, expires_at: i64) -> Result<(), StoreError>;
}

/// Profiles in the shop tokens table.
pub struct DynamoShopProfiles {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoShopProfiles {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn set(&self, shop: &ShopId, attr: &str, value: i64) -> Result<(), StoreError> {
        let r = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::shop_tokens(shop)))
            .key("sk", s(keys::SHOP_PROFILE_SK))
            .update_expression("SET #a = :v, shop_id = :s")
            .expression_attribute_names("#a", attr)
            .expression_attribute_values(":v", n(value))
            .expression_attribute_values(":s", s(shop.as_str()))
            .send()
            .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failed(&e) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }
}

impl DynamoShopProfiles {
    /// One `BatchGetItem` of up to 100 shops' `sk` items, projected to
    /// [`PROFILE_ATTRIBUTES`] (unprocessed keys asked again, three times).
    async fn batch_get(
        &self,
        shops: &[ShopId],
        sk: &str,
    ) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
        let mut out = Vec::new();
        if shops.is_empty() {
            return Ok(out);
        }
        // `region` is a reserved word: every attribute goes by a placeholder.
        let mut ka = KeysAndAttributes::builder().projection_expression(
            (0..PROFILE_ATTRIBUTES.len())
                .map(|i| format!("#a{i}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        for (i, a) in PROFILE_ATTRIBUTES.iter().enumerate() {
            ka = ka.expression_attribute_names(format!("#a{i}"), *a);
        }
        for shop in shops {
            ka = ka.keys(HashMap::from([
                ("pk".to_string(), s(keys::shop_tokens(shop))),
                ("sk".to_string(), s(sk)),
            ]));
        }
        let mut request =
            HashMap::from([(self.table.clone(), ka.build().map_err(|e| unavailable(&e))?)]);
        for attempt in 0.. {
            let page = self
                .client
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            out.extend(
                page.responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            match page.unprocessed_keys() {
                Some(u) if !u.is_empty() && attempt < 3 => request = u.clone(),
                Some(u) if !u.is_empty() => {
                    return Err(StoreError::unavailable(
                        Store::ShopTokens,
                        "shop profiles: DynamoDB left keys unprocessed four times",
                    ))
                }
                _ => break,
            }
        }
        Ok(out)
    }
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::ShopTokens, describe(e))
}

fn decode(item: &HashMap<String, AttributeValue>) -> Option<ShopProfile> {
    Some(ShopProfile {
        shop_id: ShopId::new(get_s(item, "shop_id")?.clone()),
        name: get_s(item, "shop_name").cloned().unwrap_or_default(),
        region: get_s(item, "region").cloned().unwrap_or_default(),
        connected_at: get_n(item, "connected_at").unwrap_or(0),
        connected_by: get_s(item, "connected_by").cloned().unwrap_or_default(),
        disconnected_at: get_n(item, "disconnected_at"),
        authorization_expires_at: get_n(item, "authorization_expires_at"),
    })
}

#[async_trait]
impl ShopProfiles for DynamoShopProfiles {
    async fn save(&self, p: &ShopProfile) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::shop_tokens(&p.shop_id)))
            .item("sk", s(keys::SHOP_PROFILE_SK))
            .item("shop_id", s(p.shop_id.as_str()))
            .item("shop_name", s(&p.name))
            .item("region", s(&p.region))
            .item("connected_at", n(p.connected_at))
            .item("connected_by", s(&p.connected_by))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn get_many(&self, shops: &[ShopId]) -> Result<HashMap<ShopId, ShopProfile>, StoreError> {
        let mut out = HashMap::new();
        for chunk in shops.chunks(100) {
            for item in self.batch_get(chunk, keys::SHOP_PROFILE_SK).await? {
                if let Some(p) = decode(&item) {
                    out.insert(p.shop_id.clone(), p);
                }
            }
        }
        Ok(out)
    }

    async fn token_standing(
        &self,
        shop: &ShopId,
    ) -> Result<Option<(i64, Option<i64>)>, StoreError> {
        let items = self
            .batch_get(std::slice::from_ref(shop), keys::SHOP_TOKENS_SK)
            .await?;
        Ok(items.first().map(|i| {
            (
                get_n(i, "refresh_token_expires_at").unwrap_or(0),
                get_n(i, "disconnected_at"),
            )
        }))
    }

    async fn mark_disconnected(&self, shop: &ShopId, at: i64) -> Result<(), StoreError> {
        self.set(shop, "disconnected_at", at).await
    }

    async fn mark_expiring(&self, shop: &ShopId, expires_at: i64) -> Result<(), StoreError> {
        self.set(shop, "authorization_expires_at", expires_at).await
    }
}
