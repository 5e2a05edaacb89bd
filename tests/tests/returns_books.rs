//! Returns on NetSuite's side (issue 28): `shared::returns::books::NetSuiteBooks`
//! against the NetSuite simulator's return records (RA, its transforms to an
//! Item Receipt and a Credit Memo / Cash Refund). Edge cases of returns.md:
//! 3 (one of three units), 4 (more than fulfilled across earlier returns),
//! 5 (invoice, cash sale, Sales Order only), 11 (an edited return), 12 (mixed
//! grading), retries writing nothing twice, 17 (a credit whose total differs)
//! and 23 (features and permission off). No AWS needed.

use std::time::Duration;

use serde_json::{json, Value};
use shared::domain::{OrderId, Sku};
use shared::netsuite::{NetSuiteClient, NetSuiteConfig, NsError};
use shared::returns::books::NetSuiteBooks;
use shared::returns::credit::{plan_credit, CreditPlan};
use shared::returns::ports::{RaRef, RaUpsert, ReturnBooks};
use shared::returns::ra_plan::{plan_ra, RaPlan, RaRefusal};
use shared::returns::receipt::{plan_receipt, Grade, ReturnLocations};
use shared::returns::ReturnRecord;
use simulators::netsuite::{ReturnSetup, Shipment};
use simulators::{NetSuiteSim, RunningSim};

struct World {
    s: RunningSim<NetSuiteSim>,
    c: NetSuiteClient,
    books: NetSuiteBooks,
}

async fn world() -> World {
    let s = simulators::spawn_netsuite(
        simulators::default_seed().netsuite,
        simulators::NetSuiteConfig::default(),
    )
    .await
    .expect("simulator starts");
    let mut cfg = NetSuiteConfig::new(s.base_url.clone(), s.state.credentials());
    cfg.base_backoff = Duration::from_millis(50);
    cfg.max_backoff = Duration::from_millis(200);
    let c = NetSuiteClient::new(cfg).expect("client");
    let books = NetSuiteBooks::new(c.clone()).with_tax_item("191");
    World { s, c, books }
}

#[derive(Clone, Copy)]
enum Bill {
    Invoice,
    CashSale,
    Unbilled,
}

/// A Sales Order for TikTok order `order` (3 × TENT-2P-GRN at 100, 1 ×
/// MUG-TI-450 at 20), shipped in full, then billed as `bill` says.
async fn order(w: &World, order: &str, bill: Bill) -> String {
    let so =
        w.c.upsert_by_external_id(
            "salesOrder",
            &format!("tts-shop1-{order}"),
            &json!({
                "entity": {"id": "201"}, "subsidiary": {"id": "1"}, "location": {"id": "1"},
                "tranDate": "2026-12-01", "otherRefNum": order, "orderStatus": "B",
                "item": {"items": [
                    {"item": {"id": "101"}, "quantity": 3, "rate": 100, "location": {"id": "1"}},
                    {"item": {"id": "105"}, "quantity": 1, "rate": 20, "location": {"id": "1"}}
                ]}
            }),
            &["item"],
        )
        .await
        .expect("sales order")
        .expect("created");
    w.s.state
        .ship_sales_order(&so, &Shipment::default())
        .expect("shipped");
    let target = match bill {
        Bill::Invoice => "invoice",
        Bill::CashSale => "cashSale",
        Bill::Unbilled => return so,
    };
    w.c.transform("salesOrder", &so, target, &json!({}), &[])
        .await
        .expect("billed");
    so
}

/// A return of one line per unit, each refunding `price` (no shipping, no tax).
fn ret(return_id: &str, order: &str, units: &[(&str, &str)], status: &str) -> ReturnRecord {
    let lines: Vec<Value> = units
        .iter()
        .enumerate()
        .map(|(i, (sku, price))| {
            json!({"return_line_item_id": format!("{return_id}-{i}"), "order_line_item_id": format!("{order}-{i}"),
                   "sku_id": format!("sku-{sku}"), "seller_sku": sku,
                   "refund_amount": {"currency": "USD", "refund_total": price, "refund_subtotal": price,
                                     "refund_shipping_fee": "0", "refund_tax": "0"}})
        })
        .collect();
    let total: shared::domain::Money = units
        .iter()
        .map(|(_, p)| p.parse::<shared::domain::Money>().unwrap())
        .sum();
    serde_json::from_value(json!({
        "return_id": return_id, "order_id": order, "return_type": "RETURN_AND_REFUND",
        "return_status": status, "return_line_items": lines,
        "refund_amount": {"currency": "USD", "refund_total": total.to_string(), "refund_subtotal": total.to_string(),
                          "refund_shipping_fee": "0", "refund_tax": "0"}
    }))
    .expect("return parses")
}

/// What the flow does: read the order's records, plan, upsert.
async fn upsert(w: &World, r: &ReturnRecord) -> Result<RaRef, String> {
    let eid = shared::returns::ra_plan::ra_external_id(&r.return_id);
    let records = w
        .books
        .order_records(&r.order_id, &eid)
        .await
        .map_err(|e| e.to_string())?;
    match plan_ra(r, &records) {
        RaPlan::Upsert {
            external_id,
            source,
            lines,
            status,
        } => w
            .books
            .upsert_ra(&RaUpsert {
                external_id,
                source,
                lines,
                status,
                memo: "test".into(),
            })
            .await
            .map_err(|e| e.to_string()),
        other => Err(format!("{other:?}")),
    }
}

fn lines(v: &Value) -> Vec<Value> {
    v["item"]["items"].as_array().cloned().unwrap_or_default()
}

fn loc() -> ReturnLocations {
    ReturnLocations {
        sellable: "1".into(),
        damaged: "3".into(),
    }
}

fn tent() -> Sku {
    Sku("TENT-2P-GRN".into())
}

/// Edge case 5: the RA comes from the invoice, else the cash sale, else the
/// Sales Order, and the credit type follows it.
#[tokio::test]
async fn invoice_cash_sale_and_sales_order_only_sources() {
    let w = world().await;
    for (n, bill, src_type, credit_type) in [
        ("9001", Bill::Invoice, "invoice", "creditMemo"),
        ("9002", Bill::CashSale, "cashSale", "cashRefund"),
        ("9003", Bill::Unbilled, "salesOrder", "creditMemo"),
    ] {
        order(&w, n, bill).await;
        let r = ret(
            &format!("r{n}"),
            n,
            &[("TENT-2P-GRN", "100")],
            "AWAITING_BUYER_SHIP",
        );
        let ra = upsert(&w, &r).await.expect("RA");
        assert_eq!(ra.source.record_type(), src_type, "order {n}");
        let rec =
            w.s.state
                .record("returnAuthorization", &ra.internal_id)
                .unwrap();
        assert_eq!(rec["createdFrom"]["id"], ra.source.id());
        assert_eq!(rec["orderStatus"]["id"], "B", "approved → Pending Receipt");
        let plan = plan_credit(&r, "USD").unwrap();
        let id = w
            .books
            .credit(&ra, &plan, &format!("tts-ret-cr-{n}"))
            .await
            .expect("credit");
        let cr =
            w.s.state
                .record(credit_type, &id)
                .expect("credit type follows the source");
        assert_eq!(cr["createdFrom"]["id"], ra.internal_id.as_str());
        assert_eq!(cr["total"], 100);
        let found = w.books.find_ra(&ra.external_id).await.unwrap();
        assert_eq!(found, Some(ra));
    }
}

/// Edge case 3: one of three units → an RA of one line, quantity 1, on the
/// invoice's tent line (not a copy of the whole invoice).
#[tokio::test]
async fn partial_return_of_one_of_three_units() {
    let w = world().await;
    order(&w, "9101", Bill::Invoice).await;
    let ra = upsert(
        &w,
        &ret(
            "r9101",
            "9101",
            &[("TENT-2P-GRN", "100")],
            "RETURN_OR_REFUND_REQUEST_PENDING",
        ),
    )
    .await
    .expect("RA");
    let rec =
        w.s.state
            .record("returnAuthorization", &ra.internal_id)
            .unwrap();
    let l = lines(&rec);
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0]["item"]["id"], "101");
    assert_eq!(l[0]["quantity"], 1);
    assert_eq!(
        rec["orderStatus"]["id"], "A",
        "pending approval until TikTok approves"
    );
}

/// Edge case 4: two returns take 2 + 1 of 3 tents; a third is refused
/// naming the units fulfilled and those on earlier RAs.
#[tokio::test]
async fn a_return_beyond_the_units_fulfilled_across_earlier_returns_is_refused() {
    let w = world().await;
    order(&w, "9201", Bill::Invoice).await;
    upsert(
        &w,
        &ret(
            "a",
            "9201",
            &[("TENT-2P-GRN", "100"), ("TENT-2P-GRN", "100")],
            "AWAITING_BUYER_SHIP",
        ),
    )
    .await
    .expect("first");
    upsert(
        &w,
        &ret(
            "b",
            "9201",
            &[("TENT-2P-GRN", "100")],
            "AWAITING_BUYER_SHIP",
        ),
    )
    .await
    .expect("second");
    let third = ret(
        "c",
        "9201",
        &[("TENT-2P-GRN", "100")],
        "AWAITING_BUYER_SHIP",
    );
    let records = w
        .books
        .order_records(&OrderId::new("9201"), "tts-ret-c")
        .await
        .unwrap();
    assert_eq!(records.fulfilled.get(&tent()), Some(&3));
    assert_eq!(records.on_other_ras.get(&tent()), Some(&3));
    assert_eq!(
        plan_ra(&third, &records),
        RaPlan::Refused(RaRefusal::ExceedsFulfilled {
            sku: tent(),
            requested: 1,
            fulfilled: 3,
            earlier: 3
        })
    );
    // Re-planning return a itself does not count its own RA.
    let again = w
        .books
        .order_records(&OrderId::new("9201"), "tts-ret-a")
        .await
        .unwrap();
    assert_eq!(again.on_other_ras.get(&tent()), Some(&1));
    assert_eq!(w.s.state.records("returnAuthorization").len(), 2);
}

/// Edge case 11 (an edited return, same return_id): the RA is updated, its
/// lines replaced, never appended; a closed RA no longer counts.
#[tokio::test]
async fn an_edited_return_replaces_the_ra_lines() {
    let w = world().await;
    order(&w, "9301", Bill::Invoice).await;
    let first = upsert(
        &w,
        &ret(
            "e",
            "9301",
            &[("TENT-2P-GRN", "100"), ("TENT-2P-GRN", "100")],
            "RETURN_OR_REFUND_REQUEST_PENDING",
        ),
    )
    .await
    .unwrap();
    let second = upsert(
        &w,
        &ret(
            "e",
            "9301",
            &[("TENT-2P-GRN", "100"), ("MUG-TI-450", "20")],
            "AWAITING_BUYER_SHIP",
        ),
    )
    .await
    .unwrap();
    assert_eq!(first.internal_id, second.internal_id);
    assert_eq!(w.s.state.records("returnAuthorization").len(), 1);
    let rec =
        w.s.state
            .record("returnAuthorization", &first.internal_id)
            .unwrap();
    let mut got: Vec<(String, i64)> = lines(&rec)
        .iter()
        .map(|l| {
            (
                l["item"]["id"].as_str().unwrap().to_string(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, vec![("101".into(), 1), ("105".into(), 1)]);
    assert_eq!(rec["orderStatus"]["id"], "B");
    // TikTok cancels: every line closed, and the units are free again.
    w.books.close_ra(&second).await.unwrap();
    let rec =
        w.s.state
            .record("returnAuthorization", &first.internal_id)
            .unwrap();
    assert!(lines(&rec).iter().all(|l| l["isClosed"] == true));
    let records = w
        .books
        .order_records(&OrderId::new("9301"), "tts-ret-other")
        .await
        .unwrap();
    assert!(
        records.on_other_ras.is_empty(),
        "{:?}",
        records.on_other_ras
    );
}

/// Edge case 12: good → sellable location, damaged → damaged location,
/// missing → not received; the shelf gains the received units.
#[tokio::test]
async fn mixed_grading_receives_by_condition() {
    let w = world().await;
    order(&w, "9401", Bill::Invoice).await;
    let r = ret(
        "g",
        "9401",
        &[
            ("TENT-2P-GRN", "100"),
            ("TENT-2P-GRN", "100"),
            ("TENT-2P-GRN", "100"),
        ],
        "BUYER_SHIPPED_ITEM",
    );
    let ra = upsert(&w, &r).await.unwrap();
    let before_damaged =
        w.s.state
            .stock("101", "3")
            .unwrap_or_default()
            .quantityonhand;
    let plan = plan_receipt(
        &[
            (tent(), Grade::Good),
            (tent(), Grade::Damaged),
            (tent(), Grade::Missing),
        ],
        &loc(),
    );
    let id = w
        .books
        .receive(&ra, &plan, "tts-ret-rcpt-g")
        .await
        .expect("receipt");
    assert!(w.s.state.record("itemReceipt", &id).is_some());
    // One receipt per location (a receipt line has one location).
    let receipts = w.s.state.records("itemReceipt");
    assert_eq!(receipts.len(), 2);
    let mut got: Vec<(String, i64)> = receipts
        .iter()
        .flat_map(lines)
        .map(|l| {
            (
                l["location"]["id"].as_str().unwrap().to_string(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![("1".into(), 1), ("3".into(), 1)],
        "missing unit not received"
    );
    // A retry writes neither again.
    assert_eq!(
        w.books.receive(&ra, &plan, "tts-ret-rcpt-g").await.unwrap(),
        id
    );
    assert_eq!(w.s.state.records("itemReceipt").len(), 2);
    let rec =
        w.s.state
            .record("returnAuthorization", &ra.internal_id)
            .unwrap();
    assert_eq!(lines(&rec)[0]["quantityReceived"], 2);
    assert_eq!(
        w.s.state.stock("101", "3").unwrap().quantityonhand,
        before_damaged + 1
    );
}

/// Retried upsert, receipt and credit each find their record by externalId
/// and write nothing twice.
#[tokio::test]
async fn retries_write_nothing_twice() {
    let w = world().await;
    order(&w, "9501", Bill::Invoice).await;
    let r = ret(
        "t",
        "9501",
        &[("TENT-2P-GRN", "100")],
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    );
    let a = upsert(&w, &r).await.unwrap();
    let b = upsert(&w, &r).await.unwrap();
    assert_eq!(a, b);
    let plan = plan_receipt(&[(tent(), Grade::Good)], &loc());
    let r1 = w.books.receive(&a, &plan, "tts-ret-rcpt-t").await.unwrap();
    let r2 = w.books.receive(&a, &plan, "tts-ret-rcpt-t").await.unwrap();
    assert_eq!(r1, r2);
    let credit = plan_credit(&r, "USD").unwrap();
    let c1 = w.books.credit(&a, &credit, "tts-ret-cr-t").await.unwrap();
    let c2 = w.books.credit(&a, &credit, "tts-ret-cr-t").await.unwrap();
    assert_eq!(c1, c2);
    for t in ["returnAuthorization", "itemReceipt", "creditMemo"] {
        assert_eq!(w.s.state.records(t).len(), 1, "{t}");
    }
    assert_eq!(
        lines(
            &w.s.state
                .record("returnAuthorization", &a.internal_id)
                .unwrap()
        )
        .len(),
        1
    );
}

/// Edge case 17: a credit whose total would differ is refused with both
/// figures — before writing when the plan does not add up, after reading
/// NetSuite's total back when NetSuite's differs.
#[tokio::test]
async fn a_credit_whose_total_differs_is_refused_with_both_figures() {
    let w = world().await;
    order(&w, "9601", Bill::Invoice).await;
    let ra = upsert(
        &w,
        &ret(
            "m",
            "9601",
            &[("TENT-2P-GRN", "100")],
            "AWAITING_BUYER_SHIP",
        ),
    )
    .await
    .unwrap();
    let bad = CreditPlan {
        lines: vec![(tent(), 1, "100".parse().unwrap())],
        shipping: "0".parse().unwrap(),
        tax: "0".parse().unwrap(),
        total: "95".parse().unwrap(),
    };
    let e = w
        .books
        .credit(&ra, &bad, "tts-ret-cr-m")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("100") && e.contains("95"), "{e}");
    assert!(
        w.s.state.records("creditMemo").is_empty(),
        "nothing written"
    );

    // A handling charge on the RA is carried onto its credit by NetSuite.
    w.c.patch(
        "returnAuthorization",
        &ra.internal_id,
        &json!({"handlingCost": 5}),
    )
    .await
    .unwrap();
    let good = CreditPlan {
        total: "100".parse().unwrap(),
        ..bad
    };
    let e = w
        .books
        .credit(&ra, &good, "tts-ret-cr-m")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("105") && e.contains("100"), "{e}");
}

/// Edge case 23 and the RA's own rules: pending approval cannot be
/// received; features or the approval permission off are named errors.
#[tokio::test]
async fn set_up_refusals_are_named() {
    let w = world().await;
    order(&w, "9701", Bill::Invoice).await;
    let ra = upsert(
        &w,
        &ret(
            "p",
            "9701",
            &[("TENT-2P-GRN", "100")],
            "RETURN_OR_REFUND_REQUEST_PENDING",
        ),
    )
    .await
    .unwrap();
    let plan = plan_receipt(&[(tent(), Grade::Good)], &loc());
    let e = w
        .books
        .receive(&ra, &plan, "tts-ret-rcpt-p")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("pending approval"), "{e}");

    w.s.state.set_return_setup(ReturnSetup {
        ra_approval_permission: false,
        ..ReturnSetup::default()
    });
    let e = upsert(
        &w,
        &ret(
            "p",
            "9701",
            &[("TENT-2P-GRN", "100")],
            "AWAITING_BUYER_SHIP",
        ),
    )
    .await
    .unwrap_err();
    assert!(
        e.contains("403") && e.contains("Return Auth. Approval"),
        "{e}"
    );

    w.s.state.set_return_setup(ReturnSetup {
        advanced_receiving: false,
        ..ReturnSetup::default()
    });
    let e = w
        .books
        .receive(&ra, &plan, "tts-ret-rcpt-p")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, NsError::Api { code, .. } if code == "FEATURE_DISABLED"),
        "{e}"
    );
    assert!(e.to_string().contains("Advanced Receiving"));

    w.s.state.set_return_setup(ReturnSetup {
        return_authorizations: false,
        ..ReturnSetup::default()
    });
    let e = upsert(
        &w,
        &ret("q", "9701", &[("MUG-TI-450", "20")], "AWAITING_BUYER_SHIP"),
    )
    .await
    .unwrap_err();
    assert!(e.contains("Return Authorizations"), "{e}");
}

/// The simulator's sublist rule: without `?replace=item` a transform keeps
/// every copied invoice line and appends; with it, the body's lines are the
/// RA; more than the source line has is refused; a cash refund needs an RA
/// from a cash sale, and an RA is credited once.
#[tokio::test]
async fn simulator_return_transform_rules() {
    let w = world().await;
    order(&w, "9801", Bill::Invoice).await;
    let inv = w.s.state.records("invoice")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let all =
        w.c.transform(
            "invoice",
            &inv,
            "returnAuthorization",
            &json!({"item": {"items": [{"orderLine": 1, "quantity": 1}]}}),
            &[],
        )
        .await
        .unwrap();
    let l = lines(&w.s.state.record("returnAuthorization", &all).unwrap());
    assert_eq!(l.len(), 2, "without replace the copied lines stay: {l:?}");
    let only = w
        .c
        .transform("invoice", &inv, "returnAuthorization", &json!({"orderStatus": {"id": "B"}, "item": {"items": [{"orderLine": 1, "quantity": 1}]}}), &["item"])
        .await
        .unwrap();
    assert_eq!(
        lines(&w.s.state.record("returnAuthorization", &only).unwrap()).len(),
        1
    );
    let e =
        w.c.transform(
            "invoice",
            &inv,
            "returnAuthorization",
            &json!({"item": {"items": [{"orderLine": 1, "quantity": 4}]}}),
            &["item"],
        )
        .await
        .unwrap_err();
    assert!(matches!(&e, NsError::Api { status: 400, .. }), "{e}");
    let e =
        w.c.transform("returnAuthorization", &only, "cashRefund", &json!({}), &[])
            .await
            .unwrap_err();
    assert!(
        e.to_string().contains("not created from a cash sale"),
        "{e}"
    );
    w.c.transform("returnAuthorization", &only, "creditMemo", &json!({}), &[])
        .await
        .unwrap();
    let e =
        w.c.transform("returnAuthorization", &only, "creditMemo", &json!({}), &[])
            .await
            .unwrap_err();
    assert!(e.to_string().contains("already been refunded"), "{e}");
}

/// Issue 28 §6: the doctor's returns checks pass on the seeded account, and
/// each switched off fails alone with its fix.
#[tokio::test]
async fn doctor_checks_what_returns_need() {
    use shared::doctor::{Check, Status};
    use shared::mapping::config::MappingConfig;
    let w = world().await;
    let mut mapping = MappingConfig::default();
    mapping.default.returns.locations = Some(ReturnLocations {
        sellable: "1".into(),
        damaged: "3".into(),
    });
    let run = |mapping: MappingConfig| {
        let c = w.c.clone();
        async move {
            let mut out: Vec<Check> = Vec::new();
            shared::doctor::returns::run(&c, &mapping, &mut out).await;
            out
        }
    };
    let failed = |out: &[Check]| -> Vec<(String, String)> {
        out.iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| (c.name.clone(), c.fix.clone()))
            .collect()
    };
    let green = run(mapping.clone()).await;
    assert_eq!(green.len(), 4, "{green:?}");
    assert!(failed(&green).is_empty(), "{green:?}");

    for (setup, name, fix) in [
        (
            ReturnSetup {
                return_authorizations: false,
                ..ReturnSetup::default()
            },
            "netsuite.returns.feature",
            "Return Authorizations",
        ),
        (
            ReturnSetup {
                advanced_receiving: false,
                ..ReturnSetup::default()
            },
            "netsuite.returns.receiving",
            "Advanced Receiving",
        ),
        (
            ReturnSetup {
                ra_approval_permission: false,
                ..ReturnSetup::default()
            },
            "netsuite.returns.approval",
            "Return Auth. Approval",
        ),
    ] {
        w.s.state.set_return_setup(setup);
        let out = run(mapping.clone()).await;
        let f = failed(&out);
        // With the feature off the approval probe fails too (no RA record).
        assert_eq!(f[0].0, name, "{out:?}");
        assert!(f[0].1.contains(fix), "{f:?}");
        if name != "netsuite.returns.feature" {
            assert_eq!(f.len(), 1, "{f:?}");
        }
    }
    w.s.state.set_return_setup(ReturnSetup::default());
    w.s.state.set_location_inactive("3", true);
    let f = failed(&run(mapping.clone()).await);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "netsuite.returns.locations default");
    assert!(f[0].1.contains("locations.damaged"));
}
