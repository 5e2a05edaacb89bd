//! Fulfilled-by-TikTok seed: per shop, whether it is enrolled, its FBT
//! warehouses (Get FBT Warehouse List) and the stock TikTok holds there
//! (Search FBT Inventory). Shapes: order-types.md §1, **SDK-FBT**
//! (`yxiZo/tiktok-partner-backend`, `sdk/model/fbt/V202408/*`).

use serde::{Deserialize, Serialize};

use super::{GB_SHOP, US_SHOP};

/// One shop's FBT: a shop not `enrolled` answers HTTP 404 "Invalid path"
/// on the FBT APIs (order-types.md §1, a public connector's report).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FbtShopSeed {
    pub shop_id: String,
    pub enrolled: bool,
    #[serde(default)]
    pub warehouses: Vec<FbtWarehouseSeed>,
    #[serde(default)]
    pub inventory: Vec<FbtStockSeed>,
}

/// One FBT warehouse: `fbt_warehouse_id`, `name`, `subscribed` and the
/// shop's TikTok `warehouse_ids` related to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FbtWarehouseSeed {
    pub fbt_warehouse_id: String,
    pub name: String,
    pub subscribed: bool,
    pub warehouse_ids: Vec<String>,
}

/// One TikTok SKU's stock in one FBT warehouse, under its FBT goods.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FbtStockSeed {
    pub fbt_warehouse_id: String,
    pub goods_id: String,
    pub reference_code: String,
    pub sku_id: String,
    pub available: i64,
    pub reserved: i64,
}

/// The US shop (whose local mapping chooses `fbt: sales_order` at NetSuite
/// location 5, "TikTok FBT (US)") is enrolled with one FBT warehouse
/// holding the tent (12) and the headlamp (30), the quantities the NetSuite
/// seed holds at location 5, so a run finds no difference until a test
/// makes one. The GB shop is not enrolled.
pub fn default_fbt() -> Vec<FbtShopSeed> {
    const FBT_EASTVALE: &str = "7310000000000000001";
    let stock = |goods: &str, code: &str, sku: &str, available: i64| FbtStockSeed {
        fbt_warehouse_id: FBT_EASTVALE.into(),
        goods_id: goods.into(),
        reference_code: code.into(),
        sku_id: sku.into(),
        available,
        reserved: 0,
    };
    vec![
        FbtShopSeed {
            shop_id: US_SHOP.into(),
            enrolled: true,
            warehouses: vec![FbtWarehouseSeed {
                fbt_warehouse_id: FBT_EASTVALE.into(),
                name: "TikTok_Eastvale(CA)".into(),
                subscribed: true,
                warehouse_ids: vec!["7068517275539719945".into()],
            }],
            inventory: vec![
                stock(
                    "7320000000000000001",
                    "TENT-2P-GRN",
                    "1729592969712203001",
                    12,
                ),
                stock(
                    "7320000000000000003",
                    "HEADLAMP-200",
                    "1729592969712203003",
                    30,
                ),
            ],
        },
        FbtShopSeed {
            shop_id: GB_SHOP.into(),
            enrolled: false,
            warehouses: Vec::new(),
            inventory: Vec::new(),
        },
    ]
}
