//! Webhooks: which event types each connected shop sends to the deployed
//! webhook (TikTok's Event API, read live), and for an admin the button
//! that subscribes the missing or misdirected ones (`ops::webhooks`). The
//! page shows the plan first; nothing changes without the confirming POST
//! (admin, CSRF).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use maud::{html, Markup};

use super::{error_page, guard, guard_post, ops_error, param, render, require, Ctx, Page};
use crate::console::Console;
use crate::domain::ShopId;
use crate::ops::webhooks::{self as ops, Registrar, Subscription, WebhookAddress, WebhookPlan};
use crate::store::shop_directory::connected_shops;
use crate::store::Role;

/// Where the page lives (the Shops page links here).
pub const PATH: &str = "/shops/webhooks";

fn unavailable(what: &str) -> axum::response::Response {
    error_page(StatusCode::SERVICE_UNAVAILABLE, "Not available here", what)
}

fn registrar(c: &Console) -> Result<(&Registrar, &WebhookAddress), axum::response::Response> {
    let r = c.webhooks.as_deref().ok_or_else(|| {
        unavailable("This console runs without the TikTok app's settings (TIKTOK_APP_SECRET_ID, TIKTOK_API_BASE_URL); use `tiktok-netsuite webhooks status`.")
    })?;
    let a = r.address.as_ref().ok_or_else(|| {
        unavailable(&format!(
            "The webhook's address is not configured ({}); the template sets it to the WebhookUrl output. Use `tiktok-netsuite webhooks status --url …`.",
            ops::WEBHOOK_URL_ENV
        ))
    })?;
    Ok((r, a))
}

fn plan_table(p: &WebhookPlan) -> Markup {
    html! {
        div.scroll { table {
            thead { tr { th scope="col" { "Event type" } th scope="col" { "Now" } } }
            tbody {
                @for e in &p.events {
                    tr {
                        td { (e.event_type.name()) }
                        td { @match &e.now {
                            Subscription::Registered => span class="badge s-pass" { "registered" },
                            Subscription::Missing => { span class="badge s-failed" { "missing" } " — this shop's pushes of this type are not sent" },
                            Subscription::Elsewhere { address } => { span class="badge s-failed" { "elsewhere" } " — sent to " code { (address) } },
                        } }
                    }
                }
                @for o in &p.others {
                    tr { td { (o.event_type) } td.muted { "not used by this product; sent to " code { (o.address) } " (left as it is)" } }
                }
            }
        } }
    }
}

fn shop_section(ctx: &Ctx, shop: &ShopId, p: &WebhookPlan) -> Markup {
    let todo = p.to_register();
    html! {
        section {
            h2 { "Shop " (shop) }
            (plan_table(p))
            @if todo.is_empty() {
                p { "Every event type this product handles goes to the webhook." }
            } @else if !ctx.can(&Role::Admin) {
                p.muted { "Your role (" (ctx.user.role) ") can read this; registering needs an admin." }
            } @else {
                div.actions { form method="post" action=(PATH) {
                    (ctx.csrf_field())
                    input type="hidden" name="shop" value=(shop);
                    p { "Registering sets " (todo.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")) " to " code { (p.address) } " for this shop." }
                    button type="submit" name="confirm" value="yes" { "Register the webhook" }
                } }
            }
        }
    }
}

pub async fn page(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = guard(&c, &headers).await?;
    let (r, address) = registrar(&c)?;
    let shops: Vec<ShopId> = match param(&q, "shop") {
        Some(s) => vec![ShopId::new(s)],
        None => connected_shops(&c.ddb, &c.tokens_table)
            .await
            .map_err(|e| ops_error(e.into()))?
            .into_iter()
            .map(|s| s.shop_id)
            .collect(),
    };
    let mut sections = Vec::with_capacity(shops.len());
    for shop in &shops {
        sections.push(match ops::status(&r.sessions, shop, address).await {
            Ok(p) => shop_section(&ctx, shop, &p),
            Err(e) => html! { section { h2 { "Shop " (shop) } p.notice { (e.to_string()) } } },
        });
    }
    let done = param(&q, "done").and_then(|d| d.parse::<usize>().ok());
    let body = html! {
        main {
            h1 { "Webhooks" }
            p.muted { "TikTok sends each shop's events to the address registered for that shop through its Event API. The webhook's address: " code { (address) } }
            @if let Some(n) = done { p.notice { "Registered: " (n) " event type(s) set." } }
            @if shops.is_empty() { p { "No shop is connected." } }
            @for s in &sections { (s) }
        }
    };
    Ok(render("Webhooks", &ctx, "/shops", body))
}

pub async fn register(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    require(&ctx, Role::Admin, "register webhooks")?;
    let (r, address) = registrar(&c)?;
    let shop = param(&f, "shop").map(ShopId::new).ok_or_else(|| {
        ops_error(crate::ops::OpsError::Invalid {
            field: "shop",
            reason: "missing; register from the Webhooks page".into(),
        })
    })?;
    let confirmed = param(&f, "confirm") == Some("yes");
    let done = ops::register(&r.sessions, &shop, address, confirmed)
        .await
        .map_err(ops_error)?;
    tracing::info!(user = %ctx.user.name, shop_id = %shop, set = done.set.len(), "console: webhooks registered");
    Ok(super::see_other(&format!(
        "{PATH}?shop={}&done={}",
        super::enc(shop.as_str()),
        done.set.len()
    )))
}
