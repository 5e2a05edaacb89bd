//! Products and warehouses (finance-inventory-fulfilment.md §2.1, §2.2):
//! what the inventory push needs to turn a seller SKU into the
//! `product_id`/`sku_id`/warehouses Update Inventory wants.
//!
//! - Search Products 202502 (`POST /product/202502/products/search`, doc id
//!   67b837b685619104a6846369) is "the cheapest way to build the SKU map"
//!   (§2.1). `page_size` is required, 1–100; `next_page_token` is opaque and
//!   sent back exactly as received (the transport signs values decoded).
//! - Get Warehouse List (`GET /logistics/202309/warehouses`, doc id
//!   650aa418defece02be6e66b6): only `SALES_WAREHOUSE` ids may be mapped to
//!   NetSuite locations (§2.2).
//!
//! The page-level calls take a [`ShopAuth`] like every [`TikTokClient`]
//! method; the "all pages" helpers live on [`ShopSessions`] and run each
//! page through [`ShopSessions::call_with_refresh`], so a token that expires
//! mid-way is refreshed once and the paging goes on from the same page.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};

use super::auth::{ShopCallError, ShopSessions};
use super::pacing::Pacer;
use super::{Scope, ShopAuth, TikTokClient, TikTokError};
use crate::domain::{ProductId, ShopId, Sku, SkuId, WarehouseId};

pub const PATH_SEARCH_PRODUCTS: &str = "/product/202502/products/search";
pub const PATH_WAREHOUSES: &str = "/logistics/202309/warehouses";

/// Search Products' largest page (`page_size` "Valid range: [1-100]").
pub const SEARCH_PAGE_SIZE: usize = 100;

/// Seller SKUs sent in one Search Products filter. The docs give no limit
/// for `seller_skus` (they do for `sku_ids`: 10); 100, the page size, keeps
/// one filter's answer to about one page for single-SKU products.
pub const SELLER_SKUS_PER_SEARCH: usize = 100;

/// Pages followed for one filter before giving up: a guard against a
/// server that keeps returning tokens, far above any real catalogue
/// (100 products a page).
pub const MAX_SEARCH_PAGES: usize = 5_000;

crate::string_enum! {
    /// Product status (Search Products 202502). Update Inventory needs `ACTIVATE`.
    pub enum ProductStatus {
        Draft = "DRAFT",
        Pending = "PENDING",
        Failed = "FAILED",
        Activate = "ACTIVATE",
        SellerDeactivated = "SELLER_DEACTIVATED",
        PlatformDeactivated = "PLATFORM_DEACTIVATED",
        Freeze = "FREEZE",
        Deleted = "DELETED",
    }
}

impl Default for ProductStatus {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

crate::string_enum! {
    /// Warehouse type (§2.2): one address may have a sales and a return
    /// warehouse, with different ids.
    pub enum WarehouseType {
        Sales = "SALES_WAREHOUSE",
        Return = "RETURN_WAREHOUSE",
    }
}

impl Default for WarehouseType {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

crate::string_enum! {
    /// `effect_status` (§2.2): `RESTRICTED` is holiday or order-limit mode.
    pub enum WarehouseStatus {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
        Restricted = "RESTRICTED",
    }
}

impl Default for WarehouseStatus {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

/// An empty seller SKU is no seller SKU: merchants leave it blank.
pub(crate) fn optional_sku<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Sku>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    Ok(s.map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .map(Sku::new))
}

/// A SKU's available quantity in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuStock {
    pub warehouse_id: WarehouseId,
    /// "The total SKU quantity available in the warehouse" (§2.3).
    #[serde(default)]
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSku {
    pub id: SkuId,
    #[serde(default, deserialize_with = "optional_sku")]
    pub seller_sku: Option<Sku>,
    /// The SKU's warehouses: Update Inventory must list all of them.
    #[serde(default)]
    pub inventory: Vec<SkuStock>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub status: ProductStatus,
    #[serde(default)]
    pub skus: Vec<ProductSku>,
    #[serde(default)]
    pub update_time: i64,
}

/// One page of Search Products.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductPage {
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub total_count: u64,
    /// Empty or absent on the last page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// Search Products body filters this integration uses.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProductFilter {
    /// `ALL` when absent (TikTok's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ProductStatus>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seller_skus: Vec<Sku>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warehouse {
    pub id: WarehouseId,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub effect_status: WarehouseStatus,
    #[serde(rename = "type", default)]
    pub kind: WarehouseType,
    #[serde(default)]
    pub sub_type: String,
    #[serde(default)]
    pub is_default: bool,
}

impl Warehouse {
    /// Only sales warehouses may receive a NetSuite location's stock (§2.2).
    pub fn is_sales(&self) -> bool {
        self.kind == WarehouseType::Sales
    }
}

#[derive(Deserialize)]
struct WarehousesData {
    #[serde(default)]
    warehouses: Vec<Warehouse>,
}

impl TikTokClient {
    /// One page of Search Products (`page_size` 100).
    pub async fn search_products_page(
        &self,
        shop: &ShopAuth,
        filter: &ProductFilter,
        page_token: Option<&str>,
    ) -> Result<ProductPage, TikTokError> {
        let size = SEARCH_PAGE_SIZE.to_string();
        let mut params = vec![("page_size", size.as_str())];
        if let Some(t) = page_token.filter(|t| !t.is_empty()) {
            params.push(("page_token", t));
        }
        self.call_json(
            Method::POST,
            PATH_SEARCH_PRODUCTS,
            Scope::Shop(shop),
            &params,
            filter,
        )
        .await
    }

    /// `GET /logistics/202309/warehouses`: every warehouse, sales and return.
    pub async fn get_warehouses(&self, shop: &ShopAuth) -> Result<Vec<Warehouse>, TikTokError> {
        let data: WarehousesData = self
            .call(Method::GET, PATH_WAREHOUSES, Scope::Shop(shop), &[], None)
            .await?;
        Ok(data.warehouses)
    }
}

/// A product search that did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ProductSearchError {
    #[error(transparent)]
    Call(#[from] ShopCallError),
    /// TikTok kept returning page tokens past [`MAX_SEARCH_PAGES`].
    #[error(
        "Search Products for shop {shop_id} returned more than {MAX_SEARCH_PAGES} pages; stopped"
    )]
    TooManyPages { shop_id: ShopId },
}

impl ProductSearchError {
    /// Whether trying again later may succeed without a human.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Call(ShopCallError::TikTok(e)) => e.is_retryable(),
            Self::Call(ShopCallError::Token(e)) => e.is_retryable(),
            Self::TooManyPages { .. } => false,
        }
    }
}

impl ShopSessions {
    /// Every product matching `filter`, following `next_page_token` to the
    /// end; each page is one call through [`Self::call_with_refresh`].
    pub async fn search_products(
        &self,
        shop: &ShopId,
        filter: &ProductFilter,
    ) -> Result<Vec<Product>, ProductSearchError> {
        let mut out = Vec::new();
        self.search_products_paged(shop, filter, None, |page| out.extend(page))
            .await?;
        Ok(out)
    }

    /// [`Self::search_products`] handing each page to `each` as it comes
    /// (a whole catalogue is never held), each call started at `pace`'s
    /// next slot when given (a job under its `tiktok_qps`).
    pub async fn search_products_paged(
        &self,
        shop: &ShopId,
        filter: &ProductFilter,
        pace: Option<&Pacer>,
        mut each: impl FnMut(Vec<Product>) + Send,
    ) -> Result<(), ProductSearchError> {
        let client = self.client();
        let mut token: Option<String> = None;
        for _ in 0..MAX_SEARCH_PAGES {
            if let Some(p) = pace {
                p.wait().await;
            }
            let page = self
                .call_with_refresh(shop, |auth| {
                    let token = token.clone();
                    async move {
                        client
                            .search_products_page(&auth, filter, token.as_deref())
                            .await
                    }
                })
                .await?;
            each(page.products);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok(()),
            }
        }
        Err(ProductSearchError::TooManyPages {
            shop_id: shop.clone(),
        })
    }

    /// The products holding any of `seller_skus` (de-duplicated, searched
    /// [`SELLER_SKUS_PER_SEARCH`] at a time, every page). A product comes
    /// back once even when several of its SKUs were asked for.
    pub async fn search_products_by_seller_skus(
        &self,
        shop: &ShopId,
        seller_skus: &[Sku],
    ) -> Result<Vec<Product>, ProductSearchError> {
        let mut unique: Vec<Sku> = seller_skus
            .iter()
            .filter(|s| !s.as_str().trim().is_empty())
            .cloned()
            .collect();
        unique.sort();
        unique.dedup();
        let mut by_id: BTreeMap<ProductId, Product> = BTreeMap::new();
        for chunk in unique.chunks(SELLER_SKUS_PER_SEARCH) {
            let filter = ProductFilter {
                status: None,
                seller_skus: chunk.to_vec(),
            };
            for p in self.search_products(shop, &filter).await? {
                by_id.insert(p.id.clone(), p);
            }
        }
        Ok(by_id.into_values().collect())
    }

    /// The shop's warehouses, through [`Self::call_with_refresh`].
    pub async fn get_warehouses(&self, shop: &ShopId) -> Result<Vec<Warehouse>, ShopCallError> {
        let client = self.client();
        self.call_with_refresh(
            shop,
            |auth| async move { client.get_warehouses(&auth).await },
        )
        .await
    }
}

/// Where one seller SKU lives in a shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuLocation {
    pub seller_sku: Sku,
    pub product_id: ProductId,
    pub sku_id: SkuId,
    pub product_status: ProductStatus,
    /// The SKU's warehouses, as Search Products lists them.
    pub warehouses: Vec<WarehouseId>,
}

/// Why a seller SKU could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkuLookupProblem {
    #[error("seller SKU {0} is on no TikTok product of this shop; type it on the TikTok SKU in Seller Center or remove the SKU link")]
    NotFound(Sku),
    /// The same seller SKU on several TikTok SKUs: which one to push is a guess.
    #[error("seller SKU {sku} is on {} TikTok SKUs ({}); make seller SKUs unique in Seller Center", .sku_ids.len(), .sku_ids.iter().map(SkuId::as_str).collect::<Vec<_>>().join(", "))]
    Ambiguous { sku: Sku, sku_ids: Vec<SkuId> },
}

/// Places each wanted seller SKU in `products` (exact, case-sensitive
/// match: seller SKUs are the merchant's codes). A SKU found on several
/// TikTok SKUs is reported, not guessed.
pub fn locate_skus(
    products: &[Product],
    wanted: &[Sku],
) -> (BTreeMap<Sku, SkuLocation>, Vec<SkuLookupProblem>) {
    let mut found: BTreeMap<Sku, Vec<SkuLocation>> = BTreeMap::new();
    for p in products {
        for (seller_sku, loc) in locations_of(p) {
            found.entry(seller_sku.clone()).or_default().push(loc);
        }
    }
    let mut located = BTreeMap::new();
    let mut problems = Vec::new();
    let mut seen: BTreeSet<&Sku> = BTreeSet::new();
    for sku in wanted {
        if !seen.insert(sku) {
            continue;
        }
        match found.remove(sku) {
            None => problems.push(SkuLookupProblem::NotFound(sku.clone())),
            Some(v) => match one_location(sku, v) {
                Ok(loc) => {
                    located.insert(sku.clone(), loc);
                }
                Err(p) => problems.push(p),
            },
        }
    }
    (located, problems)
}

/// Where each seller SKU of a product is.
fn locations_of(p: &Product) -> impl Iterator<Item = (&Sku, SkuLocation)> {
    p.skus.iter().filter_map(move |s| {
        let seller_sku = s.seller_sku.as_ref()?;
        Some((
            seller_sku,
            SkuLocation {
                seller_sku: seller_sku.clone(),
                product_id: p.id.clone(),
                sku_id: s.id.clone(),
                product_status: p.status.clone(),
                warehouses: s.inventory.iter().map(|i| i.warehouse_id.clone()).collect(),
            },
        ))
    })
}

fn one_location(sku: &Sku, mut v: Vec<SkuLocation>) -> Result<SkuLocation, SkuLookupProblem> {
    match v.pop() {
        Some(loc) if v.is_empty() => Ok(loc),
        last => Err(SkuLookupProblem::Ambiguous {
            sku: sku.clone(),
            sku_ids: v.into_iter().chain(last).map(|l| l.sku_id).collect(),
        }),
    }
}

/// [`locate_skus`] for every seller SKU of a catalogue read page by page
/// (the daily SKU map): only the locations are kept, not the products.
#[derive(Debug, Default)]
pub struct SkuLocator {
    /// Seller SKU → (order of first sight, where it is).
    found: BTreeMap<Sku, (usize, Vec<SkuLocation>)>,
    /// TikTok SKUs with no seller SKU: counted, the first
    /// [`NAMED_WITHOUT_SELLER_SKU`] named (product, SKU).
    pub without_seller_sku: u64,
    pub named_without_seller_sku: Vec<(ProductId, SkuId)>,
}

/// SKUs without a seller SKU the locator names; the rest are counted.
pub const NAMED_WITHOUT_SELLER_SKU: usize = 200;

impl SkuLocator {
    pub fn add(&mut self, products: &[Product]) {
        for p in products {
            for s in p.skus.iter().filter(|s| s.seller_sku.is_none()) {
                self.without_seller_sku += 1;
                if self.named_without_seller_sku.len() < NAMED_WITHOUT_SELLER_SKU {
                    self.named_without_seller_sku
                        .push((p.id.clone(), s.id.clone()));
                }
            }
            for (seller_sku, loc) in locations_of(p) {
                let next = self.found.len();
                match self.found.get_mut(seller_sku) {
                    Some((_, v)) => v.push(loc),
                    None => {
                        self.found.insert(seller_sku.clone(), (next, vec![loc]));
                    }
                }
            }
        }
    }

    /// The located SKUs in seller-SKU order, and the ambiguous ones in the
    /// order they were first seen (as [`locate_skus`] gives them).
    pub fn finish(self) -> (Vec<SkuLocation>, Vec<SkuLookupProblem>) {
        let mut located = Vec::with_capacity(self.found.len());
        let mut problems = Vec::new();
        for (sku, (first, v)) in self.found {
            match one_location(&sku, v) {
                Ok(loc) => located.push(loc),
                Err(p) => problems.push((first, p)),
            }
        }
        problems.sort_by_key(|(first, _)| *first);
        (located, problems.into_iter().map(|(_, p)| p).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, skus: &[(&str, &str, &[&str])]) -> Product {
        Product {
            id: ProductId::new(id),
            title: String::new(),
            status: ProductStatus::Activate,
            update_time: 0,
            skus: skus
                .iter()
                .map(|(sid, seller, whs)| ProductSku {
                    id: SkuId::new(*sid),
                    seller_sku: (!seller.is_empty()).then(|| Sku::new(*seller)),
                    inventory: whs
                        .iter()
                        .map(|w| SkuStock {
                            warehouse_id: WarehouseId::new(*w),
                            quantity: 1,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn decodes_a_search_page_with_blank_seller_skus_and_unknown_statuses() {
        let page: ProductPage = serde_json::from_str(
            r#"{"products":[{"id":"1","status":"NEW_STATUS","skus":[
                {"id":"11","seller_sku":"","inventory":[{"warehouse_id":"w","quantity":3}]},
                {"id":"12","seller_sku":" A-1 "}]}],"total_count":1,"next_page_token":""}"#,
        )
        .unwrap();
        let p = &page.products[0];
        assert_eq!(p.status, ProductStatus::Unknown("NEW_STATUS".into()));
        assert_eq!(p.skus[0].seller_sku, None);
        assert_eq!(p.skus[0].inventory[0].quantity, 3);
        assert_eq!(p.skus[1].seller_sku, Some(Sku::new("A-1")));
        let body = serde_json::to_string(&ProductFilter {
            status: Some(ProductStatus::Activate),
            seller_skus: vec![Sku::new("A-1")],
        })
        .unwrap();
        assert_eq!(body, r#"{"status":"ACTIVATE","seller_skus":["A-1"]}"#);
        assert_eq!(
            serde_json::to_string(&ProductFilter::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn locates_skus_and_reports_missing_and_ambiguous_ones() {
        let products = vec![
            product("1", &[("11", "A", &["w1", "w2"]), ("12", "", &["w1"])]),
            product("2", &[("21", "B", &["w1"])]),
            product("3", &[("31", "B", &["w1"])]),
        ];
        let wanted = [Sku::new("A"), Sku::new("B"), Sku::new("C"), Sku::new("A")];
        let (found, problems) = locate_skus(&products, &wanted);
        assert_eq!(found.len(), 1);
        let a = &found[&Sku::new("A")];
        assert_eq!((a.product_id.as_str(), a.sku_id.as_str()), ("1", "11"));
        assert_eq!(
            a.warehouses,
            vec![WarehouseId::new("w1"), WarehouseId::new("w2")]
        );
        assert_eq!(problems.len(), 2);
        assert!(
            matches!(&problems[0], SkuLookupProblem::Ambiguous { sku_ids, .. } if sku_ids.len() == 2)
        );
        assert_eq!(problems[1], SkuLookupProblem::NotFound(Sku::new("C")));
        assert!(problems[0].to_string().contains("21, 31"));

        // Page by page, every seller SKU: the same answer.
        let mut locator = SkuLocator::default();
        locator.add(&products[..2]);
        locator.add(&products[2..]);
        let (all, ambiguous) = locator.finish();
        let everything: Vec<Sku> = products
            .iter()
            .flat_map(|p| p.skus.iter().filter_map(|s| s.seller_sku.clone()))
            .collect();
        let (expected, expected_problems) = locate_skus(&products, &everything);
        assert_eq!(all, expected.into_values().collect::<Vec<_>>());
        assert_eq!(ambiguous, expected_problems);
    }

    #[test]
    fn only_sales_warehouses_are_mappable() {
        let ws: WarehousesData = serde_json::from_str(
            r#"{"warehouses":[{"id":"1","type":"SALES_WAREHOUSE","effect_status":"ENABLED"},
                {"id":"2","type":"RETURN_WAREHOUSE"}]}"#,
        )
        .unwrap();
        assert!(ws.warehouses[0].is_sales());
        assert!(!ws.warehouses[1].is_sales());
        assert_eq!(ws.warehouses[0].effect_status, WarehouseStatus::Enabled);
    }
}
