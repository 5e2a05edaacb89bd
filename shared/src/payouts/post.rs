//! From planned lines to NetSuite `journalEntry` bodies, and the payment
//! journal (pure).
//!
//! Body fields are those of the recorded REST journal entry create
//! (netsuite-rest-api.md §2 "Journal entry": `subsidiary`, `currency`,
//! `externalId`, `tranDate`, `memo`, `exchangeRate`; lines `account`,
//! `debit`/`credit`, `memo`, `department`, `class`, `location`). Lines are
//! sent with `?replace=line` by the job: an upsert *adds* the body's lines
//! to the stored ones otherwise (§0, "Updating a Sublist"
//! section_1545295601), so a re-run would double the entry.
//!
//! Payments (finance notes §5.2 "JE-2"): one entry per payment, Dr bank
//! `amount.value` / Cr payout in-transit Σ `payable_amount` of its
//! statements (several statements when TikTok combined them, §0 item 4);
//! a difference between the two goes to the shop's exchange-difference
//! account or holds the payment.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::plan::JournalLine;
use crate::domain::{Money, ShopId};
use crate::mapping::payouts::{AccountIds, PayoutConfig};
use crate::tiktok::finance::{Payment, PaymentStatus};

/// `tts-stmt-<shop>-<statement>`: deterministic, `[A-Za-z0-9_-]` only.
pub fn statement_external_id(shop: &ShopId, statement: &str) -> String {
    crate::mapping::external_id("tts-stmt", shop, statement)
}

/// `tts-pay-<shop>-<payment>`.
pub fn payment_external_id(shop: &ShopId, payment: &str) -> String {
    crate::mapping::external_id("tts-pay", shop, payment)
}

/// The date a statement is booked on: `statement_time` marks the end of
/// the day it covers (finance notes §1.2), so the day of the second before.
pub fn statement_date(statement_time: i64) -> String {
    date_of(statement_time - 1)
}

/// `YYYY-MM-DD` (UTC) of unix seconds.
pub fn date_of(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Header fields every journal of the shop carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalHeader {
    pub external_id: String,
    pub subsidiary: String,
    /// NetSuite currency id (`None`: the subsidiary's base currency).
    pub currency: Option<String>,
    pub tran_date: String,
    pub memo: String,
    pub department: Option<String>,
    pub class: Option<String>,
    pub location: Option<String>,
}

/// Lines come rounded once, in the currency's minor unit, by the planner
/// (`rounding`): rounding again here could unbalance them.
fn money(m: Money) -> Value {
    crate::mapping::num(m)
}

/// The `journalEntry` body; every account number must be in `ids`.
pub fn journal_body(
    h: &JournalHeader,
    lines: &[JournalLine],
    ids: &AccountIds,
) -> Result<Value, String> {
    let mut items = Vec::with_capacity(lines.len());
    for l in lines {
        let id = ids.get(&l.account).ok_or_else(|| {
            format!(
                "account {} is not in the resolved chart of accounts",
                l.account
            )
        })?;
        let mut line = json!({"account": {"id": id}, "memo": l.memo});
        if l.debit > Money::ZERO {
            line["debit"] = money(l.debit);
        } else {
            line["credit"] = money(l.credit);
        }
        for (k, v) in [
            ("department", &h.department),
            ("class", &h.class),
            ("location", &h.location),
        ] {
            if let Some(v) = v {
                line[k] = json!({ "id": v });
            }
        }
        items.push(line);
    }
    let mut body = json!({
        "externalId": h.external_id,
        "subsidiary": {"id": h.subsidiary},
        "tranDate": h.tran_date,
        "memo": h.memo,
        "line": {"items": items},
    });
    if let Some(c) = &h.currency {
        body["currency"] = json!({ "id": c });
    }
    Ok(body)
}

/// sha256 of a body, to skip rewriting a journal that has not changed.
pub fn digest(body: &Value) -> String {
    hex::encode(Sha256::digest(body.to_string().as_bytes()))
}

/// A statement of a payment: its id, payable and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayableStatement {
    pub id: String,
    pub payable: Money,
    pub currency: String,
}

/// The journal of one payment, or why it is held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentPlan {
    Post {
        lines: Vec<JournalLine>,
        statements: Vec<String>,
        /// Statement ↔ payment ↔ bank, as finance reads it.
        summary: String,
    },
    /// Not posted (yet); the reason is reported.
    Hold(String),
    /// Nothing to book: not paid.
    Skip(String),
}

fn line(account: &str, signed: Money, memo: &str) -> JournalLine {
    JournalLine {
        account: account.to_string(),
        debit: if signed > Money::ZERO {
            signed
        } else {
            Money::ZERO
        },
        credit: if signed < Money::ZERO {
            -signed
        } else {
            Money::ZERO
        },
        memo: memo.to_string(),
    }
}

/// The bank amount in the statements' currency, and a note for finance.
///
/// Same currency: `amount.value` as is. Another bank currency: TikTok
/// states `amount ≈ payment_amount_before_exchange × exchange_rate`
/// (finance notes §1.4, invariant I6), so the deposit is valued in the
/// statement currency as `amount / exchange_rate`, to the cent; whatever
/// that leaves against the payable is the exchange difference, booked to
/// `payouts.fx_difference`. The journal stays in the statement (books)
/// currency, which the statement journal already requires. A missing or
/// non-positive rate holds the payment naming the field.
fn bank_in_statement_currency(p: &Payment, currency: &str) -> Result<(Money, String), String> {
    if p.amount.currency.eq_ignore_ascii_case(currency) || p.amount.currency.is_empty() {
        return Ok((p.amount.value, String::new()));
    }
    let rate = p.exchange_rate.filter(|r| *r > Money::ZERO).ok_or_else(|| {
        format!(
            "payment {}: the bank received {} {} for statements in {currency} but exchange_rate is {}: cannot value the deposit; ask TikTok for the rate or book it by hand",
            p.id,
            p.amount.value,
            p.amount.currency,
            p.exchange_rate.map(|r| r.to_string()).unwrap_or_else(|| "missing".into())
        )
    })?;
    let valued = (p.amount.value / rate).round_dp(2);
    Ok((
        valued,
        format!(
            " ({} {} at TikTok's rate {rate})",
            p.amount.value, p.amount.currency
        ),
    ))
}

/// Plans the clearing → bank journal of `p` from the statements it pays.
pub fn plan_payment(
    p: &Payment,
    statements: &[PayableStatement],
    cfg: &PayoutConfig,
) -> PaymentPlan {
    if p.status != PaymentStatus::Paid {
        return PaymentPlan::Skip(format!(
            "payment {} is {}: nothing reached the bank yet",
            p.id,
            p.status.as_str()
        ));
    }
    if statements.is_empty() {
        return PaymentPlan::Hold(format!(
            "payment {}: none of its statements has been read yet (outside the look-back window?)",
            p.id
        ));
    }
    let payable: Money = statements.iter().map(|s| s.payable).sum();
    let ids: Vec<String> = statements.iter().map(|s| s.id.clone()).collect();
    let before = p.payment_amount_before_exchange.value;
    if payable != before {
        return PaymentPlan::Hold(format!(
            "payment {}: its statements ({}) are payable {payable}, the payment before exchange is {before}: a statement of this payment is missing or TikTok's figures disagree",
            p.id,
            ids.join(", ")
        ));
    }
    let currency = &statements[0].currency;
    if statements.iter().any(|s| s.currency != *currency) {
        return PaymentPlan::Hold(format!(
            "payment {}: its statements are in different currencies ({}); TikTok pays one currency per payment, so a statement is misread: check them with `payouts show`",
            p.id,
            statements.iter().map(|s| s.currency.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let memo = format!("TikTok payment {}", p.id);
    let (bank, fx_note) = match bank_in_statement_currency(p, currency) {
        Ok(v) => v,
        Err(reason) => return PaymentPlan::Hold(reason),
    };
    let mut lines = vec![
        line(&cfg.bank, bank, &memo),
        line(&cfg.accounts.payout_in_transit, -payable, &memo),
    ];
    let diff = payable - bank;
    if !diff.is_zero() {
        match &cfg.fx_difference {
            Some(fx) => lines.push(line(fx, diff, &format!("{memo}: exchange difference"))),
            None => {
                return PaymentPlan::Hold(format!(
                    "payment {}: the bank received {bank} {currency}{fx_note}, its statements are payable {payable} (difference {diff}); set payouts.fx_difference to book it",
                    p.id
                ))
            }
        }
    }
    lines.retain(|l| !(l.debit.is_zero() && l.credit.is_zero()));
    PaymentPlan::Post {
        summary: format!(
            "payment {}: statements {} payable {payable} = payment {before} before exchange; bank {} {}{fx_note}",
            p.id,
            ids.join(" + "),
            p.amount.value,
            p.amount.currency
        ),
        lines,
        statements: ids,
    }
}

/// Debit and credit per account id over a journal's `line` sublist: a body
/// sent, or the record read back with its sublists expanded.
fn amounts_by_account(journal: &Value) -> BTreeMap<String, (Money, Money)> {
    let mut out: BTreeMap<String, (Money, Money)> = BTreeMap::new();
    for l in journal["line"]["items"].as_array().into_iter().flatten() {
        let account = match &l["account"]["id"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => "?".to_string(),
        };
        let amount = |k: &str| crate::mapping::money_of(&l[k]).unwrap_or_default();
        let e = out.entry(account).or_default();
        e.0 += amount("debit");
        e.1 += amount("credit");
    }
    out
}

/// What differs between the journal NetSuite holds and the body written
/// (line count, debit and credit per account), naming both figures; `None`
/// when they match. An upsert that appended instead of replacing
/// (section_1545295601) would double the entry: a money bug, never
/// accepted silently.
pub fn journal_differences(record: &Value, body: &Value) -> Option<String> {
    let count = |v: &Value| v["line"]["items"].as_array().map_or(0, Vec::len);
    let mut found = Vec::new();
    if count(record) != count(body) {
        found.push(format!(
            "{} line(s) where {} were written",
            count(record),
            count(body)
        ));
    }
    let (have, want) = (amounts_by_account(record), amounts_by_account(body));
    for account in have
        .keys()
        .chain(want.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (h, w) = (
            have.get(account).copied().unwrap_or_default(),
            want.get(account).copied().unwrap_or_default(),
        );
        if h != w {
            found.push(format!(
                "account {account}: Dr {} / Cr {} where Dr {} / Cr {} were written",
                h.0, h.1, w.0, w.1
            ));
        }
    }
    (!found.is_empty()).then(|| found.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::payouts::tests::config;

    fn payment(before: &str, bank: &str) -> Payment {
        serde_json::from_value(json!({
            "id": "P1", "create_time": 1767312000, "status": "PAID", "paid_time": 1767398400,
            "settlement_amount": {"value": before, "currency": "USD"},
            "reserve_amount": {"value": "0", "currency": "USD"},
            "payment_amount_before_exchange": {"value": before, "currency": "USD"},
            "exchange_rate": "1.000000",
            "amount": {"value": bank, "currency": "USD"}, "bank_account": "***1234"}))
        .unwrap()
    }

    fn st(id: &str, payable: &str) -> PayableStatement {
        PayableStatement {
            id: id.into(),
            payable: payable.parse().unwrap(),
            currency: "USD".into(),
        }
    }

    #[test]
    fn a_combined_payment_clears_every_statement_to_the_bank() {
        let c = config();
        let PaymentPlan::Post {
            lines, statements, ..
        } = plan_payment(
            &payment("100.00", "100.00"),
            &[st("A", "79.49"), st("B", "20.51")],
            &c,
        )
        else {
            panic!("posts")
        };
        assert_eq!(statements, ["A", "B"]);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].account.as_str(), lines[0].debit),
            ("1000", "100.00".parse().unwrap())
        );
        assert_eq!(
            (lines[1].account.as_str(), lines[1].credit),
            ("1260", "100.00".parse().unwrap())
        );
        assert!(matches!(
            plan_payment(&payment("100.00", "100.00"), &[st("A", "79.49")], &c),
            PaymentPlan::Hold(r) if r.contains("missing")
        ));
        assert!(matches!(
            plan_payment(&payment("100.00", "99.98"), &[st("A", "100.00")], &c),
            PaymentPlan::Hold(r) if r.contains("fx_difference")
        ));
        let mut fx = c.clone();
        fx.fx_difference = Some("7000".into());
        let PaymentPlan::Post { lines, .. } =
            plan_payment(&payment("100.00", "99.98"), &[st("A", "100.00")], &fx)
        else {
            panic!("posts")
        };
        let dr: Money = lines.iter().map(|l| l.debit).sum();
        let cr: Money = lines.iter().map(|l| l.credit).sum();
        assert_eq!(dr, cr);
    }

    fn foreign(bank: &str, currency: &str, rate: Option<&str>) -> Payment {
        let mut v = serde_json::to_value(payment("100.00", bank)).unwrap();
        v["amount"]["currency"] = json!(currency);
        v["exchange_rate"] = rate.map_or(Value::Null, |r| json!(r));
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_payment_in_another_bank_currency_books_the_exchange_difference() {
        let mut fx = config();
        fx.fx_difference = Some("7000".into());
        // 91.50 EUR at TikTok's 0.920000 is 99.46 USD: 0.54 USD lost.
        let PaymentPlan::Post { lines, summary, .. } = plan_payment(
            &foreign("91.50", "EUR", Some("0.920000")),
            &[st("A", "100.00")],
            &fx,
        ) else {
            panic!("posts")
        };
        let got: Vec<(&str, String, String)> = lines
            .iter()
            .map(|l| {
                (
                    l.account.as_str(),
                    l.debit.to_string(),
                    l.credit.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("1000", "99.46".into(), "0".into()),
                ("1260", "0".into(), "100.00".into()),
                ("7000", "0.54".into(), "0".into()),
            ]
        );
        assert!(
            summary.contains("91.50 EUR at TikTok's rate 0.920000"),
            "{summary}"
        );
        // A gain is a credit.
        let PaymentPlan::Post { lines, .. } = plan_payment(
            &foreign("92.50", "EUR", Some("0.920000")),
            &[st("A", "100.00")],
            &fx,
        ) else {
            panic!("posts")
        };
        assert_eq!(
            (lines[2].account.as_str(), lines[2].credit.to_string()),
            ("7000", "0.54".into())
        );
        // Without the account it is held naming the setting; without a
        // rate, naming the field.
        assert!(matches!(
            plan_payment(&foreign("91.50", "EUR", Some("0.920000")), &[st("A", "100.00")], &config()),
            PaymentPlan::Hold(r) if r.contains("payouts.fx_difference") && r.contains("EUR")
        ));
        assert!(matches!(
            plan_payment(&foreign("91.50", "EUR", None), &[st("A", "100.00")], &fx),
            PaymentPlan::Hold(r) if r.contains("exchange_rate is missing")
        ));
    }

    #[test]
    fn bodies_carry_ids_and_the_statement_date() {
        assert_eq!(statement_date(1767225600), "2025-12-31");
        let h = JournalHeader {
            external_id: statement_external_id(&ShopId::new("7494"), "749|1"),
            subsidiary: "1".into(),
            currency: None,
            tran_date: "2025-12-31".into(),
            memo: "m".into(),
            department: None,
            class: Some("3".into()),
            location: None,
        };
        assert_eq!(h.external_id, "tts-stmt-7494-7491");
        let ids = AccountIds::from([("1000".to_string(), "101".to_string())]);
        let l = line("1000", "5.10".parse().unwrap(), "x");
        let b = journal_body(&h, std::slice::from_ref(&l), &ids).unwrap();
        assert_eq!(b["line"]["items"][0]["account"]["id"], "101");
        assert_eq!(b["line"]["items"][0]["debit"].to_string(), "5.1");
        assert_eq!(b["line"]["items"][0]["class"]["id"], "3");
        assert!(journal_body(&h, &[line("9", Money::ONE, "x")], &AccountIds::new()).is_err());
    }

    #[test]
    fn a_journal_read_back_must_hold_what_was_written() {
        let body = json!({"line": {"items": [
            {"account": {"id": "11"}, "debit": 79.49},
            {"account": {"id": "12"}, "credit": 79.49},
        ]}});
        let same = json!({"id": "1006", "line": {"items": [
            {"account": {"id": "11"}, "debit": "79.49"},
            {"account": {"id": 12}, "credit": 79.49},
        ]}});
        assert_eq!(journal_differences(&same, &body), None);
        let mut appended = same.clone();
        appended["line"]["items"]
            .as_array_mut()
            .unwrap()
            .extend(body["line"]["items"].as_array().unwrap().clone());
        let d = journal_differences(&appended, &body).expect("doubled");
        assert!(d.contains("4 line(s) where 2 were written"), "{d}");
        assert!(d.contains("account 11: Dr 158.98"), "{d}");
    }
}
