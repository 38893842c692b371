//! The two string formats the schemas use, as JSON Schema (and the `jsonschema` crate, which
//! checked them before) defines them: `date` (RFC 3339 full-date) and `email` (RFC 5321).

/// `YYYY-MM-DD`, a real day of the Gregorian calendar.
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// An address as `email_address` parses it, whose domain is a host name or an IP literal
/// (`[192.0.2.1]`, `[IPv6:2001:db8::1]`). A local part must be ASCII.
///
/// One difference from the `jsonschema` crate: a host name label in Punycode (`xn--...`) is
/// accepted when it is well formed, without decoding it to check its Unicode.
pub fn is_email(text: &str) -> bool {
    // `email_address` rejects an empty quoted local part, which RFC 5321 allows.
    if let Some(domain) = text.strip_prefix("\"\"@") {
        return is_email(&format!("\"a\"@{domain}"));
    }
    let Ok(parsed) = text.parse::<email_address::EmailAddress>() else {
        return false;
    };
    if !parsed.local_part().is_ascii() {
        return false;
    }
    let domain = parsed.domain();
    match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(literal) => {
            let tag = "IPv6:";
            if literal
                .as_bytes()
                .get(..tag.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(tag.as_bytes()))
            {
                literal[tag.len()..].parse::<std::net::Ipv6Addr>().is_ok()
            } else {
                literal.parse::<std::net::Ipv4Addr>().is_ok()
            }
        }
        None => is_host_name(domain),
    }
}

/// RFC 1034 host name: labels of letters, digits and hyphens, 1 to 63 long, not starting or
/// ending with a hyphen, at most 253 in all, no final dot; `ab--` only as Punycode's `xn--`.
fn is_host_name(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 253 || b[b.len() - 1] == b'.' {
        return false;
    }
    name.split('.').all(|label| {
        let l = label.as_bytes();
        !l.is_empty()
            && l.len() <= 63
            && l[0] != b'-'
            && l[l.len() - 1] != b'-'
            && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && !(l.len() >= 4 && l[2] == b'-' && l[3] == b'-' && !l.starts_with(b"xn--"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2025-02-29"));
        assert!(!is_date("2025-02-30"));
        assert!(!is_date("14/05/2016"));
        assert!(!is_date("2025-13-01"));
        assert!(!is_date("2025-00-10"));
        assert!(!is_date("2025-01-00"));
        assert!(!is_date("٢٠٢٥-01-01"));
        assert!(is_date("2000-02-29"));
        assert!(!is_date("1900-02-29"));
    }

    #[test]
    fn emails() {
        assert!(is_email("jane.doe@example.org"));
        assert!(is_email("name@durham.gov.uk"));
        assert!(is_email("a@[192.0.2.1]"));
        assert!(is_email("a@[IPv6:2001:db8::1]"));
        assert!(!is_email("a@[300.0.2.1]"));
        assert!(!is_email("jane.doe"));
        assert!(!is_email("jane@-example.org"));
        assert!(!is_email("jane@example..org"));
        assert!(!is_email("jane@ab--cd.org"));
        assert!(!is_email("jané@example.org"));
        assert!(!is_email("jane@example.org."));
    }
}
