//! Storefronts built from the store: each reseller's published revision is
//! its content, the platform's catalogue, plans and the themes come from
//! their folders. One `Site` per process builds one thing at a time, so a
//! publish from the panel, an edit of `content/` and the new day's rebuild
//! never write the same files at once.
//!
//! Folders come in through `import_folders` (the rules of
//! `Revisions::import`: a folder never overwrites panel edits); every build
//! then checks all storefronts together (a parent's prices are its
//! children's costs), renders only those whose inputs changed, publishes
//! the priced catalogues (only changed ones are written) and forgets this
//! process's cached pointers, so search and checkout price from the new
//! catalogue at once.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use storefront_functions::catalog::{self, Catalogs};
use storefront_generator::pipeline::build_checked;
use storefront_generator::{BuildError, BuildOptions, BuildReport, Checkout, Diagnostics, Paths};
use storefront_revisions::{Files, Imported, RevisionError, Revisions};
use storefront_store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The content does not pass `storefront check`.
    #[error("{0}")]
    Content(Diagnostics),
    #[error(transparent)]
    Revision(#[from] RevisionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0:#}")]
    Io(anyhow::Error),
}

/// What one build did.
#[derive(Debug)]
pub struct Built {
    pub checkout: Arc<Checkout>,
    pub report: BuildReport,
    /// Catalogues whose pointer moved.
    pub moved: usize,
}

type OnBuilt = Box<dyn Fn(&Checkout) + Send + Sync>;

/// Where a reseller hears that lines stopped selling: its seller address.
#[derive(Clone)]
pub struct Notices {
    pub mailer: Arc<dyn storefront_functions::accounts::Mailer>,
    /// The platform's sender address.
    pub from: String,
}

pub struct Site {
    paths: Paths,
    out: PathBuf,
    revisions: Revisions,
    store: Arc<dyn Store>,
    catalogs: Arc<Catalogs>,
    /// Hosts each storefront answers on besides its own domains (the local
    /// server's `<id>.localhost`).
    extra_hosts: fn(&str) -> Vec<String>,
    /// Revisions read before, by (reseller, revision): immutable, so never
    /// stale.
    files: Mutex<HashMap<(String, String), Files>>,
    one_at_a_time: tokio::sync::Mutex<()>,
    on_built: Mutex<Vec<OnBuilt>>,
    /// The revision each storefront was last built from.
    built_from: Mutex<BTreeMap<String, String>>,
    notices: Mutex<Option<Notices>>,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("paths", &self.paths)
            .field("out", &self.out)
            .finish_non_exhaustive()
    }
}

/// The `currency` a reseller's `site.toml` names, if it can be read.
fn currency_of(files: &Files) -> Option<String> {
    let src = std::str::from_utf8(files.get("site.toml")?).ok()?;
    let doc: toml::Table = toml::from_str(src).ok()?;
    doc.get("currency")?.as_str().map(str::to_string)
}

impl Site {
    /// Why `files` may not be published for `id`: a storefront that has
    /// orders keeps its currency (its wallets, orders and invoices are in
    /// it).
    pub async fn currency_locked(
        &self,
        id: &str,
        files: &Files,
    ) -> Result<Option<String>, PublishError> {
        let Some(p) = self.revisions.published(id).await? else {
            return Ok(None);
        };
        let before = currency_of(&self.files_of(id, &p.revision).await?);
        let after = currency_of(files);
        if before == after || before.is_none() || after.is_none() {
            return Ok(None);
        }
        if !storefront_functions::orders::has_orders(self.store.as_ref(), id).await? {
            return Ok(None);
        }
        Ok(Some(format!(
            "currency = \"{}\": the storefront has orders in {}, so its currency cannot change (its wallets, orders and invoices are in it)",
            after.unwrap_or_default(),
            before.unwrap_or_default()
        )))
    }

    pub fn new(
        paths: Paths,
        out: PathBuf,
        revisions: Revisions,
        store: Arc<dyn Store>,
        catalogs: Arc<Catalogs>,
        extra_hosts: fn(&str) -> Vec<String>,
    ) -> Site {
        Site {
            paths,
            out,
            revisions,
            store,
            catalogs,
            extra_hosts,
            files: Mutex::default(),
            one_at_a_time: tokio::sync::Mutex::new(()),
            on_built: Mutex::default(),
            built_from: Mutex::default(),
            notices: Mutex::default(),
        }
    }

    /// Mail each reseller whose lines a build suspends (see `build`).
    pub fn notify_with(&self, notices: Notices) {
        if let Ok(mut n) = self.notices.lock() {
            *n = Some(notices);
        }
    }

    pub fn revisions(&self) -> &Revisions {
        &self.revisions
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Called with every successful build's checkout (the local server
    /// learns its hosts from it).
    pub fn on_built(&self, f: impl Fn(&Checkout) + Send + Sync + 'static) {
        if let Ok(mut v) = self.on_built.lock() {
            v.push(Box::new(f));
        }
    }

    /// Import every folder under `content/resellers/`. A folder refused
    /// (it would overwrite what the panel published) is reported and left
    /// out; the published revision stays.
    pub async fn import_folders(&self, by: &str, at: DateTime<Utc>) -> Vec<(String, String)> {
        let dir = self.paths.content.join("resellers");
        let mut refused = Vec::new();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return refused;
        };
        let mut ids: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .filter(|(id, _)| storefront_generator::content::valid_id(id))
            .collect();
        ids.sort();
        for (id, path) in ids {
            let folder = storefront_revisions::read_folder(&path);
            if !folder.problems.is_empty() {
                // The build reads the folder's problems out itself; an
                // unreadable folder is not imported half.
                let (p, m) = &folder.problems[0];
                refused.push((id, format!("{}: {m}", p.display())));
                continue;
            }
            match self.currency_locked(&id, &folder.files).await {
                Ok(None) => {}
                Ok(Some(why)) => {
                    refused.push((id, why));
                    continue;
                }
                Err(e) => {
                    refused.push((id, e.to_string()));
                    continue;
                }
            }
            match self
                .revisions
                .import(&id, &folder.files, folder.base.as_deref(), by, at)
                .await
            {
                Ok(Imported::Unchanged(_) | Imported::Published { .. }) => {}
                Err(e) => refused.push((id, e.to_string())),
            }
        }
        refused
    }

    /// The revision each reseller has published.
    pub async fn published_revisions(&self) -> Result<BTreeMap<String, String>, PublishError> {
        let mut all = BTreeMap::new();
        for id in self.revisions.resellers().await? {
            if let Some(p) = self.revisions.published(&id).await? {
                all.insert(id, p.revision);
            }
        }
        Ok(all)
    }

    /// Whether something was published (by another process: `storefront
    /// content import`) since the last build.
    pub async fn behind(&self) -> Result<bool, PublishError> {
        let now = self.published_revisions().await?;
        Ok(self.built_from.lock().map_or(true, |b| *b != now))
    }

    /// Every reseller's published files.
    pub async fn published(&self) -> Result<BTreeMap<String, Files>, PublishError> {
        let mut all = BTreeMap::new();
        for (id, revision) in self.published_revisions().await? {
            let files = self.files_of(&id, &revision).await?;
            all.insert(id, files);
        }
        Ok(all)
    }

    /// A revision's files, read once per process.
    pub async fn files_of(&self, id: &str, revision: &str) -> Result<Files, PublishError> {
        let key = (id.to_string(), revision.to_string());
        if let Some(f) = self.files.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(f);
        }
        let f = self.revisions.files(id, revision).await?;
        if let Ok(mut c) = self.files.lock() {
            c.insert(key, f.clone());
        }
        Ok(f)
    }

    /// Check every storefront as published, with `id`'s content replaced
    /// by `files` (a draft): the errors `storefront check` would give.
    pub async fn check_draft(
        &self,
        id: &str,
        files: Files,
        now: DateTime<Utc>,
    ) -> Result<Checkout, PublishError> {
        if let Some(why) = self.currency_locked(id, &files).await? {
            let mut d = Diagnostics::default();
            let file = self
                .paths
                .content
                .join("resellers")
                .join(id)
                .join("site.toml");
            d.push(&file, None, why);
            return Err(PublishError::Content(d));
        }
        let mut all = self.published().await?;
        all.insert(id.to_string(), files);
        let paths = self.paths.clone();
        // The draft's own prices must cover its costs; anyone else's loss
        // comes from a price above them and suspends the line.
        let strict = storefront_generator::Strict::Only(id.to_string());
        tokio::task::spawn_blocking(move || {
            storefront_generator::check_strict(&paths, now, Some(all), &strict)
        })
        .await
        .map_err(|e| PublishError::Io(e.into()))?
        .map_err(PublishError::Content)
    }

    /// Check and build every storefront from its published revision as of
    /// `now`, then publish the priced catalogues.
    pub async fn build(&self, now: DateTime<Utc>) -> Result<Built, PublishError> {
        let _one = self.one_at_a_time.lock().await;
        let revisions = self.published_revisions().await?;
        let mut all = BTreeMap::new();
        for (id, revision) in &revisions {
            all.insert(id.clone(), self.files_of(id, revision).await?);
        }
        let opts = BuildOptions {
            paths: self.paths.clone(),
            out: self.out.clone(),
            only: None,
            now,
            progress: false,
        };
        let (checkout, report) = tokio::task::spawn_blocking(move || {
            // What is published passed when it was: a loss now comes from a
            // price above that rose, and suspends the line (see Strict).
            let checkout = storefront_generator::check_strict(
                &opts.paths,
                opts.now,
                Some(all),
                &storefront_generator::Strict::Nobody,
            )
            .map_err(PublishError::Content)?;
            let report = build_checked(&checkout, &opts).map_err(|e| match e {
                BuildError::Content(d) => PublishError::Content(d),
                BuildError::Io(e) => PublishError::Io(e),
            })?;
            Ok::<_, PublishError>((checkout, report))
        })
        .await
        .map_err(|e| PublishError::Io(e.into()))??;
        let snapshots = storefront_generator::snapshot::all(&checkout);
        // Lines that stop selling in this build, per reseller, to tell them.
        let mut newly_suspended = Vec::new();
        for s in snapshots.iter().filter(|s| !s.prices.suspended.is_empty()) {
            let before = catalog::current(self.store.as_ref(), &s.reseller).await?;
            let new: Vec<_> = s
                .prices
                .suspended
                .iter()
                .filter(|x| {
                    before
                        .as_ref()
                        .is_none_or(|b| !b.prices.suspended.contains(x))
                })
                .cloned()
                .collect();
            if !new.is_empty() {
                newly_suspended.push((
                    s.seller.email.clone(),
                    s.name.clone(),
                    s.reseller.clone(),
                    new,
                ));
            }
        }
        let moved = catalog::publish(self.store.as_ref(), &snapshots, self.extra_hosts).await?;
        let notices = self.notices.lock().ok().and_then(|n| n.clone());
        if let Some(n) = notices {
            for (to, name, id, lines) in newly_suspended {
                let list: Vec<String> = lines
                    .iter()
                    .map(|l| {
                        format!(
                            "- .{} {} (price group {})",
                            l.ext,
                            l.action.as_str(),
                            l.group
                        )
                    })
                    .collect();
                let mail = storefront_functions::accounts::Mail {
                    from_name: "Storefront".into(),
                    from: n.from.clone(),
                    to,
                    subject: format!(
                        "{name}: {} price(s) below your new cost are not on sale",
                        lines.len()
                    ),
                    text: format!(
                        "What you pay for these has gone up, and the price your storefront '{id}' charges is now below it. \
                         So that no sale loses you money, they are not on sale until you change their price:\n\n{}\n\n\
                         Open your back office, Prices, raise them, and publish: they sell again at once.\n",
                        list.join("\n")
                    ),
                };
                if let Err(e) = n.mailer.send(mail).await {
                    eprintln!("telling {id} about suspended prices: {e}");
                }
            }
        }
        for s in &snapshots {
            self.catalogs.forget(&s.reseller);
        }
        if let Ok(mut b) = self.built_from.lock() {
            *b = revisions;
        }
        if let Ok(listeners) = self.on_built.lock() {
            for f in listeners.iter() {
                f(&checkout);
            }
        }
        Ok(Built {
            checkout: Arc::new(checkout),
            report,
            moved,
        })
    }
}
