//! Payouts: TikTok statements → NetSuite journal entries → the finance
//! reconciliation email.
//!
//! The data path: [`job`] lists a shop's statements and payments and pages
//! each statement's transactions ([`pages`]); [`plan`] (pure) turns one
//! statement into one balanced journal entry, summarised by account;
//! [`rounding`] rounds it once in the currency's minor unit;
//! [`post`] books it (and each payment's bank transfer) in NetSuite, once;
//! [`matching`] ties each transaction to the order the writer logged;
//! [`checks`] are the report's clearing and reserve checks; [`report`]
//! (pure) and [`email`] build the finance email (CSV of every transaction,
//! the checks, HTML); [`state`] is what a run keeps per statement and
//! payment; [`run`] is the scheduled run for one shop. A journal already
//! booked is corrected, never silently rewritten, when TikTok reissues its
//! statement ([`revise`], [`periods`], [`corrections`]): reversed when it
//! no longer adds up, adjusted in the first open period when its own
//! period is closed.
//!
//! A shop's accounts and recipients are the `payouts` part of its mapping
//! entry ([`crate::mapping::payouts`]).

pub mod checks;
pub mod corrections;
pub mod email;
pub mod free_orders;
pub mod job;
pub mod matching;
pub mod pages;
pub mod periods;
pub mod plan;
pub mod post;
pub mod report;
pub mod revise;
pub mod rounding;
pub mod run;
pub mod state;
