//! Signing in and out. The login form carries a CSRF token bound to a
//! signed pre-login cookie; attempts are counted per source address and
//! per user name before the password is checked, and past the limit a
//! login is refused (429) even with the right password, until the window
//! ends. A right password clears the user's count and gives the source its
//! attempt back.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup};

use super::{document, error_page, guard_post, Page};
use crate::console::auth::{csrf, password, session, throttle, Session};
use crate::console::{ClientAddr, Console};
use crate::store::Counted;

/// Where to go after signing in: a same-origin path only (starts with one
/// `/`, no scheme, no host, no backslash or control character), else `/`.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.len() <= 2048 =>
        {
            n
        }
        _ => "/",
    }
}

fn form_markup(csrf_token: &str, message: Option<&str>, name: &str, next: &str) -> Markup {
    html! {
        main.narrow {
            form.login method="post" action="/login" {
                h1 { "Sign in" }
                @if let Some(m) = message {
                    p.alert role="alert" { (m) }
                }
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                @if next != "/" { input type="hidden" name="next" value=(next); }
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
fn login_page(
    c: &Console,
    status: StatusCode,
    message: Option<&str>,
    name: &str,
    next: &str,
) -> Response {
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
        Html(
            document(
                "Sign in",
                None,
                "",
                form_markup(&token, message, name, next),
            )
            .into_string(),
        ),
    )
        .into_response()
}

pub async fn form(
    State(c): State<Arc<Console>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let next = safe_next(q.get("next").map(String::as_str));
    login_page(&c, StatusCode::OK, None, "", next)
}

pub async fn submit(
    State(c): State<Arc<Console>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let now = c.clock.now();
    let next = safe_next(f.get("next").map(String::as_str));
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
            next,
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
    // Each attempt is counted before its password is checked, by a
    // conditional update that refuses past the limit: of any burst, at
    // most the limit per window reach the password check.
    let checks = [
        (&skey, throttle::SOURCE_LIMIT),
        (&ukey, throttle::USER_LIMIT),
    ];
    for (key, limit) in checks {
        match c
            .throttle
            .attempt(key, now, throttle::WINDOW_SECS, limit)
            .await
        {
            Ok(Counted::Yes(_)) => {}
            Ok(Counted::Refused(f)) => {
                let wait = throttle::locked_for(&f, limit, now).unwrap_or(throttle::WINDOW_SECS);
                tracing::warn!(user = %name, "console: login throttled");
                let m = format!(
                    "Too many failed sign-ins. Try again in {} minutes, or ask an admin to reset your password.",
                    (wait + 59) / 60
                );
                return login_page(&c, StatusCode::TOO_MANY_REQUESTS, Some(&m), &name, next);
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
    );
    let Some(user) = user.filter(|u| ok && u.role.rank() > 0) else {
        // Already counted: a wrong password leaves its attempt counted.
        tracing::info!(user = %name, "console: failed login");
        return login_page(
            &c,
            StatusCode::UNAUTHORIZED,
            Some("Wrong user name or password."),
            &name,
            next,
        );
    };
    // A right password clears the user's count and gives the source its
    // attempt back (an office behind one address signs in all day).
    let _ = c.throttle.clear(&ukey).await;
    let _ = c.throttle.forgive(&skey).await;
    let s = Session::start(&name, now);
    if let Err(e) = c.users.start_session(&s.id(), &s.record(&user, now)).await {
        tracing::error!(reason = %e, "console: could not store a session");
        return error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again",
            "Sign-in is unavailable just now; try again in a minute.",
        );
    }
    tracing::info!(user = %name, "console: signed in");
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, next.to_string()),
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
    let ctx = guard_post(&c, &headers, &f).await?;
    // The record goes: this cookie (and any copy of it) is no session now.
    if let Err(e) = c.users.end_session(&ctx.user.name, &ctx.session.id()).await {
        tracing::error!(reason = %e, "console: could not end a session");
        return Err(error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not signed out",
            "Signing out did not go through just now; try again in a minute.",
        ));
    }
    tracing::info!(user = %ctx.user.name, "console: signed out");
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

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_returns_to_same_origin_paths_only() {
        assert_eq!(
            safe_next(Some("/orders?status=failed")),
            "/orders?status=failed"
        );
        for bad in [
            "//evil.example/x",
            "https://evil.example/",
            "/\\evil.example",
            "evil.example",
            "/a\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
