//! `ehcpack serve` in a real browser: headless Chromium (from apt) driven by puppeteer-core
//! (from npm, into .tools/ by `.ci/run`; no browser download) through a SENCO's whole case:
//! start a new case, add the reports, fill every document from empty, render and open the pack.
//! axe-core checks every page; the screenshots of each page stay in target/serve-screenshots/
//! as CI artifacts. The folder left behind then validates from the command line, as the page
//! said.

// Tests read their fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value as Json};

use crate::common;
use crate::require;

/// What the form's fields hold for a document: text as typed, blank as null.
fn form_values(path: &Path) -> Json {
    fn as_form(v: &Json) -> Json {
        match v {
            Json::Object(o) => {
                Json::Object(o.iter().map(|(k, v)| (k.clone(), as_form(v))).collect())
            }
            Json::Array(a) => Json::Array(a.iter().map(as_form).collect()),
            Json::Null => Json::Null,
            Json::String(s) => Json::String(s.clone()),
            other => Json::String(other.to_string()),
        }
    }
    let text = std::fs::read_to_string(path).unwrap();
    let mut values = as_form(&ehcpack::yaml::parse(&text).unwrap().unwrap().to_json());
    let o = values.as_object_mut().unwrap();
    o.remove("format");
    o.remove("kind");
    values
}

#[test]
fn a_whole_case_in_headless_chromium() {
    let chromium = require("/usr/bin/chromium", "apt install chromium");
    let node = require("node", "apt install nodejs npm");
    let tools = common::root().join(".tools");
    assert!(
        tools.join("node_modules/puppeteer-core").is_dir()
            && tools.join("node_modules/axe-core").is_dir(),
        "the browser journey needs puppeteer-core and axe-core: npm install --prefix .tools \
         puppeteer-core axe-core (`.ci/run` installs them)"
    );
    let shots = common::root().join("target/serve-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let dir = common::tempdir();
    let folder = dir.path().join("cases");
    std::fs::create_dir(&folder).unwrap();

    let mut server = common::ehcpack_command()
        .args(["serve", "--no-open", "--today", common::TODAY])
        .arg(&folder)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("serve prints its address").unwrap();
        if line.starts_with("http://127.0.0.1:") {
            break line;
        }
    };

    // The sample that passes, typed in from empty.
    let sample = common::sample("year5-passing");
    let evidence =
        ehcpack::yaml::parse(&std::fs::read_to_string(sample.join("evidence.yaml")).unwrap())
            .unwrap()
            .unwrap()
            .to_json();
    let reports: Vec<Json> = evidence["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            json!({
                "path": sample.join(f["path"].as_str().unwrap()),
                "title": f["title"], "author": f["author"], "date": f["date"], "type": f["type"],
            })
        })
        .collect();
    let mut documents = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(&sample)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    for name in &names {
        documents.push(json!({"file": name, "values": form_values(&sample.join(name))}));
    }
    let journey = json!({
        "url": url,
        "case": "josh",
        "year_group": 5,
        "chromium": chromium,
        "tools": tools,
        "screenshots": shots,
        "reports": reports,
        "documents": documents,
    });
    let journey_file = dir.path().join("journey.json");
    std::fs::write(&journey_file, journey.to_string()).unwrap();
    let out = Command::new(node)
        .arg(common::root().join("tests/external/serve/journey.cjs"))
        .arg(&journey_file)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result: Json = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "the journey printed no result: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.status.success() && result.get("failed").is_none(),
        "the journey stopped: {result:#}"
    );
    assert_eq!(
        result["violations"],
        json!([]),
        "axe-core found accessibility problems: {result:#}"
    );
    assert_eq!(
        result["consoleErrors"],
        json!([]),
        "errors in the browser (a CSP refusal, a script error)"
    );
    assert_eq!(
        result["verdict"], "Ready: no errors, no warnings.",
        "{result:#}"
    );
    assert_eq!(
        result["sideways"], false,
        "at 200% zoom the page needs no sideways scrolling"
    );
    assert!(
        result["rendered"].as_str().unwrap().contains("Pack made"),
        "{result:#}"
    );
    assert_eq!(result["pack"]["status"], 200);
    assert_eq!(result["pack"]["start"], "%PDF-");
    assert_eq!(
        result["steps"][0]["focused"], "skip-link",
        "the first Tab reaches the skip link"
    );
    // Every document was saved, and each page has its screenshot.
    assert_eq!(result["pages"].as_array().unwrap().len(), names.len() + 6);
    for page in result["pages"].as_array().unwrap() {
        assert!(Path::new(page["file"].as_str().unwrap()).is_file());
    }

    // The folder the browser left is what the command line checks: the same result as the
    // sample it was typed from.
    let case = folder.join("josh");
    let validate = common::ehcpack(&[
        "validate",
        "--today",
        common::TODAY,
        "--format",
        "json",
        case.to_str().unwrap(),
    ]);
    assert_eq!(
        validate.status.code(),
        Some(0),
        "{}",
        common::stdout(&validate)
    );
    let from_browser: Json = serde_json::from_slice(&validate.stdout).unwrap();
    let original = common::ehcpack(&[
        "validate",
        "--today",
        common::TODAY,
        "--format",
        "json",
        sample.to_str().unwrap(),
    ]);
    let original: Json = serde_json::from_slice(&original.stdout).unwrap();
    assert_eq!(
        from_browser["cases"][0]["verdict"],
        original["cases"][0]["verdict"]
    );
    assert_eq!(
        from_browser["cases"][0]["diagnostics"],
        original["cases"][0]["diagnostics"]
    );
    assert!(
        folder.join("josh.pdf").is_file(),
        "the pack beside the case folder, inside FOLDER"
    );
}
