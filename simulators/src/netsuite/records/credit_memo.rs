//! The `creditMemo` record (`/record/v1/creditMemo`): a refund against an
//! invoice, made by transforming the invoice (netsuite-rest-api.md §2,
//! invoice → creditMemo example section_157901123882) or posted directly.
//! It has the `item` sublist and the `apply` sublist naming the documents
//! it pays off; SuiteQL type code `CustCred`.

use super::kinds::{RecordKind, Sublist, ITEM_SUBLIST, TRAN_BODY};

pub(super) const KIND: RecordKind = RecordKind {
    name: "creditMemo",
    transaction_type: Some("CustCred"),
    tranid_prefix: "CM",
    body_fields: TRAN_BODY,
    sublists: &[
        ITEM_SUBLIST,
        Sublist {
            name: "apply",
            line_fields: &["doc", "apply", "amount", "line", "due"],
            item_ref: None,
            order_line_defaults: false,
        },
    ],
    entity_is_customer: true,
    entity_required: true,
};
