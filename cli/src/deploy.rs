//! `storefront deploy`: build, then publish to AWS. Each storefront's
//! changed files go to the storefronts bucket (compared by content hash
//! with what the last deploy uploaded), and each reseller's priced
//! catalogue to the table the API prices from.

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
    /// Build and deploy only this reseller.
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
    use storefront_aws::deploy::Target;
    use storefront_generator::BuildOptions;

    let opts = BuildOptions {
        paths,
        out: dir.join(&args.out),
        only: args.only.clone(),
        now,
        progress: crate::show_progress(),
    };
    let Some(checkout) = crate::check_and_build(&opts)? else {
        return Ok(ExitCode::FAILURE);
    };
    let snapshots: Vec<_> = storefront_generator::snapshot::all(&checkout)
        .into_iter()
        .filter(|s| args.only.as_ref().is_none_or(|o| *o == s.reseller))
        .collect();
    let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
    rt.block_on(async {
        let config = storefront_aws::sdk_config().await;
        let target = Target::new(storefront_aws::s3_client(&config), &args.bucket);
        let (mut uploaded, mut bytes, mut deleted, mut unchanged) = (0, 0, 0, 0);
        // Files first, then the catalogue: a page never links to a file
        // that is not there, and a checkout that quotes from the old
        // catalogue in between is re-quoted by the API (409 price_changed).
        for s in &snapshots {
            let site = opts.out.join(&s.reseller);
            let r = target
                .sync_site(&s.reseller, &site, args.full)
                .await
                .with_context(|| format!("deploying {}", s.reseller))?;
            if r.uploaded + r.deleted > 0 {
                println!(
                    "  {}: {} file(s) uploaded ({} bytes), {} deleted, {} unchanged",
                    s.reseller, r.uploaded, r.uploaded_bytes, r.deleted, r.unchanged
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
        let store = storefront_aws::DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&config),
            &args.table,
        );
        let moved = storefront_functions::catalog::publish(&store, &snapshots, |_| vec![])
            .await
            .with_context(|| format!("publishing catalogues to the table {}", args.table))?;
        println!(
            "published {} catalogue(s) to {} ({moved} changed)",
            snapshots.len(),
            args.table
        );
        Ok(ExitCode::SUCCESS)
    })
}
