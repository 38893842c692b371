//! The two databases the register lives in, behind one small interface: SQLite (one file, the
//! default) and PostgreSQL (a server a team shares). Everything the register does is written
//! once, in [`super`], as SQL both understand; only the schema's few words that differ (how an
//! id counts up, how a trigger refuses a change) and the way parameters are written are here.

pub use super::error::DbError;
use std::path::Path;
use std::time::Duration;

/// One value in or out of the database. Typed even when empty, because PostgreSQL wants the
/// type of every parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl Value {
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => *i,
            Value::Text(t) => t.as_deref().and_then(|t| t.parse().ok()),
        }
    }

    pub fn text(&self) -> Option<String> {
        match self {
            Value::Text(t) => t.clone(),
            Value::Int(i) => i.map(|i| i.to_string()),
        }
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(Some(i))
    }
}
impl From<Option<i64>> for Value {
    fn from(i: Option<i64>) -> Value {
        Value::Int(i)
    }
}
impl From<&str> for Value {
    fn from(t: &str) -> Value {
        Value::Text(Some(t.to_string()))
    }
}
impl From<String> for Value {
    fn from(t: String) -> Value {
        Value::Text(Some(t))
    }
}
impl From<Option<String>> for Value {
    fn from(t: Option<String>) -> Value {
        Value::Text(t)
    }
}

pub type Row = Vec<Value>;

/// Which database: the schema's words differ a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What the register needs of a database. Statements write parameters as `$1`, `$2`...
pub trait Db {
    fn dialect(&self) -> Dialect;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;
    /// Several statements without parameters (the schema).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
    /// Starts a transaction that holds the register's write lock until it ends, so that two
    /// processes adding at once take turns.
    fn begin_write(&mut self) -> Result<(), DbError>;
    fn commit(&mut self) -> Result<(), DbError>;
    fn rollback(&mut self);
}

// ----- SQLite -----

pub struct Sqlite {
    conn: rusqlite::Connection,
}

/// How long a process waits for another's write to finish before giving up.
const BUSY_WAIT: Duration = Duration::from_secs(30);

impl Sqlite {
    /// Opens (or creates) the register file: write-ahead log (readers never block the writer,
    /// and a killed writer leaves the file as its last commit left it), foreign keys on, and a
    /// wait when another process holds the lock.
    pub fn open(path: &Path, create: bool) -> Result<Sqlite, DbError> {
        use rusqlite::OpenFlags;
        // The register names children: a new file is made readable by its owner only (SQLite
        // gives its journal files the same mode).
        if create && !path.exists() {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(_) => {}
                // Another process made it first: it is opened as it is.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(DbError::Make {
                        path: crate::privacy::path_text(path).to_string(),
                        source: e,
                    })
                }
            }
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn =
            rusqlite::Connection::open_with_flags(path, flags).map_err(|e| DbError::Open {
                path: crate::privacy::path_text(path).to_string(),
                message: sqlite_error(&e).to_string(),
            })?;
        conn.busy_timeout(BUSY_WAIT)
            .map_err(|e| DbError::Driver(e.to_string()))?;
        // Switching a new file to the write-ahead log needs it to itself for a moment, and
        // SQLite answers "locked" there at once instead of asking the busy handler: two people
        // adding to a new register at the same moment saw one of them refused. Wait in turn,
        // as every other write does. A file that is not a database says so here, not later.
        let started = std::time::Instant::now();
        loop {
            match conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
                Ok(()) => break,
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_WAIT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) if is_busy(&e) => return Err(sqlite_error(&e)),
                Err(e) => {
                    return Err(DbError::NotRegister {
                        path: crate::privacy::path_text(path).to_string(),
                        source: Box::new(sqlite_error(&e)),
                    })
                }
            }
        }
        let mut db = Sqlite { conn };
        db.batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
        Ok(db)
    }
}

/// Another connection holds the lock (as opposed to a file that is not a database).
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn sqlite_error(e: &rusqlite::Error) -> DbError {
    DbError::Driver(match e {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        other => other.to_string(),
    })
}

/// `$1` as SQLite's `?1` (the same numbered parameter).
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

fn sqlite_params(params: &[Value]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|v| match v {
            Value::Int(Some(i)) => rusqlite::types::Value::Integer(*i),
            Value::Text(Some(t)) => rusqlite::types::Value::Text(t.clone()),
            Value::Int(None) | Value::Text(None) => rusqlite::types::Value::Null,
        })
        .collect()
}

impl Db for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        self.conn
            .execute(
                &sqlite_sql(sql),
                rusqlite::params_from_iter(sqlite_params(params)),
            )
            .map(|n| n as u64)
            .map_err(|e| sqlite_error(&e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut statement = self
            .conn
            .prepare_cached(&sqlite_sql(sql))
            .map_err(|e| sqlite_error(&e))?;
        let columns = statement.column_count();
        let rows = statement
            .query_map(rusqlite::params_from_iter(sqlite_params(params)), |row| {
                (0..columns)
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Integer(n) => Value::Int(Some(n)),
                            rusqlite::types::ValueRef::Null => Value::Text(None),
                            rusqlite::types::ValueRef::Text(t) => {
                                Value::Text(Some(String::from_utf8_lossy(t).into_owned()))
                            }
                            rusqlite::types::ValueRef::Real(r) => Value::Text(Some(r.to_string())),
                            rusqlite::types::ValueRef::Blob(_) => Value::Text(None),
                        })
                    })
                    .collect::<Result<Row, rusqlite::Error>>()
            })
            .map_err(|e| sqlite_error(&e))?;
        rows.collect::<Result<Vec<Row>, _>>()
            .map_err(|e| sqlite_error(&e))
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(|e| sqlite_error(&e))
    }

    fn begin_write(&mut self) -> Result<(), DbError> {
        // IMMEDIATE: the write lock is taken now, so two writers wait in turn rather than
        // both reading and then one failing to write.
        self.batch("BEGIN IMMEDIATE")
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.batch("COMMIT")
    }

    fn rollback(&mut self) {
        let _ = self.batch("ROLLBACK");
    }
}

// ----- PostgreSQL -----

pub struct Postgres {
    client: postgres::Client,
}

impl Postgres {
    /// Connects to `postgres://user@host:port/database` (or `host=/run/postgresql ...`).
    /// Without TLS: the register is for a server on the machine or the LA's own network
    /// (docs/caseworker.md says so). The address is never printed back, since it may hold a
    /// password.
    pub fn connect(url: &str) -> Result<Postgres, DbError> {
        let config: postgres::Config = url.parse().map_err(DbError::Address)?;
        let client = config.connect(postgres::NoTls).map_err(DbError::Connect)?;
        Ok(Postgres { client })
    }
}

fn pg_error(e: &postgres::Error) -> DbError {
    DbError::Driver(match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    })
}

impl Db for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let owned = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
            owned.iter().map(|b| b.as_ref()).collect();
        self.client.execute(sql, &refs).map_err(|e| pg_error(&e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let owned = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
            owned.iter().map(|b| b.as_ref()).collect();
        let rows = self.client.query(sql, &refs).map_err(|e| pg_error(&e))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        use postgres::types::Type;
                        let ty = row.columns()[i].type_().clone();
                        Ok(if ty == Type::INT8 {
                            Value::Int(row.try_get::<_, Option<i64>>(i).map_err(|e| pg_error(&e))?)
                        } else if ty == Type::INT4 {
                            Value::Int(
                                row.try_get::<_, Option<i32>>(i)
                                    .map_err(|e| pg_error(&e))?
                                    .map(i64::from),
                            )
                        } else {
                            Value::Text(
                                row.try_get::<_, Option<String>>(i)
                                    .map_err(|e| pg_error(&e))?,
                            )
                        })
                    })
                    .collect()
            })
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.client.batch_execute(sql).map_err(|e| pg_error(&e))
    }

    fn begin_write(&mut self) -> Result<(), DbError> {
        // One writer at a time: an advisory lock (the register's own number), held until the
        // transaction ends; readers are never blocked by it, and it works before the tables
        // exist (the first migration).
        self.batch("BEGIN; SELECT pg_advisory_xact_lock(7426350122);")
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.batch("COMMIT")
    }

    fn rollback(&mut self) {
        let _ = self.batch("ROLLBACK");
    }
}

fn pg_params(params: &[Value]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    params
        .iter()
        .map(|v| -> Box<dyn postgres::types::ToSql + Sync> {
            match v {
                Value::Int(i) => Box::new(*i),
                Value::Text(t) => Box::new(t.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another LA officer's program is reading a new register (it holds a shared lock) when this
    /// one opens it and switches it to the write-ahead log: SQLite answers "locked" at once there
    /// rather than waiting, so the open must wait its turn itself, not call the file "not a
    /// register".
    #[test]
    fn opening_a_register_another_is_reading_waits_its_turn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.db");
        let reader = rusqlite::Connection::open(&path).unwrap();
        reader
            .execute_batch("CREATE TABLE t (x); BEGIN; SELECT * FROM t;")
            .unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            reader.execute_batch("COMMIT").unwrap();
        });
        let opened = Sqlite::open(&path, true);
        release.join().unwrap();
        if let Err(e) = opened {
            panic!("{e}");
        }
    }
}
