//! TikTok's errors (calls, tokens), mapped once into the order log's
//! taxonomy ([`crate::taxonomy`]); each boundary maps its own error beside it.

use crate::taxonomy::{ErrorCode, Failure};
use crate::tiktok::TikTokError;

impl From<&TikTokError> for Failure {
    fn from(e: &TikTokError) -> Self {
        let (code, fix) = match e {
            TikTokError::TokenExpired { .. } => (
                ErrorCode::Unauthorized,
                "The shop's TikTok access token expired and could not be refreshed: re-authorize the app for this shop in TikTok Seller Center.",
            ),
            TikTokError::Api { code: crate::tiktok::error::CODE_SCOPE_NOT_GRANTED, call, .. } => {
                return Failure::new(
                    ErrorCode::Unauthorized,
                    e.to_string(),
                    crate::tiktok::scopes::missing_scope_fix(call),
                )
                .retryable(false)
                .with_response(
                    e.http_status(),
                    e.code().map(|c| c.to_string()),
                    Some(e.system_call().to_string()),
                    e.response_body().map(str::to_string),
                )
            }
            _ if e.is_auth_failure() => (
                ErrorCode::Unauthorized,
                "TikTok refused the app's credentials or the shop's token: check the app key/secret and re-authorize the shop.",
            ),
            TikTokError::RateLimited { .. } => (ErrorCode::RateLimited, "TikTok throttled the app; retried automatically."),
            _ if crate::tiktok::orders::is_not_the_sellers(e) => (
                ErrorCode::NotFound,
                "TikTok says the order is not this shop's: check the shop id the event came with (another shop's webhook URL?). If it is this shop's order, resubmit it.",
            ),
            TikTokError::Transport { timed_out: true, .. } => (ErrorCode::Timeout, "Retried automatically."),
            TikTokError::Transport { .. } | TikTokError::Unavailable { .. } => {
                (ErrorCode::ConnectionError, "TikTok was unreachable; retried automatically.")
            }
            TikTokError::Api { .. } | TikTokError::Decode { .. } => (
                ErrorCode::InsufficientData,
                "TikTok did not return the order; check it in Seller Center and resubmit.",
            ),
        };
        Failure::new(code, e.to_string(), fix)
            .retryable(e.is_retryable())
            .with_response(
                e.http_status(),
                e.code().map(|c| c.to_string()),
                Some(e.system_call().to_string()),
                e.response_body().map(str::to_string),
            )
    }
}

impl From<&crate::tiktok::TokenError> for Failure {
    fn from(e: &crate::tiktok::TokenError) -> Self {
        use crate::tiktok::TokenError;
        let (code, fix) = match e {
            TokenError::NotConnected { .. } => (
                ErrorCode::Unauthorized,
                "Connect the shop: authorize the app in TikTok Seller Center, then store its tokens with `tiktok-netsuite shops connect`; resubmit afterwards.",
            ),
            TokenError::Disconnected { .. } => {
                return Failure::new(
                    ErrorCode::ShopDisconnected,
                    e.to_string(),
                    "Connect the shop again (console → Shops → Connect a shop, or `tiktok-netsuite shops authorize-url`), then resubmit its waiting orders (`tiktok-netsuite orders resubmit --code SHOP_DISCONNECTED`).",
                )
                .level(crate::taxonomy::Level::Warning)
                .retryable(false)
            }
            TokenError::RefreshFailed { retryable: false, .. } => (
                ErrorCode::Unauthorized,
                "TikTok refused the refresh token: re-authorize the app for this shop and store the new tokens with `tiktok-netsuite shops connect`, then resubmit.",
            ),
            TokenError::RefreshFailed { .. } => (ErrorCode::ConnectionError, "TikTok's token service was unreachable; retried automatically."),
            TokenError::Store(_) => (ErrorCode::ConnectionError, "The token store (DynamoDB) was unavailable; retried automatically."),
        };
        Failure::new(code, e.to_string(), fix).retryable(e.is_retryable())
    }
}

impl From<&crate::tiktok::ShopCallError> for Failure {
    fn from(e: &crate::tiktok::ShopCallError) -> Self {
        match e {
            crate::tiktok::ShopCallError::Token(t) => Failure::from(t),
            crate::tiktok::ShopCallError::TikTok(t) => Failure::from(t),
        }
    }
}
