//! `BatchWriteItem` with DynamoDB's limits kept in one place: at most
//! [`BATCH_WRITE_MAX`] requests a call, and what DynamoDB answers as
//! *unprocessed* (throttling, a partition busy) sent again with backoff
//! while it makes progress, so a caller either gets every write done or
//! an error saying how many were left.
//!
//! Why batch: a job that keeps many items (the payout job's raw statement
//! pages, 1,000 for a 100,000-transaction statement) would otherwise make
//! one round trip per item; 25 per call is 1/25 of the trips.

use aws_sdk_dynamodb::types::WriteRequest;

use super::{Store, StoreError};

/// Requests per `BatchWriteItem` call (DynamoDB's limit).
pub const BATCH_WRITE_MAX: usize = 25;
/// Calls in a row that write nothing before the batch counts as failed.
const STALLED_TRIES: u32 = 6;
/// Longest wait between two calls.
const MAX_BACKOFF_MS: u64 = 5_000;

/// Writes (puts or deletes) `reqs` into `table`, 25 a call. What DynamoDB
/// leaves unprocessed (throttling: a job's items often share one partition
/// key, so one partition takes every write) is sent again with exponential
/// backoff and jitter, for as long as each call gets some of it written;
/// only [`STALLED_TRIES`] calls in a row that write nothing fail it. `store`
/// names the store in errors.
pub async fn batch_write(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    reqs: Vec<WriteRequest>,
    store: Store,
) -> Result<(), StoreError> {
    let mut reqs = reqs.into_iter().peekable();
    while reqs.peek().is_some() {
        let mut chunk: Vec<WriteRequest> = reqs.by_ref().take(BATCH_WRITE_MAX).collect();
        let mut stalled = 0u32;
        while !chunk.is_empty() {
            if stalled > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(backoff_ms(
                    stalled,
                    rand::random::<u64>(),
                )))
                .await;
            }
            let before = chunk.len();
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
            stalled = if chunk.len() < before { 1 } else { stalled + 1 };
            if !chunk.is_empty() && stalled > STALLED_TRIES {
                return Err(StoreError::unavailable(
                    store,
                    format!(
                        "DynamoDB left {} of a batch write unprocessed after {STALLED_TRIES} tries that wrote nothing",
                        chunk.len()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The wait before a retry: 50 ms doubled per stalled try, capped at
/// [`MAX_BACKOFF_MS`], with "full jitter" (a random part of it) so that
/// writers throttled together do not retry together.
fn backoff_ms(stalled: u32, random: u64) -> u64 {
    let cap = (50u64 << stalled.min(16)).min(MAX_BACKOFF_MS);
    cap / 2 + random % (cap / 2 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_and_keeps_a_floor() {
        assert!((50..=100).contains(&backoff_ms(1, 7)));
        assert!((400..=800).contains(&backoff_ms(4, u64::MAX)));
        assert!((2_500..=5_000).contains(&backoff_ms(30, 123_456)));
        assert_eq!(backoff_ms(3, 0), 200);
    }
}
