//! A writer harness over moto (order log, SKU links, archive) and the TikTok
//! and NetSuite simulators on loopback: processes one order event through
//! `OrderSync` and reads back what was logged and written. Shared by the
//! order-type and warehouse-routing tests.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use shared::domain::{OrderId, ShopId};
use shared::mapping::config::MappingConfig;
use shared::netsuite::{NetSuiteClient, NetSuiteConfig};
use shared::store::{
    DynamoEventArchive, DynamoOrderLog, DynamoShopTokenStore, DynamoSkuLinks, OrderLog,
    OrderLogEntry, QueuedEvent, ShopCredentials, ShopTokenStore,
};
use shared::tiktok::{ShopSessions, TikTokClient};
use shared::writer::{EventProcessor, OrderSync};

use super::Stack;

/// The US shop of the seed.
pub const US: &str = "7494049642642441621";
/// The seed's ordinary order that [`World::put`] copies.
pub const BASE: &str = "576461413038785752";

pub struct World {
    pub _stack: Stack,
    pub tiktok_sim: simulators::RunningSim<simulators::TikTokSim>,
    pub ns_sim: simulators::RunningSim<simulators::NetSuiteSim>,
    pub netsuite: NetSuiteClient,
    pub shops: ShopSessions,
    pub log: DynamoOrderLog,
    pub skus: DynamoSkuLinks,
    pub archive: DynamoEventArchive,
    pub mapping: MappingConfig,
}

pub async fn world_with(mapping: MappingConfig) -> World {
    let stack = Stack::new(30, 5).await;
    let seed = simulators::default_seed();
    let tiktok_sim = simulators::spawn_tiktok(seed.tiktok.clone(), Default::default())
        .await
        .unwrap();
    let ns_sim = simulators::spawn_netsuite(seed.netsuite.clone(), Default::default())
        .await
        .unwrap();
    let app = shared::config::TikTokApp {
        app_key: seed.tiktok.app_key.clone(),
        app_secret: seed.tiktok.app_secret.clone(),
    };
    let tiktok = TikTokClient::new(
        &tiktok_sim.base_url,
        &tiktok_sim.base_url,
        app,
        Duration::from_secs(5),
    )
    .unwrap();
    let mut ns_cfg = NetSuiteConfig::new(&ns_sim.base_url, seed.netsuite.credentials());
    ns_cfg.base_backoff = Duration::from_millis(20);
    let netsuite = NetSuiteClient::new(ns_cfg).unwrap();
    let ddb = stack.ddb.clone();
    let store = DynamoShopTokenStore::new(ddb.clone(), &stack.names.shop_tokens_table);
    for s in &seed.tiktok.shops {
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
    World {
        log: DynamoOrderLog::new(ddb.clone(), &stack.names.order_log_table),
        skus: DynamoSkuLinks::new(ddb.clone(), &stack.names.order_log_table),
        archive: DynamoEventArchive::new(ddb.clone(), &stack.names.events_table),
        shops: ShopSessions::new(tiktok, Arc::new(store)),
        mapping,
        _stack: stack,
        tiktok_sim,
        ns_sim,
        netsuite,
    }
}

impl World {
    pub fn sync(&self) -> OrderSync<'_> {
        OrderSync {
            shops: &self.shops,
            netsuite: &self.netsuite,
            skus: &self.skus,
            log: &self.log,
            archive: &self.archive,
            mapping: &self.mapping,
            max_receive_count: 5,
            clock: &shared::clock::SystemClock,
            digest: None,
            lookups: Default::default(),
            checks: None,
            profiles: None,
            batch: Default::default(),
            returns: None,
        }
    }

    pub async fn process(&self, order: &str, status: &str) {
        let ev = QueuedEvent {
            v: 1,
            event_key: format!("EVT#{US}#{order}-{status}"),
            shop_id: ShopId::new(US),
            notification_id: shared::domain::NotificationId::new(format!("{order}-{status}")),
            type_code: 1,
            order_id: Some(OrderId::new(order)),
            received_at: 0,
            data: json!({"order_id": order, "order_status": status}),
        };
        self.sync().process(&ev, 1).await.expect("processed");
    }

    pub async fn entry(&self, order: &str) -> OrderLogEntry {
        self.log
            .get(&ShopId::new(US), &OrderId::new(order))
            .await
            .unwrap()
            .expect("order log entry")
    }

    pub fn sales_order(&self, order: &str) -> Option<Value> {
        let eid = format!("tts-{US}-{order}");
        self.ns_sim
            .state
            .records("salesOrder")
            .into_iter()
            .find(|so| so["externalId"] == eid.as_str())
    }

    /// Puts an order into TikTok: the seed's order …752 under another id
    /// (its line ids too), reshaped by `f`.
    pub fn put(&self, id: &str, f: impl FnOnce(&mut Value)) {
        let seed = simulators::default_seed();
        let mut o = seed
            .tiktok
            .orders
            .iter()
            .find(|o| o.order["id"] == BASE)
            .unwrap()
            .order
            .clone();
        o["id"] = json!(id);
        for (i, l) in o["line_items"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            l["id"] = json!(format!("{id}{i}"));
        }
        f(&mut o);
        self.tiktok_sim.state.upsert_order(US, o).unwrap();
    }
}
