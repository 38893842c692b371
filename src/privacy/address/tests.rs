//! The protected address found in a case and withheld from text, whatever its form.

use super::*;
use crate::load::case::Kind;
use crate::load::yaml;
use crate::privacy::{quote, terminal_safe};

fn redactor(yaml_text: &str) -> Redactor {
    let mut r = Redactor::none();
    r.add_address(&yaml::parse(yaml_text).unwrap().unwrap());
    r
}

fn larchfield() -> Redactor {
    redactor("lines: [\"Flat 3, 14 Larchfield Row\"]\ntown: Cragwell\npostcode: DH7 9ZQ\nprotected: true\n")
}

#[test]
fn withholds_postcode_and_lines_with_any_spacing_or_case() {
    let r = redactor("lines: [12 Example Row, Flat 2]\npostcode: DH1 9ZZ\nprotected: true\n");
    assert!(r.is_protected());
    let text = "Moved to 12  example row last May (dh19zz). Flat 2 is fine.";
    assert_eq!(
        r.parts_in(text),
        vec!["the postcode", "a line of the address"]
    );
    let out = r.redact(text);
    assert!(!out.to_lowercase().contains("example row"), "{out}");
    assert!(!out.to_uppercase().contains("DH19ZZ"), "{out}");
    assert_eq!(r.parts_in("Flat 2"), Vec::<&str>::new());
    assert!(!out.contains("Flat 2"), "{out}");
    assert_eq!(
        r.redact("Postcode DH1\n9ZZ").as_str(),
        format!("Postcode {WITHHELD}")
    );
}

#[test]
fn every_variant_of_the_issue_is_withheld() {
    let r = larchfield();
    for text in [
        "DH7 9ZQ.",
        "DH7-9ZQ",
        "dh79zq",
        "DH7\u{200B}9ZQ",
        "D\u{200B}H7 9Z\u{00AD}Q",
        "ＤＨ７ ９ＺＱ",
        "DH7 \u{2014} 9ZQ",
        "14 Larchfield Row.",
        "Flat 3, 14 Larchfield Row",
        "Rose Cottage, 14 Larchfield Row",
        "14 Larchfield\n   Row",
        "14 LARCHFIELD ROW",
        "14, Larch\u{2011}field Row",
        "14 Larchfield Rw".replace("Rw", "Row").as_str(),
    ] {
        let out = r.redact(&format!("lives at {text} now"));
        assert!(out.contains(WITHHELD), "{text:?} -> {out}");
        assert!(!r.parts_in(text).is_empty(), "{text:?}");
        let n = Normal::of(&out);
        let squashed: String = n.alnum.iter().map(|&i| n.chars[i]).collect();
        assert!(!squashed.contains("dh79zq"), "{text:?} -> {out}");
        assert!(!squashed.contains("14larchfield"), "{text:?} -> {out}");
        assert!(out.starts_with("lives at "), "{out}");
        assert!(out.ends_with(" now"), "{out}");
    }
}

#[test]
fn abbreviations_match_both_ways() {
    let r = redactor("lines: [7 Elm Terrace]\npostcode: DH1 1AA\nprotected: true\n");
    for text in ["7 Elm Terr", "7 elm tce.", "7 Elm Ter", "7 ELM TERRACE"] {
        assert_eq!(r.parts_in(text), vec!["a line of the address"], "{text}");
        assert_eq!(r.redact(text).trim_end_matches('.'), WITHHELD, "{text}");
    }
    let r = redactor("lines: [22 Mill Rd]\nprotected: true\n");
    assert_eq!(
        r.redact("22 Mill Road, then 22 Mill Lane").as_str(),
        format!("{WITHHELD}, then 22 Mill Lane")
    );
}

#[test]
fn replacement_keeps_the_rest_of_the_original_text() {
    let r = larchfield();
    assert_eq!(
        r.redact("Café at Flat 3, 14 Larchfield Row — ok").as_str(),
        format!("Café at {WITHHELD} — ok")
    );
    // Other house numbers and streets stay.
    assert_eq!(r.redact("16 Larchfield Row").as_str(), "16 Larchfield Row");
    assert_eq!(r.redact("14 Larch Grove").as_str(), "14 Larch Grove");
    // A source line with YAML escapes reads as its reader reads it.
    assert_eq!(
        r.redact(r#"  note: "at 14 Larchfield\tRow\u000ADH7\x209ZQ""#)
            .as_str(),
        format!(r#"  note: "at {WITHHELD}\u000A{WITHHELD}""#)
    );
}

#[test]
fn encoded_characters_read_as_what_they_encode() {
    let r = larchfield();
    for text in [
        r"DH7\\u00209ZQ",
        r"DH7\\\\u00209ZQ",
        r"DH7\\x209ZQ",
        r"DH7\\\x209ZQ",
        r"DH7\u{20}9ZQ",
        r"DH7\\n9ZQ",
        "DH7&#32;9ZQ",
        "DH7&#x20;9ZQ",
        "DH7&#X20;9ZQ",
        "DH7&nbsp;9ZQ",
        "DH7&NBSP;9ZQ",
        "DH7&amp;9ZQ",
        "DH7&amp;#32;9ZQ",
        "DH7&amp;nbsp;9ZQ",
        "DH7&bogus;9ZQ",
        "DH7%209ZQ",
        "DH7%2520ZQ".replace("20ZQ", "209ZQ").as_str(),
        "DH7%C2%A09ZQ",
        "DH7%E2%80%8B9ZQ",
        "&#68;&#x48;7 9ZQ",
        "%44H7 %39ZQ",
        r"\u0044H7 9\x5aQ",
        "14&#32;Larchfield%20Row",
    ] {
        assert!(!r.parts_in(text).is_empty(), "{text:?}");
        let out = r.redact(&format!("at {text} now"));
        assert_eq!(out.as_str(), format!("at {WITHHELD} now"), "{text:?}");
    }
    // Ordinary text with ampersands, percents and backslashes is left alone.
    for text in ["R&D at 50% off", r"C:\\temp\\x", "&#xZZ; %zz \\q"] {
        assert_eq!(r.redact(text).as_str(), text);
    }
}

/// Every Latin letter small capital Unicode has (`LATIN LETTER SMALL CAPITAL A` to `Z`; there is
/// no X) reads as its letter: five were missing (G, L, F, S, Q), and an address written with
/// them was printed.
#[test]
fn every_small_capital_reads_as_its_letter() {
    const SMALL_CAPITALS: [(char, char); 25] = [
        ('\u{0262}', 'g'),
        ('\u{026A}', 'i'),
        ('\u{0274}', 'n'),
        ('\u{0280}', 'r'),
        ('\u{028F}', 'y'),
        ('\u{0299}', 'b'),
        ('\u{029C}', 'h'),
        ('\u{029F}', 'l'),
        ('\u{1D00}', 'a'),
        ('\u{1D04}', 'c'),
        ('\u{1D05}', 'd'),
        ('\u{1D07}', 'e'),
        ('\u{1D0A}', 'j'),
        ('\u{1D0B}', 'k'),
        ('\u{1D0D}', 'm'),
        ('\u{1D0F}', 'o'),
        ('\u{1D18}', 'p'),
        ('\u{1D1B}', 't'),
        ('\u{1D1C}', 'u'),
        ('\u{1D20}', 'v'),
        ('\u{1D21}', 'w'),
        ('\u{1D22}', 'z'),
        ('\u{A730}', 'f'),
        ('\u{A731}', 's'),
        ('\u{A7AF}', 'q'),
    ];
    let r = larchfield();
    for (small, letter) in SMALL_CAPITALS {
        assert_eq!(
            crate::privacy::normalise::look_alike(small).to_ascii_lowercase(),
            letter,
            "U+{:04X}",
            u32::from(small)
        );
        for part in ["14 Larchfield Row", "DH7 9ZQ"] {
            let written: String = part
                .chars()
                .map(|c| {
                    if c.to_ascii_lowercase() == letter {
                        small
                    } else {
                        c
                    }
                })
                .collect();
            if written != part {
                let out = r.redact(&format!("at {written} now"));
                assert_eq!(out.as_str(), format!("at {WITHHELD} now"), "{written:?}");
            }
        }
    }
}

#[test]
fn look_alike_letters_and_other_digits_read_as_latin() {
    let r = larchfield();
    for text in [
        // Cyrillic capital En, Greek capital Eta, Cyrillic small o in a street name.
        "D\u{041D}7 9ZQ",
        "D\u{0397}7 9ZQ",
        "14 Larchfield R\u{043E}w",
        // Cyrillic a, e, c, r; Greek capital Zeta and Omicron-free Q.
        "14 L\u{0430}r\u{0441}hfi\u{0435}ld Row",
        "DH7 9\u{0396}Q",
        // Digits of other scripts: Arabic-Indic, Devanagari, fullwidth, mathematical.
        "DH\u{0667} \u{0669}ZQ",
        "DH\u{096D} \u{096F}ZQ",
        "DH\u{FF17} 9ZQ",
        "DH\u{1D7D5} \u{1D7EB}ZQ",
        "\u{0661}\u{0664} Larchfield Row",
        // Small capitals and Cherokee.
        "\u{13A0}H7 9ZQ",
        "14 \u{029F}archfield Row",
        "DH7 9Z\u{A7AF}",
        "14 Larch\u{A730}ield Row",
    ] {
        assert!(!r.parts_in(text).is_empty(), "{text:?}");
        let out = r.redact(&format!("at {text} now"));
        assert_eq!(out.as_str(), format!("at {WITHHELD} now"), "{text:?}");
    }
    // Greek and Cyrillic text that is not the address stays as written.
    for text in ["Νίκος Παπαδόπουλος", "Ольга Иванова", "٣ أيام"]
    {
        assert_eq!(r.redact(text).as_str(), text);
    }
}

#[test]
fn the_number_and_street_name_match_without_the_street_word_or_in_another_order() {
    let r = larchfield();
    for text in [
        "14 Larchfield",
        "14 Larchfield Rd",
        "14 LARCHFIELD R.",
        "14 Larchfield St",
        "14 Larchfield Rw",
        "Flat 3, 14 Larchfield (the blue door)",
        "Larchfield Row 14",
        "Larchfield Rw, 14",
    ] {
        assert_eq!(r.parts_in(text), vec!["a line of the address"], "{text}");
        let out = r.redact(&format!("at {text}"));
        assert!(
            !out.contains("Larchfield") && !out.contains("LARCHFIELD"),
            "{out}"
        );
    }
    // Whole words only: another number, or the name inside a longer word, is left alone.
    for text in [
        "4 Larchfield",
        "14 Larchfields Academy",
        "Larchfield Row 15",
        "144 Larch",
    ] {
        assert!(r.parts_in(text).is_empty(), "{text}");
    }
    // A short street name is matched only with its street word, so "14 high marks" stays.
    let r = redactor("lines: [14 High Street]\npostcode: DH1 1AA\nprotected: true\n");
    assert_eq!(r.redact("14 high marks").as_str(), "14 high marks");
    assert_eq!(r.redact("14 High St").as_str(), WITHHELD);
}

#[test]
fn a_protected_flag_in_the_wrong_place_protects_the_address() {
    for text in [
        "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\nprotected: true\n",
        "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\nlooked_after:\n  protected: true\n",
    ] {
        let r = Redactor::for_documents(&[doc("pupil.yaml", text)]);
        assert!(!r.known, "{text}");
        assert_eq!(r.redact("DH7 9ZQ").as_str(), WITHHELD, "{text}");
    }
}

#[test]
fn a_blank_flag_an_encoded_address_or_a_block_of_the_wrong_shape_still_protects() {
    for text in [
        // A flag left blank.
        "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\n  protected:\n",
        "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\n  protected: ~\n",
        // `lines:` as one string; the block nested a level deeper.
        "address:\n  lines: 14 Larchfield Row\n  postcode: DH7 9ZQ\n  protected: true\n",
        "address:\n  home:\n    lines: [14 Larchfield Row]\n    postcode: DH7 9ZQ\n  protected: true\n",
        // The postcode as a list or a map; the whole block nested, flag and all.
        "address:\n  lines: [14 Larchfield Row]\n  postcode: [DH7, 9ZQ]\n  protected: true\n",
        "address:\n  lines: [14 Larchfield Row]\n  postcode: {outward: DH7, inward: 9ZQ}\n  protected: true\n",
        "address:\n  home:\n    lines: [14 Larchfield Row]\n    postcode: DH7 9ZQ\n    protected: true\n",
        // The address written encoded in the pupil's own file.
        "address:\n  lines: [\"14%20Larchfield%20Row\"]\n  postcode: \"DH7&nbsp;9ZQ\"\n  protected: true\n",
        "address:\n  lines: ['14\\u0020Larchfield Row']\n  postcode: 'DH7\\u00a09ZQ'\n  protected: true\n",
    ] {
        let r = Redactor::for_documents(&[doc("pupil.yaml", text)]);
        for plain in ["DH7 9ZQ", "14 Larchfield Rd"] {
            let out = r.redact(plain);
            assert!(out.starts_with(WITHHELD) && !out.contains("Larch"), "{text:?}: {out}");
            assert!(!r.parts_in(plain).is_empty(), "{text:?}: {plain}");
        }
    }
}

#[test]
fn the_town_is_withheld_only_as_part_of_the_address() {
    for block in [
        "lines: [14 Larchfield Row]\ntown: Durham\npostcode: DH1 9ZQ\nprotected: true\n",
        "lines: [14 Larchfield Row, Durham]\npostcode: DH1 9ZQ\nprotected: true\n",
        "Lines: [14 Larchfield Row]\nTown : Durham\npostcode: DH1 9ZQ\nprotected: true\n",
    ] {
        let r = redactor(block);
        // Beside the street line or the postcode, in text or in an address block.
        for (text, want) in [
            (
                "14 Larchfield Row, Durham",
                format!("{WITHHELD}, {WITHHELD}"),
            ),
            ("Durham DH1 9ZQ", format!("{WITHHELD} {WITHHELD}")),
            (
                "lives at 14 Larchfield Row\nDurham\n",
                format!("lives at {WITHHELD}\n{WITHHELD}\n"),
            ),
            (
                "  lines:\n    - 14 Larchfield Row\n  town: Durham\n",
                format!("  lines:\n    - {WITHHELD}\n  town: {WITHHELD}\n"),
            ),
            (
                "  town: \"Durham\"\n  postcode: DH1 9ZQ",
                format!("  town: \"{WITHHELD}\"\n  postcode: {WITHHELD}"),
            ),
        ] {
            assert_eq!(r.redact(text).as_str(), want, "{block}: {text:?}");
        }
        // Never inside an organisation's name, an e-mail address, a school, a GP practice
        // or a rule's or profile's own words.
        for text in [
            "Durham County Council",
            "chloe.barraclough@durham.gov.uk",
            "Durham Johnston Comprehensive School",
            "Claypath Medical Practice, Durham",
            "  responsible_authority: Durham County Council",
            "the Durham County Council guidance date",
            "Durham Children Looked After Team 2",
            "born in Durham",
            "Durham",
            // Another address in the same town (a parent who lives apart).
            "  lines:\n    - 27 Wansbeck Terrace\n  town: Durham\n  postcode: DH7 4ZX\n",
        ] {
            assert_eq!(r.redact(text).as_str(), text, "{block}: {text:?}");
            assert!(
                r.parts_in(text).is_empty(),
                "the town alone is no leak: {text:?}"
            );
        }
    }
    // The pupil document's own block: every value withheld, nothing else.
    let r =
        redactor("lines: [14 Larchfield Row]\ntown: Brandon\npostcode: DH7 9ZQ\nprotected: true\n");
    let file =
        "address:\n  lines:\n    - 14 Larchfield Row\n  town: Brandon\n  postcode: DH7 9ZQ\n  \
                protected: true\nschool: Brandon Primary School\n";
    let out = replace_spans(file, &r.spans(file));
    assert!(!out.contains("town: Brandon"), "{out}");
    assert!(out.contains("school: Brandon Primary School"), "{out}");
    // A town of several words, and an address written as one string.
    let r = redactor(
        "lines: [3 Front Street]\ntown: Chester-le-Street\npostcode: DH3 3ZZ\nprotected: true\n",
    );
    assert_eq!(
        r.redact("Chester-le-Street Library").as_str(),
        "Chester-le-Street Library"
    );
    assert_eq!(
        r.redact("3 Front Street, Chester-le-Street").as_str(),
        format!("{WITHHELD}, {WITHHELD}")
    );
    let mut r = Redactor::none();
    r.add_address(
        &yaml::parse("14 Larchfield Row, Seaham, SR7 9ZQ")
            .unwrap()
            .unwrap(),
    );
    assert_eq!(
        r.redact("Seaham Harbour Surgery").as_str(),
        "Seaham Harbour Surgery"
    );
    assert_eq!(
        r.redact("14 Larchfield Row, Seaham").as_str(),
        format!("{WITHHELD}, {WITHHELD}")
    );
}

#[test]
fn unprotected_address_is_left_alone() {
    let docs = vec![doc(
        "pupil.yaml",
        "kind: pupil\naddress:\n  lines: [12 Example Row]\n  postcode: DH1 9ZZ\n",
    )];
    let r = Redactor::for_documents(&docs);
    assert!(!r.is_protected());
    assert!(r.known);
    assert_eq!(
        r.redact("12 Example Row DH1 9ZZ").as_str(),
        "12 Example Row DH1 9ZZ"
    );
}

fn doc(path: &str, text: &str) -> Document {
    let root = yaml::parse(text).ok().flatten();
    let kind = root
        .as_ref()
        .and_then(|r| r.get("kind"))
        .and_then(Node::as_str)
        .and_then(Kind::from_name);
    let mut document = Document::new(path.into(), crate::encoding::decode(text.as_bytes()));
    document.kind = kind;
    document.root = root;
    document
}

#[test]
fn fails_closed() {
    let address = "address:\n  lines: [14 Larchfield Row]\n  postcode: DH7 9ZQ\n";
    // A mistyped flag.
    for flag in [
        "  Protected: true\n",
        "  protected: yes\n",
        "  protcted: true\n",
    ] {
        let r =
            Redactor::for_documents(&[doc("pupil.yaml", &format!("kind: pupil\n{address}{flag}"))]);
        assert!(r.is_protected(), "{flag}");
        assert!(!r.known, "{flag}");
        assert_eq!(r.redact("14 Larchfield Row").as_str(), WITHHELD);
    }
    // A pupil document that does not parse.
    let r = Redactor::for_documents(&[doc(
        "pupil.yaml",
        &format!("kind: pupil\n{address}  protected: [true\n"),
    )]);
    assert!(!r.known);
    assert_eq!(r.redact("dh7 9zq").as_str(), WITHHELD);
    assert_eq!(r.redact("14 Larchfield Row").as_str(), WITHHELD);
    // Two pupil documents, neither saying protected.
    let r = Redactor::for_documents(&[
        doc("pupil.yaml", &format!("kind: pupil\n{address}")),
        doc(
            "pupil-old.yaml",
            "kind: pupil\naddress:\n  lines: [3 Old Mill Lane]\n  postcode: DH1 4AB\n",
        ),
    ]);
    assert!(!r.known);
    assert_eq!(r.redact("DH1 4AB").as_str(), WITHHELD);
    assert_eq!(r.redact("DH7 9ZQ").as_str(), WITHHELD);
    // A pupil-like file of no known kind.
    let r = Redactor::for_documents(&[
        doc("pupil.yaml", &format!("kind: pupil\n{address}")),
        doc("pupil copy.yaml", &format!("kind: pupl\n{address}")),
    ]);
    assert_eq!(r.redact("DH7 9ZQ").as_str(), WITHHELD);
}

#[test]
fn a_snippet_of_a_wrapped_line_is_redacted_in_context() {
    let r = larchfield();
    let file = "notes: >\n  Josh lives at 14\n  Larchfield Row, DH7\n  9ZQ with carers.\n";
    let spans = r.spans(file);
    let line = |n| r.line_in_context(file, &spans, n).unwrap().into_string();
    assert_eq!(line(2), format!("  Josh lives at {WITHHELD}"));
    assert_eq!(line(3), format!("{WITHHELD}, {WITHHELD}"));
    assert_eq!(line(4), format!("{WITHHELD} with carers."));
    assert!(r.line_in_context(file, &spans, 9).is_none());
}

#[test]
fn quoted_values_are_cut_after_redaction() {
    let r = larchfield();
    let long = format!("x{}", "y".repeat(30));
    let message = format!(
        "`{}` is not a date",
        quote(&format!("{long} 14 Larchfield Row"))
    );
    let out = r.redact(&message);
    assert_eq!(
        out.as_str(),
        format!("`{long} {}...` is not a date", &WITHHELD[..8])
    );
    assert_eq!(Redactor::none().redact(&quote("short")).as_str(), "short");
}

#[test]
fn terminal_safe_escapes_controls_and_bidi() {
    assert_eq!(
        terminal_safe("a\x1b[31mb\u{202E}c\u{7}\u{9b}d\te\n"),
        "a\\u{1b}[31mb\\u{202e}c\\u{7}\\u{9b}d\te\\u{a}"
    );
    assert_eq!(terminal_safe("Café — ok"), "Café — ok");
}
