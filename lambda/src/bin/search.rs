//! The search function on AWS Lambda, behind API Gateway (HTTP API).

use storefront_lambda::Function;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    storefront_lambda::init_tracing();
    let services = storefront_lambda::services_from_env(Function::Search)?;
    lambda_http::run(storefront_lambda::router(Function::Search, &services))
        .await
        .map_err(|e| anyhow::anyhow!(e))
}
