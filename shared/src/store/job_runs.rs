//! Scheduled jobs' state: a lease per job and shop, and the run log.
//!
//! - **Lease** (`LEASE#{job}#{shop}` / `LEASE`): who runs the job for the shop
//!   and until when. A run starts only if no other run holds an unexpired
//!   lease (conditional write), so two runs never overlap, even when a
//!   schedule fires while a slow run is still going; a run that died leaves
//!   a lease that simply expires. The same item keeps the job's
//!   **checkpoint** (the last committed point of an unfinished run, from
//!   which the next run resumes) and its **watermark** (where the last
//!   finished run got to). Committing a checkpoint is conditional on still
//!   holding the lease, so a run that lost it stops instead of writing over
//!   its successor.
//! - **Runs** (`RUN#{job}#{shop}` / `{started_at}#{nonce}`): job, shop,
//!   start, end, status, counts and failures (each with its fix), kept
//!   [`RUN_RETENTION_DAYS`] days; what `tiktok-netsuite jobs list|show` shows.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use serde::{Deserialize, Serialize};

use super::aws::{describe, get_s, is_condition_failed, n, s};
use super::{keys, Store, StoreError};
use crate::domain::ShopId;

/// How long a run stays in the run log.
pub const RUN_RETENTION_DAYS: i64 = 30;

crate::string_enum! {
    /// How a run ended.
    pub enum RunStatus {
        Running = "running",
        /// Everything it found was handled.
        Succeeded = "succeeded",
        /// It finished, but some items failed (listed with their reasons).
        Partial = "partial",
        /// It stopped early; the next run resumes from its checkpoint.
        Failed = "failed",
        /// Another run of the same job and shop held the lease.
        Skipped = "skipped",
    }
}

/// One thing a run could not do, for the run log and the admin digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFailure {
    /// What it is about: an order id, a SKU, a page.
    pub subject: String,
    pub reason: String,
    pub fix: String,
}

/// One run of one job for one shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    pub job: String,
    pub shop_id: ShopId,
    pub started_at: i64,
    /// Makes the run's key unique when two runs start in the same second.
    pub nonce: String,
    #[serde(default)]
    pub ended_at: Option<i64>,
    pub status: RunStatus,
    /// Named counters (`orders_seen`, `enqueued`, …), by name.
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
    #[serde(default)]
    pub failures: Vec<RunFailure>,
    /// What it found and acted on, one line each (e.g. the orders the sweep
    /// recovered), for the run log and the drift digest.
    #[serde(default)]
    pub findings: Vec<String>,
    /// The checkpoint it started from, when it resumed an unfinished run.
    #[serde(default)]
    pub resumed_from: Option<String>,
    /// One line for humans: what happened.
    #[serde(default)]
    pub note: String,
}

impl JobRun {
    /// The id `jobs show` takes: `{job}:{shop}:{started_at}#{nonce}`.
    pub fn id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.job,
            self.shop_id,
            keys::job_run_sk(self.started_at, &self.nonce)
        )
    }

    pub fn count(&mut self, name: &str, by: u64) {
        *self.counts.entry(name.to_string()).or_default() += by;
    }
}

/// What a run learns when it takes the lease.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeaseState {
    /// The last committed point of an unfinished run: resume from here.
    pub checkpoint: Option<String>,
    /// Where the last finished run got to.
    pub watermark: Option<String>,
}

/// The run log and leases, behind a small trait (tests and the CLI use the
/// same store as the functions).
#[async_trait]
pub trait JobRuns: Send + Sync {
    /// Takes the lease of `job` for `shop` until `until` unless another run
    /// holds it past `now`: `None` when held.
    async fn acquire(
        &self,
        job: &str,
        shop: &ShopId,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<LeaseState>, StoreError>;
    /// Commits the run's point and extends its lease; `false` when the lease
    /// is no longer this run's (it must stop).
    async fn checkpoint(
        &self,
        job: &str,
        shop: &ShopId,
        owner: &str,
        checkpoint: &str,
        until: i64,
    ) -> Result<bool, StoreError>;
    /// Gives the lease back. A finished run passes its `watermark` (the
    /// checkpoint is cleared); a failed run passes `None` and leaves its
    /// checkpoint for the next run.
    async fn release(
        &self,
        job: &str,
        shop: &ShopId,
        owner: &str,
        watermark: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn put_run(&self, run: &JobRun) -> Result<(), StoreError>;
    /// The latest `limit` runs of `job` for `shop`, newest first.
    async fn list_runs(
        &self,
        job: &str,
        shop: &ShopId,
        limit: i32,
    ) -> Result<Vec<JobRun>, StoreError>;
    /// One run by [`JobRun::id`].
    async fn get_run(&self, id: &str) -> Result<Option<JobRun>, StoreError>;
    /// A named piece of a job's state for a shop (e.g. what inventory was
    /// last pushed), as the job wrote it; `None` before the first write.
    async fn get_state(
        &self,
        job: &str,
        shop: &ShopId,
        name: &str,
    ) -> Result<Option<String>, StoreError>;
    /// Replaces a named piece of state (an item is at most 400 KB: a job
    /// splits large state into several names).
    async fn put_state(
        &self,
        job: &str,
        shop: &ShopId,
        name: &str,
        value: &str,
    ) -> Result<(), StoreError>;
    /// Replaces several named pieces at once (`BatchWriteItem`, 25 a call):
    /// for a job that keeps many items, one round trip per 25 instead of
    /// one each. Not atomic: after an error, some may be written.
    async fn put_states(
        &self,
        job: &str,
        shop: &ShopId,
        items: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (name, value) in items {
            self.put_state(job, shop, name, value).await?;
        }
        Ok(())
    }
    /// Every named piece of a job's state for a shop, by name (up to `limit`).
    async fn list_state(
        &self,
        job: &str,
        shop: &ShopId,
        limit: i32,
    ) -> Result<Vec<(String, String)>, StoreError>;
    async fn delete_state(&self, job: &str, shop: &ShopId, name: &str) -> Result<(), StoreError>;
}

pub struct DynamoJobRuns {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoJobRuns {
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

impl DynamoJobRuns {
    /// An UpdateItem on the lease item of `job` for `shop`.
    fn lease_update(
        &self,
        job: &str,
        shop: &ShopId,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::job_lease(job, shop)))
            .key("sk", s(keys::JOB_LEASE_SK))
    }
}

fn decode(item: &HashMap<String, AttributeValue>, key: &str) -> Result<JobRun, StoreError> {
    let doc = get_s(item, "doc").ok_or_else(|| StoreError::Corrupt {
        store: Store::JobRuns,
        key: key.to_string(),
        reason: "no doc attribute".into(),
    })?;
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt {
        store: Store::JobRuns,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

#[async_trait]
impl JobRuns for DynamoJobRuns {
    async fn acquire(
        &self,
        job: &str,
        shop: &ShopId,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<LeaseState>, StoreError> {
        let out = self
            .lease_update(job, shop)
            .update_expression("SET lease_owner = :o, lease_until = :u, job = :j, shop_id = :s")
            .condition_expression("attribute_not_exists(pk) OR lease_until <= :now")
            .expression_attribute_values(":o", s(owner))
            .expression_attribute_values(":u", n(until))
            .expression_attribute_values(":j", s(job))
            .expression_attribute_values(":s", s(shop.as_str()))
            .expression_attribute_values(":now", n(now))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(o) => {
                let item = o.attributes().cloned().unwrap_or_default();
                Ok(Some(LeaseState {
                    checkpoint: get_s(&item, "checkpoint").cloned(),
                    watermark: get_s(&item, "watermark").cloned(),
                }))
            }
            Err(e) if is_condition_failed(&e) => Ok(None),
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn checkpoint(
        &self,
        job: &str,
        shop: &ShopId,
        owner: &str,
        checkpoint: &str,
        until: i64,
    ) -> Result<bool, StoreError> {
        let out = self
            .lease_update(job, shop)
            .update_expression("SET checkpoint = :c, lease_until = :u")
            .condition_expression("lease_owner = :o")
            .expression_attribute_values(":c", s(checkpoint))
            .expression_attribute_values(":u", n(until))
            .expression_attribute_values(":o", s(owner))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failed(&e) => Ok(false),
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn release(
        &self,
        job: &str,
        shop: &ShopId,
        owner: &str,
        watermark: Option<&str>,
    ) -> Result<(), StoreError> {
        let req = self
            .lease_update(job, shop)
            .condition_expression("lease_owner = :o")
            .expression_attribute_values(":o", s(owner))
            .expression_attribute_values(":zero", n(0));
        let req = match watermark {
            Some(w) => req
                .update_expression("SET lease_until = :zero, watermark = :w REMOVE checkpoint")
                .expression_attribute_values(":w", s(w)),
            None => req.update_expression("SET lease_until = :zero"),
        };
        match req.send().await {
            // Lost to a successor already: nothing of ours to give back.
            Ok(_) => Ok(()),
            Err(e) if is_condition_failed(&e) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn put_run(&self, run: &JobRun) -> Result<(), StoreError> {
        let doc = serde_json::to_string(run).map_err(|e| StoreError::Corrupt {
            store: Store::JobRuns,
            key: run.id(),
            reason: e.to_string(),
        })?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::job_runs(&run.job, &run.shop_id)))
            .item("sk", s(keys::job_run_sk(run.started_at, &run.nonce)))
            .item("kind", s("job_run"))
            .item("status", s(run.status.as_str()))
            .item("started_at", n(run.started_at))
            .item("doc", s(doc))
            .item(
                "expires_at",
                n(run.started_at + RUN_RETENTION_DAYS * 24 * 3600),
            )
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn list_runs(
        &self,
        job: &str,
        shop: &ShopId,
        limit: i32,
    ) -> Result<Vec<JobRun>, StoreError> {
        let pk = keys::job_runs(job, shop);
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(&pk))
            .scan_index_forward(false)
            .limit(limit.max(1))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        out.items().iter().map(|item| decode(item, &pk)).collect()
    }

    async fn get_state(
        &self,
        job: &str,
        shop: &ShopId,
        name: &str,
    ) -> Result<Option<String>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(keys::job_state(job, shop)))
            .key("sk", s(name))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out.item().and_then(|i| get_s(i, "value")).cloned())
    }

    async fn put_state(
        &self,
        job: &str,
        shop: &ShopId,
        name: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::job_state(job, shop)))
            .item("sk", s(name))
            .item("kind", s("job_state"))
            .item("value", s(value))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn put_states(
        &self,
        job: &str,
        shop: &ShopId,
        items: &[(String, String)],
    ) -> Result<(), StoreError> {
        let pk = keys::job_state(job, shop);
        let reqs = items
            .iter()
            .map(|(name, value)| {
                PutRequest::builder()
                    .item("pk", s(&pk))
                    .item("sk", s(name))
                    .item("kind", s("job_state"))
                    .item("value", s(value))
                    .build()
                    .map(|p| WriteRequest::builder().put_request(p).build())
                    .map_err(|e| unavailable(&e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        super::batch_write::batch_write(&self.client, &self.table, reqs, Store::JobRuns).await
    }

    async fn list_state(
        &self,
        job: &str,
        shop: &ShopId,
        limit: i32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        // A Query answers at most 1 MB: follow the pages up to `limit` items.
        let mut out = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(keys::job_state(job, shop)))
                .limit((limit.max(1) - out.len() as i32).max(1))
                .set_exclusive_start_key(start.take())
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| unavailable(&e))?;
            out.extend(
                page.items()
                    .iter()
                    .filter_map(|i| Some((get_s(i, "sk")?.clone(), get_s(i, "value")?.clone()))),
            );
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() && (out.len() as i32) < limit => start = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }

    async fn delete_state(&self, job: &str, shop: &ShopId, name: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(keys::job_state(job, shop)))
            .key("sk", s(name))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn get_run(&self, id: &str) -> Result<Option<JobRun>, StoreError> {
        let mut parts = id.splitn(3, ':');
        let (Some(job), Some(shop), Some(sk)) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(None);
        };
        let pk = keys::job_runs(job, &ShopId::new(shop));
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .key("sk", s(sk))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        out.item().map(|item| decode(item, &pk)).transpose()
    }
}
