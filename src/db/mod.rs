//! The database layer: one `Db` over a SQLite or a PostgreSQL pool, chosen by the URL scheme.
//!
//! Store functions write their SQL once, in the dialect both engines share (`$1` placeholders, TEXT, BIGINT,
//! BOOLEAN, timestamps bound from Rust as UTC), and run it through the macros below on whichever engine is in
//! use. The tests run on both engines; they are the check the compiler cannot be.

pub mod inline;
pub mod migrate;
pub mod search;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, SqliteConnection, SqlitePool};

/// How long a SQLite connection waits for a lock another holds (in WAL mode a reader waits only in rare cases,
/// such as recovering the log after a crash).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Which engine a database runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A pool on one of the two engines. Cheap to clone. A SQLite file also has its inline readers (`inline`).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, Option<Arc<inline::Readers>>),
    Postgres(PgPool),
}

/// An open transaction on one of the two engines. Dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// What a query runs on: a pool or an open transaction. Built from `&Db` or `&mut Tx` by the macros.
pub enum Conn<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    SqliteTx(&'a mut SqliteConnection),
    PgTx(&'a mut PgConnection),
}

impl<'a> From<&'a Db> for Conn<'a> {
    fn from(db: &'a Db) -> Self {
        match db {
            Db::Sqlite(p, _) => Conn::SqlitePool(p),
            Db::Postgres(p) => Conn::PgPool(p),
        }
    }
}

impl<'a> From<&'a mut Tx> for Conn<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        match tx {
            Tx::Sqlite(t) => Conn::SqliteTx(t),
            Tx::Postgres(t) => Conn::PgTx(t),
        }
    }
}

impl<'a> From<&'a mut SqliteConnection> for Conn<'a> {
    fn from(conn: &'a mut SqliteConnection) -> Self {
        Conn::SqliteTx(conn)
    }
}

impl<'a> From<&'a mut PgConnection> for Conn<'a> {
    fn from(conn: &'a mut PgConnection) -> Self {
        Conn::PgTx(conn)
    }
}

/// Why the database could not be opened; said plainly at start-up.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "the database URL has an unknown scheme ({0:?}): use sqlite://path/to/file.db or postgres://user@host/dbname"
    )]
    UnknownScheme(String),
    #[error("the database URL is not valid: {0}")]
    InvalidUrl(sqlx::Error),
    #[error("could not reach the database: {0}")]
    Unreachable(sqlx::Error),
}

/// How an instance uses its database connections (`SWN_DATABASE_POOL_SIZE`, `SWN_STATEMENT_TIMEOUT_SECONDS`,
/// `SWN_PGBOUNCER`).
#[derive(Clone, Debug, Default)]
pub struct Pooling {
    /// Connections held at most; `None` for the engine's default (8 on SQLite, 16 on PostgreSQL). Instances
    /// times this must stay under PostgreSQL's `max_connections` (100 by default), or go through PgBouncer.
    pub size: Option<u32>,
    /// PostgreSQL cancels a statement that runs longer (a runaway query cannot hold a connection for good).
    pub statement_timeout: Option<Duration>,
    /// Through PgBouncer in transaction mode: a connection is the server's only for one transaction, so no
    /// statement is kept prepared (unnamed ones only), and no startup parameter PgBouncer refuses is sent
    /// (`extra_float_digits`, `options`: set the statement time-out on the database role instead).
    pub pgbouncer: bool,
}

/// Whether statements are kept prepared on their connection (sqlx's default, and faster). Not through
/// PgBouncer in transaction mode: there the next transaction may be another client's on the same server
/// connection, whose own "sqlx_s_1" would collide. One switch for the process, thrown by `Db::connect_with`
/// (every query, in the macros below and beside them, asks it).
static KEEP_PREPARED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

pub fn keep_prepared() -> bool {
    KEEP_PREPARED.load(std::sync::atomic::Ordering::Relaxed)
}

/// A pool's connections at one moment (for `/metrics`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub in_use: u32,
    pub max: u32,
}

impl Db {
    /// Opens a pool for `url` (`sqlite:`/`sqlite://` or `postgres://`/`postgresql://`) with the default
    /// pooling.
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        Db::connect_with(url, &Pooling::default()).await
    }

    /// Opens a pool for `url`. SQLite files are created when missing and run with WAL, a busy timeout and
    /// foreign keys.
    pub async fn connect_with(url: &str, pooling: &Pooling) -> Result<Db, ConnectError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url).map_err(ConnectError::InvalidUrl)?;
            // A database in memory lives in its connections: another connection opened by its name would be a
            // file of that name.
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let readers = (!in_memory).then(|| Arc::new(inline::Readers::new(options.get_filename().to_path_buf())));
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(BUSY_TIMEOUT)
                .foreign_keys(true);
            // A file's connection cannot go stale, so it is not pinged before each use (a round trip to
            // sqlx's worker thread per query, which issue 22 measured).
            let pool = SqlitePoolOptions::new()
                .max_connections(pooling.size.unwrap_or(8))
                .acquire_timeout(Duration::from_secs(10))
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .map_err(ConnectError::Unreachable)?;
            Ok(Db::Sqlite(pool, readers))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut options = PgConnectOptions::from_str(url).map_err(ConnectError::InvalidUrl)?;
            if pooling.pgbouncer {
                KEEP_PREPARED.store(false, std::sync::atomic::Ordering::Relaxed);
                options = options.statement_cache_capacity(0).extra_float_digits(None);
            } else if let Some(timeout) = pooling.statement_timeout {
                options = options.options([("statement_timeout", format!("{}ms", timeout.as_millis()))]);
            }
            // One connection first, so an unreachable server is reported by its cause (connection refused,
            // authentication failed, no such database) rather than as the pool's time-out.
            {
                use sqlx::Connection;
                let first = sqlx::PgConnection::connect_with(&options).await.map_err(ConnectError::Unreachable)?;
                let _ = first.close().await;
            }
            let pool = PgPoolOptions::new()
                .max_connections(pooling.size.unwrap_or(16))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(ConnectError::Unreachable)?;
            Ok(Db::Postgres(pool))
        } else {
            // The scheme alone: the rest of the URL may hold a password.
            Err(ConnectError::UnknownScheme(url.split(':').next().unwrap_or_default().to_string()))
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(..) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Begins a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), waiting its turn
    /// behind another writer: a transaction that read first and wrote second would otherwise fail at once
    /// (SQLITE_BUSY_SNAPSHOT, no busy time-out) whenever another connection wrote in between.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// How many connections the pool holds, how many are in use, and its most.
    pub fn pool_use(&self) -> PoolUse {
        let (size, idle, max) = match self {
            Db::Sqlite(p, _) => (p.size(), p.num_idle(), p.options().get_max_connections()),
            Db::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        };
        PoolUse { open: size, in_use: size.saturating_sub(idle as u32), max }
    }

    /// A round trip to the database, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let one: i64 = crate::fetch_scalar!(self, i64, "SELECT CAST(1 AS BIGINT)")?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    /// The inline readers of a SQLite file (`fetch_all_inline!`); `None` on PostgreSQL or in memory.
    pub fn readers(&self) -> Option<&inline::Readers> {
        match self {
            Db::Sqlite(_, readers) => readers.as_deref(),
            Db::Postgres(_) => None,
        }
    }

    /// The same pool without its inline readers: every read through sqlx (tests compare the two paths).
    pub fn without_inline_reads(&self) -> Db {
        match self {
            Db::Sqlite(pool, _) => Db::Sqlite(pool.clone(), None),
            Db::Postgres(pool) => Db::Postgres(pool.clone()),
        }
    }

    /// For a read of up to `rows` rows: itself, or without its inline readers past `inline::MOST_ROWS` (the
    /// sitemap's 10,000 news items must not hold the request's thread as the home page's three may).
    pub fn reading(&self, rows: i64) -> std::borrow::Cow<'_, Db> {
        if rows <= inline::MOST_ROWS || self.readers().is_none() {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.without_inline_reads())
        }
    }

    pub async fn close(&self) {
        if let Some(readers) = self.readers() {
            readers.close();
        }
        match self {
            Db::Sqlite(p, _) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// Runs one expression on whichever engine `$conn` (a `&Db` or `&mut Tx`) is: `$e` is the executor. Through
/// PgBouncer (no statements kept prepared) a statement on the pool runs in a transaction of its own: sqlx
/// prepares and runs it in two round trips, and PgBouncer may hand the second to another server connection
/// unless a transaction holds it.
#[macro_export]
macro_rules! on_engine {
    ($conn:expr, |$e:ident| $body:expr) => {
        match $crate::db::Conn::from($conn) {
            $crate::db::Conn::SqlitePool($e) => $body,
            $crate::db::Conn::PgPool(pool) if !$crate::db::keep_prepared() => match pool.begin().await {
                Ok(mut tx) => {
                    let outcome = {
                        let $e = &mut *tx;
                        $body
                    };
                    match outcome {
                        Ok(value) => tx.commit().await.map(|()| value),
                        Err(err) => Err(err),
                    }
                }
                Err(err) => Err(err),
            },
            $crate::db::Conn::PgPool($e) => $body,
            $crate::db::Conn::SqliteTx($e) => $body,
            $crate::db::Conn::PgTx($e) => $body,
        }
    };
}

/// All rows of a query, decoded into `$ty` (a `sqlx::FromRow`).
#[macro_export]
macro_rules! fetch_all {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_engine!($conn, |e| sqlx::query_as::<_, $ty>($sql).persistent($crate::db::keep_prepared())$(.bind($arg))*.fetch_all(e).await)
    };
}

/// `fetch_all!` for a PostgreSQL statement that must be planned for the values bound each time, never kept
/// prepared: a kept statement's cached generic plan cannot know how many rows a bound search query matches. The
/// forum search's generic plan read every match through a bitmap scan: 22.6 ms of swn and PostgreSQL CPU per
/// search under load, 7.5 ms planned each time (issue 22, BENCHMARKS.md). Safe behind PgBouncer (`on_engine!`).
/// Not for SQLite: FTS5's plan does not depend on the values bound, so it would prepare anew for nothing.
#[macro_export]
macro_rules! fetch_all_planned_each_time {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_engine!($conn, |e| sqlx::query_as::<_, $ty>($sql).persistent(false)$(.bind($arg))*.fetch_all(e).await)
    };
}

/// `fetch_all!` for one of the hottest reads, off the pool (`$db` is a `&Db`, never a transaction): on a SQLite
/// file it runs inline on the request's thread (`db::inline`), so `$ty` implements `inline::Read` (`inline_row!`)
/// beside `sqlx::FromRow`. For reads of a few rows from the page cache, never a long one (it blocks the thread):
/// a read of a caller's number of rows passes `&db.reading(limit)`.
#[macro_export]
macro_rules! fetch_all_inline {
    ($db:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let db: &$crate::db::Db = $db;
        match db.readers() {
            Some(readers) => readers.all::<$ty>(
                $crate::db::inline::SqlText::text(&$sql),
                &[$(&$arg as &dyn $crate::db::inline::Param),*],
            ),
            None => $crate::fetch_all!(db, $ty, $sql $(, $arg)*),
        }
    }};
}

/// `fetch_optional!` inline on a SQLite file, as `fetch_all_inline!`.
#[macro_export]
macro_rules! fetch_optional_inline {
    ($db:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let db: &$crate::db::Db = $db;
        match db.readers() {
            Some(readers) => readers.optional::<$ty>(
                $crate::db::inline::SqlText::text(&$sql),
                &[$(&$arg as &dyn $crate::db::inline::Param),*],
            ),
            None => $crate::fetch_optional!(db, $ty, $sql $(, $arg)*),
        }
    }};
}

/// At most one row of a query, decoded into `$ty`.
#[macro_export]
macro_rules! fetch_optional {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_engine!($conn, |e| sqlx::query_as::<_, $ty>($sql).persistent($crate::db::keep_prepared())$(.bind($arg))*.fetch_optional(e).await)
    };
}

/// Exactly one row of a query, decoded into `$ty`.
#[macro_export]
macro_rules! fetch_one {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_engine!($conn, |e| sqlx::query_as::<_, $ty>($sql).persistent($crate::db::keep_prepared())$(.bind($arg))*.fetch_one(e).await)
    };
}

/// The single value of a one-row, one-column query.
#[macro_export]
macro_rules! fetch_scalar {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_engine!($conn, |e| sqlx::query_scalar::<_, $ty>($sql).persistent($crate::db::keep_prepared())$(.bind($arg))*.fetch_one(e).await)
    };
}

/// Runs a statement; gives the number of rows it changed.
#[macro_export]
macro_rules! execute {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_engine!($conn, |e| sqlx::query($sql).persistent($crate::db::keep_prepared())$(.bind($arg))*.execute(e).await.map(|r| r.rows_affected()))
    };
}

/// True when `err` is a unique-constraint violation: the caller turns it into a message for the person.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(e) => e.is_unique_violation(),
        _ => false,
    }
}

/// A new opaque identifier for a row: 128 random bits, hex.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
