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

/// Easter Sunday of a year (the Gregorian computus, anonymous algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a date")
}

/// The three terms of an academic year in the usual English pattern, where the LA's own term
/// dates are not known, each first day to last day (half terms inside them):
/// - autumn: 1 September to the day before the Christmas holiday, which runs two weeks from the
///   Saturday on or before 24 December;
/// - spring: the day after the Christmas holiday to the day before the Easter holiday, which
///   runs from the Saturday eight days before Easter Sunday to the Sunday a week after it;
/// - summer: the day after the Easter holiday to the third Friday of July
///   ([`usual_summer_term_end`]); the summer holiday runs to 31 August.
pub fn usual_terms(year: AcademicYear) -> [(NaiveDate, NaiveDate); 3] {
    let christmas_eve = NaiveDate::from_ymd_opt(year.0, 12, 24).expect("24 December exists");
    let christmas_starts = christmas_eve
        - Days::new(u64::from(
            (christmas_eve.weekday().num_days_from_monday() + 2) % 7,
        ));
    let christmas_ends = christmas_starts + Days::new(15);
    let easter = easter_sunday(year.0 + 1);
    let easter_starts = easter - Days::new(8);
    let easter_ends = easter + Days::new(7);
    [
        (year.first_day(), christmas_starts - Days::new(1)),
        (christmas_ends + Days::new(1), easter_starts - Days::new(1)),
        (easter_ends + Days::new(1), usual_summer_term_end(year)),
    ]
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
    fn the_usual_terms_leave_out_christmas_easter_and_summer() {
        assert_eq!(easter_sunday(2026), d("2026-04-05"));
        assert_eq!(easter_sunday(2027), d("2027-03-28"));
        assert_eq!(easter_sunday(2025), d("2025-04-20"));
        // 2025/26: Durham's published holidays are 22 December to 2 January, 30 March to
        // 10 April (weekdays): the usual pattern's holidays hold them.
        let [autumn, spring, summer] = usual_terms(AcademicYear(2025));
        assert_eq!(autumn, (d("2025-09-01"), d("2025-12-19")));
        assert_eq!(spring, (d("2026-01-05"), d("2026-03-27")));
        assert_eq!(summer, (d("2026-04-13"), d("2026-07-17")));
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
