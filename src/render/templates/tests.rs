//! Hostile templates against the limits minijinja keeps (SECURITY.md, "Limits and caps"): each
//! ends with an error naming the template, the line and the limit, quickly and in bounded
//! memory, never a crash or a hang.

use std::time::{Duration, Instant};

use super::*;

fn env(sources: &[(&str, &str)]) -> Result<Environment<'static>, TemplateError> {
    let mut env = configured();
    for (name, text) in sources {
        limits::check_source(name, text)?;
        env.add_template_owned(name.to_string(), text.to_string())
            .map_err(|e| TemplateError::Syntax(describe(&e)))?;
    }
    Ok(env)
}

fn rendered(sources: &[(&str, &str)]) -> Result<String, String> {
    // The text a person reads.
    env(sources)
        .and_then(|env| render(&env, sources[0].0, &serde_json::json!({})))
        .map_err(|e| e.to_string())
}

/// Rendered within `seconds`, whatever the result.
fn quickly(sources: &[(&str, &str)], seconds: u64) -> Result<String, String> {
    let start = Instant::now();
    let result = rendered(sources);
    assert!(
        start.elapsed() < Duration::from_secs(seconds),
        "{:?} took {:?}",
        sources[0].1.chars().take(100).collect::<String>(),
        start.elapsed()
    );
    result
}

#[test]
fn the_built_in_templates_compile_once() {
    let a: *const Environment = built_in();
    let b: *const Environment = built_in();
    assert_eq!(a, b);
    assert!(built_in().get_template(PACK).is_ok());
}

#[test]
fn recursion_ends_with_an_error_naming_the_template_and_line() {
    let own = "{% macro m(n) %}{{ m(n) }}{% endmacro %}\n{{ m(1) }}";
    let e = quickly(&[("a.jinja", own)], 10).unwrap_err();
    assert!(e.contains("call into themselves too deep"), "{e}");
    assert!(e.contains("a.jinja line 1"), "{e}");
    let mutual = "{% macro a() %}{{ b() }}{% endmacro %}\
                  {% macro b() %}{{ a() }}{% endmacro %}{{ a() }}";
    let e = quickly(&[("a.jinja", mutual)], 10).unwrap_err();
    assert!(e.contains("too deep"), "{e}");
    let include = [
        ("a.jinja", "{% include \"b.jinja\" %}"),
        ("b.jinja", "x\n{% include \"a.jinja\" %}"),
    ];
    let e = quickly(&include, 10).unwrap_err();
    assert!(e.contains("too deep"), "{e}");
    // Calling a macro many times is fine.
    let fine = "{% macro m(n) %}[{{ n }}]{% endmacro %}\
                {% for i in range(3) %}{{ m(i) }}{% endfor %}";
    assert_eq!(rendered(&[("a.jinja", fine)]).unwrap(), "[0][1][2]");
}

#[test]
fn loops_over_loops_run_out_of_fuel_quickly() {
    // Eight loops over 300 items: 6.5 * 10^19 turns.
    let mut slow = String::new();
    for i in 0..8 {
        slow.push_str(&format!("{{% for a{i} in range(300) %}}"));
    }
    slow.push_str("{% if false %}x{% endif %}");
    slow.push_str(&"{% endfor %}".repeat(8));
    let e = quickly(&[("a.jinja", &slow)], 10).unwrap_err();
    assert!(e.contains("ran out of fuel (a.jinja line 1)"), "{e}");
    // Nested loops of a sensible size are fine.
    let nested = "{% for a in range(2) %}{% for b in range(2) %}{% for c in range(2) %}\
                  {% for d in range(2) %}{% for e in range(2) %}x\
                  {% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}";
    assert_eq!(rendered(&[("a.jinja", nested)]).unwrap(), "x".repeat(32));
}

#[test]
fn values_that_double_run_out_of_fuel_before_they_are_made() {
    for doubling in [
        // A `set` in a loop (through a namespace, which outlives the loop's scope).
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}\
         {% endfor %}{{ ns.s | length }}",
        // Inside one expression: each `replace` multiplies the text by 20.
        "{% set s = 'xxxxxxxxxxxxxxxxxxxx' %}{{ s | replace('x', s) | replace('x', s) \
         | replace('x', s) | replace('x', s) | replace('x', s) | replace('x', s) \
         | replace('x', s) | length }}",
        // Repetition and lists.
        "{{ ('x' * 100000) * 100000 }}",
        // Through a chain of macros, each doubling its argument (40 calls deep: the recursion
        // limit ends it first).
        &*{
            let mut t = String::from("{% macro m40(x) %}{{ x | length }}{% endmacro %}");
            for i in (0..40).rev() {
                t.push_str(&format!(
                    "{{% macro m{i}(x) %}}{{{{ m{}(x ~ x) }}}}{{% endmacro %}}",
                    i + 1
                ));
            }
            (t + "{{ m0('ab') }}").leak()
        },
    ] {
        let e = quickly(&[("a.jinja", doubling)], 20).unwrap_err();
        assert!(
            e.contains("ran out of fuel") || e.contains("too large") || e.contains("too deep"),
            "{doubling}: {e}"
        );
    }
    // Counting and flags still work.
    let counting = "{% set n = 0 %}{% set n = n + 2 %}{% set ok = true %}{{ n }}";
    assert_eq!(rendered(&[("a.jinja", counting)]).unwrap(), "2");
}

#[test]
fn huge_ranges_and_output_are_refused() {
    let huge = "{% for i in range(1000000000) %}{% endfor %}";
    let e = quickly(&[("a.jinja", huge)], 10).unwrap_err();
    assert!(e.contains("range has too many elements"), "{e}");
    assert!(e.contains("a.jinja line 1"), "{e}");
    let long = format!(
        "{{% for i in range(90000) %}}{}{{% endfor %}}",
        "x".repeat(100)
    );
    let e = quickly(&[("a.jinja", &long)], 10).unwrap_err();
    assert!(e.contains("more than 8 MB of text (a.jinja)"), "{e}");
}

#[test]
fn deep_nesting_and_long_chains_are_refused_while_parsing() {
    let deep = "{% if true %}".repeat(5000) + &"{% endif %}".repeat(5000);
    let e = quickly(&[("a.jinja", &deep)], 10).unwrap_err();
    assert!(e.contains("maximum recursion limits"), "{e}");
    assert!(e.contains("a.jinja line 1"), "{e}");
    // Brackets count as operators too (a call or an index is one).
    let brackets = format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
    let e = quickly(&[("a.jinja", &brackets)], 10).unwrap_err();
    assert!(e.contains("operators and filters in one tag"), "{e}");
    let brackets = format!("{{{{ {}1{} }}}}", "(".repeat(90), ")".repeat(90));
    let e = quickly(&[("a.jinja", &brackets)], 10).unwrap_err();
    assert!(e.contains("maximum recursion limits"), "{e}");
    // A flat chain of operators, which minijinja compiles one level deeper each (a stack
    // overflow at 20,000): refused before parsing.
    for chain in [
        format!("{{{{ 1{} }}}}", " + 1".repeat(20000)),
        format!("{{% if true{} %}}x{{% endif %}}", " and true".repeat(20000)),
        format!("{{{{ 'a'{} }}}}", " ~ 'a'".repeat(20000)),
        format!("{{{{ x{} }}}}", " | length".repeat(20000)),
        format!("{{{{ x{} }}}}", ".y".repeat(20000)),
        format!("{{{{ x{} }}}}", "[0]".repeat(20000)),
    ] {
        let e = quickly(&[("a.jinja", &chain)], 10).unwrap_err();
        assert!(
            e.contains("more than 100 operators and filters in one tag (line 1)"),
            "{e}"
        );
    }
    // Ordinary text with brackets outside tags is not code.
    assert_eq!(
        rendered(&[("a.jinja", "((((((((((((((((((((((((((((((((((((x")]).unwrap(),
        "((((((((((((((((((((((((((((((((((((x"
    );
}

#[test]
fn nothing_outside_the_template_can_be_read() {
    for call in [
        "{{ get_env(name='EHCPACK_PASSWORD') }}",
        "{{ now() }}",
        "{{ get_random(start=1, end=9) }}",
        "{% include '/etc/passwd' %}",
        "{% import '../Cargo.toml' as x %}",
    ] {
        let e = quickly(&[("a.jinja", call)], 10).unwrap_err();
        assert!(
            e.contains("unknown function") || e.contains("template not found"),
            "{call}: {e}"
        );
    }
}

#[test]
fn text_in_any_script_is_read_and_nothing_prints_as_none() {
    let french = "@title Demande d'évaluation\n{{ 1 }} é {% if true %}€{% endif %}\n";
    assert_eq!(
        rendered(&[("a.jinja", french)]).unwrap(),
        "@title Demande d'évaluation\n1 é €\n"
    );
    let env = env(&[("a.jinja", "[{{ x }}][{{ x | default('y') }}]")]).unwrap();
    assert_eq!(
        render(&env, "a.jinja", &serde_json::json!({ "x": null })).unwrap(),
        "[][]"
    );
    // Whole floats print as Tera printed them.
    let env2 = super::tests::env(&[("a.jinja", "{{ w }} {{ h }} {{ n }}")]).unwrap();
    assert_eq!(
        render(
            &env2,
            "a.jinja",
            &serde_json::json!({ "w": 16.0, "h": 95.1, "n": 3 })
        )
        .unwrap(),
        "16 95.1 3"
    );
    // Printing a value the context does not have is an error that names it, as with Tera.
    let e = rendered(&[("a.jinja", "\n{{ pupil.name }}")]).unwrap_err();
    assert!(e.contains("undefined value (a.jinja line 2)"), "{e}");
}

#[test]
fn a_list_joined_to_itself_stops_at_the_memory_budget() {
    // minijinja joins lists lazily and without fuel, then makes the 33rd join at once.
    let doubling = "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}\
                    {% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l | length }}";
    let env = env(&[("a.jinja", doubling)]).unwrap();
    let started = Instant::now();
    let e = render_bounded(
        &env,
        "a.jinja",
        &serde_json::json!({}),
        Duration::from_secs(60),
        16 * 1024 * 1024,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("more than 16 MB of memory"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(30));
    // Within the budget, joining works.
    let small = "{% set l = [1, 2] + [3] %}{{ l | length }}";
    assert_eq!(rendered(&[("a.jinja", small)]).unwrap(), "3");
}

#[test]
fn a_render_past_the_time_limit_is_abandoned() {
    let slow = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}\
                {% endfor %}{% endfor %}{% endfor %}";
    let env = env(&[("a.jinja", slow)]).unwrap();
    let e = render_bounded(
        &env,
        "a.jinja",
        &serde_json::json!({}),
        Duration::from_millis(1),
        MAX_TEMPLATE_MEMORY,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "the templates did not finish within 0.001 s (a loop too large?)"
    );
}
