//! Helpers shared by the end-to-end tests: fixture folders copied into a
//! temporary project, and builds as of a fixed day so output is stable.

use chrono::NaiveDate;
use std::fs;
use std::path::{Path, PathBuf};
use storefront_generator::{BuildOptions, Paths};

/// The day every test builds as of: promotions in the fixtures are active on it.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Copy every file under `from` into `to`, replacing what is there.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside fixture");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
        } else {
            fs::copy(entry.path(), &dest).expect("copy fixture file");
        }
    }
}

/// A temporary project: the valid fixture, with `overlay` (a folder under
/// fixtures/invalid/) copied over it when given.
pub fn project(overlay: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixtures().join("valid"), dir.path());
    if let Some(case) = overlay {
        copy_tree(&fixtures().join("invalid").join(case), dir.path());
        let _ = fs::remove_file(dir.path().join("expect.txt"));
    }
    dir
}

pub fn options(project: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        paths: Paths::under(project),
        out: out.to_path_buf(),
        only: None,
        today: today(),
        progress: false,
    }
}

/// Diagnostics as the CLI prints them, with the temporary folder removed so
/// they read `content/resellers/x/site.toml:12: ...`.
pub fn check_output(project: &Path) -> Result<String, String> {
    match storefront_generator::check(&Paths::under(project), today()) {
        Ok(_) => Ok(String::new()),
        Err(d) => {
            let prefix = format!("{}/", project.display());
            Err(d.to_string().replace(&prefix, ""))
        }
    }
}

/// Every file under `dir`, relative, sorted, with its bytes.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned(),
                fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}
