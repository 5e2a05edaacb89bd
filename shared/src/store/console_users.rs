//! Console users: one item per user in the console table (`pk = USER`,
//! `sk = {name}`), holding the role and the argon2id hash (PHC string),
//! never the password. Listing users is one query on `pk = USER`.

use async_trait::async_trait;

use super::aws::{describe, get_n, get_s, n, s};
use super::console_sessions::SessionRecord;
use super::{Store, StoreError};

crate::string_enum! {
    /// What a console user may do.
    pub enum Role {
        /// Reads every page.
        Viewer = "viewer",
        /// Also resubmits, ignores and edits SKU links.
        Operator = "operator",
        /// Also manages users and shops.
        Admin = "admin",
    }
}

impl Role {
    /// Rank for "at least" checks; an unknown role ranks below a viewer.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Viewer => 1,
            Self::Operator => 2,
            Self::Admin => 3,
            Self::Unknown(_) => 0,
        }
    }

    /// Whether this role includes `other`'s rights.
    pub fn at_least(&self, other: &Role) -> bool {
        self.rank() >= other.rank() && self.rank() > 0
    }
}

/// One console user. `Debug` hides the hash.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsoleUser {
    pub name: String,
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for ConsoleUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleUser")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// Partition key of every user item.
pub const USER_PK: &str = "USER";

#[async_trait]
pub trait ConsoleUsers: Send + Sync {
    async fn get(&self, name: &str) -> Result<Option<ConsoleUser>, StoreError>;
    async fn put(&self, user: &ConsoleUser) -> Result<(), StoreError>;
    /// `Ok(false)` when there was no such user.
    async fn delete(&self, name: &str) -> Result<bool, StoreError>;
    async fn list(&self) -> Result<Vec<ConsoleUser>, StoreError>;
    /// Stores a new session (see [`super::console_sessions`]).
    async fn start_session(&self, id: &str, session: &SessionRecord) -> Result<(), StoreError>;
    /// The user and their session `id`, as they are now (one read).
    async fn session(
        &self,
        user: &str,
        id: &str,
    ) -> Result<(Option<ConsoleUser>, Option<SessionRecord>), StoreError>;
    /// Ends one session (signing out).
    async fn end_session(&self, user: &str, id: &str) -> Result<(), StoreError>;
    /// Ends every session of a user; returns how many there were.
    async fn end_sessions(&self, user: &str) -> Result<usize, StoreError>;
}

pub struct DynamoConsoleUsers {
    pub(super) client: aws_sdk_dynamodb::Client,
    pub(super) table: String,
}

impl DynamoConsoleUsers {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub(super) fn decode(
        item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    ) -> Result<ConsoleUser, StoreError> {
        let name = get_s(item, "sk").cloned().unwrap_or_default();
        let corrupt = |reason: &str| StoreError::Corrupt {
            store: Store::ConsoleUsers,
            key: format!("{USER_PK}/{name}"),
            reason: reason.to_string(),
        };
        Ok(ConsoleUser {
            role: Role::parse(get_s(item, "role").ok_or_else(|| corrupt("no role"))?),
            password_hash: get_s(item, "password_hash")
                .cloned()
                .ok_or_else(|| corrupt("no password_hash"))?,
            created_at: get_n(item, "created_at").unwrap_or(0),
            updated_at: get_n(item, "updated_at").unwrap_or(0),
            name,
        })
    }
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::ConsoleUsers, describe(e))
}

#[async_trait]
impl ConsoleUsers for DynamoConsoleUsers {
    async fn get(&self, name: &str) -> Result<Option<ConsoleUser>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(USER_PK))
            .key("sk", s(name))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        out.item().map(Self::decode).transpose()
    }

    async fn put(&self, u: &ConsoleUser) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(USER_PK))
            .item("sk", s(&u.name))
            .item("role", s(u.role.as_str()))
            .item("password_hash", s(&u.password_hash))
            .item("created_at", n(u.created_at))
            .item("updated_at", n(u.updated_at))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn delete(&self, name: &str) -> Result<bool, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(USER_PK))
            .key("sk", s(name))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()))
    }

    async fn list(&self) -> Result<Vec<ConsoleUser>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", s(USER_PK))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            for item in page.items() {
                out.push(Self::decode(item)?);
            }
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }

    async fn start_session(&self, id: &str, session: &SessionRecord) -> Result<(), StoreError> {
        self.put_session(id, session).await
    }

    async fn session(
        &self,
        user: &str,
        id: &str,
    ) -> Result<(Option<ConsoleUser>, Option<SessionRecord>), StoreError> {
        self.read_session(user, id).await
    }

    async fn end_session(&self, user: &str, id: &str) -> Result<(), StoreError> {
        self.delete_session(user, id).await
    }

    async fn end_sessions(&self, user: &str) -> Result<usize, StoreError> {
        self.delete_sessions(user).await
    }
}
