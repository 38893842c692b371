//! The one limit minijinja does not keep itself: a flat chain of operators or filters in one
//! tag (`{{ 1 + 1 + 1 ... }}`, `a | length | length ...`). Its parser reads such a chain in a
//! loop, but compiles and frees the tree it built by recursion, one level per operator, so a
//! chain of 20,000 overflows the stack (found by `tests::deep_nesting_and_long_chains_...`),
//! which aborts the process. Nesting (tags, brackets) is minijinja's own parser limit.

/// The most operators and filters in one tag.
pub const MAX_OPERATORS: usize = 100;

/// Checks each file's text before minijinja parses it.
pub fn check_source(name: &str, text: &str) -> Result<(), super::TemplateError> {
    match operators_over_limit(text) {
        Some(line) => Err(super::TemplateError::Operators {
            name: name.to_string(),
            line,
        }),
        None => Ok(()),
    }
}

/// The line of the first tag with more than [`MAX_OPERATORS`] operators and filters.
fn operators_over_limit(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut line = 1usize;
    let mut in_code = false;
    let mut operators = 0usize;
    // Inside a string literal of a tag (`"%}"` is text there, not the tag's end).
    let mut in_string: Option<u8> = None;
    // Brackets open inside a tag, so that `}}` inside `{{ {'a': {'b': 1}} }}` is no end.
    let mut brackets = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
        }
        let rest = &bytes[i..];
        if let Some(quote) = in_string {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == quote {
                in_string = None;
            }
            i += 1;
            continue;
        }
        if !in_code {
            if rest.starts_with(b"{%") || rest.starts_with(b"{{") {
                in_code = true;
                operators = 0;
                brackets = 0;
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        if matches!(b, b'"' | b'\'') {
            in_string = Some(b);
            i += 1;
            continue;
        }
        let word_start = b.is_ascii_alphabetic()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        let word_operator = word_start
            && [&b"and"[..], b"or", b"not", b"in", b"is", b"if", b"else"]
                .iter()
                .any(|w| {
                    rest.starts_with(w)
                        && rest
                            .get(w.len())
                            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                });
        let symbol = matches!(
            b,
            b'+' | b'-'
                | b'*'
                | b'/'
                | b'~'
                | b'<'
                | b'>'
                | b'='
                | b'!'
                | b'|'
                | b'.'
                | b'('
                | b'['
        ) || (b == b'%' && !rest.starts_with(b"%}"));
        if word_operator || symbol {
            operators += 1;
            if operators > MAX_OPERATORS {
                return Some(line);
            }
        }
        match b {
            b'(' | b'[' | b'{' => brackets += 1,
            b')' | b']' => brackets = brackets.saturating_sub(1),
            b'}' if rest.starts_with(b"}}") && brackets == 0 => {
                in_code = false;
                i += 2;
                continue;
            }
            b'%' if rest.starts_with(b"%}") => {
                in_code = false;
                i += 2;
                continue;
            }
            b'}' => brackets = brackets.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_chains_are_found_on_their_line() {
        let chain = format!("x\n\n{{{{ 1{} }}}}", " + 1".repeat(MAX_OPERATORS + 1));
        assert_eq!(operators_over_limit(&chain), Some(3));
        let fine = format!("{{{{ 1{} }}}}", " + 1".repeat(MAX_OPERATORS));
        assert_eq!(operators_over_limit(&fine), None);
        // The closing delimiter inside a string hides nothing.
        let hidden = format!(
            "{{% if \"%}}\"{} %}}x{{% endif %}}",
            " and true".repeat(200)
        );
        assert_eq!(operators_over_limit(&hidden), Some(1));
        // Text outside tags is not counted.
        assert_eq!(operators_over_limit(&"+ - | ~".repeat(1000)), None);
        // Every built-in template is within the limit.
        for (name, text) in super::super::TEMPLATES {
            assert_eq!(operators_over_limit(text), None, "{name}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2000,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            ..Default::default()
        })]
        /// The check reads any text without panicking.
        #[test]
        fn the_check_reads_any_text(text in "[{}%()\\[\\]a-zé€ \n'\"\\\\+|-]{0,200}") {
            let _ = operators_over_limit(&text);
        }
    }
}
