//! Wiring: configuration + clients → ready-to-call handlers.
//!
//! The Lambda binaries and the local runner build these the same way, so
//! what runs locally is what runs on Lambda.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use crate::aws::{sdk_config, DynamoEventArchive, SqsEventQueue};
use crate::config::{resolve_tiktok_app, Config, ConfigError, TikTokApp};
use crate::webhook::{self, WebhookDeps, WebhookResponse};
use crate::writer::{self, AcknowledgeProcessor};

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

/// The NetSuite writer's state.
pub struct WriterApp {
    pub config: Config,
    pub archive: DynamoEventArchive,
}

impl WriterApp {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let sdk = sdk_config().await;
        Ok(Self::new(config, &sdk))
    }

    pub fn new(config: Config, sdk: &aws_config::SdkConfig) -> Self {
        Self {
            archive: DynamoEventArchive::new(
                aws_sdk_dynamodb::Client::new(sdk),
                &config.events_table,
            ),
            config,
        }
    }

    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        let processor = AcknowledgeProcessor {
            archive: &self.archive,
            now: crate::now_epoch,
        };
        writer::handle_batch(event, &processor).await
    }
}
