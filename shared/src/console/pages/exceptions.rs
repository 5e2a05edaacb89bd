//! Exceptions: orders a person must look at, by kind, with what to do —
//! failed (waiting for a fix and a resubmit), cancelled too late (the
//! warehouse shipped or billed first), needs review, duplicate refunds.
//! One index query per kind; each empty kind says which kind it is.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use maud::html;

use super::orders::{query_of, table};
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
            "Failed",
            "No failed orders.",
            "These were not written to NetSuite. Each shows its problem and fix; once fixed, resubmit them (one by one, or in bulk from the Orders page).",
            LogFilter { sync_status: Some(SyncStatus::Failed), ..Default::default() },
        ),
        (
            "Cancelled too late",
            "No orders were cancelled too late.",
            "TikTok cancelled these after the warehouse shipped or NetSuite billed them. Recover the parcel or refund by hand in NetSuite, then ignore the order with what you did.",
            LogFilter { code: Some(ErrorCode::CancelledTooLate.as_str().into()), ..Default::default() },
        ),
        (
            "Needs review",
            "No orders need review.",
            "An outcome this integration would not decide alone (an unknown status, a change after fulfilment). Read the problem on the order, act in NetSuite, then resubmit or ignore it.",
            LogFilter { sync_status: Some(SyncStatus::NeedsReview), ..Default::default() },
        ),
        (
            "Duplicate refunds",
            "No duplicate refunds.",
            "A second refund for the same return was refused so NetSuite is not refunded twice. Check the Credit Memos on the order; ignore it when one is right.",
            LogFilter { code: Some(ErrorCode::DuplicateRefund.as_str().into()), ..Default::default() },
        ),
    ];
    let mut sections = Vec::new();
    for (title, empty, what, filter) in kinds {
        let p = c
            .log
            .query_page(&filter, None, PER_KIND)
            .await
            .map_err(|e| ops_error(e.into()))?;
        sections.push((title, what, empty, filter, p.entries));
    }
    let body = html! {
        main {
            h1 { "Exceptions" }
            p.muted { "Orders a person must look at, by kind. Counts stop at " (PER_KIND) " (shown as " (PER_KIND) "+); the Orders page lists them all." }
            @for (title, what, empty, filter, entries) in &sections {
                section aria-label=(title) {
                    h2 { (title) " (" (entries.len()) @if entries.len() == PER_KIND { "+" } ")" }
                    p { (what) }
                    @if entries.is_empty() {
                        p.muted { (empty) }
                    } @else {
                        (table(&ctx, entries))
                        @if entries.len() == PER_KIND {
                            p { a href=(format!("/orders?{}", query_of(filter))) { "All of them on the Orders page" } }
                        }
                    }
                }
            }
        }
    };
    Ok(render("Exceptions", &ctx, "/exceptions", body))
}
