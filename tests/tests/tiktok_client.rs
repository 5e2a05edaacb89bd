//! The signed TikTok client and the shop token lifecycle, against the TikTok
//! simulator (sign, timestamp, token, shop_cipher, QPS) and, for the token
//! store, DynamoDB on moto.

mod common;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use shared::config::TikTokApp;
use shared::domain::{Money, OrderId, ShopId};
use shared::store::{DynamoShopTokenStore, ShopCredentials, ShopTokenStore};
use shared::tiktok::{
    RetryPolicy, ShopAuth, ShopCallError, ShopSessions, TikTokClient, TikTokError, TokenError,
};
use simulators::{RunningSim, TikTokConfig, TikTokSim};

const APP_KEY: &str = "6e8a1sim2b4kq";
const APP_SECRET: &str = "sim5f0c2d9e7a1b3c4d5e6f708192a3b4c5d6e7f8";
const US_SHOP: &str = "7494049642642441621";
const US_CIPHER: &str = "ROW_simUSxkMbgAAAeVAQra0eZWebFQq5aIK";
const US_TOKEN: &str = "TTP_simUS_Fw8rA3kQeT0vN2pLx9YcRb7M";
const US_REFRESH: &str = "TTP_simUS_NTUxRf2hJk8mQa1WzPc4Ve6D";
const GB_SHOP: &str = "7494726673780148744";
const GB_CIPHER: &str = "GCP_simGBsz2-9AAAAAC5i0xXesBU5U8f6-b0Wd5_";
const GB_TOKEN: &str = "TTP_simGB_Qm3xP9aLr4Tz7KcW1nVe8HbY";
const ORDER_752: &str = "576461413038785752";

async fn sim(qps_limit: u32) -> RunningSim<TikTokSim> {
    simulators::spawn_tiktok(
        simulators::default_seed().tiktok,
        TikTokConfig { port: 0, qps_limit },
    )
    .await
    .expect("spawn tiktok sim")
}

fn client_with(sim: &RunningSim<TikTokSim>, secret: &str) -> TikTokClient {
    TikTokClient::new(
        &sim.base_url,
        &sim.base_url,
        TikTokApp {
            app_key: APP_KEY.into(),
            app_secret: secret.into(),
        },
        Duration::from_secs(10),
    )
    .expect("client")
}

fn client(sim: &RunningSim<TikTokSim>) -> TikTokClient {
    client_with(sim, APP_SECRET)
}

fn us_auth() -> ShopAuth {
    ShopAuth {
        shop_id: ShopId::new(US_SHOP),
        cipher: US_CIPHER.into(),
        access_token: US_TOKEN.into(),
    }
}

/// A token store on moto (a fresh table per test): no in-memory stand-in.
async fn dynamo_store() -> Arc<DynamoShopTokenStore> {
    let stack = common::Stack::new(30, 5).await;
    Arc::new(DynamoShopTokenStore::new(
        stack.ddb.clone(),
        &stack.names.shop_tokens_table,
    ))
}

fn now() -> i64 {
    shared::clock::Clock::now(&shared::clock::SystemClock)
}

fn us_creds(access_expires_in: i64, refresh_token: &str) -> ShopCredentials {
    ShopCredentials {
        shop_id: ShopId::new(US_SHOP),
        cipher: US_CIPHER.into(),
        access_token: US_TOKEN.into(),
        access_token_expires_at: now() + access_expires_in,
        refresh_token: refresh_token.into(),
        refresh_token_expires_at: now() + 30 * 24 * 3600,
    }
}

#[tokio::test]
async fn authorized_shops_carry_the_cipher() {
    let sim = sim(50).await;
    let shops = client(&sim)
        .get_authorized_shops(US_TOKEN)
        .await
        .expect("shops");
    assert_eq!(shops.len(), 1);
    assert_eq!(shops[0].id, ShopId::new(US_SHOP));
    assert_eq!(shops[0].cipher, US_CIPHER);
    assert!(!shops[0].region.is_empty());

    let gb = client(&sim)
        .get_authorized_shops(GB_TOKEN)
        .await
        .expect("gb shops");
    assert_eq!(gb[0].cipher, GB_CIPHER);
    assert_eq!(gb[0].id, ShopId::new(GB_SHOP));
}

#[tokio::test]
async fn get_orders_returns_one_line_item_per_unit_and_omits_unknown_ids() {
    let sim = sim(50).await;
    let c = client(&sim);
    let orders = c
        .get_orders(
            &us_auth(),
            &[OrderId::new(ORDER_752), OrderId::new("999999999999999999")],
        )
        .await
        .expect("orders");
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.id, OrderId::new(ORDER_752));
    assert_eq!(
        o.line_items.len(),
        3,
        "2 tents as two line items + a headlamp"
    );
    assert_eq!(
        o.payment.total_amount,
        Money::from_str("279.15").expect("decimal")
    );

    let one = c
        .get_order(&us_auth(), &OrderId::new(ORDER_752))
        .await
        .expect("one");
    assert_eq!(one.map(|o| o.id), Some(OrderId::new(ORDER_752)));
    // An unknown id, or another shop's order: TikTok's 21008111, final.
    for id in ["999999999999999999", "578903215467812301"] {
        let e = c
            .get_order(&us_auth(), &OrderId::new(id))
            .await
            .expect_err("not this seller's");
        assert!(shared::tiktok::orders::is_not_the_sellers(&e), "{e:?}");
        assert!(!e.is_retryable());
    }
    assert!(c
        .get_orders(&us_auth(), &[])
        .await
        .expect("empty")
        .is_empty());
}

#[tokio::test]
async fn more_than_fifty_ids_are_chunked() {
    let sim = sim(1000).await;
    let mut ids: Vec<OrderId> = (0..120)
        .map(|i| OrderId::new(format!("1000000000000{i:05}")))
        .collect();
    ids.push(OrderId::new(ORDER_752));
    let orders = client(&sim)
        .get_orders(&us_auth(), &ids)
        .await
        .expect("orders");
    assert_eq!(orders.len(), 1);
    // 3 calls of at most 50 ids; each is refused for its unknown ids
    // (21008111), so the ids are then asked one by one.
    assert_eq!(sim.state.request_count("/order/202309/orders"), 3 + 121);
}

#[tokio::test]
async fn wrong_app_secret_is_a_non_retryable_sign_error() {
    let sim = sim(50).await;
    let err = client_with(&sim, "not-the-secret")
        .get_orders(&us_auth(), &[OrderId::new(ORDER_752)])
        .await
        .expect_err("bad sign");
    assert!(
        matches!(err, TikTokError::Api { code: 106001, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(err.is_auth_failure());
    assert_eq!(err.code(), Some(106001));
    assert_eq!(err.http_status(), Some(200));
    assert_eq!(err.system_call(), "GET /order/202309/orders");
    assert!(err.response_body().is_some_and(|b| b.contains("106001")));
    assert!(err.request_id().is_some());
    // Not retried: exactly one call reached the simulator.
    assert_eq!(sim.state.request_count("/order/202309/orders"), 1);
}

#[tokio::test]
async fn expired_token_is_token_expired() {
    let sim = sim(50).await;
    sim.state
        .set_token(US_SHOP, None, Some(now() - 10))
        .expect("set token");
    let err = client(&sim)
        .get_orders(&us_auth(), &[OrderId::new(ORDER_752)])
        .await
        .expect_err("expired");
    assert!(matches!(err, TikTokError::TokenExpired { .. }), "{err:?}");
    assert_eq!(err.code(), Some(105002));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn rate_limited_calls_succeed_after_backoff() {
    let sim = sim(2).await;
    let c = client(&sim).with_retry_policy(RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(2),
    });
    let auth = us_auth();
    let calls = (0..6).map(|_| {
        let c = c.clone();
        let auth = auth.clone();
        async move { c.get_orders(&auth, &[OrderId::new(ORDER_752)]).await }
    });
    let results = futures::future::join_all(calls).await;
    for r in &results {
        assert!(r.as_ref().is_ok_and(|o| o.len() == 1), "{r:?}");
    }
    assert!(sim.state.rejected_count(36009002) > 0);
}

#[tokio::test]
async fn rate_limit_surfaces_as_retryable_when_attempts_run_out() {
    let sim = sim(1).await;
    let c = client(&sim).with_retry_policy(RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
    });
    let auth = us_auth();
    let ids = [OrderId::new(ORDER_752)];
    let (a, b) = tokio::join!(c.get_orders(&auth, &ids), c.get_orders(&auth, &ids));
    let err = a.err().or(b.err()).expect("one call is rate limited");
    assert!(matches!(err, TikTokError::RateLimited { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.http_status(), Some(429));
}

#[tokio::test]
async fn unreachable_host_is_a_retryable_transport_error() {
    let c = TikTokClient::new(
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        TikTokApp {
            app_key: APP_KEY.into(),
            app_secret: APP_SECRET.into(),
        },
        Duration::from_secs(2),
    )
    .expect("client")
    .with_retry_policy(RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(10),
    });
    let err = c.refresh_token(US_REFRESH).await.expect_err("no server");
    assert!(
        matches!(err, TikTokError::Transport { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    // The token endpoint's URL carries the app secret: it must not leak.
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains(APP_SECRET) && !text.contains(US_REFRESH),
        "{text}"
    );
}

#[tokio::test]
async fn refresh_token_returns_a_working_new_token() {
    let sim = sim(50).await;
    let c = client(&sim);
    let t = c.refresh_token(US_REFRESH).await.expect("refresh");
    assert_ne!(t.access_token, US_TOKEN);
    assert!(
        t.access_token_expire_in > now() + 24 * 3600,
        "absolute expiry"
    );
    assert!(t.refresh_token_expire_in > now());
    let auth = ShopAuth {
        access_token: t.access_token.clone(),
        ..us_auth()
    };
    let orders = c
        .get_orders(&auth, &[OrderId::new(ORDER_752)])
        .await
        .expect("orders with new token");
    assert_eq!(orders.len(), 1);

    let err = c
        .refresh_token("TTP_bogus")
        .await
        .expect_err("bad refresh token");
    assert!(matches!(err, TikTokError::Api { .. }), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn sessions_refresh_expiring_tokens_and_store_them_on_dynamodb() {
    let stack = common::Stack::new(30, 5).await;
    let store = Arc::new(DynamoShopTokenStore::new(
        stack.ddb.clone(),
        stack.names.shop_tokens_table.clone(),
    ));
    let sim = sim(50).await;
    let sessions = ShopSessions::new(client(&sim), store.clone());
    let shop = ShopId::new(US_SHOP);

    // Not connected yet.
    let err = sessions.auth_for(&shop).await.expect_err("no creds");
    assert!(matches!(err, TokenError::NotConnected { .. }), "{err}");
    assert!(err.to_string().contains("CLI"), "{err}");

    // Round trip, in the shop tokens table (apart from the order log).
    let fresh = us_creds(3600, US_REFRESH);
    store.put(&fresh).await.expect("put");
    assert_eq!(store.get(&shop).await.expect("get"), Some(fresh.clone()));
    let item = stack
        .ddb
        .get_item()
        .table_name(&stack.names.shop_tokens_table)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("SHOP#{US_SHOP}")),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("TOKEN".into()),
        )
        .send()
        .await
        .expect("raw get");
    assert!(item.item().is_some());

    // An hour left: no refresh.
    let auth = sessions.auth_for(&shop).await.expect("auth");
    assert_eq!(auth.access_token, US_TOKEN);
    assert_eq!(auth.cipher, US_CIPHER);
    assert_eq!(sim.state.request_count("/api/v2/token/refresh"), 0);

    // A warm session reuses what it read while the token has time left: a
    // second call reads no DynamoDB item (checked by deleting it).
    stack
        .ddb
        .delete_item()
        .table_name(&stack.names.shop_tokens_table)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("SHOP#{US_SHOP}")),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("TOKEN".into()),
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(
        sessions.auth_for(&shop).await.expect("cached").access_token,
        US_TOKEN
    );

    // Five minutes left (< 10), as a new container reads it: refreshed and stored.
    store.put(&us_creds(300, US_REFRESH)).await.expect("put");
    let sessions = ShopSessions::new(client(&sim), store.clone());
    let auth = sessions.auth_for(&shop).await.expect("refreshed auth");
    assert_ne!(auth.access_token, US_TOKEN);
    assert_eq!(sim.state.request_count("/api/v2/token/refresh"), 1);
    let stored = store.get(&shop).await.expect("get").expect("stored");
    assert_eq!(stored.access_token, auth.access_token);
    assert!(stored.access_token_expires_at > now() + 24 * 3600);
    assert_eq!(stored.cipher, US_CIPHER);
    let orders = sessions
        .client()
        .get_orders(&auth, &[OrderId::new(ORDER_752)])
        .await
        .expect("orders with refreshed token");
    assert_eq!(orders.len(), 1);
    // Now fresh: the next call does not refresh again.
    sessions.auth_for(&shop).await.expect("auth");
    assert_eq!(sim.state.request_count("/api/v2/token/refresh"), 1);
}

#[tokio::test]
async fn token_expired_then_refresh_now_and_one_retry_succeeds() {
    let sim = sim(50).await;
    let store = dynamo_store().await;
    // The store believes the token is good for a day; TikTok says it expired.
    store
        .put(&us_creds(24 * 3600, US_REFRESH))
        .await
        .expect("put");
    sim.state
        .set_token(US_SHOP, None, Some(now() - 1))
        .expect("set token");
    let sessions = ShopSessions::new(client(&sim), store.clone());
    let shop = ShopId::new(US_SHOP);
    let ids = [OrderId::new(ORDER_752)];

    let auth = sessions.auth_for(&shop).await.expect("auth");
    let err = sessions
        .client()
        .get_orders(&auth, &ids)
        .await
        .expect_err("expired");
    assert!(matches!(err, TikTokError::TokenExpired { .. }), "{err:?}");
    let auth = sessions.refresh_now(&shop).await.expect("refresh");
    let orders = sessions
        .client()
        .get_orders(&auth, &ids)
        .await
        .expect("retry after refresh");
    assert_eq!(orders.len(), 1);
    assert_eq!(
        store.get(&shop).await.expect("get").map(|c| c.access_token),
        Some(auth.access_token)
    );

    // The same through call_with_refresh.
    sim.state
        .set_token(US_SHOP, None, Some(now() - 1))
        .expect("set token");
    let refreshes = sim.state.request_count("/api/v2/token/refresh");
    let client = sessions.client().clone();
    let orders = sessions
        .call_with_refresh(&shop, |auth| {
            let client = client.clone();
            let ids = ids.clone();
            async move { client.get_orders(&auth, &ids).await }
        })
        .await
        .expect("call with refresh");
    assert_eq!(orders.len(), 1);
    assert_eq!(
        sim.state.request_count("/api/v2/token/refresh"),
        refreshes + 1
    );
}

#[tokio::test]
async fn refresh_failure_is_refresh_failed() {
    let sim = sim(50).await;
    let store = dynamo_store().await;
    store
        .put(&us_creds(60, "TTP_not_a_refresh_token"))
        .await
        .expect("put");
    let sessions = ShopSessions::new(client(&sim), store.clone());
    let shop = ShopId::new(US_SHOP);
    let err = sessions.auth_for(&shop).await.expect_err("refresh fails");
    match &err {
        TokenError::RefreshFailed {
            shop_id, retryable, ..
        } => {
            assert_eq!(shop_id, &shop);
            assert!(!retryable);
        }
        other => panic!("expected RefreshFailed, got {other:?}"),
    }
    assert!(
        !err.to_string().contains("TTP_not_a_refresh_token"),
        "{err}"
    );

    // An expired refresh token fails without calling TikTok.
    let mut creds = us_creds(60, US_REFRESH);
    creds.refresh_token_expires_at = now() - 1;
    store.put(&creds).await.expect("put");
    let before = sim.state.request_count("/api/v2/token/refresh");
    let err = sessions.auth_for(&shop).await.expect_err("expired refresh");
    assert!(matches!(err, TokenError::RefreshFailed { .. }), "{err:?}");
    assert_eq!(sim.state.request_count("/api/v2/token/refresh"), before);

    // Through call_with_refresh the error keeps its kind.
    let client = sessions.client().clone();
    let err = sessions
        .call_with_refresh(&shop, |auth| {
            let client = client.clone();
            async move { client.get_authorized_shops(&auth.access_token).await }
        })
        .await
        .expect_err("refresh fails");
    assert!(
        matches!(err, ShopCallError::Token(TokenError::RefreshFailed { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn two_containers_refreshing_at_once_leave_one_valid_token() {
    let sim = sim(50).await;
    let stack = common::Stack::new(30, 5).await;
    let table = stack.names.shop_tokens_table.clone();
    let store = Arc::new(DynamoShopTokenStore::new(stack.ddb.clone(), &table));
    // Both containers see a token expiring within the refresh margin.
    store.put(&us_creds(60, US_REFRESH)).await.expect("put");
    let a = ShopSessions::new(client(&sim), store.clone());
    let b = ShopSessions::new(client(&sim), store.clone());
    let shop = ShopId::new(US_SHOP);
    // Container b starts as soon as a's claim is stored. DynamoDB applies a
    // condition expression atomically, so of two claims sent in the same
    // instant exactly one wins; moto checks and writes on concurrent request
    // threads without a lock, so there both could win and the test would
    // prove moto's race, not the claim protocol. What b then meets — a
    // claim in place, or a's tokens already stored — is the protocol.
    let claimed = || async {
        stack
            .ddb
            .get_item()
            .table_name(&table)
            .key(
                "pk",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("SHOP#{US_SHOP}")),
            )
            .key(
                "sk",
                aws_sdk_dynamodb::types::AttributeValue::S("TOKEN".into()),
            )
            .consistent_read(true)
            .send()
            .await
            .ok()
            .and_then(|o| o.item)
            .is_some_and(|i| i.contains_key("refreshing_until"))
    };
    let (ra, rb) = tokio::join!(a.auth_for(&shop), async {
        for _ in 0..2_000 {
            if claimed().await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        b.auth_for(&shop).await
    });
    let (ra, rb) = (ra.expect("container a"), rb.expect("container b"));
    let stored = store.get(&shop).await.expect("get").expect("stored");
    assert_ne!(stored.access_token, US_TOKEN, "the refresh was stored");
    // The stored token and the one each container now holds all work.
    for auth in [stored.auth(), ra, rb] {
        let orders = client(&sim)
            .get_orders(&auth, &[OrderId::new(ORDER_752)])
            .await
            .expect("a valid token");
        assert_eq!(orders.len(), 1);
    }
    assert_eq!(
        sim.state.request_count("/api/v2/token/refresh"),
        1,
        "one container refreshed; the other waited and used its tokens"
    );
    // A refresh stored over an access token that is no longer the stored one
    // is refused: the other container's tokens stand.
    let stale = us_creds(3600, US_REFRESH);
    assert!(!store.replace(US_TOKEN, &stale).await.expect("replace"));
    assert!(store
        .replace(&stored.access_token, &stale)
        .await
        .expect("replace"));
}
