//! The daily Fulfilled-by-TikTok stock check (issue 27; order-types.md §1
//! REC "Diff `fbt inventory/search` against the NetSuite FBT location").
//!
//! TikTok's FBT count is TikTok's (the push never sends it, [`super::fbt`]);
//! NetSuite's FBT location should say the same. Once a day, with the
//! inventory job's reconcile, each TikTok SKU's FBT `available_quantity`
//! (summed over the FBT warehouses, [`crate::tiktok::fbt`]) is compared
//! with NetSuite's `quantityavailable` at the shop's `fbt.location`: both
//! leave out units promised to orders not yet shipped (TikTok's reserved,
//! NetSuite's committed on the FBT Sales Orders). Every difference is a
//! run finding the drift digest lists; nothing is adjusted automatically.
//!
//! A shop whose authorization lacks `seller.fbt.info`, or that is not
//! enrolled in FBT, gets the check skipped with that reason (a finding, and
//! a doctor finding), never a failed job.

use std::collections::BTreeMap;
use std::fmt;

use super::plan::StockSource;
use super::read::{read_stock, Stock};
use crate::domain::{NetSuiteItemId, NetSuiteLocationId, ShopId, Sku, SkuId};
use crate::mapping::routing::FbtConfig;
use crate::netsuite::NetSuiteClient;
use crate::store::{JobRun, RunFailure};
use crate::tiktok::fbt::{FbtError, FbtInventory};
use crate::tiktok::products::SkuLocation;
use crate::tiktok::ShopSessions;

pub use crate::jobs::findings::{FBT_CHECKED_COUNT, FBT_CHECK_SKIPPED, FBT_DIFFERENCE};

/// One shop SKU as the check sees it.
#[derive(Debug, Clone)]
pub struct FbtSkuRef<'a> {
    pub sku_id: &'a SkuId,
    pub seller_sku: &'a Sku,
    pub item: Option<NetSuiteItemId>,
}

/// One thing TikTok's FBT stock and NetSuite's FBT location disagree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FbtDifference {
    Differs {
        seller_sku: String,
        sku_id: SkuId,
        tiktok: i64,
        netsuite: i64,
    },
    /// A row of the SKU came without its quantity.
    UnknownQuantity {
        seller_sku: String,
        sku_id: SkuId,
        netsuite: i64,
    },
    /// TikTok holds FBT stock of a SKU the shop's SKU map does not have.
    NotInSkuMap { sku_id: SkuId, tiktok: Option<i64> },
    /// The SKU matches no NetSuite item (no SKU link, no such `itemid`).
    NoItem {
        seller_sku: String,
        sku_id: SkuId,
        tiktok: Option<i64>,
    },
    /// FBT goods TikTok lists with no SKU at all.
    GoodsWithoutSku(String),
}

fn qty(q: &Option<i64>) -> String {
    q.map_or("an unknown number".into(), |q| q.to_string())
}

impl fmt::Display for FbtDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Differs { seller_sku, sku_id, tiktok, netsuite } => write!(
                f,
                "SKU {seller_sku} (TikTok SKU {sku_id}): TikTok's FBT warehouses hold {tiktok} available, NetSuite's FBT location {netsuite} (difference {}); count it and post an Inventory Adjustment at the FBT location, or ask TikTok to check its count",
                tiktok - netsuite
            ),
            Self::UnknownQuantity { seller_sku, sku_id, netsuite } => write!(
                f,
                "SKU {seller_sku} (TikTok SKU {sku_id}): TikTok listed it in FBT without a quantity, NetSuite's FBT location holds {netsuite}; check the SKU's FBT stock in Seller Center"
            ),
            Self::NotInSkuMap { sku_id, tiktok } => write!(
                f,
                "TikTok SKU {sku_id}: TikTok's FBT warehouses hold {} of it, and it is on no product the stock push knows (no seller SKU, or not in Search Products); give it a seller SKU in Seller Center",
                qty(tiktok)
            ),
            Self::NoItem { seller_sku, sku_id, tiktok } => write!(
                f,
                "SKU {seller_sku} (TikTok SKU {sku_id}): TikTok's FBT warehouses hold {}, and no NetSuite item matches the seller SKU; link it (`tiktok-netsuite skus link`) or fix the item's name",
                qty(tiktok)
            ),
            Self::GoodsWithoutSku(g) => write!(
                f,
                "FBT goods {g}: TikTok lists FBT stock for it with no TikTok SKU, so it cannot be compared; match the goods to a SKU in Seller Center"
            ),
        }
    }
}

/// Compares TikTok's FBT stock with NetSuite's at `location`. A SKU of the
/// shop TikTok does not list has 0 at TikTok (Search FBT Inventory returns
/// "all goods with non-zero inventory"), so NetSuite units for it differ.
pub fn compare(
    tiktok: &FbtInventory,
    skus: &[FbtSkuRef<'_>],
    netsuite: &dyn StockSource,
    location: &NetSuiteLocationId,
) -> Vec<FbtDifference> {
    let by_sku: BTreeMap<&SkuId, &FbtSkuRef<'_>> = skus.iter().map(|s| (s.sku_id, s)).collect();
    let at = |item: &NetSuiteItemId| netsuite.available(item, &[location]);
    let mut out = Vec::new();
    for (sku_id, stock) in &tiktok.skus {
        let Some(r) = by_sku.get(sku_id) else {
            out.push(FbtDifference::NotInSkuMap {
                sku_id: sku_id.clone(),
                tiktok: stock.available,
            });
            continue;
        };
        let seller_sku = r.seller_sku.as_str().to_string();
        let Some(item) = &r.item else {
            out.push(FbtDifference::NoItem {
                seller_sku,
                sku_id: sku_id.clone(),
                tiktok: stock.available,
            });
            continue;
        };
        let ns = at(item);
        match stock.available {
            None => out.push(FbtDifference::UnknownQuantity {
                seller_sku,
                sku_id: sku_id.clone(),
                netsuite: ns,
            }),
            Some(t) if t != ns => out.push(FbtDifference::Differs {
                seller_sku,
                sku_id: sku_id.clone(),
                tiktok: t,
                netsuite: ns,
            }),
            Some(_) => {}
        }
    }
    for r in skus.iter().filter(|r| !tiktok.skus.contains_key(r.sku_id)) {
        let Some(item) = &r.item else { continue };
        let ns = at(item);
        if ns != 0 {
            out.push(FbtDifference::Differs {
                seller_sku: r.seller_sku.as_str().to_string(),
                sku_id: r.sku_id.clone(),
                tiktok: 0,
                netsuite: ns,
            });
        }
    }
    out.extend(
        (tiktok.goods_without_sku.iter()).map(|g| FbtDifference::GoodsWithoutSku(g.clone())),
    );
    out
}

/// The check for one shop, over the inventory run's SKU map and stock.
pub struct FbtCheck<'a> {
    pub shops: &'a ShopSessions,
    pub netsuite: &'a NetSuiteClient,
    pub shop: &'a ShopId,
    pub fbt: &'a FbtConfig,
    pub sku_map: &'a [SkuLocation],
    pub links: &'a BTreeMap<String, NetSuiteItemId>,
    /// The seller locations' stock (items found by `itemid` there too).
    pub seller_stock: &'a Stock,
}

/// Runs the check into `run`: differences and a skip are findings; a
/// failed read is a run failure of the check alone (the push goes on).
pub async fn check(c: FbtCheck<'_>, run: &mut JobRun) {
    let FbtCheck {
        shops,
        netsuite,
        shop,
        fbt,
        sku_map,
        links,
        seller_stock,
    } = c;
    let Some(location) = fbt.location.as_deref().filter(|l| !l.trim().is_empty()) else {
        run.findings.push(format!(
            "{FBT_CHECK_SKIPPED}the shop's `fbt` choice names no NetSuite location (fbt.location)"
        ));
        return;
    };
    let location = NetSuiteLocationId::new(location);
    let failed = |run: &mut JobRun, reason: String| {
        run.failures.push(RunFailure {
            subject: "FBT stock check".into(),
            reason,
            fix:
                "The next daily check tries again; nothing is pushed to FBT warehouses either way."
                    .into(),
        })
    };
    let inventory = match shops.fbt_inventory(shop).await {
        Ok(i) => i,
        Err(FbtError::Unavailable(u)) => {
            run.findings.push(format!("{FBT_CHECK_SKIPPED}{u}"));
            run.count("fbt_check_skipped", 1);
            return;
        }
        Err(e) => return failed(run, format!("Search FBT Inventory: {e}")),
    };
    let fbt_stock = match read_stock(netsuite, std::slice::from_ref(&location)).await {
        Ok(s) => s,
        Err(e) => return failed(run, format!("NetSuite stock at location {location}: {e}")),
    };
    let refs: Vec<FbtSkuRef<'_>> = (sku_map.iter())
        .map(|l| {
            let sku = l.seller_sku.as_str();
            FbtSkuRef {
                sku_id: &l.sku_id,
                seller_sku: &l.seller_sku,
                item: (links.get(sku).cloned())
                    .or_else(|| fbt_stock.item_by_itemid(sku))
                    .or_else(|| seller_stock.item_by_itemid(sku)),
            }
        })
        .collect();
    let diffs = compare(&inventory, &refs, &fbt_stock, &location);
    run.count(FBT_CHECKED_COUNT, inventory.skus.len() as u64);
    run.count("fbt_differences", diffs.len() as u64);
    for d in diffs {
        run.findings.push(format!("{FBT_DIFFERENCE}{d}"));
    }
}

impl super::job::InventoryPush<'_> {
    /// The daily FBT check, for a shop whose mapping makes an `fbt` choice
    /// (run with the daily reconcile).
    pub(super) async fn fbt_check(
        &self,
        shop: &ShopId,
        st: &super::state::InventoryState,
        seller_stock: &Stock,
        run: &mut JobRun,
    ) {
        let mapping = self.mapping.for_shop(shop).ok();
        let Some(fbt) = mapping.as_ref().and_then(|m| m.fbt.as_ref()) else {
            return;
        };
        let c = FbtCheck {
            shops: self.shops,
            netsuite: self.netsuite,
            shop,
            fbt,
            sku_map: &st.sku_map,
            links: &st.links,
            seller_stock,
        };
        check(c, run).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiktok::fbt::FbtSkuStock;

    #[derive(Debug)]
    struct Ns(BTreeMap<&'static str, i64>);
    impl StockSource for Ns {
        fn available(&self, item: &NetSuiteItemId, locs: &[&NetSuiteLocationId]) -> i64 {
            assert_eq!(locs, [&NetSuiteLocationId::new("5")]);
            self.0.get(item.as_str()).copied().unwrap_or(0)
        }
    }

    #[test]
    fn each_disagreement_is_named_and_agreement_is_silent() {
        let ids: Vec<SkuId> = ["S1", "S2", "S3", "S4", "S5"].map(SkuId::new).to_vec();
        let names: Vec<Sku> = ["TENT", "LAMP", "MUG", "STOVE", "ODD"]
            .map(Sku::new)
            .to_vec();
        let item = |i: &str| Some(NetSuiteItemId::new(i));
        let refs = vec![
            FbtSkuRef {
                sku_id: &ids[0],
                seller_sku: &names[0],
                item: item("101"),
            },
            FbtSkuRef {
                sku_id: &ids[1],
                seller_sku: &names[1],
                item: item("103"),
            },
            FbtSkuRef {
                sku_id: &ids[2],
                seller_sku: &names[2],
                item: item("105"),
            },
            FbtSkuRef {
                sku_id: &ids[3],
                seller_sku: &names[3],
                item: item("104"),
            },
            FbtSkuRef {
                sku_id: &ids[4],
                seller_sku: &names[4],
                item: None,
            },
        ];
        let stock = |q: Option<i64>| FbtSkuStock {
            available: q,
            fbt_warehouses: vec!["F1".into()],
        };
        let mut tiktok = FbtInventory::default();
        tiktok.skus.insert(ids[0].clone(), stock(Some(12))); // agrees
        tiktok.skus.insert(ids[1].clone(), stock(Some(27))); // NetSuite 30
        tiktok.skus.insert(ids[2].clone(), stock(None)); // no quantity
        tiktok.skus.insert(ids[4].clone(), stock(Some(2))); // no item
        tiktok.skus.insert(SkuId::new("S9"), stock(Some(1))); // not in the map
        tiktok.goods_without_sku.push("G7 (X)".into());
        let ns = Ns([("101", 12), ("103", 30), ("105", 4), ("104", 6)].into());
        let d = compare(&tiktok, &refs, &ns, &NetSuiteLocationId::new("5"));
        assert_eq!(
            d,
            vec![
                FbtDifference::Differs {
                    seller_sku: "LAMP".into(),
                    sku_id: ids[1].clone(),
                    tiktok: 27,
                    netsuite: 30
                },
                FbtDifference::UnknownQuantity {
                    seller_sku: "MUG".into(),
                    sku_id: ids[2].clone(),
                    netsuite: 4
                },
                FbtDifference::NoItem {
                    seller_sku: "ODD".into(),
                    sku_id: ids[4].clone(),
                    tiktok: Some(2)
                },
                FbtDifference::NotInSkuMap {
                    sku_id: SkuId::new("S9"),
                    tiktok: Some(1)
                },
                // STOVE: not at TikTok (0 there), 6 in NetSuite.
                FbtDifference::Differs {
                    seller_sku: "STOVE".into(),
                    sku_id: ids[3].clone(),
                    tiktok: 0,
                    netsuite: 6
                },
                FbtDifference::GoodsWithoutSku("G7 (X)".into()),
            ]
        );
        assert!(d[0].to_string().contains("difference -3"), "{}", d[0]);
        // All agreeing: nothing.
        let mut same = FbtInventory::default();
        same.skus.insert(ids[0].clone(), stock(Some(12)));
        assert!(compare(&same, &refs[..1], &ns, &NetSuiteLocationId::new("5")).is_empty());
    }
}
