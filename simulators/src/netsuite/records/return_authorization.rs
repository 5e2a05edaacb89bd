//! The `returnAuthorization` record (`/record/v1/returnAuthorization`): a
//! customer's return, a non-posting transaction available when the Return
//! Authorizations feature is on (Oracle section_N3688557, section_N425745;
//! returns.md §B1). REST record id `returnAuthorization`, header
//! `orderStatus` A (Pending Approval) or B (Pending Receipt) settable on
//! create and update, lines with `isClosed`, `orderLine`,
//! `quantityReceived` and `quantityBilled` ("Refunded") (WSJ
//! `docs/schemas/returnAuthorization.md`, secondary). SuiteQL type code
//! `RtnAuth` (sim-defined, in the style of the other codes). It is made by
//! transform from an invoice, cash sale or sales order, and becomes an item
//! receipt, credit memo or cash refund (`return_transforms.rs`).

use super::kinds::{RecordKind, Sublist, TRAN_BODY};

/// RA item line fields: the item line's plus what receiving and refunding
/// move, and `inventoryDetail` (WSJ schema).
const RA_LINE: &[&str] = &[
    "item",
    "quantity",
    "rate",
    "amount",
    "price",
    "description",
    "location",
    "isClosed",
    "line",
    "taxCode",
    "department",
    "class",
    "quantityFulfilled",
    "quantityBilled",
    "orderLine",
    "units",
    "quantityReceived",
    "inventoryDetail",
];

pub(super) const KIND: RecordKind = RecordKind {
    name: "returnAuthorization",
    transaction_type: Some("RtnAuth"),
    tranid_prefix: "RA",
    body_fields: TRAN_BODY,
    sublists: &[Sublist {
        name: "item",
        line_fields: RA_LINE,
        item_ref: Some("item"),
        order_line_defaults: false,
    }],
    entity_is_customer: true,
    entity_required: true,
};
