//! Typed configuration, loaded once at start from environment variables.
//!
//! Every setting is named by its variable in errors, so a bad deployment fails
//! at cold start with a message an operator can act on, not on the first order.
//! Secrets come from Secrets Manager in production (`*_SECRET_ID`) and from
//! plain variables locally; see README.md's configuration table.

use crate::resources::{EVENTS_TABLE, ORDERS_QUEUE, ORDER_LOG_TABLE};

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

/// Where the TikTok app key and secret come from.
#[derive(Clone, PartialEq, Eq)]
pub enum TikTokAppSource {
    /// `TIKTOK_APP_SECRET_ID`: a Secrets Manager secret `{"app_key":…,"app_secret":…}`.
    SecretsManager(String),
    /// `TIKTOK_APP_KEY` + `TIKTOK_APP_SECRET` in the environment (local runs).
    Env(TikTokApp),
}

impl std::fmt::Debug for TikTokAppSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SecretsManager(id) => write!(f, "SecretsManager({id})"),
            Self::Env(app) => write!(f, "Env({app:?})"),
        }
    }
}

/// The TikTok app's credentials: the key is public, the secret signs everything.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct TikTokApp {
    pub app_key: String,
    pub app_secret: String,
}

impl std::fmt::Debug for TikTokApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikTokApp")
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .finish()
    }
}

/// Everything the functions read from their environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub events_table: String,
    pub order_log_table: String,
    pub orders_queue_url: String,
    pub tiktok_app: TikTokAppSource,
    pub tiktok_api_base_url: String,
    /// Webhook bodies above this are refused with 413 (TikTok's pushes are a few KiB).
    pub webhook_max_body_bytes: usize,
    /// How long raw events stay in the archive before DynamoDB's TTL removes them.
    pub event_retention_days: u32,
}

pub const DEFAULT_TIKTOK_API_BASE_URL: &str = "https://open-api.tiktokglobalshop.com";
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

impl Config {
    /// Loads from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Loads from any lookup, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let required = |var: &'static str, hint: &'static str| {
            get(var).ok_or(ConfigError::Missing { var, hint })
        };

        let events_table = required(
            EVENTS_TABLE.env_var,
            "set it to the events table name (the SAM template does this)",
        )?;
        let order_log_table = required(
            ORDER_LOG_TABLE.env_var,
            "set it to the order log table name (the SAM template does this)",
        )?;
        let orders_queue_url = required(
            ORDERS_QUEUE.env_var,
            "set it to the orders FIFO queue URL (the SAM template does this)",
        )?;
        if !orders_queue_url.ends_with(".fifo") {
            return Err(ConfigError::Invalid {
                var: ORDERS_QUEUE.env_var,
                reason: format!(
                    "{orders_queue_url} is not a FIFO queue URL (it must end in .fifo)"
                ),
            });
        }

        let tiktok_app = match get("TIKTOK_APP_SECRET_ID") {
            Some(id) => TikTokAppSource::SecretsManager(id),
            None => {
                let hint = "set TIKTOK_APP_SECRET_ID to a Secrets Manager secret, or TIKTOK_APP_KEY and TIKTOK_APP_SECRET for local runs";
                TikTokAppSource::Env(TikTokApp {
                    app_key: required("TIKTOK_APP_KEY", hint)?,
                    app_secret: required("TIKTOK_APP_SECRET", hint)?,
                })
            }
        };

        let tiktok_api_base_url =
            get("TIKTOK_API_BASE_URL").unwrap_or_else(|| DEFAULT_TIKTOK_API_BASE_URL.into());
        if !(tiktok_api_base_url.starts_with("https://")
            || tiktok_api_base_url.starts_with("http://127."))
        {
            return Err(ConfigError::Invalid {
                var: "TIKTOK_API_BASE_URL",
                reason: format!(
                    "{tiktok_api_base_url} must be an https:// URL (or a loopback simulator)"
                ),
            });
        }

        let webhook_max_body_bytes = parse_num(
            &get,
            "WEBHOOK_MAX_BODY_BYTES",
            DEFAULT_MAX_BODY_BYTES,
            1024,
            6 * 1024 * 1024,
        )?;
        let event_retention_days = parse_num(
            &get,
            "EVENT_RETENTION_DAYS",
            DEFAULT_RETENTION_DAYS,
            1,
            3650,
        )?;

        Ok(Self {
            events_table,
            order_log_table,
            orders_queue_url,
            tiktok_app,
            tiktok_api_base_url,
            webhook_max_body_bytes,
            event_retention_days,
        })
    }
}

fn parse_num<T>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match get(var) {
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

/// Reads a JSON secret from Secrets Manager; `shape` describes the expected
/// JSON for the error message.
async fn read_json_secret<T: serde::de::DeserializeOwned>(
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

/// Resolves the TikTok app credentials, reading Secrets Manager when configured.
pub async fn resolve_tiktok_app(
    source: &TikTokAppSource,
    secrets: &aws_sdk_secretsmanager::Client,
) -> Result<TikTokApp, ConfigError> {
    match source {
        TikTokAppSource::Env(app) => Ok(app.clone()),
        TikTokAppSource::SecretsManager(id) => {
            read_json_secret(secrets, id, r#"{"app_key":…,"app_secret":…}"#).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    const BASE: &[(&str, &str)] = &[
        ("EVENTS_TABLE", "ev"),
        ("ORDER_LOG_TABLE", "ol"),
        ("ORDERS_QUEUE_URL", "http://127.0.0.1:5000/123/orders.fifo"),
        ("TIKTOK_APP_KEY", "k"),
        ("TIKTOK_APP_SECRET", "s"),
    ];

    #[test]
    fn loads_with_defaults() {
        let c = Config::from_lookup(env(BASE)).unwrap();
        assert_eq!(c.webhook_max_body_bytes, 262_144);
        assert_eq!(c.tiktok_api_base_url, DEFAULT_TIKTOK_API_BASE_URL);
        assert!(matches!(c.tiktok_app, TikTokAppSource::Env(_)));
        assert!(
            !format!("{c:?}").contains("\"s\""),
            "secret must not appear in Debug output"
        );
    }

    #[test]
    fn missing_variable_is_named() {
        let pairs: Vec<_> = BASE
            .iter()
            .filter(|(k, _)| *k != "ORDERS_QUEUE_URL")
            .copied()
            .collect();
        let e = Config::from_lookup(env(&pairs)).unwrap_err();
        assert!(e.to_string().contains("ORDERS_QUEUE_URL"), "{e}");
    }

    #[test]
    fn invalid_values_are_named() {
        let mut pairs = BASE.to_vec();
        pairs.push(("WEBHOOK_MAX_BODY_BYTES", "lots"));
        let e = Config::from_lookup(env(&pairs)).unwrap_err();
        assert!(e.to_string().contains("WEBHOOK_MAX_BODY_BYTES"), "{e}");

        let mut pairs = BASE.to_vec();
        pairs[2] = ("ORDERS_QUEUE_URL", "http://127.0.0.1/123/orders");
        let e = Config::from_lookup(env(&pairs)).unwrap_err();
        assert!(e.to_string().contains(".fifo"), "{e}");
    }

    #[test]
    fn secret_id_wins_over_plain_keys() {
        let mut pairs = BASE[..3].to_vec();
        pairs.push((
            "TIKTOK_APP_SECRET_ID",
            "arn:aws:secretsmanager:eu-west-1:1:secret:tt",
        ));
        let c = Config::from_lookup(env(&pairs)).unwrap();
        assert!(matches!(c.tiktok_app, TikTokAppSource::SecretsManager(_)));
        let e = Config::from_lookup(env(&BASE[..3])).unwrap_err();
        assert!(e.to_string().contains("TIKTOK_APP_SECRET_ID"), "{e}");
    }
}

/// What only the NetSuite writer needs, loaded at its start.
#[derive(Clone, PartialEq)]
pub struct WriterSettings {
    pub netsuite: NetSuiteSource,
    /// `https://<acct>.suitetalk.api.netsuite.com` unless overridden (the simulator locally).
    pub netsuite_base_url: Option<String>,
    /// The integration's share of the account concurrency limit.
    pub netsuite_concurrency_limit: usize,
    /// Lambda event-source maximum concurrency; each invocation gets `limit / this` slots.
    pub writer_max_concurrency: usize,
    /// The orders queue's redrive count.
    pub max_receive_count: u32,
    pub mapping: crate::mapping::config::MappingConfig,
    pub tiktok_auth_base_url: String,
    /// SES sender and admin recipients of the failure digest (digest off when empty).
    pub alert_from: Option<String>,
    pub alert_to: Vec<String>,
}

impl std::fmt::Debug for WriterSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterSettings")
            .field("netsuite_base_url", &self.netsuite_base_url)
            .field(
                "netsuite_concurrency_limit",
                &self.netsuite_concurrency_limit,
            )
            .field("writer_max_concurrency", &self.writer_max_concurrency)
            .finish_non_exhaustive()
    }
}

/// Where NetSuite's TBA credentials come from.
#[derive(Clone, PartialEq, Eq)]
pub enum NetSuiteSource {
    /// `NETSUITE_SECRET_ID`: JSON `{account_id, consumer_key, consumer_secret, token_id, token_secret}`.
    SecretsManager(String),
    Env(NetSuiteCredentials),
}

#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct NetSuiteCredentials {
    pub account_id: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token_id: String,
    pub token_secret: String,
}

impl NetSuiteCredentials {
    pub fn tba(&self) -> crate::signing::netsuite::TbaCredentials {
        crate::signing::netsuite::TbaCredentials {
            realm: self.account_id.clone(),
            consumer_key: self.consumer_key.clone(),
            consumer_secret: self.consumer_secret.clone(),
            token_id: self.token_id.clone(),
            token_secret: self.token_secret.clone(),
        }
    }
}

pub const DEFAULT_TIKTOK_AUTH_BASE_URL: &str = "https://auth.tiktok-shops.com";

impl WriterSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let hint = "set NETSUITE_SECRET_ID to a Secrets Manager secret, or NETSUITE_ACCOUNT_ID, NETSUITE_CONSUMER_KEY, NETSUITE_CONSUMER_SECRET, NETSUITE_TOKEN_ID and NETSUITE_TOKEN_SECRET for local runs";
        let netsuite = match get("NETSUITE_SECRET_ID") {
            Some(id) => NetSuiteSource::SecretsManager(id),
            None => {
                let req = |var: &'static str| get(var).ok_or(ConfigError::Missing { var, hint });
                NetSuiteSource::Env(NetSuiteCredentials {
                    account_id: req("NETSUITE_ACCOUNT_ID")?,
                    consumer_key: req("NETSUITE_CONSUMER_KEY")?,
                    consumer_secret: req("NETSUITE_CONSUMER_SECRET")?,
                    token_id: req("NETSUITE_TOKEN_ID")?,
                    token_secret: req("NETSUITE_TOKEN_SECRET")?,
                })
            }
        };
        let mapping_raw = get("MAPPING_CONFIG").ok_or(ConfigError::Missing {
            var: "MAPPING_CONFIG",
            hint: "set it to the mapping JSON (or a path to it); see README, Mapping",
        })?;
        let mapping =
            crate::mapping::config::MappingConfig::load(&mapping_raw).map_err(|reason| {
                ConfigError::Invalid {
                    var: "MAPPING_CONFIG",
                    reason,
                }
            })?;
        let alert_to: Vec<String> = get("ALERT_TO")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let alert_from = get("ALERT_FROM");
        if !alert_to.is_empty() && alert_from.is_none() {
            return Err(ConfigError::Missing {
                var: "ALERT_FROM",
                hint: "ALERT_TO is set, so set ALERT_FROM to a verified SES sender",
            });
        }
        Ok(Self {
            netsuite,
            netsuite_base_url: get("NETSUITE_BASE_URL"),
            netsuite_concurrency_limit: parse_num(&get, "NETSUITE_CONCURRENCY_LIMIT", 5, 1, 1000)?,
            writer_max_concurrency: parse_num(&get, "WRITER_MAX_CONCURRENCY", 2, 1, 1000)?,
            max_receive_count: parse_num(
                &get,
                "MAX_RECEIVE_COUNT",
                crate::resources::ORDERS_QUEUE.redrive.map_or(5, |r| r.1),
                1,
                1000,
            )?,
            mapping,
            tiktok_auth_base_url: get("TIKTOK_AUTH_BASE_URL")
                .unwrap_or_else(|| DEFAULT_TIKTOK_AUTH_BASE_URL.into()),
            alert_from,
            alert_to,
        })
    }

    /// NetSuite request slots for one writer invocation: the account share
    /// divided over the concurrent invocations, at least one.
    pub fn per_invocation_concurrency(&self) -> usize {
        (self.netsuite_concurrency_limit / self.writer_max_concurrency.max(1)).max(1)
    }
}

/// Resolves NetSuite credentials, reading Secrets Manager when configured.
pub async fn resolve_netsuite(
    source: &NetSuiteSource,
    secrets: &aws_sdk_secretsmanager::Client,
) -> Result<NetSuiteCredentials, ConfigError> {
    match source {
        NetSuiteSource::Env(c) => Ok(c.clone()),
        NetSuiteSource::SecretsManager(id) => {
            read_json_secret(
                secrets,
                id,
                "with account_id, consumer_key, consumer_secret, token_id, token_secret",
            )
            .await
        }
    }
}

#[cfg(test)]
mod writer_tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn writer_settings_name_missing_and_invalid_variables() {
        let e = WriterSettings::from_lookup(env(&[("MAPPING_CONFIG", "{}")])).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_ACCOUNT_ID"), "{e}");
        let e = WriterSettings::from_lookup(env(&[("NETSUITE_SECRET_ID", "x")])).unwrap_err();
        assert!(e.to_string().contains("MAPPING_CONFIG"), "{e}");
        let e = WriterSettings::from_lookup(env(&[
            ("NETSUITE_SECRET_ID", "x"),
            ("MAPPING_CONFIG", "{\"default\": 3}"),
        ]))
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("MAPPING_CONFIG has an invalid value"),
            "{e}"
        );
        let s = WriterSettings::from_lookup(env(&[
            ("NETSUITE_SECRET_ID", "x"),
            (
                "MAPPING_CONFIG",
                r#"{"default":{"customer":{"mode":"generic","customer_id":"7"}}}"#,
            ),
            ("NETSUITE_CONCURRENCY_LIMIT", "5"),
            ("WRITER_MAX_CONCURRENCY", "2"),
        ]))
        .unwrap();
        assert_eq!(s.per_invocation_concurrency(), 2);
        assert_eq!(s.max_receive_count, 5);
    }
}
