//! Suspension of a reseller by the platform's operators (the console calls
//! `suspend`, `reinstate`, `list` and `history`); the order path and search
//! call `stopping`. What it means is decided in
//! `storefront_core::suspension`; this module keeps the list.
//!
//! | item | pk | sk | data |
//! |---|---|---|---|
//! | every suspended reseller | `PLATFORM#SUSPENDED` | `LIST` | `Suspended` |
//! | each change, append-only | `PLATFORM#SUSPENSIONS` | `AT#<13-digit ms>#<reseller>#<suspend or reinstate>#<8 hex>` | `Change` |
//!
//! One item lists every suspension, so a storefront's whole ancestry (its
//! snapshot's levels) is checked with one read per order, whatever its
//! depth. Each change is a write of that item conditioned on the version
//! read, with its history entry in the same transaction: two operators
//! changing it at once never lose one another's change (the second reads
//! again and decides again). At about 250 bytes an entry, the item holds
//! well over a thousand suspensions within the store's item size.

use crate::store::{Attempt, Condition, Item, Query, Store, StoreError, Write, retry};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storefront_core::snapshot::Snapshot;
use storefront_core::suspension::{Suspended, Suspension, SuspensionError};

pub const PK: &str = "PLATFORM#SUSPENDED";
pub const SK: &str = "LIST";
pub const HISTORY_PK: &str = "PLATFORM#SUSPENSIONS";

/// One change of the list, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `suspend` or `reinstate`.
    pub action: String,
    pub reseller: String,
    pub at: DateTime<Utc>,
    /// The operator who made the change.
    pub by: String,
    /// The suspension made or lifted (its reason, who made it and since
    /// when).
    pub suspension: Suspension,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuspensionFailure {
    /// The change is refused: already suspended, not suspended, no reason.
    #[error(transparent)]
    Refused(#[from] SuspensionError),
    /// No reseller of that id was ever published.
    #[error("no reseller {0}")]
    UnknownReseller(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Answered once: 409 for a change the list's state refuses, 400 for a
/// missing reason, 404 for an unknown reseller, 503 when the store fails.
impl From<SuspensionFailure> for crate::error::ApiError {
    fn from(e: SuspensionFailure) -> Self {
        use crate::error::ApiError;
        match e {
            SuspensionFailure::Refused(
                e @ (SuspensionError::AlreadySuspended { .. } | SuspensionError::NotSuspended(_)),
            ) => ApiError::Conflict(e.to_string()),
            SuspensionFailure::Refused(e @ SuspensionError::Reason) => ApiError::Invalid {
                code: "reason",
                message: e.to_string(),
                field: Some("reason"),
            },
            SuspensionFailure::Refused(e @ SuspensionError::Missing) => ApiError::Invalid {
                code: "required",
                message: e.to_string(),
                field: None,
            },
            SuspensionFailure::UnknownReseller(_) => ApiError::NotFound,
            SuspensionFailure::Store(e) => ApiError::unavailable(e),
        }
    }
}

/// The list and the version it was read at (0: never written).
async fn read(store: &dyn Store) -> Result<(Suspended, u64), StoreError> {
    match store.get(PK, SK).await? {
        None => Ok((Suspended::default(), 0)),
        Some(item) => serde_json::from_value(item.data)
            .map(|s| (s, item.version))
            .map_err(|e| StoreError::Unavailable(format!("the suspensions are unreadable: {e}"))),
    }
}

/// Every suspended reseller: one read.
pub async fn list(store: &dyn Store) -> Result<Suspended, StoreError> {
    Ok(read(store).await?.0)
}

/// The suspension that stops this storefront's new orders (its own or an
/// ancestor's, the highest), None when it takes orders: one read.
pub async fn stopping(store: &dyn Store, s: &Snapshot) -> Result<Option<Suspension>, StoreError> {
    Ok(list(store).await?.of_levels(&s.levels).cloned())
}

/// Suspend `reseller` and with it every storefront below it: from now on
/// they refuse new orders; renewals go on. 409 (`Refused`) if it is
/// suspended already.
pub async fn suspend(
    store: &dyn Store,
    reseller: &str,
    reason: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Suspension, SuspensionFailure> {
    let s = Suspension {
        reseller: reseller.to_string(),
        since: at,
        by: by.to_string(),
        reason: reason.to_string(),
    };
    // Decided before anything is read, so a bad request costs nothing.
    Suspended::default().suspend(s.clone())?;
    if store.get("RESELLERS", reseller).await?.is_none() {
        return Err(SuspensionFailure::UnknownReseller(reseller.to_string()));
    }
    change(store, "suspend", reseller, by, at, |list| {
        list.suspend(s.clone())?;
        Ok(list.get(reseller).cloned().unwrap_or_else(|| s.clone()))
    })
    .await
}

/// Lift `reseller`'s suspension: its storefront and those below it take
/// orders again. Answers the suspension lifted; 409 (`Refused`) if it was
/// not suspended.
pub async fn reinstate(
    store: &dyn Store,
    reseller: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Suspension, SuspensionFailure> {
    change(store, "reinstate", reseller, by, at, |list| {
        Ok(list.reinstate(reseller)?)
    })
    .await
}

/// The changes, newest first, at most `limit`.
pub async fn history(store: &dyn Store, limit: usize) -> Result<Vec<Change>, StoreError> {
    store
        .query(
            HISTORY_PK,
            Query {
                limit: Some(limit),
                descending: true,
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .map(|i| {
            serde_json::from_value(i.data).map_err(|e| {
                StoreError::Unavailable(format!("a suspension change is unreadable: {e}"))
            })
        })
        .collect()
}

/// Read the list, let `decide` change it, and write it back at the version
/// read with the change's history entry; read again when someone else
/// changed it first.
async fn change<F>(
    store: &dyn Store,
    action: &str,
    reseller: &str,
    by: &str,
    at: DateTime<Utc>,
    decide: F,
) -> Result<Suspension, SuspensionFailure>
where
    F: Fn(&mut Suspended) -> Result<Suspension, SuspensionFailure>,
{
    retry(|| async {
        let (mut list, version) = read(store).await?;
        let suspension = decide(&mut list)?;
        let data = serde_json::to_value(&list).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let condition = match version {
            0 => Condition::NotExists,
            v => Condition::Version(v),
        };
        let mut item = Item::new(PK, SK, data);
        item.version = version + 1;
        let entry = Change {
            action: action.to_string(),
            reseller: reseller.to_string(),
            at,
            by: by.to_string(),
            suspension: suspension.clone(),
        };
        // A random tail: the same change at the same instant (a clock
        // that stands still) is still a new entry.
        let tail = crate::accounts::secrets::new_id()
            .map(|id| id[..8].to_string())
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let history = Item::new(
            HISTORY_PK,
            format!(
                "AT#{:013}#{reseller}#{action}#{tail}",
                at.timestamp_millis().max(0)
            ),
            serde_json::to_value(&entry).map_err(|e| StoreError::Invalid(e.to_string()))?,
        );
        let writes = vec![
            Write::Put { item, condition },
            Write::Put {
                item: history,
                condition: Condition::NotExists,
            },
        ];
        match store.transact(writes).await {
            Ok(()) => Ok(Attempt::Done(suspension)),
            Err(StoreError::TransactionCancelled { .. }) => Ok(Attempt::Raced),
            Err(e) => Err(e.into()),
        }
    })
    .await
}
