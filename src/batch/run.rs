//! Running a batch: every item checked in parallel (rayon, [`chunk_len`] at a time), each report
//! set aside in a spill file, then handed on in order with what only the whole batch shows: the
//! `duplicate-pupil` warnings ([`crate::rules::duplicates`]), the dates from the LA's record of
//! receipt, and the redaction of every case's protected address.

use std::collections::BTreeSet;
use std::io::{self, BufRead, Write};

use crate::check::Context;
use crate::diagnostic::case_report::CaseReport;
use crate::privacy::{Redacted, RedactedReport, Redactor};
use crate::received::clock;
use crate::received::sealed::Sealed;
use crate::received::Options;
use crate::rules::duplicates::{Duplicates, Pupils};

use super::check::{cap_findings, check, Checked};
use super::discover::Item;
use super::spill::{Identities, Spilled};

/// What the batch found beyond each case's own report, for the end of the run.
#[derive(Debug, Default)]
pub struct Notes {
    /// Pupils found in more than one case.
    pub duplicate_pupils: usize,
    /// Rows of `--received-from` that matched no case: (key, line), the key redacted.
    pub unmatched_rows: Vec<(Redacted, usize)>,
}

/// The bytes of a report's findings, as [`crate::received::MAX_FINDINGS_BYTES_PER_RUN`] counts them.
fn findings_bytes(report: &CaseReport) -> usize {
    report
        .diagnostics
        .iter()
        .map(|d| {
            d.message.len()
                + d.help.len()
                + d.snippet.as_ref().map_or(0, String::len)
                + d.file.as_ref().map_or(0, |f| f.as_os_str().len())
                + 64
        })
        .sum()
}

/// How many items are checked in parallel at a time, for each thread: the reports of a chunk
/// wait in memory until the chunk is done (about a megabyte for a received item at its cap of
/// findings), so the chunk follows the threads, never the size of the batch.
pub const CHUNK: usize = 8;

/// How many items one chunk holds: [`CHUNK`] for each thread, at least 16 and at most 256.
pub fn chunk_len() -> usize {
    (CHUNK * rayon::current_num_threads()).clamp(16, 256)
}

/// Checks every item (in parallel, [`chunk_len`] at a time), then hands each case's report to
/// `emit`, in order, with its `duplicate-pupil` warnings and the dates from `received_from`.
/// `tick` is called as each item is done (for a progress bar).
///
/// Each report is redacted twice: by its own case's redactor as the case is checked, and, as it
/// is handed on, by the redactor of the whole batch (every case's protected address), so that no
/// case's address shows in another case's report, in a stray file's name or in a `duplicate-pupil`
/// warning. Until then the reports wait in a [`Sealed`] file.
pub fn run(
    items: &[Item],
    ctx: &Context,
    options: &Options,
    received_from: Option<&clock::ReceivedFrom>,
    tick: &(dyn Fn() + Sync),
    emit: &mut dyn FnMut(&RedactedReport) -> io::Result<()>,
) -> io::Result<Notes> {
    run_items(
        items.iter().cloned(),
        ctx,
        options,
        received_from,
        tick,
        emit,
    )
}

/// [`run`] over items made as they are needed, a chunk at a time.
pub(super) fn run_items(
    mut items: impl Iterator<Item = Item>,
    ctx: &Context,
    options: &Options,
    received_from: Option<&clock::ReceivedFrom>,
    tick: &(dyn Fn() + Sync),
    emit: &mut dyn FnMut(&RedactedReport) -> io::Result<()>,
) -> io::Result<Notes> {
    use rayon::prelude::*;

    let mut spill = Sealed::new()?;
    let mut batch = Redactor::none();
    // Two hashes a case in memory; the names and keys wait sealed beside the reports.
    let mut pupils = Pupils::default();
    let mut identities = Identities::new()?;
    let mut index = 0u32;
    // The bytes of findings kept so far in this run.
    let mut spent = 0usize;
    loop {
        let chunk: Vec<Item> = items.by_ref().take(chunk_len()).collect();
        if chunk.is_empty() {
            break;
        }
        let done: Vec<Vec<Checked>> = chunk
            .par_iter()
            .map(|item| {
                let c = check(item, ctx, options);
                tick();
                c
            })
            .collect();
        for mut c in done.into_iter().flatten() {
            let size = findings_bytes(&c.report);
            let most = options.limits.max_findings_bytes;
            if spent.saturating_add(size) > most {
                cap_findings(
                    &mut c.report,
                    1,
                    &format!(
                        "this run's findings passed {} MB, so each further item lists its first \
                         only",
                        (most / (1024 * 1024)).max(1)
                    ),
                );
            }
            spent = spent.saturating_add(findings_bytes(&c.report));
            batch.merge(&c.redactor);
            pupils.add(&c.identity);
            identities.add(index, &c.report.path.display().to_string(), &c.identity)?;
            index = index
                .checked_add(1)
                .ok_or_else(|| io::Error::other("a batch holds at most 4,294,967,295 cases"))?;
            serde_json::to_writer(&mut spill, &Spilled::of(c))?;
            spill.write_all(b"\n")?;
        }
    }
    let candidates = pupils.candidates();
    drop(pupils);
    let duplicates = Duplicates::of(identities.read(&candidates)?);
    drop(candidates);
    let mut notes = Notes {
        duplicate_pupils: duplicates.pupils(),
        ..Notes::default()
    };
    let file = spill.into_reader()?;
    let mut matched_rows = BTreeSet::new();
    for (index, line) in io::BufReader::new(file).lines().enumerate() {
        let spilled: Spilled = serde_json::from_str(&line?)?;
        let (item, case_received, upn, at) = (
            spilled.item.clone(),
            spilled.case_received,
            spilled.upn.clone(),
            spilled.at.clone(),
        );
        let mut report = spilled.report(ctx.today);
        if let (Some(table), false) = (received_from, case_received) {
            let shown_path = report.path.display().to_string();
            if let Some((date, row)) = table.date_for(&shown_path, &item, upn.as_deref()) {
                matched_rows.insert(row);
                report.dates = report
                    .dates
                    .clone()
                    .received_on(date, ctx.profile, ctx.today);
            }
        }
        // The clock runs from receipt even for a request ehcpack could not read (a PDF that is
        // not a pack, a broken archive, a case without its request document).
        if let (None, Some(received)) = (report.dates.received_date, ctx.received) {
            report.dates = report
                .dates
                .clone()
                .received_on(received, ctx.profile, ctx.today);
        }
        if let Some(d) = duplicates.finding(index, at) {
            report.diagnostics.push(d);
            report.recount();
        }
        emit(&batch.report(report))?;
    }
    if let Some(table) = received_from {
        notes.unmatched_rows = table
            .rows()
            .filter(|(_, line)| !matched_rows.contains(line))
            .map(|(k, l)| (batch.redact(k), l))
            .collect();
        notes.unmatched_rows.sort_by_key(|(_, l)| *l);
    }
    Ok(notes)
}
