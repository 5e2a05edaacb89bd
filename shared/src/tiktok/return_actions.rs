//! The seller's return decisions and the returns sweep (Return and Refund
//! API 202309, returns.md §A1): Approve Return, Reject Return (both with a
//! query `idempotency_key`), Get Reject Reasons, and Search Returns by
//! `update_time`. Records are returned as JSON for `crate::returns` to read
//! (this part may not depend on it).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Scope, ShopAuth, TikTokClient, TikTokError};

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    return_orders: Vec<Value>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct Reasons {
    #[serde(default)]
    reasons: Vec<Value>,
}

/// Most pages one sweep follows (50 a page).
const MAX_SWEEP_PAGES: usize = 100;

impl TikTokClient {
    /// `POST /return_refund/202309/returns/{id}/approve` or `/reject`, with
    /// `body` (`decision`, `buyer_keep_item`, `reject_reason`, …).
    pub async fn decide_return(
        &self,
        shop: &ShopAuth,
        return_id: &str,
        reject: bool,
        idempotency_key: &str,
        body: &Value,
    ) -> Result<(), TikTokError> {
        let verb = if reject { "reject" } else { "approve" };
        let path = format!("/return_refund/202309/returns/{return_id}/{verb}");
        let _: Value = self
            .call_json(
                Method::POST,
                &path,
                Scope::Shop(shop),
                &[("idempotency_key", idempotency_key)],
                body,
            )
            .await?;
        Ok(())
    }

    /// `GET /return_refund/202309/reject_reasons` for one return.
    pub async fn return_reject_reasons(
        &self,
        shop: &ShopAuth,
        return_id: &str,
    ) -> Result<Vec<Value>, TikTokError> {
        let r: Reasons = self
            .call(
                Method::GET,
                "/return_refund/202309/reject_reasons",
                Scope::Shop(shop),
                &[("return_or_cancel_id", return_id)],
                None,
            )
            .await?;
        Ok(r.reasons)
    }

    /// The returns with these ids, as JSON (Search Returns `return_ids`),
    /// for the flow to read a return again before acting on it.
    pub async fn returns_by_ids(
        &self,
        shop: &ShopAuth,
        return_ids: &[&str],
    ) -> Result<Vec<Value>, TikTokError> {
        let page: Page = self
            .call_json(
                Method::POST,
                "/return_refund/202309/returns/search",
                Scope::Shop(shop),
                &[("page_size", "50")],
                &json!({ "return_ids": return_ids }),
            )
            .await?;
        Ok(page.return_orders)
    }

    /// Every return updated in `[ge, lt)` (the sweep).
    pub async fn returns_updated(
        &self,
        shop: &ShopAuth,
        ge: i64,
        lt: i64,
    ) -> Result<Vec<Value>, TikTokError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_SWEEP_PAGES {
            let mut params = vec![("page_size", "50"), ("sort_field", "update_time")];
            if let Some(t) = token.as_deref() {
                params.push(("page_token", t));
            }
            let page: Page = self
                .call_json(
                    Method::POST,
                    "/return_refund/202309/returns/search",
                    Scope::Shop(shop),
                    &params,
                    &json!({ "update_time_ge": ge, "update_time_lt": lt }),
                )
                .await?;
            out.extend(page.return_orders);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(out)
    }
}
