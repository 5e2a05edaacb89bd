//! `tiktok-netsuite console --listen ADDR` (the console's router on this
//! machine, configured from the environment like the Lambda) and
//! `tiktok-netsuite users add|remove|set-role|reset-password|list`.
//! Both call the same library functions as the console function.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Subcommand;
use shared::clock::{Clock, SystemClock};
use shared::ops::users;
use shared::resources::CONSOLE_TABLE;
use shared::store::{ConsoleUsers, DynamoConsoleUsers};

type CliError = Box<dyn std::error::Error>;

#[derive(clap::Args, Debug)]
pub struct ConsoleArgs {
    /// Address to serve the console on (keep it on loopback).
    #[arg(long, default_value = "127.0.0.1:8788")]
    pub listen: SocketAddr,
}

#[derive(Subcommand, Debug)]
pub enum UsersCmd {
    /// Add a console user (password from --password or TNS_PASSWORD).
    Add {
        #[arg(long)]
        name: String,
        /// viewer, operator or admin.
        #[arg(long)]
        role: String,
        #[arg(long, env = "TNS_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Remove a console user.
    Remove {
        #[arg(long)]
        name: String,
    },
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
    },
    /// Set a new password for a user.
    ResetPassword {
        #[arg(long)]
        name: String,
        #[arg(long, env = "TNS_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// List users and their roles.
    List,
}

pub async fn serve(args: ConsoleArgs) -> Result<(), CliError> {
    let console = Arc::new(shared::console::Console::from_env().await?);
    let (addr, task) = local_env::console::serve_console(console, args.listen).await?;
    eprintln!("console: http://{addr}/  (Ctrl-C to stop)");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = task => {}
    }
    Ok(())
}

pub async fn users(cmd: UsersCmd, sdk: &aws_config::SdkConfig) -> Result<(), CliError> {
    let table = std::env::var(CONSOLE_TABLE.env_var).map_err(|_| {
        format!(
            "{} is not set: set it to the console table (tiktok-netsuite bootstrap prints it)",
            CONSOLE_TABLE.env_var
        )
    })?;
    let store = DynamoConsoleUsers::new(aws_sdk_dynamodb::Client::new(sdk), table);
    let now = SystemClock.now();
    match cmd {
        UsersCmd::Add {
            name,
            role,
            password,
        } => {
            let u = users::add_user(&store, &name, &role, &password, now).await?;
            println!("added {} ({})", u.name, u.role);
        }
        UsersCmd::Remove { name } => {
            users::remove_user(&store, &name).await?;
            println!("removed {name}; their console sessions are ended");
        }
        UsersCmd::SetRole { name, role } => {
            let u = users::set_role(&store, &name, &role, now).await?;
            println!(
                "{} is now {}; their console sessions are ended (sign in again)",
                u.name, u.role
            );
        }
        UsersCmd::ResetPassword { name, password } => {
            let u = users::reset_password(&store, &name, &password, now).await?;
            println!(
                "password of {} reset; their console sessions are ended",
                u.name
            );
        }
        UsersCmd::List => {
            for u in store.list().await? {
                println!("{}\t{}", u.name, u.role);
            }
        }
    }
    Ok(())
}

/// The demo's console: served over the demo's stack with a fresh local
/// admin, until Ctrl-C.
pub async fn demo_console(env: &local_env::LocalEnv, addr: SocketAddr) -> Result<(), CliError> {
    let console = local_env::console::local_console(env).await?;
    let store = DynamoConsoleUsers::new(
        aws_sdk_dynamodb::Client::new(&env.sdk),
        &env.names.console_table,
    );
    let password = format!("demo-{}", shared::console::auth::session::nonce());
    users::add_user(&store, "demo", "admin", &password, SystemClock.now()).await?;
    let (bound, task) = local_env::console::serve_console(Arc::new(console), addr).await?;
    println!("\noperations console     http://{bound}/");
    println!("local login            demo / {password}  (admin; Ctrl-C to stop)");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = task => {}
    }
    Ok(())
}
