//! Where each packed Item Fulfillment's TikTok label stands, saved before
//! any call that could buy a label (tiktok-shipping.md §3, "no idempotency
//! key": this record is ours).
//!
//! In the job runs table: `pk = LABEL#{shop}`, `sk = IF#{fulfilment id}`,
//! the record as JSON in `doc`. Reads are consistent (a lost purchase is
//! never missed by a stale read).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::aws::{describe, get_s, s};
use super::{Store, StoreError};
use crate::domain::ShopId;

/// The saved stage (the label flow's `LabelState` without `New`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum LabelRecord {
    /// The purchase (or Ship Package) was sent; its answer not known.
    Buying {
        package_id: Option<String>,
    },
    Bought {
        package_id: String,
    },
    Done {
        package_id: String,
        tracking_number: String,
    },
}

/// The label-state store, behind a small trait.
#[async_trait]
pub trait LabelStates: Send + Sync {
    async fn get(&self, shop: &ShopId, fulfilment: &str)
        -> Result<Option<LabelRecord>, StoreError>;
    async fn put(
        &self,
        shop: &ShopId,
        fulfilment: &str,
        record: &LabelRecord,
    ) -> Result<(), StoreError>;
}

pub struct DynamoLabelStates {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoLabelStates {
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

fn pk(shop: &ShopId) -> String {
    format!("LABEL#{shop}")
}

#[async_trait]
impl LabelStates for DynamoLabelStates {
    async fn get(
        &self,
        shop: &ShopId,
        fulfilment: &str,
    ) -> Result<Option<LabelRecord>, StoreError> {
        let sk = format!("IF#{fulfilment}");
        let res = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk(shop)))
            .key("sk", s(sk.clone()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        let Some(item) = res.item() else {
            return Ok(None);
        };
        let doc = get_s(item, "doc").ok_or_else(|| StoreError::Corrupt {
            store: Store::JobRuns,
            key: sk.clone(),
            reason: "no doc attribute".into(),
        })?;
        serde_json::from_str(doc)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                store: Store::JobRuns,
                key: sk,
                reason: e.to_string(),
            })
    }

    async fn put(
        &self,
        shop: &ShopId,
        fulfilment: &str,
        record: &LabelRecord,
    ) -> Result<(), StoreError> {
        let doc = serde_json::to_string(record).map_err(|e| StoreError::Corrupt {
            store: Store::JobRuns,
            key: format!("IF#{fulfilment}"),
            reason: e.to_string(),
        })?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(pk(shop)))
            .item("sk", s(format!("IF#{fulfilment}")))
            .item("doc", s(doc))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }
}
