//! Checking again only what a change can reach.
//!
//! Every storefront is checked together with all the others, because a
//! reseller's prices are its sub-resellers' costs. But a reseller's check
//! reads only: its own files; its ancestors' (its prices are built on
//! theirs, its plan is its parent's to offer); whether any reseller buys
//! from it (then it needs a bank account); every other reseller's domains
//! (a host belongs to one storefront); its day at the build's instant; the
//! platform; the themes; and the strictness (whose losses are errors).
//!
//! So when only some resellers' content changed since a checkout that
//! passed, checking those, their ancestors and their descendants — the
//! *reach* — and taking every other reseller from that checkout gives the
//! same checkout as checking everything, provided that:
//!
//! - the platform's files and the themes are as they were;
//! - no reseller came or went, and none in the change names another parent;
//! - every reseller outside the reach is in the same day as before;
//! - no domain in the reach is also the domain of a reseller outside it;
//! - the strictness refuses no loss outside the reach (the earlier
//!   checkout was made with `Strict::Nobody`, which lets them through);
//! - and the reach passes.
//!
//! Anything else — and any problem in the reach — is checked in full, so
//! the diagnostics are always exactly those of a full check. A new rule in
//! `validate` that reads another reseller than these must be added here.

use crate::Files;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use storefront_core::snapshot::Snapshot;
use storefront_generator::content::Content;
use storefront_generator::{Checkout, Paths, Strict};

/// The platform folder's files as read just before a check.
pub(crate) type PlatformFiles = Vec<(PathBuf, Vec<u8>)>;

/// The last build that passed, and what it was made from: what the next
/// check starts from.
pub(crate) struct Base {
    /// Checked with `Strict::Nobody`.
    pub checkout: Arc<Checkout>,
    /// The revision each reseller's files came from.
    pub revisions: BTreeMap<String, String>,
    pub platform: PlatformFiles,
    /// Each reseller's snapshot, as published by that build.
    pub snapshots: BTreeMap<String, Arc<Snapshot>>,
}

/// Every file under `content/platform/`, by path, sorted. A folder that
/// cannot be read gives what could be read: the full check then says why.
pub(crate) fn platform_files(paths: &Paths) -> PlatformFiles {
    fn walk(dir: &std::path::Path, out: &mut PlatformFiles) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    let mut out = Vec::new();
    walk(&paths.content.join("platform"), &mut out);
    out.sort();
    out
}

/// What a change to `changed` reaches in `content`: each of them, its
/// ancestors and its descendants.
pub(crate) fn reach(content: &Content, changed: &BTreeSet<String>) -> BTreeSet<String> {
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, r) in &content.resellers {
        if let Some(p) = &r.site.parent {
            children.entry(p.as_str()).or_default().push(id.as_str());
        }
    }
    let parent = |id: &str| {
        content
            .resellers
            .get(id)
            .and_then(|r| r.site.parent.as_deref())
    };
    let mut out = BTreeSet::new();
    for id in changed {
        // Its ancestors (a circle ends where it closes: the check says so).
        let mut seen = BTreeSet::new();
        let mut up = parent(id);
        while let Some(p) = up.filter(|p| seen.insert(*p)) {
            out.insert(p.to_string());
            up = parent(p);
        }
    }
    // Each, and its descendants.
    let mut down = BTreeSet::new();
    let mut todo: Vec<&str> = changed.iter().map(String::as_str).collect();
    while let Some(next) = todo.pop() {
        if down.insert(next) {
            todo.extend(children.get(next).into_iter().flatten().copied());
        }
    }
    out.extend(down.into_iter().map(String::from));
    out
}

/// Whether every reseller outside `reach` can be taken from `base` for a
/// check as of `now` with `strict`, the platform being `platform` and the
/// resellers published being `ids`.
pub(crate) fn outside_unchanged<'a>(
    base: &Base,
    ids: impl Iterator<Item = &'a String>,
    platform: &PlatformFiles,
    reach: &BTreeSet<String>,
    now: DateTime<Utc>,
    strict: &Strict,
) -> bool {
    let checkout = &base.checkout;
    if *platform != base.platform || !ids.eq(base.revisions.keys()) {
        return false;
    }
    checkout
        .checked
        .iter()
        .filter(|(id, _)| !reach.contains(*id))
        .all(|(id, checked)| {
            let same_day = checkout
                .content
                .resellers
                .get(id)
                .is_some_and(|r| r.site.time_zone.date_at(now) == checked.today);
            same_day && !checked.chain.iter().any(|l| strict.refuses(l))
        })
        && checkout.checked.len() == checkout.content.resellers.len()
}

/// Check the resellers of the reach (`given`: the files of each) as of
/// `now`, and take every other one from `base`. None when that would not
/// be what a full check gives: check everything instead.
pub(crate) fn recheck(
    paths: &Paths,
    now: DateTime<Utc>,
    strict: &Strict,
    base: &Checkout,
    given: BTreeMap<String, Files>,
) -> Option<Checkout> {
    let reach: BTreeSet<String> = given.keys().cloned().collect();
    let part = storefront_generator::check_strict(paths, now, Some(given), strict).ok()?;
    let same_themes = part.themes.len() == base.themes.len()
        && part
            .themes
            .iter()
            .zip(&base.themes)
            .all(|((n, t), (m, u))| n == m && t.hash == u.hash);
    if !same_themes || part.checked.len() != reach.len() {
        return None;
    }
    for id in &reach {
        let before = base.content.resellers.get(id)?;
        if part.content.resellers.get(id)?.site.parent != before.site.parent {
            return None;
        }
    }
    let outside: BTreeSet<&str> = base
        .content
        .resellers
        .iter()
        .filter(|(id, _)| !reach.contains(*id))
        .flat_map(|(_, r)| r.site.domains.iter().map(String::as_str))
        .collect();
    if part
        .content
        .resellers
        .values()
        .flat_map(|r| &r.site.domains)
        .any(|d| outside.contains(d.as_str()))
    {
        return None;
    }
    let Checkout {
        content: mut part_content,
        themes,
        checked: mut part_checked,
        now: _,
    } = part;
    let mut resellers = BTreeMap::new();
    let mut checked = BTreeMap::new();
    for (id, r) in &base.content.resellers {
        let (r, c) = match (part_content.resellers.remove(id), part_checked.remove(id)) {
            (Some(r), Some(c)) => (r, c),
            _ => (r.clone(), base.checked.get(id)?.clone()),
        };
        resellers.insert(id.clone(), r);
        checked.insert(id.clone(), c);
    }
    Some(Checkout {
        content: Content {
            root: part_content.root,
            platform: part_content.platform,
            resellers,
        },
        themes,
        checked,
        now,
    })
}
