//! The console's local pieces on moto: its session-signing secret in
//! Secrets Manager (as the template's `ConsoleSessionSecret`), created once
//! per prefix with a random value.

use rand::RngCore;
use shared::store::aws::describe;

/// Creates (or finds) `{prefix}-console-session` and returns its ARN.
pub async fn console_secret(
    secrets: &aws_sdk_secretsmanager::Client,
    prefix: &str,
) -> Result<String, crate::bootstrap::BootstrapError> {
    let name = format!("{prefix}-console-session");
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let fail = |reason: String| crate::bootstrap::BootstrapError {
        resource: name.clone(),
        reason,
    };
    match secrets
        .create_secret()
        .name(&name)
        .secret_string(hex::encode(bytes))
        .send()
        .await
    {
        Ok(out) => Ok(out.arn().unwrap_or(&name).to_string()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_exists_exception()) =>
        {
            let got = secrets
                .describe_secret()
                .secret_id(&name)
                .send()
                .await
                .map_err(|e| fail(describe(&e)))?;
            Ok(got.arn().unwrap_or(&name).to_string())
        }
        Err(e) => Err(fail(describe(&e))),
    }
}

/// The TikTok app's service id in local runs (the simulator's default).
pub const LOCAL_SERVICE_ID: &str = "sim-service-id";

/// The console of a local environment: its secret on moto, the same
/// tables, queue and NetSuite simulator as the local apps.
pub async fn local_console(
    env: &crate::LocalEnv,
) -> Result<shared::console::Console, crate::LocalError> {
    let secrets = aws_sdk_secretsmanager::Client::new(&env.sdk);
    let prefix = env
        .names
        .console_table
        .strip_suffix("-console")
        .unwrap_or(&env.names.console_table)
        .to_string();
    let secret = console_secret(&secrets, &prefix).await?;
    let config = shared::console::ConsoleConfig {
        order_log_table: env.names.order_log_table.clone(),
        tokens_table: env.names.shop_tokens_table.clone(),
        job_runs_table: env.names.job_runs_table.clone(),
        console_table: env.names.console_table.clone(),
        queue_url: env.names.orders_queue_url.clone(),
        dlq_url: env.names.orders_dlq_url.clone(),
        session_secret_id: secret,
        netsuite: env.writer_config.netsuite.clone(),
        // "Connect a shop" against the local TikTok simulator, whose
        // authorization page is on its API host.
        connect: Some(shared::connect::ConnectConfig {
            app: env.writer_config.app.clone(),
            api: env.writer_config.tiktok.clone(),
            settings: shared::connect::ConnectSettings {
                service_id: LOCAL_SERVICE_ID.into(),
                authorize_base_url: env.writer_config.tiktok.api_base_url.clone(),
            },
        }),
    };
    let mut console = shared::console::Console::new(config, &env.sdk)
        .await
        .map_err(|e| crate::LocalError::Console(e.to_string()))?;
    // Re-sending payout reports goes through the local jobs' payout job.
    let jobs = shared::app::JobsApp::new(env.jobs_config.clone(), &env.sdk)
        .await
        .map_err(|e| crate::LocalError::Console(e.to_string()))?;
    console.payouts = Some(std::sync::Arc::new(jobs));
    Ok(console)
}

/// Serves the console's router on `addr` (loopback), passing each
/// connection's peer address for login throttling. Returns the bound
/// address and the server task.
pub async fn serve_console(
    console: std::sync::Arc<shared::console::Console>,
    addr: std::net::SocketAddr,
) -> std::io::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    use axum::extract::ConnectInfo;
    let app = shared::console::router(console).layer(axum::middleware::map_request(
        |mut req: axum::extract::Request| async move {
            let peer = req
                .extensions()
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into());
            req.extensions_mut()
                .insert(shared::console::ClientAddr(peer));
            req
        },
    ));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let svc = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        if let Err(e) = axum::serve(listener, svc).await {
            tracing::error!(error = %e, "console server stopped");
        }
    });
    Ok((bound, task))
}
