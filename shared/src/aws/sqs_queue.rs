//! The orders FIFO queue.

use async_trait::async_trait;
use aws_sdk_sqs::Client;

use super::describe;
use crate::events::{EventQueue, QueuedEvent, StoreError};

pub struct SqsEventQueue {
    client: Client,
    queue_url: String,
}

impl SqsEventQueue {
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
        let body = serde_json::to_string(event).map_err(|e| StoreError::Queue(e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .message_group_id(group_id)
            .message_deduplication_id(dedup_id)
            .send()
            .await
            .map_err(|e| StoreError::Queue(describe(&e)))?;
        Ok(())
    }
}
