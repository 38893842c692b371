//! Per-rule tests. Each test copies `sample-cases/year5-passing` (which passes every rule on
//! 2026-01-15) into a temporary folder, makes one small edit, checks it with the Durham profile
//! and looks at what fired: the rule id, its severity, the file and the line. The unedited
//! sample is the "does not fire" case for every rule; edge cases that must not fire have tests
//! of their own, and so do the three things ehcpack must never check (docs/rules/never.md).
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use ehcpack::diagnostic::{Diagnostic, Severity, Verdict};
use ehcpack::profile::Profile;
use ehcpack::rules::{catalogue, Context};

const TODAY: &str = "2026-01-15";

fn today() -> NaiveDate {
    TODAY.parse().unwrap()
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-cases/year5-passing")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// One change to a copy of the sample case. Every edit must change something: an edit whose
/// text is not found panics, so a test cannot quietly check the unedited sample.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the first occurrence of `from` (or every one, with `all`).
    Replace {
        file: &'static str,
        from: String,
        to: String,
        all: bool,
    },
    /// Remove the line on which `needle` starts and every line after it that is indented more
    /// deeply (a YAML field with its value, or a list item), and put `with` in its place.
    Block {
        file: &'static str,
        needle: String,
        with: String,
    },
    Write {
        file: &'static str,
        bytes: Vec<u8>,
    },
    Copy {
        from: &'static str,
        to: &'static str,
    },
    Delete {
        file: &'static str,
    },
    /// Replace `link` with a symbolic link to a file outside the case folder holding `bytes`.
    #[cfg(unix)]
    LinkOut {
        link: &'static str,
        bytes: Vec<u8>,
    },
}

fn replace(file: &'static str, from: &str, to: &str) -> Edit {
    Edit::Replace {
        file,
        from: from.into(),
        to: to.into(),
        all: false,
    }
}

fn replace_all(file: &'static str, from: &str, to: &str) -> Edit {
    Edit::Replace {
        file,
        from: from.into(),
        to: to.into(),
        all: true,
    }
}

fn remove(file: &'static str, needle: &str) -> Edit {
    swap(file, needle, "")
}

fn swap(file: &'static str, needle: &str, with: &str) -> Edit {
    Edit::Block {
        file,
        needle: needle.into(),
        with: with.into(),
    }
}

fn write(file: &'static str, text: &str) -> Edit {
    Edit::Write {
        file,
        bytes: text.as_bytes().to_vec(),
    }
}

fn delete(file: &'static str) -> Edit {
    Edit::Delete { file }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

impl Edit {
    fn apply(&self, dir: &Path) {
        match self {
            Edit::Replace {
                file,
                from,
                to,
                all,
            } => {
                let path = dir.join(file);
                let text = fs::read_to_string(&path).unwrap();
                assert!(text.contains(from.as_str()), "{file} has no `{from}`");
                let new = if *all {
                    text.replace(from.as_str(), to)
                } else {
                    text.replacen(from.as_str(), to, 1)
                };
                fs::write(path, new).unwrap();
            }
            Edit::Block { file, needle, with } => {
                let path = dir.join(file);
                let text = fs::read_to_string(&path).unwrap();
                let at = text
                    .find(needle.as_str())
                    .unwrap_or_else(|| panic!("{file} has no `{needle}`"));
                let start = text[..at].rfind('\n').map_or(0, |p| p + 1);
                let lines: Vec<&str> = text[start..].split_inclusive('\n').collect();
                let base = indent(lines[0]);
                let mut end = start + lines[0].len();
                for line in &lines[1..] {
                    if line.trim().is_empty() || indent(line) > base {
                        end += line.len();
                    } else {
                        break;
                    }
                }
                let new = format!("{}{}{}", &text[..start], with, &text[end..]);
                fs::write(path, new).unwrap();
            }
            Edit::Write { file, bytes } => {
                let path = dir.join(file);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, bytes).unwrap();
            }
            Edit::Copy { from, to } => {
                fs::copy(dir.join(from), dir.join(to)).unwrap();
            }
            Edit::Delete { file } => {
                let path = dir.join(file);
                assert!(path.exists(), "{file} does not exist");
                fs::remove_file(path).unwrap();
            }
            #[cfg(unix)]
            Edit::LinkOut { link, bytes } => {
                let outside = dir.parent().unwrap().join("outside");
                fs::create_dir_all(&outside).unwrap();
                let target = outside.join(Path::new(link).file_name().unwrap());
                fs::write(&target, bytes).unwrap();
                let path = dir.join(link);
                let _ = fs::remove_file(&path);
                std::os::unix::fs::symlink(&target, &path).unwrap();
            }
        }
    }
}

/// A copy of the sample with the edits made, in a folder `case` inside a temporary folder.
fn edited_case(edits: &[Edit]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    copy_dir(&sample_dir(), &dir);
    for edit in edits {
        edit.apply(&dir);
    }
    (tmp, dir)
}

fn validate(dir: &Path) -> ehcpack::CaseReport {
    validate_with(dir, &Profile::durham())
}

fn validate_with(dir: &Path, profile: &Profile) -> ehcpack::CaseReport {
    let ctx = Context::new(profile, today());
    ehcpack::validate(dir, &ctx).1.into_inner()
}

/// The diagnostics for the sample with these edits.
fn diagnostics(edits: &[Edit]) -> Vec<Diagnostic> {
    diagnostics_with(edits, &Profile::durham())
}

fn diagnostics_with(edits: &[Edit], profile: &Profile) -> Vec<Diagnostic> {
    let (_tmp, dir) = edited_case(edits);
    validate_with(&dir, profile).diagnostics
}

/// The Durham profile with a limit on the age of reports.
fn durham_with_report_age(months: u32) -> Profile {
    let text = format!(
        "{}\nmax_report_age_months: {months}\n",
        ehcpack::profile::DURHAM
    );
    Profile::from_text(&text).unwrap()
}

/// The Durham profile with term dates (an example, not Durham's published dates) for 2024/25
/// and 2025/26.
fn durham_with_terms() -> Profile {
    let text = ehcpack::profile::DURHAM
        .replace(
            "    summer_term_ends: 2025-07-18\n",
            "    summer_term_ends: 2025-07-18\n    terms:\n      \
             - {starts: 2024-09-03, ends: 2024-12-20}\n      \
             - {starts: 2025-01-06, ends: 2025-04-04}\n      \
             - {starts: 2025-04-22, ends: 2025-07-18}\n",
        )
        .replace(
            "    summer_term_ends: 2026-07-17\n",
            "    summer_term_ends: 2026-07-17\n    terms:\n      \
             - {starts: 2025-09-03, ends: 2025-12-19}\n      \
             - {starts: 2026-01-05, ends: 2026-03-27}\n      \
             - {starts: 2026-04-13, ends: 2026-07-17}\n",
        );
    let profile = Profile::from_text(&text).unwrap();
    assert_eq!(profile.terms().len(), 6);
    profile
}

fn show(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "\n  {} {} {}:{}:{} {}",
                d.severity.as_str(),
                d.rule,
                d.file
                    .as_ref()
                    .map_or("-".into(), |f| f.display().to_string()),
                d.line.map_or("-".into(), |l| l.to_string()),
                d.column.map_or("-".into(), |c| c.to_string()),
                d.message
            )
        })
        .collect()
}

fn assert_clean(edits: &[Edit], why: &str) {
    let diags = diagnostics(edits);
    assert!(diags.is_empty(), "{why}: expected nothing{}", show(&diags));
}

/// An edit and the finding it must produce.
struct Fires {
    name: &'static str,
    edits: Vec<Edit>,
    rule: &'static str,
    severity: Severity,
    /// The file the finding is in (None: the case folder as a whole) and the line.
    file: Option<&'static str>,
    line: Option<usize>,
    /// Text the message (or, failing that, the help) must contain.
    says: Option<&'static str>,
    /// The other rules this edit also fires, necessarily. No rule outside these may fire.
    also: &'static [&'static str],
    /// The profile, when not the built-in Durham one.
    profile: Option<Profile>,
}

fn fires(name: &'static str, rule: &'static str, severity: Severity) -> Fires {
    Fires {
        name,
        edits: Vec::new(),
        rule,
        severity,
        file: None,
        line: None,
        says: None,
        also: &[],
        profile: None,
    }
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

impl Fires {
    fn at(mut self, file: &'static str, line: usize) -> Self {
        self.file = Some(file);
        self.line = Some(line);
        self
    }
    fn edit(mut self, edit: Edit) -> Self {
        self.edits.push(edit);
        self
    }
    fn says(mut self, text: &'static str) -> Self {
        self.says = Some(text);
        self
    }
    fn also(mut self, rules: &'static [&'static str]) -> Self {
        self.also = rules;
        self
    }
    fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Runs the case; the ids that fired, or what went wrong.
    fn check(&self) -> Result<BTreeSet<&'static str>, String> {
        let durham = Profile::durham();
        let diags = diagnostics_with(&self.edits, self.profile.as_ref().unwrap_or(&durham));
        let fail = |why: String| Err(format!("[{}] {why}; got:{}", self.name, show(&diags)));
        let want_file = self.file.map(PathBuf::from);
        let Some(d) = diags
            .iter()
            .find(|d| d.rule == self.rule && d.file == want_file && d.line == self.line)
        else {
            return fail(format!(
                "expected {} at {:?} line {:?}",
                self.rule, self.file, self.line
            ));
        };
        if d.severity != self.severity {
            return fail(format!("{} has severity {:?}", self.rule, d.severity));
        }
        if self.file.is_some() && d.column.is_none_or(|c| c == 0) {
            return fail(format!("{} has a line but no column", self.rule));
        }
        if d.message.trim().is_empty() || d.help.trim().is_empty() || d.source.is_empty() {
            return fail(format!("{} lacks a message, help or source", self.rule));
        }
        if let Some(text) = self.says {
            if !d.message.contains(text) && !d.help.contains(text) {
                return fail(format!("{}'s message does not say `{text}`", self.rule));
            }
        }
        for d in &diags {
            let doc = d.rule.doc();
            if d.severity != doc.severity {
                return fail(format!("{} does not have its catalogue severity", d.rule));
            }
        }
        let fired: BTreeSet<&'static str> = diags.iter().map(|d| d.rule.as_str()).collect();
        let expected: BTreeSet<&'static str> = std::iter::once(self.rule)
            .chain(self.also.iter().copied())
            .collect();
        if fired != expected {
            return fail(format!("expected exactly the rules {expected:?}"));
        }
        Ok(fired)
    }
}

/// Where the pupil's date of birth, year group and the current plan are edited for a pupil of
/// 16: born 1 June 2009, in Year 12, with a Preparing for Adulthood outcome.
fn sixteen_year_old() -> Vec<Edit> {
    vec![
        replace(
            "pupil.yaml",
            "date_of_birth: 2016-02-14",
            "date_of_birth: 2009-06-01",
        ),
        replace("pupil.yaml", "year_group: 5", "year_group: 12"),
        replace(
            "plan-3.yaml",
            "    by: 2026-02-13\n  - id: O2",
            "    by: 2026-02-13\n    pfa_area: independent-living\n  - id: O2",
        ),
    ]
}

const YOUNG_PERSON_CONSENT: &str = "young_person:\n  signed: true\n  date: 2026-01-20\n";

/// Every rule, and at least one edit that fires it.
fn table() -> Vec<Fires> {
    let mut t =
        vec![
        // yaml-syntax
        fires("unclosed bracket", "yaml-syntax", E)
            .edit(replace("pupil.yaml", "year_group: 5", "year_group: [5"))
            .at("pupil.yaml", 15),
        fires("tab in the indentation", "yaml-syntax", E)
            .edit(replace("pupil.yaml", "  first: Joshua", "\tfirst: Joshua"))
            .at("pupil.yaml", 6),
        fires("a key twice", "yaml-syntax", E)
            .edit(replace(
                "request.yaml",
                "  signed: true\n",
                "  signed: true\nplanned_submission_date: 2026-02-03\n",
            ))
            .at("request.yaml", 60)
            .says("twice"),
        fires("an anchor", "yaml-syntax", E)
            .edit(replace("pupil.yaml", "gender: Male", "gender: &g Male"))
            .at("pupil.yaml", 11)
            .says("anchor"),
        fires("two documents in one file", "yaml-syntax", E)
            .edit(replace(
                "views.yaml",
                "parents:\n",
                "---\nformat: ehcpack/1\nkind: views\nparents:\n",
            ))
            .at("views.yaml", 30),
        // case-structure
        fires("no consent document", "case-structure", E)
            .edit(delete("consent.yaml"))
            .says("no `consent` document"),
        fires("no plan at all", "case-structure", E)
            .edit(delete("plan-1.yaml"))
            .edit(delete("plan-2.yaml"))
            .edit(delete("plan-3.yaml"))
            .says("no `plan` document"),
        fires("misspelt kind", "case-structure", E)
            .edit(replace("consent.yaml", "kind: consent", "kind: consnet"))
            .at("consent.yaml", 3)
            .says("did you mean `kind: consent`?"),
        fires("a second pupil", "case-structure", E)
            .edit(Edit::Copy {
                from: "pupil.yaml",
                to: "second-pupil.yaml",
            })
            .at("second-pupil.yaml", 3)
            .says("a second `pupil` document"),
        fires("a YAML file with no kind", "case-structure", E)
            .edit(write("notes.yaml", "# notes\nhello: world\n"))
            .at("notes.yaml", 2),
        fires("an empty YAML file", "case-structure", E)
            .edit(write("notes.yaml", ""))
            .at("notes.yaml", 1)
            .says("empty"),
        // schema
        fires("year group as a word", "schema", E)
            .edit(replace("pupil.yaml", "year_group: 5", "year_group: five"))
            .at("pupil.yaml", 14)
            .says("whole number"),
        fires("misspelt field", "schema", E)
            .edit(replace("plan-3.yaml", "review_date:", "reveiw_date:"))
            .at("plan-3.yaml", 7)
            .says("did you mean `review_date`?"),
        fires("impossible date", "schema", E)
            .edit(replace("plan-3.yaml", "start: 2025-11-10", "start: 2025-11-31"))
            .at("plan-3.yaml", 6)
            .says("not a real date"),
        fires("missing required field", "schema", E)
            .edit(remove("pupil.yaml", "date_of_birth:"))
            .at("pupil.yaml", 2)
            .says("date_of_birth"),
        fires("wrong format line", "schema", E)
            .edit(replace("needs.yaml", "format: ehcpack/1", "format: ehcpack/2"))
            .at("needs.yaml", 2),
        fires("bad enum value", "schema", E)
            .edit(replace("needs.yaml", "sen_status: K", "sen_status: SEN support"))
            .at("needs.yaml", 5),
        // apdr-cycles
        fires("only one reviewed plan", "apdr-cycles", E)
            .edit(delete("plan-1.yaml"))
            .at("plan-2.yaml", 2)
            .says("1 support plan is reviewed fully"),
        fires("an earlier plan with no review", "apdr-cycles", E)
            .edit(remove("plan-2.yaml", "review:"))
            .at("plan-1.yaml", 2)
            .says("1 other plan has no review)")
            .also(&["plan-review-complete"]),
        fires("no current plan", "apdr-cycles", E)
            .edit(delete("plan-3.yaml"))
            .at("plan-2.yaml", 88)
            .says("no current support plan"),
        // plan-review-complete
        fires("review without the pupil's views", "plan-review-complete", E)
            .edit(remove("plan-1.yaml", "  pupil_views:"))
            .at("plan-1.yaml", 85)
            .says("pupil_views")
            .also(&["apdr-cycles"]),
        fires("review without progress on O4", "plan-review-complete", E)
            .edit(replace("plan-2.yaml", "    - outcome: O4", "    - outcome: O5"))
            .at("plan-2.yaml", 87)
            .says("outcome O4")
            .also(&["apdr-cycles", "plan-references"]),
        fires("progress for an outcome the plan lacks", "plan-references", E)
            .edit(replace(
                "plan-2.yaml",
                "  professional_feedback: |",
                "    - outcome: O9\n      rating: achieved\n  professional_feedback: |",
            ))
            .at("plan-2.yaml", 121)
            .says("`O9`"),
        fires("past plan with no review", "plan-review-complete", E)
            .edit(remove("plan-2.yaml", "review:"))
            .at("plan-2.yaml", 6)
            .says("has no review")
            .also(&["apdr-cycles"]),
        // smart-outcome
        fires("outcome without a baseline", "smart-outcome", E)
            .edit(remove("plan-3.yaml", "    baseline: Asked for help"))
            .at("plan-3.yaml", 80)
            .says("baseline"),
        fires("outcome with a placeholder target", "smart-outcome", E)
            .edit(swap(
                "plan-1.yaml",
                "    target: 85 of 100",
                "    target: TBC\n",
            ))
            .at("plan-1.yaml", 71)
            .says("target"),
        fires("outcome without a date", "smart-outcome", E)
            .edit(remove("plan-2.yaml", "    by: 2025-11-07\n  - id: O2"))
            .at("plan-2.yaml", 57)
            .says("`by`"),
        // plan-review-date
        fires("plan without a review date", "plan-review-date", E)
            .edit(remove("plan-3.yaml", "review_date:"))
            .at("plan-3.yaml", 6),
        fires("review date on the start date", "plan-review-date", E)
            .edit(replace(
                "plan-2.yaml",
                "review_date: 2025-11-07",
                "review_date: 2025-09-08",
            ))
            .at("plan-2.yaml", 7),
        // dates-coherent
        fires("diagnosis before birth", "dates-coherent", E)
            .edit(replace("health.yaml", "date: 2019-03-05", "date: 2015-03-05"))
            .at("health.yaml", 11)
            .says("before the pupil was born"),
        fires("evidence dated after submission", "dates-coherent", E)
            .edit(replace("evidence.yaml", "date: 2026-01-14", "date: 2026-02-10"))
            .at("evidence.yaml", 14)
            .says("after the submission date 2026-02-02"),
        fires("assessment dated after submission", "dates-coherent", E)
            .edit(replace(
                "attainment.yaml",
                "  - date: 2025-12-10",
                "  - date: 2026-03-10",
            ))
            .at("attainment.yaml", 46),
        fires("plans overlap", "dates-coherent", E)
            .edit(replace("plan-3.yaml", "start: 2025-11-10", "start: 2025-11-03"))
            .at("plan-3.yaml", 6)
            .says("overlap")
            .also(&["apdr-cycles"]),
        fires("review before its plan began", "dates-coherent", E)
            .edit(replace(
                "plan-2.yaml",
                "\n  date: 2025-11-07",
                "\n  date: 2025-09-01",
            ))
            .at("plan-2.yaml", 88)
            .says("before the plan began")
            .also(&["review-frequency"]),
        // sen-support-status
        fires("pupil not on the SEN register", "sen-support-status", E)
            .edit(replace("needs.yaml", "sen_status: K", "sen_status: N"))
            .at("needs.yaml", 5)
            .says("status N"),
        fires("pupil with an EHC plan", "sen-support-status", E)
            .edit(replace("needs.yaml", "sen_status: K", "sen_status: E"))
            .at("needs.yaml", 5)
            .says("status E"),
        // parents-notified
        fires("no parents notified date", "parents-notified", E)
            .edit(remove("needs.yaml", "parents_notified_date:"))
            .at("needs.yaml", 5),
        // headteacher-countersignature
        fires("no countersignature", "headteacher-countersignature", E)
            .edit(remove("request.yaml", "countersignature:"))
            .at("request.yaml", 51),
        fires("countersignature not signed", "headteacher-countersignature", E)
            .edit(replace("request.yaml", "  signed: true", "  signed: false"))
            .at("request.yaml", 59),
        fires(
            "countersigned before completion",
            "headteacher-countersignature",
            E,
        )
        .edit(replace(
            "request.yaml",
            "  date: 2026-01-28",
            "  date: 2026-01-25",
        ))
        .at("request.yaml", 58)
        .says("before the request was completed"),
        fires(
            "countersigned after submission",
            "headteacher-countersignature",
            E,
        )
        .edit(replace(
            "request.yaml",
            "  date: 2026-01-28",
            "  date: 2026-02-03",
        ))
        .at("request.yaml", 58)
        .says("after the submission date"),
        fires(
            "countersigned by a deputy headteacher",
            "headteacher-countersignature",
            E,
        )
        .edit(replace(
            "request.yaml",
            "  name: Mr Andrew Pearson\n  role: headteacher",
            "  name: Mrs Claire Dodds\n  role: deputy headteacher",
        ))
        .at("request.yaml", 57)
        .says("not by the headteacher"),
        fires(
            "countersigned as headteacher by someone else",
            "headteacher-countersignature",
            E,
        )
        .edit(replace(
            "request.yaml",
            "  name: Mr Andrew Pearson\n  role: headteacher",
            "  name: Mr Andrew Pearce\n  role: headteacher",
        ))
        .at("request.yaml", 56)
        .says("recorded as Mr Andrew Pearson"),
        // parental-consent
        fires("consent not signed", "parental-consent", E)
            .edit(replace_all(
                "consent.yaml",
                "signed: true",
                "signed: false",
            ))
            .at("consent.yaml", 6)
            .says("not signed and dated"),
        fires("consent without a date", "parental-consent", E)
            .edit(remove("consent.yaml", "    date: 2026-01-22"))
            .edit(remove("consent.yaml", "    date: 2026-01-24"))
            .at("consent.yaml", 6),
        fires("consent from no one with PR", "parental-consent", E)
            .edit(replace_all(
                "consent.yaml",
                "parental_responsibility: true",
                "parental_responsibility: false",
            ))
            .at("consent.yaml", 6)
            .says("parental responsibility"),
        fires("no parental consent at all", "parental-consent", E)
            .edit(remove("consent.yaml", "parental:"))
            .at("consent.yaml", 2),
        fires("consent dated after submission", "parental-consent", E)
            .edit(replace("consent.yaml", "date: 2026-01-24", "date: 2026-02-03"))
            .at("consent.yaml", 15)
            .says("after the submission date"),
        fires("16-year-old with only parental consent", "parental-consent", E)
            .at("consent.yaml", 2)
            .says("is 16 on the submission date"),
        fires("16-year-old consent not dated", "parental-consent", E)
            .edit(replace(
                "consent.yaml",
                "share_with:",
                "young_person:\n  signed: true\nshare_with:",
            ))
            .at("consent.yaml", 16),
        fires("young person's consent after submission", "parental-consent", E)
            .edit(replace(
                "consent.yaml",
                "share_with:",
                "young_person:\n  signed: true\n  date: 2026-02-04\nshare_with:",
            ))
            .at("consent.yaml", 18)
            .says("after the submission date"),
        // pupil-views
        fires("pupil's views left as TODO", "pupil-views", E)
            .edit(swap("views.yaml", "  views: |\n    (Josh", "  views: TODO\n"))
            .at("views.yaml", 5),
        fires("no views file", "pupil-views", E)
            .edit(delete("views.yaml"))
            .also(&["parent-views"]),
        // parent-views
        fires("no parents block", "parent-views", E)
            .edit(remove("views.yaml", "parents:"))
            .at("views.yaml", 2),
        fires("parents' views left as TODO", "parent-views", E)
            .edit(swap(
                "views.yaml",
                "  views: |\n    Josh is a lovely",
                "  views: TODO\n",
            ))
            .at("views.yaml", 2),
        // attainment-progress
        fires("no attainment file", "attainment-progress", E)
            .edit(delete("attainment.yaml"))
            .says("0 dated attainment records"),
        fires("attainment on one date only", "attainment-progress", E)
            .edit(write(
                "attainment.yaml",
                "format: ehcpack/1\nkind: attainment\nassessments:\n  - date: 2025-07-09\n    \
                 area: Reading\n    measure: Salford reading age\n    result: 7y2m\n  - date: \
                 2025-07-09\n    area: Writing\n    measure: teacher assessment\n    result: \
                 Year 2\n",
            ))
            .at("attainment.yaml", 1)
            .says("1 dated attainment record is"),
        // need-described
        fires("no cause", "need-described", E)
            .edit(remove("needs.yaml", "  cause: |"))
            .at("needs.yaml", 11)
            .says("cause"),
        fires("no primary need", "need-described", E)
            .edit(remove("needs.yaml", "primary_need:"))
            .at("needs.yaml", 10)
            .says("primary_need"),
        fires("no description", "need-described", E)
            .edit(remove("needs.yaml", "description:"))
            .at("needs.yaml", 2)
            .says("nature"),
        // provision-recorded
        fires("plan without provision", "provision-recorded", E)
            .edit(remove("plan-3.yaml", "provision:"))
            .at("plan-3.yaml", 14),
        fires("plan with an empty provision list", "provision-recorded", E)
            .edit(swap("plan-1.yaml", "provision:", "provision: []\n"))
            .at("plan-1.yaml", 14),
        // specialist-parental-agreement
        fires("no agreement recorded", "specialist-parental-agreement", E)
            .edit(remove(
                "professionals.yaml",
                "    parental_agreement:\n      given: true\n      date: 2025-04-29\n      by: \
                 Mrs Kelly Heslop (mother)\n    advice: Hearing",
            ))
            .at("professionals.yaml", 50)
            .says("Audiologist"),
        fires("parents did not agree", "specialist-parental-agreement", E)
            .edit(replace("professionals.yaml", "given: true", "given: false"))
            .at("professionals.yaml", 14),
        // evidence-file
        fires("misspelt evidence path", "evidence-file", E)
            .edit(replace(
                "evidence.yaml",
                "reports/salt-report.pdf",
                "reports/salt-reprot.pdf",
            ))
            .at("evidence.yaml", 6),
        fires("missing evidence file", "evidence-file", E)
            .edit(delete("reports/my-story.pdf"))
            .at("evidence.yaml", 11),
        fires("a .pdf that is not a PDF", "evidence-file", E)
            .edit(write("reports/my-story.pdf", "PK\u{3}\u{4} a Word document"))
            .at("evidence.yaml", 11)
            .says("not a PDF"),
        fires("a zero-byte PDF", "evidence-file", E)
            .edit(write("reports/my-story.pdf", ""))
            .at("evidence.yaml", 11),
        fires("evidence path going up", "evidence-file", E)
            .edit(replace(
                "evidence.yaml",
                "reports/my-story.pdf",
                "../case/reports/my-story.pdf",
            ))
            .at("evidence.yaml", 11)
            .says(".."),
        fires("absolute evidence path", "evidence-file", E)
            .edit(replace(
                "professionals.yaml",
                "report: reports/salt-report.pdf",
                "report: /etc/hostname",
            ))
            .at("professionals.yaml", 29),
        fires("evidence path is a folder", "evidence-file", E)
            .edit(replace("evidence.yaml", "reports/my-story.pdf", "reports"))
            .at("evidence.yaml", 11)
            .says("not an ordinary file"),
        // protected-address-leak
        fires("address line in family notes", "protected-address-leak", E)
            .edit(replace("pupil.yaml", "protected: false", "protected: true"))
            .edit(replace(
                "family.yaml",
                "Main contact.",
                "Main contact, at 27  wansbeck terrace.",
            ))
            .at("family.yaml", 14)
            .says("and a line of the address appears in `people.0.notes`"),
        fires("postcode without its space", "protected-address-leak", E)
            .edit(replace("pupil.yaml", "protected: false", "protected: true"))
            .edit(replace(
                "views.yaml",
                "  given_by: Mrs Kelly",
                "  given_by: dh74zx Mrs Kelly",
            ))
            .at("views.yaml", 46)
            .says("and the postcode appears in `parents.given_by`"),
        // guidance-date
        fires("the day after the guidance date", "guidance-date", W)
            .edit(replace(
                "request.yaml",
                "planned_submission_date: 2026-02-02",
                "planned_submission_date: 2026-03-24",
            ))
            .at("request.yaml", 50)
            .says("Monday 23 March 2026"),
        fires("after the estimated date of a year the profile does not list", "guidance-date", W)
            .edit(replace(
                "request.yaml",
                "planned_submission_date: 2026-02-02",
                "planned_submission_date: 2030-04-10",
            ))
            .edit(replace(
                "pupil.yaml",
                "taught_out_of_year: false",
                "taught_out_of_year: true",
            ))
            .at("request.yaml", 50)
            .says("2029/30 guidance date, Monday 25 March 2030 (estimated: the LA publishes the date each year)"),
        // review-frequency
        fires("current plan reviewed after a whole term", "review-frequency", W)
            .edit(replace(
                "plan-3.yaml",
                "review_date: 2026-02-13",
                "review_date: 2026-04-20",
            ))
            .at("plan-3.yaml", 7)
            .says("the whole spring term 2026 (2026-01-05 to 2026-03-27) passed without one"),
        fires("first plan reviewed in the summer holiday", "review-frequency", W)
            .edit(replace(
                "plan-1.yaml",
                "\n  date: 2025-07-16",
                "\n  date: 2025-07-28",
            ))
            .at("plan-1.yaml", 86)
            .says("the whole summer term 2025 (2025-04-28 to 2025-07-18) passed without one"),
        fires(
            "with term dates, a whole term without a review",
            "review-frequency",
            W,
        )
        .profile(durham_with_terms())
        .edit(replace(
            "plan-1.yaml",
            "start: 2025-03-24",
            "start: 2024-12-02",
        ))
        .at("plan-1.yaml", 86)
        .says("the whole spring term 2025 (2025-01-06 to 2025-04-04) passed without one"),
        // report-age
        fires("an old professional's report", "report-age", W)
            .profile(durham_with_report_age(6))
            .at("professionals.yaml", 30)
            .says("2025-06-18, more than 6 months before the submission date 2026-02-02"),
        fires("an old report dated in evidence.yaml", "report-age", W)
            .profile(durham_with_report_age(6))
            .edit(remove("professionals.yaml", "    report_date: 2025-06-18"))
            .at("evidence.yaml", 9)
            .says("2025-06-18, more than 6 months"),
        fires("a report without a date", "report-age", W)
            .profile(durham_with_report_age(12))
            .edit(remove("professionals.yaml", "    report_date: 2025-06-18"))
            .edit(remove("evidence.yaml", "    date: 2025-06-18"))
            .at("professionals.yaml", 29)
            .says("has no date"),
        // pfa-outcomes
        fires("Year 9 without a PfA outcome", "pfa-outcomes", W)
            .edit(replace("pupil.yaml", "year_group: 5", "year_group: 9"))
            .edit(replace(
                "pupil.yaml",
                "taught_out_of_year: false",
                "taught_out_of_year: true",
            ))
            .at("plan-3.yaml", 71),
        // costed-provision
        fires("provision without a cost", "costed-provision", W)
            .edit(remove("plan-2.yaml", "    cost:"))
            .at("plan-2.yaml", 20)
            .says("1 of 4 provision items"),
        // consent-to-share
        fires("no share_with", "consent-to-share", W)
            .edit(remove("consent.yaml", "share_with:"))
            .at("consent.yaml", 2),
        fires("empty share_with", "consent-to-share", W)
            .edit(swap("consent.yaml", "share_with:", "share_with: []\n"))
            .at("consent.yaml", 2),
        // year-group-age
        fires("year group one too low", "year-group-age", W)
            .edit(replace("pupil.yaml", "year_group: 5", "year_group: 4"))
            .at("pupil.yaml", 14)
            .says("Year 5"),
        fires("born on 31 August, a year older", "year-group-age", W)
            .edit(replace(
                "pupil.yaml",
                "date_of_birth: 2016-02-14",
                "date_of_birth: 2015-08-31",
            ))
            .at("pupil.yaml", 14)
            .says("Year 6"),
        fires(
            "taught in Year 4, but year_group is not the age's",
            "year-group-age",
            W,
        )
        .edit(replace(
            "pupil.yaml",
            "year_group: 5",
            "year_group: 4\ntaught_in_year_group: 4",
        ))
        .at("pupil.yaml", 14)
        .says("taught_in_year_group"),
        // plan-references
        fires("provision for an outcome the plan lacks", "plan-references", E)
            .edit(replace("plan-2.yaml", "    outcomes: [O3]\n", "    outcomes: [O3, O7]\n"))
            .at("plan-2.yaml", 46)
            .says("this provision is for outcome `O7`, which this plan does not have"),
        fires("an outcome id listed twice", "plan-references", E)
            .edit(replace("plan-2.yaml", "  - id: O4\n", "  - id: O3\n"))
            .at("plan-2.yaml", 79)
            .says("outcome id `O3` is listed twice: outcomes 3 and 4 of this plan"),
        // looked-after
        fires("a looked_after block left blank, as scaffolded", "looked-after", E)
            .edit(replace(
                "pupil.yaml",
                "date_admitted: 2020-09-03\n",
                "date_admitted: 2020-09-03\nlooked_after:\n  responsible_authority:\n  \
                 pep_date:\n  social_worker:\n  social_worker_contact:\n    phone:\n",
            ))
            .at("pupil.yaml", 33)
            .says("not recorded: the responsible authority (`responsible_authority`); the social worker (`social_worker`, with `social_worker_contact`) or the virtual school (`virtual_school`); the date of the Personal Education Plan (`pep_date`)"),
        fires("looked after with no route to the family", "looked-after", E)
            .edit(replace(
                "pupil.yaml",
                "date_admitted: 2020-09-03\n",
                "date_admitted: 2020-09-03\nlooked_after:\n  responsible_authority: Durham \
                 County Council\n  pep_date: 2025-10-01\n  designated_teacher: Mrs Ann Lowe\n",
            ))
            .at("pupil.yaml", 33)
            .says("not recorded: the social worker"),
        // looked-after-pep
        fires("looked after without a PEP", "looked-after-pep", W)
            .edit(replace(
                "pupil.yaml",
                "date_admitted: 2020-09-03\n",
                "date_admitted: 2020-09-03\nlooked_after:\n  responsible_authority: Durham \
                 County Council\n  designated_teacher: Mrs Ann Lowe\n  social_worker: Ms Rachel Dunn\n",
            ))
            .at("pupil.yaml", 33)
            .says("but no Personal Education Plan (`pep_date`) is recorded"),
        fires("looked after without a designated teacher", "looked-after-pep", W)
            .edit(replace(
                "pupil.yaml",
                "date_admitted: 2020-09-03\n",
                "date_admitted: 2020-09-03\nlooked_after:\n  responsible_authority: Durham \
                 County Council\n  pep_date: 2025-10-01\n  designated_teacher: TODO\n  \
                 virtual_school: Durham Virtual School\n",
            ))
            .at("pupil.yaml", 33)
            .says("but no designated teacher (`designated_teacher`) is recorded"),
        // health-development
        fires("no health file", "health-development", W).edit(delete("health.yaml")),
        fires("health file with placeholders only", "health-development", W)
            .edit(write(
                "health.yaml",
                "format: ehcpack/1\nkind: health\nmedical_needs: TODO\ndevelopment:\n  \
                 physical: TBC\n",
            ))
            .at("health.yaml", 1),
        // font-coverage
        fires("a name in a script no bundled font has", "font-coverage", W)
            .edit(replace(
                "pupil.yaml",
                "preferred_name: Josh",
                "preferred_name: \"جوش\"",
            ))
            .at("pupil.yaml", 9)
            .says("`preferred_name` has U+062C ج, U+0648 و, U+0634 ش"),
    ];
    // Cases built on the 16-year-old.
    for f in t.iter_mut() {
        if f.name.starts_with("16-year-old") || f.name.starts_with("young person's") {
            let mut edits = sixteen_year_old();
            edits.append(&mut f.edits);
            f.edits = edits;
        }
    }
    t
}

/// Runs every table entry for one rule; there must be at least one.
fn run_rule(id: &str) {
    let entries: Vec<Fires> = table().into_iter().filter(|f| f.rule == id).collect();
    assert!(!entries.is_empty(), "no test fires {id}");
    let failures: Vec<String> = entries.iter().filter_map(|f| f.check().err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

macro_rules! per_rule {
    ($($test:ident => $id:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                run_rule($id);
            }
        )*
        /// The rule ids with a test function above.
        const TESTED: &[&str] = &[$($id),*];
    };
}

per_rule! {
    yaml_syntax_fires => "yaml-syntax",
    case_structure_fires => "case-structure",
    schema_fires => "schema",
    apdr_cycles_fires => "apdr-cycles",
    plan_review_complete_fires => "plan-review-complete",
    smart_outcome_fires => "smart-outcome",
    plan_review_date_fires => "plan-review-date",
    dates_coherent_fires => "dates-coherent",
    sen_support_status_fires => "sen-support-status",
    parents_notified_fires => "parents-notified",
    headteacher_countersignature_fires => "headteacher-countersignature",
    parental_consent_fires => "parental-consent",
    pupil_views_fires => "pupil-views",
    parent_views_fires => "parent-views",
    attainment_progress_fires => "attainment-progress",
    need_described_fires => "need-described",
    provision_recorded_fires => "provision-recorded",
    specialist_parental_agreement_fires => "specialist-parental-agreement",
    evidence_file_fires => "evidence-file",
    protected_address_leak_fires => "protected-address-leak",
    guidance_date_fires => "guidance-date",
    review_frequency_fires => "review-frequency",
    pfa_outcomes_fires => "pfa-outcomes",
    costed_provision_fires => "costed-provision",
    consent_to_share_fires => "consent-to-share",
    year_group_age_fires => "year-group-age",
    looked_after_pep_fires => "looked-after-pep",
    looked_after_fires => "looked-after",
    plan_references_fires => "plan-references",
    health_development_fires => "health-development",
    report_age_fires => "report-age",
    font_coverage_fires => "font-coverage",
}

#[test]
fn every_catalogue_rule_fires_in_this_file() {
    // The rules about a received pack, an archive or a batch are tested where they run (the
    // LA-side tests); every other rule fires on a case here.
    let elsewhere = ["pack-integrity", "archive", "duplicate-pupil"];
    let catalogue: BTreeSet<&str> = catalogue::all()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !elsewhere.contains(id))
        .collect();
    assert_eq!(
        catalogue.len(),
        32,
        "the catalogue has 32 rules about a case"
    );
    assert!(catalogue.contains("yaml-syntax"));
    let tested: BTreeSet<&str> = TESTED.iter().copied().collect();
    assert_eq!(tested, catalogue, "one test function per catalogue rule");
    let mut fired = BTreeSet::new();
    let mut failures = Vec::new();
    for f in table() {
        match f.check() {
            Ok(ids) => fired.extend(ids),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(fired, catalogue, "rules fired across the table");
}

#[test]
fn the_table_is_well_formed() {
    let table = table();
    let mut names = BTreeSet::new();
    for f in &table {
        assert!(names.insert(f.name), "two entries are called {}", f.name);
        assert!(catalogue::get(f.rule).is_some(), "{}: unknown rule", f.name);
        assert_eq!(
            catalogue::get(f.rule).unwrap().severity,
            f.severity,
            "{}: the expected severity is the catalogue's",
            f.name
        );
        // An entry changes the case, or the profile it is checked against.
        assert!(
            !f.edits.is_empty() || f.profile.is_some(),
            "{} edits nothing",
            f.name
        );
        assert_eq!(f.file.is_some(), f.line.is_some(), "{}", f.name);
    }
}

#[test]
fn the_helper_can_fail() {
    // A wrong line, a wrong rule and a missing side effect are all caught.
    let wrong_line = fires("x", "year-group-age", W)
        .edit(replace("pupil.yaml", "year_group: 5", "year_group: 4"))
        .at("pupil.yaml", 13);
    assert!(wrong_line.check().is_err());
    let wrong_rule = fires("x", "schema", E)
        .edit(replace("pupil.yaml", "year_group: 5", "year_group: 4"))
        .at("pupil.yaml", 14);
    assert!(wrong_rule.check().is_err());
    let missing_also = fires("x", "plan-review-complete", E)
        .edit(remove("plan-1.yaml", "  pupil_views:"))
        .at("plan-1.yaml", 85);
    assert!(missing_also.check().is_err());
}

// ---------------------------------------------------------------------------------------------
// Does not fire.

#[test]
fn the_passing_sample_has_no_findings() {
    let report = validate(&sample_dir());
    assert!(
        report.diagnostics.is_empty(),
        "the sample should pass every rule:{}",
        show(&report.diagnostics)
    );
    assert_eq!(report.verdict, Verdict::Pass);
    assert_eq!((report.errors, report.warnings), (0, 0));
    // A copy is the same (the helper itself changes nothing).
    assert_clean(&[], "an unedited copy");
}

#[test]
fn guidance_date_itself_does_not_warn() {
    assert_clean(
        &[replace(
            "request.yaml",
            "planned_submission_date: 2026-02-02",
            "planned_submission_date: 2026-03-23",
        )],
        "a request on Monday 23 March 2026",
    );
}

#[test]
fn a_year_the_profile_does_not_list_never_warns_by_itself() {
    assert_clean(
        &[
            replace(
                "request.yaml",
                "planned_submission_date: 2026-02-02",
                "planned_submission_date: 2030-01-10",
            ),
            replace(
                "pupil.yaml",
                "taught_out_of_year: false",
                "taught_out_of_year: true",
            ),
        ],
        "a request in 2029/30, before its estimated guidance date",
    );
}

#[test]
fn guidance_date_of_2024_25_is_24_march_2025() {
    // The whole case moved back a year would be a lot of edits; the rule's boundary for the
    // other known year is checked through the profile, and one day after warns.
    let profile = Profile::durham();
    let year = ehcpack::calendar::AcademicYear(2024);
    assert_eq!(
        Some(profile.guidance_date(year).date()),
        NaiveDate::from_ymd_opt(2025, 3, 24)
    );
}

#[test]
fn taught_out_of_year_does_not_warn() {
    assert_clean(
        &[
            replace("pupil.yaml", "year_group: 5", "year_group: 4"),
            replace(
                "pupil.yaml",
                "taught_out_of_year: false",
                "taught_out_of_year: true",
            ),
        ],
        "a pupil taught a year below",
    );
}

#[test]
fn year_group_cohort_boundaries_do_not_warn() {
    for dob in ["2015-09-01", "2016-08-31"] {
        assert_clean(
            &[replace(
                "pupil.yaml",
                "date_of_birth: 2016-02-14",
                &format!("date_of_birth: {dob}"),
            )],
            &format!("Year 5 born {dob}"),
        );
    }
}

#[test]
fn sixteen_year_old_with_own_consent_passes() {
    let mut edits = sixteen_year_old();
    edits.push(replace(
        "consent.yaml",
        "share_with:",
        &format!("{YOUNG_PERSON_CONSENT}share_with:"),
    ));
    assert_clean(&edits, "a 16-year-old who consented");
    // Their parents' consent may be missing altogether.
    edits.push(remove("consent.yaml", "parental:"));
    assert_clean(&edits, "a 16-year-old without parental consent");
}

#[test]
fn sixteen_on_the_submission_date_needs_own_consent() {
    // Born 2 February 2010: 16 on the planned submission date, 2 February 2026.
    let born = |dob: &str| {
        vec![
            replace(
                "pupil.yaml",
                "date_of_birth: 2016-02-14",
                &format!("date_of_birth: {dob}"),
            ),
            replace("pupil.yaml", "year_group: 5", "year_group: 11"),
            replace(
                "plan-3.yaml",
                "    by: 2026-02-13\n  - id: O2",
                "    by: 2026-02-13\n    pfa_area: employment\n  - id: O2",
            ),
        ]
    };
    let diags = diagnostics(&born("2010-02-02"));
    let rules: Vec<&str> = diags.iter().map(|d| d.rule.as_str()).collect();
    assert_eq!(rules, ["parental-consent"], "{}", show(&diags));
    // A day younger: still 15, so the parents' consent counts.
    assert_clean(&born("2010-02-03"), "15 on the submission date");
}

#[test]
fn consent_and_countersignature_on_the_boundary_dates_pass() {
    assert_clean(
        &[
            replace("consent.yaml", "date: 2026-01-24", "date: 2026-02-02"),
            replace("request.yaml", "  date: 2026-01-28", "  date: 2026-01-26"),
        ],
        "consent on the submission date, countersigned on completion",
    );
    assert_clean(
        &[replace(
            "request.yaml",
            "  date: 2026-01-28",
            "  date: 2026-02-02",
        )],
        "countersigned on the submission date",
    );
}

#[test]
fn consent_from_someone_without_pr_alongside_a_parent_passes() {
    assert_clean(
        &[replace(
            "consent.yaml",
            "    relationship: father\n    parental_responsibility: true",
            "    relationship: grandfather\n    parental_responsibility: false",
        )],
        "the mother consented; a grandfather without PR also signed",
    );
}

#[test]
fn review_gap_exactly_at_the_limit_does_not_warn() {
    // From 2025-11-07 to the last day of the spring term, 2026-03-27: 43 + 82 = 125 days of
    // school time (the Christmas holiday not counted), and a review in the spring term.
    assert_clean(
        &[replace(
            "plan-3.yaml",
            "review_date: 2026-02-13",
            "review_date: 2026-03-27",
        )],
        "a gap of 125 days of school time",
    );
    // A first review on the last day of the summer term, 2025-07-18.
    assert_clean(
        &[replace(
            "plan-1.yaml",
            "\n  date: 2025-07-16",
            "\n  date: 2025-07-18",
        )],
        "a first review on the summer term's last day",
    );
}

#[test]
fn review_date_the_day_after_start_passes() {
    assert_clean(
        &[replace(
            "plan-2.yaml",
            "review_date: 2025-11-07",
            "review_date: 2025-09-09",
        )],
        "a review date one day after the start",
    );
}

#[test]
fn consent_to_share_refused_is_a_record_not_a_gap() {
    assert_clean(
        &[replace_all("consent.yaml", "agreed: true", "agreed: false")],
        "the family refused every agency",
    );
}

#[test]
fn protected_address_that_does_not_leak_passes() {
    assert_clean(
        &[replace("pupil.yaml", "protected: false", "protected: true")],
        "a protected address mentioned nowhere else (the town alone is no leak)",
    );
    // A short line such as "Flat 2" is too common to match on.
    assert_clean(
        &[
            replace("pupil.yaml", "protected: false", "protected: true"),
            replace(
                "pupil.yaml",
                "    - 27 Wansbeck Terrace\n",
                "    - Flat 2\n    - 27 Wansbeck Terrace\n",
            ),
            replace(
                "family.yaml",
                "Main contact.",
                "Main contact (Flat 2 at work).",
            ),
        ],
        "a short address line elsewhere",
    );
}

#[test]
fn protected_address_is_never_repeated_in_a_finding() {
    let diags = diagnostics(&[
        replace("pupil.yaml", "protected: false", "protected: true"),
        replace(
            "views.yaml",
            "  given_by: Mrs Kelly",
            "  given_by: 27 Wansbeck Terrace, DH7 4ZX, Mrs Kelly",
        ),
    ]);
    assert!(!diags.is_empty());
    for d in &diags {
        for text in [&d.message, &d.help] {
            let upper = text.to_uppercase();
            assert!(
                !upper.contains("WANSBECK") && !upper.contains("4ZX"),
                "{text}"
            );
        }
        if let Some(snippet) = &d.snippet {
            assert!(!snippet.contains("Wansbeck"), "{snippet}");
        }
    }
}

#[test]
fn pfa_outcome_in_year_9_passes() {
    assert_clean(
        &[
            replace("pupil.yaml", "year_group: 5", "year_group: 9"),
            replace(
                "pupil.yaml",
                "taught_out_of_year: false",
                "taught_out_of_year: true",
            ),
            replace(
                "plan-3.yaml",
                "    by: 2026-02-13\n  - id: O5",
                "    by: 2026-02-13\n    pfa_area: good-health\n  - id: O5",
            ),
        ],
        "Year 9 with a PfA outcome",
    );
}

#[test]
fn two_attainment_dates_are_enough() {
    assert_clean(
        &[write(
            "attainment.yaml",
            "format: ehcpack/1\nkind: attainment\nassessments:\n  - date: 2025-03-14\n    \
             area: Reading\n    measure: Salford reading age\n    result: 6y9m\n  - date: \
             2025-12-10\n    area: Reading\n    measure: Salford reading age\n    result: 7y5m\n",
        )],
        "two records on different dates",
    );
}

#[test]
fn looked_after_with_pep_and_designated_teacher_passes() {
    assert_clean(
        &[replace(
            "pupil.yaml",
            "date_admitted: 2020-09-03\n",
            "date_admitted: 2020-09-03\nlooked_after:\n  responsible_authority: Durham County \
             Council\n  pep_date: 2025-10-01\n  designated_teacher: Mrs Ann Lowe\n  \
             social_worker: Mr Tomasz Kowalczyk\n",
        )],
        "a looked-after child with a PEP and a social worker",
    );
}

#[test]
fn health_development_alone_is_enough() {
    assert_clean(
        &[write(
            "health.yaml",
            "format: ehcpack/1\nkind: health\ndevelopment:\n  social: Plays well with \
             friends at football.\n",
        )],
        "development recorded, no health needs",
    );
}

#[test]
fn a_parents_request_is_not_held_to_the_school_rules() {
    // sen-support-status, headteacher-countersignature and parental-consent are about school
    // requests only.
    assert_clean(
        &[
            replace(
                "request.yaml",
                "requested_by: school",
                "requested_by: parent",
            ),
            replace("needs.yaml", "sen_status: K", "sen_status: N"),
            remove("request.yaml", "countersignature:"),
            replace_all("consent.yaml", "signed: true", "signed: false"),
        ],
        "a parent's request",
    );
}

#[test]
fn an_evidence_link_inside_the_folder_passes() {
    #[cfg(unix)]
    {
        let (_tmp, dir) = edited_case(&[]);
        fs::rename(
            dir.join("reports/my-story.pdf"),
            dir.join("reports/my-story-original.pdf"),
        )
        .unwrap();
        std::os::unix::fs::symlink("my-story-original.pdf", dir.join("reports/my-story.pdf"))
            .unwrap();
        let report = validate(&dir);
        assert!(
            report.diagnostics.is_empty(),
            "{}",
            show(&report.diagnostics)
        );
    }
}

#[cfg(unix)]
#[test]
fn an_evidence_link_out_of_the_folder_fires() {
    let f = fires("link out", "evidence-file", E)
        .edit(Edit::LinkOut {
            link: "reports/salt-report.pdf",
            bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
        })
        .at("evidence.yaml", 6)
        .says("outside the case folder");
    let fired = f.check().unwrap();
    assert!(fired.contains("evidence-file"));
    // The professional's report is the same file: both places are reported.
    let diags = diagnostics(&f.edits);
    assert!(diags.iter().any(|d| d.rule == "evidence-file"
        && d.file == Some(PathBuf::from("professionals.yaml"))
        && d.line == Some(29)));
}

#[cfg(unix)]
#[test]
fn a_yaml_link_out_of_the_folder_is_not_read() {
    let f = fires("yaml link out", "case-structure", E)
        .edit(Edit::LinkOut {
            link: "extra.yaml",
            bytes: b"format: ehcpack/1\nkind: health\n".to_vec(),
        })
        .says("outside the case folder");
    let diags = diagnostics(&f.edits);
    let d = diags
        .iter()
        .find(|d| d.rule == "case-structure" && d.file == Some(PathBuf::from("extra.yaml")))
        .unwrap_or_else(|| panic!("no finding for the link:{}", show(&diags)));
    assert!(
        d.message.contains("outside the case folder"),
        "{}",
        d.message
    );
    assert!(d.line.is_some(), "a file-level finding still has a line");
}

// ---------------------------------------------------------------------------------------------
// Never rules (docs/rules/never.md): each must pass with no error at all.

#[test]
fn never_an_educational_psychologist() {
    let text = fs::read_to_string(sample_dir().join("professionals.yaml")).unwrap();
    let roles: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- role:"))
        .collect();
    assert_eq!(roles.len(), 3, "{roles:?}");
    assert!(
        roles
            .iter()
            .all(|r| !r.to_lowercase().contains("psycholog")),
        "the sample involves no educational psychologist: {roles:?}"
    );
    let report = validate(&sample_dir());
    assert_eq!(report.errors, 0, "{}", show(&report.diagnostics));
    assert_eq!(report.verdict, Verdict::Pass);
    // And with no outside professional at all.
    assert_clean(
        &[delete("professionals.yaml")],
        "a case with no professionals.yaml",
    );
}

#[test]
fn never_a_minimum_spend() {
    for amount in ["0", "0.01"] {
        let (_tmp, dir) = edited_case(&[]);
        let mut changed = 0;
        for plan in ["plan-1.yaml", "plan-2.yaml", "plan-3.yaml"] {
            let path = dir.join(plan);
            let text = fs::read_to_string(&path).unwrap();
            let new: String = text
                .lines()
                .map(|l| {
                    if l.trim_start().starts_with("amount:") {
                        changed += 1;
                        format!("{}amount: {amount}\n", " ".repeat(indent(l)))
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            fs::write(&path, new).unwrap();
        }
        assert!(changed >= 10, "every provision cost set to {amount}");
        let report = validate(&dir);
        assert_eq!(report.errors, 0, "{amount}:{}", show(&report.diagnostics));
        assert!(
            report.diagnostics.is_empty(),
            "costs of {amount} raise nothing:{}",
            show(&report.diagnostics)
        );
    }
    // The request's own words about the notional budget are not compared with anything.
    assert_clean(
        &[replace(
            "request.yaml",
            "comes to about 1,650 pounds",
            "comes to about 12 pounds",
        )],
        "a tiny notional budget",
    );
}

#[test]
fn never_a_cap_on_requests_from_one_school() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("brackenfield-primary");
    for i in 0..50 {
        let dir = parent.join(format!("pupil-{i:02}"));
        copy_dir(&sample_dir(), &dir);
        // Fifty different children (the same child twice would rightly be `duplicate-pupil`).
        let pupil = dir.join("pupil.yaml");
        let text = fs::read_to_string(&pupil)
            .unwrap()
            .replace("T840271320041", &format!("T8402713200{i:02}"))
            .replace("first: Joshua", &format!("first: Joshua-{i}"));
        fs::write(&pupil, text).unwrap();
    }
    for i in 0..50 {
        let report = validate(&parent.join(format!("pupil-{i:02}")));
        assert!(
            report.diagnostics.is_empty(),
            "case {i}:{}",
            show(&report.diagnostics)
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["validate"])
        .arg(&parent)
        .args(["--today", TODAY, "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 50);
    for case in cases {
        assert_eq!(case["verdict"], "pass", "{case}");
        assert_eq!(case["diagnostics"].as_array().unwrap().len(), 0, "{case}");
    }
    assert_eq!(json["summary"]["cases"], 50);
    assert_eq!(json["summary"]["passed"], 50);
    assert_eq!(json["summary"]["failed"], 0);
    assert_eq!(json["summary"]["passed_with_warnings"], 0);
}

#[test]
fn the_headteacher_countersigns_however_the_name_and_role_are_written() {
    for (name, role) in [
        ("Andrew Pearson", "headteacher"),
        ("MR.  ANDREW  PEARSON", "Head Teacher"),
        ("Dr Andrew Pearson", "acting-headteacher"),
        ("mr andrew pearson", "Acting head teacher"),
        ("Prof. Andrew Pearson", "head of school"),
        ("Mr Andrew Pearson", "Head-of-School"),
    ] {
        assert_clean(
            &[replace(
                "request.yaml",
                "  name: Mr Andrew Pearson\n  role: headteacher",
                &format!("  name: {name}\n  role: {role}"),
            )],
            &format!("{name}, {role}"),
        );
    }
}

#[test]
fn a_deputys_countersignature_holds_back_no_other_rule() {
    // The schema accepts any role, so every other rule still runs: a second problem elsewhere
    // is reported beside the countersignature's.
    let diags = diagnostics(&[
        replace(
            "request.yaml",
            "  role: headteacher",
            "  role: Deputy Headteacher",
        ),
        remove("needs.yaml", "parents_notified_date:"),
    ]);
    let rules: BTreeSet<&str> = diags.iter().map(|d| d.rule.as_str()).collect();
    assert_eq!(
        rules,
        BTreeSet::from(["headteacher-countersignature", "parents-notified"]),
        "{}",
        show(&diags)
    );
    let d = &diags[diags
        .iter()
        .position(|d| d.rule == "headteacher-countersignature")
        .unwrap()];
    assert!(
        d.message.contains("Mr Andrew Pearson (Deputy Headteacher)"),
        "{}",
        d.message
    );
    assert!(d.help.contains("not a deputy"), "{}", d.help);
}

#[test]
fn the_gap_is_counted_in_school_time() {
    // 2025-01-06 to 2025-07-16 misses no whole term, but holds 175 days of school time (the
    // Easter holiday not counted): twice a year, not three times.
    let edit = [replace(
        "plan-1.yaml",
        "start: 2025-03-24",
        "start: 2025-01-06",
    )];
    for diags in [
        diagnostics(&edit),
        diagnostics_with(&edit, &durham_with_terms()),
    ] {
        assert!(
            diags
                .iter()
                .any(|d| d.rule == "review-frequency" && d.message.contains("days of school time")),
            "{}",
            show(&diags)
        );
    }
    // The summer holiday does not count: a review on 16 July, then one on 7 November (114
    // calendar days, 66 of school) pass, as the sample shows.
    assert!(diagnostics(&[]).is_empty());
}

#[test]
fn durham_sets_no_report_age_and_recent_reports_pass() {
    assert_eq!(Profile::durham().max_report_age_months, None);
    // The speech and language report of 2025-06-18 is within 12 months of 2026-02-02.
    let diags = diagnostics_with(&[], &durham_with_report_age(12));
    assert!(diags.is_empty(), "{}", show(&diags));
}
