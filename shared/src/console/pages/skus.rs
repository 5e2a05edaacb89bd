//! SKU links: list and search a shop's links, add or change one (checked
//! against NetSuite before it is saved), remove one, and resubmit every
//! failed order blocked on a SKU.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use maud::html;

use super::fix;
use super::notice::{self, Notice};
use super::orders::{bounded, SHOP_MAX, SKU_MAX};
use super::{enc, guard, guard_post, ops_error, param, plural, render, require, Page};
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
    let shop = bounded(&q, "shop", SHOP_MAX).map_err(ops_error)?;
    let prefix = bounded(&q, "q", SKU_MAX).map_err(ops_error)?.unwrap_or("");
    let link = bounded(&q, "link", SKU_MAX).map_err(ops_error)?;
    let links = match shop {
        Some(s) => c
            .links
            .search(&ShopId::new(s), prefix, LIMIT)
            .await
            .map_err(|e| ops_error(e.into()))?,
        None => vec![],
    };
    let blocked = match (shop, link) {
        (Some(s), Some(sku)) => ops::links::blocked_on(c.log.as_ref(), &ShopId::new(s), sku)
            .await
            .map_err(ops_error)?
            .len(),
        _ => 0,
    };
    let shop_id = shop.map(ShopId::new);
    let (blocking, capped) = ops::links::blocking_skus(c.log.as_ref(), shop_id.as_ref())
        .await
        .map_err(ops_error)?;
    // Item names in one NetSuite query; ids alone when NetSuite does not answer.
    let ids: Vec<String> = links.iter().map(|l| l.item_id.clone()).collect();
    let names = if ids.is_empty() {
        Some(Default::default())
    } else {
        c.catalog.item_names(&ids).await.ok()
    };
    // Only a signed one-time notice is shown; nothing in the URL is.
    let shown = notice::read(&headers, &c.key, &ctx.session.nonce);
    let body = html! {
        main {
            h1 { "SKU links" }
            @if let Some(n) = &shown { p.notice role="status" { (n.text()) } }
            form.filters method="get" action="/skus" aria-label="Search links" {
                label for="shop" { "Shop id" input id="shop" name="shop" required value=(shop.unwrap_or("")); }
                label for="q" { "SKU starts with" input id="q" name="q" value=(prefix); }
                button type="submit" { "Search" }
            }
            h2 { "SKUs blocking orders now" }
            @if blocking.is_empty() {
                p.muted { "No failed order is waiting for a SKU link" @if shop.is_some() { " in this shop" } "." }
            } @else {
                p.muted { "Failed orders whose seller SKU has no NetSuite item, by SKU" @if capped { " (counted over the newest " (ops::links::BLOCKING_READ) " failed orders)" } ". Link each one, then resubmit its orders." }
                div.scroll {
                    table {
                        thead { tr { th scope="col" { "Seller SKU" } th scope="col" { "Shop" } th.num scope="col" { "Failed orders" } th scope="col" { "" } } }
                        tbody {
                            @for b in &blocking {
                                tr {
                                    td { code { (b.sku) } }
                                    td { (b.shop_id) }
                                    td.num { a href=(format!("/orders?status=failed&shop={}&sku={}", enc(b.shop_id.as_str()), enc(&b.sku))) { (b.orders) } }
                                    td {
                                        @if ctx.can(&Role::Operator) {
                                            a.button href=(fix::link_url(&b.shop_id, &b.sku)) { "Link…" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if ctx.can(&Role::Operator) {
                h2 { "Link a SKU" }
                div.actions {
                    form id="link" method="post" action="/skus" aria-label="Link a SKU" {
                        (ctx.csrf_field())
                        label for="l-shop" { "Shop id" input id="l-shop" name="shop" required value=(shop.unwrap_or("")); }
                        label for="l-sku" { "Seller SKU (as on TikTok)" input id="l-sku" name="sku" required value=(link.unwrap_or("")); }
                        label for="l-item" { "NetSuite item internal id" input id="l-item" name="item" required inputmode="numeric" pattern="[0-9]+"; }
                        button type="submit" { "Save link" }
                        p.muted { "The item is checked in NetSuite before the link is saved." }
                    }
                    @if let (Some(s), Some(sku)) = (shop, link) {
                        form method="post" action="/skus/resubmit" aria-label="Resubmit blocked orders" {
                            (ctx.csrf_field())
                            input type="hidden" name="shop" value=(s);
                            input type="hidden" name="sku" value=(sku);
                            p { strong { (plural(blocked, "failed order")) } @if blocked == 1 { " is" } @else { " are" } " blocked on " code { (sku) } "." }
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
                                    td {
                                        (l.item_id)
                                        @if let Some(n) = names.as_ref().and_then(|m| m.get(&l.item_id)) { " · " (n) }
                                        @else if names.is_some() { span.muted { " (not found in NetSuite)" } }
                                    }
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
            @if shop.is_some() && names.is_none() && !links.is_empty() {
                p.muted { "NetSuite did not answer just now: items show as internal ids only." }
            }
        }
    };
    let page = render("SKU links", &ctx, "/skus", body);
    Ok(if notice::present(&headers) {
        notice::clear(page)
    } else {
        page
    })
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
    let to = format!(
        "/skus?shop={}&q={}&link={}",
        enc(shop.as_str()),
        enc(link.sku.as_str()),
        enc(link.sku.as_str()),
    );
    let done = Notice::Linked {
        sku: link.sku.to_string(),
        item: link.item_id.clone(),
        name,
    };
    Ok(notice::redirect(&to, &c.key, &ctx.session.nonce, &done))
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
    let done = if removed {
        Notice::Unlinked {
            sku: sku.to_string(),
        }
    } else {
        Notice::NoLink {
            sku: sku.to_string(),
        }
    };
    let to = format!("/skus?shop={}", enc(shop.as_str()));
    Ok(notice::redirect(&to, &c.key, &ctx.session.nonce, &done))
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
    let to = format!(
        "/skus?shop={}&q={}&link={}",
        enc(shop.as_str()),
        enc(sku),
        enc(sku)
    );
    let done = Notice::Resubmitted {
        orders: n,
        sku: sku.to_string(),
    };
    Ok(notice::redirect(&to, &c.key, &ctx.session.nonce, &done))
}
