//! The orders FIFO queue and its message.
//!
//! Everything the writer does starts as a [`QueuedEvent`] on this queue:
//! webhooks, resubmits and (later) the missed-order sweep all enqueue the same
//! message into the same per-order group, so they are processed in sequence
//! and idempotently.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use serde::{Deserialize, Serialize};

use super::aws::describe;
use super::{Store, StoreError};
use crate::domain::{NotificationId, OrderId, ShopId};

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

pub struct SqsEventQueue {
    client: Client,
    queue_url: String,
}

impl SqsEventQueue {
    /// The queue's URL.
    pub fn url(&self) -> &str {
        &self.queue_url
    }

    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

#[async_trait]
impl EventQueue for SqsEventQueue {
    async fn enqueue(
        &self,
        event: &QueuedEvent,
        group_id: &str,
        dedup_id: &str,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(event)
            .map_err(|e| StoreError::unavailable(Store::OrdersQueue, e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .message_group_id(group_id)
            .message_deduplication_id(dedup_id)
            .send()
            .await
            .map_err(|e| StoreError::unavailable(Store::OrdersQueue, describe(&e)))?;
        Ok(())
    }
}
