//! The overview: counts by sync status for 24 h and 7 days, the top
//! failure codes with their fix, the hourly chart, the last activity per
//! shop and the dead-letter queue's depth.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use maud::{html, Markup};

use super::{badge, enc, guard, ops_error, plural, render, when, Page};
use crate::console::{chart, Console};
use crate::ops::attention::{attention, ShopAttention};
use crate::ops::overview::overview;
use crate::store::shop_directory::{connected_shops, queue_depth};
use crate::store::ShopProfiles;
use crate::taxonomy::ErrorCode;

pub async fn page(State(c): State<Arc<Console>>, headers: HeaderMap) -> Page {
    let ctx = guard(&c, &headers).await?;
    let now = c.clock.now();
    let shops = connected_shops(&c.ddb, &c.tokens_table)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let ids: Vec<_> = shops.iter().map(|s| s.shop_id.clone()).collect();
    // Shops by name (one BatchGetItem of their profiles; never a token).
    let names: std::collections::HashMap<_, _> =
        crate::store::DynamoShopProfiles::new(c.ddb.clone(), &c.tokens_table)
            .get_many(&ids)
            .await
            .map_err(|e| ops_error(e.into()))?
            .into_iter()
            .filter(|(_, p)| !p.name.is_empty())
            .map(|(id, p)| (id, p.name))
            .collect();
    let o = overview(&c.log, shops, now).await.map_err(ops_error)?;
    let dlq = queue_depth(&c.sqs, &c.dlq_url).await.ok();
    let mut jobs = Vec::new();
    for s in &o.shops {
        jobs.push(
            attention(c.runs.as_ref(), &s.shop.shop_id)
                .await
                .map_err(ops_error)?,
        );
    }
    let health = super::health::latest_runs(&c)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let body = html! {
        main {
            h1 { "Overview" }
            (super::health::summary(&health))
            div.cards {
                section.card aria-labelledby="h-counts" {
                    h2 id="h-counts" { "Orders by status" }
                    table {
                        thead { tr { th scope="col" { "Status" } th.num scope="col" { "24 h" } th.num scope="col" { "7 days" } } }
                        tbody {
                            @for s in &o.counts {
                                @if s.last_7d > 0 {
                                    tr {
                                        td { a href=(format!("/orders?status={}", s.status.as_str())) { (badge(s.status.as_str())) } }
                                        td.num { (s.last_24h) @if s.capped { "+" } }
                                        td.num { (s.last_7d) @if s.capped { "+" } }
                                    }
                                }
                            }
                            @if o.counts.iter().all(|s| s.last_7d == 0) { tr { td colspan="3" { "No orders in the last 7 days." } } }
                        }
                    }
                }
                section.card aria-labelledby="h-dlq" {
                    h2 id="h-dlq" { "Dead-letter queue" }
                    @match dlq {
                        Some(0) => p { "Empty." },
                        Some(n) => p.alert { strong { (n) } " messages failed 5 times and wait in the dead-letter queue. Fix the cause, then redrive them." },
                        None => p.muted { "Could not be read just now." },
                    }
                    h2 { "Shops" }
                    @if o.shops.is_empty() { p.muted { "No shop is connected." } }
                    ul {
                        @for s in &o.shops {
                            li {
                                a href=(format!("/orders?shop={}", enc(s.shop.shop_id.as_str()))) {
                                    @match names.get(&s.shop.shop_id) {
                                        Some(n) => { (n) " (" (s.shop.shop_id) ")" },
                                        None => (s.shop.shop_id),
                                    }
                                }
                                ": last order event "
                                @match s.last_event { Some(t) => (when(t)), None => "none yet" }
                            }
                        }
                    }
                }
            }
            (jobs_card(&jobs))
            section aria-labelledby="h-chart" {
                h2 id="h-chart" { "Last 24 hours" }
                (chart::hourly(&o.hours))
            }
            section aria-labelledby="h-codes" {
                h2 id="h-codes" { "Top failure codes (7 days)" }
                @if o.top_codes.is_empty() { p.muted { "No failures." } } @else {
                    div.scroll {
                        table {
                            thead { tr { th scope="col" { "Code" } th.num scope="col" { "Orders" } th scope="col" { "How to fix" } } }
                            tbody {
                                @for t in &o.top_codes {
                                    tr {
                                        td { a href=(format!("/orders?code={}", t.code.as_str())) { (t.code.label()) } }
                                        td.num { (t.count) }
                                        td {
                                            @if t.code == ErrorCode::UnlinkedProduct {
                                                "Link each blocking SKU to a NetSuite item, then resubmit its orders. "
                                                a.button href="/skus" { "SKU links…" }
                                            } @else { (t.fix) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(render("Overview", &ctx, "/", body))
}

/// What the scheduled jobs leave for a person: refused stock pushes,
/// tracking waiting for a carrier mapping, held payouts.
fn jobs_card(jobs: &[ShopAttention]) -> Markup {
    let waiting: Vec<&ShopAttention> = jobs.iter().filter(|a| !a.is_clear()).collect();
    html! {
        section.card.jobs aria-labelledby="h-jobs" {
            h2 id="h-jobs" { "Stock, tracking and payouts" }
            @if waiting.is_empty() {
                p { "Nothing waiting: no stock push refused in the latest inventory runs, no tracking waiting for a carrier mapping, no payout statement held." }
            }
            @for a in &waiting {
                h3 { "Shop " (a.shop) }
                ul {
                    @if a.stock_refused_count > 0 {
                        li {
                            strong { (plural(a.stock_refused_count, "stock push")) } " refused by TikTok in the latest inventory run "
                            a href="/jobs" { "(Jobs)" }
                            ul { @for f in &a.stock_refused { li { (f) } } }
                        }
                    }
                    @if a.tracking_waiting_count > 0 {
                        li {
                            strong { (plural(a.tracking_waiting_count, "fulfilment")) } " waiting for a carrier mapping: add the ship method to the shop's tracking carriers (MAPPING_CONFIG), the next run pushes them."
                            ul { @for (m, n) in &a.tracking_waiting { li { code { (m) } " · " (plural(*n, "fulfilment")) } } }
                        }
                    }
                    @if a.tracking_other_count > 0 {
                        li { strong { (plural(a.tracking_other_count, "fulfilment")) } " with tracking TikTok refused or waiting for another fix (" code { "tiktok-netsuite tracking status" } ")." }
                    }
                    @if !a.payouts_held.is_empty() {
                        li {
                            strong { (plural(a.payouts_held.len(), "payout statement")) } " held (not booked): "
                            @for (i, (id, why)) in a.payouts_held.iter().enumerate() {
                                @if i > 0 { "; " }
                                a href=(format!("/payouts/{}/{}", enc(a.shop.as_str()), enc(id))) { (id) }
                                @if !why.is_empty() { " — " (why) }
                            }
                        }
                    }
                }
            }
        }
    }
}
