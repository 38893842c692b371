//! `ehcpack status`: the case as a checklist, the way LA request forms list their evidence, each
//! item ticked or with what is missing, and the days left to the guidance date.

use std::io::{self, Write};

use chrono::NaiveDate;

use crate::case::Case;
use crate::diagnostic::Diagnostic;
use crate::privacy::{terminal_safe, RedactedReport};

/// One item of the checklist and the rules that decide it.
pub struct Item {
    pub title: &'static str,
    pub rules: &'static [&'static str],
}

/// In the order a request form lists its evidence.
pub const CHECKLIST: &[Item] = &[
    Item {
        title: "Every document reads correctly",
        rules: &["yaml-syntax", "case-structure", "schema"],
    },
    Item {
        title: "Pupil on SEN support, parents notified",
        rules: &["sen-support-status", "parents-notified", "year-group-age"],
    },
    Item {
        title: "Needs described: primary need, nature, extent and cause",
        rules: &["need-described"],
    },
    Item {
        title: "Two support plans reviewed fully, plus the current plan",
        rules: &[
            "apdr-cycles",
            "plan-review-complete",
            "plan-review-date",
            "review-frequency",
        ],
    },
    Item {
        title: "SMART outcomes (and Preparing for Adulthood from Year 9)",
        rules: &["smart-outcome", "pfa-outcomes"],
    },
    Item {
        title: "Provision recorded, with its cost",
        rules: &["provision-recorded", "costed-provision"],
    },
    Item {
        title: "Attainment and rate of progress",
        rules: &["attainment-progress"],
    },
    Item {
        title: "The child's views, wishes and feelings",
        rules: &["pupil-views"],
    },
    Item {
        title: "The parents' views",
        rules: &["parent-views"],
    },
    Item {
        title: "Professionals involved, with parental agreement",
        rules: &["specialist-parental-agreement", "evidence-file"],
    },
    Item {
        title: "Health, development and care",
        rules: &["health-development", "looked-after-pep"],
    },
    Item {
        title: "Parental consent, and consent to share",
        rules: &["parental-consent", "consent-to-share"],
    },
    Item {
        title: "Headteacher's countersignature",
        rules: &["headteacher-countersignature"],
    },
    Item {
        title: "Dates in order; protected address kept out",
        rules: &["dates-coherent", "protected-address-leak"],
    },
    Item {
        title: "Sent by the guidance date",
        rules: &["guidance-date"],
    },
];

/// Prints the checklist for one case.
pub fn print(
    case: &Case,
    report: &RedactedReport,
    today: NaiveDate,
    out: &mut dyn Write,
) -> io::Result<()> {
    let who = case.pupil.as_ref().map_or_else(
        || "pupil details not read yet".to_string(),
        |p| {
            let year = if p.value.year_group == 0 {
                "Reception".into()
            } else {
                format!("Year {}", p.value.year_group)
            };
            format!("{}, {year}", p.value.legal_name.full())
        },
    );
    // Everything from the case passes the redactor, then is made safe for a terminal.
    let who = report.redact(&who).for_terminal();
    writeln!(out, "EHC needs assessment request: {who}")?;
    writeln!(out, "{}\n", report.path_text().for_terminal())?;
    // Until every document reads cleanly the rules have not run: say so rather than tick.
    let rules_ran = !report
        .diagnostics
        .iter()
        .any(|d| d.is_error() && matches!(d.rule, "yaml-syntax" | "case-structure" | "schema"));
    let mut done = 0;
    for (i, item) in CHECKLIST.iter().enumerate() {
        let findings: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| item.rules.contains(&d.rule))
            .collect();
        let errors = findings.iter().filter(|d| d.is_error()).count();
        let (mark, note) = if i > 0 && !rules_ran {
            (
                "[ ]",
                " (checked once every document reads correctly)".to_string(),
            )
        } else if errors > 0 {
            ("[ ]", String::new())
        } else if !findings.is_empty() {
            ("[~]", String::new())
        } else {
            done += 1;
            ("[x]", String::new())
        };
        writeln!(out, "{mark} {}{note}", item.title)?;
        let shown = if i == 0 { 5 } else { 3 };
        for d in findings.iter().take(shown) {
            let place = match (&d.file, d.line) {
                (Some(f), Some(l)) => format!(" ({}:{l})", f.display()),
                (Some(f), None) => format!(" ({})", f.display()),
                _ => String::new(),
            };
            writeln!(
                out,
                "      {}{}",
                terminal_safe(&d.message),
                terminal_safe(&place)
            )?;
        }
        if findings.len() > shown {
            writeln!(
                out,
                "      ... and {} more: run `ehcpack validate`",
                findings.len() - shown
            )?;
        }
    }
    writeln!(out, "\n{done} of {} done.", CHECKLIST.len())?;
    match (report.dates.guidance_date, report.dates.submission_date) {
        (Some(guidance), _) if guidance >= today => {
            let days = (guidance - today).num_days();
            writeln!(
                out,
                "{days} days left to the guidance date, {}.",
                crate::calendar::long_date(guidance)
            )?;
        }
        (Some(guidance), _) => writeln!(
            out,
            "The guidance date, {}, has passed: a request can still be sent; a manager will look at it.",
            crate::calendar::long_date(guidance)
        )?,
        (None, Some(_)) => writeln!(out, "The profile has no guidance date for this academic year.")?,
        (None, None) => {}
    }
    Ok(())
}
