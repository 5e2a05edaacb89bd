//! Console test helpers: a console served on loopback over the test's own
//! moto stack (optionally with a DynamoDB client that counts its calls),
//! and a cookie-keeping HTTP client that signs in like a browser would.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use shared::console::{Console, SessionKey};
use shared::ops::links::ItemCatalog;
use shared::resources::ResourceNames;
use shared::store::{
    DynamoConsoleUsers, DynamoJobRuns, DynamoLoginThrottle, DynamoOrderLog, DynamoSkuLinks,
    SqsEventQueue,
};

/// Counts every DynamoDB call a client makes, and its Scans apart.
#[derive(Debug, Default)]
pub struct CallCounter {
    pub calls: AtomicUsize,
    pub scans: AtomicUsize,
}

#[derive(Debug)]
struct Counting(Arc<CallCounter>);

impl Intercept for Counting {
    fn name(&self) -> &'static str {
        "CountDynamoDbCalls"
    }

    fn read_before_execution(
        &self,
        ctx: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0.calls.fetch_add(1, Ordering::SeqCst);
        if ctx
            .input()
            .downcast_ref::<aws_sdk_dynamodb::operation::scan::ScanInput>()
            .is_some()
        {
            self.0.scans.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _ctx: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        Ok(())
    }
}

/// A DynamoDB client whose calls are counted.
pub fn counted_client(
    sdk: &aws_config::SdkConfig,
    counter: Arc<CallCounter>,
) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::config::Builder::from(sdk)
        .interceptor(Counting(counter))
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

/// Every item id is an active item (the scale test links nothing).
pub struct AnyItem;

#[async_trait::async_trait]
impl ItemCatalog for AnyItem {
    async fn item_name(&self, item_id: &str) -> Result<Option<String>, String> {
        Ok(Some(format!("item {item_id}")))
    }
}

/// A console over a moto stack with the given DynamoDB client.
pub fn console_over(
    sdk: &aws_config::SdkConfig,
    names: &ResourceNames,
    ddb: aws_sdk_dynamodb::Client,
) -> Console {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    Console {
        log: Arc::new(DynamoOrderLog::new(ddb.clone(), &names.order_log_table)),
        links: Arc::new(DynamoSkuLinks::new(ddb.clone(), &names.order_log_table)),
        users: Arc::new(DynamoConsoleUsers::new(ddb.clone(), &names.console_table)),
        throttle: Arc::new(DynamoLoginThrottle::new(ddb.clone(), &names.console_table)),
        queue: Arc::new(SqsEventQueue::new(sqs.clone(), &names.orders_queue_url)),
        runs: Arc::new(DynamoJobRuns::new(ddb.clone(), &names.job_runs_table)),
        catalog: Arc::new(AnyItem),
        ddb,
        tokens_table: names.shop_tokens_table.clone(),
        sqs,
        dlq_url: names.orders_dlq_url.clone(),
        netsuite_ui: None,
        key: SessionKey::new(vec![9u8; 32]).expect("key"),
        clock: shared::clock::system(),
        payouts: None,
        connect: None,
        webhooks: None,
        returns: None,
    }
}

/// Adds a user with a role.
pub async fn add_user(
    sdk: &aws_config::SdkConfig,
    names: &ResourceNames,
    name: &str,
    role: &str,
    pw: &str,
) {
    let users = DynamoConsoleUsers::new(aws_sdk_dynamodb::Client::new(sdk), &names.console_table);
    shared::ops::users::add_user(&users, name, role, pw, super::now())
        .await
        .expect("add user");
}

/// Serves a console on loopback; returns its base URL.
pub async fn serve(console: Console) -> String {
    let (addr, _task) =
        local_env::console::serve_console(Arc::new(console), "127.0.0.1:0".parse().unwrap())
            .await
            .expect("serve console");
    format!("http://{addr}")
}

/// A cookie-keeping client that does not follow redirects.
pub struct ConsoleHttp {
    pub base: String,
    http: reqwest::Client,
    cookies: Mutex<HashMap<String, String>>,
}

pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// `application/x-www-form-urlencoded` (WHATWG URL §5.2).
pub fn urlencoded(form: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the first `name="csrf"` field in a page.
pub fn csrf_in(html: &str) -> String {
    let at =
        html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap_or_default().to_string()
}

impl ConsoleHttp {
    pub fn new(base: &str) -> Self {
        Self::from_source(base, "127.0.0.1")
    }

    /// A client whose requests come from another loopback address (another
    /// source for the login throttle).
    pub fn from_source(base: &str, ip: &str) -> Self {
        Self {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .local_address(ip.parse::<std::net::IpAddr>().expect("an IP"))
                .build()
                .unwrap(),
            cookies: Mutex::new(HashMap::new()),
        }
    }

    /// Another client holding a copy of this one's cookies (a stolen or
    /// copied session).
    pub fn copy(&self) -> Self {
        Self {
            base: self.base.clone(),
            http: self.http.clone(),
            cookies: Mutex::new(self.cookies.lock().unwrap().clone()),
        }
    }

    /// The value of one cookie this client holds.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn reply(&self, r: reqwest::Response) -> Reply {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            assert!(
                v.contains("HttpOnly") && v.contains("Secure") && v.contains("SameSite=Strict"),
                "{v}"
            );
            if let Some((k, rest)) = v
                .split(';')
                .next()
                .and_then(|kv| kv.split_once('='))
                .map(|(k, val)| (k.to_string(), val.to_string()))
            {
                if v.contains("Max-Age=0") {
                    self.cookies.lock().unwrap().remove(&k);
                } else {
                    self.cookies.lock().unwrap().insert(k, rest);
                }
            }
        }
        Reply {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: r.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.reply(r).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(urlencoded(form))
            .send()
            .await
            .expect("POST");
        self.reply(r).await
    }

    /// Signs in through the login form; returns the POST's reply.
    pub async fn login(&self, name: &str, pw: &str) -> Reply {
        let form = self.get("/login").await;
        let csrf = csrf_in(&form.body);
        self.post(
            "/login",
            &[("csrf", &csrf), ("name", name), ("password", pw)],
        )
        .await
    }
}

/// A loopback HTTP proxy in front of moto that hands it one request at a
/// time; returns its endpoint URL.
///
/// DynamoDB applies the writes to one item one after another, so a
/// conditional write is atomic; moto checks a condition and then writes
/// without a lock (moto 5.2.5, `dynamodb/models/__init__.py`, `update_item`
/// and `put_item`), so under a burst two conditional writes can both pass.
/// Behind this proxy moto applies requests in order, as DynamoDB would;
/// the callers (the console's request handlers) stay fully concurrent.
pub async fn serial_moto(sdk: &aws_config::SdkConfig) -> aws_config::SdkConfig {
    use axum::body::Body;
    use axum::extract::{Request, State};
    use axum::response::Response;

    let upstream = sdk.endpoint_url().expect("moto's endpoint").to_string();
    let state = Arc::new((
        tokio::sync::Mutex::new(()),
        reqwest::Client::new(),
        upstream,
    ));
    async fn forward(
        State(s): State<Arc<(tokio::sync::Mutex<()>, reqwest::Client, String)>>,
        req: Request,
    ) -> Response {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, 64 << 20).await.expect("body");
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let mut out =
            s.1.request(parts.method, format!("{}{path}", s.2.trim_end_matches('/')));
        for (k, v) in &parts.headers {
            if k != "host" {
                out = out.header(k, v);
            }
        }
        let _one_at_a_time = s.0.lock().await;
        let r = out.body(body).send().await.expect("moto");
        let mut res = Response::builder().status(r.status());
        for (k, v) in r.headers() {
            res = res.header(k, v);
        }
        res.body(Body::from(r.bytes().await.expect("moto body")))
            .expect("response")
    }
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    sdk.to_builder()
        .endpoint_url(format!("http://{addr}"))
        .build()
}
