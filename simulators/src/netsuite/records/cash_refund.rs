//! The `cashRefund` record (`/record/v1/cashRefund`): money back on a cash
//! sale, made by transforming it (netsuite-rest-api.md §2: cashSale →
//! cashRefund). SuiteQL type code `CashRfnd`.

use super::kinds::{RecordKind, ITEM_SUBLIST, TRAN_BODY};

pub(super) const KIND: RecordKind = RecordKind {
    name: "cashRefund",
    transaction_type: Some("CashRfnd"),
    tranid_prefix: "CR",
    body_fields: TRAN_BODY,
    sublists: &[ITEM_SUBLIST],
    entity_is_customer: true,
    entity_required: true,
};
