//! Finance API (finance-inventory-fulfilment.md §1): what the payout job
//! reads. Built on 202309 Get Statements / Get Payments and **202501**
//! Transactions by Statement (the 202309 statement-transaction endpoints
//! are being shut down, §0.1), plus 202507 unsettled estimates.
//!
//! - Amounts are signed decimal strings, income positive, fees negative
//!   (§1.9 I1); here they become [`Money`], and payments' `{value,
//!   currency}` objects [`Amount`].
//! - Statement transactions stay JSON, so every `*_breakdown` keeps every
//!   key TikTok sends (§1.5: the key set keeps growing; the planner reads
//!   each breakdown as a key → amount map).
//! - [`ShopSessions::statement_transactions`] follows `next_page_token` to
//!   the end (100 a page, `sort_field=order_create_time` required, §1.1)
//!   and returns the statement's `data` with every page's `transactions`
//!   gathered, the shape [`crate::payouts::plan::plan_journal`] reads;
//!   rows are de-duplicated by id and counted against `total_count`.
//! - Every page is one call through [`ShopSessions::call_with_refresh`].

use std::collections::HashSet;
use std::future::Future;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::auth::{ShopCallError, ShopSessions};
use super::model::money;
use super::transport::call_name;
use super::{Scope, ShopAuth, TikTokClient, TikTokError};
use crate::domain::{Money, PaymentId, ShopId, StatementId};

pub const PATH_STATEMENTS: &str = "/finance/202309/statements";
pub const PATH_PAYMENTS: &str = "/finance/202309/payments";
pub const PATH_UNSETTLED: &str = "/finance/202507/orders/unsettled";

/// Transactions by Statement 202501 for one statement.
pub fn statement_transactions_path(id: &StatementId) -> String {
    format!(
        "/finance/202501/statements/{}/statement_transactions",
        id.as_str()
    )
}

/// The largest page every paged finance API allows ("1–100", §1.1).
pub const PAGE_SIZE: usize = 100;

/// Pages followed before giving up (5,000 pages = 500,000 transactions).
pub const MAX_PAGES: usize = 5_000;

crate::string_enum! {
    /// `payment_status` of a statement / `status` of a payment (§1.3, §1.4).
    pub enum PaymentStatus {
        Paid = "PAID",
        Failed = "FAILED",
        Processing = "PROCESSING",
    }
}

impl Default for PaymentStatus {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

/// An amount that does not apply everywhere (`revenue_amount` is empty for
/// US/UK, §1.3): `None` when absent or empty, else a decimal like [`money`].
fn opt_money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => money(v).map(Some).map_err(serde::de::Error::custom),
    }
}

/// `payment_id` is empty until a statement is paid: empty is `None`.
fn opt_payment_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PaymentId>, D::Error> {
    let s = Option::<String>::deserialize(d)?.unwrap_or_default();
    Ok((!s.trim().is_empty()).then(|| PaymentId::new(s.trim())))
}

/// A unix time (`paid_time`), number or string; absent, empty or 0 is `None`.
fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(serde::de::Error::custom),
        Some(Value::Number(n)) => Ok(n.as_i64().filter(|t| *t != 0)),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a unix time, got {other}"
        ))),
    }
}

/// One Get Statements row (§1.3). For US/UK local sellers revenue is
/// `net_sales_amount`; `revenue_amount` is empty there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub id: StatementId,
    /// End of the day the statement covers (§1.2).
    pub statement_time: i64,
    #[serde(default)]
    pub currency: String,
    #[serde(default, deserialize_with = "money")]
    pub settlement_amount: Money,
    #[serde(default, deserialize_with = "opt_money")]
    pub revenue_amount: Option<Money>,
    #[serde(default, deserialize_with = "opt_money")]
    pub net_sales_amount: Option<Money>,
    #[serde(default, deserialize_with = "opt_money")]
    pub shipping_cost_amount: Option<Money>,
    #[serde(default, deserialize_with = "money")]
    pub fee_amount: Money,
    #[serde(default, deserialize_with = "money")]
    pub adjustment_amount: Money,
    #[serde(default)]
    pub payment_status: PaymentStatus,
    #[serde(default, deserialize_with = "opt_payment_id")]
    pub payment_id: Option<PaymentId>,
}

/// A payment's `{value, currency}` object (§1.4).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Amount {
    #[serde(default, deserialize_with = "money")]
    pub value: Money,
    #[serde(default)]
    pub currency: String,
}

/// One Get Payments row (§1.4). `amount` is after exchange: the bank line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    #[serde(default)]
    pub create_time: i64,
    #[serde(default)]
    pub status: PaymentStatus,
    #[serde(default, deserialize_with = "opt_time")]
    pub paid_time: Option<i64>,
    #[serde(default)]
    pub amount: Amount,
    #[serde(default)]
    pub settlement_amount: Amount,
    #[serde(default)]
    pub reserve_amount: Amount,
    #[serde(default)]
    pub payment_amount_before_exchange: Amount,
    #[serde(default, deserialize_with = "opt_money")]
    pub exchange_rate: Option<Money>,
    /// Masked, last 4 digits.
    #[serde(default)]
    pub bank_account: String,
}

/// A whole statement as TikTok sent it: the last page's `data` with
/// `transactions` holding every page's rows (de-duplicated by id) and
/// `next_page_token` emptied. This is what the planner reads and what the
/// job keeps to rebuild and audit a journal.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementTransactions {
    pub data: Value,
    /// Calls it took.
    pub pages: usize,
    /// Rows TikTok sent twice across pages (dropped from `data`).
    pub duplicates: usize,
}

/// One page of Get Statements / Get Payments / Unsettled Transactions.
#[derive(Deserialize)]
struct ListPage {
    #[serde(
        default,
        alias = "statements",
        alias = "payments",
        alias = "transactions"
    )]
    rows: Vec<Value>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// Rows and the next token (`None` on the last page).
type Page<T> = (Vec<T>, Option<String>);

fn decode_rows<T: DeserializeOwned>(path: &str, rows: Vec<Value>) -> Result<Vec<T>, TikTokError> {
    let decode = |raw: Value| {
        let id = raw.get("id").and_then(Value::as_str).unwrap_or("<no id>");
        let id = id.to_string();
        serde_json::from_value(raw).map_err(|e| TikTokError::Decode {
            call: call_name(&Method::GET, path),
            http_status: 200,
            reason: format!("row {id} does not match the Finance API model: {e}"),
            body: None,
        })
    };
    rows.into_iter().map(decode).collect()
}

impl TikTokClient {
    /// One page of a finance `GET`, ascending by `sort_field` (required, §1.1),
    /// 100 rows, with the time window `[window.0, window.1)`.
    async fn finance_page<T: DeserializeOwned>(
        &self,
        shop: &ShopAuth,
        path: &str,
        sort_field: &str,
        window: [(&str, i64); 2],
        page_token: Option<&str>,
    ) -> Result<Page<T>, TikTokError> {
        let (size, ge, lt) = (
            PAGE_SIZE.to_string(),
            window[0].1.to_string(),
            window[1].1.to_string(),
        );
        let mut params = vec![
            ("sort_field", sort_field),
            ("sort_order", "ASC"),
            ("page_size", size.as_str()),
            (window[0].0, ge.as_str()),
            (window[1].0, lt.as_str()),
        ];
        if let Some(t) = page_token.filter(|t| !t.is_empty()) {
            params.push(("page_token", t));
        }
        let page: ListPage = self
            .call(Method::GET, path, Scope::Shop(shop), &params, None)
            .await?;
        let next = page.next_page_token.filter(|t| !t.is_empty());
        Ok((decode_rows(path, page.rows)?, next))
    }

    /// One page of Get Statements with `statement_time` in `[from, to)`.
    pub async fn statements_page(
        &self,
        shop: &ShopAuth,
        (from, to): (i64, i64),
        page_token: Option<&str>,
    ) -> Result<Page<Statement>, TikTokError> {
        let window = [("statement_time_ge", from), ("statement_time_lt", to)];
        self.finance_page(shop, PATH_STATEMENTS, "statement_time", window, page_token)
            .await
    }

    /// One page of Get Payments with `create_time` in `[from, to)`.
    pub async fn payments_page(
        &self,
        shop: &ShopAuth,
        (from, to): (i64, i64),
        page_token: Option<&str>,
    ) -> Result<Page<Payment>, TikTokError> {
        let window = [("create_time_ge", from), ("create_time_lt", to)];
        self.finance_page(shop, PATH_PAYMENTS, "create_time", window, page_token)
            .await
    }

    /// One page of Unsettled Transactions 202507 (estimates: report them,
    /// never post them, §1.7), rows as sent.
    pub async fn unsettled_page(
        &self,
        shop: &ShopAuth,
        (from, to): (i64, i64),
        page_token: Option<&str>,
    ) -> Result<Page<Value>, TikTokError> {
        let window = [("search_time_ge", from), ("search_time_lt", to)];
        self.finance_page(
            shop,
            PATH_UNSETTLED,
            "order_create_time",
            window,
            page_token,
        )
        .await
    }

    /// One page of Transactions by Statement 202501: its `data` as sent.
    pub async fn statement_transactions_page(
        &self,
        shop: &ShopAuth,
        statement: &StatementId,
        page_token: Option<&str>,
    ) -> Result<Value, TikTokError> {
        let path = statement_transactions_path(statement);
        let size = PAGE_SIZE.to_string();
        let mut params = vec![
            ("sort_field", "order_create_time"),
            ("sort_order", "ASC"),
            ("page_size", size.as_str()),
        ];
        if let Some(t) = page_token.filter(|t| !t.is_empty()) {
            params.push(("page_token", t));
        }
        self.call(Method::GET, &path, Scope::Shop(shop), &params, None)
            .await
    }
}

/// A finance read that did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FinanceError {
    #[error(transparent)]
    Call(#[from] ShopCallError),
    /// TikTok kept returning page tokens past [`MAX_PAGES`].
    #[error("TikTok {call} for shop {shop_id} returned more than {MAX_PAGES} pages; stopped")]
    TooManyPages { call: String, shop_id: ShopId },
    /// The pages held another number of distinct rows than `total_count`
    /// (incomplete, or the cursor moved): never post part of a statement.
    #[error("TikTok statement {statement_id}: total_count is {expected} but the pages held {got} distinct transactions")]
    Incomplete {
        statement_id: StatementId,
        expected: u64,
        got: u64,
    },
    /// A page's `data` was not an object, or named another statement.
    #[error("TikTok statement {statement_id}: unexpected page: {reason}")]
    BadPage {
        statement_id: StatementId,
        reason: String,
    },
}

impl FinanceError {
    /// Whether trying again later may succeed without a human.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Call(ShopCallError::TikTok(e)) => e.is_retryable(),
            Self::Call(ShopCallError::Token(e)) => e.is_retryable(),
            Self::Incomplete { .. } => true,
            Self::TooManyPages { .. } | Self::BadPage { .. } => false,
        }
    }
}

impl ShopSessions {
    /// Every page of a list, each through [`Self::call_with_refresh`].
    async fn all_pages<T, F, Fut>(
        &self,
        shop: &ShopId,
        path: &str,
        page: F,
    ) -> Result<Vec<T>, FinanceError>
    where
        F: Fn(ShopAuth, Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, TikTokError>>,
    {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let (rows, next) = self
                .call_with_refresh(shop, |auth| page(auth, token.clone()))
                .await?;
            out.extend(rows);
            match next {
                Some(t) => token = Some(t),
                None => return Ok(out),
            }
        }
        Err(FinanceError::TooManyPages {
            call: call_name(&Method::GET, path),
            shop_id: shop.clone(),
        })
    }

    /// Every statement with `statement_time` in `[from, to)`, oldest first.
    pub async fn statements_between(
        &self,
        shop: &ShopId,
        from: i64,
        to: i64,
    ) -> Result<Vec<Statement>, FinanceError> {
        let c = self.client();
        self.all_pages(shop, PATH_STATEMENTS, |auth, t| async move {
            c.statements_page(&auth, (from, to), t.as_deref()).await
        })
        .await
    }

    /// Every payment with `create_time` in `[from, to)`, oldest first.
    pub async fn payments_between(
        &self,
        shop: &ShopId,
        from: i64,
        to: i64,
    ) -> Result<Vec<Payment>, FinanceError> {
        let c = self.client();
        self.all_pages(shop, PATH_PAYMENTS, |auth, t| async move {
            c.payments_page(&auth, (from, to), t.as_deref()).await
        })
        .await
    }

    /// Every unsettled (estimated) row with its time in `[from, to)`.
    pub async fn unsettled_between(
        &self,
        shop: &ShopId,
        from: i64,
        to: i64,
    ) -> Result<Vec<Value>, FinanceError> {
        let c = self.client();
        self.all_pages(shop, PATH_UNSETTLED, |auth, t| async move {
            c.unsettled_page(&auth, (from, to), t.as_deref()).await
        })
        .await
    }

    /// Every page of Transactions by Statement 202501 in order, each handed
    /// to `on_page` as its `data` (rows in `transactions`) as it arrives, so
    /// a caller can archive or fold a 100,000-row statement without holding
    /// it whole. Checks each page names `statement`. Answers the pages read.
    pub async fn each_statement_page<F>(
        &self,
        shop: &ShopId,
        statement: &StatementId,
        mut on_page: F,
    ) -> Result<usize, FinanceError>
    where
        F: FnMut(Map<String, Value>),
    {
        let c = self.client();
        let mut token: Option<String> = None;
        for pages in 1..=MAX_PAGES {
            let page = self
                .call_with_refresh(shop, |auth| {
                    let t = token.clone();
                    async move {
                        c.statement_transactions_page(&auth, statement, t.as_deref())
                            .await
                    }
                })
                .await?;
            let page = match page {
                Value::Object(m) if m.get("id") == Some(&Value::from(statement.as_str())) => m,
                other => {
                    return Err(FinanceError::BadPage {
                        statement_id: statement.clone(),
                        reason: format!("a page came for statement {}", other["id"]),
                    })
                }
            };
            token = page
                .get("next_page_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            on_page(page);
            if token.is_none() {
                return Ok(pages);
            }
        }
        Err(FinanceError::TooManyPages {
            call: call_name(&Method::GET, &statement_transactions_path(statement)),
            shop_id: shop.clone(),
        })
    }

    /// A whole statement (see [`StatementTransactions`]): every page of
    /// Transactions by Statement 202501, rows de-duplicated by id, their
    /// count checked against the last page's `total_count`.
    pub async fn statement_transactions(
        &self,
        shop: &ShopId,
        statement: &StatementId,
    ) -> Result<StatementTransactions, FinanceError> {
        let mut data = Map::new();
        let (mut rows, mut seen, mut duplicates) = (Vec::new(), HashSet::new(), 0usize);
        let pages = self
            .each_statement_page(shop, statement, |mut page| {
                if let Some(Value::Array(txs)) = page.remove("transactions") {
                    for t in txs {
                        let tid = t.get("id").and_then(Value::as_str).unwrap_or_default();
                        if !tid.is_empty() && !seen.insert(tid.to_string()) {
                            duplicates += 1;
                        } else {
                            rows.push(t);
                        }
                    }
                }
                data = page;
            })
            .await?;
        let expected = data.get("total_count").and_then(Value::as_u64).unwrap_or(0);
        if rows.len() as u64 != expected {
            return Err(FinanceError::Incomplete {
                statement_id: statement.clone(),
                expected,
                got: rows.len() as u64,
            });
        }
        data.insert("next_page_token".into(), Value::from(""));
        data.insert("transactions".into(), Value::Array(rows));
        Ok(StatementTransactions {
            data: Value::Object(data),
            pages,
            duplicates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> Money {
        s.parse().unwrap()
    }

    /// The §1.10 rows, verbatim from the notes.
    #[test]
    fn the_notes_sample_statement_and_payment_decode_with_signs_kept() {
        let s: Statement = serde_json::from_value(json!({
            "id":"7491234567890123456","statement_time":1767225600,"currency":"USD",
            "settlement_amount":"84.49","revenue_amount":"","net_sales_amount":"75.00",
            "shipping_cost_amount":"5.99","fee_amount":"-9.00","adjustment_amount":"12.50",
            "payment_status":"PAID","payment_id":"3459275187040258849"}))
        .unwrap();
        assert_eq!(s.revenue_amount, None, "US: empty, not zero");
        assert_eq!(s.net_sales_amount, Some(d("75.00")));
        assert_eq!(s.fee_amount, d("-9.00"));
        assert_eq!(s.payment_status, PaymentStatus::Paid);
        assert_eq!(s.payment_id, Some(PaymentId::new("3459275187040258849")));
        let p: Payment = serde_json::from_value(json!({
            "id":"3459275187040258849","create_time":1767312000,"status":"PAID","paid_time":1767398400,
            "settlement_amount":{"value":"84.49","currency":"USD"},"reserve_amount":{"value":"-5.00","currency":"USD"},
            "payment_amount_before_exchange":{"value":"79.49","currency":"USD"},"exchange_rate":"1.000000",
            "amount":{"value":"79.49","currency":"USD"},"bank_account":"***********1234"}))
        .unwrap();
        assert_eq!(p.reserve_amount.value, d("-5.00"));
        assert_eq!(
            p.settlement_amount.value + p.reserve_amount.value,
            p.payment_amount_before_exchange.value,
            "I6"
        );
        assert_eq!(p.amount.currency, "USD");
        assert_eq!(p.exchange_rate, Some(d("1")));
        assert_eq!(p.paid_time, Some(1767398400));
    }

    #[test]
    fn unpaid_statements_unknown_statuses_and_bad_amounts() {
        let s: Statement = serde_json::from_value(json!({"id":"1","statement_time":1,
            "settlement_amount":"1.00","payment_status":"ON_HOLD","payment_id":""}))
        .unwrap();
        assert_eq!(s.payment_id, None);
        assert_eq!(s.payment_status.as_str(), "ON_HOLD");
        let bad = serde_json::from_value::<Statement>(
            json!({"id":"1","statement_time":1,"fee_amount":"-1,00"}),
        );
        assert!(bad.is_err(), "a malformed amount is an error, never zero");
        let p: Payment =
            serde_json::from_value(json!({"id":"2","paid_time":0,"status":"PROCESSING"})).unwrap();
        assert_eq!((p.paid_time, p.status), (None, PaymentStatus::Processing));
    }

    #[test]
    fn incomplete_statements_are_retryable_bad_pages_are_not() {
        let inc = FinanceError::Incomplete {
            statement_id: StatementId::new("1"),
            expected: 4,
            got: 3,
        };
        assert!(inc.is_retryable());
        assert!(inc.to_string().contains("total_count is 4"));
        let bad = FinanceError::BadPage {
            statement_id: StatementId::new("1"),
            reason: "x".into(),
        };
        assert!(!bad.is_retryable());
    }
}
