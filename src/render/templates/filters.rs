//! The pack's own filters (docs/templates.md, "Filters"): each turns a case value into text the
//! pack markup reads safely. Each is linear in its input, and minijinja charges the fuel of the
//! text it returns, so a template cannot use one to build without bound.

use chrono::NaiveDate;
use minijinja::value::Value;
use minijinja::Environment;

use crate::render::markup;

/// Registers every filter on `env`.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("text", |v: Value| markup::text_line(&string_arg(&v)));
    env.add_filter("paras", |v: Value| markup::paragraphs(&string_arg(&v)));
    env.add_filter("cell", |v: Value| markup::cell(&string_arg(&v)));
    env.add_filter("date", |v: Value| date(&string_arg(&v)));
    env.add_filter("money", |v: Value| money(&v));
    env.add_filter("groups", |v: Value| groups(&string_arg(&v)));
}

/// A value as the text a filter works on: a string as it is, nothing as nothing, anything
/// else as the template would print it.
fn string_arg(value: &Value) -> String {
    if let Some(s) = value.as_str() {
        s.to_string()
    } else if value.is_none() || value.is_undefined() {
        String::new()
    } else {
        value.to_string()
    }
}

/// `2016-02-14` → `14 February 2016`; anything else unchanged.
pub fn date(s: &str) -> String {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => d.format("%-d %B %Y").to_string(),
        Err(_) => s.to_string(),
    }
}

/// `7.5` → `£7.50`, `1650` → `£1,650.00`; a value that is not a number unchanged.
pub fn money(v: &Value) -> String {
    let Ok(n) = f64::try_from(v.clone()) else {
        return string_arg(v);
    };
    if !v.is_number() {
        return string_arg(v);
    }
    let pence = (n * 100.0).round() as i64;
    let pounds = (pence / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("£{grouped}.{:02}", pence % 100)
}

/// A checksum in groups of eight, so that it wraps and can be read aloud.
pub fn groups(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(8)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_write_what_the_pack_prints() {
        assert_eq!(date("2026-02-02"), "2 February 2026");
        assert_eq!(date("soon"), "soon");
        assert_eq!(money(&Value::from(7.5)), "£7.50");
        assert_eq!(money(&Value::from(1650)), "£1,650.00");
        assert_eq!(money(&Value::from(1234567.891)), "£1,234,567.89");
        assert_eq!(money(&Value::from("about 40")), "about 40");
        assert_eq!(groups("0123456789abcdef01"), "01234567 89abcdef 01");
        assert_eq!(string_arg(&Value::from(())), "");
        assert_eq!(string_arg(&Value::from(38.0)), "38.0");
    }
}
