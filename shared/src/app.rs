//! Wiring: configuration + clients → ready-to-call handlers.
//!
//! The Lambda binaries and the local runner build these the same way, so
//! what runs locally is what runs on Lambda.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use std::sync::Arc;

use crate::alerts::{AlertSink, Digest, SesAlerts};
use crate::aws::{sdk_config, DynamoEventArchive, SqsEventQueue};
use crate::config::{
    resolve_netsuite, resolve_tiktok_app, Config, ConfigError, TikTokApp, WriterSettings,
};
use crate::netsuite::{NetSuiteClient, NetSuiteConfig};
use crate::order_log::DynamoOrderLog;
use crate::order_sync::{OrderSync, ShopAuthProvider};
use crate::sku_links::DynamoSkuLinks;
use crate::tiktok::tokens::{DynamoShopTokenStore, ShopSessions};
use crate::tiktok::TikTokClient;
use crate::webhook::{self, WebhookDeps, WebhookResponse};
use crate::writer;

/// The webhook function's state, built once per cold start.
pub struct WebhookApp {
    pub config: Config,
    pub app: TikTokApp,
    pub archive: DynamoEventArchive,
    pub queue: SqsEventQueue,
}

impl WebhookApp {
    /// Reads config and secrets; fails at start, naming the problem.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let sdk = sdk_config().await;
        Self::new(config, &sdk).await
    }

    pub async fn new(config: Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let secrets = aws_sdk_secretsmanager::Client::new(sdk);
        let app = resolve_tiktok_app(&config.tiktok_app, &secrets).await?;
        Ok(Self {
            archive: DynamoEventArchive::new(
                aws_sdk_dynamodb::Client::new(sdk),
                &config.events_table,
            ),
            queue: SqsEventQueue::new(aws_sdk_sqs::Client::new(sdk), &config.orders_queue_url),
            app,
            config,
        })
    }

    pub async fn handle(
        &self,
        method: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> WebhookResponse {
        let deps = WebhookDeps {
            app: &self.app,
            archive: &self.archive,
            queue: &self.queue,
            max_body_bytes: self.config.webhook_max_body_bytes,
            retention_days: self.config.event_retention_days,
            now: crate::now_epoch(),
        };
        webhook::handle(&deps, method, authorization, body).await
    }
}

/// The NetSuite writer's state: clients and stores built once per cold start.
pub struct WriterApp {
    pub config: Config,
    pub settings: WriterSettings,
    pub archive: DynamoEventArchive,
    pub log: DynamoOrderLog,
    pub skus: DynamoSkuLinks,
    pub tiktok: TikTokClient,
    pub netsuite: NetSuiteClient,
    pub shops: Arc<dyn ShopAuthProvider>,
    pub alerts: Option<SesAlerts>,
}

/// A writer that cannot start, naming why.
#[derive(Debug, thiserror::Error)]
pub enum WriterInitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("NetSuite client: {0}")]
    NetSuite(#[from] crate::netsuite::NsError),
    #[error("TikTok client: {0}")]
    TikTok(#[from] crate::tiktok::TikTokError),
}

impl WriterApp {
    pub async fn from_env() -> Result<Self, WriterInitError> {
        let config = Config::from_env()?;
        let settings = WriterSettings::from_env()?;
        let sdk = sdk_config().await;
        Self::new(config, settings, &sdk).await
    }

    /// Builds the writer; shop tokens live in the order log table.
    pub async fn new(
        config: Config,
        settings: WriterSettings,
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, WriterInitError> {
        let secrets = aws_sdk_secretsmanager::Client::new(sdk);
        let app = resolve_tiktok_app(&config.tiktok_app, &secrets).await?;
        let ns = resolve_netsuite(&settings.netsuite, &secrets).await?;
        let base = settings.netsuite_base_url.clone().unwrap_or_else(|| {
            format!(
                "https://{}",
                crate::netsuite::host_for_account(&ns.account_id)
            )
        });
        let mut ns_cfg = NetSuiteConfig::new(base, ns.tba());
        ns_cfg.concurrency = settings.per_invocation_concurrency();
        let netsuite = NetSuiteClient::new(ns_cfg)?;
        let tiktok = TikTokClient::new(
            &config.tiktok_api_base_url,
            &settings.tiktok_auth_base_url,
            app,
            std::time::Duration::from_secs(10),
        )?;
        let ddb = aws_sdk_dynamodb::Client::new(sdk);
        let store = Arc::new(DynamoShopTokenStore::new(
            ddb.clone(),
            &config.order_log_table,
        ));
        let shops: Arc<dyn ShopAuthProvider> = Arc::new(ShopSessions::new(tiktok.clone(), store));
        let alerts = settings.alert_from.clone().map(|from| SesAlerts {
            client: aws_sdk_sesv2::Client::new(sdk),
            from,
            to: settings.alert_to.clone(),
        });
        Ok(Self {
            archive: DynamoEventArchive::new(ddb.clone(), &config.events_table),
            log: DynamoOrderLog::new(ddb.clone(), &config.order_log_table),
            skus: DynamoSkuLinks::new(ddb, &config.order_log_table),
            tiktok,
            netsuite,
            shops,
            alerts,
            config,
            settings,
        })
    }

    /// One SQS batch: process, then send one digest of new failures.
    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        let digest = Digest::default();
        let sync = OrderSync {
            tiktok: &self.tiktok,
            shops: self.shops.as_ref(),
            netsuite: &self.netsuite,
            skus: &self.skus,
            log: &self.log,
            archive: &self.archive,
            mapping: &self.settings.mapping,
            max_receive_count: self.settings.max_receive_count,
            now: crate::now_epoch,
            digest: Some(&digest),
        };
        let response = writer::handle_batch(event, &sync).await;
        let lines = digest.take();
        if let (Some(alerts), false) = (&self.alerts, lines.is_empty()) {
            if let Err(e) = alerts.send_digest(&lines).await {
                tracing::error!(error = %e, failures = lines.len(), "could not email the failure digest");
            }
        }
        response
    }
}
