//! The daily digest's returns lines (issue 28 §7): how many returns wait for
//! a person (with the soonest TikTok deadline), and the decisions made in
//! the digest's window, by the policy and by people.

use crate::store::returns::ReturnState;

fn date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// The lines for one shop's returns; empty when nothing waits and nothing
/// was decided in `[now - window, now]`.
pub fn returns_lines(states: &[ReturnState], now: i64, window: i64) -> Vec<String> {
    let mut out = Vec::new();
    let waiting: Vec<_> = states
        .iter()
        .filter_map(|s| s.queued.as_ref().map(|q| (q.deadline, &s.return_id)))
        .collect();
    if let Some((deadline, id)) = waiting.iter().min() {
        out.push(format!(
            "{} return(s) waiting for a person (console → Returns); the soonest TikTok deadline is {} (return {id})",
            waiting.len(),
            date(*deadline)
        ));
    }
    let recent: Vec<_> = states
        .iter()
        .flat_map(|s| &s.decisions)
        .filter(|d| d.at >= now - window && d.at <= now)
        .collect();
    if !recent.is_empty() {
        let policy = recent.iter().filter(|d| d.by == "policy").count();
        let tiktok = recent
            .iter()
            .filter(|d| d.outcome.starts_with("already decided"))
            .count();
        out.push(format!(
            "{} return decision(s) made: {policy} by the policy, {} by people; {tiktok} of them TikTok had already made",
            recent.len(),
            recent.len() - policy
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, ShopId};
    use crate::store::returns::{DecisionMade, Queued};

    fn st(id: &str) -> ReturnState {
        ReturnState::new(&ShopId::new("s"), id, &OrderId::new("o"))
    }

    fn made(by: &str, at: i64, outcome: &str) -> DecisionMade {
        DecisionMade {
            decision: "APPROVE_RETURN".into(),
            at,
            by: by.into(),
            reason: None,
            outcome: outcome.into(),
            idempotency_key: String::new(),
        }
    }

    #[test]
    fn counts_waiting_and_decided() {
        let mut a = st("A");
        a.queued = Some(Queued {
            action: "SELLER_RESPOND_RETURN".into(),
            deadline: 1_767_312_000,
            why: "x".into(),
        });
        let mut b = st("B");
        b.decisions = vec![
            made("policy", 1_000, "sent"),
            made(
                "alice",
                1_500,
                "already decided by TikTok (AWAITING_BUYER_SHIP)",
            ),
            made("policy", 10, "sent"),
        ];
        let lines = returns_lines(&[a, b], 2_000, 1_500);
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].starts_with("1 return(s) waiting")
                && lines[0].contains("2026-01-02 00:00 UTC")
        );
        assert_eq!(
            lines[1],
            "2 return decision(s) made: 1 by the policy, 1 by people; 1 of them TikTok had already made"
        );
        assert!(returns_lines(&[st("C")], 2_000, 1_500).is_empty());
    }
}
