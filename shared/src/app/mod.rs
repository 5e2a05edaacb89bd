//! Wiring: configuration + clients → ready-to-call handlers, once per cold start.
//!
//! The Lambda binaries and the local environment build these the same way,
//! so what runs locally is what runs on Lambda. [`Clients`] is the one
//! place that turns configuration into clients and stores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use crate::clock::Clock;
use crate::config::{ConfigError, TikTokApp, WebhookConfig, WebhookLimits, WriterConfig};
use crate::ingest::{self, WebhookDeps, WebhookResponse};
use crate::netsuite::NetSuiteClient;
use crate::notify::{AlertSink, Digest, SesAlerts};
use crate::store::aws::sdk_config;
use crate::store::{
    CachedSkuLinks, DynamoEventArchive, DynamoOrderLog, DynamoSkuLinks, SqsEventQueue,
};
use crate::tiktok::ShopSessions;
use crate::writer::{self, BatchLimits, OrderSync};

/// Kept free at the end of an invocation for the digest email and the response.
pub const BATCH_RESERVE: Duration = Duration::from_secs(3);

/// A function that cannot start, naming why.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("NetSuite client: {0}")]
    NetSuite(#[from] crate::netsuite::NsError),
    #[error("TikTok client: {0}")]
    TikTok(#[from] crate::tiktok::TikTokError),
}

mod clients;
pub use clients::{netsuite_client, Clients, NetSuiteCaller};

/// The webhook function's state, built once per cold start.
pub struct WebhookApp {
    pub limits: WebhookLimits,
    pub retention_days: u32,
    pub app: TikTokApp,
    pub archive: DynamoEventArchive,
    pub queue: SqsEventQueue,
    pub clock: Arc<dyn Clock>,
}

impl WebhookApp {
    /// Reads config and secrets; fails at start, naming the problem.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = WebhookConfig::from_env()?;
        let sdk = sdk_config().await;
        Self::new(config, &sdk).await
    }

    pub async fn new(
        config: WebhookConfig,
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, ConfigError> {
        let clients = Clients::new(sdk);
        Ok(Self {
            app: clients.tiktok_app(&config.app).await?,
            archive: DynamoEventArchive::new(clients.dynamodb(), &config.events.table),
            queue: SqsEventQueue::new(aws_sdk_sqs::Client::new(sdk), &config.queue.url),
            limits: config.limits,
            retention_days: config.events.retention_days,
            clock: clients.clock,
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
            max_body_bytes: self.limits.max_body_bytes,
            retention_days: self.retention_days,
            clock: self.clock.as_ref(),
        };
        ingest::handle(&deps, method, authorization, body).await
    }
}

/// The NetSuite writer's state: clients and stores built once per cold start.
pub struct WriterApp {
    /// What it was built from (its writer settings are read from here; the
    /// local runner builds sibling invocations from it).
    pub config: WriterConfig,
    pub archive: DynamoEventArchive,
    pub log: DynamoOrderLog,
    /// SKU links, found ones remembered for a few minutes (`store::cached_links`).
    pub skus: CachedSkuLinks<DynamoSkuLinks>,
    pub shops: ShopSessions,
    /// Shop names and connection state (webhooks 6 and 7 mark them).
    pub profiles: crate::store::DynamoShopProfiles,
    pub netsuite: NetSuiteClient,
    pub alerts: Option<SesAlerts>,
    /// Where fresh Sales Orders are queued for the verify job.
    pub checks: Option<crate::store::DynamoJobRuns>,
    pub clock: Arc<dyn Clock>,
}

impl WriterApp {
    pub async fn from_env() -> Result<Self, InitError> {
        let config = WriterConfig::from_env()?;
        let sdk = sdk_config().await;
        Self::new(config, &sdk).await
    }

    /// Builds the writer; SKU links share the order log table, shop tokens have their own.
    pub async fn new(config: WriterConfig, sdk: &aws_config::SdkConfig) -> Result<Self, InitError> {
        let clients = Clients::new(sdk);
        let table = &config.order_log.table;
        let ddb = clients.dynamodb();
        Ok(Self {
            shops: clients
                .tiktok(&config.app, &config.tiktok, &config.tokens.table)
                .await?,
            profiles: crate::store::DynamoShopProfiles::new(ddb.clone(), &config.tokens.table),
            netsuite: clients
                .netsuite(&config.netsuite, NetSuiteCaller::Writer)
                .await?,
            alerts: clients.alerts(&config.alerts),
            archive: DynamoEventArchive::new(ddb.clone(), &config.events.table),
            log: DynamoOrderLog::new(ddb.clone(), table),
            checks: config
                .checks
                .as_ref()
                .map(|c| crate::store::DynamoJobRuns::new(ddb.clone(), &c.table)),
            skus: CachedSkuLinks::new(DynamoSkuLinks::new(ddb, table), clients.clock.clone()),
            clock: clients.clock,
            config,
        })
    }

    /// The writer's flows over this app's clients and stores.
    pub fn sync<'a>(&'a self, digest: Option<&'a Digest>) -> OrderSync<'a> {
        OrderSync {
            shops: &self.shops,
            netsuite: &self.netsuite,
            skus: &self.skus,
            log: &self.log,
            archive: &self.archive,
            mapping: &self.config.writer.mapping,
            max_receive_count: self.config.writer.max_receive_count,
            clock: self.clock.as_ref(),
            digest,
            profiles: Some(&self.profiles),
            lookups: Default::default(),
            checks: self
                .checks
                .as_ref()
                .map(|c| c as &dyn crate::store::JobRuns),
            batch: Default::default(),
            // The returns flow needs NetSuite's `ReturnBooks` (REST, issue
            // 28's other half): wired when that is merged.
            returns: None,
        }
    }

    /// One SQS batch before `deadline` (the invocation's; `None`: no limit):
    /// process, then send one digest of new failures.
    pub async fn handle_batch(
        &self,
        event: SqsEvent,
        deadline: Option<Instant>,
    ) -> SqsBatchResponse {
        let digest = Digest::default();
        let limits = BatchLimits {
            deadline,
            message_budget: self.config.writer.message_budget,
            reserve: BATCH_RESERVE,
        };
        let response = writer::handle_batch(event, &self.sync(Some(&digest)), limits).await;
        self.netsuite.end_of_invocation().await;
        let lines = digest.take();
        if let (Some(alerts), false) = (&self.alerts, lines.is_empty()) {
            if let Err(e) = alerts.send_digest(&lines).await {
                tracing::error!(error = %e, failures = lines.len(), "could not email the failure digest");
            }
        }
        response
    }
}

/// The scheduled-jobs function's state, built once per cold start.
pub struct JobsApp {
    pub config: crate::config::JobsConfig,
    pub shops: ShopSessions,
    /// Shop names and connection state, for the digest's authorization warnings.
    pub profiles: crate::store::DynamoShopProfiles,
    pub log: DynamoOrderLog,
    pub archive: DynamoEventArchive,
    pub queue: SqsEventQueue,
    pub runs: crate::store::DynamoJobRuns,
    pub alerts: Option<SesAlerts>,
    /// For the inventory job (`None` when NetSuite is not configured).
    pub netsuite: Option<NetSuiteClient>,
    pub skus: DynamoSkuLinks,
    pub clock: Arc<dyn Clock>,
    /// Fulfilments whose tracking reached TikTok (job runs table).
    pub pushed: crate::store::DynamoPushedFulfilments,
    /// The payout job's finance email (from `ALERT_FROM`; `None`: not sent).
    pub finance_mail: Option<crate::payouts::job::FinanceMail>,
    /// What the `doctor` job reads besides the clients above.
    pub doctor: crate::doctor::DoctorClients,
    /// Where each packed Item Fulfillment's TikTok label stands (job runs table).
    pub label_states: crate::store::label_states::DynamoLabelStates,
}

/// What a schedule sends: the job, and optionally one shop (else every shop
/// of the mapping).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct JobRequest {
    pub job: String,
    #[serde(default)]
    pub shop: Option<String>,
}

/// Why a job request could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum JobRequestError {
    #[error("unknown job {0:?}: the jobs are {1}")]
    UnknownJob(String, String),
    #[error(
        "no shop to run for: name one in the input (\"shop\") or list shops in MAPPING_CONFIG"
    )]
    NoShops,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the drift digest could not be sent: {0}")]
    Mail(String),
    #[error("the inventory, verify, tracking and payouts jobs need NetSuite: set NETSUITE_SECRET_ID (or NETSUITE_ACCOUNT_ID and the token variables)")]
    NoNetSuite,
}

impl JobsApp {
    pub async fn from_env() -> Result<Self, InitError> {
        let config = crate::config::JobsConfig::from_env()?;
        let sdk = sdk_config().await;
        Self::new(config, &sdk).await
    }

    pub async fn new(
        config: crate::config::JobsConfig,
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, InitError> {
        let clients = Clients::new(sdk);
        let ddb = clients.dynamodb();
        Ok(Self {
            shops: clients
                .tiktok(&config.app, &config.tiktok, &config.tokens.table)
                .await?,
            profiles: crate::store::DynamoShopProfiles::new(ddb.clone(), &config.tokens.table),
            log: DynamoOrderLog::new(ddb.clone(), &config.order_log.table),
            archive: DynamoEventArchive::new(ddb.clone(), &config.events.table),
            queue: SqsEventQueue::new(aws_sdk_sqs::Client::new(sdk), &config.queue.url),
            runs: crate::store::DynamoJobRuns::new(ddb.clone(), &config.runs.table),
            pushed: crate::store::DynamoPushedFulfilments::new(ddb.clone(), &config.runs.table),
            label_states: crate::store::label_states::DynamoLabelStates::new(
                ddb.clone(),
                &config.runs.table,
            ),
            skus: DynamoSkuLinks::new(ddb, &config.order_log.table),
            netsuite: match &config.netsuite {
                Some(n) => Some(clients.netsuite(n, NetSuiteCaller::Job).await?),
                None => None,
            },
            alerts: clients.alerts(&config.alerts),
            finance_mail: config
                .alerts
                .from
                .clone()
                .map(|from| crate::payouts::job::FinanceMail {
                    client: aws_sdk_sesv2::Client::new(sdk),
                    from,
                }),
            doctor: crate::doctor::DoctorClients::new(sdk, &config),
            clock: clients.clock,
            config,
        })
    }

    /// The payout job over this app's clients (`None` without NetSuite).
    pub fn payouts(&self) -> Option<crate::payouts::job::Payouts<'_>> {
        self.netsuite
            .as_ref()
            .map(|netsuite| crate::payouts::job::Payouts {
                shops: &self.shops,
                netsuite,
                runs: &self.runs,
                log: &self.log,
                mapping: &self.config.jobs.mapping,
                clock: self.clock.as_ref(),
                mail: self.finance_mail.as_ref(),
            })
    }

    /// Runs the requested job for its shop(s), one after another; every run
    /// is in the run log, whatever its outcome.
    pub async fn run(
        &self,
        req: &JobRequest,
    ) -> Result<Vec<crate::store::JobRun>, JobRequestError> {
        use crate::jobs::{run_for_shop, JobName};
        let name = JobName::parse(&req.job);
        if let JobName::Unknown(j) = &name {
            let known: Vec<&str> = JobName::ALL.iter().map(|j| j.as_str()).collect();
            return Err(JobRequestError::UnknownJob(j.clone(), known.join(", ")));
        }
        let shops = match &req.shop {
            Some(s) => vec![crate::domain::ShopId::new(s.clone())],
            None => self.config.jobs.shops(),
        };
        if shops.is_empty() {
            return Err(JobRequestError::NoShops);
        }
        let sweep = crate::ingest::sweep::Sweep {
            shops: &self.shops,
            log: &self.log,
            archive: &self.archive,
            queue: &self.queue,
            clock: self.clock.as_ref(),
            settings: self.config.jobs.sweep,
            retention_days: self.config.events.retention_days,
        };
        let digest = crate::notify::drift::DriftDigest {
            log: &self.log,
            runs: &self.runs,
            profiles: Some(&self.profiles),
            clock: self.clock.as_ref(),
            collected: Default::default(),
            returns: None,
        };
        if matches!(
            name,
            JobName::Inventory
                | JobName::Verify
                | JobName::Tracking
                | JobName::Payouts
                | JobName::Labels
        ) && self.netsuite.is_none()
        {
            return Err(JobRequestError::NoNetSuite);
        }
        let inventory = self
            .netsuite
            .as_ref()
            .map(|netsuite| crate::stock::job::InventoryPush {
                shops: &self.shops,
                netsuite,
                links: &self.skus,
                log: &self.log,
                runs: &self.runs,
                mapping: &self.config.jobs.mapping,
                clock: self.clock.as_ref(),
            });
        let verify =
            self.netsuite
                .as_ref()
                .map(|netsuite| crate::writer::readback::VerifyCreated {
                    netsuite,
                    runs: &self.runs,
                    log: &self.log,
                    clock: self.clock.as_ref(),
                });
        let tracking = self
            .netsuite
            .as_ref()
            .map(|netsuite| crate::tracking::job::TrackingPush {
                shops: &self.shops,
                netsuite,
                links: &self.skus,
                log: &self.log,
                runs: &self.runs,
                pushed: &self.pushed,
                mapping: &self.config.jobs.mapping,
                clock: self.clock.as_ref(),
                settings: self.config.jobs.tracking,
            });
        let payouts = self.payouts();
        let doctor = crate::doctor::DoctorJob {
            doctor: self.doctor.doctor(
                &self.config,
                &self.shops,
                self.netsuite.as_ref(),
                self.clock.as_ref(),
            ),
        };
        let labels = self
            .netsuite
            .as_ref()
            .map(|netsuite| crate::labels::job::LabelJob {
                shops: &self.shops,
                netsuite,
                states: &self.label_states,
                log: &self.log,
                mapping: &self.config.jobs.mapping,
                clock: self.clock.as_ref(),
            });
        let job: &dyn crate::jobs::ShopJob = match (&name, &inventory, &verify, &tracking, &payouts)
        {
            (JobName::Labels, ..) if labels.is_some() => labels.as_ref().map_or(&sweep, |l| l),
            (JobName::Digest, ..) => &digest,
            (JobName::Doctor, ..) => &doctor,
            (JobName::Inventory, Some(inv), ..) => inv,
            (JobName::Verify, _, Some(v), ..) => v,
            (JobName::Tracking, _, _, Some(t), _) => t,
            (JobName::Payouts, .., Some(p)) => p,
            _ => &sweep,
        };
        let mut out = Vec::with_capacity(shops.len());
        for shop in &shops {
            let run = run_for_shop(
                job,
                shop,
                &self.runs,
                self.clock.as_ref(),
                self.config.jobs.lease_secs,
            )
            .await;
            if let Some(ns) = &self.netsuite {
                ns.end_of_invocation().await;
            }
            out.push(run?);
        }
        if name == JobName::Digest {
            let drift = digest.take();
            if !drift.is_empty() {
                let (subject, body) = crate::notify::drift::render(&drift);
                match &self.alerts {
                    Some(a) => {
                        if let Err(e) = a.send_text(&subject, &body).await {
                            tracing::error!(error = %e, "could not email the drift digest");
                            return Err(JobRequestError::Mail(e));
                        }
                    }
                    None => {
                        tracing::warn!(%subject, "drift digest not sent: ALERT_FROM/ALERT_TO not set")
                    }
                }
            }
        }
        Ok(out)
    }
}
