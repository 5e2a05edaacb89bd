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
const PATH_ORDER_SEARCH: &str = "/order/202309/orders/search";

/// What the sweep needs of an order from Get Order List: which order, its
/// status and when it last changed (the full order is fetched again by the
/// writer, as for a webhook).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderSummary {
    pub id: OrderId,
    pub status: crate::domain::OrderStatus,
    #[serde(default)]
    pub update_time: i64,
    /// One entry per unit (TikTok has no quantity, §3): what the inventory
    /// push subtracts for orders not yet in NetSuite.
    #[serde(default)]
    pub line_items: Vec<LineUnit>,
    /// The warehouse TikTok routed the order to (order-types.md §6): the
    /// inventory push takes the order's units off that warehouse only.
    #[serde(default)]
    pub warehouse_id: Option<String>,
}

/// One unit of an order line, as Get Order List returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LineUnit {
    #[serde(default)]
    pub sku_id: Option<crate::domain::SkuId>,
    #[serde(default)]
    pub seller_sku: Option<String>,
}

/// One page of Get Order List.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderPage {
    pub orders: Vec<OrderSummary>,
    /// `None` on the last page.
    pub next_page_token: Option<String>,
    pub total_count: u64,
}

#[derive(Deserialize)]
struct SearchData {
    #[serde(default)]
    orders: Vec<Value>,
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    total_count: u64,
}

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

    /// `POST /order/202309/orders/search` (Get Order List, §3): one page of
    /// the orders updated in `[from, to)`, oldest change first, so a run can
    /// commit its place page by page. An order that does not decode is an
    /// error naming it, never skipped.
    pub async fn search_orders_updated(
        &self,
        shop: &ShopAuth,
        from: i64,
        to: i64,
        page_size: u32,
        page_token: Option<&str>,
    ) -> Result<OrderPage, TikTokError> {
        self.search_orders(shop, from, to, None, page_size, page_token)
            .await
    }

    /// Get Order List for orders updated in `[from, to)`, optionally in one
    /// status, oldest change first.
    pub async fn search_orders(
        &self,
        shop: &ShopAuth,
        from: i64,
        to: i64,
        status: Option<&str>,
        page_size: u32,
        page_token: Option<&str>,
    ) -> Result<OrderPage, TikTokError> {
        let size = page_size.clamp(1, 100).to_string();
        let mut params = vec![
            ("page_size", size.as_str()),
            ("sort_field", "update_time"),
            ("sort_order", "ASC"),
        ];
        if let Some(t) = page_token.filter(|t| !t.is_empty()) {
            params.push(("page_token", t));
        }
        let data: SearchData = self
            .call_json(
                Method::POST,
                PATH_ORDER_SEARCH,
                Scope::Shop(shop),
                &params,
                &match status {
                    Some(st) => serde_json::json!({ "update_time_ge": from, "update_time_lt": to, "order_status": st }),
                    None => serde_json::json!({ "update_time_ge": from, "update_time_lt": to }),
                },
            )
            .await?;
        let orders = data
            .orders
            .into_iter()
            .map(|raw| {
                let id = raw
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("<no id>")
                    .to_string();
                serde_json::from_value::<OrderSummary>(raw).map_err(|e| TikTokError::Decode {
                    call: call_name(&Method::POST, PATH_ORDER_SEARCH),
                    http_status: 200,
                    reason: format!("order {id} has no usable id/status/update_time: {e}"),
                    body: None,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OrderPage {
            orders,
            next_page_token: data.next_page_token.filter(|t| !t.is_empty()),
            total_count: data.total_count,
        })
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
