//! Shop tokens: where they are kept and when they are refreshed.
//!
//! Each connected shop has one credentials item (access + refresh token and
//! their absolute expiries, plus the `shop_cipher`). [`ShopSessions`] hands
//! callers a [`ShopAuth`], refreshing the access token shortly before it
//! expires, and refreshes on demand after a `105002` (token expired). A failed
//! refresh is a [`TokenError::RefreshFailed`] the writer records as
//! Unauthorized and alerts on: the seller usually has to re-authorize.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

use super::client::{ShopAuth, TikTokClient};
use super::error::TikTokError;
use crate::domain::ShopId;

/// Refresh when the access token expires within this window, so a call
/// started now never carries a token that dies mid-flight.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(10 * 60);

/// How to connect a shop, shown wherever credentials are missing.
pub const CONNECT_HINT: &str = "authorize the app for this shop, then store its tokens with the tiktok-netsuite CLI (it writes item pk=SHOP#<shop_id>, sk=TOKEN in the order log table)";

/// Everything needed to call TikTok for one shop. `Debug` hides the tokens.
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
    /// The part a shop-scoped call needs.
    pub fn auth(&self) -> ShopAuth {
        ShopAuth {
            shop_id: self.shop_id.clone(),
            cipher: self.cipher.clone(),
            access_token: self.access_token.clone(),
        }
    }

    /// Whether the access token is expired or expires within `margin` of `now`.
    pub fn access_expires_within(&self, now: i64, margin: Duration) -> bool {
        self.access_token_expires_at <= now.saturating_add(margin.as_secs() as i64)
    }
}

/// The token boundary's one error type.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No credentials are stored for the shop.
    #[error("TikTok shop {shop_id} is not connected: no tokens are stored for it; {hint}", hint = CONNECT_HINT)]
    NotConnected { shop_id: ShopId },
    /// The access token could not be refreshed. `retryable` is true when
    /// TikTok was unreachable or rate limited (try again later); false when
    /// the refresh token was refused or expired (the seller must re-authorize).
    #[error("refreshing the TikTok access token of shop {shop_id} failed: {reason}")]
    RefreshFailed {
        shop_id: ShopId,
        reason: String,
        retryable: bool,
    },
    /// The token store itself failed (DynamoDB error or a malformed item).
    #[error("TikTok token store: {0}")]
    Store(String),
}

impl TokenError {
    /// Whether trying again later may succeed without a human.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RefreshFailed { retryable, .. } => *retryable,
            Self::Store(_) => true,
            Self::NotConnected { .. } => false,
        }
    }
}

/// Where shop credentials live.
#[async_trait]
pub trait ShopTokenStore: Send + Sync {
    async fn get(&self, shop: &ShopId) -> Result<Option<ShopCredentials>, TokenError>;
    async fn put(&self, creds: &ShopCredentials) -> Result<(), TokenError>;
}

/// Credentials in a DynamoDB table with string keys `pk`/`sk` (the order log
/// table): `pk = SHOP#{shop_id}`, `sk = TOKEN`. Writes are unconditional
/// (last writer wins): a refresh and a re-connect both produce valid tokens.
pub struct DynamoShopTokenStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoShopTokenStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The partition key of a shop's credentials item.
    pub fn pk(shop: &ShopId) -> String {
        format!("SHOP#{shop}")
    }

    /// The sort key of every credentials item.
    pub const SK: &'static str = "TOKEN";
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

#[async_trait]
impl ShopTokenStore for DynamoShopTokenStore {
    async fn get(&self, shop: &ShopId) -> Result<Option<ShopCredentials>, TokenError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(Self::pk(shop)))
            .key("sk", s(Self::SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| {
                TokenError::Store(format!(
                    "reading shop {shop} tokens from {}: {}",
                    self.table,
                    crate::aws::describe(&e)
                ))
            })?;
        let Some(item) = out.item() else {
            return Ok(None);
        };
        let text = |k: &str| -> Result<String, TokenError> {
            item.get(k)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .ok_or_else(|| {
                    TokenError::Store(format!(
                        "shop {shop} token item has no string attribute {k}"
                    ))
                })
        };
        let num = |k: &str| -> Result<i64, TokenError> {
            item.get(k)
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| {
                    TokenError::Store(format!(
                        "shop {shop} token item has no numeric attribute {k}"
                    ))
                })
        };
        Ok(Some(ShopCredentials {
            shop_id: shop.clone(),
            cipher: text("cipher")?,
            access_token: text("access_token")?,
            access_token_expires_at: num("access_token_expires_at")?,
            refresh_token: text("refresh_token")?,
            refresh_token_expires_at: num("refresh_token_expires_at")?,
        }))
    }

    async fn put(&self, c: &ShopCredentials) -> Result<(), TokenError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(Self::pk(&c.shop_id)))
            .item("sk", s(Self::SK))
            .item("kind", s("shop_token"))
            .item("shop_id", s(c.shop_id.as_str()))
            .item("cipher", s(&c.cipher))
            .item("access_token", s(&c.access_token))
            .item("access_token_expires_at", n(c.access_token_expires_at))
            .item("refresh_token", s(&c.refresh_token))
            .item("refresh_token_expires_at", n(c.refresh_token_expires_at))
            .item("updated_at", n(crate::now_epoch()))
            .send()
            .await
            .map_err(|e| {
                TokenError::Store(format!(
                    "writing shop {} tokens to {}: {}",
                    c.shop_id,
                    self.table,
                    crate::aws::describe(&e)
                ))
            })?;
        Ok(())
    }
}

/// An in-process store, for tests and local tools.
#[derive(Default)]
pub struct MemoryShopTokenStore {
    items: Mutex<HashMap<ShopId, ShopCredentials>>,
}

impl MemoryShopTokenStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn items(&self) -> std::sync::MutexGuard<'_, HashMap<ShopId, ShopCredentials>> {
        // A panic elsewhere cannot corrupt a HashMap insert; keep serving.
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl ShopTokenStore for MemoryShopTokenStore {
    async fn get(&self, shop: &ShopId) -> Result<Option<ShopCredentials>, TokenError> {
        Ok(self.items().get(shop).cloned())
    }

    async fn put(&self, creds: &ShopCredentials) -> Result<(), TokenError> {
        self.items().insert(creds.shop_id.clone(), creds.clone());
        Ok(())
    }
}

/// A failure of [`ShopSessions::call_with_refresh`]: either getting a token
/// or the TikTok call itself.
#[derive(Debug, thiserror::Error)]
pub enum ShopCallError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    TikTok(#[from] TikTokError),
}

/// Hands out valid [`ShopAuth`]s, refreshing and storing tokens as needed.
/// Refreshes within one process are serialized, so concurrent callers that
/// all see an expiring token trigger one refresh, not one each.
#[derive(Clone)]
pub struct ShopSessions {
    client: TikTokClient,
    store: Arc<dyn ShopTokenStore>,
    margin: Duration,
    refresh_lock: Arc<tokio::sync::Mutex<()>>,
}

impl ShopSessions {
    pub fn new(client: TikTokClient, store: Arc<dyn ShopTokenStore>) -> Self {
        Self {
            client,
            store,
            margin: DEFAULT_REFRESH_MARGIN,
            refresh_lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Refresh when the token expires within `margin` (default 10 minutes).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    pub fn client(&self) -> &TikTokClient {
        &self.client
    }

    /// A usable auth for `shop`, refreshed first if the access token expires
    /// within the margin.
    pub async fn auth_for(&self, shop: &ShopId) -> Result<ShopAuth, TokenError> {
        let creds = self.load(shop).await?;
        if !creds.access_expires_within(crate::now_epoch(), self.margin) {
            return Ok(creds.auth());
        }
        self.refresh_unless_fresh(shop, None).await
    }

    /// Refreshes now, whatever the stored expiry says: for callers that got
    /// [`TikTokError::TokenExpired`] (the clock or TikTok disagree with the
    /// stored expiry). Call once, then retry the call once.
    pub async fn refresh_now(&self, shop: &ShopId) -> Result<ShopAuth, TokenError> {
        let _guard = self.refresh_lock.lock().await;
        let creds = self.load(shop).await?;
        self.refresh(creds).await
    }

    /// Runs `f` with a valid auth; on `TokenExpired` refreshes once and runs
    /// it once more. Other errors are returned as they are.
    pub async fn call_with_refresh<T, F, Fut>(
        &self,
        shop: &ShopId,
        f: F,
    ) -> Result<T, ShopCallError>
    where
        F: Fn(ShopAuth) -> Fut,
        Fut: Future<Output = Result<T, TikTokError>>,
    {
        let auth = self.auth_for(shop).await?;
        match f(auth.clone()).await {
            Err(TikTokError::TokenExpired { .. }) => {
                tracing::info!(shop_id = %shop, "tiktok access token expired, refreshing once");
                let fresh = self
                    .refresh_unless_fresh(shop, Some(&auth.access_token))
                    .await?;
                Ok(f(fresh).await?)
            }
            other => Ok(other?),
        }
    }

    async fn load(&self, shop: &ShopId) -> Result<ShopCredentials, TokenError> {
        self.store
            .get(shop)
            .await?
            .ok_or_else(|| TokenError::NotConnected {
                shop_id: shop.clone(),
            })
    }

    /// Under the refresh lock, re-reads the store: another task may have
    /// refreshed meanwhile. Refreshes only if the stored token is still the
    /// `stale` one (when given) or still expires within the margin.
    async fn refresh_unless_fresh(
        &self,
        shop: &ShopId,
        stale: Option<&str>,
    ) -> Result<ShopAuth, TokenError> {
        let _guard = self.refresh_lock.lock().await;
        let creds = self.load(shop).await?;
        let replaced = stale.is_some_and(|t| t != creds.access_token);
        let expiring = creds.access_expires_within(crate::now_epoch(), self.margin);
        if (stale.is_some() && replaced && !expiring) || (stale.is_none() && !expiring) {
            return Ok(creds.auth());
        }
        self.refresh(creds).await
    }

    /// Calls the token endpoint and stores the result (cipher unchanged).
    async fn refresh(&self, creds: ShopCredentials) -> Result<ShopAuth, TokenError> {
        let shop = creds.shop_id.clone();
        let now = crate::now_epoch();
        if creds.refresh_token_expires_at <= now {
            return Err(TokenError::RefreshFailed {
                shop_id: shop,
                reason: format!(
                    "the refresh token expired at {} (unix seconds); the seller must re-authorize the app, then {CONNECT_HINT}",
                    creds.refresh_token_expires_at
                ),
                retryable: false,
            });
        }
        let tokens = self
            .client
            .refresh_token(&creds.refresh_token)
            .await
            .map_err(|e| TokenError::RefreshFailed {
                shop_id: shop.clone(),
                retryable: e.is_retryable(),
                reason: if e.is_retryable() {
                    e.to_string()
                } else {
                    format!("{e}; the seller may need to re-authorize the app, then {CONNECT_HINT}")
                },
            })?;
        let fresh = ShopCredentials {
            shop_id: shop.clone(),
            cipher: creds.cipher,
            access_token: tokens.access_token,
            access_token_expires_at: tokens.access_token_expire_in,
            refresh_token: tokens.refresh_token,
            refresh_token_expires_at: tokens.refresh_token_expire_in,
        };
        tracing::info!(shop_id = %shop, access_token_expires_at = fresh.access_token_expires_at, "tiktok access token refreshed");
        // The new token works whether or not it is saved; failing the call
        // would not bring a lost token back, so log loudly and carry on.
        if let Err(e) = self.store.put(&fresh).await {
            tracing::error!(shop_id = %shop, error = %e, "refreshed tiktok token could not be stored; the next cold start refreshes again");
        }
        Ok(fresh.auth())
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

    #[test]
    fn not_connected_says_how_to_connect() {
        let e = TokenError::NotConnected {
            shop_id: ShopId::new("42"),
        };
        let s = e.to_string();
        assert!(s.contains("42") && s.contains("CLI"), "{s}");
        assert!(!e.is_retryable());
    }
}
