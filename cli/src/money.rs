//! `storefront tick` and `storefront topups`: the scheduler and the
//! platform's top-up decisions, on the local embedded store.

use crate::TopupAction;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use storefront_core::ledger::Party;
use storefront_functions::app::{RegistrarChoice, Services};
use storefront_functions::clock::ManualClock;
use storefront_functions::ledger::topups::TopUpError;

fn services(store: &Path) -> Result<Services> {
    if !store.exists() {
        bail!(
            "no store at {}: run `storefront build` or `storefront serve` first",
            store.display()
        );
    }
    Services::local(store, &RegistrarChoice::Sandbox)
        .with_context(|| format!("opening the store at {}", store.display()))
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

pub async fn tick(store: &Path, at: Option<&str>) -> Result<ExitCode> {
    let mut services = services(store)?;
    if let Some(at) = at {
        services.clock = Arc::new(ManualClock::new(moment(at)?));
    }
    let report = storefront_functions::scheduler::tick(&services.orders())
        .await
        .context("the scheduled work failed")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

pub async fn topups(store: &Path, action: TopupAction) -> Result<ExitCode> {
    let services = services(store)?;
    let orders = services.orders();
    let ledger = &orders.ledger;
    let decided = match action {
        TopupAction::List { all } => {
            let list = ledger
                .topups_for_parent(&Party::Platform, !all)
                .await
                .context("reading top-ups")?;
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
