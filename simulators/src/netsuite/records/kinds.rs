//! The record types the store knows, as data: for each `/record/v1/{type}`
//! its body field names, sublists and which references get validated (see
//! the module doc of `records`). Each type is declared in its own file,
//! named for the record (`sales_order.rs`, `journal_entry.rs`, ...); this
//! file holds the shapes and the field lists several types share.

/// A sublist (`item`, `line`, `apply`, ...) of a record type.
pub(crate) struct Sublist {
    pub(crate) name: &'static str,
    pub(crate) line_fields: &'static [&'static str],
    /// Line field whose `id` must be an existing item.
    pub(crate) item_ref: Option<&'static str>,
    /// Sales-order style lines get `isClosed`/`quantityFulfilled`/`quantityBilled`.
    pub(crate) order_line_defaults: bool,
}

/// What the simulator knows about one record type.
pub(crate) struct RecordKind {
    pub(crate) name: &'static str,
    /// SuiteQL `transaction.type` code; `None` for non-transactions.
    pub(crate) transaction_type: Option<&'static str>,
    pub(crate) tranid_prefix: &'static str,
    pub(crate) body_fields: &'static [&'static str],
    pub(crate) sublists: &'static [Sublist],
    /// `entity.id` must name an existing customer.
    pub(crate) entity_is_customer: bool,
    /// Create fails without `entity` ("Please enter value(s) for: Customer").
    pub(crate) entity_required: bool,
}

pub(super) const TRAN_BODY: &[&str] = &[
    "entity",
    "externalId",
    "tranId",
    "tranDate",
    "memo",
    "otherRefNum",
    "subsidiary",
    "location",
    "department",
    "class",
    "currency",
    "exchangeRate",
    "shipMethod",
    "shippingCost",
    "handlingCost",
    "discountItem",
    "discountRate",
    "orderStatus",
    "shipDate",
    "email",
    "customForm",
    "shippingAddress",
    "billingAddress",
    "taxDetails",
    "status",
    "postingPeriod",
    "createdFrom",
    "account",
    "paymentMethod",
    "total",
    "subtotal",
    "taxTotal",
    "toBeEmailed",
    // Read-only: accepted so a GET body can be sent back; every write restamps it.
    "lastModifiedDate",
];

pub(super) const ITEM_LINE: &[&str] = &[
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
];

pub(super) const ITEM_SUBLIST: Sublist = Sublist {
    name: "item",
    line_fields: ITEM_LINE,
    item_ref: Some("item"),
    order_line_defaults: false,
};

pub(crate) const KINDS: &[RecordKind] = &[
    super::sales_order::KIND,
    super::customer::KIND,
    super::credit_memo::KIND,
    super::invoice::KIND,
    super::cash_sale::KIND,
    super::item_fulfillment::KIND,
    super::cash_refund::KIND,
    super::journal_entry::KIND,
    super::return_authorization::KIND,
    super::item_receipt::KIND,
];

/// Looks a URL record type up case-insensitively (`salesorder` = `salesOrder`).
pub(crate) fn kind(rtype: &str) -> Option<&'static RecordKind> {
    KINDS.iter().find(|k| k.name.eq_ignore_ascii_case(rtype))
}
