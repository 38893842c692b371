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

use std::hash::BuildHasher;
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
    items: Packed,
}

/// The items of a batch, packed: they are kept from discovery to the end of the run, so a batch
/// of 30,000 case folders keeps each as its path's text in one string and five bytes more,
/// rather than an [`Item`] (80 bytes and an allocation of its own). The few problems (and a
/// path that is not UTF-8) are kept whole.
#[derive(Debug, Clone, Default)]
struct Packed {
    text: String,
    /// For each item: where its path ends in `text`, or (kept whole) its place in `whole`.
    ends: Vec<u32>,
    kinds: Vec<Kind>,
    whole: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Folder,
    Pack,
    Zip,
    Whole,
}

impl Packed {
    fn push(&mut self, item: Item) {
        let kind = match &item {
            Item::Folder(_) => Kind::Folder,
            Item::Pack(_) => Kind::Pack,
            Item::Zip(_) => Kind::Zip,
            Item::Problem { .. } => Kind::Whole,
        };
        let text = item.path().to_str().filter(|_| kind != Kind::Whole);
        let end = text.and_then(|t| u32::try_from(self.text.len() + t.len()).ok());
        match (text, end) {
            (Some(text), Some(end)) => {
                self.text.push_str(text);
                self.ends.push(end);
                self.kinds.push(kind);
            }
            _ => {
                self.ends.push(self.whole.len() as u32);
                self.kinds.push(Kind::Whole);
                self.whole.push(item);
            }
        }
    }

    fn len(&self) -> usize {
        self.kinds.len()
    }

    /// The `i`th item (`i` below [`Packed::len`]).
    fn get(&self, i: usize) -> Item {
        let path = || {
            // The end of the last path kept as text before this one.
            let start = self.ends[..i]
                .iter()
                .zip(&self.kinds)
                .rev()
                .find(|(_, k)| **k != Kind::Whole)
                .map_or(0, |(e, _)| *e as usize);
            PathBuf::from(&self.text[start..self.ends[i] as usize])
        };
        match self.kinds[i] {
            Kind::Folder => Item::Folder(path()),
            Kind::Pack => Item::Pack(path()),
            Kind::Zip => Item::Zip(path()),
            Kind::Whole => self.whole[self.ends[i] as usize].clone(),
        }
    }

    fn iter(&self) -> impl ExactSizeIterator<Item = Item> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
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
        // A batch's peak memory must not grow with its size: what discovery frees goes back
        // to the system at once, until the guard is dropped (last, after `items`); checking
        // frees as usual (a received pack's buffers given back at once cost its CPU).
        let _at_once = crate::budget::return_freed_memory_at_once();
        // Copied once discovery's passing memory (every path, several times over, for a
        // moment) is free, so that the items kept to the end lie low in the heap, where the
        // allocator can reuse or give back what lies above them.
        let items = Batch::discover_here(paths)?;
        Ok(Batch {
            items: items.clone(),
        })
    }

    fn discover_here(paths: &[PathBuf]) -> Result<Packed, Unreadable> {
        let found = discover_all(paths)?;
        let mut items = Packed {
            text: String::with_capacity(found.iter().map(|i| i.path().as_os_str().len()).sum()),
            ends: Vec::with_capacity(found.len()),
            kinds: Vec::with_capacity(found.len()),
            whole: Vec::new(),
        };
        // Each canonical path's hash, with the first item that had it; a hash met again is
        // compared with the earlier items' real paths, so that two items never count as one by
        // chance (`also`: an item whose hash was already taken by another path).
        let state = std::hash::RandomState::new();
        let mut seen: std::collections::HashMap<u64, u32> = Default::default();
        let mut also: Vec<(u64, u32)> = Vec::new();
        let canonical =
            |path: &std::path::Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.into());
        // Under one PATH each item is found once (links are not followed): nothing to compare.
        let one_path = paths.len() == 1;
        for item in found {
            if !one_path && !matches!(item, Item::Problem { .. }) {
                let path = canonical(item.path());
                let hash = state.hash_one(&path);
                let next = items.len() as u32;
                let same = |i: u32| canonical(items.get(i as usize).path()) == path;
                match seen.get(&hash) {
                    None => {
                        seen.insert(hash, next);
                    }
                    Some(&first) => {
                        if same(first) || also.iter().any(|&(h, i)| h == hash && same(i)) {
                            continue;
                        }
                        also.push((hash, next));
                    }
                }
            }
            items.push(item);
        }
        Ok(items)
    }

    /// The items, in the order they are checked.
    pub fn items(&self) -> impl ExactSizeIterator<Item = Item> + '_ {
        self.items.iter()
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
        let notes = run::run_items(
            self.items.iter(),
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
