//! An LA profile: the numbers that are local policy rather than law. Durham's is built in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{self, AcademicYear};
use crate::load::model::RequestedBy;
use crate::load::yaml;

pub const DURHAM: &str = include_str!("../profiles/durham.yaml");

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub reviewed_plans_required: usize,
    pub max_review_gap_days: i64,
    pub min_attainment_records: usize,
    pub guidance_weeks: u32,
    pub decision_weeks: u32,
    pub final_plan_weeks: u32,
    /// The oldest a report sent with a request may be, in months (rule `report-age`); none
    /// means no limit, as in Durham, whose guidance names none.
    #[serde(default)]
    pub max_report_age_months: Option<u32>,
    pub academic_years: BTreeMap<String, YearDates>,
    /// Fonts for characters the bundled fonts lack (TTF or OTF), relative to the profile file;
    /// the PDF uses them after the bundled fonts, and `font-coverage` counts them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fonts: Vec<std::path::PathBuf>,
    /// A rule's severity for one kind of requester (`school`, `parent`, `young-person`,
    /// `other`), where the LA sets it otherwise than the registry and docs/rules say.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity_by_requester: BTreeMap<String, BTreeMap<String, SetSeverity>>,
}

/// A severity a profile sets for a rule on one kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SetSeverity {
    Error,
    Warning,
    /// A warning that says it is advice: never a reason to return the request.
    Advice,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct YearDates {
    #[serde(default)]
    pub summer_term_ends: Option<NaiveDate>,
    #[serde(default)]
    pub guidance_date: Option<NaiveDate>,
    /// The year's terms, first day to last day, from the LA's published term dates. Where a
    /// profile has them, `review-frequency` measures in terms rather than days.
    #[serde(default)]
    pub terms: Vec<Term>,
}

/// One school term, first day to last day (half-term holidays inside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub starts: NaiveDate,
    pub ends: NaiveDate,
}

/// The guidance date for an academic year, and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuidanceDate {
    /// The LA's own published date.
    Published(NaiveDate),
    /// From the LA's published end of the summer term and the profile's rule.
    Computed {
        date: NaiveDate,
        summer_term_ends: NaiveDate,
    },
    /// For a year the profile does not list: the profile's rule applied to the summer term's
    /// end in the usual English pattern ([`calendar::usual_summer_term_end`]).
    Estimated {
        date: NaiveDate,
        summer_term_ends: NaiveDate,
    },
}

/// What every place that shows an estimated guidance date says about it.
pub const ESTIMATE_NOTE: &str = "estimated: the LA publishes the date each year";

impl GuidanceDate {
    pub fn date(&self) -> NaiveDate {
        match self {
            GuidanceDate::Published(d)
            | GuidanceDate::Computed { date: d, .. }
            | GuidanceDate::Estimated { date: d, .. } => *d,
        }
    }

    pub fn is_estimate(&self) -> bool {
        matches!(self, GuidanceDate::Estimated { .. })
    }
}

impl Profile {
    pub fn durham() -> Profile {
        Profile::from_text(DURHAM).expect("the built-in Durham profile is valid")
    }

    /// Reads a profile's text. An error names a line and says what is wrong in ehcpack's own
    /// words, quoting nothing of the text: a file given by mistake (a case document, a
    /// password file) is never echoed.
    pub fn from_text(text: &str) -> Result<Profile, ProfileError> {
        let node = yaml::parse(text)
            .map_err(|e| ProfileError::NotYaml { line: e.pos.line })?
            .ok_or(ProfileError::Empty)?;
        if let Some(line) = unknown_field(&node) {
            return Err(ProfileError::UnknownField { line });
        }
        let profile: Profile =
            serde_json::from_value(node.to_json()).map_err(|e| shape_problem(&e))?;
        for (label, dates) in &profile.academic_years {
            for (i, term) in dates.terms.iter().enumerate() {
                if term.ends < term.starts {
                    let line = node
                        .pointer(&format!("/academic_years/{label}/terms/{i}"))
                        .map_or(0, |n| n.pos.line);
                    return Err(ProfileError::TermBackwards { line });
                }
            }
            if AcademicYear::parse(label).is_none() {
                let line = node
                    .pointer(&format!("/academic_years/{label}"))
                    .map_or(0, |n| n.pos.line);
                return Err(ProfileError::YearLabel { line });
            }
        }
        for (requester, rules) in &profile.severity_by_requester {
            let line = node
                .pointer(&format!("/severity_by_requester/{requester}"))
                .map_or(0, |n| n.pos.line);
            if RequestedBy::parse(requester).is_none() {
                return Err(ProfileError::NotARequester {
                    line,
                    requester: requester.clone(),
                });
            }
            for id in rules.keys() {
                if crate::diagnostic::catalogue::RuleId::parse(id).is_none() {
                    return Err(ProfileError::NotARule {
                        line,
                        id: id.clone(),
                        requester: requester.clone(),
                    });
                }
            }
        }
        Ok(profile)
    }

    /// The severity the profile sets for `rule` on a request by `requester`, if it sets one.
    pub fn severity_for(
        &self,
        requester: RequestedBy,
        rule: crate::diagnostic::catalogue::RuleId,
    ) -> Option<SetSeverity> {
        self.severity_by_requester
            .get(requester.as_str())?
            .get(rule.as_str())
            .copied()
    }

    /// Reads a profile file: an ordinary file of at most [`MAX_PROFILE_BYTES`] (so
    /// `--profile /dev/zero` or a pipe is refused at once), and an error quotes at most a line's
    /// worth of it.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = crate::read::read_text_capped(path, MAX_PROFILE_BYTES).map_err(|error| {
            ProfileError::Unreadable {
                path: path.to_path_buf(),
                error,
            }
        })?;
        let mut profile = Profile::from_text(&text).map_err(|error| ProfileError::InFile {
            path: path.to_path_buf(),
            error: Box::new(error),
        })?;
        if profile.fonts.len() > crate::render::fonts::MAX_ADDED_FONTS {
            return Err(ProfileError::TooManyFonts {
                path: path.to_path_buf(),
                count: profile.fonts.len(),
            });
        }
        let dir = path.parent().unwrap_or(Path::new(""));
        for font in &mut profile.fonts {
            if font.is_relative() {
                *font = dir.join(&*font);
            }
        }
        Ok(profile)
    }

    pub fn year(&self, year: AcademicYear) -> Option<&YearDates> {
        self.academic_years
            .iter()
            .find(|(label, _)| AcademicYear::parse(label) == Some(year))
            .map(|(_, dates)| dates)
    }

    pub fn guidance_date(&self, year: AcademicYear) -> GuidanceDate {
        match self.year(year) {
            Some(YearDates {
                guidance_date: Some(date),
                ..
            }) => GuidanceDate::Published(*date),
            Some(YearDates {
                summer_term_ends: Some(end),
                ..
            }) => GuidanceDate::Computed {
                date: calendar::guidance_date(*end, self.guidance_weeks),
                summer_term_ends: *end,
            },
            _ => {
                let end = calendar::usual_summer_term_end(year);
                GuidanceDate::Estimated {
                    date: calendar::guidance_date(end, self.guidance_weeks),
                    summer_term_ends: end,
                }
            }
        }
    }

    /// Every term the profile knows, in date order.
    pub fn terms(&self) -> Vec<Term> {
        let mut terms: Vec<Term> = self
            .academic_years
            .values()
            .flat_map(|y| y.terms.iter().copied())
            .collect();
        terms.sort_by_key(|t| t.starts);
        terms
    }

    /// The school terms of every academic year from the one containing `from` to the one
    /// containing `to`: the profile's term dates for a year that has them, else the usual
    /// English pattern ([`calendar::usual_terms`]). What `review-frequency` counts in.
    pub fn school_terms(&self, from: NaiveDate, to: NaiveDate) -> Vec<Term> {
        let (first, last) = (AcademicYear::containing(from), AcademicYear::containing(to));
        let mut terms = Vec::new();
        for y in first.0..=last.0 {
            let year = AcademicYear(y);
            match self.year(year).filter(|d| !d.terms.is_empty()) {
                Some(dates) => terms.extend(dates.terms.iter().copied()),
                None => terms.extend(
                    calendar::usual_terms(year)
                        .into_iter()
                        .map(|(starts, ends)| Term { starts, ends }),
                ),
            }
        }
        terms.sort_by_key(|t| t.starts);
        terms
    }

    /// Whether the profile has the term dates of every academic year from `from` to `to`.
    pub fn has_terms_for(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (first, last) = (AcademicYear::containing(from), AcademicYear::containing(to));
        (first.0..=last.0).all(|y| {
            self.year(AcademicYear(y))
                .is_some_and(|dates| !dates.terms.is_empty())
        })
    }

    /// The profile as YAML, for `ehcpack profile show`.
    pub fn to_yaml(&self) -> String {
        let mut out = format!("name: {}\n", self.name);
        if let Some(d) = &self.description {
            out.push_str(&format!("description: >-\n  {}\n", d.replace('\n', "\n  ")));
        }
        out.push_str(&format!(
            "reviewed_plans_required: {}\nmax_review_gap_days: {}\nmin_attainment_records: {}\n\
             guidance_weeks: {}\ndecision_weeks: {}\nfinal_plan_weeks: {}\nacademic_years:\n",
            self.reviewed_plans_required,
            self.max_review_gap_days,
            self.min_attainment_records,
            self.guidance_weeks,
            self.decision_weeks,
            self.final_plan_weeks
        ));
        if let Some(months) = self.max_report_age_months {
            out = out.replace(
                "academic_years:\n",
                &format!("max_report_age_months: {months}\nacademic_years:\n"),
            );
        }
        if !self.severity_by_requester.is_empty() {
            let mut block = String::from("severity_by_requester:\n");
            for (requester, rules) in &self.severity_by_requester {
                block.push_str(&format!("  {requester}:\n"));
                for (id, severity) in rules {
                    let word = match severity {
                        SetSeverity::Error => "error",
                        SetSeverity::Warning => "warning",
                        SetSeverity::Advice => "advice",
                    };
                    block.push_str(&format!("    {id}: {word}\n"));
                }
            }
            out = out.replace("academic_years:\n", &format!("{block}academic_years:\n"));
        }
        for (label, dates) in &self.academic_years {
            out.push_str(&format!("  {label}:\n"));
            if let Some(d) = dates.summer_term_ends {
                out.push_str(&format!("    summer_term_ends: {d}\n"));
            }
            if let Some(d) = dates.guidance_date {
                out.push_str(&format!("    guidance_date: {d}\n"));
            }
            if !dates.terms.is_empty() {
                out.push_str("    terms:\n");
                for t in &dates.terms {
                    out.push_str(&format!(
                        "      - {{starts: {}, ends: {}}}\n",
                        t.starts, t.ends
                    ));
                }
            }
        }
        out
    }
}

/// The largest profile file read. The Durham profile is about 3 KB.
pub const MAX_PROFILE_BYTES: u64 = 256 * 1024;

/// A message cut to a line's length, so that a value quoted in an error never prints a file.
/// The fields a profile has, and those of a year and a term in it.
const PROFILE_FIELDS: [&str; 10] = [
    "name",
    "description",
    "reviewed_plans_required",
    "max_review_gap_days",
    "min_attainment_records",
    "guidance_weeks",
    "decision_weeks",
    "final_plan_weeks",
    "max_report_age_months",
    "academic_years",
];
const PROFILE_FIELDS_MORE: [&str; 2] = ["fonts", "severity_by_requester"];
const YEAR_FIELDS: [&str; 3] = ["summer_term_ends", "guidance_date", "terms"];
const TERM_FIELDS: [&str; 2] = ["starts", "ends"];

/// The line of the first key a profile does not have, at any level.
fn unknown_field(root: &yaml::Node) -> Option<usize> {
    use yaml::Value;
    let Value::Map(entries) = &root.value else {
        return None;
    };
    for e in entries {
        if !PROFILE_FIELDS.contains(&e.key.as_str())
            && !PROFILE_FIELDS_MORE.contains(&e.key.as_str())
        {
            return Some(e.key_pos.line);
        }
    }
    let years = entries.iter().find(|e| e.key == "academic_years")?;
    let Value::Map(years) = &years.value.value else {
        return None;
    };
    for year in years {
        let Value::Map(fields) = &year.value.value else {
            continue;
        };
        for f in fields {
            if !YEAR_FIELDS.contains(&f.key.as_str()) {
                return Some(f.key_pos.line);
            }
            if let (true, Value::Seq(terms)) = (f.key == "terms", &f.value.value) {
                for term in terms {
                    if let Value::Map(t) = &term.value {
                        if let Some(bad) = t.iter().find(|k| !TERM_FIELDS.contains(&k.key.as_str()))
                        {
                            return Some(bad.key_pos.line);
                        }
                    }
                }
            }
        }
    }
    None
}

/// What serde found wrong, in ehcpack's words: serde's own message can quote a value.
fn shape_problem(e: &serde_json::Error) -> ProfileError {
    let text = e.to_string();
    if let Some(rest) = text.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        // A name ehcpack gave, never one from the file.
        let ours = PROFILE_FIELDS
            .iter()
            .chain(&YEAR_FIELDS)
            .chain(&TERM_FIELDS)
            .find(|f| **f == field);
        if let Some(field) = ours {
            return ProfileError::MissingField { field };
        }
    }
    if text.starts_with("invalid type") || text.starts_with("invalid value") {
        return ProfileError::WrongKindOfValue;
    }
    ProfileError::NotAProfile
}

/// Why a profile cannot be used. Each names a line and says what is wrong in ehcpack's own
/// words, quoting nothing of the text but a requester or rule id it does not know.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("line {line}: this is not valid YAML")]
    NotYaml { line: usize },
    #[error("the profile is empty")]
    Empty,
    #[error("line {line}: a field that profiles do not have")]
    UnknownField { line: usize },
    #[error(
        "this is not an ehcpack profile: it has no `{field}` (`ehcpack profile show` prints one \
         to start from)"
    )]
    MissingField { field: &'static str },
    #[error(
        "this is not an ehcpack profile: a value is not of the kind a profile needs (a whole \
         number, a date, a list of terms); `ehcpack profile show` prints one to start from"
    )]
    WrongKindOfValue,
    #[error("this is not an ehcpack profile (`ehcpack profile show` prints one to start from)")]
    NotAProfile,
    #[error("line {line}: a term ends before it starts")]
    TermBackwards { line: usize },
    #[error("line {line}: an academic year is not written like 2025/26")]
    YearLabel { line: usize },
    #[error(
        "line {line}: `{requester}` is not a requester; write one of: {}",
        requesters()
    )]
    NotARequester { line: usize, requester: String },
    #[error(
        "line {line}: `{id}` under `{requester}` is not a rule id (`ehcpack explain --list` \
         lists them)"
    )]
    NotARule {
        line: usize,
        id: String,
        requester: String,
    },
    #[error("cannot read the profile {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: crate::read::ReadTextError,
    },
    /// What is wrong inside the file, and which file it is (at most a line's worth of text).
    #[error("{}: {}", path.display(), cut(&error.to_string()))]
    InFile {
        path: PathBuf,
        error: Box<ProfileError>,
    },
    #[error(
        "{}: the profile names {count} fonts; ehcpack adds at most {}",
        path.display(),
        crate::render::fonts::MAX_ADDED_FONTS
    )]
    TooManyFonts { path: PathBuf, count: usize },
}

/// For callers whose errors are still messages.
impl From<ProfileError> for String {
    fn from(e: ProfileError) -> String {
        e.to_string()
    }
}

/// Every requester, as a profile writes them.
fn requesters() -> String {
    let all: Vec<&str> = RequestedBy::ALL.iter().map(|r| r.as_str()).collect();
    all.join(", ")
}

fn cut(message: &str) -> String {
    const MAX_CHARS: usize = 300;
    if message.chars().count() > MAX_CHARS {
        format!("{}...", message.chars().take(MAX_CHARS).collect::<String>())
    } else {
        message.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durham_profile_gives_the_published_dates() {
        let p = Profile::durham();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(p.guidance_date(AcademicYear(2025)).date(), d("2026-03-23"));
        assert_eq!(p.guidance_date(AcademicYear(2024)).date(), d("2025-03-24"));
        assert!(!p.guidance_date(AcademicYear(2025)).is_estimate());
        // A year the profile does not list: the profile's rule on the usual summer term.
        assert_eq!(
            p.guidance_date(AcademicYear(2026)),
            GuidanceDate::Estimated {
                date: d("2027-03-22"),
                summer_term_ends: d("2027-07-16")
            }
        );
        assert!(p.guidance_date(AcademicYear(2030)).is_estimate());
    }

    #[test]
    fn show_round_trips() {
        let p = Profile::durham();
        let again = Profile::from_text(&p.to_yaml()).unwrap();
        assert_eq!(again.to_yaml(), p.to_yaml());
    }

    /// The field lists the one-line refusal reads are the struct's own fields: a field added to
    /// `Profile` and not to the lists would make every profile that uses it "not a profile".
    #[test]
    fn the_known_fields_are_the_profiles_fields() {
        let mut p = Profile::durham();
        p.description = Some("x".into());
        p.max_report_age_months = Some(1);
        p.fonts = vec!["a.ttf".into()];
        p.severity_by_requester
            .insert("parent".into(), BTreeMap::new());
        let value = serde_json::to_value(&p).unwrap();
        for key in value.as_object().unwrap().keys() {
            assert!(
                PROFILE_FIELDS.contains(&key.as_str())
                    || PROFILE_FIELDS_MORE.contains(&key.as_str()),
                "`{key}` is a field of Profile but not in PROFILE_FIELDS"
            );
        }
    }

    #[test]
    fn bad_profile_is_refused() {
        assert!(Profile::from_text("name: x\nbogus: 1\n").is_err());
    }

    #[test]
    fn severity_by_requester_is_read_checked_and_shown() {
        let text = format!(
            "{DURHAM}\nseverity_by_requester:\n  parent:\n    parent-views: advice\n  school:\n    consent-to-share: error\n"
        );
        let p = Profile::from_text(&text).unwrap();
        use crate::diagnostic::catalogue::RuleId;
        assert_eq!(
            p.severity_for(RequestedBy::Parent, RuleId::ParentViews),
            Some(SetSeverity::Advice)
        );
        assert_eq!(
            p.severity_for(RequestedBy::School, RuleId::ConsentToShare),
            Some(SetSeverity::Error)
        );
        assert_eq!(
            p.severity_for(RequestedBy::Parent, RuleId::ConsentToShare),
            None
        );
        let again = Profile::from_text(&p.to_yaml()).unwrap();
        assert_eq!(again.to_yaml(), p.to_yaml());
        let err = Profile::from_text(&text.replace("  parent:", "  parents:"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`parents` is not a requester"), "{err}");
        let err = Profile::from_text(&text.replace("parent-views", "parent-view"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`parent-view` under `parent` is not a rule id"),
            "{err}"
        );
    }

    #[test]
    fn terms_count_only_for_years_the_profile_has_them_for() {
        let text = DURHAM.replace(
            "    summer_term_ends: 2026-07-17\n",
            "    summer_term_ends: 2026-07-17\n    terms:\n      - {starts: 2025-09-03, ends: 2025-12-19}\n",
        );
        let p = Profile::from_text(&text).unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(p.has_terms_for(d("2025-09-10"), d("2026-02-01")));
        assert!(
            !p.has_terms_for(d("2025-07-01"), d("2025-10-01")),
            "2024/25 has none"
        );
        assert!(!Profile::durham().has_terms_for(d("2025-09-10"), d("2025-10-01")));
        let backwards = DURHAM.replace(
            "    summer_term_ends: 2026-07-17\n",
            "    summer_term_ends: 2026-07-17\n    terms:\n      - {starts: 2025-12-19, ends: 2025-09-03}\n",
        );
        let err = Profile::from_text(&backwards).unwrap_err().to_string();
        assert!(err.contains("a term ends before it starts"), "{err}");
    }
}
