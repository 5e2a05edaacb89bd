//! Shops: each connected shop, its token status and expiry, and its last
//! order activity — read from the tokens table's index, which holds no
//! token.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use maud::html;

use super::{guard, ops_error, render, when, Page};
use crate::console::Console;
use crate::store::shop_directory::connected_shops;

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

pub async fn page(State(c): State<Arc<Console>>, headers: HeaderMap) -> Page {
    let ctx = guard(&c, &headers).await?;
    let now = c.clock.now();
    let shops = connected_shops(&c.ddb, &c.tokens_table)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let mut rows = Vec::new();
    for s in shops {
        let last = c
            .log
            .latest_of_shop(&s.shop_id)
            .await
            .map_err(|e| ops_error(e.into()))?;
        rows.push((s, last.map(|e| e.last_updated)));
    }
    let body = html! {
        main {
            h1 { "Shops" }
            p.muted { "Tokens refresh by themselves before they expire; a refresh token that expires means the shop must be authorized again (tiktok-netsuite shops connect)." }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Shop" } th scope="col" { "Access token" } th scope="col" { "Refresh token" }
                        th scope="col" { "Tokens stored" } th scope="col" { "Last order activity" }
                    } }
                    tbody {
                        @if rows.is_empty() { tr { td colspan="5" { "No shop is connected." } } }
                        @for (s, last) in &rows {
                            tr {
                                td { a href=(format!("/orders?shop={}", super::enc(s.shop_id.as_str()))) { (s.shop_id) } }
                                td { (token_state(s.access_token_expires_at, now)) " — until " (when(s.access_token_expires_at)) }
                                td { (token_state(s.refresh_token_expires_at, now)) " — until " (when(s.refresh_token_expires_at)) }
                                td { (when(s.updated_at)) }
                                td { @match last { Some(t) => (when(*t)), None => span.muted { "none yet" } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(render("Shops", &ctx, "/shops", body))
}
