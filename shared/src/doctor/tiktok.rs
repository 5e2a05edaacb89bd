//! The TikTok side of the doctor: one live call per shop for the token (and
//! the app's signature), one read per scope, and the Event API.

use super::checks::{self, Expiry, Probe};
use super::webhooks::{WebhookSubscriptions, NEEDED_EVENTS};
use super::Check;
use crate::domain::{OrderId, ShopId};
use crate::store::ShopTokenStore;
use crate::tiktok::products::ProductFilter;
use crate::tiktok::scopes::NEEDED;
use crate::tiktok::{ShopCallError, ShopSessions};

/// What the TikTok checks read.
pub struct TikTokSide<'a> {
    pub sessions: &'a ShopSessions,
    pub tokens: &'a dyn ShopTokenStore,
    pub webhooks: &'a dyn WebhookSubscriptions,
}

fn probe<T>(r: &Result<T, ShopCallError>) -> Probe {
    match r {
        Ok(_) => Probe::Ok,
        Err(e) => Probe::from(e),
    }
}

/// The signature failed: every other TikTok check of the shop is moot.
fn sign_failed(p: &Probe) -> bool {
    matches!(p, Probe::Api { code, .. } if *code == crate::tiktok::error::CODE_INVALID_SIGN)
}

impl TikTokSide<'_> {
    /// The app check (from the first shop's live call), then each shop's
    /// token, scopes and webhooks.
    pub async fn run(&self, shops: &[ShopId], now: i64, out: &mut Vec<Check>) {
        let mut per_shop = Vec::new();
        let mut first: Option<Probe> = None;
        for shop in shops {
            let stored = self.tokens.get(shop).await;
            let live = match &stored {
                Ok(Some(_)) => {
                    let client = self.sessions.client();
                    probe(
                        &self
                            .sessions
                            .call_with_refresh(shop, |auth| async move {
                                client.get_authorized_shops(&auth.access_token).await
                            })
                            .await,
                    )
                }
                Ok(None) => Probe::Token {
                    reason: "not connected".into(),
                },
                Err(e) => Probe::Unreachable {
                    reason: e.to_string(),
                },
            };
            if first.is_none() && !matches!(stored, Ok(None)) {
                first = Some(live.clone());
            }
            per_shop.push((shop, stored, live));
        }
        out.push(checks::app_signs(first.as_ref()));
        for (shop, stored, live) in per_shop {
            let name = shop.as_str();
            if sign_failed(&live) {
                out.push(Check::warn(
                    format!("tiktok.token {name}"),
                    "not checked: TikTok refused the app's signature (see tiktok.app)",
                    "",
                ));
                continue;
            }
            let expiry = match stored {
                Ok(Some(c)) => Some(Expiry {
                    access: c.access_token_expires_at,
                    refresh: c.refresh_token_expires_at,
                }),
                Ok(None) => None,
                Err(e) => {
                    out.push(checks::reachable(
                        "table",
                        "shop tokens",
                        Err(e.to_string()),
                    ));
                    continue;
                }
            };
            let token = checks::shop_token(name, expiry, now, &live);
            let usable = token.status != super::Status::Fail;
            out.push(token);
            if !usable {
                continue;
            }
            out.push(self.scopes(shop, &live, now).await);
            let subs = self.webhooks.subscriptions(shop).await;
            out.push(match &subs {
                Ok(s) => checks::shop_webhooks(name, Ok(s), &NEEDED_EVENTS),
                Err(e) => checks::shop_webhooks(name, Err(&Probe::from(e)), &NEEDED_EVENTS),
            });
        }
    }

    /// One read call per scope that has one; write-only scopes are not probed.
    async fn scopes(&self, shop: &ShopId, authorization: &Probe, now: i64) -> Check {
        let s = self.sessions;
        let c = s.client();
        let mut probes = Vec::with_capacity(NEEDED.len());
        for scope in NEEDED {
            let p = match scope.name {
                "seller.authorization.info" => Some(authorization.clone()),
                "seller.order.info" => Some(probe(
                    &s.call_with_refresh(shop, |a| async move {
                        c.search_orders(&a, now - 3600, now, None, 1, None).await
                    })
                    .await,
                )),
                "seller.return_refund.basic" => Some(probe(
                    &s.call_with_refresh(shop, |a| async move {
                        c.cancellations_for_order(&a, &OrderId::new("0")).await
                    })
                    .await,
                )),
                "seller.product.basic" => Some(probe(
                    &s.call_with_refresh(shop, |a| async move {
                        c.search_products_page(&a, &ProductFilter::default(), None)
                            .await
                    })
                    .await,
                )),
                "seller.logistics" => Some(probe(
                    &s.call_with_refresh(shop, |a| async move { c.get_warehouses(&a).await })
                        .await,
                )),
                "seller.finance.info" => Some(probe(
                    &s.call_with_refresh(shop, |a| async move {
                        c.statements_page(&a, (now - 86_400, now), None).await
                    })
                    .await,
                )),
                _ => None,
            };
            probes.push((scope, p));
        }
        checks::shop_scopes(shop.as_str(), &probes)
    }
}
