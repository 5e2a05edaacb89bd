//! The tracking job's sample-cost step (the decisions are in
//! `sample_cost.rs`): for each page of this shop's shipped fulfilments,
//! the ones of samples (and giveaways written as samples) get their cost
//! journal; fulfilments whose COGS NetSuite has not posted yet, or whose
//! journal NetSuite refused, wait in the job state (`cost#<IF>`) and are
//! tried again at the start of every run. Each outcome is a counter and a
//! finding of the run (a refusal a failure, with its fix).

use std::collections::{BTreeMap, BTreeSet};

use super::job::{Ctx, TrackingPush};
use super::read::Shipped;
use super::sample_cost::{
    self as cost, date_part, journal_body, pending_name, posted_cogs, shop_route, CostJournal,
    PendingCost, PostedCogs, PENDING_PREFIX,
};
use super::state::JOB;
use crate::domain::{NetSuiteFulfillmentId, OrderId};
use crate::jobs::run::JobError;
use crate::store::{JobRun, RunFailure};

const RECORD: &str = "journalEntry";

fn ns(what: &'static str) -> impl Fn(crate::netsuite::NsError) -> JobError {
    move |e| JobError::Other(format!("NetSuite {what}: {e}"))
}

impl TrackingPush<'_> {
    /// Fulfilments an earlier run left waiting for their cost journal.
    pub(super) async fn pending_sample_costs(
        &self,
        ctx: &Ctx<'_>,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        let mut pending = Vec::new();
        for (name, text) in self.runs.list_state(JOB, ctx.shop, 100_000).await? {
            if name.starts_with(PENDING_PREFIX) {
                match serde_json::from_str::<PendingCost>(&text) {
                    Ok(p) => pending.push(p),
                    Err(e) => run.failures.push(RunFailure {
                        subject: name.clone(),
                        reason: format!("unreadable sample-cost state ({e})"),
                        fix: "Delete the state item; the journal of that fulfilment is then posted by hand.".into(),
                    }),
                }
            }
        }
        if shop_route(ctx.cfg).is_none() {
            // The shop no longer routes sample costs: nothing waits any more.
            for p in &pending {
                self.runs
                    .delete_state(JOB, ctx.shop, &pending_name(&p.fulfilment))
                    .await?;
            }
            return Ok(());
        }
        self.post_sample_costs(ctx, pending, run).await
    }

    /// The sample fulfilments of one page.
    pub(super) async fn sample_costs(
        &self,
        ctx: &Ctx<'_>,
        shipped: &[Shipped],
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        if shipped.is_empty() || shop_route(ctx.cfg).is_none() {
            return Ok(());
        }
        let orders: Vec<OrderId> = shipped
            .iter()
            .map(|s| s.fulfilment.order_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let types: BTreeMap<OrderId, _> = self
            .log
            .get_many(ctx.shop, &orders)
            .await?
            .into_iter()
            .filter_map(|e| Some((e.order_id, e.order_type?)))
            .collect();
        let now = self.clock.now();
        let todo: Vec<PendingCost> = shipped
            .iter()
            .filter_map(|s| {
                let t = types.get(&s.fulfilment.order_id)?;
                cost::route(Some(t), ctx.cfg)?;
                Some(PendingCost {
                    fulfilment: s.fulfilment.id.clone(),
                    order: s.fulfilment.order_id.clone(),
                    order_type: t.clone(),
                    tran_date: date_part(&s.modified),
                    reason: String::new(),
                    since: now,
                })
            })
            .collect();
        self.post_sample_costs(ctx, todo, run).await
    }

    async fn post_sample_costs(
        &self,
        ctx: &Ctx<'_>,
        todo: Vec<PendingCost>,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        let todo: Vec<PendingCost> = todo
            .into_iter()
            .filter(|p| ctx.first_cost(&p.fulfilment))
            .collect();
        if todo.is_empty() {
            return Ok(());
        }
        let ids: Vec<NetSuiteFulfillmentId> = todo.iter().map(|p| p.fulfilment.clone()).collect();
        let rows = self
            .rows_for(&ids, cost::cogs_query, "cost of goods")
            .await?;
        for mut p in todo {
            let Some(route) = cost::route(Some(&p.order_type), ctx.cfg) else {
                self.close_cost(ctx, &p.fulfilment).await?;
                continue;
            };
            let eid = cost::external_id(&p.fulfilment);
            let found = self
                .netsuite
                .get_by_external_id(RECORD, &eid, false)
                .await
                .map_err(ns("journal lookup"))?;
            if found.is_some() {
                run.count("sample_cost_already_posted", 1);
                self.close_cost(ctx, &p.fulfilment).await?;
                continue;
            }
            let cogs = match posted_cogs(&rows, &p.fulfilment) {
                PostedCogs::Posted(c) => c,
                PostedCogs::NotYet(why) => {
                    run.count("sample_cost_waiting", 1);
                    run.findings.push(format!(
                        "sample cost of fulfilment {} (order {}) not moved yet: {why}; tried again next run",
                        p.fulfilment, p.order
                    ));
                    p.reason = why;
                    self.keep_cost(ctx, &p).await?;
                    continue;
                }
            };
            let Some(subsidiary) = ctx.cfg.subsidiary.as_deref() else {
                run.failures.push(RunFailure {
                    subject: format!("fulfilment {}", p.fulfilment),
                    reason: "the shop's mapping names no subsidiary for the sample cost journal"
                        .into(),
                    fix: "Set `subsidiary` in the shop's mapping entry.".into(),
                });
                continue;
            };
            let j = CostJournal {
                fulfilment: &p.fulfilment,
                order: &p.order,
                order_type: &p.order_type,
                route: &route,
                subsidiary,
                tran_date: &p.tran_date,
            };
            let body = journal_body(&j, &cogs);
            let total: crate::domain::Money = cogs.values().copied().sum();
            match self
                .netsuite
                .upsert_by_external_id(RECORD, &eid, &body, &["line"])
                .await
            {
                Ok(_) => {
                    run.count("sample_cost_journals", 1);
                    run.findings.push(format!(
                        "journal {eid}: cost {total} of fulfilment {} (order {}) moved from COGS to account {}",
                        p.fulfilment, p.order, route.account
                    ));
                    self.close_cost(ctx, &p.fulfilment).await?;
                }
                Err(e) => {
                    run.count("sample_cost_failed", 1);
                    run.failures.push(RunFailure {
                        subject: format!("fulfilment {} (order {})", p.fulfilment, p.order),
                        reason: format!("sample cost journal {eid} refused: {e}"),
                        fix: "Check the marketing account (order_types.sample.cost_account), department, class and the period; the next run tries again.".into(),
                    });
                    p.reason = e.to_string();
                    self.keep_cost(ctx, &p).await?;
                }
            }
        }
        Ok(())
    }

    async fn keep_cost(&self, ctx: &Ctx<'_>, p: &PendingCost) -> Result<(), JobError> {
        let text = serde_json::to_string(p).map_err(|e| JobError::Other(e.to_string()))?;
        self.runs
            .put_state(JOB, ctx.shop, &pending_name(&p.fulfilment), &text)
            .await?;
        Ok(())
    }

    async fn close_cost(&self, ctx: &Ctx<'_>, f: &NetSuiteFulfillmentId) -> Result<(), JobError> {
        self.runs
            .delete_state(JOB, ctx.shop, &pending_name(f))
            .await?;
        Ok(())
    }
}
