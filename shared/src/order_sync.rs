//! The NetSuite writer's order logic: one queued event in, one order-log
//! outcome out.
//!
//! The webhook only says "something changed"; the order's *current* state is
//! re-read from TikTok, so events may arrive in any order or twice. A Sales
//! Order is written with `PUT …/salesOrder/eid:{externalId}` after a lookup by
//! the same externalId, so redeliveries, duplicate webhooks, resubmits and a
//! timeout after NetSuite committed all end with one Sales Order.
//!
//! Retryable failures go back to SQS (and to the DLQ after the redrive
//! count) and are logged on every attempt; failures a retry cannot fix are
//! logged once and the message is consumed.

use async_trait::async_trait;

use crate::domain::{OrderId, OrderStatus, ShopId, Sku};
use crate::events::{EventArchive, EventStatus, QueuedEvent};
use crate::mapping::config::{CustomerMode, MappingConfig, ShopMapping};
use crate::mapping::{build_sales_order, group_units, ItemRef, MappingError};
use crate::netsuite::{sql_quote, NetSuiteClient};
use crate::order_log::{OrderLog, OrderLogEntry, Outcome, SyncStatus};
use crate::sku_links::{SkuLink, SkuLinks};
use crate::taxonomy::{ErrorCode, Failure};
use crate::tiktok::model::Order;
use crate::tiktok::{ShopAuth, TikTokClient, TikTokError};
use crate::writer::{EventProcessor, ProcessError};

/// A shop's TikTok credentials, refreshed when needed.
#[async_trait]
pub trait ShopAuthProvider: Send + Sync {
    async fn auth(&self, shop: &ShopId) -> Result<ShopAuth, Failure>;
    /// Forces a token refresh (after TikTok answered 105002).
    async fn refresh(&self, shop: &ShopId) -> Result<ShopAuth, Failure>;
}

pub struct OrderSync<'a> {
    pub tiktok: &'a TikTokClient,
    pub shops: &'a dyn ShopAuthProvider,
    pub netsuite: &'a NetSuiteClient,
    pub skus: &'a dyn SkuLinks,
    pub log: &'a dyn OrderLog,
    pub archive: &'a dyn EventArchive,
    pub mapping: &'a MappingConfig,
    /// The queue's redrive count: the attempt that reaches it is the last.
    pub max_receive_count: u32,
    pub now: fn() -> i64,
    /// Collects new failures for the admins' digest (one email per batch).
    pub digest: Option<&'a crate::alerts::Digest>,
}

/// Result of one attempt before it is logged.
pub(crate) struct Decision {
    pub(crate) status: SyncStatus,
    pub(crate) tiktok_status: String,
    pub(crate) netsuite_id: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) note: String,
    pub(crate) failure: Option<Failure>,
    pub(crate) failed_skus: Vec<String>,
}

impl Decision {
    pub(crate) fn ok(status: SyncStatus, tiktok_status: &str, note: impl Into<String>) -> Self {
        Self {
            status,
            tiktok_status: tiktok_status.to_string(),
            netsuite_id: None,
            external_id: None,
            note: note.into(),
            failure: None,
            failed_skus: vec![],
        }
    }

    pub(crate) fn failed(tiktok_status: &str, failure: Failure) -> Self {
        Self {
            failure: Some(failure),
            ..Self::ok(SyncStatus::Failed, tiktok_status, "")
        }
    }
}

/// Statuses after the order became shippable: still create if it never was.
fn is_past_shippable(s: &OrderStatus) -> bool {
    matches!(
        s,
        OrderStatus::AwaitingShipment
            | OrderStatus::PartiallyShipping
            | OrderStatus::AwaitingCollection
            | OrderStatus::InTransit
            | OrderStatus::Delivered
            | OrderStatus::Completed
    )
}

impl OrderSync<'_> {
    async fn fetch(&self, shop: &ShopId, order: &OrderId) -> Result<Option<Order>, Failure> {
        let auth = self.shops.auth(shop).await?;
        match self.tiktok.get_order(&auth, order).await {
            Err(TikTokError::TokenExpired { .. }) => {
                let auth = self.shops.refresh(shop).await?;
                self.tiktok
                    .get_order(&auth, order)
                    .await
                    .map_err(|e| Failure::from(&e))
            }
            other => other.map_err(|e| Failure::from(&e)),
        }
    }

    async fn decide(
        &self,
        event: &QueuedEvent,
        order_id: &OrderId,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        let shop = &event.shop_id;
        let webhook_status = event
            .data
            .get("order_status")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let order = match self.fetch(shop, order_id).await {
            Ok(Some(o)) => o,
            Ok(None) => {
                return Decision::failed(
                    webhook_status,
                    Failure::new(
                        ErrorCode::NotFound,
                        format!("TikTok returned no order {order_id} for shop {shop}"),
                        "Usually transient right after checkout; retried automatically. If it persists, check that the shop is authorized for this app.",
                    ),
                )
            }
            Err(f) => return Decision::failed(webhook_status, f),
        };
        let cfg = self.mapping.for_shop(shop);
        let status = order.status.as_str().to_string();
        let external_id =
            crate::mapping::external_id(&cfg.external_id_prefix, shop, order.id.as_str());
        // A Sales Order can only exist if an earlier attempt reached NetSuite,
        // and every attempt is logged right after. On first sighting the
        // idempotent PUT upsert alone is safe, saving one NetSuite call of the
        // account's scarce concurrency per new order.
        let existing_id = match previous {
            None => None,
            Some(p)
                if matches!(p.sync_status, SyncStatus::Created | SyncStatus::Updated)
                    && p.netsuite_id.is_some() =>
            {
                p.netsuite_id.clone()
            }
            Some(_) => match self
                .netsuite
                .get_by_external_id("salesOrder", &external_id, false)
                .await
            {
                Ok(v) => v
                    .as_ref()
                    .and_then(|v| v.get("id"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                Err(e) => return Decision::failed(&status, Failure::from(&e)),
            },
        };
        let mut d = match (&order.status, existing_id) {
            (OrderStatus::Cancelled, Some(id)) => self.cancel(&id, &order.id, &status).await,
            (_, Some(id)) if event.type_code == 11 => self.partial_cancel(shop, &id, &order).await,
            (_, Some(id)) => {
                let mut d = Decision::ok(
                    SyncStatus::Updated,
                    &status,
                    format!("Sales Order {id} already exists; TikTok status {status} recorded, Sales Order left unchanged"),
                );
                d.netsuite_id = Some(id);
                d
            }
            (OrderStatus::Unpaid | OrderStatus::OnHold, None) => Decision::ok(
                SyncStatus::Waiting,
                &status,
                format!("{status}: waiting until the order is paid and past TikTok's cancellation window"),
            ),
            (OrderStatus::Cancelled, None) => Decision::ok(
                SyncStatus::Skipped,
                &status,
                "cancelled before a Sales Order was created; it will never be created",
            ),
            (OrderStatus::Unknown(s), None) => Decision {
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
            (s, None) if cfg.trigger_statuses.iter().any(|t| OrderStatus::parse(t) == *s) || is_past_shippable(s) => {
                {
                let created = self.create(shop, &order, cfg, &external_id).await;
                match (&created.status, &created.netsuite_id) {
                    // The cancellation arrived first: apply it to what was just created.
                    (SyncStatus::Created, Some(id)) if event.type_code == 11 => {
                        let mut d = self.partial_cancel(shop, id, &order).await;
                        d.note = format!("{}; {}", created.note, d.note);
                        d
                    }
                    _ => created,
                }
            }
            }
            (_, None) => Decision::ok(SyncStatus::Waiting, &status, format!("{status} is not a trigger status for this shop")),
        };
        d.external_id = Some(external_id);
        d
    }

    async fn create(
        &self,
        shop: &ShopId,
        order: &Order,
        cfg: &ShopMapping,
        external_id: &str,
    ) -> Decision {
        let status = order.status.as_str();
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
        let customer = match self.resolve_customer(shop, order, cfg).await {
            Ok(c) => c,
            Err(f) => return Decision::failed(status, f),
        };
        let draft = match build_sales_order(shop, order, &groups, &items, &customer, cfg) {
            Ok(d) => d,
            Err(e) => return mapping_failed(shop, status, &e),
        };
        let id = match self
            .netsuite
            .upsert_by_external_id("salesOrder", external_id, &draft.body)
            .await
        {
            Ok(Some(id)) => id,
            Ok(None) => match self
                .netsuite
                .get_by_external_id("salesOrder", external_id, false)
                .await
            {
                Ok(v) => v
                    .as_ref()
                    .and_then(|v| v.get("id"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .unwrap_or_default(),
                Err(e) => return Decision::failed(status, Failure::from(&e)),
            },
            Err(e) => return Decision::failed(status, Failure::from(&e)),
        };
        let mut d = Decision::ok(
            SyncStatus::Created,
            status,
            format!(
                "Sales Order {id} created: {} line(s), total {} {}",
                groups.len(),
                draft.mapped_total,
                order.payment.currency
            ),
        );
        d.netsuite_id = Some(id);
        d
    }

    /// Return status changed: book completed refunds, log everything else.
    async fn decide_return(
        &self,
        event: &QueuedEvent,
        previous: Option<&OrderLogEntry>,
    ) -> Decision {
        let shop = &event.shop_id;
        let keep = previous.map_or(SyncStatus::Waiting, |p| p.sync_status.clone());
        let tiktok_status = previous
            .map(|p| p.tiktok_status.clone())
            .unwrap_or_default();
        let return_id = event
            .data
            .get("return_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let auth = match self.shops.auth(shop).await {
            Ok(a) => a,
            Err(f) => return Decision::failed(&tiktok_status, f),
        };
        let ret = match self.tiktok.get_return(&auth, return_id).await {
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
        if ret.return_type == "REPLACEMENT" {
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

    /// TikTok cancelled an order that has a Sales Order: close its open lines,
    /// unless the warehouse already fulfilled or billed any of them.
    async fn cancel(&self, id: &str, order: &OrderId, status: &str) -> Decision {
        let so = match self.netsuite.get("salesOrder", id, true).await {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Decision::failed(
                    status,
                    Failure::new(
                        ErrorCode::NotFound,
                        format!("Sales Order {id} of cancelled order {order} is no longer in NetSuite"),
                        "Check whether it was deleted in NetSuite; nothing is left to close. Ignore the order once checked.",
                    )
                    .retryable(false),
                )
            }
            Err(e) => return Decision::failed(status, Failure::from(&e)),
        };
        let lines: Vec<serde_json::Value> =
            so["item"]["items"].as_array().cloned().unwrap_or_default();
        let qty = |l: &serde_json::Value, k: &str| l.get(k).and_then(|v| v.as_f64()).unwrap_or(0.0);
        let done: Vec<String> = lines
            .iter()
            .filter(|l| qty(l, "quantityFulfilled") > 0.0 || qty(l, "quantityBilled") > 0.0)
            .map(|l| {
                format!(
                    "line {} (item {}): fulfilled {}, billed {}",
                    l["line"],
                    l["item"]["id"].as_str().unwrap_or("?"),
                    qty(l, "quantityFulfilled"),
                    qty(l, "quantityBilled")
                )
            })
            .collect();
        if !done.is_empty() {
            let mut d = Decision::failed(
                status,
                Failure::new(
                    ErrorCode::CancelledTooLate,
                    format!("TikTok cancelled order {order} after Sales Order {id} was fulfilled or billed: {}", done.join("; ")),
                    "The Sales Order was left unchanged. Stop or recover the shipment, then credit or close the Sales Order in NetSuite by hand; ignore the order here when done.",
                )
                .retryable(false)
                .level(crate::taxonomy::Level::Warning),
            );
            d.status = SyncStatus::NeedsReview;
            d.netsuite_id = Some(id.to_string());
            return d;
        }
        let open: Vec<serde_json::Value> = lines
            .iter()
            .filter(|l| l.get("isClosed").and_then(|v| v.as_bool()) != Some(true))
            .filter_map(|l| l.get("line").cloned())
            .map(|line| serde_json::json!({ "line": line, "isClosed": true }))
            .collect();
        let n = open.len();
        if n > 0 {
            let body = serde_json::json!({ "item": { "items": open } });
            if let Err(e) = self.netsuite.patch("salesOrder", id, &body).await {
                let mut f = Failure::from(&e);
                if !f.retryable {
                    f.code = ErrorCode::OrderCancellationFailed;
                }
                let mut d = Decision::failed(status, f);
                d.netsuite_id = Some(id.to_string());
                return d;
            }
        }
        let mut d = Decision::ok(
            SyncStatus::Cancelled,
            status,
            if n > 0 {
                format!("TikTok cancelled the order: closed {n} line(s) of Sales Order {id}")
            } else {
                format!("TikTok cancelled the order: Sales Order {id} already closed")
            },
        );
        d.netsuite_id = Some(id.to_string());
        d
    }

    pub(crate) async fn resolve_items<'s>(
        &self,
        shop: &ShopId,
        skus: impl Iterator<Item = &'s Sku>,
    ) -> Result<Vec<ItemRef>, Resolve> {
        let skus: Vec<&Sku> = skus.collect();
        let mut found: Vec<Option<String>> = Vec::with_capacity(skus.len());
        for sku in &skus {
            let link = self
                .skus
                .get(shop, sku)
                .await
                .map_err(|e| Resolve::Failed(store_failure(&e)))?;
            found.push(link.map(|l| l.item_id));
        }
        let missing: Vec<&Sku> = skus
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(s, _)| *s)
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|s| sql_quote(s.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = self
                .netsuite
                .suiteql(&format!(
                    "SELECT id, itemid FROM item WHERE itemid IN ({list})"
                ))
                .await
                .map_err(|e| Resolve::Failed(Failure::from(&e)))?;
            for (sku, slot) in skus.iter().zip(found.iter_mut()) {
                if slot.is_some() {
                    continue;
                }
                let hits: Vec<&str> = rows
                    .iter()
                    .filter(|r| {
                        r.get("itemid")
                            .and_then(|v| v.as_str())
                            .is_some_and(|i| i.eq_ignore_ascii_case(sku.as_str()))
                    })
                    .filter_map(|r| r.get("id").and_then(|v| v.as_str()))
                    .collect();
                if let [id] = hits[..] {
                    *slot = Some(id.to_string());
                    let link = SkuLink {
                        shop_id: shop.clone(),
                        sku: (*sku).clone(),
                        item_id: id.to_string(),
                        source: "lookup".into(),
                    };
                    if let Err(e) = self.skus.put(&link).await {
                        tracing::warn!(error = %e, "could not cache a SKU link");
                    }
                }
            }
        }
        let unlinked: Vec<String> = skus
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(s, _)| s.as_str().to_string())
            .collect();
        if !unlinked.is_empty() {
            return Err(Resolve::Unlinked(unlinked));
        }
        Ok(found
            .into_iter()
            .map(|id| ItemRef {
                id: id.unwrap_or_default(),
            })
            .collect())
    }

    async fn resolve_customer(
        &self,
        shop: &ShopId,
        order: &Order,
        cfg: &ShopMapping,
    ) -> Result<String, Failure> {
        let fallback = cfg.customer.customer_id.clone();
        let email = order
            .buyer_email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        match (cfg.customer.mode, email) {
            (CustomerMode::MatchEmail, Some(email)) => {
                let rows = self
                    .netsuite
                    .suiteql(&format!(
                        "SELECT id FROM customer WHERE LOWER(email) = LOWER({})",
                        sql_quote(email)
                    ))
                    .await
                    .map_err(|e| Failure::from(&e))?;
                match rows.len() {
                    1 => Ok(rows[0].get("id").and_then(|v| v.as_str()).unwrap_or_default().to_string()),
                    0 => fallback.ok_or_else(|| no_customer(shop)),
                    n => Err(Failure::new(
                        ErrorCode::DuplicateCustomer,
                        format!("{n} NetSuite customers share the buyer's email"),
                        "Merge the duplicate customers in NetSuite (or switch the shop to the generic customer), then resubmit.",
                    )),
                }
            }
            (CustomerMode::Create, _) => {
                let buyer = order.id.as_str();
                let ext = format!("tts-cust-{}-{}", shop.as_str(), buyer);
                let mut body = serde_json::json!({
                    "externalId": ext, "companyName": format!("TikTok buyer (order {buyer})"), "isPerson": false,
                });
                if let Some(e) = email {
                    body["email"] = serde_json::json!(e);
                }
                if let Some(sub) = &cfg.subsidiary {
                    body["subsidiary"] = serde_json::json!({ "id": sub });
                }
                self.netsuite
                    .upsert_by_external_id("customer", &ext, &body)
                    .await
                    .map_err(|e| Failure::from(&e))?;
                let rec = self
                    .netsuite
                    .get_by_external_id("customer", &ext, false)
                    .await
                    .map_err(|e| Failure::from(&e))?;
                rec.and_then(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string))
                    .ok_or_else(|| no_customer(shop))
            }
            _ => fallback.ok_or_else(|| no_customer(shop)),
        }
    }
}

pub(crate) enum Resolve {
    Unlinked(Vec<String>),
    Failed(Failure),
}

fn no_customer(shop: &ShopId) -> Failure {
    Failure::new(
        ErrorCode::InsufficientData,
        format!("no NetSuite customer is configured for shop {shop}"),
        "Set customer.customer_id in the shop's mapping (MAPPING_CONFIG) to the generic TikTok customer, then resubmit.",
    )
}

fn store_failure(e: &crate::events::StoreError) -> Failure {
    Failure::new(
        ErrorCode::ConnectionError,
        e.to_string(),
        "DynamoDB was unavailable; retried automatically.",
    )
    .retryable(true)
}

fn mapping_failed(shop: &ShopId, status: &str, e: &MappingError) -> Decision {
    let mut d = Decision::failed(status, e.to_failure(shop));
    d.failed_skus = e.failed_skus();
    d
}

#[async_trait]
impl EventProcessor for OrderSync<'_> {
    async fn process(&self, event: &QueuedEvent, receive_count: u32) -> Result<(), ProcessError> {
        let Some(order_id) = event
            .order_id
            .clone()
            .filter(|_| matches!(event.type_code, 1 | 11 | 12))
        else {
            // Cancellations, returns and account events get their own flows later.
            tracing::info!(event_type = event.type_code, shop_id = %event.shop_id, "event type not handled by the order writer yet");
            self.mark_processed(event).await;
            return Ok(());
        };
        let previous = self.log.get(&event.shop_id, &order_id).await?;
        let cancel_status = event
            .data
            .get("cancel_status")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if event.type_code == 11
            && !matches!(
                cancel_status,
                "CANCELLATION_REQUEST_SUCCESS" | "CANCELLATION_REQUEST_COMPLETE"
            )
        {
            // Pending, withdrawn or rejected requests change nothing yet.
            let outcome = Outcome {
                shop_id: event.shop_id.clone(),
                order_id: order_id.clone(),
                tiktok_status: previous
                    .as_ref()
                    .map(|p| p.tiktok_status.clone())
                    .unwrap_or_default(),
                sync_status: previous
                    .as_ref()
                    .map_or(SyncStatus::Waiting, |p| p.sync_status.clone()),
                netsuite_id: None,
                external_id: None,
                note: format!("cancellation request {cancel_status}: logged, not acted on"),
                failure: previous.as_ref().and_then(|p| p.last_failure.clone()),
                failed_skus: previous
                    .as_ref()
                    .map(|p| p.failed_skus.clone())
                    .unwrap_or_default(),
                at: (self.now)(),
                event: Some((event.type_code, event.data.clone())),
            };
            self.log.record_over(previous, &outcome).await?;
            self.mark_processed(event).await;
            return Ok(());
        }
        let mut d = if event.type_code == 12 {
            self.decide_return(event, previous.as_ref()).await
        } else {
            self.decide(event, &order_id, previous.as_ref()).await
        };
        let retry = d.failure.as_ref().is_some_and(|f| f.retryable);
        let last_try = receive_count >= self.max_receive_count;
        if retry && last_try {
            d.note = format!("attempt {receive_count} of {}: moving to the dead-letter queue; resubmit when the cause is fixed", self.max_receive_count);
        } else if retry {
            d.note = format!(
                "attempt {receive_count} of {}: will retry",
                self.max_receive_count
            );
        }
        let outcome = Outcome {
            shop_id: event.shop_id.clone(),
            order_id: order_id.clone(),
            tiktok_status: d.tiktok_status,
            sync_status: d.status,
            netsuite_id: d.netsuite_id,
            external_id: d.external_id,
            note: d.note,
            failure: d.failure.clone(),
            failed_skus: d.failed_skus,
            at: (self.now)(),
            event: Some((event.type_code, event.data.clone())),
        };
        let entry = self.log.record_over(previous.clone(), &outcome).await?;
        if let (Some(digest), Some(f)) = (self.digest, &outcome.failure) {
            let dead = retry && last_try;
            if f.level != crate::taxonomy::Level::Success
                && crate::alerts::is_new_failure(previous.as_ref(), f, dead)
            {
                digest.push(crate::alerts::AlertLine {
                    shop_id: event.shop_id.to_string(),
                    order_id: order_id.to_string(),
                    failure: f.clone(),
                    dead_lettered: dead,
                });
            }
        }
        tracing::info!(
            shop_id = %event.shop_id,
            order_id = %order_id,
            sync_status = entry.sync_status.as_str(),
            code = d.failure.as_ref().map(|f| f.code.as_str().to_string()),
            netsuite_id = entry.netsuite_id.as_deref(),
            "order processed"
        );
        if retry {
            return Err(ProcessError::Retryable(
                d.failure.map(|f| f.reason).unwrap_or_default(),
            ));
        }
        self.mark_processed(event).await;
        Ok(())
    }
}

impl OrderSync<'_> {
    /// Best effort: the order log already holds the outcome, and resubmitted
    /// events have no archive record to mark.
    async fn mark_processed(&self, event: &QueuedEvent) {
        if let Err(e) = self
            .archive
            .set_status(&event.event_key, EventStatus::Processed, (self.now)(), None)
            .await
        {
            tracing::debug!(error = %e, "archive record not marked processed");
        }
    }
}

#[async_trait]
impl ShopAuthProvider for crate::tiktok::tokens::ShopSessions {
    async fn auth(&self, shop: &ShopId) -> Result<ShopAuth, Failure> {
        self.auth_for(shop).await.map_err(|e| Failure::from(&e))
    }

    async fn refresh(&self, shop: &ShopId) -> Result<ShopAuth, Failure> {
        self.refresh_now(shop).await.map_err(|e| Failure::from(&e))
    }
}
