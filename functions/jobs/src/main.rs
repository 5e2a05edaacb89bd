//! Lambda entry point for the scheduled jobs (EventBridge Scheduler). The
//! schedule's input names the job (`{"job": "sweep"}`, optionally a `shop`);
//! all logic lives in `shared::jobs` (wired by `shared::app::JobsApp`). A run
//! that failed makes the invocation an error, so the template's alarm on the
//! function's errors sees it; its reason and fix are in the run log.

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use shared::app::{JobRequest, JobsApp};
use shared::store::RunStatus;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = JobsApp::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<JobRequest>| async move {
        let runs = app.run(&event.payload).await?;
        let summary: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| serde_json::json!({"run": r.id(), "status": r.status.as_str(), "counts": r.counts}))
            .collect();
        let failed: Vec<String> = runs
            .iter()
            .filter(|r| r.status == RunStatus::Failed)
            .map(|r| r.id())
            .collect();
        if failed.is_empty() {
            Ok::<serde_json::Value, Error>(serde_json::json!({ "runs": summary }))
        } else {
            Err(format!("job runs failed (see `tiktok-netsuite jobs show`): {}", failed.join(", ")).into())
        }
    }))
    .await
}
