//! Lambda entry point for the NetSuite writer (SQS FIFO event source with
//! `ReportBatchItemFailures`). All logic lives in `shared::writer` (wired by `shared::app`).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use shared::app::WriterApp;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = WriterApp::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let deadline = shared::deadline::from_epoch_millis(event.context.deadline);
        Ok::<SqsBatchResponse, Error>(app.handle_batch(event.payload, Some(deadline)).await)
    }))
    .await
}
