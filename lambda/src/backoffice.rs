//! The back office on Lambda. Publishing builds storefronts with the
//! generator, which reads the platform's catalogue, plans and themes from
//! a folder: the last `storefront deploy` keeps them as the `@platform`
//! revision, laid out here in the function's temporary folder and laid out
//! again whenever a deploy changes them. Built storefronts are uploaded to
//! the storefronts bucket (only files whose bytes changed).

use crate::Settings;
use anyhow::Context;
use axum::Router;
use axum::response::IntoResponse;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use storefront_backoffice::own_domain::OwnDomainCheck;
use storefront_backoffice::{BackOffice, Upload};
use storefront_functions::app::Services;
use storefront_generator::Paths;
use storefront_publish::{Notices, Site};
use storefront_revisions::{PLATFORM, Revisions};
use tokio::sync::Mutex;

/// The platform's content as a folder, kept at the published revision.
struct PlatformFolder {
    revisions: Revisions,
    project: PathBuf,
    laid_out: Mutex<Option<String>>,
}

impl PlatformFolder {
    /// Lay out the published `@platform` revision if it is not already.
    async fn refresh(&self) -> anyhow::Result<()> {
        let mut laid_out = self.laid_out.lock().await;
        let published =
            self.revisions.published(PLATFORM).await?.context(
                "the platform's content is not in the table: run `storefront deploy` first",
            )?;
        if laid_out.as_deref() == Some(published.revision.as_str()) {
            return Ok(());
        }
        let files = self.revisions.files(PLATFORM, &published.revision).await?;
        for sub in ["content/platform", "themes"] {
            let dir = self.project.join(sub);
            if dir.exists() {
                std::fs::remove_dir_all(&dir)
                    .with_context(|| format!("clearing {}", dir.display()))?;
            }
        }
        storefront_revisions::write_project(&self.project, &files)?;
        *laid_out = Some(published.revision);
        Ok(())
    }
}

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

/// The back office's routes for these services, after laying out the
/// platform's content under `work` (the temporary folder on Lambda).
pub async fn router(
    services: &Services,
    settings: &Settings,
    work: &Path,
) -> anyhow::Result<Router> {
    let bucket = settings
        .storefronts_bucket
        .clone()
        .context("STOREFRONTS_BUCKET is not set")?;
    let revisions = Revisions::new(services.store.clone(), services.blobs.clone());
    let platform = Arc::new(PlatformFolder {
        revisions: revisions.clone(),
        project: work.to_path_buf(),
        laid_out: Mutex::new(None),
    });
    platform.refresh().await?;
    let site = Arc::new(Site::new(
        Paths::under(work),
        work.join("public"),
        revisions,
        services.store.clone(),
        services.catalogs.clone(),
        |_| vec![],
    ));
    site.notify_with(Notices {
        mailer: services.mailer.clone(),
        from: services.accounts.mail_from.clone(),
    });
    let target =
        storefront_aws::deploy::Target::new(storefront_aws::s3_client(&settings.aws), bucket);
    // Without the platform's domain there is no address to give a new
    // sub-reseller: its form says so.
    let bo = BackOffice::new(services.shop_state(), site, services.clock.clone())
        .with_upload(Arc::new(Bucket(target)))
        .with_platform_domain(settings.platform_domain.as_deref().unwrap_or_default())
        .with_own_domain(own_domain_check()?);
    // Before a change is checked and built, the platform's content is
    // brought up to what the last deploy published (a plan's new price is
    // a cost the check must see).
    let routes = storefront_backoffice::router(bo).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let platform = platform.clone();
            async move {
                if !req.method().is_safe()
                    && let Err(e) = platform.refresh().await
                {
                    tracing::error!("laying out the platform's content: {e:#}");
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
                next.run(req).await
            }
        },
    ));
    Ok(crate::layered(routes, services))
}
