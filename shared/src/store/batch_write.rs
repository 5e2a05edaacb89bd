//! `BatchWriteItem` with DynamoDB's limits kept in one place: at most
//! [`BATCH_WRITE_MAX`] requests a call, and what DynamoDB answers as
//! *unprocessed* (throttling, a partition busy) sent again with a short
//! backoff, so a caller either gets every write done or an error saying
//! how many were left.
//!
//! Why batch: a job that keeps many items (the payout job's raw statement
//! pages, 1,000 for a 100,000-transaction statement) would otherwise make
//! one round trip per item; 25 per call is 1/25 of the trips.

use aws_sdk_dynamodb::types::WriteRequest;

use super::{Store, StoreError};

/// Requests per `BatchWriteItem` call (DynamoDB's limit).
pub const BATCH_WRITE_MAX: usize = 25;
/// Calls per chunk before unprocessed items count as a failure.
const TRIES: u32 = 5;

/// Writes (puts or deletes) `reqs` into `table`, 25 a call, retrying what
/// DynamoDB leaves unprocessed. `store` names the store in errors.
pub async fn batch_write(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    reqs: Vec<WriteRequest>,
    store: Store,
) -> Result<(), StoreError> {
    let mut reqs = reqs.into_iter().peekable();
    while reqs.peek().is_some() {
        let mut chunk: Vec<WriteRequest> = reqs.by_ref().take(BATCH_WRITE_MAX).collect();
        for attempt in 0..TRIES {
            if chunk.is_empty() {
                break;
            }
            if attempt > 0 {
                // 50, 100, 200, 400 ms: DynamoDB asks for exponential backoff
                // on unprocessed items.
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
            }
            let out = client
                .batch_write_item()
                .request_items(table, chunk)
                .send()
                .await
                .map_err(|e| StoreError::unavailable(store, super::aws::describe(&e)))?;
            chunk = out
                .unprocessed_items()
                .and_then(|m| m.get(table))
                .cloned()
                .unwrap_or_default();
        }
        if !chunk.is_empty() {
            return Err(StoreError::unavailable(
                store,
                format!(
                    "DynamoDB left {} of a batch write unprocessed after {TRIES} tries",
                    chunk.len()
                ),
            ));
        }
    }
    Ok(())
}
