//! The integration tests, one binary (as cargo's own test suite is): each former test file is a
//! module, so the whole stack is linked once. The tests that drive outside programs are the
//! other binary, `tests/external` (feature `external-tools`).

// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

#[path = "../common/mod.rs"]
mod common;

mod attacks;
mod batch;
mod batch_api;
mod cli;
mod contacts;
mod docs;
mod encrypt;
mod errors;
mod fast_pack;
mod firsthour;
mod formats;
mod hostile;
mod imports;
mod inbox;
mod intake;
mod leak_property;
mod malformed;
mod memory_flat;
mod mistakes;
mod pack;
mod privacy;
mod properties;
mod realcases;
mod received;
mod render;
mod rules;
mod schema_differential;
mod schema_enums;
mod serve;
mod snapshots;
mod spans;
mod trust;
