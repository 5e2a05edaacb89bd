//! Update Shipping Info, `POST /fulfillment/202309/orders/{order_id}/
//! shipping_info/update` ([DOC] 650ab7c40fcef602bf346f3a), and Update
//! Package Shipping Info, `POST /fulfillment/202309/packages/{package_id}/
//! shipping_info/update` ([DOC] 650aa666c16ffe02b8f1203c): a tracking
//! correction (finance-inventory-fulfilment.md §3.4; changelog
//! 65532219ff8ea502bd3df6a2). Not shipped 21011043; DELIVERED/COMPLETED
//! 21011030; past 72 h in US, UK and SEA 21011049; a second update
//! 21011051; the order path on a split order 21011048.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::packages::order_of_package;
use super::shipments::{apply_to_order, check_seller_fulfilled, text, tracking_from, Shipment};
use super::{
    api_error, api_qps, codes, UPDATE_ORDER_SHIPPING_API, UPDATE_PACKAGE_SHIPPING_API,
    UPDATE_WINDOW_SECS, WINDOW_MARKETS,
};
use crate::tiktok::auth::{authenticate, Authed};
use crate::tiktok::products::parse_body;
use crate::tiktok::{ApiError, TikTokSim};

/// Which shipment an Update Shipping Info call names.
pub(super) enum UpdateTarget {
    Order(String),
    Package(String),
}

pub(super) fn update_shipping(
    sim: &TikTokSim,
    a: &Authed,
    api: &str,
    target: UpdateTarget,
    body: &[u8],
) -> Result<Value, ApiError> {
    api_qps(sim, a, api)?;
    let shop = a.shop.id.clone();
    let mut guard = sim.state();
    let st = &mut *guard;
    st.fulfillment.count(&shop, api);
    let orders = st.orders.entry(shop.clone()).or_default();
    let order_id = match &target {
        UpdateTarget::Order(id) => id.clone(),
        UpdateTarget::Package(p) => {
            order_of_package(orders, p).ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?
        }
    };
    let order = orders
        .get(&order_id)
        .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
    check_seller_fulfilled(order)?;
    let body = parse_body(body)?;
    let tracking = tracking_from(&body)?;
    let shipped: Vec<&Shipment> = st
        .fulfillment
        .shipments
        .get(&shop)
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|s| s.order_id == order_id)
        .collect();
    let shipment = match &target {
        UpdateTarget::Package(p) => shipped.iter().find(|s| &s.package_id == p),
        UpdateTarget::Order(_) if shipped.len() > 1 => {
            return Err(api_error(codes::SPECIFY_ORDER_LINE))
        }
        UpdateTarget::Order(_) => shipped.first(),
    }
    .ok_or_else(|| api_error(codes::NOT_SHIPPED_YET))?;
    if matches!(text(order, "status"), "DELIVERED" | "COMPLETED") {
        return Err(api_error(codes::ALREADY_DELIVERED));
    }
    if WINDOW_MARKETS.contains(&a.shop.region.as_str())
        && crate::now_secs() - shipment.shipped_at > UPDATE_WINDOW_SECS
    {
        return Err(api_error(codes::UPDATE_WINDOW_PASSED));
    }
    if shipped.iter().map(|s| s.updates).sum::<u32>() >= 1 {
        return Err(api_error(codes::UPDATED_ONCE));
    }
    let provider_name = st
        .fulfillment
        .provider_name(&shop, order, &tracking.provider_id)?;
    let package_id = shipment.package_id.clone();
    st.fulfillment
        .check_consolidation(&shop, orders, &order_id, &tracking.number)?;
    let Some(s) = st
        .fulfillment
        .shipments
        .get_mut(&shop)
        .and_then(|m| m.get_mut(&package_id))
    else {
        return Err(api_error(codes::NOT_SHIPPED_YET));
    };
    s.tracking_number = tracking.number;
    s.shipping_provider_id = tracking.provider_id;
    s.shipping_provider_name = provider_name;
    s.updates += 1;
    let s = s.clone();
    if let Some(o) = orders.get_mut(&order_id) {
        apply_to_order(o, &s);
    }
    Ok(json!({}))
}

/// `POST /fulfillment/202309/orders/{order_id}/shipping_info/update`.
pub(crate) async fn update_order_shipping_info(
    State(sim): State<TikTokSim>,
    Path(order_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/fulfillment/202309/orders/{order_id}/shipping_info/update");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        update_shipping(
            &sim,
            &a,
            UPDATE_ORDER_SHIPPING_API,
            UpdateTarget::Order(order_id),
            &body,
        )
    });
    sim.finish(UPDATE_ORDER_SHIPPING_API, result)
}

/// `POST /fulfillment/202309/packages/{package_id}/shipping_info/update`.
pub(crate) async fn update_package_shipping_info(
    State(sim): State<TikTokSim>,
    Path(package_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/fulfillment/202309/packages/{package_id}/shipping_info/update");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        update_shipping(
            &sim,
            &a,
            UPDATE_PACKAGE_SHIPPING_API,
            UpdateTarget::Package(package_id),
            &body,
        )
    });
    sim.finish(UPDATE_PACKAGE_SHIPPING_API, result)
}
