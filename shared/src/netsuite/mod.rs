//! NetSuite SuiteTalk REST: the authenticated client with governance.
//!
//! - [`NetSuiteClient`]: record upsert by externalId, get, create, patch,
//!   transform and paged SuiteQL, authenticated with TBA
//!   ([`crate::signing::netsuite`]) or an OAuth 2.0 client-credentials
//!   token ([`crate::signing::netsuite_m2m`], cached in `oauth2.rs`), and
//!   kept within the account's concurrency limit by a semaphore (NetSuite
//!   REST notes §5).
//! - [`NsError`]: the single error type of this boundary.
//!
//! Retry policy: 429, 5xx and network failures are retried with full-jitter
//! exponential backoff, except that a non-idempotent POST (create,
//! transform) is retried only when NetSuite provably did not run it (429,
//! connect failure). Writers should prefer [`NetSuiteClient::upsert_by_external_id`],
//! which is safe to retry (§6).

mod attempt;
mod budget;
mod checks;
mod error;
mod failure;
mod files;
mod lease_pool;
mod lease_settings;
mod oauth2;
mod records;
mod slot_pool;
mod suiteql;
mod transport;

use std::time::Duration;

pub use budget::NetSuiteBudget;
pub use error::{NsError, MAX_BODY_CHARS};
pub use lease_pool::{
    may_take, waiters_ahead, KeeperSettings, KeeperStats, Lease, PoolView, SlotError, SlotKeeper,
    SlotPool, Take,
};
pub use lease_settings::{after_request, poll_nap, AfterRequest};
pub use suiteql::{column_text, SuiteQlPage, SUITEQL_MAX_LIMIT};
pub use transport::NetSuiteClient;

use crate::signing::netsuite::TbaCredentials;
use crate::signing::netsuite_m2m::M2mCredentials;

/// How the client authenticates: TBA (OAuth 1.0a, §1a) or OAuth 2.0 client
/// credentials (M2M, §1b). Oracle allows no new TBA integrations for REST
/// from 2027.1 (help section_158618788810), so new merchants use M2M.
#[derive(Debug, Clone)]
pub enum NetSuiteAuth {
    Tba(TbaCredentials),
    M2m(M2mCredentials),
}

impl NetSuiteAuth {
    /// The account id (`1234567_SB1`).
    pub fn account_id(&self) -> &str {
        match self {
            NetSuiteAuth::Tba(c) => &c.realm,
            NetSuiteAuth::M2m(c) => &c.account_id,
        }
    }
}

impl From<TbaCredentials> for NetSuiteAuth {
    fn from(c: TbaCredentials) -> Self {
        NetSuiteAuth::Tba(c)
    }
}

impl From<M2mCredentials> for NetSuiteAuth {
    fn from(c: M2mCredentials) -> Self {
        NetSuiteAuth::M2m(c)
    }
}

/// Concurrency of a Shared/Standard-tier or developer account (§5); a safe
/// default when the integration's allocation is unknown.
pub const DEFAULT_CONCURRENCY: usize = 5;

/// How to reach and pace one NetSuite account.
#[derive(Debug, Clone)]
pub struct NetSuiteConfig {
    /// `https://<acct>.suitetalk.api.netsuite.com` (see [`host_for_account`])
    /// or a simulator's `http://127.0.0.1:PORT`. No trailing slash needed.
    pub base_url: String,
    pub credentials: NetSuiteAuth,
    /// Maximum requests in flight from this client (and its clones). Set it
    /// to the integration's share of the account limit.
    pub concurrency: usize,
    /// Attempts per call, including the first.
    pub max_attempts: u32,
    /// First backoff cap; doubles per attempt.
    pub base_backoff: Duration,
    /// Upper bound of any single backoff.
    pub max_backoff: Duration,
    /// Whole-request timeout (connect, send, response body).
    pub request_timeout: Duration,
}

impl NetSuiteConfig {
    /// A config with the defaults: concurrency 5, 6 attempts, backoff 250 ms
    /// doubling up to 8 s, 30 s per request.
    pub fn new(base_url: impl Into<String>, credentials: impl Into<NetSuiteAuth>) -> Self {
        Self {
            base_url: base_url.into(),
            credentials: credentials.into(),
            concurrency: DEFAULT_CONCURRENCY,
            max_attempts: 6,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            request_timeout: Duration::from_secs(30),
        }
    }

    /// A config for the production/sandbox host of the credentials' account.
    /// Oracle recommends the Company URLs page over building the host, so
    /// prefer [`NetSuiteConfig::new`] when the URL is configured.
    pub fn for_account(credentials: impl Into<NetSuiteAuth>) -> Self {
        let credentials = credentials.into();
        let base = format!("https://{}", host_for_account(credentials.account_id()));
        Self::new(base, credentials)
    }
}

/// The SuiteTalk REST host of an account: lower-cased, `_` → `-`, plus
/// `.suitetalk.api.netsuite.com` (§1a), e.g. `123456_SB1` →
/// `123456-sb1.suitetalk.api.netsuite.com`.
pub fn host_for_account(account_id: &str) -> String {
    format!(
        "{}.suitetalk.api.netsuite.com",
        account_id.trim().to_ascii_lowercase().replace('_', "-")
    )
}

/// A SuiteQL string literal: single-quoted, embedded quotes doubled, so a
/// SKU or email can never break out of the literal.
pub fn sql_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_rule() {
        assert_eq!(
            host_for_account("123456_SB1"),
            "123456-sb1.suitetalk.api.netsuite.com"
        );
        assert_eq!(
            host_for_account("1234567"),
            "1234567.suitetalk.api.netsuite.com"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(sql_quote("TENT-2P-GRN"), "'TENT-2P-GRN'");
        assert_eq!(sql_quote("o'brien@x.com"), "'o''brien@x.com'");
        assert_eq!(sql_quote("''"), "''''''");
        assert_eq!(sql_quote(""), "''");
    }
}
