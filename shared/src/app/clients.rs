//! [`Clients`]: the one place that turns configuration into clients and
//! stores, and [`netsuite_client`], which puts every NetSuite caller on the
//! deployment's slot pool.

use std::sync::Arc;

use super::InitError;
use crate::clock::Clock;
use crate::config::{
    AlertSettings, ConfigError, NetSuiteSettings, TikTokApiSettings, TikTokApp, TikTokAppSource,
};
use crate::netsuite::{NetSuiteClient, NetSuiteConfig};
use crate::notify::SesAlerts;
use crate::store::DynamoShopTokenStore;
use crate::tiktok::{ShopSessions, TikTokClient};

/// Builds clients and stores from configuration parts.
pub struct Clients<'a> {
    sdk: &'a aws_config::SdkConfig,
    secrets: aws_sdk_secretsmanager::Client,
    pub clock: Arc<dyn Clock>,
}

impl<'a> Clients<'a> {
    pub fn new(sdk: &'a aws_config::SdkConfig) -> Self {
        Self {
            sdk,
            secrets: aws_sdk_secretsmanager::Client::new(sdk),
            clock: crate::clock::system(),
        }
    }

    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(self.sdk)
    }

    pub async fn tiktok_app(&self, source: &TikTokAppSource) -> Result<TikTokApp, ConfigError> {
        source.resolve(&self.secrets).await
    }

    /// The TikTok client and the shop sessions every TikTok call goes through.
    pub async fn tiktok(
        &self,
        app: &TikTokAppSource,
        api: &TikTokApiSettings,
        tokens_table: &str,
    ) -> Result<ShopSessions, InitError> {
        let client = TikTokClient::new(
            &api.api_base_url,
            &api.auth_base_url,
            self.tiktok_app(app).await?,
            std::time::Duration::from_secs(10),
        )?
        .with_clock(self.clock.clone());
        let store = Arc::new(DynamoShopTokenStore::new(self.dynamodb(), tokens_table));
        Ok(ShopSessions::new(client, store).with_clock(self.clock.clone()))
    }

    /// The NetSuite client of a `role` (writer, job), holding slots of the
    /// deployment's pool, or this invocation's part of the budget without one.
    pub async fn netsuite(
        &self,
        settings: &NetSuiteSettings,
        role: &str,
    ) -> Result<NetSuiteClient, InitError> {
        let creds = settings.resolve(&self.secrets).await?;
        Ok(netsuite_client(settings, &creds, &self.dynamodb(), role)?)
    }

    pub fn alerts(&self, settings: &AlertSettings) -> Option<SesAlerts> {
        settings.from.clone().map(|from| SesAlerts {
            client: aws_sdk_sesv2::Client::new(self.sdk),
            from,
            to: settings.to.clone(),
        })
    }
}

/// A NetSuite client for `role` (`writer`, `job` or `console`): with
/// `NETSUITE_SLOTS_TABLE`, every request takes a slot of the shared pool
/// (the console at most one at a time, a job as `NETSUITE_MAX_IN_FLIGHT`
/// says); without, the share ÷ the writer's concurrency (the console 1).
pub fn netsuite_client(
    settings: &NetSuiteSettings,
    creds: &crate::config::NetSuiteCredentials,
    ddb: &aws_sdk_dynamodb::Client,
    role: &str,
) -> Result<NetSuiteClient, crate::netsuite::NsError> {
    use crate::netsuite::{KeeperSettings, SlotKeeper};
    let mut cfg = NetSuiteConfig::new(settings.base_url_for(creds), creds.auth());
    let console = role == "console";
    cfg.concurrency = match (&settings.slots, console) {
        (_, true) => 1,
        (Some(p), _) => p.max_in_flight,
        (None, _) => settings.budget.per_invocation(),
    };
    let keeper = settings.slots.as_ref().map(|p| {
        let size = settings.budget.account_share as u32;
        let pool = crate::store::DynamoSlotPool::new(ddb.clone(), &p.table, size);
        let keep = match role {
            "writer" => KeeperSettings::writer(p.lease),
            "console" => KeeperSettings::console(p.lease),
            _ => KeeperSettings::job(p.lease),
        };
        cfg.request_timeout = keep.request_timeout(cfg.request_timeout);
        Arc::new(SlotKeeper::new(Arc::new(pool), role, keep))
    });
    NetSuiteClient::with_slots(cfg, keeper)
}
