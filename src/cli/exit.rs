//! How a command ends, decided in one place: the exit status, and the error a command that
//! could not run prints after `ehcpack: `. Exit status: 0 no errors, 1 errors found, 2 the tool
//! could not run.

use std::io;

/// How a command that ran ended, or that it could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command ran and found no errors.
    Clean,
    /// 1: the command ran and found errors (in a case, a pack, a request received).
    Findings,
    /// 2: the command could not run (bad arguments, an unreadable path, a register that cannot
    /// be opened).
    CannotRun,
}

impl Exit {
    /// `Findings` when errors were found, else `Clean`.
    pub const fn found(errors: bool) -> Exit {
        if errors {
            Exit::Findings
        } else {
            Exit::Clean
        }
    }

    /// The process's exit status.
    pub const fn code(self) -> i32 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::CannotRun => 2,
        }
    }
}

/// Why a command could not run (exit status 2). Its text is what follows `ehcpack: `; a
/// message of several lines keeps its line breaks.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The profile could not be read or is wrong.
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
    /// A font the profile or `--font` names cannot be used.
    #[error(transparent)]
    Font(#[from] crate::render::fonts::FontError),
    /// A file ehcpack writes (the pack) could not be written.
    #[error(transparent)]
    Written(#[from] crate::output::OutputError),
    /// `--received-from` cannot be read, or has bad rows.
    #[error(transparent)]
    ReceivedFrom(#[from] crate::received::clock::ReceivedFromError),
    /// The case could not be rendered (`render`, which prints it through the case's redactor).
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    /// The register could not be opened, read or written (`intake`).
    #[error(transparent)]
    Intake(#[from] crate::intake::IntakeError),
    /// The local web form could not start (`serve`).
    #[error(transparent)]
    Serve(#[from] crate::serve::ServeError),
    /// The password for `--encrypt` was refused, or the pack could not be protected.
    #[error(transparent)]
    Password(#[from] crate::protect::PasswordError),
    /// Writing the command's output failed (other than the reader closing the pipe).
    #[error("{0}")]
    Output(#[from] io::Error),
    /// Writing a report of findings failed.
    #[error("cannot write the report: {0}")]
    Report(io::Error),
    /// Writing to the register's output failed (`intake`).
    #[error("cannot write: {0}")]
    Write(io::Error),
    /// The command's own message (a bad argument, a path that cannot be read), or a library
    /// error already redacted because it may name a case (`render`).
    #[error("{0}")]
    Message(String),
}

impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Message(message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> CliError {
        CliError::Message(message.to_string())
    }
}
