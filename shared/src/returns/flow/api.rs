//! The TikTok calls the returns flow makes, as one small trait: read one
//! return (Search Returns by `return_ids`), the returns updated in a window
//! (the sweep), the reject reasons listed for one return, the order's paid
//! time (the policy's order age), and Approve / Reject Return with an
//! `idempotency_key` (returns.md §A1). [`ShopReturnsApi`] makes them through
//! the shop's sessions (one token-refresh path); [`DirectReturnsApi`] with a
//! fixed auth (the CLI and tests against the simulator).

use async_trait::async_trait;
use serde_json::Value;

use crate::domain::{OrderId, ShopId};
use crate::returns::policy::RejectReason;
use crate::returns::ReturnRecord;
use crate::tiktok::{ShopAuth, ShopCallError, ShopSessions, TikTokClient, TikTokError};

/// A TikTok call that failed, with TikTok's code when it sent one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiFailure {
    pub code: Option<i64>,
    /// Calling again later may succeed (rate limit, 5xx, network, token).
    pub retryable: bool,
    pub message: String,
}

impl From<TikTokError> for ApiFailure {
    fn from(e: TikTokError) -> Self {
        Self {
            code: e.code(),
            retryable: e.is_retryable() || e.is_auth_failure(),
            message: e.to_string(),
        }
    }
}

impl From<ShopCallError> for ApiFailure {
    fn from(e: ShopCallError) -> Self {
        match e {
            ShopCallError::TikTok(t) => t.into(),
            ShopCallError::Token(t) => Self {
                code: None,
                retryable: true,
                message: t.to_string(),
            },
        }
    }
}

fn decode(v: Value) -> Result<ReturnRecord, ApiFailure> {
    serde_json::from_value(v).map_err(|e| ApiFailure {
        code: None,
        retryable: false,
        message: format!("unreadable return from Search Returns: {e}"),
    })
}

/// What the flow asks of TikTok for one shop.
#[async_trait]
pub trait ReturnsApi: Send + Sync {
    fn shop(&self) -> &ShopId;
    async fn get(&self, return_id: &str) -> Result<Option<ReturnRecord>, ApiFailure>;
    async fn updated(&self, ge: i64, lt: i64) -> Result<Vec<ReturnRecord>, ApiFailure>;
    async fn reject_reasons(&self, return_id: &str) -> Result<Vec<RejectReason>, ApiFailure>;
    async fn order_paid_time(&self, order: &OrderId) -> Result<Option<i64>, ApiFailure>;
    async fn decide(
        &self,
        return_id: &str,
        reject: bool,
        idempotency_key: &str,
        body: &Value,
    ) -> Result<(), ApiFailure>;
}

/// The raw JSON calls both implementations share, over one auth.
async fn get_one(
    c: &TikTokClient,
    a: &ShopAuth,
    return_id: &str,
) -> Result<Option<Value>, TikTokError> {
    let page: Vec<Value> = c.returns_by_ids(a, &[return_id]).await?;
    Ok(page
        .into_iter()
        .find(|v| v.get("return_id").and_then(Value::as_str) == Some(return_id)))
}

fn reasons(v: Vec<Value>) -> Vec<RejectReason> {
    v.into_iter()
        .filter_map(|r| serde_json::from_value(r).ok())
        .collect()
}

/// Through the shop's sessions (token refresh included): the writer and jobs.
pub struct ShopReturnsApi<'a> {
    pub sessions: &'a ShopSessions,
    pub shop: ShopId,
}

#[async_trait]
impl ReturnsApi for ShopReturnsApi<'_> {
    fn shop(&self) -> &ShopId {
        &self.shop
    }
    async fn get(&self, return_id: &str) -> Result<Option<ReturnRecord>, ApiFailure> {
        let c = self.sessions.client();
        let v = self
            .sessions
            .call_with_refresh(
                &self.shop,
                |a| async move { get_one(c, &a, return_id).await },
            )
            .await?;
        v.map(decode).transpose()
    }
    async fn updated(&self, ge: i64, lt: i64) -> Result<Vec<ReturnRecord>, ApiFailure> {
        let c = self.sessions.client();
        let v = self
            .sessions
            .call_with_refresh(&self.shop, |a| async move {
                c.returns_updated(&a, ge, lt).await
            })
            .await?;
        v.into_iter().map(decode).collect()
    }
    async fn reject_reasons(&self, return_id: &str) -> Result<Vec<RejectReason>, ApiFailure> {
        let c = self.sessions.client();
        let v = self
            .sessions
            .call_with_refresh(&self.shop, |a| async move {
                c.return_reject_reasons(&a, return_id).await
            })
            .await?;
        Ok(reasons(v))
    }
    async fn order_paid_time(&self, order: &OrderId) -> Result<Option<i64>, ApiFailure> {
        let c = self.sessions.client();
        let o = self
            .sessions
            .call_with_refresh(&self.shop, |a| async move { c.get_order(&a, order).await })
            .await?;
        Ok(o.and_then(|o| o.paid_time.or(Some(o.create_time).filter(|t| *t > 0))))
    }
    async fn decide(
        &self,
        return_id: &str,
        reject: bool,
        idempotency_key: &str,
        body: &Value,
    ) -> Result<(), ApiFailure> {
        let c = self.sessions.client();
        self.sessions
            .call_with_refresh(&self.shop, |a| async move {
                c.decide_return(&a, return_id, reject, idempotency_key, body)
                    .await
            })
            .await?;
        Ok(())
    }
}

/// With a fixed auth (the CLI, tests against the simulator).
pub struct DirectReturnsApi {
    pub client: TikTokClient,
    pub auth: ShopAuth,
}

#[async_trait]
impl ReturnsApi for DirectReturnsApi {
    fn shop(&self) -> &ShopId {
        &self.auth.shop_id
    }
    async fn get(&self, return_id: &str) -> Result<Option<ReturnRecord>, ApiFailure> {
        get_one(&self.client, &self.auth, return_id)
            .await?
            .map(decode)
            .transpose()
    }
    async fn updated(&self, ge: i64, lt: i64) -> Result<Vec<ReturnRecord>, ApiFailure> {
        let v = self.client.returns_updated(&self.auth, ge, lt).await?;
        v.into_iter().map(decode).collect()
    }
    async fn reject_reasons(&self, return_id: &str) -> Result<Vec<RejectReason>, ApiFailure> {
        Ok(reasons(
            self.client
                .return_reject_reasons(&self.auth, return_id)
                .await?,
        ))
    }
    async fn order_paid_time(&self, order: &OrderId) -> Result<Option<i64>, ApiFailure> {
        let o = self.client.get_order(&self.auth, order).await?;
        Ok(o.and_then(|o| o.paid_time.or(Some(o.create_time).filter(|t| *t > 0))))
    }
    async fn decide(
        &self,
        return_id: &str,
        reject: bool,
        idempotency_key: &str,
        body: &Value,
    ) -> Result<(), ApiFailure> {
        self.client
            .decide_return(&self.auth, return_id, reject, idempotency_key, body)
            .await?;
        Ok(())
    }
}
