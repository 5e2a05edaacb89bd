use serde_json::json;

use super::*;
use crate::mapping::config::{CustomerMode, CustomerStrategy, InventoryConfig};
use crate::mapping::stock::ShopInventorySettings;
use crate::mapping::{build_sales_order, group_units, ItemRef};

const WH1: &str = "7068517275539719942";
const WH2: &str = "7068517275539719943";

fn order(warehouse: Option<&str>, fulfillment: Option<&str>) -> Order {
    serde_json::from_value(json!({
        "id": "576461413038785799", "status": "AWAITING_SHIPMENT", "create_time": 1735725600,
        "warehouse_id": warehouse, "fulfillment_type": fulfillment,
        "payment": {"currency": "USD", "sub_total": "24.50", "total_amount": "24.50"},
        "line_items": [{"id": "1", "sku_id": "h", "seller_sku": "HEADLAMP-200", "product_name": "Lamp",
            "original_price": "24.50", "seller_discount": "0", "platform_discount": "0", "sale_price": "24.50"}]
    }))
    .unwrap()
}

/// The local mapping's shop: locations 1 and 3 feed warehouses …942 and …943.
fn cfg() -> ShopMapping {
    let table = [("1", WH1), ("3", WH2)]
        .into_iter()
        .map(|(l, w)| (NetSuiteLocationId::new(l), WarehouseId::new(w)))
        .collect();
    ShopMapping {
        subsidiary: Some("1".into()),
        location: Some("1".into()),
        customer: CustomerStrategy {
            mode: CustomerMode::Generic,
            customer_id: Some("201".into()),
        },
        inventory: Some(InventoryConfig {
            push: ShopInventorySettings {
                location_warehouses: table,
                ..Default::default()
            },
            bundles: Default::default(),
            pending_lookback_days: 3,
            tiktok_qps: 40,
            refused_retry_secs: 15 * 60,
        }),
        ..Default::default()
    }
}

fn at(l: &str) -> Route {
    Route::At {
        location: Some(l.into()),
        fbt: false,
    }
}

#[test]
fn an_order_from_the_second_warehouse_goes_to_its_mapped_location() {
    assert_eq!(route(&order(Some(WH2), None), &cfg()), at("3"));
    assert_eq!(route(&order(Some(WH1), None), &cfg()), at("1"));
    let seller = Some("FULFILLMENT_BY_SELLER");
    assert_eq!(route(&order(Some(WH2), seller), &cfg()), at("3"));
}

#[test]
fn the_sales_order_header_and_lines_take_the_routed_location() {
    let o = order(Some(WH2), None);
    let Route::At { location, .. } = route(&o, &cfg()) else {
        panic!("not routed")
    };
    let routed = ShopMapping { location, ..cfg() };
    let groups = group_units(&o).unwrap();
    let items = vec![ItemRef { id: "100".into() }];
    let shop = crate::domain::ShopId::new("s");
    let d = build_sales_order(&shop, &o, &groups, &items, "201", &routed).unwrap();
    assert_eq!(d.body["location"]["id"], "3");
    assert_eq!(d.body["item"]["items"][0]["location"]["id"], "3");
}

#[test]
fn an_unmapped_warehouse_waits_naming_it_never_the_default_location() {
    let r = route(&order(Some("999"), None), &cfg());
    let Route::Wait(w) = &r else {
        panic!("routed to {r:?}")
    };
    let f = wait_failure(w, "7494049642642441621", Some("Dallas overflow"));
    assert_eq!(f.code, ErrorCode::UnmappedWarehouse);
    assert!(!f.retryable);
    assert!(
        f.reason.contains("\"Dallas overflow\" (999)"),
        "{}",
        f.reason
    );
    assert!(f.fix.contains("location_warehouses"), "{}", f.fix);
    assert!(f
        .fix
        .contains("orders resubmit --shop '7494049642642441621'"));
}

#[test]
fn a_shop_without_a_table_keeps_its_location() {
    let c = ShopMapping {
        inventory: None,
        ..cfg()
    };
    assert_eq!(route(&order(Some("999"), None), &c), at("1"));
    assert_eq!(route(&order(None, None), &c), at("1"));
}

#[test]
fn a_missing_warehouse_id_uses_the_only_warehouse_or_waits() {
    assert_eq!(
        route(&order(None, None), &cfg()),
        Route::Wait(RouteWait::NoWarehouse)
    );
    let mut one = cfg();
    if let Some(i) = one.inventory.as_mut() {
        i.push
            .location_warehouses
            .insert(NetSuiteLocationId::new("3"), WarehouseId::new(WH1));
    }
    assert_eq!(route(&order(None, None), &one), at("1"));
}

#[test]
fn several_locations_for_one_warehouse_take_the_shops_location_or_wait() {
    let mut c = cfg();
    if let Some(i) = c.inventory.as_mut() {
        i.push
            .location_warehouses
            .insert(NetSuiteLocationId::new("5"), WarehouseId::new(WH2));
    }
    let r = route(&order(Some(WH2), None), &c);
    assert!(
        matches!(r, Route::Wait(RouteWait::AmbiguousWarehouse { ref locations, .. }) if locations == &["3", "5"]),
        "{r:?}"
    );
    c.location = Some("5".into());
    assert_eq!(route(&order(Some(WH2), None), &c), at("5"));
}

#[test]
fn fbt_orders_follow_the_shops_choice() {
    let fbt = Some("FULFILLMENT_BY_TIKTOK");
    let o = order(Some(WH1), fbt);
    // Unconfigured: waits, named.
    let r = route(&o, &cfg());
    assert_eq!(r, Route::Wait(RouteWait::FbtUnconfigured));
    let Route::Wait(w) = r else { unreachable!() };
    let f = wait_failure(&w, "s", None);
    assert_eq!(f.code, ErrorCode::FbtUnconfigured);
    assert!(f.fix.contains("\"mode\": \"sales_order\""), "{}", f.fix);
    // sales_order: the FBT location, never the warehouse's seller location.
    let mut c = cfg();
    c.fbt = Some(FbtConfig {
        mode: FbtMode::SalesOrder,
        location: Some("9".into()),
        warehouse_ids: vec![],
    });
    assert_eq!(
        route(&o, &c),
        Route::At {
            location: Some("9".into()),
            fbt: true
        }
    );
    c.fbt = Some(FbtConfig {
        mode: FbtMode::SalesOrder,
        location: None,
        warehouse_ids: vec![],
    });
    assert_eq!(route(&o, &c), Route::Wait(RouteWait::FbtNoLocation));
    // skip: with its amount.
    c.fbt = Some(FbtConfig {
        mode: FbtMode::Skip,
        location: None,
        warehouse_ids: vec![],
    });
    assert_eq!(
        route(&o, &c),
        Route::SkipFbt {
            amount: "24.50".parse().unwrap(),
            currency: "USD".into()
        }
    );
}

#[test]
fn the_fbt_choice_parses_from_the_mapping_file() {
    let c: FbtConfig = serde_json::from_value(
        json!({"mode": "sales_order", "location": "9", "warehouse_ids": ["7068517275539719950"]}),
    )
    .unwrap();
    assert_eq!(c.mode, FbtMode::SalesOrder);
    assert_eq!(c.warehouse_ids[0].as_str(), "7068517275539719950");
    assert!(serde_json::from_value::<FbtConfig>(json!({"mode": "ship_it"})).is_err());
}
