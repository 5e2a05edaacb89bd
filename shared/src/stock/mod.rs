//! Stock: NetSuite's stock → TikTok's sales warehouses, only what changed.
//!
//! The data path: [`read`] pages NetSuite's on-hand stock per item and
//! location (SuiteQL); [`plan`] (pure) turns it into the quantity each TikTok
//! SKU and warehouse should show (locations → warehouses, bundles, the safety
//! buffer, orders not yet written, the range TikTok accepts) and keeps only
//! what differs from the last push; [`job`] looks up the SKUs on TikTok, sends
//! the updates in batches and records each outcome; [`state`] is what it
//! keeps between runs (the last-pushed snapshot, SKU locations).
//!
//! A shop's settings are the `inventory` part of its mapping entry
//! ([`crate::mapping::stock`]).

pub mod fbt;
pub mod fbt_check;
pub mod job;
pub mod plan;
pub mod read;
mod reads_tiktok;
pub mod retry;
pub mod state;
pub mod status;
pub mod unmanaged;
pub mod warehouses;
