//! `ehcpack intake export`: one row per request, shaped like the DfE's SEN2 return (the person
//! and request modules, and the assessment and plan fields the register knows), for the LA's
//! case system each January. Fields the register does not know are left blank for the case
//! system to fill; the postcode is always blank (the register never holds an address).
//!
//! Values are the register's plain words (`school`, `assess`, `yes`), not the DfE's codes: the
//! code lists were not at hand when this was written, and a guessed code is worse than a plain
//! word a person maps once (docs/caseworker.md, "SEN2 in January").

use std::io::{self, Write};

use super::Request;

/// The columns, in order. `ehcpack_request` and the columns after `Week20` are the register's
/// own, not SEN2's.
pub const COLUMNS: [&str; 27] = [
    "ehcpack_request",
    // Person module.
    "Surname",
    "Forename",
    "PersonBirthDate",
    "Sex",
    "Ethnicity",
    "Postcode",
    "UPN",
    "UniqueLearnerNumber",
    "UPNunknown",
    // Requests module.
    "ReceivedDate",
    "RequestSource",
    "RYA",
    "RequestOutcomeDate",
    "RequestOutcome",
    "RequestMediation",
    "RequestTribunal",
    "Exam",
    // Assessment and plan.
    "AssessmentOutcome",
    "AssessmentOutcomeDate",
    "StartDate",
    "Week20",
    // The register's own.
    "ehcpack_week20_reasons",
    "ehcpack_withdrawn_date",
    "ehcpack_school",
    "ehcpack_primary_need",
    "ehcpack_versions",
];

/// One request as a row of [`COLUMNS`].
pub fn row(r: &Request) -> Vec<String> {
    let first = &r.first.request;
    let latest = &r.latest.request;
    // Who the child is: the latest version's reading (a corrected name), else the first's.
    let pick = |f: fn(&super::NewRequest) -> &Option<String>| {
        f(latest)
            .clone()
            .or_else(|| f(first).clone())
            .unwrap_or_default()
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let (outcome, outcome_date) = match r.decision {
        Some((true, d)) => ("assess".to_string(), d.to_string()),
        Some((false, d)) => ("no-assess".to_string(), d.to_string()),
        None => (String::new(), String::new()),
    };
    let (assessment, assessment_date, start) = match r.plan {
        Some((true, d)) => ("plan".to_string(), d.to_string(), d.to_string()),
        Some((false, d)) => ("no-plan".to_string(), d.to_string(), String::new()),
        None => (String::new(), String::new(), String::new()),
    };
    let week20 = if r.exceptions.is_empty() { "no" } else { "yes" };
    let reasons: Vec<&str> = r.exceptions.iter().map(|(code, _)| code.as_str()).collect();
    vec![
        r.id.to_string(),
        pick(|n| &n.surname),
        pick(|n| &n.forename),
        pick(|n| &n.date_of_birth),
        String::new(),
        String::new(),
        // Never exported: the register holds no address.
        String::new(),
        pick(|n| &n.upn),
        String::new(),
        String::new(),
        r.received_date.to_string(),
        pick(|n| &n.requested_by),
        String::new(),
        outcome_date,
        outcome,
        String::new(),
        String::new(),
        String::new(),
        assessment,
        assessment_date,
        start,
        week20.to_string(),
        reasons.join(" "),
        date(r.withdrawn),
        pick(|n| &n.school),
        pick(|n| &n.primary_need),
        r.versions.to_string(),
    ]
}

/// A cell a spreadsheet will not read as a formula.
fn safe(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// Writes the rows as CSV.
pub fn csv(requests: &[Request], out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let map = |e: csv::Error| io::Error::other(e.to_string());
    writer.write_record(COLUMNS).map_err(map)?;
    for r in requests {
        writer
            .write_record(row(r).into_iter().map(safe))
            .map_err(map)?;
    }
    writer.flush()
}

/// Writes the rows as a JSON array of objects keyed by [`COLUMNS`].
pub fn json(requests: &[Request], out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = requests
        .iter()
        .map(|r| {
            COLUMNS
                .iter()
                .zip(row(r))
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                .collect()
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}
