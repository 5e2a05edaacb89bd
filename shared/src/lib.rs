//! The library every tiktok-netsuite function shares. Each function's
//! `main.rs` only wires configuration and clients into it ([`app`]).
//!
//! # Layout
//!
//! One folder per flow, so a reader finds each by name:
//!
//! | part | what it is for | may depend on |
//! |---|---|---|
//! | [`ingest`] | orders in: the webhook (verify, de-duplicate, archive, enqueue) | store, domain, signing, config |
//! | [`writer`] | the NetSuite writer: one file per flow (order, cancel, refund), each with its pure planner | tiktok, netsuite, mapping, store, notify |
//! | [`mapping`] | per-shop mapping rules and the Sales Order builder (pure) | domain, tiktok model |
//! | [`tiktok`] | TikTok Shop client: transport, the one token-refresh path, one file per API area | store (tokens), config |
//! | [`netsuite`] | NetSuite client: transport (TBA, governance), records, SuiteQL, the concurrency budget | signing |
//! | [`store`] | ports (small traits) and their DynamoDB/SQS implementations, key formats, one `StoreError` | domain |
//! | [`jobs`] | scheduled jobs (the missed-order sweep; inventory, tracking and payouts next): lease, checkpoints and run log shared by all | tiktok, netsuite, ingest (enqueue), store |
//! | [`notify`] | the admins' failure digest and the mailer | store |
//! | `console` (feature `console`) | the operations console in the browser: axum router, pages, logins | ops, store |
//! | [`ops`] | what operators do (list, export, resubmit, ignore, links); the CLI and the console call these | store |
//! | [`config`] | typed configuration, one part per component | netsuite (budget), mapping |
//! | [`taxonomy`] | the order log's one error taxonomy, and every boundary's error mapped into it | netsuite, tiktok, store errors |
//! | [`metrics`] | CloudWatch metrics as EMF lines on stdout (what the template's alarms read) | nothing above |
//! | [`domain`], [`clock`], [`signing`], [`resources`], [`csv_file`] | ids and statuses, time, request signing, the AWS resource list, every CSV written (formulas defused) | nothing above |
//!
//! Code that only serves local runs and tests (the moto bootstrap, the local
//! environment, the runner) lives in the `local-env` crate, never here.

pub mod app;
pub mod clock;
pub mod config;
#[cfg(feature = "console")]
pub mod console;
pub mod csv_file;
pub mod deadline;
pub mod domain;
pub mod ingest;
pub mod jobs;
pub mod mapping;
pub mod metrics;
pub mod netsuite;
pub mod notify;
pub mod ops;
pub mod resources;
pub mod signing;
pub mod store;
pub mod taxonomy;
pub mod tiktok;
pub mod writer;
