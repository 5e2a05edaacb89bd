//! Money from the RA (issue 28 §3; returns.md "Recommended flow", COMPLETE
//! row). When TikTok completes the refund, the RA is transformed to a Credit
//! Memo (RA from an invoice or SO) or Cash Refund (RA from a cash sale) with
//! `?replace=item`: one line per SKU at the sum of TikTok's per-line
//! `refund_subtotal`, plus the refunded shipping and tax, so the total equals
//! TikTok's `refund_total`. If the lines do not add up to the header (the
//! changelog rule `refund_total = subtotal + shipping + tax`), or a currency
//! differs from the order's, nothing is booked: it is held with both figures
//! (edge case 17). Return shipping paid by the seller is never here: it
//! arrives in the statement and the payout journal books it.

use std::collections::BTreeMap;

use super::record::{line_sku, ReturnRecord};
use crate::domain::{Money, Sku};

#[derive(Debug, Clone, PartialEq)]
pub struct CreditPlan {
    /// Per SKU: units and the amount TikTok refunded for them.
    pub lines: Vec<(Sku, u32, Money)>,
    pub shipping: Money,
    pub tax: Money,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CreditHold {
    #[error("TikTok's refund_total {tiktok} does not equal the lines' {lines}")]
    TotalMismatch { tiktok: Money, lines: Money },
    #[error("refund currency {refund:?} is not the order's {order:?}")]
    Currency { refund: String, order: String },
    #[error("the return has no lines to credit")]
    NoLines,
}

/// Plans the credit, or holds it with both figures.
pub fn plan_credit(r: &ReturnRecord, order_currency: &str) -> Result<CreditPlan, CreditHold> {
    if r.return_line_items.is_empty() {
        return Err(CreditHold::NoLines);
    }
    let currencies = std::iter::once(&r.refund_amount.currency).chain(
        r.return_line_items
            .iter()
            .map(|l| &l.refund_amount.currency),
    );
    for c in currencies {
        if !c.is_empty() && c != order_currency {
            return Err(CreditHold::Currency {
                refund: c.clone(),
                order: order_currency.to_string(),
            });
        }
    }
    let mut by: BTreeMap<Sku, (u32, Money)> = BTreeMap::new();
    let (mut shipping, mut tax) = (Money::ZERO, Money::ZERO);
    for l in &r.return_line_items {
        let e = by.entry(line_sku(l)).or_insert((0, Money::ZERO));
        e.0 += 1;
        e.1 += l.refund_amount.refund_subtotal;
        shipping += l.refund_amount.refund_shipping_fee;
        tax += l.refund_amount.refund_tax;
    }
    let subtotal: Money = by.values().map(|(_, m)| *m).sum();
    let lines_total = subtotal + shipping + tax;
    if lines_total != r.refund_amount.refund_total {
        return Err(CreditHold::TotalMismatch {
            tiktok: r.refund_amount.refund_total,
            lines: lines_total,
        });
    }
    Ok(CreditPlan {
        lines: by.into_iter().map(|(s, (q, m))| (s, q, m)).collect(),
        shipping,
        tax,
        total: lines_total,
    })
}
