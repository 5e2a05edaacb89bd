//! The $0 orders of a statement's period, by type (issue 26 item 4): the
//! samples, LIVE giveaways, replacements and exchanges the writer logged,
//! with the retail value of their units, for the finance email. TikTok
//! never settles them, so they are not in the statement; finance sees them
//! here instead (pure over order log entries).
//!
//! The period is the statement's day: "Each seller has one statement per
//! day" (TikTok Finance overview), and `statement_time` marks the END of the
//! day it covers (finance notes, an inference from TikTok's own example),
//! so an order first seen in the 24 hours before `statement_time` belongs
//! to it.

use crate::domain::{Money, OrderType};
use crate::store::{OrderLogEntry, SyncStatus};

/// One type's line in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeRow {
    pub order_type: OrderType,
    pub orders: usize,
    /// Sum of the logged retail values (lines' retail / `gift_retail_price`).
    pub retail_value: Money,
}

/// The period a statement covers: `[statement_time - 1 day, statement_time)`.
pub fn period(statement_time: i64) -> (i64, i64) {
    (statement_time - 86_400, statement_time)
}

/// The order-log filter the period's entries are read with (the shop's
/// entries changed since the period began), for the email and the console.
pub fn period_filter(shop: &crate::domain::ShopId, statement_time: i64) -> crate::store::LogFilter {
    crate::store::LogFilter {
        shop_id: Some(shop.clone()),
        since: Some(period(statement_time).0),
        ..Default::default()
    }
}

/// The $0 orders first seen in `[from, to)`, grouped by type (types in
/// their declared order), skipping orders that were never written (held,
/// skipped, ignored): those are not goods that left stock.
pub fn summarise(entries: &[OrderLogEntry], from: i64, to: i64) -> Vec<FreeRow> {
    let mut out: Vec<FreeRow> = Vec::new();
    for t in OrderType::ALL.iter().filter(|t| t.is_free()) {
        let of_type: Vec<&OrderLogEntry> = entries
            .iter()
            .filter(|e| e.order_type.as_ref() == Some(t))
            .filter(|e| e.first_seen >= from && e.first_seen < to)
            .filter(|e| e.netsuite_id.is_some() && e.sync_status != SyncStatus::Ignored)
            .collect();
        if !of_type.is_empty() {
            out.push(FreeRow {
                order_type: t.clone(),
                orders: of_type.len(),
                retail_value: of_type.iter().filter_map(|e| e.retail_value).sum(),
            });
        }
    }
    out
}

/// The email's section (empty when there are none).
pub fn html(rows: &[FreeRow], currency: &str) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let td = "style=\"border:1px solid #ccc;padding:4px 8px\"";
    let mut out = format!(
        "<h2>$0 orders in this period (no revenue, not settled by TikTok)</h2>\n<table style=\"border-collapse:collapse\">\n<tr><th {td}>Type</th><th {td}>Orders</th><th {td}>Retail value ({})</th></tr>\n",
        currency.replace(['&', '<', '>'], "")
    );
    for r in rows {
        out.push_str(&format!(
            "<tr><td {td}>{}</td><td {td} align=\"right\">{}</td><td {td} align=\"right\">{}</td></tr>\n",
            r.order_type.label().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"),
            r.orders,
            r.retail_value
        ));
    }
    out.push_str("</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(order: &str, t: &str, value: &str, first_seen: i64) -> OrderLogEntry {
        serde_json::from_value(json!({
            "shop_id": "s", "order_id": order, "tiktok_status": "COMPLETED",
            "sync_status": "created", "netsuite_id": "1", "attempts": 1,
            "first_seen": first_seen, "last_updated": first_seen,
            "order_type": t, "retail_value": value
        }))
        .unwrap()
    }

    #[test]
    fn lists_zero_orders_of_the_period_by_type_with_their_retail_value() {
        let (from, to) = period(1_000_000);
        let entries = vec![
            entry("1", "sample", "129.99", from),
            entry("2", "sample", "20.01", to - 1),
            entry("3", "replacement", "15.00", from + 5),
            entry("4", "sale", "0", from + 5),
            entry("5", "sample", "99.00", to),
            entry("6", "giveaway", "5.00", from - 1),
        ];
        let rows = summarise(&entries, from, to);
        assert_eq!(
            rows,
            vec![
                FreeRow {
                    order_type: OrderType::Sample,
                    orders: 2,
                    retail_value: "150.00".parse().unwrap()
                },
                FreeRow {
                    order_type: OrderType::Replacement,
                    orders: 1,
                    retail_value: "15.00".parse().unwrap()
                },
            ]
        );
        let h = html(&rows, "USD");
        assert!(h.contains("<td style=\"border:1px solid #ccc;padding:4px 8px\">Sample</td>"));
        assert!(h.contains(">150.00<"), "{h}");
        assert_eq!(html(&[], "USD"), "");
    }
}
