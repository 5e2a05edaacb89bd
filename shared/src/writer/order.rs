//! Order status changes: create the Sales Order once, at the right moment.
//!
//! The webhook only says "something changed"; the order's *current* state is
//! re-read from TikTok, so events may arrive in any order or twice. A Sales
//! Order is written with `PUT …/salesOrder/eid:{externalId}`, so
//! redeliveries, duplicate webhooks, resubmits and a timeout after NetSuite
//! committed all end with one Sales Order. What to do is decided by
//! [`plan_order`], a plain function over the order's state.

use super::decision::Decision;
use super::items::{mapping_failed, Resolve};
use super::OrderSync;
use crate::domain::{OrderId, OrderStatus, ShopId};
use crate::mapping::config::ShopMapping;
use crate::mapping::{build_sales_order, group_units, MappingError};
use crate::store::{OrderLogEntry, SyncStatus};
use crate::taxonomy::{ErrorCode, Failure};
use crate::tiktok::model::Order;

/// Where the Sales Order's internal id comes from before deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// First sighting: no earlier attempt can have reached NetSuite, so none exists.
    None,
    /// The log already holds the id of a created Sales Order.
    Known(String),
    /// An earlier attempt may have reached NetSuite: ask it by externalId.
    AskNetSuite,
}

/// A Sales Order can only exist if an earlier attempt reached NetSuite, and
/// every attempt is logged right after. On first sighting the idempotent PUT
/// upsert alone is safe, saving one NetSuite call of the account's scarce
/// concurrency per new order.
pub fn plan_lookup(previous: Option<&OrderLogEntry>) -> Lookup {
    match previous {
        None => Lookup::None,
        Some(p) => match (&p.sync_status, &p.netsuite_id) {
            (SyncStatus::Created | SyncStatus::Updated, Some(id)) => Lookup::Known(id.clone()),
            _ => Lookup::AskNetSuite,
        },
    }
}

/// What to do with an order in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderPlan {
    /// TikTok cancelled an order that has a Sales Order: close its open lines.
    CloseAll { so_id: String },
    /// A cancellation event for a live order: apply its cancelled lines.
    ApplyCancellations { so_id: String },
    /// The Sales Order exists; only record TikTok's new status.
    RecordStatus { so_id: String },
    /// Not yet eligible (unpaid, on hold, or not a trigger status).
    Wait { note: String },
    /// Cancelled before a Sales Order existed: never create it.
    Skip,
    /// A status this version does not know.
    Review { status: String },
    /// Create the Sales Order; then apply cancellations when the event was one.
    Create { then_apply_cancellations: bool },
}

/// Decides from the order's current status, whether a Sales Order exists,
/// whether the event was a cancellation, and the shop's trigger statuses.
pub fn plan_order(
    status: &OrderStatus,
    existing: Option<&str>,
    cancellation_event: bool,
    triggers: &[String],
) -> OrderPlan {
    match (status, existing) {
        (OrderStatus::Cancelled, Some(id)) => OrderPlan::CloseAll {
            so_id: id.to_string(),
        },
        (_, Some(id)) if cancellation_event => OrderPlan::ApplyCancellations {
            so_id: id.to_string(),
        },
        (_, Some(id)) => OrderPlan::RecordStatus {
            so_id: id.to_string(),
        },
        (OrderStatus::Unpaid | OrderStatus::OnHold, None) => OrderPlan::Wait {
            note: format!(
                "{}: waiting until the order is paid and past TikTok's cancellation window",
                status.as_str()
            ),
        },
        (OrderStatus::Cancelled, None) => OrderPlan::Skip,
        (OrderStatus::Unknown(s), None) => OrderPlan::Review { status: s.clone() },
        (s, None)
            if triggers.iter().any(|t| OrderStatus::parse(t) == *s) || s.is_past_shippable() =>
        {
            OrderPlan::Create {
                then_apply_cancellations: cancellation_event,
            }
        }
        (s, None) => OrderPlan::Wait {
            note: format!("{} is not a trigger status for this shop", s.as_str()),
        },
    }
}

impl OrderSync<'_> {
    /// The order's current state from TikTok, through the one token path.
    pub(super) async fn fetch(
        &self,
        shop: &ShopId,
        order: &OrderId,
    ) -> Result<Option<Order>, Failure> {
        let client = self.shops.client();
        self.shops
            .call_with_refresh(
                shop,
                |auth| async move { client.get_order(&auth, order).await },
            )
            .await
            .map_err(|e| Failure::from(&e))
    }

    /// An order or cancellation event: re-read the order and act on its state.
    pub(super) async fn on_order_event(
        &self,
        shop: &ShopId,
        order_id: &OrderId,
        status_hint: &str,
        cancellation_event: bool,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        let order = match self.fetch(shop, order_id).await {
            Ok(Some(o)) => o,
            Ok(None) => {
                return Decision::failed(
                    status_hint,
                    Failure::new(
                        ErrorCode::NotFound,
                        format!("TikTok returned no order {order_id} for shop {shop}"),
                        "Usually transient right after checkout; retried automatically. If it persists, check that the shop is authorized for this app.",
                    ),
                )
            }
            Err(f) => return Decision::failed(status_hint, f),
        };
        let status = order.status.as_str().to_string();
        let kind = crate::mapping::order_kind::classify(&order);
        let cfg = match self.mapping.for_shop(shop) {
            Ok(c) => c,
            Err(f) => return Decision::failed(&status, *f),
        };
        let external_id =
            crate::mapping::external_id(&cfg.external_id_prefix, shop, order.id.as_str());
        let existing = match plan_lookup(previous) {
            Lookup::None => None,
            Lookup::Known(id) => Some(id),
            Lookup::AskNetSuite => match self.netsuite_id_of("salesOrder", &external_id).await {
                Ok(id) => id,
                Err(f) => return Decision::failed(&status, f),
            },
        };
        let plan = plan_order(
            &order.status,
            existing.as_deref(),
            cancellation_event,
            &cfg.trigger_statuses,
        );
        let d = match plan {
            OrderPlan::CloseAll { so_id } => self.cancel(&so_id, &order.id, &status).await,
            OrderPlan::ApplyCancellations { so_id } => {
                self.partial_cancel(shop, cfg, &so_id, &order).await
            }
            OrderPlan::RecordStatus { so_id } => Decision::ok(
                SyncStatus::Updated,
                &status,
                format!("Sales Order {so_id} already exists; TikTok status {status} recorded, Sales Order left unchanged"),
            )
            .on(&so_id),
            OrderPlan::Wait { note } => Decision::ok(
                SyncStatus::Waiting,
                &status,
                super::order_type::wait_note(&kind, &order, note),
            ),
            OrderPlan::Skip => Decision::ok(
                SyncStatus::Skipped,
                &status,
                "cancelled before a Sales Order was created; it will never be created",
            ),
            OrderPlan::Review { status: s } => Decision {
                failure: Some(
                    Failure::new(
                        ErrorCode::InsufficientData,
                        format!("TikTok order status {s} is not known to this version"),
                        "Check the order in Seller Center; resubmit or ignore it from the order log.",
                    )
                    .retryable(false),
                ),
                ..Decision::ok(SyncStatus::NeedsReview, &status, "unknown TikTok status")
            },
            OrderPlan::Create {
                then_apply_cancellations,
            } => {
                let created = self.create(shop, &order, cfg, &external_id, &kind).await;
                match (&created.status, &created.netsuite_id) {
                    // The cancellation arrived first: apply it to what was just created.
                    (SyncStatus::Created, Some(id)) if then_apply_cancellations => {
                        let mut d = self.partial_cancel(shop, cfg, id, &order).await;
                        d.note = format!("{}; {}", created.note, d.note);
                        d
                    }
                    _ => created,
                }
            }
        };
        // A Fulfilled-by-TikTok Sales Order is fulfilled once TikTok ships it.
        let mut d = self.fbt_after(shop, cfg, &order, d).await;
        d.external_id = Some(external_id);
        d.retail_value = kind.recorded_retail_value();
        d.order_type = Some(kind.order_type);
        d
    }

    /// Maps the order and upserts its Sales Order by externalId.
    async fn create(
        &self,
        shop: &ShopId,
        order: &Order,
        cfg: &ShopMapping,
        external_id: &str,
        kind: &crate::mapping::order_kind::OrderKind,
    ) -> Decision {
        let status = order.status.as_str();
        // Who ships it, from where, decides before anything else (issue
        // 27): FBT skipped or waiting, or the location of its warehouse.
        let routed = match self.routed(shop, order, cfg).await {
            Ok(c) => c,
            Err(d) => return *d,
        };
        let cfg = &routed;
        // The type decides next: skipped or held orders are never mapped.
        let shape = match super::order_type::type_decision(kind, order, cfg) {
            Ok(s) => s,
            Err(d) => return *d,
        };
        if let Some(f) = currency_mismatch(
            "order",
            order.id.as_str(),
            &order.payment.currency,
            cfg.books_currency.as_deref(),
        ) {
            return Decision::failed(status, f);
        }
        let groups = match group_units(order) {
            Ok(g) => g,
            Err(e) => return mapping_failed(shop, status, &e),
        };
        let items = match self
            .resolve_items(shop, groups.iter().map(|g| &g.seller_sku))
            .await
        {
            Ok(i) => i,
            Err(Resolve::Unlinked(skus)) => {
                return mapping_failed(shop, status, &MappingError::UnlinkedProduct { skus })
            }
            Err(Resolve::Failed(f)) => return Decision::failed(status, f),
        };
        let customer = match &shape.customer_id {
            Some(c) => c.clone(),
            None => match self.resolve_customer(shop, order, cfg).await {
                Ok(c) => c,
                Err(f) => return Decision::failed(status, f),
            },
        };
        let original_so = match &shape.linked_order {
            Some(o) => match self.original_sales_order(shop, cfg, o).await {
                Ok(so) => so,
                Err(f) => return Decision::failed(status, f),
            },
            None => None,
        };
        let mut draft = match build_sales_order(shop, order, &groups, &items, &customer, cfg) {
            Ok(d) => d,
            Err(e) => return mapping_failed(shop, status, &e),
        };
        let fields = &cfg.order_types.fields;
        let so = original_so.as_deref();
        crate::mapping::order_kind::apply_shape(&mut draft.body, kind, &shape, fields, so);
        // The total to compare after the write; with SuiteTax, NetSuite adds
        // its own tax to it, so only lines are compared.
        let intended_total = (!matches!(cfg.tax, crate::mapping::config::Tax::SuiteTax))
            .then_some(draft.mapped_total);
        let id = match self
            .netsuite
            .upsert_by_external_id("salesOrder", external_id, &draft.body, &["item"])
            .await
        {
            // A fresh create: queued for the verify job's batched read-back
            // (`writer::readback`), which costs NetSuite one query per 100 orders
            // instead of one GET per order.
            Ok(Some(id)) => {
                self.queue_check(
                    shop,
                    &order.id,
                    &id,
                    external_id,
                    &draft.body,
                    intended_total,
                )
                .await;
                id
            }
            // An upsert that updated answers without `Location`: the Sales
            // Order already existed (a retry after NetSuite committed). Read it
            // back, never log an empty id, and check that it is what was
            // intended: total and lines (a write without `replace` would have
            // doubled them). A fresh create needs no read.
            Ok(None) => match self
                .netsuite
                .get_by_external_id("salesOrder", external_id, true)
                .await
            {
                Ok(Some(so)) => {
                    if let Some(f) = written_differs(&so, &draft.body, intended_total) {
                        return Decision::failed(status, f);
                    }
                    match so.get("id").and_then(|v| v.as_str()) {
                        Some(id) => id.to_string(),
                        None => {
                            return Decision::failed(
                                status,
                                no_id_after_write("salesOrder", external_id),
                            )
                        }
                    }
                }
                Ok(None) => {
                    return Decision::failed(status, no_id_after_write("salesOrder", external_id))
                }
                Err(e) => return Decision::failed(status, Failure::from(&e)),
            },
            Err(e) => return Decision::failed(status, Failure::from(&e)),
        };
        Decision::ok(
            SyncStatus::Created,
            status,
            format!(
                "Sales Order {id} created: {} line(s), total {} {}{}",
                groups.len(),
                draft.mapped_total,
                order.payment.currency,
                super::order_type::created_note(kind, &shape, so),
            ),
        )
        .on(&id)
    }

    /// Queues a created Sales Order for the verify job. A failure to queue
    /// leaves the Sales Order as written and unverified: logged, not failed.
    async fn queue_check(
        &self,
        shop: &ShopId,
        order: &crate::domain::OrderId,
        so_id: &str,
        external_id: &str,
        body: &serde_json::Value,
        total: Option<crate::domain::Money>,
    ) {
        let Some(checks) = self.checks else { return };
        let check = crate::writer::readback::CreatedCheck::of(order, external_id, body, total);
        let text = match serde_json::to_string(&check) {
            Ok(t) => t,
            Err(e) => {
                return tracing::warn!(error = %e, "created Sales Order not queued for read-back")
            }
        };
        // In a batch: written with the batch's other checks at its end.
        let Some(text) = (!self.batch.defer_check(shop, so_id, text.clone())).then_some(text)
        else {
            return;
        };
        if let Err(e) = checks
            .put_state(crate::writer::readback::JOB, shop, so_id, &text)
            .await
        {
            tracing::warn!(error = %e, so_id, "created Sales Order not queued for read-back");
        }
    }

    /// Writes the checks [`Self::queue_check`] deferred to the end of the
    /// batch (`batch_memo`), 25 per `BatchWriteItem`; best effort as each
    /// single put was.
    pub(super) async fn write_checks(&self) {
        let Some(checks) = self.checks else { return };
        for (shop, items) in self.batch.drain_checks() {
            if let Err(e) = checks
                .put_states(crate::writer::readback::JOB, &shop, &items)
                .await
            {
                tracing::warn!(error = %e, shop_id = %shop, count = items.len(), "created Sales Orders not queued for read-back");
            }
        }
    }

    /// The internal id of the record with this externalId, if it exists.
    pub(super) async fn netsuite_id_of(
        &self,
        record: &str,
        external_id: &str,
    ) -> Result<Option<String>, Failure> {
        self.netsuite
            .get_by_external_id(record, external_id, false)
            .await
            .map(|v| {
                v.as_ref()
                    .and_then(|v| v.get("id"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .map_err(|e| Failure::from(&e))
    }
}

/// A TikTok amount in another currency than the shop's books: refused with
/// both named, never booked at the wrong currency.
pub fn currency_mismatch(
    what: &str,
    id: &str,
    tiktok_currency: &str,
    books_currency: Option<&str>,
) -> Option<Failure> {
    let books = books_currency?;
    let tiktok = tiktok_currency.trim();
    (!tiktok.eq_ignore_ascii_case(books)).then(|| {
        Failure::new(
            ErrorCode::InsufficientData,
            format!("{what} {id} is in {tiktok}, but this shop's books are kept in {books}"),
            "Check the shop's books_currency in MAPPING_CONFIG (and its subsidiary); TikTok amounts are never converted. Fix the mapping, then resubmit.",
        )
        .retryable(false)
    })
}

/// What NetSuite holds differs from what was written (line count, quantity
/// per item, total; see [`super::verify`]): an Order Creation Failed naming
/// both figures, e.g. lines appended instead of replaced.
pub fn written_differs(
    record: &serde_json::Value,
    intended_body: &serde_json::Value,
    intended_total: Option<crate::domain::Money>,
) -> Option<Failure> {
    let found = super::verify::differences(record, intended_body, intended_total)?;
    Some(
        Failure::new(
            ErrorCode::OrderCreationFailed,
            format!(
                "Sales Order {} holds {found}",
                record["id"].as_str().unwrap_or("?"),
            ),
            "Correct the Sales Order in NetSuite (remove the extra lines) before it ships, then resubmit the order.",
        )
        .retryable(false),
    )
}

/// NetSuite accepted a write but the record cannot be found by its
/// externalId: retried, never logged with an empty id.
pub(super) fn no_id_after_write(record: &str, external_id: &str) -> Failure {
    Failure::new(
        ErrorCode::OrderCreationFailed,
        format!(
            "NetSuite accepted the {record} write but no {record} has externalId {external_id}"
        ),
        "Retried automatically; if it persists, look the record up in NetSuite by its External ID.",
    )
    .retryable(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderId;
    use crate::store::{OrderLogEntry, Outcome};

    fn triggers() -> Vec<String> {
        vec!["AWAITING_SHIPMENT".into()]
    }

    #[test]
    fn creates_at_trigger_or_later_shippable_statuses_only_once() {
        let t = triggers();
        let create = OrderPlan::Create {
            then_apply_cancellations: false,
        };
        assert_eq!(
            plan_order(&OrderStatus::AwaitingShipment, None, false, &t),
            create
        );
        assert_eq!(plan_order(&OrderStatus::InTransit, None, false, &t), create);
        assert_eq!(
            plan_order(&OrderStatus::AwaitingShipment, Some("9"), false, &t),
            OrderPlan::RecordStatus { so_id: "9".into() }
        );
        assert!(matches!(
            plan_order(&OrderStatus::Unpaid, None, false, &t),
            OrderPlan::Wait { .. }
        ));
        assert!(matches!(
            plan_order(&OrderStatus::OnHold, None, false, &t),
            OrderPlan::Wait { .. }
        ));
    }

    #[test]
    fn cancellations_close_skip_or_apply() {
        let t = triggers();
        assert_eq!(
            plan_order(&OrderStatus::Cancelled, Some("9"), false, &t),
            OrderPlan::CloseAll { so_id: "9".into() }
        );
        assert_eq!(
            plan_order(&OrderStatus::Cancelled, None, true, &t),
            OrderPlan::Skip
        );
        assert_eq!(
            plan_order(&OrderStatus::AwaitingShipment, Some("9"), true, &t),
            OrderPlan::ApplyCancellations { so_id: "9".into() }
        );
        assert_eq!(
            plan_order(&OrderStatus::AwaitingShipment, None, true, &t),
            OrderPlan::Create {
                then_apply_cancellations: true
            }
        );
    }

    #[test]
    fn unknown_status_needs_review_and_custom_triggers_apply() {
        let unknown = OrderStatus::parse("SOMETHING_NEW");
        assert_eq!(
            plan_order(&unknown, None, false, &triggers()),
            OrderPlan::Review {
                status: "SOMETHING_NEW".into()
            }
        );
        // A shop that creates at ON_HOLD… is still held by the UNPAID/ON_HOLD rule.
        let on_hold = vec!["ON_HOLD".to_string()];
        assert!(matches!(
            plan_order(&OrderStatus::OnHold, None, false, &on_hold),
            OrderPlan::Wait { .. }
        ));
    }

    #[test]
    fn a_written_record_that_differs_is_named_with_both_figures() {
        use crate::domain::Money;
        let l = |q: u32| serde_json::json!({"item": {"id": "7"}, "quantity": q});
        let body = serde_json::json!({"item": {"items": [l(2), l(1)]}});
        let same = serde_json::json!({"id": "9", "total": 270.47, "item": {"items": [l(2), l(1)]}});
        let doubled = serde_json::json!({"id": "9", "total": 540.94, "item": {"items": [l(2), l(1), l(2), l(1)]}});
        let t: Money = "270.47".parse().unwrap();
        assert!(written_differs(&same, &body, Some(t)).is_none());
        let f = written_differs(&doubled, &body, Some(t)).unwrap();
        assert!(
            f.reason.contains("4 line(s)")
                && f.reason.contains("item 7 × 6")
                && f.reason.contains("540.94")
                && f.reason.contains("270.47"),
            "{}",
            f.reason
        );
    }

    #[test]
    fn a_currency_other_than_the_books_names_both() {
        let f = currency_mismatch("order", "1", "GBP", Some("USD")).unwrap();
        assert!(
            f.reason.contains("GBP") && f.reason.contains("USD"),
            "{}",
            f.reason
        );
        assert!(currency_mismatch("order", "1", "usd", Some("USD")).is_none());
    }

    #[test]
    fn lookup_asks_netsuite_only_when_an_attempt_may_have_reached_it() {
        assert_eq!(plan_lookup(None), Lookup::None);
        let outcome = |status: SyncStatus, id: Option<&str>| Outcome {
            shop_id: ShopId::new("s"),
            order_id: OrderId::new("o"),
            tiktok_status: String::new(),
            sync_status: status,
            netsuite_id: id.map(str::to_string),
            external_id: None,
            note: String::new(),
            failure: None,
            failed_skus: vec![],
            order_type: None,
            retail_value: None,
            at: 0,
            event: None,
        };
        let created = OrderLogEntry::apply(None, &outcome(SyncStatus::Created, Some("7")));
        assert_eq!(plan_lookup(Some(&created)), Lookup::Known("7".into()));
        let failed = OrderLogEntry::apply(None, &outcome(SyncStatus::Failed, None));
        assert_eq!(plan_lookup(Some(&failed)), Lookup::AskNetSuite);
    }
}
