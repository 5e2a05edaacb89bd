//! The receipt step (issue 28 §2): an operator grades each returned unit in
//! the console (good, damaged, missing, wrong); the flow writes the Item
//! Receipt from the RA by transform ([`super::super::receipt::plan_receipt`]:
//! good → sellable, damaged → the damaged-goods location, missing or wrong →
//! not received), then sends the received-package decision: all good →
//! approve; anything else → reject with a reason from the list TikTok gives
//! for this return (the one the operator chose, else TikTok's first).

use super::look::receipt_external_id;
use super::send::{Sent, ToSend};
use super::{FlowError, ReturnsFlow};
use crate::domain::Sku;
use crate::returns::ra_plan::ra_external_id;
use crate::returns::receipt::{plan_receipt, Grade};

impl ReturnsFlow<'_> {
    /// Grades a return's units, receives them, and decides the package.
    pub async fn receive(
        &self,
        return_id: &str,
        graded: &[(Sku, Grade)],
        by: &str,
        reject_reason: Option<&str>,
    ) -> Result<Sent, FlowError> {
        if graded.is_empty() {
            return Err(FlowError::NothingGraded(return_id.to_string()));
        }
        let loc = self
            .settings
            .locations
            .as_ref()
            .ok_or(FlowError::NoLocations)?;
        let shop = self.api.shop().clone();
        let prev = self
            .store
            .get(&shop, return_id)
            .await?
            .ok_or_else(|| FlowError::NoRa(return_id.to_string()))?;
        let mut st = prev.clone();
        let ra = self
            .books
            .find_ra(&ra_external_id(return_id))
            .await?
            .ok_or_else(|| FlowError::NoRa(return_id.to_string()))?;
        let plan = plan_receipt(graded, loc);
        let now = self.clock.now();
        if st.receipt_id.is_none() {
            let id = self
                .books
                .receive(&ra, &plan, &receipt_external_id(return_id))
                .await?;
            let lines: Vec<String> = plan
                .lines
                .iter()
                .map(|l| match (&l.location, l.receive) {
                    (Some(loc), true) => format!("{} × {} to location {loc}", l.quantity, l.sku),
                    _ => format!("{} × {} not received", l.quantity, l.sku),
                })
                .collect();
            st.note(
                now,
                format!("graded by {by}; Item Receipt {id}: {}", lines.join(", ")),
            );
            st.receipt_id = Some(id);
        }
        let reason = if plan.decision.is_reject() {
            let fetched = self.api.reject_reasons(return_id).await?;
            let chosen = reject_reason
                .and_then(|w| fetched.iter().find(|r| r.name == w))
                .or_else(|| fetched.first());
            chosen.map(|r| r.name.clone())
        } else {
            None
        };
        let sent = self
            .send(
                &mut st,
                &ToSend {
                    decision: plan.decision.clone(),
                    reason,
                    keep_item: false,
                    by: by.to_string(),
                },
            )
            .await?;
        if !self.store.put(&st, Some(&prev)).await? {
            return Err(FlowError::Contention(return_id.to_string()));
        }
        Ok(sent)
    }
}
