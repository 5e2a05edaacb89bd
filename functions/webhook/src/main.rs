//! Lambda entry point for TikTok Shop webhooks (Function URL, HTTP API v2).
//! All logic lives in `shared::ingest`; this file only adapts types.

use lambda_http::{run, service_fn, Body, Error, Request, Response};
use shared::app::WebhookApp;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = WebhookApp::from_env().await?;
    let app = &app;
    run(service_fn(move |req: Request| async move {
        let auth = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        let resp = app
            .handle(req.method().as_str(), auth, req.body().as_ref())
            .await;
        let mut builder = Response::builder().status(resp.status);
        let body = match resp.body {
            Some(json) => {
                builder = builder.header("content-type", "application/json");
                Body::Text(json)
            }
            None => Body::Empty,
        };
        builder.body(body).map_err(Error::from)
    }))
    .await
}
