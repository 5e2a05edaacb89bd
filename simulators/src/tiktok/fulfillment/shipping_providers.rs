//! Get Shipping Providers, `GET /logistics/202309/delivery_options/{id}/
//! shipping_providers` (finance-inventory-fulfilment.md §3.3;
//! tiktok-shop-api.md §5; Logistic API overview): the providers offered for
//! one of the shop's delivery options, 21008116 for an option that is not
//! the shop's, 21008117 for a TikTok-fulfilled one. Also the two provider
//! checks Mark Package As Shipped runs: the provider must be offered for the
//! order's option (21011022, "Providers outside the list are not allowed"),
//! and a tracking number that does not match it gets a `warning` (changelog
//! 6543158d6f932c02ba1b78a8).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::shipments::{text, Fulfillment, Tracking};
use super::{api_error, api_qps, codes, SHIPPING_PROVIDERS_API};
use crate::tiktok::auth::authenticate;
use crate::tiktok::{ApiError, TikTokSim};

impl Fulfillment {
    /// The provider's name if `provider_id` is offered for the order's
    /// delivery option (or the shop's seller-shipped option), else 21011022.
    pub(super) fn provider_name(
        &self,
        shop: &str,
        order: &Value,
        provider_id: &str,
    ) -> Result<String, ApiError> {
        let options = self.options.get(shop);
        let option = match text(order, "delivery_option_id") {
            "" => options.and_then(|m| m.values().find(|o| !o.fulfilled_by_tiktok)),
            id => options.and_then(|m| m.get(id)),
        };
        option
            .and_then(|o| o.shipping_providers.iter().find(|p| p.id == provider_id))
            .map(|p| p.name.clone())
            .ok_or_else(|| api_error(codes::INVALID_TRACKING_OR_PROVIDER))
    }

    /// Mark Package As Shipped's `warning` (§3.3, changelog
    /// 6543158d6f932c02ba1b78a8): the tracking number does not match the
    /// chosen provider's prefix (seed `tracking_prefix`, sim-defined);
    /// another provider of the option that matches is suggested by name.
    pub(super) fn tracking_warning(
        &self,
        shop: &str,
        order: &Value,
        t: &Tracking,
    ) -> Option<String> {
        let options = self.options.get(shop)?;
        let option = match text(order, "delivery_option_id") {
            "" => options.values().find(|o| !o.fulfilled_by_tiktok)?,
            id => options.get(id)?,
        };
        let fits = |p: &crate::seed::ShippingProviderSeed| {
            p.tracking_prefix
                .as_deref()
                .is_none_or(|x| t.number.starts_with(x))
        };
        let chosen = option
            .shipping_providers
            .iter()
            .find(|p| p.id == t.provider_id)?;
        if fits(chosen) {
            return None;
        }
        Some(match option.shipping_providers.iter().find(|p| p.tracking_prefix.is_some() && fits(p)) {
            Some(other) => format!("The tracking number you entered does not match your selected logistics provider. Did you mean to select {}?", other.name),
            None => "The tracking number you entered does not match your selected logistics provider.".to_string(),
        })
    }
}

/// `GET /logistics/202309/delivery_options/{id}/shipping_providers`.
pub(crate) async fn get_shipping_providers(
    State(sim): State<TikTokSim>,
    Path(option_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/logistics/202309/delivery_options/{option_id}/shipping_providers");
    let result = authenticate(&sim, &path, q.as_deref(), &headers, &body).and_then(|a| {
        api_qps(&sim, &a, SHIPPING_PROVIDERS_API)?;
        let mut st = sim.state();
        st.fulfillment.count(&a.shop.id, SHIPPING_PROVIDERS_API);
        let option = st
            .fulfillment
            .options
            .get(&a.shop.id)
            .and_then(|m| m.get(&option_id))
            .ok_or_else(|| api_error(codes::NO_SUBSCRIPTION))?;
        if option.fulfilled_by_tiktok {
            return Err(api_error(codes::OPTION_FULFILLED_BY_TIKTOK));
        }
        Ok(json!({"shipping_providers": option.shipping_providers.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>()}))
    });
    sim.finish(SHIPPING_PROVIDERS_API, result)
}
