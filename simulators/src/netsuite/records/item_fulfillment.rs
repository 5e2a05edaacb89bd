//! The `itemFulfillment` record (`/record/v1/itemFulfillment`): a shipment
//! of sales-order lines, made by `salesOrder/{id}/!transform/itemFulfillment`
//! (netsuite-rest-api.md §2). Body and line fields, and the tracking
//! sublists `package`, `packageUps`, `packageFedex` and `packageUsps`, are
//! those of finance-inventory-fulfilment.md §4.1 (wsjmnh
//! `docs/schemas/itemFulfillment.md`, the 2026.1 OpenAPI dump); `shipStatus`
//! A/B/C = Picked/Packed/Shipped (§0 item 6). SuiteQL type code `ItemShip`.

use super::kinds::{RecordKind, Sublist};

const FULFILL_BODY: &[&str] = &[
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
    "shipMethod",
    "shippingAddress",
    "status",
    "postingPeriod",
    "createdFrom",
    "customForm",
    "shipStatus",
    "shippedDate",
    "packedDate",
    "pickedDate",
    "shipCarrier",
    "lastModifiedDate",
];

const FULFILL_LINE: &[&str] = &[
    "item",
    "quantity",
    "rate",
    "amount",
    "price",
    "description",
    "location",
    "line",
    "orderLine",
    "itemReceive",
    "quantityRemaining",
    "units",
    "department",
    "class",
    "taxCode",
];

pub(super) const KIND: RecordKind = RecordKind {
    name: "itemFulfillment",
    transaction_type: Some("ItemShip"),
    tranid_prefix: "IF",
    body_fields: FULFILL_BODY,
    sublists: &[
        Sublist {
            name: "item",
            line_fields: FULFILL_LINE,
            item_ref: Some("item"),
            order_line_defaults: false,
        },
        // Package sublists, field names per finance-inventory-fulfilment.md §4.1.
        Sublist {
            name: "package",
            line_fields: &[
                "packageTrackingNumber",
                "packageWeight",
                "packageDescr",
                "packageTrackingNumberReturn",
                "packageCartonNumber",
                "line",
            ],
            item_ref: None,
            order_line_defaults: false,
        },
        Sublist {
            name: "packageUps",
            line_fields: &["packageTrackingNumberUps", "packageWeightUps", "line"],
            item_ref: None,
            order_line_defaults: false,
        },
        Sublist {
            name: "packageFedex",
            line_fields: &["packageTrackingNumberFedEx", "packageWeightFedEx", "line"],
            item_ref: None,
            order_line_defaults: false,
        },
        Sublist {
            name: "packageUsps",
            line_fields: &["packageTrackingNumberUsps", "packageWeightUsps", "line"],
            item_ref: None,
            order_line_defaults: false,
        },
    ],
    entity_is_customer: true,
    entity_required: false,
};
