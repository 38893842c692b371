//! A received pack is read the fast way (issue 20): only the trailer, the cross-reference data
//! and the objects on the way to its embedded files and pages, then checked from memory, with
//! nothing written to disk. A PDF the fast way does not read without a doubt (another program's,
//! an encrypted pack, a damaged file) is read the full way, and its verdict is the same.

use std::path::Path;

use crate::common::{self, sample};

const TODAY: &str = "2026-01-15";

fn limits() -> ehcpack::received::Limits {
    ehcpack::received::Limits::default()
}

fn fast(pdf: &[u8]) -> bool {
    ehcpack::received::pack::reads_the_fast_way(pdf, &limits())
}

/// The JSON report of `validate` on `paths`, with `dir` as the working folder and `TMPDIR`.
fn report(dir: &Path, tmp: &Path, paths: &[&Path]) -> serde_json::Value {
    let mut command = common::ehcpack_command();
    command
        .current_dir(dir)
        .env("TMPDIR", tmp)
        .args(["validate", "--today", TODAY, "--format", "json"])
        .args(paths);
    let out = command.output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", common::stdout(&out), common::stderr(&out)))
}

/// The findings of the first case: (rule, file, line, message).
fn findings(report: &serde_json::Value) -> Vec<(String, String, String, String)> {
    report["cases"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].to_string(),
                d["file"].to_string(),
                d["line"].to_string(),
                d["message"].to_string(),
            )
        })
        .collect()
}

#[test]
fn packs_of_ours_are_read_the_fast_way_and_checked_from_memory_with_nothing_on_disk() {
    let dir = common::tempdir();
    // An empty temporary folder that must stay empty: nothing of a pack is written anywhere.
    let tmp = common::tempdir();
    for name in ["year5-passing", "looked-after-durham", "fail-no-consent"] {
        let pack = dir.path().join(format!("{name}.pdf"));
        let out = common::render_pack(dir.path(), &sample(name), &["--draft"]);
        std::fs::rename(out, &pack).unwrap();
        assert!(fast(&std::fs::read(&pack).unwrap()), "{name}");
        let from_pack = report(dir.path(), tmp.path(), &[&pack]);
        let from_folder = report(dir.path(), tmp.path(), &[&sample(name)]);
        assert_eq!(
            findings(&from_pack),
            findings(&from_folder),
            "{name}: the pack and its folder give the same findings"
        );
        assert_eq!(
            from_pack["cases"][0]["verdict"],
            from_folder["cases"][0]["verdict"]
        );
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{name}: {left:?} in the temporary folder");
    }
}

#[test]
fn a_pack_saved_again_by_another_program_is_read_and_checked_the_same() {
    let dir = common::tempdir();
    let tmp = common::tempdir();
    let pack = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    // lopdf writes a classic cross-reference table and no object streams: another structure
    // than krilla's, read the fast way all the same.
    let mut doc = lopdf::Document::load(&pack).unwrap();
    let resaved = dir.path().join("resaved.pdf");
    doc.save(&resaved).unwrap();
    assert!(fast(&std::fs::read(&resaved).unwrap()));
    // Junk before the header moves every offset: the fast way gives up and the full way (which
    // finds the objects again) decides, with the same verdict and findings.
    let mut shifted = b"junk from a mail program\n".to_vec();
    shifted.extend(std::fs::read(&pack).unwrap());
    assert!(!fast(&shifted));
    let moved = dir.path().join("shifted.pdf");
    std::fs::write(&moved, &shifted).unwrap();
    let original = findings(&report(dir.path(), tmp.path(), &[&pack]));
    for other in [&resaved, &moved] {
        assert_eq!(
            findings(&report(dir.path(), tmp.path(), &[other])),
            original,
            "{}",
            other.display()
        );
    }
}

#[test]
fn an_altered_pack_read_the_fast_way_is_still_an_integrity_error() {
    let dir = common::tempdir();
    let tmp = common::tempdir();
    let pack = common::render_pack(dir.path(), &sample("year5-passing"), &[]);
    // An incremental update that replaces the pupil document's stream: a newer
    // cross-reference section over the old, as an editor saves a change.
    let mut doc = lopdf::IncrementalDocument::load(&pack).unwrap();
    let prev = doc.get_prev_documents();
    let (id, stream) = prev
        .objects
        .iter()
        .find_map(|(id, o)| match o {
            lopdf::Object::Stream(s)
                if s.dict.get(b"Type").and_then(lopdf::Object::as_name).ok()
                    == Some(b"EmbeddedFile".as_slice()) =>
            {
                let text = s.decompressed_content().ok()?;
                String::from_utf8(text)
                    .ok()?
                    .contains("kind: pupil")
                    .then(|| (*id, s.clone()))
            }
            _ => None,
        })
        .expect("the pupil document");
    let mut changed = stream.clone();
    let text = String::from_utf8(stream.decompressed_content().unwrap()).unwrap();
    changed.set_plain_content(
        text.replacen("kind: pupil", "kind: pupil\n# edited", 1)
            .into_bytes(),
    );
    doc.new_document
        .objects
        .insert(id, lopdf::Object::Stream(changed));
    let edited = dir.path().join("edited.pdf");
    doc.save(&edited).unwrap();
    let bytes = std::fs::read(&edited).unwrap();
    assert!(fast(&bytes));
    let found = findings(&report(dir.path(), tmp.path(), &[&edited]));
    assert!(
        found
            .iter()
            .any(|(rule, _, _, m)| rule == "\"pack-integrity\"" && m.contains("was changed after")),
        "{found:?}"
    );
}

#[test]
fn checking_packs_needs_no_temporary_folder_at_all() {
    let dir = common::tempdir();
    let names = ["looked-after-durham", "year5-passing"];
    let mut packs = Vec::new();
    for name in names {
        let pack = dir.path().join(format!("{name}.pdf"));
        std::fs::rename(common::render_pack(dir.path(), &sample(name), &[]), &pack).unwrap();
        packs.push(pack);
    }
    let folders: Vec<_> = names.iter().map(|n| sample(n)).collect();
    let folders: Vec<&Path> = folders.iter().map(|p| p.as_path()).collect();
    let from_folders = report(dir.path(), dir.path(), &folders);
    // A temporary folder that does not exist: nothing can be made in it, and nothing need be.
    let nowhere = dir.path().join("no-such-folder");
    let packs: Vec<&Path> = packs.iter().map(|p| p.as_path()).collect();
    let from_packs = report(dir.path(), &nowhere, &packs);
    for case in 0..2 {
        assert_eq!(
            from_packs["cases"][case]["verdict"], from_folders["cases"][case]["verdict"],
            "{from_packs}"
        );
        assert_eq!(
            from_packs["cases"][case]["diagnostics"],
            from_folders["cases"][case]["diagnostics"]
        );
    }
    assert!(!nowhere.exists());
}
