//! The admins' failure digest: one email per writer invocation listing the
//! orders that newly failed, each with its reason and fix — never one mail per
//! order, and never again for each automatic retry of the same failure.

use std::sync::Mutex;

use crate::store::OrderLogEntry;
use crate::taxonomy::Failure;

/// One line of the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertLine {
    pub shop_id: String,
    pub order_id: String,
    pub failure: Failure,
    /// The order's type, when the writer read it ("sample", …).
    pub order_type: Option<crate::domain::OrderType>,
    /// True when the order went to the dead-letter queue.
    pub dead_lettered: bool,
}

/// Collects lines during a batch.
#[derive(Default)]
pub struct Digest {
    lines: Mutex<Vec<AlertLine>>,
}

impl Digest {
    pub fn push(&self, line: AlertLine) {
        self.lines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }

    pub fn take(&self) -> Vec<AlertLine> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Whether this attempt's failure is news to an admin: a failure a retry
/// cannot fix, the first time it appears with this code, or a retryable one
/// that has just exhausted its retries.
pub fn is_new_failure(
    previous: Option<&OrderLogEntry>,
    failure: &Failure,
    dead_lettered: bool,
) -> bool {
    if failure.retryable {
        return dead_lettered;
    }
    previous
        .and_then(|p| p.last_failure.as_ref())
        .is_none_or(|f| f.code != failure.code)
}

/// Renders the digest as plain text (no buyer data: ids, codes, reasons, fixes).
pub fn render(lines: &[AlertLine]) -> (String, String) {
    let subject = format!("TikTok → NetSuite: {} order(s) need attention", lines.len());
    let mut body = String::from("These TikTok Shop orders did not reach NetSuite:\n\n");
    for l in lines {
        body.push_str(&format!(
            "- Order {}{} (shop {}): {} [{}]{}\n  Reason: {}\n  Fix: {}\n",
            l.order_id,
            l.order_type
                .as_ref()
                .map(|t| format!(", {}", t.label()))
                .unwrap_or_default(),
            l.shop_id,
            l.failure.code.label(),
            l.failure.code.as_str(),
            if l.dead_lettered {
                " — moved to the dead-letter queue"
            } else {
                ""
            },
            l.failure.reason,
            l.failure.fix
        ));
    }
    body.push_str("\nResubmit with `tiktok-netsuite orders resubmit --order <id>` once fixed; `tiktok-netsuite orders list --status failed` lists them all.\n");
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::ErrorCode;

    #[test]
    fn only_news_reaches_admins() {
        let sku = Failure::new(ErrorCode::MissingSku, "r", "f");
        let timeout = Failure::new(ErrorCode::Timeout, "r", "f");
        assert!(is_new_failure(None, &sku, false));
        assert!(
            !is_new_failure(None, &timeout, false),
            "a retry may still fix it"
        );
        assert!(is_new_failure(None, &timeout, true), "dead-lettered");
        let (subject, body) = render(&[AlertLine {
            shop_id: "s".into(),
            order_id: "o".into(),
            failure: sku,
            order_type: Some(crate::domain::OrderType::Sample),
            dead_lettered: false,
        }]);
        assert!(subject.contains("1 order(s)"));
        assert!(body.contains("Order o, Sample (shop s)"), "{body}");
        assert!(body.contains("Missing SKU") && body.contains("Fix: f"));
    }
}
