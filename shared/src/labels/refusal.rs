//! What a TikTok error on a label call means, and what the order log says
//! (tiktok-shipping.md §3, each code with its source page: GESS, CP, SP,
//! GPSD). Codes the sources do not list are [`LabelOutcome::Refused`] with
//! TikTok's message (harsher: never retried as if harmless, never taken as
//! "already done").

use crate::taxonomy::ErrorCode;

/// Why the product did not (or not yet) get a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelRefusal {
    /// GESS returned no service, or GESS/CP 21011037 / 11021009.
    NoEligibleService,
    /// Weight or size missing on the packed Item Fulfillment (fix names it).
    MeasuresMissing { fix: String },
    /// Address codes 11021010/12/13/23–25, 21014009, 21021010 (SP, CP).
    AddressNotShippable,
    /// Order CANCEL / `is_buyer_request_cancel`, 21011041, 21011007/21008044.
    BuyerCancellation,
    /// Oversize / overweight / SKU limits 11021014–22, 11006013/14.
    PackageLimits,
    /// Outside the US: no TikTok package holds exactly the Item
    /// Fulfillment's line items (one IF per TikTok package, §4).
    NoMatchingPackage,
    /// Any other refusal, with TikTok's code.
    Other { code: i64 },
}

impl LabelRefusal {
    /// The order log's code (taxonomy).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NoEligibleService => ErrorCode::NoEligibleShippingService,
            Self::MeasuresMissing { .. } => ErrorCode::PackageMeasuresMissing,
            Self::AddressNotShippable => ErrorCode::AddressNotShippable,
            Self::BuyerCancellation => ErrorCode::BuyerCancellationPending,
            Self::NoMatchingPackage => ErrorCode::InsufficientData,
            Self::PackageLimits | Self::Other { .. } => ErrorCode::OrderCreationFailed,
        }
    }

    /// What a person does about it.
    pub fn fix(&self) -> String {
        match self {
            Self::NoEligibleService => "TikTok offers no shipping service for this package: check the weight and size on the Item Fulfillment and the buyer's address in Seller Center, then set it to Packed again.".into(),
            Self::MeasuresMissing { fix } => fix.clone(),
            Self::AddressNotShippable => "TikTok cannot ship to the buyer's address: the order may be cancelled in Seller Center without penalty (reason \"Unable to deliver to buyer address\"); do not ship this Item Fulfillment.".into(),
            Self::BuyerCancellation => "The buyer cancelled or asked to cancel: answer the request in Seller Center before packing; no label was bought.".into(),
            Self::PackageLimits => "The package is over TikTok's size, weight or item limits (or mixes Phones & Tablets with other items): repack into smaller packages, one Item Fulfillment each.".into(),
            Self::NoMatchingPackage => "No TikTok package holds exactly these items: fulfil one TikTok package per Item Fulfillment (see the order's packages in Seller Center).".into(),
            Self::Other { code } => format!("TikTok refused the label (code {code}): check the order in Seller Center; no label was bought by this call."),
        }
    }
}

/// What one TikTok answer to a label call means for the next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelOutcome {
    /// TikTok says it is already done (bought or shipped): read the order's
    /// packages and adopt what is there, never buy again.
    AlreadyDone,
    /// Try again later (internal, timeout, "try again", document still
    /// being generated).
    Retry,
    Refused(LabelRefusal),
}

/// Classifies a TikTok error code from GESS, CP, SP or GPSD.
pub fn classify(code: i64) -> LabelOutcome {
    use LabelOutcome::*;
    match code {
        // CP: "already purchased", "already print", "already shipped",
        // "still processing", "purchase successful … not allowed", "already
        // combined"; SP/BSP: "has been shipped", "already shipped",
        // "already delivered".
        21022025 | 21008042 | 21011006 | 21011020 | 21030005 | 21030006 | 21011033 | 11006021
        | 21008099 | 21011040 | 21011027 => AlreadyDone,
        36009003 | 11001027 | 21001003 | 21022026 | 21001011 | 21022029 | 11034037 | 11034023
        | 11006010 => Retry,
        21011037 | 11021009 => Refused(LabelRefusal::NoEligibleService),
        11021010 | 11021012 | 11021013 | 11021023..=11021025 | 21014009 | 21021010 => {
            Refused(LabelRefusal::AddressNotShippable)
        }
        21011041 | 21011007 | 21008044 => Refused(LabelRefusal::BuyerCancellation),
        11021014..=11021022 | 11006013 | 11006014 => Refused(LabelRefusal::PackageLimits),
        other => Refused(LabelRefusal::Other { code: other }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn already_bought_is_never_a_refusal_nor_a_retry() {
        for c in [21022025, 21008042, 21030006, 21008099] {
            assert_eq!(classify(c), LabelOutcome::AlreadyDone, "{c}");
        }
        assert_eq!(classify(11034037), LabelOutcome::Retry);
    }

    #[test]
    fn refusals_carry_their_taxonomy_code_and_fix() {
        let LabelOutcome::Refused(r) = classify(21011037) else {
            panic!()
        };
        assert_eq!(r.code(), ErrorCode::NoEligibleShippingService);
        let LabelOutcome::Refused(r) = classify(11021024) else {
            panic!()
        };
        assert_eq!(r.code(), ErrorCode::AddressNotShippable);
        assert!(r.fix().contains("without penalty"));
        let LabelOutcome::Refused(r) = classify(21011041) else {
            panic!()
        };
        assert_eq!(r.code(), ErrorCode::BuyerCancellationPending);
        // Unknown codes are refusals, never "done".
        assert_eq!(
            classify(99),
            LabelOutcome::Refused(LabelRefusal::Other { code: 99 })
        );
    }
}
