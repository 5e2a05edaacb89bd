//! The pages: one file each (handler and markup), and what they share —
//! the frame with its navigation, the session guard, the CSRF check, role
//! checks and error pages.

// Handlers answer `Result<Response, Response>`: the error is the page sent
// back at once (a redirect, a 403), never carried further, so its size is moot.
#![allow(clippy::result_large_err)]

pub mod connect;
pub mod exceptions;
pub mod fix;
pub mod health;
pub mod jobs;
pub mod login;
pub mod notice;
pub mod order;
pub mod orders;
pub mod overview;
pub mod payouts;
pub mod returns;
pub mod shops;
pub mod skus;
mod style;
pub mod webhooks;

use std::collections::HashMap;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup, DOCTYPE};

use super::auth::{csrf, session, Session};
use super::Console;
use crate::ops::OpsError;
use crate::store::{ConsoleUser, Role};

/// What a handler answers: a page, or an error/redirect page.
pub type Page = Result<Response, Response>;

/// A signed-in request.
pub struct Ctx {
    pub user: ConsoleUser,
    pub session: Session,
    pub csrf: String,
}

impl Ctx {
    /// The hidden CSRF field every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name=(csrf::FIELD) value=(self.csrf); }
    }

    pub fn can(&self, role: &Role) -> bool {
        self.user.role.at_least(role)
    }
}

/// The signed-in user of a request, or the way to the login page.
pub async fn guard(c: &Console, headers: &HeaderMap) -> Result<Ctx, Response> {
    let now = c.clock.now();
    let session = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| session::cookie(h, session::COOKIE))
        .and_then(|v| Session::open(v, &c.key, now));
    let Some(session) = session else {
        return Err(Redirect::to("/login").into_response());
    };
    // The user and the session's record are read on every request (one
    // BatchGetItem): a signed-out, removed, reset or re-roled user's
    // cookie is refused at once, not when it expires.
    let (user, record) = match c.users.session(&session.user, &session.id()).await {
        Ok(found) => found,
        Err(e) => return Err(store_error(&e.to_string())),
    };
    let Some(user) = session.holds(user, record.as_ref(), now) else {
        tracing::info!(user = %session.user, "console: session refused (ended or changed)");
        return Err(Redirect::to("/login").into_response());
    };
    Ok(Ctx {
        csrf: csrf::token(&c.key, &session.nonce),
        user,
        session,
    })
}

/// A POST's guard: a session and its CSRF token, checked before anything else.
pub async fn guard_post(
    c: &Console,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Ctx, Response> {
    let ctx = guard(c, headers).await?;
    let given = form.get(csrf::FIELD).map(String::as_str).unwrap_or("");
    if !csrf::check(&c.key, &ctx.session.nonce, given) {
        tracing::warn!(user = %ctx.user.name, "console: POST refused, bad CSRF token");
        return Err(error_page(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form's security token is missing or wrong, so nothing was changed. Go back, reload the page and submit it again.",
        ));
    }
    Ok(ctx)
}

/// Refuses an action the user's role does not allow.
pub fn require(ctx: &Ctx, role: Role, what: &str) -> Result<(), Response> {
    if ctx.can(&role) {
        return Ok(());
    }
    Err(error_page(
        StatusCode::FORBIDDEN,
        "Not allowed",
        &format!(
            "Your role ({}) cannot {what}; it needs the {} role. Ask an admin.",
            ctx.user.role, role
        ),
    ))
}

/// An operations error as a page: bad input 400 naming the field, missing 404, stores 503.
pub fn ops_error(e: OpsError) -> Response {
    match e {
        OpsError::Invalid { .. } => {
            error_page(StatusCode::BAD_REQUEST, "Check the form", &e.to_string())
        }
        OpsError::NotFound { .. } => error_page(StatusCode::NOT_FOUND, "Not found", &e.to_string()),
        OpsError::Store(s) => store_error(&s.to_string()),
        OpsError::TikTok { .. } => {
            tracing::warn!(reason = %e, "console: TikTok call failed");
            error_page(StatusCode::BAD_GATEWAY, "Not done", &e.to_string())
        }
        OpsError::Job(j) => {
            tracing::error!(reason = %j, "console: payout job failed");
            error_page(
                StatusCode::BAD_GATEWAY,
                "Not done",
                &format!("{j}. {}", j.fix()),
            )
        }
    }
}

fn store_error(reason: &str) -> Response {
    tracing::error!(reason, "console: store unavailable");
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again",
        "The order log could not be reached just now. Nothing was changed; reload in a minute.",
    )
}

/// A plain page saying what went wrong and what to do.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        main.narrow {
            h1 { (title) }
            p role="alert" { (message) }
            p { a href="/" { "Back to the overview" } }
        }
    };
    (status, Html(document(title, None, "", body).into_string())).into_response()
}

pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page at this address.",
    )
}

/// The navigation: (path, label). Jobs shows the run log; Payouts appears
/// as its own page when the payouts store exists.
pub const NAV: &[(&str, &str)] = &[
    ("/", "Overview"),
    ("/orders", "Orders"),
    ("/exceptions", "Exceptions"),
    ("/skus", "SKU links"),
    ("/shops", "Shops"),
    ("/jobs", "Jobs"),
    ("/health", "Health"),
    ("/payouts", "Payouts"),
    ("/returns", "Returns"),
];

/// The whole document: head, skip link, navigation, the page.
pub fn document(title: &str, ctx: Option<&Ctx>, active: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · TikTok → NetSuite" }
                style { (maud::PreEscaped(style::CSS)) }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    span.brand { "TikTok → NetSuite" }
                    @if let Some(ctx) = ctx {
                        nav aria-label="Main" {
                            ul {
                                @for (href, label) in NAV {
                                    li {
                                        @if *href == active {
                                            a href=(href) aria-current="page" { (label) }
                                        } @else {
                                            a href=(href) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                        form.logout method="post" action="/logout" {
                            (ctx.csrf_field())
                            span { (ctx.user.name) " · " (ctx.user.role) }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                div id="main" { (body) }
            }
        }
    }
}

/// A page inside the frame.
pub fn render(title: &str, ctx: &Ctx, active: &str, body: Markup) -> Response {
    Html(document(title, Some(ctx), active, body).into_string()).into_response()
}

/// Epoch seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "—".into())
}

/// A job's note with its epoch-second times (10-digit numbers, as in a
/// window `[1767312000, 1767398400)`) written as dates.
pub fn humanize(note: &str) -> String {
    let mut out = String::with_capacity(note.len() + 16);
    let b = note.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let end = (i..b.len())
                .find(|&j| !b[j].is_ascii_digit())
                .unwrap_or(b.len());
            let boundary = end == b.len() || !b[end].is_ascii_alphanumeric();
            match note[i..end].parse::<i64>() {
                Ok(t)
                    if boundary && end - i == 10 && (1_000_000_000..4_000_000_000).contains(&t) =>
                {
                    out.push_str(&when(t))
                }
                _ => out.push_str(&note[i..end]),
            }
            i = end;
        } else {
            let ch = note[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// A status as a labelled badge (text, not colour alone).
pub fn badge(status: &str) -> Markup {
    html! { span class=(format!("badge s-{status}")) { (status.replace('_', " ")) } }
}

/// "1 order", "2 orders", "3 stock pushes".
pub fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with("sh") || noun.ends_with("ch") || noun.ends_with('s') => {
            format!("{n} {noun}es")
        }
        _ => format!("{n} {noun}s"),
    }
}

/// "resubmit" → "Resubmit".
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A bulk action's past tense: "Resubmitted", "Ignored".
pub fn past(verb: &str) -> String {
    match verb {
        "ignore" => "Ignored".into(),
        v => format!("{}ted", capitalised(v)),
    }
}

/// A query parameter, trimmed, if not empty.
pub fn param<'a>(q: &'a HashMap<String, String>, k: &str) -> Option<&'a str> {
    q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// Percent-encodes a path segment or query value.
pub fn enc(s: &str) -> String {
    /// RFC 3986 unreserved characters stay as they are.
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// A 303 to a page after a POST.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_times_read_as_words() {
        assert_eq!(plural(1, "order"), "1 order");
        assert_eq!(plural(2, "order"), "2 orders");
        assert_eq!(plural(0, "stock push"), "0 stock pushes");
        assert_eq!(past("resubmit"), "Resubmitted");
        assert_eq!(past("ignore"), "Ignored");
        assert_eq!(
            humanize("orders updated in [1767312000, 1767398400)"),
            "orders updated in [2026-01-02 00:00 UTC, 2026-01-03 00:00 UTC)"
        );
        // Ids and other numbers stay as they are.
        assert_eq!(
            humanize("shop 7495123456789012345 order 576461413038785752: 12 → é 1767312000x"),
            "shop 7495123456789012345 order 576461413038785752: 12 → é 1767312000x"
        );
    }
}
