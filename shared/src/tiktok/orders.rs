//! Orders: Get Order Detail (`GET /order/202309/orders`, TikTok Shop API
//! notes §3), the one source of an order's current state.

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::error::TikTokError;
use super::model::Order;
use super::transport::{call_name, Scope, ShopAuth, TikTokClient};
use crate::domain::OrderId;

const PATH_ORDER_DETAIL: &str = "/order/202309/orders";

/// Whether TikTok refused an id as not this seller's (21008111).
pub fn is_not_the_sellers(e: &TikTokError) -> bool {
    e.code() == Some(super::error::CODE_NOT_THE_SELLERS_ORDER)
}

/// Get Order Detail accepts at most 50 ids per call (§3).
pub const MAX_ORDER_IDS_PER_CALL: usize = 50;

#[derive(Deserialize)]
struct OrdersData {
    #[serde(default)]
    orders: Vec<Value>,
}

impl TikTokClient {
    /// `GET /order/202309/orders?ids=…`: Get Order Detail. Ids are
    /// de-duplicated and sent 50 per call (TikTok's maximum), in order. An id
    /// that is not this shop's makes TikTok refuse the whole call (21008111);
    /// such ids are then left out of the result (one id alone: the error).
    /// One line item is one unit (§3).
    pub async fn get_orders(
        &self,
        shop: &ShopAuth,
        ids: &[OrderId],
    ) -> Result<Vec<Order>, TikTokError> {
        let mut unique: Vec<&str> = Vec::with_capacity(ids.len());
        for id in ids {
            let id = id.as_str().trim();
            if !id.is_empty() && !unique.contains(&id) {
                unique.push(id);
            }
        }
        let mut out = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(MAX_ORDER_IDS_PER_CALL) {
            match self.order_detail(shop, chunk).await {
                Ok(orders) => out.extend(orders),
                // One id that is not this shop's fails the whole call, and
                // TikTok does not say which: ask for each id on its own and
                // leave out the ones that are not this seller's.
                Err(e) if is_not_the_sellers(&e) && chunk.len() > 1 => {
                    for id in chunk {
                        match self.order_detail(shop, std::slice::from_ref(id)).await {
                            Ok(orders) => out.extend(orders),
                            Err(e) if is_not_the_sellers(&e) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// One Get Order Detail call.
    async fn order_detail(&self, shop: &ShopAuth, ids: &[&str]) -> Result<Vec<Order>, TikTokError> {
        let joined = ids.join(",");
        let data: OrdersData = self
            .call(
                Method::GET,
                PATH_ORDER_DETAIL,
                Scope::Shop(shop),
                &[("ids", joined.as_str())],
                None,
            )
            .await?;
        data.orders.into_iter().map(decode_order).collect()
    }

    /// One order, or `None` when TikTok does not return it for this shop.
    pub async fn get_order(
        &self,
        shop: &ShopAuth,
        id: &OrderId,
    ) -> Result<Option<Order>, TikTokError> {
        let orders = self.get_orders(shop, std::slice::from_ref(id)).await?;
        Ok(orders.into_iter().find(|o| o.id == *id))
    }
}

/// Decodes one order, naming it (not its content: buyer data) on failure.
fn decode_order(raw: Value) -> Result<Order, TikTokError> {
    let id = raw
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("<no id>")
        .to_string();
    serde_json::from_value(raw).map_err(|e| TikTokError::Decode {
        call: call_name(&Method::GET, PATH_ORDER_DETAIL),
        http_status: 200,
        reason: format!("order {id} does not match the 202309 order model: {e}"),
        body: None,
    })
}
