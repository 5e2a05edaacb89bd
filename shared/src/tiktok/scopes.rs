//! Which authorization scope each TikTok API this product calls needs, so a
//! 105005 ("scope not granted", tiktok-shop-api.md §8) names the scope and
//! the doctor can check a shop's grants.
//!
//! Source of the scope names: the `granted_scopes` list of a real token
//! response recorded in a public client (`seller.order.info`,
//! `seller.product.basic`, `seller.product.write`, `seller.logistics`,
//! `seller.fulfillment.basic`, `seller.return_refund.basic`,
//! `seller.finance.info`, `seller.authorization.info`, …), matched to the
//! scope titles the API docs give per endpoint (finance-inventory-
//! fulfilment.md: "Finance Information", "Logistics Basic", "Product
//! Modify", "Product Basic"). TikTok publishes no path → scope table; where
//! it is silent (the ship calls, after-sales) the harsher reading is taken:
//! a path needs the narrowest scope its area names.

/// One scope and the product's use of it, for fix texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeededScope {
    pub name: &'static str,
    /// What the product does with it.
    pub used_for: &'static str,
}

/// Every scope the product calls, in the order the doctor reports them.
pub const NEEDED: [NeededScope; 8] = [
    NeededScope {
        name: "seller.authorization.info",
        used_for: "finding the shop's cipher (Get Authorized Shops)",
    },
    NeededScope {
        name: "seller.order.info",
        used_for: "reading orders (Get Order Detail, Search Orders)",
    },
    NeededScope {
        name: "seller.return_refund.basic",
        used_for: "reading cancellations and returns",
    },
    NeededScope {
        name: "seller.product.basic",
        used_for: "the SKU map and stock reads (Search Products, Inventory Search)",
    },
    NeededScope {
        name: "seller.product.write",
        used_for: "the stock push (Update Inventory)",
    },
    NeededScope {
        name: "seller.logistics",
        used_for: "warehouses and shipping providers",
    },
    NeededScope {
        name: "seller.fulfillment.basic",
        used_for: "the tracking push (Mark Package As Shipped, Ship Package)",
    },
    NeededScope {
        name: "seller.finance.info",
        used_for: "payouts (statements, payments, transactions)",
    },
];

/// Scopes only some shops need: the FBT APIs (a shop with an `fbt` choice;
/// a missing one is a doctor finding and a skipped FBT stock check).
pub const OPTIONAL: [NeededScope; 1] = [NeededScope {
    name: super::fbt::FBT_SCOPE,
    used_for: "Fulfilled by TikTok warehouses and the daily FBT stock check",
}];

/// The scope an API path needs (`/order/202309/orders` → `seller.order.info`);
/// `None` for paths outside the product's areas (the Event API).
pub fn scope_for_path(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    // "GET /order/…" (a call name) or a bare path.
    let path = path.rsplit(' ').next().unwrap_or(path);
    let area = path.trim_start_matches('/').split('/').next().unwrap_or("");
    Some(match area {
        "authorization" => "seller.authorization.info",
        "order" => "seller.order.info",
        "return_refund" => "seller.return_refund.basic",
        "product" if path.ends_with("/inventory/update") => "seller.product.write",
        "product" => "seller.product.basic",
        "logistics" => "seller.logistics",
        "fulfillment" => "seller.fulfillment.basic",
        "finance" => "seller.finance.info",
        "fbt" => super::fbt::FBT_SCOPE,
        _ => return None,
    })
}

/// The fix for a 105005 on `call` (a call name such as
/// `POST /fulfillment/202309/packages/1/ship`).
pub fn missing_scope_fix(call: &str) -> String {
    match scope_for_path(call) {
        Some(scope) => format!(
            "The shop's authorization lacks the scope {scope}: in TikTok Partner Center add it to the app, then have the seller re-authorize the app for this shop (Connect a shop in the console, or `tiktok-netsuite shops connect`), and resubmit."
        ),
        None => "The shop's authorization lacks a scope this call needs: add it to the app in TikTok Partner Center, then have the seller re-authorize the app for this shop.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_area_names_its_scope() {
        assert_eq!(
            scope_for_path("/order/202309/orders"),
            Some("seller.order.info")
        );
        assert_eq!(
            scope_for_path("POST /product/202309/products/17/inventory/update"),
            Some("seller.product.write")
        );
        assert_eq!(
            scope_for_path("POST /product/202502/products/search"),
            Some("seller.product.basic")
        );
        assert_eq!(
            scope_for_path("POST /fulfillment/202309/packages/1/ship"),
            Some("seller.fulfillment.basic")
        );
        assert_eq!(scope_for_path("/event/202309/webhooks"), None);
        for s in NEEDED {
            assert!(missing_scope_fix(&format!("GET /{}", s.name)).contains("re-authorize"));
        }
        assert!(missing_scope_fix("GET /finance/202309/statements").contains("seller.finance.info"));
    }
}
