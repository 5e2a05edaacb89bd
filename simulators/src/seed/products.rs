//! The TikTok catalogue and stock: warehouses (Get Warehouse List, [DOC]
//! 650aa418defece02be6e66b6; finance-inventory-fulfilment.md §2.2) and
//! products with their SKUs and per-warehouse quantities (Get Product,
//! [DOC] 6509d85b4a0bb702c057fdda; Inventory Search, [DOC]
//! 650a9191c16ffe02b8eec161; §2.1, §2.3).

use serde::{Deserialize, Serialize};

use super::{GB_SHOP, US_SHOP};

/// One warehouse of a shop, in the Get Warehouse List 202309 shape
/// (finance-inventory-fulfilment.md §2.2; [DOC] id 650aa418defece02be6e66b6).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WarehouseSeed {
    pub shop_id: String,
    /// "unique and immutable primary key".
    pub id: String,
    /// Several warehouses may share one physical entity (a sales and a
    /// return warehouse at one address have different ids, same entity).
    pub entity_id: String,
    /// "not unique".
    pub name: String,
    /// `SALES_WAREHOUSE` or `RETURN_WAREHOUSE`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `DOMESTIC_WAREHOUSE`, `CB_OVERSEA_WAREHOUSE`, `CB_DIRECT_SHIPPING_WAREHOUSE`.
    pub sub_type: String,
    /// `ENABLED`, `DISABLED` or `RESTRICTED` (holiday / order-limit mode).
    pub effect_status: String,
    #[serde(default)]
    pub is_default: bool,
}

/// One product of a shop (Search Products 202502 / Get Product shape, §2.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductSeed {
    pub shop_id: String,
    pub id: String,
    pub title: String,
    /// `ACTIVATE`, `DRAFT`, `SELLER_DEACTIVATED`, … Update Inventory needs `ACTIVATE`.
    pub status: String,
    pub skus: Vec<SkuSeed>,
}

/// One SKU with its available quantity per assigned warehouse.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkuSeed {
    pub id: String,
    /// May be empty: merchants do not always type one (the seed's order
    /// …754 sells such a SKU).
    pub seller_sku: String,
    /// The SKU's warehouses: Update Inventory must list exactly these.
    pub inventory: Vec<SkuStockSeed>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkuStockSeed {
    pub warehouse_id: String,
    pub quantity: i64,
}

/// The built-in warehouses. Ids reuse the seed orders' `warehouse_id`s
/// (US …942, GB …950). The US shop has two sales warehouses, so the
/// all-warehouses rule of Update Inventory bites, and each shop has a
/// return warehouse at its main address (same `entity_id`, other id, §2.2),
/// which a location mapping must never use.
pub fn default_warehouses() -> Vec<WarehouseSeed> {
    let w =
        |shop: &str, id: &str, entity: &str, name: &str, kind: &str, default: bool| WarehouseSeed {
            shop_id: shop.into(),
            id: id.into(),
            entity_id: entity.into(),
            name: name.into(),
            kind: kind.into(),
            sub_type: "DOMESTIC_WAREHOUSE".into(),
            effect_status: "ENABLED".into(),
            is_default: default,
        };
    vec![
        w(
            US_SHOP,
            "7068517275539719942",
            "7068517275539710001",
            "Trailhead US Main",
            "SALES_WAREHOUSE",
            true,
        ),
        w(
            US_SHOP,
            "7068517275539719943",
            "7068517275539710002",
            "Trailhead US East",
            "SALES_WAREHOUSE",
            false,
        ),
        w(
            US_SHOP,
            "7068517275539719944",
            "7068517275539710001",
            "Trailhead US Main",
            "RETURN_WAREHOUSE",
            false,
        ),
        w(
            GB_SHOP,
            "7068517275539719950",
            "7068517275539710003",
            "Trailhead UK",
            "SALES_WAREHOUSE",
            true,
        ),
        w(
            GB_SHOP,
            "7068517275539719951",
            "7068517275539710003",
            "Trailhead UK",
            "RETURN_WAREHOUSE",
            false,
        ),
    ]
}

/// The built-in products, with the ids the seed orders use. Covers: a
/// SKU in two warehouses (tent), one in a single warehouse (headlamp), a
/// two-SKU product whose first SKU has no seller SKU (sleeping bag), the
/// bundle and its components, and the GB shop's own ids for the same
/// seller SKUs (products are keyed per shop).
pub fn default_products() -> Vec<ProductSeed> {
    const US_MAIN: &str = "7068517275539719942";
    const US_EAST: &str = "7068517275539719943";
    const GB_MAIN: &str = "7068517275539719950";
    let stock = |pairs: &[(&str, i64)]| {
        pairs
            .iter()
            .map(|(w, q)| SkuStockSeed {
                warehouse_id: (*w).into(),
                quantity: *q,
            })
            .collect()
    };
    let sku = |id: &str, seller_sku: &str, inv: Vec<SkuStockSeed>| SkuSeed {
        id: id.into(),
        seller_sku: seller_sku.into(),
        inventory: inv,
    };
    let product = |shop: &str, id: &str, title: &str, skus: Vec<SkuSeed>| ProductSeed {
        shop_id: shop.into(),
        id: id.into(),
        title: title.into(),
        status: "ACTIVATE".into(),
        skus,
    };
    vec![
        product(
            US_SHOP,
            "1729582718312380001",
            "Trailhead 2-Person Tent",
            vec![sku(
                "1729592969712203001",
                "TENT-2P-GRN",
                stock(&[(US_MAIN, 40), (US_EAST, 5)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380002",
            "Summit 20F Sleeping Bag",
            vec![
                sku(
                    "1729592969712203002",
                    "",
                    stock(&[(US_MAIN, 17), (US_EAST, 0)]),
                ),
                sku(
                    "1729592969712203007",
                    "SLEEP-BAG-LONG",
                    stock(&[(US_MAIN, 4), (US_EAST, 0)]),
                ),
            ],
        ),
        product(
            US_SHOP,
            "1729582718312380003",
            "Beacon 200 Headlamp",
            vec![sku(
                "1729592969712203003",
                "HEADLAMP-200",
                stock(&[(US_MAIN, 200)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380004",
            "Mini Backpacking Stove",
            vec![sku(
                "1729592969712203004",
                "STOVE-MINI",
                stock(&[(US_MAIN, 55), (US_EAST, 0)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380005",
            "Titanium Mug 450ml",
            vec![sku(
                "1729592969712203005",
                "MUG-TI-450",
                stock(&[(US_MAIN, 3), (US_EAST, 0)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380006",
            "Camp Kitchen Kit (Stove + 2 Mugs)",
            vec![sku(
                "1729592969712203006",
                "CAMP-KIT-BUNDLE",
                stock(&[(US_MAIN, 10), (US_EAST, 0)]),
            )],
        ),
        product(
            GB_SHOP,
            "1729582718312390001",
            "Trailhead 2-Person Tent",
            vec![sku(
                "1729592969712204001",
                "TENT-2P-GRN",
                stock(&[(GB_MAIN, 12)]),
            )],
        ),
        product(
            GB_SHOP,
            "1729582718312390005",
            "Titanium Mug 450ml",
            vec![sku(
                "1729592969712204005",
                "MUG-TI-450",
                stock(&[(GB_MAIN, 88)]),
            )],
        ),
    ]
}
