//! `--format html`: one self-contained page (no external assets, works offline) with a sortable
//! table of cases, filters by verdict and rule, and each case's findings. Rows are written as
//! cases arrive, so memory does not grow with the batch.

use std::io::{self, Write};

use super::{Reporter, Summary};
use crate::diagnostic::catalogue;
use crate::diagnostic::Verdict;
use crate::privacy::RedactedReport;

pub struct Html {
    started: bool,
    today: chrono::NaiveDate,
    profile: String,
    row: usize,
}

impl Html {
    pub fn new(profile: &str, today: chrono::NaiveDate) -> Html {
        Html {
            started: false,
            today,
            profile: profile.to_string(),
            row: 0,
        }
    }

    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let rule_options: String = catalogue::all()
            .iter()
            .map(|r| format!("<option value=\"{0}\">{0}</option>", r.id))
            .collect();
        write!(
            out,
            r#"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ehcpack: EHC needs assessment requests checked</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; line-height: 1.4; }}
h1 {{ font-size: 1.4rem; }}
.controls {{ display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ccc; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
th {{ cursor: pointer; background: #f3f2f1; user-select: none; }}
th[aria-sort="ascending"]::after {{ content: " \25B2"; }}
th[aria-sort="descending"]::after {{ content: " \25BC"; }}
.fail {{ color: #b10e1e; font-weight: bold; }}
.pass-with-warnings {{ color: #8a5300; font-weight: bold; }}
.pass {{ color: #00703c; font-weight: bold; }}
.overdue {{ color: #b10e1e; font-weight: bold; }}
details ul {{ margin: .3rem 0 .3rem 1rem; padding: 0; }}
details li {{ margin-bottom: .4rem; }}
code {{ background: #f3f2f1; padding: 0 .2rem; }}
</style>
</head>
<body>
<h1>EHC needs assessment requests checked</h1>
<p>Profile: {profile}. Today: {today}. Made by ehcpack {version}.</p>
<div class="controls">
<label>Verdict <select id="verdict"><option value="">all</option><option value="fail">fail</option><option value="pass-with-warnings">pass with warnings</option><option value="pass">pass</option></select></label>
<label>Rule <select id="rule"><option value="">any</option>{rule_options}</select></label>
<label><input type="checkbox" id="overdue"> Overdue only</label>
<span id="shown"></span>
</div>
<table id="cases">
<thead><tr><th data-type="text">Case</th><th data-type="text">Pupil</th><th data-type="text">Verdict</th><th data-type="number">Errors</th><th data-type="number">Warnings</th><th data-type="text">Submission</th><th data-type="text">Guidance date</th><th data-type="text">Received</th><th data-type="text">Decision due</th><th data-type="text">Final plan due</th><th data-type="date" id="next-due">Next due</th><th data-type="text">Findings</th></tr></thead>
<tbody>
"#,
            profile = escape(&self.profile),
            today = self.today,
            version = env!("CARGO_PKG_VERSION"),
        )
    }
}

/// Text for HTML content and attribute values: the one HTML table ([`super::escape::html`]).
pub fn escape(text: &str) -> String {
    super::escape::html(text)
}

impl Reporter for Html {
    fn case(&mut self, report: &RedactedReport, out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        self.row += 1;
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let dates = &report.dates;
        let mut rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        let overdue = dates.overdue(self.today);
        let due = |d: Option<chrono::NaiveDate>, which: &str| {
            let text = date(d);
            if overdue == Some(which) {
                format!("<span class=\"overdue\">{text} (overdue)</span>")
            } else {
                text
            }
        };
        let estimated = if dates.guidance_date_estimated {
            " (estimated)"
        } else {
            ""
        };
        let guidance = match dates.guidance_status() {
            "after" => format!("{}{estimated} (sent after)", date(dates.guidance_date)),
            _ => format!("{}{estimated}", date(dates.guidance_date)),
        };
        let findings: String = report
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
        let findings = if report.diagnostics.is_empty() {
            "none".to_string()
        } else {
            format!(
                "<details><summary>{} finding{}</summary><ul>{findings}</ul></details>",
                report.diagnostics.len(),
                if report.diagnostics.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )
        };
        let verdict = report.verdict.as_str();
        writeln!(
            out,
            "<tr data-verdict=\"{verdict}\" data-rules=\" {rules} \" data-overdue=\"{overdue}\"><td>{path}</td><td>{pupil}</td><td class=\"{verdict}\">{verdict_text}</td><td>{errors}</td><td>{warnings}</td><td>{submission}</td><td>{guidance}</td><td>{received}</td><td>{decision}</td><td>{final_plan}</td><td>{next_due}</td><td>{findings}</td></tr>",
            overdue = overdue.unwrap_or(""),
            received = date(dates.received_date),
            next_due = date(dates.next_due),
            rules = rules.join(" "),
            path = escape(&report.path_text()),
            pupil = escape(dates.pupil_reference.as_deref().unwrap_or("")),
            verdict_text = match report.verdict {
                Verdict::Pass => "pass",
                Verdict::PassWithWarnings => "pass with warnings",
                Verdict::Fail => "fail",
            },
            errors = report.errors,
            warnings = report.warnings,
            submission = date(dates.submission_date),
            decision = due(dates.decision_due, "decision"),
            final_plan = due(dates.final_plan_due, "final-plan"),
        )
    }

    fn finish(&mut self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        write!(
            out,
            r#"</tbody>
</table>
<p id="summary">{cases} cases: {passed} passed, {warned} passed with warnings, {failed} failed.</p>
<script>
(function () {{
  var table = document.getElementById('cases');
  var body = table.tBodies[0];
  var verdict = document.getElementById('verdict');
  var rule = document.getElementById('rule');
  var shown = document.getElementById('shown');
  var overdue = document.getElementById('overdue');
  function filter() {{
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (row) {{
      var ok = (!verdict.value || row.dataset.verdict === verdict.value) &&
               (!rule.value || row.dataset.rules.indexOf(' ' + rule.value + ' ') >= 0) &&
               (!overdue.checked || row.dataset.overdue !== '');
      row.hidden = !ok;
      if (ok) n++;
    }});
    shown.textContent = n + ' of ' + body.rows.length + ' cases shown';
  }}
  verdict.addEventListener('change', filter);
  rule.addEventListener('change', filter);
  overdue.addEventListener('change', filter);
  function sortBy(th, index, ascending) {{
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {{ c.removeAttribute('aria-sort'); }});
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var number = th.dataset.type === 'number';
    var date = th.dataset.type === 'date';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {{
      var x = a.cells[index].textContent, y = b.cells[index].textContent;
      // Cases without a date go last, whichever way dates are sorted.
      if (date && (x === '' || y === '')) return (x === '') - (y === '');
      var c = number ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
      return ascending ? c : -c;
    }});
    rows.forEach(function (r) {{ body.appendChild(r); }});
  }}
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {{
    th.addEventListener('click', function () {{
      sortBy(th, index, th.getAttribute('aria-sort') !== 'ascending');
    }});
  }});
  // Opened, the page lists the cases by the next statutory date due, soonest first.
  var next = document.getElementById('next-due');
  sortBy(next, next.cellIndex, true);
  filter();
}})();
</script>
</body>
</html>
"#,
            cases = summary.cases,
            passed = summary.passed,
            warned = summary.passed_with_warnings,
            failed = summary.failed,
        )
    }
}
