//! The registrant's documents for an order line: what the catalogue asks
//! (the storefront's published snapshot), every version the customer sent,
//! and every review. The rules (what is accepted, what a review may do)
//! are `storefront_core::documents`; this module keeps them.
//!
//! A set's subject is an order line or a reseller's application to the
//! platform (`Of`): the same checks, the same kept versions and reviews.
//! An application's set is keyed `DOCS#@application#<application>`, is
//! reviewed by the platform alone, and is listed by the applications (not
//! the review queues, which hold order lines).
//!
//! | item | pk | sk |
//! |---|---|---|
//! | a line's document set | `DOCS#<order>#<line>` | `SET` |
//! | sets waiting for the seller's review | `DOCQUEUE#<reseller>` | `<order>#<line>` (copy while something waits) |
//! | sets waiting for the platform's review | `DOCQUEUE#@platform` | `<reseller>#<order>#<line>` |
//! | a set naming a file (one per file) | `DOCBLOB#<hash>` | `<order>#<line>` |
//! | a customer's fully approved sets, to reuse | `DOCAPPROVED#<reseller>#<customer>` | `<ext>#<order>#<line>` |
//! | when to look at a set's retention next | `DOCRETAIN` | `<day>#<order>#<line>` |
//!
//! Every write of a set writes its file references, its approved entry and
//! its queue entry in the same transaction. A set reused from another
//! shares its files (the same keys); its files are deleted after its domain
//! ends (`retire`), each only when no other set names it any more.
//!
//! A file's bytes are a blob under `documents/<blake3 of the bytes>`:
//! written before the set names it, never overwritten (the same bytes are
//! the same key), never deleted by a failed upload, so every version stays
//! readable and nothing a customer sent is lost.

use crate::blobs::Blobs;
use crate::store::{Attempt, Condition, Item, Query, Store, StoreError, Write, retry};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use storefront_core::documents::{
    Answer, Candidate, Decision, DocProblem, DocumentSet, Level, Origin, Registrant, Reviewers,
    SetError, Stored, Tombstone, judge,
};
use storefront_core::snapshot::Snapshot;

pub const SET_SK: &str = "SET";

pub fn set_pk(order: &str, line: &str) -> String {
    format!("DOCS#{order}#{line}")
}

pub fn queue_pk(reseller: &str) -> String {
    format!("DOCQUEUE#{reseller}")
}

/// Sets waiting for the platform's review, from every storefront (by
/// `<reseller>#<order>#<line>`).
pub const PLATFORM_QUEUE: &str = "DOCQUEUE#@platform";

/// The references to one file: a set naming `key` has an item here.
pub fn blob_pk(key: &str) -> String {
    format!("DOCBLOB#{}", key.strip_prefix("documents/").unwrap_or(key))
}

pub fn approved_pk(reseller: &str, customer: &str) -> String {
    format!("DOCAPPROVED#{reseller}#{customer}")
}

/// The retention agenda: one item per set, sorted by the day it is looked
/// at next, so a scheduler reads what is due from the start.
pub const AGENDA_PK: &str = "DOCRETAIN";
/// The day of a set not looked at yet: before any other.
const AGENDA_FIRST: &str = "0000-00-00";

fn agenda_sk(day: &str, order: &str, line: &str) -> String {
    format!("{day}#{order}#{line}")
}

/// What a set of documents is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Of {
    /// An order line's registrant (`order`, `line`).
    #[default]
    Line,
    /// A reseller's application to the platform (`line` is the
    /// application, `order` is `APPLICATION`).
    Application,
}

impl Of {
    fn is_line(&self) -> bool {
        *self == Of::Line
    }
}

/// The `order` of an application's set: no order's id starts with `@`.
pub const APPLICATION: &str = "@application";

/// One line's documents, with what identifies it for its reviewers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Its subject: an order line unless said otherwise.
    #[serde(default, skip_serializing_if = "Of::is_line")]
    pub of: Of,
    pub order: String,
    pub line: String,
    pub reseller: String,
    pub customer: String,
    pub domain: String,
    pub ext: String,
    pub set: DocumentSet,
    /// Whom the documents are about, as the account said when the set was
    /// made: what a later order's reuse is matched against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrant: Option<Registrant>,
    /// Its files deleted after its domain ended: what went, when, why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Tombstone>,
    /// Who reviews them, as the catalogue said when the set was made: an
    /// order keeps the rules it was placed under.
    #[serde(default)]
    pub reviewers: Reviewers,
}

impl Record {
    /// As the reuse rule in core reads it.
    pub fn candidate(&self) -> Candidate<'_> {
        Candidate {
            ext: &self.ext,
            registrant: self.registrant.as_ref(),
            set: &self.set,
            deleted: self.deleted.is_some(),
        }
    }
}

/// An approved set a line may reuse, as the customer is offered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub order: String,
    pub line: String,
    pub domain: String,
    /// RFC 3339: when its last item was approved.
    pub approved_at: String,
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
    /// Its files were deleted after its domain ended: 410.
    #[error("deleted")]
    Deleted {
        domain: String,
        tombstone: Tombstone,
    },
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
            of: Of::Line,
            order: sub.order.into(),
            line: sub.line.into(),
            reseller: sub.reseller.into(),
            customer: sub.customer.into(),
            domain: sub.domain.into(),
            ext: sub.ext.into(),
            set: DocumentSet::new(&required),
            registrant: Some(self.registrant(sub.reseller, sub.customer).await?),
            deleted: None,
            reviewers: s.reviewers(sub.ext),
        };
        let writes = vec![
            Write::Put {
                item: Item::new(set_pk(sub.order, sub.line), SET_SK, to_value(&r)?),
                condition: Condition::NotExists,
            },
            // Looked at by the next scheduler, which says when next.
            Write::Put {
                item: Item::new(
                    AGENDA_PK,
                    agenda_sk(AGENDA_FIRST, sub.order, sub.line),
                    serde_json::json!({"order": sub.order, "line": sub.line}),
                ),
                condition: Condition::None,
            },
        ];
        match self.store.transact(writes).await {
            Ok(()) => Ok(r),
            // Made meanwhile by another request: that one is the set.
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionCancelled { .. }) => {
                self.get(sub.order, sub.line)
                    .await?
                    .map(|(r, _)| r)
                    .ok_or(DocError::NotFound)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The set of the application `id` (by the account `applicant` of the
    /// platform's storefront `platform`, for the storefront `wanted`),
    /// made the first time with `items` missing; reviewed by the platform.
    pub async fn open_application(
        &self,
        platform: &str,
        id: &str,
        applicant: &str,
        wanted: &str,
        items: &[String],
    ) -> Result<Record, DocError> {
        if let Some((r, _)) = self.get(APPLICATION, id).await? {
            return Ok(r);
        }
        let r = Record {
            of: Of::Application,
            order: APPLICATION.into(),
            line: id.into(),
            reseller: platform.into(),
            customer: applicant.into(),
            domain: wanted.into(),
            ext: String::new(),
            set: DocumentSet::new(items),
            registrant: None,
            deleted: None,
            reviewers: Reviewers::Platform,
        };
        let item = Item::new(set_pk(APPLICATION, id), SET_SK, to_value(&r)?);
        match self.store.put(item, Condition::NotExists).await {
            Ok(()) => Ok(r),
            Err(StoreError::ConditionFailed { .. }) => self
                .get(APPLICATION, id)
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
        self.submit_to(&s.document_items, record, item, answer, at, by)
            .await
    }

    /// A new version of `item` in the set `record`, judged by `rules`
    /// (the catalogue's items): whatever the set's subject.
    pub async fn submit_to(
        &self,
        rules: &std::collections::BTreeMap<String, storefront_core::catalogue::DocumentItem>,
        record: Record,
        item: &str,
        answer: &Answer<'_>,
        at: &str,
        by: &str,
    ) -> Result<Record, DocError> {
        if let Some(t) = record.deleted {
            return Err(DocError::Deleted {
                domain: record.domain,
                tombstone: t,
            });
        }
        let Some(rules) = rules
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
        self.change(&record.order, &record.line, |set| {
            set.submit(item, stored.clone(), key.clone(), at, by)
                .map(|_| ())
        })
        .await
        .map_err(|e| with_item(e, item))
    }

    /// A reviewer's decision on version `version` of `item`, for `level`
    /// (core's `review_as`: a level that does not review the set is told it
    /// does not exist).
    pub async fn review(
        &self,
        order: &str,
        line: &str,
        item: &str,
        version: u32,
        d: Decision<'_>,
        level: Level,
    ) -> Result<Record, DocError> {
        // Who reviews is fixed when the set is made.
        let reviewers = match self.get(order, line).await? {
            Some((r, _)) => r.reviewers,
            None => return Err(DocError::NotFound),
        };
        self.change(order, line, |set| {
            set.review_as(item, version, d.clone(), level, reviewers)
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
            if r.deleted.is_some() {
                return Err(DocError::NotFound);
            }
            let was = r.clone();
            f(&mut r.set).map_err(|error| DocError::Set {
                item: String::new(),
                error,
            })?;
            let writes = set_writes(&was, &r, version)?;
            crate::stats::ensure(self.store.as_ref(), &writes).await?;
            match self.store.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(r)),
                Err(
                    StoreError::TransactionCancelled { .. } | StoreError::ConditionFailed { .. },
                ) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// The registrant `customer`'s lines are for now: the account, and its
    /// company's tax id when it is a company's.
    pub async fn registrant(&self, reseller: &str, customer: &str) -> Result<Registrant, DocError> {
        let profile = crate::accounts::records::load(self.store.as_ref(), reseller, customer)
            .await?
            .map(|(_, p)| p);
        let tax_id = profile
            .as_ref()
            .filter(|p| p.kind == crate::accounts::Kind::Company)
            .and_then(|p| p.company.as_ref())
            .map(|c| c.tax_id.as_str());
        Ok(Registrant::new(customer, tax_id))
    }

    /// The customer's approved sets `r` may reuse (core's rule), newest
    /// approval first: never another account's, another extension's, a
    /// set of another company tax id, or `r` itself.
    pub async fn offers(&self, r: &Record) -> Result<Vec<Offer>, DocError> {
        if r.deleted.is_some() || r.set.complete() {
            return Ok(Vec::new());
        }
        let who = self.registrant(&r.reseller, &r.customer).await?;
        let asked: Vec<String> = r.set.items.keys().cloned().collect();
        let entries = self
            .store
            .query(
                &approved_pk(&r.reseller, &r.customer),
                Query {
                    sk_prefix: &format!("{}#", r.ext),
                    ..Query::default()
                },
            )
            .await?;
        let mut out = Vec::new();
        for e in entries {
            let (Some(order), Some(line)) = (e.data["order"].as_str(), e.data["line"].as_str())
            else {
                continue;
            };
            if (order, line) == (r.order.as_str(), r.line.as_str()) {
                continue;
            }
            let Some((source, _)) = self.get(order, line).await? else {
                continue;
            };
            if source.customer != r.customer
                || !storefront_core::documents::reusable(&who, &r.ext, &asked, &source.candidate())
            {
                continue;
            }
            if let Some(review) = source.set.approved() {
                out.push(Offer {
                    order: source.order.clone(),
                    line: source.line.clone(),
                    domain: source.domain.clone(),
                    approved_at: review.at.clone(),
                });
            }
        }
        out.sort_by(|a, b| b.approved_at.cmp(&a.approved_at));
        Ok(out)
    }

    /// Take the approved versions of `from` (order, line) into the set of
    /// `sub`, as the customer chose: the same files (keys), their reviews,
    /// where they came from. Refused (NotReusable) unless core's rule
    /// offers it; written only while the source is as read, so a source
    /// deleted meanwhile is never reused.
    pub async fn reuse(
        &self,
        s: &Snapshot,
        sub: &Subject<'_>,
        from: (&str, &str),
        at: &str,
        by: &str,
    ) -> Result<Record, DocError> {
        let target = self.open(s, sub).await?;
        if let Some(t) = target.deleted {
            return Err(DocError::Deleted {
                domain: target.domain,
                tombstone: t,
            });
        }
        let who = self.registrant(sub.reseller, sub.customer).await?;
        let refused = || DocError::Set {
            item: String::new(),
            error: SetError::NotReusable,
        };
        retry(|| async {
            let Some((source, source_v)) = self.get(from.0, from.1).await? else {
                return Err(DocError::NotFound);
            };
            // Another customer's documents do not exist for this one.
            if source.customer != sub.customer || source.reseller != sub.reseller {
                return Err(DocError::NotFound);
            }
            let Some((mut r, version)) = self.get(sub.order, sub.line).await? else {
                return Err(DocError::NotFound);
            };
            let asked: Vec<String> = r.set.items.keys().cloned().collect();
            if (from.0, from.1) == (sub.order, sub.line)
                || !storefront_core::documents::reusable(&who, &r.ext, &asked, &source.candidate())
            {
                return Err(refused());
            }
            let was = r.clone();
            let origin = Origin {
                order: source.order.clone(),
                line: source.line.clone(),
                domain: source.domain.clone(),
                version: 0,
            };
            r.set
                .reuse(&source.set, &origin, at, by)
                .map_err(|error| DocError::Set {
                    item: String::new(),
                    error,
                })?;
            let mut writes = set_writes(&was, &r, version)?;
            crate::stats::ensure(self.store.as_ref(), &writes).await?;
            writes.push(Write::Check {
                pk: set_pk(from.0, from.1),
                sk: SET_SK.into(),
                condition: Condition::Version(source_v),
            });
            match self.store.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(r)),
                Err(
                    StoreError::TransactionCancelled { .. } | StoreError::ConditionFailed { .. },
                ) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// The sets whose retention is to be looked at by `today`: (agenda
    /// entry, order, line), earliest first.
    pub async fn retention_due(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<Vec<(String, String, String)>, DocError> {
        let last = format!("{today}#~");
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .query(
                    AGENDA_PK,
                    Query {
                        after: after.as_deref(),
                        limit: Some(100),
                        ..Query::default()
                    },
                )
                .await?;
            let full = page.len() == 100;
            for i in &page {
                if i.sk.as_str() > last.as_str() {
                    return Ok(out);
                }
                let s = |k: &str| i.data[k].as_str().unwrap_or_default().to_string();
                out.push((i.sk.clone(), s("order"), s("line")));
            }
            match page.last() {
                Some(i) if full => after = Some(i.sk.clone()),
                _ => return Ok(out),
            }
        }
    }

    /// Look at a set again on `day`: its agenda entry moved, once however
    /// many schedulers do it (false for the ones that came second).
    pub async fn reschedule(
        &self,
        entry: &str,
        order: &str,
        line: &str,
        day: chrono::NaiveDate,
    ) -> Result<bool, DocError> {
        let next = agenda_sk(&day.to_string(), order, line);
        if next == entry {
            return Ok(false);
        }
        let writes = vec![
            Write::Delete {
                pk: AGENDA_PK.into(),
                sk: entry.into(),
                condition: Condition::Exists,
            },
            Write::Put {
                item: Item::new(
                    AGENDA_PK,
                    next,
                    serde_json::json!({"order": order, "line": line}),
                ),
                condition: Condition::None,
            },
        ];
        match self.store.transact(writes).await {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCancelled { .. } | StoreError::ConditionFailed { .. }) => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A set not kept any longer (gone, or deleted already): off the
    /// agenda.
    pub async fn forget(&self, entry: &str) -> Result<(), DocError> {
        Ok(self.store.delete(AGENDA_PK, entry, Condition::None).await?)
    }

    /// Delete the files of the set of (`order`, `line`), whose domain ended
    /// on `ended`, kept `days` days since: each file no other set names is
    /// deleted, then the set's content is replaced by a tombstone, its
    /// references, approved entry, queue and agenda entries removed, in one
    /// transaction over the version read. True for the one run that wrote
    /// the tombstone, however many run at once.
    pub async fn retire(
        &self,
        entry: &str,
        order: &str,
        line: &str,
        ended: chrono::NaiveDate,
        days: u16,
        at: &str,
    ) -> Result<bool, DocError> {
        let Some((r, version)) = self.get(order, line).await? else {
            self.forget(entry).await?;
            return Ok(false);
        };
        if r.deleted.is_some() {
            self.forget(entry).await?;
            return Ok(false);
        }
        let me = format!("{order}#{line}");
        let mut files = 0;
        for key in r.set.keys() {
            let refs = self.store.query(&blob_pk(key), Query::default()).await?;
            if refs.iter().all(|i| i.sk == me) {
                self.blobs.delete(key).await?;
                files += 1;
            }
        }
        let tombstone = Tombstone {
            at: at.to_string(),
            ended,
            days,
            items: r
                .set
                .items
                .iter()
                .map(|(id, rec)| {
                    (
                        id.clone(),
                        u32::try_from(rec.versions.len()).unwrap_or(u32::MAX),
                    )
                })
                .collect(),
            files,
        };
        let gone = Record {
            set: DocumentSet::default(),
            deleted: Some(tombstone),
            ..r.clone()
        };
        let mut writes = set_writes(&r, &gone, version)?;
        crate::stats::ensure(self.store.as_ref(), &writes).await?;
        for key in r.set.keys() {
            writes.push(Write::Delete {
                pk: blob_pk(key),
                sk: me.clone(),
                condition: Condition::None,
            });
        }
        writes.push(Write::Delete {
            pk: AGENDA_PK.into(),
            sk: entry.into(),
            condition: Condition::None,
        });
        match self.store.transact(writes).await {
            Ok(()) => Ok(true),
            // Another scheduler wrote it first (or the set changed: the
            // next run looks again).
            Err(StoreError::TransactionCancelled { .. } | StoreError::ConditionFailed { .. }) => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The lines of `reseller`'s orders whose documents wait for a review,
    /// oldest first: (order, line, domain, items waiting).
    /// Sets waiting for the platform's review: (reseller, order, line,
    /// domain, items waiting).
    pub async fn waiting_for_platform(
        &self,
    ) -> Result<Vec<(String, String, String, String, u64)>, DocError> {
        let items = self.store.query(PLATFORM_QUEUE, Query::default()).await?;
        Ok(items
            .into_iter()
            .map(|i| {
                let d = &i.data;
                let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
                (
                    s("reseller"),
                    s("order"),
                    s("line"),
                    s("domain"),
                    d["waiting"].as_u64().unwrap_or(0),
                )
            })
            .collect())
    }

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
        if let Some(t) = &r.deleted {
            return Err(DocError::Deleted {
                domain: r.domain.clone(),
                tombstone: t.clone(),
            });
        }
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

/// A set written back over `version` (where it was `was`), with what
/// follows it: its queue entry while something waits for review, the
/// seller's count of sets waiting when that changes (`stats`), its approved
/// entry while it is complete, a reference for every file it names.
fn set_writes(was: &Record, r: &Record, version: u64) -> Result<Vec<Write>, StoreError> {
    let (order, line) = (r.order.as_str(), r.line.as_str());
    let mut item = Item::new(set_pk(order, line), SET_SK, to_value(r)?);
    item.version = version + 1;
    let entry = format!("{order}#{line}");
    let mut writes = vec![Write::Put {
        item,
        condition: Condition::Version(version),
    }];
    if r.of == Of::Application {
        // Listed by its application; no registrant reuses it.
        writes.extend(r.set.keys().into_iter().map(|key| Write::Put {
            item: Item::new(blob_pk(key), entry.clone(), serde_json::json!({"key": key})),
            condition: Condition::None,
        }));
        return Ok(writes);
    }
    // Each reviewing level's queue holds the set while something waits
    // for that level's review.
    for (level, queue, sk) in [
        (Level::Reseller, queue_pk(&r.reseller), entry.clone()),
        (
            Level::Platform,
            PLATFORM_QUEUE.to_string(),
            format!("{}#{entry}", r.reseller),
        ),
    ] {
        let waiting = r.set.awaiting(level, r.reviewers);
        writes.push(if waiting > 0 && r.deleted.is_none() {
            Write::Put {
                item: Item::new(
                    queue,
                    sk,
                    serde_json::json!({"reseller": r.reseller, "order": order, "line": line, "domain": r.domain, "waiting": waiting}),
                ),
                condition: Condition::None,
            }
        } else {
            Write::Delete {
                pk: queue,
                sk,
                condition: Condition::None,
            }
        });
    }
    let waits =
        |r: &Record| r.deleted.is_none() && r.set.awaiting(Level::Reseller, r.reviewers) > 0;
    match (waits(was), waits(r)) {
        (false, true) => writes.push(crate::stats::waiting(
            &r.reseller,
            crate::stats::DOCUMENTS,
            1,
        )),
        (true, false) => writes.push(crate::stats::waiting(
            &r.reseller,
            crate::stats::DOCUMENTS,
            -1,
        )),
        _ => {}
    }
    let approved = approved_pk(&r.reseller, &r.customer);
    let approved_sk = format!("{}#{entry}", r.ext);
    writes.push(match r.set.approved().filter(|_| r.deleted.is_none()) {
        Some(review) => Write::Put {
            item: Item::new(
                approved,
                approved_sk,
                serde_json::json!({"order": order, "line": line, "domain": r.domain, "approved_at": review.at}),
            ),
            condition: Condition::None,
        },
        None => Write::Delete {
            pk: approved,
            sk: approved_sk,
            condition: Condition::None,
        },
    });
    for key in r.set.keys() {
        writes.push(Write::Put {
            item: Item::new(blob_pk(key), entry.clone(), serde_json::json!({"key": key})),
            condition: Condition::None,
        });
    }
    Ok(writes)
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
            // Said in English where the reader's language is not known;
            // the routes say it in theirs (`doc_failure`).
            DocError::Deleted { domain, tombstone } => {
                crate::accounts::error::AccountsError::Said {
                    status: axum::http::StatusCode::GONE,
                    code: "deleted",
                    message: tombstone.message(&domain, storefront_core::Locale::En),
                    field: None,
                    retry_after_secs: None,
                }
            }
            // Said by the routes, which know the reader's language.
            e => crate::accounts::error::AccountsError::unavailable(e),
        }
    }
}
