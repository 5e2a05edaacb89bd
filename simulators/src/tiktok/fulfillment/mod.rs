//! Fulfilment: Get Shipping Providers, Mark Package As Shipped, Ship
//! Package and Update Shipping Info (tiktok-shop-api.md §5;
//! finance-inventory-fulfilment.md §3), plus `/_sim/fulfillment/*` controls
//! a test uses to read what was shipped, age a shipment past TikTok's 72 h
//! window and move an order on to IN_TRANSIT / DELIVERED.
//!
//! Every shipment is written back into the order JSON in `state.orders`
//! (line items' `package_id`, `package_status`, `tracking_number`,
//! `shipping_provider_id`/`_name`, the order's `packages`, `status`,
//! `tracking_number`, `shipping_provider(_id)`, `update_time`), so Get Order
//! Detail shows shipments exactly as a client reading "already shipped"
//! answers must check them (§3.4).
//!
//! Rules, each with its source; "sim" marks a choice where the docs are
//! silent, always the harsher reading:
//! - **Get Shipping Providers** (`GET /logistics/202309/delivery_options/
//!   {id}/shipping_providers`, §3.3): an option that is not the shop's
//!   answers 21008116 "No Subscription without specified delivery option"
//!   (sim: unknown ids too); a TikTok-fulfilled option answers 21008117.
//! - **Market** (§3.1): Mark Package As Shipped is "exclusive to … US, UK,
//!   ES, IE, IT, DE, FR, JP"; elsewhere it is refused. Ship Package is the
//!   SEA/LATAM flow; sim: refused in the Mark Package As Shipped markets
//!   (so a client cannot pass by using the wrong call). Neither refusal has
//!   a documented code: sim answers the catch-all 36009004 (§8).
//! - **Order** (§3.1, §3.4): not this shop's 21008111 (as Get Order Detail);
//!   `fulfillment_type` other than FULFILLMENT_BY_SELLER or `shipping_type`
//!   other than SELLER 21008025 "Seller cannot operate orders which are
//!   fulfilled by platform"; CANCELLED 21011041; sim: UNPAID / ON_HOLD
//!   36009004 (nothing to ship yet).
//! - **Body**: `tracking_number` and `shipping_provider_id` required (sim:
//!   36009004); a tracking number with anything but ASCII letters and digits
//!   21004012 "special characters" (sim: the strictest reading of that
//!   code); a provider not offered for the order's delivery option 21011022
//!   "invalid tracking or provider id" (§3.3 "Providers outside the list are
//!   not allowed"; an order without `delivery_option_id` uses the shop's
//!   seller-shipped option).
//! - **Line items** (Mark Package As Shipped, §3.1, §3.2): an id not in the
//!   order, or listed twice, 36009004 (sim: the notes name no code);
//!   a cancelled one 21011007 "Package item has after-sale request"; any
//!   one already shipped 21011020 "These orders are already shipped." and
//!   nothing changes (sim: the whole call is refused). `order_line_item_ids`
//!   omitted ships every live unit when none has shipped yet; once some
//!   have, 21011048 "There are multiple packages that can be shipped,
//!   please specify the order line" (§3.2).
//! - **Already shipped** (§3.4): the same codes whether the tracking sent
//!   again is the same or a different one (sim: TikTok's answer does not
//!   say which; the client must read the order). Ship Package on a shipped
//!   package: 21008099 "Package has been shipped. Please not ship the
//!   package again."
//! - **One tracking number, several orders** (§3.1): allowed for up to 20
//!   orders with the same recipient name and address; a 21st order
//!   21011026 "tracking no used times over limit"; another recipient
//!   21034012 "tracking no has been used".
//! - **Warning** (§3.3, changelog 6543158d6f932c02ba1b78a8): Mark Package
//!   As Shipped still answers `code 0` but adds `warning.message` when the
//!   tracking number does not match the provider; sim: "match" is the seed
//!   provider's `tracking_prefix` (USPS 9…, UPS 1Z…), and a matching
//!   provider of the same option is suggested by name.
//! - **Status** [INFERENCE, the notes do not say which]: after a shipment
//!   the order is PARTIALLY_SHIPPING while live units remain unshipped,
//!   else AWAITING_COLLECTION (shipped by the seller, not yet scanned by
//!   the carrier); `advance_order` moves it to IN_TRANSIT or DELIVERED.
//!   Shipped line items get `package_status` FULFILLING.
//! - **Package id** (§3.1): US packages are generated at shipment and
//!   returned; elsewhere they exist from payment. Sim: a shipment whose
//!   units are exactly one existing package's keeps that package's id,
//!   otherwise a new id is generated and returned.
//! - **Update Shipping Info** (§3.4, changelog 65532219ff8ea502bd3df6a2):
//!   not shipped 21011043; DELIVERED/COMPLETED 21011030; in US, UK and SEA
//!   more than 72 h after shipping 21011049; a second update of the same
//!   order (any market) 21011051 "only be updated once". The order path on
//!   an order with several shipped packages answers 21011048 (sim: the
//!   package path exists for split orders, §5).
//!
//! Files: `shipping_providers.rs`, `packages.rs` (Mark Package As Shipped,
//! Ship Package), `shipping_info.rs` (Update Shipping Info), `shipments.rs`
//! (the recorded shipments and the checks they share) and `controls.rs`
//! (`/_sim/fulfillment/*`).

use axum::http::StatusCode;
use std::time::{Duration, Instant};

use crate::tiktok::auth::Authed;
use crate::tiktok::{ApiError, TikTokSim};

mod controls;
pub mod failures;
pub mod handover;
pub mod labels;
mod packages;
mod shipments;
mod shipping_info;
mod shipping_providers;

pub(crate) use controls::{control_advance, control_age, control_show};
pub(crate) use packages::{mark_package_as_shipped, ship_package};
pub(crate) use shipments::Fulfillment;
pub use shipments::Shipment;
pub(crate) use shipping_info::{update_order_shipping_info, update_package_shipping_info};
pub(crate) use shipping_providers::get_shipping_providers;

pub const SHIPPING_PROVIDERS_API: &str =
    "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers";
pub const MARK_SHIPPED_API: &str = "/fulfillment/202309/orders/{order_id}/packages";
pub const SHIP_PACKAGE_API: &str = "/fulfillment/202309/packages/{package_id}/ship";
pub const UPDATE_ORDER_SHIPPING_API: &str =
    "/fulfillment/202309/orders/{order_id}/shipping_info/update";
pub const UPDATE_PACKAGE_SHIPPING_API: &str =
    "/fulfillment/202309/packages/{package_id}/shipping_info/update";

/// "A single tracking number can be used to ship a maximum of 20 orders" (§3.1).
pub const MAX_ORDERS_PER_TRACKING: usize = 20;
/// "within 72 hours of shipment" (§3.4).
pub const UPDATE_WINDOW_SECS: i64 = 72 * 3600;
/// Mark Package As Shipped markets, by shop `region` (§3.1; GB is UK).
const MARK_SHIPPED_MARKETS: [&str; 9] = ["US", "GB", "UK", "ES", "IE", "IT", "DE", "FR", "JP"];
/// Markets where the 72 h window applies: "US/UK/SEA" (§3.4).
const WINDOW_MARKETS: [&str; 9] = ["US", "GB", "UK", "ID", "MY", "PH", "SG", "TH", "VN"];

/// The documented codes the simulator answers (§3.3, §3.4).
pub mod codes {
    pub const NOT_THIS_SELLERS: i64 = 21008111;
    pub const NO_SUBSCRIPTION: i64 = 21008116;
    pub const OPTION_FULFILLED_BY_TIKTOK: i64 = 21008117;
    pub const FULFILLED_BY_PLATFORM: i64 = 21008025;
    pub const PACKAGE_SHIPPED: i64 = 21008099;
    pub const ORDERS_ALREADY_SHIPPED: i64 = 21011020;
    pub const ORDER_CANCELLED: i64 = 21011041;
    pub const AFTER_SALE: i64 = 21011007;
    pub const SPECIAL_CHARACTERS: i64 = 21004012;
    pub const INVALID_TRACKING_OR_PROVIDER: i64 = 21011022;
    pub const SPECIFY_ORDER_LINE: i64 = 21011048;
    pub const TRACKING_USED: i64 = 21034012;
    pub const TRACKING_OVER_LIMIT: i64 = 21011026;
    pub const NOT_SHIPPED_YET: i64 = 21011043;
    pub const ALREADY_DELIVERED: i64 = 21011030;
    pub const UPDATE_WINDOW_PASSED: i64 = 21011049;
    pub const UPDATED_ONCE: i64 = 21011051;
}

fn message(code: i64) -> &'static str {
    match code {
        codes::NOT_THIS_SELLERS => "The order or package does not belong to the current seller.",
        codes::NO_SUBSCRIPTION => "No Subscription without specified delivery option",
        codes::OPTION_FULFILLED_BY_TIKTOK => {
            "The delivery option is fulfilled by TikTok. No shipping provider will be returned."
        }
        codes::FULFILLED_BY_PLATFORM => {
            "Seller cannot operate orders which are fulfilled by platform"
        }
        codes::PACKAGE_SHIPPED => "Package has been shipped. Please not ship the package again.",
        codes::ORDERS_ALREADY_SHIPPED => "These orders are already shipped.",
        codes::ORDER_CANCELLED => "Cannot complete the operation when order is cancelled.",
        codes::AFTER_SALE => "Package item has after-sale request",
        codes::SPECIAL_CHARACTERS => "The tracking number contains special characters.",
        codes::INVALID_TRACKING_OR_PROVIDER => "Invalid tracking number or shipping provider id.",
        codes::SPECIFY_ORDER_LINE => {
            "There are multiple packages that can be shipped, please specify the order line"
        }
        codes::TRACKING_USED => "tracking no has been used",
        codes::TRACKING_OVER_LIMIT => "tracking no used times over limit",
        codes::NOT_SHIPPED_YET => "The package has not been shipped yet.",
        codes::ALREADY_DELIVERED => "The package has already been delivered.",
        codes::UPDATE_WINDOW_PASSED => {
            "Shipping information can only be updated within 72 hours of shipment."
        }
        codes::UPDATED_ONCE => "Shipping information can only be updated once.",
        _ => "unknown error",
    }
}

fn api_error(code: i64) -> ApiError {
    ApiError::ok_status(code, message(code))
}

/// TikTok's QPS limit is per API (§4): every order's or package's path is
/// one API, so the window is keyed by the path template (as inventory.rs).
fn api_qps(sim: &TikTokSim, a: &Authed, api: &str) -> Result<(), ApiError> {
    let mut st = sim.state();
    let limit = st.qps_limit as usize;
    let key = (
        a.param("app_key").unwrap_or_default().to_string(),
        a.shop.id.clone(),
        api.to_string(),
    );
    let window = st.windows.entry(key).or_default();
    let now = Instant::now();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        window.pop_front();
    }
    if window.len() >= limit {
        return Err(ApiError {
            http: StatusCode::TOO_MANY_REQUESTS,
            code: 36009002,
            message: "Too many requests".into(),
        });
    }
    window.push_back(now);
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The endpoints over HTTP, signed exactly as a client signs them.
    use super::*;

    use serde_json::{json, Value};

    use crate::seed::TikTokSeed;
    use crate::seed::{DeliveryOptionSeed, OrderSeed, ShippingProviderSeed, ShopSeed};
    use crate::tiktok::TikTokSim;
    use crate::{spawn_tiktok, RunningSim, TikTokConfig};

    const US: &str = "7494049642642441621";
    const GB: &str = "7494726673780148744";
    pub(super) const ID_SHOP: &str = "7494049642642449999";
    const US_ORDER: &str = "576461413038785752";
    const GB_ORDER: &str = "578903215467812301";
    const ID_ORDER: &str = "579000000000000001";
    const ID_PACKAGE: &str = "1153132168123859901";
    const USPS: &str = "7117858858072016686";
    const UPS: &str = "7117859084421600001";
    const ROYAL_MAIL: &str = "7117859084421600101";
    const JNE: &str = "7117859084421600201";

    struct Harness {
        sim: RunningSim<TikTokSim>,
        key: String,
        secret: String,
        http: reqwest::Client,
    }

    /// The default seed plus an Indonesian shop (a Ship Package market)
    /// with one paid order in one package.
    pub(super) fn seed() -> TikTokSeed {
        let mut seed = crate::default_seed().tiktok;
        let mut id_shop: ShopSeed = seed.shops[0].clone();
        id_shop.id = ID_SHOP.into();
        id_shop.region = "ID".into();
        id_shop.cipher = "ROW_sim_id_cipher".into();
        id_shop.access_token = "TTP_sim_id_token".into();
        id_shop.refresh_token = "TTP_sim_id_rt".into();
        seed.shops.push(id_shop);
        let mut order = seed.orders[0].order.clone();
        order["id"] = json!(ID_ORDER);
        order["delivery_option_id"] = json!("7091146663229659001");
        order["packages"] = json!([{ "id": ID_PACKAGE }]);
        if let Some(lines) = order["line_items"].as_array_mut() {
            for (i, l) in lines.iter_mut().enumerate() {
                l["id"] = json!(format!("57900000000000010{i}"));
                l["package_id"] = json!(ID_PACKAGE);
            }
        }
        seed.orders.push(OrderSeed {
            shop_id: ID_SHOP.into(),
            order,
        });
        seed.delivery_options.push(DeliveryOptionSeed {
            shop_id: ID_SHOP.into(),
            id: "7091146663229659001".into(),
            name: "Regular".into(),
            kind: "SEND_BY_SELLER".into(),
            fulfilled_by_tiktok: false,
            shipping_providers: vec![ShippingProviderSeed {
                id: JNE.into(),
                name: "JNE".into(),
                tracking_prefix: None,
            }],
        });
        seed
    }

    async fn start() -> Harness {
        let seed = seed();
        let sim = spawn_tiktok(seed.clone(), TikTokConfig::default())
            .await
            .unwrap();
        Harness {
            sim,
            key: seed.app_key,
            secret: seed.app_secret,
            http: reqwest::Client::new(),
        }
    }

    impl Harness {
        fn shop(&self, id: &str) -> ShopSeed {
            self.sim
                .state
                .shops()
                .into_iter()
                .find(|s| s.id == id)
                .unwrap()
        }

        /// A signed call; `body` None sends no body (GET). Returns the code.
        async fn call(&self, shop: &str, path: &str, body: Option<Value>) -> (i64, Value) {
            let shop = self.shop(shop);
            let ts = crate::now_secs().to_string();
            let q: Vec<(&str, &str)> = vec![
                ("app_key", &self.key),
                ("timestamp", &ts),
                ("shop_cipher", &shop.cipher),
            ];
            let raw = body.map(|b| b.to_string());
            let sign = shared::signing::tiktok::api_sign(
                &self.secret,
                path,
                &q,
                raw.as_deref().map(str::as_bytes),
            );
            let mut all = q.clone();
            all.push(("sign", &sign));
            let url = format!("{}{path}", self.sim.base_url);
            let req = match raw {
                Some(r) => self
                    .http
                    .post(url)
                    .header("content-type", "application/json")
                    .body(r),
                None => self.http.get(url),
            };
            let v: Value = req
                .query(&all)
                .header("x-tts-access-token", shop.access_token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (v["code"].as_i64().unwrap(), v["data"].clone())
        }

        async fn mark(&self, shop: &str, order: &str, body: Value) -> (i64, Value) {
            self.call(
                shop,
                &format!("/fulfillment/202309/orders/{order}/packages"),
                Some(body),
            )
            .await
        }

        fn order(&self, shop: &str, id: &str) -> Value {
            self.sim.state.state().orders[shop][id].clone()
        }
    }

    fn ship(ids: &[&str], tracking: &str, provider: &str) -> Value {
        json!({"order_line_item_ids": ids, "tracking_number": tracking, "shipping_provider_id": provider})
    }

    #[tokio::test]
    async fn providers_per_delivery_option_and_their_errors() {
        let h = start().await;
        let path = |o: &str| format!("/logistics/202309/delivery_options/{o}/shipping_providers");
        let (code, data) = h.call(US, &path("7091146663229654785"), None).await;
        assert_eq!(code, 0);
        assert_eq!(
            data["shipping_providers"][0],
            json!({"id": USPS, "name": "USPS"})
        );
        assert_eq!(data["shipping_providers"].as_array().unwrap().len(), 3);
        // Another shop's option, and a TikTok-fulfilled one.
        assert_eq!(
            h.call(US, &path("7091146663229654801"), None).await.0,
            21008116
        );
        assert_eq!(
            h.call(US, &path("7091146663229654790"), None).await.0,
            21008117
        );
        assert_eq!(h.sim.state.fulfillment_calls(US, SHIPPING_PROVIDERS_API), 3);
    }

    #[tokio::test]
    async fn partial_then_rest_updates_the_order_and_its_status() {
        let h = start().await;
        let (code, data) = h
            .mark(US, US_ORDER, ship(&["577086512123755101"], "9400111", USPS))
            .await;
        assert_eq!(code, 0, "{data}");
        let first_pkg = data["package_id"].as_str().unwrap().to_string();
        assert_ne!(
            first_pkg, "1153132168123859225",
            "a split gets a new package"
        );
        assert_eq!(data["order_line_item_ids"], json!(["577086512123755101"]));
        assert!(data.get("warning").is_none(), "a USPS number for USPS");
        let o = h.order(US, US_ORDER);
        assert_eq!(o["status"], "PARTIALLY_SHIPPING");
        let l = &o["line_items"][0];
        assert_eq!(l["tracking_number"], "9400111");
        assert_eq!(l["shipping_provider_id"], USPS);
        assert_eq!(l["package_id"], json!(first_pkg));
        assert_eq!(o["line_items"][1]["tracking_number"], Value::Null);
        assert!(h
            .sim
            .state
            .advance_order(US, US_ORDER, "IN_TRANSIT")
            .is_err());

        // Omitting the ids once something shipped: specify the order line.
        let body = json!({"tracking_number": "9400222", "shipping_provider_id": USPS});
        assert_eq!(h.mark(US, US_ORDER, body).await.0, 21011048);

        let (code, data) = h
            .mark(
                US,
                US_ORDER,
                ship(
                    &["577086512123755102", "577086512123755103"],
                    "9400222",
                    UPS,
                ),
            )
            .await;
        assert_eq!(code, 0);
        assert_eq!(
            data["package_id"], "1153132168123859225",
            "the rest is the old package"
        );
        assert_eq!(
            data["warning"]["message"],
            "The tracking number you entered does not match your selected logistics provider. Did you mean to select USPS?"
        );
        let o = h.order(US, US_ORDER);
        assert_eq!(o["status"], "AWAITING_COLLECTION");
        assert_eq!(o["packages"].as_array().unwrap().len(), 2);
        assert_eq!(o["line_items"][2]["shipping_provider_name"], "UPS");
        assert_eq!(h.sim.state.shipments(US, US_ORDER).len(), 2);

        h.sim
            .state
            .advance_order(US, US_ORDER, "IN_TRANSIT")
            .unwrap();
        assert_eq!(h.order(US, US_ORDER)["status"], "IN_TRANSIT");
    }

    #[tokio::test]
    async fn already_shipped_answers_the_same_whatever_the_tracking() {
        let h = start().await;
        let ids = [
            "577086512123755101",
            "577086512123755102",
            "577086512123755103",
        ];
        assert_eq!(h.mark(US, US_ORDER, ship(&ids, "9400111", USPS)).await.0, 0);
        let before = h.order(US, US_ORDER);
        assert_eq!(
            h.mark(US, US_ORDER, ship(&ids, "9400111", USPS)).await.0,
            21011020
        );
        assert_eq!(
            h.mark(US, US_ORDER, ship(&ids, "9400999", USPS)).await.0,
            21011020
        );
        // One already shipped id in the list refuses the whole call.
        assert_eq!(
            h.mark(US, US_ORDER, ship(&ids[..1], "9400999", USPS))
                .await
                .0,
            21011020
        );
        let body = json!({"tracking_number": "9400111", "shipping_provider_id": USPS});
        assert_eq!(h.mark(US, US_ORDER, body).await.0, 21011020);
        assert_eq!(h.order(US, US_ORDER), before, "nothing changed");
        assert_eq!(h.sim.state.fulfillment_calls(US, MARK_SHIPPED_API), 5);
        assert_eq!(h.sim.state.rejected_count(21011020), 4);
    }

    #[tokio::test]
    async fn bad_provider_tracking_and_line_items_are_refused() {
        let h = start().await;
        let one = ["577086512123755101"];
        // Royal Mail is the GB shop's provider, not offered for this option.
        assert_eq!(
            h.mark(US, US_ORDER, ship(&one, "9400111", ROYAL_MAIL))
                .await
                .0,
            21011022
        );
        assert_eq!(
            h.mark(US, US_ORDER, ship(&one, "9400-111", USPS)).await.0,
            21004012
        );
        assert_eq!(
            h.mark(US, US_ORDER, ship(&["1"], "9400111", USPS)).await.0,
            36009004
        );
        assert_eq!(
            h.mark(US, US_ORDER, ship(&[one[0], one[0]], "9400111", USPS))
                .await
                .0,
            36009004
        );
        assert_eq!(
            h.mark(US, US_ORDER, json!({"shipping_provider_id": USPS}))
                .await
                .0,
            36009004
        );
        // Another shop's order.
        assert_eq!(
            h.mark(US, GB_ORDER, ship(&one, "9400111", USPS)).await.0,
            21008111
        );
        // A cancelled unit.
        let mut o = h.order(US, US_ORDER);
        o["line_items"][0]["display_status"] = json!("CANCELLED");
        h.sim.state.upsert_order(US, o).unwrap();
        assert_eq!(
            h.mark(US, US_ORDER, ship(&one, "9400111", USPS)).await.0,
            21011007
        );
        assert!(h.sim.state.shipments(US, US_ORDER).is_empty());
    }

    #[tokio::test]
    async fn fbt_cancelled_and_unpaid_orders_are_refused() {
        let h = start().await;
        let one = ["577086512123755101"];
        let mut o = h.order(US, US_ORDER);
        o["fulfillment_type"] = json!("FULFILLMENT_BY_TIKTOK");
        h.sim.state.upsert_order(US, o.clone()).unwrap();
        assert_eq!(
            h.mark(US, US_ORDER, ship(&one, "9400111", USPS)).await.0,
            21008025
        );
        o["fulfillment_type"] = json!("FULFILLMENT_BY_SELLER");
        o["shipping_type"] = json!("TIKTOK");
        h.sim.state.upsert_order(US, o.clone()).unwrap();
        assert_eq!(
            h.mark(US, US_ORDER, ship(&one, "9400111", USPS)).await.0,
            21008025
        );
        o["shipping_type"] = json!("SELLER");
        o["status"] = json!("CANCELLED");
        h.sim.state.upsert_order(US, o.clone()).unwrap();
        assert_eq!(
            h.mark(US, US_ORDER, ship(&one, "9400111", USPS)).await.0,
            21011041
        );
        o["status"] = json!("ON_HOLD");
        h.sim.state.upsert_order(US, o).unwrap();
        assert_eq!(
            h.mark(US, US_ORDER, ship(&one, "9400111", USPS)).await.0,
            36009004
        );
    }

    /// Copies of the US order (own ids and package ids) for one recipient.
    fn add_copies(h: &Harness, n: usize, name: &str) -> Vec<String> {
        let template = h.order(US, US_ORDER);
        (0..n)
            .map(|i| {
                let mut o = template.clone();
                let id = format!("5764614130387{i:05}");
                o["id"] = json!(id);
                o["recipient_address"]["name"] = json!(name);
                o["packages"] = json!([{ "id": format!("9{id}") }]);
                for l in o["line_items"].as_array_mut().unwrap() {
                    l["package_id"] = json!(format!("9{id}"));
                }
                h.sim.state.upsert_order(US, o).unwrap();
                id
            })
            .collect()
    }

    #[tokio::test]
    async fn one_tracking_number_ships_up_to_twenty_orders_of_one_recipient() {
        let h = start().await;
        let ids = add_copies(&h, 21, "J*** D***");
        let all = [
            "577086512123755101",
            "577086512123755102",
            "577086512123755103",
        ];
        for id in &ids[..20] {
            assert_eq!(
                h.mark(US, id, ship(&all, "CONSOL1", USPS)).await.0,
                0,
                "{id}"
            );
        }
        assert_eq!(
            h.mark(US, &ids[20], ship(&all, "CONSOL1", USPS)).await.0,
            21011026
        );
        assert!(h.sim.state.shipments(US, &ids[20]).is_empty());
        // The seed order (same recipient) with its own tracking, then an
        // order of another recipient trying to reuse that tracking.
        let other = add_copies(&h, 22, "Someone Else").pop().unwrap();
        assert_eq!(h.mark(US, US_ORDER, ship(&all, "9400111", USPS)).await.0, 0);
        assert_eq!(
            h.mark(US, &other, ship(&all, "9400111", USPS)).await.0,
            21034012
        );
    }

    #[tokio::test]
    async fn ship_package_is_the_other_markets_call() {
        let h = start().await;
        let path = format!("/fulfillment/202309/packages/{ID_PACKAGE}/ship");
        let body =
            json!({"self_shipment": {"tracking_number": "JNE123", "shipping_provider_id": JNE}});
        // Mark Package As Shipped is not offered in ID; Ship Package not in US.
        let lines = ["579000000000000100"];
        assert_eq!(
            h.mark(ID_SHOP, ID_ORDER, ship(&lines, "JNE123", JNE))
                .await
                .0,
            36009004
        );
        let us_path = "/fulfillment/202309/packages/1153132168123859225/ship";
        assert_eq!(h.call(US, us_path, Some(body.clone())).await.0, 36009004);
        assert_eq!(h.call(ID_SHOP, &path, Some(json!({}))).await.0, 36009004);
        assert_eq!(h.call(ID_SHOP, &path, Some(body.clone())).await.0, 0);
        let o = h.order(ID_SHOP, ID_ORDER);
        assert_eq!(o["status"], "AWAITING_COLLECTION");
        assert!(o["line_items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["tracking_number"] == "JNE123" && l["package_id"] == ID_PACKAGE));
        assert_eq!(h.call(ID_SHOP, &path, Some(body)).await.0, 21008099);
        let other = "/fulfillment/202309/packages/1153132168123850000/ship";
        let body =
            json!({"self_shipment": {"tracking_number": "JNE9", "shipping_provider_id": JNE}});
        assert_eq!(h.call(ID_SHOP, other, Some(body)).await.0, 21008111);
    }

    #[tokio::test]
    async fn one_tracking_correction_within_72_hours() {
        let h = start().await;
        let all = [
            "577086512123755101",
            "577086512123755102",
            "577086512123755103",
        ];
        let path = format!("/fulfillment/202309/orders/{US_ORDER}/shipping_info/update");
        let fix = |t: &str| json!({"tracking_number": t, "shipping_provider_id": UPS});
        assert_eq!(h.call(US, &path, Some(fix("1Z999"))).await.0, 21011043);
        let (_, data) = h.mark(US, US_ORDER, ship(&all, "9400111", USPS)).await;
        let pkg = data["package_id"].as_str().unwrap().to_string();
        assert_eq!(h.call(US, &path, Some(fix("1Z999"))).await.0, 0);
        let o = h.order(US, US_ORDER);
        assert_eq!(o["line_items"][0]["tracking_number"], "1Z999");
        assert_eq!(o["line_items"][0]["shipping_provider_id"], UPS);
        assert_eq!(o["tracking_number"], "1Z999");
        // A second correction, even on the package path, is refused.
        let pkg_path = format!("/fulfillment/202309/packages/{pkg}/shipping_info/update");
        assert_eq!(h.call(US, &pkg_path, Some(fix("1Z998"))).await.0, 21011051);
        assert_eq!(h.sim.state.shipments(US, US_ORDER)[0].updates, 1);

        // GB: 72 h window, then delivered.
        let mut g = h.order(GB, GB_ORDER);
        g["delivery_option_id"] = json!("7091146663229654801");
        h.sim.state.upsert_order(GB, g).unwrap();
        let body = json!({"tracking_number": "RM1", "shipping_provider_id": ROYAL_MAIL});
        let (code, data) = h.mark(GB, GB_ORDER, body).await;
        assert_eq!(code, 0);
        let gb_pkg = data["package_id"].as_str().unwrap().to_string();
        assert_eq!(
            gb_pkg, "1153132168123859301",
            "the whole order is its pre-made package"
        );
        h.sim
            .state
            .age_shipment(GB, &gb_pkg, UPDATE_WINDOW_SECS + 1)
            .unwrap();
        let gb_path = format!("/fulfillment/202309/orders/{GB_ORDER}/shipping_info/update");
        let fix_gb = json!({"tracking_number": "RM2", "shipping_provider_id": ROYAL_MAIL});
        assert_eq!(h.call(GB, &gb_path, Some(fix_gb.clone())).await.0, 21011049);
        h.sim
            .state
            .advance_order(GB, GB_ORDER, "DELIVERED")
            .unwrap();
        assert_eq!(h.call(GB, &gb_path, Some(fix_gb)).await.0, 21011030);
    }

    #[tokio::test]
    async fn controls_show_shipments_and_counts_over_http() {
        let h = start().await;
        let all = [
            "577086512123755101",
            "577086512123755102",
            "577086512123755103",
        ];
        let (_, data) = h.mark(US, US_ORDER, ship(&all, "9400111", USPS)).await;
        let pkg = data["package_id"].as_str().unwrap().to_string();
        let base = &h.sim.base_url;
        let show: Value = h
            .http
            .get(format!("{base}/_sim/fulfillment/{US}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(show["calls"][MARK_SHIPPED_API], 1);
        assert_eq!(show["shipments"][0]["tracking_number"], "9400111");
        assert_eq!(show["shipments"][0]["line_item_ids"], json!(all));
        let post = |path: &str, body: Value| {
            h.http
                .post(format!("{base}/_sim/fulfillment/{path}"))
                .json(&body)
                .send()
        };
        let r = post(
            "age",
            json!({"shop_id": US, "package_id": pkg, "seconds": 10}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        let r = post(
            "age",
            json!({"shop_id": US, "package_id": "nope", "seconds": 10}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 400);
        let r = post(
            "advance",
            json!({"shop_id": US, "order_id": US_ORDER, "status": "SHIPPED"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 400);
        let r = post(
            "advance",
            json!({"shop_id": US, "order_id": US_ORDER, "status": "DELIVERED"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(h.order(US, US_ORDER)["status"], "DELIVERED");
    }
}

#[cfg(test)]
mod client_tests {
    //! The shared fulfilment client and the tracking planner against this
    //! simulator, every call through `ShopSessions::call_with_refresh`.

    use serde_json::json;

    use shared::domain::{
        DeliveryOptionId, NetSuiteFulfillmentId, OrderId, OrderLineItemId, PackageId,
        ShippingProviderId, ShopId,
    };
    use shared::tracking::plan::{
        plan, CarrierTable, FulfilledLine, Fulfilment, PlanInput, PushKey, Pushed, SoLineUnits,
        TrackingPlan,
    };

    use shared::tiktok::fulfillment::{
        FulfilmentCallError, FulfilmentErrorClass, MarkShippedRequest, PushOutcome, SelfShipment,
        ShipCall, ShippingInfoTarget,
    };
    use shared::tiktok::ShopSessions;

    use super::{TikTokSim, MARK_SHIPPED_API, UPDATE_WINDOW_SECS};
    use crate::RunningSim;

    const US: &str = "7494049642642441621";
    const GB: &str = "7494726673780148744";
    const US_ORDER: &str = "576461413038785752";
    const GB_ORDER: &str = "578903215467812301";
    const USPS: &str = "7117858858072016686";
    const UPS: &str = "7117859084421600001";

    async fn setup() -> (RunningSim<TikTokSim>, ShopSessions) {
        let (sim, sessions, _) =
            crate::tiktok::client_harness::sessions(super::tests::seed()).await;
        (sim, sessions)
    }

    /// SO lines as the writer groups the order's units (group i ↔ line i+1).
    fn so_lines(order: &shared::tiktok::model::Order) -> Vec<SoLineUnits> {
        shared::mapping::group_all_units(order)
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(i, g)| SoLineUnits {
                so_line: i as u32 + 1,
                units: g
                    .units
                    .into_iter()
                    .map(|(id, n)| (OrderLineItemId::new(id), n))
                    .collect(),
            })
            .collect()
    }

    fn fulfilment(order: &str, lines: &[(u32, u32)], tracking: &str) -> Fulfilment {
        Fulfilment {
            id: NetSuiteFulfillmentId::new("IF1"),
            order_id: OrderId::new(order),
            lines: lines
                .iter()
                .map(|(l, q)| FulfilledLine {
                    so_line: *l,
                    quantity: *q,
                })
                .collect(),
            tracking_numbers: vec![tracking.into()],
            ship_method: Some("USPS Priority Mail".into()),
        }
    }

    fn carriers() -> CarrierTable {
        CarrierTable(
            [("USPS Priority Mail".to_string(), "USPS".to_string())]
                .into_iter()
                .collect(),
        )
    }

    fn mark(order: &str, ids: &[&str], tracking: &str, provider: &str) -> ShipCall {
        ShipCall::MarkShipped(MarkShippedRequest {
            order_id: OrderId::new(order),
            order_line_item_ids: ids.iter().map(|i| OrderLineItemId::new(*i)).collect(),
            tracking_number: tracking.into(),
            shipping_provider_id: ShippingProviderId::new(provider),
        })
    }

    #[tokio::test]
    async fn a_planned_partial_shipment_reaches_tiktok_once() {
        let (sim, sessions) = setup().await;
        let shop = ShopId::new(US);
        let order = sessions
            .client()
            .get_order(
                &sessions.auth_for(&shop).await.unwrap(),
                &OrderId::new(US_ORDER),
            )
            .await
            .unwrap()
            .unwrap();
        let option = order.delivery_option_id.clone().unwrap();
        let providers = sessions.shipping_providers(&shop, &option).await.unwrap();
        assert_eq!(providers.len(), 3);
        let lines = so_lines(&order);
        let carriers = carriers();
        // One of the two tents (SO line 1) ships.
        let f = fulfilment(US_ORDER, &[(1, 1)], "9400111");
        let input = |order, pushed| PlanInput {
            fulfilment: &f,
            order,
            region: "US",
            so_lines: &lines,
            carriers: &carriers,
            providers: Some(&providers),
            pushed,
        };
        let TrackingPlan::Push { call, key, .. } = plan(input(&order, None)) else {
            panic!("expected a push")
        };
        assert_eq!(
            call,
            mark(US_ORDER, &["577086512123755101"], "9400111", USPS)
        );
        let PushOutcome::Shipped {
            package_id,
            warning: None,
        } = sessions.push_shipment(&shop, &call).await.unwrap()
        else {
            panic!("shipped, and no warning for a USPS number")
        };
        let shipped = sim.state.shipments(US, US_ORDER);
        assert_eq!(shipped.len(), 1);
        assert_eq!(shipped[0].line_item_ids, vec!["577086512123755101"]);
        assert_eq!(Some(PackageId::new(&shipped[0].package_id)), package_id);

        // The next run: recorded, nothing to send; TikTok shows the unit shipped.
        let pushed = Pushed { key, package_id };
        let now = sessions
            .client()
            .get_order(
                &sessions.auth_for(&shop).await.unwrap(),
                &OrderId::new(US_ORDER),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            plan(input(&now, Some(&pushed))),
            TrackingPlan::AlreadyPushed
        );
        assert_eq!(now.line_items[0].shipped_tracking(), Some("9400111"));
        assert_eq!(now.status, shared::domain::OrderStatus::PartiallyShipping);
        // Record lost: the plan still sends nothing (TikTok holds our tracking).
        assert_eq!(plan(input(&now, None)), TrackingPlan::AlreadyPushed);
        assert_eq!(sim.state.fulfillment_calls(US, MARK_SHIPPED_API), 1);
    }

    #[tokio::test]
    async fn already_shipped_same_tracking_is_success_other_is_corrected_once() {
        let (sim, sessions) = setup().await;
        let shop = ShopId::new(US);
        let units = ["577086512123755101", "577086512123755102"];
        let first = mark(US_ORDER, &units, "9400111", USPS);
        assert!(matches!(
            sessions.push_shipment(&shop, &first).await.unwrap(),
            PushOutcome::Shipped { .. }
        ));
        // A UPS number sent as USPS: shipped, with TikTok's warning.
        let ups_as_usps = mark(US_ORDER, &["577086512123755103"], "1Z777", USPS);
        let PushOutcome::Shipped { warning, .. } =
            sessions.push_shipment(&shop, &ups_as_usps).await.unwrap()
        else {
            panic!()
        };
        assert!(warning.is_some_and(|w| w.ends_with("Did you mean to select UPS?")));
        let again = sessions.push_shipment(&shop, &first).await.unwrap();
        // The shipment of the two tents (the headlamp has its own).
        let tents = || {
            sim.state
                .shipments(US, US_ORDER)
                .into_iter()
                .find(|s| s.line_item_ids.contains(&units[0].to_string()))
                .unwrap()
        };
        let pkg = tents().package_id;
        assert_eq!(
            again,
            PushOutcome::AlreadyShippedSameTracking {
                package_id: Some(PackageId::new(&pkg))
            }
        );
        let other = mark(US_ORDER, &units, "1Z999", UPS);
        let out = sessions.push_shipment(&shop, &other).await.unwrap();
        assert_eq!(
            out,
            PushOutcome::ShippedWithOtherTracking {
                package_id: Some(PackageId::new(&pkg)),
                tiktok_tracking: "9400111".into()
            }
        );
        let fix = SelfShipment {
            tracking_number: "1Z999".into(),
            shipping_provider_id: ShippingProviderId::new(UPS),
        };
        let target = ShippingInfoTarget::Package(PackageId::new(&pkg));
        let order = OrderId::new(US_ORDER);
        sessions
            .correct_tracking(&shop, &order, &target, &fix)
            .await
            .unwrap();
        assert_eq!(tents().tracking_number, "1Z999");
        let err = sessions
            .correct_tracking(&shop, &order, &target, &fix)
            .await
            .unwrap_err();
        assert!(
            matches!(
                &err,
                FulfilmentCallError::Refused {
                    code: 21011051,
                    class: FulfilmentErrorClass::CorrectionRefused,
                    ..
                }
            ),
            "{err}"
        );
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn refusals_come_back_classified_with_a_fix() {
        let (sim, sessions) = setup().await;
        let shop = ShopId::new(US);
        let one = ["577086512123755103"];
        // A provider of another shop: tracking/provider, a data fix.
        let err = sessions
            .push_shipment(
                &shop,
                &mark(US_ORDER, &one, "9400111", "7117859084421600101"),
            )
            .await
            .unwrap_err();
        let FulfilmentCallError::Refused {
            code, class, fix, ..
        } = &err
        else {
            panic!("{err}")
        };
        assert_eq!(
            (*code, class),
            (21011022, &FulfilmentErrorClass::TrackingOrProvider)
        );
        assert!(fix.contains("carrier table"), "{fix}");
        // FBT.
        let mut o = sim.state.state().orders[US][US_ORDER].clone();
        o["fulfillment_type"] = json!("FULFILLMENT_BY_TIKTOK");
        sim.state.upsert_order(US, o).unwrap();
        let err = sessions
            .push_shipment(&shop, &mark(US_ORDER, &one, "9400111", USPS))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            FulfilmentCallError::Refused {
                class: FulfilmentErrorClass::FulfilledByTikTok,
                ..
            }
        ));
        // A TikTok-fulfilled delivery option has no providers.
        let err = sessions
            .shipping_providers(&shop, &DeliveryOptionId::new("7091146663229654790"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("21008117"), "{err}");

        // GB: shipped, then the 72 h window passes.
        let gb = ShopId::new(GB);
        let mut g = sim.state.state().orders[GB][GB_ORDER].clone();
        g["delivery_option_id"] = json!("7091146663229654801");
        sim.state.upsert_order(GB, g).unwrap();
        let ids = [
            "577086512123756101",
            "577086512123756102",
            "577086512123756103",
        ];
        let royal = "7117859084421600101";
        sessions
            .push_shipment(&gb, &mark(GB_ORDER, &ids, "RM1", royal))
            .await
            .unwrap();
        let pkg = sim.state.shipments(GB, GB_ORDER)[0].package_id.clone();
        sim.state
            .age_shipment(GB, &pkg, UPDATE_WINDOW_SECS + 60)
            .unwrap();
        let fix = SelfShipment {
            tracking_number: "RM2".into(),
            shipping_provider_id: ShippingProviderId::new(royal),
        };
        let err = sessions
            .correct_tracking(
                &gb,
                &OrderId::new(GB_ORDER),
                &ShippingInfoTarget::Order(OrderId::new(GB_ORDER)),
                &fix,
            )
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            FulfilmentCallError::Refused {
                code: 21011049,
                class: FulfilmentErrorClass::CorrectionRefused,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn other_markets_ship_the_package_with_ship_package() {
        let (sim, sessions) = setup().await;
        let shop = ShopId::new(super::tests::ID_SHOP);
        let auth = sessions.auth_for(&shop).await.unwrap();
        let order = sessions
            .client()
            .get_order(&auth, &OrderId::new("579000000000000001"))
            .await
            .unwrap()
            .unwrap();
        let option = order.delivery_option_id.clone().unwrap();
        let providers = sessions.shipping_providers(&shop, &option).await.unwrap();
        let lines = so_lines(&order);
        let carriers = CarrierTable(
            [("USPS Priority Mail".to_string(), "jne".to_string())]
                .into_iter()
                .collect(),
        );
        let all: Vec<(u32, u32)> = lines
            .iter()
            .map(|l| (l.so_line, l.units.iter().map(|(_, n)| n).sum()))
            .collect();
        let f = fulfilment("579000000000000001", &all, "JNE777");
        let TrackingPlan::Push { call, .. } = plan(PlanInput {
            fulfilment: &f,
            order: &order,
            region: "ID",
            so_lines: &lines,
            carriers: &carriers,
            providers: Some(&providers),
            pushed: None,
        }) else {
            panic!()
        };
        assert!(
            matches!(&call, ShipCall::ShipPackage { package_id, .. } if package_id.as_str() == "1153132168123859901")
        );
        sessions.push_shipment(&shop, &call).await.unwrap();
        assert_eq!(
            sessions.push_shipment(&shop, &call).await.unwrap(),
            PushOutcome::AlreadyShippedSameTracking {
                package_id: Some(PackageId::new("1153132168123859901"))
            }
        );
        let s = sim
            .state
            .shipments(super::tests::ID_SHOP, "579000000000000001");
        assert_eq!((s.len(), s[0].via.as_str()), (1, "ship_package"));
        let _ = PushKey::of(&f);
    }

    #[tokio::test]
    async fn an_expired_token_is_refreshed_once() {
        let (sim, sessions) = setup().await;
        sim.state
            .set_token(US, None, Some(crate::now_secs() - 1))
            .unwrap();
        let shop = ShopId::new(US);
        let p = sessions
            .shipping_providers(&shop, &DeliveryOptionId::new("7091146663229654785"))
            .await
            .unwrap();
        assert_eq!(p[0].name, "USPS");
        assert_eq!(sim.state.rejected_count(105002), 1);
    }
}
