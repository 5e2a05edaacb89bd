//! The returns flow (issue 28) through the TikTok simulator's return API,
//! the returns store on moto and a recording `ReturnBooks`: events read
//! again and applied once, the policy's decisions sent once, what a person
//! decides queued with TikTok's deadline, the alarm, receipts by grade and
//! the credit at completion. Edge case numbers are `docs/returns.md`'s.

mod common;
#[path = "common/returns_world.rs"]
mod returns_world;

use std::str::FromStr;

use returns_world::*;
use serde_json::json;
use shared::domain::{Money, ShopId, Sku};
use shared::returns::flow::look::Looked;
use shared::returns::flow::send::{Sent, ToSend};
use shared::returns::flow::sweep::check_deadlines;
use shared::returns::policy::{RejectRule, ReturnPolicy};
use shared::returns::receipt::Grade;
use shared::returns::settings::ReturnsSettings;
use shared::returns::Decision;
use shared::store::returns::{ReturnState, ReturnsStore};

fn m(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

fn policy() -> ReturnPolicy {
    ReturnPolicy {
        approve_reasons: vec!["defective".into()],
        returnless_up_to: Some(m("5")),
        reject: vec![RejectRule {
            return_reason: "changed_mind".into(),
            reject_reason: "seller_reject_apply_reason_1".into(),
        }],
        ..Default::default()
    }
}

fn with_policy() -> ReturnsSettings {
    ReturnsSettings {
        policy: Some(policy()),
        locations: Some(locations()),
        ..Default::default()
    }
}

async fn state(w: &World, id: &str) -> ReturnState {
    w.store
        .get(&ShopId::new(US_SHOP), id)
        .await
        .unwrap()
        .expect("stored")
}

const RA_STATUS_A: &str = "PendingApproval";
const RA_STATUS_B: &str = "PendingReceipt";

/// Edge case 1: the same webhook twice, then an older one after a newer:
/// one RA write per state TikTok had, the newest state kept.
#[tokio::test]
async fn edge_01_duplicate_and_out_of_order_webhooks_apply_each_state_once() {
    let w = world(ReturnsSettings::default()).await;
    let deadline = now() + 86_400;
    w.put(pending("RF01", deadline, 1_000));
    let flow = w.flow();
    assert_eq!(
        flow.look_at("RF01").await.unwrap(),
        Looked::Applied("RETURN_OR_REFUND_REQUEST_PENDING".into())
    );
    assert_eq!(flow.look_at("RF01").await.unwrap(), Looked::AlreadyApplied);
    assert_eq!(w.books.upserts("tts-ret-RF01"), vec![RA_STATUS_A]);
    // A person approved in Seller Center; the newer webhook arrives, then the old one again.
    let mut shipped = pending("RF01", deadline, 2_000);
    shipped["return_status"] = json!("AWAITING_BUYER_SHIP");
    shipped["seller_next_action_response"] = json!([]);
    w.put(shipped);
    assert_eq!(
        flow.look_at("RF01").await.unwrap(),
        Looked::Applied("AWAITING_BUYER_SHIP".into())
    );
    assert_eq!(flow.look_at("RF01").await.unwrap(), Looked::AlreadyApplied);
    assert_eq!(
        w.books.upserts("tts-ret-RF01"),
        vec![RA_STATUS_A, RA_STATUS_B]
    );
    let st = state(&w, "RF01").await;
    assert_eq!(st.status, "AWAITING_BUYER_SHIP");
    assert_eq!(st.applied_update_time, 2_000);
    assert_eq!(st.ra_id.as_deref(), Some("RA1"));
    assert!(st.queued.is_none(), "answered: off the queue");
}

/// Edge case 2: a return whose webhook never came is found by the sweep;
/// one already applied is not run again.
#[tokio::test]
async fn edge_02_the_sweep_runs_the_return_whose_webhook_never_came() {
    let w = world(ReturnsSettings::default()).await;
    let t = now();
    w.put(pending("RF02-seen", t + 86_400, t - 120));
    w.put(pending("RF02-missed", t + 86_400, t - 60));
    let flow = w.flow();
    flow.look_at("RF02-seen").await.unwrap();
    let report = flow.sweep(Some(t - 600)).await.unwrap();
    assert_eq!(report.window, (t - 600 - 7200, t));
    assert!(report.seen >= 2, "{report:?}");
    assert_eq!(report.ran, vec!["RF02-missed".to_string()]);
    assert_eq!(
        state(&w, "RF02-missed").await.status,
        "RETURN_OR_REFUND_REQUEST_PENDING"
    );
    // The next sweep overlaps and finds nothing new.
    assert!(flow.sweep(Some(t)).await.unwrap().ran.is_empty());
}

/// Edge case 5: each returnless path writes no RA: REFUND, approved with
/// `buyer_keep_item`, an accepted partial refund.
#[tokio::test]
async fn edge_05_returnless_paths_write_no_ra() {
    let w = world(with_policy()).await;
    let t = now();
    let mut refund = pending("RF05-refund", t + 86_400, 1_000);
    refund["return_type"] = json!("REFUND");
    refund["seller_next_action_response"] =
        json!([{"action": "SELLER_RESPOND_REFUND", "deadline": t + 86_400}]);
    let mut keep = pending("RF05-keep", t + 86_400, 1_000);
    keep["can_buyer_keep_item"] = json!(true);
    keep["refund_amount"]["refund_total"] = json!("4.50");
    let mut partial = pending("RF05-partial", t + 86_400, 1_000);
    partial["return_status"] = json!("RETURN_OR_REFUND_REQUEST_COMPLETE");
    partial["seller_next_action_response"] = json!([]);
    partial["seller_proposed_return_type"] = json!("PARTIAL_REFUND");
    partial["partial_refund"] = json!({"amount": "3", "currency": "USD"});
    for r in [refund, keep, partial] {
        w.put(r);
    }
    let flow = w.flow();
    for id in ["RF05-refund", "RF05-keep", "RF05-partial"] {
        flow.look_at(id).await.unwrap();
    }
    assert_eq!(
        w.tiktok("RF05-refund")["return_status"],
        "RETURN_OR_REFUND_REQUEST_SUCCESS"
    );
    assert_eq!(w.tiktok("RF05-keep")["buyer_keep_item"], true);
    let sent = w.api.sent.lock().unwrap().clone();
    assert!(sent
        .iter()
        .any(|(id, d, _)| id == "RF05-refund" && d == "APPROVE_REFUND"));
    assert!(sent
        .iter()
        .any(|(id, d, _)| id == "RF05-keep" && d == "APPROVE_RETURN"));
    // Read again after TikTok's change (returnless now on record).
    flow.look_at("RF05-keep").await.unwrap();
    assert!(
        !w.books
            .calls()
            .iter()
            .any(|c| matches!(c, BookCall::UpsertRa { .. } | BookCall::Credit { .. })),
        "{:?}",
        w.books.calls()
    );
    for id in ["RF05-refund", "RF05-keep", "RF05-partial"] {
        let st = state(&w, id).await;
        assert!(st.ra_id.is_none(), "{id}");
        assert!(
            st.history.iter().any(|h| h.text.starts_with("returnless")),
            "{id}: {:?}",
            st.history
        );
    }
    let keep = state(&w, "RF05-keep").await;
    assert_eq!(keep.decisions[0].by, "policy");
    assert_eq!(keep.decisions[0].outcome, "sent");
}

/// Edge cases 7 and 8: the policy rejects with a reason fetched for the
/// return; the RA stays open until arbitration ends, then follows it.
#[tokio::test]
async fn edge_07_08_rejection_then_arbitration_either_way() {
    let w = world(with_policy()).await;
    let flow = w.flow();
    for (id, buyer_wins) in [("RF07", true), ("RF08", false)] {
        let mut r = pending(id, now() + 86_400, 1_000);
        r["return_reason"] = json!("changed_mind");
        w.put(r);
        flow.look_at(id).await.unwrap();
        assert_eq!(
            w.tiktok(id)["return_status"],
            "REFUND_OR_RETURN_REQUEST_REJECT"
        );
        let st = state(&w, id).await;
        assert_eq!(st.decisions[0].decision, "REJECT_RETURN");
        assert_eq!(
            st.decisions[0].reason.as_deref(),
            Some("seller_reject_apply_reason_1")
        );
        // Read after TikTok's rejection: not final, nothing closed.
        flow.look_at(id).await.unwrap();
        assert!(
            w.books.closed().is_empty(),
            "closed before TikTok's final word"
        );
        w.sim_post(
            "/_sim/returns/arbitrate",
            json!({"shop_id": US_SHOP, "return_id": id, "buyer_wins": buyer_wins, "now": now() + 5}),
        )
        .await;
        flow.look_at(id).await.unwrap();
        let ext = format!("tts-ret-{id}");
        if buyer_wins {
            assert_eq!(
                w.books.upserts(&ext).last().map(String::as_str),
                Some(RA_STATUS_B)
            );
            assert!(w.books.closed().is_empty());
        } else {
            assert_eq!(w.books.closed(), vec![state(&w, id).await.ra_id.unwrap()]);
        }
    }
}

/// Edge case 10: the buyer misses the ship-back deadline; TikTok cancels
/// and the RA is closed.
#[tokio::test]
async fn edge_10_buyer_misses_the_ship_back_deadline() {
    let w = world(with_policy()).await;
    let deadline = now() + 86_400;
    w.put(pending("RF10", deadline, 1_000));
    let flow = w.flow();
    flow.look_at("RF10").await.unwrap();
    assert_eq!(w.tiktok("RF10")["return_status"], "AWAITING_BUYER_SHIP");
    flow.look_at("RF10").await.unwrap();
    w.sim_post("/_sim/returns/tick", json!({"now": deadline + 30 * 86_400}))
        .await;
    flow.look_at("RF10").await.unwrap();
    let st = state(&w, "RF10").await;
    assert_eq!(st.status, "RETURN_OR_REFUND_REQUEST_CANCEL");
    assert_eq!(w.books.closed(), vec!["RA1".to_string()]);
}

/// Edge case 11: the buyer edits a return: the old one is cancelled (its RA
/// closed), the new one gets its own RA and says where it came from.
#[tokio::test]
async fn edge_11_an_edited_return_gets_its_own_ra_and_closes_the_old() {
    let w = world(ReturnsSettings::default()).await;
    let t = now();
    w.put(pending("RF11-a", t + 86_400, 1_000));
    let flow = w.flow();
    flow.look_at("RF11-a").await.unwrap();
    let mut old = pending("RF11-a", t + 86_400, 2_000);
    old["return_status"] = json!("RETURN_OR_REFUND_REQUEST_CANCEL");
    old["seller_next_action_response"] = json!([]);
    old["next_return_id"] = json!("RF11-b");
    let mut new = pending("RF11-b", t + 86_400, 2_000);
    new["pre_return_id"] = json!("RF11-a");
    new["return_line_items"] = json!([line(1, "10", "0"), line(2, "10", "0")]);
    w.put(old);
    w.put(new);
    flow.look_at("RF11-b").await.unwrap();
    flow.look_at("RF11-a").await.unwrap();
    assert_eq!(w.books.closed(), vec!["RA1".to_string()]);
    assert!(w.books.calls().contains(&BookCall::UpsertRa {
        external_id: "tts-ret-RF11-b".into(),
        status: RA_STATUS_A.into(),
        lines: vec![("MUG".into(), 2)],
    }));
    let b = state(&w, "RF11-b").await;
    assert!(b
        .history
        .iter()
        .any(|h| h.text.contains("edited by the buyer from return RF11-a")));
    assert!(
        b.queued.is_some(),
        "no policy: a person decides the new one"
    );
}

/// Edge case 13: a person approves after TikTok auto-approved at the
/// deadline: recorded as TikTok's decision, not an error, off the queue.
#[tokio::test]
async fn edge_13_approving_after_tiktok_auto_approved_is_recorded() {
    let w = world(ReturnsSettings::default()).await;
    let deadline = now() + 86_400;
    w.put(pending("RF13", deadline, 1_000));
    let flow = w.flow();
    flow.look_at("RF13").await.unwrap();
    assert_eq!(state(&w, "RF13").await.queued.unwrap().deadline, deadline);
    w.sim_post("/_sim/returns/tick", json!({"now": deadline}))
        .await;
    let got = flow
        .decide_as(
            "RF13",
            &ToSend {
                decision: Decision::ApproveReturn,
                reason: None,
                keep_item: false,
                by: "alice".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, Sent::AlreadyDecided("AWAITING_BUYER_SHIP".into()));
    assert!(w.api.sent.lock().unwrap().is_empty(), "nothing sent");
    let st = state(&w, "RF13").await;
    assert_eq!(st.decisions[0].by, "alice");
    assert!(st.decisions[0]
        .outcome
        .contains("already decided by TikTok"));
    assert!(st.queued.is_none());
    assert!(w.store.queue(None).await.unwrap().is_empty());
}

/// Edge case 14: TikTok applied the approval but the answer was lost; the
/// retry reads again and sends nothing more, and a retry that still read
/// the old state sends the same key, which TikTok applies once.
#[tokio::test]
async fn edge_14_a_retried_decision_is_sent_once() {
    let w = world(with_policy()).await;
    w.put(pending("RF14", now() + 86_400, 1_000));
    let flow = w.flow();
    *w.api.lose_next.lock().unwrap() = true;
    let err = flow.look_at("RF14").await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    let after_first = w.tiktok("RF14");
    assert_eq!(after_first["return_status"], "AWAITING_BUYER_SHIP");
    // The retry still reads the old state (a stale read): the same key goes out.
    *w.api.stale.lock().unwrap() = true;
    flow.look_at("RF14").await.unwrap();
    let sent = w.api.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].2, sent[1].2, "same idempotency_key");
    // TikTok applied it once: its record did not change again.
    assert_eq!(w.tiktok("RF14"), after_first);
    let st = state(&w, "RF14").await;
    assert_eq!(st.decisions.len(), 1);
    // A fresh read after that sends nothing.
    *w.api.stale.lock().unwrap() = false;
    flow.look_at("RF14").await.unwrap();
    assert_eq!(w.api.sent.lock().unwrap().len(), 2);
}

/// Edge case 21: unknown status and type values are kept and go to a
/// person with TikTok's deadline; nothing is sent, nothing fails.
#[tokio::test]
async fn edge_21_unknown_enum_values_go_to_a_person() {
    let w = world(with_policy()).await;
    let deadline = now() + 86_400;
    let mut s = pending("RF21-status", deadline, 1_000);
    s["return_status"] = json!("RETURN_OR_REFUND_REQUEST_SOMETHING_NEW");
    let mut t = pending("RF21-type", deadline + 1, 1_000);
    t["return_type"] = json!("REFUND_ONLY");
    w.put(s);
    w.put(t);
    let flow = w.flow();
    flow.look_at("RF21-status").await.unwrap();
    flow.look_at("RF21-type").await.unwrap();
    assert!(w.api.sent.lock().unwrap().is_empty());
    let q = w.store.queue(None).await.unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].return_id, "RF21-status");
    assert!(
        q[0].queued.why.contains("unknown status"),
        "{}",
        q[0].queued.why
    );
    assert_eq!(
        state(&w, "RF21-status").await.status,
        "RETURN_OR_REFUND_REQUEST_SOMETHING_NEW"
    );
    assert!(q[1].queued.why.contains("REFUND_ONLY"));
}

/// Edge case 16: the queue shows TikTok's deadline, and the alarm is due
/// before it passes, not after.
#[tokio::test]
async fn edge_16_the_queue_shows_tiktoks_deadline_and_the_alarm_fires_before_it() {
    let w = world(ReturnsSettings::default()).await;
    let t = now();
    let deadline = t + 2 * 86_400 + 17;
    w.put(pending("RF16", deadline, 1_000));
    w.flow().look_at("RF16").await.unwrap();
    let q = w.store.queue(None).await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].queued.deadline, deadline);
    assert_eq!(q[0].queued.action, "SELLER_RESPOND_RETURN");
    let margin = w.settings.alarm_margin_secs();
    assert!(check_deadlines(&w.store, t, margin)
        .await
        .unwrap()
        .is_empty());
    let due = check_deadlines(&w.store, deadline - margin, margin)
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "due at the margin, before the deadline");
    assert_eq!(due[0].return_id, "RF16");
}

/// Edge cases 12 and 17: the parcel graded in the console is received by
/// condition and its package decided; the credit is booked at completion,
/// or held with both figures when TikTok's total does not add up.
#[tokio::test]
async fn edge_12_17_grading_receipt_and_credit_or_hold() {
    let w = world(with_policy()).await;
    let flow = w.flow();
    for (id, total) in [("RF12", "20"), ("RF17", "25")] {
        let mut r = pending(id, now() + 86_400, 1_000);
        r["return_line_items"] = json!([line(1, "10", "0"), line(2, "10", "0")]);
        r["refund_amount"]["refund_total"] = json!(total);
        w.put(r.clone());
        flow.look_at(id).await.unwrap();
        r["return_status"] = json!("BUYER_SHIPPED_ITEM");
        r["update_time"] = json!(3_000);
        r["seller_next_action_response"] =
            json!([{"action": "SELLER_RESPOND_RECEIVE_PACKAGE", "deadline": now() + 86_400}]);
        w.put(r.clone());
        flow.look_at(id).await.unwrap();
        assert!(state(&w, id).await.queued.unwrap().why.contains("grade"));
        let grades = if id == "RF12" {
            vec![
                (Sku("MUG".into()), Grade::Good),
                (Sku("MUG".into()), Grade::Good),
            ]
        } else {
            vec![
                (Sku("MUG".into()), Grade::Good),
                (Sku("MUG".into()), Grade::Damaged),
            ]
        };
        flow.receive(id, &grades, "bob", None).await.unwrap();
        r["return_status"] = json!("RETURN_OR_REFUND_REQUEST_COMPLETE");
        r["update_time"] = json!(5_000);
        r["seller_next_action_response"] = json!([]);
        w.put(r);
        flow.look_at(id).await.unwrap();
    }
    assert_eq!(
        w.tiktok("RF12")["return_status"],
        "RETURN_OR_REFUND_REQUEST_COMPLETE"
    );
    let calls = w.books.calls();
    assert!(calls.contains(&BookCall::Receive {
        ra: "RA1".into(),
        lines: vec![("MUG".into(), 2, Some("1".into()), true)],
    }));
    assert!(calls.contains(&BookCall::Receive {
        ra: "RA2".into(),
        lines: vec![
            ("MUG".into(), 1, Some("1".into()), true),
            ("MUG".into(), 1, Some("9".into()), true)
        ],
    }));
    assert!(calls.contains(&BookCall::Credit {
        ra: "RA1".into(),
        total: "20".into(),
        external_id: "tts-cr-RF12".into()
    }));
    let sent = w.api.sent.lock().unwrap().clone();
    assert!(sent
        .iter()
        .any(|(id, d, _)| id == "RF12" && d == "APPROVE_RECEIVED_PACKAGE"));
    assert!(sent
        .iter()
        .any(|(id, d, _)| id == "RF17" && d == "REJECT_RECEIVED_PACKAGE"));
    let held = state(&w, "RF17").await;
    assert!(!calls
        .iter()
        .any(|c| matches!(c, BookCall::Credit { ra, .. } if ra == "RA2")));
    let why = held.held.unwrap();
    assert!(why.contains("25") && why.contains("20"), "{why}");
    let graded = state(&w, "RF12").await;
    assert!(graded
        .decisions
        .iter()
        .any(|d| d.by == "bob" && d.decision == "APPROVE_RECEIVED_PACKAGE"));
}
