//! SKU links: list and search a shop's links, add or change one (checked
//! against NetSuite before it is saved), remove one, and resubmit every
//! failed order blocked on a SKU.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use maud::html;

use super::{enc, guard, guard_post, ops_error, param, render, require, Page};
use crate::console::Console;
use crate::domain::{ShopId, Sku};
use crate::ops::{self, OpsError};
use crate::store::Role;

/// Links listed per search.
const LIMIT: i32 = 100;

fn shop_of(f: &HashMap<String, String>) -> Result<ShopId, OpsError> {
    param(f, "shop").map(ShopId::new).ok_or(OpsError::Invalid {
        field: "shop",
        reason: "give the TikTok shop id the SKU belongs to".into(),
    })
}

pub async fn page(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = guard(&c, &headers).await?;
    let shop = param(&q, "shop");
    let prefix = param(&q, "q").unwrap_or("");
    let links = match shop {
        Some(s) => c
            .links
            .search(&ShopId::new(s), prefix, LIMIT)
            .await
            .map_err(|e| ops_error(e.into()))?,
        None => vec![],
    };
    let blocked = match (shop, param(&q, "link")) {
        (Some(s), Some(sku)) => ops::links::blocked_on(c.log.as_ref(), &ShopId::new(s), sku)
            .await
            .map_err(ops_error)?
            .len(),
        _ => 0,
    };
    let msg = param(&q, "msg");
    let body = html! {
        main {
            h1 { "SKU links" }
            @if let Some(m) = msg { p.notice role="status" { (m) } }
            form.filters method="get" action="/skus" aria-label="Search links" {
                label for="shop" { "Shop id" input id="shop" name="shop" required value=(shop.unwrap_or("")); }
                label for="q" { "SKU starts with" input id="q" name="q" value=(prefix); }
                button type="submit" { "Search" }
            }
            @if ctx.can(&Role::Operator) {
                h2 { "Link a SKU" }
                div.actions {
                    form method="post" action="/skus" aria-label="Link a SKU" {
                        (ctx.csrf_field())
                        label for="l-shop" { "Shop id" input id="l-shop" name="shop" required value=(shop.unwrap_or("")); }
                        label for="l-sku" { "Seller SKU (as on TikTok)" input id="l-sku" name="sku" required value=(param(&q, "link").unwrap_or("")); }
                        label for="l-item" { "NetSuite item internal id" input id="l-item" name="item" required inputmode="numeric" pattern="[0-9]+"; }
                        button type="submit" { "Save link" }
                        p.muted { "The item is checked in NetSuite before the link is saved." }
                    }
                    @if let (Some(s), Some(sku)) = (shop, param(&q, "link")) {
                        form method="post" action="/skus/resubmit" aria-label="Resubmit blocked orders" {
                            (ctx.csrf_field())
                            input type="hidden" name="shop" value=(s);
                            input type="hidden" name="sku" value=(sku);
                            p { strong { (blocked) } " failed orders are blocked on " code { (sku) } "." }
                            label for="r-reason" { "Reason" input id="r-reason" name="reason" required value=(format!("SKU {sku} linked")); }
                            button type="submit" disabled[blocked == 0] { "Resubmit every order blocked on this SKU (" (blocked) ")" }
                        }
                    }
                }
            }
            @if shop.is_some() {
                h2 { "Links" }
                div.scroll {
                    table {
                        thead { tr { th scope="col" { "Seller SKU" } th scope="col" { "NetSuite item" } th scope="col" { "Source" } th scope="col" { "" } } }
                        tbody {
                            @if links.is_empty() { tr { td colspan="4" { "No links match." } } }
                            @for l in &links {
                                tr {
                                    td { a href=(format!("/skus?shop={}&q={}&link={}", enc(l.shop_id.as_str()), enc(l.sku.as_str()), enc(l.sku.as_str()))) { (l.sku) } }
                                    td { (l.item_id) }
                                    td { (l.source) }
                                    td {
                                        @if ctx.can(&Role::Operator) {
                                            form method="post" action="/skus/remove" {
                                                (ctx.csrf_field())
                                                input type="hidden" name="shop" value=(l.shop_id);
                                                input type="hidden" name="sku" value=(l.sku);
                                                button.secondary type="submit" aria-label=(format!("Remove link of {}", l.sku)) { "Remove" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } @else {
                p.muted { "Enter a shop id to list its links." }
            }
        }
    };
    Ok(render("SKU links", &ctx, "/skus", body))
}

pub async fn save(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    require(&ctx, Role::Operator, "edit SKU links")?;
    let shop = shop_of(&f).map_err(ops_error)?;
    let sku = f.get("sku").map_or("", String::as_str);
    let item = f.get("item").map_or("", String::as_str);
    let (link, name) =
        ops::links::link_sku_checked(c.links.as_ref(), c.catalog.as_ref(), &shop, sku, item)
            .await
            .map_err(ops_error)?;
    tracing::info!(user = %ctx.user.name, shop = %shop, sku = %link.sku, item = %link.item_id, "console: SKU linked");
    let msg = format!(
        "Linked {} to NetSuite item {} ({name}).",
        link.sku, link.item_id
    );
    Ok(super::see_other(&format!(
        "/skus?shop={}&q={}&link={}&msg={}",
        enc(shop.as_str()),
        enc(link.sku.as_str()),
        enc(link.sku.as_str()),
        enc(&msg)
    )))
}

pub async fn remove(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    require(&ctx, Role::Operator, "edit SKU links")?;
    let shop = shop_of(&f).map_err(ops_error)?;
    let sku = Sku::new(param(&f, "sku").unwrap_or(""));
    let removed = c
        .links
        .delete(&shop, &sku)
        .await
        .map_err(|e| ops_error(e.into()))?;
    tracing::info!(user = %ctx.user.name, shop = %shop, sku = %sku, removed, "console: SKU link removed");
    let msg = if removed {
        format!("Removed the link of {sku}.")
    } else {
        format!("{sku} had no link.")
    };
    Ok(super::see_other(&format!(
        "/skus?shop={}&msg={}",
        enc(shop.as_str()),
        enc(&msg)
    )))
}

pub async fn resubmit(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    require(&ctx, Role::Operator, "resubmit orders")?;
    let shop = shop_of(&f).map_err(ops_error)?;
    let sku = param(&f, "sku").unwrap_or("");
    let reason =
        ops::audit::check_reason(f.get("reason").map_or("", String::as_str)).map_err(ops_error)?;
    let entries = ops::links::blocked_on(c.log.as_ref(), &shop, sku)
        .await
        .map_err(ops_error)?;
    let n = ops::audit::resubmit_by(
        c.log.as_ref(),
        c.queue.as_ref(),
        &entries,
        &ctx.user.name,
        reason,
        c.clock.now(),
    )
    .await
    .map_err(ops_error)?;
    tracing::info!(user = %ctx.user.name, shop = %shop, sku, orders = n, "console: resubmitted orders blocked on a SKU");
    let msg = format!("Resubmitted {n} orders blocked on {sku}.");
    Ok(super::see_other(&format!(
        "/skus?shop={}&q={}&link={}&msg={}",
        enc(shop.as_str()),
        enc(sku),
        enc(sku),
        enc(&msg)
    )))
}
