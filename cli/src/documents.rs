//! `storefront documents`: the platform's review of registrants' documents,
//! for the extensions whose catalogue entry says the platform reviews them
//! (`review = "platform"`, or `"both"` after the storefront approved). On the
//! local embedded store or, with `--table`, on the deployed table — as
//! `storefront topups` decides resellers' top-ups until the platform has a
//! console of its own.

use crate::DocumentAction;
use crate::money::{Target, services};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::ExitCode;
use storefront_core::documents::{Decision, Level};
use storefront_functions::documents::DocError;

/// Who the platform's decisions are recorded as.
const BY: &str = "platform";

pub async fn run(target: &Target, dir: &Path, action: DocumentAction) -> Result<ExitCode> {
    let services = services(target, dir, "documents --table T list").await?;
    let orders = services.orders();
    let docs = orders.documents();
    match action {
        DocumentAction::List => {
            let waiting = docs
                .waiting_for_platform()
                .await
                .map_err(|e| anyhow::anyhow!("reading the platform's queue: {e}"))?;
            if waiting.is_empty() {
                println!("no documents wait for the platform's review");
            }
            for (reseller, order, line, domain, n) in waiting {
                println!("{reseller:<14} {order} {line:<28} {domain:<30} {n} waiting");
            }
            Ok(ExitCode::SUCCESS)
        }
        DocumentAction::Show { order, line, save } => {
            let Some((r, _)) = docs.get(&order, &line).await.map_err(doc)? else {
                eprintln!("no documents for order {order} line {line}");
                return Ok(ExitCode::FAILURE);
            };
            println!(
                "{} ({}), for {} on {}",
                r.domain, r.ext, r.customer, r.reseller
            );
            for (item, record) in &r.set.items {
                let state = r.set.state(item).map_or("?", |s| s.as_str());
                println!("  {item}: {state}");
                for v in &record.versions {
                    let review = match (&v.first, &v.review) {
                        (_, Some(rv)) if rv.approved => format!("approved by {}", rv.by),
                        (_, Some(rv)) => format!(
                            "rejected by {}: {}",
                            rv.by,
                            rv.reason.as_deref().unwrap_or_default()
                        ),
                        (Some(first), None) => {
                            format!("approved by {}, the platform's turn", first.by)
                        }
                        (None, None) => "waiting".to_string(),
                    };
                    println!("    version {} sent {} — {review}", v.n, v.at);
                    if let (Some(folder), Some(_)) = (&save, &v.key) {
                        let Some((bytes, kind)) = docs.file(&r, item, v.n).await.map_err(doc)?
                        else {
                            continue;
                        };
                        let ext = match kind.as_str() {
                            "application/pdf" => "pdf",
                            "image/png" => "png",
                            "image/jpeg" => "jpg",
                            _ => "bin",
                        };
                        std::fs::create_dir_all(dir.join(folder))?;
                        let path = dir.join(folder).join(format!("{item}-{}.{ext}", v.n));
                        std::fs::write(&path, bytes)
                            .with_context(|| format!("writing {}", path.display()))?;
                        println!("      saved as {}", path.display());
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        DocumentAction::Approve {
            order,
            line,
            item,
            version,
        } => decide(&orders, &order, &line, &item, version, None).await,
        DocumentAction::Reject {
            order,
            line,
            item,
            version,
            reason,
        } => {
            let reason = reason.trim().to_string();
            if reason.is_empty() {
                bail!("--reason must say why: the customer reads it");
            }
            decide(&orders, &order, &line, &item, version, Some(reason)).await
        }
    }
}

fn doc(e: DocError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Record the platform's decision and what follows it (the customer's
/// mail, the registration once the set is approved whole).
async fn decide(
    orders: &storefront_functions::orders::Orders,
    order: &str,
    line: &str,
    item: &str,
    version: u32,
    reason: Option<String>,
) -> Result<ExitCode> {
    let at = orders.clock.now().to_rfc3339();
    let d = Decision {
        approve: reason.is_none(),
        reason,
        at: &at,
        by: BY,
    };
    let r = match orders
        .documents()
        .review(order, line, item, version, d, Level::Platform)
        .await
    {
        Ok(r) => r,
        Err(DocError::NotFound) => {
            eprintln!("no documents for order {order} line {line} wait for the platform");
            return Ok(ExitCode::FAILURE);
        }
        Err(DocError::Set { error, .. }) => {
            eprintln!("{item}: {}", error.message(storefront_core::Locale::En));
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(doc(e)),
    };
    let Some(s) = orders
        .catalogs
        .current(&r.reseller)
        .await
        .context("reading the storefront's catalogue")?
    else {
        bail!("{} has no published catalogue", r.reseller);
    };
    orders
        .document_reviewed(&s, &r, item, BY)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = r.set.state(item).map_or("?", |s| s.as_str());
    println!("{} {item} version {version}: {state}", r.domain);
    if r.set.complete() {
        println!(
            "every document of {} is approved: it goes to the registry",
            r.domain
        );
    }
    Ok(ExitCode::SUCCESS)
}
