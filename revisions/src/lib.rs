//! A reseller's storefront content (its `site.toml`, pages, logo and static
//! files, the same folder `storefront check` reads) kept as immutable,
//! content-addressed revisions: the store is the source of truth, the
//! folder one way in and out of it.
//!
//! | item | pk | sk | data |
//! |---|---|---|---|
//! | a revision | `CONTENT#<reseller>` | `REV#<id>` | its `Manifest` |
//! | the published revision | `CONTENT#<reseller>` | `PUBLISHED` | `Published` |
//! | the draft being edited | `CONTENT#<reseller>` | `DRAFT` | `Draft` |
//! | what happened, newest last | `CONTENT#<reseller>` | `LOG#<µs>#<rev>` | `Event` |
//! | every reseller with published content | `CONTENT` | `<reseller>` | `{}` |
//!
//! File bytes are blobs under `content/<blake3 of the bytes>`. A revision's
//! id is the hash of its paths and their files' hashes, so saving the same
//! content twice is the same revision and costs no new blob.
//!
//! Moving a pointer is conditional on the version read: two admins
//! publishing at once cannot both win, and a save that finds another
//! admin's draft in place is kept beside it, never over it.

mod folder;

pub use folder::{
    Folder, PLATFORM, REVISION_FILE, read_folder, read_platform, write_folder, write_project,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use storefront_store::blobs::{BlobError, Blobs};
use storefront_store::{Condition, Item, Query, Store, StoreError, Write};

/// A folder's files by path relative to it, `/`-separated.
pub type Files = BTreeMap<String, Vec<u8>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// blake3 of the bytes, hex.
    pub hash: String,
    pub size: u64,
}

/// What a revision holds: each path and the hash of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub files: BTreeMap<String, FileRef>,
}

impl Manifest {
    pub fn of(files: &Files) -> Manifest {
        Manifest {
            files: files
                .iter()
                .map(|(path, bytes)| {
                    (
                        path.clone(),
                        FileRef {
                            hash: blake3::hash(bytes).to_hex().to_string(),
                            size: bytes.len() as u64,
                        },
                    )
                })
                .collect(),
        }
    }

    /// The revision's id: a hash of every path and its file's hash.
    pub fn id(&self) -> String {
        let mut h = blake3::Hasher::new();
        for (path, f) in &self.files {
            h.update(path.as_bytes());
            h.update(b"\0");
            h.update(f.hash.as_bytes());
            h.update(b"\n");
        }
        // 128 bits name a revision among a reseller's few thousand.
        h.finalize().to_hex()[..32].to_string()
    }

    /// Paths added, removed or changed from `before` to this one.
    pub fn changed_since(&self, before: Option<&Manifest>) -> Vec<String> {
        let empty = BTreeMap::new();
        let old = before.map_or(&empty, |m| &m.files);
        let mut paths: Vec<String> = self
            .files
            .iter()
            .filter(|(p, f)| old.get(*p) != Some(f))
            .map(|(p, _)| p.clone())
            .chain(old.keys().filter(|p| !self.files.contains_key(*p)).cloned())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

/// How a revision came to be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// From a folder (`storefront content import`, or `serve` reading
    /// `content/`): the folder is kept in git.
    Import,
    /// Edited in the panel.
    Panel,
    /// An earlier revision published again.
    Rollback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Published {
    pub revision: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub source: Source,
    #[serde(skip)]
    version: u64,
}

/// The panel's work in progress: a revision not yet published, and the
/// published revision it was started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub revision: String,
    pub base: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
    #[serde(skip)]
    version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Saved as the draft.
    Saved,
    /// Saved while another admin's draft was in place: kept beside it.
    SavedAside,
    Published,
    Imported,
    RolledBack,
}

/// One line of a reseller's content history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub by: String,
    pub kind: EventKind,
    pub revision: String,
    /// The revision this one replaced or was started from.
    #[serde(default)]
    pub previous: Option<String>,
    /// Files that differ from `previous`.
    #[serde(default)]
    pub changed: Vec<String>,
    /// What the editor says it changed ("customer prices").
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error("storefront '{reseller}' has no revision {revision}")]
    Unknown { reseller: String, revision: String },
    /// The published revision is not the one the caller started from.
    #[error(
        "the published content changed meanwhile (now {}, by {}): reload and try again",
        now.as_ref().map_or("nothing", |p| p.revision.as_str()),
        now.as_ref().map_or("nobody", |p| p.by.as_str())
    )]
    Moved { now: Option<Published> },
    /// An import whose folder does not come from the published revision.
    #[error(
        "this folder was exported from {}, but {} is published now ({} by {} at {}): \
         export again and redo your changes there, so that theirs are not overwritten",
        base.as_deref().map_or("no revision (it has no .storefront-revision)", |b| b),
        now.revision, source_name(now.source), now.by, now.at.format("%Y-%m-%d %H:%M UTC")
    )]
    Stale {
        base: Option<String>,
        now: Published,
    },
    #[error("{path}: {message}")]
    Folder { path: PathBuf, message: String },
    #[error("a stored revision is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] BlobError),
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Import => "imported",
        Source::Panel => "edited in the panel",
        Source::Rollback => "rolled back",
    }
}

/// What saving in the panel did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The draft is now this revision.
    Draft(String),
    /// Another admin's draft was saved after this editor loaded its form:
    /// this revision is kept beside it (in the history), and both are shown.
    Aside { revision: String, other: Draft },
}

/// What importing a folder did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// The folder is the published revision already.
    Unchanged(String),
    Published {
        revision: String,
        previous: Option<String>,
    },
}

fn pk(reseller: &str) -> String {
    format!("CONTENT#{reseller}")
}

fn blob_key(hash: &str) -> String {
    format!("content/{hash}")
}

#[derive(Debug, Clone)]
pub struct Revisions {
    store: Arc<dyn Store>,
    blobs: Arc<dyn Blobs>,
}

impl Revisions {
    pub fn new(store: Arc<dyn Store>, blobs: Arc<dyn Blobs>) -> Revisions {
        Revisions { store, blobs }
    }

    /// Keep `files` as a revision of `reseller` and return its id. Saving
    /// content that is already a revision writes nothing.
    pub async fn save(&self, reseller: &str, files: &Files) -> Result<String, RevisionError> {
        let manifest = Manifest::of(files);
        let id = manifest.id();
        let sk = format!("REV#{id}");
        if self.store.get(&pk(reseller), &sk).await?.is_some() {
            return Ok(id);
        }
        // Blobs first: a revision never names a missing file.
        for (path, bytes) in files {
            let hash = &manifest.files[path].hash;
            self.blobs
                .put(&blob_key(hash), bytes.clone(), "application/octet-stream")
                .await?;
        }
        let data =
            serde_json::to_value(&manifest).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.store
            .put(Item::new(pk(reseller), sk, data), Condition::None)
            .await?;
        Ok(id)
    }

    pub async fn manifest(
        &self,
        reseller: &str,
        revision: &str,
    ) -> Result<Manifest, RevisionError> {
        let item = self
            .store
            .get(&pk(reseller), &format!("REV#{revision}"))
            .await?
            .ok_or_else(|| RevisionError::Unknown {
                reseller: reseller.into(),
                revision: revision.into(),
            })?;
        serde_json::from_value(item.data).map_err(|e| RevisionError::Corrupt(e.to_string()))
    }

    /// Every file of a revision, checked against its hash.
    pub async fn files(&self, reseller: &str, revision: &str) -> Result<Files, RevisionError> {
        let manifest = self.manifest(reseller, revision).await?;
        let mut files = Files::new();
        for (path, f) in manifest.files {
            let Some((bytes, _)) = self.blobs.get(&blob_key(&f.hash)).await? else {
                return Err(RevisionError::Corrupt(format!(
                    "{reseller} {revision}: {path} is missing from the blob store"
                )));
            };
            if blake3::hash(&bytes).to_hex().as_str() != f.hash {
                return Err(RevisionError::Corrupt(format!(
                    "{reseller} {revision}: {path} does not match its hash"
                )));
            }
            files.insert(path, bytes);
        }
        Ok(files)
    }

    pub async fn published(&self, reseller: &str) -> Result<Option<Published>, RevisionError> {
        let Some(item) = self.store.get(&pk(reseller), "PUBLISHED").await? else {
            return Ok(None);
        };
        let mut p: Published =
            serde_json::from_value(item.data).map_err(|e| RevisionError::Corrupt(e.to_string()))?;
        p.version = item.version;
        Ok(Some(p))
    }

    pub async fn draft(&self, reseller: &str) -> Result<Option<Draft>, RevisionError> {
        let Some(item) = self.store.get(&pk(reseller), "DRAFT").await? else {
            return Ok(None);
        };
        let mut d: Draft =
            serde_json::from_value(item.data).map_err(|e| RevisionError::Corrupt(e.to_string()))?;
        d.version = item.version;
        Ok(Some(d))
    }

    /// What an editor starts from: the draft if there is one, else the
    /// published revision.
    pub async fn working(&self, reseller: &str) -> Result<Option<String>, RevisionError> {
        Ok(match self.draft(reseller).await? {
            Some(d) => Some(d.revision),
            None => self.published(reseller).await?.map(|p| p.revision),
        })
    }

    /// Save the panel's edit. `loaded` is the revision the editor's form was
    /// filled from (see `working`): if the draft is still that one (or
    /// there is none and it is the published one), the edit becomes the
    /// draft; otherwise another admin saved meanwhile and this edit is kept
    /// beside theirs.
    pub async fn save_draft(
        &self,
        reseller: &str,
        files: &Files,
        loaded: Option<&str>,
        by: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<Saved, RevisionError> {
        let revision = self.save(reseller, files).await?;
        let draft = self.draft(reseller).await?;
        let published = self.published(reseller).await?;
        let ours = match &draft {
            Some(d) => Some(d.revision.as_str()) == loaded,
            None => published.as_ref().map(|p| p.revision.as_str()) == loaded,
        };
        let previous_manifest = match loaded {
            Some(l) => Some(self.manifest(reseller, l).await?),
            None => None,
        };
        let event = Event {
            at,
            by: by.into(),
            kind: if ours {
                EventKind::Saved
            } else {
                EventKind::SavedAside
            },
            revision: revision.clone(),
            previous: loaded.map(String::from),
            changed: Manifest::of(files).changed_since(previous_manifest.as_ref()),
            note: note.into(),
        };
        let mut writes = vec![log_write(reseller, &event)?];
        if ours {
            let next = Draft {
                revision: revision.clone(),
                base: match &draft {
                    Some(d) => d.base.clone(),
                    None => published.map(|p| p.revision),
                },
                at,
                by: by.into(),
                version: 0,
            };
            let data =
                serde_json::to_value(&next).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let (item, condition) = match &draft {
                Some(d) => {
                    let mut item = Item::new(pk(reseller), "DRAFT", data);
                    item.version = d.version + 1;
                    (item, Condition::Version(d.version))
                }
                None => (Item::new(pk(reseller), "DRAFT", data), Condition::NotExists),
            };
            writes.push(Write::Put { item, condition });
        }
        match self.store.transact(writes).await {
            Ok(()) if ours => Ok(Saved::Draft(revision)),
            Ok(()) => Ok(Saved::Aside {
                revision,
                other: draft.expect("a draft other than the loaded revision exists"),
            }),
            // The draft moved between our read and our write: another save
            // won, so this one goes beside it.
            Err(StoreError::TransactionCancelled { .. }) => {
                let other = self.draft(reseller).await?;
                let event = Event {
                    kind: EventKind::SavedAside,
                    at: at + chrono::Duration::microseconds(1),
                    ..event
                };
                self.store
                    .transact(vec![log_write(reseller, &event)?])
                    .await?;
                match other {
                    Some(other) => Ok(Saved::Aside { revision, other }),
                    None => Ok(Saved::Draft(revision)),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Point `reseller` at `revision`, if the published revision is still
    /// `expected` (what the publisher saw). A draft that is this revision
    /// is done with and cleared.
    pub async fn publish(
        &self,
        reseller: &str,
        revision: &str,
        expected: Option<&str>,
        by: &str,
        source: Source,
        at: DateTime<Utc>,
    ) -> Result<(), RevisionError> {
        let manifest = self.manifest(reseller, revision).await?;
        let now = self.published(reseller).await?;
        if now.as_ref().map(|p| p.revision.as_str()) != expected {
            return Err(RevisionError::Moved { now });
        }
        let previous_manifest = match &now {
            Some(p) => Some(self.manifest(reseller, &p.revision).await?),
            None => None,
        };
        let event = Event {
            at,
            by: by.into(),
            kind: match source {
                Source::Import => EventKind::Imported,
                Source::Panel => EventKind::Published,
                Source::Rollback => EventKind::RolledBack,
            },
            revision: revision.into(),
            previous: now.as_ref().map(|p| p.revision.clone()),
            changed: manifest.changed_since(previous_manifest.as_ref()),
            note: String::new(),
        };
        let next = Published {
            revision: revision.into(),
            at,
            by: by.into(),
            source,
            version: 0,
        };
        let data = serde_json::to_value(&next).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let (item, condition) = match &now {
            Some(p) => {
                let mut item = Item::new(pk(reseller), "PUBLISHED", data);
                item.version = p.version + 1;
                (item, Condition::Version(p.version))
            }
            None => (
                Item::new(pk(reseller), "PUBLISHED", data),
                Condition::NotExists,
            ),
        };
        let mut writes = vec![Write::Put { item, condition }, log_write(reseller, &event)?];
        // The platform's own revision is not a storefront.
        if now.is_none() && reseller != PLATFORM {
            writes.push(Write::Put {
                item: Item::new("CONTENT", reseller, serde_json::json!({})),
                condition: Condition::None,
            });
        }
        if let Some(d) = self.draft(reseller).await?
            && d.revision == revision
        {
            writes.push(Write::Delete {
                pk: pk(reseller),
                sk: "DRAFT".into(),
                condition: Condition::Version(d.version),
            });
        }
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCancelled { failed }) if failed.contains(&0) => {
                Err(RevisionError::Moved {
                    now: self.published(reseller).await?,
                })
            }
            // Only the draft moved: someone saved over it meanwhile. Publish
            // and leave their draft alone.
            Err(StoreError::TransactionCancelled { .. }) => {
                Box::pin(self.publish(reseller, revision, expected, by, source, at)).await
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Take back a storefront's first publish, as if it had never been
    /// published: its pointer and its place among the storefronts go, its
    /// revisions and its history stay. A storefront whose first build
    /// failed so keeps nobody from creating it again. Only while the
    /// pointer is still `revision` (nobody published over it meanwhile).
    pub async fn withdraw(&self, reseller: &str, revision: &str) -> Result<(), RevisionError> {
        let Some(p) = self.published(reseller).await? else {
            return Ok(());
        };
        if p.revision != revision {
            return Err(RevisionError::Moved { now: Some(p) });
        }
        let writes = vec![
            Write::Delete {
                pk: pk(reseller),
                sk: "PUBLISHED".into(),
                condition: Condition::Version(p.version),
            },
            Write::Delete {
                pk: "CONTENT".into(),
                sk: reseller.into(),
                condition: Condition::None,
            },
        ];
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCancelled { .. }) => Err(RevisionError::Moved {
                now: self.published(reseller).await?,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Bring a folder in (`storefront content import`, or `serve` reading
    /// `content/`). Refused when the folder was exported from a revision
    /// that is no longer the published one, or when it records no revision
    /// and the published one was not itself imported (panel edits would be
    /// lost without anyone having seen them).
    pub async fn import(
        &self,
        reseller: &str,
        files: &Files,
        base: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Imported, RevisionError> {
        let now = self.published(reseller).await?;
        let revision = Manifest::of(files).id();
        if let Some(p) = &now {
            if p.revision == revision {
                return Ok(Imported::Unchanged(revision));
            }
            let from_published = base == Some(p.revision.as_str());
            let git_managed = base.is_none() && p.source == Source::Import;
            if !from_published && !git_managed {
                return Err(RevisionError::Stale {
                    base: base.map(String::from),
                    now: p.clone(),
                });
            }
        }
        self.save(reseller, files).await?;
        let previous = now.map(|p| p.revision);
        self.publish(
            reseller,
            &revision,
            previous.as_deref(),
            by,
            Source::Import,
            at,
        )
        .await?;
        Ok(Imported::Published { revision, previous })
    }

    /// Every reseller with published content, by id.
    pub async fn resellers(&self) -> Result<Vec<String>, RevisionError> {
        Ok(self
            .store
            .query("CONTENT", Query::default())
            .await?
            .into_iter()
            .map(|i| i.sk)
            .collect())
    }

    /// The newest `limit` events, newest first.
    pub async fn history(&self, reseller: &str, limit: usize) -> Result<Vec<Event>, RevisionError> {
        self.store
            .query(
                &pk(reseller),
                Query {
                    sk_prefix: "LOG#",
                    limit: Some(limit),
                    descending: true,
                    ..Query::default()
                },
            )
            .await?
            .into_iter()
            .map(|i| {
                serde_json::from_value(i.data).map_err(|e| RevisionError::Corrupt(e.to_string()))
            })
            .collect()
    }
}

fn log_write(reseller: &str, event: &Event) -> Result<Write, RevisionError> {
    let micros = event.at.timestamp_micros().max(0);
    let sk = format!(
        "LOG#{micros:020}#{}",
        &event.revision[..8.min(event.revision.len())]
    );
    let data = serde_json::to_value(event).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(Write::Put {
        item: Item::new(pk(reseller), sk, data),
        condition: Condition::None,
    })
}
