//! The inventory benchmark's catalogue, loaded into running simulators: N
//! NetSuite items with stock at locations 1, 2 and 3 (`bulk_load_stock`)
//! and N TikTok SKUs of the default seed's US shop, 100 per product, each
//! in its main and east warehouses with 0 units. Used by the `simulators`
//! binary (`--bench-inventory-skus`) so `tns-bench-inventory` can run the
//! job in a process that holds none of this data.
//!
//! Products hold 100 SKUs, TikTok's ceiling (error 12052050;
//! finance-inventory-fulfilment.md, Update Inventory row; tiktok-shop-api.md).

use crate::netsuite::BulkLoaded;
use crate::seed::{ProductSeed, SkuSeed, SkuStockSeed};
use crate::{NetSuiteSim, TikTokSim};

/// The default seed's US shop.
pub const SHOP: &str = "7494049642642441621";
/// Its main and east sales warehouses (default seed).
pub const MAIN_WAREHOUSE: &str = "7068517275539719942";
pub const EAST_WAREHOUSE: &str = "7068517275539719943";
/// A third sales warehouse the catalogue adds when asked for three
/// (`load_with`): not in the default seed.
pub const WEST_WAREHOUSE: &str = "7068517275539719945";
/// The NetSuite locations stocked.
pub const LOCATIONS: [&str; 3] = ["1", "2", "3"];

/// Loads `skus` items × [`LOCATIONS`] into NetSuite and `skus` SKUs into
/// TikTok (seller SKU `SKU-{n:07}`, the bulk items' `itemid`).
pub fn load(tiktok: &TikTokSim, netsuite: &NetSuiteSim, skus: u64) -> Result<BulkLoaded, String> {
    load_with(tiktok, netsuite, skus, 2)
}

/// [`load`] with each SKU in `warehouses` warehouses: 2 (main, east) or 3
/// (main, east and [`WEST_WAREHOUSE`], added to the shop as a sales
/// warehouse).
pub fn load_with(
    tiktok: &TikTokSim,
    netsuite: &NetSuiteSim,
    skus: u64,
    warehouses: usize,
) -> Result<BulkLoaded, String> {
    let whs: &[&str] = match warehouses {
        2 => &[MAIN_WAREHOUSE, EAST_WAREHOUSE],
        3 => &[MAIN_WAREHOUSE, EAST_WAREHOUSE, WEST_WAREHOUSE],
        n => {
            return Err(format!(
                "the bench catalogue has 2 or 3 warehouses, not {n}"
            ))
        }
    };
    if warehouses == 3 {
        tiktok
            .add_warehouse(crate::seed::WarehouseSeed {
                shop_id: SHOP.into(),
                id: WEST_WAREHOUSE.into(),
                entity_id: "7068517275539710009".into(),
                name: "Trailhead US West (bench)".into(),
                kind: "SALES_WAREHOUSE".into(),
                sub_type: "DOMESTIC_WAREHOUSE".into(),
                effect_status: "ENABLED".into(),
                is_default: false,
            })
            .map_err(|e| format!("TikTok warehouse: {e}"))?;
    }
    let loaded = netsuite.bulk_load_stock(skus, &LOCATIONS)?;
    for p in 0..skus.div_ceil(100) {
        let skus = (p * 100..((p + 1) * 100).min(skus))
            .map(|i| SkuSeed {
                id: format!("1900000{i:012}"),
                seller_sku: format!("SKU-{i:07}"),
                inventory: whs
                    .iter()
                    .map(|w| SkuStockSeed {
                        warehouse_id: (*w).into(),
                        quantity: 0,
                    })
                    .collect(),
            })
            .collect();
        tiktok
            .upsert_product(ProductSeed {
                shop_id: SHOP.into(),
                id: format!("1800000{p:012}"),
                title: format!("Bench product {p}"),
                status: "ACTIVATE".into(),
                skus,
            })
            .map_err(|e| format!("TikTok product {p}: {e}"))?;
    }
    Ok(loaded)
}
