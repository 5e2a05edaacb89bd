//! The library every tiktok-netsuite function shares. Each function's
//! `main.rs` only wires configuration and clients into it ([`app`]).
//!
//! # Layout
//!
//! One folder per flow, so a reader finds each by name. Orders come in
//! through `ingest` and are written by `writer`; the scheduled flows are
//! `stock`, `tracking` and `payouts`, each a folder whose files are named by
//! role (`plan.rs` pure, `read.rs`, `ship.rs`/`post.rs`, `state.rs`,
//! `job.rs` wiring them) and whose `mod.rs` tells its data path.
//!
//! Dependencies point one way: a part uses only the parts its row names
//! (top to bottom, roughly from wiring to leaves). `tests/tests/layout.rs`
//! reads this table and fails on any other `crate::` reference, on any
//! circle, and on a store that names a flow.
//!
//! | part | what it is for | may depend on |
//! |---|---|---|
//! | [`app`] | the wiring: each function's clients and stores from its configuration; the scheduled function's dispatch by `JobName` | clock, config, connect, doctor, domain, ingest, jobs, netsuite, notify, payouts, stock, store, tiktok, tracking, writer, labels |
//! | `console` (feature `console`) | the operations console in the browser: axum router, pages, logins | app, clock, config, connect, domain, jobs, netsuite, ops, payouts, resources, store, taxonomy, returns, tiktok |
//! | [`connect`] | a shop connects: TikTok's authorization page, the server-side `state`, the code exchange, each covered shop's tokens, cipher, name and region stored | clock, config, store, tiktok |
//! | [`ops`] | what operators do (list, export, resubmit, ignore, links, users, payouts, webhook registration); the CLI and the console call these | app, csv_file, domain, ingest, jobs, payouts, store, taxonomy, tiktok, tracking |
//! | [`ingest`] | orders in: the webhook (verify, de-duplicate, archive, enqueue) and the missed-order sweep, which enqueues exactly as a webhook does | clock, config, domain, jobs, metrics, signing, store, tiktok |
//! | [`writer`] | the NetSuite writer: one file per flow (order, cancel, refund), each with its pure planner, and the batched read-back of created Sales Orders | clock, deadline, domain, jobs, mapping, metrics, netsuite, notify, store, taxonomy, tiktok, returns |
//! | [`stock`] | NetSuite stock → TikTok, only what changed | clock, domain, jobs, mapping, netsuite, store, tiktok |
//! | [`tracking`] | NetSuite fulfilments' tracking → TikTok, once each | clock, config, domain, jobs, mapping, netsuite, store, tiktok |
//! | [`payouts`] | TikTok statements → NetSuite journal entries → the finance reconciliation email | clock, csv_file, domain, jobs, mapping, netsuite, notify, store, tiktok |
//! | [`doctor`] | the set-up checks (TikTok app, tokens, scopes, webhooks; NetSuite login, role, ids, period; SES, tables, queues), each with its fix; the CLI, the Health page and the `doctor` job run them | clock, config, domain, jobs, mapping, netsuite, returns, store, tiktok |
//! | [`notify`] | the admins' failure digest, the daily drift digest, the mailer | clock, domain, jobs, store, taxonomy, tracking |
//! | [`jobs`] | what every scheduled run shares: lease, checkpoints, run log, IAM permissions, `JobName` | clock, domain, metrics, store, tiktok |
//! | [`config`] | typed configuration, one part per component; it loads the settings types the parts own | domain, mapping, netsuite, resources, signing, tiktok |
//! | [`mapping`] | a shop's mapping entry (with each flow's section) and the Sales Order builder (pure) | domain, taxonomy, tiktok, returns |
//! | [`tiktok`] | TikTok Shop client: transport, the one token-refresh path, one file per API area | clock, deadline, domain, signing, store, taxonomy |
//! | [`netsuite`] | NetSuite client: transport (TBA, governance), records, SuiteQL, the concurrency budget | clock, deadline, signing, taxonomy |
//! | [`store`] | ports (small traits) and their DynamoDB/SQS implementations (also of `netsuite`'s slot pool port), key formats, one `StoreError` | clock, domain, netsuite, taxonomy |
//! | [`taxonomy`] | the order log's one error taxonomy (each boundary maps its error into it in its own `failure.rs`) | nothing |
//! | [`metrics`] | CloudWatch metrics as EMF lines on stdout (what the template's alarms read) | nothing |
//! | [`domain`], [`clock`], [`deadline`], [`signing`], [`resources`], [`csv_file`] | ids and statuses, time, time budgets, request signing, the AWS resource list, every CSV the product writes (formulas defused) | nothing |
//! | [`labels`] | TikTok Shipping labels driven from NetSuite: packed Item Fulfillment → label, tracking, PDF; split and combined packages (plain decisions); the scheduled label job | clock, domain, jobs, mapping, netsuite, store, taxonomy, tiktok |
//! | [`returns`] | returns from the buyer's request to the shelf: TikTok's return model, the Return Authorization plan, the per-shop policy, decisions, receipts by condition, credits from the RA (pure), and `ports::ReturnBooks`, what the flow needs from NetSuite; the flow (`flow/`: read again, RA, decide, send, queue, receive, sweep, alarm) and the shop's `settings`; `job`, the sweep and deadline alarm as a scheduled job | domain, tiktok, netsuite, clock, store, metrics, jobs |
//!
//! Code that only serves local runs and tests (the moto bootstrap, the local
//! environment, the runner) lives in the `local-env` crate, never here.

pub mod app;
pub mod clock;
pub mod config;
pub mod connect;
#[cfg(feature = "console")]
pub mod console;
pub mod csv_file;
pub mod deadline;
pub mod doctor;
pub mod domain;
pub mod ingest;
pub mod jobs;
pub mod labels;
pub mod mapping;
pub mod metrics;
pub mod netsuite;
pub mod notify;
pub mod ops;
pub mod payouts;
pub mod resources;
pub mod returns;
pub mod signing;
pub mod stock;
pub mod store;
pub mod taxonomy;
pub mod tiktok;
pub mod tracking;
pub mod writer;
