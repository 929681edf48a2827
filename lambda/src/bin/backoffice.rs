//! The reseller's back office on AWS Lambda, behind API Gateway (HTTP API);
//! and, deployed a second time with `STOREFRONT_RUN=daily-build`, the build
//! of the day invoked by an EventBridge schedule (the same generator, site
//! and uploads as a publish: one binary, so the two never build apart).

use storefront_lambda::{Function, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    storefront_lambda::init_tracing();
    let settings = Settings::from_env(Function::Backoffice)?;
    let services = storefront_lambda::services(Function::Backoffice, &settings)?;
    let work = std::env::temp_dir().join("storefront");
    if std::env::var("STOREFRONT_RUN").as_deref() == Ok("daily-build") {
        return storefront_lambda::run_daily_build(&services, &settings, &work)
            .await
            .map_err(|e| anyhow::anyhow!(e));
    }
    let router = storefront_lambda::backoffice::router(&services, &settings, &work).await?;
    lambda_http::run(router)
        .await
        .map_err(|e| anyhow::anyhow!(e))
}
