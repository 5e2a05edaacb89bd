//! Failed-login counters, per user and per source address, in the console
//! table (`pk = THROTTLE`, `sk = user#{name}` / `src#{addr}`), so a lockout
//! holds across Lambda instances. Items expire by TTL after their window.
//!
//! The decision (when a key is locked) is `console::auth::throttle`'s; this
//! file only counts.

use async_trait::async_trait;

use super::aws::{describe, get_n, n, s};
use super::{Store, StoreError};

pub const THROTTLE_PK: &str = "THROTTLE";

/// A key's failures in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: u32,
    /// When the window started (epoch seconds).
    pub since: i64,
}

#[async_trait]
pub trait LoginThrottle: Send + Sync {
    async fn failures(&self, key: &str) -> Result<Failures, StoreError>;
    /// Adds one failure; a window older than `window_secs` starts over.
    async fn fail(&self, key: &str, now: i64, window_secs: i64) -> Result<Failures, StoreError>;
    async fn clear(&self, key: &str) -> Result<(), StoreError>;
}

pub struct DynamoLoginThrottle {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoLoginThrottle {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::ConsoleUsers, describe(e))
}

#[async_trait]
impl LoginThrottle for DynamoLoginThrottle {
    async fn failures(&self, key: &str) -> Result<Failures, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(THROTTLE_PK))
            .key("sk", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out
            .item()
            .map(|i| Failures {
                count: get_n(i, "count").unwrap_or(0),
                since: get_n(i, "since").unwrap_or(0),
            })
            .unwrap_or_default())
    }

    async fn fail(&self, key: &str, now: i64, window_secs: i64) -> Result<Failures, StoreError> {
        // One atomic update: a window still open is counted up, an expired
        // (or missing) one restarts at 1.
        let open = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(THROTTLE_PK))
            .key("sk", s(key))
            .update_expression("ADD #c :one")
            .condition_expression("attribute_exists(#c) AND since > :old")
            .expression_attribute_names("#c", "count")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":old", n(now - window_secs))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match open {
            Ok(out) => {
                let a = out.attributes().cloned().unwrap_or_default();
                return Ok(Failures {
                    count: get_n(&a, "count").unwrap_or(1),
                    since: get_n(&a, "since").unwrap_or(now),
                });
            }
            Err(e) if super::aws::is_condition_failed(&e) => {}
            Err(e) => return Err(unavailable(&e)),
        }
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(THROTTLE_PK))
            .item("sk", s(key))
            .item("count", n(1))
            .item("since", n(now))
            .item("expires_at", n(now + 2 * window_secs))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(Failures {
            count: 1,
            since: now,
        })
    }

    async fn clear(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(THROTTLE_PK))
            .key("sk", s(key))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }
}
