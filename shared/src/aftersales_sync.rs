//! Partial cancellations and refunds, on top of `OrderSync`.
//!
//! Both are idempotent by construction: a partial cancellation sets each
//! Sales Order line to the *absolute* quantity TikTok still expects (ordered
//! units minus every effective cancellation), so applying it twice changes
//! nothing; a refund is written under `externalId = tts-ret-{shop}-{return}`
//! and looked up by it first, so a repeated delivery is a Duplicate Refund
//! note, never a second Credit Memo.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::domain::{Money, ShopId, Sku};
use crate::mapping::config::{Shipping, Tax};
use crate::mapping::{money_of, num};
use crate::order_log::{OrderLogEntry, SyncStatus};
use crate::order_sync::{Decision, OrderSync, Resolve};
use crate::taxonomy::{ErrorCode, Failure, Level};
use crate::tiktok::aftersales::ReturnOrder;
use crate::tiktok::model::Order;

fn qty(l: &Value, k: &str) -> u32 {
    l.get(k)
        .and_then(|v| v.as_f64())
        .map_or(0, |f| f.max(0.0) as u32)
}

impl OrderSync<'_> {
    /// Some lines of a live order were cancelled: reduce or close exactly those.
    pub(crate) async fn partial_cancel(
        &self,
        shop: &ShopId,
        so_id: &str,
        order: &Order,
    ) -> Decision {
        let status = order.status.as_str();
        let keep_id = |mut d: Decision| {
            d.netsuite_id = Some(so_id.to_string());
            d
        };
        let auth = match self.shops.auth(shop).await {
            Ok(a) => a,
            Err(f) => return Decision::failed(status, f),
        };
        let cancels = match self.tiktok.cancellations_for_order(&auth, &order.id).await {
            Ok(c) => c,
            Err(e) => return Decision::failed(status, Failure::from(&e)),
        };
        // Units still wanted = order line items neither marked cancelled by
        // TikTok nor named by an effective cancellation; counted by line item
        // id, so it is right whichever way TikTok reports a partial cancel.
        let cancelled_ids: std::collections::HashSet<&str> = cancels
            .iter()
            .filter(|c| c.is_effective())
            .flat_map(|c| {
                c.cancel_line_items
                    .iter()
                    .map(|l| l.order_line_item_id.as_str())
            })
            .collect();
        // Bundle units map to several NetSuite lines at allocated prices; a
        // partial cancel of one is surfaced for a person, never dropped.
        let bundles: Vec<&str> = order
            .line_items
            .iter()
            .filter(|l| {
                !l.combined_listing_skus.is_empty()
                    && (l.is_cancelled() || cancelled_ids.contains(l.id.as_str()))
            })
            .map(|l| l.product_name.as_str())
            .collect();
        if !bundles.is_empty() {
            let mut d = keep_id(Decision::failed(
                status,
                Failure::new(
                    ErrorCode::OrderCancellationFailed,
                    format!("TikTok cancelled bundle unit(s) of {} in order {}; bundle lines are not reduced automatically", bundles.join(", "), order.id),
                    "Reduce or close the bundle's component lines on the Sales Order in NetSuite, then ignore the order here.",
                )
                .retryable(false)
                .level(Level::Warning),
            ));
            d.status = SyncStatus::NeedsReview;
            return d;
        }
        let mut cancelled: BTreeMap<String, u32> = BTreeMap::new();
        let mut remaining_units: BTreeMap<String, u32> = BTreeMap::new();
        for l in order
            .line_items
            .iter()
            .filter(|l| l.combined_listing_skus.is_empty())
        {
            let sku = l.seller_sku.trim().to_string();
            if l.is_cancelled() || cancelled_ids.contains(l.id.as_str()) {
                *cancelled.entry(sku).or_default() += 1;
            } else {
                *remaining_units.entry(sku).or_default() += 1;
            }
        }
        if cancelled.is_empty() {
            return keep_id(Decision::ok(
                SyncStatus::Updated,
                status,
                "cancellation without effective cancelled lines: nothing to change",
            ));
        }
        let skus: Vec<Sku> = cancelled.keys().map(|s| Sku::new(s.clone())).collect();
        let items = match self.resolve_items(shop, skus.iter()).await {
            Ok(i) => i,
            Err(Resolve::Unlinked(s)) => {
                return Decision::failed(
                    status,
                    Failure::new(
                        ErrorCode::OrderCancellationFailed,
                        format!("cancelled SKU {} has no NetSuite item", s.join(", ")),
                        "Link the SKU (`tiktok-netsuite skus link`) and resubmit, or close the line in NetSuite by hand.",
                    ),
                )
            }
            Err(Resolve::Failed(f)) => return Decision::failed(status, f),
        };
        let so = match self.netsuite.get("salesOrder", so_id, true).await {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Decision::failed(
                    status,
                    Failure::new(
                        ErrorCode::NotFound,
                        format!("Sales Order {so_id} is no longer in NetSuite"),
                        "Check whether it was deleted; ignore the order once checked.",
                    )
                    .retryable(false),
                )
            }
            Err(e) => return Decision::failed(status, Failure::from(&e)),
        };
        let lines = so["item"]["items"].as_array().cloned().unwrap_or_default();
        let mut patch = Vec::new();
        let mut too_late = Vec::new();
        let mut changed = Vec::new();
        for (sku, item) in skus.iter().zip(&items) {
            let remaining = remaining_units.get(sku.as_str()).copied().unwrap_or(0);
            for l in lines
                .iter()
                .filter(|l| l["item"]["id"].as_str() == Some(item.id.as_str()))
            {
                let (q, fulfilled) = (
                    qty(l, "quantity"),
                    qty(l, "quantityFulfilled").max(qty(l, "quantityBilled")),
                );
                if remaining < fulfilled {
                    too_late.push(format!("line {} ({sku}): fulfilled/billed {fulfilled}, TikTok now wants {remaining}", l["line"]));
                } else if remaining == 0 && l["isClosed"] != json!(true) {
                    patch.push(json!({ "line": l["line"], "isClosed": true }));
                    changed.push(format!("closed line {} ({sku})", l["line"]));
                } else if remaining > 0 && remaining != q {
                    let rate = money_of(&l["rate"]).unwrap_or_default();
                    patch.push(json!({ "line": l["line"], "quantity": remaining, "amount": num(rate * Decimal::from(remaining)) }));
                    changed.push(format!("line {} ({sku}) {q} → {remaining}", l["line"]));
                }
            }
        }
        if !too_late.is_empty() {
            let mut d = keep_id(Decision::failed(
                status,
                Failure::new(
                    ErrorCode::CancelledTooLate,
                    format!("TikTok cancelled units of order {} that Sales Order {so_id} already fulfilled or billed: {}", order.id, too_late.join("; ")),
                    "The Sales Order was left unchanged. Recover the shipped units or refund them in NetSuite by hand; ignore the order here when done.",
                )
                .retryable(false)
                .level(Level::Warning),
            ));
            d.status = SyncStatus::NeedsReview;
            return d;
        }
        if !patch.is_empty() {
            if let Err(e) = self
                .netsuite
                .patch("salesOrder", so_id, &json!({ "item": { "items": patch } }))
                .await
            {
                let mut f = Failure::from(&e);
                if !f.retryable {
                    f.code = ErrorCode::OrderCancellationFailed;
                }
                return keep_id(Decision::failed(status, f));
            }
        }
        let note = if changed.is_empty() {
            "cancelled lines already applied".to_string()
        } else {
            changed.join(", ")
        };
        keep_id(Decision::ok(
            SyncStatus::PartiallyCancelled,
            status,
            format!("partial cancellation: {note}"),
        ))
    }

    /// A completed TikTok refund becomes one Credit Memo or Cash Refund.
    pub(crate) async fn refund(
        &self,
        shop: &ShopId,
        ret: &ReturnOrder,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        let cfg = self.mapping.for_shop(shop);
        let status = previous
            .map(|p| p.tiktok_status.clone())
            .unwrap_or_default();
        let keep = previous.map_or(SyncStatus::Waiting, |p| p.sync_status.clone());
        let (record, source, source_type) = cfg.refund_record.record_type();
        let ext = crate::mapping::external_id(
            &format!("{}-ret", cfg.external_id_prefix),
            shop,
            &ret.return_id,
        );
        let fail = |f: Failure| Decision {
            status: SyncStatus::Failed,
            ..Decision::failed(&status, f)
        };
        match self.netsuite.get_by_external_id(record, &ext, false).await {
            Ok(Some(existing)) => {
                let id = existing.get("id").and_then(|v| v.as_str()).unwrap_or("?");
                let mut d = Decision::ok(
                    keep,
                    &status,
                    format!(
                        "return {}: {} {id} already booked",
                        ret.return_id,
                        cfg.refund_record.label()
                    ),
                );
                d.failure = Some(
                    Failure::new(
                        ErrorCode::DuplicateRefund,
                        format!("return {} was delivered again; {} {id} already books it, nothing was written", ret.return_id, cfg.refund_record.label()),
                        "Nothing to do.",
                    )
                    .retryable(false)
                    .level(Level::Success),
                );
                return d;
            }
            Ok(None) => {}
            Err(e) => return fail(Failure::from(&e)),
        }
        let order_ext =
            crate::mapping::external_id(&cfg.external_id_prefix, shop, ret.order_id.as_str());
        let so = match self.netsuite.get_by_external_id("salesOrder", &order_ext, false).await {
            Ok(Some(so)) => so,
            Ok(None) => {
                return fail(
                    Failure::new(
                        ErrorCode::NotFound,
                        format!("refund {} belongs to order {} which has no Sales Order in NetSuite", ret.return_id, ret.order_id),
                        "Retried automatically in case the order is still being written; otherwise resolve the order's own failure and resubmit the order, which replays this refund after it.",
                    )
                    .retryable(true),
                )
            }
            Err(e) => return fail(Failure::from(&e)),
        };
        let so_id = so
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();

        // Lines: returned units grouped by SKU at TikTok's refunded amounts.
        let mut by_sku: BTreeMap<String, (u32, Money)> = BTreeMap::new();
        for l in &ret.return_line_items {
            let e = by_sku.entry(l.seller_sku.trim().to_string()).or_default();
            e.0 += 1;
            e.1 += l.refund_amount.refund_subtotal;
        }
        let skus: Vec<Sku> = by_sku.keys().map(|s| Sku::new(s.clone())).collect();
        let items = match self.resolve_items(shop, skus.iter()).await {
            Ok(i) => i,
            Err(Resolve::Unlinked(s)) => {
                return fail(Failure::new(
                    ErrorCode::RefundCreationFailed,
                    format!("refunded SKU {} has no NetSuite item", s.join(", ")),
                    "Link the SKU (`tiktok-netsuite skus link`), then resubmit the refund.",
                ))
            }
            Err(Resolve::Failed(f)) => return fail(f),
        };
        let mut lines = Vec::new();
        let mut total = Money::ZERO;
        for (sku, item) in skus.iter().zip(&items) {
            let (q, amount) = by_sku[sku.as_str()];
            total += amount;
            lines.push(json!({
                "item": { "id": item.id }, "quantity": q, "rate": num((amount / Decimal::from(q.max(1))).round_dp(4)),
                "amount": num(amount), "price": { "id": cfg.price_level }, "description": format!("TikTok refund {} ({sku})", ret.return_id),
            }));
        }
        let amounts = &ret.refund_amount;
        let mut extra = |item: Option<&String>, amount: Money, what: &str| {
            if let (Some(item), false) = (item, amount.is_zero()) {
                total += amount;
                lines.push(json!({ "item": { "id": item }, "quantity": 1, "rate": num(amount), "amount": num(amount),
                                   "price": { "id": cfg.price_level }, "description": what }));
            }
        };
        let shipping_item = match &cfg.shipping {
            Shipping::Item { item_id } => Some(item_id),
            Shipping::ShippingCost => None,
        };
        extra(
            shipping_item,
            amounts.refund_shipping_fee,
            "TikTok refunded shipping",
        );
        let tax_item = match &cfg.tax {
            Tax::Item { item_id } => Some(item_id),
            _ => None,
        };
        extra(tax_item, amounts.refund_tax, "TikTok refunded tax");
        // Shipping is refunded either on its item line or, as on the Sales
        // Order, in the header's shippingCost; both count towards the total.
        let header_shipping = if shipping_item.is_none() && !amounts.refund_shipping_fee.is_zero() {
            total += amounts.refund_shipping_fee;
            Some(amounts.refund_shipping_fee)
        } else {
            None
        };
        let expected = amounts.refund_subtotal
            + amounts.refund_shipping_fee
            + if tax_item.is_some() {
                amounts.refund_tax
            } else {
                Money::ZERO
            };
        if (total - expected).abs() > Decimal::new(1, 2) {
            return fail(Failure::new(
                ErrorCode::TotalMismatch,
                format!("refund {} lines add up to {total}, TikTok refunded {expected} {}", ret.return_id, amounts.currency),
                "Check the refund in Seller Center and the shop's shipping/tax mapping; nothing was written.",
            ));
        }
        let mut body = json!({
            "externalId": ext,
            "memo": format!("TikTok Shop refund {} for order {}", ret.return_id, ret.order_id),
            "item": { "items": lines },
        });
        if let Some(shipping) = header_shipping {
            body["shippingCost"] = num(shipping);
        }

        // From the invoice / cash sale when one exists, else standalone against the customer.
        let q = format!(
            "SELECT id, type FROM transaction WHERE createdfrom = {}",
            crate::netsuite::sql_quote(&so_id)
        );
        let billed = match self.netsuite.suiteql(&q).await {
            Ok(rows) => rows
                .into_iter()
                .find(|r| r.get("type").and_then(|v| v.as_str()) == Some(source_type))
                .and_then(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string)),
            Err(e) => return fail(Failure::from(&e)),
        };
        let written = match &billed {
            Some(src_id) => self
                .netsuite
                .transform(source, src_id, record, &body)
                .await
                .map(Some),
            None => {
                body["entity"] = so.get("entity").cloned().unwrap_or(Value::Null);
                for k in ["subsidiary", "location", "currency"] {
                    if let Some(v) = so.get(k) {
                        body[k] = v.clone();
                    }
                }
                self.netsuite
                    .upsert_by_external_id(record, &ext, &body)
                    .await
            }
        };
        let id = match written {
            Ok(Some(id)) => id,
            Ok(None) => match self.netsuite.get_by_external_id(record, &ext, false).await {
                Ok(v) => v
                    .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
                    .unwrap_or_default(),
                Err(e) => return fail(Failure::from(&e)),
            },
            Err(e) => {
                let mut f = Failure::from(&e);
                if !f.retryable {
                    f.code = ErrorCode::RefundCreationFailed;
                }
                return fail(f);
            }
        };
        let from = billed.map_or_else(
            || "standalone".to_string(),
            |b| format!("from {source} {b}"),
        );
        let mut d = Decision::ok(
            SyncStatus::Refunded,
            &status,
            format!(
                "{} {id} ({from}) for return {}: {total} {}",
                cfg.refund_record.label(),
                ret.return_id,
                amounts.currency
            ),
        );
        d.netsuite_id = Some(so_id);
        d
    }
}
