//! The embedded store: one SQLite file, the default on one machine.
//!
//! Why SQLite (through rusqlite, bundled) rather than an embedded KV store
//! such as redb: it is the most tested storage engine there is; WAL mode lets
//! readers run while a writer commits; `BEGIN IMMEDIATE` gives each
//! transaction the write lock up front, so checking conditions and writing
//! are one atomic step without any lock of our own; `synchronous=FULL` makes
//! every commit durable before it is acknowledged (money must not be lost on
//! a power cut); and an operator can open the file with the `sqlite3` shell.
//!
//! One writer connection serialises writes (SQLite allows one writer at a
//! time anyway); a few reader connections serve gets and queries in parallel.
//! Sort keys are stored as BLOBs so that prefix queries are exact byte-range
//! scans of the primary key.

use super::{
    Condition, Item, Query, Store, StoreError, Write, now, validate_item, validate_key,
    validate_transaction,
};
use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const READERS: usize = 4;

#[derive(Debug)]
struct Inner {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn open(path: &Path, write: bool) -> rusqlite::Result<Connection> {
    let flags = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    // A writer waiting for another process's lock waits instead of failing.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if write {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS items (
                pk TEXT NOT NULL,
                sk BLOB NOT NULL,
                version INTEGER NOT NULL,
                expires_at INTEGER,
                data TEXT NOT NULL,
                PRIMARY KEY (pk, sk)
            ) WITHOUT ROWID;",
        )?;
    }
    Ok(conn)
}

impl EmbeddedStore {
    /// Open (or create) the store at `path`.
    pub fn open(path: &Path) -> Result<EmbeddedStore, StoreError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(unavailable)?;
        }
        let writer = open(path, true).map_err(unavailable)?;
        let readers = (0..READERS)
            .map(|_| open(path, false).map(Mutex::new))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(unavailable)?;
        Ok(EmbeddedStore {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
                path: path.to_path_buf(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let i = inner.next_reader.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
            let conn = inner.readers[i]
                .lock()
                .map_err(|_| unavailable("a reader panicked"))?;
            f(&conn).map_err(unavailable)
        })
        .await
        .map_err(unavailable)?
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .writer
                .lock()
                .map_err(|_| unavailable("the writer panicked"))?;
            f(&mut conn)
        })
        .await
        .map_err(unavailable)?
    }
}

fn row_to_item(
    pk: String,
    sk: Vec<u8>,
    version: i64,
    expires_at: Option<i64>,
    data: String,
) -> rusqlite::Result<Item> {
    let sk = String::from_utf8(sk).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Blob, Box::new(e))
    })?;
    let data = serde_json::from_str(&data).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Item {
        pk,
        sk,
        version: version as u64,
        expires_at,
        data,
    })
}

/// The live version of an item inside a write transaction, if any.
fn live_version(
    tx: &rusqlite::Transaction<'_>,
    pk: &str,
    sk: &str,
    now: i64,
) -> rusqlite::Result<Option<u64>> {
    tx.query_row(
        "SELECT version FROM items WHERE pk = ?1 AND sk = ?2 AND (expires_at IS NULL OR expires_at > ?3)",
        params![pk, sk.as_bytes(), now],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map(|v| v.map(|v| v as u64))
}

fn holds(condition: Condition, live: Option<u64>) -> bool {
    match condition {
        Condition::None => true,
        Condition::NotExists => live.is_none(),
        Condition::Exists => live.is_some(),
        Condition::Version(v) => live == Some(v),
    }
}

fn apply(tx: &rusqlite::Transaction<'_>, w: &Write) -> Result<(), StoreError> {
    match w {
        Write::Put { item, .. } => {
            let data = serde_json::to_string(&item.data)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            tx.execute(
                "INSERT INTO items (pk, sk, version, expires_at, data) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (pk, sk) DO UPDATE SET version = excluded.version, expires_at = excluded.expires_at, data = excluded.data",
                params![item.pk, item.sk.as_bytes(), item.version as i64, item.expires_at, data],
            )
            .map_err(unavailable)?;
        }
        Write::Delete { pk, sk, .. } => {
            tx.execute(
                "DELETE FROM items WHERE pk = ?1 AND sk = ?2",
                params![pk, sk.as_bytes()],
            )
            .map_err(unavailable)?;
        }
        Write::Check { .. } => {}
    }
    Ok(())
}

fn condition_of(w: &Write) -> Condition {
    match w {
        Write::Put { condition, .. }
        | Write::Delete { condition, .. }
        | Write::Check { condition, .. } => *condition,
    }
}

/// The smallest byte string greater than every string starting with `prefix`.
fn upper_bound(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut b = prefix.to_vec();
    while let Some(last) = b.pop() {
        if last < 0xff {
            b.push(last + 1);
            return Some(b);
        }
    }
    None
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        validate_key(pk, sk)?;
        let (pk, sk, now) = (pk.to_string(), sk.to_string(), now());
        self.read(move |c| {
            c.query_row(
                "SELECT pk, sk, version, expires_at, data FROM items WHERE pk = ?1 AND sk = ?2 AND (expires_at IS NULL OR expires_at > ?3)",
                params![pk, sk.as_bytes(), now],
                |r| row_to_item(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
            )
            .optional()
        })
        .await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        validate_item(&item)?;
        let (pk, sk) = (item.pk.clone(), item.sk.clone());
        match self.transact(vec![Write::Put { item, condition }]).await {
            Err(StoreError::TransactionCancelled { .. }) => {
                Err(StoreError::ConditionFailed { pk, sk })
            }
            other => other,
        }
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        match self
            .transact(vec![Write::Delete {
                pk: pk.into(),
                sk: sk.into(),
                condition,
            }])
            .await
        {
            Err(StoreError::TransactionCancelled { .. }) => Err(StoreError::ConditionFailed {
                pk: pk.into(),
                sk: sk.into(),
            }),
            other => other,
        }
    }

    async fn query(&self, pk: &str, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        if pk.is_empty() {
            return Err(StoreError::Invalid("a query needs a partition key".into()));
        }
        let lower = match q.after {
            Some(a) if a.as_bytes() >= q.sk_prefix.as_bytes() => a.as_bytes().to_vec(),
            _ => q.sk_prefix.as_bytes().to_vec(),
        };
        let lower_inclusive = q
            .after
            .is_none_or(|a| a.as_bytes() < q.sk_prefix.as_bytes());
        let upper = upper_bound(q.sk_prefix.as_bytes());
        let (pk, limit, desc, now) = (
            pk.to_string(),
            q.limit.map_or(-1, |l| l as i64),
            q.descending,
            now(),
        );
        self.read(move |c| {
            let sql = format!(
                "SELECT pk, sk, version, expires_at, data FROM items WHERE pk = ?1 AND sk {} ?2 AND (?3 IS NULL OR sk < ?3) AND (expires_at IS NULL OR expires_at > ?4) ORDER BY sk {} LIMIT ?5",
                if lower_inclusive { ">=" } else { ">" },
                if desc { "DESC" } else { "ASC" }
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![pk, lower, upper, now, limit], |r| row_to_item(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))?;
            rows.collect()
        })
        .await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_transaction(&writes)?;
        self.write(move |conn| {
            let now = now();
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let mut failed = Vec::new();
            for (i, w) in writes.iter().enumerate() {
                let (pk, sk) = w.key();
                let live = live_version(&tx, pk, sk, now).map_err(unavailable)?;
                if !holds(condition_of(w), live) {
                    failed.push(i);
                }
            }
            if !failed.is_empty() {
                // Dropping the transaction rolls it back: nothing was written.
                return Err(StoreError::TransactionCancelled { failed });
            }
            for w in &writes {
                apply(&tx, w)?;
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }
}
