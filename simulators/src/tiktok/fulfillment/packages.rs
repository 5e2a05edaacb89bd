//! Packages: Mark Package As Shipped, `POST /fulfillment/202309/orders/
//! {order_id}/packages` ([DOC] 6503c95456e2bb0289ee4e81, the US/EMEA/JP
//! flow), and Ship Package, `POST /fulfillment/202309/packages/{package_id}
//! /ship` ([DOC] 650aa4f1defece02be6e7cb1, the SEA/LATAM flow), as set out
//! in finance-inventory-fulfilment.md §3.1–§3.4 and tiktok-shipping.md. The
//! rules and their sources are listed in the `fulfillment` module doc
//! ("Market", "Order", "Body", "Line items", "Already shipped", "Package id").

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

use super::shipments::{
    apply_to_order, check_seller_fulfilled, is_cancelled, is_shipped, line_items, text,
    tracking_from, Shipment,
};
use super::{api_error, api_qps, codes, MARK_SHIPPED_API, MARK_SHIPPED_MARKETS, SHIP_PACKAGE_API};
use crate::tiktok::auth::authenticate;
use crate::tiktok::products::{bad_param, parse_body};
use crate::tiktok::TikTokSim;

/// `POST /fulfillment/202309/orders/{order_id}/packages` (Mark Package As Shipped).
pub(crate) async fn mark_package_as_shipped(
    State(sim): State<TikTokSim>,
    Path(order_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/fulfillment/202309/orders/{order_id}/packages");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        api_qps(&sim, &a, MARK_SHIPPED_API)?;
        let shop = a.shop.id.clone();
        let mut guard = sim.state();
        let st = &mut *guard;
        st.fulfillment.count(&shop, MARK_SHIPPED_API);
        super::failures::take(&mut st.fulfillment)?;
        if !MARK_SHIPPED_MARKETS.contains(&a.shop.region.as_str()) {
            return Err(bad_param(format!(
                "Mark Package As Shipped is not available in market {}; use Ship Package",
                a.shop.region
            )));
        }
        let orders = st.orders.entry(shop.clone()).or_default();
        let order = orders
            .get(&order_id)
            .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
        check_seller_fulfilled(order)?;
        let body = parse_body(&body)?;
        let tracking = tracking_from(&body)?;
        let provider_name = st
            .fulfillment
            .provider_name(&shop, order, &tracking.provider_id)?;
        let lines = line_items(order);
        let live: Vec<&Value> = lines.iter().copied().filter(|l| !is_cancelled(l)).collect();
        let ids: Vec<String> = match body.get("order_line_item_ids") {
            None | Some(Value::Null) => {
                if live.iter().all(|l| is_shipped(l)) {
                    return Err(api_error(codes::ORDERS_ALREADY_SHIPPED));
                }
                if live.iter().any(|l| is_shipped(l)) {
                    return Err(api_error(codes::SPECIFY_ORDER_LINE));
                }
                live.iter().map(|l| text(l, "id").to_string()).collect()
            }
            Some(Value::Array(list)) if !list.is_empty() => {
                let mut ids = Vec::with_capacity(list.len());
                for v in list {
                    let id = v
                        .as_str()
                        .ok_or_else(|| bad_param("order_line_item_ids must be strings"))?;
                    if ids.iter().any(|x| x == id) {
                        return Err(bad_param(format!("order_line_item_ids lists {id} twice")));
                    }
                    let line = lines.iter().find(|l| text(l, "id") == id).ok_or_else(|| {
                        bad_param(format!("order line item {id} is not in order {order_id}"))
                    })?;
                    if is_cancelled(line) {
                        return Err(api_error(codes::AFTER_SALE));
                    }
                    if is_shipped(line) {
                        return Err(api_error(codes::ORDERS_ALREADY_SHIPPED));
                    }
                    ids.push(id.to_string());
                }
                ids
            }
            Some(_) => return Err(bad_param("order_line_item_ids must be a non-empty list")),
        };
        // Exactly one existing package's units keep its id (module doc).
        let existing: BTreeSet<&str> = lines
            .iter()
            .filter(|l| ids.iter().any(|i| i == text(l, "id")))
            .map(|l| text(l, "package_id"))
            .collect();
        let reuse = match existing.iter().next() {
            Some(p) if existing.len() == 1 && !p.is_empty() => {
                let all: Vec<&str> = lines
                    .iter()
                    .filter(|l| text(l, "package_id") == *p && !is_cancelled(l))
                    .map(|l| text(l, "id"))
                    .collect();
                (all.len() == ids.len()).then(|| p.to_string())
            }
            _ => None,
        };
        st.fulfillment
            .check_consolidation(&shop, orders, &order_id, &tracking.number)?;
        let warning = st
            .fulfillment
            .tracking_warning(&shop, &orders[&order_id], &tracking);
        let package_id = match reuse {
            Some(p) => p,
            None => st.fulfillment.new_package_id(),
        };
        let shipment = Shipment {
            package_id: package_id.clone(),
            order_id: order_id.clone(),
            line_item_ids: ids.clone(),
            tracking_number: tracking.number,
            shipping_provider_id: tracking.provider_id,
            shipping_provider_name: provider_name,
            shipped_at: crate::now_secs(),
            via: "mark_shipped".into(),
            updates: 0,
        };
        if let Some(o) = orders.get_mut(&order_id) {
            apply_to_order(o, &shipment);
        }
        st.fulfillment
            .shipments
            .entry(shop)
            .or_default()
            .insert(package_id.clone(), shipment);
        let mut data =
            json!({"order_id": order_id, "order_line_item_ids": ids, "package_id": package_id});
        if let Some(message) = warning {
            data["warning"] = json!({ "message": message });
        }
        Ok(data)
    });
    sim.finish(MARK_SHIPPED_API, result)
}

/// The order (id) holding `package_id` among a shop's orders: a line item
/// or the order's `packages[]` names it.
pub(super) fn order_of_package(
    orders: &BTreeMap<String, Value>,
    package_id: &str,
) -> Option<String> {
    orders
        .iter()
        .find(|(_, o)| {
            line_items(o)
                .iter()
                .any(|l| text(l, "package_id") == package_id)
                || o.get("packages")
                    .and_then(Value::as_array)
                    .is_some_and(|p| p.iter().any(|p| text(p, "id") == package_id))
        })
        .map(|(id, _)| id.clone())
}

/// `POST /fulfillment/202309/packages/{package_id}/ship` (Ship Package).
pub(crate) async fn ship_package(
    State(sim): State<TikTokSim>,
    Path(package_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/fulfillment/202309/packages/{package_id}/ship");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        api_qps(&sim, &a, SHIP_PACKAGE_API)?;
        let shop = a.shop.id.clone();
        let mut guard = sim.state();
        let st = &mut *guard;
        st.fulfillment.count(&shop, SHIP_PACKAGE_API);
        super::failures::take(&mut st.fulfillment)?;
        let orders = st.orders.entry(shop.clone()).or_default();
        let order_id = order_of_package(orders, &package_id)
            .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
        let order = orders
            .get(&order_id)
            .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
        if text(order, "shipping_type") == "TIKTOK"
            && text(order, "fulfillment_type") == "FULFILLMENT_BY_SELLER"
        {
            // TikTok Shipping: the handover, with TikTok's carrier (handover.rs);
            // the US buys its label with Create Packages instead.
            if a.shop.region == "US" {
                return Err(bad_param(
                    "market US buys TikTok Shipping labels with Create Packages",
                ));
            }
            if line_items(order)
                .iter()
                .any(|l| text(l, "package_id") == package_id && is_shipped(l))
            {
                return Err(api_error(codes::PACKAGE_SHIPPED));
            }
            let body = parse_body(&body)?;
            let region = a.shop.region.clone();
            let order = orders
                .get_mut(&order_id)
                .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
            return super::handover::tiktok_handover(order, &package_id, &body, &region);
        }
        if MARK_SHIPPED_MARKETS.contains(&a.shop.region.as_str()) {
            return Err(bad_param(format!(
                "market {} ships with Mark Package As Shipped",
                a.shop.region
            )));
        }
        check_seller_fulfilled(order)?;
        let units: Vec<&Value> = line_items(order)
            .into_iter()
            .filter(|l| text(l, "package_id") == package_id && !is_cancelled(l))
            .collect();
        if units.iter().any(|l| is_shipped(l)) {
            return Err(api_error(codes::PACKAGE_SHIPPED));
        }
        if units.is_empty() {
            return Err(api_error(codes::AFTER_SALE));
        }
        let body = parse_body(&body)?;
        let Some(Value::Object(self_shipment)) = body.get("self_shipment") else {
            return Err(bad_param(
                "self_shipment is required for SEND_BY_SELLER packages",
            ));
        };
        let tracking = tracking_from(self_shipment)?;
        let provider_name = st
            .fulfillment
            .provider_name(&shop, order, &tracking.provider_id)?;
        let ids: Vec<String> = units.iter().map(|l| text(l, "id").to_string()).collect();
        st.fulfillment
            .check_consolidation(&shop, orders, &order_id, &tracking.number)?;
        let shipment = Shipment {
            package_id: package_id.clone(),
            order_id: order_id.clone(),
            line_item_ids: ids,
            tracking_number: tracking.number,
            shipping_provider_id: tracking.provider_id,
            shipping_provider_name: provider_name,
            shipped_at: crate::now_secs(),
            via: "ship_package".into(),
            updates: 0,
        };
        if let Some(o) = orders.get_mut(&order_id) {
            apply_to_order(o, &shipment);
        }
        st.fulfillment
            .shipments
            .entry(shop)
            .or_default()
            .insert(package_id, shipment);
        Ok(json!({}))
    });
    sim.finish(SHIP_PACKAGE_API, result)
}
