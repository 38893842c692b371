//! An LA profile: the numbers that are local policy rather than law. Durham's is built in.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{self, AcademicYear};
use crate::yaml;

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

/// The guidance date for an academic year, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuidanceDate {
    Published(NaiveDate),
    Computed {
        date: NaiveDate,
        summer_term_ends: NaiveDate,
    },
    Unknown(AcademicYear),
}

impl GuidanceDate {
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            GuidanceDate::Published(d) | GuidanceDate::Computed { date: d, .. } => Some(*d),
            GuidanceDate::Unknown(_) => None,
        }
    }
}

impl Profile {
    pub fn durham() -> Profile {
        Profile::from_text(DURHAM).expect("the built-in Durham profile is valid")
    }

    pub fn from_text(text: &str) -> Result<Profile, String> {
        let node = yaml::parse(text)
            .map_err(|e| format!("line {}: {}", e.pos.line, e.message))?
            .ok_or("the profile is empty")?;
        let profile: Profile = serde_json::from_value(node.to_json()).map_err(|e| e.to_string())?;
        for (label, dates) in &profile.academic_years {
            for (i, term) in dates.terms.iter().enumerate() {
                if term.ends < term.starts {
                    let line = node
                        .pointer(&format!("/academic_years/{label}/terms/{i}"))
                        .map_or(0, |n| n.pos.line);
                    return Err(format!(
                        "line {line}: a term of {label} ends ({}) before it starts ({})",
                        term.ends, term.starts
                    ));
                }
            }
            if AcademicYear::parse(label).is_none() {
                let line = node
                    .pointer(&format!("/academic_years/{label}"))
                    .map_or(0, |n| n.pos.line);
                return Err(format!(
                    "line {line}: `{label}` is not an academic year; write it like 2025/26"
                ));
            }
        }
        Ok(profile)
    }

    /// Reads a profile file: an ordinary file of at most [`MAX_PROFILE_BYTES`] (so
    /// `--profile /dev/zero` or a pipe is refused at once), and an error quotes at most a line's
    /// worth of it.
    pub fn load(path: &Path) -> Result<Profile, String> {
        let text = crate::read::read_text_capped(path, MAX_PROFILE_BYTES)
            .map_err(|e| format!("cannot read the profile {}: {e}", path.display()))?;
        let mut profile =
            Profile::from_text(&text).map_err(|e| format!("{}: {}", path.display(), cut(&e)))?;
        if profile.fonts.len() > crate::render::fonts::MAX_ADDED_FONTS {
            return Err(format!(
                "{}: the profile names {} fonts; ehcpack adds at most {}",
                path.display(),
                profile.fonts.len(),
                crate::render::fonts::MAX_ADDED_FONTS
            ));
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
            _ => GuidanceDate::Unknown(year),
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
        assert_eq!(
            p.guidance_date(AcademicYear(2025)).date(),
            NaiveDate::from_ymd_opt(2026, 3, 23)
        );
        assert_eq!(
            p.guidance_date(AcademicYear(2024)).date(),
            NaiveDate::from_ymd_opt(2025, 3, 24)
        );
        assert_eq!(
            p.guidance_date(AcademicYear(2030)),
            GuidanceDate::Unknown(AcademicYear(2030))
        );
    }

    #[test]
    fn show_round_trips() {
        let p = Profile::durham();
        let again = Profile::from_text(&p.to_yaml()).unwrap();
        assert_eq!(again.to_yaml(), p.to_yaml());
    }

    #[test]
    fn bad_profile_is_refused() {
        assert!(Profile::from_text("name: x\nbogus: 1\n").is_err());
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
        let err = Profile::from_text(&backwards).unwrap_err();
        assert!(err.contains("ends (2025-09-03) before it starts"), "{err}");
    }
}
