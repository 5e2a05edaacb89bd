//! NetSuite simulator: the strict rules a real account applies — sublist
//! append/replace semantics, transforms that start from the source's lines,
//! SuiteQL columns per table, and reference validation.

mod common;

use common::{error_code, location_id, NetSuite};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use simulators::{default_seed, spawn_netsuite, NetSuiteConfig, NetSuiteSim, RunningSim};

const REC: &str = "/services/rest/record/v1";
const SO: &str = "/services/rest/record/v1/salesOrder";

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

/// The shape `shared::mapping::build_sales_order` sends for the default shop
/// of `events/mapping.local.json` (subsidiary 1, location 1, customer 201).
fn us_order(eid: &str) -> Value {
    json!({
        "externalId": eid,
        "otherRefNum": "576461413038785752",
        "tranDate": "2025-01-01",
        "memo": "TikTok Shop order",
        "entity": {"id": "201"},
        "orderStatus": "B",
        "subsidiary": {"id": "1"},
        "location": {"id": "1"},
        "shippingCost": 5.99,
        "item": {"items": [
            {"item": {"id": "101"}, "quantity": 2, "rate": 114.99, "amount": 229.98, "price": {"id": "-1"}, "location": {"id": "1"}, "description": "Tent"},
            {"item": {"id": "103"}, "quantity": 1, "rate": 22.5, "amount": 22.5, "price": {"id": "-1"}, "location": {"id": "1"}, "description": "Headlamp"}
        ]}
    })
}

/// The UK shop of `events/mapping.local.json`: subsidiary 2, location 2,
/// customer 202, shipping item 190 and tax item 191.
fn uk_order(eid: &str) -> Value {
    json!({
        "externalId": eid,
        "entity": {"id": "202"},
        "orderStatus": "B",
        "subsidiary": {"id": "2"},
        "location": {"id": "2"},
        "item": {"items": [
            {"item": {"id": "105"}, "quantity": 3, "rate": 18.0, "amount": 54.0, "price": {"id": "-1"}, "location": {"id": "2"}},
            {"item": {"id": "190"}, "quantity": 1, "rate": 3.5, "amount": 3.5, "price": {"id": "-1"}},
            {"item": {"id": "191"}, "quantity": 1, "rate": 11.5, "amount": 11.5, "price": {"id": "-1"}}
        ]}
    })
}

async fn post(ns: &NetSuite, path: &str, body: &Value) -> common::NsResponse {
    ns.send(Method::POST, path, Some(body), &[]).await
}

fn detail(r: &common::NsResponse) -> String {
    r.body["o:errorDetails"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn path_of(r: &common::NsResponse) -> String {
    r.body["o:errorDetails"][0]["o:errorPath"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn patch_appends_updates_by_line_and_replaces_on_request() {
    let (sim, ns) = start().await;
    let r = post(&ns, SO, &us_order("tts-sub-1")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let id = location_id(&r.headers);
    let rec = sim.state.record("salesOrder", &id).unwrap();
    assert_eq!(rec["subtotal"], 252.48);
    assert_eq!(rec["total"], 258.47, "lines + shippingCost");

    // section_1545295601: line 2 is updated, the line without `line` appended.
    let patch = json!({"item": {"items": [
        {"line": 2, "quantity": 2},
        {"item": {"id": "104"}, "quantity": 1, "rate": 40, "price": {"id": "-1"}}
    ]}});
    let r = ns
        .send(Method::PATCH, &format!("{SO}/{id}"), Some(&patch), &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let rec = sim.state.record("salesOrder", &id).unwrap();
    let lines = rec["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["quantity"], 2);
    assert_eq!(lines[1]["amount"], 45, "quantity × rate recomputed");
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[2]["amount"], 40);
    assert_eq!(rec["total"], 320.97);

    // section_1545297048: ?replace=item keeps matched lines, drops the rest.
    let patch = json!({"item": {"items": [{"line": 1}, {"item": {"id": "102"}, "quantity": 1, "rate": 10}]}});
    let r = ns
        .send(
            Method::PATCH,
            &format!("{SO}/{id}?replace=item"),
            Some(&patch),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let rec = sim.state.record("salesOrder", &id).unwrap();
    let lines = rec["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["item"]["id"], "101");
    assert_eq!(lines[1]["line"], 4);
    assert_eq!(rec["total"], 245.97);

    // A name that is not a sublist of the record.
    let r = ns
        .send(
            Method::PATCH,
            &format!("{SO}/{id}?replace=apply"),
            Some(&json!({"memo": "x"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.body), "INVALID_PARAMETER");
    assert_eq!(r.body["o:errorDetails"][0]["o:errorQueryParam"], "replace");

    // Replacing away a fulfilled line is refused.
    let r = post(
        &ns,
        &format!("{SO}/{id}/!transform/itemFulfillment"),
        &json!({"item": {"items": [{"orderLine": 4, "itemReceive": false}]}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = ns
        .send(
            Method::PATCH,
            &format!("{SO}/{id}?replace=item"),
            Some(&json!({"item": {"items": [{"line": 4}]}})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(detail(&r).contains("fulfilled or billed"), "{}", detail(&r));
    assert_eq!(
        sim.state.record("salesOrder", &id).unwrap()["item"]["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn upsert_appends_without_replace_and_sends_location_only_on_create() {
    let (sim, ns) = start().await;
    let path = format!("{SO}/eid:tts-ups-1");
    let r = ns.send(Method::PUT, &path, Some(&us_order("x")), &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let id = location_id(&r.headers);
    let r = ns.send(Method::PUT, &path, Some(&us_order("x")), &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.headers.get("location").is_none(), "no Location on update");
    let rec = sim.state.record("salesOrder", &id).unwrap();
    assert_eq!(rec["item"]["items"].as_array().unwrap().len(), 4);
    assert_eq!(rec["total"], 510.95, "the retry doubled the order");
    let r = ns
        .send(
            Method::PUT,
            &format!("{path}?replace=item"),
            Some(&us_order("x")),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let rec = sim.state.record("salesOrder", &id).unwrap();
    assert_eq!(rec["item"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(rec["total"], 258.47);
    assert_eq!(sim.state.records("salesOrder").len(), 1);
}

#[tokio::test]
async fn bills_only_fulfilled_quantities_and_credits_start_from_the_invoice() {
    let (sim, ns) = start().await;
    let r = post(&ns, SO, &us_order("tts-bill-1")).await;
    let so = location_id(&r.headers);

    // Nothing fulfilled: nothing to bill.
    let r = post(&ns, &format!("{SO}/{so}/!transform/invoice"), &json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_code(&r.body), "USER_ERROR");

    // Fulfil one tent (order line 1) only.
    let r = post(
        &ns,
        &format!("{SO}/{so}/!transform/itemFulfillment"),
        &json!({"item": {"items": [{"orderLine": 1, "quantity": 1}, {"orderLine": 2, "itemReceive": false}]}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    // Asking to bill more than is fulfilled is refused.
    let r = post(
        &ns,
        &format!("{SO}/{so}/!transform/invoice"),
        &json!({"item": {"items": [{"orderLine": 1, "quantity": 2}]}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(path_of(&r), "item.items[0].quantity");

    // Empty body: the fulfilled, unbilled quantity, plus the order's shipping.
    let r = post(&ns, &format!("{SO}/{so}/!transform/invoice"), &json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let inv_id = location_id(&r.headers);
    let inv = sim.state.record("invoice", &inv_id).unwrap();
    let lines = inv["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["orderLine"], 1);
    assert_eq!(lines[0]["quantity"], 1);
    assert_eq!(lines[0]["amount"], 114.99);
    assert_eq!(inv["total"], 120.98);

    // Credit memo with refund lines and no replace: the invoice's lines stay
    // and the refund line is appended on top of them.
    let refund = json!({"externalId": "tts-rf-1", "item": {"items": [
        {"item": {"id": "101"}, "quantity": 1, "rate": 50, "amount": 50, "price": {"id": "-1"}}
    ]}});
    let r = post(
        &ns,
        &format!("{REC}/invoice/{inv_id}/!transform/creditMemo"),
        &refund,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let cm = sim
        .state
        .record("creditMemo", &location_id(&r.headers))
        .unwrap();
    assert_eq!(cm["item"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(cm["total"], 170.98);

    // With ?replace=item the request's lines are the credit memo's lines.
    let mut refund2 = refund.clone();
    refund2["externalId"] = json!("tts-rf-2");
    refund2["shippingCost"] = json!(0);
    let r = post(
        &ns,
        &format!("{REC}/invoice/{inv_id}/!transform/creditMemo?replace=item"),
        &refund2,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let cm = sim
        .state
        .record("creditMemo", &location_id(&r.headers))
        .unwrap();
    let lines = cm["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["amount"], 50);
    assert_eq!(cm["total"], 50);
    assert_eq!(cm["createdFrom"]["id"], inv_id.as_str());
}

#[tokio::test]
async fn suiteql_columns_are_per_table() {
    let (sim, ns) = start().await;
    let r = post(&ns, SO, &us_order("tts-q-1")).await;
    let so = location_id(&r.headers);
    let r = post(
        &ns,
        &format!("{SO}/{so}/!transform/itemFulfillment"),
        &json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = post(&ns, &format!("{SO}/{so}/!transform/cashSale"), &json!({})).await;
    let cs = location_id(&r.headers);

    // transaction has no createdfrom column.
    let r = ns
        .suiteql(
            &format!("SELECT id, type FROM transaction WHERE createdfrom = '{so}'"),
            1000,
            0,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_code(&r.body), "INVALID_PARAMETER");
    assert_eq!(r.body["o:errorDetails"][0]["o:errorQueryParam"], "q");
    assert!(detail(&r).contains("Field 'createdfrom' for record 'transaction' was not found"));
    for q in [
        "SELECT id, createdfrom FROM transaction",
        "SELECT id, location FROM transaction",
        "SELECT id FROM transaction ORDER BY subsidiary",
        "SELECT id, memo FROM item",
    ] {
        let r = ns.suiteql(q, 1000, 0).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.body);
    }
    let r = ns.suiteql("SELECT * FROM transaction", 1000, 0).await;
    assert!(r.body["items"][0].get("createdfrom").is_none());

    // The join shape.
    let r = ns
        .suiteql(
            &format!("SELECT t.id, t.type FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.createdfrom = '{so}' AND tl.mainline = 'T' AND t.type = 'CashSale'"),
            1000,
            0,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["count"], 1);
    assert_eq!(
        r.body["items"][0],
        json!({"links": [], "id": cs, "type": "CashSale"})
    );

    // The two-query shape without a join.
    let r = ns
        .suiteql(
            &format!("SELECT transaction, createdfrom FROM transactionline WHERE createdfrom = '{so}' AND mainline = 'T'"),
            1000,
            0,
        )
        .await;
    assert_eq!(r.body["count"], 2, "fulfillment and cash sale: {}", r.body);
    let ids: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("'{}'", i["transaction"].as_str().unwrap()))
        .collect();
    let r = ns
        .suiteql(
            &format!(
                "SELECT id, type FROM transaction WHERE id IN ({}) ORDER BY id",
                ids.join(", ")
            ),
            1000,
            0,
        )
        .await;
    let types: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["ItemShip", "CashSale"]);

    // Forgetting mainline = 'T' returns one row per line too, including the
    // fulfillment's COGS lines (2 headers + 2 item lines each + 2 COGS lines).
    let r = ns
        .suiteql(
            &format!("SELECT transaction FROM transactionline WHERE createdfrom = '{so}'"),
            1000,
            0,
        )
        .await;
    assert_eq!(r.body["count"], 8, "{}", r.body);

    // Header location and subsidiary live on the mainline.
    let r = ns
        .suiteql(
            &format!("SELECT location, subsidiary FROM transactionline WHERE transaction = '{so}' AND mainline = 'T'"),
            1000,
            0,
        )
        .await;
    assert_eq!(
        r.body["items"][0],
        json!({"links": [], "location": "1", "subsidiary": "1"})
    );

    // Inactive duplicates come back unless filtered.
    let r = ns
        .suiteql(
            "SELECT id, itemid, isinactive FROM item WHERE itemid IN ('TENT-2P-GRN') ORDER BY id",
            1000,
            0,
        )
        .await;
    assert_eq!(r.body["count"], 2, "{}", r.body);
    assert_eq!(r.body["items"][1]["isinactive"], "T");
    let r = ns
        .suiteql(
            "SELECT id FROM item WHERE itemid IN ('TENT-2P-GRN') AND isinactive = 'F'",
            1000,
            0,
        )
        .await;
    assert_eq!(r.body["count"], 1);
    assert_eq!(r.body["items"][0]["id"], "101");
    let r = ns
        .suiteql(
            "SELECT id FROM customer WHERE isinactive = 'T' ORDER BY id",
            1000,
            0,
        )
        .await;
    assert_eq!(
        r.body["items"],
        json!([{"links": [], "id": "203"}, {"links": [], "id": "204"}])
    );
    drop(sim);
}

#[tokio::test]
async fn references_must_exist_be_active_and_agree() {
    let (sim, ns) = start().await;
    // Both mapping.local.json shops write successfully.
    let r = post(&ns, SO, &us_order("tts-ref-us")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let us = location_id(&r.headers);
    let r = post(&ns, SO, &uk_order("tts-ref-uk")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let uk = sim
        .state
        .record("salesOrder", &location_id(&r.headers))
        .unwrap();
    assert_eq!(
        uk["currency"]["id"], "2",
        "currency defaults to the customer's"
    );

    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "inactive item",
            json!({"item": {"items": [{"item": {"id": "151"}, "quantity": 1, "rate": 1}]}}),
            "item.items[0].item",
            "151",
        ),
        (
            "unknown item",
            json!({"item": {"items": [{"item": {"id": "999"}, "quantity": 1, "rate": 1}]}}),
            "item.items[0].item",
            "999",
        ),
        (
            "unknown price level",
            json!({"item": {"items": [{"item": {"id": "101"}, "quantity": 1, "rate": 1, "price": {"id": "99"}}]}}),
            "item.items[0].price",
            "99",
        ),
        (
            "inactive price level",
            json!({"item": {"items": [{"item": {"id": "101"}, "quantity": 1, "rate": 1, "price": {"id": "6"}}]}}),
            "item.items[0].price",
            "6",
        ),
        (
            "inactive line location",
            json!({"item": {"items": [{"item": {"id": "101"}, "quantity": 1, "rate": 1, "location": {"id": "4"}}]}}),
            "item.items[0].location",
            "4",
        ),
        (
            "inactive customer",
            json!({"entity": {"id": "203"}}),
            "entity",
            "203",
        ),
        (
            "unknown subsidiary",
            json!({"subsidiary": {"id": "9"}}),
            "subsidiary",
            "9",
        ),
        (
            "inactive subsidiary",
            json!({"subsidiary": {"id": "3"}}),
            "subsidiary",
            "3",
        ),
        (
            "customer of another subsidiary",
            json!({"subsidiary": {"id": "2"}, "location": {"id": "2"}}),
            "subsidiary",
            "2",
        ),
        (
            "currency the customer lacks",
            json!({"currency": {"id": "2"}}),
            "currency",
            "2",
        ),
        (
            "inactive currency",
            json!({"currency": {"id": "4"}}),
            "currency",
            "4",
        ),
        (
            "location of another subsidiary",
            json!({"location": {"id": "2"}}),
            "location",
            "2",
        ),
        (
            "inactive department",
            json!({"department": {"id": "3"}}),
            "department",
            "3",
        ),
        (
            "unknown class",
            json!({"class": {"id": "77"}}),
            "class",
            "77",
        ),
    ];
    for (what, overlay, path, value) in cases {
        let mut body = us_order(&format!("tts-bad-{}", what.replace(' ', "-")));
        for (k, v) in overlay.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = post(&ns, SO, &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.body);
        assert_eq!(error_code(&r.body), "USER_ERROR", "{what}");
        assert_eq!(path_of(&r), path, "{what}");
        let field = path.rsplit('.').next().unwrap();
        assert!(
            detail(&r).contains(&format!(
                "Invalid Field Value {value} for the following field: {field}"
            )),
            "{what}: {}",
            detail(&r)
        );
    }
    // PATCH is checked against the stored record too.
    let r = ns
        .send(
            Method::PATCH,
            &format!("{SO}/{us}"),
            Some(&json!({"currency": {"id": "2"}})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(path_of(&r), "currency");

    // Active department, class and a named price level are fine.
    let mut ok = us_order("tts-ref-ok");
    ok["department"] = json!({"id": "2"});
    ok["class"] = json!({"id": "2"});
    ok["currency"] = json!({"id": "1"});
    ok["item"]["items"][0]["price"] = json!({"id": "1"});
    let r = post(&ns, SO, &ok).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    // References read back as {links, id, refName}.
    let r = ns
        .send(
            Method::GET,
            &format!("{SO}/{us}?expandSubResources=true"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let b = &r.body;
    let host = ns.base.clone();
    assert_eq!(
        b["entity"],
        json!({"links": [{"rel": "self", "href": format!("{host}/services/rest/record/v1/customer/201")}], "id": "201", "refName": "TikTok Shop US"})
    );
    assert_eq!(b["subsidiary"]["refName"], "Trailhead Outfitters Inc.");
    assert_eq!(b["currency"]["refName"], "US Dollar");
    assert_eq!(b["location"]["refName"], "US Main Warehouse");
    let line = &b["item"]["items"][0];
    assert_eq!(line["item"]["refName"], "TENT-2P-GRN");
    assert!(line["item"]["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/record/v1/inventoryitem/101"));
    assert_eq!(
        line["price"],
        json!({"links": [], "id": "-1", "refName": "Custom"})
    );

    // A GET body's references can be sent back as they are.
    let back =
        json!({"subsidiary": b["subsidiary"], "currency": b["currency"], "entity": b["entity"]});
    let r = ns
        .send(Method::PATCH, &format!("{SO}/{us}"), Some(&back), &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        sim.state.record("salesOrder", &us).unwrap()["subsidiary"],
        json!({"id": "1"})
    );

    // Customers: subsidiary and currency must exist and be active.
    let r = post(
        &ns,
        &format!("{REC}/customer"),
        &json!({"companyName": "X", "subsidiary": {"id": "3"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(path_of(&r), "subsidiary");
    let r = post(
        &ns,
        &format!("{REC}/customer"),
        &json!({"companyName": "Y", "subsidiary": {"id": "2"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let c = sim
        .state
        .record("customer", &location_id(&r.headers))
        .unwrap();
    assert_eq!(c["currency"]["id"], "2", "the subsidiary's base currency");
}
