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
use std::time::{Duration, Instant};

use local_env::LocalRunner;
use local_env::{LocalEnv, LocalOptions};

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
    /// After the demo, serve the operations console over its order log on
    /// this loopback address (printing its URL and a local login) until Ctrl-C.
    #[arg(long)]
    pub console: Option<SocketAddr>,
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
    let sdk = shared::store::aws::sdk_config().await;
    let opts = LocalOptions {
        prefix: format!(
            "demo{}",
            shared::clock::Clock::now(&shared::clock::SystemClock)
        ),
        ..Default::default()
    };
    let env = LocalEnv::start(sdk.clone(), opts.clone()).await?;
    println!("TikTok Shop simulator  {}", env.tiktok.base_url);
    println!("NetSuite simulator     {}", env.netsuite.base_url);
    println!("local AWS (moto)       {endpoint}");
    println!(
        "tables/queues          prefix {}: {}, {}",
        opts.prefix, env.names.events_table, env.names.orders_queue_url
    );

    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let runner = LocalRunner::start(
        env.webhook.clone(),
        env.writer.clone(),
        &sdk,
        addr,
        args.writer_concurrency,
    )
    .await?;
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
    for path in &files {
        let body = std::fs::read(path)?;
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let status = post(&http, &url, Some(env.sign(&body)), body.clone()).await?;
        posted.push(Posted {
            label,
            status,
            key: key_of(&body),
        });
    }
    // TikTok retries, forgeries and broken pushes happen; show how each is answered.
    let first = std::fs::read(&files[0])?;
    let status = post(&http, &url, Some(env.sign(&first)), first.clone()).await?;
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
    let status = post(&http, &url, Some(env.sign(&broken)), broken).await?;
    posted.push(Posted {
        label: "signed but no `type` (kept as rejected)".into(),
        status,
        key: None,
    });
    let malformed = 1;
    // The buyer of the UNPAID order pays; its product has no seller SKU, so it fails with a reason and a fix.
    let unpaid = "576461413038785754";
    if let Some(o) = env
        .seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == unpaid)
    {
        let mut order = o.order.clone();
        order["status"] = serde_json::json!("AWAITING_SHIPMENT");
        env.tiktok.state.upsert_order(&o.shop_id, order)?;
        let body = format!(
            r#"{{"type":1,"tts_notification_id":"7327112393057371999","shop_id":"{}","timestamp":{},"data":{{"order_id":"{unpaid}","order_status":"AWAITING_SHIPMENT","is_on_hold_order":false,"update_time":{}}}}}"#,
            o.shop_id,
            shared::clock::Clock::now(&shared::clock::SystemClock),
            shared::clock::Clock::now(&shared::clock::SystemClock)
        )
        .into_bytes();
        let status = post(&http, &url, Some(env.sign(&body)), body.clone()).await?;
        posted.push(Posted {
            label: "…754 paid (simulator updated)".into(),
            status,
            key: key_of(&body),
        });
    }

    // An order whose webhook TikTok never delivered: only the missed-order
    // sweep can find it.
    let missed = "576461413038785999";
    let mut sweep_lines = Vec::new();
    if let Some(o) = env
        .seed
        .tiktok
        .orders
        .iter()
        .find(|o| o.order["id"] == "576461413038785752")
    {
        let now = shared::clock::Clock::now(&shared::clock::SystemClock);
        let mut order = o.order.clone();
        order["id"] = serde_json::json!(missed);
        order["status"] = serde_json::json!("AWAITING_SHIPMENT");
        order["update_time"] = serde_json::json!(now - 60);
        env.tiktok.state.upsert_order(&o.shop_id, order)?;
        let req = shared::app::JobRequest {
            job: "sweep".into(),
            shop: Some(o.shop_id.clone()),
        };
        for r in env.jobs.run(&req).await? {
            sweep_lines.push(crate::jobs::line(&r));
            sweep_lines.extend(r.findings.iter().map(|f| format!("  found: {f}")));
        }
        let shop = shared::domain::ShopId::new(o.shop_id.clone());
        let notification = shared::store::keys::sweep_notification(
            &shared::domain::OrderId::new(missed),
            "AWAITING_SHIPMENT",
            now - 60,
        );
        posted.push(Posted {
            label: "…999 no webhook: found by the sweep".into(),
            status: 0,
            key: Some(shared::store::keys::event(&shop, &notification)),
        });
    }

    // NetSuite stock to TikTok: the US shop maps location 1 to its main
    // warehouse and location 3 to its east one (events/mapping.local.json).
    let mut inventory_lines = Vec::new();
    let us = "7494049642642441621";
    let before = env
        .tiktok
        .state
        .sku_quantity(us, "1729592969712203001", "7068517275539719942");
    for r in env
        .jobs
        .run(&shared::app::JobRequest {
            job: "inventory".into(),
            shop: Some(us.into()),
        })
        .await?
    {
        inventory_lines.push(crate::jobs::line(&r));
        for f in r.failures.iter().take(3) {
            inventory_lines.push(format!(
                "  refused: {}: {} (fix: {})",
                f.subject, f.reason, f.fix
            ));
        }
        inventory_lines.extend(r.findings.iter().map(|f| format!("  found: {f}")));
    }
    let after = env
        .tiktok
        .state
        .sku_quantity(us, "1729592969712203001", "7068517275539719942");
    inventory_lines.push(format!(
        "  TENT-2P-GRN in TikTok's main US warehouse: {} → {} (NetSuite location 1 has 42 available; 10 % then 2 units kept back)",
        before.map_or("-".into(), |q| q.to_string()),
        after.map_or("-".into(), |q| q.to_string())
    ));

    // Wait until nothing accepted is still waiting for the writer.
    let archive = shared::store::DynamoEventArchive::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &env.names.events_table,
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

    // NetSuite ships the order the sweep recovered; the tracking job tells
    // TikTok (carrier from the shop's carrier table, events/mapping.local.json).
    let tracking_lines = ship_and_track(&env, missed).await?;

    println!("{:<40} {:>4}  archive status", "webhook", "HTTP");
    for p in &posted {
        let st = p
            .key
            .as_ref()
            .and_then(|k| statuses.get(k))
            .map(String::as_str)
            .unwrap_or("-");
        let http = if p.status == 0 {
            "-".to_string()
        } else {
            p.status.to_string()
        };
        println!("{:<40} {:>4}  {}", p.label, http, st);
    }
    let count = |s: &str| statuses.values().filter(|v| *v == s).count();
    let accepted = posted.iter().filter(|p| p.status == 200).count() - malformed;
    println!();
    println!(
        "accepted {accepted} (of {} posts), rejected {} (401) + {malformed} (signed but malformed: 200, archived as rejected)",
        posted.iter().filter(|p| p.status != 0).count(),
        posted.iter().filter(|p| p.status == 401).count(),
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

    let log = shared::store::DynamoOrderLog::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &env.names.order_log_table,
    );
    let entries = shared::store::OrderLog::list(&log, &Default::default()).await?;
    println!("\norder log ({} orders)", entries.len());
    println!(
        "{:<20} {:<19} {:<13} {:<9} detail",
        "order", "TikTok status", "sync", "NetSuite"
    );
    for e in &entries {
        let detail = match &e.last_failure {
            Some(f) => format!("{}: {} | fix: {}", f.code.label(), f.reason, f.fix),
            None => e.history.last().map(|h| h.note.clone()).unwrap_or_default(),
        };
        println!(
            "{:<20} {:<19} {:<13} {:<9} {}",
            e.order_id.as_str(),
            e.tiktok_status,
            e.sync_status.as_str(),
            e.netsuite_id.as_deref().unwrap_or("-"),
            detail
        );
    }
    let sos = env.netsuite.state.records("salesOrder");
    println!("\nNetSuite simulator: {} Sales Order(s)", sos.len());
    for so in &sos {
        let lines: Vec<String> = so["item"]["items"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .map(|l| {
                        format!(
                            "{}×item {} @ {}",
                            l["quantity"],
                            l["item"]["id"].as_str().unwrap_or("?"),
                            l["rate"]
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "  {} {} customer {}: {}",
            so["id"].as_str().unwrap_or("?"),
            so["externalId"].as_str().unwrap_or("?"),
            so["entity"]["id"].as_str().unwrap_or("?"),
            lines.join(", ")
        );
    }
    let mails = local_env::captured_mail(&endpoint)
        .await
        .unwrap_or_default();
    println!("\ninventory push (tiktok-netsuite inventory push):");
    for l in &inventory_lines {
        println!("  {l}");
    }

    println!("\ntracking push (tiktok-netsuite jobs run tracking):");
    for l in &tracking_lines {
        println!("  {l}");
    }

    println!("\nmissed-order sweep (tiktok-netsuite jobs run sweep):");
    for l in &sweep_lines {
        println!("  {l}");
    }

    println!("\nadmin emails captured by local SES: {}", mails.len());
    for (subject, body) in &mails {
        println!("--- {subject}\n{body}");
    }
    crate::demo_payouts::run(&env, &endpoint).await?;
    if let Some(addr) = args.console {
        crate::console::demo_console(&env, addr).await?;
    }
    env.tiktok.shutdown().await;
    env.netsuite.shutdown().await;
    if count("queued") + count("received") > 0 {
        return Err("some accepted events were not processed in time".into());
    }
    println!("\ndemo finished (simulators are not the real services)");
    Ok(())
}

/// Ships `order`'s Sales Order in the NetSuite simulator (USPS Priority
/// Mail, one box), runs the tracking job and shows what TikTok holds.
async fn ship_and_track(env: &LocalEnv, order: &str) -> Result<Vec<String>, DemoError> {
    let us = "7494049642642441621";
    let ext = shared::mapping::external_id("tts", &shared::domain::ShopId::new(us), order);
    let mut lines = Vec::new();
    let shipped = env.netsuite.state.ship_sales_order(
        &format!("eid:{ext}"),
        &simulators::netsuite::Shipment {
            lines: vec![],
            tracking_numbers: vec!["9400111899223344556677".into()],
            ship_method: Some("402".into()),
        },
    );
    match shipped {
        Ok(id) => lines.push(format!(
            "NetSuite: Item Fulfillment {id} shipped (status C) for {ext}: USPS Priority Mail, tracking 9400111899223344556677"
        )),
        Err(e) => {
            lines.push(format!("NetSuite refused the fulfilment: {} {}", e.code, e.detail));
            return Ok(lines);
        }
    }
    let req = shared::app::JobRequest {
        job: "tracking".into(),
        shop: Some(us.into()),
    };
    for r in env.jobs.run(&req).await? {
        lines.push(crate::jobs::line(&r));
        for f in &r.failures {
            lines.push(format!(
                "  waiting/failed: {}: {} (fix: {})",
                f.subject, f.reason, f.fix
            ));
        }
    }
    for s in env.tiktok.state.shipments(us, order) {
        lines.push(format!(
            "TikTok: order {order} package {} shipped by {} ({}), tracking {}, units {}",
            s.package_id,
            s.shipping_provider_name,
            s.via,
            s.tracking_number,
            s.line_item_ids.join(",")
        ));
    }
    let again = env.jobs.run(&req).await?;
    if let Some(r) = again.first() {
        lines.push(format!(
            "a second run sends nothing: {}",
            crate::jobs::line(r)
        ));
    }
    Ok(lines)
}

fn key_of(body: &[u8]) -> Option<String> {
    shared::ingest::parse_envelope(body)
        .ok()
        .map(|e| shared::store::keys::event(&e.shop_id, &e.notification_id))
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
