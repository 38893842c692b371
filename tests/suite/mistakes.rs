//! The mistakes people make in a case folder, each named at its place (docs/mistakes.md), tested
//! with the bytes a real editor writes: Word's non-breaking spaces (C2 A0) and curly quotes
//! (E2 80 98/99/9C/9D), Notepad's `.txt` suffix and byte-order mark (EF BB BF), Windows' line
//! ends (CR LF), a tab key, Word's lock file beside an open document.
// Tests read and write their fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::fs;
use std::path::Path;

use crate::common::{ehcpack, sample_copy, stdout, TODAY};
use serde_json::Value;

/// Replaces the first `from` in the case file `name` by the bytes `to`, as an editor would
/// save them (the file is read and written as bytes).
fn edit_bytes(dir: &Path, name: &str, from: &str, to: &[u8]) {
    let path = dir.join(name);
    let bytes = fs::read(&path).unwrap();
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from:?} is not in {name}"));
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(&bytes[at + from.len()..]);
    fs::write(&path, out).unwrap();
}

/// The file saved as Windows saves it: CR LF line ends and a UTF-8 byte-order mark.
fn save_as_windows(dir: &Path, name: &str) {
    let path = dir.join(name);
    let text = fs::read(&path).unwrap();
    let mut out = vec![0xEF, 0xBB, 0xBF];
    for &b in &text {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    fs::write(&path, out).unwrap();
}

/// `validate --format json` on the case: its findings.
fn findings(dir: &Path) -> Vec<Value> {
    let out = ehcpack(&[
        "validate",
        dir.to_str().unwrap(),
        "--today",
        TODAY,
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
    json["cases"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The one finding of `rule` in `file`, asserting that it is the only finding of the case.
fn only_finding(dir: &Path, rule: &str, file: &str) -> Value {
    let all = findings(dir);
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = all[0].clone();
    assert_eq!(d["rule"], rule, "{d:#?}");
    assert_eq!(d["file"], file, "{d:#?}");
    d
}

fn place(d: &Value) -> (u64, u64) {
    (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap())
}

fn message(d: &Value) -> String {
    d["message"].as_str().unwrap().to_string()
}

// Line numbers below are those of sample-cases/year5-passing: pupil.yaml has `legal_name:` on
// line 5, `first`, `middle` and `last` on 6 to 8, `preferred_name` on 9, `ethnicity` on 21.

#[test]
fn a_missing_colon_is_reported_on_the_line_that_lacks_it() {
    let (_tmp, dir) = sample_copy("year5-passing");
    // The parser only notices two lines further down, on a comment.
    edit_bytes(
        &dir,
        "pupil.yaml",
        "  middle: Lee\n",
        b"  middle Lee\n  # the middle name is on the birth certificate\n",
    );
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (7, 9), "{d:#?}");
    assert_eq!(message(&d), "the field `middle` has no `:` after its name");
    assert!(
        d["help"].as_str().unwrap().contains("`middle: Lee`"),
        "{d:#?}"
    );
}

#[test]
fn a_missing_colon_is_placed_right_in_a_windows_file() {
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "pupil.yaml",
        "preferred_name: Josh",
        b"preferred_name Josh",
    );
    save_as_windows(&dir, "pupil.yaml");
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (9, 15), "{d:#?}");
    assert!(
        message(&d).contains("`preferred_name` has no `:`"),
        "{d:#?}"
    );
}

#[test]
fn a_missing_colon_on_a_field_with_no_value_is_found_too() {
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(&dir, "pupil.yaml", "legal_name:\n", b"legal_name\n");
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (5, 11), "{d:#?}");
    assert!(message(&d).contains("`legal_name` has no `:`"), "{d:#?}");
}

#[test]
fn a_non_breaking_space_pasted_from_word_is_named_and_placed() {
    // After the colon: Word's C2 A0.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "pupil.yaml",
        "preferred_name: Josh",
        b"preferred_name:\xC2\xA0Josh",
    );
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (9, 16), "{d:#?}");
    assert!(
        message(&d).starts_with(
            "a non-breaking space (U+00A0) is used where YAML needs an ordinary space"
        ),
        "{d:#?}"
    );
    // In the indentation.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(&dir, "pupil.yaml", "  middle: Lee", b"\xC2\xA0 middle: Lee");
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (7, 1), "{d:#?}");
    assert!(message(&d).contains("(U+00A0)"), "{d:#?}");
}

#[test]
fn a_non_breaking_space_inside_text_is_left_alone() {
    // Word puts them between a title and a name; the text reads and prints the same.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "views.yaml",
        "gathered_by: Mrs Lynn Robson",
        b"gathered_by: Mrs\xC2\xA0Lynn Robson",
    );
    assert_eq!(findings(&dir), Vec::<Value>::new());
}

#[test]
fn a_tab_is_named_and_placed() {
    // Indenting with the Tab key.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(&dir, "pupil.yaml", "  middle: Lee", b"\tmiddle: Lee");
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (7, 1), "{d:#?}");
    assert_eq!(
        message(&d),
        "a tab (U+0009) is used to indent or to separate a field from its value"
    );
    // Between a field and its value, in a Windows file.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "pupil.yaml",
        "preferred_name: Josh",
        b"preferred_name:\tJosh",
    );
    save_as_windows(&dir, "pupil.yaml");
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (9, 16), "{d:#?}");
    assert!(message(&d).contains("a tab (U+0009)"), "{d:#?}");
}

#[test]
fn curly_quotes_from_word_are_named_where_they_break_the_line() {
    // Word's “ ” (E2 80 9C, E2 80 9D) around text with a colon in it.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "pupil.yaml",
        "ethnicity: White British",
        b"ethnicity: \xE2\x80\x9CWhite British: English\xE2\x80\x9D",
    );
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (21, 12), "{d:#?}");
    assert!(
        message(&d).starts_with(
            "this value starts with a curly opening double quote (U+201C), which YAML does not \
             read as a quote"
        ),
        "{d:#?}"
    );
    // Word's ‘ ’ (E2 80 98, E2 80 99).
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "pupil.yaml",
        "ethnicity: White British",
        b"ethnicity: \xE2\x80\x98White British: English\xE2\x80\x99",
    );
    let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
    assert_eq!(place(&d), (21, 12), "{d:#?}");
    assert!(message(&d).contains("(U+2018)"), "{d:#?}");
}

#[test]
fn curly_quotes_that_break_nothing_are_text() {
    // A child's words in curly quotes, and an apostrophe: printed as written.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "views.yaml",
        "gathered_by: Mrs Lynn Robson",
        "gathered_by: “Mrs Robson’s group”".as_bytes(),
    );
    assert_eq!(findings(&dir), Vec::<Value>::new());
}

#[test]
fn a_byte_order_mark_in_the_middle_of_a_file_is_named_and_placed() {
    // Two files pasted together: the second one's BOM (EF BB BF) lands at a line's start.
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "pupil.yaml",
        "kind: pupil",
        b"\xEF\xBB\xBFkind: pupil",
    );
    let all = findings(&dir);
    let d = all
        .iter()
        .find(|d| d["rule"] == "yaml-syntax")
        .unwrap_or_else(|| panic!("{all:#?}"));
    assert_eq!(d["file"], "pupil.yaml");
    assert_eq!(place(d), (3, 1), "{d:#?}");
    assert_eq!(
        message(d),
        "a byte-order mark (U+FEFF) is here: it cannot be seen, and changes what the file says"
    );
    // At the very start (Notepad's "UTF-8 with BOM") it is allowed.
    let (_tmp, dir) = sample_copy("year5-passing");
    save_as_windows(&dir, "pupil.yaml");
    assert_eq!(findings(&dir), Vec::<Value>::new());
}

#[test]
fn other_invisible_characters_are_named_with_their_code_point() {
    for (bytes, code) in [
        (&b"\xE2\x80\x8B"[..], "a zero-width space (U+200B)"),
        (b"\xC2\xAD", "a soft hyphen (U+00AD)"),
        (b"\xE2\x81\xA0", "a word joiner (U+2060)"),
        (b"\x0B", "a control character (U+000B)"),
    ] {
        let (_tmp, dir) = sample_copy("year5-passing");
        let mut value = b"preferred_name: Jo".to_vec();
        value.extend_from_slice(bytes);
        value.extend_from_slice(b"sh");
        edit_bytes(&dir, "pupil.yaml", "preferred_name: Josh", &value);
        let d = only_finding(&dir, "yaml-syntax", "pupil.yaml");
        assert_eq!(place(&d), (9, 19), "{code}: {d:#?}");
        assert!(message(&d).starts_with(code), "{code}: {d:#?}");
    }
}

/// A document saved under a near-miss name, and what validate says.
fn near_miss(from: &str, to: &str) -> (tempfile::TempDir, Vec<Value>) {
    let (tmp, dir) = sample_copy("year5-passing");
    fs::rename(dir.join(from), dir.join(to)).unwrap();
    (tmp, findings(&dir))
}

#[test]
fn a_plan_saved_by_notepad_as_txt_is_named_and_the_senco_told() {
    let (_tmp, all) = near_miss("plan-2.yaml", "plan-2.yaml.txt");
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = &all[0];
    assert_eq!(d["rule"], "case-structure");
    assert_eq!(d["file"], "plan-2.yaml.txt");
    assert_eq!(
        message(d),
        "`plan-2.yaml.txt` looks like a case document, but its name ends in `.txt` after the \
         `.yaml`, so it was not read"
    );
    assert!(d["help"]
        .as_str()
        .unwrap()
        .starts_with("rename it to `plan-2.yaml`"));
    // Saved without the .yaml at all: `plan-2.txt`.
    let (_tmp, all) = near_miss("plan-2.yaml", "plan-2.txt");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["file"], "plan-2.txt");
    assert!(message(&all[0]).contains("its name does not end in `.yaml`"));
}

#[test]
fn a_document_saved_by_word_is_named() {
    let (_tmp, all) = near_miss("health.yaml", "health.yml.docx");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["rule"], "case-structure");
    assert_eq!(all[0]["file"], "health.yml.docx");
    assert!(
        all[0]["help"]
            .as_str()
            .unwrap()
            .contains("saved by a word processor"),
        "{all:#?}"
    );
}

#[test]
fn a_misspelt_extension_is_named() {
    let (_tmp, all) = near_miss("needs.yaml", "needs.ymal");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["file"], "needs.ymal");
    assert_eq!(all[0]["help"], "rename it to `needs.yaml`");
}

#[cfg(unix)]
#[test]
fn a_name_with_a_trailing_space_is_named() {
    // A Mac or a zip keeps the space Windows would drop: `Views 1.YAML `.
    let (_tmp, all) = near_miss("views.yaml", "Views 1.YAML ");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["file"], "Views 1.YAML ");
    assert!(message(&all[0]).contains("ends in a space or a dot after `.yaml`"));
    assert_eq!(all[0]["help"], "rename it to `Views 1.YAML`");
}

#[test]
fn a_word_lock_file_is_named_and_not_read_as_a_document() {
    let (_tmp, dir) = sample_copy("year5-passing");
    // Word's owner file: the user's name as a length and bytes, then in UTF-16, 162 bytes.
    let user = "Helen Rutherford";
    let mut lock = vec![user.len() as u8];
    lock.extend_from_slice(user.as_bytes());
    lock.resize(54, 0);
    lock.extend_from_slice(&[user.len() as u8, 0]);
    lock.extend(user.encode_utf16().flat_map(u16::to_le_bytes));
    lock.resize(162, 0);
    fs::write(dir.join("~$pupil.yaml"), lock).unwrap();
    let all = findings(&dir);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["rule"], "case-structure");
    assert_eq!(all[0]["file"], "~$pupil.yaml");
    assert!(message(&all[0]).contains("the lock file Word"), "{all:#?}");
}

#[test]
fn other_files_beside_the_documents_are_left_alone() {
    let (_tmp, dir) = sample_copy("year5-passing");
    fs::write(dir.join("notes.txt"), "ring mum on Tuesday\n").unwrap();
    fs::write(dir.join("photo.jpg"), [0xFF, 0xD8, 0xFF]).unwrap();
    fs::write(dir.join("schema.xml"), "<x/>").unwrap();
    assert_eq!(findings(&dir), Vec::<Value>::new());
}

#[test]
fn a_case_folder_saved_all_as_txt_is_named_in_a_batch_and_the_others_checked() {
    let tmp = common::tempdir();
    let batch = tmp.path().join("batch");
    fs::create_dir(&batch).unwrap();
    common::copy_dir(&common::sample("year5-passing"), &batch.join("a-good"));
    let txt = batch.join("b-notepad");
    fs::create_dir(&txt).unwrap();
    for entry in fs::read_dir(common::sample("year5-passing")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let name = format!("{}.txt", path.file_name().unwrap().to_string_lossy());
            fs::copy(&path, txt.join(name)).unwrap();
        }
    }
    let out = ehcpack(&[
        "validate",
        batch.to_str().unwrap(),
        "--today",
        TODAY,
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2, "{json:#}");
    assert_eq!(cases[0]["verdict"], "pass", "{json:#}");
    let d = &cases[1]["diagnostics"][0];
    assert_eq!(d["rule"], "case-structure");
    assert!(
        message(d).starts_with(
            "this folder holds no .yaml file, but `attainment.yaml.txt`, `consent.yaml.txt`"
        ),
        "{d:#}"
    );
}

/// The human output names the character and the place, as a SENCO reads it.
#[test]
fn the_human_output_names_the_character_at_its_place() {
    let (_tmp, dir) = sample_copy("year5-passing");
    edit_bytes(
        &dir,
        "views.yaml",
        "gathered_by: Mrs Lynn Robson",
        b"gathered_by:\xC2\xA0Mrs Lynn Robson",
    );
    let out = ehcpack(&["validate", dir.to_str().unwrap(), "--today", TODAY]);
    let said = stdout(&out);
    assert!(
        said.contains("error[yaml-syntax]: a non-breaking space (U+00A0) is used where YAML needs an ordinary space"),
        "{said}"
    );
    assert!(said.contains("views.yaml:28:15"), "{said}");
}
