use super::config::*;
use super::*;
use crate::domain::OrderId;

fn line(id: &str, sku_id: &str, sku: &str, orig: &str, sd: &str, pd: &str) -> Value {
    json!({"id": id, "sku_id": sku_id, "seller_sku": sku, "product_name": format!("P-{sku}"),
           "original_price": orig, "seller_discount": sd, "platform_discount": pd, "sale_price": "0"})
}

/// The simulator's order …752: 2 tents as two line items and a headlamp.
fn order() -> Order {
    serde_json::from_value(json!({
        "id": "576461413038785752", "status": "AWAITING_SHIPMENT", "create_time": 1735725600,
        "payment": {"currency": "USD", "original_total_product_price": "284.48", "seller_discount": "20.00",
            "platform_discount": "12.00", "sub_total": "252.48", "shipping_fee": "5.99", "tax": "20.68",
            "total_amount": "279.15"},
        "recipient_address": {"name": "J D", "address_line1": "1 Main St", "postal_code": "90012", "region_code": "US",
            "district_info": [{"address_level": "L1", "address_name": "California"}, {"address_level": "L3", "address_name": "Los Angeles"}]},
        "line_items": [
            line("1", "t", "TENT-2P-GRN", "129.99", "10.00", "5.00"),
            line("2", "t", "TENT-2P-GRN", "129.99", "10.00", "5.00"),
            line("3", "h", "HEADLAMP-200", "24.50", "0.00", "2.00"),
        ]
    }))
    .unwrap()
}

fn cfg() -> ShopMapping {
    ShopMapping {
        subsidiary: Some("1".into()),
        location: Some("1".into()),
        customer: CustomerStrategy {
            mode: CustomerMode::Generic,
            customer_id: Some("201".into()),
        },
        ..Default::default()
    }
}

fn items(n: usize) -> Vec<ItemRef> {
    (0..n)
        .map(|i| ItemRef {
            id: format!("10{i}"),
        })
        .collect()
}

#[test]
fn units_are_grouped_by_sku_into_quantities() {
    let g = group_units(&order()).unwrap();
    assert_eq!(g.len(), 2);
    assert_eq!(
        (g[0].seller_sku.as_str(), g[0].quantity),
        ("TENT-2P-GRN", 2)
    );
    assert_eq!(g[0].amount.to_string(), "239.98");
    assert_eq!(
        (g[1].seller_sku.as_str(), g[1].quantity),
        ("HEADLAMP-200", 1)
    );
}

#[test]
fn platform_discounts_stay_revenue_and_totals_match() {
    let o = order();
    let g = group_units(&o).unwrap();
    let d = build_sales_order(
        &ShopId::new("7494049642642441621"),
        &o,
        &g,
        &items(2),
        "201",
        &cfg(),
    )
    .unwrap();
    // 2 × (129.99 − 10) + 24.50 + shipping 5.99 = sub_total 252.48 + platform 12 + 5.99.
    assert_eq!(d.mapped_total.to_string(), "270.47");
    assert_eq!(d.expected_total, d.mapped_total);
    let b = &d.body;
    assert_eq!(
        b["externalId"],
        "tts-7494049642642441621-576461413038785752"
    );
    assert_eq!(b["otherRefNum"], "576461413038785752");
    assert_eq!(b["tranDate"], "2025-01-01");
    assert_eq!(b["entity"]["id"], "201");
    assert_eq!(b["orderStatus"], "B");
    assert_eq!(b["shippingCost"], json!(5.99));
    let lines = b["item"]["items"].as_array().unwrap();
    assert_eq!(lines[0]["quantity"], 2);
    assert_eq!(lines[0]["rate"], json!(119.99));
    assert_eq!(lines[0]["price"]["id"], "-1");
    assert_eq!(lines[1]["rate"], json!(24.5));
    assert_eq!(b["shippingAddress"]["city"], "Los Angeles");
    assert_eq!(b["subsidiary"]["id"], "1");
}

#[test]
fn seller_discount_item_tax_item_and_shipping_item() {
    let o = order();
    let g = group_units(&o).unwrap();
    let c = ShopMapping {
        seller_discount: SellerDiscount::Item {
            item_id: "192".into(),
        },
        shipping: Shipping::Item {
            item_id: "190".into(),
        },
        tax: Tax::Item {
            item_id: "191".into(),
        },
        ..cfg()
    };
    let d = build_sales_order(&ShopId::new("s"), &o, &g, &items(2), "201", &c).unwrap();
    let lines = d.body["item"]["items"].as_array().unwrap();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0]["rate"],
        json!(129.99),
        "gross price when the discount has its own line"
    );
    assert_eq!(lines[2]["amount"], json!(-20));
    assert_eq!(lines[3]["item"]["id"], "190");
    assert_eq!(lines[4]["amount"], json!(20.68));
    assert_eq!(d.mapped_total.to_string(), "291.15");
    assert!(d.body.get("shippingCost").is_none());
}

#[test]
fn bundles_expand_to_components_with_the_price_split_by_count() {
    let mut o = order();
    o.line_items = vec![serde_json::from_value(json!({
        "id": "9", "sku_id": "b", "seller_sku": "CAMP-KIT-BUNDLE", "product_name": "Camp Kitchen Kit",
        "original_price": "50.00", "seller_discount": "0", "platform_discount": "0",
        "combined_listing_skus": [
            {"sku_id": "s1", "sku_count": 1, "seller_sku": "STOVE-MINI"},
            {"sku_id": "s2", "sku_count": 2, "seller_sku": "MUG-TI-450"}]
    }))
    .unwrap()];
    let g = group_units(&o).unwrap();
    assert_eq!(g.len(), 2);
    assert_eq!(
        (
            g[0].seller_sku.as_str(),
            g[0].quantity,
            g[0].amount.to_string()
        ),
        ("STOVE-MINI", 1, "16.67".into())
    );
    assert_eq!(
        (
            g[1].seller_sku.as_str(),
            g[1].quantity,
            g[1].amount.to_string()
        ),
        ("MUG-TI-450", 2, "33.33".into())
    );
    assert_eq!(
        g[0].amount + g[1].amount,
        Money::new(5000, 2),
        "no cent lost to rounding"
    );
}

#[test]
fn empty_seller_sku_is_missing_sku_naming_the_product() {
    let mut o = order();
    o.line_items[2].seller_sku = " ".into();
    let e = group_units(&o).unwrap_err();
    assert_eq!(
        e,
        MappingError::MissingSku {
            products: "P-HEADLAMP-200".into()
        }
    );
    let f = e.to_failure(&ShopId::new("s"));
    assert_eq!(f.code, ErrorCode::MissingSku);
    assert!(f
        .reason
        .contains("TikTok SKU is empty on product P-HEADLAMP-200"));
    assert!(!f.retryable);
}

#[test]
fn lines_that_do_not_add_up_fail_with_both_figures() {
    let mut o = order();
    o.payment.sub_total = Money::new(25000, 2);
    let g = group_units(&o).unwrap();
    let e = build_sales_order(&ShopId::new("s"), &o, &g, &items(2), "201", &cfg()).unwrap_err();
    let f = e.to_failure(&ShopId::new("s"));
    assert_eq!(f.code, ErrorCode::TotalMismatch);
    assert!(
        f.reason.contains("270.47") && f.reason.contains("267.99"),
        "{}",
        f.reason
    );
}

#[test]
fn external_id_is_safe() {
    assert_eq!(external_id("tts", &ShopId::new("1|2"), "3 4"), "tts-12-34");
    let _ = OrderId::new("x");
}

#[test]
fn config_loads_and_names_problems() {
    let c = MappingConfig::load(r#"{"default":{"books_currency":"USD","customer":{"mode":"generic","customer_id":"201"}},
        "unlisted_shops":"use_default",
        "shops":{"s2":{"books_currency":"GBP","customer":{"mode":"generic","customer_id":"202"},"tax":{"mode":"item","item_id":"191"}}}}"#)
    .unwrap();
    assert_eq!(
        c.for_shop(&ShopId::new("s2"))
            .unwrap()
            .customer
            .customer_id
            .as_deref(),
        Some("202")
    );
    assert_eq!(
        c.for_shop(&ShopId::new("other")).unwrap().trigger_statuses,
        vec!["AWAITING_SHIPMENT"]
    );
    let e = MappingConfig::load(
        r#"{"default":{"books_currency":"USD","customer":{"mode":"generic","customer_id":null}}}"#,
    )
    .unwrap_err();
    assert!(e.contains("customer.customer_id"), "{e}");
    // Books currency: required, and an ISO code.
    let e = MappingConfig::load(r#"{"default":{"customer":{"mode":"generic","customer_id":"1"}}}"#)
        .unwrap_err();
    assert!(e.contains("books_currency"), "{e}");
    let e = MappingConfig::load(
        r#"{"default":{"books_currency":"dollars","customer":{"mode":"generic","customer_id":"1"}}}"#,
    )
    .unwrap_err();
    assert!(e.contains("ISO 4217"), "{e}");
    // Unlisted shops are refused unless the document says otherwise.
    let strict = MappingConfig::load(
        r#"{"default":{"books_currency":"USD","customer":{"mode":"generic","customer_id":"1"}}}"#,
    )
    .unwrap();
    let f = strict.for_shop(&ShopId::new("new-shop")).unwrap_err();
    assert!(
        f.reason.contains("new-shop") && f.fix.contains("unlisted_shops"),
        "{f:?}"
    );
}

#[test]
fn units_tiktok_marks_cancelled_are_not_written() {
    let mut o = order();
    o.line_items[1].display_status = Some("CANCELLED".into());
    let g = group_units(&o).unwrap();
    assert_eq!(
        (g[0].seller_sku.as_str(), g[0].quantity),
        ("TENT-2P-GRN", 1)
    );
    for l in o.line_items.iter_mut() {
        l.package_status = Some("CANCELLED".into());
    }
    assert!(matches!(
        group_units(&o),
        Err(MappingError::InsufficientData(_))
    ));
}

#[test]
fn masked_phone_numbers_are_not_sent() {
    assert!(!is_usable_phone("(+1)213*****98"));
    assert!(!is_usable_phone(" "));
    assert!(is_usable_phone("+44 20 7946 0000"));
}

/// Splits a command line as a POSIX shell would (quotes, backslashes),
/// failing on any unquoted character the shell would act on.
fn shell_words(cmd: &str) -> Result<Vec<String>, String> {
    let (mut words, mut cur, mut in_word) = (Vec::new(), String::new(), false);
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err(format!("unclosed ' in {cmd}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next().ok_or("trailing backslash")?);
            }
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '"' | ';' | '&' | '|' | '$' | '`' | '(' | ')' | '<' | '>' | '*' | '?' | '[' | '~'
            | '#' | '\n' | '{' | '}' => return Err(format!("unquoted {c:?} in {cmd}")),
            x => {
                in_word = true;
                cur.push(x)
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// The commands (between backticks) a fix text suggests.
fn commands(fix: &str) -> Vec<&str> {
    fix.split('`').skip(1).step_by(2).collect()
}

#[test]
fn no_fix_text_carries_unquoted_tiktok_data() {
    let hostile = "x; rm -rf ~ $(id) 'q'";
    let shop = ShopId::new("7495; echo pwned $(id) \"x\"");
    let e = MappingError::UnlinkedProduct {
        skus: vec![hostile.into(), "B\"$HOME\"".into(), hostile.into()],
    };
    assert_eq!(
        e.failed_skus(),
        vec![hostile.to_string(), "B\"$HOME\"".into()]
    );
    let f = e.to_failure(&shop);
    assert_eq!(
        f.reason.matches(hostile).count(),
        1,
        "a SKU on two lines is named once: {}",
        f.reason
    );
    let cmds = commands(&f.fix);
    assert_eq!(cmds.len(), 3, "a link per SKU and the resubmit: {}", f.fix);
    for c in &cmds {
        let words = shell_words(c).unwrap_or_else(|e| panic!("{e}\nfix: {}", f.fix));
        assert_eq!(words[0], "tiktok-netsuite", "{c}");
        let arg = |flag: &str| {
            words
                .iter()
                .position(|w| w == flag)
                .map(|i| words[i + 1].clone())
        };
        assert_eq!(arg("--shop").as_deref(), Some(shop.as_str()), "{c}");
        assert!(
            [Some(hostile), Some("B\"$HOME\"")].contains(&arg("--sku").as_deref()),
            "{c}"
        );
    }
    // Quoting is POSIX single quotes.
    assert_eq!(crate::domain::shell_quote("it's"), r"'it'\''s'");
    assert_eq!(
        shell_words(&crate::domain::shell_quote(hostile)).unwrap(),
        vec![hostile]
    );
    // Six SKUs: five commands, the rest counted.
    let many: Vec<String> = (0..7).map(|i| format!("S{i}")).collect();
    let f = MappingError::UnlinkedProduct { skus: many }.to_failure(&shop);
    assert_eq!(commands(&f.fix).len(), 6, "{}", f.fix);
    assert!(f.fix.contains("and 2 more SKUs"), "{}", f.fix);
}
