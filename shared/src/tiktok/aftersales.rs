//! Cancellations and returns (TikTok Shop API notes §6): the records the writer
//! reads when a type 11/12 webhook says something changed.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::model::money;
use super::{Scope, ShopAuth, TikTokClient, TikTokError};
use crate::domain::{Money, OrderId};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RefundAmount {
    #[serde(default)]
    pub currency: String,
    #[serde(default, deserialize_with = "money")]
    pub refund_total: Money,
    #[serde(default, deserialize_with = "money")]
    pub refund_subtotal: Money,
    #[serde(default, deserialize_with = "money")]
    pub refund_shipping_fee: Money,
    #[serde(default, deserialize_with = "money")]
    pub refund_tax: Money,
}

/// One cancelled or returned unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfterSaleLine {
    #[serde(default)]
    pub order_line_item_id: String,
    #[serde(default)]
    pub sku_id: String,
    #[serde(default)]
    pub seller_sku: String,
    #[serde(default)]
    pub product_name: String,
    #[serde(default)]
    pub refund_amount: RefundAmount,
}

crate::string_enum! {
    /// Where a cancellation request stands (TikTok Shop API notes §2, §6).
    pub enum CancelStatus {
        /// Initiated; nothing changes yet.
        Pending = "CANCELLATION_REQUEST_PENDING",
        /// Accepted by the seller or the system.
        Success = "CANCELLATION_REQUEST_SUCCESS",
        /// Closed by the buyer or the system (the request-filter list spells it `_CANCEL`).
        Withdrawn = "CANCELLATION_REQUEST_CANCELLED" | "CANCELLATION_REQUEST_CANCEL",
        /// Successful, refund issued.
        Complete = "CANCELLATION_REQUEST_COMPLETE",
    }
}

impl CancelStatus {
    /// Accepted (SUCCESS) or refunded (COMPLETE): the units are gone.
    pub fn is_effective(&self) -> bool {
        matches!(self, Self::Success | Self::Complete)
    }
}

impl Default for CancelStatus {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    pub cancel_id: String,
    pub order_id: OrderId,
    #[serde(default)]
    pub cancel_status: CancelStatus,
    #[serde(default)]
    pub cancel_type: String,
    #[serde(default)]
    pub refund_amount: RefundAmount,
    #[serde(default)]
    pub cancel_line_items: Vec<AfterSaleLine>,
}

impl Cancellation {
    /// Accepted by seller/system (SUCCESS) or refunded (COMPLETE).
    pub fn is_effective(&self) -> bool {
        self.cancel_status.is_effective()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnOrder {
    pub return_id: String,
    pub order_id: OrderId,
    #[serde(default)]
    pub return_type: String,
    #[serde(default)]
    pub return_status: String,
    /// What TikTok refunded: for a seller-proposed partial refund the buyer
    /// accepted, the partial amount (never the order's value).
    #[serde(default)]
    pub refund_amount: RefundAmount,
    #[serde(default)]
    pub return_line_items: Vec<AfterSaleLine>,
    /// `PARTIAL_REFUND` when the seller proposed a partial refund (Search
    /// Returns 202309, doc 650ab69edefece02be70785b).
    #[serde(default)]
    pub seller_proposed_return_type: Option<String>,
    #[serde(default)]
    pub partial_refund: Option<PartialRefund>,
    #[serde(default)]
    pub buyer_rejected_partial_refund: bool,
}

/// A seller-proposed partial refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialRefund {
    #[serde(default)]
    pub currency: String,
    #[serde(default, deserialize_with = "money")]
    pub amount: Money,
}

impl ReturnOrder {
    /// The partial refund the buyer accepted, if this return is one.
    pub fn accepted_partial_refund(&self) -> Option<&PartialRefund> {
        (self.seller_proposed_return_type.as_deref() == Some("PARTIAL_REFUND")
            && !self.buyer_rejected_partial_refund)
            .then_some(self.partial_refund.as_ref())
            .flatten()
    }

    /// Money went back to the buyer: the moment to book the refund. A
    /// replacement the seller refunded instead
    /// (`REPLACEMENT_REQUEST_REFUND_SUCCESS`) is a refund like any other.
    pub fn is_refund_complete(&self) -> bool {
        match self.return_type.as_str() {
            "REFUND" | "RETURN_AND_REFUND" => {
                self.return_status == "RETURN_OR_REFUND_REQUEST_COMPLETE"
            }
            "REPLACEMENT" => self.return_status == "REPLACEMENT_REQUEST_REFUND_SUCCESS",
            _ => false,
        }
    }

    /// A replacement still being shipped (nothing was refunded).
    pub fn is_replacement(&self) -> bool {
        self.return_type == "REPLACEMENT" && !self.is_refund_complete()
    }
}

#[derive(Deserialize)]
struct CancellationPage {
    #[serde(default)]
    cancellations: Vec<Cancellation>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct ReturnPage {
    #[serde(default)]
    return_orders: Vec<ReturnOrder>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// Most pages followed for one order (50 records a page is far beyond any real order).
const MAX_PAGES: usize = 20;

impl TikTokClient {
    /// Every cancellation of an order (`POST /return_refund/202309/cancellations/search`).
    pub async fn cancellations_for_order(
        &self,
        shop: &ShopAuth,
        order: &OrderId,
    ) -> Result<Vec<Cancellation>, TikTokError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut params = vec![("page_size", "50")];
            if let Some(t) = token.as_deref() {
                params.push(("page_token", t));
            }
            let page: CancellationPage = self
                .call_json(
                    Method::POST,
                    "/return_refund/202309/cancellations/search",
                    Scope::Shop(shop),
                    &params,
                    &json!({ "order_ids": [order.as_str()] }),
                )
                .await?;
            out.extend(page.cancellations);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(out)
    }

    /// One return by id (`POST /return_refund/202309/returns/search`).
    pub async fn get_return(
        &self,
        shop: &ShopAuth,
        return_id: &str,
    ) -> Result<Option<ReturnOrder>, TikTokError> {
        let page: ReturnPage = self
            .call_json(
                Method::POST,
                "/return_refund/202309/returns/search",
                Scope::Shop(shop),
                &[("page_size", "10")],
                &json!({ "return_ids": [return_id] }),
            )
            .await?;
        let _ = page.next_page_token;
        Ok(page
            .return_orders
            .into_iter()
            .find(|r| r.return_id == return_id))
    }
}
