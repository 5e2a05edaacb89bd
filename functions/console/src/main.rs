//! Lambda entry point of the operations console (Function URL, HTTP API
//! v2 payloads). All pages live in `shared::console`; this file only
//! passes each request's source address (from the Function URL's request
//! context) to the router for login throttling.

use std::sync::Arc;

use lambda_http::request::RequestContext;
use lambda_http::{run, Error, RequestExt};
use shared::console::{router, ClientAddr, Console};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let console = Arc::new(Console::from_env().await?);
    let app = router(console).layer(axum::middleware::map_request(
        |mut req: axum::extract::Request| async move {
            let ip = match req.request_context_ref() {
                Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
                _ => None,
            };
            req.extensions_mut()
                .insert(ClientAddr(ip.unwrap_or_else(|| "unknown".into())));
            req
        },
    ));
    run(app).await
}
