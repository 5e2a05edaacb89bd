//! Returns (issue 28), the edge cases of `docs/returns.md` ("Edge cases a
//! test suite should cover"), each test named after its number, over the
//! pure parts of `shared::returns`: the RA plan, the policy, decisions,
//! receipts by condition and the credit from the RA.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde_json::json;
use shared::domain::{Money, Sku};
use shared::returns::credit::{plan_credit, CreditHold};
use shared::returns::decide::{before_sending, Go};
use shared::returns::ra_plan::{
    plan_ra, ra_body, ra_external_id, OrderRecords, RaPlan, RaRefusal, RaSource, RaStatus,
};
use shared::returns::receipt::{plan_receipt, Grade, ReturnLocations};
use shared::returns::{Decision, ReturnRecord, ReturnStatus};

fn m(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

fn line(sku: &str, n: usize, sub: &str, tax: &str) -> serde_json::Value {
    json!({"return_line_item_id": format!("RL{n}"), "order_line_item_id": format!("OL{n}"),
           "seller_sku": sku, "refund_amount": {"currency": "USD", "refund_total": "0",
           "refund_subtotal": sub, "refund_tax": tax}})
}

fn ret(id: &str, status: &str, lines: Vec<serde_json::Value>, total: &str) -> ReturnRecord {
    serde_json::from_value(json!({
        "return_id": id, "order_id": "O1", "return_type": "RETURN_AND_REFUND",
        "return_status": status, "update_time": 100,
        "refund_amount": {"currency": "USD", "refund_total": total},
        "return_line_items": lines
    }))
    .unwrap()
}

fn order(fulfilled: u32) -> OrderRecords {
    OrderRecords {
        sales_order: Some("SO1".into()),
        invoice: Some("INV1".into()),
        fulfilled: BTreeMap::from([(Sku("MUG".into()), fulfilled)]),
        ..Default::default()
    }
}

#[test]
fn edge_01_duplicate_and_out_of_order_events_keep_one_ra_and_the_newest_state() {
    let complete = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    let mut shipped = complete.clone();
    shipped.return_status = ReturnStatus::BuyerShippedItem;
    // COMPLETE arrived first; the late BUYER_SHIPPED_ITEM (same update_time) does not roll it back.
    assert!(!complete.is_superseded_by(&shipped));
    assert!(shipped.is_superseded_by(&complete));
    // The same return planned twice is the same upsert (one RA by externalId).
    assert_eq!(plan_ra(&complete, &order(3)), plan_ra(&complete, &order(3)));
    let RaPlan::Upsert { external_id, .. } = plan_ra(&complete, &order(3)) else {
        panic!()
    };
    assert_eq!(external_id, ra_external_id("R1"));
}

#[test]
fn edge_03_partial_return_of_one_of_three_units() {
    let r = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        vec![line("MUG", 1, "10.00", "0.80")],
        "10.80",
    );
    let RaPlan::Upsert { lines, status, .. } = plan_ra(&r, &order(3)) else {
        panic!("upsert")
    };
    assert_eq!(lines, vec![(Sku("MUG".into()), 1)]);
    assert_eq!(status, RaStatus::PendingApproval);
    let body = ra_body("tts-ret-R1", &lines, status, "defective");
    assert_eq!(body["item"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["orderStatus"]["id"], "A");
    let c = plan_credit(&r, "USD").unwrap();
    assert_eq!(c.lines, vec![(Sku("MUG".into()), 1, m("10.00"))]);
    assert_eq!(c.tax, m("0.80"));
    assert_eq!(c.total, m("10.80"));
}

#[test]
fn edge_04_sequential_returns_never_exceed_the_units_fulfilled() {
    let mut o = order(3);
    let first = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    assert!(matches!(plan_ra(&first, &o), RaPlan::Upsert { .. }));
    o.on_other_ras.insert(Sku("MUG".into()), 1);
    let second = ret(
        "R2",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        vec![line("MUG", 2, "10", "0")],
        "10",
    );
    assert!(matches!(plan_ra(&second, &o), RaPlan::Upsert { .. }));
    o.on_other_ras.insert(Sku("MUG".into()), 2);
    let third = ret(
        "R3",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        vec![line("MUG", 3, "10", "0"), line("MUG", 4, "10", "0")],
        "20",
    );
    assert_eq!(
        plan_ra(&third, &o),
        RaPlan::Refused(RaRefusal::ExceedsFulfilled {
            sku: Sku("MUG".into()),
            requested: 2,
            fulfilled: 3,
            earlier: 2
        })
    );
}

#[test]
fn edge_05_invoice_else_cash_sale_else_sales_order() {
    let r = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    let mut o = order(1);
    o.cash_sale = Some("CS1".into());
    let src = |o: &OrderRecords| match plan_ra(&r, o) {
        RaPlan::Upsert { source, .. } => source,
        other => panic!("{other:?}"),
    };
    assert_eq!(src(&o), RaSource::Invoice("INV1".into()));
    assert_eq!(src(&o).credit_type(), "creditMemo");
    o.invoice = None;
    assert_eq!(src(&o), RaSource::CashSale("CS1".into()));
    assert_eq!(src(&o).credit_type(), "cashRefund");
    o.cash_sale = None;
    assert_eq!(src(&o), RaSource::SalesOrder("SO1".into()));
    assert_eq!(src(&o).record_type(), "salesOrder");
}

#[test]
fn edge_06_each_returnless_path_gets_no_ra() {
    let base = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    let mut refund = base.clone();
    refund.return_type = shared::returns::ReturnType::Refund;
    let mut keep = base.clone();
    keep.buyer_keep_item = true;
    let mut partial = base.clone();
    partial.seller_proposed_return_type = Some("PARTIAL_REFUND".into());
    partial.partial_refund =
        Some(serde_json::from_value(json!({"currency": "USD", "amount": "4"})).unwrap());
    for r in [&refund, &keep, &partial] {
        assert_eq!(plan_ra(r, &order(1)), RaPlan::Returnless, "{r:?}");
    }
    let mut rejected_offer = partial.clone();
    rejected_offer.buyer_rejected_partial_refund = true;
    assert!(matches!(
        plan_ra(&rejected_offer, &order(1)),
        RaPlan::Upsert { .. }
    ));
}

#[test]
fn edge_07_arbitration_for_the_buyer_revives_the_same_ra() {
    let mut r = ret(
        "R1",
        "REFUND_OR_RETURN_REQUEST_REJECT",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    let RaPlan::Upsert {
        external_id: a,
        status,
        ..
    } = plan_ra(&r, &order(1))
    else {
        panic!()
    };
    assert_eq!(
        status,
        RaStatus::PendingApproval,
        "a rejection keeps the RA open"
    );
    r.return_status = ReturnStatus::AwaitingBuyerShip;
    let RaPlan::Upsert {
        external_id: b,
        status,
        ..
    } = plan_ra(&r, &order(1))
    else {
        panic!()
    };
    assert_eq!((a, status), (b, RaStatus::PendingReceipt));
}

#[test]
fn edge_08_rejected_then_cancelled_closes_the_ra_without_credit() {
    let r = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_CANCEL",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    let RaPlan::Upsert { status, .. } = plan_ra(&r, &order(1)) else {
        panic!()
    };
    assert_eq!(status, RaStatus::Closed);
    assert_eq!(status.order_status(), None);
    assert!(!r.return_status.to_string().contains("COMPLETE"));
}

#[test]
fn edge_09_package_rejected_then_arbitration_success_still_credits() {
    let mut r = ret(
        "R1",
        "REJECT_RECEIVE_PACKAGE",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    assert!(
        !r.return_status.is_final(),
        "nothing is closed before TikTok's final status"
    );
    r.return_status = ReturnStatus::RequestComplete;
    assert_eq!(plan_credit(&r, "USD").unwrap().total, m("10"));
}

#[test]
fn edge_10_missed_ship_back_deadline_closes_the_ra() {
    let r = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_CANCEL",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    assert!(matches!(
        plan_ra(&r, &order(1)),
        RaPlan::Upsert {
            status: RaStatus::Closed,
            ..
        }
    ));
}

#[test]
fn edge_11_edited_return_gets_its_own_ra() {
    let mut old = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_CANCEL",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    old.next_return_id = Some("R2".into());
    let mut new = ret(
        "R2",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    new.pre_return_id = Some("R1".into());
    let RaPlan::Upsert {
        external_id: a,
        status: sa,
        ..
    } = plan_ra(&old, &order(1))
    else {
        panic!()
    };
    let RaPlan::Upsert {
        external_id: b,
        status: sb,
        ..
    } = plan_ra(&new, &order(1))
    else {
        panic!()
    };
    assert_ne!(a, b);
    assert_eq!((sa, sb), (RaStatus::Closed, RaStatus::PendingApproval));
}

#[test]
fn edge_12_mixed_grading_rejects_the_package_and_receives_by_condition() {
    let s = Sku("MUG".into());
    let p = plan_receipt(
        &[
            (s.clone(), Grade::Good),
            (s.clone(), Grade::Damaged),
            (s.clone(), Grade::Missing),
        ],
        &ReturnLocations {
            sellable: "1".into(),
            damaged: "9".into(),
        },
    );
    assert_eq!(p.decision, Decision::RejectReceivedPackage);
    let received: u32 = p
        .lines
        .iter()
        .filter(|l| l.receive)
        .map(|l| l.quantity)
        .sum();
    assert_eq!(received, 2);
    assert!(p.why.unwrap().contains("missing"));
}

fn fresh(status: &str, action: Option<&str>) -> ReturnRecord {
    let next: Vec<_> = action
        .map(|a| json!({"action": a, "deadline": 500}))
        .into_iter()
        .collect();
    serde_json::from_value(
        json!({"return_id": "R1", "order_id": "O1", "return_type": "RETURN_AND_REFUND",
        "return_status": status, "seller_next_action_response": next}),
    )
    .unwrap()
}

#[test]
fn edge_13_approving_after_auto_approval_is_a_no_op() {
    let go = before_sending(
        &fresh("AWAITING_BUYER_SHIP", None),
        &Decision::ApproveReturn,
    );
    assert!(matches!(go, Go::AlreadyDecided { .. }));
}

#[test]
fn edge_14_a_retried_decision_carries_the_same_key() {
    let f = fresh(
        "RETURN_OR_REFUND_REQUEST_PENDING",
        Some("SELLER_RESPOND_RETURN"),
    );
    assert_eq!(
        before_sending(&f, &Decision::ApproveReturn),
        before_sending(&f, &Decision::ApproveReturn)
    );
}

#[test]
fn edge_17_a_refund_total_that_does_not_match_is_held_with_both_figures() {
    let r = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
        vec![line("MUG", 1, "10", "0.80")],
        "11.00",
    );
    assert_eq!(
        plan_credit(&r, "USD"),
        Err(CreditHold::TotalMismatch {
            tiktok: m("11.00"),
            lines: m("10.80")
        })
    );
    let ok = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
        vec![line("MUG", 1, "10", "0.80")],
        "10.80",
    );
    assert!(matches!(
        plan_credit(&ok, "GBP"),
        Err(CreditHold::Currency { .. })
    ));
}

#[test]
fn edge_21_unknown_values_do_not_crash() {
    let r: ReturnRecord = serde_json::from_value(json!({
        "return_id": "R1", "order_id": "O1", "return_type": "REFUND_ONLY",
        "return_status": "RETURN_OR_REFUND_REQUEST_REJECTED", "return_method": "SELLER_ARRANGE",
        "is_combined_return": "true ", "return_line_items": [line("MUG", 1, "1", "0")]
    }))
    .unwrap();
    assert!(r.is_combined_return);
    assert_eq!(
        plan_ra(&r, &order(1)),
        RaPlan::Nothing,
        "an unknown type writes nothing"
    );
}

#[test]
fn edge_22_a_return_on_an_order_never_imported_is_a_named_error() {
    let r = ret(
        "R1",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        vec![line("MUG", 1, "10", "0")],
        "10",
    );
    let plan = plan_ra(&r, &OrderRecords::default());
    assert_eq!(
        plan,
        RaPlan::Refused(RaRefusal::OrderNotImported("O1".into()))
    );
}

// ---- Against the TikTok simulator: the decisions' HTTP, idempotency,
// auto-approval, arbitration and the sweep by update_time.

mod sim {
    use super::*;
    use shared::config::TikTokApp;
    use shared::domain::ShopId;
    use shared::returns::decide::is_already_decided;
    use shared::returns::events::{needs_flow, sweep_window};
    use shared::tiktok::{ShopAuth, TikTokClient};
    use simulators::{RunningSim, TikTokConfig, TikTokSim};
    use std::time::Duration;

    const APP_KEY: &str = "6e8a1sim2b4kq";
    const APP_SECRET: &str = "sim5f0c2d9e7a1b3c4d5e6f708192a3b4c5d6e7f8";
    const US_SHOP: &str = "7494049642642441621";
    const US_CIPHER: &str = "ROW_simUSxkMbgAAAeVAQra0eZWebFQq5aIK";
    const US_TOKEN: &str = "TTP_simUS_Fw8rA3kQeT0vN2pLx9YcRb7M";

    async fn start() -> (RunningSim<TikTokSim>, TikTokClient, ShopAuth) {
        let sim = simulators::spawn_tiktok(
            simulators::default_seed().tiktok,
            TikTokConfig {
                port: 0,
                qps_limit: 1000,
            },
        )
        .await
        .expect("spawn tiktok sim");
        let client = TikTokClient::new(
            &sim.base_url,
            &sim.base_url,
            TikTokApp {
                app_key: APP_KEY.into(),
                app_secret: APP_SECRET.into(),
            },
            Duration::from_secs(10),
        )
        .expect("client");
        let auth = ShopAuth {
            shop_id: ShopId::new(US_SHOP),
            cipher: US_CIPHER.into(),
            access_token: US_TOKEN.into(),
        };
        (sim, client, auth)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn pending(id: &str, deadline: i64, update_time: i64) -> serde_json::Value {
        json!({"return_id": id, "order_id": "576461413038785752", "return_type": "RETURN_AND_REFUND",
               "return_status": "RETURN_OR_REFUND_REQUEST_PENDING", "create_time": update_time,
               "update_time": update_time, "can_buyer_keep_item": false,
               "seller_next_action_response": [{"action": "SELLER_RESPOND_RETURN", "deadline": deadline}],
               "return_line_items": [line("MUG", 1, "10", "0")]})
    }

    async fn read(client: &TikTokClient, auth: &ShopAuth, ge: i64) -> Vec<ReturnRecord> {
        client
            .returns_updated(auth, ge, i64::MAX / 2)
            .await
            .unwrap()
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect()
    }

    async fn post(sim: &RunningSim<TikTokSim>, path: &str, body: serde_json::Value) {
        let r = reqwest::Client::new()
            .post(format!("{}{path}", sim.base_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }

    async fn send(
        client: &TikTokClient,
        auth: &ShopAuth,
        fresh: &ReturnRecord,
        d: Decision,
        reason: Option<&str>,
    ) -> Result<Go, i64> {
        let go = before_sending(fresh, &d);
        let Go::Send { idempotency_key } = &go else {
            return Ok(go);
        };
        let mut body = json!({"decision": d.as_str()});
        if let Some(r) = reason {
            body["reject_reason"] = json!(r);
        }
        match client
            .decide_return(
                auth,
                &fresh.return_id,
                d.is_reject(),
                idempotency_key,
                &body,
            )
            .await
        {
            Ok(()) => Ok(go),
            Err(e) => Err(e.code().unwrap_or(0)),
        }
    }

    #[tokio::test]
    async fn edge_14_a_retried_approval_is_one_decision_in_tiktok() {
        let (sim, client, auth) = start().await;
        sim.state
            .upsert_return(US_SHOP, pending("RT14", now() + 3600, 1000))
            .unwrap();
        let fresh = read(&client, &auth, 0)
            .await
            .into_iter()
            .find(|r| r.return_id == "RT14")
            .unwrap();
        let a = send(&client, &auth, &fresh, Decision::ApproveReturn, None)
            .await
            .unwrap();
        // The first answer was "lost"; the retry carries the same key and TikTok answers success.
        let b = send(&client, &auth, &fresh, Decision::ApproveReturn, None)
            .await
            .unwrap();
        assert_eq!(a, b);
        let after = read(&client, &auth, 0)
            .await
            .into_iter()
            .find(|r| r.return_id == "RT14")
            .unwrap();
        assert_eq!(after.return_status, ReturnStatus::AwaitingBuyerShip);
    }

    #[tokio::test]
    async fn edge_13_approve_after_auto_approval_is_recorded_not_retried() {
        let (sim, client, auth) = start().await;
        let deadline = now() + 3600;
        sim.state
            .upsert_return(US_SHOP, pending("RT13", deadline, 1000))
            .unwrap();
        let stale = read(&client, &auth, 0)
            .await
            .into_iter()
            .find(|r| r.return_id == "RT13")
            .unwrap();
        post(&sim, "/_sim/returns/tick", json!({"now": deadline})).await;
        // Sent on the stale read: TikTok says the status cannot approve, which means "already decided".
        let code = send(&client, &auth, &stale, Decision::ApproveReturn, None)
            .await
            .unwrap_err();
        assert!(is_already_decided(code), "code {code}");
        // Read again first (the rule): nothing is sent.
        let fresh = read(&client, &auth, 0)
            .await
            .into_iter()
            .find(|r| r.return_id == "RT13")
            .unwrap();
        assert!(matches!(
            send(&client, &auth, &fresh, Decision::ApproveReturn, None).await,
            Ok(Go::AlreadyDecided { .. })
        ));
    }

    #[tokio::test]
    async fn edge_07_and_08_rejection_then_arbitration_either_way() {
        let (sim, client, auth) = start().await;
        for (id, buyer_wins) in [("RT07", true), ("RT08", false)] {
            sim.state
                .upsert_return(US_SHOP, pending(id, now() + 3600, 1000))
                .unwrap();
            let fresh = read(&client, &auth, 0)
                .await
                .into_iter()
                .find(|r| r.return_id == id)
                .unwrap();
            let reasons = client.return_reject_reasons(&auth, id).await.unwrap();
            let reason = reasons[0]["name"].as_str().unwrap().to_string();
            send(
                &client,
                &auth,
                &fresh,
                Decision::RejectReturn,
                Some(&reason),
            )
            .await
            .unwrap();
            post(
                &sim,
                "/_sim/returns/arbitrate",
                json!({"shop_id": US_SHOP, "return_id": id, "buyer_wins": buyer_wins, "now": 2000}),
            )
            .await;
            let after = read(&client, &auth, 0)
                .await
                .into_iter()
                .find(|r| r.return_id == id)
                .unwrap();
            let RaPlan::Upsert {
                external_id,
                status,
                ..
            } = plan_ra(&after, &order(1))
            else {
                panic!()
            };
            assert_eq!(external_id, ra_external_id(id));
            let want = if buyer_wins {
                RaStatus::PendingReceipt
            } else {
                RaStatus::Closed
            };
            assert_eq!(status, want, "{id}");
        }
    }

    #[tokio::test]
    async fn edge_10_buyer_misses_the_ship_back_deadline() {
        let (sim, client, auth) = start().await;
        let deadline = now() + 3600;
        sim.state
            .upsert_return(US_SHOP, pending("RT10", deadline, 1000))
            .unwrap();
        let fresh = read(&client, &auth, 0)
            .await
            .into_iter()
            .find(|r| r.return_id == "RT10")
            .unwrap();
        send(&client, &auth, &fresh, Decision::ApproveReturn, None)
            .await
            .unwrap();
        post(
            &sim,
            "/_sim/returns/tick",
            json!({"now": deadline + 30 * 86_400}),
        )
        .await;
        let after = read(&client, &auth, 0)
            .await
            .into_iter()
            .find(|r| r.return_id == "RT10")
            .unwrap();
        assert_eq!(after.return_status, ReturnStatus::RequestCancel);
        assert!(matches!(
            plan_ra(&after, &order(1)),
            RaPlan::Upsert {
                status: RaStatus::Closed,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn edge_02_the_sweep_finds_a_return_whose_webhook_never_came() {
        let (sim, client, auth) = start().await;
        let last_run = 50_000;
        sim.state
            .upsert_return(US_SHOP, pending("RT02-old", now() + 3600, 1_000))
            .unwrap();
        sim.state
            .upsert_return(US_SHOP, pending("RT02-missed", now() + 3600, last_run - 60))
            .unwrap();
        let (ge, lt) = sweep_window(Some(last_run), 60_000, 86_400);
        let found: Vec<_> = client
            .returns_updated(&auth, ge, lt)
            .await
            .unwrap()
            .into_iter()
            .map(|v| serde_json::from_value::<ReturnRecord>(v).unwrap())
            .filter(|r| needs_flow(None, r.update_time))
            .map(|r| r.return_id)
            .collect();
        assert!(found.contains(&"RT02-missed".to_string()));
        assert!(!found.contains(&"RT02-old".to_string()));
    }
}
