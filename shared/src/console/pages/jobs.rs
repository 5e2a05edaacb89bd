//! Jobs: the latest runs of each scheduled job for each connected shop
//! (the run log). Payout statements have their own page ([`super::payouts`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use maud::html;

use super::{badge, guard, humanize, ops_error, render, when, Page};
use crate::console::Console;
use crate::jobs::JobName;
use crate::store::shop_directory::connected_shops;

/// Runs shown per job and shop.
const RUNS: i32 = 5;

pub async fn page(State(c): State<Arc<Console>>, headers: HeaderMap) -> Page {
    let ctx = guard(&c, &headers).await?;
    let shops = connected_shops(&c.ddb, &c.tokens_table)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let mut runs = Vec::new();
    for job in JobName::ALL {
        for s in &shops {
            let got = c
                .runs
                .list_runs(job.as_str(), &s.shop_id, RUNS)
                .await
                .map_err(|e| ops_error(e.into()))?;
            runs.extend(got);
        }
    }
    runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
    let body = html! {
        main {
            h1 { "Jobs" }
            p.muted { "The last " (RUNS) " runs of each job for each shop. A failed run resumes from its checkpoint at the next schedule." }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Job" } th scope="col" { "Shop" } th scope="col" { "Started" }
                        th scope="col" { "Status" } th scope="col" { "Counts" } th scope="col" { "What happened" }
                    } }
                    tbody {
                        @if runs.is_empty() { tr { td colspan="6" { "No runs yet." } } }
                        @for r in &runs {
                            tr {
                                td { (r.job) } td { (r.shop_id) } td { (when(r.started_at)) }
                                td { (badge(r.status.as_str())) }
                                td { @for (k, v) in &r.counts { (k) ": " (v) br; } }
                                td {
                                    (humanize(&r.note))
                                    @for f in &r.failures { br; strong { (f.subject) } ": " (f.reason) " — " (f.fix) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(render("Jobs", &ctx, "/jobs", body))
}
