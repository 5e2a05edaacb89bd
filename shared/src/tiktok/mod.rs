//! TikTok Shop Open API: the signed transport, the shop token lifecycle,
//! and one file per API area.
//!
//! - [`transport`]: signing, retries and error classification of every call.
//! - [`auth`]: token refresh and [`ShopSessions`], the one refresh path every
//!   shop-scoped call goes through.
//! - [`orders`], [`aftersales`]: orders, cancellations, returns.
//! - [`products`], [`inventory`]: the SKU map, warehouses, stock read and push.
//! - [`fulfillment`]: carriers, tracking pushed back (ship, correct).
//! - [`events`]: the Event API (a shop's webhook subscriptions) and its planner.
//! - [`finance`]: statements, payments and statement transactions (202501).
//! - [`model`], [`error`]: what TikTok sends, and this boundary's error type.
//! - [`fbt`]: Fulfilled by TikTok: its warehouses and the stock it holds.

pub mod aftersales;
pub mod auth;
mod classify;
pub mod error;
pub mod events;
mod failure;
pub mod fbt;
pub mod finance;
pub mod fulfillment;
pub mod inventory;
pub mod inventory_errors;
pub mod labels;
pub mod model;
pub mod orders;
pub mod pacing;
pub mod products;
pub mod return_actions;
pub mod scopes;
pub mod transport;

pub use auth::{AuthorizedShop, ShopCallError, ShopSessions, TokenError, TokenSet};
pub use error::TikTokError;
pub use transport::{
    RetryPolicy, Scope, ShopAuth, TikTokApp, TikTokClient, DEFAULT_TIKTOK_AUTH_BASE_URL,
};
