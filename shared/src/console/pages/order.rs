//! One order: its TikTok and NetSuite ids (with a link to the record), the
//! open problems with reason, fix and the trimmed (redacted) response, the
//! timeline of attempts and operator actions, and the actions: resubmit,
//! ignore, un-ignore — each with a reason kept in the history.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use maud::html;

use super::{
    badge, enc, fix, guard, guard_post, ops_error, param, render, require, see_other, when, Page,
};
use crate::console::{redact, Console};
use crate::domain::{OrderId, ShopId};
use crate::ops::{self, OpsError};
use crate::store::{Role, SyncStatus};

pub async fn page(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Path((shop, order)): Path<(String, String)>,
) -> Page {
    let ctx = guard(&c, &headers).await?;
    let e = ops::find(c.log.as_ref(), &ShopId::new(&shop), &OrderId::new(&order))
        .await
        .map_err(ops_error)?;
    let action = format!("/orders/{}/{}/action", enc(&shop), enc(&order));
    let mut problems: Vec<(&crate::taxonomy::Failure, &[String])> = e
        .open_problems
        .iter()
        .map(|p| (&p.failure, p.failed_skus.as_slice()))
        .collect();
    if problems.is_empty() {
        problems.extend(
            e.last_failure
                .as_ref()
                .map(|f| (f, e.failed_skus.as_slice())),
        );
    }
    let blocked_on = fix::distinct(&e.failed_skus);
    let body = html! {
        main {
            h1 { "Order " (e.order_id) " " (badge(e.sync_status.as_str())) }
            dl.ids {
                dt { "TikTok order" } dd { (e.order_id) }
                dt { "Shop" } dd { (e.shop_id) }
                dt { "TikTok status" } dd { (e.tiktok_status) }
                dt { "Order type" } dd { (e.order_type.as_ref().map_or("not read yet", |t| t.label())) }
                dt { "NetSuite Sales Order" } dd {
                    @match (&e.netsuite_id, e.netsuite_id.as_deref().and_then(|id| c.sales_order_url(id))) {
                        (Some(id), Some(url)) => a href=(url) rel="noreferrer" { "internal id " (id) },
                        (Some(id), None) => { "internal id " (id) },
                        _ => span.muted { "not created" },
                    }
                }
                @if let Some(x) = &e.external_id { dt { "External id" } dd { (x) } }
                dt { "Attempts" } dd { (e.attempts) }
                dt { "First seen" } dd { (when(e.first_seen)) }
                dt { "Last updated" } dd { (when(e.last_updated)) }
            }
            h2 { "Problems" }
            @if problems.is_empty() { p.muted { "None open." } }
            @for (f, skus) in &problems {
                section.problem aria-label=(f.code.label()) {
                    p { strong { (f.code.label()) } " (" (f.code.as_str()) ", " (format!("{:?}", f.level).to_lowercase()) ")" }
                    p { "Reason: " (f.reason) }
                    p.fix { "Fix: " (fix::fix(&ctx, f, &e.shop_id, skus)) }
                    @if let Some(call) = &f.system_call { p.muted { "Call: " (call) @if let Some(s) = f.http_status { " → HTTP " (s) } } }
                    @if let Some(b) = &f.response_body {
                        details { summary { "Response (trimmed)" } pre { (redact::body(b, 1500)) } }
                    }
                }
            }
            @if !blocked_on.is_empty() {
                p { "Blocked on SKU: "
                    @for (i, s) in blocked_on.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(fix::link_url(&e.shop_id, s)) { code { (s) } }
                    }
                }
            }
            @if ctx.can(&Role::Operator) {
                h2 { "Actions" }
                div.actions {
                    form method="post" action=(action) {
                        (ctx.csrf_field())
                        input type="hidden" name="action" value="resubmit";
                        label for="r-resubmit" { "Reason"
                            input id="r-resubmit" name="reason" required placeholder="e.g. SKU linked";
                        }
                        button type="submit" { "Resubmit" }
                    }
                    @if e.sync_status == SyncStatus::Ignored {
                        form method="post" action=(action) {
                            (ctx.csrf_field())
                            input type="hidden" name="action" value="unignore";
                            label for="r-unignore" { "Reason" input id="r-unignore" name="reason" required; }
                            button.secondary type="submit" { "Un-ignore" }
                        }
                    } @else {
                        form method="post" action=(action) {
                            (ctx.csrf_field())
                            input type="hidden" name="action" value="ignore";
                            label for="r-ignore" { "Reason" input id="r-ignore" name="reason" required; }
                            button.secondary type="submit" { "Ignore" }
                        }
                    }
                }
            } @else {
                p.muted { "Your role (" (ctx.user.role) ") can read this order; resubmitting or ignoring needs an operator." }
            }
            h2 { "Timeline" }
            ol.timeline reversed {
                @for a in e.history.iter().rev() {
                    li {
                        (when(a.at)) " · "
                        // An operator's action is not an outcome: no status badge.
                        @if ops::audit::is_action(a) { span.badge { "action" } } @else { (badge(a.sync_status.as_str())) }
                        " · TikTok " (a.tiktok_status)
                        @if !a.note.is_empty() { br; (a.note) }
                        @if let Some(f) = &a.failure { br; span.muted { (f.code.as_str()) ": " (f.reason) } }
                    }
                }
            }
        }
    };
    Ok(render(
        &format!("Order {}", e.order_id),
        &ctx,
        "/orders",
        body,
    ))
}

pub async fn action(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Path((shop, order)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    let what = param(&f, "action").unwrap_or("");
    require(&ctx, Role::Operator, &format!("{what} orders"))?;
    let reason =
        ops::audit::check_reason(f.get("reason").map_or("", String::as_str)).map_err(ops_error)?;
    let e = ops::find(c.log.as_ref(), &ShopId::new(&shop), &OrderId::new(&order))
        .await
        .map_err(ops_error)?;
    let now = c.clock.now();
    let (log, user) = (c.log.as_ref(), ctx.user.name.as_str());
    match what {
        "resubmit" => ops::audit::resubmit_by(
            log,
            c.queue.as_ref(),
            std::slice::from_ref(&e),
            user,
            reason,
            now,
        )
        .await
        .map(|_| ()),
        "ignore" => ops::audit::ignore_by(log, &e, user, reason, now)
            .await
            .map(|_| ()),
        "unignore" => ops::audit::unignore_by(log, &e, user, reason, now)
            .await
            .map(|_| ()),
        other => Err(OpsError::Invalid {
            field: "action",
            reason: format!("{other:?} is not an action; use resubmit, ignore or unignore"),
        }),
    }
    .map_err(ops_error)?;
    tracing::info!(user, action = what, shop = %e.shop_id, order = %e.order_id, "console: order action");
    Ok(see_other(&format!(
        "/orders/{}/{}",
        enc(&shop),
        enc(&order)
    )))
}
