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

use super::rounding::round_ledger;
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

pub use crate::mapping::payouts::{default_fee_keys, PayoutAccounts, RevenueSource, SHIPPING_KEYS};

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
    /// Keys no table knows: fee keys (booked to other fees) by name,
    /// revenue keys as `revenue_breakdown.<key>` (booked to other
    /// adjustments) and shipping keys as `shipping_cost_breakdown.<key>`
    /// (booked to shipping services).
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
            RevenueSource::SalesOrders {
                clearing_account, ..
            } => clearing_account.clone(),
        }
    }

    /// Sales-Orders mode only: the platform-funded discount and the tax
    /// TikTok collects, outside settlement (§1.5, I9), move between clearing
    /// and their own accounts (each pair nets to zero, so the balance and
    /// the settlement are untouched), finance notes §5.2.
    fn supplementary(&mut self, t: &Value, id: &str) -> Result<(), Held> {
        let accounts = self.accounts;
        let RevenueSource::SalesOrders {
            clearing_account,
            platform_discount_account,
            collected_tax_account,
        } = &accounts.revenue_source
        else {
            return Ok(());
        };
        let sup = t.get("supplementary_component");
        let f = |name: &str| {
            amount(
                sup.and_then(|s| s.get(name)),
                &format!("transaction {id} supplementary_component.{name}"),
            )
        };
        if let Some(acc) = platform_discount_account {
            let pd = f("platform_discount_amount").map_err(|e| self.unreadable(e))?
                + f("platform_discount_refund_amount").map_err(|e| self.unreadable(e))?;
            self.ledger.book(clearing_account, -pd);
            self.ledger.book(acc, pd);
        }
        if let Some(acc) = collected_tax_account {
            let tax = match sup.and_then(|s| s.get("sales_tax_amount")) {
                Some(_) => f("sales_tax_amount"),
                None => Ok(
                    f("sales_tax_payment_amount").map_err(|e| self.unreadable(e))?
                        + f("sales_tax_refund_amount").map_err(|e| self.unreadable(e))?,
                ),
            }
            .map_err(|e| self.unreadable(e))?;
            self.ledger.book(clearing_account, tax);
            self.ledger.book(acc, -tax);
        }
        Ok(())
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
                // A key TikTok added (e.g. `cod_service_fee_amount`): the
                // shop's table, else other adjustments, and listed.
                _ => match accounts.revenue_keys.get(k) {
                    Some(acc) => acc.clone(),
                    None => {
                        if !a.is_zero() {
                            self.unknown.insert(format!("revenue_breakdown.{k}"));
                        }
                        accounts.other_adjustments.clone()
                    }
                },
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
                // In Sales-Orders mode the order billed it: clearing.
                let account = self.sales(&accounts.shipping_income);
                self.ledger.book(&account, *a);
            } else {
                let group = self.group_of(k).unwrap_or_else(|| {
                    if !a.is_zero() && !SHIPPING_KEYS.contains(&k.as_str()) {
                        self.unknown.insert(format!("shipping_cost_breakdown.{k}"));
                    }
                    "shipping_services".into()
                });
                let account = accounts
                    .fee_groups
                    .get(&group)
                    .unwrap_or(&accounts.other_fees);
                self.ledger.book(account, *a);
            }
            booked += a;
        }
        if ship.is_empty() && !ship_amount.is_zero() {
            let account = self.sales(&accounts.shipping_income);
            self.ledger.book(&account, ship_amount);
            booked += ship_amount;
        }
        self.supplementary(t, id)?;
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
        let currency = statement
            .get("currency")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let rounding = accounts.rounding.as_deref();
        let transit = &accounts.payout_in_transit;
        if let Err(r) = round_ledger(
            &mut self.ledger.by_account,
            currency,
            transit,
            payable,
            rounding,
        ) {
            let dp = super::rounding::minor_unit(currency);
            return Err(Held::DoesNotAddUp {
                statement: self.sid,
                differences: vec![
                    format!(
                "rounding to {dp} decimals leaves {r}: name a payouts.rounding account to take it"),
                ],
            });
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
            currency: currency.to_string(),
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
        let p = plan_journal(&sample(), &sales_orders(None, None), "x").unwrap();
        assert_eq!(
            line(&p, "1300"),
            (Money::ZERO, d("80.99")),
            "80 − 5 + 5.99 shipping the orders billed"
        );
        assert_eq!(
            line(&p, "4100"),
            (Money::ZERO, Money::ZERO),
            "no shipping income twice"
        );
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

    fn sales_orders(pd: Option<&str>, tax: Option<&str>) -> PayoutAccounts {
        let mut a = accounts();
        a.revenue_source = RevenueSource::SalesOrders {
            clearing_account: "1300".into(),
            platform_discount_account: pd.map(str::to_string),
            collected_tax_account: tax.map(str::to_string),
        };
        a
    }

    /// Issue 23's GBP order: 50.00 − 5.00 seller discount + 4.99 shipping
    /// − 3.60 commission = 46.39.
    #[test]
    fn in_sales_orders_mode_the_customer_paid_shipping_clears_and_is_no_income() {
        let s = json!({"id": "S1", "currency": "GBP", "total_settlement_amount": "46.39",
            "total_reserve_amount": "0", "payable_amount": "46.39", "transactions": [{
            "id": "T1", "type": "ORDER", "settlement_amount": "46.39", "revenue_amount": "45.00",
            "revenue_breakdown": {"subtotal_before_discount_amount": "50.00",
                                  "seller_discount_amount": "-5.00"},
            "shipping_cost_amount": "4.99",
            "shipping_cost_breakdown": {"customer_paid_shipping_fee_amount": "4.99"},
            "fee_tax_amount": "-3.60",
            "fee_tax_breakdown": {"fee": {"platform_commission_amount": "-3.60"}, "tax": {}}}]});
        let p = plan_journal(&s, &sales_orders(None, None), "x").unwrap();
        assert_eq!(line(&p, "1300"), (Money::ZERO, d("49.99")));
        assert_eq!(line(&p, "6100"), (d("3.60"), Money::ZERO));
        assert_eq!(line(&p, "1260"), (d("46.39"), Money::ZERO));
        assert_eq!(p.lines.len(), 3, "no shipping-income line: {:?}", p.lines);
    }

    /// finance-inventory-fulfilment.md §5.2's worked table: the Sales Orders
    /// booked the customer-paid amounts incl. tax (51.59 + 32.10), so
    /// clearing takes 83.69, the platform's 3.00 discount is reimbursed
    /// and the 5.70 tax TikTok remits clears sales tax payable.
    #[test]
    fn the_platform_discount_and_the_collected_tax_clear_in_sales_orders_mode() {
        let p = plan_journal(&sample(), &sales_orders(Some("4050"), Some("2200")), "x").unwrap();
        assert_eq!(line(&p, "1300"), (Money::ZERO, d("83.69")));
        assert_eq!(line(&p, "4050"), (Money::ZERO, d("3.00")));
        assert_eq!(line(&p, "2200"), (d("5.70"), Money::ZERO));
        assert_eq!(line(&p, "1260"), (d("79.49"), Money::ZERO));
        assert_eq!(p.total_debits(), d("99.19"));
        assert_eq!(p.total_credits(), d("99.19"));
        // The journal mode books neither (supplementary, outside settlement).
        let j = plan_journal(&sample(), &accounts(), "x").unwrap();
        assert!(j
            .lines
            .iter()
            .all(|l| l.account != "4050" && l.account != "2200"));
    }

    #[test]
    fn unknown_revenue_and_shipping_keys_go_where_mapped_or_to_a_named_default_and_are_listed() {
        let mut s = sample();
        let t = &mut s["transactions"][1];
        t["revenue_breakdown"]["cod_service_fee_amount"] = json!("2.00");
        t["revenue_breakdown"]["refund_cod_service_fee_amount"] = json!("-0.50");
        t["revenue_amount"] = json!("31.50");
        t["shipping_cost_breakdown"]["shipping_app_service_fee_amount"] = json!("-0.25");
        t["shipping_cost_amount"] = json!("-0.25");
        t["settlement_amount"] = json!("29.45");
        s["total_settlement_amount"] = json!("85.74");
        s["payable_amount"] = json!("80.74");
        let mut a = accounts();
        a.revenue_keys
            .insert("refund_cod_service_fee_amount".into(), "4020".into());
        let p = plan_journal(&s, &a, "x").unwrap();
        assert_eq!(
            line(&p, "4000"),
            (Money::ZERO, d("80.00")),
            "gross sales untouched"
        );
        assert_eq!(
            line(&p, "6900"),
            (Money::ZERO, d("2.00")),
            "the named default"
        );
        assert_eq!(
            line(&p, "4020"),
            (d("0.50"), Money::ZERO),
            "the mapped account"
        );
        assert_eq!(line(&p, "6130"), (d("0.25"), Money::ZERO));
        let listed: Vec<&str> = p.unknown_fee_keys.iter().map(String::as_str).collect();
        assert_eq!(
            listed,
            [
                "revenue_breakdown.cod_service_fee_amount",
                "shipping_cost_breakdown.shipping_app_service_fee_amount"
            ]
        );
        assert_eq!(p.total_debits(), p.total_credits());
    }

    /// A small deterministic generator (xorshift), so the property test
    /// needs no new dependency and every failure names its seed.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        /// A signed amount with up to 3 decimals (sub-cent parts on purpose).
        fn amount(&mut self, max_milli: i64) -> Money {
            let v = (self.next() % (2 * max_milli as u64 + 1)) as i64 - max_milli;
            Money::new(v, 3)
        }
        fn pick<'a>(&mut self, keys: &[&'a str]) -> &'a str {
            keys[(self.next() % keys.len() as u64) as usize]
        }
    }

    /// A statement that adds up: every transaction's settlement is the
    /// exact sum of its generated parts, the totals their exact sums.
    fn generated_statement(g: &mut Gen, currency: &str) -> Value {
        let fees = [
            "platform_commission_amount",
            "transaction_fee_amount",
            "affiliate_commission_amount",
            "vat_amount",
            "gmv_max_ad_fee_amount",
        ];
        let revs = [
            "subtotal_before_discount_amount",
            "seller_discount_amount",
            "refund_subtotal_before_discount_amount",
            "cod_service_fee_amount",
        ];
        let ships = [
            "customer_paid_shipping_fee_amount",
            "actual_shipping_fee_amount",
            "shipping_app_service_fee_amount",
        ];
        let (mut total, mut reserve) = (Money::ZERO, Money::ZERO);
        let mut ts = Vec::new();
        for i in 0..(1 + g.next() % 12) {
            if g.next().is_multiple_of(6) {
                let r = g.amount(20_000);
                reserve += r;
                ts.push(json!({"id": format!("R{i}"), "type": "RESERVE", "reserve_amount": r.to_string()}));
                continue;
            }
            let mut settle = Money::ZERO;
            let (mut rev, mut ship, mut fee) = (json!({}), json!({}), json!({}));
            let (mut rsum, mut ssum, mut fsum) = (Money::ZERO, Money::ZERO, Money::ZERO);
            for _ in 0..(g.next() % 4) {
                let a = g.amount(99_999);
                let k = g.pick(&revs);
                let prev = amount(rev.get(k), k).unwrap();
                rev[k] = json!((prev + a).to_string());
                rsum += a;
            }
            for _ in 0..(g.next() % 3) {
                let a = g.amount(9_999);
                let k = g.pick(&ships);
                let prev = amount(ship.get(k), k).unwrap();
                ship[k] = json!((prev + a).to_string());
                ssum += a;
            }
            for _ in 0..(g.next() % 4) {
                let a = g.amount(9_999);
                let k = g.pick(&fees);
                let prev = amount(fee.get(k), k).unwrap();
                fee[k] = json!((prev + a).to_string());
                fsum += a;
            }
            let adj = if g.next().is_multiple_of(5) {
                g.amount(5_000)
            } else {
                Money::ZERO
            };
            settle += rsum + ssum + fsum + adj;
            total += settle;
            ts.push(json!({"id": format!("T{i}"), "type": "ORDER",
                "settlement_amount": settle.to_string(), "revenue_amount": rsum.to_string(),
                "revenue_breakdown": rev, "shipping_cost_amount": ssum.to_string(),
                "shipping_cost_breakdown": ship, "fee_tax_amount": fsum.to_string(),
                "fee_tax_breakdown": {"fee": fee, "tax": {}},
                "adjustment_amount": adj.to_string(),
                "supplementary_component": {"platform_discount_amount": g.amount(3_000).to_string(),
                    "sales_tax_amount": g.amount(3_000).to_string()}}));
        }
        json!({"id": "G", "currency": currency, "transactions": ts,
            "total_settlement_amount": total.to_string(),
            "total_reserve_amount": reserve.to_string(),
            "payable_amount": (total + reserve).to_string()})
    }

    /// Issue 23 item 4: over generated statements that add up (sub-cent
    /// parts, reserves, unknown keys, both revenue modes, GBP / JPY / KWD),
    /// the journal balances (Dr = Cr), every line is in the currency's
    /// minor unit, and its movement on the in-transit account equals the
    /// payable (settlement + reserve) rounded once, half away from zero.
    #[test]
    fn every_statement_that_adds_up_gives_a_balanced_journal_moving_in_transit_by_its_payable() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        for n in 0..3000 {
            let currency = ["GBP", "JPY", "KWD", "USD"][n % 4];
            let s = generated_statement(&mut g, currency);
            let mut a = if n % 2 == 0 {
                accounts()
            } else {
                sales_orders(Some("4050"), Some("2200"))
            };
            a.rounding = Some("8999".into());
            let p = plan_journal(&s, &a, "x").unwrap_or_else(|e| panic!("#{n}: {e}\n{s}"));
            assert_eq!(p.total_debits(), p.total_credits(), "#{n} {s}");
            let payable = amount(s.get("payable_amount"), "payable").unwrap();
            let (dr, cr) = line(&p, "1260");
            assert_eq!(
                dr - cr,
                super::super::rounding::round(payable, currency),
                "#{n} {s}"
            );
            let dp = super::super::rounding::minor_unit(currency);
            for l in &p.lines {
                assert!(
                    l.debit.round_dp(dp) == l.debit && l.credit.round_dp(dp) == l.credit,
                    "#{n} {l:?}"
                );
            }
        }
    }

    /// tiktok-shipping.md §6 / edge case 20: a TikTok Shipping label whose
    /// Create Packages estimate was 5.00 settles at 5.40
    /// (`actual_shipping_fee_amount`, of which the supplementary
    /// `fbm_shipping_cost_amount` is a part, not an addition): booked once,
    /// at 5.40 (the estimate never reaches the journal: it is not in the
    /// statement).
    #[test]
    fn a_tiktok_shipping_label_fee_is_booked_once_at_the_settled_amount() {
        let s = json!({"id": "S9", "currency": "USD", "total_settlement_amount": "14.60",
            "total_reserve_amount": "0", "payable_amount": "14.60", "transactions": [{
            "id": "T9", "type": "ORDER", "settlement_amount": "14.60", "revenue_amount": "20.00",
            "revenue_breakdown": {"subtotal_before_discount_amount": "20.00"},
            "shipping_cost_amount": "-5.40",
            "shipping_cost_breakdown": {"actual_shipping_fee_amount": "-5.40"},
            "supplementary_component": {"fbm_shipping_cost_amount": "-5.40",
                                        "estimated_shipping_fee_amount": "-5.00"},
            "fee_tax_amount": "0", "fee_tax_breakdown": {"fee": {}, "tax": {}}}]});
        let p = plan_journal(&s, &accounts(), "x").unwrap();
        let fee: Vec<_> = p.lines.iter().filter(|l| l.account == "6130").collect();
        assert_eq!(fee.len(), 1, "{:?}", p.lines);
        assert_eq!((fee[0].debit, fee[0].credit), (d("5.40"), Money::ZERO));
        assert_eq!(p.total_debits(), p.total_credits());
        assert!(p.unknown_fee_keys.is_empty(), "{:?}", p.unknown_fee_keys);
    }
}
