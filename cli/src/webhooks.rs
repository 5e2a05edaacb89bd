//! `tiktok-netsuite webhooks status|register`: each shop's webhook
//! subscriptions through TikTok's Event API (`shared::ops::webhooks`).
//! Reads the TikTok app (`TIKTOK_APP_SECRET_ID`, or `TIKTOK_APP_KEY` and
//! `TIKTOK_APP_SECRET`), the hosts and `SHOP_TOKENS_TABLE` from the
//! environment, like the functions; the address from `--url` or `WEBHOOK_URL`.

use clap::Subcommand;
use shared::config::{Env, TikTokApiSettings, TikTokAppSource, TokensSettings};
use shared::domain::ShopId;
use shared::ops::webhooks::{self, address_or_env, describe};
use shared::store::shop_directory::connected_shops;
use shared::tiktok::ShopSessions;

type CliError = Box<dyn std::error::Error>;

#[derive(Subcommand, Debug)]
pub enum WebhooksCmd {
    /// Which event types each shop sends to the deployed webhook, which are
    /// missing and which go elsewhere.
    Status {
        /// One shop; every connected shop when omitted.
        #[arg(long)]
        shop: Option<String>,
        /// The webhook address (stack output WebhookUrl); else WEBHOOK_URL.
        #[arg(long)]
        url: Option<String>,
    },
    /// Subscribe a shop's missing or misdirected event types to the webhook.
    /// Prints the plan and changes nothing unless --yes is given.
    Register {
        #[arg(long)]
        shop: String,
        /// The webhook address (stack output WebhookUrl); else WEBHOOK_URL.
        #[arg(long)]
        url: Option<String>,
        /// Make the changes the plan lists.
        #[arg(long)]
        yes: bool,
    },
}

async fn sessions(sdk: &aws_config::SdkConfig) -> Result<(ShopSessions, String), CliError> {
    let env = Env::new(&shared::config::process_env);
    let tokens = TokensSettings::load(&env)?;
    let sessions = shared::app::Clients::new(sdk)
        .tiktok(
            &TikTokAppSource::load(&env)?,
            &TikTokApiSettings::load(&env)?,
            &tokens.table,
        )
        .await?;
    Ok((sessions, tokens.table))
}

pub async fn run(cmd: WebhooksCmd, sdk: &aws_config::SdkConfig) -> Result<(), CliError> {
    let env = shared::config::process_env;
    match cmd {
        WebhooksCmd::Status { shop, url } => {
            let address = address_or_env(url.as_deref(), &env)?;
            let (sessions, table) = sessions(sdk).await?;
            let shops = match shop {
                Some(s) => vec![ShopId::new(s)],
                None => connected_shops(&aws_sdk_dynamodb::Client::new(sdk), &table)
                    .await?
                    .into_iter()
                    .map(|s| s.shop_id)
                    .collect(),
            };
            if shops.is_empty() {
                return Err("no shop is connected: connect one first (console → Shops)".into());
            }
            let mut incomplete = 0;
            for shop in shops {
                let p = webhooks::status(&sessions, &shop, &address).await?;
                println!("shop {shop} → {address}");
                for line in describe(&p) {
                    println!("  {line}");
                }
                if !p.is_complete() {
                    incomplete += 1;
                    println!(
                        "  fix: tiktok-netsuite webhooks register --shop {} --url {} --yes",
                        shared::domain::shell_quote(shop.as_str()),
                        shared::domain::shell_quote(address.as_str())
                    );
                }
            }
            if incomplete > 0 {
                return Err(format!(
                    "{incomplete} shop(s) do not send every event type to the webhook"
                )
                .into());
            }
            Ok(())
        }
        WebhooksCmd::Register { shop, url, yes } => {
            let address = address_or_env(url.as_deref(), &env)?;
            let (sessions, _) = sessions(sdk).await?;
            let shop = ShopId::new(shop);
            let r = webhooks::register(&sessions, &shop, &address, yes).await?;
            println!("shop {shop} → {address}");
            for line in describe(&r.before) {
                println!("  {line}");
            }
            let todo = r.before.to_register();
            if todo.is_empty() {
                println!("nothing to do: every event type already goes to this address");
            } else if !yes {
                let names: Vec<String> = todo.iter().map(|t| t.name()).collect();
                println!(
                    "would set: {} (nothing changed; add --yes to make these changes)",
                    names.join(", ")
                );
            } else {
                let names: Vec<String> = r.set.iter().map(|t| t.name()).collect();
                println!("set: {}", names.join(", "));
                if let Some(after) = &r.after {
                    if !after.is_complete() {
                        return Err("TikTok accepted the changes but still lists some types elsewhere; run `webhooks status` again in a minute".into());
                    }
                    println!("every event type now goes to {address}");
                }
            }
            Ok(())
        }
    }
}
