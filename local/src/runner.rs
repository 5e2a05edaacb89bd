//! Runs the Lambda handlers on this machine the way Lambda wires them.
//!
//! - The webhook handler behind a loopback HTTP port (what a Function URL does).
//! - An SQS poller per unit of concurrency that receives up to 10 messages,
//!   hands them to the writer as an `SqsEvent`, and deletes only the messages
//!   not reported in `batchItemFailures`; failed ones reappear after the
//!   visibility timeout and reach the DLQ after the redrive count, as on AWS.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::json;
use shared::app::{WebhookApp, WriterApp};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Largest request a Function URL accepts (6 MB); our own limit answers 413 below it.
const TRANSPORT_LIMIT: usize = 6 * 1024 * 1024;

/// The webhook router: `/webhook` (any method, so 405 comes from the handler) and `/health`.
pub fn webhook_router(app: Arc<WebhookApp>) -> Router {
    Router::new()
        .route("/webhook", any(webhook))
        .route("/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(TRANSPORT_LIMIT))
        .with_state(app)
}

async fn webhook(
    State(app): State<Arc<WebhookApp>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let resp = app.handle(method.as_str(), auth, &body).await;
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match resp.body {
        Some(json) => (status, [("content-type", "application/json")], json).into_response(),
        None => status.into_response(),
    }
}

/// Binds the webhook router on `addr` (port 0 picks a free one).
pub async fn serve_webhook(
    app: Arc<WebhookApp>,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, webhook_router(app)).await {
            tracing::error!(error = %e, "webhook server stopped");
        }
    });
    Ok((local, handle))
}

/// Counters of one poller, for the demo's summary and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PollStats {
    pub batches: u64,
    pub received: u64,
    pub succeeded: u64,
    pub failed: u64,
}

impl PollStats {
    pub fn add(&mut self, o: &PollStats) {
        self.batches += o.batches;
        self.received += o.received;
        self.succeeded += o.succeeded;
        self.failed += o.failed;
    }
}

/// Delivers the orders queue to the writer in Lambda-shaped batches.
#[derive(Clone)]
pub struct SqsPoller {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    pub writer: Arc<WriterApp>,
    pub region: String,
    /// Long-poll wait per receive, in seconds (Lambda uses up to 20).
    pub wait_secs: i32,
    /// The writer function's timeout: each batch's deadline.
    pub function_timeout: Duration,
    /// Messages per receive (the event source's `BatchSize`, at most 10).
    pub batch_size: i32,
}

#[derive(Debug, thiserror::Error)]
#[error("SQS poll failed: {0}")]
pub struct PollError(String);

impl SqsPoller {
    /// One receive → invoke → delete cycle. Returns what happened.
    pub async fn poll_once(&self) -> Result<PollStats, PollError> {
        let messages = self.receive().await?;
        self.invoke(messages).await
    }

    /// Up to `batch_size` messages (fewer, or none after the long poll).
    pub async fn receive(&self) -> Result<Vec<Message>, PollError> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(self.batch_size)
            .wait_time_seconds(self.wait_secs)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .map_err(|e| PollError(shared::store::aws::describe(&e)))?;
        Ok(out.messages.unwrap_or_default())
    }

    /// Hands `messages` to the writer as one `SqsEvent` under the function's
    /// deadline and deletes the ones not reported as failed.
    pub async fn invoke(&self, messages: Vec<Message>) -> Result<PollStats, PollError> {
        if messages.is_empty() {
            return Ok(PollStats::default());
        }
        let arn = queue_arn(&self.queue_url, &self.region);
        let records: Vec<serde_json::Value> = messages
            .iter()
            .map(|m| {
                let attributes: serde_json::Map<String, serde_json::Value> = m
                    .attributes()
                    .map(|a| {
                        a.iter()
                            .map(|(k, v)| (k.as_str().to_string(), json!(v)))
                            .collect()
                    })
                    .unwrap_or_default();
                json!({
                    "messageId": m.message_id(),
                    "receiptHandle": m.receipt_handle(),
                    "body": m.body(),
                    "md5OfBody": m.md5_of_body(),
                    "attributes": attributes,
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": self.region,
                })
            })
            .collect();
        let event: SqsEvent = serde_json::from_value(json!({ "Records": records }))
            .map_err(|e| PollError(format!("could not build the SQS event: {e}")))?;
        // As on Lambda: the batch must be done within the function's timeout.
        let deadline = std::time::Instant::now() + self.function_timeout;
        let response = self.writer.handle_batch(event, Some(deadline)).await;
        let failed: std::collections::HashSet<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        let done: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| m.message_id().is_some_and(|id| !failed.contains(id)))
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .build()
                    .ok()
            })
            .collect();
        let succeeded = done.len() as u64;
        if !done.is_empty() {
            self.sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(done))
                .send()
                .await
                .map_err(|e| PollError(shared::store::aws::describe(&e)))?;
        }
        Ok(PollStats {
            batches: 1,
            received: messages.len() as u64,
            succeeded,
            failed: failed.len() as u64,
        })
    }

    /// Polls until `shutdown` turns true. The flag is checked between batches
    /// only: a batch in progress always finishes (and deletes what succeeded),
    /// as a Lambda invocation does.
    pub async fn run(self, shutdown: watch::Receiver<bool>) -> PollStats {
        self.run_observed(shutdown, |_, _| {}).await
    }

    /// [`Self::run`], calling `observe` with each batch's counters and its
    /// receive-to-delete time.
    ///
    /// No batch is received ahead while one runs (measured: prefetching made
    /// the benchmark slower, 83 % against 86 % of the ceiling, because the
    /// early receives kept moto busy and left one poller holding the last
    /// two batches); Lambda's event source with `MaximumConcurrency` likewise
    /// reads no more than its invocations can take.
    pub async fn run_observed<F>(self, shutdown: watch::Receiver<bool>, mut observe: F) -> PollStats
    where
        F: FnMut(&PollStats, Duration) + Send,
    {
        let mut total = PollStats::default();
        while !*shutdown.borrow() {
            let began = Instant::now();
            match self.poll_once().await {
                Ok(s) => {
                    if s.received > 0 {
                        observe(&s, began.elapsed());
                    }
                    total.add(&s);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "poll failed; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        total
    }
}

/// `http://host/123456789012/name` → `arn:aws:sqs:region:123456789012:name`.
fn queue_arn(url: &str, region: &str) -> String {
    let mut parts = url.rsplit('/');
    let name = parts.next().unwrap_or_default();
    let account = parts.next().unwrap_or_default();
    format!("arn:aws:sqs:{region}:{account}:{name}")
}

/// The writer function's timeout on Lambda (`shared::resources::WRITER_TIMEOUT_SECS`).
pub const FUNCTION_TIMEOUT: Duration =
    Duration::from_secs(shared::resources::WRITER_TIMEOUT_SECS as u64);

/// Why the runner could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("webhook server: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Writer(#[from] shared::app::InitError),
}

/// `n` writer apps like `n` concurrent invocations: each its own clients,
/// each holding `share ÷ n` of the NetSuite budget, so together they never
/// exceed the account share (what the template's `MaximumConcurrency` does).
pub async fn invocations(
    writer: &WriterApp,
    sdk: &aws_config::SdkConfig,
    n: usize,
) -> Result<Vec<Arc<WriterApp>>, shared::app::InitError> {
    let mut config = writer.config.clone();
    config.netsuite.budget.concurrent_invocations = n.max(1);
    let mut out = Vec::with_capacity(n.max(1));
    for _ in 0..n.max(1) {
        out.push(Arc::new(WriterApp::new(config.clone(), sdk).await?));
    }
    Ok(out)
}

/// A running local stack: the webhook port and the pollers.
pub struct LocalRunner {
    pub webhook_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    pollers: Vec<JoinHandle<PollStats>>,
    server: JoinHandle<()>,
}

impl LocalRunner {
    /// Starts the webhook server and `writer_concurrency` pollers. Like
    /// concurrent Lambda invocations, each poller has its own writer app
    /// (NetSuite client and semaphore, token state), built from `writer`'s
    /// configuration with the NetSuite budget split over the pollers.
    pub async fn start(
        webhook: Arc<WebhookApp>,
        writer: Arc<WriterApp>,
        sdk: &aws_config::SdkConfig,
        addr: SocketAddr,
        writer_concurrency: usize,
    ) -> Result<Self, RunnerError> {
        let queue_url = webhook.queue.url().to_string();
        let writers = invocations(&writer, sdk, writer_concurrency).await?;
        let (webhook_addr, server) = serve_webhook(webhook, addr).await?;
        let (tx, rx) = watch::channel(false);
        let region = sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into());
        let pollers = writers
            .into_iter()
            .map(|writer| {
                let poller = SqsPoller {
                    sqs: aws_sdk_sqs::Client::new(sdk),
                    queue_url: queue_url.clone(),
                    writer,
                    region: region.clone(),
                    wait_secs: 1,
                    function_timeout: FUNCTION_TIMEOUT,
                    batch_size: shared::resources::WRITER_BATCH_SIZE as i32,
                };
                tokio::spawn(poller.run(rx.clone()))
            })
            .collect();
        Ok(Self {
            webhook_addr,
            shutdown: tx,
            pollers,
            server,
        })
    }

    /// Stops the pollers (after their current batch) and the server.
    pub async fn stop(self) -> PollStats {
        let _ = self.shutdown.send(true);
        let mut total = PollStats::default();
        for p in self.pollers {
            if let Ok(s) = p.await {
                total.add(&s);
            }
        }
        self.server.abort();
        total
    }
}

/// Delivers `env`'s orders queue to its writer, one batch of up to ten at a
/// time, until a receive comes back empty; the messages handled successfully.
/// For tests and the demo, where a job has just enqueued something.
pub async fn drain(env: &crate::LocalEnv) -> Result<u64, PollError> {
    let poller = SqsPoller {
        sqs: aws_sdk_sqs::Client::new(&env.sdk),
        queue_url: env.names.orders_queue_url.clone(),
        writer: env.writer.clone(),
        region: env
            .sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into()),
        wait_secs: 0,
        function_timeout: FUNCTION_TIMEOUT,
        batch_size: 10,
    };
    let mut handled = 0;
    loop {
        let s = poller.poll_once().await?;
        if s.received == 0 {
            return Ok(handled);
        }
        handled += s.succeeded;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arn_from_queue_url() {
        assert_eq!(
            super::queue_arn(
                "http://127.0.0.1:5000/123456789012/t-orders.fifo",
                "us-east-1"
            ),
            "arn:aws:sqs:us-east-1:123456789012:t-orders.fifo"
        );
    }
}
