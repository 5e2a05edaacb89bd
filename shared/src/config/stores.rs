//! Table names, the orders queue, and how long the archive keeps events.

use super::{ConfigError, Env};
use crate::resources::{EVENTS_TABLE, ORDERS_QUEUE, ORDER_LOG_TABLE, SHOP_TOKENS_TABLE};

pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// The events table (archive + de-duplication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsSettings {
    pub table: String,
    /// `EVENT_RETENTION_DAYS`: how long raw events stay before DynamoDB's TTL removes them.
    pub retention_days: u32,
}

impl EventsSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            table: env.required(
                EVENTS_TABLE.env_var,
                "set it to the events table name (the SAM template does this)",
            )?,
            retention_days: env.number("EVENT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, 3650)?,
        })
    }
}

/// The order log table (also SKU links and shop tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLogSettings {
    pub table: String,
}

impl OrderLogSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            table: env.required(
                ORDER_LOG_TABLE.env_var,
                "set it to the order log table name (the SAM template does this)",
            )?,
        })
    }
}

/// The shop tokens table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokensSettings {
    pub table: String,
}

impl TokensSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            table: env.required(
                SHOP_TOKENS_TABLE.env_var,
                "set it to the shop tokens table name (the SAM template does this)",
            )?,
        })
    }
}

/// The orders FIFO queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSettings {
    pub url: String,
}

impl QueueSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let url = env.required(
            ORDERS_QUEUE.env_var,
            "set it to the orders FIFO queue URL (the SAM template does this)",
        )?;
        if !url.ends_with(".fifo") {
            return Err(ConfigError::Invalid {
                var: ORDERS_QUEUE.env_var,
                reason: format!("{url} is not a FIFO queue URL (it must end in .fifo)"),
            });
        }
        Ok(Self { url })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_env::pairs;
    use super::*;

    #[test]
    fn queue_must_be_fifo_and_numbers_in_range() {
        let env = pairs(&[("ORDERS_QUEUE_URL", "http://127.0.0.1/123/orders")]);
        let e = QueueSettings::load(&Env::new(&env)).unwrap_err();
        assert!(e.to_string().contains(".fifo"), "{e}");
        let env = pairs(&[("EVENTS_TABLE", "ev"), ("EVENT_RETENTION_DAYS", "lots")]);
        let e = EventsSettings::load(&Env::new(&env)).unwrap_err();
        assert!(e.to_string().contains("EVENT_RETENTION_DAYS"), "{e}");
    }
}
