//! A complete local environment: both simulators, a fresh set of tables and
//! queues on the local AWS endpoint (moto), the simulator shops' tokens in
//! the token store, a verified SES sender, and the two apps wired exactly as
//! the Lambda binaries wire them. The demo and the integration tests use it.

use std::sync::Arc;

use crate::bootstrap::{bootstrap, BootstrapOptions};
use crate::netsuite_auth::NetSuiteAuthMode;
use shared::app::{InitError, WebhookApp, WriterApp};
use shared::config::{
    AlertSettings, EventsSettings, NetSuiteSettings, OrderLogSettings, QueueSettings,
    SlotPoolSettings, TikTokApiSettings, TikTokApp, TikTokAppSource, TokensSettings, WebhookConfig,
    WebhookLimits, WriterConfig, WriterSettings, DEFAULT_MAX_BODY_BYTES, DEFAULT_RETENTION_DAYS,
};
use shared::domain::ShopId;
use shared::mapping::config::MappingConfig;
use shared::netsuite::NetSuiteBudget;
use shared::resources::ResourceNames;
use shared::store::{DynamoShopTokenStore, ShopCredentials, ShopTokenStore};
use simulators::{NetSuiteSim, RunningSim, Seed, TikTokSim};

/// The mapping that fits the simulators' seed (items, customers, locations).
pub const LOCAL_MAPPING: &str = include_str!("../../events/mapping.local.json");
pub const ALERT_FROM: &str = "tiktok-netsuite@example.com";
pub const ALERT_TO: &str = "ops@example.com";

#[derive(Debug, Clone)]
pub struct LocalOptions {
    pub prefix: String,
    pub visibility_timeout_secs: u32,
    pub max_receive_count: u32,
    pub netsuite_concurrency: usize,
    pub netsuite_latency_ms: u64,
    /// TBA or M2M; by default from `TNS_NETSUITE_AUTH` (`netsuite_auth.rs`).
    pub netsuite_auth: NetSuiteAuthMode,
}

impl Default for LocalOptions {
    fn default() -> Self {
        Self {
            prefix: format!("t{}", rand_suffix()),
            visibility_timeout_secs: 5,
            max_receive_count: 3,
            netsuite_concurrency: 5,
            netsuite_latency_ms: 0,
            netsuite_auth: NetSuiteAuthMode::FromEnv,
        }
    }
}

fn rand_suffix() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish() as u32
}

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("simulator: {0}")]
    Sim(#[from] std::io::Error),
    #[error(transparent)]
    Bootstrap(#[from] crate::bootstrap::BootstrapError),
    #[error("mapping: {0}")]
    Mapping(String),
    #[error(transparent)]
    Init(#[from] InitError),
    #[error(transparent)]
    Config(#[from] shared::config::ConfigError),
    #[error("token store: {0}")]
    Tokens(#[from] shared::store::StoreError),
    #[error("SES identity: {0}")]
    Ses(String),
    #[error("console: {0}")]
    Console(String),
    #[error("NetSuite authentication: {0}")]
    NetSuiteAuth(String),
}

pub struct LocalEnv {
    pub seed: Seed,
    pub tiktok: RunningSim<TikTokSim>,
    pub netsuite: RunningSim<NetSuiteSim>,
    /// The resolved mode (never `FromEnv`).
    pub netsuite_auth: NetSuiteAuthMode,
    pub sdk: aws_config::SdkConfig,
    pub names: ResourceNames,
    pub webhook_config: WebhookConfig,
    pub writer_config: WriterConfig,
    /// The scheduled-jobs function's configuration (same stores, same shops).
    pub jobs_config: shared::config::JobsConfig,
    pub webhook: Arc<WebhookApp>,
    pub writer: Arc<WriterApp>,
    pub jobs: Arc<shared::app::JobsApp>,
}

impl LocalEnv {
    /// Starts everything against the AWS endpoint `sdk` points at (moto).
    /// NetSuite's share is split over the writer's invocations; see
    /// [`Self::start_pooled`] for the deployed shape.
    pub async fn start(sdk: aws_config::SdkConfig, opts: LocalOptions) -> Result<Self, LocalError> {
        Self::start_with(sdk, opts, false).await
    }

    /// [`Self::start`] as deployed: every NetSuite client (the writer, the
    /// jobs one request at a time, the console) takes its slots from one
    /// pool of `netsuite_concurrency` slots in the job runs table.
    pub async fn start_pooled(
        sdk: aws_config::SdkConfig,
        opts: LocalOptions,
    ) -> Result<Self, LocalError> {
        Self::start_with(sdk, opts, true).await
    }

    async fn start_with(
        sdk: aws_config::SdkConfig,
        opts: LocalOptions,
        pooled: bool,
    ) -> Result<Self, LocalError> {
        let seed = simulators::default_seed();
        let tiktok = simulators::spawn_tiktok(seed.tiktok.clone(), Default::default()).await?;
        let netsuite = simulators::spawn_netsuite(
            seed.netsuite.clone(),
            simulators::NetSuiteConfig {
                port: 0,
                concurrency_limit: opts.netsuite_concurrency,
                latency_ms: opts.netsuite_latency_ms,
            },
        )
        .await?;
        let netsuite_auth = opts
            .netsuite_auth
            .resolve()
            .map_err(LocalError::NetSuiteAuth)?;
        crate::netsuite_auth::register_test_certificates(&netsuite.state)
            .map_err(LocalError::NetSuiteAuth)?;
        let ddb = aws_sdk_dynamodb::Client::new(&sdk);
        let names = bootstrap(
            &ddb,
            &aws_sdk_sqs::Client::new(&sdk),
            &BootstrapOptions {
                prefix: opts.prefix.clone(),
                visibility_timeout_secs: Some(opts.visibility_timeout_secs),
                max_receive_count: Some(opts.max_receive_count),
            },
        )
        .await?;
        aws_sdk_sesv2::Client::new(&sdk)
            .create_email_identity()
            .email_identity(ALERT_FROM)
            .send()
            .await
            .map_err(|e| LocalError::Ses(shared::store::aws::describe(&e)))?;

        let store = DynamoShopTokenStore::new(ddb.clone(), &names.shop_tokens_table);
        // The seeded shops were connected before the run: their profiles
        // (name, region) as the console's connect would have stored them.
        let profiles = shared::store::DynamoShopProfiles::new(ddb, &names.shop_tokens_table);
        for shop in &seed.tiktok.shops {
            shared::store::ShopProfiles::save(
                &profiles,
                &shared::store::ShopProfile {
                    shop_id: ShopId::new(&shop.id),
                    name: shop.name.clone(),
                    region: shop.region.clone(),
                    connected_at: 0,
                    connected_by: "seed".into(),
                    disconnected_at: None,
                    authorization_expires_at: None,
                },
            )
            .await?;
        }
        for shop in &seed.tiktok.shops {
            store
                .put(&ShopCredentials {
                    shop_id: ShopId::new(&shop.id),
                    cipher: shop.cipher.clone(),
                    access_token: shop.access_token.clone(),
                    access_token_expires_at: shop.access_token_expire_in,
                    refresh_token: shop.refresh_token.clone(),
                    refresh_token_expires_at: shop.refresh_token_expire_in,
                })
                .await?;
        }

        let app = TikTokAppSource::Env(TikTokApp {
            app_key: seed.tiktok.app_key.clone(),
            app_secret: seed.tiktok.app_secret.clone(),
        });
        let events = EventsSettings {
            table: names.events_table.clone(),
            retention_days: DEFAULT_RETENTION_DAYS,
        };
        let webhook_config = WebhookConfig {
            app: app.clone(),
            events: events.clone(),
            queue: QueueSettings {
                url: names.orders_queue_url.clone(),
            },
            limits: WebhookLimits {
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            },
        };
        let netsuite_source = crate::netsuite_auth::source(
            netsuite_auth,
            &seed.netsuite,
            &aws_sdk_secretsmanager::Client::new(&sdk),
            &opts.prefix,
        )
        .await?;
        let writer_config = WriterConfig {
            app,
            tiktok: TikTokApiSettings {
                api_base_url: tiktok.base_url.clone(),
                auth_base_url: tiktok.base_url.clone(),
            },
            netsuite: NetSuiteSettings {
                source: netsuite_source,
                base_url: Some(netsuite.base_url.clone()),
                // Locally one process-wide writer (one NetSuite semaphore) serves
                // every poller, so it holds the whole account share; on Lambda each
                // invocation has its own client and gets share ÷ max concurrency.
                budget: NetSuiteBudget {
                    account_share: opts.netsuite_concurrency,
                    concurrent_invocations: 1,
                },
                slots: pooled.then(|| SlotPoolSettings {
                    table: names.job_runs_table.clone(),
                    max_in_flight: opts.netsuite_concurrency,
                    lease: std::time::Duration::from_secs(50),
                }),
            },
            events,
            order_log: OrderLogSettings {
                table: names.order_log_table.clone(),
            },
            tokens: TokensSettings {
                table: names.shop_tokens_table.clone(),
            },
            writer: WriterSettings {
                max_receive_count: opts.max_receive_count,
                mapping: MappingConfig::load(LOCAL_MAPPING).map_err(LocalError::Mapping)?,
                message_budget: std::time::Duration::from_secs(
                    shared::config::writer::DEFAULT_MESSAGE_BUDGET_SECS,
                ),
            },
            alerts: AlertSettings {
                from: Some(ALERT_FROM.into()),
                to: vec![ALERT_TO.into()],
            },
            checks: Some(shared::config::jobs::JobRunsSettings {
                table: names.job_runs_table.clone(),
            }),
        };
        let jobs_config = shared::config::JobsConfig {
            app: writer_config.app.clone(),
            tiktok: writer_config.tiktok.clone(),
            events: writer_config.events.clone(),
            order_log: writer_config.order_log.clone(),
            tokens: writer_config.tokens.clone(),
            queue: webhook_config.queue.clone(),
            runs: shared::config::jobs::JobRunsSettings {
                table: names.job_runs_table.clone(),
            },
            jobs: shared::config::jobs::JobSettings {
                mapping: writer_config.writer.mapping.clone(),
                lease_secs: 300,
                sweep: Default::default(),
                tracking: Default::default(),
            },
            alerts: writer_config.alerts.clone(),
            // A job sends one request at a time (the template's NETSUITE_MAX_IN_FLIGHT).
            netsuite: Some(NetSuiteSettings {
                slots: writer_config
                    .netsuite
                    .slots
                    .clone()
                    .map(|s| SlotPoolSettings {
                        max_in_flight: 1,
                        ..s
                    }),
                ..writer_config.netsuite.clone()
            }),
        };
        let webhook = Arc::new(WebhookApp::new(webhook_config.clone(), &sdk).await?);
        let writer = Arc::new(WriterApp::new(writer_config.clone(), &sdk).await?);
        let jobs = Arc::new(shared::app::JobsApp::new(jobs_config.clone(), &sdk).await?);
        Ok(Self {
            seed,
            tiktok,
            netsuite,
            netsuite_auth,
            sdk,
            names,
            webhook_config,
            writer_config,
            jobs_config,
            webhook,
            writer,
            jobs,
        })
    }

    pub fn app(&self) -> TikTokApp {
        TikTokApp {
            app_key: self.seed.tiktok.app_key.clone(),
            app_secret: self.seed.tiktok.app_secret.clone(),
        }
    }

    /// Signs a webhook body as TikTok would for this app.
    pub fn sign(&self, body: &[u8]) -> String {
        shared::signing::tiktok::webhook_signature(
            &self.seed.tiktok.app_key,
            &self.seed.tiktok.app_secret,
            body,
        )
    }
}
