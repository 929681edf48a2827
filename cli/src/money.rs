//! `storefront tick` and `storefront topups`: the scheduler and the
//! platform's top-up decisions, on the local embedded store or, with
//! `--table`, on the deployed DynamoDB table.

use crate::TopupAction;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use storefront_core::ledger::Party;
use storefront_functions::app::{RegistrarChoice, Services};
use storefront_functions::clock::ManualClock;
use storefront_functions::ledger::topups::TopUpError;

/// Which store the work is done on.
#[derive(Debug, Clone)]
pub enum Target {
    /// The embedded store's file.
    Local(PathBuf),
    /// A deployed table, reached with the AWS environment (region,
    /// credentials, `AWS_ENDPOINT_URL`) as `storefront deploy` reaches it.
    /// The registry is the sandbox in the same table, as on Lambda.
    Table(String),
}

impl Target {
    pub fn new(dir: &Path, store: PathBuf, table: Option<String>) -> Target {
        match table {
            Some(t) => Target::Table(t),
            None => Target::Local(dir.join(store)),
        }
    }
}

/// `command` is how to run the same on the table (for the error of a build
/// without the `aws` feature).
pub(crate) async fn services(target: &Target, dir: &Path, command: &str) -> Result<Services> {
    match target {
        Target::Local(store) => {
            if !store.exists() {
                bail!(
                    "no store at {}: run `storefront build` or `storefront serve` first",
                    store.display()
                );
            }
            Services::local(store, &RegistrarChoice::Sandbox)
                .with_context(|| format!("opening the store at {}", store.display()))
        }
        #[cfg(feature = "aws")]
        Target::Table(table) => {
            let _ = command; // only said by a build without the feature
            on_aws::services(table, dir).await
        }
        #[cfg(not(feature = "aws"))]
        Target::Table(table) => {
            let _ = dir; // only the table's mailer uses it
            Err(crate::without_aws(
                &format!("--table {table} (or STOREFRONT_TABLE)"),
                command,
            ))
        }
    }
}

/// The deployed table, only with the `aws` feature.
#[cfg(feature = "aws")]
mod on_aws {
    use anyhow::Result;
    use std::path::Path;
    use std::sync::Arc;
    use storefront_functions::accounts::{Mailer, Outbox, Smtp, SmtpConfig};
    use storefront_functions::app::Services;
    use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
    use storefront_functions::store::Store;

    pub async fn services(table: &str, dir: &Path) -> Result<Services> {
        let config = storefront_aws::sdk_config().await;
        let store: Arc<dyn Store> = Arc::new(storefront_aws::DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&config),
            table,
        ));
        let registrar = Arc::new(Sandbox::new(SandboxConfig::default(), store.clone()));
        let mut services = Services::with(store, registrar);
        let (mailer, from) = mailer(dir)?;
        services.mailer = mailer;
        if let Some(from) = from {
            services.accounts.mail_from = from;
        }
        Ok(services)
    }

    /// Mail to resellers about their top-ups, and whom it is from: over the
    /// relay the functions use when SMTP_URL and MAIL_FROM are set (with
    /// SMTP_PASSWORD, as on Lambda), else into the local outbox folder, which
    /// is said.
    fn mailer(dir: &Path) -> Result<(Arc<dyn Mailer>, Option<String>)> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (var("SMTP_URL"), var("MAIL_FROM")) {
            (Some(url), Some(from)) => {
                let (smtp, from) = SmtpConfig::from_vars(&url, var("SMTP_PASSWORD"), &from)
                    .map_err(anyhow::Error::msg)?;
                let smtp = Smtp::new(&smtp).map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?;
                Ok((Arc::new(smtp), Some(from)))
            }
            _ => {
                let outbox = dir.join(".storefront/outbox");
                eprintln!(
                    "SMTP_URL and MAIL_FROM are not set: mail goes to {}",
                    outbox.display()
                );
                Ok((Arc::new(Outbox::new(outbox)), None))
            }
        }
    }
}

/// A moment given as a date (its midnight, UTC) or as RFC 3339.
fn moment(s: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d: NaiveDate = s
        .parse()
        .with_context(|| format!("--at {s:?} is neither a date like 2026-12-01 nor RFC 3339"))?;
    Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

pub async fn tick(target: &Target, dir: &Path, at: Option<&str>) -> Result<ExitCode> {
    let mut services = services(target, dir, "tick --table T").await?;
    if let Some(at) = at {
        services.clock = Arc::new(ManualClock::new(moment(at)?));
    }
    let report = storefront_functions::scheduler::tick(&services.orders())
        .await
        .context("the scheduled work failed")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

pub async fn topups(target: &Target, dir: &Path, action: TopupAction) -> Result<ExitCode> {
    let services = services(target, dir, "topups --table T list").await?;
    let orders = services.orders();
    let ledger = &orders.ledger;
    let decided = match action {
        TopupAction::List { all } => {
            // Every page: the operator reads the whole list here.
            let mut list = Vec::new();
            let mut before: Option<String> = None;
            loop {
                let page = ledger
                    .topups_for_parent(&Party::Platform, !all, before.as_deref(), 500)
                    .await
                    .context("reading top-ups")?;
                list.extend(page.items);
                match page.next {
                    Some(n) => before = Some(n),
                    None => break,
                }
            }
            if list.is_empty() {
                println!("no {}top-ups", if all { "" } else { "pending " });
            }
            for t in list {
                let who = match &t.holder {
                    Party::Reseller { id } => id.clone(),
                    other => other.key(),
                };
                println!(
                    "{}  {:<9} {:<14} {:>14} {}  into {}  ref {:?}",
                    t.id,
                    format!("{:?}", t.state).to_lowercase(),
                    who,
                    t.amount.to_string(),
                    t.currency.code(),
                    t.bank_account,
                    t.transfer_reference
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        TopupAction::Approve { id } => {
            ledger
                .decide_topup(&Party::Platform, &id, true, None, "platform")
                .await
        }
        TopupAction::Reject { id, reason } => {
            let reason = reason.trim().to_string();
            if reason.is_empty() {
                bail!("--reason must say why: the reseller reads it");
            }
            ledger
                .decide_topup(&Party::Platform, &id, false, Some(reason), "platform")
                .await
        }
    };
    match decided {
        Ok(t) => {
            orders.notify_topup(&t).await;
            println!(
                "{} {}: {} {}",
                t.id,
                format!("{:?}", t.state).to_lowercase(),
                t.amount,
                t.currency.code()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(TopUpError::NotFound) => {
            eprintln!("no top-up with that id is addressed to the platform");
            Ok(ExitCode::FAILURE)
        }
        Err(TopUpError::AlreadyDecided(t)) => {
            eprintln!(
                "top-up {} was already {} (nothing changed)",
                t.id,
                format!("{:?}", t.state).to_lowercase()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(TopUpError::Store(e)) => Err(e).context("deciding the top-up"),
    }
}
