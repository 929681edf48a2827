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
//! One writer thread owns the write connection and serialises writes (SQLite
//! allows one writer at a time anyway); a few reader connections serve gets
//! and queries in parallel. The writer commits in groups: transactions that
//! arrive while a commit is being made durable are applied one after the
//! other, each in a savepoint of its own (so one cancelled transaction undoes
//! only itself), and made durable by one commit — one fsync for many orders
//! instead of one each, with every caller answered only after it.
//! Sort keys are stored as BLOBs so that prefix queries are exact byte-range
//! scans of the primary key.

use super::{
    Condition, Item, Query, Store, StoreError, Write, now, validate_item, validate_key,
    validate_transaction,
};
use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const READERS: usize = 4;

/// A transaction for the writer thread, and where to answer.
struct Job {
    writes: Vec<Write>,
    reply: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
}

/// The most transactions one commit makes durable.
const MAX_GROUP: usize = 256;

#[derive(Debug)]
struct Inner {
    writer: Mutex<std::sync::mpsc::Sender<Job>>,
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
                counters TEXT,
                PRIMARY KEY (pk, sk)
            ) WITHOUT ROWID;",
        )?;
        // Stores made before counters existed gain the column in place.
        let has_counters: bool = conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('items') WHERE name = 'counters'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_counters {
            conn.execute_batch("ALTER TABLE items ADD COLUMN counters TEXT")?;
        }
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
        let conn = open(path, true).map_err(unavailable)?;
        let (writer, jobs) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || write_loop(conn, jobs))
            .map_err(unavailable)?;
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
}

/// The writer thread: take a transaction, then every one already waiting,
/// apply them in order and commit them together. It ends when the store is
/// dropped (the channel closes).
fn write_loop(mut conn: Connection, jobs: std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(j) => group.push(j),
                Err(_) => break,
            }
        }
        let results = commit_group(&mut conn, &group);
        for (job, result) in group.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

fn commit_group(conn: &mut Connection, group: &[Job]) -> Vec<Result<(), StoreError>> {
    let all_fail = |e: &dyn std::fmt::Display| group.iter().map(|_| Err(unavailable(e))).collect();
    let now = now();
    let mut tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return all_fail(&e),
    };
    let mut results = Vec::with_capacity(group.len());
    for job in group {
        let result = match tx.savepoint() {
            Ok(sp) => match check_and_apply(&sp, &job.writes, now) {
                // Released into the group's transaction.
                Ok(()) => sp.commit().map_err(unavailable),
                // Dropping the savepoint rolls this transaction back alone.
                Err(e) => Err(e),
            },
            Err(e) => Err(unavailable(e)),
        };
        results.push(result);
    }
    match tx.commit() {
        Ok(()) => results,
        Err(e) => all_fail(&e),
    }
}

/// One transaction: every condition checked, then every write applied, or
/// nothing written (the caller rolls back on an error).
fn check_and_apply(conn: &Connection, writes: &[Write], now: i64) -> Result<(), StoreError> {
    let mut failed = Vec::new();
    let mut sums = Vec::with_capacity(writes.len());
    for (i, w) in writes.iter().enumerate() {
        let (pk, sk) = w.key();
        let live = live(conn, pk, sk, now)?;
        let (ok, sum) = match w {
            Write::Put { condition, .. }
            | Write::Delete { condition, .. }
            | Write::Check { condition, .. } => (holds(*condition, live.map(|(v, _)| v)), None),
            Write::Add { add, floors, .. } => match live {
                None => (false, None),
                Some((_, counters)) => match added(&counters, add, floors)? {
                    Some(c) => (true, Some(c)),
                    None => (false, None),
                },
            },
        };
        if !ok {
            failed.push(i);
        }
        sums.push(sum);
    }
    if !failed.is_empty() {
        return Err(StoreError::TransactionCancelled { failed });
    }
    for (w, sum) in writes.iter().zip(&sums) {
        apply(conn, w, sum.as_ref())?;
    }
    Ok(())
}

fn row_to_item(
    pk: String,
    sk: Vec<u8>,
    version: i64,
    expires_at: Option<i64>,
    data: String,
    counters: Option<String>,
) -> rusqlite::Result<Item> {
    let sk = String::from_utf8(sk).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Blob, Box::new(e))
    })?;
    let data = serde_json::from_str(&data).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let counters = parse_counters(counters.as_deref()).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(Item {
        pk,
        sk,
        version: version as u64,
        expires_at,
        data,
        counters,
    })
}

/// Counters are kept as a JSON object of decimal strings: exact, and
/// readable in the `sqlite3` shell.
fn parse_counters(text: Option<&str>) -> Result<BTreeMap<String, Decimal>, String> {
    match text {
        None => Ok(BTreeMap::new()),
        Some(t) => {
            let raw: BTreeMap<String, String> =
                serde_json::from_str(t).map_err(|e| e.to_string())?;
            raw.into_iter()
                .map(|(k, v)| {
                    v.parse::<Decimal>()
                        .map(|d| (k, d))
                        .map_err(|e| e.to_string())
                })
                .collect()
        }
    }
}

fn counters_text(c: &BTreeMap<String, Decimal>) -> Option<String> {
    if c.is_empty() {
        return None;
    }
    let raw: BTreeMap<&str, String> = c.iter().map(|(k, v)| (k.as_str(), v.to_string())).collect();
    serde_json::to_string(&raw).ok()
}

/// A live item's version and counters.
type Live = (u64, BTreeMap<String, Decimal>);

/// The live version and counters of an item inside a write transaction.
fn live(tx: &Connection, pk: &str, sk: &str, now: i64) -> Result<Option<Live>, StoreError> {
    // Statements are prepared once per connection and reused (parsing SQL
    // was a measurable share of an order's time).
    let row = tx
        .prepare_cached(
            "SELECT version, counters FROM items WHERE pk = ?1 AND sk = ?2 AND (expires_at IS NULL OR expires_at > ?3)",
        )
        .and_then(|mut st| {
            st.query_row(params![pk, sk.as_bytes(), now], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()
        })
        .map_err(unavailable)?;
    match row {
        None => Ok(None),
        Some((v, c)) => Ok(Some((
            v as u64,
            parse_counters(c.as_deref()).map_err(unavailable)?,
        ))),
    }
}

/// The counters after an addition, or None if a floor would be broken.
fn added(
    live: &BTreeMap<String, Decimal>,
    add: &BTreeMap<String, Decimal>,
    floors: &BTreeMap<String, Decimal>,
) -> Result<Option<BTreeMap<String, Decimal>>, StoreError> {
    let mut out = live.clone();
    for (k, d) in add {
        let v = out.entry(k.clone()).or_default();
        *v = v
            .checked_add(*d)
            .ok_or_else(|| StoreError::Invalid(format!("counter {k} overflows")))?;
    }
    let ok = floors
        .iter()
        .all(|(k, floor)| out.get(k).copied().unwrap_or_default() >= *floor);
    Ok(ok.then_some(out))
}

fn holds(condition: Condition, live: Option<u64>) -> bool {
    match condition {
        Condition::None => true,
        Condition::NotExists => live.is_none(),
        Condition::Exists => live.is_some(),
        Condition::Version(v) => live == Some(v),
    }
}

/// Apply one write whose condition held; `counters` is the result of an
/// addition, computed while checking.
fn apply(
    tx: &Connection,
    w: &Write,
    counters: Option<&BTreeMap<String, Decimal>>,
) -> Result<(), StoreError> {
    match w {
        Write::Put { item, .. } => {
            let data = serde_json::to_string(&item.data)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            tx.prepare_cached(
                "INSERT INTO items (pk, sk, version, expires_at, data, counters) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (pk, sk) DO UPDATE SET version = excluded.version, expires_at = excluded.expires_at, data = excluded.data, counters = excluded.counters",
            )
            .and_then(|mut st| st.execute(params![item.pk, item.sk.as_bytes(), item.version as i64, item.expires_at, data, counters_text(&item.counters)]))
            .map_err(unavailable)?;
        }
        Write::Add { pk, sk, .. } => {
            let counters = counters.map(counters_text).unwrap_or_default();
            tx.prepare_cached(
                "UPDATE items SET version = version + 1, counters = ?3 WHERE pk = ?1 AND sk = ?2",
            )
            .and_then(|mut st| st.execute(params![pk, sk.as_bytes(), counters]))
            .map_err(unavailable)?;
        }
        Write::Delete { pk, sk, .. } => {
            tx.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
                .and_then(|mut st| st.execute(params![pk, sk.as_bytes()]))
                .map_err(unavailable)?;
        }
        Write::Check { .. } => {}
    }
    Ok(())
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
            c.prepare_cached(
                "SELECT pk, sk, version, expires_at, data, counters FROM items WHERE pk = ?1 AND sk = ?2 AND (expires_at IS NULL OR expires_at > ?3)",
            )?
            .query_row(params![pk, sk.as_bytes(), now], |r| {
                row_to_item(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)
            })
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
        // The prefix's own upper bound, or `before` when it is tighter.
        let upper = match (upper_bound(q.sk_prefix.as_bytes()), q.before) {
            (Some(u), Some(b)) if b.as_bytes() < u.as_slice() => Some(b.as_bytes().to_vec()),
            (None, Some(b)) => Some(b.as_bytes().to_vec()),
            (u, _) => u,
        };
        let (pk, limit, desc, now) = (
            pk.to_string(),
            q.limit.map_or(-1, |l| l as i64),
            q.descending,
            now(),
        );
        self.read(move |c| {
            let sql = format!(
                "SELECT pk, sk, version, expires_at, data, counters FROM items WHERE pk = ?1 AND sk {} ?2 AND (?3 IS NULL OR sk < ?3) AND (expires_at IS NULL OR expires_at > ?4) ORDER BY sk {} LIMIT ?5",
                if lower_inclusive { ">=" } else { ">" },
                if desc { "DESC" } else { "ASC" }
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![pk, lower, upper, now, limit], |r| row_to_item(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))?;
            rows.collect()
        })
        .await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_transaction(&writes)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.inner
            .writer
            .lock()
            .map_err(|_| unavailable("the writer is gone"))?
            .send(Job { writes, reply })
            .map_err(|_| unavailable("the writer is gone"))?;
        answer
            .await
            .map_err(|_| unavailable("the writer is gone"))?
    }
}
