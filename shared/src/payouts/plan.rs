//! One TikTok statement → one balanced NetSuite journal entry (pure).
//!
//! Reads a statement of the Finance API 202501 (Transactions by Statement,
//! finance-inventory-fulfilment.md §1.5) and plans the journal issue 12
//! describes, summarised by account so that a statement of 100,000
//! transactions stays a few dozen lines:
//!
//! - every TikTok amount is a signed string, income to the seller positive
//!   (§1.9 I1); an amount booked to an account **credits** it when positive
//!   and **debits** it when negative, and the payable (settlement + reserve)
//!   is debited to the payout in-transit account, so a statement whose
//!   parts add up balances by construction;
//! - revenue: gross before discounts (`subtotal_before_discount_amount`),
//!   seller discounts, refunds of principal and of discount, each to its
//!   account, or all of them to a clearing account when the Sales Orders
//!   already booked revenue ([`RevenueSource::SalesOrders`]), so revenue is
//!   never booked twice; platform-funded discounts and US sales tax are
//!   supplementary (outside settlement, I9) and not booked;
//! - shipping: the customer-paid part is shipping income, every other key
//!   of `shipping_cost_breakdown` is a shipping-services cost; its
//!   `supplementary_component` is not part of the amount (§1.5);
//! - fees and taxes on fees (`fee_tax_breakdown.fee` / `.tax`): each key to
//!   its group's account by the shop's table, keys the table does not know
//!   to "other TikTok fees", listed in the plan (never dropped);
//! - adjustments by `type` (table, else "other adjustments"); reserves to
//!   the reserve account.
//!
//! Checks (§5.3): each transaction's parts must add up to its
//! `settlement_amount` (I2/I3) and the statement's transactions to its
//! `total_settlement_amount` (I4), reserves to `total_reserve_amount` and
//! the two to `payable_amount` (I5). A statement that fails is **held** with
//! every difference named, unless the shop names a variance account, which
//! then takes the difference as its own line.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::domain::Money;

/// A signed TikTok amount string; empty or absent is zero, anything else
/// that is not a decimal is an error naming the field.
pub(crate) fn amount(v: Option<&Value>, field: &str) -> Result<Money, String> {
    match v {
        None | Some(Value::Null) => Ok(Money::ZERO),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Money::ZERO),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| format!("{field} is {s:?}, not a decimal amount")),
        Some(Value::Number(n)) => n
            .to_string()
            .parse()
            .map_err(|_| format!("{field} is {n}, not a decimal amount")),
        Some(other) => Err(format!("{field} is {other}, not a decimal amount")),
    }
}

/// Every key → amount of a breakdown object (nested objects skipped: they
/// are supplementary components, §1.5). A map, because TikTok keeps adding
/// keys (§1.5): a closed struct would drop money.
fn breakdown(v: Option<&Value>, field: &str) -> Result<BTreeMap<String, Money>, String> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(m)) = v {
        for (k, x) in m {
            if x.is_object() {
                continue;
            }
            out.insert(k.clone(), amount(Some(x), &format!("{field}.{k}"))?);
        }
    }
    Ok(out)
}

pub use crate::mapping::payouts::{default_fee_keys, PayoutAccounts, RevenueSource};

/// One journal line (amounts positive; one of debit / credit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalLine {
    pub account: String,
    pub debit: Money,
    pub credit: Money,
    pub memo: String,
}

/// The planned journal entry of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalPlan {
    pub external_id: String,
    pub statement_id: String,
    pub currency: String,
    pub lines: Vec<JournalLine>,
    /// Fee keys the shop's table and the defaults do not know (booked to other fees).
    pub unknown_fee_keys: BTreeSet<String>,
    /// Transactions read, by type.
    pub transactions_by_type: BTreeMap<String, usize>,
    /// Differences booked to the variance account (empty when none).
    pub variances: Vec<String>,
}

impl JournalPlan {
    pub fn total_debits(&self) -> Money {
        self.lines.iter().map(|l| l.debit).sum()
    }
    pub fn total_credits(&self) -> Money {
        self.lines.iter().map(|l| l.credit).sum()
    }
}

/// Why a statement is not posted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Held {
    #[error("statement {statement} does not add up: {}", .differences.join("; "))]
    DoesNotAddUp {
        statement: String,
        differences: Vec<String>,
    },
    #[error("statement {statement} cannot be read: {reason}")]
    Unreadable { statement: String, reason: String },
}

struct Ledger {
    by_account: BTreeMap<String, Money>,
}

impl Ledger {
    fn book(&mut self, account: &str, signed: Money) {
        if !signed.is_zero() {
            *self.by_account.entry(account.to_string()).or_default() += signed;
        }
    }
}

/// Plans the journal of one statement (`data` of Transactions by Statement
/// 202501, all pages' `transactions` gathered) for `external_id`.
pub fn plan_journal(
    statement: &Value,
    accounts: &PayoutAccounts,
    external_id: &str,
) -> Result<JournalPlan, Held> {
    let sid = statement.get("id").and_then(Value::as_str).unwrap_or("?");
    let mut planner = JournalPlanner::new(accounts, sid);
    let empty = Vec::new();
    for t in statement
        .get("transactions")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        planner.add(t)?;
    }
    planner.finish(statement, external_id)
}

/// [`plan_journal`] one transaction at a time, so a statement can be
/// planned page by page (a 100,000-row statement never held whole): feed
/// every transaction to [`JournalPlanner::add`], then the statement's root
/// fields (any page's `data`; its `transactions` are not read) to
/// [`JournalPlanner::finish`].
pub struct JournalPlanner<'a> {
    accounts: &'a PayoutAccounts,
    defaults: BTreeMap<&'static str, &'static str>,
    sid: String,
    ledger: Ledger,
    unknown: BTreeSet<String>,
    by_type: BTreeMap<String, usize>,
    differences: Vec<String>,
    sum_settlement: Money,
    sum_reserve: Money,
}

impl<'a> JournalPlanner<'a> {
    pub fn new(accounts: &'a PayoutAccounts, statement_id: &str) -> Self {
        Self {
            accounts,
            defaults: default_fee_keys(),
            sid: statement_id.to_string(),
            ledger: Ledger {
                by_account: BTreeMap::new(),
            },
            unknown: BTreeSet::new(),
            by_type: BTreeMap::new(),
            differences: Vec::new(),
            sum_settlement: Money::ZERO,
            sum_reserve: Money::ZERO,
        }
    }

    fn unreadable(&self, reason: String) -> Held {
        Held::Unreadable {
            statement: self.sid.clone(),
            reason,
        }
    }

    fn group_of(&self, key: &str) -> Option<String> {
        self.accounts
            .fee_keys
            .get(key)
            .cloned()
            .or_else(|| self.defaults.get(key).map(|g| g.to_string()))
    }

    fn sales(&self, own: &str) -> String {
        match &self.accounts.revenue_source {
            RevenueSource::Journal => own.to_string(),
            RevenueSource::SalesOrders { clearing_account } => clearing_account.clone(),
        }
    }

    /// Books one transaction.
    pub fn add(&mut self, t: &Value) -> Result<(), Held> {
        let accounts = self.accounts;
        let id = t.get("id").and_then(Value::as_str).unwrap_or("?");
        let kind = t
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string();
        *self.by_type.entry(kind.clone()).or_default() += 1;
        let f = |name: &str| amount(t.get(name), &format!("transaction {id} {name}"));
        if kind.eq_ignore_ascii_case("RESERVE") {
            let r = f("reserve_amount").map_err(|e| self.unreadable(e))?;
            self.ledger.book(&accounts.reserve, r);
            self.sum_reserve += r;
            return Ok(());
        }
        let settlement = f("settlement_amount").map_err(|e| self.unreadable(e))?;
        self.sum_settlement += settlement;
        let mut booked = Money::ZERO;
        // Revenue.
        let rev = breakdown(
            t.get("revenue_breakdown"),
            &format!("transaction {id} revenue_breakdown"),
        )
        .map_err(|e| self.unreadable(e))?;
        for (k, a) in &rev {
            let account = match k.as_str() {
                "subtotal_before_discount_amount" => self.sales(&accounts.sales_revenue),
                "seller_discount_amount" => self.sales(&accounts.seller_discounts),
                "refund_subtotal_before_discount_amount" | "seller_discount_refund_amount" => {
                    self.sales(&accounts.refunds)
                }
                _ => self.sales(&accounts.sales_revenue),
            };
            self.ledger.book(&account, *a);
            booked += a;
        }
        let revenue = f("revenue_amount").map_err(|e| self.unreadable(e))?;
        if rev.is_empty() && !revenue.is_zero() {
            let account = self.sales(&accounts.sales_revenue);
            self.ledger.book(&account, revenue);
            booked += revenue;
        }
        // Shipping.
        let ship = breakdown(
            t.get("shipping_cost_breakdown"),
            &format!("transaction {id} shipping_cost_breakdown"),
        )
        .map_err(|e| self.unreadable(e))?;
        let ship_amount = f("shipping_cost_amount").map_err(|e| self.unreadable(e))?;
        for (k, a) in &ship {
            if k == "customer_paid_shipping_fee_amount" {
                self.ledger.book(&accounts.shipping_income, *a);
            } else {
                let group = self
                    .group_of(k)
                    .unwrap_or_else(|| "shipping_services".into());
                let account = accounts
                    .fee_groups
                    .get(&group)
                    .unwrap_or(&accounts.other_fees);
                self.ledger.book(account, *a);
            }
            booked += a;
        }
        if ship.is_empty() && !ship_amount.is_zero() {
            self.ledger.book(&accounts.shipping_income, ship_amount);
            booked += ship_amount;
        }
        // Fees and taxes on fees.
        let ft = t.get("fee_tax_breakdown");
        for part in ["fee", "tax"] {
            let m = breakdown(
                ft.and_then(|v| v.get(part)),
                &format!("transaction {id} fee_tax_breakdown.{part}"),
            )
            .map_err(|e| self.unreadable(e))?;
            for (k, a) in &m {
                let account = match self.group_of(k).and_then(|g| accounts.fee_groups.get(&g)) {
                    Some(acc) => acc.clone(),
                    None => {
                        if !a.is_zero() {
                            self.unknown.insert(k.clone());
                        }
                        accounts.other_fees.clone()
                    }
                };
                self.ledger.book(&account, *a);
                booked += a;
            }
        }
        let fee_tax = f("fee_tax_amount").map_err(|e| self.unreadable(e))?;
        if ft.is_none() && !fee_tax.is_zero() {
            self.ledger.book(&accounts.other_fees, fee_tax);
            booked += fee_tax;
        }
        // Adjustments.
        let adj = f("adjustment_amount").map_err(|e| self.unreadable(e))?;
        if !adj.is_zero() {
            let account = accounts
                .adjustments
                .get(&kind)
                .unwrap_or(&accounts.other_adjustments);
            self.ledger.book(account, adj);
            booked += adj;
        }
        if booked != settlement {
            self.differences.push(format!(
                "transaction {id} ({kind}): its parts add up to {booked}, its settlement_amount is {settlement}"
            ));
        }
        // Breakdown totals must match their own amounts (I3).
        let rev_sum: Money = rev.values().sum();
        if !rev.is_empty() && rev_sum != revenue {
            self.differences.push(format!("transaction {id}: revenue_breakdown adds up to {rev_sum}, revenue_amount is {revenue}"));
        }
        Ok(())
    }

    /// Checks the totals of `statement` (its root fields) against what was
    /// added, and gives the journal or why it is held.
    pub fn finish(mut self, statement: &Value, external_id: &str) -> Result<JournalPlan, Held> {
        let accounts = self.accounts;
        let total = amount(
            statement.get("total_settlement_amount"),
            "total_settlement_amount",
        )
        .map_err(|e| self.unreadable(e))?;
        let total_reserve = amount(
            statement.get("total_reserve_amount"),
            "total_reserve_amount",
        )
        .map_err(|e| self.unreadable(e))?;
        let payable = amount(statement.get("payable_amount"), "payable_amount")
            .map_err(|e| self.unreadable(e))?;
        let (sum_settlement, sum_reserve) = (self.sum_settlement, self.sum_reserve);
        if sum_settlement != total {
            self.differences.push(format!(
                "the transactions settle {sum_settlement}, total_settlement_amount is {total}"
            ));
        }
        if sum_reserve != total_reserve {
            self.differences.push(format!(
                "the reserve rows add up to {sum_reserve}, total_reserve_amount is {total_reserve}"
            ));
        }
        if total + total_reserve != payable {
            self.differences.push(format!("total_settlement_amount {total} + total_reserve_amount {total_reserve} ≠ payable_amount {payable}"));
        }
        // The payable goes to the in-transit account (debit when positive).
        self.ledger.book(&accounts.payout_in_transit, -payable);
        let residual: Money = self.ledger.by_account.values().sum();
        let mut variances = Vec::new();
        if !self.differences.is_empty() || !residual.is_zero() {
            match &accounts.variance {
                Some(v) => {
                    self.ledger.book(v, -residual);
                    variances = std::mem::take(&mut self.differences);
                }
                None => {
                    return Err(Held::DoesNotAddUp {
                        statement: self.sid,
                        differences: self.differences,
                    });
                }
            }
        }
        let sid = self.sid;
        let lines = self
            .ledger
            .by_account
            .into_iter()
            .filter(|(_, a)| !a.is_zero())
            .map(|(account, a)| JournalLine {
                memo: format!("TikTok statement {sid}"),
                debit: if a < Decimal::ZERO { -a } else { Money::ZERO },
                credit: if a > Decimal::ZERO { a } else { Money::ZERO },
                account,
            })
            .collect();
        Ok(JournalPlan {
            external_id: external_id.to_string(),
            statement_id: sid,
            currency: statement
                .get("currency")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            lines,
            unknown_fee_keys: self.unknown,
            transactions_by_type: self.by_type,
            variances,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// The worked sample of finance-inventory-fulfilment.md §1.10.
    pub(crate) fn sample() -> Value {
        serde_json::from_str(include_str!(
            "../../../events/finance/statement-transactions-sample.json"
        ))
        .unwrap()
    }

    pub(crate) use crate::mapping::payouts::tests::accounts;

    fn d(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn line(p: &JournalPlan, account: &str) -> (Money, Money) {
        p.lines
            .iter()
            .find(|l| l.account == account)
            .map_or((Money::ZERO, Money::ZERO), |l| (l.debit, l.credit))
    }

    #[test]
    fn the_sample_statement_gives_the_hand_computed_balanced_journal() {
        let p = plan_journal(&sample(), &accounts(), "tts-stmt-7491234567890123456").unwrap();
        // Cr revenue 50 + 30; Dr seller discount 5; Cr shipping 5.99;
        // Dr referral 2.70 + 1.80; Dr affiliate 4.50; Cr logistics
        // reimbursement 12.50; Dr reserve held 5; Dr payout in transit 79.49.
        assert_eq!(line(&p, "4000"), (Money::ZERO, d("80.00")));
        assert_eq!(line(&p, "4010"), (d("5.00"), Money::ZERO));
        assert_eq!(line(&p, "4100"), (Money::ZERO, d("5.99")));
        assert_eq!(line(&p, "6100"), (d("4.50"), Money::ZERO));
        assert_eq!(line(&p, "6120"), (d("4.50"), Money::ZERO));
        assert_eq!(line(&p, "4200"), (Money::ZERO, d("12.50")));
        assert_eq!(line(&p, "1250"), (d("5.00"), Money::ZERO));
        assert_eq!(line(&p, "1260"), (d("79.49"), Money::ZERO));
        assert_eq!(p.lines.len(), 8, "{:?}", p.lines);
        assert_eq!(p.total_debits(), d("98.49"));
        assert_eq!(p.total_credits(), d("98.49"));
        assert!(p.unknown_fee_keys.is_empty() && p.variances.is_empty());
        assert_eq!(p.transactions_by_type.get("ORDER"), Some(&2));
    }

    #[test]
    fn with_revenue_on_the_sales_orders_the_sales_side_clears_their_receivable() {
        let mut a = accounts();
        a.revenue_source = RevenueSource::SalesOrders {
            clearing_account: "1300".into(),
        };
        let p = plan_journal(&sample(), &a, "x").unwrap();
        assert_eq!(line(&p, "1300"), (Money::ZERO, d("75.00")), "80 − 5, net");
        assert_eq!(
            line(&p, "4000"),
            (Money::ZERO, Money::ZERO),
            "no revenue twice"
        );
        assert_eq!(p.total_debits(), p.total_credits());
    }

    #[test]
    fn an_unknown_fee_key_goes_to_other_fees_and_is_listed() {
        let mut s = sample();
        let t = &mut s["transactions"][1];
        t["fee_tax_breakdown"]["fee"]["gmv_max_ad_fee_amount"] = json!("-1.00");
        t["fee_tax_amount"] = json!("-2.80");
        t["settlement_amount"] = json!("27.20");
        s["total_settlement_amount"] = json!("83.49");
        s["payable_amount"] = json!("78.49");
        let p = plan_journal(&s, &accounts(), "x").unwrap();
        assert_eq!(line(&p, "6190"), (d("1.00"), Money::ZERO));
        assert!(p.unknown_fee_keys.contains("gmv_max_ad_fee_amount"));
        assert_eq!(p.total_debits(), p.total_credits());
    }

    #[test]
    fn a_statement_that_does_not_add_up_is_held_unless_a_variance_account_takes_it() {
        let mut s = sample();
        s["total_settlement_amount"] = json!("84.50");
        s["payable_amount"] = json!("79.50");
        let held = plan_journal(&s, &accounts(), "x").unwrap_err();
        let text = held.to_string();
        assert!(
            text.contains("settle 84.49") && text.contains("84.50"),
            "{text}"
        );
        let mut a = accounts();
        a.variance = Some("6999".into());
        let p = plan_journal(&s, &a, "x").unwrap();
        assert_eq!(line(&p, "6999"), (Money::ZERO, d("0.01")));
        assert_eq!(line(&p, "1260"), (d("79.50"), Money::ZERO));
        assert_eq!(p.total_debits(), p.total_credits());
        assert_eq!(p.variances.len(), 1);
        // A transaction whose parts do not sum to its settlement is named.
        let mut t = sample();
        t["transactions"][0]["settlement_amount"] = json!("43.80");
        let e = plan_journal(&t, &accounts(), "x").unwrap_err().to_string();
        assert!(
            e.contains("7491234500000000001") && e.contains("43.79"),
            "{e}"
        );
        let mut bad = sample();
        bad["transactions"][0]["revenue_amount"] = json!("forty");
        assert!(matches!(
            plan_journal(&bad, &accounts(), "x"),
            Err(Held::Unreadable { .. })
        ));
    }
}
