//! The label job, driven from NetSuite (issue 27 item 3; tiktok-shipping.md
//! "Recommended flow"). Per shop with a `labels` folder, each run:
//!
//! 1. finds the **packed** Item Fulfillments (`shipStatus` B) of this
//!    shop's Sales Orders (`externalId` `{prefix}-{shop}-{order}`) by
//!    SuiteQL ([`packed_query`]), keyset pages of 1,000 by id;
//! 2. skips the ones whose label state is `Done` (nothing called); reads
//!    the rest from the record service with their sublists (the package's
//!    `packageWeight`, the size custom fields, the item lines);
//! 3. reads the TikTok order: only `shipping_type` TIKTOK orders get a
//!    label (others are the tracking job's); an Item Fulfillment carries
//!    the whole order's units, or it waits (split orders: see the README);
//! 4. runs the labels core ([`super::run::label_one`]: eligible services →
//!    Create Packages → shipping document; the package id saved before
//!    any other call, a lost answer read back, never re-bought), downloads
//!    the PDF at once (TikTok's link expires);
//! 5. writes TikTok's tracking number on the `package` sublist **with
//!    `?replace=package`** (a retry never appends a second line; the
//!    weight is kept), the carrier and package id on custom body fields;
//! 6. uploads the PDF to the shop's File Cabinet folder (looked up by name
//!    first, so a lost upload answer is never uploaded twice) and attaches
//!    it to the Item Fulfillment; then marks the label `Done`.
//!
//! Refusals (no eligible service, missing weight or size, an address
//! TikTok cannot ship to, a buyer cancellation in flight) go to the order
//! log (a history line with the code and the fix) and to the run log.

use async_trait::async_trait;
use serde_json::{json, Map, Value};

use super::measure::{
    PackedMeasures, HEIGHT_FIELD, LENGTH_FIELD, SIZE_UNIT_FIELD, WEIGHT_UNIT_FIELD, WIDTH_FIELD,
};
use super::run::{label_one, mark_done, LabelError, LabelReady, PackedFulfilment};
use super::step::Market;
use crate::clock::Clock;
use crate::domain::{OrderId, ShopId};
use crate::jobs::run::{JobError, Progress, ShopJob};
use crate::jobs::JobName;
use crate::mapping::config::MappingConfig;
use crate::netsuite::{column_text, NetSuiteClient, SUITEQL_MAX_LIMIT};
use crate::store::label_states::{LabelRecord, LabelStates};
use crate::store::{JobRun, LeaseState, OrderLog, RunFailure};
use crate::tiktok::ShopSessions;

/// Custom body field: the carrier TikTok names for the label.
pub const CARRIER_FIELD: &str = "custbody_tts_carrier";
/// Custom body field: TikTok's package id.
pub const PACKAGE_ID_FIELD: &str = "custbody_tts_package_id";
/// The Item Fulfillment custom fields the README's setup creates.
pub const IF_CUSTOM_FIELDS: &[&str] = &[
    WEIGHT_UNIT_FIELD,
    LENGTH_FIELD,
    WIDTH_FIELD,
    HEIGHT_FIELD,
    SIZE_UNIT_FIELD,
    CARRIER_FIELD,
    PACKAGE_ID_FIELD,
];
/// How many failures one run lists in the run log.
const LISTED_PER_RUN: usize = 50;

/// What one run knows of its shop.
struct ShopCtx<'c> {
    shop: &'c ShopId,
    folder: &'c str,
    market: Market,
    charges: Vec<&'c str>,
}

/// The label job over the shop's clients and stores.
pub struct LabelJob<'a> {
    pub shops: &'a ShopSessions,
    pub netsuite: &'a NetSuiteClient,
    pub states: &'a dyn LabelStates,
    pub log: &'a dyn OrderLog,
    pub mapping: &'a MappingConfig,
    pub clock: &'a dyn Clock,
}

/// Packed Item Fulfillments after `after_id`, with their Sales Order's
/// externalId (its prefix and shop are checked by the caller, as the
/// tracking job does).
pub fn packed_query(after_id: u64) -> String {
    format!(
        "SELECT t.id, so.externalid AS so_externalid FROM transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T' JOIN transaction so ON so.id = tl.createdfrom WHERE t.type = 'ItemShip' AND t.status = 'B' AND t.id > {after_id} ORDER BY t.id"
    )
}

/// What the warehouse typed on the packed Item Fulfillment (record read
/// with `expandSubResources`): the first package line's weight, the size
/// fields, and how many units it fulfils (lines of the `charges` items,
/// the shop's shipping, tax and discount items, are not units).
pub fn measures_of(rec: &Value, charges: &[&str]) -> (PackedMeasures, u64) {
    let text = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let body = |f: &str| text(rec.get(f));
    let items = |s: &str| -> Vec<Value> {
        rec.get(s)
            .and_then(|l| l.get("items"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let weight = items("package")
        .first()
        .and_then(|p| text(p.get("packageWeight")));
    let units = items("item")
        .iter()
        .filter(|l| {
            let item = l
                .get("item")
                .and_then(|i| i.get("id"))
                .and_then(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            !item.is_some_and(|i| charges.contains(&i.as_str()))
        })
        .filter_map(|l| l.get("quantity").and_then(Value::as_f64))
        .map(|q| q.abs().round() as u64)
        .sum();
    (
        PackedMeasures {
            weight,
            weight_unit: body(WEIGHT_UNIT_FIELD),
            length: body(LENGTH_FIELD),
            width: body(WIDTH_FIELD),
            height: body(HEIGHT_FIELD),
            size_unit: body(SIZE_UNIT_FIELD),
        },
        units,
    )
}

/// The order's line items a label covers (not cancelled), or `None` when
/// the order is not a TikTok Shipping order.
pub fn label_lines(order: &Value) -> Option<Vec<String>> {
    if order.get("shipping_type").and_then(Value::as_str) != Some("TIKTOK") {
        return None;
    }
    Some(
        order
            .get("line_items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|l| {
                !matches!(
                    l.get("display_status").and_then(Value::as_str),
                    Some("CANCELLED")
                ) && !l
                    .get("is_cancelled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            })
            .filter_map(|l| l.get("id").and_then(Value::as_str).map(str::to_string))
            .collect(),
    )
}

/// The PATCH that puts TikTok's label on the Item Fulfillment: one package
/// line (the weight kept), the carrier and package id.
pub fn label_patch(weight: Option<&str>, ready: &LabelReady) -> Value {
    let mut line = Map::new();
    line.insert("packageTrackingNumber".into(), json!(ready.tracking_number));
    line.insert(
        "packageDescr".into(),
        json!(format!("TikTok {}", ready.carrier)),
    );
    if let Some(w) = weight {
        line.insert("packageWeight".into(), json!(w));
    }
    json!({
        "package": {"items": [Value::Object(line)]},
        CARRIER_FIELD: ready.carrier,
        PACKAGE_ID_FIELD: ready.package_id,
    })
}

/// The label PDF's name in the File Cabinet (one per package).
pub fn pdf_name(ready: &LabelReady) -> String {
    format!("tiktok-label-{}.pdf", ready.package_id)
}

/// The shop's charge items (shipping, tax, discount lines on the Sales
/// Order): fulfilled with the order, never units in the box.
pub fn charge_items(cfg: &crate::mapping::config::ShopMapping) -> Vec<&str> {
    use crate::mapping::config::{SellerDiscount, Shipping, Tax};
    let mut out = Vec::new();
    if let Shipping::Item { item_id } = &cfg.shipping {
        out.push(item_id.as_str());
    }
    if let Tax::Item { item_id } = &cfg.tax {
        out.push(item_id.as_str());
    }
    if let SellerDiscount::Item { item_id } = &cfg.seller_discount {
        out.push(item_id.as_str());
    }
    out
}

fn ns(what: &str) -> impl Fn(crate::netsuite::NsError) -> JobError + '_ {
    move |e| JobError::Other(format!("NetSuite {what}: {e}"))
}

#[async_trait]
impl ShopJob for LabelJob<'_> {
    fn name(&self) -> JobName {
        JobName::Labels
    }

    async fn run(
        &self,
        shop: &ShopId,
        _start: &LeaseState,
        progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let cfg = match self.mapping.for_shop(shop) {
            Ok(c) => c,
            Err(f) => {
                run.note = format!("no labels: {}", f.reason);
                return Ok(String::new());
            }
        };
        let Some(labels) = &cfg.labels else {
            run.note = "no labels: the shop has no `labels` folder in the mapping".into();
            return Ok(String::new());
        };
        let ctx = ShopCtx {
            shop,
            folder: &labels.folder_id,
            market: self.market(shop).await?,
            charges: charge_items(cfg),
        };
        let mut after = 0u64;
        loop {
            let page = self
                .netsuite
                .suiteql_page(&packed_query(after), SUITEQL_MAX_LIMIT, 0)
                .await
                .map_err(ns("packed fulfilment query"))?;
            let Some(last) = page.items.last() else { break };
            after = column_text(last, "id").parse().unwrap_or(u64::MAX);
            for row in &page.items {
                let id = column_text(row, "id");
                let eid = column_text(row, "so_externalid");
                let head = crate::mapping::external_id(&cfg.external_id_prefix, shop, "");
                let Some(order) = eid
                    .strip_prefix(&head)
                    .filter(|o| !o.is_empty())
                    .map(OrderId::new)
                else {
                    continue;
                };
                self.one(&ctx, &id, &order, run).await?;
            }
            run.count("pages", 1);
            progress.commit(&after.to_string()).await?;
            if page.items.len() < SUITEQL_MAX_LIMIT || after == u64::MAX {
                break;
            }
        }
        Ok(String::new())
    }
}

impl LabelJob<'_> {
    /// US shops buy labels; everywhere else the package exists (§1).
    async fn market(&self, shop: &ShopId) -> Result<Market, JobError> {
        let client = self.shops.client();
        let shops = self
            .shops
            .call_with_refresh(shop, |auth| async move {
                client.get_authorized_shops(&auth.access_token).await
            })
            .await?;
        let region = shops
            .into_iter()
            .find(|s| s.id == *shop)
            .map(|s| s.region)
            .unwrap_or_default();
        Ok(if region.eq_ignore_ascii_case("US") {
            Market::Us
        } else {
            Market::Handover
        })
    }

    /// One packed Item Fulfillment to a label on it (module doc).
    async fn one(
        &self,
        ctx: &ShopCtx<'_>,
        if_id: &str,
        order: &OrderId,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        let (shop, folder, market) = (ctx.shop, ctx.folder, ctx.market);
        if let Some(LabelRecord::Done { .. }) = self.states.get(shop, if_id).await? {
            run.count("already_labelled", 1);
            return Ok(());
        }
        let Some(rec) = self
            .netsuite
            .get("itemFulfillment", if_id, true)
            .await
            .map_err(ns("Item Fulfillment read"))?
        else {
            return Ok(());
        };
        let client = self.shops.client();
        let raw = self
            .shops
            .call_with_refresh(shop, |auth| {
                let order = order.clone();
                async move { client.order_json(&auth, &order).await }
            })
            .await?;
        let Some(raw) = raw else {
            return self
                .refused(
                    shop,
                    order,
                    if_id,
                    "TikTok no longer returns the order",
                    "Check the order in Seller Center.",
                    run,
                )
                .await;
        };
        let Some(lines) = label_lines(&raw) else {
            run.count("not_tiktok_shipping", 1);
            return Ok(());
        };
        let (measures, units) = measures_of(&rec, &ctx.charges);
        if units != lines.len() as u64 {
            return self
                .refused(
                    shop,
                    order,
                    if_id,
                    &format!("the Item Fulfillment packs {units} of the order's {} units", lines.len()),
                    "Pack the whole order on one Item Fulfillment: labels for split orders are bought in Seller Center for now.",
                    run,
                )
                .await;
        }
        let f = PackedFulfilment {
            fulfilment_id: if_id.to_string(),
            order_id: order.clone(),
            line_item_ids: lines,
            measures,
        };
        let auth = self
            .shops
            .auth_for(shop)
            .await
            .map_err(|e| JobError::Other(e.to_string()))?;
        let ready = match label_one(self.shops.client(), &auth, self.states, market, &f).await {
            Ok(r) => r,
            Err(LabelError::Refused(r)) => {
                return self
                    .refused(
                        shop,
                        order,
                        if_id,
                        &format!("TikTok label refused ({})", r.code().as_str()),
                        &r.fix(),
                        run,
                    )
                    .await
            }
            Err(e) => {
                run.count("failed", 1);
                self.list(
                    run,
                    if_id,
                    order,
                    e.to_string(),
                    "The next run tries again.".into(),
                );
                return Ok(());
            }
        };
        self.write_back(folder, if_id, &f, &ready).await?;
        mark_done(self.states, shop, if_id, &ready).await?;
        let note = format!(
            "TikTok Shipping label {} ({}) on Item Fulfillment {if_id}, PDF attached",
            ready.tracking_number, ready.carrier
        );
        self.log.note(shop, order, &note, self.clock.now()).await?;
        run.count("labelled", 1);
        Ok(())
    }

    /// Tracking, carrier and the PDF on the Item Fulfillment (module doc 5, 6).
    async fn write_back(
        &self,
        folder: &str,
        if_id: &str,
        f: &PackedFulfilment,
        ready: &LabelReady,
    ) -> Result<(), JobError> {
        let patch = label_patch(f.measures.weight.as_deref(), ready);
        self.netsuite
            .patch_replacing("itemFulfillment", if_id, &patch, &["package"])
            .await
            .map_err(ns("tracking write"))?;
        let name = pdf_name(ready);
        let file = match self
            .netsuite
            .find_file(&name, folder)
            .await
            .map_err(ns("File Cabinet lookup"))?
        {
            Some(id) => id,
            None => self
                .netsuite
                .upload_file(&name, folder, &ready.pdf)
                .await
                .map_err(ns("label upload"))?,
        };
        self.netsuite
            .attach_file("itemFulfillment", if_id, &file)
            .await
            .map_err(ns("label attach"))
    }

    async fn refused(
        &self,
        shop: &ShopId,
        order: &OrderId,
        if_id: &str,
        reason: &str,
        fix: &str,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        run.count("refused", 1);
        let note = format!(
            "TikTok Shipping label for Item Fulfillment {if_id} not bought: {reason}. Fix: {fix}"
        );
        self.log.note(shop, order, &note, self.clock.now()).await?;
        self.list(run, if_id, order, reason.to_string(), fix.to_string());
        Ok(())
    }

    fn list(&self, run: &mut JobRun, if_id: &str, order: &OrderId, reason: String, fix: String) {
        if run.failures.len() < LISTED_PER_RUN {
            run.failures.push(RunFailure {
                subject: format!("Item Fulfillment {if_id} (order {order})"),
                reason,
                fix,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> LabelReady {
        LabelReady {
            package_id: "1153000000000000001".into(),
            tracking_number: "9400111899223344556677".into(),
            carrier: "USPS".into(),
            pdf: b"%PDF-1.4".to_vec(),
        }
    }

    #[test]
    fn the_packed_fulfilment_gives_its_weight_size_and_units() {
        let rec = json!({
            "custbody_tts_weight_unit": "lb",
            "custbody_tts_pkg_length": 12, "custbody_tts_pkg_width": "9",
            "custbody_tts_pkg_height": " 4 ", "custbody_tts_pkg_size_unit": "in",
            "package": {"items": [{"packageWeight": 2.5}]},
            "item": {"items": [{"quantity": 2.0}, {"quantity": 1}, {"item": {"id": "190"}, "quantity": 1}]},
        });
        let (m, units) = measures_of(&rec, &[]);
        assert_eq!(m.weight.as_deref(), Some("2.5"));
        assert_eq!(m.length.as_deref(), Some("12"));
        assert_eq!(m.height.as_deref(), Some("4"));
        assert_eq!(units, 4);
        assert_eq!(
            measures_of(&rec, &["190"]).1,
            3,
            "the shipping item is no unit"
        );
        let (m, units) = measures_of(&json!({"custbody_tts_pkg_length": ""}), &[]);
        assert_eq!((m.weight, m.length, units), (None, None, 0));
    }

    #[test]
    fn only_tiktok_shipping_orders_get_a_label_for_their_live_lines() {
        let o = json!({"shipping_type": "TIKTOK", "line_items": [
            {"id": "1"}, {"id": "2", "display_status": "CANCELLED"},
            {"id": "3", "is_cancelled": true}, {"id": "4"}]});
        assert_eq!(
            label_lines(&o),
            Some(vec!["1".to_string(), "4".to_string()])
        );
        assert_eq!(label_lines(&json!({"shipping_type": "SELLER"})), None);
        assert_eq!(label_lines(&json!({})), None);
    }

    #[test]
    fn the_write_back_is_one_package_line_replacing_the_sublist() {
        let p = label_patch(Some("2.5"), &ready());
        let lines = p["package"]["items"].as_array().unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["packageTrackingNumber"], "9400111899223344556677");
        assert_eq!(lines[0]["packageWeight"], "2.5");
        assert_eq!(p[CARRIER_FIELD], "USPS");
        assert_eq!(p[PACKAGE_ID_FIELD], "1153000000000000001");
        assert!(label_patch(None, &ready())["package"]["items"][0]
            .get("packageWeight")
            .is_none());
        assert_eq!(pdf_name(&ready()), "tiktok-label-1153000000000000001.pdf");
    }

    #[test]
    fn the_query_reads_packed_fulfilments_by_id() {
        let q = packed_query(41);
        assert!(q.contains("t.type = 'ItemShip' AND t.status = 'B'"), "{q}");
        assert!(q.ends_with("AND t.id > 41 ORDER BY t.id"), "{q}");
    }
}
