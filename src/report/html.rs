//! `--format html`: the caseworker's triage page. One self-contained page (no external assets,
//! works offline, prints) that names each request (the pupil, school, year group, primary need,
//! who made it) and groups the requests by what to do next ([`crate::diagnostic::case_report::Action`]): ready to
//! consider, send back to the school, check by hand, altered after rendering, duplicate. Each
//! group lists its requests by the next statutory date, soonest first; every column sorts, and
//! the requests filter by rule, by name and by what is overdue.
//!
//! Rows are written as cases arrive, each into its group's [`Sealed`] file (encrypted, unnamed,
//! deleted when closed), so memory does not grow with the batch and nothing of a case is left
//! readable on disk; the groups are written out at the end.

use std::io::{self, Read, Write};

use super::{Reporter, Summary};
use crate::diagnostic::case_report::Action;
use crate::diagnostic::catalogue;
use crate::privacy::RedactedReport;
use crate::received::sealed::Sealed;

/// How many sealed bytes of one group's rows stay in memory before they go to a file.
const ROWS_IN_MEMORY: usize = 128 * 1024;

pub struct Html {
    today: chrono::NaiveDate,
    profile: String,
    /// Each group's rows so far, and how many.
    groups: Vec<(Action, Option<Sealed>, usize)>,
}

impl Html {
    pub fn new(profile: &str, today: chrono::NaiveDate) -> Html {
        Html {
            today,
            profile: profile.to_string(),
            groups: Action::ALL.iter().map(|a| (*a, None, 0)).collect(),
        }
    }
}

/// Text for HTML content and attribute values: the one HTML table ([`super::escape::html`]).
pub fn escape(text: &str) -> String {
    super::escape::html(text)
}

/// The page's style: readable at 1280 pixels (findings take the row's full width beneath it,
/// never a narrow column), and on paper (controls hidden, every finding shown, a request never
/// split across pages).
const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; line-height: 1.4; font-size: 15px; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .4rem; border-bottom: 3px solid #1d70b8; padding-bottom: .2rem; }
h2 small { font-weight: normal; color: #505a5f; }
.lede { color: #505a5f; margin-top: 0; }
nav ul { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; list-style: none; padding: 0; margin: .8rem 0; }
nav a { font-weight: bold; }
.controls { display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; margin: 1rem 0; padding: .6rem; background: #f3f2f1; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { cursor: pointer; background: #f3f2f1; user-select: none; vertical-align: bottom; border-bottom: 2px solid #b1b4b6; }
th[aria-sort="ascending"]::after { content: " \25B2"; }
th[aria-sort="descending"]::after { content: " \25BC"; }
tbody.request { border-bottom: 1px solid #b1b4b6; }
tbody.request:nth-of-type(even) { background: #fafafa; }
td.date { white-space: nowrap; }
.overdue { display: block; }
td.file { overflow-wrap: anywhere; font-size: .85rem; color: #505a5f; }
td { overflow-wrap: break-word; }
.name { font-weight: bold; }
.muted { color: #505a5f; font-size: .85rem; }
tr.findings td { padding-top: 0; }
.fail { color: #b10e1e; font-weight: bold; }
.pass-with-warnings { color: #8a5300; font-weight: bold; }
.pass { color: #00703c; font-weight: bold; }
.check-by-hand { color: #1d70b8; font-weight: bold; }
.overdue { color: #b10e1e; font-weight: bold; }
.empty { color: #505a5f; font-style: italic; }
details ul { margin: .3rem 0 .3rem 1rem; padding: 0; }
details li { margin-bottom: .4rem; }
code { background: #f3f2f1; padding: 0 .2rem; word-break: break-all; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 9pt; }
  td.date { white-space: normal; }
  .controls, nav { display: none; }
  th { cursor: auto; }
  th::after { content: "" !important; }
  tbody.request { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// What each group asks of the caseworker.
fn guidance(action: Action) -> &'static str {
    match action {
        Action::Ready => "No errors: these requests can go to the panel.",
        Action::SendBack => {
            "Errors the school must put right before the request can be considered."
        }
        Action::CheckByHand => {
            "PDFs not made with ehcpack (typed in Word, scanned, another tool): read each one; the \
             clock runs from receipt all the same."
        }
        Action::Altered => {
            "Packs whose contents do not match what was rendered, or that could not be opened: \
             ask the school for the pack again."
        }
        Action::Duplicate => {
            "The same pupil is in more than one request: deal with the request once, keeping the \
             first date of receipt."
        }
    }
}

/// The columns' shares of the page's width: fixed, so that no long name or path pushes the
/// table past the window (1280 pixels and up, and A4 printed).
const WIDTHS: &str = r#"<colgroup><col style="width:16%"><col style="width:4%"><col style="width:13%"><col style="width:7%"><col style="width:8%"><col style="width:9%"><col style="width:8%"><col style="width:9%"><col style="width:9%"><col style="width:7%"><col style="width:10%"></colgroup>"#;
const COLUMNS: &str = r#"<tr><th data-type="text">Pupil</th><th data-type="number">Year</th><th data-type="text">School</th><th data-type="text">Primary need</th><th data-type="text">Requested by</th><th data-type="date">Submitted</th><th data-type="date">Received</th><th data-type="date">Decision due</th><th data-type="date">Final plan due</th><th data-type="text">Verdict</th><th data-type="text">File</th></tr>"#;
const COLUMN_COUNT: usize = 11;

impl Html {
    fn row(&self, report: &RedactedReport) -> String {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let dates = &report.dates;
        let p = &report.particulars;
        let mut rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        let overdue = dates.overdue(self.today);
        let due = |d: Option<chrono::NaiveDate>, which: &str| {
            let text = date(d);
            if overdue == Some(which) {
                format!("<span class=\"overdue\">{text}<br>(overdue)</span>")
            } else {
                text
            }
        };
        let estimated = if dates.guidance_date_estimated {
            " (estimated)"
        } else {
            ""
        };
        let submitted = match dates.guidance_status() {
            "after" => format!(
                "{}<br><span class=\"muted\">after the guidance date, {}{estimated}</span>",
                date(dates.submission_date),
                date(dates.guidance_date)
            ),
            _ => date(dates.submission_date),
        };
        let text = |t: &Option<String>| escape(t.as_deref().unwrap_or(""));
        let pupil = match (&p.legal_name, &report.by_hand) {
            (Some(name), _) => format!(
                "<span class=\"name\">{}</span>{}{}",
                escape(name),
                p.date_of_birth
                    .as_ref()
                    .map(|d| format!("<br><span class=\"muted\">born {}</span>", escape(d)))
                    .unwrap_or_default(),
                dates
                    .pupil_reference
                    .as_ref()
                    .map(|u| format!("<br><span class=\"muted\">UPN {}</span>", escape(u)))
                    .unwrap_or_default(),
            ),
            (None, Some(hand)) => format!(
                "<span class=\"name\">{}</span>",
                escape(hand.title.as_deref().unwrap_or("(untitled PDF)"))
            ),
            (None, None) => "<span class=\"empty\">not named</span>".into(),
        };
        let mut findings: String = report
            .diagnostics
            .iter()
            .map(|d| {
                let place = match (&d.file, d.line, d.column) {
                    (Some(f), Some(l), Some(c)) => format!("{}:{l}:{c}", f.display()),
                    (Some(f), _, _) => f.display().to_string(),
                    _ => "the case folder".into(),
                };
                format!(
                    "<li><span class=\"{sev_class}\">{sev}[{rule}]</span> {msg}<br><code>{place}</code><br>help: {help}<br><small>source: {source} (basis: {basis})</small></li>",
                    sev_class = if d.is_error() { "fail" } else { "pass-with-warnings" },
                    sev = d.severity.as_str(),
                    rule = d.rule,
                    msg = escape(&d.message),
                    place = escape(&place),
                    help = escape(&d.help),
                    source = escape(d.source),
                    basis = d.basis.describe(),
                )
            })
            .collect();
        if let Some(hand) = &report.by_hand {
            findings = format!(
                "<li><span class=\"check-by-hand\">{}</span>: read it and check the request by hand.</li>{findings}",
                escape(&super::by_hand_line(hand))
            );
        }
        let count = report.diagnostics.len();
        let findings = if findings.is_empty() {
            "<span class=\"muted\">no findings</span>".to_string()
        } else {
            format!(
                "<details><summary>{count} finding{}: {}</summary><ul>{findings}</ul></details>",
                if count == 1 { "" } else { "s" },
                escape(&rules.join(", ")),
            )
        };
        let verdict = report.verdict;
        // The file's own name in the table; its whole path beneath, with the findings.
        let path = report.path_text().into_string();
        let name = path
            .rsplit(['/', '\\'])
            .find(|part| !part.is_empty())
            .unwrap_or(&path);
        let file = format!(
            "{}{}",
            escape(name),
            report
                .received_as
                .map(|r| format!("<br><span class=\"muted\">received as a {r}</span>"))
                .unwrap_or_default()
        );
        format!(
            "<tbody class=\"request\" data-next=\"{next}\" data-search=\"{search}\">\
             <tr data-verdict=\"{verdict_class}\" data-rules=\" {rules} \" data-overdue=\"{overdue}\">\
             <td>{pupil}</td><td>{year}</td><td>{school}</td><td>{need}</td><td>{by}</td>\
             <td class=\"date\">{submitted}</td><td class=\"date\">{received}</td>\
             <td class=\"date\">{decision}</td><td class=\"date\">{final_plan}</td>\
             <td class=\"{verdict_class}\">{verdict_text}</td>\
             <td class=\"file\">{file}</td></tr>\
             <tr class=\"findings\"><td colspan=\"{COLUMN_COUNT}\">{findings}<div class=\"muted\">{path}</div></td></tr></tbody>\n",
            next = date(dates.next_due),
            path = escape(&path),
            search = escape(
                &[
                    p.legal_name.as_deref().unwrap_or(""),
                    p.school.as_deref().unwrap_or(""),
                    dates.pupil_reference.as_deref().unwrap_or(""),
                    &report.path_text(),
                ]
                .join(" ")
                .to_lowercase()
            ),
            verdict_class = verdict.as_str(),
            verdict_text = verdict.words(),
            rules = rules.join(" "),
            overdue = overdue.unwrap_or(""),
            year = p.year_group.map(|y| y.to_string()).unwrap_or_default(),
            school = text(&p.school),
            need = text(&p.primary_need),
            by = p
                .requested_by
                .as_deref()
                .map(|b| escape(&super::requester(b)))
                .unwrap_or_default(),
            received = date(dates.received_date),
            decision = due(dates.decision_due, "decision"),
            final_plan = due(dates.final_plan_due, "final-plan"),
        )
    }
}

impl Reporter for Html {
    fn case(&mut self, report: &RedactedReport, _out: &mut dyn Write) -> io::Result<()> {
        let row = self.row(report);
        let action = report.action();
        let group = self
            .groups
            .iter_mut()
            .find(|(a, _, _)| *a == action)
            .ok_or_else(|| io::Error::other("no group for the request"))?;
        let sealed = match &mut group.1 {
            Some(s) => s,
            // A group's rows past 128 KiB wait on disk: five groups of a megabyte each in
            // memory would grow a large batch's memory by five.
            empty => empty.insert(Sealed::keeping(ROWS_IN_MEMORY)?),
        };
        sealed.write_all(row.as_bytes())?;
        group.2 += 1;
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        let rule_options: String = catalogue::all()
            .iter()
            .map(|r| format!("<option value=\"{0}\">{0}</option>", r.id))
            .collect();
        let nav: String = self
            .groups
            .iter()
            .map(|(a, _, n)| {
                format!(
                    "<li><a href=\"#{id}\">{title}</a>: {n}</li>",
                    id = a.as_str(),
                    title = a.title()
                )
            })
            .collect();
        write!(
            out,
            r#"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ehcpack: EHC needs assessment requests to triage</title>
<style>{STYLE}</style>
</head>
<body>
<h1>EHC needs assessment requests</h1>
<p class="lede">Profile: {profile}. Today: {today}. Made by ehcpack {version}. Each group is listed by the next statutory date, soonest first.</p>
<nav><ul>{nav}</ul></nav>
<div class="controls">
<label>Find <input type="search" id="search" placeholder="name, school, UPN or file"></label>
<label>Rule <select id="rule"><option value="">any</option>{rule_options}</select></label>
<label><input type="checkbox" id="overdue"> Overdue only</label>
<span id="shown"></span>
</div>
"#,
            profile = escape(&self.profile),
            today = self.today,
            version = env!("CARGO_PKG_VERSION"),
        )?;
        for (action, sealed, count) in &mut self.groups {
            write!(
                out,
                "<section id=\"{id}\">\n<h2>{title} <small>({count})</small></h2>\n<p class=\"muted\">{guidance}</p>\n",
                id = action.as_str(),
                title = action.title(),
                guidance = guidance(*action),
            )?;
            match sealed.take() {
                None => writeln!(out, "<p class=\"empty\">None.</p>")?,
                Some(sealed) => {
                    write!(
                        out,
                        "<table class=\"requests\">\n{WIDTHS}<thead>{COLUMNS}</thead>\n"
                    )?;
                    let mut rows = sealed.into_reader()?;
                    let mut buffer = vec![0u8; 64 * 1024];
                    loop {
                        let n = rows.read(&mut buffer)?;
                        if n == 0 {
                            break;
                        }
                        out.write_all(&buffer[..n])?;
                    }
                    writeln!(out, "</table>")?;
                }
            }
            writeln!(out, "</section>")?;
        }
        write!(
            out,
            r#"<p id="summary">{totals}.</p>
<script>
(function () {{
  var requests = Array.prototype.slice.call(document.querySelectorAll('tbody.request'));
  var search = document.getElementById('search');
  var rule = document.getElementById('rule');
  var shown = document.getElementById('shown');
  var overdue = document.getElementById('overdue');
  function filter() {{
    var n = 0, text = search.value.trim().toLowerCase();
    requests.forEach(function (request) {{
      var row = request.rows[0];
      var ok = (!rule.value || row.dataset.rules.indexOf(' ' + rule.value + ' ') >= 0) &&
               (!overdue.checked || row.dataset.overdue !== '') &&
               (!text || request.dataset.search.indexOf(text) >= 0);
      request.hidden = !ok;
      if (ok) n++;
    }});
    shown.textContent = n + ' of ' + requests.length + ' requests shown';
  }}
  search.addEventListener('input', filter);
  rule.addEventListener('change', filter);
  overdue.addEventListener('change', filter);
  function sortBy(table, th, index, ascending) {{
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {{ c.removeAttribute('aria-sort'); }});
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var number = th.dataset.type === 'number';
    var date = th.dataset.type === 'date';
    var bodies = Array.prototype.slice.call(table.tBodies);
    bodies.sort(function (a, b) {{
      var x = a.rows[0].cells[index].textContent, y = b.rows[0].cells[index].textContent;
      // Requests without a date go last, whichever way dates are sorted.
      if (date && (x === '' || y === '')) return (x === '') - (y === '');
      var c = number ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
      return ascending ? c : -c;
    }});
    bodies.forEach(function (b) {{ table.appendChild(b); }});
  }}
  Array.prototype.forEach.call(document.querySelectorAll('table.requests'), function (table) {{
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {{
      th.addEventListener('click', function () {{
        sortBy(table, th, index, th.getAttribute('aria-sort') !== 'ascending');
      }});
    }});
    // Opened, each group lists its requests by the next statutory date due, soonest first
    // (those without a date last).
    var bodies = Array.prototype.slice.call(table.tBodies);
    bodies.sort(function (a, b) {{
      var x = a.dataset.next, y = b.dataset.next;
      if (x === '' || y === '') return (x === '') - (y === '');
      return x.localeCompare(y);
    }});
    bodies.forEach(function (b) {{ table.appendChild(b); }});
  }});
  // On paper every finding is shown.
  window.addEventListener('beforeprint', function () {{
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) {{ d.open = true; }});
  }});
  filter();
}})();
</script>
</body>
</html>
"#,
            totals = summary.totals(),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Verdict;

    #[test]
    fn every_verdict_has_words() {
        for v in [
            Verdict::Pass,
            Verdict::PassWithWarnings,
            Verdict::Fail,
            Verdict::CheckByHand,
        ] {
            assert!(!v.words().is_empty());
        }
    }
}
