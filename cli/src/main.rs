//! `storefront`: check, build and preview resellers' storefronts.

mod deploy;
mod documents;
mod edge;
mod money;
mod platform;
mod serve;

use anyhow::{Context, Result};
use chrono_today::now;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use storefront_core::Locale;
use storefront_functions::app::RegistrarChoice;
use storefront_generator::scaffold::{NewReseller, new_reseller};
use storefront_generator::{BuildError, BuildOptions, Paths};

#[derive(Parser)]
#[command(
    name = "storefront",
    version,
    about = "Build and preview white-label domain storefronts.",
    long_about = "Build and preview white-label domain storefronts.\n\nContent lives in content/ (the platform's catalogue and plans, and one folder per reseller); themes in themes/. `check` validates everything, `build` writes static storefronts to public/<reseller>/, `serve` previews them locally."
)]
struct Cli {
    /// Project folder holding content/ and themes/.
    #[arg(long, short = 'C', global = true, default_value = ".")]
    dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a reseller folder that passes `check`, ready to edit.
    New {
        /// Reseller id: lowercase letters, digits and hyphens (it becomes a URL).
        name: String,
        /// Platform plan to buy at (default: the first plan).
        #[arg(long)]
        plan: Option<String>,
        /// Storefront language: en, id or pl.
        #[arg(long, default_value = "en")]
        language: Locale,
        /// Host name the storefront is served on (default: <name>.localhost).
        #[arg(long)]
        domain: Option<String>,
    },
    /// Validate all content; report every problem with its file and line.
    Check,
    /// Build storefronts into <out>/<reseller>/, re-rendering only what changed.
    Build {
        /// Build one reseller only.
        #[arg(long)]
        only: Option<String>,
        /// Output folder.
        #[arg(long, short, default_value = "public")]
        out: PathBuf,
        /// The embedded store the priced catalogues are published to, so the
        /// API prices from exactly what the pages show.
        #[arg(long, default_value = ".storefront/store.db")]
        store: PathBuf,
        /// Write the files only; publish no catalogues.
        #[arg(long)]
        no_publish: bool,
        /// Build every storefront from its published revision in the store
        /// instead of from content/resellers/ (and publish its catalogue).
        #[arg(long, conflicts_with_all = ["no_publish", "only"])]
        from_store: bool,
    },
    /// A reseller's content in the store: export it to a folder to edit
    /// or keep in git, import the folder back.
    Content {
        /// The embedded store's file.
        #[arg(long, default_value = ".storefront/store.db", global = true)]
        store: PathBuf,
        #[command(subcommand)]
        action: ContentAction,
    },
    /// Build, then serve every storefront locally and rebuild on change.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Output folder.
        #[arg(long, short, default_value = "public")]
        out: PathBuf,
        /// Don't watch content/ and themes/ for changes.
        #[arg(long)]
        no_watch: bool,
        /// The embedded store's file (accounts, orders, published catalogues).
        #[arg(long, default_value = ".storefront/store.db")]
        store: PathBuf,
        /// Where availability comes from: the simulated `sandbox` registry, or
        /// real registries over `rdap` (needs --rdap-bootstrap).
        #[arg(long, default_value = "sandbox", value_parser = ["sandbox", "rdap"])]
        registrar: String,
        /// RFC 9224 bootstrap file (IANA's dns.json) for --registrar rdap.
        #[arg(long, required_if_eq("registrar", "rdap"))]
        rdap_bootstrap: Option<PathBuf>,
        #[command(flatten)]
        own_domain: serve::OwnDomainArgs,
    },
    /// Run the scheduled work once: settle orders waiting on the registry,
    /// create renewal orders, mark expired domains, issue monthly invoices.
    /// `serve` runs it every minute by itself.
    Tick {
        /// Run as of this moment (YYYY-MM-DD or RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
        /// The embedded store's file.
        #[arg(long, default_value = ".storefront/store.db")]
        store: PathBuf,
        /// The deployed DynamoDB table instead (the stack's TableName
        /// output), with the AWS environment, as `deploy` uses it.
        #[arg(long, env = "STOREFRONT_TABLE", conflicts_with = "store")]
        table: Option<String>,
    },
    /// The platform's side of top-ups: resellers' top-up requests to list,
    /// approve or reject.
    Topups {
        /// The embedded store's file.
        #[arg(long, default_value = ".storefront/store.db")]
        store: PathBuf,
        /// The deployed DynamoDB table instead (the stack's TableName
        /// output), with the AWS environment, as `deploy` uses it. Mail to
        /// the reseller goes over SMTP_URL from MAIL_FROM when they are set.
        #[arg(long, env = "STOREFRONT_TABLE", conflicts_with = "store")]
        table: Option<String>,
        #[command(subcommand)]
        action: TopupAction,
    },
    /// The platform's review of registrants' documents, for the extensions
    /// the platform reviews (`review = "platform"` or `"both"` in the
    /// catalogue): list what waits, show a set (and save its files), approve
    /// or reject an item's version.
    Documents {
        /// The embedded store's file.
        #[arg(long, default_value = ".storefront/store.db")]
        store: PathBuf,
        /// The deployed DynamoDB table instead, with the AWS environment.
        #[arg(long, env = "STOREFRONT_TABLE", conflicts_with = "store")]
        table: Option<String>,
        #[command(subcommand)]
        action: DocumentAction,
    },
    /// Write the Caddyfile of the edge that serves resellers' own domains:
    /// on-demand TLS for hosts the API knows, each storefront's files by
    /// Host, /api/* to the API.
    Edge(edge::EdgeArgs),
    /// The platform itself: `init` makes a deployed platform's first
    /// operator (an owner of the platform's own storefront) and prints the
    /// one-time link that sets its password.
    Platform {
        /// The embedded store's file.
        #[arg(long, default_value = ".storefront/store.db", global = true)]
        store: PathBuf,
        /// The deployed DynamoDB table instead, with the AWS environment,
        /// as `deploy` uses it.
        #[arg(
            long,
            env = "STOREFRONT_TABLE",
            global = true,
            conflicts_with = "store"
        )]
        table: Option<String>,
        #[command(subcommand)]
        action: PlatformAction,
    },
    /// Build, then publish to AWS: each storefront's changed files to the
    /// storefronts bucket (by content hash) and its priced catalogue to the
    /// table. The target comes from flags or STOREFRONT_TABLE and
    /// STOREFRONT_BUCKET; credentials and region from the AWS environment.
    #[cfg_attr(not(feature = "aws"), command(after_help = WITHOUT_AWS_HELP))]
    Deploy(deploy::DeployArgs),
}

#[derive(Subcommand)]
enum ContentAction {
    /// Write the published revision (or --revision) of a reseller's
    /// content into DIR (relative to -C), with the revision it is in DIR/.storefront-revision.
    Export {
        reseller: String,
        #[arg(value_name = "DIR")]
        folder: PathBuf,
        #[arg(long)]
        revision: Option<String>,
    },
    /// Publish DIR as the reseller's content. Refused when the published
    /// content is no longer the revision DIR was exported from, so edits
    /// made in the panel meanwhile are never overwritten.
    Import {
        reseller: String,
        #[arg(value_name = "DIR")]
        folder: PathBuf,
    },
}

#[derive(Subcommand)]
enum DocumentAction {
    /// Sets waiting for the platform's review.
    List,
    /// One line's documents, every version and its review; --save DIR
    /// writes the files there (relative to -C).
    Show {
        order: String,
        line: String,
        #[arg(long)]
        save: Option<PathBuf>,
    },
    /// Approve a version of an item (the latest, waiting for the platform).
    Approve {
        order: String,
        line: String,
        item: String,
        version: u32,
    },
    /// Reject it, with the reason the customer reads.
    Reject {
        order: String,
        line: String,
        item: String,
        version: u32,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum PlatformAction {
    /// Make the first operator; refused once the platform has one.
    Init {
        /// The operator's email address (its sign-in).
        #[arg(long)]
        email: String,
        /// Its name (default: the address).
        #[arg(long)]
        name: Option<String>,
        /// The host the printed link names (default: the platform
        /// storefront's first domain; locally <id>.localhost:8080).
        #[arg(long)]
        host: Option<String>,
    },
}

#[derive(Subcommand)]
enum TopupAction {
    /// Pending top-ups from resellers (add --all for every one).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Credit the reseller's wallet (once, however often it is run).
    Approve { id: String },
    /// Refuse, with the reason the reseller will read.
    Reject {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

/// Said under `deploy --help` by a build without the `aws` feature.
#[cfg(not(feature = "aws"))]
const WITHOUT_AWS_HELP: &str = "This build has no AWS support (the `aws` feature is off): \
     `deploy` only says how to get it. Build with it: \
     cargo run --release --features aws --bin storefront -- deploy ...";

/// The error of a build without the `aws` feature when asked for AWS. The
/// SDK is left out of the default build because `serve` never calls it and
/// it is among the largest parts of a first build. `what` is what was
/// asked, `example` the arguments to run it with once built with the feature.
#[cfg(not(feature = "aws"))]
fn without_aws(what: &str, example: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{what} needs AWS support, which this build of storefront leaves out \
         (the `aws` feature, off by default); build with it:\n  \
         cargo run --release --features aws --bin storefront -- {example}"
    )
}

pub(crate) mod chrono_today {
    /// The instant a build is for: each storefront's day is this instant
    /// in its own time zone, as the API's clock gives it, so a page never
    /// shows a promotion the checkout does not give. STOREFRONT_TODAY=
    /// YYYY-MM-DD builds as of noon UTC that day instead (the same day in
    /// every zone a storefront may keep).
    pub fn now() -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
        match std::env::var("STOREFRONT_TODAY") {
            Ok(s) => s
                .parse::<chrono::NaiveDate>()
                .map(|d| d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc())
                .map_err(|e| {
                    anyhow::anyhow!("STOREFRONT_TODAY={s:?} is not a date like 2026-11-22: {e}")
                }),
            Err(_) => Ok(chrono::Utc::now()),
        }
    }

    /// The day in every time zone a storefront may keep: when one of them
    /// turns, some storefront's promotions may have started or ended.
    pub fn days(at: chrono::DateTime<chrono::Utc>) -> Vec<chrono::NaiveDate> {
        storefront_core::dates::Zone::all()
            .map(|z| z.date_at(at))
            .collect()
    }
}

fn show_progress() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// Check the content, then build it; content errors are printed (file and
/// line) and give None.
fn check_and_build(opts: &BuildOptions) -> Result<Option<storefront_generator::Checkout>> {
    let started = std::time::Instant::now();
    let checkout = match storefront_generator::check(&opts.paths, opts.now) {
        Ok(c) => c,
        Err(diags) => {
            eprintln!("{diags}");
            return Ok(None);
        }
    };
    let r = match storefront_generator::pipeline::build_checked(&checkout, opts) {
        Ok(r) => r,
        Err(BuildError::Content(diags)) => {
            eprintln!("{diags}");
            return Ok(None);
        }
        Err(BuildError::Io(e)) => return Err(e),
    };
    println!(
        "built {} storefront(s) ({} pages, {} files written, {} removed), {} unchanged, in {:.2?}",
        r.rendered.len(),
        r.pages,
        r.files_written,
        r.files_deleted,
        r.unchanged.len(),
        started.elapsed()
    );
    Ok(Some(checkout))
}

/// `storefront build --from-store`: every storefront from its published
/// revision.
async fn build_from_store(store: &std::path::Path, opts: BuildOptions) -> Result<ExitCode> {
    let services = storefront_functions::app::Services::local(store, &RegistrarChoice::Sandbox)
        .with_context(|| format!("opening the store at {}", store.display()))?;
    let site = storefront_publish::Site::new(
        opts.paths.clone(),
        opts.out.clone(),
        storefront_revisions::Revisions::new(services.store.clone(), services.blobs.clone()),
        services.store.clone(),
        services.catalogs.clone(),
        |id| vec![format!("{id}.localhost")],
    );
    match site.build(opts.now).await {
        Ok(b) => {
            println!(
                "built {} storefront(s) ({} pages, {} files written, {} removed), {} unchanged, from {}; {} catalogue(s) changed",
                b.report.rendered.len(),
                b.report.pages,
                b.report.files_written,
                b.report.files_deleted,
                b.report.unchanged.len(),
                store.display(),
                b.moved
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(storefront_publish::PublishError::Content(d)) => {
            eprintln!("{d}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

/// `storefront content`: revisions out to a folder and back.
async fn content(
    project: &std::path::Path,
    store: &std::path::Path,
    action: ContentAction,
) -> Result<ExitCode> {
    use storefront_revisions::{Imported, Revisions};
    let services = storefront_functions::app::Services::local(store, &RegistrarChoice::Sandbox)
        .with_context(|| format!("opening the store at {}", store.display()))?;
    let revisions = Revisions::new(services.store.clone(), services.blobs.clone());
    match action {
        ContentAction::Export {
            reseller,
            folder,
            revision,
        } => {
            let dir = project.join(folder);
            let revision = match revision {
                Some(r) => r,
                None => match revisions.published(&reseller).await? {
                    Some(p) => p.revision,
                    None => anyhow::bail!(
                        "storefront '{reseller}' has no published content in {}",
                        store.display()
                    ),
                },
            };
            let files = revisions.files(&reseller, &revision).await?;
            storefront_revisions::write_folder(&dir, &files, &revision)?;
            println!(
                "exported {reseller} revision {revision} ({} files) to {}",
                files.len(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        ContentAction::Import { reseller, folder } => {
            let dir = project.join(folder);
            if !storefront_generator::content::valid_id(&reseller) {
                anyhow::bail!(
                    "reseller id '{reseller}' must be lowercase letters, digits and hyphens"
                );
            }
            let folder = storefront_revisions::read_folder(&dir);
            if let Some((path, why)) = folder.problems.first() {
                anyhow::bail!("{}: {why}", path.display());
            }
            // A storefront with orders keeps its currency, whichever way
            // its content comes in.
            let site = storefront_publish::Site::new(
                Paths::under(project),
                project.join("public"),
                revisions.clone(),
                services.store.clone(),
                services.catalogs.clone(),
                |_| vec![],
            );
            if let Some(why) = site.currency_locked(&reseller, &folder.files).await? {
                eprintln!("{reseller}: {why}");
                return Ok(ExitCode::FAILURE);
            }
            let by = std::env::var("USER").map_or_else(
                |_| "storefront content import".into(),
                |u| format!("{u} (content import)"),
            );
            match revisions
                .import(
                    &reseller,
                    &folder.files,
                    folder.base.as_deref(),
                    &by,
                    chrono::Utc::now(),
                )
                .await
            {
                Ok(Imported::Unchanged(r)) => println!(
                    "{reseller}: {} is revision {r}, already published",
                    dir.display()
                ),
                Ok(Imported::Published { revision, previous }) => {
                    println!(
                        "{reseller}: published revision {revision} (was {}); a running serve builds it within a minute",
                        previous.as_deref().unwrap_or("nothing")
                    );
                    // An export's folder now records what it is, so the next
                    // import from it is not taken for a stale one. A folder
                    // kept in git without the file stays without it.
                    if folder.base.is_some() {
                        let marker = dir.join(storefront_revisions::REVISION_FILE);
                        std::fs::write(&marker, format!("{revision}\n"))
                            .with_context(|| format!("writing {}", marker.display()))?;
                    }
                }
                Err(e) => {
                    eprintln!("{reseller}: {e}");
                    return Ok(ExitCode::FAILURE);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let paths = Paths::under(&cli.dir);
    match cli.command {
        Command::New {
            name,
            plan,
            language,
            domain,
        } => {
            let dir = new_reseller(
                &paths.content,
                &NewReseller {
                    id: name.clone(),
                    plan,
                    language,
                    domain,
                },
            )?;
            println!(
                "Created {}.\nEdit {}/site.toml, then run `storefront check` and `storefront serve`.",
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check => match storefront_generator::check(&paths, now()?) {
            Ok(c) => {
                let s = c.summary();
                println!(
                    "ok: {} storefronts, {} extensions, {} pages checked",
                    s.resellers, s.extensions, s.pages
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(diags) => {
                eprintln!("{diags}");
                Ok(ExitCode::FAILURE)
            }
        },
        Command::Build {
            only,
            out,
            store,
            no_publish,
            from_store,
        } => {
            let opts = BuildOptions {
                paths,
                out: cli.dir.join(out),
                only,
                now: now()?,
                progress: show_progress(),
            };
            if from_store {
                let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
                return rt.block_on(build_from_store(&cli.dir.join(store), opts));
            }
            let Some(checkout) = check_and_build(&opts)? else {
                return Ok(ExitCode::FAILURE);
            };
            if !no_publish {
                let path = cli.dir.join(store);
                let snapshots: Vec<_> = storefront_generator::snapshot::all(&checkout)
                    .into_iter()
                    .filter(|s| opts.only.as_ref().is_none_or(|o| *o == s.reseller))
                    .collect();
                let store = storefront_functions::store::embedded::EmbeddedStore::open(&path)
                    .with_context(|| format!("opening the store at {}", path.display()))?;
                let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
                let moved = rt
                    .block_on(storefront_functions::catalog::publish(
                        &store,
                        &snapshots,
                        |id| vec![format!("{id}.localhost")],
                    ))
                    .context("publishing catalogues")?;
                println!(
                    "published {} catalogue(s) to {} ({moved} changed)",
                    snapshots.len(),
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            listen,
            out,
            no_watch,
            store,
            registrar,
            rdap_bootstrap,
            own_domain,
        } => {
            let own_domain = own_domain.check()?;
            let registrar = match (registrar.as_str(), rdap_bootstrap) {
                ("rdap", Some(bootstrap)) => RegistrarChoice::Rdap { bootstrap },
                _ => RegistrarChoice::Sandbox,
            };
            let opts = BuildOptions {
                paths,
                out: cli.dir.join(out),
                only: None,
                now: now()?,
                progress: show_progress(),
            };
            let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
            rt.block_on(serve::run(
                opts,
                listen,
                !no_watch,
                cli.dir.join(store),
                registrar,
                own_domain,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Content { store, action } => {
            let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
            rt.block_on(content(&cli.dir, &cli.dir.join(store), action))
        }
        Command::Tick { at, store, table } => {
            let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
            let target = money::Target::new(&cli.dir, store, table);
            rt.block_on(money::tick(&target, &cli.dir, at.as_deref()))
        }
        Command::Topups {
            store,
            table,
            action,
        } => {
            let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
            let target = money::Target::new(&cli.dir, store, table);
            rt.block_on(money::topups(&target, &cli.dir, action))
        }
        Command::Documents {
            store,
            table,
            action,
        } => {
            let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
            let target = money::Target::new(&cli.dir, store, table);
            rt.block_on(documents::run(&target, &cli.dir, action))
        }
        Command::Platform {
            store,
            table,
            action: PlatformAction::Init { email, name, host },
        } => {
            let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
            let target = money::Target::new(&cli.dir, store, table);
            let init = platform::Init { email, name, host };
            rt.block_on(platform::init(&target, &cli.dir, init))
        }
        Command::Edge(args) => edge::run(&paths, &cli.dir, now()?, args),
        Command::Deploy(args) => deploy::run(paths, &cli.dir, now()?, args),
    }
}
