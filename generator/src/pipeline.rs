//! The build: load, check, then render each storefront that changed.
//!
//! Incremental by content hash: each storefront's inputs (its folder, its
//! priced catalogue — which covers every parent level and the date-dependent
//! promotions —, the seller and accounts of its parent, the platform
//! catalogue and its theme) hash to one key kept
//! in a manifest beside the output. An unchanged key means the storefront is
//! neither rendered nor written; a changed one re-renders it, but only files
//! whose bytes differ are written, and files it no longer produces are
//! removed. Resellers render in parallel; the output is byte-identical for
//! identical input.

use crate::content::{Content, Reseller};
use crate::diagnostics::Diagnostics;
use crate::render;
use crate::theme::Theme;
use crate::validate::{self, Checked, Strict};
use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Build state beside the storefronts (never published): `index.json` maps
/// each reseller to its input key; `<reseller>.json` lists its files' hashes
/// and is read only when that reseller is rebuilt, so a no-op build reads
/// one small file.
const STATE_DIR: &str = ".storefront-build";

/// Bump when the generator's output changes for the same input.
const OUTPUT_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+4");

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
    /// The instant the build is for: each storefront's day (and so its
    /// promotions) is this instant in its own time zone.
    pub now: DateTime<Utc>,
    pub progress: bool,
}

/// Everything loaded and checked.
#[derive(Debug)]
pub struct Checkout {
    pub content: Content,
    pub themes: BTreeMap<String, Theme>,
    pub checked: BTreeMap<String, Checked>,
    /// The instant prices were checked for: each storefront's pages show
    /// the promotions of its own day then (`Checked::today`).
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckSummary {
    pub resellers: usize,
    pub extensions: usize,
    pub pages: usize,
}

/// Load and check everything; every problem found is returned at once.
pub fn check(paths: &Paths, now: DateTime<Utc>) -> Result<Checkout, Diagnostics> {
    check_with(paths, now, None)
}

/// As `check`, with the resellers' files `given` (their published
/// revisions) instead of read from `content/resellers/`.
pub fn check_with(
    paths: &Paths,
    now: DateTime<Utc>,
    given: Option<BTreeMap<String, storefront_revisions::Files>>,
) -> Result<Checkout, Diagnostics> {
    check_strict(paths, now, given, &Strict::All)
}

/// As `check_with`, with `strict` saying whose losses are errors (the
/// rest are suspended lines; see `validate::Strict`).
pub fn check_strict(
    paths: &Paths,
    now: DateTime<Utc>,
    given: Option<BTreeMap<String, storefront_revisions::Files>>,
    strict: &Strict,
) -> Result<Checkout, Diagnostics> {
    let mut diags = Diagnostics::default();
    let themes = Theme::load_all(&paths.themes, &mut diags);
    let Some(content) = Content::load_with(&paths.content, given, &mut diags) else {
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
    let checked = validate::validate(&content, &theme_names, now, strict, &mut diags);
    if diags.is_empty() {
        Ok(Checkout {
            now,
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
    /// Reseller -> input key of its last build.
    resellers: BTreeMap<String, String>,
}

/// Files of one storefront as last written, by path, with their hashes.
type FileHashes = BTreeMap<String, String>;

fn read_files(out: &Path, id: &str) -> FileHashes {
    fs::read(out.join(STATE_DIR).join(format!("{id}.json")))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
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
    // The parent's seller details and accounts live in another folder (or in
    // platform.toml): a change there must rebuild every child embedding them.
    h.update(&serde_json::to_vec(&checked.parent)?);
    h.update(r.source_hash.as_bytes());
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

/// Write `bytes` to `path`. A file that exists is replaced through a
/// temporary file and a rename, so a reader (the local server, a sync to S3)
/// never sees half of it; a new file is written directly.
fn write_file(path: &Path, bytes: &[u8], dirs: &mut BTreeSet<PathBuf>) -> Result<()> {
    if let Some(dir) = path.parent()
        && !dirs.contains(dir)
    {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        dirs.insert(dir.to_path_buf());
    }
    if !path.exists() {
        return fs::write(path, bytes).with_context(|| format!("writing {}", path.display()));
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

struct Built {
    key: String,
    pages: usize,
    written: usize,
    deleted: usize,
}

/// Render one storefront and write what changed since `previous`.
fn build_one(checkout: &Checkout, id: &str, key: String, out: &Path) -> Result<Built> {
    let r = &checkout.content.resellers[id];
    let checked = &checkout.checked[id];
    let theme = &checkout.themes[&r.site.theme];
    let snapshot =
        crate::snapshot::of(checkout, id).with_context(|| format!("pricing storefront '{id}'"))?;
    let files = render::render(
        &checkout.content,
        r,
        checked,
        &snapshot,
        checked.today,
        theme,
    )
    .with_context(|| format!("building storefront '{id}'"))?;
    let previous = read_files(out, id);
    let dir = out.join(id);
    let mut hashes = FileHashes::new();
    let mut dirs = BTreeSet::new();
    let (mut written, mut pages) = (0, 0);
    for (rel, bytes) in &files {
        if rel.ends_with(".html") {
            pages += 1;
        }
        let hash = blake3::hash(bytes).to_hex().to_string();
        let path = dir.join(rel);
        if previous.get(rel) != Some(&hash) || !path.is_file() {
            write_file(&path, bytes, &mut dirs)?;
            written += 1;
        }
        hashes.insert(rel.clone(), hash);
    }
    let mut deleted = 0;
    for rel in previous.keys().filter(|k| !hashes.contains_key(*k)) {
        let path = dir.join(rel);
        if path.is_file() {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
            deleted += 1;
        }
        // Drop folders the removal left empty (a folder still in use stays).
        let mut parent = path.parent();
        while let Some(p) = parent.filter(|p| *p != dir) {
            if fs::remove_dir(p).is_err() {
                break;
            }
            parent = p.parent();
        }
    }
    let state = out.join(STATE_DIR);
    write_file(
        &state.join(format!("{id}.json")),
        &serde_json::to_vec(&hashes)?,
        &mut dirs,
    )?;
    Ok(Built {
        key,
        pages,
        written,
        deleted,
    })
}

/// Check, then build every storefront (or one) into `opts.out`.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    let checkout = check(&opts.paths, opts.now).map_err(BuildError::Content)?;
    let mut report = build_checked(&checkout, opts)?;
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Build from an existing checkout (the server re-uses it after a change).
pub fn build_checked(checkout: &Checkout, opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    if let Some(only) = &opts.only
        && !checkout.checked.contains_key(only)
    {
        let known: Vec<&str> = checkout.checked.keys().map(String::as_str).collect();
        return Err(BuildError::Io(anyhow::anyhow!(
            "no reseller '{only}'; resellers are: {}",
            known.join(", ")
        )));
    }
    let state = opts.out.join(STATE_DIR);
    fs::create_dir_all(&state).with_context(|| format!("creating {}", state.display()))?;
    let index_path = state.join("index.json");
    let mut manifest: Manifest = fs::read(&index_path)
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

    let results: Vec<(String, Option<Built>)> = ids
        .par_iter()
        .map(|id| -> Result<(String, Option<Built>)> {
            let r = &checkout.content.resellers[*id];
            let key = input_key(checkout, r, &checkout.checked[*id], &platform)?;
            let unchanged = manifest.resellers.get(*id) == Some(&key) && opts.out.join(id).is_dir();
            let built = if unchanged {
                None
            } else {
                Some(build_one(checkout, id, key, &opts.out)?)
            };
            bar.inc(1);
            Ok(((*id).clone(), built))
        })
        .collect::<Result<Vec<_>>>()?;
    bar.finish_and_clear();

    let mut report = BuildReport::default();
    let mut changed = false;
    for (id, built) in results {
        match built {
            None => report.unchanged.push(id),
            Some(b) => {
                report.pages += b.pages;
                report.files_written += b.written;
                report.files_deleted += b.deleted;
                report.rendered.push(id.clone());
                changed = true;
                manifest.resellers.insert(id, b.key);
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
            let _ = fs::remove_file(state.join(format!("{id}.json")));
            manifest.resellers.remove(&id);
            report.removed.push(id);
            changed = true;
        }
    }
    if changed {
        write_file(
            &index_path,
            &serde_json::to_vec(&manifest).context("manifest")?,
            &mut BTreeSet::new(),
        )?;
    }
    Ok(report)
}
