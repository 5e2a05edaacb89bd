//! Fulfilments whose tracking reached TikTok, so each is pushed once
//! (finance-inventory-fulfilment.md §4.2 "Dedupe": our own store, keyed by
//! the fulfilment id, holding its sorted tracking list).
//!
//! In the job runs table: `pk = PUSHED#{shop}`, `sk = IF#{fulfilment id}`,
//! the record as JSON in `doc`, removed by TTL after [`PUSHED_RETENTION_DAYS`]
//! (well past TikTok's 72 h correction window and the read's overlap).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use serde::{Deserialize, Serialize};

use super::aws::{describe, get_s, n, s};
use super::{keys, Store, StoreError};
use crate::domain::{NetSuiteFulfillmentId, OrderId, PackageId, ShopId};

/// What makes a push "the same": the fulfilment and its sorted tracking
/// list (built by `PushKey::of` in the tracking flow's planner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushKey {
    pub fulfilment_id: NetSuiteFulfillmentId,
    pub tracking_numbers: Vec<String>,
}

/// What an earlier run pushed for this fulfilment (the job's ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    pub key: PushKey,
    /// The package TikTok returned, when it did.
    pub package_id: Option<PackageId>,
}

/// How long a pushed record is kept.
pub const PUSHED_RETENTION_DAYS: i64 = 90;

/// One pushed fulfilment: the planner's record plus when and for which order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedRecord {
    pub pushed: Pushed,
    pub order_id: OrderId,
    pub at: i64,
    /// How many times its tracking was corrected (TikTok allows one).
    #[serde(default)]
    pub corrections: u32,
}

/// The pushed-fulfilment store, behind a small trait.
#[async_trait]
pub trait PushedFulfilments: Send + Sync {
    /// The records of these fulfilments that exist.
    async fn get_many(
        &self,
        shop: &ShopId,
        ids: &[NetSuiteFulfillmentId],
    ) -> Result<BTreeMap<NetSuiteFulfillmentId, PushedRecord>, StoreError>;
    async fn put(&self, shop: &ShopId, record: &PushedRecord) -> Result<(), StoreError>;
    /// Up to `limit` records of a shop (in fulfilment-id text order).
    async fn list(&self, shop: &ShopId, limit: i32) -> Result<Vec<PushedRecord>, StoreError>;
}

pub struct DynamoPushedFulfilments {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoPushedFulfilments {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn unavailable<E: std::error::Error>(e: &E) -> StoreError {
    StoreError::unavailable(Store::JobRuns, describe(e))
}

fn decode(item: &HashMap<String, AttributeValue>) -> Result<PushedRecord, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        store: Store::JobRuns,
        key: get_s(item, "sk").cloned().unwrap_or_default(),
        reason,
    };
    let doc = get_s(item, "doc").ok_or_else(|| corrupt("no doc attribute".into()))?;
    serde_json::from_str(doc).map_err(|e| corrupt(e.to_string()))
}

#[async_trait]
impl PushedFulfilments for DynamoPushedFulfilments {
    /// BatchGetItem, 100 keys a call (DynamoDB's limit); unprocessed keys
    /// are asked again.
    async fn get_many(
        &self,
        shop: &ShopId,
        ids: &[NetSuiteFulfillmentId],
    ) -> Result<BTreeMap<NetSuiteFulfillmentId, PushedRecord>, StoreError> {
        let mut out = BTreeMap::new();
        let mut unique: Vec<&NetSuiteFulfillmentId> = ids.iter().collect();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(100) {
            let mut keys: Vec<HashMap<String, AttributeValue>> = chunk
                .iter()
                .map(|id| {
                    HashMap::from([
                        ("pk".to_string(), s(keys::pushed_fulfilments(shop))),
                        ("sk".to_string(), s(keys::pushed_fulfilment_sk(id))),
                    ])
                })
                .collect();
            for _ in 0..10 {
                if keys.is_empty() {
                    break;
                }
                let ka = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut keys)))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| unavailable(&e))?;
                let res = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, ka)
                    .send()
                    .await
                    .map_err(|e| unavailable(&e))?;
                for item in res
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    let r = decode(item)?;
                    out.insert(r.pushed.key.fulfilment_id.clone(), r);
                }
                keys = res
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .map(|k| k.keys().to_vec())
                    .unwrap_or_default();
            }
            if !keys.is_empty() {
                return Err(StoreError::Contention {
                    store: Store::JobRuns,
                    key: keys::pushed_fulfilments(shop),
                });
            }
        }
        Ok(out)
    }

    async fn put(&self, shop: &ShopId, r: &PushedRecord) -> Result<(), StoreError> {
        let doc = serde_json::to_string(r).map_err(|e| StoreError::Corrupt {
            store: Store::JobRuns,
            key: r.pushed.key.fulfilment_id.to_string(),
            reason: e.to_string(),
        })?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::pushed_fulfilments(shop)))
            .item(
                "sk",
                s(keys::pushed_fulfilment_sk(&r.pushed.key.fulfilment_id)),
            )
            .item("kind", s("pushed_fulfilment"))
            .item("doc", s(doc))
            .item("expires_at", n(r.at + PUSHED_RETENTION_DAYS * 86_400))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn list(&self, shop: &ShopId, limit: i32) -> Result<Vec<PushedRecord>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(keys::pushed_fulfilments(shop)))
                .limit((limit.max(1) - out.len() as i32).max(1))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            for item in page.items() {
                out.push(decode(item)?);
            }
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() && (out.len() as i32) < limit => start = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }
}
