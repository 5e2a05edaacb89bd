//! Pending shop authorizations: the `state` a "Connect a shop" sent to
//! TikTok, kept on the server because the console's session cookie
//! (`SameSite=Strict`) does not come back on TikTok's redirect.
//!
//! One item per state in the console table (`pk = CONNECT#{sha256(state)}`,
//! `sk = STATE`): who started it, when, and when it ends (`expires_at`, also
//! the table's TTL attribute; the check reads the time itself, since TTL
//! deletes within days, not at once). Taking a state is one conditional
//! `DeleteItem` returning the old item: of two callbacks with the same state,
//! exactly one gets it.

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use super::aws::{describe, get_n, get_s, is_condition_failed, n, s};
use super::{keys, Store, StoreError};

/// How long a started authorization may take: TikTok's `auth_code` lives
/// 30 minutes (tiktok-shop-api.md §8), and so does the state.
pub const STATE_TTL_SECS: i64 = 30 * 60;

/// One pending authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingConnect {
    /// The operator who started it (a console user, or `cli:{name}`).
    pub operator: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Why a callback's `state` is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateRefusal {
    /// Never issued, or already used: a state works once.
    UnknownOrUsed,
    /// Issued, but more than 30 minutes ago.
    Expired { operator: String },
}

/// The store's answer checked against the clock: the operator, or why not.
pub fn check_taken(taken: Option<PendingConnect>, now: i64) -> Result<String, StateRefusal> {
    match taken {
        None => Err(StateRefusal::UnknownOrUsed),
        Some(p) if p.expires_at <= now => Err(StateRefusal::Expired {
            operator: p.operator,
        }),
        Some(p) => Ok(p.operator),
    }
}

/// The key half of a state: its SHA-256, hex.
pub fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

/// Where pending authorizations live.
#[async_trait]
pub trait ConnectStates: Send + Sync {
    async fn put(&self, state: &str, pending: &PendingConnect) -> Result<(), StoreError>;
    /// Removes and returns the state's record, if there is one (once).
    async fn take(&self, state: &str) -> Result<Option<PendingConnect>, StoreError>;
}

/// Pending authorizations in the console table.
pub struct DynamoConnectStates {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoConnectStates {
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
impl ConnectStates for DynamoConnectStates {
    async fn put(&self, state: &str, p: &PendingConnect) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::connect_state(&state_hash(state))))
            .item("sk", s(keys::CONNECT_STATE_SK))
            .item("operator", s(&p.operator))
            .item("created_at", n(p.created_at))
            .item("expires_at", n(p.expires_at))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn take(&self, state: &str) -> Result<Option<PendingConnect>, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(keys::connect_state(&state_hash(state))))
            .key("sk", s(keys::CONNECT_STATE_SK))
            .condition_expression("attribute_exists(pk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) if is_condition_failed(&e) => return Ok(None),
            Err(e) => return Err(unavailable(&e)),
        };
        Ok(out.attributes().map(|a| PendingConnect {
            operator: get_s(a, "operator").cloned().unwrap_or_default(),
            created_at: get_n(a, "created_at").unwrap_or(0),
            expires_at: get_n(a, "expires_at").unwrap_or(0),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_good_once_and_for_thirty_minutes() {
        let p = PendingConnect {
            operator: "ada".into(),
            created_at: 1_000,
            expires_at: 1_000 + STATE_TTL_SECS,
        };
        assert_eq!(
            check_taken(Some(p.clone()), 1_000 + 1_799),
            Ok("ada".into())
        );
        assert_eq!(
            check_taken(Some(p), 1_000 + STATE_TTL_SECS),
            Err(StateRefusal::Expired {
                operator: "ada".into()
            })
        );
        assert_eq!(check_taken(None, 0), Err(StateRefusal::UnknownOrUsed));
        assert_eq!(state_hash("x").len(), 64);
        assert_ne!(state_hash("x"), state_hash("y"));
    }
}
