//! The `tiktok-netsuite` command line: the demo and the operations commands,
//! a thin face over `shared::ops` (the console of a later issue is the other).
//! The local environment and the Lambda-like runner live in `local-env`.

pub mod bench;
pub mod bench_sims;
pub mod connect;
pub mod console;
pub mod demo;
pub mod demo_payouts;
pub mod doctor;
pub mod jobs;
pub mod ops;
pub mod payouts;
pub mod tracking;
pub mod webhooks;
