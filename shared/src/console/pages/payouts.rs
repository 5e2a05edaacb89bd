//! Payouts: the statements the payout job read, per shop, newest first
//! (status posted / held / failed, journal, payable, checks, email), and
//! one statement: its summary, its checks pass/FAIL with amounts, the
//! journal's NetSuite link, the hold reason, and "Re-send report"
//! (operators and admins; viewers read), recorded who and when.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use maud::html;

use super::{
    badge, enc, error_page, guard, guard_post, ops_error, param, render, require, see_other, when,
    Page,
};
use crate::console::Console;
use crate::domain::ShopId;
use crate::ops::payouts::{self as ops, LIST_LIMIT};
use crate::store::shop_directory::connected_shops;
use crate::store::Role;

fn statement_path(shop: &ShopId, statement: &str) -> String {
    format!("/payouts/{}/{}", enc(shop.as_str()), enc(statement))
}

pub async fn list(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = guard(&c, &headers).await?;
    let shops: Vec<ShopId> = match param(&q, "shop") {
        Some(s) => vec![ShopId::new(s)],
        None => connected_shops(&c.ddb, &c.tokens_table)
            .await
            .map_err(|e| ops_error(e.into()))?
            .into_iter()
            .map(|s| s.shop_id)
            .collect(),
    };
    let mut per_shop = Vec::new();
    for shop in shops {
        let statements = ops::list(c.runs.as_ref(), &shop, LIST_LIMIT)
            .await
            .map_err(ops_error)?;
        // With no statement, what the job's latest run said (it may have
        // run and found nothing to book).
        let last_run = if statements.is_empty() {
            c.runs
                .list_runs(crate::jobs::JobName::Payouts.as_str(), &shop, 1)
                .await
                .map_err(|e| ops_error(e.into()))?
                .into_iter()
                .next()
        } else {
            None
        };
        per_shop.push((shop, statements, last_run));
    }
    let body = html! {
        main {
            h1 { "Payouts" }
            p.muted { "TikTok statements the payout job has read, newest first (the last " (LIST_LIMIT) " per shop). A posted statement has its journal entry in NetSuite; a held one does not add up and finance has its report." }
            @if per_shop.is_empty() { p { "No connected shops." } }
            @for (shop, statements, last_run) in &per_shop {
                h2 { "Shop " (shop) }
                div.scroll {
                    table {
                        thead { tr {
                            th scope="col" { "Statement" } th scope="col" { "Date" } th scope="col" { "Status" }
                            th scope="col" class="num" { "Payable" } th scope="col" { "Journal" }
                            th scope="col" class="num" { "Transactions" } th scope="col" class="num" { "Need attention" }
                            th scope="col" { "Report emailed" }
                        } }
                        tbody {
                            @if statements.is_empty() {
                                tr { td colspan="8" {
                                    @match last_run {
                                        None => "No statements: the payouts job has not run for this shop yet.",
                                        Some(r) => {
                                            "No statements yet. The payouts job last ran " (when(r.started_at)) " (" (r.status.as_str()) ")"
                                            @if !r.note.is_empty() { ": " (super::humanize(&r.note)) } "."
                                        },
                                    }
                                } }
                            }
                            @for s in statements {
                                tr {
                                    td { a href=(statement_path(shop, &s.statement_id)) { (s.statement_id) } }
                                    td { (when(s.statement_time)) }
                                    td { (badge(s.status.as_str())) }
                                    td.num { (s.payable) " " (s.currency) }
                                    td {
                                        @match &s.journal_id {
                                            Some(id) => { "internal id " (id) br; span.muted { (s.external_id) } },
                                            None => span.muted { (s.external_id) " (not in NetSuite)" },
                                        }
                                        @if let Some(c) = s.corrections.iter().rev().find(|c| c.posted) {
                                            br; span.muted { (c.kind.as_str()) " " (c.external_id) " · " (c.tran_date) }
                                        }
                                    }
                                    td.num { (s.transactions) }
                                    td.num { (s.unmatched) }
                                    td {
                                        @match &s.emailed {
                                            Some((st, at)) => { "yes, for " (st) " · " (when(*at)) },
                                            None => "no",
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
    Ok(render("Payouts", &ctx, "/payouts", body))
}

pub async fn statement(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Path((shop, statement)): Path<(String, String)>,
) -> Page {
    let ctx = guard(&c, &headers).await?;
    let shop = ShopId::new(shop);
    let v = ops::show(c.runs.as_ref(), &shop, &statement)
        .await
        .map_err(ops_error)?;
    let s = &v.state;
    let checks = ops::check_lines(&v);
    // The $0 orders of the statement's day, by type: the finance email's
    // figures (`payouts::free_orders`), from the same order-log read.
    let (from, to) = crate::payouts::free_orders::period(s.statement_time);
    let period = crate::payouts::free_orders::period_filter(&shop, s.statement_time);
    let entries = crate::store::OrderLog::list(c.log.as_ref(), &period)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let free = crate::payouts::free_orders::summarise(&entries, from, to);
    let total = |f: fn(&crate::payouts::report::ReportRow) -> crate::domain::Money| {
        v.rows.iter().map(f).sum::<crate::domain::Money>()
    };
    let body = html! {
        main {
            h1 { "Statement " (s.statement_id) " " (badge(s.status.as_str())) }
            @if let Some(r) = s.reason.as_ref() {
                @match s.status.as_str() {
                    "posted" => p.muted { strong { "Note: " } (r) },
                    "reversed" => p.alert role="alert" { strong { "Reversed: " } (r) },
                    _ => p.alert role="alert" { strong { "Held: " } (r) },
                }
            }
            @if !s.corrections.is_empty() {
                h2 { "Correcting entries" }
                div.scroll { table {
                    thead { tr { th { "Kind" } th { "externalId" } th { "Corrects" } th { "Date" } th { "NetSuite" } th { "Why" } } }
                    tbody {
                        @for e in &s.corrections {
                            tr {
                                td { (badge(e.kind.as_str())) }
                                td { (e.external_id) }
                                td { (e.corrects) }
                                td { (e.tran_date) }
                                td {
                                    @match (&e.journal_id, e.journal_id.as_deref().and_then(|id| c.journal_entry_url(id))) {
                                        (Some(id), Some(url)) => a href=(url) rel="noreferrer" { "internal id " (id) },
                                        (Some(id), None) => { "internal id " (id) },
                                        _ => span.muted { "not yet confirmed: sent again next run" },
                                    }
                                }
                                td { (e.reason) }
                            }
                        }
                    }
                } }
            }
            dl.ids {
                dt { "Shop" } dd { (shop) }
                dt { "Statement date" } dd { (when(s.statement_time)) }
                dt { "Payable" } dd { (s.payable) " " (s.currency) }
                dt { "Payment" } dd { (s.payment_id.as_deref().unwrap_or("—")) }
                dt { "Journal externalId" } dd { (s.external_id) }
                dt { "NetSuite journal entry" } dd {
                    @match (&s.journal_id, s.journal_id.as_deref().and_then(|id| c.journal_entry_url(id))) {
                        (Some(id), Some(url)) => a href=(url) rel="noreferrer" { "internal id " (id) },
                        (Some(id), None) => { "internal id " (id) },
                        _ => span.muted { "not posted" },
                    }
                }
                dt { "Journal lines" } dd { (s.journal_lines) }
                dt { "Pages read" } dd { (s.pages) }
                dt { "Last processed" } dd { (when(s.updated_at)) }
            }
            h2 { "Summary" }
            div.scroll { table {
                thead { tr {
                    th scope="col" class="num" { "Transactions" } th scope="col" class="num" { "Settlement" }
                    th scope="col" class="num" { "Revenue" } th scope="col" class="num" { "Shipping" }
                    th scope="col" class="num" { "Fees and tax" } th scope="col" class="num" { "Adjustments" }
                    th scope="col" class="num" { "Reserve collected" } th scope="col" class="num" { "Reserve released" }
                } }
                tbody { tr {
                    td.num { (v.rows.len()) } td.num { (total(|r| r.settlement)) }
                    td.num { (total(|r| r.revenue)) } td.num { (total(|r| r.shipping)) }
                    td.num { (total(|r| r.fee_tax)) } td.num { (total(|r| r.adjustment)) }
                    td.num { (v.checks.reserve_collected) } td.num { (v.checks.reserve_released) }
                } }
            } }
            h2 { "Checks" }
            div.scroll { table {
                thead { tr { th scope="col" { "Check" } th scope="col" { "Result" } th scope="col" { "Found" } } }
                tbody {
                    @for l in &checks {
                        tr {
                            th scope="row" { (l.name) }
                            td { @match l.pass { Some(true) => span class="badge s-pass" { "pass" }, Some(false) => span class="badge s-failed" { "FAIL" }, None => span class="badge" { "info" } } }
                            td { (l.detail) }
                        }
                    }
                }
            } }
            @if !v.checks.adjustments.is_empty() {
                h2 { "Adjustments by type" }
                div.scroll { table {
                    thead { tr { th scope="col" { "Type" } th scope="col" class="num" { "Count" } th scope="col" class="num" { "Total" } } }
                    tbody { @for (k, (n, amt)) in &v.checks.adjustments { tr { td { (k) } td.num { (n) } td.num { (amt) } } } }
                } }
            }
            @if !v.attention.is_empty() {
                h2 { "Transactions needing attention" }
                div.scroll { table {
                    thead { tr { th scope="col" { "Transaction" } th scope="col" { "Match" } } }
                    tbody { @for (t, m) in &v.attention { tr { td { (t) } td { (badge(m.as_str())) } } } }
                } }
            }
            h2 { "$0 orders in this period" }
            @if free.is_empty() {
                p.muted { "No samples, giveaways, replacements or exchanges were written to NetSuite on this statement's day." }
            } @else {
                p.muted { "No revenue and never settled by TikTok, so not in the statement; the finance report lists them too." }
                div.scroll { table #free-orders {
                    thead { tr { th scope="col" { "Type" } th scope="col" class="num" { "Orders" } th scope="col" class="num" { "Retail value (" (s.currency) ")" } } }
                    tbody { @for r in &free { tr { td { (r.order_type.label()) } td.num { (r.orders) } td.num { (r.retail_value) } } } }
                } }
            }
            h2 { "Finance report" }
            p {
                @match &s.emailed {
                    Some((st, at)) => { "Emailed for status " (st) " at " (when(*at)) "." },
                    None => "Not emailed yet.",
                }
            }
            @if !v.resent.is_empty() {
                ul { @for r in v.resent.iter().rev() { li { "Re-sent by " (r.by) " at " (when(r.at)) } } }
            }
            @if !ctx.can(&Role::Operator) {
                p.muted { "Your role (" (ctx.user.role) ") can read this statement; re-sending its report needs an operator." }
            } @else if c.payouts.is_none() {
                p.muted { "Re-sending is not available here: this console runs without the payout job's settings (MAPPING_CONFIG, NetSuite, ALERT_FROM). Use `tiktok-netsuite payouts report --resend`." }
            } @else {
                div.actions {
                    form method="post" action=(format!("{}/resend", statement_path(&shop, &s.statement_id))) {
                        (ctx.csrf_field())
                        p { "Mails finance this statement's report again (planned from the kept pages; the journal is not rewritten unless it changed)." }
                        button type="submit" { "Re-send report" }
                    }
                }
            }
        }
    };
    Ok(render(
        &format!("Statement {}", s.statement_id),
        &ctx,
        "/payouts",
        body,
    ))
}

pub async fn resend(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Path((shop, statement)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    require(&ctx, Role::Operator, "re-send payout reports")?;
    let Some(sender) = c.payouts.as_ref() else {
        return Err(error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not available here",
            "This console runs without the payout job's settings; use `tiktok-netsuite payouts report --resend`.",
        ));
    };
    let shop = ShopId::new(shop);
    ops::resend_by(
        sender.as_ref(),
        c.runs.as_ref(),
        &shop,
        &statement,
        &ctx.user.name,
        c.clock.now(),
    )
    .await
    .map_err(ops_error)?;
    Ok(see_other(&statement_path(&shop, &statement)))
}
