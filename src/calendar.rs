//! Dates as English schools and the Durham guidance count them.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// An academic year, named by the calendar year it starts in (2025 is 2025/26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AcademicYear(pub i32);

impl AcademicYear {
    /// The academic year a date falls in: 1 September to 31 August.
    pub fn containing(date: NaiveDate) -> AcademicYear {
        if date.month() >= 9 {
            AcademicYear(date.year())
        } else {
            AcademicYear(date.year() - 1)
        }
    }

    /// The name schools use: `2025/26`.
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }

    /// Reads `2025/26` (or `2025-26`).
    pub fn parse(label: &str) -> Option<AcademicYear> {
        let (start, end) = label.split_once(['/', '-'])?;
        let start: i32 = start.trim().parse().ok()?;
        let end: i32 = end.trim().parse().ok()?;
        ((start + 1).rem_euclid(100) == end && end < 100).then_some(AcademicYear(start))
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 9, 1).expect("1 September exists")
    }
}

/// The Monday of the week the summer term ends in, minus `weeks` weeks: the date by which the
/// LA asks for school requests (Durham toolkit, "Applying for an EHC needs assessment").
pub fn guidance_date(summer_term_ends: NaiveDate, weeks: u32) -> NaiveDate {
    let monday =
        summer_term_ends - Days::new(u64::from(summer_term_ends.weekday().num_days_from_monday()));
    monday - Days::new(7 * u64::from(weeks))
}

/// The summer term's end in the usual English pattern, where the LA has not published it: the
/// third Friday of July (Durham's published ends, 18 July 2025 and 17 July 2026, are exactly
/// that). An estimate: LAs publish their term dates a year or two ahead.
pub fn usual_summer_term_end(year: AcademicYear) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year.0 + 1, 7, 1).expect("1 July exists");
    let to_friday = (7 + 4 - first.weekday().num_days_from_monday()) % 7;
    first + Days::new(u64::from(to_friday) + 14)
}

/// The national curriculum year a child born on `birth` is in during `year` (0 is Reception):
/// English cohorts run from 1 September to 31 August.
pub fn expected_year_group(birth: NaiveDate, year: AcademicYear) -> i32 {
    year.0 - AcademicYear::containing(birth).0 - 5
}

/// A term's name from its first day: "autumn term 2025", "spring term 2026", "summer term 2026".
pub fn term_name(starts: NaiveDate) -> String {
    let season = match starts.month() {
        1..=3 => "spring",
        4..=7 => "summer",
        _ => "autumn",
    };
    format!("{season} term {}", starts.year())
}

/// Age in whole years on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

pub fn plus_weeks(date: NaiveDate, weeks: u32) -> NaiveDate {
    date + Days::new(7 * u64::from(weeks))
}

/// A date written the way letters to parents write it: `Monday 23 March 2026`.
pub fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

pub fn is_monday(date: NaiveDate) -> bool {
    date.weekday() == Weekday::Mon
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn durham_guidance_dates_match_the_catalogue() {
        assert_eq!(guidance_date(d("2025-07-18"), 16), d("2025-03-24"));
        assert_eq!(guidance_date(d("2026-07-17"), 16), d("2026-03-23"));
        assert!(is_monday(guidance_date(d("2026-07-17"), 16)));
    }

    #[test]
    fn the_usual_summer_term_end_is_the_third_friday_of_july() {
        assert_eq!(usual_summer_term_end(AcademicYear(2024)), d("2025-07-18"));
        assert_eq!(usual_summer_term_end(AcademicYear(2025)), d("2026-07-17"));
        assert_eq!(usual_summer_term_end(AcademicYear(2026)), d("2027-07-16"));
        assert_eq!(usual_summer_term_end(AcademicYear(2027)), d("2028-07-21"));
        assert_eq!(guidance_date(d("2027-07-16"), 16), d("2027-03-22"));
    }

    #[test]
    fn academic_years() {
        assert_eq!(AcademicYear::containing(d("2025-09-01")).label(), "2025/26");
        assert_eq!(AcademicYear::containing(d("2026-08-31")).label(), "2025/26");
        assert_eq!(AcademicYear::containing(d("1999-12-31")).label(), "1999/00");
        assert_eq!(AcademicYear::parse("2025/26"), Some(AcademicYear(2025)));
        assert_eq!(AcademicYear::parse("2025/27"), None);
    }

    #[test]
    fn cohorts() {
        let y = AcademicYear(2025);
        assert_eq!(expected_year_group(d("2015-09-01"), y), 5);
        assert_eq!(expected_year_group(d("2016-08-31"), y), 5);
        assert_eq!(expected_year_group(d("2016-09-01"), y), 4);
        assert_eq!(expected_year_group(d("2020-09-01"), y), 0);
        assert_eq!(age_on(d("2010-02-28"), d("2026-02-27")), 15);
        assert_eq!(age_on(d("2010-02-28"), d("2026-02-28")), 16);
    }
}
