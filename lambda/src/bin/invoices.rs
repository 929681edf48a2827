//! The invoices function on AWS Lambda, behind API Gateway (HTTP API):
//! one invoice as HTML or PDF.

use storefront_lambda::Function;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    storefront_lambda::init_tracing();
    let services = storefront_lambda::services_from_env(Function::Invoices)?;
    lambda_http::run(storefront_lambda::router(Function::Invoices, &services))
        .await
        .map_err(|e| anyhow::anyhow!(e))
}
