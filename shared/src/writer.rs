//! The NetSuite writer's SQS batch handling, with Lambda's partial-batch
//! semantics (`ReportBatchItemFailures`).
//!
//! Each record is parsed on its own, so one bad body fails only its own
//! message. Within a FIFO group, once a message fails, the later messages of
//! that group in the same batch are reported failed unprocessed, so the group
//! is never processed out of order.

use async_trait::async_trait;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use std::collections::HashSet;

use crate::events::{QueuedEvent, StoreError};

/// Why one message could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// Leave it on the queue: SQS redelivers it, then moves it to the DLQ.
    #[error("retryable: {0}")]
    Retryable(String),
}

impl From<StoreError> for ProcessError {
    fn from(e: StoreError) -> Self {
        Self::Retryable(e.to_string())
    }
}

/// Processes one queued event.
#[async_trait]
pub trait EventProcessor: Send + Sync {
    async fn process(&self, event: &QueuedEvent, receive_count: u32) -> Result<(), ProcessError>;
}

fn attribute<'m>(msg: &'m SqsMessage, name: &str) -> Option<&'m str> {
    msg.attributes.get(name).map(String::as_str)
}

/// Handles one SQS batch and returns the ids to retry.
pub async fn handle_batch(event: SqsEvent, processor: &dyn EventProcessor) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    let mut failed_groups: HashSet<String> = HashSet::new();
    for msg in event.records {
        let Some(id) = msg.message_id.clone() else {
            // Without an id the message cannot be reported; Lambda always sets it.
            tracing::error!("SQS record without messageId skipped");
            continue;
        };
        let group = attribute(&msg, "MessageGroupId")
            .unwrap_or_default()
            .to_string();
        let receive_count = attribute(&msg, "ApproximateReceiveCount")
            .and_then(|c| c.parse().ok())
            .unwrap_or(1);
        if failed_groups.contains(&group) {
            response.add_failure(id);
            continue;
        }
        let result = match msg.body.as_deref().map(serde_json::from_str::<QueuedEvent>) {
            None => Err(ProcessError::Retryable("message has no body".into())),
            Some(Err(e)) => Err(ProcessError::Retryable(format!(
                "message body is not a queued event: {e}"
            ))),
            Some(Ok(ev)) => processor.process(&ev, receive_count).await,
        };
        if let Err(e) = result {
            tracing::error!(message_id = %id, group = %group, receive_count, error = %e, "message failed; left for redelivery");
            failed_groups.insert(group);
            response.add_failure(id);
        }
    }
    response
}
