//! The `salesOrder` record (`/record/v1/salesOrder`): the order the writer
//! creates or upserts (`PUT .../salesOrder/eid:<externalId>`,
//! section_156335203191) for every TikTok order. Its `item` lines carry
//! `isClosed`, `quantityFulfilled` and `quantityBilled`, which fulfilments
//! and bills move (`transform.rs`). Field names follow the Sales Order page
//! of Oracle's REST API Browser and netsuite-rest-api.md §2 (SuiteTax only,
//! section_159665260887); SuiteQL type code `SalesOrd`.

use super::kinds::{RecordKind, Sublist, ITEM_SUBLIST, TRAN_BODY};

pub(super) const KIND: RecordKind = RecordKind {
    name: "salesOrder",
    transaction_type: Some("SalesOrd"),
    tranid_prefix: "SO",
    body_fields: TRAN_BODY,
    sublists: &[Sublist {
        order_line_defaults: true,
        ..ITEM_SUBLIST
    }],
    entity_is_customer: true,
    entity_required: true,
};
