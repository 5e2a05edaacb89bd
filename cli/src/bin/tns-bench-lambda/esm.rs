//! The SQS event source mapping, in memory: a FIFO queue with SQS's
//! delivery rules and the invocations that drain it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use serde_json::{json, Value};
use shared::app::WriterApp;
use shared::domain::{OrderId, ShopId};

use crate::{Args, BenchError, SHOP};

/// One queued message, as SQS keeps it.
pub(crate) struct Msg {
    pub(crate) id: String,
    pub(crate) body: String,
    pub(crate) group: String,
    pub(crate) receives: u32,
    pub(crate) visible_at: Instant,
}

/// An in-memory FIFO queue with SQS's delivery rules: a group with a
/// message in flight delivers nothing else; failures come back after the
/// visibility timeout and go to the DLQ after `max_receive_count`.
#[derive(Default)]
pub(crate) struct Queue {
    pub(crate) waiting: VecDeque<Msg>,
    pub(crate) in_flight_groups: std::collections::HashSet<String>,
    pub(crate) in_flight: usize,
    pub(crate) dead: usize,
}

pub(crate) struct Esm {
    pub(crate) queue: Mutex<Queue>,
    pub(crate) arrived: tokio::sync::Notify,
    pub(crate) closed: AtomicBool,
    pub(crate) batches: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) arn: String,
}

impl Esm {
    pub(crate) fn new() -> Self {
        Self {
            queue: Mutex::new(Queue::default()),
            arrived: tokio::sync::Notify::new(),
            closed: AtomicBool::new(false),
            batches: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            arn: "arn:aws:sqs:us-east-1:123456789012:bench-orders.fifo".into(),
        }
    }

    pub(crate) fn q(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn send(&self, order: &str, n: usize) {
        let q = shared::store::QueuedEvent {
            v: 1,
            event_key: format!("EVT#{SHOP}#bench-{n}"),
            shop_id: ShopId::new(SHOP),
            notification_id: shared::domain::NotificationId::new(format!("bench-{n}")),
            type_code: 1,
            order_id: Some(OrderId::new(order)),
            received_at: shared::clock::Clock::now(&shared::clock::SystemClock),
            data: json!({"order_id": order, "order_status": "AWAITING_SHIPMENT"}),
        };
        let body = serde_json::to_string(&q).unwrap_or_default();
        self.q().waiting.push_back(Msg {
            id: format!("m-{n}"),
            body,
            group: format!("{SHOP}:{order}"),
            receives: 0,
            visible_at: Instant::now(),
        });
        self.arrived.notify_waiters();
    }

    /// Up to `max` visible messages of groups not in flight.
    pub(crate) fn receive(&self, max: usize) -> Vec<Msg> {
        let mut q = self.q();
        let now = Instant::now();
        let mut out = Vec::new();
        let mut i = 0;
        while i < q.waiting.len() && out.len() < max {
            let m = &q.waiting[i];
            if m.visible_at <= now && !q.in_flight_groups.contains(&m.group) {
                if let Some(mut m) = q.waiting.remove(i) {
                    m.receives += 1;
                    q.in_flight_groups.insert(m.group.clone());
                    out.push(m);
                }
            } else {
                i += 1;
            }
        }
        q.in_flight += out.len();
        out
    }

    pub(crate) fn event(&self, msgs: &[Msg]) -> Result<SqsEvent, BenchError> {
        let records: Vec<Value> = msgs
            .iter()
            .map(|m| {
                json!({"messageId": m.id, "receiptHandle": m.id, "body": m.body,
                       "attributes": {"MessageGroupId": m.group,
                                      "ApproximateReceiveCount": m.receives.to_string()},
                       "messageAttributes": {}, "eventSource": "aws:sqs",
                       "eventSourceARN": self.arn, "awsRegion": "us-east-1"})
            })
            .collect();
        Ok(serde_json::from_value(json!({ "Records": records }))?)
    }

    /// Deletes what succeeded; failures become visible again later (or dead).
    pub(crate) fn settle(
        &self,
        msgs: Vec<Msg>,
        failed: &[String],
        visibility: Duration,
        max_receives: u32,
    ) {
        let mut q = self.q();
        q.in_flight -= msgs.len();
        for m in msgs {
            q.in_flight_groups.remove(&m.group);
            if failed.contains(&m.id) {
                if m.receives >= max_receives {
                    q.dead += 1;
                } else {
                    q.waiting.push_back(Msg {
                        visible_at: Instant::now() + visibility,
                        ..m
                    });
                }
            }
        }
        drop(q);
        self.arrived.notify_waiters();
    }

    pub(crate) fn idle(&self) -> bool {
        let q = self.q();
        q.waiting.is_empty() && q.in_flight == 0
    }
}

/// One concurrent invocation slot of the event source: receive, invoke, settle.
pub(crate) async fn invoker(esm: Arc<Esm>, writer: Arc<WriterApp>, args: Args) {
    while !esm.closed.load(Ordering::Relaxed) {
        let notified = esm.arrived.notified();
        let msgs = esm.receive(args.batch_size);
        if msgs.is_empty() {
            let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            continue;
        }
        let event = match esm.event(&msgs) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "could not build the event");
                return;
            }
        };
        let deadline = Instant::now() + local_env::runner::FUNCTION_TIMEOUT;
        let resp = if args.unbatched {
            unbatched(&writer, event, deadline).await
        } else {
            writer.handle_batch(event, Some(deadline)).await
        };
        let failed: Vec<String> = resp
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        esm.batches.fetch_add(1, Ordering::Relaxed);
        esm.failures
            .fetch_add(failed.len() as u64, Ordering::Relaxed);
        esm.settle(
            msgs,
            &failed,
            Duration::from_secs(args.visibility_secs),
            args.max_receive_count,
        );
    }
}

/// `--unbatched`: the batch without its shared reads and writes (each
/// message reads its log entry and writes its read-back check on its own,
/// as before issue 20's fourth session), for an A/B with one binary.
struct OneByOne<'a>(&'a shared::writer::OrderSync<'a>);

/// What `#[async_trait]` writes for `process` (the trait is declared with
/// it; this crate does not depend on the macro for one impl).
type Processed<'f> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), shared::writer::ProcessError>> + Send + 'f>,
>;

impl shared::writer::EventProcessor for OneByOne<'_> {
    fn process<'s, 'e, 'f>(
        &'s self,
        event: &'e shared::store::QueuedEvent,
        receive_count: u32,
    ) -> Processed<'f>
    where
        's: 'f,
        'e: 'f,
        Self: 'f,
    {
        Box::pin(self.0.process(event, receive_count))
    }
}

async fn unbatched(
    writer: &WriterApp,
    event: SqsEvent,
    deadline: Instant,
) -> aws_lambda_events::event::sqs::SqsBatchResponse {
    let limits = shared::writer::BatchLimits {
        deadline: Some(deadline),
        message_budget: writer.config.writer.message_budget,
        reserve: shared::app::BATCH_RESERVE,
    };
    let sync = writer.sync(None);
    let response = shared::writer::handle_batch(event, &OneByOne(&sync), limits).await;
    writer.netsuite.end_of_invocation().await;
    response
}
