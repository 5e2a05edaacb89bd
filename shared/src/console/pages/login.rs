//! Signing in and out. The login form carries a CSRF token bound to a
//! signed pre-login cookie; failures are counted per user name and per
//! source address, and past the limit a login is refused (429) even with
//! the right password, until the window ends.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup};

use super::{document, error_page, guard_post, Page};
use crate::console::auth::{csrf, password, session, throttle, Session};
use crate::console::{ClientAddr, Console};

fn form_markup(csrf_token: &str, message: Option<&str>, name: &str) -> Markup {
    html! {
        main.narrow {
            form.login method="post" action="/login" {
                h1 { "Sign in" }
                @if let Some(m) = message {
                    p.alert role="alert" { (m) }
                }
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                label for="name" { "User name"
                    input id="name" name="name" autocomplete="username" required value=(name) autofocus;
                }
                label for="password" { "Password"
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                button type="submit" { "Sign in" }
            }
        }
    }
}

/// The login page with a fresh pre-login nonce.
fn login_page(c: &Console, status: StatusCode, message: Option<&str>, name: &str) -> Response {
    let nonce = session::nonce();
    let token = csrf::token(&c.key, &nonce);
    let cookie = session::set_cookie(
        session::LOGIN_COOKIE,
        &session::seal_login_nonce(&nonce, &c.key),
        900,
    );
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Html(document("Sign in", None, "", form_markup(&token, message, name)).into_string()),
    )
        .into_response()
}

pub async fn form(State(c): State<Arc<Console>>) -> Response {
    login_page(&c, StatusCode::OK, None, "")
}

pub async fn submit(
    State(c): State<Arc<Console>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let now = c.clock.now();
    let cookies = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let nonce = session::cookie(cookies, session::LOGIN_COOKIE)
        .and_then(|v| session::open_login_nonce(v, &c.key));
    let given = f.get(csrf::FIELD).map(String::as_str).unwrap_or("");
    if !nonce.is_some_and(|n| csrf::check(&c.key, &n, given)) {
        return login_page(
            &c,
            StatusCode::FORBIDDEN,
            Some("The sign-in form expired. Please sign in again."),
            "",
        );
    }
    let name = f
        .get("name")
        .map(|n| n.trim().to_lowercase())
        .unwrap_or_default();
    let pw = f.get("password").cloned().unwrap_or_default();
    let source = addr
        .map(|Extension(a)| a.0)
        .unwrap_or_else(|| "unknown".into());
    let (ukey, skey) = (throttle::user_key(&name), throttle::source_key(&source));
    let checks = [
        (&ukey, throttle::USER_LIMIT),
        (&skey, throttle::SOURCE_LIMIT),
    ];
    for (key, limit) in checks {
        match c.throttle.failures(key).await {
            Ok(f) => {
                if let Some(wait) = throttle::locked_for(&f, limit, now) {
                    tracing::warn!(user = %name, "console: login throttled");
                    let m = format!(
                        "Too many failed sign-ins. Try again in {} minutes, or ask an admin to reset your password.",
                        (wait + 59) / 60
                    );
                    return login_page(&c, StatusCode::TOO_MANY_REQUESTS, Some(&m), &name);
                }
            }
            Err(e) => {
                tracing::error!(reason = %e, "console: throttle unavailable");
                return error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Try again",
                    "Sign-in is unavailable just now; try again in a minute.",
                );
            }
        }
    }
    let user = c.users.get(&name).await.ok().flatten();
    // Verify against a decoy when the user does not exist: same cost.
    let ok = password::verify(
        &pw,
        user.as_ref()
            .map_or(password::decoy(), |u| &u.password_hash),
    ) && user.as_ref().is_some_and(|u| u.role.rank() > 0);
    if !ok {
        for key in [&ukey, &skey] {
            if let Err(e) = c.throttle.fail(key, now, throttle::WINDOW_SECS).await {
                tracing::error!(reason = %e, "console: could not count a failed login");
            }
        }
        tracing::info!(user = %name, "console: failed login");
        return login_page(
            &c,
            StatusCode::UNAUTHORIZED,
            Some("Wrong user name or password."),
            &name,
        );
    }
    let _ = c.throttle.clear(&ukey).await;
    tracing::info!(user = %name, "console: signed in");
    let s = Session::start(&name, now);
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/".to_string()),
            (
                header::SET_COOKIE,
                session::set_cookie(session::COOKIE, &s.seal(&c.key), session::TTL_SECS),
            ),
        ],
    )
        .into_response()
}

pub async fn logout(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    guard_post(&c, &headers, &f).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/login".to_string()),
            (
                header::SET_COOKIE,
                session::set_cookie(session::COOKIE, "", 0),
            ),
        ],
    )
        .into_response())
}
