//! The console's configuration and wiring: the same tables and queue as
//! the other functions, its own table and session secret, NetSuite for
//! item checks. The Lambda binary and `tiktok-netsuite console` both build
//! a [`Console`] here.

use std::sync::Arc;

use super::catalog::NetSuiteCatalog;
use super::{Console, SessionKey};
use crate::config::{ConfigError, Env, NetSuiteSettings};
use crate::resources::{
    CONSOLE_SECRET_ENV, CONSOLE_TABLE, JOB_RUNS_TABLE, ORDERS_DLQ, ORDERS_QUEUE, ORDER_LOG_TABLE,
    SHOP_TOKENS_TABLE,
};
use crate::store::{
    DynamoConsoleUsers, DynamoJobRuns, DynamoLoginThrottle, DynamoOrderLog, DynamoSkuLinks,
    SqsEventQueue,
};

/// What the console reads from its environment.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    pub order_log_table: String,
    pub tokens_table: String,
    pub job_runs_table: String,
    pub console_table: String,
    pub queue_url: String,
    pub dlq_url: String,
    /// Secrets Manager id of the session-signing secret.
    pub session_secret_id: String,
    pub netsuite: NetSuiteSettings,
    /// Connecting shops (`TIKTOK_SERVICE_ID` and the TikTok app); `None`: off.
    pub connect: Option<crate::connect::ConnectConfig>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConsoleInitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("NetSuite client: {0}")]
    NetSuite(#[from] crate::netsuite::NsError),
    #[error(transparent)]
    Key(#[from] super::auth::session::WeakKey),
}

impl ConsoleConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&Env::new(&crate::config::process_env))
    }

    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let hint = "the SAM template sets it; locally `tiktok-netsuite bootstrap` prints it";
        Ok(Self {
            order_log_table: env.required(ORDER_LOG_TABLE.env_var, hint)?,
            tokens_table: env.required(SHOP_TOKENS_TABLE.env_var, hint)?,
            job_runs_table: env.required(JOB_RUNS_TABLE.env_var, hint)?,
            console_table: env.required(CONSOLE_TABLE.env_var, hint)?,
            queue_url: env.required(ORDERS_QUEUE.env_var, hint)?,
            dlq_url: env.required(ORDERS_DLQ.env_var, hint)?,
            session_secret_id: env.required(CONSOLE_SECRET_ENV, hint)?,
            netsuite: NetSuiteSettings::load(env)?,
            connect: crate::connect::ConnectConfig::load(env)?,
        })
    }
}

/// Reads the session-signing secret (its string value, used as bytes).
pub async fn session_key(
    secrets: &aws_sdk_secretsmanager::Client,
    id: &str,
) -> Result<SessionKey, ConsoleInitError> {
    let out = secrets
        .get_secret_value()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| ConfigError::Secret {
            secret_id: id.to_string(),
            reason: crate::store::aws::describe(&e),
        })?;
    Ok(SessionKey::new(
        out.secret_string().unwrap_or_default().as_bytes().to_vec(),
    )?)
}

/// The payout job over the jobs' settings (`MAPPING_CONFIG`, TikTok,
/// NetSuite, `ALERT_FROM`), for re-sending reports; `None` (logged) when
/// this environment does not carry them.
pub async fn payout_sender() -> Option<Arc<dyn crate::ops::payouts::ReportSender>> {
    match crate::app::JobsApp::from_env().await {
        Ok(app) => Some(Arc::new(app)),
        Err(e) => {
            tracing::warn!(reason = %e, "console: payout reports cannot be re-sent from here (no jobs settings)");
            None
        }
    }
}

/// The webhook registrar over the TikTok app's settings and the tokens
/// table, with the deployed address from `WEBHOOK_URL`; `None` (logged)
/// when the TikTok settings are missing.
pub async fn webhook_registrar(
    sdk: &aws_config::SdkConfig,
    tokens_table: &str,
) -> Option<Arc<crate::ops::webhooks::Registrar>> {
    let env = Env::new(&crate::config::process_env);
    let app = crate::config::TikTokAppSource::load(&env);
    let api = crate::config::TikTokApiSettings::load(&env);
    let sessions = match (app, api) {
        (Ok(app), Ok(api)) => {
            crate::app::Clients::new(sdk)
                .tiktok(&app, &api, tokens_table)
                .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e.into()),
    };
    let address = env
        .get(crate::ops::webhooks::WEBHOOK_URL_ENV)
        .and_then(|raw| match crate::ops::webhooks::address(&raw) {
            Ok(a) => Some(a),
            Err(e) => {
                tracing::warn!(reason = %e, "console: WEBHOOK_URL is not an address TikTok takes");
                None
            }
        });
    match sessions {
        Ok(sessions) => Some(Arc::new(crate::ops::webhooks::Registrar {
            sessions,
            address,
        })),
        Err(e) => {
            tracing::warn!(reason = %e, "console: webhooks cannot be registered from here (no TikTok settings)");
            None
        }
    }
}

impl Console {
    pub async fn from_env() -> Result<Self, ConsoleInitError> {
        let sdk = crate::store::aws::sdk_config().await;
        let mut console = Self::new(ConsoleConfig::from_env()?, &sdk).await?;
        console.payouts = payout_sender().await;
        console.webhooks = webhook_registrar(&sdk, &console.tokens_table).await;
        Ok(console)
    }

    pub async fn new(
        config: ConsoleConfig,
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, ConsoleInitError> {
        let secrets = aws_sdk_secretsmanager::Client::new(sdk);
        let ddb = aws_sdk_dynamodb::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let creds = config.netsuite.resolve(&secrets).await?;
        // One request at a time, each holding a slot of the shared pool.
        let ns = crate::app::netsuite_client(
            &config.netsuite,
            &creds,
            &ddb,
            crate::app::NetSuiteCaller::Console,
        )?;
        let netsuite_ui = Some(match &config.netsuite.base_url {
            // A local simulator has no UI; link to its record API instead.
            Some(base) => format!("{}/services/rest/record/v1", base.trim_end_matches('/')),
            None => format!(
                "https://{}.app.netsuite.com",
                creds.account_id().to_lowercase().replace('_', "-")
            ),
        });
        let connect = match &config.connect {
            Some(cc) => Some(Arc::new(
                cc.connector(&secrets, &ddb, &config.tokens_table, &config.console_table)
                    .await?,
            )),
            None => None,
        };
        Ok(Console {
            connect,
            log: Arc::new(DynamoOrderLog::new(ddb.clone(), &config.order_log_table)),
            links: Arc::new(DynamoSkuLinks::new(ddb.clone(), &config.order_log_table)),
            users: Arc::new(DynamoConsoleUsers::new(ddb.clone(), &config.console_table)),
            throttle: Arc::new(DynamoLoginThrottle::new(ddb.clone(), &config.console_table)),
            queue: Arc::new(SqsEventQueue::new(sqs.clone(), &config.queue_url)),
            runs: Arc::new(DynamoJobRuns::new(ddb.clone(), &config.job_runs_table)),
            catalog: Arc::new(NetSuiteCatalog(ns)),
            ddb,
            tokens_table: config.tokens_table,
            sqs,
            dlq_url: config.dlq_url,
            netsuite_ui,
            key: session_key(&secrets, &config.session_secret_id).await?,
            clock: crate::clock::system(),
            payouts: None,
            webhooks: None,
            // Wired with NetSuite's ReturnBooks (REST) when that is merged.
            returns: None,
        })
    }

    /// The link to a Sales Order in NetSuite.
    pub fn sales_order_url(&self, id: &str) -> Option<String> {
        let base = self.netsuite_ui.as_ref()?;
        Some(if base.contains("/services/rest/") {
            format!("{base}/salesOrder/{id}")
        } else {
            format!("{base}/app/accounting/transactions/salesord.nl?id={id}")
        })
    }

    /// The link to a Journal Entry in NetSuite.
    pub fn journal_entry_url(&self, id: &str) -> Option<String> {
        let base = self.netsuite_ui.as_ref()?;
        Some(if base.contains("/services/rest/") {
            format!("{base}/journalEntry/{id}")
        } else {
            format!("{base}/app/accounting/transactions/journal.nl?id={id}")
        })
    }
}
