//! Rounding a planned journal once, in the currency's minor unit (pure).
//!
//! TikTok's amounts are decimal strings; a statement with sub-cent parts
//! (or a currency with no minor unit, JPY) would otherwise post lines that
//! no longer add up, or an entry NetSuite refuses as unbalanced. The
//! planner sums exactly, then [`round_ledger`] rounds each account's total
//! once, half away from zero ([`STRATEGY`], the commercial rounding
//! accountants expect; `round_dp` alone rounds halves to even), the
//! in-transit amount being the rounded payable, and books whatever cent
//! the rounding leaves to the shop's named rounding account. So Dr = Cr
//! and the in-transit movement equals the statement's payable, always.

use std::collections::BTreeMap;

use rust_decimal::RoundingStrategy;

use crate::domain::Money;

/// Half away from zero: 0.005 → 0.01, −0.005 → −0.01.
pub const STRATEGY: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Decimal places of a currency's minor unit (ISO 4217); 2 when unknown.
pub fn minor_unit(currency: &str) -> u32 {
    match currency.trim().to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "PYG" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// Rounds `amount` to the currency's minor unit with [`STRATEGY`].
pub fn round(amount: Money, currency: &str) -> Money {
    amount.round_dp_with_strategy(minor_unit(currency), STRATEGY)
}

/// Rounds every account's signed total of a ledger that sums to zero
/// (credit positive); `in_transit` gets `-round(payable)` exactly; the
/// residual goes to `rounding`. Returns the residual booked, or the
/// residual as the error when there is one and no rounding account.
pub fn round_ledger(
    ledger: &mut BTreeMap<String, Money>,
    currency: &str,
    in_transit: &str,
    payable: Money,
    rounding: Option<&str>,
) -> Result<Money, Money> {
    for (account, a) in ledger.iter_mut() {
        *a = if account == in_transit {
            -round(payable, currency)
        } else {
            round(*a, currency)
        };
    }
    let residual: Money = ledger.values().sum();
    if residual.is_zero() {
        return Ok(residual);
    }
    match rounding {
        Some(r) => {
            *ledger.entry(r.to_string()).or_default() -= residual;
            Ok(residual)
        }
        None => Err(residual),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Money {
        s.parse().unwrap()
    }

    #[test]
    fn halves_round_away_from_zero_in_the_minor_unit() {
        assert_eq!(round(d("0.125"), "GBP"), d("0.13"), "not to even (0.12)");
        assert_eq!(round(d("-0.125"), "GBP"), d("-0.13"));
        assert_eq!(round(d("100.5"), "JPY"), d("101"));
        assert_eq!(round(d("1.0005"), "KWD"), d("1.001"));
    }

    #[test]
    fn the_residual_cent_goes_to_the_rounding_account_and_in_transit_is_the_payable() {
        // 0.005 + 0.005 + 0.005 sales, payable 0.015 → in transit 0.02.
        let mut l: BTreeMap<String, Money> = [
            ("4000".to_string(), d("0.005")),
            ("4010".to_string(), d("0.005")),
            ("4020".to_string(), d("0.005")),
            ("1260".to_string(), d("-0.015")),
        ]
        .into();
        let r = round_ledger(&mut l, "GBP", "1260", d("0.015"), Some("8999")).unwrap();
        assert_eq!(r, d("0.01"));
        assert_eq!(l["1260"], d("-0.02"));
        assert_eq!(l["8999"], d("-0.01"));
        assert_eq!(l.values().copied().sum::<Money>(), Money::ZERO);
        let mut l2: BTreeMap<String, Money> = [
            ("4000".to_string(), d("0.005")),
            ("4010".to_string(), d("0.005")),
            ("1260".to_string(), d("-0.01")),
        ]
        .into();
        assert_eq!(
            round_ledger(&mut l2, "GBP", "1260", d("0.01"), None),
            Err(d("0.01"))
        );
    }
}
