//! Seed data both simulators start from (and return to on `/_sim/reset`).
//!
//! Orders stay as raw JSON so tests can post any shape TikTok might send,
//! including fields this crate has never heard of; everything the simulators
//! themselves reason about (shops, tokens, NetSuite reference data) is typed.
//!
//! Files, by what they seed: `tiktok.rs` (app, shops, orders, returns),
//! `products.rs` (warehouses, products, stock), `delivery.rs` (delivery
//! options and shipping providers), `finance.rs` (statements, payments,
//! transactions) and `netsuite.rs` (the NetSuite account).

use serde::{Deserialize, Serialize};

mod costing;
mod delivery;
mod fbt;
mod finance;
mod netsuite;
mod products;
mod tiktok;

pub use costing::*;
pub use delivery::*;
pub use fbt::*;
pub use finance::*;
pub use netsuite::*;
pub use products::*;
pub use tiktok::*;

/// The embedded default seed, so the binary and tests need no files on disk.
const DEFAULT_SEED: &str = include_str!("../../seed.json");

/// Error raised when a seed document cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("reading seed file: {0}")]
    Io(#[from] std::io::Error),
    #[error("parsing seed JSON: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seed {
    pub tiktok: TikTokSeed,
    pub netsuite: NetSuiteSeed,
}

const US_SHOP: &str = "7494049642642441621";
const GB_SHOP: &str = "7494726673780148744";

impl Seed {
    pub fn from_json(s: &str) -> Result<Self, SeedError> {
        Ok(serde_json::from_str(s)?)
    }

    pub fn from_path(path: &std::path::Path) -> Result<Self, SeedError> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }
}

/// The embedded seed. It is compiled in and covered by a unit test, so a
/// parse failure here is a build defect; it still surfaces as an error.
pub fn try_default_seed() -> Result<Seed, SeedError> {
    Seed::from_json(DEFAULT_SEED)
}

#[cfg(test)]
mod tests {
    use super::*;

    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn dec(v: &serde_json::Value, k: &str) -> Decimal {
        let s = v[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} missing or not a string"));
        Decimal::from_str(s).unwrap_or_else(|e| panic!("{k}={s}: {e}"))
    }

    #[test]
    fn every_seller_shipped_seed_order_with_an_option_finds_its_carriers() {
        let seed = try_default_seed().unwrap().tiktok;
        let mut checked = 0;
        for o in &seed.orders {
            let Some(opt) = o.order["delivery_option_id"].as_str() else {
                continue;
            };
            let found = seed
                .delivery_options
                .iter()
                .find(|d| d.shop_id == o.shop_id && d.id == opt)
                .unwrap_or_else(|| panic!("option {opt} of shop {}", o.shop_id));
            assert!(!found.fulfilled_by_tiktok && !found.shipping_providers.is_empty());
            checked += 1;
        }
        assert!(checked >= 1);
    }

    /// One order of each type (issue 26), each classified as intended.
    #[test]
    fn seed_has_one_order_of_each_type() {
        use shared::domain::OrderType as T;
        let seed = try_default_seed().unwrap();
        let kind = |id: &str| {
            let o = &seed
                .tiktok
                .orders
                .iter()
                .find(|o| o.order["id"] == id)
                .unwrap()
                .order;
            let o: shared::tiktok::model::Order = serde_json::from_value(o.clone()).unwrap();
            shared::mapping::order_kind::classify(&o).order_type
        };
        let want = [
            ("576461413038785752", T::Sale),
            ("576461413038785760", T::Sample),
            ("576461413038785761", T::Sample),
            ("576461413038785762", T::Replacement),
            ("576461413038785763", T::Exchange),
            ("576461413038785764", T::GiftWithPurchase),
            ("576461413038785765", T::Giveaway),
            ("576461413038785766", T::PreOrder),
            ("576461413038785767", T::MadeToOrder),
            ("576461413038785768", T::Unknown("SHOP_PARTNER".into())),
        ];
        for (id, t) in want {
            assert_eq!(kind(id), t, "{id}");
        }
    }

    #[test]
    fn embedded_seed_parses() {
        let seed = try_default_seed().unwrap();
        assert_eq!(seed.tiktok.shops.len(), 2);
        assert!(seed.tiktok.orders.len() >= 6);
    }

    /// The documented payment formulas hold for every seeded order, and the
    /// line items (one per unit) add up to the payment block.
    #[test]
    fn seeded_payments_are_consistent() {
        let seed = try_default_seed().unwrap();
        for o in &seed.tiktok.orders {
            let p = &o.order["payment"];
            let id = o.order["id"].as_str().unwrap();
            let sub = dec(p, "original_total_product_price")
                - dec(p, "seller_discount")
                - dec(p, "platform_discount");
            assert_eq!(sub, dec(p, "sub_total"), "sub_total of {id}");
            let ship = dec(p, "original_shipping_fee")
                - dec(p, "shipping_fee_seller_discount")
                - dec(p, "shipping_fee_platform_discount")
                - dec(p, "shipping_fee_cofunded_discount");
            assert_eq!(ship, dec(p, "shipping_fee"), "shipping_fee of {id}");
            assert_eq!(
                dec(p, "product_tax") + dec(p, "shipping_fee_tax"),
                dec(p, "tax"),
                "tax of {id}"
            );
            let total = dec(p, "sub_total")
                + dec(p, "shipping_fee")
                + dec(p, "tax")
                + dec(p, "retail_delivery_fee");
            assert_eq!(total, dec(p, "total_amount"), "total of {id}");
            let lines = o.order["line_items"].as_array().unwrap();
            let mut orig = Decimal::ZERO;
            let mut sale = Decimal::ZERO;
            let mut seller = Decimal::ZERO;
            let mut platform = Decimal::ZERO;
            let mut tax = Decimal::ZERO;
            for l in lines {
                assert_eq!(
                    dec(l, "original_price")
                        - dec(l, "seller_discount")
                        - dec(l, "platform_discount"),
                    dec(l, "sale_price")
                );
                orig += dec(l, "original_price");
                sale += dec(l, "sale_price");
                seller += dec(l, "seller_discount");
                platform += dec(l, "platform_discount");
                for t in l["item_tax"].as_array().unwrap() {
                    tax += dec(t, "tax_amount");
                }
            }
            assert_eq!(orig, dec(p, "original_total_product_price"), "{id}");
            assert_eq!(sale, dec(p, "sub_total"), "{id}");
            assert_eq!(seller, dec(p, "seller_discount"), "{id}");
            assert_eq!(platform, dec(p, "platform_discount"), "{id}");
            assert_eq!(tax, dec(p, "product_tax"), "{id}");
        }
    }

    fn refund_sum(a: &serde_json::Value) -> Decimal {
        dec(a, "refund_subtotal") + dec(a, "refund_shipping_fee") + dec(a, "refund_tax")
    }

    /// Every seeded cancellation/return points at real line items of an
    /// order of the same shop, and its refund amounts add up.
    #[test]
    fn seeded_refunds_are_consistent() {
        let seed = try_default_seed().unwrap();
        let records = seed
            .tiktok
            .cancellations
            .iter()
            .map(|c| (&c.shop_id, &c.cancellation, "cancel_line_items"))
            .chain(
                seed.tiktok
                    .returns
                    .iter()
                    .map(|r| (&r.shop_id, &r.return_order, "return_line_items")),
            );
        let mut n = 0;
        for (shop, rec, lines_key) in records {
            n += 1;
            let order = seed
                .tiktok
                .orders
                .iter()
                .find(|o| &o.shop_id == shop && o.order["id"] == rec["order_id"])
                .unwrap_or_else(|| panic!("order of {rec}"));
            let amt = &rec["refund_amount"];
            assert_eq!(refund_sum(amt), dec(amt, "refund_total"), "{rec}");
            assert_eq!(amt["currency"], order.order["payment"]["currency"]);
            let mut line_total = Decimal::ZERO;
            for l in rec[lines_key].as_array().unwrap() {
                let ol = order.order["line_items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|ol| ol["id"] == l["order_line_item_id"])
                    .unwrap_or_else(|| panic!("line {l}"));
                assert_eq!(ol["seller_sku"], l["seller_sku"]);
                assert_eq!(ol["sku_id"], l["sku_id"]);
                let la = &l["refund_amount"];
                assert_eq!(refund_sum(la), dec(la, "refund_total"));
                line_total += dec(la, "refund_total");
            }
            assert_eq!(line_total, dec(amt, "refund_total"), "{rec}");
            if rec["seller_proposed_return_type"] == "PARTIAL_REFUND" {
                let p = &rec["partial_refund"];
                assert_eq!(p["currency"], amt["currency"], "{rec}");
                assert_eq!(dec(p, "amount"), dec(amt, "refund_total"), "{rec}");
                assert!(rec["buyer_rejected_partial_refund"].is_boolean());
            }
        }
        assert_eq!(n, 5);
    }

    /// Every seeded order line's product and SKU exist in the shop's
    /// catalogue, and every SKU's warehouses are the shop's sales warehouses.
    #[test]
    fn seeded_catalogue_matches_orders_and_warehouses() {
        let seed = try_default_seed().unwrap();
        let t = &seed.tiktok;
        for o in &t.orders {
            for l in o.order["line_items"].as_array().unwrap() {
                let p = t
                    .products
                    .iter()
                    .find(|p| p.shop_id == o.shop_id && p.id == l["product_id"])
                    .unwrap_or_else(|| panic!("product of {l}"));
                assert!(
                    p.skus
                        .iter()
                        .any(|s| s.id == l["sku_id"] && s.seller_sku == l["seller_sku"]),
                    "{l}"
                );
            }
        }
        for p in &t.products {
            for s in &p.skus {
                assert!(!s.inventory.is_empty());
                for i in &s.inventory {
                    assert!(t.warehouses.iter().any(|w| w.shop_id == p.shop_id
                        && w.id == i.warehouse_id
                        && w.kind == "SALES_WAREHOUSE"));
                }
            }
        }
        assert_eq!(
            t.warehouses
                .iter()
                .filter(|w| w.kind == "RETURN_WAREHOUSE")
                .count(),
            2
        );
    }

    #[test]
    fn seed_covers_the_awkward_cases() {
        let seed = try_default_seed().unwrap();
        let orders: Vec<&serde_json::Value> = seed.tiktok.orders.iter().map(|o| &o.order).collect();
        for status in ["AWAITING_SHIPMENT", "ON_HOLD", "UNPAID", "CANCELLED"] {
            assert!(orders.iter().any(|o| o["status"] == status), "{status}");
        }
        let lines = || {
            orders
                .iter()
                .flat_map(|o| o["line_items"].as_array().unwrap().iter())
        };
        assert!(lines().any(|l| l["seller_sku"] == ""));
        assert!(lines().any(|l| l.get("combined_listing_skus").is_some()));
        // Two units of one SKU are two line items with distinct ids.
        let first = orders[0]["line_items"].as_array().unwrap();
        assert_eq!(first[0]["sku_id"], first[1]["sku_id"]);
        assert_ne!(first[0]["id"], first[1]["id"]);
    }
}
