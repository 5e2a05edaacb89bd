//! `tiktok-netsuite`: local runner, bootstrap and demo.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use local_env::bootstrap::{bootstrap, BootstrapOptions};
use shared::app::{WebhookApp, WriterApp};

#[derive(Parser)]
#[command(
    name = "tiktok-netsuite",
    about = "TikTok Shop → NetSuite: local runner, bootstrap and demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the tables and queues on the endpoint in AWS_ENDPOINT_URL (moto) and print their names as env exports.
    Bootstrap {
        #[arg(long, default_value = "local")]
        prefix: String,
        /// Queue visibility timeout override in seconds (redelivery delay).
        #[arg(long)]
        visibility_timeout: Option<u32>,
        /// Receives before a message moves to the DLQ.
        #[arg(long)]
        max_receive: Option<u32>,
    },
    /// Run the webhook on a loopback port and the writer behind an SQS poller, as Lambda wires them.
    Local {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Concurrent writer pollers (Lambda's event-source maximum concurrency).
        #[arg(long, default_value_t = 2)]
        writer_concurrency: usize,
    },
    /// Run the whole pipeline locally end to end and print what happened.
    Demo(cli::demo::DemoArgs),
    /// The order log: list, export, show, resubmit, ignore.
    Orders {
        #[command(subcommand)]
        cmd: cli::ops::OrdersCmd,
    },
    /// SKU links: TikTok seller SKU → NetSuite item.
    Skus {
        #[command(subcommand)]
        cmd: cli::ops::SkusCmd,
    },
    /// TikTok shop connections (tokens).
    Shops {
        #[command(subcommand)]
        cmd: cli::ops::ShopsCmd,
    },
    /// Webhook subscriptions per shop through TikTok's Event API: status, register.
    Webhooks {
        #[command(subcommand)]
        cmd: cli::webhooks::WebhooksCmd,
    },
    /// Scheduled jobs (sweep, inventory, tracking, verify, digest): run log, and a run now.
    Jobs {
        #[command(subcommand)]
        cmd: cli::jobs::JobsCmd,
    },
    /// Inventory push to TikTok: status per shop, push now.
    Inventory {
        #[command(subcommand)]
        cmd: cli::jobs::InventoryCmd,
    },
    /// Tracking push to TikTok: pushed, waiting (with the fix) and failed fulfilments.
    Tracking {
        #[command(subcommand)]
        cmd: cli::tracking::TrackingCmd,
    },
    /// Payouts → journal entries: statements booked, rebuild one, (re)send its report.
    Payouts {
        #[command(subcommand)]
        cmd: cli::payouts::PayoutsCmd,
    },
    /// The operations console in the browser, served from this machine.
    Console(cli::console::ConsoleArgs),
    /// Check the set-up against every configured service: one PASS/WARN/FAIL line per check, with the fix; exits non-zero on any failure.
    Doctor(cli::doctor::DoctorArgs),
    /// Console users: add, remove, set-role, reset-password, list.
    Users {
        #[command(subcommand)]
        cmd: cli::console::UsersCmd,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::Bootstrap {
            prefix,
            visibility_timeout,
            max_receive,
        } => {
            let sdk = shared::store::aws::sdk_config().await;
            let names = bootstrap(
                &aws_sdk_dynamodb::Client::new(&sdk),
                &aws_sdk_sqs::Client::new(&sdk),
                &BootstrapOptions {
                    prefix,
                    visibility_timeout_secs: visibility_timeout,
                    max_receive_count: max_receive,
                },
            )
            .await?;
            println!("export EVENTS_TABLE={}", names.events_table);
            println!("export ORDER_LOG_TABLE={}", names.order_log_table);
            println!("export SHOP_TOKENS_TABLE={}", names.shop_tokens_table);
            println!("export JOB_RUNS_TABLE={}", names.job_runs_table);
            println!("export CONSOLE_TABLE={}", names.console_table);
            let secret = local_env::console::console_secret(
                &aws_sdk_secretsmanager::Client::new(&sdk),
                names.console_table.trim_end_matches("-console"),
            )
            .await?;
            println!("export {}={secret}", shared::resources::CONSOLE_SECRET_ENV);
            println!("export ORDERS_QUEUE_URL={}", names.orders_queue_url);
            println!("export ORDERS_DLQ_URL={}", names.orders_dlq_url);
            Ok(())
        }
        Command::Local {
            listen,
            writer_concurrency,
        } => {
            let sdk = shared::store::aws::sdk_config().await;
            let webhook = Arc::new(WebhookApp::from_env().await?);
            let writer = Arc::new(WriterApp::from_env().await?);
            let runner =
                local_env::LocalRunner::start(webhook, writer, &sdk, listen, writer_concurrency)
                    .await?;
            eprintln!(
                "webhook: http://{}/webhook  (Ctrl-C to stop)",
                runner.webhook_addr
            );
            tokio::signal::ctrl_c().await?;
            let stats = runner.stop().await;
            eprintln!(
                "writer batches: {}, messages ok: {}, failed: {}",
                stats.batches, stats.succeeded, stats.failed
            );
            Ok(())
        }
        Command::Demo(args) => cli::demo::run(args).await,
        Command::Orders { cmd } => {
            cli::ops::orders(cmd, &shared::store::aws::sdk_config().await).await
        }
        Command::Skus { cmd } => cli::ops::skus(cmd, &shared::store::aws::sdk_config().await).await,
        Command::Shops { cmd } => {
            cli::ops::shops(cmd, &shared::store::aws::sdk_config().await).await
        }
        Command::Webhooks { cmd } => {
            cli::webhooks::run(cmd, &shared::store::aws::sdk_config().await).await
        }
        Command::Jobs { cmd } => {
            cli::jobs::jobs(cmd, &shared::store::aws::sdk_config().await).await
        }
        Command::Inventory { cmd } => {
            cli::jobs::inventory(cmd, &shared::store::aws::sdk_config().await).await
        }
        Command::Tracking { cmd } => {
            cli::tracking::tracking(cmd, &shared::store::aws::sdk_config().await).await
        }
        Command::Payouts { cmd } => cli::payouts::payouts(cmd).await,
        Command::Console(args) => cli::console::serve(args).await,
        Command::Doctor(args) => cli::doctor::run(args).await,
        Command::Users { cmd } => {
            cli::console::users(cmd, &shared::store::aws::sdk_config().await).await
        }
    }
}
