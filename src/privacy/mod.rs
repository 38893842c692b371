//! A looked-after child's protected address must not be shared on any document (Durham toolkit,
//! "Maintenance of SEN records"). This module finds its parts in text and withholds them from
//! every output: reports, messages, snippets, paths, errors and the PDF.
//!
//! **One gate.** Text that may leave the process is a [`Redacted`]: a string only this module can
//! build, and only by passing it through a [`Redactor`]. The report writers print a
//! [`RedactedReport`], which only [`Redactor::report`] builds, after redacting every printed
//! field of the report; so a new output format, or a new field, cannot forget it.
//!
//! **Matching.** Both the address and the text are normalised before they are compared: Unicode
//! NFKD with combining marks dropped (so NFKC-equivalent forms, full-width letters and accents
//! all compare equal), look-alike letters of other scripts read as Latin ones and any script's
//! digits as digits, case folded, format and zero-width characters removed, every run of
//! anything that is not a letter or digit (spaces, line breaks, hyphens, dashes, punctuation) one
//! separator, and the common street abbreviations (Rd, St, Ave, Terr, Cres, Cl, Dr, Ln) read as
//! the words. A postcode matches with any separator or none anywhere inside it; an address line
//! matches on its distinctive part (house number and street name), whatever comes before it.
//! Every normalised character keeps the span of the original text it came from, so a match is
//! replaced in the original text, with [`WITHHELD`].
//!
//! **Fail closed.** When the pupil document cannot be read or parsed, when its `protected` flag is
//! mistyped, or when there is more than one pupil-like document, every address value in any of
//! them is withheld, and no line of the case's files is quoted.
//!
//! The module's parts: [`gate`] (the [`Redacted`] text only this module makes, and what prints
//! it), `address` (finding a protected address in a case and in text: the [`Redactor`]),
//! `normalise` (the tables and folding both sides are compared in), `report` (a whole report
//! redacted: [`RedactedReport`]).

mod address;
pub(crate) mod gate;
mod normalise;
mod report;

pub use address::Redactor;
pub use gate::{path_text, quote, terminal_safe, Redacted, WITHHELD};
pub use report::RedactedReport;
