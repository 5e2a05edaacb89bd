//! The one error taxonomy of the order log.
//!
//! Modelled on CrescoData's codes and AfterShip's staged checks (see
//! the peers notes, §1.3): every failure says what went wrong, whether
//! a retry can help, and how to fix it. Each boundary's error type maps into
//! `Failure` exactly once, in a `failure.rs` beside it (`netsuite/`,
//! `tiktok/`, `store/`), so the taxonomy itself depends on nothing.

use serde::{Deserialize, Serialize};

crate::string_enum! {
    /// What went wrong, as the order log, the digest and the CLI name it.
    pub enum ErrorCode {
        /// The TikTok order lacks data NetSuite needs (address, currency, lines).
        InsufficientData = "INSUFFICIENT_DATA",
        /// NetSuite refused the record's shape or a field value.
        InvalidSchema = "INVALID_SCHEMA",
        /// The order or record does not exist where it should.
        NotFound = "NOT_FOUND",
        /// Credentials rejected, token expired beyond refresh, or missing permission.
        Unauthorized = "UNAUTHORIZED",
        Timeout = "TIMEOUT",
        ConnectionError = "CONNECTION_ERROR",
        /// NetSuite refused the Sales Order for a business reason.
        OrderCreationFailed = "ORDER_CREATION_FAILED",
        /// Several NetSuite customers match the buyer.
        DuplicateCustomer = "DUPLICATE_CUSTOMER",
        /// The TikTok product has no seller SKU.
        MissingSku = "MISSING_SKU",
        /// The seller SKU matches no NetSuite item and has no link.
        UnlinkedProduct = "UNLINKED_PRODUCT",
        /// The mapped Sales Order total differs from TikTok's payment totals.
        TotalMismatch = "TOTAL_MISMATCH",
        /// Throttled (TikTok QPS or NetSuite concurrency) beyond the retry budget.
        RateLimited = "RATE_LIMITED",
        /// NetSuite refused to close the cancelled lines.
        OrderCancellationFailed = "ORDER_CANCELLATION_FAILED",
        /// TikTok cancelled an order whose Sales Order was already fulfilled or billed.
        CancelledTooLate = "CANCELLED_TOO_LATE",
        /// NetSuite refused the Credit Memo / Cash Refund.
        RefundCreationFailed = "REFUND_CREATION_FAILED",
        /// The refund was already booked; the repeat was not written again.
        DuplicateRefund = "DUPLICATE_REFUND",
        /// The seller deauthorized the app (TikTok webhook 6): the order waits
        /// until the shop is connected again, then is resubmitted.
        ShopDisconnected = "SHOP_DISCONNECTED",
        /// An `order_type` this version does not know, or order-type flags
        /// in a combination no source documents: held, never a sale.
        UnknownOrderType = "UNKNOWN_ORDER_TYPE",
        /// The amounts do not fit the order's type (a sample carrying
        /// money, a $0 ordinary sale): held for a person.
        OrderTypeAmount = "ORDER_TYPE_AMOUNT",
        /// The shop chose to review this type of order (`order_types`).
        OrderTypeReview = "ORDER_TYPE_REVIEW",
        /// TikTok offers no shipping service for this package (TikTok
        /// Shipping label): weight, size or address to check.
        NoEligibleShippingService = "NO_ELIGIBLE_SHIPPING_SERVICE",
        /// The packed Item Fulfillment lacks the package's weight or size,
        /// which TikTok needs to buy the label.
        PackageMeasuresMissing = "PACKAGE_MEASURES_MISSING",
        /// TikTok cannot ship to the buyer's address.
        AddressNotShippable = "ADDRESS_NOT_SHIPPABLE",
        /// The buyer cancelled, or asked to, while the label was due.
        BuyerCancellationPending = "BUYER_CANCELLATION_PENDING",
        /// The order's TikTok warehouse is not in the shop's warehouse table
        /// (`inventory.location_warehouses`): not written at a guessed location.
        UnmappedWarehouse = "UNMAPPED_WAREHOUSE",
        /// A Fulfilled-by-TikTok order at a shop with no `fbt` choice.
        FbtUnconfigured = "FBT_UNCONFIGURED",
    }
}

impl ErrorCode {
    /// Like [`ErrorCode::parse`], but case-insensitive (what an operator types).
    pub fn parse_loose(s: &str) -> Self {
        match Self::parse(&s.trim().to_ascii_uppercase()) {
            Self::Unknown(_) => Self::Unknown(s.to_string()),
            known => known,
        }
    }

    /// Human label, as merchants know it from peers' order logs.
    pub fn label(&self) -> &str {
        match self {
            Self::InsufficientData => "Insufficient Data",
            Self::InvalidSchema => "Invalid Schema",
            Self::NotFound => "Not Found",
            Self::Unauthorized => "Unauthorized",
            Self::Timeout => "Timeout",
            Self::ConnectionError => "Connection Error",
            Self::OrderCreationFailed => "Order Creation Failed",
            Self::DuplicateCustomer => "Duplicate Customer",
            Self::MissingSku => "Missing SKU",
            Self::UnlinkedProduct => "Unlinked Product",
            Self::TotalMismatch => "Total Mismatch",
            Self::RateLimited => "Rate Limited",
            Self::OrderCancellationFailed => "Order Cancellation Failed",
            Self::CancelledTooLate => "Cancelled Too Late",
            Self::RefundCreationFailed => "Refund Creation Failed",
            Self::DuplicateRefund => "Duplicate Refund",
            Self::ShopDisconnected => "Shop Disconnected",
            Self::UnknownOrderType => "Unknown Order Type",
            Self::OrderTypeAmount => "Amount Unexpected for Order Type",
            Self::OrderTypeReview => "Order Type Review",
            Self::NoEligibleShippingService => "No Eligible Shipping Service",
            Self::PackageMeasuresMissing => "Package Weight or Size Missing",
            Self::AddressNotShippable => "Address Not Shippable",
            Self::BuyerCancellationPending => "Buyer Cancellation Pending",
            Self::UnmappedWarehouse => "Unmapped Warehouse",
            Self::FbtUnconfigured => "FBT Not Configured",
            Self::Unknown(s) => s,
        }
    }

    /// Whether retrying without a human changing something can help.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::Timeout | Self::ConnectionError | Self::RateLimited | Self::NotFound
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Success,
    Warning,
    Error,
}

/// One failure as the order log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: ErrorCode,
    pub level: Level,
    pub retryable: bool,
    /// What went wrong, in words a merchant understands.
    pub reason: String,
    /// What to do about it.
    pub fix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The remote system's own code (NetSuite `o:errorCode`, TikTok `code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_code: Option<String>,
    /// The call that failed, e.g. `PUT /record/v1/salesOrder/eid:…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_call: Option<String>,
    /// The response body, trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
}

/// Longest response body kept in the log.
pub const MAX_BODY_CHARS: usize = 2000;

impl Failure {
    pub fn new(code: ErrorCode, reason: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            retryable: code.retryable(),
            level: Level::Error,
            code,
            reason: reason.into(),
            fix: fix.into(),
            http_status: None,
            system_code: None,
            system_call: None,
            response_body: None,
        }
    }

    pub fn with_response(
        mut self,
        http_status: Option<u16>,
        system_code: Option<String>,
        system_call: Option<String>,
        body: Option<String>,
    ) -> Self {
        self.http_status = http_status;
        self.system_code = system_code;
        self.system_call = system_call;
        self.response_body = body.map(|b| trim(&b));
        self
    }

    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }
}

/// Trims to `MAX_BODY_CHARS` on a character boundary.
pub fn trim(s: &str) -> String {
    if s.chars().count() <= MAX_BODY_CHARS {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX_BODY_CHARS).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_survives() {
        for c in ErrorCode::ALL {
            assert_eq!(&ErrorCode::parse(c.as_str()), c);
            assert_eq!(&ErrorCode::parse_loose(&c.as_str().to_lowercase()), c);
        }
        assert_eq!(
            ErrorCode::parse("NEW_THING"),
            ErrorCode::Unknown("NEW_THING".into())
        );
        assert!(ErrorCode::Timeout.retryable());
        assert!(!ErrorCode::MissingSku.retryable());
    }

    #[test]
    fn bodies_are_trimmed() {
        let f = Failure::new(ErrorCode::Timeout, "r", "f").with_response(
            None,
            None,
            None,
            Some("x".repeat(5000)),
        );
        assert_eq!(f.response_body.unwrap().chars().count(), MAX_BODY_CHARS + 1);
    }
}
