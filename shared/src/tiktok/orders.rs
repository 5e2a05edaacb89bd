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

/// Get Order Detail accepts at most 50 ids per call (§3).
pub const MAX_ORDER_IDS_PER_CALL: usize = 50;

#[derive(Deserialize)]
struct OrdersData {
    #[serde(default)]
    orders: Vec<Value>,
}

impl TikTokClient {
    /// `GET /order/202309/orders?ids=…`: Get Order Detail. Ids are
    /// de-duplicated and sent 50 per call (TikTok's maximum), in order. Ids
    /// TikTok does not know (or that belong to another shop) are simply
    /// absent from the result. One line item is one unit (§3).
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
            let joined = chunk.join(",");
            let data: OrdersData = self
                .call(
                    Method::GET,
                    PATH_ORDER_DETAIL,
                    Scope::Shop(shop),
                    &[("ids", joined.as_str())],
                    None,
                )
                .await?;
            for raw in data.orders {
                out.push(decode_order(raw)?);
            }
        }
        Ok(out)
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
