//! The `cashSale` record (`/record/v1/cashSale`): a paid sale, made from a
//! sales order by `!transform/cashSale` (netsuite-rest-api.md §2, wsjmnh
//! `docs/records/cashSale.md`; oracle-devrel case 7). SuiteQL type code
//! `CashSale`.

use super::kinds::{RecordKind, ITEM_SUBLIST, TRAN_BODY};

pub(super) const KIND: RecordKind = RecordKind {
    name: "cashSale",
    transaction_type: Some("CashSale"),
    tranid_prefix: "CS",
    body_fields: TRAN_BODY,
    sublists: &[ITEM_SUBLIST],
    entity_is_customer: true,
    entity_required: true,
};
