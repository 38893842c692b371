//! Why the register could not be opened, read or written. The messages name the register's
//! path through [`crate::privacy::path_text`] (never a PostgreSQL address, which may hold a
//! password).

/// What the database itself refused, or why it could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database's own message (SQLite's or PostgreSQL's, without the driver's wrapping).
    #[error("{0}")]
    Driver(String),
    #[error("cannot make the register {path}: {source}")]
    Make {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the register {path}: {message}")]
    Open { path: String, message: String },
    #[error("{path} is not a register (an SQLite database): {source}")]
    NotRegister { path: String, source: Box<DbError> },
    #[error("the register's PostgreSQL address cannot be read: {0}")]
    Address(postgres::Error),
    #[error("cannot connect to the PostgreSQL register: {0}")]
    Connect(postgres::Error),
}

/// Why a register command could not be done.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// `path`: the register's file, as printed.
    #[error(
        "there is no register at {path}; `ehcpack intake add` makes one (or name it with \
         --register)"
    )]
    NoRegister { path: String },
    #[error(
        "this database holds other tables and is not an ehcpack register; name an empty \
         database or a new file"
    )]
    OtherTables,
    #[error("this database is not an ehcpack register")]
    NotRegister,
    #[error("the register does not say its schema version")]
    NoVersion,
    #[error("the register has no schema")]
    NoSchema,
    #[error(
        "the register is at schema version {0}, from a newer ehcpack; this one knows versions \
         up to {max}: update ehcpack",
        max = super::SCHEMA_VERSION
    )]
    Newer(i64),
    /// What the register holds that ehcpack did not write (an id, a kind, a date missing or
    /// wrong).
    #[error("{0}")]
    Corrupt(String),
    #[error(
        "there is no request {0} in the register; `ehcpack intake list --all` shows every \
         request's number"
    )]
    NoRequestToRecord(i64),
    #[error("there is no request {0} in the register")]
    NoRequest(i64),
    /// An event dated before the request was received: (event date, request, received date).
    #[error("{0} is before request {1} was received ({2})")]
    BeforeReceived(chrono::NaiveDate, i64, chrono::NaiveDate),
    #[error("{date} is after today ({today}); record what happened, when it happened")]
    Future {
        date: chrono::NaiveDate,
        today: chrono::NaiveDate,
    },
    #[error("request {id} was withdrawn on {date}")]
    Withdrawn { id: i64, date: chrono::NaiveDate },
    #[error(
        "request {0} has no decision to assess recorded; record it first (`ehcpack intake \
         decide {0} --assess --date ...`)"
    )]
    NoDecision(i64),
    #[error("{path} already exists; name a new file for the backup")]
    BackupExists { path: String },
    #[error("cannot write the backup beside {}: {source}", .path.display())]
    BackupBeside {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the backup {}: {source}", .path.display())]
    Backup {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}
