//! Two balance checks of the reconciliation report (issue 12 §5), pure:
//!
//! - **Reserve roll-forward.** TikTok reports reserve movements per
//!   statement (`reserve_amount` of its transactions, negative = held,
//!   positive = released; finance notes §1.3) and per payment
//!   (`payment.reserve_amount`, I7) but no running balance, so the job keeps
//!   one per shop: a [`ReserveLedger`] of each statement's movement, keyed
//!   by statement id so a re-run replaces rather than adds. A statement's
//!   opening balance is the sum over the statements before it (by
//!   statement time, then id); opening + held − released = closing. Where
//!   TikTok gives an independent figure (the payment of this statement
//!   alone: its `reserve_amount`), the movement is checked against it.
//! - **Clearing nets to zero over a payment.** Each statement journal debits
//!   the payout in-transit (clearing) account with its payable; the payment
//!   journal credits it with what went to the bank. Per payment:
//!   Σ payables into clearing − moved out = 0, or the check fails with the
//!   amount left in clearing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::plan::JournalLine;
use super::report::ReportRow;
use crate::domain::Money;
use crate::tiktok::finance::Payment;

/// One statement's reserve movement.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReserveMove {
    pub statement_time: i64,
    /// Withheld (positive amount).
    pub held: Money,
    /// Given back (positive amount).
    pub released: Money,
}

impl ReserveMove {
    /// The movement of a statement's rows: every transaction's
    /// `reserve_amount`, negative held, positive released.
    pub fn of_rows(statement_time: i64, rows: &[ReportRow]) -> Self {
        let mut m = ReserveMove {
            statement_time,
            ..Default::default()
        };
        for r in rows {
            if r.reserve < Money::ZERO {
                m.held -= r.reserve;
            } else {
                m.released += r.reserve;
            }
        }
        m
    }

    /// Released − held: what this statement added to the payable.
    pub fn net(&self) -> Money {
        self.released - self.held
    }
}

/// The per-shop reserve balance (job state item `reserve`), by statement.
/// About 80 bytes a statement: a daily statement for ten years stays far
/// below DynamoDB's 400 KB item limit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReserveLedger {
    pub movements: BTreeMap<String, ReserveMove>,
}

/// A statement's reserve roll-forward as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RollForward {
    pub opening: Money,
    pub held: Money,
    pub released: Money,
    pub closing: Money,
    /// TikTok's figure for this statement's net movement, when it has an
    /// independent one (the payment of this statement alone).
    #[serde(default)]
    pub tiktok_net: Option<Money>,
}

impl RollForward {
    /// Pass / fail against TikTok, `None` when TikTok has no figure.
    pub fn pass(&self) -> Option<bool> {
        self.tiktok_net.map(|t| t == self.released - self.held)
    }

    pub fn detail(&self) -> String {
        let tiktok = match self.tiktok_net {
            Some(t) => format!("; TikTok's payment says {t}"),
            None => "; TikTok gives no figure for this statement alone".into(),
        };
        format!(
            "opening {} + held {} − released {} = closing {} (net to payable {}){tiktok}",
            self.opening,
            self.held,
            self.released,
            self.closing,
            self.released - self.held
        )
    }
}

impl ReserveLedger {
    /// Records (or replaces) `id`'s movement and rolls the balance forward
    /// to it. The balance is what the seller has in reserve: held adds,
    /// released takes away.
    pub fn record(&mut self, id: &str, m: ReserveMove) -> RollForward {
        let key = (m.statement_time, id.to_string());
        let opening: Money = self
            .movements
            .iter()
            .filter(|(k, v)| (v.statement_time, (*k).clone()) < key)
            .map(|(_, v)| v.held - v.released)
            .sum();
        let rf = RollForward {
            opening,
            held: m.held,
            released: m.released,
            closing: opening + m.held - m.released,
            tiktok_net: None,
        };
        self.movements.insert(id.to_string(), m);
        rf
    }
}

/// TikTok's net reserve for a statement: the `reserve_amount` of its
/// payment when that payment pays this statement alone (its amount before
/// exchange is this payable); a combined payment's reserve spans several.
pub fn tiktok_reserve_net(payment: Option<&Payment>, payable: Money) -> Option<Money> {
    let p = payment?;
    (p.payment_amount_before_exchange.value == payable).then_some(p.reserve_amount.value)
}

/// The clearing (payout in-transit) account over one payment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClearingCheck {
    /// Σ payables the statement journals put into clearing.
    pub into: Money,
    /// Net credit of the payment journal to clearing.
    pub moved_out: Money,
}

impl ClearingCheck {
    /// The check over the statements' payables and the payment journal's
    /// lines (empty when the payment is not booked).
    pub fn of(payables: &[Money], payment_lines: &[JournalLine], clearing: &str) -> Self {
        ClearingCheck {
            into: payables.iter().copied().sum(),
            moved_out: payment_lines
                .iter()
                .filter(|l| l.account == clearing)
                .map(|l| l.credit - l.debit)
                .sum(),
        }
    }

    /// What is left in clearing for this payment.
    pub fn left(&self) -> Money {
        self.into - self.moved_out
    }

    pub fn pass(&self) -> bool {
        self.left().is_zero()
    }

    pub fn detail(&self) -> String {
        format!(
            "{} into clearing − {} moved to the bank = {}",
            self.into,
            self.moved_out,
            self.left()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn row(reserve: &str) -> ReportRow {
        ReportRow {
            transaction_id: "t".into(),
            kind: "RESERVE".into(),
            order_id: String::new(),
            adjustment_id: String::new(),
            settlement: Money::ZERO,
            revenue: Money::ZERO,
            shipping: Money::ZERO,
            fee_tax: Money::ZERO,
            adjustment: Money::ZERO,
            reserve: d(reserve),
            customer_payment: Money::ZERO,
            platform_discount: Money::ZERO,
            sales_tax: Money::ZERO,
            sales_order: String::new(),
        }
    }

    #[test]
    fn the_reserve_rolls_forward_by_statement_time_and_a_rerun_replaces() {
        let mut l = ReserveLedger::default();
        let a = l.record(
            "A",
            ReserveMove::of_rows(100, &[row("-5.00"), row("-3.00")]),
        );
        assert_eq!(
            (a.opening, a.held, a.closing),
            (d("0"), d("8.00"), d("8.00"))
        );
        let b = l.record("B", ReserveMove::of_rows(200, &[row("2.00"), row("-1.00")]));
        assert_eq!(
            (b.opening, b.held, b.released, b.closing),
            (d("8.00"), d("1.00"), d("2.00"), d("7.00"))
        );
        // Re-running A changes nothing; B still opens at 8.
        let again = l.record(
            "A",
            ReserveMove::of_rows(100, &[row("-5.00"), row("-3.00")]),
        );
        assert_eq!(again, a);
        assert_eq!(
            l.record("B", ReserveMove::of_rows(200, &[row("2.00"), row("-1.00")])),
            b
        );
        // A late statement between them opens at A's closing.
        let late = l.record("A2", ReserveMove::of_rows(150, &[]));
        assert_eq!(late.opening, d("8.00"));
        // Against TikTok's figure.
        let mut rf = b.clone();
        assert_eq!(rf.pass(), None);
        rf.tiktok_net = Some(d("1.00"));
        assert_eq!(rf.pass(), Some(true));
        rf.tiktok_net = Some(d("-1.00"));
        assert_eq!(rf.pass(), Some(false));
        assert!(rf.detail().contains("closing 7.00"), "{}", rf.detail());
    }

    #[test]
    fn clearing_nets_to_zero_only_when_the_payment_moves_every_payable_out() {
        let l = |account: &str, debit: &str, credit: &str| JournalLine {
            account: account.into(),
            debit: d(debit),
            credit: d(credit),
            memo: String::new(),
        };
        let booked = [l("1000", "100.00", "0"), l("1260", "0", "100.00")];
        let c = ClearingCheck::of(&[d("79.49"), d("20.51")], &booked, "1260");
        assert!(c.pass(), "{}", c.detail());
        let c = ClearingCheck::of(&[d("79.49")], &booked, "1260");
        assert_eq!(c.left(), d("-20.51"));
        assert!(!c.pass());
        let held = ClearingCheck::of(&[d("79.49")], &[], "1260");
        assert_eq!(held.left(), d("79.49"));
        assert_eq!(
            held.detail(),
            "79.49 into clearing − 0 moved to the bank = 79.49"
        );
    }
}
