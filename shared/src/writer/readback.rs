//! Read-back of freshly created Sales Orders, in batches.
//!
//! Every write that sends lines is compared with what NetSuite then holds
//! (issue 9): updates and refunds are read back at once by the writer
//! (`writer::verify`). A fresh create is not: reading each one back would
//! cost a second NetSuite request per order, half of the account's
//! concurrency budget during a sale. Instead the writer queues what it
//! intended ([`CreatedCheck`]: total and quantity per item) in this job's
//! state, and the verify job reads up to 100 Sales Orders per SuiteQL query
//! and compares them with [`crate::writer::verify::differences`]: the same
//! rule as the immediate read-backs. A difference is an Order Creation Failed
//! on the order log naming both figures (and so in the admins' digest); a
//! Sales Order NetSuite no longer has is reported the same way.

use std::collections::BTreeMap;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::clock::Clock;
use crate::domain::{Money, OrderId, ShopId};
use crate::jobs::run::{JobError, Progress, ShopJob};
use crate::jobs::JobName;
use crate::netsuite::{sql_quote, NetSuiteClient};
use crate::store::{JobRun, JobRuns, LeaseState, OrderLog, Outcome, RunFailure, SyncStatus};
use crate::taxonomy::{ErrorCode, Failure};

/// Sales Orders per SuiteQL query.
pub const BATCH: usize = 100;
/// Checks taken per run (the rest wait for the next run).
pub const PER_RUN: i32 = 1000;

/// What the writer intended for one created Sales Order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedCheck {
    pub order_id: OrderId,
    pub external_id: String,
    /// `None` where NetSuite computes the total itself (SuiteTax).
    pub total: Option<Money>,
    /// Quantity per item id, as sent.
    pub quantities: BTreeMap<String, Decimal>,
}

impl CreatedCheck {
    /// From the body sent (`item.items[]`).
    pub fn of(order_id: &OrderId, external_id: &str, body: &Value, total: Option<Money>) -> Self {
        Self {
            order_id: order_id.clone(),
            external_id: external_id.to_string(),
            total,
            quantities: crate::writer::verify::quantities_by_item(body),
        }
    }

    /// The intended record in the shape [`crate::writer::verify::differences`] reads.
    fn as_body(&self) -> Value {
        let items: Vec<Value> = self
            .quantities
            .iter()
            .map(|(item, q)| json!({"item": {"id": item}, "quantity": q.to_string()}))
            .collect();
        json!({ "item": { "items": items } })
    }
}

/// The SuiteQL reading the item lines and totals of `ids`.
pub fn lines_query(ids: &[&str]) -> String {
    let list = ids
        .iter()
        .map(|i| sql_quote(i))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT t.id, t.foreigntotal, tl.item, tl.quantity FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE t.id IN ({list}) AND tl.mainline = 'F'"
    )
}

/// Folds SuiteQL rows into one record per Sales Order, in the shape
/// `differences` reads. Sales Order quantities are negative in SuiteQL
/// (outbound, notes §4.2), so their magnitude is compared; lines are summed
/// per item, which is what `differences` compares besides the total.
pub fn records_from_rows(rows: &[serde_json::Map<String, Value>]) -> BTreeMap<String, Value> {
    let text = crate::netsuite::column_text;
    let mut out: BTreeMap<String, (Value, BTreeMap<String, Decimal>)> = BTreeMap::new();
    for r in rows {
        let id = text(r, "id");
        let entry = out.entry(id).or_insert_with(|| {
            (
                r.get("foreigntotal").cloned().unwrap_or(Value::Null),
                BTreeMap::new(),
            )
        });
        let q = crate::mapping::money_of(r.get("quantity").unwrap_or(&Value::Null))
            .unwrap_or_default()
            .abs();
        *entry.1.entry(text(r, "item")).or_default() += q;
    }
    out.into_iter()
        .map(|(id, (total, q))| {
            let items: Vec<Value> = q
                .iter()
                .map(|(item, n)| json!({"item": {"id": item}, "quantity": n.to_string()}))
                .collect();
            (
                id.clone(),
                json!({"id": id, "total": total, "item": {"items": items}}),
            )
        })
        .collect()
}

/// The verify job over NetSuite and the stores.
pub struct VerifyCreated<'a> {
    pub netsuite: &'a NetSuiteClient,
    pub runs: &'a dyn JobRuns,
    pub log: &'a dyn OrderLog,
    pub clock: &'a dyn Clock,
}

/// The job name the writer queues checks under.
pub const JOB: &str = "verify";

impl VerifyCreated<'_> {
    async fn report(
        &self,
        shop: &ShopId,
        check: &CreatedCheck,
        reason: String,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        let failure = Failure::new(
            ErrorCode::OrderCreationFailed,
            reason.clone(),
            "Correct the Sales Order in NetSuite so it matches the TikTok order before it ships, then resubmit the order.",
        )
        .retryable(false);
        let previous = self.log.get(shop, &check.order_id).await?;
        let tiktok_status = previous
            .as_ref()
            .map_or_else(String::new, |e| e.tiktok_status.clone());
        self.log
            .record(&Outcome {
                shop_id: shop.clone(),
                order_id: check.order_id.clone(),
                tiktok_status,
                sync_status: SyncStatus::Failed,
                netsuite_id: previous.as_ref().and_then(|e| e.netsuite_id.clone()),
                external_id: Some(check.external_id.clone()),
                note: "read back by the verify job".into(),
                failure: Some(failure),
                failed_skus: vec![],
                order_type: None,
                retail_value: None,
                at: self.clock.now(),
                event: None,
            })
            .await?;
        run.failures.push(RunFailure {
            subject: format!("order {}", check.order_id),
            reason,
            fix: "Correct the Sales Order in NetSuite, then resubmit the order.".into(),
        });
        Ok(())
    }
}

#[async_trait]
impl ShopJob for VerifyCreated<'_> {
    fn name(&self) -> JobName {
        JobName::Verify
    }

    async fn run(
        &self,
        shop: &ShopId,
        _start: &LeaseState,
        progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let pending = self.runs.list_state(JOB, shop, PER_RUN).await?;
        run.count("pending", pending.len() as u64);
        for chunk in pending.chunks(BATCH) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
            let rows = self
                .netsuite
                .suiteql(&lines_query(&ids))
                .await
                .map_err(|e| JobError::Other(format!("NetSuite read-back: {e}")))?;
            let records = records_from_rows(&rows);
            for (so_id, text) in chunk {
                let Ok(check) = serde_json::from_str::<CreatedCheck>(text) else {
                    self.runs.delete_state(JOB, shop, so_id).await?;
                    continue;
                };
                match records.get(so_id) {
                    None => {
                        run.count("missing", 1);
                        let reason = format!("Sales Order {so_id} ({}) was created but NetSuite no longer has it (or it has no item lines)", check.external_id);
                        self.report(shop, &check, reason, run).await?;
                    }
                    Some(rec) => {
                        match crate::writer::verify::differences(rec, &check.as_body(), check.total)
                        {
                            None => run.count("verified", 1),
                            Some(found) => {
                                run.count("differs", 1);
                                self.report(
                                    shop,
                                    &check,
                                    format!("Sales Order {so_id} holds {found}"),
                                    run,
                                )
                                .await?;
                            }
                        }
                    }
                }
                self.runs.delete_state(JOB, shop, so_id).await?;
            }
            progress
                .commit(&format!(
                    "{{\"verified_through\":\"{}\"}}",
                    ids.last().copied().unwrap_or("")
                ))
                .await?;
        }
        Ok(self.clock.now().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, total: &str, item: &str, q: &str) -> serde_json::Map<String, Value> {
        json!({"id": id, "foreigntotal": total, "item": item, "quantity": q})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn rows_fold_into_records_that_the_writers_rule_compares() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let check = CreatedCheck {
            order_id: OrderId::new("o1"),
            external_id: "tts-s-o1".into(),
            total: Some(d("264.48")),
            quantities: BTreeMap::from([("101".into(), d("2")), ("103".into(), d("1"))]),
        };
        // Outbound quantities are negative in SuiteQL; two lines of one item add up.
        let same = records_from_rows(&[
            row("9", "264.48", "101", "-1"),
            row("9", "264.48", "101", "-1"),
            row("9", "264.48", "103", "-1"),
        ]);
        assert_eq!(
            crate::writer::verify::differences(&same["9"], &check.as_body(), check.total),
            None
        );
        let doubled = records_from_rows(&[
            row("9", "528.96", "101", "-4"),
            row("9", "528.96", "103", "-2"),
        ]);
        let found =
            crate::writer::verify::differences(&doubled["9"], &check.as_body(), check.total)
                .unwrap();
        assert!(
            found.contains("528.96") && found.contains("item 101 × 4"),
            "{found}"
        );
        assert!(lines_query(&["9", "1'0"]).contains("t.id IN ('9', '1''0') AND tl.mainline = 'F'"));
    }
}
