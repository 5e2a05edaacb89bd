//! One decision to TikTok, safely (returns.md "Recommended flow"): the
//! return is read again first; the decision goes out only while TikTok still
//! waits for the action it answers, with its deterministic
//! `idempotency_key`; a decision TikTok already made (auto-approval,
//! arbitration, the buyer cancelled, or our own earlier attempt whose answer
//! was lost) is recorded, not an error and never a retry loop.

use serde_json::json;

use super::{FlowError, ReturnsFlow};
use crate::returns::decide::{before_sending, is_already_decided, Go};
use crate::returns::Decision;
use crate::store::returns::{DecisionMade, ReturnState};

/// What became of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// TikTok took it.
    Sent,
    /// TikTok had already decided; recorded with the status it was in.
    AlreadyDecided(String),
}

/// A decision to send.
#[derive(Debug, Clone, PartialEq)]
pub struct ToSend {
    pub decision: Decision,
    /// The reject reason's `name`, from the list fetched for this return.
    pub reason: Option<String>,
    /// `buyer_keep_item` (approve returnless).
    pub keep_item: bool,
    /// [`super::BY_POLICY`] or the console user.
    pub by: String,
}

/// The Approve / Reject Return body.
pub fn body(d: &ToSend) -> serde_json::Value {
    let mut b = json!({ "decision": d.decision.as_str() });
    if let Some(r) = &d.reason {
        b["reject_reason"] = json!(r);
    }
    if d.keep_item {
        b["buyer_keep_item"] = json!(true);
    }
    b
}

impl ReturnsFlow<'_> {
    /// Reads the return again and sends `d` if TikTok still waits for it;
    /// records the decision (or TikTok's) in `st`.
    pub async fn send(&self, st: &mut ReturnState, d: &ToSend) -> Result<Sent, FlowError> {
        let fresh = self
            .api
            .get(&st.return_id)
            .await?
            .ok_or_else(|| FlowError::NotFound(st.return_id.clone()))?;
        let now = self.clock.now();
        let (key, sent) = match before_sending(&fresh, &d.decision) {
            Go::AlreadyDecided { status } => (String::new(), Sent::AlreadyDecided(status)),
            Go::Send { idempotency_key } => {
                match self
                    .api
                    .decide(
                        &st.return_id,
                        d.decision.is_reject(),
                        &idempotency_key,
                        &body(d),
                    )
                    .await
                {
                    Ok(()) => (idempotency_key, Sent::Sent),
                    Err(f) if f.code.is_some_and(is_already_decided) => (
                        idempotency_key,
                        Sent::AlreadyDecided(format!("TikTok code {}", f.code.unwrap_or(0))),
                    ),
                    Err(f) => return Err(f.into()),
                }
            }
        };
        let outcome = match &sent {
            Sent::Sent => "sent".to_string(),
            Sent::AlreadyDecided(s) => format!("already decided by TikTok ({s})"),
        };
        st.note(now, format!("{} by {}: {outcome}", d.decision, d.by));
        st.decisions.push(DecisionMade {
            decision: d.decision.to_string(),
            at: now,
            by: d.by.clone(),
            reason: d.reason.clone(),
            outcome,
            idempotency_key: key,
        });
        st.queued = None;
        tracing::info!(shop_id = %st.shop_id, return_id = %st.return_id, decision = %d.decision, by = %d.by, sent = matches!(sent, Sent::Sent), "returns: decision");
        Ok(sent)
    }
}

impl ReturnsFlow<'_> {
    /// A person's decision from the console: read again, send (or record
    /// TikTok's), store.
    pub async fn decide_as(&self, return_id: &str, d: &ToSend) -> Result<Sent, FlowError> {
        let shop = self.api.shop().clone();
        let prev = self.store.get(&shop, return_id).await?;
        let mut st = match &prev {
            Some(p) => p.clone(),
            None => {
                let fresh = self
                    .api
                    .get(return_id)
                    .await?
                    .ok_or_else(|| FlowError::NotFound(return_id.to_string()))?;
                ReturnState::new(&shop, return_id, &fresh.order_id)
            }
        };
        let sent = self.send(&mut st, d).await?;
        if !self.store.put(&st, prev.as_ref()).await? {
            return Err(FlowError::Contention(return_id.to_string()));
        }
        Ok(sent)
    }
}
