//! Return events (webhook 12, legacy 2) through the returns flow (issue 28),
//! when the writer is wired with it: the return is read again and applied
//! once (`returns::flow`). A return without a Return Authorization
//! (returnless, or not one that ships goods) still has its refund booked as
//! today by [`super::refund`], tagged with the return; a return with an RA
//! has its credit booked from the RA by the flow, never twice.

use super::decision::Decision;
use super::OrderSync;
use crate::domain::ShopId;
use crate::returns::flow::api::ShopReturnsApi;
use crate::returns::flow::look::Looked;
use crate::returns::flow::ReturnsFlow;
use crate::returns::ports::ReturnBooks;
use crate::store::returns::ReturnsStore;
use crate::store::{OrderLogEntry, SyncStatus};
use crate::taxonomy::{ErrorCode, Failure};

/// What the writer needs to run the returns flow.
#[derive(Clone, Copy)]
pub struct ReturnsWiring<'a> {
    pub books: &'a dyn ReturnBooks,
    pub store: &'a dyn ReturnsStore,
}

impl OrderSync<'_> {
    /// One return event through the flow; the order log keeps the order's
    /// status and notes what happened to the return.
    pub(super) async fn on_return_flow(
        &self,
        shop: &ShopId,
        return_id: &str,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        let Some(w) = self.returns else {
            return self.on_return_event(shop, return_id, previous).await;
        };
        let keep = previous.map_or(SyncStatus::Waiting, |p| p.sync_status.clone());
        let tiktok_status = previous
            .map(|p| p.tiktok_status.clone())
            .unwrap_or_default();
        if return_id.is_empty() {
            return Decision::ok(
                keep,
                &tiktok_status,
                "return event without a return id: logged, not acted on",
            );
        }
        let settings = match self.mapping.for_shop(shop) {
            Ok(m) => &m.returns,
            Err(f) => return Decision::failed(&tiktok_status, *f),
        };
        let api = ShopReturnsApi {
            sessions: self.shops,
            shop: shop.clone(),
        };
        let flow = ReturnsFlow {
            api: &api,
            books: w.books,
            store: w.store,
            clock: self.clock,
            settings,
        };
        let looked = match flow.look_at(return_id).await {
            Ok(l) => l,
            Err(e) => {
                let code = if e.is_retryable() {
                    ErrorCode::ConnectionError
                } else {
                    ErrorCode::RefundCreationFailed
                };
                return Decision::failed(
                    &tiktok_status,
                    Failure::new(
                        code,
                        format!("return {return_id}: {e}"),
                        "Retried automatically when the cause is transient; otherwise fix the cause (named above) and resubmit the order.",
                    )
                    .retryable(e.is_retryable()),
                );
            }
        };
        let what = match &looked {
            Looked::NotFound => "not found in TikTok".to_string(),
            Looked::AlreadyApplied => "already applied (duplicate or older event)".to_string(),
            Looked::Applied(s) => format!("applied at {s}"),
        };
        // No RA (returnless, or nothing ships back): the refund as today.
        let has_ra = match w.store.get(shop, return_id).await {
            Ok(st) => st.is_some_and(|s| s.ra_id.is_some()),
            Err(e) => {
                return Decision::failed(
                    &tiktok_status,
                    Failure::new(
                        ErrorCode::ConnectionError,
                        e.to_string(),
                        "Retried automatically.",
                    )
                    .retryable(true),
                )
            }
        };
        if !has_ra && looked != Looked::NotFound {
            let mut d = self.on_return_event(shop, return_id, previous).await;
            d.note = format!("return {return_id} {what}; {}", d.note);
            return d;
        }
        Decision::ok(keep, &tiktok_status, format!("return {return_id} {what}"))
    }
}
