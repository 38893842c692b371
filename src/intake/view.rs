//! `ehcpack intake list`: the requests the LA is working on, with their 6- and 20-week dates
//! and what is overdue given what was recorded, as text, JSON, CSV, or the caseworker's daily
//! HTML page. Requests come sorted by the next statutory date, soonest first.

use std::io::{self, Write};

use chrono::NaiveDate;
use serde_json::json;

use super::Request;
use crate::privacy::terminal_safe;
use crate::report::escape;

/// The list's requests in the order shown: overdue first, then by the next date due, then by
/// number.
pub fn order(requests: &mut [Request], today: NaiveDate) {
    requests.sort_by_key(|r| {
        (
            r.overdue(today).is_none(),
            r.next_due().is_none(),
            r.next_due(),
            r.id,
        )
    });
}

fn who(r: &Request) -> String {
    let n = &r.latest.request;
    let f = &r.first.request;
    let name = n
        .legal_name
        .clone()
        .or_else(|| f.legal_name.clone())
        .or_else(|| {
            n.document_title
                .clone()
                .map(|t| format!("\"{t}\" (check by hand)"))
        })
        .unwrap_or_else(|| format!("{} (not named)", n.file_name));
    let mut details = Vec::new();
    if let Some(dob) = &n.date_of_birth {
        details.push(format!("born {dob}"));
    }
    if let Some(y) = n.year_group {
        details.push(crate::report::year_group(y));
    }
    if details.is_empty() {
        name
    } else {
        format!("{name} ({})", details.join(", "))
    }
}

fn particulars(r: &Request) -> String {
    let n = &r.latest.request;
    let mut parts = Vec::new();
    if let Some(s) = &n.school {
        parts.push(s.clone());
    }
    if let Some(p) = &n.primary_need {
        parts.push(format!("primary need {p}"));
    }
    if let Some(by) = &n.requested_by {
        parts.push(format!("requested by {}", crate::report::requester(by)));
    }
    parts.join("; ")
}

fn overdue_words(which: &str) -> &'static str {
    match which {
        "decision" => "the decision on whether to assess is overdue",
        _ => "the final plan is overdue",
    }
}

fn outcome(r: &Request) -> String {
    let mut parts = vec![r.stage().to_string()];
    if let Some((assess, d)) = r.decision {
        parts.push(format!(
            "decided {d}: {}",
            if assess { "assess" } else { "not to assess" }
        ));
    }
    if let Some((issued, d)) = r.plan {
        parts.push(if issued {
            format!("plan issued {d}")
        } else {
            format!("decided {d} not to issue a plan")
        });
    }
    if !r.exceptions.is_empty() {
        let reasons: Vec<String> = r
            .exceptions
            .iter()
            .map(|(code, d)| format!("{code} ({d})"))
            .collect();
        parts.push(format!("20-week exception: {}", reasons.join(", ")));
    }
    if let Some(d) = r.withdrawn {
        parts.push(format!("withdrawn {d}"));
    }
    parts.join("; ")
}

pub fn human(requests: &[Request], today: NaiveDate, out: &mut dyn Write) -> io::Result<()> {
    for r in requests {
        writeln!(out, "Request {}: {}", r.id, terminal_safe(&who(r)))?;
        let p = particulars(r);
        if !p.is_empty() {
            writeln!(out, "  {}", terminal_safe(&p))?;
        }
        writeln!(
            out,
            "  received {}{}: decision due {}; final plan due {}",
            r.received_date,
            if r.versions > 1 {
                format!(" ({} versions; the clock runs from the first)", r.versions)
            } else {
                String::new()
            },
            r.decision_due,
            r.final_plan_due
        )?;
        writeln!(out, "  {}", terminal_safe(&outcome(r)))?;
        if let Some(which) = r.overdue(today) {
            writeln!(out, "  OVERDUE: {}", overdue_words(which))?;
        }
        writeln!(
            out,
            "  checked: {} ({}){}",
            r.latest.request.verdict.replace('-', " "),
            r.latest.request.action,
            if r.latest.request.findings.is_empty() {
                String::new()
            } else {
                format!(": {}", terminal_safe(&r.latest.request.findings))
            }
        )?;
        writeln!(out)?;
    }
    writeln!(out, "{}", totals(requests, today))
}

fn totals(requests: &[Request], today: NaiveDate) -> String {
    let open = requests.iter().filter(|r| r.is_open()).count();
    let decisions = requests
        .iter()
        .filter(|r| r.overdue(today) == Some("decision"))
        .count();
    let plans = requests
        .iter()
        .filter(|r| r.overdue(today) == Some("final-plan"))
        .count();
    format!(
        "{} {} shown, {open} of them open: {decisions} {} overdue, {plans} final {} overdue",
        requests.len(),
        if requests.len() == 1 {
            "request"
        } else {
            "requests"
        },
        if decisions == 1 {
            "decision"
        } else {
            "decisions"
        },
        if plans == 1 { "plan" } else { "plans" },
    )
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn value(r: &Request, today: NaiveDate) -> serde_json::Value {
    let n = &r.latest.request;
    json!({
        "id": r.id,
        "legal_name": n.legal_name,
        "date_of_birth": n.date_of_birth,
        "year_group": n.year_group,
        "upn": n.upn,
        "school": n.school,
        "primary_need": n.primary_need,
        "requested_by": n.requested_by,
        "received_date": r.received_date,
        "decision_due": r.decision_due,
        "final_plan_due": r.final_plan_due,
        "next_due": r.next_due(),
        "overdue": r.overdue(today),
        "stage": r.stage(),
        "open": r.is_open(),
        "decision": r.decision.map(|(assess, d)| json!({"assess": assess, "date": d})),
        "plan": r.plan.map(|(issued, d)| json!({"issued": issued, "date": d})),
        "exceptions": r.exceptions.iter().map(|(c, d)| json!({"reason": c, "date": d})).collect::<Vec<_>>(),
        "withdrawn": r.withdrawn,
        "versions": r.versions,
        "verdict": n.verdict,
        "action": n.action,
        "findings": n.findings,
        "file_name": n.file_name,
        "document_title": n.document_title,
        "pages": n.pages,
        "events": r.events,
    })
}

pub fn json(requests: &[Request], today: NaiveDate, out: &mut dyn Write) -> io::Result<()> {
    let doc = json!({
        "tool": concat!("ehcpack ", env!("CARGO_PKG_VERSION")),
        "today": today,
        "requests": requests.iter().map(|r| value(r, today)).collect::<Vec<_>>(),
        "summary": totals(requests, today),
    });
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

pub const CSV_HEADER: [&str; 24] = [
    "id",
    "legal_name",
    "date_of_birth",
    "year_group",
    "upn",
    "school",
    "primary_need",
    "requested_by",
    "received_date",
    "decision_due",
    "final_plan_due",
    "next_due",
    "overdue",
    "stage",
    "decision",
    "decision_date",
    "plan",
    "plan_date",
    "exceptions",
    "verdict",
    "action",
    "findings",
    "file_name",
    "versions",
];

pub fn csv(requests: &[Request], today: NaiveDate, out: &mut dyn Write) -> io::Result<()> {
    let safe = |t: Option<String>| {
        let t = t.unwrap_or_default();
        if t.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{t}")
        } else {
            t
        }
    };
    let map = |e: csv::Error| io::Error::other(e.to_string());
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER).map_err(map)?;
    for r in requests {
        let n = &r.latest.request;
        writer
            .write_record([
                r.id.to_string(),
                safe(n.legal_name.clone()),
                safe(n.date_of_birth.clone()),
                n.year_group.map(|y| y.to_string()).unwrap_or_default(),
                safe(n.upn.clone()),
                safe(n.school.clone()),
                safe(n.primary_need.clone()),
                safe(n.requested_by.clone()),
                r.received_date.to_string(),
                r.decision_due.to_string(),
                r.final_plan_due.to_string(),
                date(r.next_due()),
                r.overdue(today).unwrap_or("").to_string(),
                r.stage().to_string(),
                r.decision
                    .map(|(a, _)| if a { "assess" } else { "no-assess" })
                    .unwrap_or("")
                    .to_string(),
                date(r.decision.map(|(_, d)| d)),
                r.plan
                    .map(|(i, _)| if i { "issued" } else { "not-issued" })
                    .unwrap_or("")
                    .to_string(),
                date(r.plan.map(|(_, d)| d)),
                r.exceptions
                    .iter()
                    .map(|(c, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                n.verdict.clone(),
                n.action.clone(),
                safe(Some(n.findings.clone())),
                safe(Some(n.file_name.clone())),
                r.versions.to_string(),
            ])
            .map_err(map)?;
    }
    writer.flush()
}

const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; line-height: 1.4; font-size: 15px; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .4rem; border-bottom: 3px solid #1d70b8; padding-bottom: .2rem; }
.lede, .muted { color: #505a5f; }
.muted { font-size: .85rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td { overflow-wrap: break-word; }
th, td { padding: .35rem .5rem; text-align: left; vertical-align: top; border-bottom: 1px solid #b1b4b6; }
th { background: #f3f2f1; vertical-align: bottom; }
td.date { white-space: nowrap; }
td.file { overflow-wrap: anywhere; font-size: .85rem; color: #505a5f; }
.overdue { display: block; }
.name { font-weight: bold; }
.overdue { color: #b10e1e; font-weight: bold; }
.empty { color: #505a5f; font-style: italic; }
code { background: #f3f2f1; padding: 0 .2rem; }
@page { size: A4 landscape; margin: 12mm; }
@media print { body { margin: 0; font-size: 9pt; } td.date { white-space: normal; } tr { break-inside: avoid; } h2 { break-after: avoid; } }
"#;

fn html_row(r: &Request, today: NaiveDate) -> String {
    let n = &r.latest.request;
    let overdue = r.overdue(today);
    let due = |d: NaiveDate, which: &str| {
        if overdue == Some(which) {
            format!("<span class=\"overdue\">{d}<br>(overdue)</span>")
        } else {
            d.to_string()
        }
    };
    let name = match (&n.legal_name, &n.document_title) {
        (Some(name), _) => format!("<span class=\"name\">{}</span>", escape(name)),
        (None, Some(title)) => format!(
            "<span class=\"name\">{}</span><br><span class=\"muted\">check by hand</span>",
            escape(title)
        ),
        (None, None) => "<span class=\"empty\">not named</span>".into(),
    };
    let born = n
        .date_of_birth
        .as_ref()
        .map(|d| format!("<br><span class=\"muted\">born {}</span>", escape(d)))
        .unwrap_or_default();
    // The file's own name; its whole path when the pointer rests on it.
    let file = format!(
        "<span title=\"{}\">{}</span>",
        escape(&n.file_name),
        escape(
            n.file_name
                .rsplit(['/', '\\'])
                .find(|p| !p.is_empty())
                .unwrap_or(&n.file_name)
        )
    );
    format!(
        "<tr data-overdue=\"{od}\"><td>{id}</td><td>{name}{born}</td><td>{year}</td><td>{school}</td><td>{need}</td><td>{by}</td>\
         <td class=\"date\">{received}{versions}</td><td class=\"date\">{decision}</td><td class=\"date\">{plan}</td>\
         <td>{outcome}</td><td>{verdict}<br><span class=\"muted\">{findings}</span></td><td class=\"file\">{file}</td></tr>\n",
        od = overdue.unwrap_or(""),
        file = file,
        id = r.id,
        year = n.year_group.map(crate::report::year_group).unwrap_or_default(),
        school = escape(n.school.as_deref().unwrap_or("")),
        need = escape(n.primary_need.as_deref().unwrap_or("")),
        by = n
            .requested_by
            .as_deref()
            .map(|b| escape(&crate::report::requester(b)))
            .unwrap_or_default(),
        received = r.received_date,
        versions = if r.versions > 1 {
            format!("<br><span class=\"muted\">{} versions</span>", r.versions)
        } else {
            String::new()
        },
        decision = due(r.decision_due, "decision"),
        plan = due(r.final_plan_due, "final-plan"),
        outcome = escape(&outcome(r)),
        verdict = escape(&n.verdict.replace('-', " ")),
        findings = escape(&n.findings),
    )
}

/// The caseworker's daily page: what is overdue, the decisions to make, the assessments under
/// way, and (with `--all`) the closed requests, each by the next date due.
pub fn html(requests: &[Request], today: NaiveDate, out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ehcpack: the intake register on {today}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>EHC needs assessment requests on {today}</h1>
<p class="lede">{totals}. Made by ehcpack {version}.</p>
"#,
        totals = escape(&totals(requests, today)),
        version = env!("CARGO_PKG_VERSION"),
    )?;
    type Pick = fn(&Request, NaiveDate) -> bool;
    let sections: [(&str, &str, Pick); 4] = [
        ("overdue", "Overdue", |r, t| r.overdue(t).is_some()),
        ("decide", "Decisions to make", |r, t| {
            r.overdue(t).is_none() && r.is_open() && r.decision.is_none()
        }),
        ("assessing", "Assessing: plan decisions to make", |r, t| {
            r.overdue(t).is_none() && r.is_open() && r.decision.is_some()
        }),
        ("closed", "Closed", |r, _| !r.is_open()),
    ];
    for (id, title, pick) in sections {
        let rows: Vec<&Request> = requests.iter().filter(|r| pick(r, today)).collect();
        if id == "closed" && rows.is_empty() {
            continue;
        }
        writeln!(
            out,
            "<section id=\"{id}\"><h2>{title} ({})</h2>",
            rows.len()
        )?;
        if rows.is_empty() {
            writeln!(out, "<p class=\"empty\">None.</p></section>")?;
            continue;
        }
        writeln!(
            out,
            "<table><colgroup><col style=\"width:4%\"><col style=\"width:14%\"><col style=\"width:5%\"><col style=\"width:11%\"><col style=\"width:7%\"><col style=\"width:8%\"><col style=\"width:9%\"><col style=\"width:9%\"><col style=\"width:9%\"><col style=\"width:10%\"><col style=\"width:8%\"><col style=\"width:6%\"></colgroup><thead><tr><th>No.</th><th>Pupil</th><th>Year</th><th>School</th><th>Primary need</th><th>Requested by</th><th>Received</th><th>Decision due</th><th>Final plan due</th><th>Recorded</th><th>Checked</th><th>File</th></tr></thead><tbody>"
        )?;
        for r in rows {
            out.write_all(html_row(r, today).as_bytes())?;
        }
        writeln!(out, "</tbody></table></section>")?;
    }
    writeln!(out, "</body>\n</html>")
}
