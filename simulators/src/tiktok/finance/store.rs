//! The finance records the simulator holds per shop: statements (listed
//! rows, or a generated recipe that renders row `i` on demand, see the
//! `finance` module doc "Bulk"), payments, transactions by order and
//! unsettled rows, shaped as finance-inventory-fulfilment.md §1.3–§1.7 and
//! kept to the invariants of §1.9 (signed strings, fees negative, parts
//! adding up).

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use crate::seed::FinanceSeed;
use crate::tiktok::SimError;

/// Finance records per shop.
#[derive(Default)]
pub(crate) struct Finance {
    pub(super) statements: BTreeMap<String, BTreeMap<String, SimStatement>>,
    pub(super) payments: BTreeMap<String, BTreeMap<String, Value>>,
    pub(super) by_order: BTreeMap<String, BTreeMap<String, Value>>,
    pub(super) unsettled: BTreeMap<String, Vec<Value>>,
}

pub(super) struct SimStatement {
    /// Get Statements row.
    pub(super) row: Value,
    /// Transactions by Statement root, without `transactions` / paging keys.
    pub(super) root: Map<String, Value>,
    pub(super) rows: Rows,
}

pub(super) enum Rows {
    /// Stored rows; sorted by (order_create_time, id) before a page is cut.
    Listed {
        txs: Vec<Value>,
        sorted: bool,
    },
    Generated(Generated),
}

/// A generated statement's recipe: row `i` is [`generated_tx`]`(self, i)`.
#[derive(Debug, Clone)]
pub(super) struct Generated {
    pub(super) statement_id: String,
    pub(super) count: usize,
    pub(super) first_create_time: i64,
}

pub(super) fn sort_key(t: &Value) -> (i64, String) {
    (
        t.get("order_create_time")
            .and_then(Value::as_i64)
            .unwrap_or(0),
        t.get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    )
}

impl Rows {
    pub(super) fn len(&self) -> usize {
        match self {
            Self::Listed { txs, .. } => txs.len(),
            Self::Generated(g) => g.count,
        }
    }

    /// Row `i` in ascending order.
    pub(super) fn get(&mut self, i: usize) -> Option<Value> {
        match self {
            Self::Listed { txs, sorted } => {
                if !*sorted {
                    txs.sort_by_cached_key(sort_key);
                    *sorted = true;
                }
                txs.get(i).cloned()
            }
            Self::Generated(g) => (i < g.count).then(|| generated_tx(g, i).0),
        }
    }
}

/// Cents → a signed decimal string, like TikTok's amounts.
pub(super) fn cents(c: i64) -> String {
    Decimal::new(c, 2).to_string()
}

/// Generated ORDER transaction `i` and its parts in cents: (settlement,
/// revenue, shipping, fee_tax). Amounts vary with `i`; every 10th has an
/// affiliate commission, every 1,000th an undocumented fee key
/// (`gmv_max_ad_fee_amount`, §1.5 "the key set keeps growing"), so unknown
/// keys show up at scale. Parts always add up (I2, I3).
pub(super) fn generated_tx(g: &Generated, i: usize) -> (Value, [i64; 4]) {
    let n = i as i64;
    let subtotal = 1000 + (n % 50) * 100;
    let discount = -(n % 5) * 50;
    let shipping = if n % 3 == 0 { 499 } else { 0 };
    let revenue = subtotal + discount;
    let referral = -(revenue * 8 / 100);
    let affiliate = if n % 10 == 0 { -(subtotal / 10) } else { 0 };
    let unknown = if n % 1000 == 0 { -10 } else { 0 };
    let fee_tax = referral + affiliate + unknown;
    let settlement = revenue + shipping + fee_tax;
    let mut fee = json!({"referral_fee_amount": cents(referral), "transaction_fee_amount": "0",
        "affiliate_commission_amount": cents(affiliate)});
    if unknown != 0 {
        fee["gmv_max_ad_fee_amount"] = json!(cents(unknown));
    }
    let tx = json!({
        "id": format!("{}{:09}", g.statement_id.chars().take(10).collect::<String>(), i),
        "type": "ORDER",
        "order_id": format!("58{:016}", i),
        "order_create_time": g.first_create_time + n,
        "settlement_amount": cents(settlement),
        "revenue_amount": cents(revenue),
        "revenue_breakdown": {"subtotal_before_discount_amount": cents(subtotal),
            "seller_discount_amount": cents(discount),
            "refund_subtotal_before_discount_amount": "0", "seller_discount_refund_amount": "0"},
        "shipping_cost_amount": cents(shipping),
        "shipping_cost_breakdown": {"actual_shipping_fee_amount": "0",
            "customer_paid_shipping_fee_amount": cents(shipping),
            "supplementary_component": {"customer_shipping_fee": cents(shipping)}},
        "fee_tax_amount": cents(fee_tax),
        "fee_tax_breakdown": {"fee": fee, "tax": {}},
        "adjustment_amount": "0",
        "supplementary_component": {"customer_payment_amount": cents(revenue + shipping),
            "platform_discount_amount": "0", "sales_tax_amount": "0"}
    });
    (tx, [settlement, revenue, shipping, fee_tax])
}

/// What [`TikTokSim::generate_statement`] makes.
#[derive(Debug, Clone, Deserialize)]
pub struct GeneratedStatement {
    pub shop_id: String,
    pub statement_id: String,
    /// `statement_time` (end of the day covered, §1.2).
    pub statement_time: i64,
    pub count: usize,
    /// Also creates a PAID payment of the payable with this id.
    #[serde(default)]
    pub payment_id: Option<String>,
}

impl Finance {
    pub(crate) fn from_seed(seed: &FinanceSeed) -> Self {
        let mut f = Self::default();
        for s in &seed.statements {
            // Seed records are checked by `seeded_finance_adds_up`.
            let _ = f.upsert_statement(
                &s.shop_id,
                s.statement.clone(),
                Some(s.transactions.clone()),
            );
        }
        for p in &seed.payments {
            let _ = f.upsert_payment(&p.shop_id, p.payment.clone());
        }
        for o in &seed.order_transactions {
            let _ = f.upsert_order(&o.shop_id, o.data.clone());
        }
        for u in &seed.unsettled {
            f.unsettled
                .entry(u.shop_id.clone())
                .or_default()
                .push(u.transaction.clone());
        }
        f
    }

    pub(super) fn upsert_statement(
        &mut self,
        shop: &str,
        row: Value,
        data: Option<Value>,
    ) -> Result<String, SimError> {
        let id = row
            .get("id")
            .and_then(Value::as_str)
            .ok_or(SimError::MissingId("statement", "id"))?
            .to_string();
        let mut root = match data {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let txs = match root.remove("transactions") {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        root.remove("next_page_token");
        root.remove("total_count");
        root.entry("id").or_insert_with(|| json!(id));
        self.statements.entry(shop.to_string()).or_default().insert(
            id.clone(),
            SimStatement {
                row,
                root,
                rows: Rows::Listed { txs, sorted: false },
            },
        );
        Ok(id)
    }

    pub(super) fn upsert_payment(&mut self, shop: &str, payment: Value) -> Result<(), SimError> {
        let id = payment
            .get("id")
            .and_then(Value::as_str)
            .ok_or(SimError::MissingId("payment", "id"))?
            .to_string();
        self.payments
            .entry(shop.to_string())
            .or_default()
            .insert(id, payment);
        Ok(())
    }

    pub(super) fn upsert_order(&mut self, shop: &str, data: Value) -> Result<(), SimError> {
        let id = data
            .get("order_id")
            .and_then(Value::as_str)
            .ok_or(SimError::MissingId("order transactions", "order_id"))?
            .to_string();
        self.by_order
            .entry(shop.to_string())
            .or_default()
            .insert(id, data);
        Ok(())
    }
}
