//! One case document, from raw bytes to schema findings: `case::decode` (BOM, UTF-16, UTF-8),
//! `yaml::parse` (positions, anchors, depth, duplicate keys), then every kind's schema check and
//! the JSON form, as `case::load` does for each file. None of it may panic.

#![no_main]

use ehcpack::case::{self, Kind};
use ehcpack::yaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = case::decode(data.to_vec()) else {
        return;
    };
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
