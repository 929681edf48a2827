//! `storefront deploy`: bring the content repository into the deployed
//! store, build, then publish to AWS. Each reseller folder is imported as a
//! revision (never over edits published from the back office: such a
//! folder is reported and left out), the platform's content and the themes
//! as the `@platform` revision the back office builds with; then every
//! storefront is built from its published revision, its priced catalogue
//! goes to the table the API prices from, and its changed files to the
//! storefronts bucket (compared by content hash with what was uploaded
//! last).

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use storefront_generator::Paths;

// Without the `aws` feature the options are still parsed, so `deploy
// --help` shows them, but nothing reads them, and the target is not
// required: a bare `storefront deploy` gets the error that says how to get
// the feature rather than one about a missing --table.
#[derive(clap::Args)]
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub struct DeployArgs {
    /// The DynamoDB table the API reads (the stack's TableName output).
    #[arg(long, env = "STOREFRONT_TABLE")]
    #[cfg_attr(
        not(feature = "aws"),
        arg(default_value = "", hide_default_value = true)
    )]
    table: String,
    /// The storefronts bucket the edge serves from (the stack's
    /// StorefrontsBucketName output).
    #[arg(long, env = "STOREFRONT_BUCKET")]
    #[cfg_attr(
        not(feature = "aws"),
        arg(default_value = "", hide_default_value = true)
    )]
    bucket: String,
    /// The private bucket content revisions keep their files in (the
    /// stack's DocumentsBucketName output).
    #[arg(long, env = "STOREFRONT_FILES_BUCKET")]
    #[cfg_attr(
        not(feature = "aws"),
        arg(default_value = "", hide_default_value = true)
    )]
    files_bucket: String,
    /// Upload only this reseller's files.
    #[arg(long)]
    only: Option<String>,
    /// Output folder of the build.
    #[arg(long, short, default_value = "public")]
    out: PathBuf,
    /// Upload every file, whatever the bucket's manifest says.
    #[arg(long)]
    full: bool,
}

#[cfg(not(feature = "aws"))]
pub fn run(
    _: Paths,
    _: &Path,
    _: chrono::DateTime<chrono::Utc>,
    _: DeployArgs,
) -> Result<ExitCode> {
    Err(crate::without_aws(
        "`storefront deploy`",
        "deploy --table T --bucket B",
    ))
}

#[cfg(feature = "aws")]
pub fn run(
    paths: Paths,
    dir: &Path,
    now: chrono::DateTime<chrono::Utc>,
    args: DeployArgs,
) -> Result<ExitCode> {
    use anyhow::Context;
    use std::sync::Arc;
    use storefront_aws::deploy::Target;
    use storefront_functions::store::Store;
    use storefront_revisions::{PLATFORM, Revisions};

    let out = dir.join(&args.out);
    let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
    rt.block_on(async {
        let config = storefront_aws::sdk_config().await;
        let s3 = storefront_aws::s3_client(&config);
        let store: Arc<dyn Store> = Arc::new(storefront_aws::DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&config),
            &args.table,
        ));
        let blobs = Arc::new(storefront_aws::S3Blobs::new(s3.clone(), &args.files_bucket));
        let revisions = Revisions::new(store.clone(), blobs);
        let by = "storefront deploy";
        let catalogs = Arc::new(storefront_functions::catalog::Catalogs::new(store.clone()));
        let site = storefront_publish::Site::new(
            paths,
            out.clone(),
            revisions,
            store.clone(),
            catalogs,
            |_| vec![],
        );
        // The platform's folder too, as `@platform`: refused (and the
        // store's revision built) once the console has published over it.
        for (id, why) in site.import_folders(by, now).await {
            if id == PLATFORM {
                eprintln!("content/platform and themes/ are not deployed: {why}");
            } else {
                eprintln!("content/resellers/{id} is not deployed: {why}");
            }
        }
        // Built from what is published: a reseller's own edits in the back
        // office are part of it. Catalogues are published by the build;
        // a checkout that quotes the new catalogue before its page is
        // uploaded is fine (the API re-quotes, 409 price_changed).
        let built = match site.build(now).await {
            Ok(b) => b,
            Err(storefront_publish::PublishError::Content(d)) => {
                eprintln!("{d}");
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        };
        println!(
            "built {} storefront(s) ({} pages, {} files written, {} removed), {} unchanged",
            built.report.rendered.len(),
            built.report.pages,
            built.report.files_written,
            built.report.files_deleted,
            built.report.unchanged.len()
        );
        let target = Target::new(s3.clone(), &args.bucket);
        let (mut uploaded, mut bytes, mut deleted, mut unchanged) = (0, 0, 0, 0);
        let ids: Vec<&String> = built
            .checkout
            .checked
            .keys()
            .filter(|id| args.only.as_ref().is_none_or(|o| o == *id))
            .collect();
        for id in &ids {
            let r = target
                .sync_site(id, &out.join(id), args.full)
                .await
                .with_context(|| format!("deploying {id}"))?;
            if r.uploaded + r.deleted > 0 {
                println!(
                    "  {id}: {} file(s) uploaded ({} bytes), {} deleted, {} unchanged",
                    r.uploaded, r.uploaded_bytes, r.deleted, r.unchanged
                );
            }
            uploaded += r.uploaded;
            bytes += r.uploaded_bytes;
            deleted += r.deleted;
            unchanged += r.unchanged;
        }
        println!(
            "uploaded {uploaded} file(s) ({bytes} bytes), deleted {deleted}, {unchanged} unchanged, to s3://{}/sites/",
            args.bucket
        );
        // Customers upload documents from their storefront's own domains
        // straight to the documents bucket.
        let origins: Vec<String> = built
            .checkout
            .content
            .resellers
            .values()
            .flat_map(|r| r.site.domains.iter().map(|d| format!("https://{d}")))
            .collect();
        let allowed = storefront_aws::deploy::allow_uploads_from(&s3, &args.files_bucket, &origins)
            .await
            .context("letting the storefronts upload documents")?;
        println!(
            "documents may be uploaded to s3://{} from {allowed} storefront domain(s)",
            args.files_bucket
        );
        println!(
            "published {} catalogue(s) to {} ({} changed)",
            built.checkout.checked.len(),
            args.table,
            built.moved
        );
        Ok(ExitCode::SUCCESS)
    })
}
