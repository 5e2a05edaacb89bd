//! Exceptions: orders a person must look at, by kind, with what to do —
//! cancelled too late (the warehouse shipped or billed first), needs
//! review, duplicate refunds. One index query per kind.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use maud::html;

use super::orders::table;
use super::{guard, ops_error, render, Page};
use crate::console::Console;
use crate::store::{LogFilter, SyncStatus};
use crate::taxonomy::ErrorCode;

/// Entries shown per kind.
const PER_KIND: usize = 50;

pub async fn page(State(c): State<Arc<Console>>, headers: HeaderMap) -> Page {
    let ctx = guard(&c, &headers).await?;
    let kinds = [
        (
            "Cancelled too late",
            "TikTok cancelled these after the warehouse shipped or NetSuite billed them. Recover the parcel or refund by hand in NetSuite, then ignore the order with what you did.",
            LogFilter { code: Some(ErrorCode::CancelledTooLate.as_str().into()), ..Default::default() },
        ),
        (
            "Needs review",
            "An outcome this integration would not decide alone (an unknown status, a change after fulfilment). Read the problem on the order, act in NetSuite, then resubmit or ignore it.",
            LogFilter { sync_status: Some(SyncStatus::NeedsReview), ..Default::default() },
        ),
        (
            "Duplicate refunds",
            "A second refund for the same return was refused so NetSuite is not refunded twice. Check the Credit Memos on the order; ignore it when one is right.",
            LogFilter { code: Some(ErrorCode::DuplicateRefund.as_str().into()), ..Default::default() },
        ),
    ];
    let mut sections = Vec::new();
    for (title, what, filter) in kinds {
        let p = c
            .log
            .query_page(&filter, None, PER_KIND)
            .await
            .map_err(|e| ops_error(e.into()))?;
        sections.push((title, what, p.entries));
    }
    let body = html! {
        main {
            h1 { "Exceptions" }
            @for (title, what, entries) in &sections {
                section aria-label=(title) {
                    h2 { (title) " (" (entries.len()) @if entries.len() == PER_KIND { "+" } ")" }
                    p { (what) }
                    @if entries.is_empty() { p.muted { "None." } } @else { (table(entries)) }
                }
            }
        }
    };
    Ok(render("Exceptions", &ctx, "/exceptions", body))
}
