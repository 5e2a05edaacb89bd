//! One return through the flow: read again, skip what was applied, RA,
//! decision or queue, cancel, credit; then store what was applied.

use super::send::ToSend;
use super::{FlowError, ReturnsFlow, BY_POLICY};
use crate::returns::credit::plan_credit;
use crate::returns::events::needs_flow;
use crate::returns::policy::{decide, pick_reject_reason, PolicyOutcome};
use crate::returns::ports::RaUpsert;
use crate::returns::ra_plan::{plan_ra, ra_external_id, RaPlan};
use crate::returns::{Decision, ReturnRecord, ReturnStatus, ReturnType, SellerAction};
use crate::store::returns::{Queued, ReturnState};

/// The externalId of a return's Item Receipt and credit.
pub fn receipt_external_id(return_id: &str) -> String {
    format!("tts-rcv-{return_id}")
}
pub fn credit_external_id(return_id: &str) -> String {
    format!("tts-cr-{return_id}")
}

/// What looking at a return did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Looked {
    /// TikTok does not know it (for this shop).
    NotFound,
    /// This `update_time` was already applied: a duplicate or older event.
    AlreadyApplied,
    /// Applied; the status TikTok had.
    Applied(String),
}

/// Whether a stored state already holds this read of the return.
pub fn already_applied(st: Option<&ReturnState>, fresh: &ReturnRecord) -> bool {
    st.is_some_and(|s| {
        !needs_flow(Some(s.applied_update_time), fresh.update_time)
            && s.status == fresh.return_status.as_str()
    })
}

impl ReturnsFlow<'_> {
    /// Runs one return through the flow.
    pub async fn look_at(&self, return_id: &str) -> Result<Looked, FlowError> {
        let Some(fresh) = self.api.get(return_id).await? else {
            tracing::warn!(shop_id = %self.api.shop(), return_id, "returns: TikTok does not return this return");
            return Ok(Looked::NotFound);
        };
        let shop = self.api.shop().clone();
        let prev = self.store.get(&shop, return_id).await?;
        if already_applied(prev.as_ref(), &fresh) {
            return Ok(Looked::AlreadyApplied);
        }
        let mut st = prev
            .clone()
            .unwrap_or_else(|| ReturnState::new(&shop, return_id, &fresh.order_id));
        let now = self.clock.now();
        if st.status != fresh.return_status.as_str() {
            st.note(now, format!("TikTok: {}", fresh.return_status));
        }
        if let Some(from) = fresh.pre_return_id.as_deref().filter(|p| !p.is_empty()) {
            if st.v == 0 {
                st.note(now, format!("edited by the buyer from return {from}"));
            }
        }
        st.units = fresh
            .return_line_items
            .iter()
            .map(|l| crate::returns::record::line_sku(l).0)
            .collect();
        st.status = fresh.return_status.to_string();
        st.return_type = fresh.return_type.to_string();
        let planned = self.plan_decision(&fresh).await?;
        // Approved returnless, nothing ships back: no RA is written for it.
        let returnless_soon = matches!(planned, Some((_, _, PolicyOutcome::ApproveReturnless)));
        let refused = if returnless_soon {
            None
        } else {
            self.step_ra(&fresh, &mut st).await?
        };
        match (refused, planned) {
            // The RA could not be written: a person decides, not the policy.
            (Some(why), Some((action, deadline, _))) => queue(&mut st, &action, deadline, why),
            (_, None) => st.queued = None,
            (None, Some((action, deadline, outcome))) => {
                self.step_decide(&fresh, &mut st, action, deadline, outcome)
                    .await?
            }
        }
        self.step_credit(&fresh, &mut st).await?;
        st.applied_update_time = st.applied_update_time.max(fresh.update_time);
        if !self.store.put(&st, prev.as_ref()).await? {
            return Err(FlowError::Contention(return_id.to_string()));
        }
        Ok(Looked::Applied(st.status))
    }

    /// Writes, updates or closes the RA; `Some(why)` when it was refused.
    async fn step_ra(
        &self,
        r: &ReturnRecord,
        st: &mut ReturnState,
    ) -> Result<Option<String>, FlowError> {
        let now = self.clock.now();
        if r.return_type != ReturnType::ReturnAndRefund || r.is_returnless() {
            if r.is_returnless() && !st.history.iter().any(|h| h.text.starts_with("returnless")) {
                st.note(now, "returnless: no Return Authorization, no receipt; the refund is booked as today");
            }
            return Ok(None);
        }
        let ext = ra_external_id(&r.return_id);
        if r.return_status == ReturnStatus::RequestCancel {
            if st.ra_id.is_some() {
                if let Some(ra) = self.books.find_ra(&ext).await? {
                    self.books.close_ra(&ra).await?;
                    st.note(
                        now,
                        format!(
                            "Return Authorization {} closed: TikTok cancelled the return",
                            ra.internal_id
                        ),
                    );
                }
            }
            return Ok(None);
        }
        let order = self.books.order_records(&r.order_id, &ext).await?;
        match plan_ra(r, &order) {
            RaPlan::Upsert {
                external_id,
                source,
                lines,
                status,
            } => {
                let ra = self
                    .books
                    .upsert_ra(&RaUpsert {
                        external_id,
                        source,
                        lines,
                        status,
                        memo: format!("TikTok return {}", r.return_id),
                    })
                    .await?;
                if st.ra_id.as_deref() != Some(ra.internal_id.as_str()) {
                    st.note(
                        now,
                        format!("Return Authorization {} written", ra.internal_id),
                    );
                }
                st.ra_id = Some(ra.internal_id);
            }
            RaPlan::Refused(why) => {
                st.note(now, format!("no Return Authorization: {why}"));
                return Ok(Some(format!("no Return Authorization: {why}")));
            }
            RaPlan::Returnless | RaPlan::Nothing => {}
        }
        Ok(None)
    }

    /// What the policy says, with the order's age when the policy asks for it.
    async fn outcome(&self, r: &ReturnRecord) -> Result<PolicyOutcome, FlowError> {
        let Some(policy) = &self.settings.policy else {
            return Ok(PolicyOutcome::AskPerson(
                "no returns policy for this shop: a person decides (the default)".into(),
            ));
        };
        let age = match policy.max_order_age_days {
            None => 0,
            Some(_) => match self.api.order_paid_time(&r.order_id).await? {
                Some(paid) => {
                    u32::try_from((self.clock.now() - paid).max(0) / 86_400).unwrap_or(u32::MAX)
                }
                // Unknown age: the harsher reading, a person decides.
                None => u32::MAX,
            },
        };
        Ok(decide(policy, r, age))
    }

    /// The open seller action, its deadline, and what the policy says.
    async fn plan_decision(
        &self,
        r: &ReturnRecord,
    ) -> Result<Option<(SellerAction, i64, PolicyOutcome)>, FlowError> {
        let Some((action, deadline)) = r.next_deadline() else {
            return Ok(None);
        };
        let outcome = match &action {
            SellerAction::RespondReturn | SellerAction::RespondRefund => self.outcome(r).await?,
            SellerAction::RespondReceivePackage => PolicyOutcome::AskPerson(
                "grade the parcel: the received package needs a decision".into(),
            ),
            other => PolicyOutcome::AskPerson(format!("TikTok waits for {other}")),
        };
        Ok(Some((action, deadline, outcome)))
    }

    async fn step_decide(
        &self,
        r: &ReturnRecord,
        st: &mut ReturnState,
        action: SellerAction,
        deadline: i64,
        outcome: PolicyOutcome,
    ) -> Result<(), FlowError> {
        let by = BY_POLICY.to_string();
        let to_send = match outcome {
            PolicyOutcome::NoDecision => return Ok(()),
            PolicyOutcome::Approve(decision) => ToSend {
                decision,
                reason: None,
                keep_item: false,
                by,
            },
            PolicyOutcome::ApproveReturnless => ToSend {
                decision: Decision::ApproveReturn,
                reason: None,
                keep_item: true,
                by,
            },
            PolicyOutcome::Reject { decision, reason } => {
                let fetched = self.api.reject_reasons(&r.return_id).await?;
                match pick_reject_reason(&reason, &fetched) {
                    Some(found) => ToSend {
                        decision,
                        reason: Some(found.name.clone()),
                        keep_item: false,
                        by,
                    },
                    None => {
                        let why = format!(
                            "the reject reason {reason:?} is not offered by TikTok for this return"
                        );
                        queue(st, &action, deadline, why);
                        return Ok(());
                    }
                }
            }
            PolicyOutcome::AskPerson(why) => {
                queue(st, &action, deadline, why);
                return Ok(());
            }
        };
        self.send(st, &to_send).await?;
        Ok(())
    }

    async fn step_credit(&self, r: &ReturnRecord, st: &mut ReturnState) -> Result<(), FlowError> {
        if r.return_status != ReturnStatus::RequestComplete
            || st.credit_id.is_some()
            || st.held.is_some()
            || r.is_returnless()
            || r.return_type != ReturnType::ReturnAndRefund
        {
            return Ok(());
        }
        let now = self.clock.now();
        let Some(ra) = self.books.find_ra(&ra_external_id(&r.return_id)).await? else {
            st.note(
                now,
                "refund complete, but there is no Return Authorization to credit from",
            );
            return Ok(());
        };
        match plan_credit(r, &r.refund_amount.currency) {
            Ok(plan) => {
                let id = self
                    .books
                    .credit(&ra, &plan, &credit_external_id(&r.return_id))
                    .await?;
                st.note(
                    now,
                    format!("{} {id} booked for {}", ra.source.credit_type(), plan.total),
                );
                st.credit_id = Some(id);
            }
            Err(hold) => {
                st.note(now, format!("credit held: {hold}"));
                st.held = Some(hold.to_string());
            }
        }
        Ok(())
    }
}

/// Puts a return on the queue with TikTok's deadline.
fn queue(st: &mut ReturnState, action: &SellerAction, deadline: i64, why: String) {
    let q = Queued {
        action: action.to_string(),
        deadline,
        why,
    };
    if st.queued.as_ref() != Some(&q) {
        st.queued = Some(q);
    }
}
