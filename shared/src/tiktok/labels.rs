//! TikTok Shipping label calls (tiktok-shipping.md §1): Get Eligible
//! Shipping Service, Create Packages, Get Package Shipping Document, and the
//! order as the label flow reads it.
//!
//! **Create Packages is sent exactly once per call of
//! [`TikTokClient::create_package_once`]**: the client's usual retry of a
//! network error or timeout would buy a second label, since TikTok's label
//! calls take no idempotency key (§3). A lost answer is returned as an
//! error; the caller reads the order's packages before anything else.

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::{RetryPolicy, Scope, ShopAuth, TikTokClient, TikTokError};
use crate::domain::OrderId;

/// One service GESS offers.
#[derive(Debug, Clone, Deserialize)]
pub struct ShippingService {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub shipping_provider_name: String,
}

#[derive(Deserialize)]
struct ServicesData {
    #[serde(default)]
    shipping_services: Vec<ShippingService>,
}

/// What Create Packages answers (no tracking number, §1a).
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedPackage {
    pub package_id: String,
}

/// What the shipping document call answers.
#[derive(Debug, Clone, Deserialize)]
pub struct ShippingDocument {
    pub doc_url: String,
    #[serde(default)]
    pub tracking_number: String,
}

#[derive(Deserialize)]
struct OrdersData {
    #[serde(default)]
    orders: Vec<Value>,
}

impl TikTokClient {
    /// GESS for one package (`body`: line ids, weight, dimension).
    pub async fn eligible_shipping_services(
        &self,
        shop: &ShopAuth,
        order: &OrderId,
        body: &Value,
    ) -> Result<Vec<ShippingService>, TikTokError> {
        let path = format!("/fulfillment/202309/orders/{order}/shipping_services/query");
        let data: ServicesData = self
            .call_json(Method::POST, &path, Scope::Shop(shop), &[], body)
            .await?;
        Ok(data.shipping_services)
    }

    /// Create Packages, one attempt and never retried (module doc).
    pub async fn create_package_once(
        &self,
        shop: &ShopAuth,
        body: &Value,
    ) -> Result<CreatedPackage, TikTokError> {
        let once = self.clone().with_retry_policy(RetryPolicy {
            max_attempts: 1,
            ..self.retry_policy()
        });
        once.call_json(
            Method::POST,
            "/fulfillment/202309/packages",
            Scope::Shop(shop),
            &[],
            body,
        )
        .await
    }

    /// Ship Package for a TikTok Shipping package outside the US: schedules
    /// the handover (`DROP_OFF`; pickup needs a slot, not offered), one
    /// attempt, never retried: a lost answer is read from the order like a
    /// lost purchase (tiktok-shipping.md §1b; the answer's `data` is empty).
    pub async fn ship_handover_once(
        &self,
        shop: &ShopAuth,
        package: &str,
    ) -> Result<(), TikTokError> {
        let once = self.clone().with_retry_policy(RetryPolicy {
            max_attempts: 1,
            ..self.retry_policy()
        });
        let path = format!("/fulfillment/202309/packages/{package}/ship");
        let body = serde_json::json!({"handover_method": "DROP_OFF"});
        let _: Value = once
            .call_json(Method::POST, &path, Scope::Shop(shop), &[], &body)
            .await?;
        Ok(())
    }

    /// The label document (`SHIPPING_LABEL`, A6, PDF) of a package.
    pub async fn shipping_document(
        &self,
        shop: &ShopAuth,
        package: &str,
    ) -> Result<ShippingDocument, TikTokError> {
        let path = format!("/fulfillment/202309/packages/{package}/shipping_documents");
        let params = [
            ("document_type", "SHIPPING_LABEL"),
            ("document_size", "A6"),
            ("document_format", "PDF"),
        ];
        self.call(Method::GET, &path, Scope::Shop(shop), &params, None)
            .await
    }

    /// The order as TikTok shows it now, as JSON (the label flow reads its
    /// packages, lines and cancellation flag), or `None`.
    pub async fn order_json(
        &self,
        shop: &ShopAuth,
        id: &OrderId,
    ) -> Result<Option<Value>, TikTokError> {
        let data: OrdersData = self
            .call(
                Method::GET,
                "/order/202309/orders",
                Scope::Shop(shop),
                &[("ids", id.as_str())],
                None,
            )
            .await?;
        Ok(data.orders.into_iter().next())
    }
}
