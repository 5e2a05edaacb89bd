//! The `customer` record (`/record/v1/customer`): the entity every sales
//! transaction names. A customer created without `subsidiary` gets the root
//! one (Oracle's minimal example, article_161581923822; see `refs.rs`); its
//! `currencyList` sublist holds the currencies it may trade in beside its
//! primary one. Create as netsuite-rest-api.md §2 "Customer"
//! (`{"companyName", "email"}`, article_161581923822).

use super::kinds::{RecordKind, Sublist};

pub(super) const KIND: RecordKind = RecordKind {
    name: "customer",
    transaction_type: None,
    tranid_prefix: "",
    body_fields: &[
        "entityId",
        "externalId",
        "companyName",
        "firstName",
        "lastName",
        "isPerson",
        "email",
        "phone",
        "subsidiary",
        "currency",
        "comments",
        "isInactive",
        "category",
        "terms",
        "addressBook",
        "lastModifiedDate",
    ],
    sublists: &[Sublist {
        name: "currencyList",
        line_fields: &["currency", "line"],
        item_ref: None,
        order_line_defaults: false,
    }],
    entity_is_customer: false,
    entity_required: false,
};
