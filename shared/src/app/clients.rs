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

    /// The NetSuite client of a `caller`, holding slots of the deployment's
    /// pool, or this invocation's part of the budget without one.
    pub async fn netsuite(
        &self,
        settings: &NetSuiteSettings,
        caller: NetSuiteCaller,
    ) -> Result<NetSuiteClient, InitError> {
        let creds = settings.resolve(&self.secrets).await?;
        Ok(netsuite_client(settings, &creds, &self.dynamodb(), caller)?)
    }

    pub fn alerts(&self, settings: &AlertSettings) -> Option<SesAlerts> {
        settings.from.clone().map(|from| SesAlerts {
            client: aws_sdk_sesv2::Client::new(self.sdk),
            from,
            to: settings.to.clone(),
        })
    }
}

/// Which function calls NetSuite: decides how its client keeps the slots
/// of the shared pool (see `netsuite::KeeperSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetSuiteCaller {
    /// The order writer: leases kept across back-to-back requests.
    Writer,
    /// A scheduled job (inventory, tracking, verify, payouts, doctor):
    /// each slot given back after its request.
    Job,
    /// The console: brief calls, one at a time.
    Console,
}

impl NetSuiteCaller {
    /// The prefix of the holder id, so a held slot shows who holds it.
    pub fn holder_kind(self) -> &'static str {
        match self {
            Self::Writer => "writer",
            Self::Job => "job",
            Self::Console => "console",
        }
    }

    /// How this caller keeps its leases of `lease` seconds.
    pub fn keeper_settings(self, lease: std::time::Duration) -> crate::netsuite::KeeperSettings {
        use crate::netsuite::KeeperSettings;
        match self {
            Self::Writer => KeeperSettings::writer(lease),
            Self::Job => KeeperSettings::job(lease),
            Self::Console => KeeperSettings::console(lease),
        }
    }
}

/// A NetSuite client for `caller`: with `NETSUITE_SLOTS_TABLE`, every
/// request takes a slot of the shared pool (the console at most one at a
/// time, a job as `NETSUITE_MAX_IN_FLIGHT` says); without, the share ÷ the
/// writer's concurrency (the console 1).
pub fn netsuite_client(
    settings: &NetSuiteSettings,
    creds: &crate::config::NetSuiteCredentials,
    ddb: &aws_sdk_dynamodb::Client,
    caller: NetSuiteCaller,
) -> Result<NetSuiteClient, crate::netsuite::NsError> {
    use crate::netsuite::SlotKeeper;
    let mut cfg = NetSuiteConfig::new(settings.base_url_for(creds), creds.auth());
    cfg.concurrency = match (&settings.slots, caller) {
        (_, NetSuiteCaller::Console) => 1,
        (Some(p), _) => p.max_in_flight,
        (None, _) => settings.budget.per_invocation(),
    };
    let keeper = settings.slots.as_ref().map(|p| {
        let size = settings.budget.account_share as u32;
        let pool = crate::store::DynamoSlotPool::new(ddb.clone(), &p.table, size);
        let keep = caller.keeper_settings(p.lease);
        cfg.request_timeout = keep.request_timeout(cfg.request_timeout);
        Arc::new(SlotKeeper::new(Arc::new(pool), caller.holder_kind(), keep))
    });
    NetSuiteClient::with_slots(cfg, keeper)
}
