//! The platform's content (its catalogue, plans, `platform.toml`) and the
//! themes, as builds read them: from the published `@platform` revision,
//! the same on the embedded store and on DynamoDB.
//!
//! Why from the store and not from the folder: the platform's console
//! edits that content as revisions (a draft, then publish), like a
//! reseller's panel edits its own. If a build read `content/platform/`
//! directly, a local `serve` (and every test) would build from something
//! other than what an operator published, and a deploy could not tell a
//! console edit from an old folder. So the folder is one way *in*, with
//! the rule reseller folders follow (`Revisions::import`): it is imported
//! while the published revision itself came from a folder (git keeps it),
//! and refused once the console published over it — a folder never
//! overwrites an operator's change without anyone seeing it
//! (`storefront content export @platform`-style round trips are not
//! needed: the console is where it is edited from then on).
//!
//! A build lays the published revision out once per revision in a folder
//! of its own (never rewritten, so a check running beside a build never
//! reads half a revision) and points the generator there; problems are
//! named where the project's folders would have them.

use crate::{PublishError, Site};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use storefront_generator::{Diagnostics, Paths};
use storefront_revisions::{Files, Imported, PLATFORM, Published};

/// Where published platform revisions are laid out.
#[derive(Debug)]
pub(crate) struct Laid {
    dir: tempfile::TempDir,
    /// Serialises laying out (two checks may start at once).
    lock: tokio::sync::Mutex<()>,
}

impl Laid {
    pub(crate) fn new() -> Laid {
        Laid {
            dir: tempfile::Builder::new()
                .prefix("storefront-platform")
                .tempdir()
                .expect("a temporary folder for the platform's content"),
            lock: tokio::sync::Mutex::new(()),
        }
    }
}

/// `content/platform/` and the themes of `paths`, named as in the
/// `@platform` revision (`content/platform/…`, `themes/…`); None when the
/// project has no platform folder (on Lambda, where only the store has it).
fn read_source(paths: &Paths) -> Option<Result<Files, String>> {
    let platform = paths.content.join("platform");
    if !platform.is_dir() {
        return None;
    }
    let mut files = Files::new();
    for (prefix, dir) in [("content/platform", &platform), ("themes", &paths.themes)] {
        if !dir.is_dir() {
            continue;
        }
        let folder = storefront_revisions::read_folder(dir);
        if let Some((path, why)) = folder.problems.first() {
            return Some(Err(format!("{}: {why}", path.display())));
        }
        for (path, bytes) in folder.files {
            files.insert(format!("{prefix}/{path}"), bytes);
        }
    }
    Some(Ok(files))
}

impl Site {
    /// Bring the project's `content/platform/` and `themes/` in as the
    /// published `@platform` revision (see the module). Err says why the
    /// folder is not used: the published revision stays.
    pub async fn import_platform(&self, by: &str, at: DateTime<Utc>) -> Result<(), String> {
        let Some(files) = read_source(&self.paths) else {
            return Ok(());
        };
        let files = files?;
        match self.revisions.import(PLATFORM, &files, None, by, at).await {
            Ok(Imported::Unchanged(_) | Imported::Published { .. }) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The published `@platform` revision and its files, if any.
    pub async fn platform_published(&self) -> Result<Option<(Published, Files)>, PublishError> {
        let Some(p) = self.revisions.published(PLATFORM).await? else {
            return Ok(None);
        };
        let files = self.files_of(PLATFORM, &p.revision).await?;
        Ok(Some((p, files)))
    }

    /// What a check or build reads the platform and the themes from: the
    /// published `@platform` revision laid out (the project's folders when
    /// nothing is published, as in a bare `storefront build`).
    pub async fn platform_paths(&self) -> Result<Paths, PublishError> {
        let Some(p) = self.revisions.published(PLATFORM).await? else {
            return Ok(self.paths.clone());
        };
        self.laid_out(&p.revision, None).await
    }

    /// `revision` (or `files`, a draft not yet kept) laid out as a project.
    pub(crate) async fn laid_out(
        &self,
        revision: &str,
        files: Option<&Files>,
    ) -> Result<Paths, PublishError> {
        let _one = self.laid.lock.lock().await;
        let root = self.laid.dir.path().join(revision);
        if !root.is_dir() {
            let files = match files {
                Some(f) => f.clone(),
                None => self.files_of(PLATFORM, revision).await?,
            };
            let part = self.laid.dir.path().join(format!("{revision}.part"));
            if part.exists() {
                std::fs::remove_dir_all(&part).map_err(|e| PublishError::Io(e.into()))?;
            }
            storefront_revisions::write_project(&part, &files)?;
            std::fs::rename(&part, &root).map_err(|e| PublishError::Io(e.into()))?;
        }
        Ok(Paths::under(&root))
    }

    /// `d` with the files of `read` named as the project's folders name
    /// them (a reseller's `site.toml` under `content/resellers/`, the
    /// platform's under `content/platform/`).
    pub(crate) fn named_as_project(&self, read: &Paths, mut d: Diagnostics) -> Diagnostics {
        for p in &mut d.0 {
            p.file = rename(&p.file, read, &self.paths);
        }
        d
    }
}

fn rename(file: &Path, from: &Paths, to: &Paths) -> PathBuf {
    if let Ok(rest) = file.strip_prefix(&from.content) {
        return to.content.join(rest);
    }
    if let Ok(rest) = file.strip_prefix(&from.themes) {
        return to.themes.join(rest);
    }
    file.to_path_buf()
}

impl Site {
    /// Check every storefront as published with the platform's content
    /// replaced by `files` (a console draft): what `storefront check` would
    /// say of it. A resellers' price a rise leaves below its cost is no
    /// error here: publishing suspends that line and mails its seller.
    pub async fn check_platform_draft(
        &self,
        files: &Files,
        now: DateTime<Utc>,
    ) -> Result<storefront_generator::Checkout, PublishError> {
        let revision = storefront_revisions::Manifest::of(files).id();
        let paths = self.laid_out(&revision, Some(files)).await?;
        let all = self.files_in(&self.published_revisions().await?).await?;
        let read = paths.clone();
        tokio::task::spawn_blocking(move || {
            storefront_generator::check_strict(
                &read,
                now,
                Some(all),
                &storefront_generator::Strict::Nobody,
            )
        })
        .await
        .map_err(|e| PublishError::Io(e.into()))?
        .map_err(|d| PublishError::Content(self.named_as_project(&paths, d)))
    }
}
