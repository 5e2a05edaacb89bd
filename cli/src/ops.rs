//! `tiktok-netsuite orders|skus|shops …`: the order log page as a command line.
//!
//! Reads `ORDER_LOG_TABLE` (and `ORDERS_QUEUE_URL` to resubmit) from the
//! environment, like the functions, and talks to the same DynamoDB/SQS.

use clap::{Args, Subcommand};
use shared::clock::{Clock, SystemClock};
use shared::domain::{OrderId, OrderType, ShopId, Sku};
use shared::store::{
    DynamoOrderLog, DynamoShopTokenStore, DynamoSkuLinks, LogFilter, OrderLog, ShopCredentials,
    SkuLinks, SqsEventQueue, SyncStatus,
};

type OpsError = Box<dyn std::error::Error>;

#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// TikTok shop id.
    #[arg(long)]
    pub shop: Option<String>,
    /// Sync status: waiting, created, updated, skipped, failed, needs_review, cancelled, ignored.
    #[arg(long)]
    pub status: Option<String>,
    /// Error code of the latest failure, e.g. UNLINKED_PRODUCT.
    #[arg(long)]
    pub code: Option<String>,
    /// Seller SKU behind the latest failure.
    #[arg(long)]
    pub sku: Option<String>,
    /// Updated on or after this date (YYYY-MM-DD, UTC) or epoch seconds.
    #[arg(long)]
    pub since: Option<String>,
    /// Updated before this date (YYYY-MM-DD, UTC) or epoch seconds.
    #[arg(long)]
    pub until: Option<String>,
    /// Order type: sale, gift_with_purchase, sample, replacement, exchange,
    /// giveaway, pre_order, made_to_order, back_order, or TikTok's own name
    /// of a type held as unknown (e.g. SHOP_PARTNER).
    #[arg(long = "type")]
    pub order_type: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum OrdersCmd {
    /// List orders in the log (newest first).
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Cancelled-too-late exceptions: orders TikTok cancelled after the warehouse shipped them.
    Exceptions {
        #[arg(long)]
        shop: Option<String>,
        #[arg(long)]
        csv: bool,
    },
    /// Write the filtered order log to a CSV file.
    Export {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Show one order with its attempt history.
    Show {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        order: String,
    },
    /// Re-enqueue one order, or every failed order matching the filters.
    Resubmit {
        /// One order (needs --shop).
        #[arg(long)]
        order: Option<String>,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Undo `ignore`: the order is written again by its next event or a resubmit.
    /// Once, after upgrading to the console's indexes: rewrite every order log
    /// entry with its index attributes, so older entries show in the console.
    Reindex,
    Unignore {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        order: String,
        #[arg(long, default_value = "no reason given")]
        reason: String,
    },
    /// Mark an order ignored (it stops appearing among failures; later events are logged, not acted on).
    Ignore {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        order: String,
        #[arg(long, default_value = "no reason given")]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SkusCmd {
    /// Link a TikTok seller SKU to a NetSuite item internal id.
    Link {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        sku: String,
        #[arg(long)]
        item: String,
    },
    /// Show a SKU's link.
    Show {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        sku: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ShopsCmd {
    /// Store a shop's TikTok tokens (from the authorization flow) so the writer can call TikTok.
    Connect {
        #[arg(long)]
        shop: String,
        /// `shop_cipher` from Get Authorized Shops.
        #[arg(long)]
        cipher: String,
        #[arg(long, env = "TIKTOK_ACCESS_TOKEN", hide_env_values = true)]
        access_token: String,
        /// Absolute epoch seconds (`access_token_expire_in`).
        #[arg(long)]
        access_expires_at: i64,
        #[arg(long, env = "TIKTOK_REFRESH_TOKEN", hide_env_values = true)]
        refresh_token: String,
        #[arg(long)]
        refresh_expires_at: i64,
    },
    /// Print TikTok's authorization page for a seller to connect a shop (stores a single-use state, good for 30 minutes).
    AuthorizeUrl {
        /// Who starts it (default `cli:$USER`).
        #[arg(long)]
        operator: Option<String>,
    },
    /// Complete an authorization with the `code` and `state` TikTok's redirect carried.
    Authorize {
        #[arg(long)]
        code: String,
        #[arg(long)]
        state: String,
    },
}

fn env_var(var: &'static str, hint: &str) -> Result<String, OpsError> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("environment variable {var} is not set: {hint}").into())
}

fn table() -> Result<String, OpsError> {
    env_var(
        "ORDER_LOG_TABLE",
        "set it to the order log table name (stack output OrderLogTableName)",
    )
}

/// `YYYY-MM-DD` (UTC midnight) or epoch seconds.
pub fn parse_time(flag: &str, v: &str) -> Result<i64, String> {
    if let Ok(n) = v.parse::<i64>() {
        return Ok(n);
    }
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
        .ok_or_else(|| format!("--{flag} {v:?} is neither YYYY-MM-DD nor epoch seconds"))
}

impl FilterArgs {
    pub fn to_filter(&self) -> Result<LogFilter, String> {
        let status = match &self.status {
            None => None,
            Some(s) => match SyncStatus::parse(&s.to_lowercase()) {
                SyncStatus::Unknown(_) => {
                    return Err(format!(
                        "--status {s:?} is not a sync status; use one of: {}",
                        SyncStatus::ALL
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
                known => Some(known),
            },
        };
        Ok(LogFilter {
            level: None,
            order_type: self
                .order_type
                .as_deref()
                .map(|t| match OrderType::parse_loose(t) {
                    OrderType::Unknown(_) => OrderType::parse(t.trim()),
                    known => known,
                }),
            shop_id: self.shop.clone().map(ShopId),
            sync_status: status,
            code: self.code.clone(),
            sku: self.sku.clone(),
            since: self
                .since
                .as_deref()
                .map(|v| parse_time("since", v))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|v| parse_time("until", v))
                .transpose()?,
        })
    }

    fn is_empty(&self) -> bool {
        self.shop.is_none()
            && self.status.is_none()
            && self.code.is_none()
            && self.sku.is_none()
            && self.since.is_none()
            && self.until.is_none()
    }
}

pub async fn orders(cmd: OrdersCmd, sdk: &aws_config::SdkConfig) -> Result<(), OpsError> {
    let log = DynamoOrderLog::new(aws_sdk_dynamodb::Client::new(sdk), table()?);
    match cmd {
        OrdersCmd::List { filter, csv } => {
            let entries = log.list(&filter.to_filter()?).await?;
            if csv {
                print!("{}", shared::ops::to_csv(&entries));
                return Ok(());
            }
            println!(
                "{:<20} {:<20} {:<19} {:<13} {:<9} {:>3}  latest",
                "shop", "order", "TikTok status", "sync", "NetSuite", "try"
            );
            for e in &entries {
                let latest = match &e.last_failure {
                    Some(f) => format!("{} — {}", f.code.as_str(), f.reason),
                    None => e.history.last().map(|h| h.note.clone()).unwrap_or_default(),
                };
                println!(
                    "{:<20} {:<20} {:<19} {:<13} {:<9} {:>3}  {latest}",
                    e.shop_id.as_str(),
                    e.order_id.as_str(),
                    e.tiktok_status,
                    e.sync_status.as_str(),
                    e.netsuite_id.as_deref().unwrap_or("-"),
                    e.attempts
                );
            }
            eprintln!("{} order(s)", entries.len());
        }
        OrdersCmd::Exceptions { shop, csv } => {
            let entries = shared::ops::exceptions(&log, shop.map(ShopId)).await?;
            if csv {
                print!("{}", shared::ops::to_csv(&entries));
            } else {
                for e in &entries {
                    let reason = e
                        .last_failure
                        .as_ref()
                        .map(|f| f.reason.as_str())
                        .unwrap_or_default();
                    println!(
                        "{} {} Sales Order {}: {reason}",
                        e.shop_id,
                        e.order_id,
                        e.netsuite_id.as_deref().unwrap_or("-")
                    );
                }
                eprintln!("{} exception(s)", entries.len());
            }
        }
        OrdersCmd::Export { filter, out } => {
            let entries = log.list(&filter.to_filter()?).await?;
            std::fs::write(&out, shared::ops::to_csv(&entries))
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            eprintln!("{} order(s) written to {}", entries.len(), out.display());
        }
        OrdersCmd::Show { shop, order } => {
            let e = shared::ops::find(&log, &ShopId(shop), &OrderId(order)).await?;
            println!("{}", serde_json::to_string_pretty(&e)?);
        }
        OrdersCmd::Resubmit { order, filter } => {
            let queue = SqsEventQueue::new(
                aws_sdk_sqs::Client::new(sdk),
                env_var(
                    "ORDERS_QUEUE_URL",
                    "set it to the orders FIFO queue URL (stack output OrdersQueueUrl)",
                )?,
            );
            let entries = match order {
                Some(order) => {
                    let shop = filter.shop.clone().ok_or("--order needs --shop")?;
                    vec![shared::ops::find(&log, &ShopId(shop), &OrderId(order)).await?]
                }
                None if filter.is_empty() => {
                    return Err("name an --order, or filter with --code, --sku, --status, --shop, --since or --until".into())
                }
                None => shared::ops::resubmittable(&log, &filter.to_filter()?).await?,
            };
            let n = shared::ops::resubmit(&queue, &entries, SystemClock.now()).await?;
            println!("{n} order(s) re-enqueued");
        }
        OrdersCmd::Ignore {
            shop,
            order,
            reason,
        } => {
            let e = shared::ops::find(&log, &ShopId(shop), &OrderId(order)).await?;
            shared::ops::ignore(&log, &e, &reason, SystemClock.now()).await?;
            println!("order {} marked ignored", e.order_id);
        }
        OrdersCmd::Unignore {
            shop,
            order,
            reason,
        } => {
            let e = shared::ops::find(&log, &ShopId(shop), &OrderId(order)).await?;
            shared::ops::unignore(&log, &e, &reason, SystemClock.now()).await?;
            println!("order {} is no longer ignored; resubmit it with `tiktok-netsuite orders resubmit --shop {} --order {}`", e.order_id, e.shop_id, e.order_id);
        }
        OrdersCmd::Reindex => {
            let n = log.reindex_all().await?;
            println!("{n} order log entries rewritten with their index attributes");
        }
    }
    Ok(())
}

pub async fn skus(cmd: SkusCmd, sdk: &aws_config::SdkConfig) -> Result<(), OpsError> {
    let links = DynamoSkuLinks::new(aws_sdk_dynamodb::Client::new(sdk), table()?);
    match cmd {
        SkusCmd::Link { shop, sku, item } => {
            shared::ops::link_sku(&links, &ShopId(shop.clone()), &sku, &item).await?;
            println!(
                "linked {sku} → NetSuite item {item} for shop {shop}; resubmit with: tiktok-netsuite orders resubmit --shop {} --sku {}",
                shared::domain::shell_quote(&shop),
                shared::domain::shell_quote(&sku)
            );
        }
        SkusCmd::Show { shop, sku } => match links
            .get(&ShopId(shop), &Sku::new(sku.clone()))
            .await?
        {
            Some(l) => println!("{} → NetSuite item {} ({})", l.sku, l.item_id, l.source),
            None => println!("{sku} has no link; the writer will look it up by item name/number"),
        },
    }
    Ok(())
}

pub async fn shops(cmd: ShopsCmd, sdk: &aws_config::SdkConfig) -> Result<(), OpsError> {
    match cmd {
        ShopsCmd::AuthorizeUrl { operator } => {
            let c = crate::connect::connector(sdk).await?;
            let url =
                crate::connect::authorize_url(&c, &crate::connect::operator(operator)).await?;
            println!("{url}");
            eprintln!("{}", crate::connect::AUTHORIZE_URL_HINT);
            return Ok(());
        }
        ShopsCmd::Authorize { code, state } => {
            let c = crate::connect::connector(sdk).await?;
            for line in crate::connect::authorize(&c, code, state).await? {
                println!("{line}");
            }
            return Ok(());
        }
        ShopsCmd::Connect { .. } => {}
    }
    let tokens_table = env_var(
        "SHOP_TOKENS_TABLE",
        "set it to the shop tokens table name (stack output ShopTokensTableName)",
    )?;
    let store = DynamoShopTokenStore::new(aws_sdk_dynamodb::Client::new(sdk), tokens_table);
    match cmd {
        ShopsCmd::Connect {
            shop,
            cipher,
            access_token,
            access_expires_at,
            refresh_token,
            refresh_expires_at,
        } => {
            shared::ops::connect_shop(
                &store,
                &ShopCredentials {
                    shop_id: ShopId(shop.clone()),
                    cipher,
                    access_token,
                    access_token_expires_at: access_expires_at,
                    refresh_token,
                    refresh_token_expires_at: refresh_expires_at,
                },
            )
            .await?;
            println!("tokens stored for shop {shop}; the writer refreshes them before they expire");
        }
        ShopsCmd::AuthorizeUrl { .. } | ShopsCmd::Authorize { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_name_bad_values() {
        let f = FilterArgs {
            status: Some("bogus".into()),
            ..Default::default()
        };
        assert!(f.to_filter().unwrap_err().contains("--status"));
        let f = FilterArgs {
            since: Some("23/11/2026".into()),
            ..Default::default()
        };
        assert!(f.to_filter().unwrap_err().contains("--since"));
        let f = FilterArgs {
            since: Some("2026-11-23".into()),
            status: Some("FAILED".into()),
            ..Default::default()
        };
        let lf = f.to_filter().unwrap();
        assert_eq!(lf.since, Some(1795392000));
        assert_eq!(lf.sync_status, Some(SyncStatus::Failed));
        let f = FilterArgs {
            order_type: Some("Pre-Order".into()),
            ..Default::default()
        };
        assert_eq!(f.to_filter().unwrap().order_type, Some(OrderType::PreOrder));
        let f = FilterArgs {
            order_type: Some("SHOP_PARTNER".into()),
            ..Default::default()
        };
        let t = f.to_filter().unwrap().order_type.unwrap();
        assert_eq!(t.as_str(), "SHOP_PARTNER");
    }
}
