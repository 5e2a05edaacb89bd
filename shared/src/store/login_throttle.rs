//! Login-attempt counters, per user and per source address, in the console
//! table (`pk = THROTTLE`, `sk = user#{name}` / `src#{addr}`), so a lockout
//! holds across Lambda instances. An attempt is counted (a conditional
//! update) before its password is checked, so a burst of concurrent
//! attempts cannot all get past the limit. Items expire by TTL after their
//! window.
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

/// What counting a login attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Counted: the password may be checked. The window after it.
    Yes(Failures),
    /// The window is full: not counted, the password must not be checked.
    Refused(Failures),
}

#[async_trait]
pub trait LoginThrottle: Send + Sync {
    async fn failures(&self, key: &str) -> Result<Failures, StoreError>;
    /// Counts one attempt if the key's window has room for it (fewer than
    /// `limit` attempts), atomically: of any number of concurrent
    /// attempts, at most `limit` per window are [`Counted::Yes`]. A window
    /// older than `window_secs` starts over.
    async fn attempt(
        &self,
        key: &str,
        now: i64,
        window_secs: i64,
        limit: u32,
    ) -> Result<Counted, StoreError>;
    /// Takes one counted attempt back (a source's successful sign-in).
    async fn forgive(&self, key: &str) -> Result<(), StoreError>;
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

/// Rounds of (count, start, read) one attempt may take when concurrent
/// attempts keep changing the window under it.
const ROUNDS: usize = 4;

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

    async fn attempt(
        &self,
        key: &str,
        now: i64,
        window_secs: i64,
        limit: u32,
    ) -> Result<Counted, StoreError> {
        let old = now - window_secs;
        for _ in 0..ROUNDS {
            // No window yet, or an open one with room: one conditional
            // update creates or counts it.
            let counted = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(THROTTLE_PK))
                .key("sk", s(key))
                .update_expression(
                    "SET #c = if_not_exists(#c, :zero) + :one, since = if_not_exists(since, :now), expires_at = :exp",
                )
                .condition_expression("attribute_not_exists(#c) OR (since > :old AND #c < :limit)")
                .expression_attribute_names("#c", "count")
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":exp", n(now + 2 * window_secs))
                .expression_attribute_values(":old", n(old))
                .expression_attribute_values(":limit", n(limit))
                .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
                .send()
                .await;
            match counted {
                Ok(out) => {
                    let a = out.attributes().cloned().unwrap_or_default();
                    return Ok(Counted::Yes(Failures {
                        count: get_n(&a, "count").unwrap_or(1),
                        since: get_n(&a, "since").unwrap_or(now),
                    }));
                }
                Err(e) if super::aws::is_condition_failed(&e) => {}
                Err(e) => return Err(unavailable(&e)),
            }
            // An expired window: start a new one at 1 (only one of
            // concurrent starters wins; the others go round again).
            let restarted = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(THROTTLE_PK))
                .key("sk", s(key))
                .update_expression("SET #c = :one, since = :now, expires_at = :exp")
                .condition_expression("since <= :old")
                .expression_attribute_names("#c", "count")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":exp", n(now + 2 * window_secs))
                .expression_attribute_values(":old", n(old))
                .send()
                .await;
            match restarted {
                Ok(_) => {
                    return Ok(Counted::Yes(Failures {
                        count: 1,
                        since: now,
                    }))
                }
                Err(e) if super::aws::is_condition_failed(&e) => {}
                Err(e) => return Err(unavailable(&e)),
            }
            // An open window: full means refused; else it just opened.
            let f = self.failures(key).await?;
            if f.since > old && f.count >= limit {
                return Ok(Counted::Refused(f));
            }
        }
        Err(StoreError::unavailable(
            Store::ConsoleUsers,
            format!("login throttle: {key} changed under {ROUNDS} rounds of attempts"),
        ))
    }

    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(THROTTLE_PK))
            .key("sk", s(key))
            .update_expression("ADD #c :minus")
            .condition_expression("#c > :zero")
            .expression_attribute_names("#c", "count")
            .expression_attribute_values(":minus", n(-1))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) if super::aws::is_condition_failed(&e) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
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
