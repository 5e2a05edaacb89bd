//! One decision per order type, made before mapping (issue 26).
//!
//! [`classify`] names what TikTok sent (order-types.md §2–§5, §8);
//! [`plan_type`] applies the shop's choice ([`super::order_rules`]) and the
//! amount checks; [`apply_shape`] puts the decided marks on the Sales Order
//! body. All three are plain functions over data.
//!
//! Rules (each from order-types.md; REC = its recommendation):
//! - `is_sample_order` → sample; `is_replacement_order` → replacement;
//!   `is_exchange_order` → exchange; `order_type` `ZERO_LOTTERY` → LIVE
//!   giveaway; `PRE_ORDER`, `MADE_TO_ORDER`, `BACK_ORDER` → their types;
//!   `NORMAL` or empty → a sale (a sale with an `is_gift` line is a sale with
//!   gift). An empty `order_type` falls back to the lines' deprecated
//!   `sku_type` when they all agree (§5 REC).
//! - Two of those at once, a replacement without `replaced_order_id`, an
//!   exchange without `exchange_source_order_id`, a pre-order without
//!   `release_date`, or an `order_type` not listed: no source documents
//!   them, so the order waits for review with the type named (§8 REC).
//! - Amounts: a sample, giveaway, replacement or exchange that carries money
//!   is held (§2, §3 REC: platform-issued samples may be paid by gift card,
//!   replacements are "$0" per Seller Center but the payload is
//!   unverified); a $0 order of a paid type is held too, since it usually
//!   means a payload the product misread.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{json, Value};

use super::order_rules::{GiveawayMode, OrderTypeRules, ReplacementMode, SampleMode, TypeFields};
use crate::domain::{Money, OrderId, OrderType};
use crate::taxonomy::{ErrorCode, Failure, Level};
use crate::tiktok::model::Order;

/// What kind of order this is, and what the type refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKind {
    pub order_type: OrderType,
    /// The original order of a replacement or an exchange.
    pub linked_order: Option<OrderId>,
    /// Live lines marked `is_gift`.
    pub gift_lines: usize,
    /// The retail value of the free units (all units of a free order, the
    /// gift lines of a sale): what finance reports for $0 orders.
    pub retail_value: Money,
}

impl OrderKind {
    /// The retail value the order log keeps: for a $0 type or an order with
    /// gift lines (what the finance report lists), else none.
    pub fn recorded_retail_value(&self) -> Option<Money> {
        (self.order_type.is_free() || self.gift_lines > 0).then_some(self.retail_value)
    }
}

/// TikTok's `order_type`, upper-cased; empty falls back to the lines'
/// common `sku_type`.
fn tiktok_type(order: &Order) -> String {
    let t = order.order_type.as_deref().unwrap_or("").trim();
    if !t.is_empty() {
        return t.to_ascii_uppercase();
    }
    let mut types = order.line_items.iter().map(|l| {
        l.sku_type
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_ascii_uppercase()
    });
    match types.next() {
        Some(first) if types.all(|t| t == first) => first,
        _ => String::new(),
    }
}

/// Names the order's type from its flags and `order_type`.
pub fn classify(order: &Order) -> OrderKind {
    let raw = tiktok_type(order);
    let base = match raw.as_str() {
        "" | "NORMAL" => None,
        "ZERO_LOTTERY" => Some(OrderType::Giveaway),
        "PRE_ORDER" => Some(OrderType::PreOrder),
        "MADE_TO_ORDER" => Some(OrderType::MadeToOrder),
        "BACK_ORDER" => Some(OrderType::BackOrder),
        other => Some(OrderType::Unknown(other.to_string())),
    };
    let mut named: Vec<(OrderType, &str)> = Vec::new();
    if order.is_sample_order {
        named.push((OrderType::Sample, "SAMPLE"));
    }
    if order.is_replacement_order {
        named.push((OrderType::Replacement, "REPLACEMENT"));
    }
    if order.is_exchange_order {
        named.push((OrderType::Exchange, "EXCHANGE"));
    }
    if let Some(b) = &base {
        named.push((b.clone(), raw.as_str()));
    }
    let linked_order = if order.is_replacement_order {
        order.replaced_order_id.clone()
    } else if order.is_exchange_order {
        order.exchange_source_order_id.clone()
    } else {
        None
    };
    let live = || order.line_items.iter().filter(|l| !l.is_cancelled());
    let gift_lines = live().filter(|l| l.is_gift).count();
    let order_type = match named.as_slice() {
        [] if gift_lines > 0 => OrderType::GiftWithPurchase,
        [] => OrderType::Sale,
        [(t, _)] => match t {
            OrderType::Replacement | OrderType::Exchange
                if linked_order
                    .as_ref()
                    .is_none_or(|o| o.as_str().trim().is_empty()) =>
            {
                OrderType::Unknown(format!(
                    "{} without its original order id",
                    t.as_str().to_ascii_uppercase()
                ))
            }
            OrderType::PreOrder if order.release_date.is_none() => {
                OrderType::Unknown("PRE_ORDER without release_date".into())
            }
            t => t.clone(),
        },
        several => OrderType::Unknown(
            several
                .iter()
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join("+"),
        ),
    };
    let free = order_type.is_free();
    let retail_value = live()
        .filter(|l| free || l.is_gift)
        .map(|l| {
            if l.gift_retail_price.is_zero() {
                l.original_price
            } else {
                l.gift_retail_price
            }
        })
        .sum();
    OrderKind {
        order_type,
        linked_order,
        gift_lines,
        retail_value,
    }
}

/// How the decided Sales Order differs from an ordinary sale's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SoShape {
    /// Every line at rate 0 (the builder zero-rates them: `units.rs`).
    pub free: bool,
    /// Marked "TikTok sample" (samples and giveaways).
    pub sample_mark: bool,
    pub class: Option<String>,
    pub department: Option<String>,
    pub customer_id: Option<String>,
    pub cost_account: Option<String>,
    /// The TikTok order this one replaces or exchanges.
    pub linked_order: Option<OrderId>,
    /// Expected ship date (`shipDate`).
    pub ship_date: Option<NaiveDate>,
}

/// What the order's type decides, before any mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypePlan {
    Write(SoShape),
    /// The shop chose not to write this type.
    Skip(String),
    /// Held for a person (needs review), with the type named.
    Hold(Failure),
}

fn hold(code: ErrorCode, reason: String, fix: &str) -> TypePlan {
    TypePlan::Hold(
        Failure::new(code, reason, fix)
            .retryable(false)
            .level(Level::Warning),
    )
}

/// Applies the shop's choice for the order's type and checks its amounts.
pub fn plan_type(kind: &OrderKind, order: &Order, rules: &OrderTypeRules) -> TypePlan {
    let t = &kind.order_type;
    if let OrderType::Unknown(name) = t {
        return hold(
            ErrorCode::UnknownOrderType,
            format!("TikTok order type {name} is not known to this version; it was not written as a sale"),
            "Check the order in Seller Center. Write it by hand in NetSuite and ignore it here, or resubmit once this version knows the type.",
        );
    }
    let p = &order.payment;
    let money = if p.total_amount.is_zero() {
        p.sub_total
    } else {
        p.total_amount
    };
    if t.is_free() && !money.is_zero() {
        return hold(
            ErrorCode::OrderTypeAmount,
            format!("{} order carries {money} {}; a {} is written at $0, so it was held", t.label(), p.currency, t.label().to_lowercase()),
            "Check the order in Seller Center (a platform-issued sample may be paid by gift card). Write it by hand and ignore it here, or change the shop's order_types choice and resubmit.",
        );
    }
    if !t.is_free() && money.is_zero() {
        return hold(
            ErrorCode::OrderTypeAmount,
            format!("{} order has a total of 0 {}; an ordinary order at $0 usually means a payload this version misread", t.label(), p.currency),
            "Check the order in Seller Center; resubmit it once it is understood, or ignore it.",
        );
    }
    let sample = |what: &str| match rules.sample.mode {
        SampleMode::Skip => TypePlan::Skip(format!("{what}: the shop skips samples")),
        SampleMode::ZeroSalesOrder => TypePlan::Write(SoShape {
            free: true,
            sample_mark: true,
            class: rules.sample.class.clone(),
            department: rules.sample.department.clone(),
            customer_id: rules.sample.customer_id.clone(),
            cost_account: rules.sample.cost_account.clone(),
            ..SoShape::default()
        }),
    };
    match t {
        OrderType::Sample => sample("sample"),
        OrderType::Giveaway => match rules.giveaway {
            GiveawayMode::AsSample => sample("LIVE giveaway"),
            GiveawayMode::Skip => TypePlan::Skip("LIVE giveaway: the shop skips giveaways".into()),
            GiveawayMode::Review => review(t),
        },
        OrderType::Replacement | OrderType::Exchange => match rules.replacement {
            ReplacementMode::ZeroSalesOrder => TypePlan::Write(SoShape {
                free: true,
                linked_order: kind.linked_order.clone(),
                ..SoShape::default()
            }),
            ReplacementMode::Skip => TypePlan::Skip(format!(
                "{}: the shop skips replacements and exchanges",
                t.label()
            )),
            ReplacementMode::Review => review(t),
        },
        OrderType::PreOrder => TypePlan::Write(SoShape {
            ship_date: order.release_date.and_then(|r| {
                let days = order.handling_duration.as_ref().and_then(|h| h.days);
                let business = order
                    .handling_duration
                    .as_ref()
                    .is_none_or(|h| !is_calendar(&h.kind));
                ship_date(r, days.unwrap_or(rules.pre_order.handling_days), business)
            }),
            ..SoShape::default()
        }),
        OrderType::MadeToOrder | OrderType::BackOrder => TypePlan::Write(SoShape {
            ship_date: order.handling_duration.as_ref().and_then(|h| {
                let from = order.paid_time.unwrap_or(order.create_time);
                ship_date(from, h.days?, !is_calendar(&h.kind))
            }),
            ..SoShape::default()
        }),
        _ => TypePlan::Write(SoShape::default()),
    }
}

fn review(t: &OrderType) -> TypePlan {
    hold(
        ErrorCode::OrderTypeReview,
        format!("{} order: this shop reviews {} orders before they are written", t.label(), t.label().to_lowercase()),
        "Write it by hand and ignore it here, or change the shop's order_types choice and resubmit.",
    )
}

fn is_calendar(kind: &Option<String>) -> bool {
    kind.as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("CALENDAR_DAY"))
}

/// `from` (unix seconds, UTC date) plus `days` calendar or business days
/// (business days skip Saturdays and Sundays; public holidays are not
/// known here, so a date can be a holiday early, never late by our count).
pub fn ship_date(from: i64, days: u32, business: bool) -> Option<NaiveDate> {
    let mut d = chrono::DateTime::from_timestamp(from, 0)?.date_naive();
    if !business {
        return d.checked_add_signed(Duration::days(i64::from(days)));
    }
    let mut left = days;
    while left > 0 {
        d = d.succ_opt()?;
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(d)
}

/// Puts the decided marks on a built Sales Order body: the type, the
/// sample mark and its class/department/customer, the link to the
/// original, the expected ship date. `original_so` is the original's
/// NetSuite id when it was found.
pub fn apply_shape(
    body: &mut Value,
    kind: &OrderKind,
    shape: &SoShape,
    fields: &TypeFields,
    original_so: Option<&str>,
) {
    let mut set = |f: &Option<String>, v: Value| {
        if let Some(f) = f {
            body[f.as_str()] = v;
        }
    };
    set(&fields.order_type, json!(kind.order_type.as_str()));
    if shape.sample_mark {
        set(&fields.sample_mark, json!(true));
    }
    if let Some(a) = &shape.cost_account {
        set(&fields.cost_account, json!({ "id": a }));
    }
    if let Some(o) = &shape.linked_order {
        set(&fields.original_order, json!(o.as_str()));
        if let Some(so) = original_so {
            set(&fields.original_sales_order, json!({ "id": so }));
        }
    }
    for (k, v) in [("class", &shape.class), ("department", &shape.department)] {
        if let Some(id) = v {
            body[k] = json!({ "id": id });
        }
    }
    if let Some(c) = &shape.customer_id {
        body["entity"] = json!({ "id": c });
    }
    if let Some(d) = shape.ship_date {
        body["shipDate"] = json!(d.format("%Y-%m-%d").to_string());
    }
    if let Some(o) = &shape.linked_order {
        let memo = body["memo"].as_str().unwrap_or_default().to_string();
        let so = original_so
            .map(|s| format!(" (Sales Order {s})"))
            .unwrap_or_default();
        body["memo"] = json!(format!(
            "{memo}; {} of TikTok order {o}{so}",
            kind.order_type.label().to_lowercase()
        ));
    }
}

#[cfg(test)]
#[path = "order_kind_tests.rs"]
mod tests;
