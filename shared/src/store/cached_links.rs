//! SKU links remembered in-process for a few minutes.
//!
//! Every order line needs its SKU's NetSuite item; reading the link from
//! DynamoDB for every line of every order costs a read each. A warm writer
//! keeps the links it found (never the misses: a SKU an operator links after
//! a failure is seen at once) for [`LINK_CACHE_TTL`]; a link *changed* to
//! another item takes effect in warm writers within that time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{SkuLink, SkuLinks, StoreError};
use crate::clock::Clock;
use crate::domain::{ShopId, Sku};

/// How long a found link is reused without reading DynamoDB.
pub const LINK_CACHE_TTL_SECS: i64 = 300;

/// [`SkuLinks`] with an in-process cache of found links in front.
pub struct CachedSkuLinks<S> {
    inner: S,
    clock: Arc<dyn Clock>,
    found: Mutex<HashMap<(ShopId, Sku), (SkuLink, i64)>>,
}

impl<S> CachedSkuLinks<S> {
    pub fn new(inner: S, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner,
            clock,
            found: Mutex::new(HashMap::new()),
        }
    }

    fn found(&self) -> std::sync::MutexGuard<'_, HashMap<(ShopId, Sku), (SkuLink, i64)>> {
        self.found.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl<S: SkuLinks> SkuLinks for CachedSkuLinks<S> {
    async fn get(&self, shop: &ShopId, sku: &Sku) -> Result<Option<SkuLink>, StoreError> {
        let key = (shop.clone(), sku.clone());
        let now = self.clock.now();
        if let Some((link, at)) = self.found().get(&key) {
            if now - at < LINK_CACHE_TTL_SECS {
                return Ok(Some(link.clone()));
            }
        }
        let link = self.inner.get(shop, sku).await?;
        match &link {
            Some(l) => {
                self.found().insert(key, (l.clone(), now));
            }
            None => {
                self.found().remove(&key);
            }
        }
        Ok(link)
    }

    async fn put(&self, link: &SkuLink) -> Result<(), StoreError> {
        self.inner.put(link).await?;
        self.found().insert(
            (link.shop_id.clone(), link.sku.clone()),
            (link.clone(), self.clock.now()),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    /// Counts reads; knows one link.
    #[derive(Default)]
    struct Counting {
        reads: Mutex<u32>,
        link: Mutex<Option<SkuLink>>,
    }

    #[async_trait]
    impl SkuLinks for Arc<Counting> {
        async fn get(&self, _: &ShopId, _: &Sku) -> Result<Option<SkuLink>, StoreError> {
            *self.reads.lock().unwrap() += 1;
            Ok(self.link.lock().unwrap().clone())
        }
        async fn put(&self, link: &SkuLink) -> Result<(), StoreError> {
            *self.link.lock().unwrap() = Some(link.clone());
            Ok(())
        }
    }

    #[tokio::test]
    async fn found_links_are_reused_misses_never_are() {
        let inner = Arc::new(Counting::default());
        let clock = Arc::new(FixedClock::at(1000));
        let c = CachedSkuLinks::new(inner.clone(), clock.clone());
        let (shop, sku) = (ShopId::new("s"), Sku::new("TENT"));
        assert_eq!(c.get(&shop, &sku).await.unwrap(), None);
        assert_eq!(c.get(&shop, &sku).await.unwrap(), None);
        assert_eq!(*inner.reads.lock().unwrap(), 2, "a miss is asked again");
        // An operator links it elsewhere (the CLI writes the table directly).
        *inner.link.lock().unwrap() = Some(SkuLink {
            shop_id: shop.clone(),
            sku: sku.clone(),
            item_id: "101".into(),
            source: "manual".into(),
        });
        assert!(c.get(&shop, &sku).await.unwrap().is_some());
        assert!(c.get(&shop, &sku).await.unwrap().is_some());
        assert_eq!(*inner.reads.lock().unwrap(), 3, "a hit is reused");
        clock.set(1000 + LINK_CACHE_TTL_SECS);
        assert!(c.get(&shop, &sku).await.unwrap().is_some());
        assert_eq!(
            *inner.reads.lock().unwrap(),
            4,
            "and read again after the TTL"
        );
    }
}
