//! Local-only tooling, kept out of the Lambda library (`cargo tree -p
//! webhook -p netsuite-writer` never shows this crate; a test checks).
//!
//! - [`bootstrap`]: creates the tables and queues of `shared::resources` on moto.
//! - [`env`]: the complete local environment — both simulators, a fresh
//!   stack on moto, the seed shops' tokens, and the apps wired as on Lambda.
//! - [`runner`]: runs the handlers the way Lambda does (HTTP for the webhook,
//!   SQS pollers with partial-batch semantics for the writer).
//! - [`mail`]: reads the mail moto's SES captured.
//! - [`netsuite_auth`]: TBA or OAuth 2.0 M2M (`TNS_NETSUITE_AUTH`) and the
//!   test-only M2M keys.

pub mod bootstrap;
pub mod console;
pub mod env;
pub mod indexes;
pub mod mail;
pub mod netsuite_auth;
pub mod runner;

pub use env::{LocalEnv, LocalError, LocalOptions};
pub use mail::{captured_mail, captured_raw_mail};
pub use netsuite_auth::NetSuiteAuthMode;
pub use runner::LocalRunner;
