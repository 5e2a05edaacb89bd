//! What kind of order a TikTok order is (issue 26; order-types.md §2–§5,
//! §8): the one name the writer decides by and the order log, the console,
//! the CSV export and the finance report show.

crate::string_enum! {
    /// The kind of a TikTok order, decided once before mapping
    /// (`mapping::order_kind::classify`). A TikTok `order_type` or flag
    /// combination this version does not know is kept as `Unknown` with
    /// TikTok's own name (e.g. `SHOP_PARTNER`, `SAMPLE+REPLACEMENT`), and is
    /// never written as an ordinary sale.
    pub enum OrderType {
        /// An ordinary sale (`order_type` `NORMAL` or empty, no flag).
        Sale = "sale",
        /// An ordinary sale with at least one gift line (`is_gift`).
        GiftWithPurchase = "gift_with_purchase",
        /// A creator or affiliate sample (`is_sample_order`).
        Sample = "sample",
        /// A replacement (`is_replacement_order` + `replaced_order_id`).
        Replacement = "replacement",
        /// An exchange, US/UK (`is_exchange_order` + `exchange_source_order_id`).
        Exchange = "exchange",
        /// A LIVE giveaway (`order_type` `ZERO_LOTTERY`).
        Giveaway = "giveaway",
        /// A pre-order (`order_type` `PRE_ORDER`, `release_date`).
        PreOrder = "pre_order",
        /// Made to order (`order_type` `MADE_TO_ORDER`, `handling_duration`).
        MadeToOrder = "made_to_order",
        /// Back-order (`order_type` `BACK_ORDER`, `handling_duration`).
        BackOrder = "back_order",
    }
}

impl OrderType {
    /// Human label, as the console and the reports show it.
    pub fn label(&self) -> &str {
        match self {
            Self::Sale => "Sale",
            Self::GiftWithPurchase => "Sale with gift",
            Self::Sample => "Sample",
            Self::Replacement => "Replacement",
            Self::Exchange => "Exchange",
            Self::Giveaway => "LIVE giveaway",
            Self::PreOrder => "Pre-order",
            Self::MadeToOrder => "Made to order",
            Self::BackOrder => "Back-order",
            Self::Unknown(s) => s,
        }
    }

    /// Types that carry no revenue: written at $0 (samples, giveaways,
    /// replacements, exchanges), never reported as unsettled sales.
    pub fn is_free(&self) -> bool {
        matches!(
            self,
            Self::Sample | Self::Giveaway | Self::Replacement | Self::Exchange
        )
    }

    /// Reads what an operator types (any case, `-` or `_`).
    pub fn parse_loose(s: &str) -> Self {
        Self::parse(&s.trim().to_ascii_lowercase().replace('-', "_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_tiktoks_unknown_names() {
        for t in OrderType::ALL {
            assert_eq!(&OrderType::parse(t.as_str()), t);
            assert_eq!(&OrderType::parse_loose(&t.as_str().to_uppercase()), t);
        }
        assert_eq!(OrderType::parse_loose("Pre-Order"), OrderType::PreOrder);
        let u = OrderType::parse("SHOP_PARTNER");
        assert_eq!((u.as_str(), u.label()), ("SHOP_PARTNER", "SHOP_PARTNER"));
        assert!(OrderType::Sample.is_free() && !OrderType::PreOrder.is_free());
    }
}
