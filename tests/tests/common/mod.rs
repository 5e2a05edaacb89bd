//! Test harness: a fresh set of tables and queues on the moto server for each
//! test (unique prefix), and the same `WebhookApp`/`WriterApp` the Lambda
//! binaries build.
//!
//! moto is started by `scripts/test` (which installs it); tests find it via
//! `TNS_TEST_AWS_ENDPOINT`. No in-memory stand-in is used for AWS here.

#![allow(dead_code)]

pub mod console;
pub mod payouts;
pub mod webdriver;
pub mod writer_world;

use std::sync::Arc;

use local_env::bootstrap::{bootstrap, BootstrapOptions};
use shared::app::WebhookApp;
use shared::config::{
    EventsSettings, QueueSettings, TikTokApp, TikTokAppSource, WebhookConfig, WebhookLimits,
};
use shared::resources::ResourceNames;

pub const APP_KEY: &str = "test_app_key";
pub const APP_SECRET: &str = "test_app_secret";

pub fn endpoint() -> String {
    std::env::var("TNS_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!("TNS_TEST_AWS_ENDPOINT is not set: run the tests with scripts/test, which installs and starts moto_server")
    })
}

pub async fn sdk() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await
}

pub struct Stack {
    pub sdk: aws_config::SdkConfig,
    pub names: ResourceNames,
    pub config: WebhookConfig,
    pub ddb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
}

impl Stack {
    /// Creates a fresh stack; `visibility` is the queue's visibility timeout in seconds.
    pub async fn new(visibility: u32, max_receive: u32) -> Self {
        let sdk = sdk().await;
        let ddb = aws_sdk_dynamodb::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let prefix = format!("t{}", rand::random::<u32>());
        let names = bootstrap(
            &ddb,
            &sqs,
            &BootstrapOptions {
                prefix,
                visibility_timeout_secs: Some(visibility),
                max_receive_count: Some(max_receive),
            },
        )
        .await
        .expect("bootstrap on moto");
        let config = WebhookConfig {
            app: TikTokAppSource::Env(TikTokApp {
                app_key: APP_KEY.into(),
                app_secret: APP_SECRET.into(),
            }),
            events: EventsSettings {
                table: names.events_table.clone(),
                retention_days: 90,
            },
            queue: QueueSettings {
                url: names.orders_queue_url.clone(),
            },
            limits: WebhookLimits {
                max_body_bytes: shared::config::DEFAULT_MAX_BODY_BYTES,
            },
        };
        Self {
            sdk,
            names,
            config,
            ddb,
            sqs,
        }
    }

    pub async fn webhook_app(&self) -> Arc<WebhookApp> {
        Arc::new(
            WebhookApp::new(self.config.clone(), &self.sdk)
                .await
                .expect("webhook app"),
        )
    }

    /// All items of the events table.
    pub async fn events(
        &self,
    ) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let out = self
            .ddb
            .scan()
            .table_name(&self.names.events_table)
            .send()
            .await
            .expect("scan");
        out.items.unwrap_or_default()
    }

    /// Messages on a queue (visible now), without deleting them.
    pub async fn peek(&self, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
        let mut all = Vec::new();
        for _ in 0..3 {
            let out = self
                .sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .visibility_timeout(30)
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .send()
                .await
                .expect("receive");
            let got = out.messages.unwrap_or_default();
            if got.is_empty() {
                break;
            }
            all.extend(got);
        }
        all
    }
}

/// Now, in epoch seconds.
pub fn now() -> i64 {
    shared::clock::Clock::now(&shared::clock::SystemClock)
}

pub fn sign(body: &[u8]) -> String {
    shared::signing::tiktok::webhook_signature(APP_KEY, APP_SECRET, body)
}

pub fn order_event(notification: &str, shop: &str, order: &str, status: &str) -> Vec<u8> {
    format!(
        r#"{{"type":1,"tts_notification_id":"{notification}","shop_id":"{shop}","timestamp":1700000000,"data":{{"order_id":"{order}","order_status":"{status}","is_on_hold_order":false,"update_time":1700000000}}}}"#
    )
    .into_bytes()
}

pub fn attr_s(
    item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    k: &str,
) -> String {
    item.get(k)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

/// The full local environment (simulators + moto + both apps) under a fresh prefix.
pub async fn local_env(visibility: u32, max_receive: u32) -> local_env::LocalEnv {
    local_env::LocalEnv::start(
        sdk().await,
        local_env::LocalOptions {
            visibility_timeout_secs: visibility,
            max_receive_count: max_receive,
            ..Default::default()
        },
    )
    .await
    .expect("local environment")
}

pub const US_SHOP: &str = "7494049642642441621";
pub const GB_SHOP: &str = "7494726673780148744";

/// Mail captured by moto's SES: (subject, body).
pub async fn captured_mail() -> Vec<(String, String)> {
    local_env::captured_mail(&endpoint())
        .await
        .expect("moto data")
}

/// A copy of the seed's linked US order (two tents, one headlamp), for tests
/// that put it in TikTok again under another id.
pub fn seed_us_order(env: &local_env::LocalEnv) -> serde_json::Value {
    env.seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.shop_id == US_SHOP && o.order["id"] == "576461413038785752")
        .expect("template order")
        .order
        .clone()
}
