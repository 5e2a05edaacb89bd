//! The `itemReceipt` record (`/record/v1/itemReceipt`): goods received,
//! here those a customer returns against a return authorization, made by
//! `returnAuthorization/{id}/!transform/itemReceipt`. Available only when
//! Advanced Receiving is on (Oracle section_N3681685; returns.md §B2). Line
//! fields per the REST schema: `itemReceive`, `location`, `quantity`,
//! `orderLine`, `inventoryDetail` — and no `restock` field (WSJ
//! `docs/schemas/itemReceipt.md`, secondary). SuiteQL type code `ItemRcpt`.

use super::kinds::{RecordKind, Sublist};

const RECEIPT_BODY: &[&str] = &[
    "entity",
    "externalId",
    "tranId",
    "tranDate",
    "memo",
    "subsidiary",
    "location",
    "department",
    "class",
    "currency",
    "status",
    "postingPeriod",
    "createdFrom",
    "customForm",
    "lastModifiedDate",
];

const RECEIPT_LINE: &[&str] = &[
    "item",
    "quantity",
    "rate",
    "amount",
    "description",
    "location",
    "line",
    "orderLine",
    "itemReceive",
    "inventoryDetail",
    "units",
    "department",
    "class",
];

pub(super) const KIND: RecordKind = RecordKind {
    name: "itemReceipt",
    transaction_type: Some("ItemRcpt"),
    tranid_prefix: "IR",
    body_fields: RECEIPT_BODY,
    sublists: &[Sublist {
        name: "item",
        line_fields: RECEIPT_LINE,
        item_ref: Some("item"),
        order_line_defaults: false,
    }],
    entity_is_customer: true,
    entity_required: false,
};
