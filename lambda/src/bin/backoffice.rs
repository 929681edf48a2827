//! The reseller's back office on AWS Lambda, behind API Gateway (HTTP API).

use storefront_lambda::{Function, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    storefront_lambda::init_tracing();
    let settings = Settings::from_env(Function::Backoffice)?;
    let services = storefront_lambda::services(Function::Backoffice, &settings)?;
    let work = std::env::temp_dir().join("storefront");
    let router = storefront_lambda::backoffice::router(&services, &settings, &work).await?;
    lambda_http::run(router)
        .await
        .map_err(|e| anyhow::anyhow!(e))
}
