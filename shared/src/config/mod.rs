//! Typed configuration, one part per component, loaded once at start.
//!
//! Each function loads only the parts it uses ([`WebhookConfig`],
//! [`WriterConfig`]; the CLI loads single parts), so a function that never
//! touches the queue never needs its URL. Every part names its variable in
//! its errors, so a bad deployment fails at cold start with a message an
//! operator can act on, not on the first order. Secrets come from Secrets
//! Manager in production (`*_SECRET_ID`) and from plain variables locally;
//! see README.md's configuration table.
//!
//! - [`tiktok`]: the TikTok app (key, secret) and its API hosts.
//! - [`netsuite`]: NetSuite credentials, host and concurrency budget.
//! - [`stores`]: table names, the orders queue, archive retention.
//! - [`writer`]: the writer's own settings (mapping, redrive count) and the
//!   admin alert addresses.

pub mod jobs;
pub mod netsuite;
pub mod stores;
pub mod tiktok;
pub mod writer;

pub use jobs::{SweepSettings, TrackingSettings};
pub use netsuite::{
    NetSuiteCredentials, NetSuiteSettings, NetSuiteSource, SlotPoolSettings, TbaKeys,
};
pub use stores::{EventsSettings, OrderLogSettings, QueueSettings, TokensSettings};
pub use tiktok::{TikTokApiSettings, TikTokApp, TikTokAppSource};
pub use writer::{AlertSettings, WebhookLimits, WriterSettings};

pub use stores::DEFAULT_RETENTION_DAYS;
pub use tiktok::{DEFAULT_TIKTOK_API_BASE_URL, DEFAULT_TIKTOK_AUTH_BASE_URL};
pub use writer::DEFAULT_MAX_BODY_BYTES;

/// A configuration problem, naming the variable and the fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {var} is not set: {hint}")]
    Missing {
        var: &'static str,
        hint: &'static str,
    },
    #[error("environment variable {var} has an invalid value: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("secret {secret_id} could not be read: {reason}")]
    Secret { secret_id: String, reason: String },
}

/// Where settings are read from: the process environment, or any lookup
/// (tests). Values are trimmed; an empty value counts as unset.
pub struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl<'a> Env<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self(lookup)
    }

    pub fn get(&self, var: &str) -> Option<String> {
        (self.0)(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, var: &'static str, hint: &'static str) -> Result<String, ConfigError> {
        self.get(var).ok_or(ConfigError::Missing { var, hint })
    }

    /// A whole number in `min..=max`, `default` when unset.
    pub fn number<T>(&self, var: &'static str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        match self.get(var) {
            None => Ok(default),
            Some(raw) => match raw.parse::<T>() {
                Ok(v) if v >= min && v <= max => Ok(v),
                _ => Err(ConfigError::Invalid {
                    var,
                    reason: format!("{raw:?} is not a whole number between {min} and {max}"),
                }),
            },
        }
    }
}

/// The process environment.
pub fn process_env(var: &str) -> Option<String> {
    std::env::var(var).ok()
}

/// Everything the webhook function reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    pub app: TikTokAppSource,
    pub events: EventsSettings,
    pub queue: QueueSettings,
    pub limits: WebhookLimits,
}

impl WebhookConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&Env::new(&process_env))
    }

    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            events: EventsSettings::load(env)?,
            queue: QueueSettings::load(env)?,
            app: TikTokAppSource::load(env)?,
            limits: WebhookLimits::load(env)?,
        })
    }
}

/// Everything the NetSuite writer reads. It consumes the queue through its
/// event source, so it needs no queue URL.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterConfig {
    pub app: TikTokAppSource,
    pub tiktok: TikTokApiSettings,
    pub netsuite: NetSuiteSettings,
    pub events: EventsSettings,
    pub order_log: OrderLogSettings,
    pub tokens: TokensSettings,
    pub writer: WriterSettings,
    pub alerts: AlertSettings,
    /// `JOB_RUNS_TABLE`: where each freshly created Sales Order is queued
    /// for the verify job's read-back; `None`: not verified.
    pub checks: Option<jobs::JobRunsSettings>,
}

impl WriterConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&Env::new(&process_env))
    }

    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            events: EventsSettings::load(env)?,
            order_log: OrderLogSettings::load(env)?,
            tokens: TokensSettings::load(env)?,
            app: TikTokAppSource::load(env)?,
            tiktok: TikTokApiSettings::load(env)?,
            netsuite: NetSuiteSettings::load(env)?,
            writer: WriterSettings::load(env)?,
            alerts: AlertSettings::load(env)?,
            checks: match env.get(crate::resources::JOB_RUNS_TABLE.env_var) {
                Some(_) => Some(jobs::JobRunsSettings::load(env)?),
                None => None,
            },
        })
    }
}

/// Everything the scheduled-jobs function reads: TikTok (the sweep lists
/// orders), the stores it reads and enqueues into, and its run log.
#[derive(Debug, Clone, PartialEq)]
pub struct JobsConfig {
    pub app: TikTokAppSource,
    pub tiktok: TikTokApiSettings,
    pub events: EventsSettings,
    pub order_log: OrderLogSettings,
    pub tokens: TokensSettings,
    pub queue: QueueSettings,
    pub runs: jobs::JobRunsSettings,
    pub jobs: jobs::JobSettings,
    /// Where the daily drift digest goes.
    pub alerts: AlertSettings,
    /// NetSuite, for the jobs that read it (inventory); `None` when neither
    /// `NETSUITE_SECRET_ID` nor `NETSUITE_ACCOUNT_ID` is set.
    pub netsuite: Option<NetSuiteSettings>,
}

impl JobsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&Env::new(&process_env))
    }

    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            app: TikTokAppSource::load(env)?,
            tiktok: TikTokApiSettings::load(env)?,
            events: EventsSettings::load(env)?,
            order_log: OrderLogSettings::load(env)?,
            tokens: TokensSettings::load(env)?,
            queue: QueueSettings::load(env)?,
            runs: jobs::JobRunsSettings::load(env)?,
            jobs: jobs::JobSettings::load(env)?,
            alerts: AlertSettings::load(env)?,
            netsuite: if env.get("NETSUITE_SECRET_ID").is_some()
                || env.get("NETSUITE_ACCOUNT_ID").is_some()
            {
                Some(NetSuiteSettings::load(env)?)
            } else {
                None
            },
        })
    }
}

/// Reads a JSON secret from Secrets Manager; `shape` describes the expected
/// JSON for the error message.
pub(crate) async fn read_json_secret<T: serde::de::DeserializeOwned>(
    secrets: &aws_sdk_secretsmanager::Client,
    id: &str,
    shape: &str,
) -> Result<T, ConfigError> {
    let err = |reason: String| ConfigError::Secret {
        secret_id: id.to_string(),
        reason,
    };
    let out = secrets
        .get_secret_value()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| err(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string()))?;
    let text = out
        .secret_string()
        .ok_or_else(|| err("the secret has no string value".into()))?;
    serde_json::from_str(text).map_err(|e| err(format!("expected JSON {shape}: {e}")))
}

#[cfg(test)]
pub(crate) mod test_env {
    use std::collections::HashMap;

    /// A lookup over fixed pairs.
    pub fn pairs(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::test_env::pairs;
    use super::*;

    const BASE: &[(&str, &str)] = &[
        ("EVENTS_TABLE", "ev"),
        ("ORDER_LOG_TABLE", "ol"),
        ("SHOP_TOKENS_TABLE", "st"),
        ("ORDERS_QUEUE_URL", "http://127.0.0.1:5000/123/orders.fifo"),
        ("TIKTOK_APP_KEY", "k"),
        ("TIKTOK_APP_SECRET", "s"),
    ];

    #[test]
    fn webhook_loads_with_defaults() {
        let c = WebhookConfig::load(&Env::new(&pairs(BASE))).unwrap();
        assert_eq!(
            c.limits.max_body_bytes, 245_760,
            "fits the queue with our envelope"
        );
        assert!(matches!(c.app, TikTokAppSource::Env(_)));
        assert!(
            !format!("{c:?}").contains("\"s\""),
            "secret must not appear in Debug output"
        );
    }

    #[test]
    fn missing_variable_is_named() {
        let without: Vec<_> = BASE
            .iter()
            .filter(|(k, _)| *k != "ORDERS_QUEUE_URL")
            .copied()
            .collect();
        let e = WebhookConfig::load(&Env::new(&pairs(&without))).unwrap_err();
        assert!(e.to_string().contains("ORDERS_QUEUE_URL"), "{e}");
    }

    #[test]
    fn each_function_loads_only_its_parts() {
        // The writer never needs the queue URL; the webhook never needs NetSuite.
        let writer_env: Vec<_> = BASE
            .iter()
            .filter(|(k, _)| *k != "ORDERS_QUEUE_URL")
            .copied()
            .chain([
                ("NETSUITE_SECRET_ID", "ns"),
                (
                    "MAPPING_CONFIG",
                    r#"{"default":{"books_currency":"USD","customer":{"mode":"generic","customer_id":"7"}}}"#,
                ),
            ])
            .collect();
        let w = WriterConfig::load(&Env::new(&pairs(&writer_env))).unwrap();
        assert_eq!(w.order_log.table, "ol");
        assert_eq!(w.netsuite.budget.per_invocation(), 2);
        assert!(WebhookConfig::load(&Env::new(&pairs(BASE))).is_ok());
    }
}
