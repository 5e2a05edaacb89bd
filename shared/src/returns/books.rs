//! [`ReturnBooks`] over SuiteTalk REST (returns.md §B; issue 28 §1–3), with
//! the shared NetSuite client (the flow builds it as
//! `NetSuiteCaller::Writer`).
//!
//! - Reads: the order's Sales Order (`otherRefNum` = the TikTok order id, as
//!   the Sales Order builder writes it), its invoice or cash sale
//!   (`createdfrom` on the header line), the units its Item Fulfillments
//!   shipped and the units on its other RAs, by SuiteQL (netsuite-rest-api.md
//!   §3; SuiteQL has no GROUP BY in every account, so units are summed here).
//!   A SKU is an item's `itemid`, as the writer resolves most SKUs.
//! - Every write looks its externalId up first, so a retried event never
//!   writes a record twice: the RA is `PUT …/eid:` (an update when it exists:
//!   an edited return replaces the RA's lines, `?replace=item`, never
//!   appends), the receipt and credit are transforms only when no record has
//!   their externalId (a grading that sends units to two locations is two
//!   receipts, `<externalId>` and `<externalId>-2`: a receipt line has one
//!   location), and a transform whose outcome is unknown
//!   (`maybe_committed`) is looked up again instead of re-posted.
//! - A credit's total must equal the plan's: the plan's own figures are
//!   checked before writing, and NetSuite's `total` is read back after; a
//!   difference is an error naming both figures.

use std::collections::HashMap;
use std::str::FromStr;

use async_trait::async_trait;
use serde_json::{json, Map, Value};

use super::books_lines::{self, money, OpenLine};
use super::credit::CreditPlan;
use super::ports::{RaRef, RaUpsert, ReturnBooks};
use super::ra_plan::{ra_body, OrderRecords, RaSource, RaStatus};
use super::receipt::ReceiptPlan;
use crate::domain::{Money, OrderId, Sku};
use crate::netsuite::{column_text, sql_quote, NetSuiteClient, NsError};

const RA: &str = "returnAuthorization";
const RECEIPT: &str = "itemReceipt";

/// NetSuite's side of returns over REST.
#[derive(Clone)]
pub struct NetSuiteBooks {
    client: NetSuiteClient,
    tax_item: Option<String>,
}

fn invalid(field: &'static str, detail: impl Into<String>) -> NsError {
    NsError::Invalid {
        field,
        detail: detail.into(),
    }
}

fn dec(s: &str) -> Money {
    Money::from_str(s.trim()).unwrap_or_default()
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Object(o)) => text(o.get("id")),
        Some(Value::Bool(b)) => if *b { "T" } else { "F" }.to_string(),
        _ => String::new(),
    }
}

/// Sublist lines of a record read with `expandSubResources=true`.
fn record_lines(rec: &Value) -> Vec<Map<String, Value>> {
    rec.get("item")
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|l| l.as_object().cloned()).collect())
        .unwrap_or_default()
}

impl NetSuiteBooks {
    pub fn new(client: NetSuiteClient) -> Self {
        Self {
            client,
            tax_item: None,
        }
    }

    /// The item a refunded tax amount is booked on (the shop's tax item, as
    /// the Sales Order builder's `tax.item_id`). Without it a credit with
    /// tax is refused before anything is written.
    pub fn with_tax_item(mut self, item: impl Into<String>) -> Self {
        self.tax_item = Some(item.into());
        self
    }

    async fn ids_of(&self, q: &str) -> Result<Vec<String>, NsError> {
        Ok(self
            .client
            .suiteql(q)
            .await?
            .iter()
            .map(|r| column_text(r, "id"))
            .collect())
    }

    /// Item internal id → `itemid` (the SKU).
    async fn skus_of(&self, items: &[String]) -> Result<HashMap<String, Sku>, NsError> {
        let mut out = HashMap::new();
        for chunk in items.chunks(500) {
            let list: Vec<String> = chunk.iter().map(|i| sql_quote(i)).collect();
            let q = format!(
                "SELECT id, itemid FROM item WHERE id IN ({})",
                list.join(", ")
            );
            for r in self.client.suiteql(&q).await? {
                out.insert(column_text(&r, "id"), Sku(column_text(&r, "itemid")));
            }
        }
        Ok(out)
    }

    /// A source transaction's open item lines, by SKU.
    async fn source_lines(&self, source: &RaSource) -> Result<Vec<OpenLine>, NsError> {
        let rec = self
            .client
            .get(source.record_type(), source.id(), true)
            .await?
            .ok_or_else(|| {
                invalid(
                    "source",
                    format!("{} {} does not exist", source.record_type(), source.id()),
                )
            })?;
        self.open_lines(&rec, |l| dec(&text(l.get("quantity"))))
            .await
    }

    /// Lines of `rec` with their SKU and `open(line)` units, closed lines left out.
    async fn open_lines(
        &self,
        rec: &Value,
        open: impl Fn(&Map<String, Value>) -> Money,
    ) -> Result<Vec<OpenLine>, NsError> {
        let lines: Vec<Map<String, Value>> = record_lines(rec)
            .into_iter()
            .filter(|l| text(l.get("isClosed")) != "T")
            .collect();
        let items: Vec<String> = lines.iter().map(|l| text(l.get("item"))).collect();
        let skus = self.skus_of(&items).await?;
        Ok(lines
            .iter()
            .filter_map(|l| {
                let item = text(l.get("item"));
                Some(OpenLine {
                    line: text(l.get("line")).parse().ok()?,
                    sku: skus.get(&item)?.clone(),
                    item,
                    open: open(l).max(Money::ZERO).trunc().try_into().ok()?,
                })
            })
            .collect())
    }

    async fn ra_record(&self, ra: &RaRef) -> Result<Value, NsError> {
        self.client
            .get(RA, &ra.internal_id, true)
            .await?
            .ok_or_else(|| {
                invalid(
                    "returnAuthorization",
                    format!("RA {} no longer exists", ra.internal_id),
                )
            })
    }

    /// The id of the record of `rtype` with externalId `eid`, if written.
    async fn existing(&self, rtype: &str, eid: &str) -> Result<Option<String>, NsError> {
        Ok(self
            .client
            .get_by_external_id(rtype, eid, false)
            .await?
            .map(|r| text(r.get("id"))))
    }

    /// A transform, looked up by externalId when its outcome is unknown.
    async fn transform_once(
        &self,
        src: (&str, &str),
        target: &str,
        eid: &str,
        body: &Value,
    ) -> Result<String, NsError> {
        match self
            .client
            .transform(src.0, src.1, target, body, &["item"])
            .await
        {
            Ok(id) => Ok(id),
            Err(e) if e.maybe_committed() => match self.existing(target, eid).await? {
                Some(id) => Ok(id),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// NetSuite's total of a credit equals the plan's, or an error naming both.
    async fn check_booked(&self, rtype: &str, id: &str, plan: &CreditPlan) -> Result<(), NsError> {
        let rec = self.client.get(rtype, id, false).await?.ok_or_else(|| {
            invalid(
                "credit",
                format!("{rtype} {id} vanished after it was written"),
            )
        })?;
        let booked = dec(&text(rec.get("total")));
        if booked != plan.total {
            return Err(invalid(
                "credit.total",
                format!(
                    "NetSuite's {rtype} {id} totals {booked}, TikTok's refund is {}",
                    plan.total
                ),
            ));
        }
        Ok(())
    }
}

fn source_of(row_type: &str, id: String) -> Option<RaSource> {
    match row_type {
        "CustInvc" => Some(RaSource::Invoice(id)),
        "CashSale" => Some(RaSource::CashSale(id)),
        "SalesOrd" => Some(RaSource::SalesOrder(id)),
        _ => None,
    }
}

#[async_trait]
impl ReturnBooks for NetSuiteBooks {
    async fn order_records(&self, order: &OrderId, this_ra: &str) -> Result<OrderRecords, NsError> {
        let mut out = OrderRecords::default();
        let so = self
            .ids_of(&format!(
                "SELECT id FROM transaction WHERE type = 'SalesOrd' AND otherrefnum = {} ORDER BY id",
                sql_quote(order.as_str())
            ))
            .await?;
        let Some(so) = so.into_iter().next() else {
            return Ok(out);
        };
        let so_q = sql_quote(&so);
        for r in self.client.suiteql(&format!(
            "SELECT t.id, t.type FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.mainline = 'T' AND tl.createdfrom = {so_q} AND t.type IN ('CustInvc', 'CashSale') ORDER BY t.id"
        )).await? {
            let slot = match column_text(&r, "type").as_str() {
                "CustInvc" => &mut out.invoice,
                "CashSale" => &mut out.cash_sale,
                _ => continue,
            };
            slot.get_or_insert(column_text(&r, "id"));
        }
        let shipped = self.client.suiteql(&format!(
            "SELECT i.itemid, tl.quantity FROM transactionline tl JOIN transaction t ON t.id = tl.transaction JOIN item i ON i.id = tl.item WHERE t.type = 'ItemShip' AND tl.createdfrom = {so_q} AND tl.mainline = 'F' AND tl.iscogs = 'F'"
        )).await?;
        let rows: Vec<(Sku, Money)> = shipped
            .iter()
            .map(|r| {
                (
                    Sku(column_text(r, "itemid")),
                    dec(&column_text(r, "quantity")),
                )
            })
            .collect();
        out.fulfilled = books_lines::units_by_sku(rows.iter().map(|(s, q)| (s, *q)));
        let sources: Vec<String> = [Some(&so), out.invoice.as_ref(), out.cash_sale.as_ref()]
            .into_iter()
            .flatten()
            .map(|s| sql_quote(s))
            .collect();
        let ras = self.client.suiteql(&format!(
            "SELECT t.externalid, i.itemid, tl.quantity, tl.isclosed FROM transaction t JOIN transactionline tl ON tl.transaction = t.id JOIN item i ON i.id = tl.item WHERE t.type = 'RtnAuth' AND tl.mainline = 'F' AND tl.createdfrom IN ({})",
            sources.join(", ")
        )).await?;
        let rows: Vec<(Sku, Money)> = ras
            .iter()
            .filter(|r| {
                column_text(r, "externalid") != this_ra && column_text(r, "isclosed") != "T"
            })
            .map(|r| {
                (
                    Sku(column_text(r, "itemid")),
                    dec(&column_text(r, "quantity")),
                )
            })
            .collect();
        out.on_other_ras = books_lines::units_by_sku(rows.iter().map(|(s, q)| (s, *q)));
        out.sales_order = Some(so);
        Ok(out)
    }

    async fn upsert_ra(&self, ra: &RaUpsert) -> Result<RaRef, NsError> {
        let source_lines = self.source_lines(&ra.source).await?;
        let lines = books_lines::ra_lines(&ra.lines, &source_lines).map_err(|e| {
            invalid(
                "returnAuthorization.item",
                format!("return {}: {e}", ra.external_id),
            )
        })?;
        // A closed RA has no `orderStatus` to send: a new one is written
        // Pending Approval and its lines are then closed.
        let mut body = ra_body(&ra.external_id, &[], ra.status, &ra.memo);
        body["item"] = json!({ "items": lines });
        let id = match self.existing(RA, &ra.external_id).await? {
            Some(id) => {
                self.client
                    .upsert_by_external_id(RA, &ra.external_id, &body, &["item"])
                    .await?;
                id
            }
            None => {
                self.transform_once(
                    (ra.source.record_type(), ra.source.id()),
                    RA,
                    &ra.external_id,
                    &body,
                )
                .await?
            }
        };
        let out = RaRef {
            internal_id: id,
            external_id: ra.external_id.clone(),
            source: ra.source.clone(),
        };
        if ra.status == RaStatus::Closed {
            self.close_ra(&out).await?;
        }
        Ok(out)
    }

    async fn find_ra(&self, external_id: &str) -> Result<Option<RaRef>, NsError> {
        let Some(rec) = self
            .client
            .get_by_external_id(RA, external_id, false)
            .await?
        else {
            return Ok(None);
        };
        let from = text(rec.get("createdFrom"));
        let rows = self
            .client
            .suiteql(&format!(
                "SELECT id, type FROM transaction WHERE id = {}",
                sql_quote(&from)
            ))
            .await?;
        let source = rows
            .first()
            .and_then(|r| source_of(&column_text(r, "type"), from.clone()))
            .ok_or_else(|| invalid("returnAuthorization.createdFrom", format!("RA {external_id} was not made from an invoice, cash sale or Sales Order ({from:?})")))?;
        Ok(Some(RaRef {
            internal_id: text(rec.get("id")),
            external_id: external_id.to_string(),
            source,
        }))
    }

    async fn close_ra(&self, ra: &RaRef) -> Result<(), NsError> {
        let rec = self.ra_record(ra).await?;
        let open: Vec<Value> = record_lines(&rec)
            .iter()
            .filter(|l| text(l.get("isClosed")) != "T")
            .map(|l| json!({"line": text(l.get("line")).parse::<u64>().unwrap_or(0), "isClosed": true}))
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        self.client
            .patch(RA, &ra.internal_id, &json!({"item": {"items": open}}))
            .await
    }

    async fn receive(
        &self,
        ra: &RaRef,
        plan: &ReceiptPlan,
        external_id: &str,
    ) -> Result<String, NsError> {
        let groups = books_lines::by_location(plan);
        if groups.is_empty() {
            return Err(invalid(
                "itemReceipt.item",
                format!(
                    "RA {}: nothing to receive: every unit is missing or wrong",
                    ra.external_id
                ),
            ));
        }
        let mut first = None;
        for (i, group) in groups.iter().enumerate() {
            let eid = books_lines::receipt_external_id(external_id, i);
            let id = match self.existing(RECEIPT, &eid).await? {
                Some(id) => id,
                None => {
                    // Read again per receipt: the previous one moved `quantityReceived`.
                    let rec = self.ra_record(ra).await?;
                    let open = self
                        .open_lines(&rec, |l| {
                            dec(&text(l.get("quantity"))) - dec(&text(l.get("quantityReceived")))
                        })
                        .await?;
                    let lines = books_lines::receipt_lines(group, &open).map_err(|e| {
                        invalid("itemReceipt.item", format!("RA {}: {e}", ra.external_id))
                    })?;
                    let body = json!({"externalId": eid, "item": {"items": lines}});
                    self.transform_once((RA, &ra.internal_id), RECEIPT, &eid, &body)
                        .await?
                }
            };
            first.get_or_insert(id);
        }
        first.ok_or_else(|| invalid("itemReceipt", "no receipt was written"))
    }

    async fn credit(
        &self,
        ra: &RaRef,
        plan: &CreditPlan,
        external_id: &str,
    ) -> Result<String, NsError> {
        let sum = books_lines::plan_sum(plan);
        if sum != plan.total {
            return Err(invalid(
                "credit.total",
                format!(
                    "the credit's lines, shipping and tax add up to {sum}, TikTok's refund is {}",
                    plan.total
                ),
            ));
        }
        let rtype = ra.source.credit_type();
        if let Some(id) = self.existing(rtype, external_id).await? {
            self.check_booked(rtype, &id, plan).await?;
            return Ok(id);
        }
        let rec = self.ra_record(ra).await?;
        let open = self
            .open_lines(&rec, |l| {
                dec(&text(l.get("quantity"))) - dec(&text(l.get("quantityBilled")))
            })
            .await?;
        let mut lines = books_lines::credit_lines(plan, &open)
            .map_err(|e| invalid("credit.item", format!("RA {}: {e}", ra.external_id)))?;
        if !plan.tax.is_zero() {
            let Some(tax_item) = &self.tax_item else {
                return Err(invalid(
                    "credit.tax",
                    format!(
                        "the refund has tax {} but no tax item is configured",
                        plan.tax
                    ),
                ));
            };
            lines.push(json!({"item": {"id": tax_item}, "quantity": 1, "rate": money(plan.tax), "amount": money(plan.tax)}));
        }
        let body = json!({
            "externalId": external_id,
            "shippingCost": money(plan.shipping),
            "item": {"items": lines},
        });
        let id = self
            .transform_once((RA, &ra.internal_id), rtype, external_id, &body)
            .await?;
        self.check_booked(rtype, &id, plan).await?;
        Ok(id)
    }
}
