//! One case document, from raw bytes to schema findings: `encoding::decode` (the one decoder:
//! BOMs, UTF-16 and UTF-32 by detection, Latin-1 bytes),
//! `yaml::parse` (positions, anchors, depth, duplicate keys), then every kind's schema check and
//! the JSON form, as `case::load` does for each file. None of it may panic.

#![no_main]

use ehcpack::case::Kind;
use ehcpack::yaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = ehcpack::encoding::decode(data);
    // A block at a time reads the same text (the start of a file too large to read whole).
    let mut streamed = ehcpack::encoding::Decoder::new(data);
    let mut out = String::new();
    for block in data.chunks(7) {
        streamed.push(block, &mut out);
    }
    assert_eq!(streamed.finish(out).text(), decoded.text());
    let _ = decoded.problem();
    let text = decoded.into_text();
    let Ok(Some(node)) = yaml::parse(&text) else {
        return;
    };
    let json = node.to_json();
    let mut strings = Vec::new();
    node.strings("", &mut strings);
    for (pointer, _) in &strings {
        node.locate(pointer, true);
        node.pointer(pointer);
    }
    for kind in Kind::ALL {
        for finding in ehcpack::schema::check(kind, &node, &text) {
            // Every finding is placed on a real line of the file.
            assert!(finding.line >= 1, "{finding:?} in {json}");
        }
    }
});
