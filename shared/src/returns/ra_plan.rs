//! The Return Authorization a return needs (returns.md §B, "Recommended
//! flow"). Pure: the caller reads the order's NetSuite records, the units
//! fulfilled and the units already on the order's other RAs, and this says
//! what to write.
//!
//! - One RA per `return_id`, `externalId = tts-ret-<return_id>`, so an upsert
//!   by `eid:` never writes two.
//! - Made by transform from the invoice, else the cash sale, else the Sales
//!   Order (`POST …/<src>/<id>/!transform/returnAuthorization?replace=item`,
//!   Oracle section_157901123882; netsuite-rest-api.md §0: without
//!   `?replace=item` the source's lines are kept and ours appended).
//! - Lines: only the returned units, grouped by SKU; the units on every
//!   other RA of the order plus these never exceed the units fulfilled.
//! - Status: Pending Approval (`A`) until TikTok approves, Pending Receipt
//!   (`B`) once it does, closed only on TikTok's final cancel (arbitration
//!   can revive a rejection, §A4).

use std::collections::BTreeMap;

use super::record::ReturnRecord;
use super::status::ReturnStatus;
use crate::domain::Sku;

/// The externalId of a return's RA.
pub fn ra_external_id(return_id: &str) -> String {
    format!("tts-ret-{return_id}")
}

/// The NetSuite record an RA is transformed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaSource {
    Invoice(String),
    CashSale(String),
    SalesOrder(String),
}

impl RaSource {
    /// The REST record type (the transform's source path).
    pub fn record_type(&self) -> &'static str {
        match self {
            Self::Invoice(_) => "invoice",
            Self::CashSale(_) => "cashSale",
            Self::SalesOrder(_) => "salesOrder",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Invoice(i) | Self::CashSale(i) | Self::SalesOrder(i) => i,
        }
    }

    /// The money record the RA later becomes: a Credit Memo from an RA made
    /// from an invoice (or an unbilled SO: the customer is on account), a
    /// Cash Refund from one made from a cash sale.
    pub fn credit_type(&self) -> &'static str {
        match self {
            Self::CashSale(_) => "cashRefund",
            Self::Invoice(_) | Self::SalesOrder(_) => "creditMemo",
        }
    }
}

/// What NetSuite holds for the order.
#[derive(Debug, Clone, Default)]
pub struct OrderRecords {
    pub sales_order: Option<String>,
    pub invoice: Option<String>,
    pub cash_sale: Option<String>,
    /// Units fulfilled per SKU.
    pub fulfilled: BTreeMap<Sku, u32>,
    /// Units on the order's other RAs (not this return's, not closed ones).
    pub on_other_ras: BTreeMap<Sku, u32>,
}

impl OrderRecords {
    /// Invoice, else cash sale, else Sales Order.
    pub fn source(&self) -> Option<RaSource> {
        self.invoice
            .clone()
            .map(RaSource::Invoice)
            .or_else(|| self.cash_sale.clone().map(RaSource::CashSale))
            .or_else(|| self.sales_order.clone().map(RaSource::SalesOrder))
    }
}

/// RA approval status (`orderStatus.id`, WSJ schema; settable A or B).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaStatus {
    PendingApproval,
    PendingReceipt,
    /// All open lines closed (`isClosed`).
    Closed,
}

impl RaStatus {
    pub fn order_status(&self) -> Option<&'static str> {
        match self {
            Self::PendingApproval => Some("A"),
            Self::PendingReceipt => Some("B"),
            Self::Closed => None,
        }
    }
}

/// The RA status TikTok's status calls for.
pub fn ra_status(status: &ReturnStatus) -> RaStatus {
    match status {
        ReturnStatus::AwaitingBuyerShip
        | ReturnStatus::BuyerShippedItem
        | ReturnStatus::ReceiveRejected
        | ReturnStatus::RequestSuccess
        | ReturnStatus::RequestComplete => RaStatus::PendingReceipt,
        ReturnStatus::RequestCancel => RaStatus::Closed,
        _ => RaStatus::PendingApproval,
    }
}

/// What to do about a return's RA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaPlan {
    /// Upsert this RA (by externalId) by transform from `source`.
    Upsert {
        external_id: String,
        source: RaSource,
        lines: Vec<(Sku, u32)>,
        status: RaStatus,
    },
    /// Returnless: no RA, no receipt; the refund is booked as today.
    Returnless,
    /// Not a return that ships goods (replacement, unknown type): nothing yet.
    Nothing,
    /// Refused with a named reason (resubmittable once fixed).
    Refused(RaRefusal),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RaRefusal {
    /// Edge case 22: the order never reached NetSuite.
    #[error("order {0} has no Sales Order, invoice or cash sale in NetSuite")]
    OrderNotImported(String),
    /// Edge case 4: more units than were fulfilled, across every return.
    #[error("return of {requested} × {sku} exceeds the {fulfilled} fulfilled less {earlier} on earlier returns")]
    ExceedsFulfilled {
        sku: Sku,
        requested: u32,
        fulfilled: u32,
        earlier: u32,
    },
    #[error("the return has no lines")]
    NoLines,
}

/// Plans the RA for one return.
pub fn plan_ra(ret: &ReturnRecord, order: &OrderRecords) -> RaPlan {
    use super::status::ReturnType;
    if ret.is_returnless() {
        return RaPlan::Returnless;
    }
    if ret.return_type != ReturnType::ReturnAndRefund {
        return RaPlan::Nothing;
    }
    let Some(source) = order.source() else {
        return RaPlan::Refused(RaRefusal::OrderNotImported(ret.order_id.0.clone()));
    };
    let units = ret.units_by_sku();
    if units.is_empty() {
        return RaPlan::Refused(RaRefusal::NoLines);
    }
    for (sku, &requested) in &units {
        let fulfilled = order.fulfilled.get(sku).copied().unwrap_or(0);
        let earlier = order.on_other_ras.get(sku).copied().unwrap_or(0);
        if earlier.saturating_add(requested) > fulfilled {
            return RaPlan::Refused(RaRefusal::ExceedsFulfilled {
                sku: sku.clone(),
                requested,
                fulfilled,
                earlier,
            });
        }
    }
    RaPlan::Upsert {
        external_id: ra_external_id(&ret.return_id),
        source,
        lines: units.into_iter().collect(),
        status: ra_status(&ret.return_status),
    }
}

/// The body of the transform to an RA: `?replace=item` with only `lines`.
pub fn ra_body(
    external_id: &str,
    lines: &[(Sku, u32)],
    status: RaStatus,
    memo: &str,
) -> serde_json::Value {
    let items: Vec<_> = lines
        .iter()
        .map(|(sku, qty)| serde_json::json!({"item": {"externalId": sku.0}, "quantity": qty}))
        .collect();
    let mut body = serde_json::json!({
        "externalId": external_id,
        "memo": memo,
        "item": {"items": items},
    });
    if let Some(s) = status.order_status() {
        body["orderStatus"] = serde_json::json!({"id": s});
    }
    body
}
