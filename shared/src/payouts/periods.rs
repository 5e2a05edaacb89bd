//! NetSuite's posting periods, and which date a correcting journal is
//! booked on (pure, over the rows of [`periods_query`]).
//!
//! NetSuite "does not process a transaction with a date in a closed
//! period" (Oracle help bridgehead_4337970750; the REST answer is 400
//! `USER_ERROR`, netsuite-rest-api.md §4, "The transaction date is not
//! within an open accounting period." as the NetSuite simulator quotes it).
//! A period is read as closed when `closed` **or** `alllocked` is `T`
//! (a fully locked period refuses the integration role too unless it has
//! "Override Period Restrictions": harsher reading). Quarter, year and
//! adjustment periods are not posting months and are filtered out.
//!
//! Dates (issue 23 items 2 and 6):
//! - a **reversing entry** is dated the day the reissue was seen, when that
//!   day's period is open; else the first day of the first open period
//!   after it;
//! - an **adjusting entry** for a journal in a closed period is dated the
//!   **first day of the first open period** after the journal's own.
//!   That is where NetSuite itself moves a transaction dated in a closed
//!   period when the account's accounting preference "Default Posting
//!   Period When Transaction Date in Closed Period" is "Next Open Period"
//!   (Oracle help, Accounting Preferences, General subtab), and it is the
//!   same date on every re-run (today is not), so the entry's body, and
//!   its digest, do not change from one run to the next.

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

use crate::netsuite::column_text;

/// One posting month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub name: String,
    pub start: NaiveDate,
    pub closed: bool,
}

/// The SuiteQL of the posting months that end on or after `from`
/// (`YYYY-MM-DD`), oldest first.
pub fn periods_query(from: NaiveDate) -> String {
    format!(
        "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD HH24:MI:SS') AS startdate, \
         TO_CHAR(enddate, 'YYYY-MM-DD HH24:MI:SS') AS enddate, closed, alllocked \
         FROM accountingperiod WHERE isquarter = 'F' AND isyear = 'F' AND isadjust = 'F' \
         AND enddate >= TO_TIMESTAMP('{} 00:00:00', 'YYYY-MM-DD HH24:MI:SS') ORDER BY startdate",
        from.format("%Y-%m-%d")
    )
}

/// The rows of [`periods_query`]; a row without a readable start is skipped.
pub fn parse_periods(rows: &[Map<String, Value>]) -> Vec<Period> {
    let mut out: Vec<Period> = rows
        .iter()
        .filter_map(|r| {
            let start = column_text(r, "startdate");
            let start = NaiveDate::parse_from_str(start.get(..10)?, "%Y-%m-%d").ok()?;
            Some(Period {
                name: column_text(r, "periodname"),
                start,
                closed: column_text(r, "closed") == "T" || column_text(r, "alllocked") == "T",
            })
        })
        .collect();
    out.sort_by_key(|p| p.start);
    out
}

/// `YYYY-MM-DD` → date.
pub fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// The month of a date, as the period the journal lands in (`YYYY-MM`).
pub fn month(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The period holding `d` (months: the latest start on or before it).
fn period_of(periods: &[Period], d: NaiveDate) -> Option<&Period> {
    periods.iter().rev().find(|p| p.start <= d)
}

/// Whether `d` falls in a closed period (a date before every period read
/// is closed: NetSuite has no open period there).
pub fn is_closed(periods: &[Period], d: NaiveDate) -> bool {
    period_of(periods, d).is_none_or(|p| p.closed)
}

/// The first open period that starts after the period of `d`.
pub fn first_open_after(periods: &[Period], d: NaiveDate) -> Option<&Period> {
    let from = month_start(d);
    periods.iter().find(|p| p.start > from && !p.closed)
}

/// Where a journal wanted on `wanted` is booked: on `wanted` when its
/// period is open; else on the first day of the first open period after it
/// (`Err`: none is open, naming the closed period).
pub fn booking_date(periods: &[Period], wanted: NaiveDate) -> Result<NaiveDate, String> {
    if !is_closed(periods, wanted) {
        return Ok(wanted);
    }
    first_open_after(periods, wanted)
        .map(|p| p.start)
        .ok_or_else(|| {
            format!(
                "the period {} is closed and NetSuite has no open period after it",
                month(wanted)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        date(s).unwrap()
    }

    fn rows(closed: &[&str]) -> Vec<Period> {
        let rows: Vec<Map<String, Value>> = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]
            .iter()
            .map(|m| {
                json!({"periodname": m, "startdate": format!("{m}-01 00:00:00"),
                       "closed": if closed.contains(m) { "T" } else { "F" }, "alllocked": "F"})
                .as_object()
                .unwrap()
                .clone()
            })
            .collect();
        parse_periods(&rows)
    }

    #[test]
    fn an_open_date_is_kept_and_a_closed_one_moves_to_the_first_open_period() {
        let p = rows(&["2025-11", "2025-12"]);
        assert!(is_closed(&p, d("2025-12-31")));
        assert!(!is_closed(&p, d("2025-10-15")));
        assert_eq!(booking_date(&p, d("2025-10-15")), Ok(d("2025-10-15")));
        assert_eq!(booking_date(&p, d("2025-11-30")), Ok(d("2026-01-01")));
        assert_eq!(
            first_open_after(&p, d("2025-10-03")).map(|p| p.start),
            Some(d("2026-01-01")),
            "November and December are closed"
        );
        let all = rows(&["2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]);
        assert!(booking_date(&all, d("2025-12-31"))
            .unwrap_err()
            .contains("2025-12 is closed"));
        // Before any period NetSuite knows: closed.
        assert!(is_closed(&p, d("2020-01-01")));
    }

    #[test]
    fn a_locked_period_counts_as_closed_and_the_query_names_the_columns() {
        let r = json!({"periodname": "Dec 2025", "startdate": "2025-12-01 00:00:00",
                       "closed": "F", "alllocked": "T"});
        let p = parse_periods(&[r.as_object().unwrap().clone()]);
        assert!(p[0].closed);
        let q = periods_query(d("2025-12-31"));
        assert!(q.contains("isquarter = 'F'") && q.contains("TO_TIMESTAMP('2025-12-31 00:00:00'"));
    }
}
