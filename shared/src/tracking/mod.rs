//! Tracking: NetSuite item fulfilments → TikTok shipments, each pushed once.
//!
//! The data path: [`read`] pages the fulfilments NetSuite shipped since the
//! last run (SuiteQL, with their lines and tracking numbers); [`plan`] (pure)
//! decides which TikTok call ships which units with which tracking, or why a
//! fulfilment waits; [`ship`] makes the calls; [`record`] writes each
//! outcome (the pushed ledger in `store::pushed_fulfilments`, the run log);
//! [`state`] keeps the fulfilments left open for the next run; [`job`] wires
//! them as one scheduled run per shop.
//!
//! A shop's carrier table is the `carriers` part of its mapping entry
//! ([`crate::mapping::tracking`]); the job's settings are
//! [`crate::config::TrackingSettings`].

pub mod job;
pub mod plan;
pub mod read;
pub mod record;
pub mod sample_cost;
mod sample_cost_run;
pub mod ship;
pub mod state;
