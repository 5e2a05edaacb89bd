//! One phase's environment: the pooled local stack, the event source and
//! one `WriterApp` per concurrent invocation.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use local_env::{LocalEnv, LocalOptions};
use serde_json::{json, Value};
use shared::app::WriterApp;
use shared::domain::ShopId;

use crate::esm::{invoker, Esm};
use crate::{Args, BenchError, SHOP, TEMPLATE_ORDER};

pub(crate) struct Stack {
    pub(crate) env: LocalEnv,
    pub(crate) esm: Arc<Esm>,
    pub(crate) writers: Vec<Arc<WriterApp>>,
    pub(crate) invokers: Vec<tokio::task::JoinHandle<()>>,
    pub(crate) template: Value,
}

impl Stack {
    pub(crate) async fn start(
        args: &Args,
        sdk: &aws_config::SdkConfig,
        phase: &str,
    ) -> Result<Self, BenchError> {
        let opts = LocalOptions {
            prefix: format!(
                "bl{}{phase}",
                shared::clock::Clock::now(&shared::clock::SystemClock)
            ),
            visibility_timeout_secs: args.visibility_secs as u32,
            max_receive_count: args.max_receive_count,
            netsuite_concurrency: args.share,
            netsuite_latency_ms: args.netsuite_latency_ms,
            netsuite_auth: Default::default(),
        };
        let env = LocalEnv::start_pooled(sdk.clone(), opts).await?;
        let n = args.invocations();
        let writers = local_env::runner::invocations(&env.writer, sdk, n).await?;
        let template = env
            .seed
            .tiktok
            .orders
            .iter()
            .find(|o| o.shop_id == SHOP && o.order["id"] == TEMPLATE_ORDER)
            .map(|o| o.order.clone())
            .ok_or("seed order not found")?;
        Ok(Self {
            env,
            esm: Arc::new(Esm::new()),
            writers,
            invokers: Vec::new(),
            template,
        })
    }

    pub(crate) fn order(&self, id: &str) -> Result<(), BenchError> {
        let mut order = self.template.clone();
        order["id"] = json!(id);
        order["status"] = json!("AWAITING_SHIPMENT");
        self.env.tiktok.state.upsert_order(SHOP, order)?;
        Ok(())
    }

    pub(crate) fn start_invokers(&mut self, args: &Args) {
        for w in &self.writers {
            self.invokers.push(tokio::spawn(invoker(
                self.esm.clone(),
                w.clone(),
                args.clone(),
            )));
        }
    }

    pub(crate) fn has_sales_order(&self, order: &str) -> bool {
        let eid = shared::mapping::external_id("tts", &ShopId::new(SHOP), order);
        self.env
            .netsuite
            .state
            .record_by_external_id("salesOrder", &eid)
            .is_some()
    }

    /// Pool figures of the writer's clients: (NetSuite requests, pool reads, pool writes).
    /// The writers' pool use: requests, DynamoDB reads, writes, and the
    /// milliseconds their requests waited for a slot, summed.
    pub(crate) fn writer_pool(&self) -> (u64, u64, u64, u64) {
        let mut t = (0, 0, 0, 0);
        for w in &self.writers {
            if let Some(k) = w.netsuite.slots() {
                t.0 += k.stats.requests.load(Ordering::Relaxed);
                t.1 += k.stats.reads.load(Ordering::Relaxed);
                t.2 += k.stats.writes.load(Ordering::Relaxed);
                t.3 += k.stats.waited_ms.load(Ordering::Relaxed);
            }
        }
        t
    }

    /// Slots the writers' clients hold now (idle or in use).
    pub(crate) fn writers_holding(&self) -> usize {
        self.writers
            .iter()
            .filter_map(|w| w.netsuite.slots())
            .map(|k| k.held())
            .sum()
    }

    pub(crate) async fn stop(mut self) -> simulators::netsuite::NetSuiteStats {
        self.esm.closed.store(true, Ordering::Relaxed);
        for h in self.invokers.drain(..) {
            let _ = h.await;
        }
        let stats = self.env.netsuite.state.stats();
        self.env.tiktok.shutdown().await;
        self.env.netsuite.shutdown().await;
        stats
    }
}
