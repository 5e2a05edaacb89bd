//! `tiktok-netsuite tracking status|push`: what the tracking push did for a
//! shop (fulfilments pushed, waiting with their fix, failed), and a run now.
//! Reads `JOB_RUNS_TABLE` (and `MAPPING_CONFIG` without `--shop`).

use clap::Subcommand;
use shared::domain::ShopId;
use shared::store::{DynamoPushedFulfilments, JobRuns, PushedFulfilments, PushedRecord};
use shared::tracking::state::{describe, load_open, OpenKind};

type TrackingError = Box<dyn std::error::Error>;

#[derive(Subcommand, Debug)]
pub enum TrackingCmd {
    /// Fulfilments pushed (latest first), waiting (with the fix) and failed.
    Status {
        /// One shop; every shop of MAPPING_CONFIG when omitted.
        #[arg(long)]
        shop: Option<String>,
        /// Pushed fulfilments listed per shop.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Push now, as the schedule would (same as `jobs run tracking`).
    Push {
        #[arg(long)]
        shop: Option<String>,
    },
}

/// One line per pushed fulfilment.
pub fn pushed_line(r: &PushedRecord) -> String {
    format!(
        "  pushed fulfilment {} (order {}) at {}: tracking {}{}{}",
        r.pushed.key.fulfilment_id,
        r.order_id,
        r.at,
        r.pushed.key.tracking_numbers.join(", "),
        r.pushed
            .package_id
            .as_ref()
            .map(|p| format!(", package {p}"))
            .unwrap_or_default(),
        if r.corrections > 0 { ", corrected" } else { "" }
    )
}

pub async fn tracking(cmd: TrackingCmd, sdk: &aws_config::SdkConfig) -> Result<(), TrackingError> {
    match cmd {
        TrackingCmd::Status { shop, limit } => {
            let runs = crate::jobs::runs_table(sdk)?;
            let table = std::env::var("JOB_RUNS_TABLE").unwrap_or_default();
            let pushed = DynamoPushedFulfilments::new(aws_sdk_dynamodb::Client::new(sdk), table);
            for shop in crate::jobs::shops(shop)? {
                status(&runs, &pushed, &shop, limit).await?;
            }
            Ok(())
        }
        TrackingCmd::Push { shop } => {
            crate::jobs::jobs(
                crate::jobs::JobsCmd::Run {
                    job: "tracking".into(),
                    shop,
                },
                sdk,
            )
            .await
        }
    }
}

async fn status(
    runs: &dyn JobRuns,
    pushed: &dyn PushedFulfilments,
    shop: &ShopId,
    limit: usize,
) -> Result<(), TrackingError> {
    println!("shop {shop}");
    let mut done = pushed.list(shop, 10_000).await?;
    done.sort_by_key(|r| std::cmp::Reverse(r.at));
    println!("pushed: {} fulfilment(s) (kept 90 days)", done.len());
    for r in done.iter().take(limit) {
        println!("{}", pushed_line(r));
    }
    let open = load_open(runs, shop).await?;
    let waiting: Vec<_> = open
        .iter()
        .filter(|o| o.kind == OpenKind::Waiting)
        .collect();
    let failed: Vec<_> = open.iter().filter(|o| o.kind == OpenKind::Failed).collect();
    println!("waiting: {}", waiting.len());
    for o in waiting {
        println!("  {}", describe(o));
    }
    println!("failed: {}", failed.len());
    for o in failed {
        println!(
            "  {}{}",
            describe(o),
            if o.retry {
                ""
            } else {
                " [not retried until NetSuite changes the fulfilment]"
            }
        );
    }
    for r in runs.list_runs("tracking", shop, 1).await? {
        println!("latest run: {}", crate::jobs::line(&r));
    }
    Ok(())
}
