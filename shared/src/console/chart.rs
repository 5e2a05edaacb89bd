//! The overview's chart: orders and failures per hour over the last day,
//! as inline SVG drawn on the server (no script). Bars for orders, a line
//! for failures; a text summary and a `<title>` carry the same numbers for
//! screen readers.

use maud::{html, Markup};

use crate::ops::overview::Hour;

const W: i64 = 720;
const H: i64 = 160;
const PAD: i64 = 24;

/// The chart of 24 hours.
pub fn hourly(hours: &[Hour]) -> Markup {
    let max = hours
        .iter()
        .map(|h| h.orders.max(h.failures))
        .max()
        .unwrap_or(0)
        .max(1) as i64;
    let n = hours.len().max(1) as i64;
    let slot = (W - 2 * PAD) / n;
    let y = |v: u64| H - PAD - (v as i64) * (H - 2 * PAD) / max;
    let points: Vec<String> = hours
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{},{}", PAD + i as i64 * slot + slot / 2, y(h.failures)))
        .collect();
    let total_orders: u64 = hours.iter().map(|h| h.orders).sum();
    let total_failures: u64 = hours.iter().map(|h| h.failures).sum();
    let summary = format!(
        "Last 24 hours: {total_orders} orders updated, {total_failures} failing (peak {max} in one hour)"
    );
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(summary) preserveAspectRatio="none" {
                title { (summary) }
                line x1=(PAD) y1=(H - PAD) x2=(W - PAD) y2=(H - PAD) stroke="#6b7280" {}
                @for (i, h) in hours.iter().enumerate() {
                    rect x=(PAD + i as i64 * slot + 2) y=(y(h.orders)) width=((slot - 4).max(1))
                        height=((H - PAD - y(h.orders)).max(0)) fill="#2563eb" {
                        title { (format!("{} UTC: {} orders, {} failing", hour_label(h.start), h.orders, h.failures)) }
                    }
                }
                polyline points=(points.join(" ")) fill="none" stroke="#b91c1c" stroke-width="3" {}
                text x=(PAD) y=(H - 6) font-size="11" fill="#374151" { (hour_label(hours.first().map_or(0, |h| h.start))) " UTC" }
                text x=(W - PAD) y=(H - 6) font-size="11" fill="#374151" text-anchor="end" { "now" }
                text x=(PAD) y="14" font-size="11" fill="#374151" { (max) " / hour" }
            }
            figcaption {
                span.legend.orders { "■" } " orders updated per hour  "
                span.legend.fail { "━" } " failing orders per hour (by last update)"
                br;
                (summary)
            }
        }
    }
}

fn hour_label(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%H:00").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_bar_per_hour_with_a_text_summary() {
        let hours: Vec<Hour> = (0..24)
            .map(|i| Hour {
                start: i * 3600,
                orders: i as u64,
                failures: 1,
            })
            .collect();
        let svg = hourly(&hours).into_string();
        assert_eq!(svg.matches("<rect").count(), 24);
        assert!(svg.contains("276 orders updated, 24 failing"), "{svg}");
        assert!(svg.contains("role=\"img\""));
    }
}
