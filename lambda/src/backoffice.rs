//! The back office on Lambda. Publishing builds storefronts with the
//! generator from the published `@platform` revision (the platform's
//! catalogue, plans and themes: what the last `storefront deploy` or the
//! console published), which the `Site` lays out itself before each check
//! and build. Built storefronts are uploaded to the storefronts bucket
//! (only files whose bytes changed).

use crate::Settings;
use anyhow::Context;
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use storefront_backoffice::own_domain::OwnDomainCheck;
use storefront_backoffice::{BackOffice, Upload};
use storefront_functions::app::Services;
use storefront_generator::Paths;
use storefront_publish::{Notices, Site};
use storefront_revisions::{PLATFORM, Revisions};

/// Uploads a built storefront to the storefronts bucket.
struct Bucket(storefront_aws::deploy::Target);

#[async_trait::async_trait]
impl Upload for Bucket {
    async fn upload(&self, reseller: &str, dir: &Path) -> anyhow::Result<()> {
        self.0.sync_site(reseller, dir, false).await.map(|_| ())
    }
}

/// What the setup checklist checks resellers' own domains against: the
/// edge's addresses (`STOREFRONT_EDGE_IPS`, the template's EdgeAddresses;
/// unset, the checklist says how to set them) and the resolver it asks
/// (`STOREFRONT_RESOLVER`, its DnsResolver). A setting that cannot be used
/// stops the function: resellers are never told to point at a typo.
fn own_domain_check() -> anyhow::Result<OwnDomainCheck> {
    let var = |name| std::env::var(name).ok();
    OwnDomainCheck::from_settings(
        var("STOREFRONT_EDGE_IPS").as_deref(),
        var("STOREFRONT_RESOLVER").as_deref(),
    )
    .context("STOREFRONT_EDGE_IPS or STOREFRONT_RESOLVER")
}

/// The site the back office publishes with (the published `@platform`
/// revision laid out under `work`, the temporary folder on Lambda) and the
/// storefronts bucket it uploads to.
async fn site(
    services: &Services,
    settings: &Settings,
    work: &Path,
) -> anyhow::Result<(Arc<Site>, Arc<Bucket>)> {
    let bucket = settings
        .storefronts_bucket
        .clone()
        .context("STOREFRONTS_BUCKET is not set")?;
    let revisions = Revisions::new(services.store.clone(), services.blobs.clone());
    revisions
        .published(PLATFORM)
        .await?
        .context("the platform's content is not in the table: run `storefront deploy` first")?;
    let site = Arc::new(Site::new(
        Paths::under(work),
        work.join("public"),
        revisions,
        services.store.clone(),
        services.catalogs.clone(),
        |_| vec![],
    ));
    site.notify_with(Notices {
        mailer: services.mail_out(),
        from: services.accounts.mail_from.clone(),
    });
    let target =
        storefront_aws::deploy::Target::new(storefront_aws::s3_client(&settings.aws), bucket);
    Ok((site, Arc::new(Bucket(target))))
}

/// The back office's routes for these services.
pub async fn router(
    services: &Services,
    settings: &Settings,
    work: &Path,
) -> anyhow::Result<Router> {
    let (site, bucket) = site(services, settings, work).await?;
    // Without the platform's domain there is no address to give a new
    // sub-reseller: its form says so.
    let bo = BackOffice::new(services.shop_state(), site, services.clock.clone())
        .with_upload(bucket)
        .with_platform_domain(settings.platform_domain.as_deref().unwrap_or_default())
        .with_own_domain(own_domain_check()?);
    let routes = storefront_backoffice::router(bo);
    Ok(crate::layered(routes, services))
}

/// The build of the day, run by a schedule every hour (each storefront's
/// day begins at its own midnight): every storefront built from what is
/// published, as of now, and those whose pages changed uploaded — so a
/// plan's scheduled price change goes on sale on its day, as `serve`
/// rebuilds at the change of day. Catalogues that did not change are not
/// written; files whose bytes did not change are not uploaded. Returns
/// the storefronts rendered.
pub async fn daily_build(
    services: &Services,
    settings: &Settings,
    work: &Path,
) -> anyhow::Result<Vec<String>> {
    let (site, bucket) = site(services, settings, work).await?;
    let built = site
        .build(services.clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for id in &built.report.rendered {
        bucket.upload(id, &site.out().join(id)).await?;
    }
    Ok(built.report.rendered.clone())
}
