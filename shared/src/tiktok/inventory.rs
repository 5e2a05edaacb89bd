//! Inventory Search and Update Inventory (tiktok-shop-api.md §4;
//! finance-inventory-fulfilment.md §2.1, §2.3, §2.4).
//!
//! - Update Inventory (`POST /product/202309/products/{product_id}/inventory/update`,
//!   doc id 6503068fc20ad60284b38858) sets the **available** quantity of
//!   SKUs of one product, ≤ 100 SKUs a call, and each SKU must list **all**
//!   its warehouses. It is a set, not an increment, so the transport's
//!   retries of 429/5xx cannot double-count.
//! - It answers partial failures inside a `code: 0` response, in
//!   `data.errors[{code, message, detail{sku_id, extra_errors[{warehouse_id,
//!   code, message}]}}]`. [`UpdateInventoryOutcome`] turns that into one
//!   result per SKU sent, each failure classified ([`InventoryErrorClass`])
//!   as §2.4's table does: data/config (do not retry), state (retry later
//!   or report: promotion lock, appeal, auction, inactive seller),
//!   transient (retry), or `Unknown` (a code the table does not list:
//!   reported, not retried).
//! - Inventory Search (`POST /product/202309/inventory/search`, doc id
//!   650a9191c16ffe02b8eec161) reads what TikTok holds now: `sku_ids` ≤ 600
//!   or `product_ids` ≤ 100 a call; the daily reconcile uses it to find
//!   edits made in Seller Center.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{ShopCallError, ShopSessions};
use super::{Scope, ShopAuth, TikTokClient, TikTokError};
use crate::domain::{ProductId, ShopId, Sku, SkuId, WarehouseId};

pub use super::inventory_errors::*;

pub const PATH_INVENTORY_SEARCH: &str = "/product/202309/inventory/search";

/// SKUs one Update Inventory call may carry (error 12052050).
pub const MAX_UPDATE_SKUS: usize = 100;
/// Inventory Search: `sku_ids` per call.
pub const MAX_SEARCH_SKU_IDS: usize = 600;
/// Inventory Search: `product_ids` per call.
pub const MAX_SEARCH_PRODUCT_IDS: usize = 100;
/// The documented quantity range is [1, 99,999] ("Valid range"); whether 0
/// is accepted is unverified (§0.5), so the lower end is a shop setting of
/// the planner, and only the upper end is fixed here.
pub const MAX_QUANTITY: i64 = 99_999;

/// The path of Update Inventory for one product.
pub fn update_inventory_path(product: &ProductId) -> String {
    format!(
        "/product/202309/products/{}/inventory/update",
        product.as_str()
    )
}

/// One warehouse's new available quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarehouseQuantity {
    pub warehouse_id: WarehouseId,
    pub quantity: i64,
}

/// One SKU of an Update Inventory call: every warehouse of the SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuInventory {
    pub id: SkuId,
    pub inventory: Vec<WarehouseQuantity>,
}

/// One Update Inventory call: SKUs of one product (the body is `{skus}`;
/// the product id goes in the path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateInventoryRequest {
    #[serde(skip)]
    pub product_id: ProductId,
    pub skus: Vec<SkuInventory>,
}

/// A request refused before it is sent (TikTok would refuse it whole).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidUpdate {
    #[error("Update Inventory for product {0} has no SKUs")]
    Empty(ProductId),
    #[error("Update Inventory for product {product_id} has {count} SKUs; TikTok accepts at most {MAX_UPDATE_SKUS} per call")]
    TooManySkus { product_id: ProductId, count: usize },
    #[error("Update Inventory for product {product_id} lists SKU {sku_id} twice")]
    DuplicateSku {
        product_id: ProductId,
        sku_id: SkuId,
    },
    #[error("Update Inventory for product {product_id}: SKU {sku_id} has no warehouse quantities")]
    NoWarehouses {
        product_id: ProductId,
        sku_id: SkuId,
    },
}

impl UpdateInventoryRequest {
    /// The checks TikTok would fail the whole call on (12052902, 12052050)
    /// or fail the SKU on (12052553, 12019022), caught before sending.
    pub fn validate(&self) -> Result<(), InvalidUpdate> {
        let product_id = || self.product_id.clone();
        if self.skus.is_empty() {
            return Err(InvalidUpdate::Empty(product_id()));
        }
        if self.skus.len() > MAX_UPDATE_SKUS {
            return Err(InvalidUpdate::TooManySkus {
                product_id: product_id(),
                count: self.skus.len(),
            });
        }
        let mut seen: Vec<&SkuId> = Vec::with_capacity(self.skus.len());
        for s in &self.skus {
            if seen.contains(&&s.id) {
                return Err(InvalidUpdate::DuplicateSku {
                    product_id: product_id(),
                    sku_id: s.id.clone(),
                });
            }
            seen.push(&s.id);
            if s.inventory.is_empty() {
                return Err(InvalidUpdate::NoWarehouses {
                    product_id: product_id(),
                    sku_id: s.id.clone(),
                });
            }
        }
        Ok(())
    }
}

/// What happened to one SKU sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkuOutcome {
    /// No error named this SKU: its quantities are now TikTok's.
    Updated,
    /// At least one error: none of its quantities may be assumed changed.
    Failed(Vec<SkuUpdateError>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuUpdateResult {
    pub sku_id: SkuId,
    pub outcome: SkuOutcome,
}

impl SkuUpdateResult {
    /// The class that decides what to do with the SKU: the most serious of
    /// its errors (data/config, then unknown, then state, then transient),
    /// so a SKU is retried in the same run only if every error is transient.
    pub fn class(&self) -> Option<InventoryErrorClass> {
        let SkuOutcome::Failed(errors) = &self.outcome else {
            return None;
        };
        let rank = |c: &InventoryErrorClass| match c {
            InventoryErrorClass::Transient => 0,
            InventoryErrorClass::State => 1,
            InventoryErrorClass::Unknown(_) => 2,
            InventoryErrorClass::DataOrConfig => 3,
        };
        errors
            .iter()
            .map(|e| &e.class)
            .max_by_key(|c| rank(c))
            .cloned()
    }
}

/// The answer to one Update Inventory call: one result per SKU sent, in
/// the order sent, plus errors naming a SKU that was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateInventoryOutcome {
    pub product_id: ProductId,
    pub results: Vec<SkuUpdateResult>,
    /// Errors naming a SKU that was not in the call (logged, not attributed).
    pub stray: Vec<(SkuId, SkuUpdateError)>,
}

impl UpdateInventoryOutcome {
    /// Reads `data.errors[]`. An error whose `detail.sku_id` is missing or
    /// empty cannot be placed: it fails **every** SKU of the call (harsher
    /// reading: a snapshot must never record a push TikTok may have refused).
    /// A 12052990 "check failed" wrapper is replaced by its `extra_errors`.
    pub fn from_response(request: &UpdateInventoryRequest, data: &UpdateInventoryData) -> Self {
        let mut per_sku: BTreeMap<&SkuId, Vec<SkuUpdateError>> = BTreeMap::new();
        let mut everyone: Vec<SkuUpdateError> = Vec::new();
        let mut stray = Vec::new();
        for e in &data.errors {
            let errors: Vec<SkuUpdateError> = if e.detail.extra_errors.is_empty() {
                vec![SkuUpdateError::new(e.code, &e.message, None)]
            } else {
                e.detail
                    .extra_errors
                    .iter()
                    .map(|x| {
                        SkuUpdateError::new(
                            x.code,
                            &x.message,
                            x.warehouse_id.clone().filter(|w| !w.as_str().is_empty()),
                        )
                    })
                    .collect()
            };
            match e.detail.sku_id.as_ref().filter(|s| !s.as_str().is_empty()) {
                None => everyone.extend(errors),
                Some(sku) => match request.skus.iter().find(|s| &s.id == sku) {
                    Some(sent) => per_sku.entry(&sent.id).or_default().extend(errors),
                    None => stray.extend(errors.into_iter().map(|x| (sku.clone(), x))),
                },
            }
        }
        let results = request
            .skus
            .iter()
            .map(|s| {
                let mut errors = per_sku.remove(&s.id).unwrap_or_default();
                errors.extend(everyone.iter().cloned());
                SkuUpdateResult {
                    sku_id: s.id.clone(),
                    outcome: if errors.is_empty() {
                        SkuOutcome::Updated
                    } else {
                        SkuOutcome::Failed(errors)
                    },
                }
            })
            .collect();
        Self {
            product_id: request.product_id.clone(),
            results,
            stray,
        }
    }

    pub fn updated(&self) -> impl Iterator<Item = &SkuId> {
        self.results
            .iter()
            .filter(|r| r.outcome == SkuOutcome::Updated)
            .map(|r| &r.sku_id)
    }

    pub fn failed(&self) -> impl Iterator<Item = &SkuUpdateResult> {
        self.results
            .iter()
            .filter(|r| r.outcome != SkuOutcome::Updated)
    }
}

/// `data` of Update Inventory.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UpdateInventoryData {
    #[serde(default)]
    pub errors: Vec<UpdateErrorEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UpdateErrorEntry {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub detail: UpdateErrorDetail,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UpdateErrorDetail {
    #[serde(default)]
    pub sku_id: Option<SkuId>,
    #[serde(default)]
    pub extra_errors: Vec<ExtraError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExtraError {
    #[serde(default)]
    pub warehouse_id: Option<WarehouseId>,
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
}

/// What TikTok holds for one SKU in one warehouse (Inventory Search).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarehouseInventory {
    pub warehouse_id: WarehouseId,
    /// Same as Get Product's `inventory.quantity` (§2.3).
    #[serde(default)]
    pub available_quantity: i64,
    /// Reserved by orders, not available for ordering.
    #[serde(default)]
    pub committed_quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuInventoryRecord {
    pub id: SkuId,
    #[serde(default, deserialize_with = "super::products::optional_sku")]
    pub seller_sku: Option<Sku>,
    #[serde(default)]
    pub total_available_quantity: i64,
    #[serde(default)]
    pub total_committed_quantity: i64,
    #[serde(default)]
    pub warehouse_inventory: Vec<WarehouseInventory>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInventory {
    pub product_id: ProductId,
    #[serde(default)]
    pub skus: Vec<SkuInventoryRecord>,
}

#[derive(Deserialize)]
struct InventorySearchData {
    #[serde(default)]
    inventory: Vec<ProductInventory>,
}

impl TikTokClient {
    /// One Update Inventory call. `code != 0` is an `Err` (the whole call
    /// was refused, e.g. 12052050); per-SKU failures come back `Ok`, inside
    /// the outcome. The request is validated first (no call if invalid).
    pub async fn update_inventory(
        &self,
        shop: &ShopAuth,
        request: &UpdateInventoryRequest,
    ) -> Result<Result<UpdateInventoryOutcome, InvalidUpdate>, TikTokError> {
        if let Err(e) = request.validate() {
            return Ok(Err(e));
        }
        let path = update_inventory_path(&request.product_id);
        let data: Option<UpdateInventoryData> = self
            .call_json(Method::POST, &path, Scope::Shop(shop), &[], request)
            .await?;
        let data = data.unwrap_or_default();
        Ok(Ok(UpdateInventoryOutcome::from_response(request, &data)))
    }

    /// One Inventory Search call by SKU ids (≤ 600; more is the caller's bug
    /// and answered by TikTok's error).
    pub async fn inventory_search_skus(
        &self,
        shop: &ShopAuth,
        sku_ids: &[SkuId],
    ) -> Result<Vec<ProductInventory>, TikTokError> {
        let data: InventorySearchData = self
            .call_json(
                Method::POST,
                PATH_INVENTORY_SEARCH,
                Scope::Shop(shop),
                &[],
                &json!({ "sku_ids": sku_ids }),
            )
            .await?;
        Ok(data.inventory)
    }

    /// One Inventory Search call by product ids (≤ 100).
    pub async fn inventory_search_products(
        &self,
        shop: &ShopAuth,
        product_ids: &[ProductId],
    ) -> Result<Vec<ProductInventory>, TikTokError> {
        let data: InventorySearchData = self
            .call_json(
                Method::POST,
                PATH_INVENTORY_SEARCH,
                Scope::Shop(shop),
                &[],
                &json!({ "product_ids": product_ids }),
            )
            .await?;
        Ok(data.inventory)
    }
}

/// An Update Inventory call that produced no per-SKU answer.
#[derive(Debug, thiserror::Error)]
pub enum InventoryCallError {
    /// Refused before sending.
    #[error(transparent)]
    Invalid(#[from] InvalidUpdate),
    /// Token, transport or a whole-call TikTok error (see [`Self::class`]).
    #[error(transparent)]
    Call(#[from] ShopCallError),
}

impl InventoryCallError {
    /// The class of a whole-call failure, so the job treats "product does
    /// not exist" like the same error inside a 200. Token failures and
    /// transport faults still failing after the client's retries are
    /// transient when retryable, else data/config (re-authorize, fix setup).
    pub fn class(&self) -> InventoryErrorClass {
        match self {
            Self::Invalid(_) => InventoryErrorClass::DataOrConfig,
            Self::Call(ShopCallError::Token(e)) if e.is_retryable() => {
                InventoryErrorClass::Transient
            }
            Self::Call(ShopCallError::Token(_)) => InventoryErrorClass::DataOrConfig,
            Self::Call(ShopCallError::TikTok(e)) if e.is_retryable() => {
                InventoryErrorClass::Transient
            }
            Self::Call(ShopCallError::TikTok(e)) => match e.code() {
                Some(code) => InventoryErrorClass::of_code(code, e.message()),
                None => InventoryErrorClass::Unknown(e.to_string()),
            },
        }
    }
}

impl ShopSessions {
    /// One Update Inventory call through [`Self::call_with_refresh`].
    pub async fn update_inventory(
        &self,
        shop: &ShopId,
        request: &UpdateInventoryRequest,
    ) -> Result<UpdateInventoryOutcome, InventoryCallError> {
        request.validate()?;
        let client = self.client();
        let outcome = self
            .call_with_refresh(shop, |auth| async move {
                client.update_inventory(&auth, request).await
            })
            .await??;
        Ok(outcome)
    }

    /// What TikTok holds for `sku_ids`, [`MAX_SEARCH_SKU_IDS`] a call, each
    /// through [`Self::call_with_refresh`]. Unknown ids are simply absent.
    pub async fn inventory_by_skus(
        &self,
        shop: &ShopId,
        sku_ids: &[SkuId],
    ) -> Result<Vec<ProductInventory>, ShopCallError> {
        let client = self.client();
        let mut out = Vec::new();
        for chunk in sku_ids.chunks(MAX_SEARCH_SKU_IDS) {
            let page = self
                .call_with_refresh(shop, |auth| async move {
                    client.inventory_search_skus(&auth, chunk).await
                })
                .await?;
            out.extend(page);
        }
        Ok(out)
    }

    /// What TikTok holds for every SKU of `product_ids`, [`MAX_SEARCH_PRODUCT_IDS`] a call.
    pub async fn inventory_by_products(
        &self,
        shop: &ShopId,
        product_ids: &[ProductId],
    ) -> Result<Vec<ProductInventory>, ShopCallError> {
        let client = self.client();
        let mut out = Vec::new();
        for chunk in product_ids.chunks(MAX_SEARCH_PRODUCT_IDS) {
            let page = self
                .call_with_refresh(shop, |auth| async move {
                    client.inventory_search_products(&auth, chunk).await
                })
                .await?;
            out.extend(page);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(skus: &[&str]) -> UpdateInventoryRequest {
        UpdateInventoryRequest {
            product_id: ProductId::new("P"),
            skus: skus
                .iter()
                .map(|s| SkuInventory {
                    id: SkuId::new(*s),
                    inventory: vec![WarehouseQuantity {
                        warehouse_id: WarehouseId::new("W1"),
                        quantity: 5,
                    }],
                })
                .collect(),
        }
    }

    fn data(json: &str) -> UpdateInventoryData {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn body_is_the_documented_shape() {
        let body = serde_json::to_string(&request(&["1"])).unwrap();
        assert_eq!(
            body,
            r#"{"skus":[{"id":"1","inventory":[{"warehouse_id":"W1","quantity":5}]}]}"#
        );
        assert_eq!(
            update_inventory_path(&ProductId::new("9")),
            "/product/202309/products/9/inventory/update"
        );
    }

    #[test]
    fn validation_catches_what_tiktok_refuses_whole() {
        assert!(matches!(
            request(&[]).validate(),
            Err(InvalidUpdate::Empty(_))
        ));
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(matches!(
            request(&many).validate(),
            Err(InvalidUpdate::TooManySkus { count: 101, .. })
        ));
        assert!(request(&many[..100]).validate().is_ok());
        assert!(matches!(
            request(&["1", "1"]).validate(),
            Err(InvalidUpdate::DuplicateSku { .. })
        ));
    }

    #[test]
    fn classifies_errors_inside_a_200_per_sku_and_warehouse() {
        let req = request(&["A", "B", "C", "D"]);
        let out = UpdateInventoryOutcome::from_response(
            &req,
            &data(
                r#"{"errors":[
                {"code":12052990,"message":"Check failed","detail":{"sku_id":"A","extra_errors":[
                    {"warehouse_id":"W1","code":12052393,"message":"Product locked for Promotion"}]}},
                {"code":12052556,"message":"The SKU id not exist.","detail":{"sku_id":"B"}},
                {"code":36009003,"message":"Internal error","detail":{"sku_id":"C","extra_errors":[]}},
                {"code":12059999,"message":"brand new","detail":{"sku_id":"Z"}}]}"#,
            ),
        );
        let class = |i: usize| out.results[i].class();
        assert_eq!(class(0), Some(InventoryErrorClass::State));
        let SkuOutcome::Failed(a) = &out.results[0].outcome else {
            panic!("A failed")
        };
        assert_eq!(a[0].code, CODE_PROMOTION_LOCKED);
        assert_eq!(a[0].warehouse_id, Some(WarehouseId::new("W1")));
        assert!(a[0].fix().contains("promotion"));
        assert_eq!(class(1), Some(InventoryErrorClass::DataOrConfig));
        assert_eq!(class(2), Some(InventoryErrorClass::Transient));
        assert!(class(2).is_some_and(|c| c.is_retryable()));
        assert_eq!(out.results[3].outcome, SkuOutcome::Updated);
        assert_eq!(out.updated().collect::<Vec<_>>(), vec![&SkuId::new("D")]);
        assert_eq!(out.failed().count(), 3);
        assert_eq!(out.stray.len(), 1);
        assert_eq!(
            out.stray[0].1.class,
            InventoryErrorClass::Unknown("12059999: brand new".into())
        );
    }

    #[test]
    fn an_error_without_a_sku_fails_every_sku_and_no_errors_means_all_updated() {
        let req = request(&["A", "B"]);
        let out = UpdateInventoryOutcome::from_response(
            &req,
            &data(r#"{"errors":[{"code":12052990,"message":"Check failed"}]}"#),
        );
        assert_eq!(out.failed().count(), 2);
        let out = UpdateInventoryOutcome::from_response(&req, &data("{}"));
        assert_eq!(out.updated().count(), 2);
    }

    #[test]
    fn classes_follow_the_notes_table() {
        for code in [12052393, 12052308, 12052371, 12052700] {
            assert_eq!(
                InventoryErrorClass::of_code(code, ""),
                InventoryErrorClass::State
            );
        }
        for code in [
            12019028, 12052037, 12052050, 12052055, 12052097, 12052556, 12052921,
        ] {
            assert_eq!(
                InventoryErrorClass::of_code(code, ""),
                InventoryErrorClass::DataOrConfig
            );
        }
        assert_eq!(
            InventoryErrorClass::of_code(36009003, ""),
            InventoryErrorClass::Transient
        );
        assert!(matches!(
            InventoryErrorClass::of_code(1, "x"),
            InventoryErrorClass::Unknown(s) if s == "1: x"
        ));
    }

    #[test]
    fn decodes_inventory_search() {
        let d: InventorySearchData = serde_json::from_str(
            r#"{"inventory":[{"product_id":"P","skus":[{"id":"S","seller_sku":"A",
            "total_available_quantity":7,"total_committed_quantity":2,
            "warehouse_inventory":[{"warehouse_id":"W","available_quantity":7,"committed_quantity":2}]}]}]}"#,
        )
        .unwrap();
        let s = &d.inventory[0].skus[0];
        assert_eq!(s.warehouse_inventory[0].available_quantity, 7);
        assert_eq!(s.total_committed_quantity, 2);
    }
}
