//! The platform's announcements to its resellers: the console publishes,
//! edits and withdraws them; every reseller's dashboard reads them. What
//! is valid and what is shown to whom is decided in
//! `storefront_core::announcement`; this module keeps them.
//!
//! | item | pk | sk | data |
//! |---|---|---|---|
//! | one announcement | `PLATFORM#ANNOUNCEMENTS` | `ANN#<13-digit ms>#<8 hex>` | `Announcement` |
//!
//! Every announcement is in one partition, so one query answers a
//! dashboard whatever it shows. It stays small by itself: a withdrawn
//! announcement is deleted, and one with a last day expires
//! `KEPT_AFTER_DAYS` after it (the store's expiry), so the partition holds
//! what is in force or coming, and what recently ended.

use crate::store::{Condition, Item, Query, Store, StoreError};
use chrono::{DateTime, Utc};
use storefront_core::announcement::{Announcement, Terms};

pub const PK: &str = "PLATFORM#ANNOUNCEMENTS";

/// How long an ended announcement stays in the console's list.
pub const KEPT_AFTER_DAYS: i64 = 30;

/// The most announcements read at once: far more than a platform keeps in
/// force, and a bound on what a dashboard view reads.
pub const MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnouncementFailure {
    /// No such announcement (withdrawn, expired, or never made).
    #[error("no announcement {0}")]
    Unknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn unreadable(e: serde_json::Error) -> StoreError {
    StoreError::Unavailable(format!("an announcement is unreadable: {e}"))
}

fn item(a: &Announcement) -> Result<Item, StoreError> {
    let data = serde_json::to_value(a).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let item = Item::new(PK, a.id.clone(), data);
    Ok(match a.terms.ends {
        // Kept a while after its last day, in any time zone.
        Some(e) => item.expiring(
            e.and_hms_opt(0, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp())
                + (KEPT_AFTER_DAYS + 2) * 86_400,
        ),
        None => item,
    })
}

/// Every announcement kept (in force, coming, recently ended), in no
/// particular order: one query.
pub async fn all(store: &dyn Store) -> Result<Vec<Announcement>, StoreError> {
    store
        .query(
            PK,
            Query {
                sk_prefix: "ANN#",
                limit: Some(MAX),
                descending: true,
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .map(|i| serde_json::from_value(i.data).map_err(unreadable))
        .collect()
}

/// One announcement and the version it was read at.
pub async fn get(store: &dyn Store, id: &str) -> Result<(Announcement, u64), AnnouncementFailure> {
    let item = store
        .get(PK, id)
        .await?
        .ok_or_else(|| AnnouncementFailure::Unknown(id.to_string()))?;
    let a = serde_json::from_value(item.data).map_err(unreadable)?;
    Ok((a, item.version))
}

/// Publish a new announcement.
pub async fn publish(
    store: &dyn Store,
    terms: Terms,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Announcement, AnnouncementFailure> {
    // A random tail: two published in the same millisecond are two.
    let tail = crate::accounts::secrets::new_id()
        .map(|id| id[..8].to_string())
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let a = Announcement {
        id: format!("ANN#{:013}#{tail}", at.timestamp_millis().max(0)),
        terms,
        by: by.to_string(),
        at,
    };
    store.put(item(&a)?, Condition::NotExists).await?;
    Ok(a)
}

/// Rewrite announcement `id` with new terms, on condition that nobody
/// changed or withdrew it since it was read: answers (before, after).
pub async fn edit(
    store: &dyn Store,
    id: &str,
    terms: Terms,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(Announcement, Announcement), AnnouncementFailure> {
    let (before, version) = get(store, id).await?;
    let after = Announcement {
        id: before.id.clone(),
        terms,
        by: by.to_string(),
        at,
    };
    let mut it = item(&after)?;
    it.version = version + 1;
    match store.put(it, Condition::Version(version)).await {
        Ok(()) => Ok((before, after)),
        // Withdrawn or changed meanwhile: the operator reads the list again.
        Err(StoreError::ConditionFailed { .. }) => Err(AnnouncementFailure::Unknown(id.into())),
        Err(e) => Err(e.into()),
    }
}

/// Withdraw announcement `id`: no dashboard shows it from now on. Answers
/// what it was.
pub async fn withdraw(store: &dyn Store, id: &str) -> Result<Announcement, AnnouncementFailure> {
    let (a, version) = get(store, id).await?;
    match store.delete(PK, id, Condition::Version(version)).await {
        Ok(()) => Ok(a),
        Err(StoreError::ConditionFailed { .. }) => Err(AnnouncementFailure::Unknown(id.into())),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use storefront_core::Locale;
    use storefront_core::announcement::{Typed, check};
    use storefront_core::dates::Zone;

    fn terms(title: &str, starts: &str, ends: &str) -> Terms {
        let typed = Typed {
            texts: vec![(Locale::En, title.into(), "body".into())],
            audience: String::new(),
            starts: starts.into(),
            ends: ends.into(),
        };
        check(&typed, Zone::UTC).expect("valid")
    }

    #[tokio::test]
    async fn published_edited_and_withdrawn() {
        let dir = tempfile::tempdir().expect("dir");
        let store = EmbeddedStore::open(&dir.path().join("s.db")).expect("store");
        let now = Utc::now();
        let a = publish(&store, terms("One", "2026-03-01", ""), "ops", now)
            .await
            .expect("one");
        publish(&store, terms("Two", "2026-03-01", "2099-03-02"), "ops", now)
            .await
            .expect("two");
        assert_eq!(all(&store).await.expect("all").len(), 2);
        let (before, after) = edit(&store, &a.id, terms("Uno", "2026-03-01", ""), "ops2", now)
            .await
            .expect("edit");
        assert_eq!(before.terms.texts[&Locale::En].title, "One");
        assert_eq!(after.by, "ops2");
        let (read, _) = get(&store, &a.id).await.expect("read");
        assert_eq!(read, after);
        withdraw(&store, &a.id).await.expect("withdrawn");
        assert_eq!(
            withdraw(&store, &a.id).await,
            Err(AnnouncementFailure::Unknown(a.id.clone()))
        );
        assert_eq!(all(&store).await.expect("all").len(), 1);
        // Long over: the store has let it expire.
        publish(&store, terms("Old", "2020-01-01", "2020-01-31"), "ops", now)
            .await
            .expect("old");
        assert_eq!(all(&store).await.expect("all").len(), 1);
    }
}
