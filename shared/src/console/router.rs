//! The console's routes. Every page but the login form needs a session
//! (else: the login page); every POST needs its CSRF token (else: 403)
//! before its handler reads anything else. Every answer carries a strict
//! Content-Security-Policy (no script at all), `no-store` and `nosniff`.

use std::sync::Arc;

use axum::http::{header, HeaderValue, Response};
use axum::routing::{get, post};
use axum::Router;

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
        .route("/jobs", get(pages::jobs::page))
        .route("/payouts", get(pages::payouts::list))
        .route(
            "/payouts/{shop}/{statement}",
            get(pages::payouts::statement),
        )
        .route(
            "/payouts/{shop}/{statement}/resend",
            post(pages::payouts::resend),
        )
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(console)
}

async fn security_headers<B>(mut res: Response<B>) -> Response<B> {
    let h = res.headers_mut();
    for (k, v) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    res
}
