//! Telling people: the admins' failure digest and the mailer that sends it.
//!
//! - [`digest`]: which failures are news, collected per batch, rendered once.
//! - [`mailer`]: the [`mailer::AlertSink`] port and its SES implementation.

pub mod digest;
pub mod drift;
pub mod mailer;
pub mod raw_mail;

pub use digest::{is_new_failure, render, AlertLine, Digest};
pub use mailer::{AlertSink, SesAlerts};
