//! The simulator's own `/_sim/finance/*` controls (no TikTok API) and the
//! [`TikTokSim`] methods behind them: load statements, transactions,
//! payments, order transactions and unsettled rows in bulk, and generate a
//! statement of any size (the `finance` module doc, "Bulk").

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::store::{cents, generated_tx, Generated, GeneratedStatement, Rows, SimStatement};
use crate::tiktok::{SimError, TikTokSim};

impl TikTokSim {
    pub(super) fn known_shop(&self, shop_id: &str) -> Result<(), SimError> {
        if self.state().shops.iter().any(|s| s.id == shop_id) {
            Ok(())
        } else {
            Err(SimError::UnknownShop(shop_id.to_string()))
        }
    }

    /// Inserts or replaces a statement: its Get Statements row and
    /// (optionally) its Transactions by Statement `data`, whose
    /// `transactions` become the statement's rows. Answers the id.
    pub fn upsert_statement(
        &self,
        shop_id: &str,
        statement: Value,
        transactions: Option<Value>,
    ) -> Result<String, SimError> {
        self.known_shop(shop_id)?;
        self.state()
            .finance
            .upsert_statement(shop_id, statement, transactions)
    }

    /// Appends rows to a stored (not generated) statement; its root totals
    /// are left as they are. Answers the statement's row count.
    pub fn append_statement_transactions(
        &self,
        shop_id: &str,
        statement_id: &str,
        transactions: Vec<Value>,
    ) -> Result<usize, SimError> {
        let mut st = self.state();
        let s = st
            .finance
            .statements
            .get_mut(shop_id)
            .and_then(|m| m.get_mut(statement_id))
            .ok_or_else(|| SimError::UnknownStatement(statement_id.to_string()))?;
        match &mut s.rows {
            Rows::Listed { txs, sorted } => {
                txs.extend(transactions);
                *sorted = false;
                Ok(txs.len())
            }
            Rows::Generated(_) => Err(SimError::UnknownStatement(format!(
                "{statement_id} (generated: its rows cannot be appended to)"
            ))),
        }
    }

    /// Inserts or replaces payments (matched by `id`).
    pub fn upsert_payments(&self, shop_id: &str, payments: Vec<Value>) -> Result<(), SimError> {
        self.known_shop(shop_id)?;
        let mut st = self.state();
        for p in payments {
            st.finance.upsert_payment(shop_id, p)?;
        }
        Ok(())
    }

    /// Inserts or replaces one order's Transactions by Order `data`.
    pub fn upsert_order_transactions(&self, shop_id: &str, data: Value) -> Result<(), SimError> {
        self.known_shop(shop_id)?;
        self.state().finance.upsert_order(shop_id, data)
    }

    /// Adds unsettled (estimated) transactions.
    pub fn add_unsettled(&self, shop_id: &str, rows: Vec<Value>) -> Result<(), SimError> {
        self.known_shop(shop_id)?;
        self.state()
            .finance
            .unsettled
            .entry(shop_id.to_string())
            .or_default()
            .extend(rows);
        Ok(())
    }

    /// A statement of `count` generated ORDER transactions whose totals add
    /// up (see the module doc), plus its Get Statements row and, with
    /// `payment_id`, a PAID payment. Answers the root `data` without rows.
    pub fn generate_statement(&self, spec: &GeneratedStatement) -> Result<Value, SimError> {
        self.known_shop(&spec.shop_id)?;
        if spec.statement_id.is_empty() {
            return Err(SimError::MissingId("statement", "id"));
        }
        let g = Generated {
            statement_id: spec.statement_id.clone(),
            count: spec.count,
            first_create_time: spec.statement_time - 30 * 86_400,
        };
        let mut sum = [0i64; 4];
        for i in 0..spec.count {
            let (_, parts) = generated_tx(&g, i);
            for (s, p) in sum.iter_mut().zip(parts) {
                *s += p;
            }
        }
        let [settlement, revenue, shipping, fee_tax] = sum;
        let payment_id = spec.payment_id.clone().unwrap_or_default();
        let root = json!({"id": spec.statement_id, "create_time": spec.statement_time,
            "status": "SETTLED", "currency": "USD",
            "total_settlement_amount": cents(settlement), "total_reserve_amount": "0",
            "payable_amount": cents(settlement),
            "total_settlement_breakdown": {"total_revenue_amount": cents(revenue),
                "total_shipping_cost_amount": cents(shipping), "total_fee_tax_amount": cents(fee_tax),
                "total_adjustment_amount": "0"}});
        let row = json!({"id": spec.statement_id, "statement_time": spec.statement_time,
            "currency": "USD", "settlement_amount": cents(settlement), "revenue_amount": "",
            "net_sales_amount": cents(revenue), "shipping_cost_amount": cents(shipping),
            "fee_amount": cents(fee_tax), "adjustment_amount": "0",
            "payment_status": if payment_id.is_empty() { "PROCESSING" } else { "PAID" },
            "payment_id": payment_id});
        let mut st = self.state();
        let Value::Object(root_map) = root.clone() else {
            return Err(SimError::MissingId("statement", "id"));
        };
        st.finance
            .statements
            .entry(spec.shop_id.clone())
            .or_default()
            .insert(
                spec.statement_id.clone(),
                SimStatement {
                    row,
                    root: root_map,
                    rows: Rows::Generated(g),
                },
            );
        if let Some(pid) = spec.payment_id.as_deref().filter(|p| !p.is_empty()) {
            let usd = |c: i64| json!({"value": cents(c), "currency": "USD"});
            st.finance.upsert_payment(
                &spec.shop_id,
                json!({"id": pid, "create_time": spec.statement_time + 86_400, "status": "PAID",
                    "paid_time": spec.statement_time + 2 * 86_400,
                    "settlement_amount": usd(settlement), "reserve_amount": usd(0),
                    "payment_amount_before_exchange": usd(settlement), "exchange_rate": "1.000000",
                    "amount": usd(settlement), "bank_account": "***********1234"}),
            )?;
        }
        Ok(root)
    }

    /// Counts of the finance records of a shop (`GET /_sim/finance/{shop}`).
    pub fn finance_summary(&self, shop_id: &str) -> Value {
        let st = self.state();
        let f = &st.finance;
        let statements: Vec<Value> = f
            .statements
            .get(shop_id)
            .into_iter()
            .flat_map(|m| m.iter())
            .map(|(id, s)| json!({"id": id, "transactions": s.rows.len(), "row": s.row}))
            .collect();
        json!({
            "statements": statements,
            "payments": f.payments.get(shop_id).map_or(0, BTreeMap::len),
            "orders": f.by_order.get(shop_id).map_or(0, BTreeMap::len),
            "unsettled": f.unsettled.get(shop_id).map_or(0, Vec::len),
        })
    }
}

fn control<T: serde::Serialize>(r: Result<T, SimError>) -> Response {
    match r {
        Ok(v) => (StatusCode::OK, Json(json!({"ok": true, "result": v}))).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e.to_string()})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct UpsertStatement {
    shop_id: String,
    statement: Value,
    #[serde(default)]
    transactions: Option<Value>,
}

/// `POST /_sim/finance/statements {shop_id, statement, transactions?}`.
pub(crate) async fn control_statement(
    State(sim): State<TikTokSim>,
    Json(r): Json<UpsertStatement>,
) -> Response {
    control(sim.upsert_statement(&r.shop_id, r.statement, r.transactions))
}

#[derive(Deserialize)]
pub(crate) struct AppendTransactions {
    shop_id: String,
    transactions: Vec<Value>,
}

/// `POST /_sim/finance/statements/{id}/transactions {shop_id, transactions}`.
pub(crate) async fn control_append(
    State(sim): State<TikTokSim>,
    Path(statement_id): Path<String>,
    Json(r): Json<AppendTransactions>,
) -> Response {
    control(sim.append_statement_transactions(&r.shop_id, &statement_id, r.transactions))
}

#[derive(Deserialize)]
pub(crate) struct UpsertPayments {
    shop_id: String,
    payments: Vec<Value>,
}

/// `POST /_sim/finance/payments {shop_id, payments}`.
pub(crate) async fn control_payments(
    State(sim): State<TikTokSim>,
    Json(r): Json<UpsertPayments>,
) -> Response {
    control(sim.upsert_payments(&r.shop_id, r.payments))
}

#[derive(Deserialize)]
pub(crate) struct UpsertOrder {
    shop_id: String,
    data: Value,
}

/// `POST /_sim/finance/orders {shop_id, data}`.
pub(crate) async fn control_order(
    State(sim): State<TikTokSim>,
    Json(r): Json<UpsertOrder>,
) -> Response {
    control(sim.upsert_order_transactions(&r.shop_id, r.data))
}

/// `POST /_sim/finance/unsettled {shop_id, transactions}`.
pub(crate) async fn control_unsettled(
    State(sim): State<TikTokSim>,
    Json(r): Json<AppendTransactions>,
) -> Response {
    control(sim.add_unsettled(&r.shop_id, r.transactions))
}

/// `POST /_sim/finance/generate {shop_id, statement_id, statement_time, count, payment_id?}`.
pub(crate) async fn control_generate(
    State(sim): State<TikTokSim>,
    Json(r): Json<GeneratedStatement>,
) -> Response {
    control(sim.generate_statement(&r))
}

/// `GET /_sim/finance/{shop_id}`.
pub(crate) async fn control_show(
    State(sim): State<TikTokSim>,
    Path(shop_id): Path<String>,
) -> Json<Value> {
    Json(sim.finance_summary(&shop_id))
}
