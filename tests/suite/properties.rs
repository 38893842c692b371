//! Property tests: the date logic over every date, and loading what the model writes.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;

use ehcpack::calendar::{self, AcademicYear};
use ehcpack::profile::Profile;

/// Any date from 1990 to 2060.
fn date() -> impl Strategy<Value = NaiveDate> {
    (0u64..25_567).prop_map(|d| NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + Days::new(d))
}

proptest! {
    #[test]
    fn a_date_lies_in_its_academic_year(d in date()) {
        let year = AcademicYear::containing(d);
        prop_assert!(year.first_day() <= d);
        prop_assert!(d < AcademicYear(year.0 + 1).first_day());
        prop_assert_eq!(AcademicYear::parse(&year.label()), Some(year));
    }

    #[test]
    fn the_guidance_date_is_a_monday_the_given_weeks_before_the_last_week(
        end in date(), weeks in 1u32..30
    ) {
        let g = calendar::guidance_date(end, weeks);
        prop_assert_eq!(g.weekday(), Weekday::Mon);
        let days = (end - g).num_days();
        // The Monday of the last week, minus whole weeks: between 7w and 7w + 6 days before.
        prop_assert!(days >= 7 * i64::from(weeks) && days <= 7 * i64::from(weeks) + 6);
    }

    #[test]
    fn a_cohort_runs_from_september_to_august(birth in date(), y in 1995i32..2060) {
        let year = AcademicYear(y);
        let group = calendar::expected_year_group(birth, year);
        let cohort = AcademicYear::containing(birth);
        // Everyone born in the same academic year is in the same year group...
        prop_assert_eq!(calendar::expected_year_group(cohort.first_day(), year), group);
        let last = AcademicYear(cohort.0 + 1).first_day() - Days::new(1);
        prop_assert_eq!(calendar::expected_year_group(last, year), group);
        // ...one more than those born the next year, and a year on, one higher.
        prop_assert_eq!(calendar::expected_year_group(last + Days::new(1), year), group - 1);
        prop_assert_eq!(calendar::expected_year_group(birth, AcademicYear(y + 1)), group + 1);
    }

    #[test]
    fn age_goes_up_on_the_birthday(birth in date(), years in 0i32..30) {
        prop_assume!(!(birth.month() == 2 && birth.day() == 29));
        let birthday = NaiveDate::from_ymd_opt(birth.year() + years, birth.month(), birth.day()).unwrap();
        prop_assert_eq!(calendar::age_on(birth, birthday), years);
        prop_assert_eq!(calendar::age_on(birth, birthday - Days::new(1)), years - 1);
    }

    #[test]
    fn statutory_dates_are_whole_weeks_on(received in date()) {
        let p = Profile::durham();
        let decision = calendar::plus_weeks(received, p.decision_weeks);
        let final_plan = calendar::plus_weeks(received, p.final_plan_weeks);
        prop_assert_eq!((decision - received).num_days(), 42);
        prop_assert_eq!((final_plan - received).num_days(), 140);
        prop_assert_eq!(decision.weekday(), received.weekday());
    }
}

/// Any JSON value without nulls or fractions (YAML and JSON agree on the rest), a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(".{1,12}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The documented reading: a block inside a block with nothing in it counts as absent.
fn without_blank_blocks(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, without_blank_blocks(v)))
                .filter(|(_, v)| !matches!(v, serde_json::Value::Object(m) if m.is_empty()))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(without_blank_blocks).collect())
        }
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(300)))]

    /// JSON is YAML: whatever the model writes as JSON loads back the same, keys and strings of
    /// any characters included.
    #[test]
    fn what_is_written_loads_back_the_same(value in json_value()) {
        let text = serde_json::to_string_pretty(&value).unwrap();
        let node = ehcpack::yaml::parse(&text);
        prop_assume!(!matches!(&node, Err(e) if e.message.contains("twice")));
        let node = node.map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?.unwrap();
        prop_assert_eq!(node.to_json(), without_blank_blocks(value));
    }

    /// A plan written in JSON (which is YAML) reads back through the case reader into the same plan.
    #[test]
    fn a_plan_round_trips(title in ".{0,30}", description in "[^\u{0}]{1,80}", start in date(), days in 1u64..200) {
        let plan = serde_json::json!({
            "format": "ehcpack/1", "kind": "plan", "title": title, "start": start,
            "review_date": start + Days::new(days), "needs": ["A need"],
            "outcomes": [{"id": "O1", "description": description, "by": start + Days::new(days)}],
        });
        let node = ehcpack::yaml::parse(&plan.to_string()).unwrap().unwrap();
        let read: ehcpack::model::Plan = ehcpack::load::de::from_node(&node).unwrap();
        prop_assert_eq!(read.start.value, start);
        prop_assert_eq!(read.review_date.map(|d| d.value), Some(start + Days::new(days)));
        prop_assert_eq!(&read.outcomes[0].description, &description);
        prop_assert_eq!(read.title.unwrap_or_default(), title);
    }
}
