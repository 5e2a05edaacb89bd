//! Fulfilment: pushing NetSuite tracking to TikTok (tiktok-shop-api.md §5;
//! finance-inventory-fulfilment.md §3): Get Shipping Providers for an
//! order's delivery option (§3.3); Mark Package As Shipped with exactly the
//! units' line item ids (US/UK/EU/JP) or Ship Package with `self_shipment`
//! (elsewhere, §3.1); Update Shipping Info, one correction per order within
//! 72 h in US/UK/SEA (§3.4).
//!
//! Neither ship call is idempotent on TikTok's side: a repeat answers
//! "already shipped" ([`ALREADY_SHIPPED_CODES`]). [`ShopSessions::push_shipment`]
//! turns that into a fact by reading the order (§3.4 "Treat as maybe
//! done", [`compare_shipped`]): our tracking on every unit sent is success;
//! another is [`PushOutcome::ShippedWithOtherTracking`], correctable once
//! with [`ShopSessions::correct_tracking`]. Every other refusal is
//! classified ([`FulfilmentErrorClass`]) with a fix for the run log.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::auth::{ShopCallError, ShopSessions};
use super::{Scope, ShopAuth, TikTokClient, TikTokError};
use crate::domain::{
    DeliveryOptionId, OrderId, OrderLineItemId, PackageId, ShippingProviderId, ShopId,
};

/// Markets (shop `region`) where Mark Package As Shipped is the call (§3.1:
/// "exclusive to … US, UK, ES, IE, IT, DE, FR, JP"; the UK's region is GB).
pub const MARK_SHIPPED_MARKETS: [&str; 9] = ["US", "GB", "UK", "ES", "IE", "IT", "DE", "FR", "JP"];

/// Whether a shop's market ships with Mark Package As Shipped (else Ship Package).
pub fn uses_mark_shipped(region: &str) -> bool {
    MARK_SHIPPED_MARKETS.contains(&region.trim().to_ascii_uppercase().as_str())
}

/// `{id, name}` of Get Shipping Providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingProvider {
    pub id: ShippingProviderId,
    pub name: String,
}

#[derive(Deserialize)]
struct ProvidersData {
    #[serde(default)]
    shipping_providers: Vec<ShippingProvider>,
}

/// A tracking number and its carrier, as every ship and update call sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfShipment {
    pub tracking_number: String,
    pub shipping_provider_id: ShippingProviderId,
}

/// Mark Package As Shipped: the order goes in the path, the rest in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkShippedRequest {
    #[serde(skip)]
    pub order_id: OrderId,
    /// The units in this box. Never left empty by the planner: omitting it
    /// ships the whole order only while nothing has shipped (21011048).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub order_line_item_ids: Vec<OrderLineItemId>,
    pub tracking_number: String,
    pub shipping_provider_id: ShippingProviderId,
}

/// What Mark Package As Shipped answers that we use (§5; the echoed ids are left out).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MarkShippedResponse {
    #[serde(default)]
    pub package_id: Option<PackageId>,
    /// The tracking number does not match the provider (§3.3 feedback loop):
    /// `code 0`, but worth showing in the run log.
    #[serde(default)]
    pub warning: Option<Warning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Warning {
    #[serde(default)]
    pub message: String,
}

/// One shipment of one order, by market (§3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShipCall {
    /// US/UK/EU/JP: the units' line item ids.
    MarkShipped(MarkShippedRequest),
    /// Elsewhere: the package TikTok made at payment, shipped whole.
    ShipPackage {
        order_id: OrderId,
        package_id: PackageId,
        /// The package's units, to check an "already shipped" answer.
        line_item_ids: Vec<OrderLineItemId>,
        shipment: SelfShipment,
    },
}

impl ShipCall {
    pub fn order_id(&self) -> &OrderId {
        match self {
            Self::MarkShipped(r) => &r.order_id,
            Self::ShipPackage { order_id, .. } => order_id,
        }
    }

    pub fn tracking_number(&self) -> &str {
        match self {
            Self::MarkShipped(r) => &r.tracking_number,
            Self::ShipPackage { shipment, .. } => &shipment.tracking_number,
        }
    }

    /// The units this call ships.
    pub fn line_item_ids(&self) -> &[OrderLineItemId] {
        match self {
            Self::MarkShipped(r) => &r.order_line_item_ids,
            Self::ShipPackage { line_item_ids, .. } => line_item_ids,
        }
    }
}

/// Which shipment Update Shipping Info corrects: the order (one package) or
/// one package of a split order (§5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShippingInfoTarget {
    Order(OrderId),
    Package(PackageId),
}

impl ShippingInfoTarget {
    pub fn path(&self) -> String {
        match self {
            Self::Order(o) => format!("/fulfillment/202309/orders/{o}/shipping_info/update"),
            Self::Package(p) => format!("/fulfillment/202309/packages/{p}/shipping_info/update"),
        }
    }
}

crate::string_enum! {
    /// How the tracking job treats a refusal (§3.4's table, §3.1, §3.3).
    pub enum FulfilmentErrorClass {
        /// "Already shipped" codes: maybe done; read the order to know.
        AlreadyShipped = "ALREADY_SHIPPED",
        /// Tracking number or provider refused: fix the carrier mapping or
        /// the tracking in NetSuite.
        TrackingOrProvider = "TRACKING_OR_PROVIDER",
        /// The tracking number is used by other orders beyond what TikTok
        /// allows (20 orders, one recipient).
        DuplicateTracking = "DUPLICATE_TRACKING",
        /// Cancelled order or unit under an after-sale request: stop, report.
        AfterSaleOrCancelled = "AFTER_SALE_OR_CANCELLED",
        /// Units and packages do not line up (specify the lines, combined order).
        WrongSplit = "WRONG_SPLIT",
        /// Fulfilled by TikTok: nothing of ours to push.
        FulfilledByTikTok = "FULFILLED_BY_TIKTOK",
        /// Update Shipping Info refused: past 72 h, already updated once,
        /// delivered, or not shipped. An exception for the admins.
        CorrectionRefused = "CORRECTION_REFUSED",
        /// Retry with backoff.
        Transient = "TRANSIENT",
    }
}

/// "Already shipped" codes (§3.4).
pub const ALREADY_SHIPPED_CODES: [i64; 7] = [
    21008099, 11006021, 21011020, 21011006, 21042056, 21011040, 21011027,
];
const TRACKING_OR_PROVIDER_CODES: [i64; 7] = [
    11028006, 21004012, 21004015, 21004016, 21011022, 21022032, 21008116,
];
const DUPLICATE_TRACKING_CODES: [i64; 3] = [21011025, 21034012, 21011026];
const AFTER_SALE_CODES: [i64; 4] = [21008044, 21011007, 21011041, 25001010];
const WRONG_SPLIT_CODES: [i64; 4] = [21011048, 21011036, 21011046, 21011033];
const FBT_CODES: [i64; 2] = [21008025, 21008117];
const CORRECTION_CODES: [i64; 6] = [21011049, 21011050, 21011051, 21011052, 21011043, 21011030];
/// Transient codes §3.4 names ("System process error" and friends; the
/// "…" between them is not guessed at: an unlisted code is `Unknown`).
/// 36009003/36009007 normally arrive already retried by the transport. Then
/// the "try again later" codes of Mark Package As Shipped / Ship Package
/// (issue 19 item 6) and 21001003 "System timeout" (tiktok-shipping.md).
const TRANSIENT_CODES: [i64; 14] = [
    36009003, 36009007, 11001027, 11001031, 21001008, 21001011, 21022029, 11006005, 11006026,
    21001043, 21001055, 21008300, 21022030, 21001003,
];

/// Each class's codes, in the order they are checked.
const CLASSES: [(&[i64], FulfilmentErrorClass); 8] = [
    (&ALREADY_SHIPPED_CODES, FulfilmentErrorClass::AlreadyShipped),
    (
        &TRACKING_OR_PROVIDER_CODES,
        FulfilmentErrorClass::TrackingOrProvider,
    ),
    (
        &DUPLICATE_TRACKING_CODES,
        FulfilmentErrorClass::DuplicateTracking,
    ),
    (
        &AFTER_SALE_CODES,
        FulfilmentErrorClass::AfterSaleOrCancelled,
    ),
    (&WRONG_SPLIT_CODES, FulfilmentErrorClass::WrongSplit),
    (&FBT_CODES, FulfilmentErrorClass::FulfilledByTikTok),
    (&CORRECTION_CODES, FulfilmentErrorClass::CorrectionRefused),
    (&TRANSIENT_CODES, FulfilmentErrorClass::Transient),
];

impl FulfilmentErrorClass {
    /// The class of a fulfilment error code; a code the notes do not list is
    /// `Unknown("{code}: {message}")`: reported, never retried.
    pub fn of_code(code: i64, message: &str) -> Self {
        CLASSES
            .iter()
            .find(|(codes, _)| codes.contains(&code))
            .map(|(_, class)| class.clone())
            .unwrap_or_else(|| Self::Unknown(format!("{code}: {message}")))
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Transient)
    }
}

/// What to do about a refused push, for the run log and the admin digest.
pub fn fix_for(class: &FulfilmentErrorClass) -> &'static str {
    match class {
        FulfilmentErrorClass::AlreadyShipped => "TikTok already shows these units shipped; compare its tracking with NetSuite's in Seller Center.",
        FulfilmentErrorClass::TrackingOrProvider => "TikTok refused the tracking number or carrier: check the tracking number on the Item Fulfillment (letters and digits only) and the shop's carrier table entry for its ship method.",
        FulfilmentErrorClass::DuplicateTracking => "The tracking number is already used by other TikTok orders (at most 20, all to one recipient): check the tracking number on the Item Fulfillment.",
        FulfilmentErrorClass::AfterSaleOrCancelled => "The order is cancelled or a unit has an after-sale request in TikTok: stop the shipment or settle the request in Seller Center, then ignore the fulfilment here.",
        FulfilmentErrorClass::WrongSplit => "TikTok's packages do not match the units fulfilled: ship the remaining units of the package together, or split the package in Seller Center.",
        FulfilmentErrorClass::FulfilledByTikTok => "The order is fulfilled by TikTok: nothing to push; the fulfilment is left alone.",
        FulfilmentErrorClass::CorrectionRefused => "TikTok no longer accepts a tracking correction for this order (72 h passed, already corrected once, or delivered): correct it in Seller Center or with TikTok support.",
        FulfilmentErrorClass::Transient => "TikTok failed internally; the next run retries.",
        FulfilmentErrorClass::Unknown(_) => "An error code the integration does not know: read TikTok's message; the next run does not retry it automatically.",
    }
}

impl TikTokClient {
    /// Get Shipping Providers for one delivery option.
    pub async fn get_shipping_providers(
        &self,
        shop: &ShopAuth,
        option: &DeliveryOptionId,
    ) -> Result<Vec<ShippingProvider>, TikTokError> {
        let path = format!("/logistics/202309/delivery_options/{option}/shipping_providers");
        let data: ProvidersData = self
            .call(Method::GET, &path, Scope::Shop(shop), &[], None)
            .await?;
        Ok(data.shipping_providers)
    }

    /// One Mark Package As Shipped call.
    pub async fn mark_package_as_shipped(
        &self,
        shop: &ShopAuth,
        request: &MarkShippedRequest,
    ) -> Result<MarkShippedResponse, TikTokError> {
        let path = format!("/fulfillment/202309/orders/{}/packages", request.order_id);
        self.call_json(Method::POST, &path, Scope::Shop(shop), &[], request)
            .await
    }

    /// One Ship Package call with `self_shipment` (SEND_BY_SELLER packages).
    pub async fn ship_package(
        &self,
        shop: &ShopAuth,
        package: &PackageId,
        shipment: &SelfShipment,
    ) -> Result<(), TikTokError> {
        let path = format!("/fulfillment/202309/packages/{package}/ship");
        let body = serde_json::json!({ "self_shipment": shipment });
        let _: serde_json::Value = self
            .call_json(Method::POST, &path, Scope::Shop(shop), &[], &body)
            .await?;
        Ok(())
    }

    /// One Update Shipping Info call.
    pub async fn update_shipping_info(
        &self,
        shop: &ShopAuth,
        target: &ShippingInfoTarget,
        shipment: &SelfShipment,
    ) -> Result<(), TikTokError> {
        let path = target.path();
        let _: serde_json::Value = self
            .call_json(Method::POST, &path, Scope::Shop(shop), &[], shipment)
            .await?;
        Ok(())
    }
}

/// What a push came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// TikTok took it. `package_id` as Mark Package As Shipped returned it
    /// (Ship Package: the package shipped).
    Shipped {
        package_id: Option<PackageId>,
        warning: Option<String>,
    },
    /// "Already shipped", and every unit sent carries our tracking number in
    /// TikTok: done (an earlier run's push whose record was lost).
    AlreadyShippedSameTracking { package_id: Option<PackageId> },
    /// "Already shipped" with another tracking number: correctable once,
    /// within 72 h, with [`ShopSessions::correct_tracking`].
    ShippedWithOtherTracking {
        package_id: Option<PackageId>,
        tiktok_tracking: String,
    },
}

/// A push or correction that did not go through.
#[derive(Debug, thiserror::Error)]
pub enum FulfilmentCallError {
    /// TikTok refused it with a code; `class` says what to do, `fix` how.
    #[error("TikTok refused {call} for order {order_id} with code {code} ({class}): {message}")]
    Refused {
        call: String,
        order_id: OrderId,
        code: i64,
        message: String,
        class: FulfilmentErrorClass,
        fix: &'static str,
    },
    /// "Already shipped", but the order read back does not show the units
    /// shipped (or not all with one tracking): report, do not guess.
    #[error("TikTok says order {order_id} is already shipped, but its units {units} do not show one tracking number")]
    AlreadyShippedUnclear { order_id: OrderId, units: String },
    /// Token, transport, rate limit, decode: see [`ShopCallError`].
    #[error(transparent)]
    Call(#[from] ShopCallError),
}

impl FulfilmentCallError {
    /// Whether the next run may send the same thing again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Refused { class, .. } => class.is_retryable(),
            Self::AlreadyShippedUnclear { .. } => false,
            Self::Call(ShopCallError::TikTok(e)) => e.is_retryable(),
            Self::Call(ShopCallError::Token(e)) => e.is_retryable(),
        }
    }

    /// A TikTok `Api` error becomes `Refused` (classified); the rest stays a call error.
    fn from_call(e: ShopCallError, order_id: &OrderId) -> Self {
        match e {
            // 105005 stays a call error: its fix names the missing scope.
            ShopCallError::TikTok(TikTokError::Api {
                call,
                code,
                message,
                ..
            }) if code != super::error::CODE_SCOPE_NOT_GRANTED => {
                let class = FulfilmentErrorClass::of_code(code, &message);
                Self::Refused {
                    call,
                    order_id: order_id.clone(),
                    code,
                    fix: fix_for(&class),
                    class,
                    message,
                }
            }
            other => Self::Call(other),
        }
    }
}

impl ShopSessions {
    /// Get Shipping Providers through [`Self::call_with_refresh`].
    pub async fn shipping_providers(
        &self,
        shop: &ShopId,
        option: &DeliveryOptionId,
    ) -> Result<Vec<ShippingProvider>, ShopCallError> {
        let client = self.client();
        self.call_with_refresh(shop, |auth| async move {
            client.get_shipping_providers(&auth, option).await
        })
        .await
    }

    /// Sends one shipment. An "already shipped" answer is checked against
    /// the order as TikTok holds it now (module doc).
    pub async fn push_shipment(
        &self,
        shop: &ShopId,
        call: &ShipCall,
    ) -> Result<PushOutcome, FulfilmentCallError> {
        let client = self.client();
        let order_id = call.order_id();
        let sent = match call {
            ShipCall::MarkShipped(r) => self
                .call_with_refresh(shop, |auth| async move {
                    client.mark_package_as_shipped(&auth, r).await
                })
                .await
                .map(|resp| PushOutcome::Shipped {
                    package_id: resp.package_id,
                    warning: resp.warning.map(|w| w.message).filter(|m| !m.is_empty()),
                }),
            ShipCall::ShipPackage {
                package_id,
                shipment,
                ..
            } => self
                .call_with_refresh(shop, |auth| async move {
                    client.ship_package(&auth, package_id, shipment).await
                })
                .await
                .map(|()| PushOutcome::Shipped {
                    package_id: Some(package_id.clone()),
                    warning: None,
                }),
        };
        match sent {
            Ok(outcome) => Ok(outcome),
            Err(e) => match FulfilmentCallError::from_call(e, order_id) {
                FulfilmentCallError::Refused {
                    class: FulfilmentErrorClass::AlreadyShipped,
                    ..
                } => self.check_already_shipped(shop, call).await,
                other => Err(other),
            },
        }
    }

    /// Reads the order and compares the units sent with what TikTok holds.
    async fn check_already_shipped(
        &self,
        shop: &ShopId,
        call: &ShipCall,
    ) -> Result<PushOutcome, FulfilmentCallError> {
        let client = self.client();
        let order_id = call.order_id();
        let order = self
            .call_with_refresh(shop, |auth| async move {
                client.get_order(&auth, order_id).await
            })
            .await?;
        let ids: Vec<&str> = call.line_item_ids().iter().map(|i| i.as_str()).collect();
        order
            .and_then(|o| compare_shipped(&o, call))
            .ok_or_else(|| FulfilmentCallError::AlreadyShippedUnclear {
                order_id: order_id.clone(),
                units: ids.join(","),
            })
    }

    /// Update Shipping Info: the one correction TikTok allows per order.
    /// Refusals (past 72 h, already corrected, delivered) come back as
    /// [`FulfilmentErrorClass::CorrectionRefused`].
    pub async fn correct_tracking(
        &self,
        shop: &ShopId,
        order_id: &OrderId,
        target: &ShippingInfoTarget,
        shipment: &SelfShipment,
    ) -> Result<(), FulfilmentCallError> {
        let client = self.client();
        self.call_with_refresh(shop, |auth| async move {
            client.update_shipping_info(&auth, target, shipment).await
        })
        .await
        .map_err(|e| FulfilmentCallError::from_call(e, order_id))
    }
}

/// An "already shipped" answer checked against the order TikTok holds:
/// `None` unless every unit sent shows one and the same tracking number.
/// Exact match after trimming: the docs say nothing of case folding, so a
/// difference in case is a different number (harsher reading).
pub fn compare_shipped(order: &super::model::Order, call: &ShipCall) -> Option<PushOutcome> {
    let wanted = call.line_item_ids();
    let units: Vec<_> = order
        .line_items
        .iter()
        .filter(|l| wanted.iter().any(|w| w.as_str() == l.id))
        .collect();
    let first = units.first()?.shipped_tracking()?;
    if units.len() != wanted.len() || units.iter().any(|l| l.shipped_tracking() != Some(first)) {
        return None;
    }
    let package_id = units[0].package_id.clone();
    Some(if first == call.tracking_number().trim() {
        PushOutcome::AlreadyShippedSameTracking { package_id }
    } else {
        PushOutcome::ShippedWithOtherTracking {
            package_id,
            tiktok_tracking: first.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(lines: serde_json::Value) -> super::super::model::Order {
        serde_json::from_value(json!({"id": "O1", "status": "AWAITING_COLLECTION",
            "payment": {"currency": "USD"}, "line_items": lines}))
        .unwrap()
    }

    fn call(ids: &[&str], tracking: &str) -> ShipCall {
        ShipCall::MarkShipped(MarkShippedRequest {
            order_id: OrderId::new("O1"),
            order_line_item_ids: ids.iter().map(|i| OrderLineItemId::new(*i)).collect(),
            tracking_number: tracking.into(),
            shipping_provider_id: ShippingProviderId::new("P"),
        })
    }

    #[test]
    fn codes_fall_in_the_notes_classes_and_unlisted_ones_stay_unknown() {
        let c = |code| FulfilmentErrorClass::of_code(code, "m");
        assert_eq!(c(21011020), FulfilmentErrorClass::AlreadyShipped);
        assert_eq!(c(21008099), FulfilmentErrorClass::AlreadyShipped);
        assert_eq!(c(21011022), FulfilmentErrorClass::TrackingOrProvider);
        assert_eq!(c(21011026), FulfilmentErrorClass::DuplicateTracking);
        assert_eq!(c(21011041), FulfilmentErrorClass::AfterSaleOrCancelled);
        assert_eq!(c(21011048), FulfilmentErrorClass::WrongSplit);
        assert_eq!(c(21008025), FulfilmentErrorClass::FulfilledByTikTok);
        assert_eq!(c(21011049), FulfilmentErrorClass::CorrectionRefused);
        assert_eq!(c(21011051), FulfilmentErrorClass::CorrectionRefused);
        assert!(c(21022029).is_retryable());
        assert_eq!(
            c(21022010),
            FulfilmentErrorClass::Unknown("21022010: m".into())
        );
        assert!(!c(21022010).is_retryable());
        assert!(fix_for(&c(21011049)).contains("Seller Center"));
    }

    #[test]
    fn the_ship_calls_try_again_later_codes_are_retried() {
        for code in [
            11006005, 11006026, 21001043, 21001055, 21008300, 21022030, 21001003,
        ] {
            assert_eq!(
                FulfilmentErrorClass::of_code(code, "try again later"),
                FulfilmentErrorClass::Transient,
                "{code}"
            );
            let refused = FulfilmentCallError::from_call(
                ShopCallError::TikTok(TikTokError::Api {
                    call: "POST /fulfillment/202309/orders/O1/packages".into(),
                    code,
                    message: "Please try again later".into(),
                    request_id: "r".into(),
                    http_status: 200,
                    body: String::new(),
                }),
                &OrderId::new("O1"),
            );
            assert!(refused.is_retryable(), "{code}: {refused}");
            assert!(
                matches!(&refused, FulfilmentCallError::Refused { fix, .. } if fix.contains("retries")),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn markets_and_the_request_body() {
        assert!(uses_mark_shipped("US") && uses_mark_shipped("gb") && uses_mark_shipped("DE"));
        assert!(!uses_mark_shipped("ID") && !uses_mark_shipped("MX"));
        let ShipCall::MarkShipped(r) = call(&["a", "b"], "T1") else {
            unreachable!()
        };
        let body = serde_json::to_value(&r).unwrap();
        assert_eq!(
            body,
            json!({"order_line_item_ids": ["a", "b"], "tracking_number": "T1", "shipping_provider_id": "P"})
        );
        let empty = MarkShippedRequest {
            order_line_item_ids: vec![],
            ..r
        };
        assert!(serde_json::to_value(&empty)
            .unwrap()
            .get("order_line_item_ids")
            .is_none());
    }

    #[test]
    fn an_already_shipped_answer_is_read_against_the_order() {
        let o = order(json!([
            {"id": "a", "sku_id": "s", "tracking_number": "T1", "package_id": "K1"},
            {"id": "b", "sku_id": "s", "tracking_number": "T1", "package_id": "K1"},
            {"id": "c", "sku_id": "s", "tracking_number": ""},
            {"id": "d", "sku_id": "s", "tracking_number": "T2"},
        ]));
        let pkg = Some(PackageId::new("K1"));
        assert_eq!(
            compare_shipped(&o, &call(&["a", "b"], " T1 ")),
            Some(PushOutcome::AlreadyShippedSameTracking {
                package_id: pkg.clone()
            })
        );
        assert_eq!(
            compare_shipped(&o, &call(&["a", "b"], "t1")),
            Some(PushOutcome::ShippedWithOtherTracking {
                package_id: pkg,
                tiktok_tracking: "T1".into()
            }),
            "case differs: another number"
        );
        // Unshipped, mixed, unknown or no units: unclear.
        assert_eq!(compare_shipped(&o, &call(&["c"], "T1")), None);
        assert_eq!(compare_shipped(&o, &call(&["a", "d"], "T1")), None);
        assert_eq!(compare_shipped(&o, &call(&["a", "zz"], "T1")), None);
        assert_eq!(compare_shipped(&o, &call(&[], "T1")), None);
    }
}
