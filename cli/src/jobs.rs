//! `tiktok-netsuite jobs list|show|run`: the scheduled jobs' run log, and a
//! run now. Reads `JOB_RUNS_TABLE` (and, to run, everything the jobs
//! function reads) from the environment, like the functions.

use clap::Subcommand;
use shared::app::{JobRequest, JobsApp};
use shared::domain::ShopId;
use shared::jobs::JobName;
use shared::store::{DynamoJobRuns, JobRun, JobRuns, RunStatus};

type JobsError = Box<dyn std::error::Error>;

#[derive(Subcommand, Debug)]
pub enum JobsCmd {
    /// Latest runs, newest first, per job and shop.
    List {
        /// One job (sweep); all jobs when omitted.
        #[arg(long)]
        job: Option<String>,
        /// One shop; every shop of MAPPING_CONFIG when omitted.
        #[arg(long)]
        shop: Option<String>,
        /// Runs per job and shop.
        #[arg(long, default_value_t = 10)]
        limit: i32,
    },
    /// One run in full: counts, findings, failures with their fix.
    Show {
        /// The run id printed by `jobs list` (job:shop:started#nonce).
        run: String,
    },
    /// Run a job now, as its schedule would (respects the lease).
    Run {
        /// sweep, inventory, tracking, verify or digest
        job: String,
        /// One shop; every shop of MAPPING_CONFIG when omitted.
        #[arg(long)]
        shop: Option<String>,
    },
}

pub(crate) fn runs_table(sdk: &aws_config::SdkConfig) -> Result<DynamoJobRuns, JobsError> {
    let table = std::env::var("JOB_RUNS_TABLE")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or("environment variable JOB_RUNS_TABLE is not set: set it to the job runs table name (stack output JobRunsTableName)")?;
    Ok(DynamoJobRuns::new(
        aws_sdk_dynamodb::Client::new(sdk),
        table,
    ))
}

pub(crate) fn shops(shop: Option<String>) -> Result<Vec<ShopId>, JobsError> {
    if let Some(s) = shop {
        return Ok(vec![ShopId::new(s)]);
    }
    let env = shared::config::Env::new(&shared::config::process_env);
    let settings = shared::config::jobs::JobSettings::load(&env)?;
    let shops = settings.shops();
    if shops.is_empty() {
        return Err("no shops: pass --shop or list shops in MAPPING_CONFIG".into());
    }
    Ok(shops)
}

/// One line per run, for `jobs list` and `jobs run`.
pub fn line(r: &JobRun) -> String {
    let counts: Vec<String> = r.counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{}  {:<9} {}s  {}  failures={}",
        r.id(),
        r.status.as_str(),
        r.ended_at.map_or(0, |e| e - r.started_at),
        counts.join(" "),
        r.failures.len()
    )
}

pub async fn jobs(cmd: JobsCmd, sdk: &aws_config::SdkConfig) -> Result<(), JobsError> {
    match cmd {
        JobsCmd::List { job, shop, limit } => {
            let runs = runs_table(sdk)?;
            let names: Vec<String> = match job {
                Some(j) => vec![j],
                None => JobName::ALL
                    .iter()
                    .map(|j| j.as_str().to_string())
                    .collect(),
            };
            for shop in shops(shop)? {
                for job in &names {
                    for r in runs.list_runs(job, &shop, limit).await? {
                        println!("{}", line(&r));
                    }
                }
            }
            Ok(())
        }
        JobsCmd::Show { run } => {
            let runs = runs_table(sdk)?;
            match runs.get_run(&run).await? {
                Some(r) => {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                    Ok(())
                }
                None => {
                    Err(format!("no run {run}; `tiktok-netsuite jobs list` shows the ids").into())
                }
            }
        }
        JobsCmd::Run { job, shop } => {
            let app = JobsApp::from_env().await?;
            for r in app.run(&JobRequest { job, shop }).await? {
                println!("{}", line(&r));
                for f in &r.findings {
                    println!("  found: {f}");
                }
                for f in &r.failures {
                    println!("  failed: {}: {} (fix: {})", f.subject, f.reason, f.fix);
                }
            }
            Ok(())
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum InventoryCmd {
    /// What the push knows for a shop: SKU map age, last reconcile, SKUs
    /// pushed, SKUs refused by TikTok (retried with backoff, with the reason
    /// and the next try), and every SKU the push does not manage, with why.
    Status {
        #[arg(long)]
        shop: String,
    },
    /// Push now (only what changed), as the schedule would.
    Push {
        #[arg(long)]
        shop: Option<String>,
    },
}

pub async fn inventory(cmd: InventoryCmd, sdk: &aws_config::SdkConfig) -> Result<(), JobsError> {
    match cmd {
        InventoryCmd::Status { shop } => {
            let runs = runs_table(sdk)?;
            let shop = ShopId::new(shop);
            let (st, saved) = shared::stock::job::load_state(&runs, &shop).await?;
            if saved.is_empty() {
                // An unknown shop is an error, not "nothing ran yet".
                let app = JobsApp::from_env().await?;
                if !app.config.jobs.mapping.shops.contains_key(shop.as_str()) {
                    return Err(format!(
                        "unknown shop {shop}: it has no entry in MAPPING_CONFIG.shops and no inventory state; check --shop"
                    )
                    .into());
                }
                println!("no inventory push has run for shop {shop} yet");
                return Ok(());
            }
            for line in shared::stock::status::status_lines(&st) {
                println!("{line}");
            }
            for r in runs.list_runs("inventory", &shop, 1).await? {
                println!("latest run: {}", line(&r));
            }
            Ok(())
        }
        InventoryCmd::Push { shop } => {
            let app = JobsApp::from_env().await?;
            let runs = app
                .run(&JobRequest {
                    job: "inventory".into(),
                    shop,
                })
                .await?;
            for r in &runs {
                println!("{}", line(r));
                for f in &r.findings {
                    println!("  found: {f}");
                }
                for f in &r.failures {
                    println!("  failed: {}: {} (fix: {})", f.subject, f.reason, f.fix);
                }
            }
            // A failed run (an unknown shop, a wrong warehouse table) is an
            // error of the command, not a line among others.
            match runs.iter().find(|r| r.status == RunStatus::Failed) {
                Some(r) => Err(format!(
                    "the inventory push failed for shop {}: {}",
                    r.shop_id,
                    r.failures
                        .last()
                        .map_or("see the run log", |f| f.reason.as_str())
                )
                .into()),
                None => Ok(()),
            }
        }
    }
}
