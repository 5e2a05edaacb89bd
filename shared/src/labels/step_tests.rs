use super::*;

fn measures() -> PackedMeasures {
    PackedMeasures {
        weight: Some("2".into()),
        weight_unit: Some("lb".into()),
        length: Some("10".into()),
        width: Some("8".into()),
        height: Some("4".into()),
        size_unit: Some("in".into()),
    }
}

fn lines() -> Vec<String> {
    vec!["L1".into(), "L2".into()]
}

fn order(packages: Vec<TikTokPackage>) -> OrderNow {
    OrderNow {
        status: "AWAITING_SHIPMENT".into(),
        is_buyer_request_cancel: false,
        packages,
    }
}

fn package(id: &str, status: &str) -> TikTokPackage {
    TikTokPackage {
        id: id.into(),
        line_item_ids: lines(),
        status: status.into(),
    }
}

#[test]
fn us_reads_the_order_then_buys_once_measures_are_there() {
    let s = LabelState::New;
    assert_eq!(
        next_step(&s, Market::Us, &lines(), &measures(), None),
        Step::ReadOrder
    );
    let o = order(vec![]);
    assert_eq!(
        next_step(&s, Market::Us, &lines(), &measures(), Some(&o)),
        Step::Buy
    );
    let mut m = measures();
    m.height = None;
    let Step::Refuse(r) = next_step(&s, Market::Us, &lines(), &m, Some(&o)) else {
        panic!()
    };
    assert_eq!(r.code(), crate::taxonomy::ErrorCode::PackageMeasuresMissing);
}

#[test]
fn a_lost_purchase_answer_is_reconciled_never_bought_twice() {
    let s = LabelState::Buying { package_id: None };
    // Not read in this attempt: read first, whatever else is known.
    assert_eq!(
        next_step(&s, Market::Us, &lines(), &measures(), None),
        Step::ReadOrder
    );
    // TikTok bought it (the answer was dropped): adopt its package.
    let o = order(vec![package("P9", "PROCESSING")]);
    assert_eq!(
        next_step(&s, Market::Us, &lines(), &measures(), Some(&o)),
        Step::Adopt {
            package_id: "P9".into()
        }
    );
    // A label bought in Seller Center is adopted too, never bought again.
    assert_eq!(
        next_step(
            &LabelState::New,
            Market::Us,
            &lines(),
            &measures(),
            Some(&o)
        ),
        Step::Adopt {
            package_id: "P9".into()
        }
    );
    // TikTok shows no package for the lines: the purchase may be tried again.
    let o = order(vec![]);
    assert_eq!(
        next_step(&s, Market::Us, &lines(), &measures(), Some(&o)),
        Step::Buy
    );
}

#[test]
fn a_bought_label_goes_to_the_document_and_done_is_done() {
    let s = LabelState::Bought {
        package_id: "P1".into(),
    };
    assert_eq!(
        next_step(&s, Market::Us, &lines(), &measures(), None),
        Step::Document {
            package_id: "P1".into()
        }
    );
    let s = LabelState::Done {
        package_id: "P1".into(),
        tracking_number: "T".into(),
    };
    assert_eq!(
        next_step(&s, Market::Us, &lines(), &measures(), None),
        Step::Finished
    );
}

#[test]
fn a_buyer_cancellation_in_flight_is_refused_before_any_purchase() {
    let mut o = order(vec![]);
    o.is_buyer_request_cancel = true;
    let Step::Refuse(r) = next_step(
        &LabelState::New,
        Market::Us,
        &lines(),
        &measures(),
        Some(&o),
    ) else {
        panic!()
    };
    assert_eq!(r, LabelRefusal::BuyerCancellation);
    o.is_buyer_request_cancel = false;
    o.status = "CANCEL".into();
    assert!(matches!(
        next_step(
            &LabelState::New,
            Market::Us,
            &lines(),
            &measures(),
            Some(&o)
        ),
        Step::Refuse(LabelRefusal::BuyerCancellation)
    ));
}

#[test]
fn outside_the_us_the_existing_package_is_shipped_without_measures() {
    // The package exists from payment, not yet arranged (no status).
    let o = order(vec![package("P5", "")]);
    let none = PackedMeasures::default();
    assert_eq!(
        next_step(
            &LabelState::New,
            Market::Handover,
            &lines(),
            &none,
            Some(&o)
        ),
        Step::Ship {
            package_id: "P5".into()
        }
    );
    // Items of no single package: refused with the one-IF-per-package fix.
    let mut other = package("P6", "");
    other.line_item_ids = vec!["L1".into()];
    let o = order(vec![other]);
    assert_eq!(
        next_step(
            &LabelState::New,
            Market::Handover,
            &lines(),
            &none,
            Some(&o)
        ),
        Step::Refuse(LabelRefusal::NoMatchingPackage)
    );
}
