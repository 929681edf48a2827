//! The registrant's documents for an order line: what the catalogue asks
//! (the storefront's published snapshot), every version the customer sent,
//! and every review. The rules (what is accepted, what a review may do)
//! are `storefront_core::documents`; this module keeps them.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | a line's document set | `DOCS#<order>#<line>` | `SET` |
//! | sets waiting for the seller's review | `DOCQUEUE#<reseller>` | `<order>#<line>` (copy while something waits) |
//!
//! A file's bytes are a blob under `documents/<blake3 of the bytes>`:
//! written before the set names it, never overwritten (the same bytes are
//! the same key), never deleted by a failed upload, so every version stays
//! readable and nothing a customer sent is lost.

use crate::blobs::Blobs;
use crate::store::{Attempt, Condition, Item, Query, Store, StoreError, Write, retry};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use storefront_core::documents::{Answer, DocProblem, DocumentSet, SetError, Stored, judge};
use storefront_core::snapshot::Snapshot;

pub const SET_SK: &str = "SET";

pub fn set_pk(order: &str, line: &str) -> String {
    format!("DOCS#{order}#{line}")
}

pub fn queue_pk(reseller: &str) -> String {
    format!("DOCQUEUE#{reseller}")
}

/// One line's documents, with what identifies it for its reviewers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub order: String,
    pub line: String,
    pub reseller: String,
    pub customer: String,
    pub domain: String,
    pub ext: String,
    pub set: DocumentSet,
}

/// Why a document was not taken.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// Not a document this line asks for (or no such line): 404.
    #[error("not found")]
    NotFound,
    #[error("{item}: {problem}")]
    Refused { item: String, problem: DocProblem },
    #[error("{item}: {error}")]
    Set { item: String, error: SetError },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] crate::blobs::BlobError),
}

#[derive(Debug, Clone)]
pub struct Documents {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn Blobs>,
}

/// Where a line's documents are, and what they are about.
pub struct Subject<'a> {
    pub order: &'a str,
    pub line: &'a str,
    pub reseller: &'a str,
    pub customer: &'a str,
    pub domain: &'a str,
    pub ext: &'a str,
}

impl Documents {
    pub async fn get(&self, order: &str, line: &str) -> Result<Option<(Record, u64)>, DocError> {
        let Some(item) = self.store.get(&set_pk(order, line), SET_SK).await? else {
            return Ok(None);
        };
        let r: Record = serde_json::from_value(item.data)
            .map_err(|e| StoreError::Invalid(format!("document set: {e}")))?;
        Ok(Some((r, item.version)))
    }

    /// The set of a line, made (every item missing) the first time it is
    /// asked for: the items are the snapshot's for the line's extension.
    pub async fn open(&self, s: &Snapshot, sub: &Subject<'_>) -> Result<Record, DocError> {
        if let Some((r, _)) = self.get(sub.order, sub.line).await? {
            return Ok(r);
        }
        let required = s.documents.get(sub.ext).cloned().unwrap_or_default();
        if required.is_empty() {
            return Err(DocError::NotFound);
        }
        let r = Record {
            order: sub.order.into(),
            line: sub.line.into(),
            reseller: sub.reseller.into(),
            customer: sub.customer.into(),
            domain: sub.domain.into(),
            ext: sub.ext.into(),
            set: DocumentSet::new(&required),
        };
        let item = Item::new(set_pk(sub.order, sub.line), SET_SK, to_value(&r)?);
        match self.store.put(item, Condition::NotExists).await {
            Ok(()) => Ok(r),
            // Made meanwhile by another request: that one is the set.
            Err(StoreError::ConditionFailed { .. }) => self
                .get(sub.order, sub.line)
                .await?
                .map(|(r, _)| r)
                .ok_or(DocError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// A new version of `item` from the customer, judged by the
    /// catalogue's rules for it; a file's bytes are kept first, then named.
    pub async fn submit(
        &self,
        s: &Snapshot,
        sub: &Subject<'_>,
        item: &str,
        answer: &Answer<'_>,
        at: &str,
        by: &str,
    ) -> Result<Record, DocError> {
        let record = self.open(s, sub).await?;
        let Some(rules) = s
            .document_items
            .get(item)
            .filter(|_| record.set.items.contains_key(item))
        else {
            return Err(DocError::NotFound);
        };
        let stored = judge(rules, answer).map_err(|problem| DocError::Refused {
            item: item.to_string(),
            problem,
        })?;
        // Refused before any bytes are kept when the item is settled.
        if record.set.state(item) == Some(storefront_core::documents::ItemState::Approved) {
            return Err(DocError::Set {
                item: item.into(),
                error: SetError::AlreadyApproved,
            });
        }
        let key = match (answer, &stored) {
            (Answer::File { bytes, .. }, Stored::File { content_type, .. }) => {
                let key = format!("documents/{}", blake3::hash(bytes).to_hex());
                self.blobs.put(&key, bytes.to_vec(), content_type).await?;
                Some(key)
            }
            _ => None,
        };
        self.change(sub.order, sub.line, |set| {
            set.submit(item, stored.clone(), key.clone(), at, by)
                .map(|_| ())
        })
        .await
        .map_err(|e| with_item(e, item))
    }

    /// A reviewer's decision on version `version` of `item`.
    #[allow(clippy::too_many_arguments)]
    pub async fn review(
        &self,
        order: &str,
        line: &str,
        item: &str,
        version: u32,
        approve: bool,
        reason: Option<String>,
        at: &str,
        by: &str,
    ) -> Result<Record, DocError> {
        self.change(order, line, |set| {
            set.review(item, version, approve, reason.clone(), at, by)
        })
        .await
        .map_err(|e| with_item(e, item))
    }

    /// Read, change, write back conditioned on the version read; the
    /// seller's queue follows in the same transaction.
    async fn change(
        &self,
        order: &str,
        line: &str,
        f: impl Fn(&mut DocumentSet) -> Result<(), SetError>,
    ) -> Result<Record, DocError> {
        retry(|| async {
            let Some((mut r, version)) = self.get(order, line).await? else {
                return Err(DocError::NotFound);
            };
            f(&mut r.set).map_err(|error| DocError::Set {
                item: String::new(),
                error,
            })?;
            let mut item = Item::new(set_pk(order, line), SET_SK, to_value(&r)?);
            item.version = version + 1;
            let queue = queue_pk(&r.reseller);
            let entry = format!("{order}#{line}");
            let mut writes = vec![Write::Put {
                item,
                condition: Condition::Version(version),
            }];
            if r.set.waiting() > 0 {
                writes.push(Write::Put {
                    item: Item::new(
                        queue,
                        entry,
                        serde_json::json!({"order": order, "line": line, "domain": r.domain, "waiting": r.set.waiting()}),
                    ),
                    condition: Condition::None,
                });
            } else {
                writes.push(Write::Delete {
                    pk: queue,
                    sk: entry,
                    condition: Condition::None,
                });
            }
            match self.store.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(r)),
                Err(StoreError::TransactionCancelled { .. } | StoreError::ConditionFailed { .. }) => {
                    Ok(Attempt::Raced)
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// The lines of `reseller`'s orders whose documents wait for a review,
    /// oldest first: (order, line, domain, items waiting).
    pub async fn waiting(
        &self,
        reseller: &str,
    ) -> Result<Vec<(String, String, String, u64)>, DocError> {
        let items = self
            .store
            .query(&queue_pk(reseller), Query::default())
            .await?;
        Ok(items
            .into_iter()
            .map(|i| {
                let d = &i.data;
                let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
                (
                    s("order"),
                    s("line"),
                    s("domain"),
                    d["waiting"].as_u64().unwrap_or(0),
                )
            })
            .collect())
    }

    /// A version's file: bytes and content type.
    pub async fn file(
        &self,
        r: &Record,
        item: &str,
        version: u32,
    ) -> Result<Option<(Vec<u8>, String)>, DocError> {
        let key = r
            .set
            .items
            .get(item)
            .and_then(|i| i.versions.iter().find(|v| v.n == version))
            .and_then(|v| v.key.clone());
        match key {
            Some(k) => Ok(self.blobs.get(&k).await?),
            None => Ok(None),
        }
    }
}

fn with_item(e: DocError, item: &str) -> DocError {
    match e {
        DocError::Set { error, .. } => DocError::Set {
            item: item.to_string(),
            error,
        },
        e => e,
    }
}

fn to_value(r: &Record) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(r).map_err(|e| StoreError::Invalid(format!("document set: {e}")))
}

impl From<DocError> for crate::accounts::error::AccountsError {
    fn from(e: DocError) -> Self {
        match e {
            DocError::NotFound => crate::error::ApiError::NotFound.into(),
            DocError::Store(e) => e.into(),
            DocError::Blob(e) => e.into(),
            // Said by the routes, which know the reader's language.
            e => crate::accounts::error::AccountsError::unavailable(e),
        }
    }
}
