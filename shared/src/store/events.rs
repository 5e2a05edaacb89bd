//! The events table: every accepted webhook archived as it arrived, with one
//! conditional put that is also the de-duplication.
//!
//! The archive record is written *before* the message is enqueued and marked
//! `Queued` only after SQS accepted it, so a crash between the two leaves a
//! `Received` record that the next delivery of the same event re-enqueues.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;

use super::aws::{describe, is_condition_failed, n, s};
use super::{Store, StoreError};
use crate::domain::{NotificationId, OrderId, ShopId};

crate::string_enum! {
    /// Lifecycle of an archived event.
    pub enum EventStatus {
        /// Stored; not yet confirmed on the queue.
        Received = "received",
        /// On the queue for the writer.
        Queued = "queued",
        /// Archived and acknowledged, but a type the writer does not act on.
        Ignored = "ignored",
        /// The writer consumed it.
        Processed = "processed",
        /// Signed but unusable (malformed JSON, missing fields): kept for inspection.
        Rejected = "rejected",
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

/// Result of trying to store an event for the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First sighting: the record was written.
    New,
    /// Seen before; here is how far it got.
    Existing(EventStatus),
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

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::EventArchive, describe(e))
}

pub struct DynamoEventArchive {
    client: Client,
    table: String,
}

impl DynamoEventArchive {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Reads one archived event's status (used by the writer, tests and the demo).
    pub async fn status(&self, key: &str) -> Result<Option<EventStatus>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out
            .item()
            .and_then(|i| i.get("status"))
            .and_then(|v| v.as_s().ok())
            .map(|v| EventStatus::parse(v)))
    }
}

#[async_trait]
impl EventArchive for DynamoEventArchive {
    async fn claim(&self, e: &ArchivedEvent) -> Result<Claim, StoreError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&e.key))
            .item("kind", s("event"))
            .item("shop_id", s(e.shop_id.as_str()))
            .item("notification_id", s(e.notification_id.as_str()))
            .item("type", n(e.type_code))
            .item("type_name", s(&e.type_name))
            .item("raw_body", s(&e.raw_body))
            .item("received_at", n(e.received_at))
            .item("expires_at", n(e.expires_at))
            .item("status", s(e.status.as_str()))
            .condition_expression("attribute_not_exists(pk)");
        if let Some(order) = &e.order_id {
            put = put.item("order_id", s(order.as_str()));
        }
        match put.send().await {
            Ok(_) => Ok(Claim::New),
            Err(err) if is_condition_failed(&err) => {
                let status = self.status(&e.key).await?.unwrap_or(EventStatus::Received);
                Ok(Claim::Existing(status))
            }
            Err(err) => Err(unavailable(&err)),
        }
    }

    async fn set_status(
        &self,
        key: &str,
        status: EventStatus,
        at: i64,
        only_from: Option<EventStatus>,
    ) -> Result<(), StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .update_expression("SET #st = :st, #at = :at")
            .expression_attribute_names("#st", "status")
            .expression_attribute_names("#at", format!("{}_at", status.as_str()))
            .expression_attribute_values(":st", s(status.as_str()))
            .expression_attribute_values(":at", n(at));
        req = match &only_from {
            Some(from) => req
                .condition_expression("attribute_exists(pk) AND #st = :from")
                .expression_attribute_values(":from", s(from.as_str())),
            None => req.condition_expression("attribute_exists(pk)"),
        };
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) if only_from.is_some() && is_condition_failed(&e) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn archive_rejected(&self, e: &RejectedEvent) -> Result<(), StoreError> {
        // Same body twice is the same rejection; overwriting it is harmless.
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&e.key))
            .item("kind", s("rejected"))
            .item("raw_body", s(&e.raw_body))
            .item("reason", s(&e.reason))
            .item("received_at", n(e.received_at))
            .item("expires_at", n(e.expires_at))
            .item("status", s(EventStatus::Rejected.as_str()))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }
}
