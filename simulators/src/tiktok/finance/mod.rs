//! Finance API (finance-inventory-fulfilment.md §1; tiktok-shop-api.md §7):
//! Get Statements and Get Payments (202309), Transactions by Statement and
//! by Order (202501), Unsettled Transactions (202507), plus the
//! `/_sim/finance/*` controls that load records in bulk.
//!
//! Every rule and its source ([DOC] ids are Partner Center document ids,
//! §1.1 of the notes):
//! - All are `GET`, shop-scoped (`shop_cipher` required) and pass the common
//!   checks of `auth.rs` first (§1.1; tiktok-shop-api.md §1).
//! - Get Statements (`650a676f0fcef602bf2b91f0`): `sort_field` is
//!   **required** and `statement_time` is its only value; `sort_order`
//!   `ASC` (default) / `DESC`; `page_size` 1–100 (default 20);
//!   `statement_time_ge` / `_lt` in unix seconds (only `_ge`: `_lt` is now;
//!   only `_lt`: `_ge` is the shop's earliest time); `payment_status`
//!   `PAID` / `FAILED` / `PROCESSING` (default all). "Only data after
//!   2023-07-01": earlier statements are never returned. Response
//!   `{statements, next_page_token}` as the §1.10 example (no
//!   `total_count`: harsher, a client must page by token).
//! - Get Payments (`650a6784bace3e02b756fe6d`): `sort_field=create_time`
//!   required; `create_time_ge` / `_lt`; same paging. "Unavailable to SEA
//!   markets": a shop whose region is ID, MY, PH, SG, TH or VN is refused
//!   (the code is not documented; 36009004 here, the §8 catch-all).
//! - Transactions by Statement 202501 (`6789c0c11882810314794094`):
//!   `sort_field=order_create_time` required; `page_size` 1–100 (default
//!   20); `page_token`; `sort_order`. `total_count` counts the whole
//!   statement, not the page (§1.5). RESERVE rows have no
//!   `order_create_time`; the docs are silent on where they sort: here
//!   they sort as time 0 (first when ascending), ties by transaction id.
//!   An unknown statement id, or another shop's, is refused with 36009004
//!   (docs silent; harsher than an empty page).
//! - Transactions by Order 202501 (`6789a057b59cf903096d991b`): no paging;
//!   the `data` as stored (§1.6: `fee_and_tax_amount` at the root,
//!   `sku_transactions[]` each with its `statement_id`). "Orders that have
//!   not been settled will not appear" (§1.2): an order with no settled
//!   transactions answers code 0 with an empty `sku_transactions` and no
//!   amounts (harsher: the client must not read absence as zero owed).
//!   An id that is not digits is 36009004.
//! - Unsettled Transactions 202507 (`68886ace1564fc04a94bd525`):
//!   `sort_field=order_create_time` required; `search_time_ge` (default
//!   2025-01-01) / `_lt` (default now); same paging; root sums
//!   `sum_est_*` and `total_count` over every match (§1.7). Which time the
//!   search window filters on is not documented: here `order_create_time`
//!   ([INFERENCE]).
//! - Error codes: the Finance docs document only 36009003 (§1.1); every
//!   parameter fault (missing or unknown `sort_field`, bad `sort_order`,
//!   `page_size` outside 1–100, a time that is not an integer, an unknown
//!   `payment_status`) answers the catch-all 36009004 with HTTP 200 (§8).
//! - `page_token` (see `page_token.rs`): padded base64 carrying `+`, `/`,
//!   `=`, accepted only byte for byte as issued, for the same path (the
//!   statement id is in it), shop, `sort_order` and filters (harsher: the
//!   docs only say "opaque"); `page_size` may change between pages.
//!   Anything else is 36009004.
//! - QPS: TikTok's limit is per API (tiktok-shop-api.md §4), so the window
//!   of the two path-templated APIs is keyed by the template, not by the
//!   statement or order (HTTP 429, 36009002).
//! - Amounts are stored and served exactly as given: signed strings, fees
//!   negative (§1.9 I1). The seed (`seed::default_finance`) keeps I1–I7
//!   except, on purpose, one statement whose rows do not add up to its
//!   total (I4).
//!
//! Bulk: [`TikTokSim::generate_statement`] makes a statement of any number
//! of ORDER transactions without storing them: row `i` is rendered from
//! its index when a page asks for it, and the totals are summed once, so a
//! 100,000-transaction statement costs a few hundred bytes and each page
//! renders only its own rows.
//!
//! Files: `statements.rs`, `payments.rs` and `transactions.rs` serve the
//! APIs, `paging.rs` parses what they share, `store.rs` holds the records
//! and `controls.rs` the `/_sim/finance/*` loaders.

mod controls;
mod paging;
mod payments;
mod statements;
mod store;
mod transactions;

pub(crate) use controls::{
    control_append, control_generate, control_order, control_payments, control_show,
    control_statement, control_unsettled,
};
pub(crate) use payments::get_payments;
pub(crate) use statements::get_statements;
pub(crate) use store::Finance;
pub use store::GeneratedStatement;
pub(crate) use transactions::{order_transactions, statement_transactions, unsettled};

pub const STATEMENTS_PATH: &str = "/finance/202309/statements";
pub const PAYMENTS_PATH: &str = "/finance/202309/payments";
pub const STATEMENT_TRANSACTIONS_API: &str =
    "/finance/202501/statements/{statement_id}/statement_transactions";
pub const ORDER_TRANSACTIONS_API: &str = "/finance/202501/orders/{order_id}/statement_transactions";
pub const UNSETTLED_PATH: &str = "/finance/202507/orders/unsettled";

/// `page_size` "1–100 (default 20)" on every paged finance API (§1.1).
pub const PAGE_SIZE_RANGE: (usize, usize) = (1, 100);
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// "Only data after 2023-07-01" (2023-07-01T00:00:00Z).
pub const DATA_START: i64 = 1_688_169_600;
/// Unsettled: "`_ge` defaults to 2025-01-01"; "transactions created after 2025-01-01".
pub const UNSETTLED_START: i64 = 1_735_689_600;
/// Get Payments "is currently unavailable to SEA markets".
const SEA_REGIONS: [&str; 6] = ["ID", "MY", "PH", "SG", "TH", "VN"];

#[cfg(test)]
mod tests {
    //! Each documented rule over HTTP, signed as a client signs, and the
    //! seed's amounts against the sign convention (§1.9).
    use super::store::{generated_tx, Generated};
    use super::*;

    use rust_decimal::Decimal;

    use serde_json::{json, Value};
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    use crate::tiktok::TikTokSim;

    use crate::seed::{
        default_finance, BROKEN_STATEMENT, COMBINED_PAYMENT, COMBINED_STATEMENT_A,
        COMBINED_STATEMENT_B, SAMPLE_PAYMENT, SAMPLE_STATEMENT,
    };
    use crate::{spawn_tiktok, RunningSim, TikTokConfig};

    const US: &str = "7494049642642441621";

    struct Harness {
        sim: RunningSim<TikTokSim>,
        key: String,
        secret: String,
        http: reqwest::Client,
    }

    async fn start(qps: u32) -> Harness {
        let seed = crate::default_seed().tiktok;
        let sim = spawn_tiktok(
            seed.clone(),
            TikTokConfig {
                port: 0,
                qps_limit: qps,
            },
        )
        .await
        .unwrap();
        Harness {
            sim,
            key: seed.app_key,
            secret: seed.app_secret,
            http: reqwest::Client::new(),
        }
    }

    impl Harness {
        /// A signed GET for the US shop.
        async fn get(&self, path: &str, params: &[(&str, &str)]) -> (u16, Value) {
            let shop = self
                .sim
                .state
                .shops()
                .into_iter()
                .find(|s| s.id == US)
                .unwrap();
            let ts = crate::now_secs().to_string();
            let mut q: Vec<(&str, &str)> = vec![
                ("app_key", &self.key),
                ("timestamp", &ts),
                ("shop_cipher", &shop.cipher),
            ];
            q.extend_from_slice(params);
            let sign = shared::signing::tiktok::api_sign(&self.secret, path, &q, None);
            q.push(("sign", &sign));
            let resp = self
                .http
                .get(format!("{}{path}", self.sim.base_url))
                .query(&q)
                .header("x-tts-access-token", shop.access_token)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json().await.unwrap())
        }

        async fn transactions(&self, id: &str, params: &[(&str, &str)]) -> Value {
            let path = format!("/finance/202501/statements/{id}/statement_transactions");
            self.get(&path, params).await.1
        }
    }

    fn ids(v: &Value, list: &str) -> Vec<String> {
        v["data"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn d(v: &Value) -> Decimal {
        match v {
            Value::String(s) if s.is_empty() => Decimal::ZERO,
            Value::String(s) => s.parse().unwrap(),
            Value::Null => Decimal::ZERO,
            other => panic!("not an amount string: {other}"),
        }
    }

    #[tokio::test]
    async fn get_statements_requires_sort_field_and_pages_by_token() {
        let h = start(1000).await;
        for bad in [
            vec![],
            vec![("sort_field", "create_time")],
            vec![("sort_field", "statement_time"), ("page_size", "0")],
            vec![("sort_field", "statement_time"), ("page_size", "101")],
            vec![("sort_field", "statement_time"), ("sort_order", "asc")],
            vec![("sort_field", "statement_time"), ("payment_status", "paid")],
            vec![("sort_field", "statement_time"), ("statement_time_ge", "x")],
        ] {
            let (http, v) = h.get(STATEMENTS_PATH, &bad).await;
            assert_eq!(
                (http, v["code"].as_i64()),
                (200, Some(36009004)),
                "{bad:?}: {v}"
            );
        }
        // The §1.10 request window returns exactly the sample row.
        let (_, v) = h
            .get(
                STATEMENTS_PATH,
                &[
                    ("sort_field", "statement_time"),
                    ("statement_time_ge", "1767139201"),
                    ("statement_time_lt", "1767225601"),
                ],
            )
            .await;
        assert_eq!(v["code"], 0);
        assert_eq!(ids(&v, "statements"), vec![SAMPLE_STATEMENT]);
        let row = &v["data"]["statements"][0];
        assert_eq!(row["settlement_amount"], "84.49");
        assert_eq!(row["fee_amount"], "-9.00", "fees are negative (I1)");
        assert_eq!(
            row["revenue_amount"], "",
            "US: revenue in net_sales_amount (§1.3)"
        );
        assert_eq!(v["data"]["next_page_token"], "");
        // One a page, newest first, following tokens to the end.
        let mut seen = Vec::new();
        let mut token = String::new();
        loop {
            let mut p = vec![
                ("sort_field", "statement_time"),
                ("sort_order", "DESC"),
                ("page_size", "1"),
            ];
            if !token.is_empty() {
                p.push(("page_token", &token));
            }
            let (_, v) = h.get(STATEMENTS_PATH, &p).await;
            assert_eq!(v["code"], 0, "{v}");
            seen.extend(ids(&v, "statements"));
            token = v["data"]["next_page_token"].as_str().unwrap().to_string();
            if token.is_empty() {
                break;
            }
            // The token is bound to the query it was issued for.
            let (_, other) = h
                .get(
                    STATEMENTS_PATH,
                    &[
                        ("sort_field", "statement_time"),
                        ("page_size", "1"),
                        ("page_token", &token),
                    ],
                )
                .await;
            assert_eq!(other["code"], 36009004, "{other}");
        }
        assert_eq!(
            seen,
            vec![
                BROKEN_STATEMENT,
                COMBINED_STATEMENT_B,
                COMBINED_STATEMENT_A,
                SAMPLE_STATEMENT
            ]
        );
        let (_, v) = h
            .get(
                STATEMENTS_PATH,
                &[
                    ("sort_field", "statement_time"),
                    ("payment_status", "FAILED"),
                ],
            )
            .await;
        assert!(ids(&v, "statements").is_empty());
    }

    #[tokio::test]
    async fn get_payments_requires_create_time_and_serves_value_currency_objects() {
        let h = start(1000).await;
        let (_, v) = h.get(PAYMENTS_PATH, &[]).await;
        assert_eq!(v["code"], 36009004);
        let (_, v) = h
            .get(PAYMENTS_PATH, &[("sort_field", "statement_time")])
            .await;
        assert_eq!(v["code"], 36009004);
        let (_, v) = h
            .get(
                PAYMENTS_PATH,
                &[
                    ("sort_field", "create_time"),
                    ("create_time_lt", "1767312001"),
                ],
            )
            .await;
        assert_eq!(ids(&v, "payments"), vec![SAMPLE_PAYMENT]);
        let p = &v["data"]["payments"][0];
        assert_eq!(p["amount"], json!({"value": "79.49", "currency": "USD"}));
        assert_eq!(p["reserve_amount"]["value"], "-5.00");
        let (_, all) = h.get(PAYMENTS_PATH, &[("sort_field", "create_time")]).await;
        assert_eq!(ids(&all, "payments").len(), 3);
    }

    #[tokio::test]
    async fn statement_transactions_202501_rules() {
        let h = start(1000).await;
        for bad in [
            vec![],
            vec![("sort_field", "create_time")],
            vec![("sort_field", "order_create_time"), ("page_size", "101")],
            vec![("sort_field", "order_create_time"), ("page_size", "0")],
        ] {
            let v = h.transactions(SAMPLE_STATEMENT, &bad).await;
            assert_eq!(v["code"], 36009004, "{bad:?}: {v}");
        }
        let v = h
            .transactions(
                "7491234567890000000",
                &[("sort_field", "order_create_time")],
            )
            .await;
        assert_eq!(v["code"], 36009004, "unknown statement: {v}");
        // Default page size 20: the whole sample, as the notes print it.
        let v = h
            .transactions(SAMPLE_STATEMENT, &[("sort_field", "order_create_time")])
            .await;
        assert_eq!(v["code"], 0);
        assert_eq!(v["data"]["total_count"], 4);
        assert_eq!(v["data"]["payable_amount"], "79.49");
        assert_eq!(v["data"]["next_page_token"], "");
        // Reserve (no order_create_time) first, then by order_create_time.
        assert_eq!(
            ids(&v, "transactions"),
            vec![
                "7491234500000000004",
                "7491234500000000003",
                "7491234500000000001",
                "7491234500000000002"
            ]
        );
        // page_size 1: four pages, total_count is the statement's on each.
        let mut token = String::new();
        let mut got = Vec::new();
        for page in 0..4 {
            let mut p = vec![("sort_field", "order_create_time"), ("page_size", "1")];
            if !token.is_empty() {
                p.push(("page_token", &token));
            }
            let v = h.transactions(SAMPLE_STATEMENT, &p).await;
            assert_eq!(v["data"]["total_count"], 4);
            got.extend(ids(&v, "transactions"));
            token = v["data"]["next_page_token"].as_str().unwrap().to_string();
            assert_eq!(token.is_empty(), page == 3);
            if page == 1 {
                assert!(token.contains('+') && token.contains('/') && token.ends_with('='));
                // A token is for this statement only, and only as issued.
                for (id, t) in [
                    (COMBINED_STATEMENT_A, token.clone()),
                    (SAMPLE_STATEMENT, token.replace('+', " ")),
                    (SAMPLE_STATEMENT, token.trim_end_matches('=').to_string()),
                ] {
                    let v = h
                        .transactions(
                            id,
                            &[("sort_field", "order_create_time"), ("page_token", &t)],
                        )
                        .await;
                    assert_eq!(v["code"], 36009004, "{v}");
                }
            }
        }
        assert_eq!(got.len(), 4);
        let v = h
            .transactions(
                SAMPLE_STATEMENT,
                &[("sort_field", "order_create_time"), ("sort_order", "DESC")],
            )
            .await;
        assert_eq!(ids(&v, "transactions")[0], "7491234500000000002");
    }

    #[tokio::test]
    async fn the_qps_window_is_per_api_not_per_statement() {
        let h = start(2).await;
        let p = [("sort_field", "order_create_time")];
        assert_eq!(h.transactions(SAMPLE_STATEMENT, &p).await["code"], 0);
        assert_eq!(h.transactions(COMBINED_STATEMENT_A, &p).await["code"], 0);
        let path =
            format!("/finance/202501/statements/{COMBINED_STATEMENT_B}/statement_transactions");
        let (http, v) = h.get(&path, &p).await;
        assert_eq!((http, v["code"].as_i64()), (429, Some(36009002)));
    }

    #[tokio::test]
    async fn order_transactions_and_unsettled_estimates() {
        let h = start(1000).await;
        let (_, v) = h
            .get(
                "/finance/202501/orders/577123456789000001/statement_transactions",
                &[],
            )
            .await;
        assert_eq!(v["code"], 0);
        assert_eq!(v["data"]["fee_and_tax_amount"], "-7.20");
        assert_eq!(
            v["data"]["sku_transactions"][0]["statement_id"],
            SAMPLE_STATEMENT
        );
        let (_, v) = h
            .get(
                "/finance/202501/orders/577123456789999999/statement_transactions",
                &[],
            )
            .await;
        assert_eq!(v["code"], 0);
        assert_eq!(v["data"]["sku_transactions"], json!([]));
        let (_, v) = h
            .get("/finance/202501/orders/abc/statement_transactions", &[])
            .await;
        assert_eq!(v["code"], 36009004);
        let (_, v) = h.get(UNSETTLED_PATH, &[]).await;
        assert_eq!(v["code"], 36009004, "sort_field is required");
        let (_, v) = h
            .get(UNSETTLED_PATH, &[("sort_field", "order_create_time")])
            .await;
        assert_eq!(v["code"], 0, "{v}");
        assert_eq!(v["data"]["total_count"], 1);
        assert_eq!(v["data"]["sum_est_settlement_amount"], "18.20");
        assert_eq!(v["data"]["transactions"][0]["status"], "UNSETTLED");
    }

    #[tokio::test]
    async fn a_generated_statement_of_100000_is_cheap_to_load_and_page() {
        let h = start(1000).await;
        let started = Instant::now();
        let root = h
            .sim
            .state
            .generate_statement(&GeneratedStatement {
                shop_id: US.into(),
                statement_id: "7500000000000000001".into(),
                statement_time: 1767657600,
                count: 100_000,
                payment_id: Some("3500000000000000001".into()),
            })
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(20));
        // The totals are the sum of the rows the pages will render.
        let g = Generated {
            statement_id: "7500000000000000001".into(),
            count: 100_000,
            first_create_time: 1767657600 - 30 * 86_400,
        };
        let sum: i64 = (0..100_000).map(|i| generated_tx(&g, i).1[0]).sum();
        assert_eq!(d(&root["total_settlement_amount"]), Decimal::new(sum, 2));
        let p = [
            ("sort_field", "order_create_time"),
            ("page_size", "100"),
            ("sort_order", "DESC"),
        ];
        let v = h.transactions("7500000000000000001", &p).await;
        assert_eq!(v["data"]["total_count"], 100_000);
        let txs = v["data"]["transactions"].as_array().unwrap();
        assert_eq!(txs.len(), 100);
        assert_eq!(txs[0]["id"], "7500000000000099999");
        let (_, pay) = h.get(PAYMENTS_PATH, &[("sort_field", "create_time")]).await;
        assert!(ids(&pay, "payments").contains(&"3500000000000000001".to_string()));
    }

    #[tokio::test]
    async fn the_bulk_controls_load_statements_payments_and_rows_over_http() {
        let h = start(1000).await;
        let post = |path: &str, body: Value| {
            let url = format!("{}{path}", h.sim.base_url);
            let http = h.http.clone();
            async move {
                let r = http.post(url).json(&body).send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            }
        };
        let (code, v) = post(
            "/_sim/finance/statements",
            json!({"shop_id": US, "statement": {"id": "7600000000000000001",
                "statement_time": 1767744000, "settlement_amount": "1.00", "payment_status": "PROCESSING"},
                "transactions": {"total_settlement_amount": "1.00", "transactions": []}}),
        )
        .await;
        assert_eq!((code, &v["ok"]), (200, &json!(true)), "{v}");
        let rows: Vec<Value> = (0..250)
            .map(|i| json!({"id": format!("76{i:017}"), "type": "ORDER", "order_create_time": 1767700000 + i,
                "settlement_amount": "0.00"}))
            .collect();
        let (_, v) = post(
            "/_sim/finance/statements/7600000000000000001/transactions",
            json!({"shop_id": US, "transactions": rows}),
        )
        .await;
        assert_eq!(v["result"], 250);
        let (_, v) = post(
            "/_sim/finance/payments",
            json!({"shop_id": US, "payments": [{"id": "3600000000000000001", "create_time": 1767744000}]}),
        )
        .await;
        assert_eq!(v["ok"], true);
        let (_, v) = post(
            "/_sim/finance/generate",
            json!({"shop_id": US, "statement_id": "7600000000000000002", "statement_time": 1767830400, "count": 1000}),
        )
        .await;
        assert_eq!(v["result"]["id"], "7600000000000000002");
        let (code, v) = post(
            "/_sim/finance/payments",
            json!({"shop_id": "nope", "payments": []}),
        )
        .await;
        assert_eq!((code, &v["ok"]), (400, &json!(false)));
        let summary: Value = h
            .http
            .get(format!("{}/_sim/finance/{US}", h.sim.base_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(summary["payments"], 4);
        assert_eq!(summary["statements"].as_array().unwrap().len(), 6);
        let page = h
            .transactions(
                "7600000000000000001",
                &[("sort_field", "order_create_time"), ("page_size", "100")],
            )
            .await;
        assert_eq!(page["data"]["total_count"], 250);
        assert_eq!(page["data"]["transactions"][0]["id"], "7600000000000000000");
        // Back to the seed.
        h.sim.state.reset();
        assert_eq!(
            h.sim.state.finance_summary(US)["statements"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }

    /// I1–I7 (§1.9) hold for every seeded record except the statement
    /// seeded not to add up (I4), which misses by exactly 1.00.
    #[test]
    fn seeded_finance_follows_the_sign_convention() {
        let f = default_finance();
        assert_eq!(f.statements.len(), 4);
        let mut by_payment: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
        for s in &f.statements {
            let data = &s.transactions;
            let (mut settled, mut reserved) = (Decimal::ZERO, Decimal::ZERO);
            for t in data["transactions"].as_array().unwrap() {
                if t["type"] == "RESERVE" {
                    reserved += d(&t["reserve_amount"]);
                    continue;
                }
                let parts = d(&t["revenue_amount"])
                    + d(&t["shipping_cost_amount"])
                    + d(&t["fee_tax_amount"])
                    + d(&t["adjustment_amount"]);
                assert_eq!(parts, d(&t["settlement_amount"]), "I2: {}", t["id"]);
                if let Some(rb) = t["revenue_breakdown"].as_object() {
                    let sum: Decimal = rb.values().map(d).sum();
                    assert_eq!(sum, d(&t["revenue_amount"]), "I3: {}", t["id"]);
                }
                if let Some(fb) = t["fee_tax_breakdown"]["fee"].as_object() {
                    assert!(fb.values().all(|v| d(v) <= Decimal::ZERO), "fees ≤ 0 (I1)");
                }
                settled += d(&t["settlement_amount"]);
            }
            let total = d(&data["total_settlement_amount"]);
            let reserve = d(&data["total_reserve_amount"]);
            if data["id"] == BROKEN_STATEMENT {
                assert_eq!(total - settled, Decimal::ONE, "I4 broken on purpose");
            } else {
                assert_eq!(settled, total, "I4: {}", data["id"]);
            }
            assert_eq!(reserved, reserve, "I5: {}", data["id"]);
            assert_eq!(total + reserve, d(&data["payable_amount"]), "I5");
            assert_eq!(d(&s.statement["settlement_amount"]), total);
            let b = &data["total_settlement_breakdown"];
            let parts: Decimal = b.as_object().unwrap().values().map(d).sum();
            assert_eq!(parts, total, "the breakdown adds up to the stated total");
            let e = by_payment
                .entry(s.statement["payment_id"].as_str().unwrap().to_string())
                .or_default();
            e.0 += total;
            e.1 += reserve;
        }
        assert_eq!(f.payments.len(), 3);
        for p in &f.payments {
            let p = &p.payment;
            let (settle, reserve) = by_payment[p["id"].as_str().unwrap()];
            assert_eq!(d(&p["settlement_amount"]["value"]), settle, "I7");
            assert_eq!(d(&p["reserve_amount"]["value"]), reserve, "I7");
            assert_eq!(
                d(&p["payment_amount_before_exchange"]["value"]),
                settle + reserve,
                "I6"
            );
            assert_eq!(d(&p["amount"]["value"]), settle + reserve, "I8 at rate 1");
        }
        let combined = by_payment[COMBINED_PAYMENT];
        assert_eq!(combined, (Decimal::new(1430, 2), Decimal::new(500, 2)));
    }
}

#[cfg(test)]
mod client_tests {
    //! The shared finance client against this simulator, every call through
    //! `ShopSessions::call_with_refresh`, and what it fetches fed to the
    //! journal planner as the payout job will.

    use std::sync::Arc;

    use rust_decimal::Decimal;
    use serde_json::{json, Value};

    use shared::domain::{PaymentId, ShopId, StatementId};
    use shared::payouts::plan::{plan_journal, Held, PayoutAccounts};

    use shared::tiktok::finance::{FinanceError, PaymentStatus};
    use shared::tiktok::{ShopCallError, ShopSessions, TikTokError};

    use super::{GeneratedStatement, STATEMENT_TRANSACTIONS_API};
    use crate::seed::{BROKEN_STATEMENT, COMBINED_PAYMENT, SAMPLE_PAYMENT, SAMPLE_STATEMENT};
    use crate::tiktok::TikTokSim;
    use crate::RunningSim;

    const US: &str = "7494049642642441621";

    use crate::tiktok::client_harness::MemStore;

    async fn setup() -> (RunningSim<TikTokSim>, ShopSessions, Arc<MemStore>) {
        crate::tiktok::client_harness::sessions(crate::default_seed().tiktok).await
    }

    fn shop() -> ShopId {
        ShopId::new(US)
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn money(v: &Value) -> Decimal {
        v.as_str().unwrap().parse().unwrap()
    }

    /// A journal-mode account table like payout_plan's own tests.
    fn accounts() -> PayoutAccounts {
        serde_json::from_value(json!({
            "revenue_source": {"mode": "journal"},
            "sales_revenue": "4000", "seller_discounts": "4010", "refunds": "4020",
            "shipping_income": "4100",
            "fee_groups": {"commission": "6100", "transaction": "6110", "affiliate": "6120",
                           "shipping_services": "6130", "programme": "6140", "fee_taxes": "6150"},
            "other_fees": "6190",
            "adjustments": {"LOGISTICS_REIMBURSEMENT": "4200"},
            "other_adjustments": "6900",
            "reserve": "1250", "payout_in_transit": "1260"
        }))
        .unwrap()
    }

    fn line(p: &shared::payouts::plan::JournalPlan, account: &str) -> (Decimal, Decimal) {
        p.lines
            .iter()
            .find(|l| l.account == account)
            .map_or((Decimal::ZERO, Decimal::ZERO), |l| (l.debit, l.credit))
    }

    #[tokio::test]
    async fn the_notes_sample_fetched_through_the_client_plans_a_balanced_journal() {
        let (_sim, sessions, _) = setup().await;
        // The §1.10 request window.
        let statements = sessions
            .statements_between(&shop(), 1767139201, 1767225601)
            .await
            .unwrap();
        assert_eq!(statements.len(), 1);
        let s = &statements[0];
        assert_eq!(s.id, StatementId::new(SAMPLE_STATEMENT));
        assert_eq!(s.settlement_amount, d("84.49"));
        assert_eq!(s.fee_amount, d("-9.00"));
        assert_eq!(s.payment_id, Some(PaymentId::new(SAMPLE_PAYMENT)));
        let st = sessions
            .statement_transactions(&shop(), &s.id)
            .await
            .unwrap();
        assert_eq!((st.pages, st.duplicates), (1, 0));
        assert_eq!(st.data["transactions"].as_array().unwrap().len(), 4);
        assert_eq!(st.data["next_page_token"], "");
        let plan = plan_journal(&st.data, &accounts(), "tts-stmt-x").unwrap();
        assert_eq!(plan.total_debits(), d("98.49"));
        assert_eq!(plan.total_credits(), d("98.49"));
        assert_eq!(line(&plan, "4000"), (Decimal::ZERO, d("80.00")));
        assert_eq!(line(&plan, "1250"), (d("5.00"), Decimal::ZERO));
        assert_eq!(line(&plan, "1260"), (d("79.49"), Decimal::ZERO));
        assert_eq!(plan.lines.len(), 8);
        // The payment is the bank line of the payable (I8).
        let payments = sessions
            .payments_between(&shop(), 1767312000, 1767312001)
            .await
            .unwrap();
        assert_eq!(payments.len(), 1);
        assert_eq!(payments[0].amount.value, money(&st.data["payable_amount"]));
        assert_eq!(payments[0].status, PaymentStatus::Paid);
    }

    #[tokio::test]
    async fn combined_payments_reconcile_and_the_broken_statement_is_held() {
        let (_sim, sessions, _) = setup().await;
        let now = crate::now_secs();
        let statements = sessions.statements_between(&shop(), 0, now).await.unwrap();
        assert_eq!(statements.len(), 4);
        let payments = sessions.payments_between(&shop(), 0, now).await.unwrap();
        assert_eq!(payments.len(), 3);
        let combined = payments
            .iter()
            .find(|p| p.id == PaymentId::new(COMBINED_PAYMENT))
            .unwrap();
        let mine: Vec<_> = statements
            .iter()
            .filter(|s| s.payment_id.as_ref() == Some(&combined.id))
            .collect();
        assert_eq!(mine.len(), 2, "two statements, one payment");
        let settled: Decimal = mine.iter().map(|s| s.settlement_amount).sum();
        assert_eq!(settled, combined.settlement_amount.value, "I7");
        let mut payable = Decimal::ZERO;
        for s in &mine {
            let st = sessions
                .statement_transactions(&shop(), &s.id)
                .await
                .unwrap();
            let plan = plan_journal(&st.data, &accounts(), "x").unwrap();
            assert_eq!(plan.total_debits(), plan.total_credits());
            payable += money(&st.data["payable_amount"]);
        }
        assert_eq!(payable, combined.amount.value, "bank line = Σ payable");
        // The statement seeded not to add up is held, naming both figures.
        let st = sessions
            .statement_transactions(&shop(), &StatementId::new(BROKEN_STATEMENT))
            .await
            .unwrap();
        match plan_journal(&st.data, &accounts(), "x") {
            Err(Held::DoesNotAddUp { differences, .. }) => {
                let text = differences.join("; ");
                assert!(text.contains("20.00") && text.contains("21.00"), "{text}");
            }
            other => panic!("not held: {other:?}"),
        }
        let unsettled = sessions.unsettled_between(&shop(), 0, now).await.unwrap();
        assert_eq!(unsettled.len(), 1);
    }

    #[tokio::test]
    async fn a_statement_of_many_pages_arrives_whole_across_a_token_refresh() {
        let (sim, sessions, store) = setup().await;
        sim.state
            .generate_statement(&GeneratedStatement {
                shop_id: US.into(),
                statement_id: "7500000000000000002".into(),
                statement_time: 1767657600,
                count: 2_345,
                payment_id: None,
            })
            .unwrap();
        // TikTok says the token expired although the store thinks not.
        let old = store.get_now(&shop()).unwrap().access_token;
        sim.state
            .set_token(US, None, Some(crate::now_secs() - 1))
            .unwrap();
        let st = sessions
            .statement_transactions(&shop(), &StatementId::new("7500000000000000002"))
            .await
            .unwrap();
        assert_eq!(st.pages, 24);
        assert_eq!(st.data["transactions"].as_array().unwrap().len(), 2_345);
        assert_ne!(store.get_now(&shop()).unwrap().access_token, old);
        let plan = plan_journal(&st.data, &accounts(), "x").unwrap();
        assert_eq!(plan.total_debits(), plan.total_credits());
        assert!(plan.unknown_fee_keys.contains("gmv_max_ad_fee_amount"));
        assert_eq!(sim.state.request_count(STATEMENT_TRANSACTIONS_API), 25);
    }

    #[tokio::test]
    async fn pages_can_be_folded_as_they_arrive_without_holding_the_statement() {
        let (sim, sessions, _) = setup().await;
        let root = sim
            .state
            .generate_statement(&GeneratedStatement {
                shop_id: US.into(),
                statement_id: "7500000000000000004".into(),
                statement_time: 1767657600,
                count: 1_050,
                payment_id: None,
            })
            .unwrap();
        let (mut rows, mut settled) = (0usize, Decimal::ZERO);
        let pages = sessions
            .each_statement_page(&shop(), &StatementId::new("7500000000000000004"), |page| {
                for t in page["transactions"].as_array().unwrap() {
                    rows += 1;
                    settled += money(&t["settlement_amount"]);
                }
            })
            .await
            .unwrap();
        assert_eq!((pages, rows), (11, 1_050));
        assert_eq!(settled, money(&root["total_settlement_amount"]), "I4");
    }

    /// The benchmark's statement size through the client: 1,000 pages.
    /// TikTok's 50 QPS per API would make that ≥ 20 s on its own, so the
    /// limit is lifted here (a benchmark must say which it measured).
    /// Ignored by default (about 20 s and 760 MB peak in a debug build):
    /// `cargo test -p simulators --lib a_statement_of_100000 -- --ignored --nocapture`.
    #[tokio::test]
    #[ignore = "slow: a measurement, run on demand"]
    async fn a_statement_of_100000_transactions_through_the_client() {
        let (sim, sessions, _) = setup().await;
        sim.state.set_qps_limit(100_000);
        sim.state
            .generate_statement(&GeneratedStatement {
                shop_id: US.into(),
                statement_id: "7500000000000000003".into(),
                statement_time: 1767657600,
                count: 100_000,
                payment_id: Some("3500000000000000003".into()),
            })
            .unwrap();
        let started = std::time::Instant::now();
        let st = sessions
            .statement_transactions(&shop(), &StatementId::new("7500000000000000003"))
            .await
            .unwrap();
        let fetched = started.elapsed();
        assert_eq!(st.pages, 1_000);
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let peak = status
            .lines()
            .find(|l| l.starts_with("VmHWM"))
            .unwrap_or("");
        eprintln!("after the fetch (simulator and client in one process): {peak}");
        let plan = plan_journal(&st.data, &accounts(), "x").unwrap();
        eprintln!(
            "100,000 transactions: fetched in {fetched:?}, planned in {:?}, {} journal lines",
            started.elapsed() - fetched,
            plan.lines.len()
        );
        assert_eq!(plan.total_debits(), plan.total_credits());
        assert!(plan.lines.len() < 20, "{:?}", plan.lines);
    }

    #[tokio::test]
    async fn rows_sent_twice_are_dropped_and_the_count_mismatch_is_an_error() {
        let (sim, sessions, _) = setup().await;
        let sample: Value = serde_json::from_str(include_str!(
            "../../../../events/finance/statement-transactions-sample.json"
        ))
        .unwrap();
        let again = sample["transactions"][0].clone();
        sim.state
            .append_statement_transactions(US, SAMPLE_STATEMENT, vec![again])
            .unwrap();
        let err = sessions
            .statement_transactions(&shop(), &StatementId::new(SAMPLE_STATEMENT))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                FinanceError::Incomplete {
                    expected: 5,
                    got: 4,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.is_retryable());
        // An unknown statement is TikTok's parameter error: not retried.
        let err = sessions
            .statement_transactions(&shop(), &StatementId::new("7491234567890000000"))
            .await
            .unwrap_err();
        match &err {
            FinanceError::Call(ShopCallError::TikTok(TikTokError::Api { code, .. })) => {
                assert_eq!(*code, 36009004)
            }
            other => panic!("{other}"),
        }
        assert!(!err.is_retryable());
    }
}
