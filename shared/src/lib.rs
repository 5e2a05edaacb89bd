//! The library every tiktok-netsuite function shares: domain types, request
//! signing, configuration, the webhook and writer handlers, and the AWS-backed
//! stores they run over. Functions' `main.rs` files only wire these together.

pub mod aftersales_sync;
pub mod alerts;
pub mod app;
pub mod aws;
pub mod config;
pub mod domain;
pub mod events;
pub mod failures;
pub mod mapping;
pub mod netsuite;
pub mod ops;
pub mod order_log;
pub mod order_sync;
pub mod resources;
pub mod signing;
pub mod sku_links;
pub mod taxonomy;
pub mod tiktok;
pub mod webhook;
pub mod writer;

/// Current time in epoch seconds.
pub fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}
