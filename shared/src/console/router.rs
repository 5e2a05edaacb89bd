//! The console's routes. Every page but the login form needs a session
//! (else: the login page, which returns to the page asked for); every POST
//! needs its CSRF token (else: 403) before its handler reads anything
//! else. Every answer carries a strict Content-Security-Policy (no script
//! at all), `no-store` and `nosniff`, is gzip-compressed when the browser
//! takes it, and an error the framework answers (a body that is not a
//! form, too large, unreadable) is the console's own page.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use axum::middleware::Next;
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;

use super::pages;
use super::Console;

/// The console's router over its state.
pub fn router(console: Arc<Console>) -> Router {
    Router::new()
        .route("/", get(pages::overview::page))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/orders", get(pages::orders::page))
        .route("/orders.csv", get(pages::orders::csv))
        .route("/orders/bulk", post(pages::orders::bulk))
        .route("/orders/{shop}/{order}", get(pages::order::page))
        .route("/orders/{shop}/{order}/action", post(pages::order::action))
        .route("/exceptions", get(pages::exceptions::page))
        .route("/skus", get(pages::skus::page).post(pages::skus::save))
        .route("/skus/remove", post(pages::skus::remove))
        .route("/skus/resubmit", post(pages::skus::resubmit))
        .route("/shops", get(pages::shops::page))
        .route("/shops/connect", post(pages::connect::start))
        .route(crate::connect::CALLBACK_PATH, get(pages::connect::callback))
        .route(
            pages::webhooks::PATH,
            get(pages::webhooks::page).post(pages::webhooks::register),
        )
        .route("/jobs", get(pages::jobs::page))
        .route("/health", get(pages::health::page))
        .route("/payouts", get(pages::payouts::list))
        .route(
            "/payouts/{shop}/{statement}",
            get(pages::payouts::statement),
        )
        .route(
            "/payouts/{shop}/{statement}/resend",
            post(pages::payouts::resend),
        )
        .route(pages::returns::PATH, get(pages::returns::page))
        .route(
            "/returns/{shop}/{return_id}/grade",
            post(pages::returns::grade),
        )
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(FORM_MAX))
        .layer(axum::middleware::map_response(framework_errors))
        .layer(axum::middleware::from_fn(return_after_login))
        .layer(CompressionLayer::new().gzip(true))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(console)
}

/// The console's Content-Security-Policy: no script at all.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The largest request body the console reads (its forms are small).
pub const FORM_MAX: usize = 64 * 1024;

/// A page asked for without a session leads to the login page, which
/// returns to it after signing in (`next`, a same-origin path only).
async fn return_after_login(req: Request, next: Next) -> axum::response::Response {
    let asked = (req.method() == Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten()
        .filter(|p| p != "/" && !p.starts_with("/login"));
    let mut res = next.run(req).await;
    let to_login = res.status() == StatusCode::SEE_OTHER
        && res
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == "/login");
    if let (true, Some(path)) = (to_login, asked) {
        if let Ok(v) = HeaderValue::from_str(&format!("/login?next={}", pages::enc(&path))) {
            res.headers_mut().insert(header::LOCATION, v);
        }
    }
    res
}

/// The framework's own refusals (plain text) as the console's pages.
async fn framework_errors(res: axum::response::Response) -> axum::response::Response {
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    let (title, message) = match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Too large",
            "This request is larger than the console takes (64 KB). Nothing was changed; go back and shorten what you typed.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Not a form",
            "The console takes its own forms only (application/x-www-form-urlencoded). Nothing was changed; go back and submit the form again.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Not here",
            "This address does not take that kind of request. Nothing was changed.",
        ),
        s if s.is_server_error() => (
            "Try again",
            "Something went wrong on our side. Nothing was changed; reload in a minute.",
        ),
        _ => (
            "Check the form",
            "This request could not be read. Nothing was changed; go back, reload the page and submit it again.",
        ),
    };
    pages::error_page(res.status(), title, message)
}

async fn security_headers<B>(mut res: Response<B>) -> Response<B> {
    let h = res.headers_mut();
    // A handler may widen `form-action` for its own redirect (Connect a
    // shop, to TikTok's host); nothing else sets a policy.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    for (k, v) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    res
}
