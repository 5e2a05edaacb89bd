//! Connecting a TikTok shop: the seller goes to TikTok's authorization page
//! with a `state` bound to the operator who started it, comes back with a
//! `code`, and the code becomes tokens, stored with each covered shop's
//! cipher, name and region (tiktok-shop-api.md §8, "Token flow"; TikTok's
//! Authorization overview 202407, partner doc 678e3a3292b0f40314a92d75).
//!
//! The console ("Connect a shop", its callback) and the CLI
//! (`shops authorize-url`, `shops authorize`) both call a [`Connector`]. The
//! state lives on the server ([`crate::store::connect_states`]): the
//! console's cookie is `SameSite=Strict` and does not come back on TikTok's
//! redirect. Tokens go through the same [`ShopTokenStore`] the writer reads
//! and refreshes under its claim; a connect puts the item unconditionally,
//! which ends any refresh claim and any deauthorization.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{ConfigError, Env};
use crate::store::connect_states::{check_taken, StateRefusal, STATE_TTL_SECS};
use crate::store::{
    ConnectStates, PendingConnect, ShopProfile, ShopProfiles, ShopTokenStore, StoreError,
};
use crate::tiktok::{AuthorizedShop, TikTokClient, TikTokError};

/// Where TikTok sends the seller back to, under the console's URL: the
/// redirect URL to register for the app in Partner Center.
pub const CALLBACK_PATH: &str = "/shops/connect/callback";

/// TikTok's authorization hosts (§8 step 1): one for the US, one for the rest.
pub const AUTHORIZE_HOST_GLOBAL: &str = "https://services.tiktokshop.com";
pub const AUTHORIZE_HOST_US: &str = "https://services.tiktokshops.us";

/// What connecting needs besides the app's key and secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectSettings {
    /// `TIKTOK_SERVICE_ID`: the app's service id (Partner Center → App).
    pub service_id: String,
    /// The authorization host: from `TIKTOK_MARKET` (`global`, the default,
    /// or `us`), or `TIKTOK_AUTHORIZE_BASE_URL` (a loopback simulator).
    pub authorize_base_url: String,
}

impl ConnectSettings {
    /// `None` when no service id is configured (connecting is then off).
    pub fn load(env: &Env<'_>) -> Result<Option<Self>, ConfigError> {
        let Some(service_id) = env.get("TIKTOK_SERVICE_ID") else {
            return Ok(None);
        };
        let market = env.get("TIKTOK_MARKET").unwrap_or_else(|| "global".into());
        let host = match market.to_ascii_lowercase().as_str() {
            "global" | "row" => AUTHORIZE_HOST_GLOBAL,
            "us" => AUTHORIZE_HOST_US,
            other => {
                return Err(ConfigError::Invalid {
                    var: "TIKTOK_MARKET",
                    reason: format!("{other:?} is neither `global` nor `us`"),
                })
            }
        };
        let base = env
            .get("TIKTOK_AUTHORIZE_BASE_URL")
            .unwrap_or_else(|| host.into());
        if !(base.starts_with("https://") || base.starts_with("http://127.")) {
            return Err(ConfigError::Invalid {
                var: "TIKTOK_AUTHORIZE_BASE_URL",
                reason: format!("{base} must be an https:// URL (or a loopback simulator)"),
            });
        }
        Ok(Some(Self {
            service_id,
            authorize_base_url: base,
        }))
    }
}

/// What "Connect a shop" needs: the app, its hosts, its service id.
#[derive(Debug, Clone)]
pub struct ConnectConfig {
    pub app: crate::config::tiktok::TikTokAppSource,
    pub api: crate::config::tiktok::TikTokApiSettings,
    pub settings: crate::connect::ConnectSettings,
}

impl ConnectConfig {
    /// `None` when `TIKTOK_SERVICE_ID` is not set.
    pub fn load(env: &Env<'_>) -> Result<Option<Self>, ConfigError> {
        let Some(settings) = ConnectSettings::load(env)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            app: crate::config::tiktok::TikTokAppSource::load(env)?,
            api: crate::config::tiktok::TikTokApiSettings::load(env)?,
            settings,
        }))
    }

    /// A connector over these settings and the tables.
    pub async fn connector(
        &self,
        secrets: &aws_sdk_secretsmanager::Client,
        ddb: &aws_sdk_dynamodb::Client,
        tokens_table: &str,
        console_table: &str,
    ) -> Result<Connector, ConfigError> {
        let app = self.app.resolve(secrets).await?;
        let client = crate::tiktok::TikTokClient::new(
            &self.api.api_base_url,
            &self.api.auth_base_url,
            app,
            std::time::Duration::from_secs(10),
        )
        .map_err(|e| ConfigError::Invalid {
            var: "TIKTOK_API_BASE_URL",
            reason: e.to_string(),
        })?;
        Ok(Connector {
            client,
            tokens: Arc::new(crate::store::DynamoShopTokenStore::new(
                ddb.clone(),
                tokens_table,
            )),
            profiles: Arc::new(crate::store::DynamoShopProfiles::new(
                ddb.clone(),
                tokens_table,
            )),
            states: Arc::new(crate::store::DynamoConnectStates::new(
                ddb.clone(),
                console_table,
            )),
            settings: self.settings.clone(),
            clock: crate::clock::system(),
        })
    }
}

/// The page a seller authorizes the app on: `{host}/open/authorize` with
/// the service id and the state (§8 step 1).
pub fn authorize_url(settings: &ConnectSettings, state: &str) -> String {
    /// RFC 3986 unreserved characters stay as they are.
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let q = |v: &str| percent_encoding::utf8_percent_encode(v, SET).to_string();
    format!(
        "{}/open/authorize?service_id={}&state={}",
        settings.authorize_base_url.trim_end_matches('/'),
        q(&settings.service_id),
        q(state)
    )
}

/// A fresh state: 32 random alphanumerics (190 bits).
pub fn new_state() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
}

/// What TikTok's redirect brought back (the callback's query).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The connect boundary's one error type; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("the seller did not authorize the app on TikTok's page (auth_denied); nothing was connected. Start again with Connect a shop if that was a mistake.")]
    Denied,
    #[error("TikTok's page answered an error ({0}); nothing was connected. Start again with Connect a shop.")]
    TikTokRefused(String),
    #[error("this link carries no state, so it was not started here; nothing was connected. Start with Connect a shop.")]
    MissingState,
    #[error("this authorization link is unknown or was already used (a link works once); nothing was connected. Start again with Connect a shop.")]
    UnknownState,
    #[error("this authorization was started more than 30 minutes ago and has expired; nothing was connected. Start again with Connect a shop.")]
    ExpiredState,
    #[error("TikTok's redirect carries no code; nothing was connected. Start again with Connect a shop.")]
    MissingCode,
    #[error("TikTok did not exchange the authorization code for tokens ({0}); codes work once and for 30 minutes: start again with Connect a shop.")]
    Exchange(TikTokError),
    #[error("TikTok did not list the authorized shops ({0}); start again with Connect a shop.")]
    Shops(TikTokError),
    #[error("the authorization covers no shop; check that the seller account has a shop, then start again.")]
    NoShops,
    #[error(
        "the shop's tokens could not be stored ({0}); start again with Connect a shop in a minute."
    )]
    Store(#[from] StoreError),
}

impl ConnectError {
    /// Whether the request itself was wrong (400) rather than a service (502/503).
    pub fn is_bad_request(&self) -> bool {
        !matches!(self, Self::Exchange(_) | Self::Shops(_) | Self::Store(_))
    }
}

/// A finished connect: who started it, and the shops it stored.
#[derive(Debug, Clone)]
pub struct Connected {
    pub operator: String,
    pub shops: Vec<AuthorizedShop>,
}

/// Starts and finishes shop authorizations.
pub struct Connector {
    pub client: TikTokClient,
    pub tokens: Arc<dyn ShopTokenStore>,
    pub profiles: Arc<dyn ShopProfiles>,
    pub states: Arc<dyn ConnectStates>,
    pub settings: ConnectSettings,
    pub clock: Arc<dyn Clock>,
}

impl Connector {
    /// Stores a new state for `operator` and returns TikTok's page to send
    /// the seller to.
    pub async fn start(&self, operator: &str) -> Result<String, ConnectError> {
        let state = new_state();
        let now = self.clock.now();
        self.states
            .put(
                &state,
                &PendingConnect {
                    operator: operator.to_string(),
                    created_at: now,
                    expires_at: now + STATE_TTL_SECS,
                },
            )
            .await?;
        tracing::info!(operator, "shop authorization started");
        Ok(authorize_url(&self.settings, &state))
    }

    /// Checks the state (once), exchanges the code and stores every shop the
    /// authorization covers.
    pub async fn finish(&self, cb: &Callback) -> Result<Connected, ConnectError> {
        let state = cb.state.as_deref().filter(|s| !s.is_empty());
        if let Some(error) = cb.error.as_deref().filter(|e| !e.is_empty()) {
            // The state is spent either way.
            if let Some(s) = state {
                self.states.take(s).await?;
            }
            tracing::info!(error, "shop authorization refused on TikTok's page");
            return Err(if error == "auth_denied" {
                ConnectError::Denied
            } else {
                ConnectError::TikTokRefused(error.chars().take(80).collect())
            });
        }
        let state = state.ok_or(ConnectError::MissingState)?;
        let operator = match check_taken(self.states.take(state).await?, self.clock.now()) {
            Ok(op) => op,
            Err(StateRefusal::UnknownOrUsed) => return Err(ConnectError::UnknownState),
            Err(StateRefusal::Expired { .. }) => return Err(ConnectError::ExpiredState),
        };
        let code = cb
            .code
            .as_deref()
            .filter(|c| !c.is_empty() && *c != "null")
            .ok_or(ConnectError::MissingCode)?;
        let tokens = self
            .client
            .get_token(code)
            .await
            .map_err(ConnectError::Exchange)?;
        let shops = self
            .client
            .get_authorized_shops(&tokens.access_token)
            .await
            .map_err(ConnectError::Shops)?;
        if shops.is_empty() {
            return Err(ConnectError::NoShops);
        }
        let now = self.clock.now();
        for shop in &shops {
            self.tokens.put(&tokens.credentials(shop)).await?;
            self.profiles
                .save(&ShopProfile {
                    shop_id: shop.id.clone(),
                    name: shop.name.clone(),
                    region: shop.region.clone(),
                    connected_at: now,
                    connected_by: operator.clone(),
                    disconnected_at: None,
                    authorization_expires_at: None,
                })
                .await?;
            tracing::info!(shop_id = %shop.id, operator, "shop connected");
        }
        Ok(Connected { operator, shops })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_env::pairs;

    #[test]
    fn the_market_picks_the_host_and_the_url_carries_service_id_and_state() {
        let none = ConnectSettings::load(&Env::new(&pairs(&[]))).unwrap();
        assert_eq!(none, None, "no service id: connecting is off");
        let us = ConnectSettings::load(&Env::new(&pairs(&[
            ("TIKTOK_SERVICE_ID", "7123"),
            ("TIKTOK_MARKET", "us"),
        ])))
        .unwrap()
        .unwrap();
        assert_eq!(
            authorize_url(&us, "ab&c-d"),
            "https://services.tiktokshops.us/open/authorize?service_id=7123&state=ab%26c-d"
        );
        let row = ConnectSettings::load(&Env::new(&pairs(&[("TIKTOK_SERVICE_ID", "7123")])))
            .unwrap()
            .unwrap();
        assert!(
            authorize_url(&row, "s").starts_with("https://services.tiktokshop.com/open/authorize?")
        );
        let bad = ConnectSettings::load(&Env::new(&pairs(&[
            ("TIKTOK_SERVICE_ID", "7123"),
            ("TIKTOK_MARKET", "mars"),
        ])));
        assert!(bad.unwrap_err().to_string().contains("TIKTOK_MARKET"));
        let plain = ConnectSettings::load(&Env::new(&pairs(&[
            ("TIKTOK_SERVICE_ID", "7123"),
            ("TIKTOK_AUTHORIZE_BASE_URL", "http://evil.example"),
        ])));
        assert!(plain.is_err(), "only https or a loopback simulator");
        let (a, b) = (new_state(), new_state());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
