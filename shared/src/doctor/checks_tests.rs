use super::*;
use crate::doctor::Status;
use crate::tiktok::scopes::NEEDED;

const NOW: i64 = 1_796_601_600; // 2026-12-07

fn api(code: i64) -> Probe {
    Probe::Api {
        call: "GET /x".into(),
        code,
        message: "m".into(),
    }
}

#[test]
fn a_bad_sign_fails_the_app_check_and_a_token_error_still_proves_the_sign() {
    assert_eq!(app_signs(Some(&api(106001))).status, Status::Fail);
    assert!(app_signs(Some(&api(106001))).fix.contains("app secret"));
    assert_eq!(
        app_signs(Some(&Probe::Token { reason: "x".into() })).status,
        Status::Pass
    );
    assert_eq!(app_signs(None).status, Status::Warn);
}

#[test]
fn tokens_fail_when_refresh_expired_and_warn_within_fourteen_days() {
    let shop = "7494'; rm -rf /";
    let ok = Expiry {
        access: NOW + 3600,
        refresh: NOW + 200 * 86_400,
    };
    assert_eq!(
        shop_token(shop, Some(ok), NOW, &Probe::Ok).status,
        Status::Pass
    );
    let soon = Expiry {
        refresh: NOW + 3 * 86_400,
        ..ok
    };
    assert_eq!(
        shop_token(shop, Some(soon), NOW, &Probe::Ok).status,
        Status::Warn
    );
    let gone = Expiry {
        refresh: NOW - 1,
        ..ok
    };
    let c = shop_token(shop, Some(gone), NOW, &Probe::Ok);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.fix.contains(r"for shop '7494'\''; rm -rf /'"),
        "{}",
        c.fix
    );
    assert_eq!(shop_token(shop, None, NOW, &Probe::Ok).status, Status::Fail);
    assert_eq!(
        shop_token(shop, Some(ok), NOW, &api(101000)).status,
        Status::Fail
    );
}

#[test]
fn a_105005_names_the_missing_scope_and_the_reauthorization() {
    let probes: Vec<_> = NEEDED
        .iter()
        .map(|s| {
            (
                *s,
                Some(if s.name == "seller.finance.info" {
                    api(105005)
                } else {
                    Probe::Ok
                }),
            )
        })
        .collect();
    let c = shop_scopes("1", &probes);
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains("seller.finance.info"), "{}", c.detail);
    assert!(c.fix.contains("re-authorize") && c.fix.contains("seller.finance.info"));
    let ok: Vec<_> = NEEDED.iter().map(|s| (*s, None)).collect();
    assert_eq!(shop_scopes("1", &ok).status, Status::Pass);
}

#[test]
fn webhooks_name_each_missing_event_type() {
    let subs = vec![("ORDER_STATUS_CHANGE".to_string(), "https://x".to_string())];
    let c = shop_webhooks(
        "1",
        Ok(&subs),
        &["ORDER_STATUS_CHANGE", "RETURN_STATUS_CHANGE"],
    );
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains("RETURN_STATUS_CHANGE") && !c.detail.contains("ORDER_"));
    assert_eq!(
        shop_webhooks("1", Ok(&subs), &["ORDER_STATUS_CHANGE"]).status,
        Status::Pass
    );
}

#[test]
fn netsuite_access_passes_on_404_and_fails_on_403_naming_the_permission() {
    let denied = NsProbe::Refused {
        status: 403,
        code: "INSUFFICIENT_PERMISSION".into(),
        detail: "d".into(),
    };
    let c = netsuite_access(
        "record",
        "journalEntry",
        "Make Journal Entry (Create)",
        &denied,
    );
    assert_eq!(c.status, Status::Fail);
    assert!(c.fix.contains("Make Journal Entry"));
    let missing = NsProbe::Refused {
        status: 404,
        code: "NONEXISTENT_ID".into(),
        detail: "d".into(),
    };
    assert_eq!(
        netsuite_access("record", "x", "y", &missing).status,
        Status::Pass
    );
}

#[test]
fn mapping_ids_missing_or_inactive_fail_with_their_field() {
    let cfg = crate::mapping::config::MappingConfig::load(
        r#"{"default":{"books_currency":"USD","location":"4","customer":{"mode":"generic","customer_id":"201"},"tax":{"mode":"item","item_id":"191"}}}"#,
    )
    .unwrap();
    let refs = mapping_refs(&cfg);
    assert!(refs
        .iter()
        .any(|r| r.table == "item" && r.field == "default.tax.item_id"));
    let locs: Vec<&IdRef> = refs.iter().filter(|r| r.table == "location").collect();
    let found = BTreeMap::from([("4".to_string(), true)]);
    let c = ids_active("location", &locs, &found);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.detail
            .contains("location 4 (default.location) is inactive"),
        "{}",
        c.detail
    );
    assert_eq!(
        ids_active("location", &locs, &BTreeMap::new()).detail,
        "location 4 (default.location) does not exist"
    );
}

#[test]
fn the_period_holding_today_must_be_open() {
    let p = |name: &str, start: &str, end: &str, closed: bool| PeriodRow {
        name: name.into(),
        start: start.into(),
        end: end.into(),
        closed,
        locked: false,
    };
    let rows = vec![
        p("Nov 2026", "2026-11-01", "2026-11-30", true),
        p("Dec 2026", "2026-12-01", "2026-12-31", false),
    ];
    assert_eq!(period_open("2026-12-07", &rows).status, Status::Pass);
    assert!(period_open("2026-11-07", &rows)
        .detail
        .contains("Nov 2026 is closed"));
    assert_eq!(period_open("2027-01-02", &rows).status, Status::Fail);
}

#[test]
fn ses_and_resources() {
    assert_eq!(ses_sender(Some("a@b"), Ok(true)).status, Status::Pass);
    assert_eq!(ses_sender(Some("a@b"), Ok(false)).status, Status::Fail);
    assert_eq!(
        ses_sender(Some("a@b"), Err("NotFound".into())).status,
        Status::Fail
    );
    assert_eq!(
        reachable("table", "t", Err("no".into())).status,
        Status::Fail
    );
}
