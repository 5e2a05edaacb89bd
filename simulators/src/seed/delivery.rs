//! Delivery options and the shipping providers Get Shipping Providers
//! answers for each (`GET /logistics/202309/delivery_options/{id}/
//! shipping_providers`, tiktok-shop-api.md §5;
//! finance-inventory-fulfilment.md §3.3), with the tracking prefixes the
//! simulator uses to judge a mismatched tracking number (changelog
//! 6543158d6f932c02ba1b78a8).

use serde::{Deserialize, Serialize};

use super::{GB_SHOP, US_SHOP};

/// One delivery option of a shop with the shipping providers Get Shipping
/// Providers answers for it (tiktok-shop-api.md §5;
/// finance-inventory-fulfilment.md §3.3: `GET /logistics/202309/
/// delivery_options/{delivery_option_id}/shipping_providers` →
/// `shipping_providers[{id, name}]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryOptionSeed {
    pub shop_id: String,
    pub id: String,
    pub name: String,
    /// `STANDARD`, `EXPRESS`, `ECONOMY` or `SEND_BY_SELLER` (§3.3).
    #[serde(rename = "type")]
    pub kind: String,
    /// Fulfilled by TikTok: Get Shipping Providers answers 21008117 and
    /// returns no provider (§3.3).
    #[serde(default)]
    pub fulfilled_by_tiktok: bool,
    #[serde(default)]
    pub shipping_providers: Vec<ShippingProviderSeed>,
}

/// `{id, name}`, e.g. `{"id":"7117858858072016686","name":"USPS"}` (§3.3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShippingProviderSeed {
    pub id: String,
    pub name: String,
    /// Sim only: tracking numbers of this carrier start with this prefix.
    /// Mark Package As Shipped answers a `warning` (still `code 0`) when a
    /// tracking number does not (§3.3 feedback loop; the real matching
    /// rules are TikTok's and unpublished). `None`: never warns.
    #[serde(default)]
    pub tracking_prefix: Option<String>,
}

/// The built-in delivery options. The US option's id is the one the seed's
/// US order carries (`delivery_option_id` 7091146663229654785) and its USPS
/// id is the doc example's (§3.3); the other ids are made up. The GB shop
/// gets its own option (the seed's GB orders carry none; a test that
/// ships one sets it). Each shop also has a TikTok-fulfilled option, for
/// 21008117.
pub fn default_delivery_options() -> Vec<DeliveryOptionSeed> {
    let p = |id: &str, name: &str| ShippingProviderSeed {
        id: id.into(),
        name: name.into(),
        // USPS numbers start with 9, UPS with 1Z (public carrier formats).
        tracking_prefix: match name {
            "USPS" => Some("9".into()),
            "UPS" => Some("1Z".into()),
            _ => None,
        },
    };
    let o =
        |shop: &str, id: &str, name: &str, kind: &str, fbt: bool, providers| DeliveryOptionSeed {
            shop_id: shop.into(),
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            fulfilled_by_tiktok: fbt,
            shipping_providers: providers,
        };
    vec![
        o(
            US_SHOP,
            "7091146663229654785",
            "Standard shipping",
            "STANDARD",
            false,
            vec![
                p("7117858858072016686", "USPS"),
                p("7117859084421600001", "UPS"),
                p("7117859084421600002", "FedEx"),
            ],
        ),
        o(
            US_SHOP,
            "7091146663229654790",
            "Fulfilled by TikTok",
            "STANDARD",
            true,
            vec![],
        ),
        o(
            GB_SHOP,
            "7091146663229654801",
            "Standard delivery",
            "SEND_BY_SELLER",
            false,
            vec![
                p("7117859084421600101", "Royal Mail"),
                p("7117859084421600102", "DPD"),
                p("7117859084421600103", "Evri"),
            ],
        ),
        o(
            GB_SHOP,
            "7091146663229654802",
            "Fulfilled by TikTok",
            "STANDARD",
            true,
            vec![],
        ),
    ]
}
