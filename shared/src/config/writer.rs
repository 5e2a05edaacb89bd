//! The writer's own settings, the webhook's limits and the admin alerts.

use super::{ConfigError, Env};
use crate::mapping::config::MappingConfig;

/// The largest webhook body the archive and the queue can both hold: an SQS
/// message is at most 256 KiB *including* our envelope around the event's
/// `data` (a copy of part of the body, plus ids: well under 16 KiB), and a
/// DynamoDB item at most 400 KB. The config refuses anything larger.
pub const MAX_BODY_BYTES: usize = 240 * 1024;

/// TikTok's pushes are a few KiB; the default is the most that fits.
pub const DEFAULT_MAX_BODY_BYTES: usize = MAX_BODY_BYTES;

/// What the webhook accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookLimits {
    /// `WEBHOOK_MAX_BODY_BYTES`: larger bodies are refused with 413 (TikTok's pushes are a few KiB).
    pub max_body_bytes: usize,
}

impl WebhookLimits {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            max_body_bytes: env.number(
                "WEBHOOK_MAX_BODY_BYTES",
                DEFAULT_MAX_BODY_BYTES,
                1024,
                MAX_BODY_BYTES,
            )?,
        })
    }
}

/// How the writer maps and retries.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterSettings {
    /// `MAX_RECEIVE_COUNT`: the orders queue's redrive count.
    pub max_receive_count: u32,
    /// `MAPPING_CONFIG`: per-shop mapping JSON, inline or a path.
    pub mapping: MappingConfig,
    /// `MESSAGE_BUDGET_SECS`: the most one message may take, every call and
    /// retry included; a message is started only if this fits before the
    /// invocation's deadline (see `writer::batch`).
    pub message_budget: std::time::Duration,
}

/// Default message budget: a third of the writer's 60 s timeout, so a
/// group's message and its successor fit in one invocation with room to spare.
pub const DEFAULT_MESSAGE_BUDGET_SECS: u64 = 20;

/// `MAPPING_CONFIG`: the mapping JSON, inline or a path (writer and jobs).
pub fn load_mapping(env: &Env<'_>) -> Result<MappingConfig, ConfigError> {
    let raw = env.required(
        "MAPPING_CONFIG",
        "set it to the mapping JSON (or a path to it); see README, Mapping",
    )?;
    MappingConfig::load(&raw).map_err(|reason| ConfigError::Invalid {
        var: "MAPPING_CONFIG",
        reason,
    })
}

impl WriterSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let mapping = load_mapping(env)?;
        Ok(Self {
            max_receive_count: env.number(
                "MAX_RECEIVE_COUNT",
                crate::resources::ORDERS_QUEUE.redrive.map_or(5, |r| r.1),
                1,
                1000,
            )?,
            mapping,
            message_budget: std::time::Duration::from_secs(env.number(
                "MESSAGE_BUDGET_SECS",
                DEFAULT_MESSAGE_BUDGET_SECS,
                5,
                u64::from(crate::resources::WRITER_TIMEOUT_SECS) - 5,
            )?),
        })
    }
}

/// The SES sender and admin recipients of the failure digest (off when empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertSettings {
    pub from: Option<String>,
    pub to: Vec<String>,
}

impl AlertSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let to: Vec<String> = env
            .get("ALERT_TO")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let from = env.get("ALERT_FROM");
        if !to.is_empty() && from.is_none() {
            return Err(ConfigError::Missing {
                var: "ALERT_FROM",
                hint: "ALERT_TO is set, so set ALERT_FROM to a verified SES sender",
            });
        }
        Ok(Self { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_env::pairs;
    use super::*;

    #[test]
    fn writer_settings_name_missing_and_invalid_variables() {
        let e = WriterSettings::load(&Env::new(&pairs(&[]))).unwrap_err();
        assert!(e.to_string().contains("MAPPING_CONFIG"), "{e}");
        let env = pairs(&[("MAPPING_CONFIG", "{\"default\": 3}")]);
        let e = WriterSettings::load(&Env::new(&env)).unwrap_err();
        assert!(
            e.to_string()
                .contains("MAPPING_CONFIG has an invalid value"),
            "{e}"
        );
        let env = pairs(&[(
            "MAPPING_CONFIG",
            r#"{"default":{"books_currency":"USD","customer":{"mode":"generic","customer_id":"7"}}}"#,
        )]);
        assert_eq!(
            WriterSettings::load(&Env::new(&env))
                .unwrap()
                .max_receive_count,
            5
        );
        let e = AlertSettings::load(&Env::new(&pairs(&[("ALERT_TO", "a@x")]))).unwrap_err();
        assert!(e.to_string().contains("ALERT_FROM"), "{e}");
        let e = WebhookLimits::load(&Env::new(&pairs(&[("WEBHOOK_MAX_BODY_BYTES", "lots")])))
            .unwrap_err();
        assert!(e.to_string().contains("WEBHOOK_MAX_BODY_BYTES"), "{e}");
        // More than the queue can carry with our envelope is refused.
        let e = WebhookLimits::load(&Env::new(&pairs(&[("WEBHOOK_MAX_BODY_BYTES", "262144")])))
            .unwrap_err();
        assert!(e.to_string().contains("245760"), "{e}");
    }
}
