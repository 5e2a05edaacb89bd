//! The next step for one packed Item Fulfillment (one TikTok package), as a
//! plain function over what is known: the saved label state, the market,
//! the order as TikTok shows it now, and the package's measures
//! (tiktok-shipping.md §1, §3 and its recommended flow).
//!
//! **No second label.** TikTok's label calls take no idempotency key
//! (tiktok-shipping.md §3). So:
//! - before Create Packages the state is saved as [`LabelState::Buying`];
//!   a `Buying` state whose answer was lost (timeout, dropped connection,
//!   crash) is never followed by another purchase until the order's
//!   packages have been read *in this attempt*. If a package covers the
//!   Item Fulfillment's line items, it is adopted; only if none does may
//!   the purchase be tried again;
//! - the package id TikTok returns is saved ([`LabelState::Bought`]) before
//!   any other call (document, NetSuite);
//! - an "already bought/shipped" answer ([`super::LabelOutcome::AlreadyDone`])
//!   leads to the same read, never to a purchase.

use super::measure::{tiktok_measures, PackedMeasures};
use super::refusal::LabelRefusal;

/// Where the label of one Item Fulfillment stands (saved in DynamoDB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelState {
    /// Nothing asked of TikTok yet.
    New,
    /// Create Packages (US) or Ship Package (elsewhere) was sent; its answer
    /// is not known. Outside the US `package_id` is TikTok's pre-made one.
    Buying { package_id: Option<String> },
    /// TikTok holds the label for this package.
    Bought { package_id: String },
    /// The PDF is in the File Cabinet, attached; tracking written.
    Done {
        package_id: String,
        tracking_number: String,
    },
}

/// Where the seller's shop is: it decides the call (tiktok-shipping.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Market {
    /// GESS → Create Packages → document.
    Us,
    /// UK, EU, SEA: the package exists; Ship Package → document.
    Handover,
}

/// One TikTok package as Get Order Detail / Get Package Detail show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TikTokPackage {
    pub id: String,
    pub line_item_ids: Vec<String>,
    /// `PROCESSING` (arranged), `FULFILLING`, `COMPLETED`, `CANCELLED`, or
    /// empty when TikTok has not arranged it yet.
    pub status: String,
}

/// The order as TikTok shows it now (read in this attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNow {
    /// `order_status`.
    pub status: String,
    pub is_buyer_request_cancel: bool,
    pub packages: Vec<TikTokPackage>,
}

/// What the I/O code does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Read the order (and its packages) before anything else.
    ReadOrder,
    /// US: ask for services, save `Buying`, then buy.
    Buy,
    /// Save this package id as bought (a lost answer reconciled), then go on.
    Adopt {
        package_id: String,
    },
    /// Outside the US: save `Buying{package_id}`, then Ship Package.
    Ship {
        package_id: String,
    },
    /// Fetch the document, store the PDF, write tracking on the IF.
    Document {
        package_id: String,
    },
    /// Nothing left to do.
    Finished,
    Refuse(LabelRefusal),
}

fn covers<'a>(order: &'a OrderNow, lines: &[String]) -> Option<&'a TikTokPackage> {
    order.packages.iter().find(|p| {
        p.status != "CANCELLED"
            && !lines.is_empty()
            && lines.iter().all(|l| p.line_item_ids.contains(l))
    })
}

/// The next step (module doc). `order` is `None` until read in this attempt.
pub fn next_step(
    state: &LabelState,
    market: Market,
    lines: &[String],
    measures: &PackedMeasures,
    order: Option<&OrderNow>,
) -> Step {
    match state {
        LabelState::Done { .. } => return Step::Finished,
        LabelState::Bought { package_id } => {
            return Step::Document {
                package_id: package_id.clone(),
            }
        }
        LabelState::New | LabelState::Buying { .. } => {}
    }
    let Some(order) = order else {
        return Step::ReadOrder;
    };
    let arranged = covers(order, lines).filter(|p| !p.status.is_empty());
    if let LabelState::Buying { .. } = state {
        // The answer was lost: what TikTok shows decides, never a re-buy on a guess.
        if let Some(p) = arranged {
            return Step::Adopt {
                package_id: p.id.clone(),
            };
        }
    }
    if let (LabelState::New, Some(p)) = (state, arranged) {
        // Bought in Seller Center (or by a run whose state was lost): adopt.
        return Step::Adopt {
            package_id: p.id.clone(),
        };
    }
    if order.status == "CANCEL" || order.status == "CANCELLED" || order.is_buyer_request_cancel {
        return Step::Refuse(LabelRefusal::BuyerCancellation);
    }
    match market {
        Market::Us => match tiktok_measures(measures) {
            Ok(_) => Step::Buy,
            Err(m) => Step::Refuse(LabelRefusal::MeasuresMissing { fix: m.fix() }),
        },
        Market::Handover => match covers(order, lines) {
            Some(p) => Step::Ship {
                package_id: p.id.clone(),
            },
            None => Step::Refuse(LabelRefusal::NoMatchingPackage),
        },
    }
}

#[cfg(test)]
#[path = "step_tests.rs"]
mod tests;
