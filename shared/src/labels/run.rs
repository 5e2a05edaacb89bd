//! The I/O of one packed Item Fulfillment's label: it asks [`next_step`]
//! and does what it says, saving the state before any call that could buy
//! a label and right after TikTok names the package (module doc of `step`).
//!
//! A lost Create Packages answer (timeout, dropped connection) is never
//! retried blindly: the state stays `Buying`, the order is read again, and
//! the package TikTok shows is adopted. What is left for the caller: write
//! the tracking and carrier on the Item Fulfillment, store the PDF in the
//! File Cabinet attached to it, then [`mark_done`].

use serde_json::{json, Value};

use super::measure::tiktok_measures;
use super::refusal::{classify, LabelOutcome, LabelRefusal};
use super::step::{next_step, LabelState, Market, OrderNow, Step, TikTokPackage};
use super::PackedMeasures;
use crate::domain::{OrderId, ShopId};
use crate::store::label_states::{LabelRecord, LabelStates};
use crate::store::StoreError;
use crate::tiktok::{ShopAuth, TikTokClient, TikTokError};

/// One packed Item Fulfillment = one TikTok package.
#[derive(Debug, Clone)]
pub struct PackedFulfilment {
    pub fulfilment_id: String,
    pub order_id: OrderId,
    pub line_item_ids: Vec<String>,
    pub measures: PackedMeasures,
}

/// The label TikTok holds for the package, ready for NetSuite.
#[derive(Debug, Clone)]
pub struct LabelReady {
    pub package_id: String,
    pub tracking_number: String,
    pub carrier: String,
    pub pdf: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("TikTok refused the label: {0:?}")]
    Refused(LabelRefusal),
    #[error(transparent)]
    TikTok(#[from] TikTokError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the label document could not be downloaded: {0}")]
    Document(String),
    #[error("TikTok no longer returns order {0}")]
    OrderGone(String),
    #[error("no progress after {0} steps")]
    NoProgress(usize),
}

fn to_state(r: Option<LabelRecord>) -> LabelState {
    match r {
        None => LabelState::New,
        Some(LabelRecord::Buying { package_id }) => LabelState::Buying { package_id },
        Some(LabelRecord::Bought { package_id }) => LabelState::Bought { package_id },
        Some(LabelRecord::Done {
            package_id,
            tracking_number,
        }) => LabelState::Done {
            package_id,
            tracking_number,
        },
    }
}

fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// The order's packages from its lines (a package is arranged once it has
/// a tracking number).
pub fn order_now(order: &Value) -> OrderNow {
    let mut packages: Vec<TikTokPackage> = Vec::new();
    for l in order
        .get("line_items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = s(l, "package_id");
        if id.is_empty() {
            continue;
        }
        let status = if s(l, "tracking_number").is_empty() {
            String::new()
        } else {
            s(l, "package_status").to_string()
        };
        match packages.iter_mut().find(|p| p.id == id) {
            Some(p) => p.line_item_ids.push(s(l, "id").to_string()),
            None => packages.push(TikTokPackage {
                id: id.to_string(),
                line_item_ids: vec![s(l, "id").to_string()],
                status,
            }),
        }
    }
    OrderNow {
        status: s(order, "status").to_string(),
        is_buyer_request_cancel: order
            .get("is_buyer_request_cancel")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        packages,
    }
}

/// Drives one packed fulfilment to a label (module doc).
pub async fn label_one(
    tiktok: &TikTokClient,
    shop: &ShopAuth,
    states: &dyn LabelStates,
    market: Market,
    f: &PackedFulfilment,
) -> Result<LabelReady, LabelError> {
    let shop_id: &ShopId = &shop.shop_id;
    let mut state = to_state(states.get(shop_id, &f.fulfilment_id).await?);
    let mut order: Option<OrderNow> = None;
    const MAX_STEPS: usize = 8;
    for _ in 0..MAX_STEPS {
        let step = next_step(
            &state,
            market,
            &f.line_item_ids,
            &f.measures,
            order.as_ref(),
        );
        match step {
            Step::ReadOrder => {
                let raw = tiktok
                    .order_json(shop, &f.order_id)
                    .await?
                    .ok_or_else(|| LabelError::OrderGone(f.order_id.to_string()))?;
                order = Some(order_now(&raw));
            }
            Step::Refuse(r) => return Err(LabelError::Refused(r)),
            Step::Adopt { package_id } => {
                let r = LabelRecord::Bought { package_id };
                states.put(shop_id, &f.fulfilment_id, &r).await?;
                state = to_state(Some(r));
            }
            Step::Buy => {
                let (w, d) = tiktok_measures(&f.measures).map_err(|m| {
                    LabelError::Refused(LabelRefusal::MeasuresMissing { fix: m.fix() })
                })?;
                let mut body = json!({
                    "order_id": f.order_id.as_str(),
                    "order_line_item_ids": f.line_item_ids,
                    "weight": {"value": w.value.to_string(), "unit": w.unit},
                    "dimension": {"length": d.length.to_string(), "width": d.width.to_string(),
                                  "height": d.height.to_string(), "unit": d.unit},
                });
                let services = tiktok
                    .eligible_shipping_services(shop, &f.order_id, &body)
                    .await
                    .map_err(refused_or)?;
                let Some(service) = services
                    .iter()
                    .find(|s| s.is_default)
                    .or_else(|| (services.len() == 1).then(|| &services[0]))
                else {
                    return Err(LabelError::Refused(LabelRefusal::NoEligibleService));
                };
                body["shipping_service_id"] = json!(service.id);
                // Saved before the purchase: a lost answer is read, never re-bought.
                let buying = LabelRecord::Buying { package_id: None };
                states.put(shop_id, &f.fulfilment_id, &buying).await?;
                state = to_state(Some(buying));
                order = None;
                match tiktok.create_package_once(shop, &body).await {
                    Ok(p) => {
                        let r = LabelRecord::Bought {
                            package_id: p.package_id,
                        };
                        states.put(shop_id, &f.fulfilment_id, &r).await?;
                        state = to_state(Some(r));
                    }
                    Err(e) => match e.code().map(classify) {
                        // Already bought, or the answer was lost: read first.
                        Some(LabelOutcome::AlreadyDone) | None => {
                            tracing::warn!(order = %f.order_id, error = %e, "label purchase answer lost or already done; reading the order");
                        }
                        Some(LabelOutcome::Retry) => return Err(e.into()),
                        Some(LabelOutcome::Refused(r)) => return Err(LabelError::Refused(r)),
                    },
                }
            }
            Step::Ship { package_id } => {
                // Saved before the call: a lost answer is read, never re-sent blindly.
                let buying = LabelRecord::Buying {
                    package_id: Some(package_id.clone()),
                };
                states.put(shop_id, &f.fulfilment_id, &buying).await?;
                state = to_state(Some(buying));
                order = None;
                match tiktok.ship_handover_once(shop, &package_id).await {
                    Ok(()) => {
                        let r = LabelRecord::Bought { package_id };
                        states.put(shop_id, &f.fulfilment_id, &r).await?;
                        state = to_state(Some(r));
                    }
                    Err(e) => match e.code().map(classify) {
                        Some(LabelOutcome::AlreadyDone) | None => {
                            tracing::warn!(order = %f.order_id, error = %e, "handover answer lost or already done; reading the order");
                        }
                        Some(LabelOutcome::Retry) => return Err(e.into()),
                        Some(LabelOutcome::Refused(r)) => return Err(LabelError::Refused(r)),
                    },
                }
            }
            Step::Document { package_id } => {
                let doc = tiktok
                    .shipping_document(shop, &package_id)
                    .await
                    .map_err(refused_or)?;
                let pdf = download(&doc.doc_url).await?;
                let raw = tiktok.order_json(shop, &f.order_id).await?;
                let carrier = raw
                    .as_ref()
                    .and_then(|o| o.get("line_items"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|l| s(l, "package_id") == package_id)
                    .map(|l| s(l, "shipping_provider_name").to_string())
                    .unwrap_or_default();
                return Ok(LabelReady {
                    package_id,
                    tracking_number: doc.tracking_number,
                    carrier,
                    pdf,
                });
            }
            Step::Finished => {
                return Err(LabelError::NoProgress(0));
            }
        }
    }
    Err(LabelError::NoProgress(MAX_STEPS))
}

fn refused_or(e: TikTokError) -> LabelError {
    match e.code().map(classify) {
        Some(LabelOutcome::Refused(r)) => LabelError::Refused(r),
        _ => LabelError::TikTok(e),
    }
}

/// The PDF behind `doc_url` (valid 24 h, some say 2 h: fetched at once).
async fn download(url: &str) -> Result<Vec<u8>, LabelError> {
    let res = reqwest::get(url)
        .await
        .map_err(|e| LabelError::Document(e.without_url().to_string()))?;
    if !res.status().is_success() {
        return Err(LabelError::Document(format!("HTTP {}", res.status())));
    }
    let bytes = res
        .bytes()
        .await
        .map_err(|e| LabelError::Document(e.without_url().to_string()))?;
    if !bytes.starts_with(b"%PDF") {
        return Err(LabelError::Document("not a PDF".into()));
    }
    Ok(bytes.to_vec())
}

/// Saves that the tracking and the PDF are on the Item Fulfillment.
pub async fn mark_done(
    states: &dyn LabelStates,
    shop: &ShopId,
    fulfilment: &str,
    ready: &LabelReady,
) -> Result<(), StoreError> {
    let r = LabelRecord::Done {
        package_id: ready.package_id.clone(),
        tracking_number: ready.tracking_number.clone(),
    };
    states.put(shop, fulfilment, &r).await
}
