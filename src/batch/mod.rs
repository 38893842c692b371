//! The batch engine behind `validate` (a school's case folders and the LA's received requests
//! alike): [`discover`] what the PATHs hold, [`check`] each item (in parallel), set the reports
//! aside ([`spill`]), then [`run`] hands them on in order with what only the whole batch shows
//! (`duplicate-pupil`, the LA's record of receipt, every case's protected address withheld from
//! every other). One bad item never stops the others: it is a finding in its own report.
//!
//! [`validate`] is the whole of `ehcpack validate PATH...` as a library call, used by the command
//! line, the tests and the benchmarks; [`Batch`] is the same in two steps, for a caller that
//! wants the number of items first (a progress bar).

pub(crate) mod check;
pub(crate) mod discover;
pub mod folders;
mod run;
mod spill;

use std::io;
use std::path::PathBuf;

use crate::check::Context;
use crate::privacy::{Redacted, RedactedReport};
use crate::received::clock::ReceivedFrom;
use crate::report::Summary;

pub use check::{check, Checked};
pub use discover::{discover, discover_all, Item, Unreadable};
pub use run::{chunk_len, run, Notes, CHUNK};

/// The items to check under the PATHs given, each once.
#[derive(Debug, Clone)]
pub struct Batch {
    items: Vec<Item>,
}

/// What a batch found, once every report has been handed on.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// The counts every report writer ends with (`duplicate_pupils` included).
    pub summary: Summary,
    /// Rows of `--received-from` that matched no case: (key, line), the key redacted.
    pub unmatched_rows: Vec<(Redacted, usize)>,
}

/// Why a batch could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// No PATH holds anything to check.
    #[error(transparent)]
    Unreadable(#[from] Unreadable),
    /// The reports could not be set aside or handed on.
    #[error("cannot write the report: {0}")]
    Write(#[from] io::Error),
}

impl Batch {
    /// What the PATHs hold ([`discover_all`]). A file or folder named twice (or found under two
    /// of the paths) is checked once: the same request is not the same pupil twice. A finding (a
    /// link, a stray file) is about its own name and is always kept: a link to a case folder
    /// must never stand in for the folder itself.
    pub fn discover(paths: &[PathBuf]) -> Result<Batch, Unreadable> {
        let mut items = discover_all(paths)?;
        let mut seen = std::collections::HashSet::new();
        items.retain(|item| {
            matches!(item, Item::Problem { .. })
                || seen.insert(
                    std::fs::canonicalize(item.path()).unwrap_or_else(|_| item.path().into()),
                )
        });
        Ok(Batch { items })
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Checks every item ([`run`]), handing each report to `emit` in order and counting it;
    /// `tick` is called as each item is done.
    pub fn run(
        &self,
        ctx: &Context,
        options: &crate::received::Options,
        received_from: Option<&ReceivedFrom>,
        tick: &(dyn Fn() + Sync),
        emit: &mut dyn FnMut(&RedactedReport) -> io::Result<()>,
    ) -> io::Result<BatchReport> {
        let mut summary = Summary::default();
        let notes = run(
            &self.items,
            ctx,
            options,
            received_from,
            tick,
            &mut |report| {
                summary.add(report);
                emit(report)
            },
        )?;
        summary.duplicate_pupils = notes.duplicate_pupils;
        Ok(BatchReport {
            summary,
            unmatched_rows: notes.unmatched_rows,
        })
    }
}

/// `ehcpack validate PATH...`: finds what the PATHs hold, checks it, and hands each report to
/// `emit` in order (redacted, with the batch's findings); the summary comes back at the end.
pub fn validate(
    paths: &[PathBuf],
    ctx: &Context,
    options: &crate::received::Options,
    received_from: Option<&ReceivedFrom>,
    emit: &mut dyn FnMut(&RedactedReport) -> io::Result<()>,
) -> Result<BatchReport, BatchError> {
    let batch = Batch::discover(paths)?;
    Ok(batch.run(ctx, options, received_from, &|| {}, emit)?)
}
