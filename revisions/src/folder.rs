//! The folder form of a revision: the files as they are, plus
//! `.storefront-revision` naming the revision an export came from, so an
//! import can tell whether the published content moved on meanwhile.

use crate::{Files, RevisionError};
use std::fs;
use std::path::{Path, PathBuf};

/// Written by an export beside the content; never part of it.
pub const REVISION_FILE: &str = ".storefront-revision";

/// A reseller's folder as content: every file below `dir` by its
/// `/`-separated relative path, the revision it was exported from (if
/// any), and the files that could not be read, each with why.
#[derive(Debug, Default)]
pub struct Folder {
    pub files: Files,
    pub base: Option<String>,
    pub problems: Vec<(PathBuf, String)>,
}

pub fn read_folder(dir: &Path) -> Folder {
    let mut folder = Folder::default();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                folder.problems.push((path, format!("cannot read: {e}")));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let Some(name) = rel.to_str().map(|s| s.replace('\\', "/")) else {
            folder.problems.push((
                entry.path().to_path_buf(),
                "the file name is not valid UTF-8: rename it".into(),
            ));
            continue;
        };
        match fs::read(entry.path()) {
            Ok(bytes) if name == REVISION_FILE => {
                let base = String::from_utf8_lossy(&bytes).trim().to_string();
                folder.base = (!base.is_empty()).then_some(base);
            }
            Ok(bytes) => {
                folder.files.insert(name, bytes);
            }
            Err(e) => folder.problems.push((
                entry.path().to_path_buf(),
                format!("cannot read the file: {e}"),
            )),
        }
    }
    folder
}

/// Write `files` into `dir` with the revision they are, for a git workflow
/// or an edit by hand. `dir` must be missing, empty, or an earlier export
/// (whose files no longer in the revision are removed); anything else is
/// refused rather than mixed with.
pub fn write_folder(dir: &Path, files: &Files, revision: &str) -> Result<(), RevisionError> {
    let io = |path: &Path, e: std::io::Error| RevisionError::Folder {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    if dir.exists() {
        let previous = read_folder(dir);
        let empty = previous.files.is_empty() && previous.base.is_none();
        if !empty && previous.base.is_none() {
            return Err(RevisionError::Folder {
                path: dir.to_path_buf(),
                message: format!(
                    "the folder is not empty and is not an earlier export (it has no {REVISION_FILE}): \
                     export into a new folder"
                ),
            });
        }
        for gone in previous.files.keys().filter(|p| !files.contains_key(*p)) {
            let path = dir.join(gone);
            fs::remove_file(&path).map_err(|e| io(&path, e))?;
        }
    }
    for (name, bytes) in files {
        if name
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        {
            return Err(RevisionError::Corrupt(format!("unsafe path {name:?}")));
        }
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| io(&path, e))?;
    }
    let marker = dir.join(REVISION_FILE);
    fs::write(&marker, format!("{revision}\n")).map_err(|e| io(&marker, e))
}

/// The key the platform's own content (its catalogue, plans and
/// `platform.toml`) and the themes are kept under, as one revision: what a
/// function that builds storefronts needs besides the resellers' content.
/// Not a reseller id (those are lowercase letters, digits and hyphens).
pub const PLATFORM: &str = "@platform";

/// `content/platform/` and `themes/` of a project, by path relative to
/// the project.
pub fn read_platform(project: &Path) -> Folder {
    let mut all = Folder::default();
    for sub in ["content/platform", "themes"] {
        let dir = project.join(sub);
        if !dir.is_dir() {
            continue;
        }
        let f = read_folder(&dir);
        all.problems.extend(f.problems);
        for (path, bytes) in f.files {
            all.files.insert(format!("{sub}/{path}"), bytes);
        }
    }
    all
}

/// Lay `files` (as `read_platform` names them) out under `project`.
pub fn write_project(project: &Path, files: &Files) -> Result<(), RevisionError> {
    for (name, bytes) in files {
        if name
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        {
            return Err(RevisionError::Corrupt(format!("unsafe path {name:?}")));
        }
        let path = project.join(name);
        let io = |p: &Path, e: std::io::Error| RevisionError::Folder {
            path: p.to_path_buf(),
            message: e.to_string(),
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| io(&path, e))?;
    }
    Ok(())
}
