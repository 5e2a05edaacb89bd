//! Returns, from the buyer's request to the shelf (issue 28). The flow, in
//! one file per concept, every decision a plain function over data:
//!
//! - [`status`]: TikTok's return enums (status, type, arbitration, seller
//!   action, decision), each with an `Unknown` fallback.
//! - [`record`]: one return as Search Returns gives it (lines, deadlines from
//!   `seller_next_action_response`, edit chain) and what it means
//!   (returnless, units by SKU).
//! - [`ra_plan`]: the Return Authorization a return needs: its transform
//!   source (invoice, else cash sale, else Sales Order), its lines grouped by
//!   SKU and capped by the units fulfilled across earlier returns, and the
//!   status it follows from TikTok.
//! - [`policy`]: the per-shop policy (approve, approve returnless, reject
//!   with a fetched reason, or ask a person).
//! - [`decide`]: a decision's deterministic `idempotency_key`, and what to do
//!   once the return's status has been read again.
//! - [`receipt`]: units graded on receipt → Item Receipt lines by location,
//!   and the received-package decision.
//! - [`events`]: webhook 12 (and legacy 2) → the return to read again;
//!   the sweep's `update_time` window.
//! - [`queue`]: the console queue row with TikTok's deadline, and the alarm.
//! - [`ports`]: what the flow needs from NetSuite ([`ports::ReturnBooks`]).
//! - [`credit`]: the Credit Memo / Cash Refund from the RA at TikTok's
//!   per-line amounts, or a hold with both totals.
//! - [`books`]: [`ports::ReturnBooks`] over SuiteTalk REST, with its line
//!   bodies in [`books_lines`] (pure).
//!
//! Sources: `docs/returns.md` (TikTok Search/Approve/Reject Returns 202309,
//! webhook 12, NetSuite RA, transforms) — cited per item.

pub mod books;
pub mod books_lines;
pub mod credit;
pub mod decide;
pub mod events;
pub mod flow;
pub mod job;
pub mod policy;
pub mod ports;
pub mod queue;
pub mod ra_plan;
pub mod receipt;
pub mod record;
pub mod settings;
pub mod status;

pub use record::{ReturnLine, ReturnRecord};
pub use status::{ArbitrationStatus, Decision, ReturnStatus, ReturnType, SellerAction};
