//! `tiktok-netsuite doctor`: every set-up check against the configured
//! services (the jobs function's environment), one line each with its fix;
//! the exit code is non-zero when any check failed.

use shared::app::JobsApp;
use shared::doctor::Report;

#[derive(clap::Args)]
pub struct DoctorArgs {
    /// Check only this shop (default: every shop of MAPPING_CONFIG).
    #[arg(long)]
    pub shop: Option<String>,
}

/// A doctor run with at least one failed check.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DoctorFailed(pub String);

/// Runs the doctor over `app` and prints its lines.
pub async fn report(app: &JobsApp, shop: Option<&str>) -> Report {
    let shops = match shop {
        Some(s) => vec![shared::domain::ShopId::new(s)],
        None => app.config.jobs.shops(),
    };
    app.doctor
        .doctor(
            &app.config,
            &app.shops,
            app.netsuite.as_ref(),
            app.clock.as_ref(),
        )
        .run(&shops)
        .await
}

pub async fn run(args: DoctorArgs) -> Result<(), Box<dyn std::error::Error>> {
    let app = JobsApp::from_env().await?;
    let report = report(&app, args.shop.as_deref()).await;
    for line in report.lines() {
        println!("{line}");
    }
    if report.failed() {
        return Err(Box::new(DoctorFailed(format!(
            "the doctor found problems: {}",
            report.summary()
        ))));
    }
    Ok(())
}
