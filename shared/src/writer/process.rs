//! One queued event through the writer: dispatch to its flow, fold the
//! outcome into the order log, add news to the admins' digest, and tell the
//! batch adapter whether SQS should redeliver it.

use async_trait::async_trait;

use super::batch::{EventProcessor, ProcessError};
use super::decision::Decision;
use super::event::WriterEvent;
use super::OrderSync;
use crate::domain::{OrderId, ShopId};
use crate::notify::{is_new_failure, AlertLine};
use crate::store::{EventStatus, OrderLogEntry, Outcome, QueuedEvent, SyncStatus};
use crate::taxonomy::{ErrorCode, Level};

/// The note of a retryable failure: will retry, or moving to the DLQ.
pub fn retry_note(receive_count: u32, max_receive_count: u32) -> String {
    if receive_count >= max_receive_count {
        format!("attempt {receive_count} of {max_receive_count}: moving to the dead-letter queue; resubmit when the cause is fixed")
    } else {
        format!("attempt {receive_count} of {max_receive_count}: will retry")
    }
}

/// A cancellation request that is not (yet) effective changes nothing: the
/// order keeps its status (and its open problems, which the order log keeps
/// by themselves); only the note records it.
fn request_logged(previous: Option<&OrderLogEntry>, note: String) -> Decision {
    Decision {
        status: previous.map_or(SyncStatus::Waiting, |p| p.sync_status.clone()),
        tiktok_status: previous
            .map(|p| p.tiktok_status.clone())
            .unwrap_or_default(),
        netsuite_id: None,
        external_id: None,
        note,
        failure: None,
        failed_skus: vec![],
        order_type: None,
        retail_value: None,
    }
}

impl OrderSync<'_> {
    async fn decide(
        &self,
        shop: &ShopId,
        event: &WriterEvent,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        // An operator ignored this order: later events are logged, never
        // acted on (no Sales Order, no refund) until it is un-ignored.
        if let Some(p) = previous.filter(|p| p.sync_status == SyncStatus::Ignored) {
            return Decision::ok(
                SyncStatus::Ignored,
                &p.tiktok_status,
                "ignored by an operator: this event was logged, not acted on (`tiktok-netsuite orders unignore` to write the order again)",
            );
        }
        match event {
            WriterEvent::OrderStatus { order, status_hint } => {
                self.on_order_event(shop, order, status_hint, false, previous)
                    .await
            }
            WriterEvent::Cancellation {
                order,
                cancel_status,
            } if cancel_status.is_effective() => {
                self.on_order_event(shop, order, "", true, previous).await
            }
            // Pending, withdrawn or rejected requests change nothing yet.
            WriterEvent::Cancellation { cancel_status, .. } => request_logged(
                previous,
                format!("cancellation request {cancel_status}: logged, not acted on"),
            ),
            WriterEvent::Return { return_id, .. } if self.returns.is_some() => {
                self.on_return_flow(shop, return_id, previous).await
            }
            WriterEvent::Return { return_id, .. } => {
                self.on_return_event(shop, return_id, previous).await
            }
            WriterEvent::NotHandled { .. } => {
                request_logged(previous, "event type not handled by the writer".into())
            }
        }
    }

    /// Best effort: the order log already holds the outcome, and resubmitted
    /// events have no archive record to mark.
    async fn mark_processed(&self, event: &QueuedEvent) {
        if let Err(e) = self
            .archive
            .set_status(
                &event.event_key,
                EventStatus::Processed,
                self.clock.now(),
                None,
            )
            .await
        {
            tracing::debug!(error = %e, "archive record not marked processed");
        }
    }

    fn note_for_admins(
        &self,
        shop: &ShopId,
        order: &OrderId,
        previous: Option<&OrderLogEntry>,
        outcome: &Outcome,
        dead: bool,
    ) {
        if let (Some(digest), Some(f)) = (self.digest, &outcome.failure) {
            if f.level != Level::Success && is_new_failure(previous, f, dead) {
                digest.push(AlertLine {
                    shop_id: shop.to_string(),
                    order_id: order.to_string(),
                    failure: f.clone(),
                    order_type: outcome.order_type.clone(),
                    dead_lettered: dead,
                });
            }
        }
    }
}

/// The expiry of webhook 7 (`data.expiration_time`, unix seconds, a string
/// in TikTok's example: tiktok-shop-api.md §2 "Type 7"; a number is taken too).
pub fn expiration_time(data: &serde_json::Value) -> Option<i64> {
    let v = data.get("expiration_time")?;
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|t| *t > 0)
}

impl OrderSync<'_> {
    /// Webhooks about the shop, not an order: 6 (seller deauthorization,
    /// doc 65095746defece02be4d749d) marks its tokens unusable and the shop
    /// disconnected; 7 (upcoming authorization expiration, doc
    /// 6509579c0fcef602bf11312c) records when the authorization ends. The
    /// daily digest tells the admins of both. `Ok(true)`: handled here.
    async fn on_shop_event(
        &self,
        kind: crate::domain::WebhookType,
        event: &QueuedEvent,
    ) -> Result<bool, ProcessError> {
        use crate::domain::WebhookType;
        let shop = &event.shop_id;
        let store = |e: crate::store::StoreError| ProcessError::Retryable(e.to_string());
        match kind {
            WebhookType::SellerDeauthorization => {
                let at = self.clock.now();
                let had = self
                    .shops
                    .disconnect(shop, at)
                    .await
                    .map_err(|e| ProcessError::Retryable(e.to_string()))?;
                if let Some(p) = self.profiles {
                    p.mark_disconnected(shop, at).await.map_err(store)?;
                }
                tracing::warn!(shop_id = %shop, had_tokens = had, "tiktok: the seller deauthorized the app; the shop's orders wait until it is connected again");
                Ok(true)
            }
            WebhookType::UpcomingAuthorizationExpiration => {
                match (expiration_time(&event.data), self.profiles) {
                    (Some(t), Some(p)) => p.mark_expiring(shop, t).await.map_err(store)?,
                    (None, _) => {
                        tracing::warn!(shop_id = %shop, "tiktok: authorization expiring, without a readable expiration_time")
                    }
                    _ => {}
                }
                tracing::warn!(shop_id = %shop, expires_at = expiration_time(&event.data), "tiktok: the shop's authorization expires soon; connect it again before then");
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl EventProcessor for OrderSync<'_> {
    async fn process(&self, event: &QueuedEvent, receive_count: u32) -> Result<(), ProcessError> {
        let parsed = WriterEvent::parse(event);
        if let WriterEvent::NotHandled { kind } = parsed {
            if self.on_shop_event(kind, event).await? {
                self.mark_processed(event).await;
                return Ok(());
            }
        }
        let Some(order_id) = parsed.order().cloned() else {
            tracing::info!(event_type = event.type_code, shop_id = %event.shop_id, "event type not handled by the order writer");
            self.mark_processed(event).await;
            return Ok(());
        };
        let previous = match self.batch.take(&event.shop_id, &order_id) {
            Some(read_for_the_batch) => read_for_the_batch,
            None => self.log.get(&event.shop_id, &order_id).await?,
        };
        let mut d = self
            .decide(&event.shop_id, &parsed, previous.as_ref())
            .await;
        // A disconnected shop's orders wait (not failed) until it is
        // connected again and they are resubmitted.
        if d.failure
            .as_ref()
            .is_some_and(|f| f.code == ErrorCode::ShopDisconnected)
        {
            d.status = SyncStatus::Waiting;
        }
        // A request that changed nothing carries the order's earlier failure
        // along; that failure is not this event's to retry.
        let retry = parsed.is_acted_on() && d.failure.as_ref().is_some_and(|f| f.retryable);
        let dead = retry && receive_count >= self.max_receive_count;
        if retry {
            d.note = retry_note(receive_count, self.max_receive_count);
        }
        let outcome = Outcome {
            shop_id: event.shop_id.clone(),
            order_id: order_id.clone(),
            tiktok_status: d.tiktok_status,
            sync_status: d.status,
            netsuite_id: d.netsuite_id,
            external_id: d.external_id,
            note: d.note,
            failure: d.failure,
            failed_skus: d.failed_skus,
            order_type: d.order_type,
            retail_value: d.retail_value,
            at: self.clock.now(),
            event: Some((event.type_code, event.data.clone())),
        };
        let entry = self.log.record_over(previous.clone(), &outcome).await?;
        emit_outcome(&outcome);
        self.note_for_admins(&event.shop_id, &order_id, previous.as_ref(), &outcome, dead);
        tracing::info!(
            shop_id = %event.shop_id,
            order_id = %order_id,
            sync_status = entry.sync_status.as_str(),
            code = outcome.failure.as_ref().map(|f| f.code.as_str().to_string()),
            netsuite_id = entry.netsuite_id.as_deref(),
            "order processed"
        );
        if retry {
            return Err(ProcessError::Retryable(
                outcome.failure.map(|f| f.reason).unwrap_or_default(),
            ));
        }
        self.mark_processed(event).await;
        Ok(())
    }

    /// One `BatchGetItem` for the log entries of the orders that start the
    /// batch (`batch_memo`); on an error each message reads its own.
    async fn prepare(&self, first_of_groups: &[QueuedEvent]) {
        self.batch.defer_checks();
        for (shop, orders) in super::batch_memo::orders_to_prefetch(first_of_groups) {
            match self.log.get_many(&shop, &orders).await {
                Ok(found) => self.batch.remember(&shop, &orders, found),
                Err(e) => {
                    tracing::warn!(error = %e, shop_id = %shop, "order log not read for the batch; each message reads its own")
                }
            }
        }
    }

    /// The batch's read-back checks, one `BatchWriteItem` per 25.
    async fn finish(&self) {
        self.write_checks().await;
    }
}

/// One EMF metric per processed event: what happened to the order, and for
/// a failure its code (the dimension the template's alarms and a dashboard
/// break failures down by).
fn emit_outcome(o: &Outcome) {
    let f = [("Function", "writer")];
    match &o.failure {
        Some(failure) => crate::metrics::emit(
            &[("Function", "writer"), ("Code", failure.code.as_str())],
            &[("OrdersFailed", 1)],
        ),
        None => match o.sync_status {
            SyncStatus::Created => crate::metrics::emit(&f, &[("OrdersCreated", 1)]),
            SyncStatus::Refunded => crate::metrics::emit(&f, &[("RefundsBooked", 1)]),
            SyncStatus::Cancelled | SyncStatus::PartiallyCancelled => {
                crate::metrics::emit(&f, &[("CancellationsApplied", 1)])
            }
            _ => crate::metrics::emit(&f, &[("EventsProcessed", 1)]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::{ErrorCode, Failure};

    #[test]
    fn webhook_7_expiry_reads_a_string_or_a_number() {
        let d = serde_json::json!({"message": "…", "expiration_time": "1627587506"});
        assert_eq!(expiration_time(&d), Some(1627587506));
        assert_eq!(
            expiration_time(&serde_json::json!({"expiration_time": 5})),
            Some(5)
        );
        assert_eq!(
            expiration_time(&serde_json::json!({"expiration_time": "soon"})),
            None
        );
        assert_eq!(expiration_time(&serde_json::json!({})), None);
    }

    #[test]
    fn retry_notes_say_what_happens_next() {
        assert_eq!(retry_note(1, 5), "attempt 1 of 5: will retry");
        assert!(retry_note(5, 5).contains("dead-letter queue"));
    }

    #[test]
    fn a_pending_request_keeps_the_order_as_it_was() {
        let d = request_logged(None, "n".into());
        assert_eq!((d.status, d.failure), (SyncStatus::Waiting, None));
        let failed = OrderLogEntry::apply(
            None,
            &Outcome {
                shop_id: ShopId::new("s"),
                order_id: OrderId::new("o"),
                tiktok_status: "AWAITING_SHIPMENT".into(),
                sync_status: SyncStatus::Failed,
                netsuite_id: None,
                external_id: None,
                note: String::new(),
                failure: Some(Failure::new(ErrorCode::UnlinkedProduct, "r", "f")),
                failed_skus: vec!["X".into()],
                order_type: None,
                retail_value: None,
                at: 0,
                event: None,
            },
        );
        let d = request_logged(Some(&failed), "n".into());
        assert_eq!(d.status, SyncStatus::Failed);
        assert_eq!(d.tiktok_status, "AWAITING_SHIPMENT");
        // Folded into the log, the order's failure and SKUs are still there.
        let mut o = Outcome {
            shop_id: ShopId::new("s"),
            order_id: OrderId::new("o"),
            tiktok_status: d.tiktok_status,
            sync_status: d.status,
            netsuite_id: None,
            external_id: None,
            note: d.note,
            failure: d.failure,
            failed_skus: d.failed_skus,
            order_type: None,
            retail_value: None,
            at: 1,
            event: None,
        };
        o.event = Some((11, serde_json::json!({})));
        let e = OrderLogEntry::apply(Some(failed), &o);
        assert_eq!(e.sync_status, SyncStatus::Failed);
        assert_eq!(e.failed_skus, vec!["X"]);
        assert!(e.last_failure.is_some());
    }
}
