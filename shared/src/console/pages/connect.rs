//! "Connect a shop": an admin's POST sends the browser to TikTok's
//! authorization page with a fresh server-side `state`; TikTok sends the
//! seller back to the callback with `code` and `state` (or
//! `error=auth_denied`). The callback reads no session: the cookie is
//! `SameSite=Strict` and does not come back on TikTok's redirect. The state
//! alone says who started it, once, for 30 minutes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use axum::Form;
use maud::html;

use super::{document, error_page, guard_post, param, require, Page};
use crate::connect::{Callback, ConnectError};
use crate::console::Console;
use crate::store::Role;

fn not_configured() -> axum::response::Response {
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Connecting is off",
        "No TikTok service id is configured: set the stack's TikTokServiceId parameter (the app's service id in TikTok Partner Center) and deploy again.",
    )
}

/// `POST /shops/connect` (admin, CSRF): 303 to TikTok's page.
pub async fn start(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &form).await?;
    require(&ctx, Role::Admin, "connect a shop")?;
    let Some(connector) = &c.connect else {
        return Err(not_configured());
    };
    let url = connector
        .start(&ctx.user.name)
        .await
        .map_err(|e| failure_page(&e))?;
    let mut res = Redirect::to(&url).into_response();
    // The CSP's `form-action 'self'` also governs where a form's redirect
    // may lead: this one may lead to TikTok's authorization host.
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self' {}; frame-ancestors 'none'; base-uri 'none'",
        connector.settings.authorize_base_url.trim_end_matches('/')
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}

/// The page for a refused or failed callback: 400 for a bad request (a
/// wrong, used or expired state, a denial), 502/503 when a service failed.
fn failure_page(e: &ConnectError) -> axum::response::Response {
    let status = match e {
        _ if e.is_bad_request() => StatusCode::BAD_REQUEST,
        ConnectError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    };
    let title = match e {
        ConnectError::Denied | ConnectError::TikTokRefused(_) => "Not authorized",
        _ if e.is_bad_request() => "Link not valid",
        _ => "Not connected",
    };
    tracing::warn!(reason = %e, "console: shop connect refused");
    error_page(status, title, &e.to_string())
}

/// `GET /shops/connect/callback?code=…&state=…` (or `error=auth_denied`).
pub async fn callback(
    State(c): State<Arc<Console>>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let Some(connector) = &c.connect else {
        return Err(not_configured());
    };
    let cb = Callback {
        code: param(&q, "code").map(str::to_string),
        state: param(&q, "state").map(str::to_string),
        error: param(&q, "error").map(str::to_string),
    };
    let done = connector.finish(&cb).await.map_err(|e| failure_page(&e))?;
    let body = html! {
        main.narrow {
            h1 { "Shop connected" }
            p role="status" {
                "Connected for " (done.operator) ": the writer can now read these shops' orders."
            }
            ul {
                @for s in &done.shops {
                    li { strong { (s.name) } " (" (s.region) ", id " (s.id) ")" }
                }
            }
            p { "Orders that waited while the shop was disconnected can be resubmitted from the Orders page (code SHOP_DISCONNECTED)." }
            p { a href="/shops" { "Go to Shops" } }
        }
    };
    Ok(Html(document("Shop connected", None, "", body).into_string()).into_response())
}
