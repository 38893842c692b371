//! ehcpack: checks a school's case folder for an EHC needs assessment request against the LA's
//! rules (Durham's built in) and renders the request pack.
//!
//! The pipeline for one case is straight: [`case::load`] (read, parse with positions, structure,
//! schema, typed model, evidence facts), then [`rules::check`], then [`check::validate`] puts the
//! findings in order and withholds any protected address; the [`report`] writers only print.
//! `docs/development.md` draws it and lists what may never import what.

pub mod batch;
pub mod budget;
pub mod calendar;
pub(crate) mod check;
pub mod cli;
pub mod diagnostic;
pub mod encoding;
pub mod generate;
pub mod intake;
pub mod load;
pub mod manifest;
pub(crate) mod new_case;
pub(crate) mod output;
pub mod privacy;
pub mod profile;
pub mod protect;
pub(crate) mod read;
pub mod received;
pub mod render;
pub mod report;
pub mod rules;
pub(crate) mod serve;
pub mod status;

/// The library's own tests allocate through [`budget::Budgeted`], as the `ehcpack` command does
/// (`src/main.rs`), so that the thread that renders templates keeps to its budget. A program
/// that uses the library declares it too, or has only the time limit on templates.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: budget::Budgeted = budget::Budgeted;

// The API as it was before `check` and `diagnostic::case_report` took these over. Nothing inside
// the crate uses them from here (the import-circle test would see it).
pub use check::{validate, MAX_SNIPPET_BYTES};
pub use diagnostic::case_report::{CaseReport, KeyDates};
pub use load::{case, evidence, evidence_pdf, kind, limits, model, schema, yaml};
