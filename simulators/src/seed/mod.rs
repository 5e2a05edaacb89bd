//! Seed data both simulators start from (and return to on `/_sim/reset`).
//!
//! Orders stay as raw JSON so tests can post any shape TikTok might send,
//! including fields this crate has never heard of; everything the simulators
//! themselves reason about (shops, tokens, NetSuite reference data) is typed.

use serde::{Deserialize, Serialize};

/// The embedded default seed, so the binary and tests need no files on disk.
const DEFAULT_SEED: &str = include_str!("../seed.json");

/// Error raised when a seed document cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("reading seed file: {0}")]
    Io(#[from] std::io::Error),
    #[error("parsing seed JSON: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seed {
    pub tiktok: TikTokSeed,
    pub netsuite: NetSuiteSeed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TikTokSeed {
    pub app_key: String,
    pub app_secret: String,
    pub shops: Vec<ShopSeed>,
    pub orders: Vec<OrderSeed>,
    /// Search Cancellations records; absent in older seeds.
    #[serde(default)]
    pub cancellations: Vec<CancellationSeed>,
    /// Search Returns records; absent in older seeds.
    #[serde(default)]
    pub returns: Vec<ReturnSeed>,
    /// Get Warehouse List records per shop; absent in `seed.json`, so the
    /// built-in [`default_warehouses`] apply.
    #[serde(default = "default_warehouses")]
    pub warehouses: Vec<WarehouseSeed>,
    /// Products with their SKUs and stock per warehouse; absent in
    /// `seed.json`, so the built-in [`default_products`] apply.
    #[serde(default = "default_products")]
    pub products: Vec<ProductSeed>,
    /// Delivery options with their shipping providers per shop; absent in
    /// `seed.json`, so the built-in [`default_delivery_options`] apply.
    #[serde(default = "default_delivery_options")]
    pub delivery_options: Vec<DeliveryOptionSeed>,
    /// Finance API records (statements, their 202501 transactions,
    /// payments, per-order transactions, unsettled estimates); absent in
    /// `seed.json`, so the built-in [`default_finance`] applies.
    #[serde(default = "default_finance")]
    pub finance: FinanceSeed,
}

/// One warehouse of a shop, in the Get Warehouse List 202309 shape
/// (finance-inventory-fulfilment.md §2.2; [DOC] id 650aa418defece02be6e66b6).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WarehouseSeed {
    pub shop_id: String,
    /// "unique and immutable primary key".
    pub id: String,
    /// Several warehouses may share one physical entity (a sales and a
    /// return warehouse at one address have different ids, same entity).
    pub entity_id: String,
    /// "not unique".
    pub name: String,
    /// `SALES_WAREHOUSE` or `RETURN_WAREHOUSE`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `DOMESTIC_WAREHOUSE`, `CB_OVERSEA_WAREHOUSE`, `CB_DIRECT_SHIPPING_WAREHOUSE`.
    pub sub_type: String,
    /// `ENABLED`, `DISABLED` or `RESTRICTED` (holiday / order-limit mode).
    pub effect_status: String,
    #[serde(default)]
    pub is_default: bool,
}

/// One product of a shop (Search Products 202502 / Get Product shape, §2.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductSeed {
    pub shop_id: String,
    pub id: String,
    pub title: String,
    /// `ACTIVATE`, `DRAFT`, `SELLER_DEACTIVATED`, … Update Inventory needs `ACTIVATE`.
    pub status: String,
    pub skus: Vec<SkuSeed>,
}

/// One SKU with its available quantity per assigned warehouse.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkuSeed {
    pub id: String,
    /// May be empty: merchants do not always type one (the seed's order
    /// …754 sells such a SKU).
    pub seller_sku: String,
    /// The SKU's warehouses: Update Inventory must list exactly these.
    pub inventory: Vec<SkuStockSeed>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkuStockSeed {
    pub warehouse_id: String,
    pub quantity: i64,
}

const US_SHOP: &str = "7494049642642441621";
const GB_SHOP: &str = "7494726673780148744";

/// The built-in warehouses. Ids reuse the seed orders' `warehouse_id`s
/// (US …942, GB …950). The US shop has two sales warehouses, so the
/// all-warehouses rule of Update Inventory bites, and each shop has a
/// return warehouse at its main address (same `entity_id`, other id, §2.2),
/// which a location mapping must never use.
pub fn default_warehouses() -> Vec<WarehouseSeed> {
    let w =
        |shop: &str, id: &str, entity: &str, name: &str, kind: &str, default: bool| WarehouseSeed {
            shop_id: shop.into(),
            id: id.into(),
            entity_id: entity.into(),
            name: name.into(),
            kind: kind.into(),
            sub_type: "DOMESTIC_WAREHOUSE".into(),
            effect_status: "ENABLED".into(),
            is_default: default,
        };
    vec![
        w(
            US_SHOP,
            "7068517275539719942",
            "7068517275539710001",
            "Trailhead US Main",
            "SALES_WAREHOUSE",
            true,
        ),
        w(
            US_SHOP,
            "7068517275539719943",
            "7068517275539710002",
            "Trailhead US East",
            "SALES_WAREHOUSE",
            false,
        ),
        w(
            US_SHOP,
            "7068517275539719944",
            "7068517275539710001",
            "Trailhead US Main",
            "RETURN_WAREHOUSE",
            false,
        ),
        w(
            GB_SHOP,
            "7068517275539719950",
            "7068517275539710003",
            "Trailhead UK",
            "SALES_WAREHOUSE",
            true,
        ),
        w(
            GB_SHOP,
            "7068517275539719951",
            "7068517275539710003",
            "Trailhead UK",
            "RETURN_WAREHOUSE",
            false,
        ),
    ]
}

/// The built-in products, with the ids the seed orders use. Covers: a
/// SKU in two warehouses (tent), one in a single warehouse (headlamp), a
/// two-SKU product whose first SKU has no seller SKU (sleeping bag), the
/// bundle and its components, and the GB shop's own ids for the same
/// seller SKUs (products are keyed per shop).
pub fn default_products() -> Vec<ProductSeed> {
    const US_MAIN: &str = "7068517275539719942";
    const US_EAST: &str = "7068517275539719943";
    const GB_MAIN: &str = "7068517275539719950";
    let stock = |pairs: &[(&str, i64)]| {
        pairs
            .iter()
            .map(|(w, q)| SkuStockSeed {
                warehouse_id: (*w).into(),
                quantity: *q,
            })
            .collect()
    };
    let sku = |id: &str, seller_sku: &str, inv: Vec<SkuStockSeed>| SkuSeed {
        id: id.into(),
        seller_sku: seller_sku.into(),
        inventory: inv,
    };
    let product = |shop: &str, id: &str, title: &str, skus: Vec<SkuSeed>| ProductSeed {
        shop_id: shop.into(),
        id: id.into(),
        title: title.into(),
        status: "ACTIVATE".into(),
        skus,
    };
    vec![
        product(
            US_SHOP,
            "1729582718312380001",
            "Trailhead 2-Person Tent",
            vec![sku(
                "1729592969712203001",
                "TENT-2P-GRN",
                stock(&[(US_MAIN, 40), (US_EAST, 5)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380002",
            "Summit 20F Sleeping Bag",
            vec![
                sku(
                    "1729592969712203002",
                    "",
                    stock(&[(US_MAIN, 17), (US_EAST, 0)]),
                ),
                sku(
                    "1729592969712203007",
                    "SLEEP-BAG-LONG",
                    stock(&[(US_MAIN, 4), (US_EAST, 0)]),
                ),
            ],
        ),
        product(
            US_SHOP,
            "1729582718312380003",
            "Beacon 200 Headlamp",
            vec![sku(
                "1729592969712203003",
                "HEADLAMP-200",
                stock(&[(US_MAIN, 200)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380004",
            "Mini Backpacking Stove",
            vec![sku(
                "1729592969712203004",
                "STOVE-MINI",
                stock(&[(US_MAIN, 55), (US_EAST, 0)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380005",
            "Titanium Mug 450ml",
            vec![sku(
                "1729592969712203005",
                "MUG-TI-450",
                stock(&[(US_MAIN, 3), (US_EAST, 0)]),
            )],
        ),
        product(
            US_SHOP,
            "1729582718312380006",
            "Camp Kitchen Kit (Stove + 2 Mugs)",
            vec![sku(
                "1729592969712203006",
                "CAMP-KIT-BUNDLE",
                stock(&[(US_MAIN, 10), (US_EAST, 0)]),
            )],
        ),
        product(
            GB_SHOP,
            "1729582718312390001",
            "Trailhead 2-Person Tent",
            vec![sku(
                "1729592969712204001",
                "TENT-2P-GRN",
                stock(&[(GB_MAIN, 12)]),
            )],
        ),
        product(
            GB_SHOP,
            "1729582718312390005",
            "Titanium Mug 450ml",
            vec![sku(
                "1729592969712204005",
                "MUG-TI-450",
                stock(&[(GB_MAIN, 88)]),
            )],
        ),
    ]
}

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
    include_str!("../../events/finance/statement-transactions-sample.json");

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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShopSeed {
    pub id: String,
    pub name: String,
    pub region: String,
    pub seller_type: String,
    pub code: String,
    pub cipher: String,
    pub access_token: String,
    /// Absolute unix seconds, as TikTok's token endpoint returns it.
    pub access_token_expire_in: i64,
    pub refresh_token: String,
    pub refresh_token_expire_in: i64,
}

/// One order in the Get Order Detail 202309 shape, owned by `shop_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderSeed {
    pub shop_id: String,
    pub order: serde_json::Value,
}

/// One cancellation in the Search Cancellations 202309 shape, owned by `shop_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CancellationSeed {
    pub shop_id: String,
    pub cancellation: serde_json::Value,
}

/// One return in the Search Returns 202309 shape (`return_orders[]`), owned by `shop_id`.
///
/// A seller-proposed partial refund carries, per the official Search Returns
/// spec ([DOCS] search-returns-202309, doc id 650ab69edefece02be70785b):
/// `seller_proposed_return_type: "PARTIAL_REFUND"`, `partial_refund:
/// {currency, amount}` (both strings; "the partial refund amount offered by
/// seller … only seller proposed partial refund will return this field")
/// and `buyer_rejected_partial_refund` (bool). The spec does not say what
/// `refund_amount` holds then; harsher reading: it states the partial
/// amount, not the order's value, so a client that books `refund_amount`
/// books the partial sum and one that books the order total is wrong. The
/// seed's example is return 4035318504086604202 (GB order …302, £30.00).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReturnSeed {
    pub shop_id: String,
    #[serde(rename = "return")]
    pub return_order: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetSuiteSeed {
    /// Account id in NetSuite's own form (`1234567_SB1`); also the TBA realm.
    pub account_id: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token_id: String,
    pub token_secret: String,
    pub subsidiaries: Vec<SubsidiarySeed>,
    pub locations: Vec<LocationSeed>,
    pub items: Vec<ItemSeed>,
    pub customers: Vec<CustomerSeed>,
    pub inventory: Vec<InventorySeed>,
    /// Currency records; absent in older seeds.
    #[serde(default)]
    pub currencies: Vec<NamedSeed>,
    /// Department records; absent in older seeds.
    #[serde(default)]
    pub departments: Vec<NamedSeed>,
    /// Class (`classification`) records; absent in older seeds.
    #[serde(default)]
    pub classes: Vec<NamedSeed>,
    /// Price levels; `-1` (Custom) always exists. Absent in older seeds.
    #[serde(default)]
    pub price_levels: Vec<NamedSeed>,
    /// The chart of accounts (journal entry lines, SuiteQL `account`).
    /// Absent in older seeds.
    #[serde(default)]
    pub accounts: Vec<AccountSeed>,
    /// Closed accounting periods as `YYYY-MM` (a journal dated in one is
    /// refused). Settable at run time with `POST /_sim/periods`.
    #[serde(default)]
    pub closed_periods: Vec<String>,
}

/// One general-ledger account (SuiteQL `account` columns).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountSeed {
    pub id: String,
    pub acctnumber: String,
    pub acctname: String,
    /// NetSuite account type code: `Bank`, `AcctRec`, `OthCurrAsset`,
    /// `Income`, `OthIncome`, `Expense`, `OthExpense`, `OthCurrLiab`, …
    pub accttype: String,
    #[serde(default)]
    pub isinactive: bool,
    /// A summary (parent) account takes no postings.
    #[serde(default)]
    pub issummary: bool,
    /// Subsidiaries the account is available to (empty: all of them).
    #[serde(default)]
    pub subsidiaries: Vec<String>,
}

impl NetSuiteSeed {
    /// The TBA credentials a client of this simulator signs with.
    pub fn credentials(&self) -> shared::signing::netsuite::TbaCredentials {
        shared::signing::netsuite::TbaCredentials {
            realm: self.account_id.clone(),
            consumer_key: self.consumer_key.clone(),
            consumer_secret: self.consumer_secret.clone(),
            token_id: self.token_id.clone(),
            token_secret: self.token_secret.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubsidiarySeed {
    pub id: String,
    pub name: String,
    /// Base currency id.
    pub currency: String,
    pub country: String,
    #[serde(default)]
    pub isinactive: bool,
}

/// A simple list record (currency, department, class, price level).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedSeed {
    pub id: String,
    pub name: String,
    /// ISO code, for currencies only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(default)]
    pub isinactive: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocationSeed {
    pub id: String,
    pub name: String,
    pub subsidiary: String,
    #[serde(default)]
    pub isinactive: bool,
}

/// SuiteQL `item` row; `itemtype` uses NetSuite's codes (`InvtPart`, `Kit`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemSeed {
    pub id: String,
    pub itemid: String,
    pub displayname: String,
    pub itemtype: String,
    #[serde(default)]
    pub isinactive: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerSeed {
    pub id: String,
    pub entityid: String,
    pub email: String,
    pub companyname: String,
    pub subsidiary: String,
    /// Primary currency id; defaults to the subsidiary's base currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Every currency the customer may transact in (its Currencies
    /// sublist); defaults to the primary currency alone.
    #[serde(default)]
    pub currencies: Vec<String>,
    #[serde(default)]
    pub isinactive: bool,
}

/// SuiteQL `inventoryitemlocations` row. Quantities are strings because
/// SuiteQL returns every value as a string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InventorySeed {
    pub item: String,
    pub location: String,
    pub quantityavailable: String,
    pub quantityonhand: String,
    /// Defaults to on hand − available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantitycommitted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantityonorder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantitybackordered: Option<String>,
}

impl Seed {
    pub fn from_json(s: &str) -> Result<Self, SeedError> {
        Ok(serde_json::from_str(s)?)
    }

    pub fn from_path(path: &std::path::Path) -> Result<Self, SeedError> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }
}

/// The embedded seed. It is compiled in and covered by a unit test, so a
/// parse failure here is a build defect; it still surfaces as an error.
pub fn try_default_seed() -> Result<Seed, SeedError> {
    Seed::from_json(DEFAULT_SEED)
}

/// One delivery option of a shop with the shipping providers Get Shipping
/// Providers answers for it (tiktok-shop-api.md §5;
/// finance-inventory-fulfilment.md §3.3: `GET /logistics/202309/
/// delivery_options/{delivery_option_id}/shipping_providers` →
/// `shipping_providers[{id, name}]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryOptionSeed {
    pub shop_id: String,
    pub id: String,
    pub name: String,
    /// `STANDARD`, `EXPRESS`, `ECONOMY` or `SEND_BY_SELLER` (§3.3).
    #[serde(rename = "type")]
    pub kind: String,
    /// Fulfilled by TikTok: Get Shipping Providers answers 21008117 and
    /// returns no provider (§3.3).
    #[serde(default)]
    pub fulfilled_by_tiktok: bool,
    #[serde(default)]
    pub shipping_providers: Vec<ShippingProviderSeed>,
}

/// `{id, name}`, e.g. `{"id":"7117858858072016686","name":"USPS"}` (§3.3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShippingProviderSeed {
    pub id: String,
    pub name: String,
    /// Sim only: tracking numbers of this carrier start with this prefix.
    /// Mark Package As Shipped answers a `warning` (still `code 0`) when a
    /// tracking number does not (§3.3 feedback loop; the real matching
    /// rules are TikTok's and unpublished). `None`: never warns.
    #[serde(default)]
    pub tracking_prefix: Option<String>,
}

/// The built-in delivery options. The US option's id is the one the seed's
/// US order carries (`delivery_option_id` 7091146663229654785) and its USPS
/// id is the doc example's (§3.3); the other ids are made up. The GB shop
/// gets its own option (the seed's GB orders carry none; a test that
/// ships one sets it). Each shop also has a TikTok-fulfilled option, for
/// 21008117.
pub fn default_delivery_options() -> Vec<DeliveryOptionSeed> {
    let p = |id: &str, name: &str| ShippingProviderSeed {
        id: id.into(),
        name: name.into(),
        // USPS numbers start with 9, UPS with 1Z (public carrier formats).
        tracking_prefix: match name {
            "USPS" => Some("9".into()),
            "UPS" => Some("1Z".into()),
            _ => None,
        },
    };
    let o =
        |shop: &str, id: &str, name: &str, kind: &str, fbt: bool, providers| DeliveryOptionSeed {
            shop_id: shop.into(),
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            fulfilled_by_tiktok: fbt,
            shipping_providers: providers,
        };
    vec![
        o(
            US_SHOP,
            "7091146663229654785",
            "Standard shipping",
            "STANDARD",
            false,
            vec![
                p("7117858858072016686", "USPS"),
                p("7117859084421600001", "UPS"),
                p("7117859084421600002", "FedEx"),
            ],
        ),
        o(
            US_SHOP,
            "7091146663229654790",
            "Fulfilled by TikTok",
            "STANDARD",
            true,
            vec![],
        ),
        o(
            GB_SHOP,
            "7091146663229654801",
            "Standard delivery",
            "SEND_BY_SELLER",
            false,
            vec![
                p("7117859084421600101", "Royal Mail"),
                p("7117859084421600102", "DPD"),
                p("7117859084421600103", "Evri"),
            ],
        ),
        o(
            GB_SHOP,
            "7091146663229654802",
            "Fulfilled by TikTok",
            "STANDARD",
            true,
            vec![],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn dec(v: &serde_json::Value, k: &str) -> Decimal {
        let s = v[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} missing or not a string"));
        Decimal::from_str(s).unwrap_or_else(|e| panic!("{k}={s}: {e}"))
    }

    #[test]
    fn every_seller_shipped_seed_order_with_an_option_finds_its_carriers() {
        let seed = try_default_seed().unwrap().tiktok;
        let mut checked = 0;
        for o in &seed.orders {
            let Some(opt) = o.order["delivery_option_id"].as_str() else {
                continue;
            };
            let found = seed
                .delivery_options
                .iter()
                .find(|d| d.shop_id == o.shop_id && d.id == opt)
                .unwrap_or_else(|| panic!("option {opt} of shop {}", o.shop_id));
            assert!(!found.fulfilled_by_tiktok && !found.shipping_providers.is_empty());
            checked += 1;
        }
        assert!(checked >= 1);
    }

    #[test]
    fn embedded_seed_parses() {
        let seed = try_default_seed().unwrap();
        assert_eq!(seed.tiktok.shops.len(), 2);
        assert!(seed.tiktok.orders.len() >= 6);
    }

    /// The documented payment formulas hold for every seeded order, and the
    /// line items (one per unit) add up to the payment block.
    #[test]
    fn seeded_payments_are_consistent() {
        let seed = try_default_seed().unwrap();
        for o in &seed.tiktok.orders {
            let p = &o.order["payment"];
            let id = o.order["id"].as_str().unwrap();
            let sub = dec(p, "original_total_product_price")
                - dec(p, "seller_discount")
                - dec(p, "platform_discount");
            assert_eq!(sub, dec(p, "sub_total"), "sub_total of {id}");
            let ship = dec(p, "original_shipping_fee")
                - dec(p, "shipping_fee_seller_discount")
                - dec(p, "shipping_fee_platform_discount")
                - dec(p, "shipping_fee_cofunded_discount");
            assert_eq!(ship, dec(p, "shipping_fee"), "shipping_fee of {id}");
            assert_eq!(
                dec(p, "product_tax") + dec(p, "shipping_fee_tax"),
                dec(p, "tax"),
                "tax of {id}"
            );
            let total = dec(p, "sub_total")
                + dec(p, "shipping_fee")
                + dec(p, "tax")
                + dec(p, "retail_delivery_fee");
            assert_eq!(total, dec(p, "total_amount"), "total of {id}");
            let lines = o.order["line_items"].as_array().unwrap();
            let mut orig = Decimal::ZERO;
            let mut sale = Decimal::ZERO;
            let mut seller = Decimal::ZERO;
            let mut platform = Decimal::ZERO;
            let mut tax = Decimal::ZERO;
            for l in lines {
                assert_eq!(
                    dec(l, "original_price")
                        - dec(l, "seller_discount")
                        - dec(l, "platform_discount"),
                    dec(l, "sale_price")
                );
                orig += dec(l, "original_price");
                sale += dec(l, "sale_price");
                seller += dec(l, "seller_discount");
                platform += dec(l, "platform_discount");
                for t in l["item_tax"].as_array().unwrap() {
                    tax += dec(t, "tax_amount");
                }
            }
            assert_eq!(orig, dec(p, "original_total_product_price"), "{id}");
            assert_eq!(sale, dec(p, "sub_total"), "{id}");
            assert_eq!(seller, dec(p, "seller_discount"), "{id}");
            assert_eq!(platform, dec(p, "platform_discount"), "{id}");
            assert_eq!(tax, dec(p, "product_tax"), "{id}");
        }
    }

    fn refund_sum(a: &serde_json::Value) -> Decimal {
        dec(a, "refund_subtotal") + dec(a, "refund_shipping_fee") + dec(a, "refund_tax")
    }

    /// Every seeded cancellation/return points at real line items of an
    /// order of the same shop, and its refund amounts add up.
    #[test]
    fn seeded_refunds_are_consistent() {
        let seed = try_default_seed().unwrap();
        let records = seed
            .tiktok
            .cancellations
            .iter()
            .map(|c| (&c.shop_id, &c.cancellation, "cancel_line_items"))
            .chain(
                seed.tiktok
                    .returns
                    .iter()
                    .map(|r| (&r.shop_id, &r.return_order, "return_line_items")),
            );
        let mut n = 0;
        for (shop, rec, lines_key) in records {
            n += 1;
            let order = seed
                .tiktok
                .orders
                .iter()
                .find(|o| &o.shop_id == shop && o.order["id"] == rec["order_id"])
                .unwrap_or_else(|| panic!("order of {rec}"));
            let amt = &rec["refund_amount"];
            assert_eq!(refund_sum(amt), dec(amt, "refund_total"), "{rec}");
            assert_eq!(amt["currency"], order.order["payment"]["currency"]);
            let mut line_total = Decimal::ZERO;
            for l in rec[lines_key].as_array().unwrap() {
                let ol = order.order["line_items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|ol| ol["id"] == l["order_line_item_id"])
                    .unwrap_or_else(|| panic!("line {l}"));
                assert_eq!(ol["seller_sku"], l["seller_sku"]);
                assert_eq!(ol["sku_id"], l["sku_id"]);
                let la = &l["refund_amount"];
                assert_eq!(refund_sum(la), dec(la, "refund_total"));
                line_total += dec(la, "refund_total");
            }
            assert_eq!(line_total, dec(amt, "refund_total"), "{rec}");
            if rec["seller_proposed_return_type"] == "PARTIAL_REFUND" {
                let p = &rec["partial_refund"];
                assert_eq!(p["currency"], amt["currency"], "{rec}");
                assert_eq!(dec(p, "amount"), dec(amt, "refund_total"), "{rec}");
                assert!(rec["buyer_rejected_partial_refund"].is_boolean());
            }
        }
        assert_eq!(n, 5);
    }

    /// Every seeded order line's product and SKU exist in the shop's
    /// catalogue, and every SKU's warehouses are the shop's sales warehouses.
    #[test]
    fn seeded_catalogue_matches_orders_and_warehouses() {
        let seed = try_default_seed().unwrap();
        let t = &seed.tiktok;
        for o in &t.orders {
            for l in o.order["line_items"].as_array().unwrap() {
                let p = t
                    .products
                    .iter()
                    .find(|p| p.shop_id == o.shop_id && p.id == l["product_id"])
                    .unwrap_or_else(|| panic!("product of {l}"));
                assert!(
                    p.skus
                        .iter()
                        .any(|s| s.id == l["sku_id"] && s.seller_sku == l["seller_sku"]),
                    "{l}"
                );
            }
        }
        for p in &t.products {
            for s in &p.skus {
                assert!(!s.inventory.is_empty());
                for i in &s.inventory {
                    assert!(t.warehouses.iter().any(|w| w.shop_id == p.shop_id
                        && w.id == i.warehouse_id
                        && w.kind == "SALES_WAREHOUSE"));
                }
            }
        }
        assert_eq!(
            t.warehouses
                .iter()
                .filter(|w| w.kind == "RETURN_WAREHOUSE")
                .count(),
            2
        );
    }

    #[test]
    fn seed_covers_the_awkward_cases() {
        let seed = try_default_seed().unwrap();
        let orders: Vec<&serde_json::Value> = seed.tiktok.orders.iter().map(|o| &o.order).collect();
        for status in ["AWAITING_SHIPMENT", "ON_HOLD", "UNPAID", "CANCELLED"] {
            assert!(orders.iter().any(|o| o["status"] == status), "{status}");
        }
        let lines = || {
            orders
                .iter()
                .flat_map(|o| o["line_items"].as_array().unwrap().iter())
        };
        assert!(lines().any(|l| l["seller_sku"] == ""));
        assert!(lines().any(|l| l.get("combined_listing_skus").is_some()));
        // Two units of one SKU are two line items with distinct ids.
        let first = orders[0]["line_items"].as_array().unwrap();
        assert_eq!(first[0]["sku_id"], first[1]["sku_id"]);
        assert_ne!(first[0]["id"], first[1]["id"]);
    }
}
