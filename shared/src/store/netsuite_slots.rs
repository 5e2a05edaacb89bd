//! The NetSuite slot pool ([`crate::netsuite::SlotPool`]) in the job runs
//! table: one partition, `NSSLOTS`, read with a single strongly consistent
//! Query.
//!
//! - `SLOT#07`: holder, `until_ms`. Taken with a conditional put (absent or
//!   expired), renewed and freed only by its holder (condition on `holder`).
//! - `WAIT#{holder}`: a waiter, `since_ms`, `until_ms` (refreshed while it
//!   waits; a dead waiter's entry is ignored once expired).
//!
//! Items also carry `expires_at` (the table's TTL, a day later), so slots
//! above a lowered share and dead waiters are cleaned up by DynamoDB.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use rand::Rng;

use super::aws::{describe, get_n, get_s, is_condition_failed, n, s};
use crate::netsuite::{may_take, waiters_ahead, PoolView, SlotError, SlotPool, Take};

/// The pool's partition key (the template's IAM condition names it).
pub const PK: &str = "NSSLOTS";

fn slot_sk(slot: u32) -> String {
    format!("SLOT#{slot:02}")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The pool of `size` slots in `table`.
#[derive(Debug, Clone)]
pub struct DynamoSlotPool {
    client: aws_sdk_dynamodb::Client,
    table: String,
    size: u32,
}

impl DynamoSlotPool {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, size: u32) -> Self {
        Self {
            client,
            table: table.into(),
            size: size.max(1),
        }
    }

    /// Free slots and unexpired waiters, read in one Query.
    pub async fn view(&self) -> Result<PoolView, SlotError> {
        let now = now_ms();
        let mut taken = vec![false; self.size as usize];
        let mut waiting = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(PK))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| SlotError(describe(&e)))?;
            for item in out.items() {
                let sk = get_s(item, "sk").map(String::as_str).unwrap_or_default();
                let until: i64 = get_n(item, "until_ms").unwrap_or(0);
                if until <= now {
                    continue;
                }
                if let Some(i) = sk
                    .strip_prefix("SLOT#")
                    .and_then(|i| i.parse::<usize>().ok())
                {
                    if let Some(t) = taken.get_mut(i) {
                        *t = true;
                    }
                } else if let Some(h) = sk.strip_prefix("WAIT#") {
                    waiting.push((h.to_string(), get_n(item, "since_ms").unwrap_or(0)));
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        let free = (0..self.size).filter(|i| !taken[*i as usize]).collect();
        Ok(PoolView { free, waiting })
    }

    /// Who holds each slot now (expired ones omitted), for tests and the ops CLI.
    pub async fn holders(&self) -> Result<Vec<(u32, String, i64)>, SlotError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :p)")
            .expression_attribute_values(":pk", s(PK))
            .expression_attribute_values(":p", s("SLOT#"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| SlotError(describe(&e)))?;
        let now = now_ms();
        Ok(out
            .items()
            .iter()
            .filter_map(|i| {
                let slot = get_s(i, "sk")?.strip_prefix("SLOT#")?.parse().ok()?;
                let until: i64 = get_n(i, "until_ms")?;
                let holder = get_s(i, "holder")?.clone();
                (until > now).then_some((slot, holder, until))
            })
            .collect())
    }

    fn ttl(until_ms: i64) -> AttributeValue {
        n(until_ms / 1000 + 86_400)
    }
}

#[async_trait]
impl SlotPool for DynamoSlotPool {
    fn size(&self) -> u32 {
        self.size
    }

    async fn try_take(
        &self,
        holder: &str,
        queued_since: Option<i64>,
        until_ms: i64,
    ) -> Result<Take, SlotError> {
        let view = self.view().await?;
        let pick = rand::thread_rng().gen_range(0..self.size as usize);
        let Some(slot) = may_take(&view, holder, queued_since, pick) else {
            let ahead = waiters_ahead(&view, holder, queued_since);
            return Ok(Take::Busy { ahead });
        };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(PK))
            .item("sk", s(slot_sk(slot)))
            .item("holder", s(holder))
            .item("until_ms", n(until_ms))
            .item("expires_at", Self::ttl(until_ms))
            .condition_expression("attribute_not_exists(sk) OR until_ms <= :now")
            .expression_attribute_values(":now", n(now_ms()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(Take::Got(slot)),
            Err(e) if e.as_service_error().is_some_and(is_condition_failed) => Ok(Take::Lost),
            Err(e) => Err(SlotError(describe(&e))),
        }
    }

    async fn queue(&self, holder: &str, since_ms: i64, until_ms: i64) -> Result<(), SlotError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(PK))
            .item("sk", s(format!("WAIT#{holder}")))
            .item("since_ms", n(since_ms))
            .item("until_ms", n(until_ms))
            .item("expires_at", Self::ttl(until_ms))
            .send()
            .await
            .map_err(|e| SlotError(describe(&e)))?;
        Ok(())
    }

    async fn unqueue(&self, holder: &str) -> Result<(), SlotError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(PK))
            .key("sk", s(format!("WAIT#{holder}")))
            .send()
            .await
            .map_err(|e| SlotError(describe(&e)))?;
        Ok(())
    }

    async fn renew(&self, slot: u32, holder: &str, until_ms: i64) -> Result<bool, SlotError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(PK))
            .key("sk", s(slot_sk(slot)))
            .update_expression("SET until_ms = :u, expires_at = :x")
            .condition_expression("holder = :h")
            .expression_attribute_values(":u", n(until_ms))
            .expression_attribute_values(":x", Self::ttl(until_ms))
            .expression_attribute_values(":h", s(holder))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(is_condition_failed) => Ok(false),
            Err(e) => Err(SlotError(describe(&e))),
        }
    }

    async fn others_waiting(&self, holder: &str) -> Result<bool, SlotError> {
        let view = self.view().await?;
        Ok(view.waiting.iter().any(|(h, _)| h != holder))
    }

    async fn release(&self, slot: u32, holder: &str) -> Result<(), SlotError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(PK))
            .key("sk", s(slot_sk(slot)))
            .condition_expression("holder = :h")
            .expression_attribute_values(":h", s(holder))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            // Already expired and taken by someone else: nothing of ours to free.
            Err(e) if e.as_service_error().is_some_and(is_condition_failed) => Ok(()),
            Err(e) => Err(SlotError(describe(&e))),
        }
    }
}
