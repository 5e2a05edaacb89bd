//! `tiktok-netsuite demo`: the whole pipeline on this machine.
//!
//! Starts the simulators in-process, creates a fresh set of tables and queues
//! on the local AWS endpoint (moto, started by `scripts/demo`), starts the
//! runner, posts the signed sample webhooks from `events/webhooks/` (plus a
//! duplicate, a forgery and a malformed push), waits for the writer, and
//! prints what happened to each.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shared::app::{WebhookApp, WriterApp};
use shared::aws::bootstrap::{bootstrap, BootstrapOptions};
use shared::config::{
    Config, TikTokApp, TikTokAppSource, DEFAULT_MAX_BODY_BYTES, DEFAULT_RETENTION_DAYS,
};

use crate::runner::LocalRunner;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Directory of raw webhook bodies to post, in file-name order.
    #[arg(long, default_value = "events/webhooks")]
    pub events_dir: PathBuf,
    #[arg(long, default_value_t = 2)]
    pub writer_concurrency: usize,
    /// Give up waiting for the writer after this many seconds.
    #[arg(long, default_value_t = 60)]
    pub timeout_secs: u64,
}

type DemoError = Box<dyn std::error::Error>;

struct Posted {
    label: String,
    status: u16,
    key: Option<String>,
}

pub async fn run(args: DemoArgs) -> Result<(), DemoError> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").map_err(|_| {
        "AWS_ENDPOINT_URL is not set: the demo only runs against a local endpoint; use scripts/demo, which starts moto"
    })?;
    let seed = simulators::default_seed();
    let tiktok = simulators::spawn_tiktok(seed.tiktok.clone(), Default::default()).await?;
    let netsuite = simulators::spawn_netsuite(seed.netsuite.clone(), Default::default()).await?;
    println!("TikTok Shop simulator  {}", tiktok.base_url);
    println!("NetSuite simulator     {}", netsuite.base_url);
    println!("local AWS (moto)       {endpoint}");

    let sdk = shared::aws::sdk_config().await;
    let prefix = format!("demo{}", shared::now_epoch());
    let names = bootstrap(
        &aws_sdk_dynamodb::Client::new(&sdk),
        &aws_sdk_sqs::Client::new(&sdk),
        &BootstrapOptions {
            prefix: prefix.clone(),
            visibility_timeout_secs: Some(5),
            max_receive_count: Some(3),
        },
    )
    .await?;
    println!(
        "tables/queues          prefix {prefix}: {}, {}",
        names.events_table, names.orders_queue_url
    );

    let app = TikTokApp {
        app_key: seed.tiktok.app_key.clone(),
        app_secret: seed.tiktok.app_secret.clone(),
    };
    let config = Config {
        events_table: names.events_table.clone(),
        order_log_table: names.order_log_table.clone(),
        orders_queue_url: names.orders_queue_url.clone(),
        tiktok_app: TikTokAppSource::Env(app.clone()),
        tiktok_api_base_url: tiktok.base_url.clone(),
        webhook_max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        event_retention_days: DEFAULT_RETENTION_DAYS,
    };
    let webhook = Arc::new(WebhookApp::new(config.clone(), &sdk).await?);
    let writer = Arc::new(WriterApp::new(config, &sdk));
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let runner = LocalRunner::start(webhook, writer, &sdk, addr, args.writer_concurrency).await?;
    let url = format!("http://{}/webhook", runner.webhook_addr);
    println!("webhook                {url}\n");

    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.events_dir)
        .map_err(|e| format!("cannot read {}: {e}", args.events_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.json webhook bodies in {}", args.events_dir.display()).into());
    }

    let http = reqwest::Client::new();
    let mut posted = Vec::new();
    let sign =
        |b: &[u8]| shared::signing::tiktok::webhook_signature(&app.app_key, &app.app_secret, b);
    for path in &files {
        let body = std::fs::read(path)?;
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let status = post(&http, &url, Some(sign(&body)), body.clone()).await?;
        let key = shared::webhook::parse_envelope(&body)
            .ok()
            .map(|e| shared::webhook::event_key(&e.shop_id, &e.notification_id));
        posted.push(Posted { label, status, key });
    }
    // TikTok retries, forgeries and broken pushes happen; show how each is answered.
    let first = std::fs::read(&files[0])?;
    let status = post(&http, &url, Some(sign(&first)), first.clone()).await?;
    posted.push(Posted {
        label: "duplicate of the first push".into(),
        status,
        key: None,
    });
    let status = post(&http, &url, Some("0".repeat(64)), first).await?;
    posted.push(Posted {
        label: "forged signature".into(),
        status,
        key: None,
    });
    let broken = br#"{"shop_id":"7494049642642441621","data":{}}"#.to_vec();
    let status = post(&http, &url, Some(sign(&broken)), broken).await?;
    posted.push(Posted {
        label: "signed but no `type`".into(),
        status,
        key: None,
    });

    // Wait until nothing accepted is still waiting for the writer.
    let archive = shared::aws::DynamoEventArchive::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &names.events_table,
    );
    let started = Instant::now();
    let mut statuses: BTreeMap<String, String> = BTreeMap::new();
    loop {
        statuses.clear();
        for p in &posted {
            if let Some(k) = &p.key {
                let s = archive
                    .status(k)
                    .await?
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_else(|| "-".into());
                statuses.insert(k.clone(), s);
            }
        }
        let pending = statuses
            .values()
            .filter(|s| *s == "queued" || *s == "received")
            .count();
        if pending == 0 || started.elapsed() > Duration::from_secs(args.timeout_secs) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let stats = runner.stop().await;

    println!("{:<40} {:>4}  archive status", "webhook", "HTTP");
    for p in &posted {
        let st = p
            .key
            .as_ref()
            .and_then(|k| statuses.get(k))
            .map(String::as_str)
            .unwrap_or("-");
        println!("{:<40} {:>4}  {}", p.label, p.status, st);
    }
    let count = |s: &str| statuses.values().filter(|v| *v == s).count();
    let accepted = posted.iter().filter(|p| p.status == 200).count();
    println!();
    println!(
        "accepted {accepted} (of {} posts), rejected {} (401) + {} (400)",
        posted.len(),
        posted.iter().filter(|p| p.status == 401).count(),
        posted.iter().filter(|p| p.status == 400).count()
    );
    println!(
        "archived events: processed {}, ignored {}, still queued {}",
        count("processed"),
        count("ignored"),
        count("queued") + count("received")
    );
    println!(
        "writer: {} batches, {} messages ok, {} failed",
        stats.batches, stats.succeeded, stats.failed
    );
    tiktok.shutdown().await;
    netsuite.shutdown().await;
    if count("queued") + count("received") > 0 {
        return Err("some accepted events were not processed in time".into());
    }
    println!("\ndemo finished: every accepted event was archived, queued and processed (simulators are not the real services)");
    Ok(())
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    sig: Option<String>,
    body: Vec<u8>,
) -> Result<u16, DemoError> {
    let mut req = http
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = sig {
        req = req.header("authorization", s);
    }
    Ok(req.send().await?.status().as_u16())
}
