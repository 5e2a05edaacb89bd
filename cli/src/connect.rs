//! `tiktok-netsuite shops authorize-url` and `shops authorize`: connecting a
//! shop without the console (a headless set-up). The first stores a state
//! (console table, single-use, 30 minutes) and prints TikTok's authorization
//! page; the seller authorizes there and TikTok redirects to the app's
//! registered redirect URL, whose `code` and `state` the second takes.
//!
//! Reads what the console reads: `TIKTOK_SERVICE_ID`, `TIKTOK_MARKET`, the
//! TikTok app (`TIKTOK_APP_SECRET_ID`, or `TIKTOK_APP_KEY` and
//! `TIKTOK_APP_SECRET`), `SHOP_TOKENS_TABLE` and `CONSOLE_TABLE`.

use shared::config::Env;
use shared::connect::{Callback, ConnectConfig, Connector};

type CliError = Box<dyn std::error::Error>;

fn env_var(env: &Env<'_>, var: &'static str, hint: &str) -> Result<String, CliError> {
    env.get(var)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("environment variable {var} is not set: {hint}").into())
}

/// The connector over the process environment's settings and tables.
pub async fn connector(sdk: &aws_config::SdkConfig) -> Result<Connector, CliError> {
    connector_from(&Env::new(&shared::config::process_env), sdk).await
}

/// The connector over `env`'s settings and tables.
pub async fn connector_from(
    env: &Env<'_>,
    sdk: &aws_config::SdkConfig,
) -> Result<Connector, CliError> {
    let config = ConnectConfig::load(env)?.ok_or(
        "environment variable TIKTOK_SERVICE_ID is not set: the app's service id (TikTok Partner Center → App)",
    )?;
    let tokens = env_var(
        env,
        "SHOP_TOKENS_TABLE",
        "the shop tokens table (stack output ShopTokensTableName)",
    )?;
    let console = env_var(
        env,
        "CONSOLE_TABLE",
        "the console table, where the state is kept (stack output ConsoleTableName)",
    )?;
    Ok(config
        .connector(
            &aws_sdk_secretsmanager::Client::new(sdk),
            &aws_sdk_dynamodb::Client::new(sdk),
            &tokens,
            &console,
        )
        .await?)
}

/// Who started it, as the state records it.
pub fn operator(given: Option<String>) -> String {
    given.unwrap_or_else(|| {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        format!("cli:{user}")
    })
}

/// What `authorize-url` says after the URL (on stderr).
pub const AUTHORIZE_URL_HINT: &str = "Open this URL and sign in as the seller; it works once, for 30 minutes. TikTok then redirects to the app's redirect URL: pass its code and state to `tiktok-netsuite shops authorize --code … --state …`.";

/// The authorization URL to print (the state is stored).
pub async fn authorize_url(c: &Connector, operator: &str) -> Result<String, CliError> {
    Ok(c.start(operator).await?)
}

/// Completes an authorization with the redirect's `code` and `state`; the
/// lines to print, one per shop connected.
pub async fn authorize(
    c: &Connector,
    code: String,
    state: String,
) -> Result<Vec<String>, CliError> {
    let done = c
        .finish(&Callback {
            code: Some(code),
            state: Some(state),
            error: None,
        })
        .await?;
    Ok(done
        .shops
        .iter()
        .map(|s| {
            format!(
                "connected shop {} ({}, region {}); its orders can now be written",
                shared::domain::shell_quote(&s.name),
                s.id,
                s.region
            )
        })
        .collect())
}
