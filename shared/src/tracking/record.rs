//! What the tracking job does with each outcome: counts for the run log
//! (and its EMF metrics: `TrackingPushed`, `TrackingWaiting`, …), the
//! waiting and failed ones kept open (job state) with their fix, listed in
//! the run log; pushed ones closed.

use std::collections::BTreeMap;

use super::job::{Ctx, TrackingPush};
use super::plan::{PushKey, WaitReason};
use super::read::Shipped;
use super::state::{close_open, put_open, OpenFulfilment, OpenKind};
use crate::domain::NetSuiteFulfillmentId;
use crate::jobs::run::JobError;
use crate::store::{JobRun, RunFailure};
use crate::tiktok::fulfillment::FulfilmentCallError;
use crate::tiktok::ShopCallError;

/// Run-log entries listed per run for waiting and failed fulfilments; the
/// rest are counted (all stay open and in the digest).
const LISTED_PER_RUN: usize = 100;

/// What became of one fulfilment.
#[derive(Debug)]
pub enum Done {
    /// TikTok took it (`already`: it already showed our tracking).
    Pushed {
        warning: Option<String>,
        already: bool,
    },
    /// Update Shipping Info corrected TikTok's tracking.
    Corrected,
    AlreadyPushed,
    SkippedFulfilledByTikTok,
    /// TikTok Shipping: the label flow owns it (TikTok's tracking).
    LabelFlow,
    Waiting(WaitReason),
    Failed {
        reason: String,
        fix: String,
        retryable: bool,
    },
}

pub(super) fn failed(e: &FulfilmentCallError) -> Done {
    let fix = match e {
        FulfilmentCallError::Refused { fix, .. } => (*fix).to_string(),
        FulfilmentCallError::AlreadyShippedUnclear { .. } => "TikTok shows these units shipped with other or mixed tracking: compare the order in Seller Center with the Item Fulfillment; correct it there.".into(),
        FulfilmentCallError::Call(ShopCallError::Token(_)) => "Reconnect the shop (its TikTok authorization failed); the next run retries.".into(),
        FulfilmentCallError::Call(ShopCallError::TikTok(t))
            if t.code() == Some(crate::tiktok::error::CODE_SCOPE_NOT_GRANTED) =>
        {
            crate::tiktok::scopes::missing_scope_fix(t.system_call())
        }
        FulfilmentCallError::Call(_) => "TikTok did not answer usefully; the next run retries.".into(),
    };
    Done::Failed {
        reason: e.to_string(),
        fix,
        retryable: e.is_retryable(),
    }
}

/// The reason of a wait, for the run log.
pub fn wait_text(w: &WaitReason) -> String {
    match w {
        WaitReason::NeedsCarrierMapping { ship_method, .. } if ship_method.is_empty() => {
            "needs carrier mapping: the fulfilment has no ship method".into()
        }
        WaitReason::NeedsCarrierMapping { ship_method, .. } => {
            format!("needs carrier mapping: ship method '{ship_method}'")
        }
        WaitReason::NoDeliveryOption => "the TikTok order has no delivery option".into(),
        WaitReason::NoTrackingNumber => "no tracking number on the fulfilment".into(),
        WaitReason::UnknownFulfilmentType {
            fulfillment_type,
            shipping_type,
        } => format!(
            "TikTok fulfilment type '{fulfillment_type}' / shipping type '{shipping_type}' unknown"
        ),
        WaitReason::OrderCancelled => "TikTok cancelled the order".into(),
        WaitReason::UnknownSoLine(l) => format!("Sales Order line {l} carries no TikTok units"),
        WaitReason::MoreUnitsThanTikTok {
            so_line,
            fulfilled,
            unshipped,
        } => format!("line {so_line}: {fulfilled} fulfilled, {unshipped} left to ship in TikTok"),
        WaitReason::PartialBundleUnit(id) => format!("bundle unit {id} only partly fulfilled"),
        WaitReason::NotOnePackage { packages } => {
            format!(
                "the units are not one TikTok package ({})",
                packages.join(", ")
            )
        }
    }
}

pub(super) fn store_failed(e: crate::store::StoreError) -> Done {
    Done::Failed {
        reason: format!("TikTok took the tracking, but it could not be recorded: {e}"),
        fix:
            "Nothing to do: the next run finds TikTok already holding this tracking and records it."
                .into(),
        retryable: true,
    }
}

impl TrackingPush<'_> {
    /// Counts one outcome, and opens or closes the fulfilment.
    pub(super) async fn record(
        &self,
        ctx: &Ctx<'_>,
        s: Shipped,
        done: Done,
        open: &mut BTreeMap<NetSuiteFulfillmentId, OpenFulfilment>,
        run: &mut JobRun,
    ) -> Result<(), JobError> {
        let id = s.fulfilment.id.clone();
        let subject = format!("fulfilment {id} (order {})", s.fulfilment.order_id);
        let (kind, reason, fix, retry, needs_carrier) = match done {
            Done::Pushed { warning, already } => {
                run.count("pushed", 1);
                if already {
                    run.count("already_shipped_same_tracking", 1);
                }
                if let Some(w) = warning {
                    run.findings.push(format!("{subject}: TikTok warns: {w}"));
                }
                return self.close(ctx, &id, open).await;
            }
            Done::Corrected => {
                run.count("corrected", 1);
                return self.close(ctx, &id, open).await;
            }
            Done::AlreadyPushed => {
                run.count("already_pushed", 1);
                return self.close(ctx, &id, open).await;
            }
            Done::SkippedFulfilledByTikTok => {
                run.count("skipped_fulfilled_by_tiktok", 1);
                return self.close(ctx, &id, open).await;
            }
            Done::LabelFlow => {
                run.count("tiktok_shipping_label_flow", 1);
                return self.close(ctx, &id, open).await;
            }
            Done::Waiting(w) => {
                run.count("waiting", 1);
                let method = match &w {
                    WaitReason::NeedsCarrierMapping { ship_method, .. } => {
                        Some(ship_method.clone())
                    }
                    _ => None,
                };
                (OpenKind::Waiting, wait_text(&w), w.fix(), true, method)
            }
            Done::Failed {
                reason,
                fix,
                retryable,
            } => {
                run.count("failed", 1);
                (OpenKind::Failed, reason, fix, retryable, None)
            }
        };
        let listed = run
            .failures
            .iter()
            .filter(|f| f.subject.starts_with("fulfilment"))
            .count();
        if listed < LISTED_PER_RUN {
            run.failures.push(RunFailure {
                subject,
                reason: reason.clone(),
                fix: fix.clone(),
            });
        }
        let since = open.get(&id).map_or(self.clock.now(), |o| o.since);
        let o = OpenFulfilment {
            key: PushKey::of(&s.fulfilment),
            shipped: s,
            kind,
            reason,
            fix,
            retry,
            needs_carrier,
            since,
        };
        put_open(self.runs, ctx.shop, &o).await?;
        open.insert(id, o);
        Ok(())
    }

    async fn close(
        &self,
        ctx: &Ctx<'_>,
        id: &NetSuiteFulfillmentId,
        open: &mut BTreeMap<NetSuiteFulfillmentId, OpenFulfilment>,
    ) -> Result<(), JobError> {
        if open.remove(id).is_some() {
            close_open(self.runs, ctx.shop, id).await?;
        }
        Ok(())
    }
}
