//! The scheduler on AWS Lambda, invoked by an EventBridge schedule: one
//! tick (renewals, expiries, lost registry answers, invoices) per event.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    storefront_lambda::init_tracing();
    let services = storefront_lambda::services_from_env(storefront_lambda::Function::Scheduler)?;
    storefront_lambda::run_scheduler(&services)
        .await
        .map_err(|e| anyhow::anyhow!(e))
}
