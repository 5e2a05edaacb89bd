//! The Orders page: filters (status, code, level, shop, SKU, dates), pages
//! of 50 through the order log's indexes, CSV export of the filtered set,
//! and bulk resubmit / ignore with a confirmation stating the count.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use maud::{html, Markup};

use super::{
    badge, capitalised, enc, error_page, guard, guard_post, ops_error, param, past, plural, render,
    require, when, Ctx, Page,
};
use crate::console::{Console, SessionKey};
use crate::domain::{OrderType, ShopId};
use crate::ops::{self, OpsError};
use crate::store::{LogFilter, OrderLogEntry, Role, SyncStatus};
use crate::taxonomy::{ErrorCode, Level};

/// Orders per page.
pub const PAGE_SIZE: usize = 50;
/// Most orders one bulk action or CSV export takes.
pub const BULK_MAX: usize = 5000;
/// The filter fields, in form order.
pub const FIELDS: &[&str] = &[
    "status", "code", "level", "type", "shop", "sku", "since", "until",
];

/// Most characters of a bad value an error repeats back.
pub const ECHO_MAX: usize = 64;
/// Longest shop id and SKU a filter takes.
pub const SHOP_MAX: usize = 64;
pub const SKU_MAX: usize = 200;

fn invalid(field: &'static str, reason: String) -> OpsError {
    OpsError::Invalid { field, reason }
}

/// A bad value as an error quotes it: at most [`ECHO_MAX`] characters.
pub fn echo(v: &str) -> String {
    match v.char_indices().nth(ECHO_MAX) {
        None => format!("{v:?}"),
        Some((at, _)) => format!("{:?}… ({} characters)", &v[..at], v.chars().count()),
    }
}

/// A text filter, refused when longer than `max`.
pub fn bounded<'a>(
    q: &'a HashMap<String, String>,
    field: &'static str,
    max: usize,
) -> Result<Option<&'a str>, OpsError> {
    match param(q, field) {
        Some(v) if v.chars().count() > max => Err(invalid(
            field,
            format!("{} is too long; at most {max} characters", echo(v)),
        )),
        v => Ok(v),
    }
}

/// The `cursor` of the next page: the store's position, signed with the
/// console key together with the filter it pages through.
pub fn seal_cursor(key: &SessionKey, filter_query: &str, position: &str) -> String {
    let tag = B64.encode(key.mac(&[b"cursor", filter_query.as_bytes(), position.as_bytes()]));
    format!("{position}.{tag}")
}

/// The store's position in a `cursor`, if it was signed by this console
/// for this filter.
pub fn open_cursor<'a>(key: &SessionKey, filter_query: &str, cursor: &'a str) -> Option<&'a str> {
    let (position, tag) = cursor.rsplit_once('.')?;
    let tag = B64.decode(tag).ok()?;
    key.verify_mac(
        &[b"cursor", filter_query.as_bytes(), position.as_bytes()],
        &tag,
    )
    .then_some(position)
}

fn date(field: &'static str, v: &str, end: bool) -> Result<i64, OpsError> {
    let d = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| invalid(field, format!("{} is not a date; use YYYY-MM-DD", echo(v))))?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    Ok(d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0))
}

/// The filter of a query string, naming the field of any bad value.
pub fn filter_from(q: &HashMap<String, String>) -> Result<LogFilter, OpsError> {
    let sync_status = match param(q, "status") {
        None => None,
        Some(s) => match SyncStatus::parse(s) {
            SyncStatus::Unknown(_) => {
                return Err(invalid(
                    "status",
                    format!("{} is not a sync status; pick one from the list", echo(s)),
                ))
            }
            st => Some(st),
        },
    };
    let code = match param(q, "code") {
        None => None,
        Some(c) => match ErrorCode::parse_loose(c) {
            ErrorCode::Unknown(_) => {
                return Err(invalid(
                    "code",
                    format!("{} is not an error code; pick one from the list", echo(c)),
                ))
            }
            c => Some(c.as_str().to_string()),
        },
    };
    let level = match param(q, "level") {
        None => None,
        Some("error") => Some(Level::Error),
        Some("warning") => Some(Level::Warning),
        Some(l) => {
            return Err(invalid(
                "level",
                format!("{} is not a level; use error or warning", echo(l)),
            ))
        }
    };
    // Known types only: TikTok's unknown ones are found by their code.
    let order_type = match param(q, "type") {
        None => None,
        Some(t) => match OrderType::parse_loose(t) {
            OrderType::Unknown(_) => {
                return Err(invalid(
                    "type",
                    format!("{} is not an order type; pick one from the list", echo(t)),
                ))
            }
            t => Some(t),
        },
    };
    Ok(LogFilter {
        order_type,
        shop_id: bounded(q, "shop", SHOP_MAX)?.map(ShopId::new),
        sync_status,
        code,
        sku: bounded(q, "sku", SKU_MAX)?.map(str::to_string),
        since: param(q, "since")
            .map(|v| date("since", v, false))
            .transpose()?,
        until: param(q, "until")
            .map(|v| date("until", v, true))
            .transpose()?,
        level,
    })
}

/// The query string of the filter fields present in `q`.
pub fn filter_query(q: &HashMap<String, String>) -> String {
    FIELDS
        .iter()
        .filter_map(|k| param(q, k).map(|v| format!("{k}={}", enc(v))))
        .collect::<Vec<_>>()
        .join("&")
}

fn select(name: &str, label: &str, options: &[(String, String)], current: Option<&str>) -> Markup {
    html! {
        label for=(name) { (label)
            select id=(name) name=(name) {
                option value="" { "Any" }
                @for (v, text) in options {
                    option value=(v) selected[current == Some(v.as_str())] { (text) }
                }
            }
        }
    }
}

fn filters_form(q: &HashMap<String, String>) -> Markup {
    let statuses: Vec<(String, String)> = SyncStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.as_str().replace('_', " ")))
        .collect();
    let codes: Vec<(String, String)> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.label().to_string()))
        .collect();
    let types: Vec<(String, String)> = OrderType::ALL
        .iter()
        .map(|t| (t.as_str().to_string(), t.label().to_string()))
        .collect();
    let levels = vec![
        ("error".to_string(), "Error".to_string()),
        ("warning".to_string(), "Warning".to_string()),
    ];
    let text = |name: &str, label: &str, kind: &str| {
        html! {
            label for=(name) { (label)
                input id=(name) name=(name) type=(kind) value=(param(q, name).unwrap_or(""));
            }
        }
    };
    html! {
        form.filters method="get" action="/orders" aria-label="Filter orders" {
            (select("status", "Status", &statuses, param(q, "status")))
            (select("code", "Error code", &codes, param(q, "code")))
            (select("level", "Level", &levels, param(q, "level")))
            (select("type", "Order type", &types, param(q, "type")))
            (text("shop", "Shop id", "text"))
            (text("sku", "Seller SKU", "text"))
            (text("since", "Updated from", "date"))
            (text("until", "Updated to", "date"))
            button type="submit" { "Filter" }
            a.button.secondary href="/orders" { "Clear" }
        }
    }
}

/// The query string of a filter (status, code, shop, SKU).
pub fn query_of(f: &LogFilter) -> String {
    let mut q = Vec::new();
    if let Some(s) = &f.sync_status {
        q.push(format!("status={}", s.as_str()));
    }
    if let Some(t) = &f.order_type {
        q.push(format!("type={}", t.as_str()));
    }
    if let Some(c) = &f.code {
        q.push(format!("code={}", enc(c)));
    }
    if let Some(s) = &f.shop_id {
        q.push(format!("shop={}", enc(s.as_str())));
    }
    if let Some(s) = &f.sku {
        q.push(format!("sku={}", enc(s)));
    }
    q.join("&")
}

/// The table of orders (also used by the Exceptions page): each failed
/// one with its problem and what to do about it.
pub fn table(ctx: &Ctx, entries: &[OrderLogEntry]) -> Markup {
    html! {
        div.scroll {
            table {
                caption.muted { (plural(entries.len(), "order")) " on this page" }
                thead { tr {
                    th scope="col" { "Order" } th scope="col" { "Shop" } th scope="col" { "Type" } th scope="col" { "Status" }
                    th scope="col" { "TikTok status" } th scope="col" { "Problem and fix" } th scope="col" { "Updated" }
                } }
                tbody {
                    @for e in entries {
                        tr {
                            td { a href=(format!("/orders/{}/{}", enc(e.shop_id.as_str()), enc(e.order_id.as_str()))) { (e.order_id) } }
                            td { (e.shop_id) }
                            td { (e.order_type.as_ref().map_or("", |t| t.label())) }
                            td { (badge(e.sync_status.as_str())) }
                            td { (e.tiktok_status) }
                            td {
                                @if let Some(f) = &e.last_failure {
                                    strong { (f.code.label()) } ": " (f.reason)
                                    br;
                                    span.fix { "Fix: " (super::fix::fix(ctx, f, &e.shop_id, &e.failed_skus)) }
                                }
                            }
                            td { (when(e.last_updated)) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn page(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = guard(&c, &headers).await?;
    let filter = filter_from(&q).map_err(ops_error)?;
    let fq = filter_query(&q);
    let cursor = param(&q, "cursor");
    let position = match cursor {
        None => None,
        Some(given) => Some(open_cursor(&c.key, &fq, given).ok_or_else(|| {
            error_page(
                StatusCode::BAD_REQUEST,
                "Page link not valid",
                "This page link was not made by this console for these filters (it may be cut short or edited). Start again from the first page.",
            )
        })?),
    };
    let result = c
        .log
        .query_page(&filter, position, PAGE_SIZE)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let next = result.next.as_deref().map(|p| seal_cursor(&c.key, &fq, p));
    let body = html! {
        main {
            h1 { "Orders" }
            (filters_form(&q))
            div.actions {
                a.button.secondary href=(format!("/orders.csv?{fq}")) download { "Export CSV (filtered)" }
            }
            (table(&ctx, &result.entries))
            nav.pager aria-label="Pages" {
                @if cursor.is_some() { a href=(format!("/orders?{fq}")) { "First page" } }
                @if let Some(next) = &next {
                    a href=(format!("/orders?{fq}&cursor={}", enc(next))) rel="next" { "Next page" }
                }
            }
            @if ctx.can(&Role::Operator) { (bulk_forms(&ctx, &q)) }
        }
    };
    Ok(render("Orders", &ctx, "/orders", body))
}

fn hidden_filters(q: &HashMap<String, String>) -> Markup {
    html! {
        @for k in FIELDS {
            @if let Some(v) = param(q, k) { input type="hidden" name=(k) value=(v); }
        }
    }
}

fn bulk_forms(ctx: &Ctx, q: &HashMap<String, String>) -> Markup {
    html! {
        h2 { "Bulk actions on the filtered orders" }
        div.actions {
            form method="post" action="/orders/bulk" {
                (ctx.csrf_field()) (hidden_filters(q))
                input type="hidden" name="action" value="resubmit";
                p.muted { "Resubmits the failed and needs-review orders matching the filters. You will see how many before anything happens." }
                button type="submit" { "Resubmit filtered failed orders…" }
            }
            form method="post" action="/orders/bulk" {
                (ctx.csrf_field()) (hidden_filters(q))
                input type="hidden" name="action" value="ignore";
                p.muted { "Ignores the failed and needs-review orders matching the filters." }
                button.secondary type="submit" { "Ignore filtered failed orders…" }
            }
        }
    }
}

/// Bulk resubmit / ignore: the first POST shows the count and asks to
/// confirm; the second (with `confirm` = that count) acts.
pub async fn bulk(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    let action = param(&f, "action").unwrap_or("");
    let verb = match action {
        "resubmit" => "resubmit",
        "ignore" => "ignore",
        other => {
            return Err(ops_error(invalid(
                "action",
                format!(
                    "{} is not a bulk action; use resubmit or ignore",
                    echo(other)
                ),
            )))
        }
    };
    require(&ctx, Role::Operator, &format!("{verb} orders"))?;
    let filter = filter_from(&f).map_err(ops_error)?;
    let mut selected = ops::resubmittable(c.log.as_ref(), &filter)
        .await
        .map_err(ops_error)?;
    selected.truncate(BULK_MAX);
    let n = selected.len();
    let confirmed = param(&f, "confirm").and_then(|v| v.parse::<usize>().ok());
    if confirmed != Some(n) {
        let body = html! {
            main.narrow {
                h1 { "Confirm" }
                @if confirmed.is_some() {
                    p.alert role="alert" { "The number of matching orders changed since you were asked; check it again." }
                }
                form.login method="post" action="/orders/bulk" {
                    (ctx.csrf_field()) (hidden_filters(&f))
                    input type="hidden" name="action" value=(verb);
                    input type="hidden" name="confirm" value=(n);
                    p { strong { (capitalised(verb)) " " (plural(n, "order")) "?" } }
                    p.muted { "Failed and needs-review orders matching the filters. Each one's history will say you did it and why." }
                    label for="reason" { "Reason (kept in each order's history)"
                        textarea id="reason" name="reason" required rows="2" {}
                    }
                    button type="submit" disabled[n == 0] { "Yes, " (verb) " " (plural(n, "order")) }
                    a href=(format!("/orders?{}", filter_query(&f))) { "Cancel" }
                }
            }
        };
        return Ok(render("Confirm", &ctx, "/orders", body));
    }
    let reason =
        ops::audit::check_reason(f.get("reason").map_or("", String::as_str)).map_err(ops_error)?;
    let now = c.clock.now();
    let done = match verb {
        "resubmit" => ops::audit::resubmit_by(
            c.log.as_ref(),
            c.queue.as_ref(),
            &selected,
            &ctx.user.name,
            reason,
            now,
        )
        .await
        .map_err(ops_error)?,
        _ => {
            for e in &selected {
                ops::audit::ignore_by(c.log.as_ref(), e, &ctx.user.name, reason, now)
                    .await
                    .map_err(ops_error)?;
            }
            n
        }
    };
    tracing::info!(user = %ctx.user.name, action = verb, orders = done, "console: bulk action");
    let body = html! {
        main {
            h1 { "Done" }
            p.notice role="status" { (past(verb)) " " (plural(done, "order")) "." }
            p { a href=(format!("/orders?{}", filter_query(&f))) { "Back to the orders" } }
        }
    };
    Ok(render("Done", &ctx, "/orders", body))
}

/// The filtered orders as CSV (the same columns as `orders export`).
pub async fn csv(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    guard(&c, &headers).await?;
    let filter = filter_from(&q).map_err(ops_error)?;
    let mut entries = c
        .log
        .list_all(&filter)
        .await
        .map_err(|e| ops_error(e.into()))?;
    entries.truncate(BULK_MAX);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"orders.csv\"",
            ),
        ],
        ops::to_csv(&entries),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_bad_values_name_their_field() {
        let q: HashMap<String, String> = [
            ("status", "failed"),
            ("code", "unlinked_product"),
            ("since", "2026-01-02"),
            ("shop", " "),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let f = filter_from(&q).unwrap();
        assert_eq!(f.sync_status, Some(SyncStatus::Failed));
        assert_eq!(f.code.as_deref(), Some("UNLINKED_PRODUCT"));
        assert_eq!(f.since, Some(1767312000));
        assert_eq!(f.shop_id, None);
        let bad: HashMap<String, String> = [("since".to_string(), "yesterday".to_string())].into();
        assert!(filter_from(&bad)
            .unwrap_err()
            .to_string()
            .starts_with("since:"));
        assert_eq!(
            filter_query(&q),
            "status=failed&code=unlinked_product&since=2026-01-02"
        );
    }
}
