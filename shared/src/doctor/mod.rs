//! The doctor: checks the set-up against the configured services and says,
//! for each check, pass or fail and what fixes it (issue 19 item 4).
//!
//! Each check is a plain function over data ([`checks`], unit-tested); the
//! calls that fetch the data are in one runner per service ([`tiktok`],
//! [`netsuite`], [`aws`]), and [`run::Doctor`] runs them all in order. The
//! CLI (`tiktok-netsuite doctor`), the console's Health page and the
//! scheduled `doctor` job (EMF `DoctorChecksFailed`, alarmed) all call
//! [`run::Doctor::run`].
//!
//! TikTok data is hostile: it never reaches a fix text unquoted (shop ids
//! go through [`crate::domain::shell_quote`] where a command is suggested);
//! no token is ever shown.

pub mod aws;
pub mod checks;
pub mod netsuite;
pub mod returns;
pub mod run;
pub mod tiktok;
pub mod warehouses;
pub mod webhooks;

pub use run::{Doctor, DoctorClients, DoctorJob};

crate::string_enum! {
    /// One check's outcome.
    pub enum Status {
        Pass = "PASS",
        /// Works now, but needs attention soon (a refresh token expiring).
        Warn = "WARN",
        Fail = "FAIL",
    }
}

/// One check's result: what was checked, what was found, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Short and stable, e.g. `netsuite.period` or `tiktok.scopes 7494…`.
    pub name: String,
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// What to do; empty when it passed.
    pub fix: String,
}

impl Check {
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: Status::Pass,
            detail: detail.into(),
            fix: String::new(),
        }
    }

    pub fn fail(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            status: Status::Fail,
            detail: detail.into(),
            fix: fix.into(),
        }
    }

    pub fn warn(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            status: Status::Warn,
            detail: detail.into(),
            fix: fix.into(),
        }
    }

    /// One line: `PASS name: detail` or `FAIL name: detail — fix: …`.
    pub fn line(&self) -> String {
        let mut s = format!("{} {}: {}", self.status.as_str(), self.name, self.detail);
        if !self.fix.is_empty() {
            s.push_str(" — fix: ");
            s.push_str(&self.fix);
        }
        s
    }
}

/// Every check of one doctor run, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub checks: Vec<Check>,
    /// When it ran (unix seconds).
    pub at: i64,
}

impl Report {
    pub fn count(&self, status: &Status) -> usize {
        self.checks.iter().filter(|c| &c.status == status).count()
    }

    /// Whether any check failed (the CLI's exit code, the alarm).
    pub fn failed(&self) -> bool {
        self.count(&Status::Fail) > 0
    }

    /// The checks whose name starts with `prefix`.
    pub fn named<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Check> + 'a {
        self.checks
            .iter()
            .filter(move |c| c.name.starts_with(prefix))
    }

    /// One line per check, then a summary line.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.checks.iter().map(Check::line).collect();
        out.push(self.summary());
        out
    }

    /// `12 passed, 1 warning, 0 failed`.
    pub fn summary(&self) -> String {
        format!(
            "{} passed, {} warning{}, {} failed",
            self.count(&Status::Pass),
            self.count(&Status::Warn),
            if self.count(&Status::Warn) == 1 {
                ""
            } else {
                "s"
            },
            self.count(&Status::Fail)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_status_and_fix_and_the_report_fails_on_any_failure() {
        let mut r = Report::default();
        r.checks.push(Check::pass("a", "ok"));
        r.checks.push(Check::warn("b", "soon", "renew"));
        assert!(!r.failed());
        r.checks.push(Check::fail("c", "broken", "mend it"));
        assert!(r.failed());
        assert_eq!(r.lines()[0], "PASS a: ok");
        assert_eq!(r.lines()[2], "FAIL c: broken — fix: mend it");
        assert_eq!(r.summary(), "1 passed, 1 warning, 1 failed");
        assert_eq!(r.named("b").count(), 1);
    }
}
