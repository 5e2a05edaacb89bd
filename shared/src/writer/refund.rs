//! Refunds: a completed TikTok refund becomes one Credit Memo or Cash Refund.
//!
//! The refund is written under `externalId = tts-ret-{shop}-{return}` and
//! looked up by it first, so a repeated delivery is a Duplicate Refund note,
//! never a second memo. Its lines (refunded units grouped by SKU at TikTok's
//! refunded amounts, plus refunded shipping and tax as mapped) are decided by
//! [`plan_refund`], a plain function that also checks they add up to what
//! TikTok refunded.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::decision::Decision;
use super::items::Resolve;
use super::OrderSync;
use crate::domain::{Money, ShopId, Sku};
use crate::mapping::config::{Shipping, ShopMapping, Tax};
use crate::mapping::{num, ItemRef};
use crate::store::{OrderLogEntry, SyncStatus};
use crate::taxonomy::{ErrorCode, Failure, Level};
use crate::tiktok::aftersales::ReturnOrder;

/// Refunded units grouped by seller SKU: (units, refunded amount).
pub fn refunded_by_sku(ret: &ReturnOrder) -> BTreeMap<String, (u32, Money)> {
    let mut by_sku: BTreeMap<String, (u32, Money)> = BTreeMap::new();
    for l in &ret.return_line_items {
        let e = by_sku.entry(l.seller_sku.trim().to_string()).or_default();
        e.0 += 1;
        e.1 += l.refund_amount.refund_subtotal;
    }
    by_sku
}

/// The body lines of a refund and the total they book.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundPlan {
    pub lines: Vec<Value>,
    /// Refunded shipping booked in the header's `shippingCost` (no shipping item mapped).
    pub header_shipping: Option<Money>,
    pub total: Money,
}

/// Lines for the refunded SKUs (`items` in the order of [`refunded_by_sku`]'s
/// keys), shipping and tax per the mapping; fails with both figures when they
/// do not add up to TikTok's refund within a cent.
pub fn plan_refund(
    ret: &ReturnOrder,
    items: &[ItemRef],
    cfg: &ShopMapping,
) -> Result<RefundPlan, Box<Failure>> {
    let by_sku = refunded_by_sku(ret);
    let mut lines = Vec::new();
    let mut total = Money::ZERO;
    for ((sku, (q, amount)), item) in by_sku.iter().zip(items) {
        total += *amount;
        lines.push(json!({
            "item": { "id": item.id }, "quantity": q, "rate": num((*amount / Decimal::from((*q).max(1))).round_dp(4)),
            "amount": num(*amount), "price": { "id": cfg.price_level }, "description": format!("TikTok refund {} ({sku})", ret.return_id),
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
        return Err(Box::new(Failure::new(
            ErrorCode::TotalMismatch,
            format!(
                "refund {} lines add up to {total}, TikTok refunded {expected} {}",
                ret.return_id, amounts.currency
            ),
            "Check the refund in Seller Center and the shop's shipping/tax mapping; nothing was written.",
        )));
    }
    Ok(RefundPlan {
        lines,
        header_shipping,
        total,
    })
}

/// SuiteQL for the invoices and cash sales created from a Sales Order.
pub fn billed_from_query(so_id: &str) -> String {
    format!(
        "SELECT t.id, t.type FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.createdfrom = {} AND tl.mainline = 'T'",
        crate::netsuite::sql_quote(so_id)
    )
}

impl OrderSync<'_> {
    /// Reads the refund record back (lines expanded) and compares its lines,
    /// quantities per item and total with the body sent ([`super::verify`]).
    async fn check_booked(
        &self,
        record: &str,
        id: &str,
        body: &Value,
        intended: Money,
        return_id: &str,
    ) -> Result<(), Failure> {
        let rec = match self.netsuite.get(record, id, true).await {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Err(Failure::new(
                    ErrorCode::RefundCreationFailed,
                    format!("{record} {id} for return {return_id} cannot be read back"),
                    "Check the record in NetSuite; resubmit once it is there or deleted.",
                ))
            }
            Err(e) => return Err(Failure::from(&e)),
        };
        let Some(found) = super::verify::differences(&rec, body, Some(intended)) else {
            return Ok(());
        };
        Err(Failure::new(
            ErrorCode::RefundCreationFailed,
            format!("{record} {id} for return {return_id} holds {found} (the refund is {intended})"),
            "Correct or delete the record in NetSuite (it credits a different amount than TikTok refunded), then resubmit the order.",
        )
        .retryable(false))
    }

    /// Return status changed: book completed refunds, log everything else.
    pub(super) async fn on_return_event(
        &self,
        shop: &ShopId,
        return_id: &str,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        let keep = previous.map_or(SyncStatus::Waiting, |p| p.sync_status.clone());
        let tiktok_status = previous
            .map(|p| p.tiktok_status.clone())
            .unwrap_or_default();
        let client = self.shops.client();
        let ret = match self
            .shops
            .call_with_refresh(shop, |auth| async move {
                client.get_return(&auth, return_id).await
            })
            .await
        {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Decision::failed(
                    &tiktok_status,
                    Failure::new(
                        ErrorCode::NotFound,
                        format!("TikTok returned no return {return_id} for shop {shop}"),
                        "Usually transient; retried automatically.",
                    ),
                )
            }
            Err(e) => return Decision::failed(&tiktok_status, Failure::from(&e)),
        };
        if ret.is_replacement() {
            return Decision::ok(
                keep,
                &tiktok_status,
                format!(
                    "replacement {} ({}): logged, not refunded",
                    ret.return_id, ret.return_status
                ),
            );
        }
        if !ret.is_refund_complete() {
            return Decision::ok(
                keep,
                &tiktok_status,
                format!(
                    "return {} is {}: logged, refund booked when complete",
                    ret.return_id, ret.return_status
                ),
            );
        }
        self.refund(shop, &ret, previous).await
    }

    /// A completed TikTok refund becomes one Credit Memo or Cash Refund.
    async fn refund(
        &self,
        shop: &ShopId,
        ret: &ReturnOrder,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        let status = previous
            .map(|p| p.tiktok_status.clone())
            .unwrap_or_default();
        let cfg = match self.mapping.for_shop(shop) {
            Ok(c) => c,
            Err(f) => return Decision::failed(&status, *f),
        };
        if let Some(f) = super::order::currency_mismatch(
            "refund",
            &ret.return_id,
            &ret.refund_amount.currency,
            cfg.books_currency.as_deref(),
        ) {
            return Decision::failed(&status, f);
        }
        let keep = previous.map_or(SyncStatus::Waiting, |p| p.sync_status.clone());
        let (record, source, source_type) = cfg.refund_record.record_type();
        let ext = crate::mapping::external_id(
            &format!("{}-ret", cfg.external_id_prefix),
            shop,
            &ret.return_id,
        );
        let fail = |f: Failure| Decision::failed(&status, f);
        match self.netsuite_id_of(record, &ext).await {
            Ok(Some(id)) => {
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
            Err(f) => return fail(f),
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

        let skus: Vec<Sku> = refunded_by_sku(ret).into_keys().map(Sku::new).collect();
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
        let plan = match plan_refund(ret, &items, cfg) {
            Ok(p) => p,
            Err(f) => return fail(*f),
        };
        let mut body = json!({
            "externalId": ext,
            "memo": format!("TikTok Shop refund {} for order {}", ret.return_id, ret.order_id),
            "item": { "items": plan.lines },
        });
        // Always stated: a transform copies the invoice's shipping otherwise.
        body["shippingCost"] = num(plan.header_shipping.unwrap_or(Money::ZERO));

        // From the invoice / cash sale when one exists, else standalone
        // against the customer. `createdfrom` is a column of the header line
        // in `transactionline` (mainline 'T'), not of `transaction`.
        let q = billed_from_query(&so_id);
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
                .transform(source, src_id, record, &body, &["item"])
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
                    .upsert_by_external_id(record, &ext, &body, &["item"])
                    .await
            }
        };
        let id = match written {
            Ok(Some(id)) => id,
            Ok(None) => match self.netsuite_id_of(record, &ext).await {
                Ok(Some(id)) => id,
                Ok(None) => return fail(super::order::no_id_after_write(record, &ext)),
                Err(f) => return fail(f),
            },
            Err(e) => {
                let mut f = Failure::from(&e);
                if !f.retryable {
                    f.code = ErrorCode::RefundCreationFailed;
                }
                return fail(f);
            }
        };
        // What NetSuite made, not what was sent: a record that credits more
        // (or less) than the refund is a failure with both figures.
        if let Err(f) = self
            .check_booked(record, &id, &body, plan.total, &ret.return_id)
            .await
        {
            return fail(f);
        }
        let from = billed.map_or_else(
            || "standalone".to_string(),
            |b| format!("from {source} {b}"),
        );
        let partial = ret
            .accepted_partial_refund()
            .map(|p| {
                format!(
                    ", a seller-proposed partial refund of {} {}",
                    p.amount, p.currency
                )
            })
            .unwrap_or_default();
        Decision::ok(
            SyncStatus::Refunded,
            &status,
            format!(
                "{} {id} ({from}) for return {}: {} {}{partial}",
                cfg.refund_record.label(),
                ret.return_id,
                plan.total,
                ret.refund_amount.currency
            ),
        )
        .on(&so_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderId;
    use crate::tiktok::aftersales::{AfterSaleLine, RefundAmount};
    use std::str::FromStr;

    fn d(s: &str) -> Money {
        Money::from_str(s).unwrap()
    }

    fn unit(sku: &str, amount: &str) -> AfterSaleLine {
        AfterSaleLine {
            order_line_item_id: String::new(),
            sku_id: String::new(),
            seller_sku: sku.into(),
            product_name: String::new(),
            refund_amount: RefundAmount {
                refund_subtotal: d(amount),
                ..Default::default()
            },
        }
    }

    fn ret(shipping: &str, tax: &str, subtotal: &str) -> ReturnOrder {
        ReturnOrder {
            return_id: "R1".into(),
            order_id: OrderId::new("O1"),
            return_type: "REFUND".into(),
            return_status: "RETURN_OR_REFUND_REQUEST_COMPLETE".into(),
            refund_amount: RefundAmount {
                currency: "GBP".into(),
                refund_total: Money::ZERO,
                refund_subtotal: d(subtotal),
                refund_shipping_fee: d(shipping),
                refund_tax: d(tax),
            },
            return_line_items: vec![
                unit("TENT", "50.00"),
                unit("TENT", "50.00"),
                unit("MUG", "9.00"),
            ],
            seller_proposed_return_type: None,
            partial_refund: None,
            buyer_rejected_partial_refund: false,
        }
    }

    #[test]
    fn lines_group_units_by_sku_and_add_up() {
        let cfg = ShopMapping::default();
        let items = [ItemRef { id: "105".into() }, ItemRef { id: "101".into() }];
        let p = plan_refund(&ret("5.99", "0", "109.00"), &items, &cfg).unwrap();
        assert_eq!(p.lines.len(), 2, "MUG then TENT, by SKU");
        assert_eq!(p.lines[1]["quantity"], 2);
        assert_eq!(p.header_shipping, Some(d("5.99")));
        assert_eq!(p.total, d("114.99"));
    }

    #[test]
    fn invoices_are_found_through_the_header_line_and_totals_checked_to_the_cent() {
        let q = billed_from_query("12'3");
        assert!(
            q.contains("tl.createdfrom = '12''3'") && q.contains("tl.mainline = 'T'"),
            "{q}"
        );
        assert!(!q.contains("FROM transaction WHERE createdfrom"), "{q}");
        let body = json!({"item": {"items": [{"item": {"id": "5"}, "quantity": 1}]}});
        let rec = |t: &str| json!({"total": t, "item": body["item"].clone()});
        assert!(
            super::super::verify::differences(&rec("109.00"), &body, Some(d("109.01"))).is_none()
        );
        assert!(
            super::super::verify::differences(&rec("218.00"), &body, Some(d("109.00"))).is_some()
        );
    }

    #[test]
    fn a_refund_that_does_not_add_up_names_both_figures() {
        let cfg = ShopMapping::default();
        let items = [ItemRef { id: "105".into() }, ItemRef { id: "101".into() }];
        let f = plan_refund(&ret("0", "0", "120.00"), &items, &cfg).unwrap_err();
        assert_eq!(f.code, ErrorCode::TotalMismatch);
        assert!(
            f.reason.contains("109.00") && f.reason.contains("120.00"),
            "{}",
            f.reason
        );
    }
}
