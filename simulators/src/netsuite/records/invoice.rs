//! The `invoice` record (`/record/v1/invoice`): billing of a sales order,
//! usually by `salesOrder/{id}/!transform/invoice` (netsuite-rest-api.md §2,
//! wsjmnh `docs/records/invoice.md`; oracle-devrel case 7: an empty body
//! bills every fulfilled quantity). SuiteQL type code `CustInvc`.

use super::kinds::{RecordKind, ITEM_SUBLIST, TRAN_BODY};

pub(super) const KIND: RecordKind = RecordKind {
    name: "invoice",
    transaction_type: Some("CustInvc"),
    tranid_prefix: "INV",
    body_fields: TRAN_BODY,
    sublists: &[ITEM_SUBLIST],
    entity_is_customer: true,
    entity_required: true,
};
