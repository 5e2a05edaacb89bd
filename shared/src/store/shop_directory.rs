//! Which shops are connected, and when their tokens expire, read from the
//! shop tokens table's `shops` index, which projects no token: whoever
//! lists shops (the console) never reads a token.

use super::aws::{describe, get_n, get_s, s};
use super::{Store, StoreError};
use crate::domain::ShopId;

/// A connected shop, without its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopStatus {
    pub shop_id: ShopId,
    pub access_token_expires_at: i64,
    pub refresh_token_expires_at: i64,
    pub updated_at: i64,
}

/// Every connected shop, in shop id order (one query per 1 MB: one, in practice).
pub async fn connected_shops(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<Vec<ShopStatus>, StoreError> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name(table)
            .index_name("shops")
            .key_condition_expression("kind = :k")
            .expression_attribute_values(":k", s("shop_token"))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(|e| StoreError::unavailable(Store::ShopTokens, describe(&e)))?;
        for i in page.items() {
            if let Some(id) = get_s(i, "shop_id") {
                out.push(ShopStatus {
                    shop_id: ShopId::new(id),
                    access_token_expires_at: get_n(i, "access_token_expires_at").unwrap_or(0),
                    refresh_token_expires_at: get_n(i, "refresh_token_expires_at").unwrap_or(0),
                    updated_at: get_n(i, "updated_at").unwrap_or(0),
                });
            }
        }
        match page.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return Ok(out),
        }
    }
}

/// Messages waiting in a queue (SQS's approximate count): the DLQ depth.
pub async fn queue_depth(client: &aws_sdk_sqs::Client, url: &str) -> Result<u64, StoreError> {
    let out = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .map_err(|e| StoreError::unavailable(Store::OrdersQueue, describe(&e)))?;
    Ok(out
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}
