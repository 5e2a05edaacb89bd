//! Shops: each connected shop by name, with its region, its connection
//! state, when its access and refresh tokens expire, and its last order
//! activity — read from the tokens table's index (which holds no token)
//! and the shops' profiles (one `BatchGetItem`). Admins connect a shop here.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use maud::html;

use super::{guard, ops_error, render, when, Page};
use crate::console::Console;
use crate::store::shop_directory::connected_shops;
use crate::store::{DynamoShopProfiles, Role, ShopProfile, ShopProfiles};

use crate::store::shop_profiles::REFRESH_WARNING_SECS;

/// A token's state in words.
pub fn token_state(expires_at: i64, now: i64) -> &'static str {
    if expires_at <= now {
        "expired"
    } else if expires_at - now < 2 * 86_400 {
        "expires soon"
    } else {
        "valid"
    }
}

/// A refresh token's state in words: it warns 14 days ahead.
pub fn refresh_state(expires_at: i64, now: i64) -> &'static str {
    if expires_at <= now {
        "expired: connect the shop again"
    } else if expires_at - now < REFRESH_WARNING_SECS {
        "expires within 14 days: connect the shop again"
    } else {
        "valid"
    }
}

/// The connection in words.
pub fn connection(p: Option<&ShopProfile>, now: i64) -> String {
    match p {
        Some(ShopProfile {
            disconnected_at: Some(t),
            ..
        }) => format!(
            "disconnected by the seller at {}: orders wait; connect it again",
            when(*t)
        ),
        Some(ShopProfile {
            authorization_expires_at: Some(t),
            ..
        }) if *t > now => format!(
            "authorization expires {}: connect it again before then",
            when(*t)
        ),
        Some(ShopProfile {
            authorization_expires_at: Some(t),
            ..
        }) => format!("authorization expired {}: connect it again", when(*t)),
        _ => "connected".into(),
    }
}

/// The latest doctor run's lines on the shop's warehouses: TikTok's sales,
/// return and FBT warehouses beside the mapping table, unmapped ones
/// flagged (`doctor::warehouses`). Text from TikTok: maud escapes it.
async fn warehouse_lines(c: &Console, shop: &crate::domain::ShopId) -> Vec<String> {
    let runs = (c
        .runs
        .list_runs(crate::jobs::JobName::Doctor.as_str(), shop, 1)
        .await)
        .unwrap_or_default();
    (runs.iter().flat_map(|r| r.findings.iter()))
        .filter(|l| {
            let rest = l.split_once(' ').map_or("", |(_, r)| r);
            rest.starts_with("tiktok.warehouses ") || rest.starts_with("tiktok.fbt ")
        })
        .cloned()
        .collect()
}

pub async fn page(State(c): State<Arc<Console>>, headers: HeaderMap) -> Page {
    let ctx = guard(&c, &headers).await?;
    let now = c.clock.now();
    let shops = connected_shops(&c.ddb, &c.tokens_table)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let ids: Vec<_> = shops.iter().map(|s| s.shop_id.clone()).collect();
    let profiles = DynamoShopProfiles::new(c.ddb.clone(), &c.tokens_table)
        .get_many(&ids)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let mut rows = Vec::new();
    for s in shops {
        let last = c
            .log
            .latest_of_shop(&s.shop_id)
            .await
            .map_err(|e| ops_error(e.into()))?;
        let profile = profiles.get(&s.shop_id).cloned();
        let wh = warehouse_lines(&c, &s.shop_id).await;
        rows.push((s, profile, last.map(|e| e.last_updated), wh));
    }
    let admin = ctx.can(&Role::Admin);
    let body = html! {
        main {
            h1 { "Shops" }
            p.muted { "Access tokens refresh by themselves before they expire. When a refresh token expires, or the seller disconnects the app, the shop must be connected again: its orders wait until then." }
            @if admin {
                @if c.connect.is_some() {
                    form method="post" action="/shops/connect" {
                        (ctx.csrf_field())
                        button type="submit" { "Connect a shop" }
                        span.muted { " Sends you to TikTok, where the seller signs in and authorizes the app (the link works once, for 30 minutes)." }
                    }
                } @else {
                    p.muted { "Connecting shops is off: set the stack's TikTokServiceId parameter (the app's service id in TikTok Partner Center)." }
                }
            }
            @if c.webhooks.is_some() {
                p { a href=(super::webhooks::PATH) { "Webhooks" } span.muted { ": check each shop's TikTok webhook subscriptions and register the deployed address." } }
            }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Shop" } th scope="col" { "Region" } th scope="col" { "Connection" }
                        th scope="col" { "Access token" } th scope="col" { "Refresh token" }
                        th scope="col" { "Last order activity" }
                        th scope="col" { "TikTok warehouses (latest doctor run)" }
                    } }
                    tbody {
                        @if rows.is_empty() { tr { td colspan="7" { "No shop is connected." } } }
                        @for (s, p, last, wh) in &rows {
                            tr {
                                td {
                                    a href=(format!("/orders?shop={}", super::enc(s.shop_id.as_str()))) {
                                        @match p.as_ref().filter(|p| !p.name.is_empty()) {
                                            Some(p) => (p.name),
                                            None => "(name not known: connected before names were kept)",
                                        }
                                    }
                                    br; span.muted { "id " (s.shop_id) }
                                }
                                td { (p.as_ref().map_or("—", |p| p.region.as_str())) }
                                td { (connection(p.as_ref(), now)) }
                                td { (token_state(s.access_token_expires_at, now)) " — until " (when(s.access_token_expires_at)) }
                                td { (refresh_state(s.refresh_token_expires_at, now)) " — until " (when(s.refresh_token_expires_at)) }
                                td { @match last { Some(t) => (when(*t)), None => span.muted { "none yet" } } }
                                td {
                                    @if wh.is_empty() { span.muted { "the doctor has not listed them yet" } }
                                    @for l in wh { div { (l) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(render("Shops", &ctx, "/shops", body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ShopId;

    #[test]
    fn states_in_words() {
        let day = 86_400;
        assert_eq!(refresh_state(100 + 15 * day, 100), "valid");
        assert!(refresh_state(100 + 13 * day, 100).starts_with("expires within 14 days"));
        assert!(refresh_state(100, 100).starts_with("expired"));
        let mut p = ShopProfile {
            shop_id: ShopId::new("1"),
            name: "n".into(),
            region: "US".into(),
            connected_at: 0,
            connected_by: "a".into(),
            disconnected_at: None,
            authorization_expires_at: Some(2_000_000_000),
        };
        assert!(connection(Some(&p), 0).starts_with("authorization expires"));
        p.disconnected_at = Some(1_800_000_000);
        assert!(connection(Some(&p), 0).starts_with("disconnected"));
        assert_eq!(connection(None, 0), "connected");
    }
}
