//! Themes: templates, string tables and static files, looked up in layers.
//!
//! The `default` theme is compiled into the binary; a folder `themes/<name>/`
//! replaces any of its files one by one (a theme folder need only hold what
//! it changes). Theme content is the platform's, so templates are trusted;
//! resellers cannot supply templates.

use crate::diagnostics::{Diagnostics, line_of};
use include_dir::{Dir, include_dir};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use storefront_core::Locale;
use tera::Tera;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../themes/default");

pub type Strings = BTreeMap<String, String>;

#[derive(Debug)]
pub struct Theme {
    pub name: String,
    pub tera: Tera,
    pub strings: BTreeMap<Locale, Strings>,
    /// Files under `static/`, by path relative to it.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// Hash of every file of the theme as layered: a change rebuilds every
    /// storefront that uses it.
    pub hash: blake3::Hash,
}

/// One file of a theme, as layered, with where it came from for errors.
struct Layered {
    files: BTreeMap<String, (PathBuf, Vec<u8>)>,
}

fn builtin_files() -> BTreeMap<String, (PathBuf, Vec<u8>)> {
    fn walk(dir: &Dir<'static>, out: &mut BTreeMap<String, (PathBuf, Vec<u8>)>) {
        for f in dir.files() {
            let rel = f.path().to_string_lossy().replace('\\', "/");
            out.insert(
                rel.clone(),
                (
                    PathBuf::from("<built-in default theme>").join(&rel),
                    f.contents().to_vec(),
                ),
            );
        }
        for d in dir.dirs() {
            walk(d, out);
        }
    }
    let mut out = BTreeMap::new();
    walk(&BUILTIN, &mut out);
    out
}

static BUILTIN_FILES: LazyLock<BTreeMap<String, (PathBuf, Vec<u8>)>> = LazyLock::new(builtin_files);

impl Layered {
    fn load(dir: Option<&Path>, diags: &mut Diagnostics) -> Layered {
        let mut files = BUILTIN_FILES.clone();
        if let Some(dir) = dir {
            for (rel, bytes) in crate::content::read_tree(dir, diags) {
                let origin = dir.join(&rel);
                files.insert(rel.to_string_lossy().replace('\\', "/"), (origin, bytes));
            }
        }
        Layered { files }
    }
}

impl Theme {
    /// Load a theme by name from `themes_dir` (which may not exist: then only
    /// the built-in default is available).
    pub fn load(themes_dir: &Path, name: &str, diags: &mut Diagnostics) -> Option<Theme> {
        let dir = themes_dir.join(name);
        let layered = Layered::load(dir.is_dir().then_some(dir.as_path()), diags);
        let mut hasher = blake3::Hasher::new();
        hasher.update(name.as_bytes());
        let mut templates = Vec::new();
        let mut strings = BTreeMap::new();
        let mut statics = BTreeMap::new();
        let before = diags.len();
        for (rel, (origin, bytes)) in &layered.files {
            hasher.update(rel.as_bytes());
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
            if let Some(t) = rel.strip_prefix("templates/") {
                match std::str::from_utf8(bytes) {
                    Ok(s) => templates.push((t.to_string(), s.to_string(), origin.clone())),
                    Err(_) => diags.push(origin, None, "template is not UTF-8"),
                }
            } else if let Some(file) = rel.strip_prefix("i18n/") {
                let Some(code) = file.strip_suffix(".toml") else {
                    continue;
                };
                let Ok(locale) = code.parse::<Locale>() else {
                    diags.push(
                        origin,
                        None,
                        format!("string table for unknown language '{code}': use en, id or pl"),
                    );
                    continue;
                };
                let src = String::from_utf8_lossy(bytes);
                match toml::from_str::<Strings>(&src) {
                    Ok(table) => {
                        strings.insert(locale, table);
                    }
                    Err(e) => diags.push(
                        origin,
                        e.span().map(|s| line_of(&src, s.start)),
                        format!("string table: {}", e.message().trim()),
                    ),
                }
            } else if let Some(s) = rel.strip_prefix("static/") {
                statics.insert(s.to_string(), bytes.clone());
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(n, s, _)| (n.as_str(), s.as_str())))
        {
            diags.push(&dir, None, format!("theme '{name}': {}", error_chain(&e)));
        }
        check_strings(name, &templates, &strings, diags);
        if diags.len() > before {
            return None;
        }
        Some(Theme {
            name: name.to_string(),
            tera,
            strings,
            statics,
            hash: hasher.finalize(),
        })
    }

    /// Every theme: the built-in default and each folder in `themes_dir`.
    pub fn load_all(themes_dir: &Path, diags: &mut Diagnostics) -> BTreeMap<String, Theme> {
        let mut names: BTreeSet<String> = ["default".to_string()].into();
        if let Ok(entries) = fs::read_dir(themes_dir) {
            for e in entries.filter_map(Result::ok) {
                if e.path().is_dir() {
                    names.insert(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        names
            .into_iter()
            .filter_map(|n| Theme::load(themes_dir, &n, diags).map(|t| (n, t)))
            .collect()
    }
}

/// Tera's errors nest their cause; the cause is what tells the author what to fix.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Strings the generator itself puts on pages (titles, the tax note).
pub const REQUIRED_KEYS: &[&str] = &[
    "tax_note_inclusive",
    "tax_note_exclusive",
    "prices_title",
    "prices_description",
    "extension_title",
    "extension_description",
    "search_title",
    "cart_title",
    "checkout_title",
    "account_title",
    "news_title",
    "widget_title",
    "not_found_title",
];

/// Every language has the same keys, and every `t.<key>` a template uses exists.
fn check_strings(
    theme: &str,
    templates: &[(String, String, PathBuf)],
    strings: &BTreeMap<Locale, Strings>,
    diags: &mut Diagnostics,
) {
    for (l, table) in strings {
        for key in REQUIRED_KEYS {
            if !table.contains_key(*key) {
                diags.push(
                    Path::new(&format!("themes/{theme}/i18n/{l}.toml")),
                    None,
                    format!(
                        "missing key '{key}', which the generator uses for page titles and notes"
                    ),
                );
            }
        }
    }
    for l in Locale::ALL {
        if !strings.contains_key(&l) {
            diags.push(
                Path::new(&format!("themes/{theme}/i18n/{l}.toml")),
                None,
                format!("theme '{theme}' has no {l} string table"),
            );
        }
    }
    let all: BTreeSet<&String> = strings.values().flat_map(|t| t.keys()).collect();
    for (l, table) in strings {
        for key in &all {
            if !table.contains_key(*key) {
                diags.push(
                    Path::new(&format!("themes/{theme}/i18n/{l}.toml")),
                    None,
                    format!("missing key '{key}' (it exists in another language): translate it"),
                );
            }
        }
    }
    for (_, src, origin) in templates {
        for (offset, key) in string_keys(src) {
            for (l, table) in strings {
                if !table.contains_key(key) {
                    diags.push(
                        origin,
                        Some(line_of(src, offset)),
                        format!(
                            "uses string '{key}', which the {l} table of theme '{theme}' lacks"
                        ),
                    );
                }
            }
        }
    }
}

/// `t.<key>` references in a template, with their byte offsets.
fn string_keys(src: &str) -> Vec<(usize, &str)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = src[i..].find("t.") {
        let at = i + pos;
        let boundary = at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b'.');
        let start = at + 2;
        let end = src[start..]
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .map_or(src.len(), |e| start + e);
        if boundary && end > start {
            out.push((at, &src[start..end]));
        }
        i = start;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_string_keys_but_not_other_dotted_names() {
        let keys: Vec<&str> =
            string_keys("{{ t.search }} {{ site.x }} {{ext.name}} {% if t.cart_empty %}")
                .into_iter()
                .map(|(_, k)| k)
                .collect();
        assert_eq!(keys, ["search", "cart_empty"]);
    }
}
