//! The writer's SQS batch adapter, with Lambda's partial-batch semantics
//! (`ReportBatchItemFailures`).
//!
//! - Each record is parsed on its own, so one bad body fails only its own
//!   message.
//! - Records of different FIFO groups (orders) run concurrently, so one
//!   order's TikTok and DynamoDB work overlaps another's NetSuite call; the
//!   records of one group run strictly in arrival order.
//! - Within a group, once a message fails (or is not started), the later
//!   messages of that group are reported failed unprocessed, so the group is
//!   never processed out of order.
//! - A message is started only if its whole budget fits before the
//!   invocation's deadline ([`BatchLimits`]); it then runs inside
//!   [`crate::deadline::within`] that budget, so no retry loop outlives it.
//!   Messages not started come back unchanged as batch item failures.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};

use crate::store::{QueuedEvent, StoreError};

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
    /// Before a batch runs, with the first event of each group (those
    /// start at once): a processor may read what they need in one call.
    async fn prepare(&self, _first_of_groups: &[QueuedEvent]) {}
    /// After every message of the batch: writes a processor deferred.
    async fn finish(&self) {}
}

/// When a batch must be done, and how long one message may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// The invocation's deadline (from the Lambda context); `None`: no limit.
    pub deadline: Option<Instant>,
    /// The most one message may take, all its calls and retries included.
    pub message_budget: Duration,
    /// Kept free after the last message: the digest email and the response.
    pub reserve: Duration,
}

impl BatchLimits {
    /// No deadline: every message is started (tests, tools).
    pub fn unlimited(message_budget: Duration) -> Self {
        Self {
            deadline: None,
            message_budget,
            reserve: Duration::ZERO,
        }
    }

    /// The deadline of a message started at `now`, if it may start at all.
    pub fn start(&self, now: Instant) -> Option<Instant> {
        let end = now + self.message_budget;
        match self.deadline {
            Some(d) if end + self.reserve > d => None,
            _ => Some(end),
        }
    }
}

/// One record as the batch sees it.
struct Record {
    id: String,
    receive_count: u32,
    body: Option<String>,
}

fn attribute<'m>(msg: &'m SqsMessage, name: &str) -> Option<&'m str> {
    msg.attributes.get(name).map(String::as_str)
}

/// Splits a batch into its FIFO groups, in order of first appearance, each
/// with its records in arrival order.
fn by_group(records: Vec<SqsMessage>) -> Vec<(String, Vec<Record>)> {
    let mut order: Vec<(String, Vec<Record>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for msg in records {
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
        let slot = *index.entry(group.clone()).or_insert_with(|| {
            order.push((group.clone(), Vec::new()));
            order.len() - 1
        });
        order[slot].1.push(Record {
            id,
            receive_count,
            body: msg.body,
        });
    }
    order
}

/// Runs one group's records in order; returns the ids to retry.
async fn run_group(
    group: &str,
    records: Vec<Record>,
    processor: &dyn EventProcessor,
    limits: BatchLimits,
) -> Vec<String> {
    let mut failed = Vec::new();
    let mut stopped = false;
    for r in records {
        if stopped {
            failed.push(r.id);
            continue;
        }
        let Some(message_deadline) = limits.start(Instant::now()) else {
            tracing::warn!(message_id = %r.id, group = %group, "not started: its budget does not fit before the invocation's deadline; returned unchanged");
            failed.push(r.id);
            stopped = true;
            continue;
        };
        let result = match r.body.as_deref().map(serde_json::from_str::<QueuedEvent>) {
            None => Err(ProcessError::Retryable("message has no body".into())),
            Some(Err(e)) => Err(ProcessError::Retryable(format!(
                "message body is not a queued event: {e}"
            ))),
            Some(Ok(ev)) => {
                crate::deadline::within(message_deadline, processor.process(&ev, r.receive_count))
                    .await
            }
        };
        if let Err(e) = result {
            tracing::error!(message_id = %r.id, group = %group, receive_count = r.receive_count, error = %e, "message failed; left for redelivery");
            failed.push(r.id);
            stopped = true;
        }
    }
    failed
}

/// Handles one SQS batch and returns the ids to retry.
pub async fn handle_batch(
    event: SqsEvent,
    processor: &dyn EventProcessor,
    limits: BatchLimits,
) -> SqsBatchResponse {
    let groups = by_group(event.records);
    let first: Vec<QueuedEvent> = groups
        .iter()
        .filter_map(|(_, records)| records.first()?.body.as_deref())
        .filter_map(|b| serde_json::from_str(b).ok())
        .collect();
    processor.prepare(&first).await;
    let runs = groups
        .into_iter()
        .map(|(group, records)| async move { run_group(&group, records, processor, limits).await });
    let mut response = SqsBatchResponse::default();
    for id in futures::future::join_all(runs).await.into_iter().flatten() {
        response.add_failure(id);
    }
    processor.finish().await;
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records the order of starts and ends; fails bodies whose order id is "bad".
    #[derive(Default)]
    struct Probe {
        seen: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl EventProcessor for Probe {
        async fn process(&self, e: &QueuedEvent, _: u32) -> Result<(), ProcessError> {
            let id = e.notification_id.to_string();
            self.seen.lock().unwrap().push(format!("start {id}"));
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.seen.lock().unwrap().push(format!("end {id}"));
            if id.starts_with("bad") {
                return Err(ProcessError::Retryable("bad".into()));
            }
            Ok(())
        }

        async fn prepare(&self, first: &[QueuedEvent]) {
            let ids: Vec<String> = first
                .iter()
                .map(|e| e.notification_id.to_string())
                .collect();
            self.seen
                .lock()
                .unwrap()
                .push(format!("prepare {}", ids.join(",")));
        }

        async fn finish(&self) {
            self.seen.lock().unwrap().push("finish".into());
        }
    }

    fn msg(id: &str, group: &str) -> SqsMessage {
        let body = serde_json::json!({
            "v": 1, "event_key": "k", "shop_id": "s", "notification_id": id,
            "type": 1, "order_id": group, "received_at": 0, "data": {}
        });
        serde_json::from_value(serde_json::json!({
            "messageId": id, "body": body.to_string(),
            "attributes": {"MessageGroupId": group, "ApproximateReceiveCount": "1"},
            "messageAttributes": {}
        }))
        .unwrap()
    }

    fn batch(msgs: Vec<SqsMessage>) -> SqsEvent {
        let mut e = SqsEvent::default();
        e.records = msgs;
        e
    }

    fn failed(r: &SqsBatchResponse) -> Vec<String> {
        let mut ids: Vec<String> = r
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        ids.sort();
        ids
    }

    #[tokio::test]
    async fn groups_run_concurrently_and_each_group_in_order() {
        let p = Probe::default();
        let e = batch(vec![
            msg("a1", "A"),
            msg("b1", "B"),
            msg("a2", "A"),
            msg("b2", "B"),
        ]);
        let r = handle_batch(e, &p, BatchLimits::unlimited(Duration::from_secs(5))).await;
        assert!(r.batch_item_failures.is_empty());
        let seen = p.seen.lock().unwrap().clone();
        let pos = |s: &str| seen.iter().position(|x| x == s).unwrap();
        assert!(pos("end a1") < pos("start a2"), "{seen:?}");
        assert!(pos("end b1") < pos("start b2"), "{seen:?}");
        assert!(pos("start b1") < pos("end a1"), "B overlaps A: {seen:?}");
    }

    #[tokio::test]
    async fn a_batch_is_prepared_with_the_first_event_of_each_group_and_finished_after_all() {
        let p = Probe::default();
        let e = batch(vec![msg("a1", "A"), msg("b1", "B"), msg("a2", "A")]);
        handle_batch(e, &p, BatchLimits::unlimited(Duration::from_secs(5))).await;
        let seen = p.seen.lock().unwrap().clone();
        assert_eq!(
            seen.first().map(String::as_str),
            Some("prepare a1,b1"),
            "{seen:?}"
        );
        assert_eq!(seen.last().map(String::as_str), Some("finish"), "{seen:?}");
    }

    #[tokio::test]
    async fn a_failure_returns_the_rest_of_its_group_only() {
        let p = Probe::default();
        let e = batch(vec![msg("bad1", "A"), msg("b1", "B"), msg("a2", "A")]);
        let r = handle_batch(e, &p, BatchLimits::unlimited(Duration::from_secs(5))).await;
        assert_eq!(failed(&r), vec!["a2", "bad1"]);
        assert!(!p.seen.lock().unwrap().iter().any(|s| s.contains("a2")));
    }

    #[tokio::test]
    async fn messages_whose_budget_does_not_fit_are_not_started() {
        let p = Probe::default();
        let limits = BatchLimits {
            deadline: Some(Instant::now() + Duration::from_millis(100)),
            message_budget: Duration::from_millis(60),
            reserve: Duration::from_millis(10),
        };
        let e = batch(vec![msg("a1", "A"), msg("a2", "A"), msg("b1", "B")]);
        let r = handle_batch(e, &p, limits).await;
        // a1 and b1 start at once (60 + 10 ≤ 100 ms); a2 could start at 50 ms
        // only to end past the deadline (50 + 60 + 10 > 100).
        assert_eq!(failed(&r), vec!["a2"]);
        assert!(!p.seen.lock().unwrap().iter().any(|s| s.contains("a2")));
    }
}
