//! The batch benchmark's floor: `cargo run --release --example parse_floor -- FOLDER`.
//!
//! Reads every `.yaml` file below FOLDER (in path order, one thread) and runs saphyr-parser over
//! it, event by event, as ehcpack's loader does, keeping nothing: no tree, no schema, no rules, no
//! report. What `ehcpack validate FOLDER` costs beyond this is what ehcpack adds to reading the
//! YAML at all (issue 20 asks for at most twice this CPU). Prints the files, events and bytes.
// A benchmark reads its fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use saphyr_parser::Parser;

fn main() {
    let root = std::env::args().nth(1).expect("usage: parse_floor FOLDER");
    let mut paths: Vec<_> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    let (mut events, mut bytes, mut errors) = (0usize, 0usize, 0usize);
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            errors += 1;
            continue;
        };
        bytes += text.len();
        let mut parser = Parser::new_from_str(&text);
        while let Some(event) = parser.next_event() {
            match event {
                Ok(_) => events += 1,
                Err(_) => {
                    errors += 1;
                    break;
                }
            }
        }
    }
    println!(
        "{} files, {bytes} bytes, {events} events, {errors} unreadable",
        paths.len()
    );
}
