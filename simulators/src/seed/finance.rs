//! The Finance API's records: statements, payments, transactions by order
//! and unsettled rows, raw JSON in TikTok's shapes
//! (finance-inventory-fulfilment.md §1.3–§1.7; Get Statements [DOC]
//! 650a676f0fcef602bf2b91f0, Get Payments 650a6784bace3e02b756fe6d,
//! Transactions by Statement 6789c0c11882810314794094, by Order
//! 6789a057b59cf903096d991b, Unsettled 68886ace1564fc04a94bd525). The
//! default set keeps the invariants of §1.9 except, on purpose, one
//! statement whose rows do not add up (I4).

use serde::{Deserialize, Serialize};

use super::US_SHOP;

/// Finance API records (finance-inventory-fulfilment.md §1), raw JSON in
/// TikTok's own shapes so a test can post fields this crate never heard of.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FinanceSeed {
    #[serde(default)]
    pub statements: Vec<StatementSeed>,
    #[serde(default)]
    pub payments: Vec<PaymentSeed>,
    /// Get Transactions by Order 202501 `data`, one per settled order.
    #[serde(default)]
    pub order_transactions: Vec<OrderTransactionsSeed>,
    /// Get Unsettled Transactions 202507 rows (estimates).
    #[serde(default)]
    pub unsettled: Vec<UnsettledSeed>,
}

/// One statement: its Get Statements 202309 row (§1.3) and its
/// Transactions by Statement 202501 `data` (§1.5: root fields plus every
/// transaction in `transactions`; `next_page_token` is the simulator's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementSeed {
    pub shop_id: String,
    pub statement: serde_json::Value,
    pub transactions: serde_json::Value,
}

/// One Get Payments 202309 row (§1.4), owned by `shop_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentSeed {
    pub shop_id: String,
    pub payment: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderTransactionsSeed {
    pub shop_id: String,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnsettledSeed {
    pub shop_id: String,
    pub transaction: serde_json::Value,
}

/// The §1.10 worked sample's `data` (Transactions by Statement 202501).
const SAMPLE_STATEMENT_DATA: &str =
    include_str!("../../../events/finance/statement-transactions-sample.json");

/// Seeded statement ids (US shop): the §1.10 sample; two small statements
/// TikTok combined into one payment (§0.4: "when the settlement amount is
/// too small … multiple statements will combined as one payment"); and one
/// whose transactions do not add up to its total (I4 "can fail in
/// production", §1.9).
pub const SAMPLE_STATEMENT: &str = "7491234567890123456";
pub const COMBINED_STATEMENT_A: &str = "7491234567890123457";
pub const COMBINED_STATEMENT_B: &str = "7491234567890123458";
pub const BROKEN_STATEMENT: &str = "7491234567890123459";
pub const SAMPLE_PAYMENT: &str = "3459275187040258849";
pub const COMBINED_PAYMENT: &str = "3459275187040258850";
pub const BROKEN_PAYMENT: &str = "3459275187040258851";

/// An ORDER transaction in the 202501 shape whose parts add up (I1–I3):
/// amounts in cents, fees negative.
fn order_tx(
    id: &str,
    order_id: &str,
    create_time: i64,
    subtotal: i64,
    seller_discount: i64,
    shipping: i64,
    referral: i64,
) -> serde_json::Value {
    let m = |c: i64| rust_decimal::Decimal::new(c, 2).to_string();
    let revenue = subtotal + seller_discount;
    serde_json::json!({
        "id": id, "type": "ORDER", "order_id": order_id, "order_create_time": create_time,
        "settlement_amount": m(revenue + shipping + referral),
        "revenue_amount": m(revenue),
        "revenue_breakdown": {"subtotal_before_discount_amount": m(subtotal),
            "seller_discount_amount": m(seller_discount),
            "refund_subtotal_before_discount_amount": "0", "seller_discount_refund_amount": "0"},
        "shipping_cost_amount": m(shipping),
        "shipping_cost_breakdown": {"actual_shipping_fee_amount": "0",
            "customer_paid_shipping_fee_amount": m(shipping),
            "supplementary_component": {"customer_shipping_fee": m(shipping)}},
        "fee_tax_amount": m(referral),
        "fee_tax_breakdown": {"fee": {"referral_fee_amount": m(referral), "transaction_fee_amount": "0"}, "tax": {}},
        "adjustment_amount": "0",
        "supplementary_component": {"customer_payment_amount": m(revenue + shipping), "platform_discount_amount": "0",
            "sales_tax_amount": "0"}
    })
}

/// A statement's Get Statements row (US local seller: `revenue_amount`
/// empty, `net_sales_amount` carries revenue, §1.3).
#[allow(clippy::too_many_arguments)]
fn statement_row(
    id: &str,
    time: i64,
    settlement: &str,
    net_sales: &str,
    shipping: &str,
    fee: &str,
    adjustment: &str,
    payment_id: &str,
) -> serde_json::Value {
    serde_json::json!({"id": id, "statement_time": time, "currency": "USD",
        "settlement_amount": settlement, "revenue_amount": "", "net_sales_amount": net_sales,
        "shipping_cost_amount": shipping, "fee_amount": fee, "adjustment_amount": adjustment,
        "payment_status": "PAID", "payment_id": payment_id})
}

fn payment_row(
    id: &str,
    create: i64,
    settlement: &str,
    reserve: &str,
    payable: &str,
) -> serde_json::Value {
    let usd = |v: &str| serde_json::json!({"value": v, "currency": "USD"});
    serde_json::json!({"id": id, "create_time": create, "status": "PAID", "paid_time": create + 86_400,
        "settlement_amount": usd(settlement), "reserve_amount": usd(reserve),
        "payment_amount_before_exchange": usd(payable), "exchange_rate": "1.000000",
        "amount": usd(payable), "bank_account": "***********1234"})
}

/// The built-in finance records for the US shop (see the constants above).
/// Every amount satisfies I1–I7 except, on purpose, [`BROKEN_STATEMENT`]'s
/// total (21.00 stated, 20.00 in its one transaction).
pub fn default_finance() -> FinanceSeed {
    use serde_json::json;
    let sample: serde_json::Value = match serde_json::from_str(SAMPLE_STATEMENT_DATA) {
        Ok(v) => v,
        // Covered by `seeded_finance_adds_up`; an empty seed beats a panic.
        Err(_) => return FinanceSeed::default(),
    };
    let st = |statement, transactions| StatementSeed {
        shop_id: US_SHOP.into(),
        statement,
        transactions,
    };
    let root = |id: &str,
                time: i64,
                total: &str,
                reserve: &str,
                payable: &str,
                parts: [&str; 4],
                txs: Vec<serde_json::Value>| {
        json!({"id": id, "create_time": time, "status": "SETTLED", "currency": "USD",
            "total_settlement_amount": total, "total_reserve_amount": reserve, "payable_amount": payable,
            "total_settlement_breakdown": {"total_revenue_amount": parts[0], "total_shipping_cost_amount": parts[1],
                "total_fee_tax_amount": parts[2], "total_adjustment_amount": parts[3]},
            "total_count": txs.len(), "next_page_token": "", "transactions": txs})
    };
    // A: 10.00 − 1.00 discount, no shipping, referral −0.80 → 8.20.
    let a = order_tx(
        "7491234500000000011",
        "577123456789000011",
        1767225700,
        1000,
        -100,
        0,
        -80,
    );
    // B: 5.00 + 1.99 shipping, referral −0.89 → 6.10; plus the sample's
    // reserve released (+5.00, §1.5 `RELEASED`, empty release time).
    let b = order_tx(
        "7491234500000000021",
        "577123456789000021",
        1767312100,
        500,
        0,
        199,
        -89,
    );
    let release = json!({"id": "7491234500000000022", "type": "RESERVE", "reserve_id": "56789910",
        "associated_order_id": "577123456789000001", "reserve_status": "RELEASED",
        "estimated_release_time": "", "reserve_amount": "5.00"});
    // Broken: one 20.00 transaction, stated total 21.00.
    let c = order_tx(
        "7491234500000000031",
        "577123456789000031",
        1767398500,
        2200,
        0,
        0,
        -200,
    );
    let order1_sku = json!({"order_id": "577123456789000001", "order_create_time": 1766880000,
        "currency": "USD", "revenue_amount": "45.00", "fee_and_tax_amount": "-7.20",
        "shipping_cost_amount": "5.99", "settlement_amount": "43.79",
        "sku_transactions": [{"sku_id": "1729592969712203001", "sku_name": "Green",
            "product_name": "Trailhead 2-Person Tent", "statement_id": SAMPLE_STATEMENT,
            "quantity": "1", "settlement_amount": "43.79",
            "revenue_amount": "45.00", "revenue_breakdown": sample["transactions"][0]["revenue_breakdown"].clone(),
            "shipping_cost_amount": "5.99", "shipping_cost_breakdown": sample["transactions"][0]["shipping_cost_breakdown"].clone(),
            "fee_tax_amount": "-7.20", "fee_tax_breakdown": sample["transactions"][0]["fee_tax_breakdown"].clone(),
            "supplementary_component": sample["transactions"][0]["supplementary_component"].clone()}]});
    let unsettled = json!({"id": "7491234500000000091", "type": "ORDER", "status": "UNSETTLED",
        "currency": "USD", "estimated_settlement": "Delivered + 7 days",
        "unsettled_reason": "WAITING_FOR_PACKAGE_DELIVERY", "order_create_time": 1767571200,
        "order_delivery_time": 0, "order_id": "577123456789000091",
        "est_settlement_amount": "18.20", "est_revenue_amount": "20.00", "est_shipping_cost_amount": "0",
        "est_fee_tax_amount": "-1.80", "est_adjustment_amount": "0",
        "revenue_breakdown": {"subtotal_before_discount_amount": "20.00", "seller_discount_amount": "0"},
        "fee_tax_breakdown": {"fee": {"referral_fee_amount": "-1.80"}, "tax": {}}});
    FinanceSeed {
        statements: vec![
            st(
                statement_row(
                    SAMPLE_STATEMENT,
                    1767225600,
                    "84.49",
                    "75.00",
                    "5.99",
                    "-9.00",
                    "12.50",
                    SAMPLE_PAYMENT,
                ),
                sample,
            ),
            st(
                statement_row(
                    COMBINED_STATEMENT_A,
                    1767312000,
                    "8.20",
                    "9.00",
                    "0",
                    "-0.80",
                    "0",
                    COMBINED_PAYMENT,
                ),
                root(
                    COMBINED_STATEMENT_A,
                    1767312000,
                    "8.20",
                    "0",
                    "8.20",
                    ["9.00", "0", "-0.80", "0"],
                    vec![a],
                ),
            ),
            st(
                statement_row(
                    COMBINED_STATEMENT_B,
                    1767398400,
                    "6.10",
                    "5.00",
                    "1.99",
                    "-0.89",
                    "0",
                    COMBINED_PAYMENT,
                ),
                root(
                    COMBINED_STATEMENT_B,
                    1767398400,
                    "6.10",
                    "5.00",
                    "11.10",
                    ["5.00", "1.99", "-0.89", "0"],
                    vec![b, release],
                ),
            ),
            st(
                statement_row(
                    BROKEN_STATEMENT,
                    1767484800,
                    "21.00",
                    "22.00",
                    "0",
                    "-1.00",
                    "0",
                    BROKEN_PAYMENT,
                ),
                root(
                    BROKEN_STATEMENT,
                    1767484800,
                    "21.00",
                    "0",
                    "21.00",
                    ["22.00", "0", "-1.00", "0"],
                    vec![c],
                ),
            ),
        ],
        payments: vec![
            PaymentSeed {
                shop_id: US_SHOP.into(),
                payment: payment_row(SAMPLE_PAYMENT, 1767312000, "84.49", "-5.00", "79.49"),
            },
            PaymentSeed {
                shop_id: US_SHOP.into(),
                payment: payment_row(COMBINED_PAYMENT, 1767484800, "14.30", "5.00", "19.30"),
            },
            PaymentSeed {
                shop_id: US_SHOP.into(),
                payment: payment_row(BROKEN_PAYMENT, 1767571200, "21.00", "0", "21.00"),
            },
        ],
        order_transactions: vec![OrderTransactionsSeed {
            shop_id: US_SHOP.into(),
            data: order1_sku,
        }],
        unsettled: vec![UnsettledSeed {
            shop_id: US_SHOP.into(),
            transaction: unsettled,
        }],
    }
}
