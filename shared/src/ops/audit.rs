//! Operator actions, recorded on the order's history: who, when (the
//! attempt's time), what, and why. The console and the CLI both go through
//! these, so an action never happens without its record.

use super::OpsError;
use crate::store::{EventQueue, OrderLog, OrderLogEntry};

/// The history line of an action.
pub fn action_note(actor: &str, what: &str, reason: &str) -> String {
    let reason = reason.trim();
    let reason = if reason.is_empty() {
        "no reason given"
    } else {
        reason
    };
    format!("{what} by {actor}: {reason}")
}

/// Whether a history line is an operator's action noted on the order
/// (a resubmit), not an outcome of the writer.
pub fn is_action(a: &crate::store::Attempt) -> bool {
    a.failure.is_none() && a.note.starts_with("resubmitted by ")
}

/// A reason is required for actions taken from the console.
pub fn check_reason(reason: &str) -> Result<&str, OpsError> {
    let r = reason.trim();
    if r.is_empty() || r.len() > 500 {
        return Err(OpsError::Invalid {
            field: "reason",
            reason: "give a reason (1-500 characters); it is kept in the order's history".into(),
        });
    }
    Ok(r)
}

/// Resubmits orders and notes who did it and why on each.
pub async fn resubmit_by(
    log: &dyn OrderLog,
    queue: &dyn EventQueue,
    entries: &[OrderLogEntry],
    actor: &str,
    reason: &str,
    now: i64,
) -> Result<usize, OpsError> {
    let n = super::resubmit(queue, entries, now).await?;
    let note = action_note(actor, "resubmitted", reason);
    for e in entries {
        log.note(&e.shop_id, &e.order_id, &note, now).await?;
    }
    Ok(n)
}

/// Ignores an order, with who and why in its history.
pub async fn ignore_by(
    log: &dyn OrderLog,
    entry: &OrderLogEntry,
    actor: &str,
    reason: &str,
    now: i64,
) -> Result<OrderLogEntry, OpsError> {
    super::ignore(log, entry, &format!("{} (by {actor})", reason.trim()), now).await
}

/// Un-ignores an order, with who and why in its history.
pub async fn unignore_by(
    log: &dyn OrderLog,
    entry: &OrderLogEntry,
    actor: &str,
    reason: &str,
    now: i64,
) -> Result<OrderLogEntry, OpsError> {
    super::unignore(log, entry, &format!("{} (by {actor})", reason.trim()), now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_say_who_what_why() {
        assert_eq!(
            action_note("ana", "resubmitted", " SKU linked "),
            "resubmitted by ana: SKU linked"
        );
        assert_eq!(
            action_note("ana", "ignored", ""),
            "ignored by ana: no reason given"
        );
        assert!(check_reason("  ").is_err());
    }
}
