//! What the shared-client tests next to each simulator area share: the
//! simulator running on loopback and a `ShopSessions` over it, with the
//! seed shops' tokens in a token store held in memory.
//!
//! These tests live in this crate (next to the endpoint they exercise) and
//! need no AWS; the moto-backed token store is exercised by the
//! integration tests in `tests/`. The trait is `async_trait`; its methods
//! are written out by hand so this crate needs no extra dependency.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shared::config::TikTokApp;
use shared::domain::ShopId;
use shared::store::{ShopCredentials, ShopTokenStore, StoreError};
use shared::tiktok::{ShopSessions, TikTokClient};

use super::TikTokSim;
use crate::seed::TikTokSeed;
use crate::{spawn_tiktok, RunningSim, TikTokConfig};

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A token store in memory: replace is conditional on the access token seen,
/// like the DynamoDB one.
#[derive(Default)]
pub(crate) struct MemStore(Mutex<HashMap<ShopId, ShopCredentials>>);

impl MemStore {
    pub(crate) fn get_now(&self, shop: &ShopId) -> Option<ShopCredentials> {
        crate::lock(&self.0).get(shop).cloned()
    }
}

impl ShopTokenStore for MemStore {
    fn get<'a, 'b, 'c>(&'a self, shop: &'b ShopId) -> BoxFut<'c, Option<ShopCredentials>>
    where
        'a: 'c,
        'b: 'c,
        Self: 'c,
    {
        let v = self.get_now(shop);
        Box::pin(async move { Ok(v) })
    }
    fn put<'a, 'b, 'c>(&'a self, creds: &'b ShopCredentials) -> BoxFut<'c, ()>
    where
        'a: 'c,
        'b: 'c,
        Self: 'c,
    {
        crate::lock(&self.0).insert(creds.shop_id.clone(), creds.clone());
        Box::pin(async { Ok(()) })
    }
    fn claim_refresh<'a, 'b, 'd, 'c>(
        &'a self,
        _shop: &'b ShopId,
        _seen: &'d str,
        _now: i64,
        _until: i64,
    ) -> BoxFut<'c, bool>
    where
        'a: 'c,
        'b: 'c,
        'd: 'c,
        Self: 'c,
    {
        Box::pin(async { Ok(true) })
    }
    fn replace<'a, 'b, 'd, 'c>(
        &'a self,
        seen: &'b str,
        creds: &'d ShopCredentials,
    ) -> BoxFut<'c, bool>
    where
        'a: 'c,
        'b: 'c,
        'd: 'c,
        Self: 'c,
    {
        let mut m = crate::lock(&self.0);
        let ok = m
            .get(&creds.shop_id)
            .is_some_and(|c| c.access_token == seen);
        if ok {
            m.insert(creds.shop_id.clone(), creds.clone());
        }
        Box::pin(async move { Ok(ok) })
    }
    /// The harness forgets a deauthorized shop's tokens (the writer then
    /// finds none, as it refuses marked ones in DynamoDB).
    fn disconnect<'a, 'b, 'c>(&'a self, shop: &'b ShopId, _at: i64) -> BoxFut<'c, bool>
    where
        'a: 'c,
        'b: 'c,
        Self: 'c,
    {
        let had = crate::lock(&self.0).remove(shop).is_some();
        Box::pin(async move { Ok(had) })
    }
}

/// The simulator on `seed`, and sessions holding every seed shop's tokens.
pub(crate) async fn sessions(
    seed: TikTokSeed,
) -> (RunningSim<TikTokSim>, ShopSessions, Arc<MemStore>) {
    let sim = spawn_tiktok(seed.clone(), TikTokConfig::default())
        .await
        .unwrap();
    let client = TikTokClient::new(
        &sim.base_url,
        &sim.base_url,
        TikTokApp {
            app_key: seed.app_key.clone(),
            app_secret: seed.app_secret.clone(),
        },
        Duration::from_secs(10),
    )
    .unwrap();
    let store = Arc::new(MemStore::default());
    for s in &seed.shops {
        store
            .put(&ShopCredentials {
                shop_id: ShopId::new(&s.id),
                cipher: s.cipher.clone(),
                access_token: s.access_token.clone(),
                access_token_expires_at: s.access_token_expire_in,
                refresh_token: s.refresh_token.clone(),
                refresh_token_expires_at: s.refresh_token_expire_in,
            })
            .await
            .unwrap();
    }
    (sim, ShopSessions::new(client, store.clone()), store)
}
