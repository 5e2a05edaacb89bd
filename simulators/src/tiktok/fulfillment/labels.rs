//! TikTok Shipping labels (`shipping_type` TIKTOK), as tiktok-shipping.md
//! sets them out with their sources:
//! - **Get Eligible Shipping Service** (GESS, `POST /fulfillment/202309/
//!   orders/{order_id}/shipping_services/query`, §1a: "for the US").
//! - **Create Packages** (CP, `POST /fulfillment/202309/packages`, §1a):
//!   buys the label; the answer has a `package_id` and **no tracking
//!   number**.
//! - **Get Package Shipping Document** (GPSD, `GET /fulfillment/202309/
//!   packages/{package_id}/shipping_documents`, §1a): `doc_url` and
//!   `tracking_number`; the URL serves a small PDF (`/_sim/documents/…`).
//!
//! Rules; "sim" marks the harsher reading where the sources are silent:
//! - Only a TIKTOK order of this shop (not this shop's: 21008111; a SELLER
//!   order: sim 21008025, the FBT/platform code, so a client never buys a
//!   label for an order it ships itself); CANCEL 21011041; a pending buyer
//!   cancellation (`is_buyer_request_cancel`) 21011007 (sim: §3 "after-sale
//!   request pending"). GESS and CP only in the US: 21008106 "interface
//!   cannot be used in this region" (§3, "Market").
//! - GESS/CP **weight and dimension**: optional in the doc, sim: both
//!   required (36009004); a weight over 70 kg / 150 lb answers no service
//!   (GESS: empty list; CP: 21011037, §3 "Not possible to buy"); a
//!   recipient without a postal code 11021010 (§3 "Address").
//! - CP **line items**: every listed id must be the order's; none may
//!   already be in a package: all of them in one → 21022025 "A shipping
//!   label has already been purchased", some → 21011020 (§3 table);
//!   omitted → every unpackaged live line, 21011048 once some are packaged.
//! - CP **writes the purchase into the order** (as Get Order Detail shows
//!   it, §2): the lines' `package_id`, `package_status` PROCESSING,
//!   `tracking_number`, `shipping_provider_id/_name`; the order's
//!   `packages`; `status` AWAITING_COLLECTION once every live line is
//!   packaged.
//! - **Dropped connection** (sim fault, [`TikTokSim::drop_next_label_purchases`]):
//!   the purchase is committed, then the connection is cut before the
//!   answer arrives, so a client must read the order before any retry.
//! - GPSD: `document_type` required (§1a); an unknown package 21008111
//!   (sim); a package with no label yet 21023035 "arrange shipment before
//!   retrieving" (§3).

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::shipments::{is_cancelled, line_items, text};
use super::{api_error, api_qps, codes};
use crate::tiktok::auth::authenticate;
use crate::tiktok::products::{bad_param, parse_body};
use crate::tiktok::{ApiError, TikTokSim};

pub const ELIGIBLE_SERVICES_API: &str =
    "/fulfillment/202309/orders/{order_id}/shipping_services/query";
pub const CREATE_PACKAGES_API: &str = "/fulfillment/202309/packages";
pub const SHIPPING_DOCUMENT_API: &str =
    "/fulfillment/202309/packages/{package_id}/shipping_documents";
pub const DOCUMENT_PATH: &str = "/_sim/documents/{package_id}";

/// The label service the simulator offers (USPS, the seed's US carrier).
const SERVICE_ID: &str = "7208502187360519982";
const PROVIDER_ID: &str = "7117858858072016686";

/// A tiny valid PDF (one empty page): the label document.
pub const LABEL_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 288 432]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

fn order_checks(order: &Value) -> Result<(), ApiError> {
    if text(order, "shipping_type") != "TIKTOK"
        || text(order, "fulfillment_type") != "FULFILLMENT_BY_SELLER"
    {
        return Err(api_error(codes::FULFILLED_BY_PLATFORM));
    }
    if matches!(text(order, "status"), "CANCEL" | "CANCELLED") {
        return Err(api_error(codes::ORDER_CANCELLED));
    }
    if order
        .get("is_buyer_request_cancel")
        .and_then(Value::as_bool)
        == Some(true)
    {
        return Err(api_error(codes::AFTER_SALE));
    }
    let postal = order
        .pointer("/recipient_address/postal_code")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if postal.trim().is_empty() {
        return Err(ApiError::ok_status(
            11021010,
            "The buyer address is not supported for delivery.",
        ));
    }
    Ok(())
}

/// Weight in grams, from `weight{value, unit}` (GRAM|POUND); dimension checked.
fn measures(body: &Map<String, Value>) -> Result<Decimal, ApiError> {
    let w = body
        .get("weight")
        .ok_or_else(|| bad_param("weight is required"))?;
    let value: Decimal = text(w, "value")
        .parse()
        .map_err(|_| bad_param("weight.value must be a number string"))?;
    let grams = match text(w, "unit") {
        "GRAM" => value,
        "POUND" => value * Decimal::new(45359, 2),
        other => {
            return Err(bad_param(format!(
                "weight.unit {other:?} is not GRAM or POUND"
            )))
        }
    };
    let d = body
        .get("dimension")
        .ok_or_else(|| bad_param("dimension is required"))?;
    for k in ["length", "width", "height"] {
        let v: Decimal = text(d, k)
            .parse()
            .map_err(|_| bad_param(format!("dimension.{k} must be a number string")))?;
        if v <= Decimal::ZERO {
            return Err(bad_param(format!("dimension.{k} must be positive")));
        }
    }
    if !matches!(text(d, "unit"), "CM" | "INCH") {
        return Err(bad_param("dimension.unit must be CM or INCH"));
    }
    if grams <= Decimal::ZERO {
        return Err(bad_param("weight.value must be positive"));
    }
    Ok(grams)
}

fn over_limit(grams: Decimal) -> bool {
    grams > Decimal::from(70_000)
}

fn us_only(region: &str) -> Result<(), ApiError> {
    if region == "US" {
        Ok(())
    } else {
        Err(ApiError::ok_status(
            21008106,
            "This interface cannot be used in this region.",
        ))
    }
}

/// `POST …/orders/{order_id}/shipping_services/query` (GESS).
pub(crate) async fn eligible_services(
    State(sim): State<TikTokSim>,
    Path(order_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/fulfillment/202309/orders/{order_id}/shipping_services/query");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        api_qps(&sim, &a, ELIGIBLE_SERVICES_API)?;
        let shop = a.shop.id.clone();
        let mut st = sim.state();
        st.fulfillment.count(&shop, ELIGIBLE_SERVICES_API);
        us_only(&a.shop.region)?;
        let order = st
            .orders
            .get(&shop)
            .and_then(|o| o.get(&order_id))
            .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
        order_checks(order)?;
        let body = parse_body(&body)?;
        let grams = measures(&body)?;
        let services = if over_limit(grams) {
            vec![]
        } else {
            vec![
                json!({"id": SERVICE_ID, "name": "USPS Ground Advantage", "price": "5.00",
                "currency": "USD", "earliest_delivery_days": 2, "latest_delivery_days": 5,
                "is_default": true, "shipping_provider_id": PROVIDER_ID,
                "shipping_provider_name": "USPS"}),
            ]
        };
        Ok(json!({"order_id": order_id, "shipping_services": services}))
    });
    sim.finish(ELIGIBLE_SERVICES_API, result)
}

/// `POST /fulfillment/202309/packages` (CP): buys the label.
pub(crate) async fn create_packages(
    State(sim): State<TikTokSim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut dropped = false;
    let result =
        authenticate(&sim, CREATE_PACKAGES_API, q.as_deref(), &headers, &body).and_then(|a| {
            api_qps(&sim, &a, CREATE_PACKAGES_API)?;
            let shop = a.shop.id.clone();
            let mut guard = sim.state();
            let st = &mut *guard;
            st.fulfillment.count(&shop, CREATE_PACKAGES_API);
            us_only(&a.shop.region)?;
            let body = parse_body(&body)?;
            let order_id = body
                .get("order_id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_param("order_id is required"))?
                .to_string();
            let order = st
                .orders
                .get_mut(&shop)
                .and_then(|o| o.get_mut(&order_id))
                .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
            order_checks(order)?;
            let grams = measures(&body)?;
            if over_limit(grams) {
                return Err(ApiError::ok_status(
                    21011037,
                    "No available shipping services, please modify weight or check address.",
                ));
            }
            let lines = line_items(order);
            let live: Vec<&Value> = lines.iter().copied().filter(|l| !is_cancelled(l)).collect();
            let packaged = |l: &Value| {
                !text(l, "package_id").is_empty() && !text(l, "tracking_number").is_empty()
            };
            let ids: Vec<String> = match body.get("order_line_item_ids").and_then(Value::as_array) {
                None => {
                    if live.iter().any(|l| packaged(l)) {
                        return Err(api_error(codes::SPECIFY_ORDER_LINE));
                    }
                    live.iter().map(|l| text(l, "id").to_string()).collect()
                }
                Some(ids) => ids
                    .iter()
                    .map(|i| i.as_str().unwrap_or_default().to_string())
                    .collect(),
            };
            let mut already = 0;
            for id in &ids {
                let line = live.iter().find(|l| text(l, "id") == id).ok_or_else(|| {
                    bad_param(format!(
                        "order_line_item_id {id} is not a live line of the order"
                    ))
                })?;
                already += usize::from(packaged(line));
            }
            if ids.is_empty() {
                return Err(bad_param("no order line to package"));
            }
            if already == ids.len() {
                return Err(ApiError::ok_status(
                    21022025,
                    "A shipping label has already been purchased.",
                ));
            }
            if already > 0 {
                return Err(api_error(codes::ORDERS_ALREADY_SHIPPED));
            }
            st.fulfillment.next_package += 1;
            let package_id = st.fulfillment.next_package.to_string();
            let tracking = format!("9400{}", &package_id[package_id.len() - 12..]);
            let mut all_packaged = true;
            if let Some(items) = order.get_mut("line_items").and_then(Value::as_array_mut) {
                for l in items.iter_mut() {
                    if ids.iter().any(|i| i == text(l, "id")) {
                        l["package_id"] = json!(package_id);
                        l["package_status"] = json!("PROCESSING");
                        l["tracking_number"] = json!(tracking);
                        l["shipping_provider_id"] = json!(PROVIDER_ID);
                        l["shipping_provider_name"] = json!("USPS");
                    } else if !is_cancelled(l) && text(l, "tracking_number").is_empty() {
                        all_packaged = false;
                    }
                }
            }
            let mut packages = order
                .get("packages")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            packages.push(json!({"id": package_id}));
            order["packages"] = json!(packages);
            if all_packaged {
                order["status"] = json!("AWAITING_COLLECTION");
                order["tracking_number"] = json!(tracking);
            }
            if st.fulfillment.label_drops > 0 {
                st.fulfillment.label_drops -= 1;
                dropped = true;
            }
            Ok(
                json!({"package_id": package_id, "order_id": order_id, "order_line_item_ids": ids,
            "weight": body.get("weight"), "dimension": body.get("dimension"),
            "shipping_service_info": {"id": SERVICE_ID, "name": "USPS Ground Advantage",
                "price": "5.00", "currency": "USD", "shipping_provider_id": PROVIDER_ID,
                "shipping_provider_name": "USPS"}}),
            )
        });
    let response = sim.finish(CREATE_PACKAGES_API, result);
    if dropped {
        return dropped_connection();
    }
    response
}

/// Headers sent, then the body fails: hyper cuts the connection, so the
/// client never sees the answer of a call TikTok committed.
fn dropped_connection() -> Response {
    let body = Body::from_stream(futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sim: connection dropped after the purchase",
        ))
    }));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// `GET /fulfillment/202309/packages/{package_id}/shipping_documents` (GPSD).
pub(crate) async fn shipping_document(
    State(sim): State<TikTokSim>,
    Path(package_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let path = format!("/fulfillment/202309/packages/{package_id}/shipping_documents");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &[]).and_then(|a| {
        api_qps(&sim, &a, SHIPPING_DOCUMENT_API)?;
        let shop = a.shop.id.clone();
        let mut st = sim.state();
        st.fulfillment.count(&shop, SHIPPING_DOCUMENT_API);
        if a.param("document_type").unwrap_or_default().is_empty() {
            return Err(bad_param("document_type is required"));
        }
        let line = st
            .orders
            .get(&shop)
            .into_iter()
            .flat_map(|o| o.values())
            .flat_map(|o| line_items(o).into_iter().cloned().collect::<Vec<_>>())
            .find(|l| text(l, "package_id") == package_id)
            .ok_or_else(|| api_error(codes::NOT_THIS_SELLERS))?;
        let tracking = text(&line, "tracking_number");
        if tracking.is_empty() {
            return Err(ApiError::ok_status(
                21023035,
                "Please arrange shipment before retrieving the shipping document.",
            ));
        }
        Ok(
            json!({"doc_url": format!("http://{host}/_sim/documents/{package_id}"),
            "tracking_number": tracking}),
        )
    });
    sim.finish(SHIPPING_DOCUMENT_API, result)
}

/// `GET /_sim/documents/{package_id}`: the label PDF behind `doc_url`.
pub(crate) async fn document(Path(package_id): Path<String>) -> Response {
    let _ = package_id;
    ([(header::CONTENT_TYPE, "application/pdf")], LABEL_PDF).into_response()
}

impl TikTokSim {
    /// The next `n` label purchases are committed and then their
    /// connection is dropped (the answer is lost).
    pub fn drop_next_label_purchases(&self, n: u32) {
        self.state().fulfillment.label_drops += n;
    }

    /// One order's JSON as Get Order Detail would show it (tests).
    pub fn orders_json(&self, shop_id: &str, order_id: &str) -> Option<Value> {
        self.state().orders.get(shop_id)?.get(order_id).cloned()
    }
}
