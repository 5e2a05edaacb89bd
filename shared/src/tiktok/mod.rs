//! TikTok Shop Open API: the order model, the signed client, and the shop
//! token lifecycle (store + refresh).

pub mod aftersales;
pub mod client;
pub mod error;
pub mod model;
pub mod tokens;

pub use client::{AuthorizedShop, RetryPolicy, Scope, ShopAuth, TikTokClient, TokenSet};
pub use error::TikTokError;
pub use tokens::{
    DynamoShopTokenStore, MemoryShopTokenStore, ShopCallError, ShopCredentials, ShopSessions,
    ShopTokenStore, TokenError,
};
