//! The build: load, check, then render each storefront that changed.
//!
//! Incremental by content hash: each storefront's inputs (its folder, its
//! priced catalogue — which covers every parent level and the date-dependent
//! promotions —, the platform catalogue and its theme) hash to one key kept
//! in a manifest beside the output. An unchanged key means the storefront is
//! neither rendered nor written; a changed one re-renders it, but only files
//! whose bytes differ are written, and files it no longer produces are
//! removed. Resellers render in parallel; the output is byte-identical for
//! identical input.

use crate::content::{Content, Reseller};
use crate::diagnostics::Diagnostics;
use crate::render;
use crate::theme::Theme;
use crate::validate::{self, Checked};
use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MANIFEST: &str = ".storefront-build.json";

/// Bump when the generator's output changes for the same input.
const OUTPUT_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+1");

#[derive(Debug, Clone)]
pub struct Paths {
    /// The `content/` folder.
    pub content: PathBuf,
    /// The `themes/` folder (may be missing: the built-in default remains).
    pub themes: PathBuf,
}

impl Paths {
    /// The conventional layout below a project folder.
    pub fn under(project: &Path) -> Paths {
        Paths {
            content: project.join("content"),
            themes: project.join("themes"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub paths: Paths,
    /// Output folder; each storefront goes to `<out>/<reseller>/`.
    pub out: PathBuf,
    /// Build only this reseller.
    pub only: Option<String>,
    /// The day promotions are judged against.
    pub today: NaiveDate,
    pub progress: bool,
}

/// Everything loaded and checked.
#[derive(Debug)]
pub struct Checkout {
    pub content: Content,
    pub themes: BTreeMap<String, Theme>,
    pub checked: BTreeMap<String, Checked>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckSummary {
    pub resellers: usize,
    pub extensions: usize,
    pub pages: usize,
}

/// Load and check everything; every problem found is returned at once.
pub fn check(paths: &Paths, today: NaiveDate) -> Result<Checkout, Diagnostics> {
    let mut diags = Diagnostics::default();
    let themes = Theme::load_all(&paths.themes, &mut diags);
    let Some(content) = Content::load(&paths.content, &mut diags) else {
        return Err(diags.sorted());
    };
    let mut theme_names: BTreeSet<String> = themes.keys().cloned().collect();
    theme_names.insert("default".into());
    // A theme that failed to load exists but is broken: its own errors say
    // why, so don't also call it missing.
    if paths.themes.is_dir()
        && let Ok(entries) = fs::read_dir(&paths.themes)
    {
        theme_names.extend(
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned()),
        );
    }
    let checked = validate::validate(&content, &theme_names, today, &mut diags);
    if diags.is_empty() {
        Ok(Checkout {
            content,
            themes,
            checked,
        })
    } else {
        Err(diags.sorted())
    }
}

impl Checkout {
    pub fn summary(&self) -> CheckSummary {
        CheckSummary {
            resellers: self.checked.len(),
            extensions: self.content.platform.catalogue.extensions.len(),
            pages: self.content.resellers.values().map(|r| r.pages.len()).sum(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Manifest {
    version: String,
    resellers: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Entry {
    input: String,
    files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    pub rendered: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
    pub pages: usize,
    pub files_written: usize,
    pub files_deleted: usize,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Content(Diagnostics),
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

fn hash_dir(dir: &Path, h: &mut blake3::Hasher) -> Result<()> {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir)?;
            h.update(rel.to_string_lossy().as_bytes());
            let bytes = fs::read(entry.path())?;
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
    }
    Ok(())
}

fn input_key(
    checkout: &Checkout,
    r: &Reseller,
    checked: &Checked,
    platform: &blake3::Hash,
) -> Result<String> {
    let mut h = blake3::Hasher::new();
    h.update(OUTPUT_VERSION.as_bytes());
    h.update(platform.as_bytes());
    let theme = checkout
        .themes
        .get(&r.site.theme)
        .context("theme vanished")?;
    h.update(theme.hash.as_bytes());
    h.update(&serde_json::to_vec(&checked.prices)?);
    hash_dir(&r.dir, &mut h)?;
    Ok(h.finalize().to_hex().to_string())
}

fn platform_hash(content: &Content) -> Result<blake3::Hash> {
    let mut h = blake3::Hasher::new();
    for f in [
        &content.platform.catalogue_file,
        &content.platform.plans_file,
    ] {
        h.update(&fs::read(f).with_context(|| format!("reading {}", f.display()))?);
    }
    Ok(h.finalize())
}

/// Write `bytes` to `path` through a temporary file, so a reader (the local
/// server, a sync to S3) never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// Render one storefront and write what changed. Returns its new manifest
/// entry, the number of pages rendered, files written and deleted.
fn build_one(
    checkout: &Checkout,
    id: &str,
    key: String,
    out: &Path,
    previous: Option<&Entry>,
) -> Result<(Entry, usize, usize, usize)> {
    let r = &checkout.content.resellers[id];
    let checked = &checkout.checked[id];
    let theme = &checkout.themes[&r.site.theme];
    let files = render::render(&checkout.content, r, checked, theme)
        .with_context(|| format!("building storefront '{id}'"))?;
    let dir = out.join(id);
    let mut entry = Entry {
        input: key,
        files: BTreeMap::new(),
    };
    let (mut written, mut pages) = (0, 0);
    for (rel, bytes) in &files {
        if rel.ends_with(".html") {
            pages += 1;
        }
        let hash = blake3::hash(bytes).to_hex().to_string();
        let path = dir.join(rel);
        let same = previous.and_then(|p| p.files.get(rel)) == Some(&hash) && path.is_file();
        if !same {
            write_atomic(&path, bytes)?;
            written += 1;
        }
        entry.files.insert(rel.clone(), hash);
    }
    let mut deleted = 0;
    if let Some(prev) = previous {
        for rel in prev.files.keys().filter(|k| !entry.files.contains_key(*k)) {
            let path = dir.join(rel);
            if path.is_file() {
                fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
                deleted += 1;
            }
            // Drop folders the removal left empty (ignore the error if not).
            let mut parent = path.parent();
            while let Some(p) = parent.filter(|p| *p != dir) {
                if fs::remove_dir(p).is_err() {
                    break;
                }
                parent = p.parent();
            }
        }
    }
    Ok((entry, pages, written, deleted))
}

/// Check, then build every storefront (or one) into `opts.out`.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    let checkout = check(&opts.paths, opts.today).map_err(BuildError::Content)?;
    let mut report = build_checked(&checkout, opts)?;
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Build from an existing checkout (the server re-uses it after a change).
pub fn build_checked(checkout: &Checkout, opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    if let Some(only) = &opts.only
        && !checkout.checked.contains_key(only)
    {
        let known: Vec<&String> = checkout.checked.keys().collect();
        return Err(BuildError::Io(anyhow::anyhow!(
            "no reseller '{only}'; resellers are: {}",
            known
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    fs::create_dir_all(&opts.out).with_context(|| format!("creating {}", opts.out.display()))?;
    let manifest_path = opts.out.join(MANIFEST);
    let mut manifest: Manifest = fs::read(&manifest_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    if manifest.version != OUTPUT_VERSION {
        manifest = Manifest {
            version: OUTPUT_VERSION.to_string(),
            resellers: BTreeMap::new(),
        };
    }
    let platform = platform_hash(&checkout.content)?;
    let ids: Vec<&String> = checkout
        .checked
        .keys()
        .filter(|id| opts.only.as_ref().is_none_or(|o| o == *id))
        .collect();

    let bar = ProgressBar::with_draw_target(
        Some(ids.len() as u64),
        if opts.progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} building {pos}/{len} storefronts {wide_bar} {elapsed}",
    ) {
        bar.set_style(style);
    }

    enum Outcome {
        Unchanged,
        Built(Entry, usize, usize, usize),
    }
    let results: Vec<(String, Outcome)> = ids
        .par_iter()
        .map(|id| -> Result<(String, Outcome)> {
            let r = &checkout.content.resellers[*id];
            let key = input_key(checkout, r, &checkout.checked[*id], &platform)?;
            let prev = manifest.resellers.get(*id);
            let outcome = if prev.is_some_and(|p| p.input == key) && opts.out.join(id).is_dir() {
                Outcome::Unchanged
            } else {
                let (e, p, w, d) = build_one(checkout, id, key, &opts.out, prev)?;
                Outcome::Built(e, p, w, d)
            };
            bar.inc(1);
            Ok(((*id).clone(), outcome))
        })
        .collect::<Result<Vec<_>>>()?;
    bar.finish_and_clear();

    let mut report = BuildReport::default();
    let mut changed = false;
    for (id, outcome) in results {
        match outcome {
            Outcome::Unchanged => report.unchanged.push(id),
            Outcome::Built(entry, pages, written, deleted) => {
                report.pages += pages;
                report.files_written += written;
                report.files_deleted += deleted;
                report.rendered.push(id.clone());
                changed = true;
                manifest.resellers.insert(id, entry);
            }
        }
    }
    if opts.only.is_none() {
        // Storefronts whose reseller is gone.
        let gone: Vec<String> = manifest
            .resellers
            .keys()
            .filter(|id| !checkout.checked.contains_key(*id))
            .cloned()
            .collect();
        for id in gone {
            let dir = opts.out.join(&id);
            if dir.is_dir() {
                fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
            }
            manifest.resellers.remove(&id);
            report.removed.push(id);
            changed = true;
        }
    }
    if changed {
        write_atomic(
            &manifest_path,
            &serde_json::to_vec(&manifest).context("manifest")?,
        )?;
    }
    Ok(report)
}
