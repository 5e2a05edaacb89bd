//! TikTok's return enums (Search Returns 202309, doc 650ab69edefece02be70785b;
//! the overview, doc 650b2001bace3e02b76db38a; returns.md §A3–A4). Every one
//! keeps an `Unknown(String)` fallback: TikTok has documented values it does
//! not send and sends values it does not document (returns.md §A1 "doc
//! defects"), so an unknown value is kept and routed to a person, never a
//! crash and never guessed.

crate::string_enum! {
    /// Where a return stands (returns.md §A4).
    pub enum ReturnStatus {
        /// The buyer asked; the seller must answer (or TikTok auto-approves).
        RequestPending = "RETURN_OR_REFUND_REQUEST_PENDING",
        /// Approved (by the seller, the system or arbitration): the buyer ships.
        AwaitingBuyerShip = "AWAITING_BUYER_SHIP",
        /// The parcel is on its way back.
        BuyerShippedItem = "BUYER_SHIPPED_ITEM",
        /// Rejected at request; arbitration may revive it.
        RequestRejected = "REFUND_OR_RETURN_REQUEST_REJECT",
        /// The received package was rejected; arbitration may still refund.
        ReceiveRejected = "REJECT_RECEIVE_PACKAGE",
        /// Inspected and confirmed (by the seller or the system); not yet paid.
        RequestSuccess = "RETURN_OR_REFUND_REQUEST_SUCCESS",
        /// Money refunded: terminal.
        RequestComplete = "RETURN_OR_REFUND_REQUEST_COMPLETE",
        /// Cancelled (buyer withdrew, missed ship-back, seller won): terminal.
        /// The webhook's trigger list spells it `…__REQUEST_CANCELLED` (§A5).
        RequestCancel = "RETURN_OR_REFUND_REQUEST_CANCEL" | "RETURN_OR_REFUND__REQUEST_CANCELLED" | "RETURN_OR_REFUND_REQUEST_CANCELLED",
        /// The seller offered another type (e.g. a partial refund).
        AwaitingBuyerResponse = "AWAITING_BUYER_RESPONSE",
        ReplacementPending = "REPLACEMENT_REQUEST_PENDING",
        ReplacementRejected = "REPLACEMENT_REQUEST_REJECT",
        ReplacementComplete = "REPLACEMENT_REQUEST_COMPLETE",
        ReplacementRefundSuccess = "REPLACEMENT_REQUEST_REFUND_SUCCESS",
        ReplacementCancel = "REPLACEMENT_REQUEST_CANCEL",
    }
}

impl ReturnStatus {
    /// TikTok's final word: nothing is closed before one of these (a
    /// rejection can still be reversed by arbitration, §A4).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::RequestComplete
                | Self::RequestCancel
                | Self::ReplacementComplete
                | Self::ReplacementRefundSuccess
                | Self::ReplacementCancel
        )
    }

    /// How far along the return path a status is, for ordering webhooks
    /// that arrive out of order: a lower rank never overwrites a higher one
    /// unless TikTok's `update_time` is newer (see [`super::record`]).
    pub fn rank(&self) -> u8 {
        match self {
            Self::RequestPending | Self::ReplacementPending | Self::Unknown(_) => 0,
            Self::AwaitingBuyerResponse | Self::RequestRejected | Self::ReplacementRejected => 1,
            Self::AwaitingBuyerShip => 2,
            Self::BuyerShippedItem => 3,
            Self::ReceiveRejected => 4,
            Self::RequestSuccess => 5,
            Self::RequestComplete
            | Self::RequestCancel
            | Self::ReplacementComplete
            | Self::ReplacementRefundSuccess
            | Self::ReplacementCancel => 6,
        }
    }
}

impl Default for ReturnStatus {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

crate::string_enum! {
    /// What the buyer asked for (§A4; there is no `REFUND_ONLY`).
    pub enum ReturnType {
        /// Refund without return: the buyer keeps the item.
        Refund = "REFUND",
        /// The buyer ships the item back.
        ReturnAndRefund = "RETURN_AND_REFUND",
        Replacement = "REPLACEMENT",
    }
}

impl Default for ReturnType {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

crate::string_enum! {
    /// Arbitration (§A3).
    pub enum ArbitrationStatus {
        InProgress = "IN_PROGRESS",
        SupportBuyer = "SUPPORT_BUYER",
        SupportSeller = "SUPPORT_SELLER",
        Closed = "CLOSED",
    }
}

crate::string_enum! {
    /// What TikTok waits for from the seller, each with its deadline (§A3).
    pub enum SellerAction {
        RespondRefund = "SELLER_RESPOND_REFUND",
        RespondReturn = "SELLER_RESPOND_RETURN",
        RespondReceivePackage = "SELLER_RESPOND_RECEIVE_PACKAGE",
        RespondReplacement = "SELLER_RESPOND_REPLACEMENT",
    }
}

crate::string_enum! {
    /// The `decision` of Approve / Reject Return (§A1).
    pub enum Decision {
        ApproveRefund = "APPROVE_REFUND",
        ApproveReturn = "APPROVE_RETURN",
        ApproveReceivedPackage = "APPROVE_RECEIVED_PACKAGE",
        ApproveReplacement = "APPROVE_REPLACEMENT",
        IssueReplacementRefund = "ISSUE_REPLACEMENT_REFUND",
        OfferPartialRefund = "OFFER_PARTIAL_REFUND",
        RejectRefund = "REJECT_REFUND",
        RejectReturn = "REJECT_RETURN",
        RejectReceivedPackage = "REJECT_RECEIVED_PACKAGE",
        RejectReplacement = "REJECT_REPLACEMENT",
    }
}

impl Decision {
    /// Sent to `/reject` (with a reason) rather than `/approve`.
    pub fn is_reject(&self) -> bool {
        matches!(
            self,
            Self::RejectRefund
                | Self::RejectReturn
                | Self::RejectReceivedPackage
                | Self::RejectReplacement
        )
    }

    /// The seller action this decision answers.
    pub fn answers(&self) -> Option<SellerAction> {
        Some(match self {
            Self::ApproveRefund | Self::RejectRefund => SellerAction::RespondRefund,
            Self::ApproveReturn | Self::RejectReturn | Self::OfferPartialRefund => {
                SellerAction::RespondReturn
            }
            Self::ApproveReceivedPackage | Self::RejectReceivedPackage => {
                SellerAction::RespondReceivePackage
            }
            Self::ApproveReplacement | Self::RejectReplacement | Self::IssueReplacementRefund => {
                SellerAction::RespondReplacement
            }
            Self::Unknown(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edge case 21: undocumented spellings are kept, not crashes.
    #[test]
    fn edge_21_unknown_values_are_kept() {
        let s: ReturnStatus =
            serde_json::from_str("\"RETURN_OR_REFUND_REQUEST_REJECTED\"").unwrap();
        assert_eq!(
            s,
            ReturnStatus::Unknown("RETURN_OR_REFUND_REQUEST_REJECTED".into())
        );
        assert!(!s.is_final());
        assert_eq!(
            ReturnStatus::parse("RETURN_OR_REFUND__REQUEST_CANCELLED"),
            ReturnStatus::RequestCancel
        );
        assert_eq!(ReturnType::parse("REFUND_ONLY").as_str(), "REFUND_ONLY");
    }

    #[test]
    fn rejections_are_not_final() {
        assert!(!ReturnStatus::RequestRejected.is_final());
        assert!(!ReturnStatus::ReceiveRejected.is_final());
        assert!(ReturnStatus::RequestCancel.is_final());
    }
}
