//! Where state lives: the ports (small traits) the flows are written over,
//! their DynamoDB/SQS implementations, the key formats, and one error type.
//!
//! - [`events`]: the raw webhook archive, which is also the de-duplication key.
//! - [`queue`]: the orders FIFO queue and its message, [`queue::QueuedEvent`].
//! - [`order_log`]: one entry per shop + order, with its attempt history.
//! - [`sku_links`]: TikTok seller SKU → NetSuite item, per shop.
//! - [`tokens`]: each shop's TikTok credentials; [`shop_profiles`]: its name,
//!   region and connection state; [`connect_states`]: pending authorizations.
//! - [`job_runs`]: scheduled jobs' leases, checkpoints and run log.
//! - [`pushed_fulfilments`]: fulfilments whose tracking reached TikTok.
//! - [`keys`]: every partition key and SQS id format, built in one place.
//! - [`aws`]: the SDK helpers every implementation shares.
//!
//! Flows depend on the traits only; which table or queue backs a trait is
//! decided once, in [`crate::app`].

pub mod aws;
pub mod batch_write;
pub mod cached_links;
pub mod connect_states;
pub mod console_sessions;
pub mod console_users;
pub mod events;
mod failure;
pub mod job_runs;
pub mod keys;
pub mod label_states;
pub mod login_throttle;
pub mod netsuite_slots;
mod order_apply;
pub mod order_awaiting;
pub mod order_index;
pub mod order_item;
pub mod order_log;
pub mod order_shipments;
pub mod pushed_fulfilments;
pub mod queue;
pub mod returns;
pub mod shop_directory;
pub mod shop_profiles;
pub mod sku_links;
pub mod tokens;

pub use cached_links::CachedSkuLinks;
pub use connect_states::{ConnectStates, DynamoConnectStates, PendingConnect};
pub use console_sessions::SessionRecord;
pub use console_users::{ConsoleUser, ConsoleUsers, DynamoConsoleUsers, Role};
pub use events::{
    ArchivedEvent, Claim, DynamoEventArchive, EventArchive, EventStatus, RejectedEvent,
};
pub use job_runs::{DynamoJobRuns, JobRun, JobRuns, LeaseState, RunFailure, RunStatus};
pub use login_throttle::{Counted, DynamoLoginThrottle, Failures, LoginThrottle};
pub use netsuite_slots::DynamoSlotPool;
pub use order_log::{
    Attempt, DynamoOrderLog, LogFilter, LogPage, OrderLog, OrderLogEntry, Outcome, ShipmentRecord,
    SyncStatus,
};
pub use pushed_fulfilments::{DynamoPushedFulfilments, PushedFulfilments, PushedRecord};
pub use queue::{EventQueue, QueuedEvent, SqsEventQueue};
pub use shop_profiles::{DynamoShopProfiles, ShopProfile, ShopProfiles};
pub use sku_links::{DynamoSkuLinks, SkuLink, SkuLinks};
pub use tokens::{DynamoShopTokenStore, ShopCredentials, ShopTokenStore};

/// Which store failed, so an error names the right thing: a SKU lookup that
/// fails must not reach a merchant's order log as "event archive unavailable".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    EventArchive,
    OrdersQueue,
    OrderLog,
    SkuLinks,
    ShopTokens,
    JobRuns,
    ConsoleUsers,
    Returns,
}

impl Store {
    pub fn name(self) -> &'static str {
        match self {
            Self::EventArchive => "event archive",
            Self::OrdersQueue => "orders queue",
            Self::OrderLog => "order log",
            Self::SkuLinks => "SKU links",
            Self::ShopTokens => "shop token store",
            Self::JobRuns => "job run log",
            Self::ConsoleUsers => "console users",
            Self::Returns => "returns store",
        }
    }
}

impl std::fmt::Display for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The storage boundary's one error type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The service did not answer or refused the call: try again later.
    #[error("{store} unavailable: {reason}")]
    Unavailable { store: Store, reason: String },
    /// An item exists but cannot be read (written by hand, or by another version).
    #[error("{store}: item {key} is unreadable: {reason}")]
    Corrupt {
        store: Store,
        key: String,
        reason: String,
    },
    /// Optimistic concurrency lost too many times in a row.
    #[error("{store}: {key} kept changing; giving up this attempt")]
    Contention { store: Store, key: String },
}

impl StoreError {
    pub fn unavailable(store: Store, reason: impl Into<String>) -> Self {
        Self::Unavailable {
            store,
            reason: reason.into(),
        }
    }

    /// Which store failed.
    pub fn store(&self) -> Store {
        match self {
            Self::Unavailable { store, .. }
            | Self::Corrupt { store, .. }
            | Self::Contention { store, .. } => *store,
        }
    }
}
