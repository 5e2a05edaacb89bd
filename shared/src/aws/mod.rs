//! AWS-backed implementations of the storage traits, and the local bootstrap.
//!
//! Clients come from `aws_config`, which honours `AWS_ENDPOINT_URL`: that is
//! the only switch between AWS and the local moto server.

pub mod bootstrap;
pub mod dynamo_events;
pub mod sqs_queue;

pub use dynamo_events::DynamoEventArchive;
pub use sqs_queue::SqsEventQueue;

/// Loads the SDK configuration from the environment (region, credentials,
/// `AWS_ENDPOINT_URL`).
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// Flattens an SDK error and its sources into one line for logs and the order log.
pub fn describe<E: std::error::Error>(e: &E) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}
