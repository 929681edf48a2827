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
//!
//! After the first build, a build or a draft's check where only some
//! resellers changed checks again only what the change reaches (see
//! `incremental`), and publishes only their catalogues: the rest are as
//! this process built and published them last.

mod incremental;
mod platform;

use chrono::{DateTime, Utc};
use incremental::Base;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use storefront_core::snapshot::Snapshot;
use storefront_functions::catalog::{self, Catalogs};
use storefront_generator::pipeline::build_checked;
use storefront_generator::{
    BuildError, BuildOptions, BuildReport, Checkout, Diagnostics, Paths, Strict,
};
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
    /// The last build that passed: what the next check starts from.
    base: Mutex<Option<Arc<Base>>>,
    /// Checks that took only what a change reaches from `base`.
    partial_checks: AtomicUsize,
    notices: Mutex<Option<Notices>>,
    /// The published platform revisions laid out (see `platform`).
    laid: platform::Laid,
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
            base: Mutex::default(),
            partial_checks: AtomicUsize::new(0),
            notices: Mutex::default(),
            laid: platform::Laid::new(),
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
        if let Err(why) = self.import_platform(by, at).await {
            refused.push((storefront_revisions::PLATFORM.to_string(), why));
        }
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
        // The draft's own prices must cover its costs; anyone else's loss
        // comes from a price above them and suspends the line.
        let strict = Strict::Only(id.to_string());
        let revisions = self.published_revisions().await?;
        let paths = self.platform_paths().await?;
        if revisions.contains_key(id)
            && let Some(base) = self.base()
        {
            let mut changed = changed_since(&base, &revisions);
            changed.insert(id.to_string());
            let draft = Some((id, &files));
            if let Some(c) = self
                .recheck(&paths, &base, &revisions, &changed, now, draft, &strict)
                .await?
            {
                return Ok(c);
            }
        }
        let mut all = self.files_in(&revisions).await?;
        all.insert(id.to_string(), files);
        let read = paths.clone();
        tokio::task::spawn_blocking(move || {
            storefront_generator::check_strict(&read, now, Some(all), &strict)
        })
        .await
        .map_err(|e| PublishError::Io(e.into()))?
        .map_err(|d| PublishError::Content(self.named_as_project(&paths, d)))
    }

    /// How many checks (builds and drafts) so far checked only what a
    /// change reached; for tests.
    #[doc(hidden)]
    pub fn partial_checks(&self) -> usize {
        self.partial_checks.load(Ordering::Relaxed)
    }

    fn base(&self) -> Option<Arc<Base>> {
        self.base.lock().ok().and_then(|b| b.clone())
    }

    /// The files of every reseller in `revisions`.
    async fn files_in(
        &self,
        revisions: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, Files>, PublishError> {
        let mut all = BTreeMap::new();
        for (id, revision) in revisions {
            all.insert(id.clone(), self.files_of(id, revision).await?);
        }
        Ok(all)
    }

    /// Check only what `changed` reaches (with `draft`'s files for its
    /// reseller) and take the rest from `base`; None when that would not be
    /// what checking everything gives (see `incremental`).
    #[allow(clippy::too_many_arguments)]
    async fn recheck(
        &self,
        paths: &Paths,
        base: &Arc<Base>,
        revisions: &BTreeMap<String, String>,
        changed: &BTreeSet<String>,
        now: DateTime<Utc>,
        draft: Option<(&str, &Files)>,
        strict: &Strict,
    ) -> Result<Option<Checkout>, PublishError> {
        let platform = incremental::platform_files(paths);
        let reach = incremental::reach(&base.checkout.content, changed);
        if !incremental::outside_unchanged(base, revisions.keys(), &platform, &reach, now, strict) {
            return Ok(None);
        }
        let mut given = BTreeMap::new();
        for id in &reach {
            let files = match draft {
                Some((d, files)) if d == id => files.clone(),
                _ => self.files_of(id, &revisions[id]).await?,
            };
            given.insert(id.clone(), files);
        }
        let (paths, base, strict) = (paths.clone(), base.clone(), strict.clone());
        let checkout = tokio::task::spawn_blocking(move || {
            incremental::recheck(&paths, now, &strict, &base.checkout, given)
        })
        .await
        .map_err(|e| PublishError::Io(e.into()))?;
        if checkout.is_some() {
            self.partial_checks.fetch_add(1, Ordering::Relaxed);
        }
        Ok(checkout)
    }

    /// Check and build every storefront from its published revision as of
    /// `now`, then publish the priced catalogues.
    pub async fn build(&self, now: DateTime<Utc>) -> Result<Built, PublishError> {
        let _one = self.one_at_a_time.lock().await;
        // The project's platform folder, if it changed and the console has
        // not published over it (import_folders says when it has).
        let _ = self.import_platform("the content folder", now).await;
        let revisions = self.published_revisions().await?;
        let paths = self.platform_paths().await?;
        // Read before the check: a change while it runs is seen next time.
        let platform = incremental::platform_files(&paths);
        let base = self.base();
        // What is published passed when it was: a loss now comes from a
        // price above that rose, and suspends the line (see Strict).
        let strict = Strict::Nobody;
        let mut checked = None;
        if let Some(base) = &base {
            let changed = changed_since(base, &revisions);
            checked = self
                .recheck(&paths, base, &revisions, &changed, now, None, &strict)
                .await?
                .map(|c| {
                    (
                        c,
                        Some(incremental::reach(&base.checkout.content, &changed)),
                    )
                });
        }
        let (checkout, reach) = match checked {
            Some(c) => c,
            None => {
                let all = self.files_in(&revisions).await?;
                let read = paths.clone();
                let c = tokio::task::spawn_blocking(move || {
                    storefront_generator::check_strict(&read, now, Some(all), &strict)
                })
                .await
                .map_err(|e| PublishError::Io(e.into()))?
                .map_err(|d| PublishError::Content(self.named_as_project(&paths, d)))?;
                (c, None)
            }
        };
        let opts = BuildOptions {
            paths: paths.clone(),
            out: self.out.clone(),
            only: None,
            now,
            progress: false,
        };
        let (checkout, report) = tokio::task::spawn_blocking(move || {
            let report = build_checked(&checkout, &opts).map_err(|e| match e {
                BuildError::Content(d) => PublishError::Content(d),
                BuildError::Io(e) => PublishError::Io(e),
            })?;
            Ok::<_, PublishError>((checkout, report))
        })
        .await
        .map_err(|e| PublishError::Io(e.into()))??;
        // Each storefront's snapshot; only those of the resellers checked
        // again can differ from what this process published last.
        let (all, snapshots): (BTreeMap<String, Arc<Snapshot>>, Vec<Snapshot>) =
            match (&base, &reach) {
                (Some(base), Some(reach)) => {
                    let mut all = base.snapshots.clone();
                    let mut fresh = Vec::new();
                    for id in reach {
                        all.remove(id);
                        if let Some(s) = storefront_generator::snapshot::of(&checkout, id) {
                            all.insert(id.clone(), Arc::new(s.clone()));
                            fresh.push(s);
                        }
                    }
                    (all, fresh)
                }
                _ => {
                    let fresh = storefront_generator::snapshot::all(&checkout);
                    let all = fresh
                        .iter()
                        .map(|s| (s.reseller.clone(), Arc::new(s.clone())))
                        .collect();
                    (all, fresh)
                }
            };
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
                    reply_to: None,
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
        let checkout = Arc::new(checkout);
        if let Ok(mut b) = self.base.lock() {
            *b = Some(Arc::new(Base {
                checkout: checkout.clone(),
                revisions: revisions.clone(),
                platform,
                snapshots: all,
            }));
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
            checkout,
            report,
            moved,
        })
    }
}

/// The resellers whose published revision is not the one `base` was
/// built from (one gone is none of them: `outside_unchanged` sees it).
fn changed_since(base: &Base, revisions: &BTreeMap<String, String>) -> BTreeSet<String> {
    revisions
        .iter()
        .filter(|(id, rev)| base.revisions.get(*id) != Some(*rev))
        .map(|(id, _)| id.clone())
        .collect()
}
