//! The caps on what a case folder's files may be, in one place: every reader of a case file
//! takes its cap from here.

/// The largest YAML document read. Real case documents are a few kilobytes.
/// How much of a case file too large to read ([`MAX_DOCUMENT_BYTES`]) the redactor still reads,
/// to find a protected address in it (fail closed).
pub const MAX_REDACTOR_BYTES: u64 = 16 * 1024 * 1024;
/// The longest line of such a file the redactor keeps (an address line is far shorter).
pub const MAX_REDACTOR_LINE: usize = 4096;
pub const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;

/// The largest evidence file read. A long scanned report is a few megabytes; every evidence
/// file is embedded in the pack, which is sent by email.
pub const MAX_EVIDENCE_BYTES: u64 = 64 * 1024 * 1024;
