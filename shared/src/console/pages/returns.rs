//! Returns (issue 28): the queue of returns a person decides, soonest
//! TikTok deadline first (the deadline is TikTok's own, from
//! `seller_next_action_response`, never a clock of ours), each shop's
//! returns with their Return Authorization, the decisions made and by whom
//! (the policy or a console user), their history, and for a parcel that
//! arrived the grading form (good, damaged, missing, wrong per unit) that
//! runs the flow's receipt step. Everything TikTok sent is escaped (maud);
//! the form carries the CSRF token like every other.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Form;
use maud::{html, Markup};

use super::{error_page, guard, guard_post, ops_error, render, require, when, Page};
use crate::console::Console;
use crate::domain::{ShopId, Sku};
use crate::returns::flow::api::ShopReturnsApi;
use crate::returns::flow::send::Sent;
use crate::returns::flow::ReturnsFlow;
use crate::returns::ports::ReturnBooks;
use crate::returns::receipt::Grade;
use crate::returns::settings::ReturnsSettings;
use crate::store::returns::{ReturnState, ReturnsStore};
use crate::store::shop_directory::connected_shops;
use crate::store::Role;
use crate::tiktok::ShopSessions;

pub const PATH: &str = "/returns";

/// What the Returns page works with.
pub struct ReturnsDesk {
    pub store: Arc<dyn ReturnsStore>,
    /// NetSuite's side; `None`: the page only reads (grading refused).
    pub books: Option<Arc<dyn ReturnBooks>>,
    /// TikTok, for the decision after grading; `None`: the page only reads.
    pub sessions: Option<ShopSessions>,
    /// A shop's returns settings (from the mapping).
    pub settings: Arc<dyn Fn(&ShopId) -> ReturnsSettings + Send + Sync>,
}

/// "in 3 h 20 min", "2 h ago": how far TikTok's deadline is from now.
pub fn until(deadline: i64, now: i64) -> String {
    let d = deadline - now;
    let (h, m) = (d.abs() / 3600, d.abs() % 3600 / 60);
    let span = if h > 0 {
        format!("{h} h {m} min")
    } else {
        format!("{m} min")
    };
    if d >= 0 {
        format!("in {span}")
    } else {
        format!("{span} ago: passed")
    }
}

fn unavailable() -> axum::response::Response {
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Not available here",
        "This console runs without the returns flow's settings (returns store, NetSuite, TikTok).",
    )
}

fn store_err(e: crate::store::StoreError) -> axum::response::Response {
    ops_error(e.into())
}

fn one_return(r: &ReturnState, csrf: &Markup) -> Markup {
    let grading = r
        .queued
        .as_ref()
        .is_some_and(|q| q.action == "SELLER_RESPOND_RECEIVE_PACKAGE")
        && r.receipt_id.is_none();
    html! {
        section id=(format!("ret-{}", r.return_id)) {
            h3 { "Return " (r.return_id) " · order " (r.order_id) }
            p { "TikTok: " strong { (r.status) } " · " (r.return_type)
                @if let Some(ra) = &r.ra_id { " · Return Authorization " (ra) }
                @if let Some(ir) = &r.receipt_id { " · Item Receipt " (ir) }
                @if let Some(cr) = &r.credit_id { " · credit " (cr) }
            }
            @if let Some(h) = &r.held { p role="alert" { "Credit held: " (h) } }
            @if !r.decisions.is_empty() {
                table {
                    caption { "Decisions" }
                    thead { tr { th scope="col" { "Decision" } th scope="col" { "By" } th scope="col" { "When" } th scope="col" { "Outcome" } } }
                    tbody { @for d in &r.decisions {
                        tr { td { (d.decision) @if let Some(x) = &d.reason { " (" (x) ")" } }
                             td { (d.by) } td { (when(d.at)) } td { (d.outcome) } }
                    } }
                }
            }
            @if grading {
                form method="post" action=(format!("{PATH}/{}/{}/grade", r.shop_id, r.return_id)) {
                    (csrf)
                    fieldset {
                        legend { "Grade the parcel, unit by unit" }
                        @for (i, sku) in r.units.iter().enumerate() {
                            label for=(format!("g{i}")) { "Unit " (i + 1) ": " (sku) }
                            select id=(format!("g{i}")) name=(format!("g{i}")) {
                                option value="good" { "good: back to stock" }
                                option value="damaged" { "damaged: damaged-goods location" }
                                option value="missing" { "missing: not received" }
                                option value="wrong" { "wrong item: not received" }
                            }
                        }
                        button type="submit" { "Receive and decide" }
                    }
                }
            }
            details {
                summary { "History (" (r.history.len()) ")" }
                ul { @for h in &r.history { li { (when(h.at)) ": " (h.text) } } }
            }
        }
    }
}

pub async fn page(State(c): State<Arc<Console>>, headers: HeaderMap) -> Page {
    let ctx = guard(&c, &headers).await?;
    let Some(desk) = c.returns.as_ref() else {
        let body = html! { main { h1 { "Returns" }
        p { "This console runs without the returns flow (its store, NetSuite and TikTok), so there is nothing to show here." } } };
        return Ok(render("Returns", &ctx, PATH, body));
    };
    let now = c.clock.now();
    let queue = desk.store.queue(None).await.map_err(store_err)?;
    let shops = connected_shops(&c.ddb, &c.tokens_table)
        .await
        .map_err(|e| ops_error(e.into()))?;
    let mut returns = Vec::new();
    for s in &shops {
        returns.extend(desk.store.list(&s.shop_id).await.map_err(store_err)?);
    }
    let csrf = ctx.csrf_field();
    let body = html! {
        main {
            h1 { "Returns" }
            h2 { "Waiting for a person (" (queue.len()) ")" }
            p.muted { "Soonest TikTok deadline first. After the deadline TikTok decides on the seller's behalf, usually approving." }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Return" } th scope="col" { "Shop" } th scope="col" { "Order" }
                        th scope="col" { "TikTok waits for" } th scope="col" { "TikTok's deadline" } th scope="col" { "Why a person" }
                    } }
                    tbody {
                        @if queue.is_empty() { tr { td colspan="6" { "Nothing waits for a person." } } }
                        @for q in &queue {
                            tr {
                                td { a href=(format!("#ret-{}", q.return_id)) { (q.return_id) } }
                                td { (q.shop_id) } td { (q.order_id) } td { (q.queued.action) }
                                td { (when(q.queued.deadline)) " (" (until(q.queued.deadline, now)) ")" }
                                td { (q.queued.why) }
                            }
                        }
                    }
                }
            }
            h2 { "Returns" }
            @if returns.is_empty() { p { "No returns yet." } }
            @for r in &returns { (one_return(r, &csrf)) }
        }
    };
    Ok(render("Returns", &ctx, PATH, body))
}

/// Grades a parcel: the Item Receipt and the received-package decision.
pub async fn grade(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Path((shop, return_id)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Page {
    let ctx = guard_post(&c, &headers, &f).await?;
    require(&ctx, Role::Operator, "grade returns")?;
    let Some(desk) = c.returns.as_ref() else {
        return Err(unavailable());
    };
    let (Some(books), Some(sessions)) = (desk.books.as_ref(), desk.sessions.as_ref()) else {
        return Err(unavailable());
    };
    let shop = ShopId::new(shop);
    let st = desk
        .store
        .get(&shop, &return_id)
        .await
        .map_err(store_err)?
        .ok_or_else(|| error_page(StatusCode::NOT_FOUND, "Not found", "No such return."))?;
    let mut graded = Vec::new();
    for (i, sku) in st.units.iter().enumerate() {
        let g = f.get(&format!("g{i}")).map(String::as_str).unwrap_or("");
        let grade = Grade::parse(g);
        if let Grade::Unknown(_) = grade {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "Check the form",
                &format!(
                    "Unit {} has no grade (good, damaged, missing or wrong).",
                    i + 1
                ),
            ));
        }
        graded.push((Sku(sku.clone()), grade));
    }
    let settings = (desk.settings)(&shop);
    let api = ShopReturnsApi {
        sessions,
        shop: shop.clone(),
    };
    let flow = ReturnsFlow {
        api: &api,
        books: books.as_ref(),
        store: desk.store.as_ref(),
        clock: c.clock.as_ref(),
        settings: &settings,
    };
    match flow
        .receive(&return_id, &graded, &ctx.user.name, None)
        .await
    {
        Ok(Sent::Sent | Sent::AlreadyDecided(_)) => {
            Ok(super::see_other(&format!("{PATH}#ret-{return_id}")))
        }
        Err(e) => Err(error_page(
            StatusCode::BAD_GATEWAY,
            "Not done",
            &e.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_read_as_time_left() {
        assert_eq!(until(7_200 + 600, 0), "in 2 h 10 min");
        assert_eq!(until(0, 300), "5 min ago: passed");
    }
}
