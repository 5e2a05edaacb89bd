//! `accountingperiod`: the simulated account's posting periods, calendar
//! months from [`FIRST_YEAR`] to [`LAST_YEAR`], each `closed` when its
//! `YYYY-MM` is in the books' closed set (seed `closed_periods`, `POST
//! /_sim/periods`, `NetSuiteSim::set_period_closed`), the same set the
//! journal entry check refuses (`records/journal_entry.rs`).
//!
//! Columns are those of the Records Catalog's `accountingperiod` table
//! (`periodname`, `startdate`, `enddate`, `closed`, `alllocked`, `aplocked`,
//! `arlocked`, `isadjust`, `isquarter`, `isyear`, `isposting`,
//! `isinactive`), booleans `T`/`F`. NetSuite also lists quarter and year
//! rows (`isquarter`/`isyear` 'T', not postable) and may hold adjustment
//! periods: the simulator answers one quarter and one year row per year
//! so a query that forgets to filter them gets them, as it would in
//! NetSuite (harsher reading). A closed month is also `alllocked` (closing
//! locks every ledger, Oracle help "Closing Accounting Periods").

use std::collections::{BTreeSet, HashMap};

use super::super::dates::days_from_civil;
use super::{aligned, tf};

pub(crate) const FIRST_YEAR: i64 = 2015;
pub(crate) const LAST_YEAR: i64 = 2040;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One row per month, plus a quarter and a year row per year.
pub(super) fn periods(closed: &BTreeSet<String>) -> Vec<Vec<Option<String>>> {
    let day = |y: i64, m: i64, d: i64| (days_from_civil(y, m, d) * 86_400).to_string();
    let mut out = Vec::new();
    let mut id = 0u64;
    for y in FIRST_YEAR..=LAST_YEAR {
        for m in 1..=12i64 {
            id += 1;
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let end = (days_from_civil(ny, nm, 1) - 1) * 86_400;
            let is_closed = closed.contains(&format!("{y:04}-{m:02}"));
            let row = HashMap::from([
                ("id", id.to_string()),
                ("periodname", format!("{} {y}", MONTHS[(m - 1) as usize])),
                ("startdate", day(y, m, 1)),
                ("enddate", end.to_string()),
                ("closed", tf(is_closed).to_string()),
                ("alllocked", tf(is_closed).to_string()),
                ("aplocked", tf(is_closed).to_string()),
                ("arlocked", tf(is_closed).to_string()),
                ("isadjust", "F".to_string()),
                ("isquarter", "F".to_string()),
                ("isyear", "F".to_string()),
                ("isposting", "T".to_string()),
                ("isinactive", "F".to_string()),
            ]);
            out.push(aligned("accountingperiod", row));
        }
        for (name, quarter) in [(format!("Q1 {y}"), true), (format!("FY {y}"), false)] {
            id += 1;
            let end = if quarter {
                days_from_civil(y, 4, 1) - 1
            } else {
                days_from_civil(y + 1, 1, 1) - 1
            };
            let row = HashMap::from([
                ("id", id.to_string()),
                ("periodname", name),
                ("startdate", day(y, 1, 1)),
                ("enddate", (end * 86_400).to_string()),
                ("closed", "F".to_string()),
                ("alllocked", "F".to_string()),
                ("aplocked", "F".to_string()),
                ("arlocked", "F".to_string()),
                ("isadjust", "F".to_string()),
                ("isquarter", tf(quarter).to_string()),
                ("isyear", tf(!quarter).to_string()),
                ("isposting", "F".to_string()),
                ("isinactive", "F".to_string()),
            ]);
            out.push(aligned("accountingperiod", row));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::suiteql::dates::format_timestamp;
    use crate::netsuite::suiteql::tables::col_index;

    #[test]
    fn a_closed_month_is_closed_and_locked_and_quarters_are_not_posting() {
        let rows = periods(&BTreeSet::from(["2025-12".to_string()]));
        let col = |c: &str| col_index("accountingperiod", c).unwrap();
        let dec = rows
            .iter()
            .find(|r| r[col("periodname")].as_deref() == Some("Dec 2025"))
            .unwrap();
        assert_eq!(dec[col("closed")].as_deref(), Some("T"));
        assert_eq!(dec[col("alllocked")].as_deref(), Some("T"));
        let secs = |c: &str| dec[col(c)].as_deref().unwrap().parse::<i64>().unwrap();
        assert_eq!(format_timestamp(secs("startdate")), "2025-12-01 00:00:00");
        assert_eq!(format_timestamp(secs("enddate")), "2025-12-31 00:00:00");
        let jan = rows
            .iter()
            .find(|r| r[col("periodname")].as_deref() == Some("Jan 2026"))
            .unwrap();
        assert_eq!(jan[col("closed")].as_deref(), Some("F"));
        assert!(rows.iter().any(|r| r[col("isyear")].as_deref() == Some("T")
            && r[col("isposting")].as_deref() == Some("F")));
    }
}
