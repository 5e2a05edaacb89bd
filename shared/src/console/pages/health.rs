//! Health: the doctor's latest run for each connected shop, one line per
//! check with its fix (the `doctor` job's findings in the run log). Every
//! role may read it; nothing here is run from the page (the doctor runs on
//! its schedule, or `tiktok-netsuite doctor`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use maud::{html, Markup};

use super::{guard, ops_error, render, when, Page};
use crate::console::Console;
use crate::jobs::JobName;
use crate::store::shop_directory::connected_shops;
use crate::store::JobRun;

/// The latest doctor run of each connected shop.
pub async fn latest_runs(c: &Console) -> Result<Vec<JobRun>, crate::store::StoreError> {
    let shops = connected_shops(&c.ddb, &c.tokens_table).await?;
    let mut out = Vec::new();
    for s in &shops {
        out.extend(
            c.runs
                .list_runs(JobName::Doctor.as_str(), &s.shop_id, 1)
                .await?,
        );
    }
    Ok(out)
}

/// A finding line `FAIL name: detail — fix: …` as (status, rest).
fn split(line: &str) -> (&str, &str) {
    match line.split_once(' ') {
        Some((s @ ("PASS" | "WARN" | "FAIL"), rest)) => (s, rest),
        _ => ("", line),
    }
}

/// One line for the overview: how the latest doctor runs went.
pub fn summary(runs: &[JobRun]) -> Markup {
    let failed: u64 = runs
        .iter()
        .map(|r| r.counts.get("checks_failed").copied().unwrap_or(0))
        .sum();
    let warned: u64 = runs
        .iter()
        .map(|r| r.counts.get("checks_warned").copied().unwrap_or(0))
        .sum();
    let last = runs.iter().map(|r| r.started_at).max();
    html! {
        p.health {
            strong { "Health: " }
            @match last {
                None => "the doctor has not run yet (it runs on a schedule, or tiktok-netsuite doctor). ",
                Some(t) => {
                    @if failed > 0 { span class="badge s-failed" { (failed) " failed" } " " }
                    @else if warned > 0 { span class="badge s-waiting" { (warned) " warning" @if warned != 1 { "s" } } " " }
                    @else { span class="badge s-pass" { "all checks pass" } " " }
                    "(doctor run " (when(t)) ") "
                }
            }
            a href="/health" { "Health…" }
        }
    }
}

pub async fn page(State(c): State<Arc<Console>>, headers: HeaderMap) -> Page {
    let ctx = guard(&c, &headers).await?;
    let runs = latest_runs(&c).await.map_err(|e| ops_error(e.into()))?;
    let body = html! {
        main {
            h1 { "Health" }
            p.muted { "The doctor checks the set-up against TikTok, NetSuite and AWS: each line passes or fails with its fix. It runs on a schedule; a failed check raises the doctor alarm. Run it now with " code { "tiktok-netsuite doctor" } "." }
            (summary(&runs))
            @if runs.is_empty() { p { "No doctor run yet." } }
            @for r in &runs {
                section {
                    h2 { "Shop " (r.shop_id) }
                    p.muted { "Run " (when(r.started_at)) ": " (r.note) }
                    div.scroll {
                        table {
                            thead { tr { th scope="col" { "Result" } th scope="col" { "Check" } } }
                            tbody {
                                @for line in &r.findings {
                                    @let (status, rest) = split(line);
                                    tr {
                                        td { span class=(format!("badge s-{}", if status == "PASS" { "pass" } else if status == "FAIL" { "failed" } else { "waiting" })) { (status) } }
                                        td { (rest) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(render("Health", &ctx, "/health", body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_line_splits_into_status_and_text() {
        assert_eq!(
            super::split("FAIL a: b — fix: c"),
            ("FAIL", "a: b — fix: c")
        );
        assert_eq!(super::split("odd line"), ("", "odd line"));
    }
}
