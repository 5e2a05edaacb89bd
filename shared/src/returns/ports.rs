//! What the returns flow needs from NetSuite, as one small trait, so the flow
//! (which reads TikTok, decides and records) and the NetSuite side (the
//! Return Authorization, its Item Receipt and its credit, over REST) are
//! written and tested apart. The flow only calls [`ReturnBooks`]; the REST
//! implementation lives beside it in this folder.
//!
//! Every write is idempotent by externalId (returns.md §B1: "one RA per
//! return_id, upserted by externalId"), so a retried event never writes a
//! record twice.

use async_trait::async_trait;

use super::credit::CreditPlan;
use super::ra_plan::{OrderRecords, RaSource, RaStatus};
use super::receipt::ReceiptPlan;
use crate::domain::{OrderId, Sku};
use crate::netsuite::NsError;

/// The RA to write: what [`super::ra_plan::RaPlan::Upsert`] carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaUpsert {
    pub external_id: String,
    pub source: RaSource,
    pub lines: Vec<(Sku, u32)>,
    pub status: RaStatus,
    pub memo: String,
}

/// A Return Authorization as NetSuite holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaRef {
    pub internal_id: String,
    pub external_id: String,
    /// What it was transformed from: decides Credit Memo or Cash Refund.
    pub source: RaSource,
}

/// NetSuite's side of a return.
#[async_trait]
pub trait ReturnBooks: Send + Sync {
    /// The order's Sales Order, invoice, cash sale, units fulfilled by SKU,
    /// and the units on the order's other RAs (all but `this_ra`, the
    /// externalId of the return being planned).
    async fn order_records(&self, order: &OrderId, this_ra: &str) -> Result<OrderRecords, NsError>;

    /// Creates the RA by transform from its source (`?replace=item`) or, if
    /// its externalId exists, updates its lines and status.
    async fn upsert_ra(&self, ra: &RaUpsert) -> Result<RaRef, NsError>;

    /// The RA of a return, if written.
    async fn find_ra(&self, external_id: &str) -> Result<Option<RaRef>, NsError>;

    /// Closes the RA's open lines (TikTok cancelled the return).
    async fn close_ra(&self, ra: &RaRef) -> Result<(), NsError>;

    /// An Item Receipt from the RA by transform, by externalId
    /// `external_id`; returns its internal id (the existing one on retry).
    async fn receive(
        &self,
        ra: &RaRef,
        plan: &ReceiptPlan,
        external_id: &str,
    ) -> Result<String, NsError>;

    /// A Credit Memo (or Cash Refund, by `ra.source`) from the RA at TikTok's
    /// amounts, by externalId `external_id`; its internal id.
    async fn credit(
        &self,
        ra: &RaRef,
        plan: &CreditPlan,
        external_id: &str,
    ) -> Result<String, NsError>;
}
