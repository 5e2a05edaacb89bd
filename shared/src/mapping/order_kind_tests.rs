use super::*;
use crate::domain::ShopId;
use crate::mapping::config::ShopMapping;
use crate::mapping::order_rules::SampleRule;
use crate::mapping::{build_sales_order, group_units, ItemRef};

fn line(id: &str, orig: &str, sd: &str, extra: Value) -> Value {
    let mut l = json!({"id": id, "sku_id": "t", "seller_sku": "TENT", "product_name": "Tent",
        "original_price": orig, "seller_discount": sd, "platform_discount": "0", "sale_price": "0"});
    if let (Some(o), Some(e)) = (l.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    l
}

/// A sale of 2 tents at 100 (net 90); `f` reshapes it into another type.
fn order(f: impl FnOnce(&mut Value)) -> Order {
    let mut o = json!({
        "id": "1", "status": "AWAITING_SHIPMENT", "create_time": 1735725600,
        "payment": {"currency": "USD", "sub_total": "180", "total_amount": "180"},
        "line_items": [line("a", "100", "10", json!({})), line("b", "100", "10", json!({}))]
    });
    f(&mut o);
    serde_json::from_value(o).unwrap()
}

/// A seller-issued sample as order-types.md §2 infers it: $0 totals, the
/// value in `gift_retail_price`.
fn sample(o: &mut Value) {
    o["is_sample_order"] = json!(true);
    o["payment"] = json!({"currency": "USD", "sub_total": "0", "total_amount": "0"});
    o["line_items"] = json!([line("a", "0", "0", json!({"gift_retail_price": "129.99"}))]);
}

fn t(o: &Order) -> OrderType {
    classify(o).order_type
}

#[test]
fn every_documented_type_is_named() {
    assert_eq!(t(&order(|_| {})), OrderType::Sale);
    assert_eq!(
        t(&order(|o| o["order_type"] = json!("NORMAL"))),
        OrderType::Sale
    );
    assert_eq!(t(&order(sample)), OrderType::Sample);
    let r = order(|o| {
        o["is_replacement_order"] = json!(true);
        o["replaced_order_id"] = json!("99");
    });
    assert_eq!(classify(&r).order_type, OrderType::Replacement);
    assert_eq!(classify(&r).linked_order, Some(OrderId::new("99")));
    let x = order(|o| {
        o["is_exchange_order"] = json!(true);
        o["exchange_source_order_id"] = json!("98");
    });
    assert_eq!(
        (t(&x), classify(&x).linked_order.unwrap().0),
        (OrderType::Exchange, "98".into())
    );
    assert_eq!(
        t(&order(|o| o["order_type"] = json!("ZERO_LOTTERY"))),
        OrderType::Giveaway
    );
    let pre = order(|o| {
        o["order_type"] = json!("PRE_ORDER");
        o["release_date"] = json!(1767225600);
    });
    assert_eq!(t(&pre), OrderType::PreOrder);
    assert_eq!(
        t(&order(|o| o["order_type"] = json!("made_to_order"))),
        OrderType::MadeToOrder
    );
    assert_eq!(
        t(&order(|o| o["order_type"] = json!("BACK_ORDER"))),
        OrderType::BackOrder
    );
    let gift = order(|o| o["line_items"][1]["is_gift"] = json!(true));
    assert_eq!(
        (t(&gift), classify(&gift).gift_lines),
        (OrderType::GiftWithPurchase, 1)
    );
    // Older payloads: the lines' deprecated sku_type when order_type is empty.
    let old = order(|o| {
        for l in o["line_items"].as_array_mut().unwrap() {
            l["sku_type"] = json!("MADE_TO_ORDER");
        }
    });
    assert_eq!(t(&old), OrderType::MadeToOrder);
}

#[test]
fn unknown_types_and_undocumented_combinations_are_named_never_a_sale() {
    assert_eq!(
        t(&order(|o| o["order_type"] = json!("SHOP_PARTNER"))),
        OrderType::Unknown("SHOP_PARTNER".into())
    );
    let both = order(|o| {
        sample(o);
        o["is_replacement_order"] = json!(true);
        o["replaced_order_id"] = json!("99");
    });
    assert_eq!(t(&both), OrderType::Unknown("SAMPLE+REPLACEMENT".into()));
    let orphan = order(|o| o["is_replacement_order"] = json!(true));
    assert!(t(&orphan)
        .as_str()
        .contains("without its original order id"));
    let no_release = order(|o| o["order_type"] = json!("PRE_ORDER"));
    assert!(t(&no_release).as_str().contains("release_date"));
    let plan = plan_type(&classify(&both), &both, &OrderTypeRules::default());
    let TypePlan::Hold(f) = plan else {
        panic!("{plan:?}")
    };
    assert_eq!(f.code, ErrorCode::UnknownOrderType);
    assert!(
        f.reason.contains("SAMPLE+REPLACEMENT") && !f.retryable,
        "{}",
        f.reason
    );
}

#[test]
fn amounts_are_checked_against_the_type() {
    let rules = OrderTypeRules::default();
    let paid_sample = order(|o| o["is_sample_order"] = json!(true));
    let TypePlan::Hold(f) = plan_type(&classify(&paid_sample), &paid_sample, &rules) else {
        panic!()
    };
    assert_eq!(f.code, ErrorCode::OrderTypeAmount);
    assert!(f.reason.contains("180 USD"), "{}", f.reason);
    let zero_sale = order(|o| o["payment"] = json!({"currency": "USD", "total_amount": "0"}));
    let TypePlan::Hold(f) = plan_type(&classify(&zero_sale), &zero_sale, &rules) else {
        panic!()
    };
    assert_eq!(f.code, ErrorCode::OrderTypeAmount);
    assert!(matches!(
        plan_type(&classify(&order(|_| {})), &order(|_| {}), &rules),
        TypePlan::Write(s) if s == SoShape::default()
    ));
}

#[test]
fn the_shops_choice_decides_each_type() {
    let s = order(sample);
    let mut rules = OrderTypeRules::default();
    let TypePlan::Write(shape) = plan_type(&classify(&s), &s, &rules) else {
        panic!()
    };
    assert!(shape.free && shape.sample_mark);
    rules.sample = SampleRule {
        mode: SampleMode::Skip,
        ..Default::default()
    };
    assert!(matches!(
        plan_type(&classify(&s), &s, &rules),
        TypePlan::Skip(_)
    ));
    // A giveaway follows the sample rule by default.
    let g = order(|o| {
        sample(o);
        o["is_sample_order"] = json!(false);
        o["order_type"] = json!("ZERO_LOTTERY");
    });
    assert!(matches!(
        plan_type(&classify(&g), &g, &rules),
        TypePlan::Skip(_)
    ));
    let r = order(|o| {
        sample(o);
        o["is_sample_order"] = json!(false);
        o["is_replacement_order"] = json!(true);
        o["replaced_order_id"] = json!("99");
    });
    let TypePlan::Write(shape) = plan_type(&classify(&r), &r, &rules) else {
        panic!()
    };
    assert_eq!(
        (shape.free, shape.linked_order.unwrap().0),
        (true, "99".to_string())
    );
    rules.replacement = ReplacementMode::Review;
    let TypePlan::Hold(f) = plan_type(&classify(&r), &r, &rules) else {
        panic!()
    };
    assert_eq!(f.code, ErrorCode::OrderTypeReview);
}

#[test]
fn ship_dates_add_handling_time_to_release_or_payment() {
    // Thu 2026-01-01 + 2 business days = Mon 2026-01-05.
    let thu = 1767225600;
    assert_eq!(ship_date(thu, 2, true), NaiveDate::from_ymd_opt(2026, 1, 5));
    assert_eq!(
        ship_date(thu, 2, false),
        NaiveDate::from_ymd_opt(2026, 1, 3)
    );
    let pre = order(|o| {
        o["order_type"] = json!("PRE_ORDER");
        o["release_date"] = json!(thu);
    });
    let TypePlan::Write(s) = plan_type(&classify(&pre), &pre, &OrderTypeRules::default()) else {
        panic!()
    };
    assert_eq!(s.ship_date, NaiveDate::from_ymd_opt(2026, 1, 5));
    let mto = order(|o| {
        o["order_type"] = json!("MADE_TO_ORDER");
        o["paid_time"] = json!(thu);
        o["handling_duration"] = json!({"days": "10", "type": "CALENDAR_DAY"});
    });
    let TypePlan::Write(s) = plan_type(&classify(&mto), &mto, &OrderTypeRules::default()) else {
        panic!()
    };
    assert_eq!(s.ship_date, NaiveDate::from_ymd_opt(2026, 1, 11));
}

fn built(o: &Order) -> Value {
    let cfg = ShopMapping {
        books_currency: Some("USD".into()),
        ..Default::default()
    };
    let g = group_units(o).unwrap();
    let items: Vec<ItemRef> = g.iter().map(|_| ItemRef { id: "101".into() }).collect();
    let mut d = build_sales_order(&ShopId::new("s"), o, &g, &items, "201", &cfg).unwrap();
    let kind = classify(o);
    if let TypePlan::Write(shape) = plan_type(&kind, o, &cfg.order_types) {
        apply_shape(
            &mut d.body,
            &kind,
            &shape,
            &cfg.order_types.fields,
            Some("7001"),
        );
    }
    d.body
}

#[test]
fn a_sample_is_a_zero_sales_order_with_its_retail_value_and_mark() {
    let so = built(&order(sample));
    let l = &so["item"]["items"][0];
    assert_eq!(
        (l["rate"].clone(), l["amount"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(l["custcol_tts_retail_value"], json!(129.99));
    assert_eq!(so["custbody_tts_sample"], json!(true));
    assert_eq!(so["custbody_tts_order_type"], "sample");
    assert_eq!(so["shippingCost"], json!(0));
}

#[test]
fn a_gift_line_is_rate_zero_beside_the_paid_lines() {
    let gift = order(|o| {
        o["line_items"][1] = line(
            "b",
            "100",
            "100",
            json!({"is_gift": true, "gift_retail_price": "100"}),
        );
        o["payment"] = json!({"currency": "USD", "sub_total": "90", "total_amount": "90"});
    });
    let so = built(&gift);
    let l = so["item"]["items"].as_array().unwrap();
    assert_eq!(l.len(), 2);
    assert_eq!(
        (l[0]["rate"].clone(), l[0].get("custcol_tts_gift")),
        (json!(90), None)
    );
    assert_eq!(
        (l[1]["rate"].clone(), l[1]["custcol_tts_gift"].clone()),
        (json!(0), json!(true))
    );
    assert_eq!(l[1]["custcol_tts_retail_value"], json!(100));
    assert_eq!(so["custbody_tts_order_type"], "gift_with_purchase");
}

#[test]
fn a_replacement_links_the_original_in_a_field_and_the_memo() {
    let r = order(|o| {
        sample(o);
        o["is_sample_order"] = json!(false);
        o["is_replacement_order"] = json!(true);
        o["replaced_order_id"] = json!("576461413038785752");
    });
    let so = built(&r);
    assert_eq!(so["custbody_tts_original_order"], "576461413038785752");
    assert_eq!(so["custbody_tts_original_so"], json!({"id": "7001"}));
    let memo = so["memo"].as_str().unwrap();
    assert!(
        memo.contains("replacement of TikTok order 576461413038785752 (Sales Order 7001)"),
        "{memo}"
    );
    assert_eq!(so["item"]["items"][0]["rate"], json!(0));
}
