//! The returns flow's test world: the TikTok simulator (its return API),
//! the returns store on moto, and a `ReturnBooks` that records every call
//! (NetSuite's side is a port, implemented over REST on another branch; the
//! lead's integration tests run the flow with it).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};
use shared::clock::FixedClock;
use shared::config::TikTokApp;
use shared::domain::{OrderId, ShopId, Sku};
use shared::netsuite::NsError;
use shared::returns::credit::CreditPlan;
use shared::returns::flow::api::{ApiFailure, DirectReturnsApi, ReturnsApi};
use shared::returns::flow::ReturnsFlow;
use shared::returns::policy::RejectReason;
use shared::returns::ports::{RaRef, RaUpsert, ReturnBooks};
use shared::returns::ra_plan::OrderRecords;
use shared::returns::receipt::{ReceiptPlan, ReturnLocations};
use shared::returns::settings::ReturnsSettings;
use shared::returns::ReturnRecord;
use shared::store::returns::DynamoReturnsStore;
use shared::tiktok::{ShopAuth, TikTokClient};
use simulators::{RunningSim, TikTokConfig, TikTokSim};

pub const APP_KEY: &str = "6e8a1sim2b4kq";
pub const APP_SECRET: &str = "sim5f0c2d9e7a1b3c4d5e6f708192a3b4c5d6e7f8";
pub const US_SHOP: &str = "7494049642642441621";
pub const US_CIPHER: &str = "ROW_simUSxkMbgAAAeVAQra0eZWebFQq5aIK";
pub const US_TOKEN: &str = "TTP_simUS_Fw8rA3kQeT0vN2pLx9YcRb7M";
/// A seeded order of the US shop.
pub const ORDER: &str = "576461413038785752";

/// One call to the books, as the test reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookCall {
    OrderRecords(String),
    UpsertRa {
        external_id: String,
        status: String,
        lines: Vec<(String, u32)>,
    },
    CloseRa(String),
    Receive {
        ra: String,
        lines: Vec<(String, u32, Option<String>, bool)>,
    },
    Credit {
        ra: String,
        total: String,
        external_id: String,
    },
}

/// NetSuite's side, recorded: an order with an invoice and `fulfilled`
/// units; RAs by externalId.
pub struct RecordingBooks {
    pub calls: Mutex<Vec<BookCall>>,
    pub fulfilled: BTreeMap<Sku, u32>,
    ras: Mutex<BTreeMap<String, RaRef>>,
}

impl RecordingBooks {
    pub fn new(fulfilled: &[(&str, u32)]) -> Self {
        Self {
            calls: Mutex::new(vec![]),
            fulfilled: fulfilled
                .iter()
                .map(|(s, n)| (Sku(s.to_string()), *n))
                .collect(),
            ras: Mutex::new(BTreeMap::new()),
        }
    }
    pub fn calls(&self) -> Vec<BookCall> {
        self.calls.lock().unwrap().clone()
    }
    fn push(&self, c: BookCall) {
        self.calls.lock().unwrap().push(c);
    }
    pub fn upserts(&self, ext: &str) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                BookCall::UpsertRa {
                    external_id,
                    status,
                    ..
                } if external_id == ext => Some(status),
                _ => None,
            })
            .collect()
    }
    pub fn closed(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                BookCall::CloseRa(id) => Some(id),
                _ => None,
            })
            .collect()
    }
}

#[async_trait]
impl ReturnBooks for RecordingBooks {
    async fn order_records(
        &self,
        order: &OrderId,
        _this_ra: &str,
    ) -> Result<OrderRecords, NsError> {
        self.push(BookCall::OrderRecords(order.to_string()));
        Ok(OrderRecords {
            sales_order: Some("SO1".into()),
            invoice: Some("INV1".into()),
            fulfilled: self.fulfilled.clone(),
            ..Default::default()
        })
    }
    async fn upsert_ra(&self, ra: &RaUpsert) -> Result<RaRef, NsError> {
        self.push(BookCall::UpsertRa {
            external_id: ra.external_id.clone(),
            status: format!("{:?}", ra.status),
            lines: ra.lines.iter().map(|(s, n)| (s.0.clone(), *n)).collect(),
        });
        let mut ras = self.ras.lock().unwrap();
        let n = ras.len() + 1;
        Ok(ras
            .entry(ra.external_id.clone())
            .or_insert_with(|| RaRef {
                internal_id: format!("RA{n}"),
                external_id: ra.external_id.clone(),
                source: ra.source.clone(),
            })
            .clone())
    }
    async fn find_ra(&self, external_id: &str) -> Result<Option<RaRef>, NsError> {
        Ok(self.ras.lock().unwrap().get(external_id).cloned())
    }
    async fn close_ra(&self, ra: &RaRef) -> Result<(), NsError> {
        self.push(BookCall::CloseRa(ra.internal_id.clone()));
        Ok(())
    }
    async fn receive(&self, ra: &RaRef, plan: &ReceiptPlan, _ext: &str) -> Result<String, NsError> {
        self.push(BookCall::Receive {
            ra: ra.internal_id.clone(),
            lines: plan
                .lines
                .iter()
                .map(|l| (l.sku.0.clone(), l.quantity, l.location.clone(), l.receive))
                .collect(),
        });
        Ok(format!("IR-{}", ra.internal_id))
    }
    async fn credit(
        &self,
        ra: &RaRef,
        plan: &CreditPlan,
        external_id: &str,
    ) -> Result<String, NsError> {
        self.push(BookCall::Credit {
            ra: ra.internal_id.clone(),
            total: plan.total.to_string(),
            external_id: external_id.to_string(),
        });
        Ok(format!("CM-{}", ra.internal_id))
    }
}

/// The TikTok side through the simulator, with two test hooks: `lose_next`
/// loses the answer of the next decision TikTok applied (a timeout after
/// commit), `stale` answers reads with the first read of each return.
pub struct SimApi {
    pub inner: DirectReturnsApi,
    pub lose_next: Mutex<bool>,
    pub stale: Mutex<bool>,
    first_reads: Mutex<BTreeMap<String, ReturnRecord>>,
    /// Every decision sent: (return id, decision, idempotency key).
    pub sent: Mutex<Vec<(String, String, String)>>,
}

#[async_trait]
impl ReturnsApi for SimApi {
    fn shop(&self) -> &ShopId {
        self.inner.shop()
    }
    async fn get(&self, return_id: &str) -> Result<Option<ReturnRecord>, ApiFailure> {
        if *self.stale.lock().unwrap() {
            if let Some(r) = self.first_reads.lock().unwrap().get(return_id) {
                return Ok(Some(r.clone()));
            }
        }
        let r = self.inner.get(return_id).await?;
        if let Some(r) = &r {
            self.first_reads
                .lock()
                .unwrap()
                .entry(return_id.to_string())
                .or_insert_with(|| r.clone());
        }
        Ok(r)
    }
    async fn updated(&self, ge: i64, lt: i64) -> Result<Vec<ReturnRecord>, ApiFailure> {
        self.inner.updated(ge, lt).await
    }
    async fn reject_reasons(&self, return_id: &str) -> Result<Vec<RejectReason>, ApiFailure> {
        self.inner.reject_reasons(return_id).await
    }
    async fn order_paid_time(&self, order: &OrderId) -> Result<Option<i64>, ApiFailure> {
        self.inner.order_paid_time(order).await
    }
    async fn decide(
        &self,
        return_id: &str,
        reject: bool,
        idempotency_key: &str,
        body: &Value,
    ) -> Result<(), ApiFailure> {
        self.sent.lock().unwrap().push((
            return_id.to_string(),
            body["decision"].as_str().unwrap_or_default().to_string(),
            idempotency_key.to_string(),
        ));
        self.inner
            .decide(return_id, reject, idempotency_key, body)
            .await?;
        let mut lose = self.lose_next.lock().unwrap();
        if *lose {
            *lose = false;
            return Err(ApiFailure {
                code: None,
                retryable: true,
                message: "timed out after TikTok committed".into(),
            });
        }
        Ok(())
    }
}

pub struct World {
    pub sim: RunningSim<TikTokSim>,
    pub api: SimApi,
    pub books: RecordingBooks,
    pub store: DynamoReturnsStore,
    pub clock: FixedClock,
    pub settings: ReturnsSettings,
    pub stack: crate::common::Stack,
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub async fn world(settings: ReturnsSettings) -> World {
    let sim = simulators::spawn_tiktok(
        simulators::default_seed().tiktok,
        TikTokConfig {
            port: 0,
            qps_limit: 1000,
        },
    )
    .await
    .expect("spawn tiktok sim");
    let client = TikTokClient::new(
        &sim.base_url,
        &sim.base_url,
        TikTokApp {
            app_key: APP_KEY.into(),
            app_secret: APP_SECRET.into(),
        },
        Duration::from_secs(10),
    )
    .expect("client");
    let auth = ShopAuth {
        shop_id: ShopId::new(US_SHOP),
        cipher: US_CIPHER.into(),
        access_token: US_TOKEN.into(),
    };
    let stack = crate::common::Stack::new(30, 5).await;
    let store = DynamoReturnsStore::new(stack.ddb.clone(), &stack.names.returns_table);
    World {
        sim,
        api: SimApi {
            inner: DirectReturnsApi { client, auth },
            lose_next: Mutex::new(false),
            stale: Mutex::new(false),
            first_reads: Mutex::new(BTreeMap::new()),
            sent: Mutex::new(vec![]),
        },
        books: RecordingBooks::new(&[("MUG", 3)]),
        store,
        clock: FixedClock::at(now()),
        settings,
        stack,
    }
}

impl World {
    pub fn flow(&self) -> ReturnsFlow<'_> {
        ReturnsFlow {
            api: &self.api,
            books: &self.books,
            store: &self.store,
            clock: &self.clock,
            settings: &self.settings,
        }
    }
    pub fn put(&self, ret: Value) {
        self.sim.state.upsert_return(US_SHOP, ret).unwrap();
    }
    /// The simulator's record of a return.
    pub fn tiktok(&self, id: &str) -> Value {
        self.sim.state.snapshot()["returns"][US_SHOP]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["return_id"] == id)
            .cloned()
            .unwrap()
    }
    pub async fn sim_post(&self, path: &str, body: Value) {
        let r = reqwest::Client::new()
            .post(format!("{}{path}", self.sim.base_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
}

/// A return line of one MUG at `sub` (+ `tax`).
pub fn line(n: usize, sub: &str, tax: &str) -> Value {
    json!({"return_line_item_id": format!("RL{n}"), "order_line_item_id": format!("OL{n}"),
           "seller_sku": "MUG", "refund_amount": {"currency": "USD", "refund_total": "0",
           "refund_subtotal": sub, "refund_tax": tax}})
}

/// A pending RETURN_AND_REFUND of one MUG worth 10.
pub fn pending(id: &str, deadline: i64, update_time: i64) -> Value {
    json!({"return_id": id, "order_id": ORDER, "return_type": "RETURN_AND_REFUND",
           "return_status": "RETURN_OR_REFUND_REQUEST_PENDING", "create_time": update_time,
           "update_time": update_time, "can_buyer_keep_item": false, "return_reason": "defective",
           "refund_amount": {"currency": "USD", "refund_total": "10"},
           "seller_next_action_response": [{"action": "SELLER_RESPOND_RETURN", "deadline": deadline}],
           "return_line_items": [line(1, "10", "0")]})
}

pub fn locations() -> ReturnLocations {
    ReturnLocations {
        sellable: "1".into(),
        damaged: "9".into(),
    }
}
