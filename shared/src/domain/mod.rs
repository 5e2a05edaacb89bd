//! Types that say what they are. Identifiers are strings on the wire (TikTok
//! ids exceed JavaScript's safe integers), so they stay strings here, wrapped
//! so a shop id can never be passed where an order id belongs. Statuses that
//! travel as strings are declared with [`crate::string_enum!`].

mod order_type;
mod string_enum;

pub use order_type::OrderType;

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// TikTok Shop id (`shop_id` in webhooks; not the `shop_cipher`).
    ShopId
);
id_type!(
    /// TikTok order id.
    OrderId
);
id_type!(
    /// Seller SKU as typed by the merchant on the TikTok product.
    Sku
);
id_type!(
    /// TikTok's `tts_notification_id`, or a body hash when TikTok omits it.
    NotificationId
);
id_type!(
    /// TikTok product id (the path of Update Inventory; one product holds
    /// up to 100 SKUs).
    ProductId
);
id_type!(
    /// TikTok's own SKU id (`sku_id`), not the seller SKU ([`Sku`]).
    SkuId
);
id_type!(
    /// TikTok warehouse id (Get Warehouse List `id`: "unique and immutable").
    WarehouseId
);
id_type!(
    /// TikTok Finance statement id (one statement per shop and day).
    StatementId
);
id_type!(
    /// TikTok Finance payment id (a statement's `payment_id`; several
    /// statements may share one).
    PaymentId
);
id_type!(
    /// TikTok Finance transaction id (a statement row's `id`: the dedupe key).
    TransactionId
);
id_type!(
    /// NetSuite internal id of an item (`item.id`), not its `itemid` name.
    NetSuiteItemId
);
id_type!(
    /// NetSuite internal id of a location.
    NetSuiteLocationId
);
id_type!(
    /// TikTok order line item id: one unit of an order (tiktok-shop-api.md §3).
    OrderLineItemId
);
id_type!(
    /// TikTok package id (`packages[].id`, a line item's `package_id`; the
    /// path of Ship Package and of package-level Update Shipping Info).
    PackageId
);
id_type!(
    /// TikTok shipping provider id (Get Shipping Providers `id`); cached per
    /// delivery option, since whether ids are global is unverified (§3.3).
    ShippingProviderId
);
id_type!(
    /// TikTok delivery option id (an order's `delivery_option_id`).
    DeliveryOptionId
);
id_type!(
    /// NetSuite internal id of an Item Fulfillment.
    NetSuiteFulfillmentId
);

/// Money is decimal, never f64.
pub type Money = rust_decimal::Decimal;

/// Webhook `type` numbers (the TikTok Shop API reference notes, §2). Unknown numbers are kept so
/// they can be archived and logged rather than rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookType {
    OrderStatusChange,
    ReverseStatusUpdate,
    RecipientAddressUpdate,
    PackageUpdate,
    ProductStatusChange,
    SellerDeauthorization,
    UpcomingAuthorizationExpiration,
    CancellationStatusChange,
    ReturnStatusChange,
    InventoryStatusChange,
    Other(i64),
}

impl WebhookType {
    pub fn from_code(code: i64) -> Self {
        match code {
            1 => Self::OrderStatusChange,
            2 => Self::ReverseStatusUpdate,
            3 => Self::RecipientAddressUpdate,
            4 => Self::PackageUpdate,
            5 => Self::ProductStatusChange,
            6 => Self::SellerDeauthorization,
            7 => Self::UpcomingAuthorizationExpiration,
            11 => Self::CancellationStatusChange,
            12 => Self::ReturnStatusChange,
            27 => Self::InventoryStatusChange,
            n => Self::Other(n),
        }
    }

    pub fn code(self) -> i64 {
        match self {
            Self::OrderStatusChange => 1,
            Self::ReverseStatusUpdate => 2,
            Self::RecipientAddressUpdate => 3,
            Self::PackageUpdate => 4,
            Self::ProductStatusChange => 5,
            Self::SellerDeauthorization => 6,
            Self::UpcomingAuthorizationExpiration => 7,
            Self::CancellationStatusChange => 11,
            Self::ReturnStatusChange => 12,
            Self::InventoryStatusChange => 27,
            Self::Other(n) => n,
        }
    }

    /// The Event API name, for logs and the archive.
    pub fn name(self) -> String {
        match self {
            Self::OrderStatusChange => "ORDER_STATUS_CHANGE".into(),
            Self::ReverseStatusUpdate => "REVERSE_STATUS_UPDATE".into(),
            Self::RecipientAddressUpdate => "RECIPIENT_ADDRESS_UPDATE".into(),
            Self::PackageUpdate => "PACKAGE_UPDATE".into(),
            Self::ProductStatusChange => "PRODUCT_STATUS_CHANGE".into(),
            Self::SellerDeauthorization => "SELLER_DEAUTHORIZATION".into(),
            Self::UpcomingAuthorizationExpiration => "UPCOMING_AUTHORIZATION_EXPIRATION".into(),
            Self::CancellationStatusChange => "CANCELLATION_STATUS_CHANGE".into(),
            Self::ReturnStatusChange => "RETURN_STATUS_CHANGE".into(),
            Self::InventoryStatusChange => "INVENTORY_STATUS_CHANGE".into(),
            Self::Other(n) => format!("TYPE_{n}"),
        }
    }

    /// Types the NetSuite writer acts on. Everything else is archived and
    /// acknowledged but not enqueued.
    pub fn is_actionable(self) -> bool {
        matches!(
            self,
            Self::OrderStatusChange
                | Self::CancellationStatusChange
                | Self::ReturnStatusChange
                | Self::ReverseStatusUpdate
                | Self::RecipientAddressUpdate
                | Self::PackageUpdate
                | Self::SellerDeauthorization
                | Self::UpcomingAuthorizationExpiration
        )
    }

    /// Types whose events concern one order, so they share the order's FIFO group.
    pub fn is_order_scoped(self) -> bool {
        matches!(
            self,
            Self::OrderStatusChange
                | Self::ReverseStatusUpdate
                | Self::RecipientAddressUpdate
                | Self::CancellationStatusChange
                | Self::ReturnStatusChange
                | Self::PackageUpdate
        )
    }
}

crate::string_enum! {
    /// Order status as TikTok spells it in the order API and in webhooks. The
    /// webhook doc says `CANCEL` where the API says `CANCELLED`; both map to
    /// `Cancelled`, and unknown values are kept for forward compatibility.
    pub enum OrderStatus {
        Unpaid = "UNPAID",
        OnHold = "ON_HOLD",
        AwaitingShipment = "AWAITING_SHIPMENT",
        PartiallyShipping = "PARTIALLY_SHIPPING",
        AwaitingCollection = "AWAITING_COLLECTION",
        InTransit = "IN_TRANSIT",
        Delivered = "DELIVERED",
        Completed = "COMPLETED",
        Cancelled = "CANCELLED" | "CANCEL",
    }
}

impl OrderStatus {
    /// Statuses after the order became shippable: a Sales Order is still
    /// created at these if it never was.
    pub fn is_past_shippable(&self) -> bool {
        matches!(
            self,
            Self::AwaitingShipment
                | Self::PartiallyShipping
                | Self::AwaitingCollection
                | Self::InTransit
                | Self::Delivered
                | Self::Completed
        )
    }
}

/// A value as one POSIX shell word (single-quoted, a `'` inside written
/// `'\''`): how every command a message suggests carries TikTok data, so a
/// crafted SKU or id stays text when an operator pastes the command.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_cancel_spellings_and_unknown_fallback() {
        assert_eq!(OrderStatus::parse("CANCEL"), OrderStatus::Cancelled);
        assert_eq!(OrderStatus::parse("CANCELLED"), OrderStatus::Cancelled);
        let u = OrderStatus::parse("SOMETHING_NEW");
        assert_eq!(u.as_str(), "SOMETHING_NEW");
        let json = serde_json::to_string(&OrderStatus::AwaitingShipment).unwrap();
        assert_eq!(json, "\"AWAITING_SHIPMENT\"");
    }

    #[test]
    fn webhook_type_round_trip() {
        for code in [1, 2, 3, 4, 5, 6, 7, 11, 12, 27, 99] {
            assert_eq!(WebhookType::from_code(code).code(), code);
        }
        assert!(WebhookType::from_code(1).is_order_scoped());
        assert!(!WebhookType::from_code(5).is_actionable());
    }
}
