//! What every AWS-backed store shares: loading the SDK configuration,
//! flattening SDK errors into one line, and DynamoDB attribute helpers.
//!
//! Clients come from `aws_config`, which honours `AWS_ENDPOINT_URL`: that is
//! the only switch between AWS and the local moto server.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

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

/// Whether a DynamoDB write was refused by its condition expression (the
/// optimistic checks every store relies on), as opposed to failing.
pub fn is_condition_failed<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("ConditionalCheckFailedException")
}

/// A DynamoDB string attribute.
pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A DynamoDB number attribute.
pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A string attribute of an item, if present and a string.
pub fn get_s<'i>(item: &'i HashMap<String, AttributeValue>, k: &str) -> Option<&'i String> {
    item.get(k).and_then(|v| v.as_s().ok())
}

/// A numeric attribute of an item, if present and a number.
pub fn get_n<T: std::str::FromStr>(item: &HashMap<String, AttributeValue>, k: &str) -> Option<T> {
    item.get(k)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}
