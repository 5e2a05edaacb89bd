//! Console sessions, server-side: one item per signed-in browser in the
//! console table (`pk = SESSION#{user}`, `sk = {session id}`), holding the
//! user, the role and a fingerprint of the password hash it was opened
//! with, when it started and when it ends (`expires_at`, also the table's
//! TTL attribute, so DynamoDB deletes it within days of its end; the guard
//! checks the time itself).
//!
//! The session id is a hash of the random nonce in the signed cookie, so
//! the table never holds what a cookie carries. A session is alive while
//! its item exists: signing out deletes it; removing a user, resetting a
//! password or changing a role deletes every item under the user's
//! partition (one query, one delete each). The guard reads the user and
//! the session in one `BatchGetItem` (two strongly consistent reads).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};

use super::aws::{describe, get_n, get_s, n, s};
use super::console_users::{ConsoleUser, DynamoConsoleUsers, Role, USER_PK};
use super::{Store, StoreError};

/// One session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: String,
    /// The role when the session started: a different role now ends it.
    pub role: Role,
    /// Fingerprint of the password hash at sign-in: a reset ends it.
    pub password_tag: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The partition of a user's sessions.
pub fn session_pk(user: &str) -> String {
    format!("SESSION#{user}")
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::ConsoleUsers, describe(e))
}

type Item = HashMap<String, AttributeValue>;

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

fn decode(item: &Item) -> SessionRecord {
    SessionRecord {
        user: get_s(item, "user").cloned().unwrap_or_default(),
        role: Role::parse(get_s(item, "role").map_or("", String::as_str)),
        password_tag: get_s(item, "password_tag").cloned().unwrap_or_default(),
        created_at: get_n(item, "created_at").unwrap_or(0),
        expires_at: get_n(item, "expires_at").unwrap_or(0),
    }
}

impl DynamoConsoleUsers {
    pub(super) async fn put_session(&self, id: &str, r: &SessionRecord) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(session_pk(&r.user)))
            .item("sk", s(id))
            .item("user", s(&r.user))
            .item("role", s(r.role.as_str()))
            .item("password_tag", s(&r.password_tag))
            .item("created_at", n(r.created_at))
            .item("expires_at", n(r.expires_at))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    /// The user and the session, in one round trip.
    pub(super) async fn read_session(
        &self,
        user: &str,
        id: &str,
    ) -> Result<(Option<ConsoleUser>, Option<SessionRecord>), StoreError> {
        let keys = KeysAndAttributes::builder()
            .keys(key(USER_PK.to_string(), user))
            .keys(key(session_pk(user), id))
            .consistent_read(true)
            .build()
            .map_err(|e| unavailable(&e))?;
        let mut request = HashMap::from([(self.table.clone(), keys)]);
        let (mut found_user, mut found_session) = (None, None);
        // Unprocessed keys (throttling) are asked again, a few times.
        for _ in 0..3 {
            let out = self
                .client
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            for item in out
                .responses()
                .and_then(|r| r.get(&self.table))
                .into_iter()
                .flatten()
            {
                if get_s(item, "pk").is_some_and(|p| p == USER_PK) {
                    found_user = Some(Self::decode(item)?);
                } else {
                    found_session = Some(decode(item));
                }
            }
            match out.unprocessed_keys() {
                Some(u) if !u.is_empty() => request = u.clone(),
                _ => return Ok((found_user, found_session)),
            }
        }
        Err(StoreError::unavailable(
            Store::ConsoleUsers,
            "sessions: DynamoDB left keys unprocessed three times",
        ))
    }

    pub(super) async fn delete_session(&self, user: &str, id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(session_pk(user)))
            .key("sk", s(id))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    /// Deletes every session of a user; returns how many there were.
    pub(super) async fn delete_sessions(&self, user: &str) -> Result<usize, StoreError> {
        let mut ids = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", s(session_pk(user)))
                .projection_expression("sk")
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            ids.extend(page.items().iter().filter_map(|i| get_s(i, "sk").cloned()));
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => break,
            }
        }
        for id in &ids {
            self.delete_session(user, id).await?;
        }
        Ok(ids.len())
    }
}
