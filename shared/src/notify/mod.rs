//! Telling people: the admins' failure digest, the daily drift digest, and
//! the mailers that send them.
//!
//! - [`digest`]: which failures are news, collected per batch, rendered once.
//! - [`drift`]: the daily drift digest (open failures, orders the sweep
//!   recovered, failed job runs, fulfilments waiting), a scheduled job whose
//!   whole output is an email to the admins.
//! - [`mailer`]: the [`mailer::AlertSink`] port and its SES implementation;
//!   [`raw_mail`]: MIME messages with attachments (the finance email).

pub mod digest;
pub mod drift;
pub mod mailer;
pub mod raw_mail;
pub mod returns_digest;

pub use digest::{is_new_failure, render, AlertLine, Digest};
pub use mailer::{AlertSink, SesAlerts};
