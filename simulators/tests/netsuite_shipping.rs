//! NetSuite simulator: item fulfillments with tracking numbers, read back
//! with the SuiteQL of finance-inventory-fulfilment.md §4.2.

mod common;

use common::{error_code, location_id, NetSuite};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use simulators::netsuite::{ShipLine, Shipment};
use simulators::{default_seed, spawn_netsuite, NetSuiteConfig, NetSuiteSim, RunningSim};

const REC: &str = "/services/rest/record/v1";

async fn start() -> (RunningSim<NetSuiteSim>, NetSuite) {
    let seed = default_seed().netsuite;
    let creds = seed.credentials();
    let sim = spawn_netsuite(seed, NetSuiteConfig::default())
        .await
        .unwrap();
    let ns = NetSuite {
        base: sim.base_url.clone(),
        creds,
        client: reqwest::Client::new(),
    };
    (sim, ns)
}

/// Line 1: 2 × item 101; line 2: 1 × item 103.
async fn new_order(ns: &NetSuite, eid: &str) -> String {
    let body = json!({
        "entity": {"id": "201"},
        "externalId": eid,
        "tranDate": "2026-11-30",
        "subsidiary": {"id": "1"},
        "currency": {"id": "1"},
        "otherRefNum": format!("tt-{eid}"),
        "orderStatus": "B",
        "item": {"items": [
            {"item": {"id": "101"}, "quantity": 2, "rate": 114.99, "price": {"id": "-1"}},
            {"item": {"id": "103"}, "quantity": 1, "rate": 22.50, "price": {"id": "-1"}}
        ]}
    });
    let r = ns
        .send(Method::POST, &format!("{REC}/salesOrder"), Some(&body), &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    location_id(&r.headers)
}

fn ship(lines: &[(u64, u64)], tracking: &[&str], method: Option<&str>) -> Shipment {
    Shipment {
        lines: lines
            .iter()
            .map(|&(order_line, quantity)| ShipLine {
                order_line,
                quantity,
            })
            .collect(),
        tracking_numbers: tracking.iter().map(|t| t.to_string()).collect(),
        ship_method: method.map(str::to_string),
    }
}

/// §4.2 header query, watermark by `op` ('>' or '>=').
fn shipped_since(op: &str, watermark: &str) -> String {
    format!(
        "SELECT t.id AS if_id, t.tranid, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified, \
         t.status, BUILTIN.DF(t.shipmethod) AS ship_method, tl.createdfrom AS so_id, \
         so.externalid AS so_externalid, so.otherrefnum \
         FROM transaction t \
         JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T' \
         JOIN transaction so ON so.id = tl.createdfrom \
         WHERE t.type = 'ItemShip' AND t.status = 'C' \
         AND t.lastmodifieddate {op} TO_TIMESTAMP('{watermark}', 'YYYY-MM-DD HH24:MI:SS') \
         ORDER BY t.lastmodifieddate, t.id"
    )
}

fn tracking_of(ids: &[&str]) -> String {
    let list: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    format!(
        "SELECT t.id AS if_id, tn.trackingnumber FROM transaction t \
         JOIN trackingnumbermap m ON m.transaction = t.id \
         JOIN trackingnumber tn ON tn.id = m.trackingnumber \
         WHERE t.type = 'ItemShip' AND t.id IN ({}) ORDER BY t.id, tn.trackingnumber",
        list.join(", ")
    )
}

fn lines_of(ids: &[&str]) -> String {
    let list: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    format!(
        "SELECT pl.nextdoc AS if_id, pl.previousdoc AS so_id, pl.previousline AS so_line, \
         ifl.item, ABS(ifl.quantity) AS qty \
         FROM previoustransactionlinelink pl \
         JOIN transactionline ifl ON ifl.transaction = pl.nextdoc AND ifl.id = pl.nextline \
         WHERE pl.linktype = 'ShipRcpt' AND pl.nextdoc IN ({}) \
         AND ifl.mainline = 'F' AND ifl.iscogs = 'F' AND ifl.itemtype <> 'ShipItem' \
         ORDER BY pl.nextdoc, pl.previousline",
        list.join(", ")
    )
}

fn items(r: &common::NsResponse) -> Vec<Value> {
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn strip(v: &Value) -> Value {
    let mut v = v.clone();
    v.as_object_mut().unwrap().remove("links");
    v
}

#[tokio::test]
async fn a_shipped_fulfilment_reads_back_with_tracking_and_line_links() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-ship-1").await;
    let if_id = sim
        .state
        .ship_sales_order(&so, &ship(&[(1, 1)], &["1Z001", "1Z002"], Some("401")))
        .unwrap();
    sim.state
        .set_last_modified("itemFulfillment", &if_id, "2026-11-30 10:00:00");

    let f = sim.state.record("itemFulfillment", &if_id).unwrap();
    assert_eq!(f["shipStatus"]["id"], "C");
    assert_eq!(f["shipMethod"]["id"], "401");
    assert_eq!(f["createdFrom"]["id"], so.as_str());
    assert_eq!(f["package"]["items"][1]["packageTrackingNumber"], "1Z002");
    let lines = f["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "only the line shipped: {f}");
    assert_eq!(
        (lines[0]["orderLine"].clone(), lines[0]["quantity"].clone()),
        (json!(1), json!(1))
    );
    let o = sim.state.record("salesOrder", &so).unwrap();
    assert_eq!(o["item"]["items"][0]["quantityFulfilled"], 1);
    assert_eq!(o["item"]["items"][1]["quantityFulfilled"], 0);

    let r = ns
        .suiteql(&shipped_since(">", "2026-11-30 09:59:59"), 1000, 0)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        items(&r).iter().map(strip).collect::<Vec<_>>(),
        [
            json!({"if_id": if_id, "tranid": format!("IF{if_id}"), "lastmodified": "2026-11-30 10:00:00",
                "status": "C", "ship_method": "UPS Ground", "so_id": so,
                "so_externalid": "tts-ship-1", "otherrefnum": "tt-tts-ship-1"})
        ]
    );

    let r = ns.suiteql(&tracking_of(&[&if_id]), 1000, 0).await;
    assert_eq!(
        items(&r).iter().map(strip).collect::<Vec<_>>(),
        [
            json!({"if_id": if_id, "trackingnumber": "1Z001"}),
            json!({"if_id": if_id, "trackingnumber": "1Z002"})
        ]
    );

    let r = ns.suiteql(&lines_of(&[&if_id]), 1000, 0).await;
    assert_eq!(
        items(&r).iter().map(strip).collect::<Vec<_>>(),
        [json!({"if_id": if_id, "so_id": so, "so_line": "1", "item": "101", "qty": "1"})]
    );

    // Plainly selected, the date is date-only; the watermark needs TO_CHAR.
    let r = ns
        .suiteql(
            &format!("SELECT lastmodifieddate FROM transaction WHERE id = '{if_id}'"),
            1000,
            0,
        )
        .await;
    assert_eq!(items(&r)[0]["lastmodifieddate"], "11/30/2026");
}

#[tokio::test]
async fn over_fulfilment_is_refused_and_partial_shipments_add_up() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-ship-2").await;
    let e = sim
        .state
        .ship_sales_order(&so, &ship(&[(1, 3)], &["1Z9"], Some("401")))
        .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (400, "USER_ERROR"), "{e:?}");
    assert!(e.detail.contains("only 2 left to fulfill"), "{}", e.detail);
    let a = sim
        .state
        .ship_sales_order(&so, &ship(&[(1, 1), (2, 1)], &["1ZA"], Some("402")))
        .unwrap();
    let b = sim
        .state
        .ship_sales_order(&so, &ship(&[(1, 1)], &["1ZB"], None))
        .unwrap();
    // Nothing left: the same refusal over REST.
    let body = json!({"item": {"items": [{"orderLine": 1, "quantity": 1}]}});
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder/{so}/!transform/itemFulfillment?replace=item"),
            Some(&body),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_code(&r.body), "USER_ERROR");
    assert_eq!(
        r.body["o:errorDetails"][0]["o:errorPath"],
        "item.items[0].quantity"
    );
    let e = sim
        .state
        .ship_sales_order(&so, &ship(&[], &["1ZC"], None))
        .unwrap_err();
    assert_eq!(e.code, "USER_ERROR", "nothing open");
    assert!(
        e.detail
            .contains("You must have at least one valid line item for this transaction."),
        "{}",
        e.detail
    );
    // An unknown or non-shipping ship method is refused.
    let so2 = new_order(&ns, "tts-ship-2b").await;
    for m in ["101", "999"] {
        let e = sim
            .state
            .ship_sales_order(&so2, &ship(&[(1, 1)], &[], Some(m)))
            .unwrap_err();
        assert_eq!(e.code, "USER_ERROR");
    }
    let r = ns.suiteql(&lines_of(&[&a, &b]), 1000, 0).await;
    let got: Vec<(String, String, String)> = items(&r)
        .iter()
        .map(|i| {
            (
                i["if_id"].as_str().unwrap().into(),
                i["so_line"].as_str().unwrap().into(),
                i["qty"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (a.clone(), "1".to_string(), "1".to_string()),
            (a.clone(), "2".to_string(), "1".to_string()),
            (b.clone(), "1".to_string(), "1".to_string())
        ]
    );
    let o = sim.state.record("salesOrder", &so).unwrap();
    assert_eq!(o["item"]["items"][0]["quantityFulfilled"], 2);
}

#[tokio::test]
async fn status_and_watermark_select_exactly_the_shipped_fulfilments() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-ship-3").await;
    // Picked by default when the transform does not say (harsher reading).
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder/{so}/!transform/itemFulfillment?replace=item"),
            Some(&json!({"item": {"items": [{"orderLine": 2, "quantity": 1}]}})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let picked = location_id(&r.headers);
    assert_eq!(
        sim.state.record("itemFulfillment", &picked).unwrap()["shipStatus"]["id"],
        "A"
    );
    let early = sim
        .state
        .ship_sales_order(&so, &ship(&[(1, 1)], &["1Z1"], Some("401")))
        .unwrap();
    let late = sim
        .state
        .ship_sales_order(&so, &ship(&[(1, 1)], &["1Z2"], Some("401")))
        .unwrap();
    for (id, ts) in [
        (&picked, "2026-11-30 11:00:00"),
        (&early, "2026-11-30 10:00:00"),
        (&late, "2026-11-30 12:00:00"),
    ] {
        assert!(sim.state.set_last_modified("itemFulfillment", id, ts));
    }
    let ids = |r: &common::NsResponse| -> Vec<String> {
        items(r)
            .iter()
            .map(|i| i["if_id"].as_str().unwrap().to_string())
            .collect()
    };
    let r = ns
        .suiteql(&shipped_since(">", "2026-11-30 10:00:00"), 1000, 0)
        .await;
    assert_eq!(ids(&r), vec![late.clone()], "{}", r.body);
    let r = ns
        .suiteql(&shipped_since(">=", "2026-11-30 10:00:00"), 1000, 0)
        .await;
    assert_eq!(ids(&r), [early.clone(), late.clone()]);
    let r = ns
        .suiteql(&shipped_since(">", "2026-11-30 12:00:00"), 1000, 0)
        .await;
    assert_eq!(r.body["count"], 0);
    // Status letters on the transaction.
    let r = ns
        .suiteql(
            &format!("SELECT id, status FROM transaction WHERE type = 'ItemShip' AND createdfrom = '{so}'"),
            1000,
            0,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "createdfrom is not a transaction column"
    );
    let r = ns
        .suiteql(
            "SELECT id, status FROM transaction WHERE type = 'ItemShip' AND status <> 'C'",
            1000,
            0,
        )
        .await;
    assert_eq!(ids_of(&r, "id"), vec![picked.clone()]);

    // transaction.shipstatus 500s; a bare string date and trackingnumberlist are refused.
    let r = ns
        .suiteql("SELECT id FROM transaction WHERE shipstatus = 'C'", 1000, 0)
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_code(&r.body), "UNEXPECTED_ERROR");
    for q in [
        "SELECT id FROM transaction WHERE lastmodifieddate > '2026-11-30 10:00:00'",
        "SELECT id, BUILTIN.DF(trackingnumberlist) AS t FROM transaction",
        "SELECT id FROM transaction WHERE id > TO_TIMESTAMP('2026-11-30 10:00:00', 'YYYY-MM-DD HH24:MI:SS')",
    ] {
        let r = ns.suiteql(q, 1000, 0).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(error_code(&r.body), "INVALID_PARAMETER", "{q}");
    }
}

fn ids_of(r: &common::NsResponse, key: &str) -> Vec<String> {
    items(r)
        .iter()
        .map(|i| i[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn fulfilment_lines_carry_cogs_and_shipping_lines_the_filters_remove() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-ship-4").await;
    let f = sim
        .state
        .ship_sales_order(&so, &ship(&[], &["1Z4"], Some("403")))
        .unwrap();
    let r = ns
        .suiteql(
            &format!("SELECT id, mainline, iscogs, itemtype, item, quantity FROM transactionline WHERE transaction = '{f}' ORDER BY id"),
            1000,
            0,
        )
        .await;
    assert_eq!(
        items(&r).iter().map(strip).collect::<Vec<_>>(),
        [
            json!({"id": "0", "mainline": "T", "iscogs": "F"}),
            json!({"id": "1", "mainline": "F", "iscogs": "F", "itemtype": "InvtPart", "item": "101", "quantity": "-2"}),
            json!({"id": "2", "mainline": "F", "iscogs": "F", "itemtype": "InvtPart", "item": "103", "quantity": "-1"}),
            json!({"id": "3", "mainline": "F", "iscogs": "T", "itemtype": "InvtPart", "item": "101", "quantity": "2"}),
            json!({"id": "4", "mainline": "F", "iscogs": "T", "itemtype": "InvtPart", "item": "103", "quantity": "1"}),
            json!({"id": "5", "mainline": "F", "iscogs": "F", "itemtype": "ShipItem", "item": "403"}),
        ]
    );
    let r = ns
        .suiteql(
            &format!("SELECT id, ABS(quantity) AS qty FROM transactionline WHERE transaction = '{f}' AND mainline = 'F' AND iscogs = 'F' AND itemtype <> 'ShipItem' ORDER BY id"),
            1000,
            0,
        )
        .await;
    assert_eq!(
        items(&r).iter().map(strip).collect::<Vec<_>>(),
        [
            json!({"id": "1", "qty": "2"}),
            json!({"id": "2", "qty": "1"})
        ]
    );
    let r = ns.suiteql(&lines_of(&[&f]), 1000, 0).await;
    assert_eq!(r.body["count"], 2, "{}", r.body);
}

#[tokio::test]
async fn tracking_numbers_from_every_package_sublist_and_shared_numbers() {
    let (sim, ns) = start().await;
    let so1 = new_order(&ns, "tts-ship-5").await;
    let so2 = new_order(&ns, "tts-ship-6").await;
    let a = sim
        .state
        .ship_sales_order(&so1, &ship(&[], &["SHARED-1"], Some("402")))
        .unwrap();
    let b = sim
        .state
        .ship_sales_order(&so2, &ship(&[(1, 1)], &["SHARED-1"], Some("402")))
        .unwrap();
    // Carrier-integrated package sublists count too (§4.1).
    let body = json!({
        "shipStatus": {"id": "C"},
        "item": {"items": [{"orderLine": 2, "quantity": 1}]},
        "packageUps": {"items": [{"packageTrackingNumberUps": "1ZUPS"}]},
        "packageFedex": {"items": [{"packageTrackingNumberFedEx": "FDX1"}]},
        "packageUsps": {"items": [{"packageTrackingNumberUsps": "USPS1"}]}
    });
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder/{so2}/!transform/itemFulfillment?replace=item"),
            Some(&body),
            &[("X-NetSuite-PropertyNameValidation", "Error")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let c = location_id(&r.headers);
    let r = ns.suiteql(&tracking_of(&[&a, &b, &c]), 1000, 0).await;
    let got: Vec<(String, String)> = items(&r)
        .iter()
        .map(|i| {
            (
                i["if_id"].as_str().unwrap().into(),
                i["trackingnumber"].as_str().unwrap().into(),
            )
        })
        .collect();
    let p = |i: &str, n: &str| (i.to_string(), n.to_string());
    assert_eq!(
        got,
        [
            p(&a, "SHARED-1"),
            p(&b, "SHARED-1"),
            p(&c, "1ZUPS"),
            p(&c, "FDX1"),
            p(&c, "USPS1"),
        ]
    );
    let r = ns
        .suiteql(
            "SELECT id FROM trackingnumber WHERE trackingnumber = 'SHARED-1'",
            1000,
            0,
        )
        .await;
    assert_eq!(r.body["count"], 1, "one number, mapped twice");
}

#[tokio::test]
async fn billing_links_are_not_shipment_links() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-ship-7").await;
    let f = sim
        .state
        .ship_sales_order(&so, &ship(&[], &["1Z7"], Some("401")))
        .unwrap();
    let r = ns
        .send(
            Method::POST,
            &format!("{REC}/salesOrder/{so}/!transform/invoice"),
            Some(&json!({})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let inv = location_id(&r.headers);
    let r = ns
        .suiteql(
            &format!("SELECT nextdoc, linktype FROM previoustransactionlinelink WHERE previousdoc = '{so}' ORDER BY nextdoc, nextline"),
            1000,
            0,
        )
        .await;
    let got: Vec<(String, String)> = items(&r)
        .iter()
        .map(|i| {
            (
                i["nextdoc"].as_str().unwrap().into(),
                i["linktype"].as_str().unwrap().into(),
            )
        })
        .collect();
    let p = |i: &str, n: &str| (i.to_string(), n.to_string());
    assert_eq!(
        got,
        [
            p(&f, "ShipRcpt"),
            p(&f, "ShipRcpt"),
            p(&inv, "OrdBill"),
            p(&inv, "OrdBill")
        ]
    );
    let r = ns.suiteql(&lines_of(&[&f, &inv]), 1000, 0).await;
    assert_eq!(r.body["count"], 2, "only the fulfillment's lines");
}

#[tokio::test]
async fn last_modified_is_read_only_and_moves_on_every_write() {
    let (sim, ns) = start().await;
    let so = new_order(&ns, "tts-ship-8").await;
    assert!(sim
        .state
        .set_last_modified("salesOrder", &so, "2020-01-01 00:00:00"));
    let body = json!({"memo": "x", "lastmodifieddate": "2019-01-01T00:00:00Z"});
    let r = ns
        .send(
            Method::PATCH,
            &format!("{REC}/salesOrder/{so}"),
            Some(&body),
            &[("X-NetSuite-PropertyNameValidation", "Error")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let o = sim.state.record("salesOrder", &so).unwrap();
    let keys: Vec<&String> = o
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.eq_ignore_ascii_case("lastModifiedDate"))
        .collect();
    assert_eq!(keys, ["lastModifiedDate"]);
    let lm = o["lastModifiedDate"].as_str().unwrap();
    assert!(lm > "2025-01-01T00:00:00Z" && lm.ends_with('Z'), "{lm}");
    // Shipping moves the order's too.
    assert!(sim
        .state
        .set_last_modified("salesOrder", &so, "2020-01-01 00:00:00"));
    sim.state
        .ship_sales_order(&so, &ship(&[(2, 1)], &[], None))
        .unwrap();
    let o = sim.state.record("salesOrder", &so).unwrap();
    assert!(o["lastModifiedDate"].as_str().unwrap() > "2025");
    assert!(!sim
        .state
        .set_last_modified("salesOrder", "424242", "2020-01-01 00:00:00"));
    assert!(!sim.state.set_last_modified("salesOrder", &so, "yesterday"));
}
