//! A sample's cost, moved to marketing (issue 26, README "Orders that are
//! not sales"): when a sample (or a LIVE giveaway written as one) of a shop
//! with `order_types.sample.cost_account` is fulfilled in NetSuite, one
//! Journal Entry per Item Fulfillment moves that fulfilment's cost of goods
//! from the COGS account to the marketing account: debit marketing, credit
//! COGS, with the sample's department and class.
//!
//! The amount is what NetSuite posted, never an estimate: the fulfilment's
//! GL lines on Cost of Goods Sold accounts (SuiteQL
//! `transactionaccountingline` joined to `account`, `accttype = 'COGS'`,
//! `posting = 'T'`; the table and its `debit`/`credit`/`account`/`posting`
//! columns as public SuiteQL reads a transaction's GL impact, and `COGS`
//! the account type code of Cost of Goods Sold [SECONDARY]). A fulfilment
//! whose COGS is not posted yet (no lines: costing has not run, or a Picked
//! or Packed fulfilment; or a net of 0, as for an item with no cost yet) is
//! not journalled: it waits and is read again next run.
//!
//! The entry's externalId is `tts-sample-cost-<IF internal id>` (one per
//! fulfilment); the job looks it up before writing, and writes by upsert on
//! it, so a retry never posts twice. Its date is the fulfilment's (the day
//! NetSuite last changed it, as the tracking read renders it), so the
//! reclassification lands in the period of the cost it moves.
//!
//! Everything here is pure; `sample_cost_run.rs` does the I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::domain::{Money, NetSuiteFulfillmentId, OrderId, OrderType};
use crate::mapping::config::ShopMapping;
use crate::mapping::order_rules::{GiveawayMode, SampleMode};
use crate::netsuite::{column_text, sql_quote};

/// `tts-sample-cost-<IF internal id>`.
pub fn external_id(fulfilment: &NetSuiteFulfillmentId) -> String {
    let clean: String = fulfilment
        .as_str()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("tts-sample-cost-{clean}")
}

/// Where a fulfilled order's cost goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostRoute {
    /// Internal id of the marketing account (`sample.cost_account`).
    pub account: String,
    pub department: Option<String>,
    pub class: Option<String>,
}

/// The shop's route for samples, whatever the order: `None` when it has no
/// cost account (then no journal is ever posted) or skips samples.
pub fn shop_route(cfg: &ShopMapping) -> Option<CostRoute> {
    let s = &cfg.order_types.sample;
    if s.mode != SampleMode::ZeroSalesOrder {
        return None;
    }
    let account = s.cost_account.clone().filter(|a| !a.trim().is_empty())?;
    Some(CostRoute {
        account,
        department: s.department.clone().or_else(|| cfg.department.clone()),
        class: s.class.clone().or_else(|| cfg.class.clone()),
    })
}

/// The route of one fulfilled order: samples, and LIVE giveaways the shop
/// writes as samples (`giveaway: as_sample`, which follows the sample's
/// choice). Any other type, or a type the log does not know, has none.
pub fn route(order_type: Option<&OrderType>, cfg: &ShopMapping) -> Option<CostRoute> {
    match order_type? {
        OrderType::Sample => shop_route(cfg),
        OrderType::Giveaway if cfg.order_types.giveaway == GiveawayMode::AsSample => {
            shop_route(cfg)
        }
        _ => None,
    }
}

/// The GL lines on COGS accounts of these fulfilments.
pub fn cogs_query(ids: &[NetSuiteFulfillmentId]) -> String {
    let list = ids
        .iter()
        .map(|i| sql_quote(i.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT tal.transaction AS if_id, tal.account AS account, tal.debit AS debit, tal.credit AS credit \
         FROM transactionaccountingline tal JOIN account a ON a.id = tal.account \
         WHERE tal.transaction IN ({list}) AND tal.posting = 'T' AND a.accttype = 'COGS' \
         ORDER BY tal.transaction, tal.transactionline"
    )
}

/// What NetSuite posted to COGS for one fulfilment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostedCogs {
    /// Net debit per COGS account (internal id), every one above 0.
    Posted(BTreeMap<String, Money>),
    /// Nothing to move yet, and why.
    NotYet(String),
}

fn amount(row: &Map<String, Value>, key: &str) -> Money {
    column_text(row, key).trim().parse().unwrap_or_default()
}

/// Sums the rows of [`cogs_query`] for `fulfilment`.
pub fn posted_cogs(rows: &[Map<String, Value>], fulfilment: &NetSuiteFulfillmentId) -> PostedCogs {
    let mut per: BTreeMap<String, Money> = BTreeMap::new();
    let mut seen = false;
    for r in rows
        .iter()
        .filter(|r| column_text(r, "if_id") == fulfilment.as_str())
    {
        seen = true;
        *per.entry(column_text(r, "account")).or_default() +=
            amount(r, "debit") - amount(r, "credit");
    }
    if !seen {
        return PostedCogs::NotYet("NetSuite has not posted its cost of goods yet".into());
    }
    per.retain(|_, m| !m.is_zero());
    if let Some((a, m)) = per.iter().find(|(_, m)| m.is_sign_negative()) {
        return PostedCogs::NotYet(format!(
            "its COGS account {a} nets a credit of {}; not a fulfilment's cost to move",
            -*m
        ));
    }
    if per.is_empty() {
        return PostedCogs::NotYet(
            "NetSuite posted its cost of goods at 0 (not costed yet)".into(),
        );
    }
    PostedCogs::Posted(per)
}

/// What the journal is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostJournal<'a> {
    pub fulfilment: &'a NetSuiteFulfillmentId,
    pub order: &'a OrderId,
    pub order_type: &'a OrderType,
    pub route: &'a CostRoute,
    pub subsidiary: &'a str,
    /// `YYYY-MM-DD`.
    pub tran_date: &'a str,
}

/// The `journalEntry` body: debit marketing the total, credit each COGS
/// account what it carries. Lines are whole cents, as NetSuite posted them.
pub fn journal_body(j: &CostJournal<'_>, cogs: &BTreeMap<String, Money>) -> Value {
    let memo = format!(
        "TikTok {} {}: cost of item fulfillment {} moved from COGS to marketing",
        j.order_type.label().to_lowercase(),
        j.order,
        j.fulfilment
    );
    let total: Money = cogs.values().copied().sum();
    let line = |account: &str, side: &str, m: Money| {
        let mut l = json!({"account": {"id": account}, "memo": memo});
        l[side] = crate::mapping::num(m.round_dp(2));
        if let Some(d) = &j.route.department {
            l["department"] = json!({ "id": d });
        }
        if let Some(c) = &j.route.class {
            l["class"] = json!({ "id": c });
        }
        l
    };
    let mut items = vec![line(&j.route.account, "debit", total)];
    items.extend(cogs.iter().map(|(a, m)| line(a, "credit", *m)));
    json!({
        "externalId": external_id(j.fulfilment),
        "subsidiary": {"id": j.subsidiary},
        "tranDate": j.tran_date,
        "memo": memo,
        "line": {"items": items},
    })
}

/// A sample fulfilment whose journal is not posted yet, kept in the tracking
/// job's state (`cost#<IF>`) and tried again every run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCost {
    pub fulfilment: NetSuiteFulfillmentId,
    pub order: OrderId,
    pub order_type: OrderType,
    /// `YYYY-MM-DD`, the fulfilment's.
    pub tran_date: String,
    pub reason: String,
    pub since: i64,
}

/// The state item name of a pending fulfilment.
pub fn pending_name(fulfilment: &NetSuiteFulfillmentId) -> String {
    format!("{PENDING_PREFIX}{fulfilment}")
}

pub const PENDING_PREFIX: &str = "cost#";

/// `YYYY-MM-DD` of a tracking read's `YYYY-MM-DD HH:MM:SS`.
pub fn date_part(modified: &str) -> String {
    modified.trim().chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ShopId;
    use crate::mapping::config::MappingConfig;

    fn cfg(order_types: Value) -> ShopMapping {
        let m = MappingConfig::load(
            &json!({"default": {"books_currency": "USD", "subsidiary": "1", "location": "1",
                "department": "3", "class": "4",
                "customer": {"mode": "generic", "customer_id": "201"},
                "order_types": order_types}, "unlisted_shops": "use_default"})
            .to_string(),
        )
        .unwrap();
        m.for_shop(&ShopId::new("1")).unwrap().clone()
    }

    fn row(if_id: &str, account: &str, debit: Value, credit: Value) -> Map<String, Value> {
        json!({"if_id": if_id, "account": account, "debit": debit, "credit": credit})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn only_samples_and_giveaways_as_samples_of_a_shop_with_a_cost_account_route() {
        let none = cfg(json!({}));
        assert_eq!(route(Some(&OrderType::Sample), &none), None);
        let c = cfg(json!({"sample": {"cost_account": "162", "department": "9"}}));
        let r = route(Some(&OrderType::Sample), &c).unwrap();
        assert_eq!(
            r,
            CostRoute {
                account: "162".into(),
                department: Some("9".into()),
                class: Some("4".into())
            }
        );
        assert_eq!(route(Some(&OrderType::Giveaway), &c), Some(r));
        for t in [
            OrderType::Sale,
            OrderType::Replacement,
            OrderType::GiftWithPurchase,
        ] {
            assert_eq!(route(Some(&t), &c), None, "{t:?}");
        }
        assert_eq!(route(None, &c), None);
        let review = cfg(json!({"sample": {"cost_account": "162"}, "giveaway": "review"}));
        assert_eq!(route(Some(&OrderType::Giveaway), &review), None);
        let skip = cfg(json!({"sample": {"cost_account": "162", "mode": "skip"}}));
        assert_eq!(route(Some(&OrderType::Sample), &skip), None);
    }

    #[test]
    fn the_posted_cogs_is_read_not_estimated_and_waits_when_missing_or_zero() {
        let f = NetSuiteFulfillmentId::new("1001");
        assert!(matches!(posted_cogs(&[], &f), PostedCogs::NotYet(_)));
        let other = [row("1002", "160", json!("10.00"), Value::Null)];
        assert!(matches!(posted_cogs(&other, &f), PostedCogs::NotYet(_)));
        let zero = [row("1001", "160", json!("0"), Value::Null)];
        let PostedCogs::NotYet(why) = posted_cogs(&zero, &f) else {
            panic!("zero is not posted")
        };
        assert!(why.contains("at 0"), "{why}");
        let rows = [
            row("1001", "160", json!("82.4"), Value::Null),
            row("1001", "160", json!(6.1), Value::Null),
            row("1001", "170", json!("5.00"), Value::Null),
            row("1002", "160", json!("99.00"), Value::Null),
        ];
        let PostedCogs::Posted(per) = posted_cogs(&rows, &f) else {
            panic!("posted")
        };
        let m = |s: &str| s.parse::<Money>().unwrap();
        assert_eq!(per.get("160"), Some(&m("88.5")));
        assert_eq!(per.get("170"), Some(&m("5.00")));
        let credit = [row("1001", "160", Value::Null, json!("3.00"))];
        assert!(matches!(posted_cogs(&credit, &f), PostedCogs::NotYet(_)));
    }

    #[test]
    fn the_journal_debits_marketing_and_credits_each_cogs_account() {
        let f = NetSuiteFulfillmentId::new("1001");
        let o = OrderId::new("900000000000000001");
        let r = CostRoute {
            account: "162".into(),
            department: Some("9".into()),
            class: None,
        };
        let j = CostJournal {
            fulfilment: &f,
            order: &o,
            order_type: &OrderType::Sample,
            route: &r,
            subsidiary: "1",
            tran_date: "2026-12-07",
        };
        let m = |s: &str| s.parse::<Money>().unwrap();
        let cogs = BTreeMap::from([("160".to_string(), m("82.40")), ("170".into(), m("5.00"))]);
        let b = journal_body(&j, &cogs);
        assert_eq!(b["externalId"], "tts-sample-cost-1001");
        assert_eq!(b["tranDate"], "2026-12-07");
        let memo = b["memo"].as_str().unwrap();
        assert!(
            memo.contains("900000000000000001") && memo.contains("1001"),
            "{memo}"
        );
        let l = b["line"]["items"].as_array().unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(
            (l[0]["account"]["id"].clone(), l[0]["debit"].clone()),
            (json!("162"), json!(87.40))
        );
        assert_eq!(
            (l[1]["account"]["id"].clone(), l[1]["credit"].clone()),
            (json!("160"), json!(82.40))
        );
        assert_eq!(l[2]["credit"], json!(5));
        assert_eq!(l[0]["department"], json!({"id": "9"}));
        assert!(l[0].get("class").is_none());
        assert_eq!(
            external_id(&NetSuiteFulfillmentId::new("12'3")),
            "tts-sample-cost-123"
        );
        assert_eq!(date_part("2026-12-07 10:11:12"), "2026-12-07");
    }

    #[test]
    fn the_query_reads_only_posted_cogs_lines_of_the_fulfilments() {
        let q = cogs_query(&[
            NetSuiteFulfillmentId::new("1001"),
            NetSuiteFulfillmentId::new("1002"),
        ]);
        assert!(q.contains("tal.transaction IN ('1001', '1002')"), "{q}");
        assert!(
            q.contains("a.accttype = 'COGS'") && q.contains("tal.posting = 'T'"),
            "{q}"
        );
    }
}
