//! What an accepted webhook becomes: an archive record (the proof it was
//! received, and the de-duplication key) and a queue message for the writer.
//!
//! The archive record is written *before* the message is enqueued and marked
//! `Queued` only after SQS accepted it, so a crash between the two leaves a
//! `Received` record that the next delivery of the same event re-enqueues.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::{NotificationId, OrderId, ShopId};

/// Lifecycle of an archived event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Stored; not yet confirmed on the queue.
    Received,
    /// On the queue for the writer.
    Queued,
    /// Archived and acknowledged, but a type the writer does not act on.
    Ignored,
    /// The writer consumed it.
    Processed,
    /// Signed but unusable (malformed JSON, missing fields): kept for inspection.
    Rejected,
    /// A value written by a newer version.
    #[serde(untagged)]
    Unknown(String),
}

impl EventStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Received => "received",
            Self::Queued => "queued",
            Self::Ignored => "ignored",
            Self::Processed => "processed",
            Self::Rejected => "rejected",
            Self::Unknown(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "received" => Self::Received,
            "queued" => Self::Queued,
            "ignored" => Self::Ignored,
            "processed" => Self::Processed,
            "rejected" => Self::Rejected,
            other => Self::Unknown(other.to_string()),
        }
    }
}

/// One raw webhook as archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedEvent {
    /// Archive key `EVT#{shop}#{notification}`; also the de-duplication key.
    pub key: String,
    pub shop_id: ShopId,
    pub notification_id: NotificationId,
    pub type_code: i64,
    pub type_name: String,
    pub order_id: Option<OrderId>,
    /// Raw body exactly as received (valid UTF-8 JSON, since it parsed).
    pub raw_body: String,
    pub received_at: i64,
    pub expires_at: i64,
    pub status: EventStatus,
}

/// A signed request that could not be used, archived so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEvent {
    /// `REJ#{sha256 of body}`.
    pub key: String,
    /// Body bytes, lossily decoded when not UTF-8.
    pub raw_body: String,
    pub reason: String,
    pub received_at: i64,
    pub expires_at: i64,
}

/// The writer's queue message. It carries the event's `data` so the writer
/// needs no archive read; the writer re-reads order state from TikTok anyway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedEvent {
    /// Message format version, for rolling upgrades.
    pub v: u32,
    pub event_key: String,
    pub shop_id: ShopId,
    pub notification_id: NotificationId,
    #[serde(rename = "type")]
    pub type_code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    pub received_at: i64,
    pub data: serde_json::Value,
}

/// Result of trying to store an event for the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First sighting: the record was written.
    New,
    /// Seen before; here is how far it got.
    Existing(EventStatus),
}

/// Failure of the archive or the queue. Both mean "answer 5xx so TikTok retries".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("event archive unavailable: {0}")]
    Archive(String),
    #[error("queue unavailable: {0}")]
    Queue(String),
}

/// The raw-event archive and de-duplication table.
#[async_trait]
pub trait EventArchive: Send + Sync {
    /// Conditionally writes the record; never overwrites an existing one.
    async fn claim(&self, event: &ArchivedEvent) -> Result<Claim, StoreError>;
    /// Moves an archived event to a new status. With `only_from`, the move
    /// happens only if the event is still in that status (the writer may have
    /// processed it before the webhook recorded that it was queued); a skipped
    /// move is not an error.
    async fn set_status(
        &self,
        key: &str,
        status: EventStatus,
        at: i64,
        only_from: Option<EventStatus>,
    ) -> Result<(), StoreError>;
    /// Keeps a signed-but-unusable request.
    async fn archive_rejected(&self, event: &RejectedEvent) -> Result<(), StoreError>;
}

/// The FIFO queue in front of the writer.
#[async_trait]
pub trait EventQueue: Send + Sync {
    async fn enqueue(
        &self,
        event: &QueuedEvent,
        group_id: &str,
        dedup_id: &str,
    ) -> Result<(), StoreError>;
}
