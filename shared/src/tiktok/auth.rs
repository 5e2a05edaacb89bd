//! The shop token lifecycle: every shop-scoped TikTok call gets its
//! [`ShopAuth`] here, and goes through [`ShopSessions::call_with_refresh`].
//!
//! [`ShopSessions`] refreshes the access token shortly before it expires,
//! and once more after TikTok answers `105002` (token expired) before the
//! call is retried once. A failed refresh is a [`TokenError::RefreshFailed`]
//! the writer records as Unauthorized and alerts on: the seller usually has
//! to re-authorize. This is the one refresh path: no caller refreshes by hand.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::error::TikTokError;
use super::transport::{call_name, Scope, Spec};
use super::transport::{ShopAuth, TikTokClient};
use crate::clock::Clock;
use crate::domain::ShopId;
use crate::store::{ShopCredentials, ShopTokenStore, StoreError};

/// How long one container's claim to refresh a shop's token lasts (a crash
/// mid-refresh frees the shop after this).
pub const REFRESH_CLAIM_SECS: i64 = 30;

/// Refresh when the access token expires within this window, so a call
/// started now never carries a token that dies mid-flight.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(10 * 60);

const PATH_AUTHORIZED_SHOPS: &str = "/authorization/202309/shops";
const PATH_TOKEN_REFRESH: &str = "/api/v2/token/refresh";
const PATH_TOKEN_GET: &str = "/api/v2/token/get";

/// How to connect a shop, shown wherever credentials are missing.
pub const CONNECT_HINT: &str = "connect the shop: console → Shops → Connect a shop (or `tiktok-netsuite shops authorize-url` and `tiktok-netsuite shops authorize` on the CLI)";

/// The token boundary's one error type.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No credentials are stored for the shop.
    #[error("TikTok shop {shop_id} is not connected: no tokens are stored for it; {hint}", hint = CONNECT_HINT)]
    NotConnected { shop_id: ShopId },
    /// TikTok said the seller deauthorized the app (webhook 6): the stored
    /// tokens are not used until the shop is connected again.
    #[error("TikTok shop {shop_id} is disconnected: the seller deauthorized the app at {since} (unix seconds); {hint}", hint = CONNECT_HINT)]
    Disconnected { shop_id: ShopId, since: i64 },
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
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TokenError {
    /// Whether trying again later may succeed without a human.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RefreshFailed { retryable, .. } => *retryable,
            Self::Store(_) => true,
            Self::NotConnected { .. } | Self::Disconnected { .. } => false,
        }
    }
}

/// One shop the access token may act for (`GET /authorization/202309/shops`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizedShop {
    pub id: ShopId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region: String,
    /// The `shop_cipher` every shop-scoped call must send.
    pub cipher: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub seller_type: String,
}

/// Tokens from the token endpoint. Both `*_expire_in` are **absolute** unix
/// seconds (§8), not durations. `Debug` hides the tokens.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    pub access_token_expire_in: i64,
    pub refresh_token: String,
    pub refresh_token_expire_in: i64,
}

impl TokenSet {
    /// A token set for a shop the authorization covers.
    pub fn credentials(&self, shop: &AuthorizedShop) -> ShopCredentials {
        ShopCredentials {
            shop_id: shop.id.clone(),
            cipher: shop.cipher.clone(),
            access_token: self.access_token.clone(),
            access_token_expires_at: self.access_token_expire_in,
            refresh_token: self.refresh_token.clone(),
            refresh_token_expires_at: self.refresh_token_expire_in,
        }
    }
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field("access_token_expire_in", &self.access_token_expire_in)
            .field("refresh_token", &"<redacted>")
            .field("refresh_token_expire_in", &self.refresh_token_expire_in)
            .finish()
    }
}

#[derive(Deserialize)]
struct ShopsData {
    #[serde(default)]
    shops: Vec<AuthorizedShop>,
}

impl ShopCredentials {
    /// The part a shop-scoped call needs (here, not in `store::tokens`, so
    /// that the store depends on no client).
    pub fn auth(&self) -> ShopAuth {
        ShopAuth {
            shop_id: self.shop_id.clone(),
            cipher: self.cipher.clone(),
            access_token: self.access_token.clone(),
        }
    }
}

impl TikTokClient {
    /// `GET /authorization/202309/shops`: the shops this token may act for,
    /// with the `cipher` every shop-scoped call needs.
    pub async fn get_authorized_shops(
        &self,
        access_token: &str,
    ) -> Result<Vec<AuthorizedShop>, TikTokError> {
        let data: ShopsData = self
            .call(
                Method::GET,
                PATH_AUTHORIZED_SHOPS,
                Scope::Token(access_token),
                &[],
                None,
            )
            .await?;
        Ok(data.shops)
    }

    /// `GET {auth_base_url}/api/v2/token/get` with
    /// `grant_type=authorized_code`: the tokens an authorization's `code`
    /// (single-use, 30 minutes) is worth (§8, Authorization overview 202407).
    /// Not signed, like the refresh; the code is sensitive too.
    pub async fn get_token(&self, auth_code: &str) -> Result<TokenSet, TikTokError> {
        self.token_call(PATH_TOKEN_GET, "auth_code", auth_code, "authorized_code")
            .await
    }

    /// `GET {auth_base_url}/api/v2/token/refresh`: a new access token. Not
    /// signed: the app secret itself is a query parameter (so URLs are never
    /// logged or kept in errors). Whether the refresh token rotates is
    /// unverified (§8): store whatever comes back.
    pub async fn refresh_token(&self, refresh_token: &str) -> Result<TokenSet, TikTokError> {
        self.token_call(
            PATH_TOKEN_REFRESH,
            "refresh_token",
            refresh_token,
            "refresh_token",
        )
        .await
    }

    async fn token_call(
        &self,
        path: &'static str,
        grant_key: &'static str,
        grant: &str,
        grant_type: &'static str,
    ) -> Result<TokenSet, TikTokError> {
        let app = self.app();
        let spec = Spec {
            method: Method::GET,
            base_url: self.auth_base_url(),
            path,
            params: vec![
                ("app_key", app.app_key.as_str()),
                ("app_secret", app.app_secret.as_str()),
                (grant_key, grant),
                ("grant_type", grant_type),
            ],
            signed: None,
            body: None,
            sensitive: true,
        };
        let data = self.execute(&spec).await?;
        serde_json::from_value(data).map_err(|e| TikTokError::Decode {
            call: call_name(&Method::GET, path),
            http_status: 200,
            reason: format!("token data: {e}"),
            body: None,
        })
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
    clock: Arc<dyn Clock>,
    /// Credentials this process last read or refreshed, used while their
    /// access token is not within the margin of expiry: one DynamoDB read per
    /// shop per token lifetime instead of one per TikTok call. Refreshing
    /// always re-reads the store (another container may have refreshed).
    cached: Arc<std::sync::Mutex<std::collections::HashMap<ShopId, ShopCredentials>>>,
}

impl ShopSessions {
    pub fn new(client: TikTokClient, store: Arc<dyn ShopTokenStore>) -> Self {
        Self {
            client,
            store,
            margin: DEFAULT_REFRESH_MARGIN,
            refresh_lock: Arc::new(tokio::sync::Mutex::new(())),
            clock: crate::clock::system(),
            cached: Default::default(),
        }
    }

    /// The same sessions reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
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
        if let Some(c) = self.cached(shop) {
            if !c.access_expires_within(self.clock.now(), self.margin) {
                return Ok(c.auth());
            }
        }
        let creds = self.load(shop).await?;
        if !creds.access_expires_within(self.clock.now(), self.margin) {
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
            Err(e) if e.is_auth_failure() => {
                // Re-connected or revoked: the next call reads the store again.
                self.cache().remove(shop);
                Err(e.into())
            }
            other => Ok(other?),
        }
    }

    fn cache(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<ShopId, ShopCredentials>> {
        // A panic elsewhere cannot corrupt a HashMap insert; keep serving.
        self.cached.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cached(&self, shop: &ShopId) -> Option<ShopCredentials> {
        self.cache().get(shop).cloned()
    }

    /// Marks the shop deauthorized (webhook 6): its tokens are not used
    /// again until it is connected again. `Ok(false)`: no tokens stored.
    pub async fn disconnect(&self, shop: &ShopId, at: i64) -> Result<bool, TokenError> {
        self.cache().remove(shop);
        Ok(self.store.disconnect(shop, at).await?)
    }

    /// Reads the store (the source of truth) and remembers what it said.
    async fn load(&self, shop: &ShopId) -> Result<ShopCredentials, TokenError> {
        let (creds, disconnected) =
            self.store
                .get_with_status(shop)
                .await?
                .ok_or_else(|| TokenError::NotConnected {
                    shop_id: shop.clone(),
                })?;
        if let Some(since) = disconnected {
            self.cache().remove(shop);
            return Err(TokenError::Disconnected {
                shop_id: shop.clone(),
                since,
            });
        }
        self.cache().insert(shop.clone(), creds.clone());
        Ok(creds)
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
        let expiring = creds.access_expires_within(self.clock.now(), self.margin);
        if (stale.is_some() && replaced && !expiring) || (stale.is_none() && !expiring) {
            return Ok(creds.auth());
        }
        self.refresh(creds).await
    }

    /// Calls the token endpoint and stores the result (cipher unchanged).
    async fn refresh(&self, creds: ShopCredentials) -> Result<ShopAuth, TokenError> {
        let shop = creds.shop_id.clone();
        let now = self.clock.now();
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
        // One refresh at a time across containers: a refresh may rotate the
        // refresh token and invalidate the access tokens issued before it.
        let now = self.clock.now();
        if !self
            .store
            .claim_refresh(&shop, &creds.access_token, now, now + REFRESH_CLAIM_SECS)
            .await?
        {
            return self.refreshed_elsewhere(&creds).await.ok_or_else(|| {
                TokenError::RefreshFailed {
                    shop_id: shop.clone(),
                    reason:
                        "another writer is refreshing this shop's token and has not stored it yet"
                            .into(),
                    retryable: true,
                }
            });
        }
        let tokens = match self.client.refresh_token(&creds.refresh_token).await {
            Ok(t) => t,
            Err(e) => {
                return Err(TokenError::RefreshFailed {
                    shop_id: shop.clone(),
                    retryable: e.is_retryable(),
                    reason: if e.is_retryable() {
                        e.to_string()
                    } else {
                        format!(
                            "{e}; the seller may need to re-authorize the app, then {CONNECT_HINT}"
                        )
                    },
                });
            }
        };
        let fresh = ShopCredentials {
            shop_id: shop.clone(),
            cipher: creds.cipher.clone(),
            access_token: tokens.access_token,
            access_token_expires_at: tokens.access_token_expire_in,
            refresh_token: tokens.refresh_token,
            refresh_token_expires_at: tokens.refresh_token_expire_in,
        };
        tracing::info!(shop_id = %shop, access_token_expires_at = fresh.access_token_expires_at, "tiktok access token refreshed");
        // A refresh that cannot be stored is an error: with rotating refresh
        // tokens, the stored one may already be dead.
        if self.store.replace(&creds.access_token, &fresh).await? {
            self.cache().insert(shop.clone(), fresh.clone());
            return Ok(fresh.auth());
        }
        // A re-connect stored new tokens meanwhile: they stand.
        tracing::info!(shop_id = %shop, "the shop's tokens changed during the refresh; using the stored ones");
        Ok(self.load(&shop).await?.auth())
    }

    /// The tokens another container's refresh stored: waits (briefly) until
    /// the stored access token is no longer the one `creds` carries.
    async fn refreshed_elsewhere(&self, creds: &ShopCredentials) -> Option<ShopAuth> {
        for attempt in 0..20 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            let Ok(stored) = self.load(&creds.shop_id).await else {
                continue;
            };
            if stored.access_token != creds.access_token
                && !stored.access_expires_within(self.clock.now(), Duration::ZERO)
            {
                return Some(stored.auth());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
