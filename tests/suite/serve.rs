//! `ehcpack serve` driven over HTTP as a browser drives it: the real binary, a real socket.
//! Token, Host and Origin checks; saves that keep comments; a file changed on disk is never
//! overwritten; the protected address on no page but the pupil's own address fields; no path
//! outside the folder; body limits.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{json, Value as Json};

/// A running `ehcpack serve`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Json {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    fn start(folder: &Path) -> Server {
        let mut child = common::ehcpack_command()
            .args(["serve", "--no-open", "--today", common::TODAY])
            .arg(folder)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ehcpack serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("serve prints its address").unwrap();
            if line.starts_with("http://") {
                break line;
            }
        };
        // The address is on a line of its own: http://127.0.0.1:PORT/?token=...
        let rest = address
            .strip_prefix("http://127.0.0.1:")
            .expect("127.0.0.1 only");
        let (port, token) = rest.split_once("/?token=").expect("a token in the address");
        Server {
            child,
            port: port.parse().unwrap(),
            token: token.to_string(),
        }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn cookie(&self) -> String {
        format!("ehcpack-{}={}", self.port, self.token)
    }

    /// A request with the given headers (Host is always sent; set it to override).
    fn raw(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Answer {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            request.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port));
        }
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(request.as_bytes()).unwrap();
        // The server may answer (413) before reading a body it refuses.
        let _ = stream.write_all(body);
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        let split = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a whole HTTP answer");
        let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut body = bytes[split + 4..].to_vec();
        // tiny_http sends large bodies chunked.
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = dechunk(&body);
        }
        Answer {
            status,
            headers,
            body,
        }
    }

    fn get(&self, path: &str) -> Answer {
        self.raw("GET", path, &[("Cookie", self.cookie())], b"")
    }

    fn post(&self, path: &str, body: &[u8]) -> Answer {
        self.raw(
            "POST",
            path,
            &[("Cookie", self.cookie()), ("Origin", self.origin())],
            body,
        )
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
}

/// A folder of case folders with copies of the named samples.
fn folder_with(samples: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = common::tempdir();
    let folder = dir.path().join("cases");
    std::fs::create_dir(&folder).unwrap();
    for (sample, name) in samples {
        common::copy_sample(&folder, sample, name);
    }
    (dir, folder)
}

/// What the form sends for a document: every value as the fields hold it (text; blank as null).
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

fn version_in(page: &str) -> String {
    let at = page.find("data-version=\"").expect("a form with a version") + 14;
    page[at..at + 64].to_string()
}

#[test]
fn the_token_is_needed_and_becomes_a_strict_cookie() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let server = Server::start(&folder);
    let none = server.raw("GET", "/", &[], b"");
    assert_eq!(none.status, 403);
    assert!(none.text().contains("Open the address ehcpack printed"));
    assert!(
        !none.text().contains("josh"),
        "nothing about the cases without the token"
    );
    let wrong = server.raw("GET", "/?token=0000", &[], b"");
    assert_eq!(wrong.status, 403);
    let wrong_cookie = server.raw(
        "GET",
        "/",
        &[("Cookie", format!("ehcpack-{}=abc", server.port))],
        b"",
    );
    assert_eq!(wrong_cookie.status, 403);

    let first = server.raw("GET", &format!("/?token={}", server.token), &[], b"");
    assert_eq!(first.status, 303);
    assert_eq!(
        first.header("Location"),
        Some("/"),
        "the token leaves the address bar"
    );
    let cookie = first.header("Set-Cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(cookie.starts_with(&server.cookie()));

    let home = server.get("/");
    assert_eq!(home.status, 200);
    let page = home.text();
    assert!(page.contains("href=\"/case/josh\""), "{page}");
    assert!(page.contains("15 of 15"), "the case's status: {page}");
    let csp = home.header("Content-Security-Policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    assert!(
        home.header("Access-Control-Allow-Origin").is_none(),
        "no CORS"
    );
    // No external resource, no inline script.
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    assert!(!page.contains("<script>"));
}

#[test]
fn another_host_is_refused() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let server = Server::start(&folder);
    let rebinding = server.raw(
        "GET",
        "/",
        &[
            ("Host", format!("attacker.example:{}", server.port)),
            ("Cookie", server.cookie()),
        ],
        b"",
    );
    assert_eq!(rebinding.status, 421);
    let other_port = server.raw(
        "GET",
        "/",
        &[("Host", "127.0.0.1:1".into()), ("Cookie", server.cookie())],
        b"",
    );
    assert_eq!(other_port.status, 421);
    let localhost = server.raw(
        "GET",
        "/",
        &[
            ("Host", format!("localhost:{}", server.port)),
            ("Cookie", server.cookie()),
        ],
        b"",
    );
    assert_eq!(localhost.status, 200);
}

#[test]
fn changes_need_this_servers_origin() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let server = Server::start(&folder);
    let file = folder.join("josh/needs.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let page = server.get("/case/josh/needs.yaml").text();
    let mut values = form_values(&file);
    values["strengths"] = json!("Changed by another site");
    let body = json!({"version": version_in(&page), "values": values}).to_string();
    let cases: Vec<Vec<(&str, String)>> = vec![
        vec![("Cookie", server.cookie())],
        vec![
            ("Cookie", server.cookie()),
            ("Origin", "http://attacker.example".into()),
        ],
        vec![("Cookie", server.cookie()), ("Origin", "null".into())],
        vec![
            ("Cookie", server.cookie()),
            ("Origin", server.origin()),
            ("Sec-Fetch-Site", "cross-site".into()),
        ],
    ];
    for headers in cases {
        let answer = server.raw(
            "POST",
            "/case/josh/needs.yaml/save",
            &headers,
            body.as_bytes(),
        );
        assert_eq!(answer.status, 403, "{headers:?}");
    }
    let new_case = server.raw(
        "POST",
        "/new",
        &[
            ("Cookie", server.cookie()),
            ("Origin", "http://attacker.example".into()),
        ],
        b"name=evil",
    );
    assert_eq!(new_case.status, 403);
    assert!(!folder.join("evil").exists());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    let ok = server.post("/case/josh/needs.yaml/save", body.as_bytes());
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("strengths: Changed by another site"));
}

#[test]
fn a_save_changes_only_what_changed_and_keeps_comments() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let server = Server::start(&folder);
    let file = folder.join("josh/plan-1.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let page = server.get("/case/josh/plan-1.yaml").text();
    assert!(
        page.contains("<label for=\"f/review_date\">Review date</label>"),
        "labelled fields"
    );
    assert!(
        page.contains("type=\"date\" id=\"f/review_date\""),
        "dates as date fields"
    );
    let mut values = form_values(&file);
    values["review_date"] = json!("2025-07-18");
    values["needs"]
        .as_array_mut()
        .unwrap()
        .push(json!("Spelling: common exception words"));
    values["strengths"] = json!("Josh tries hard.\nHe is kind: always.");
    let answer = server.post(
        "/case/josh/plan-1.yaml/save",
        json!({"version": version_in(&page), "values": values})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["verdict"], "Ready: no errors, no warnings.");
    let after = std::fs::read_to_string(&file).unwrap();
    let expected = before
        .replace("review_date: 2025-07-16", "review_date: 2025-07-18")
        .replace(
            "strengths: |\n  Josh tries hard and is proud of work he finishes. He learns well from pictures,\n  demonstrations and hands-on tasks, and he is a good friend to others.\n",
            "strengths: |-\n  Josh tries hard.\n  He is kind: always.\n",
        )
        .replace(
            "  - Retelling events and stories in the right order\n",
            "  - Retelling events and stories in the right order\n  - 'Spelling: common exception words'\n",
        );
    assert_eq!(
        after, expected,
        "only the changed values differ; comments, quoting, order stay"
    );
    assert!(after.starts_with("# yaml-language-server:"));
    // The folder is what the command line checks, with the same result.
    let validate = common::ehcpack(&[
        "validate",
        "--today",
        common::TODAY,
        folder.join("josh").to_str().unwrap(),
    ]);
    assert!(validate.status.success(), "{}", common::stdout(&validate));
}

#[test]
fn findings_are_placed_beside_their_fields_as_the_senco_types() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let server = Server::start(&folder);
    let file = folder.join("josh/request.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let page = server.get("/case/josh/request.yaml").text();
    let mut values = form_values(&file);
    values["countersignature"]["signed"] = json!("false");
    let answer = server.post(
        "/case/josh/request.yaml/check",
        json!({"version": version_in(&page), "values": values})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 200);
    let reply = answer.json();
    let finding = reply["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "headteacher-countersignature")
        .unwrap_or_else(|| panic!("{reply}"));
    assert!(
        finding["pointer"]
            .as_str()
            .unwrap()
            .starts_with("/countersignature"),
        "{finding}"
    );
    // The CLI's own words.
    let cli = common::stdout(&common::ehcpack(&[
        "explain",
        "headteacher-countersignature",
    ]));
    assert!(!cli.is_empty());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        before,
        "a check writes nothing"
    );
}

#[test]
fn a_file_changed_on_disk_is_never_overwritten() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let server = Server::start(&folder);
    let file = folder.join("josh/views.yaml");
    let page = server.get("/case/josh/views.yaml").text();
    let mut values = form_values(&file);
    // Someone else saves the file in a text editor meanwhile.
    let theirs = std::fs::read_to_string(&file).unwrap() + "# edited in a text editor\n";
    std::fs::write(&file, &theirs).unwrap();
    values["pupil"]["views"] = json!("Mine");
    let answer = server.post(
        "/case/josh/views.yaml/save",
        json!({"version": version_in(&page), "values": values})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 409);
    assert!(answer
        .text()
        .contains("changed on disk since this page was opened"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
}

#[test]
fn a_file_the_form_cannot_show_is_left_untouched() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let file = folder.join("josh/health.yaml");
    let text = std::fs::read_to_string(&file).unwrap() + "favourite_colour: blue\n";
    std::fs::write(&file, &text).unwrap();
    let server = Server::start(&folder);
    let page = server.get("/case/josh/health.yaml").text();
    assert!(page.contains("This file is left as it is"), "{page}");
    assert!(page.contains("`favourite_colour` is not part of the format"));
    assert!(!page.contains("id=\"doc-form\""));
    // A save sent anyway is refused.
    let broken = folder.join("josh/needs.yaml");
    std::fs::write(
        &broken,
        "format: ehcpack/1\nkind: needs\nstrengths: [unclosed\n",
    )
    .unwrap();
    let page = server.get("/case/josh/needs.yaml");
    assert!(page.text().contains("left as it is"));
    let version = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(std::fs::read(&broken).unwrap());
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let answer = server.post(
        "/case/josh/needs.yaml/save",
        json!({"version": version, "values": {"strengths": "x"}})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 409);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "format: ehcpack/1\nkind: needs\nstrengths: [unclosed\n"
    );
}

/// The protected address's parts, from the sample.
fn protected_parts(pupil: &Path) -> Vec<String> {
    let root = ehcpack::yaml::parse(&std::fs::read_to_string(pupil).unwrap())
        .unwrap()
        .unwrap();
    let address = root.get("address").unwrap();
    let mut parts = vec![
        address
            .get("postcode")
            .unwrap()
            .as_str()
            .unwrap()
            .to_string(),
        address.get("town").unwrap().as_str().unwrap().to_string(),
    ];
    if let ehcpack::yaml::Value::Seq(lines) = &address.get("lines").unwrap().value {
        parts.extend(lines.iter().map(|l| l.as_str().unwrap().to_string()));
    }
    parts
}

#[test]
fn the_protected_address_is_on_no_page_but_the_pupils_own_address_fields() {
    let (_dir, folder) = folder_with(&[("fail-protected-address-leak", "josh")]);
    let parts = protected_parts(&folder.join("josh/pupil.yaml"));
    let server = Server::start(&folder);
    let mut pages = vec![
        "/".to_string(),
        "/case/josh".to_string(),
        "/case/josh/nothing.yaml".to_string(),
    ];
    for entry in std::fs::read_dir(folder.join("josh")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".yaml") {
            pages.push(format!("/case/josh/{name}"));
        }
    }
    assert!(pages.len() > 10);
    for path in &pages {
        let answer = server.get(path);
        let mut text = answer.text();
        if path.ends_with("/pupil.yaml") {
            // Only inside the pupil's own address fields.
            for part in &parts {
                let field = format!("value=\"{part}\"");
                assert!(text.contains(&field), "{part} in its own field");
                text = text.replace(&field, "");
            }
        }
        for part in &parts {
            assert!(!text.contains(part.as_str()), "{part} on {path}");
        }
    }
    // The views page shows the leaked text withheld, and the check's answer withholds it too.
    let page = server.get("/case/josh/views.yaml").text();
    assert!(page.contains("[address withheld]"));
    let mut values = form_values(&folder.join("josh/views.yaml"));
    values["parents"]["views"] = json!({"$unchanged": true});
    let answer = server.post(
        "/case/josh/views.yaml/check",
        json!({"version": version_in(&page), "values": values})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 200);
    for part in &parts {
        assert!(
            !answer.text().contains(part.as_str()),
            "{part} in the check"
        );
    }
    assert!(answer.text().contains("protected-address-leak"));
    // A field still holding the withheld mark is not saved over the file.
    values["parents"]["views"] = json!("We live at [address withheld].");
    let before = std::fs::read_to_string(folder.join("josh/views.yaml")).unwrap();
    let answer = server.post(
        "/case/josh/views.yaml/save",
        json!({"version": version_in(&page), "values": values})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 409);
    assert_eq!(
        std::fs::read_to_string(folder.join("josh/views.yaml")).unwrap(),
        before
    );
}

#[test]
fn nothing_outside_the_folder_is_read_or_written() {
    let (dir, folder) = folder_with(&[("year5-passing", "josh")]);
    std::fs::write(dir.path().join("secret.yaml"), "kind: pupil\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        common::sample("fail-protected-address-leak"),
        folder.join("linked"),
    )
    .unwrap();
    let server = Server::start(&folder);
    for path in [
        "/case/..",
        "/case/../secret.yaml",
        "/case/%2E%2E/secret.yaml",
        "/case/josh/..%2F..%2Fsecret.yaml",
        "/case/josh/%2e%2e%2fsecret.yaml",
        "/case/linked",
        "/case/josh/reports",
        "/case/josh/README.md",
    ] {
        let answer = server.get(path);
        assert_eq!(answer.status, 404, "{path}");
    }
    assert!(
        !server.get("/").text().contains("linked"),
        "a link is not a case folder"
    );
    // An upload's name is only ever a file name inside reports/.
    let pdf =
        std::fs::read(common::sample("year5-passing").join("reports/salt-report.pdf")).unwrap();
    let answer = server.post(
        "/case/josh/upload?name=..%2F..%2F..%2Fescape.pdf&title=EP%20report",
        &pdf,
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(folder.join("josh/reports/escape.pdf").is_file());
    assert!(!dir.path().join("escape.pdf").exists());
    // A new case's name is one folder inside FOLDER.
    let answer = server.post("/new", b"name=..%2Fescaped&plans=3");
    assert_eq!(answer.status, 200);
    assert!(answer.text().contains("Choose a folder name"));
    assert!(!dir.path().join("escaped").exists());
    for refused in [
        "..", "a..b", "Josh.", ".josh", "-josh", "a%2Fb", "a%5Cb", "reports", "CON", "nul.txt",
        "Com1",
    ] {
        let answer = server.post("/new", format!("name={refused}&plans=3").as_bytes());
        assert!(answer.text().contains("Choose a folder name"), "{refused}");
    }
}

/// A pupil's name with an apostrophe and an accent, as `ehcpack new` takes it, starts a case in
/// the web form too, and its page opens.
#[test]
fn a_new_case_named_with_an_apostrophe_and_an_accent() {
    let (_dir, folder) = folder_with(&[]);
    let server = Server::start(&folder);
    for (typed, encoded) in [
        ("Siobh%C3%A1n+O%27Brien", "Siobh%C3%A1n%20O%27Brien"),
        ("Mr+J.+O%E2%80%99Neill", "Mr%20J.%20O%E2%80%99Neill"),
    ] {
        let answer = server.post("/new", format!("name={typed}&plans=2").as_bytes());
        assert_eq!(answer.status, 303, "{typed}: {}", answer.text());
        let location = format!("/case/{encoded}");
        assert_eq!(answer.header("Location"), Some(location.as_str()));
        let page = server.get(&location);
        assert_eq!(page.status, 200, "{typed}");
        assert!(page.text().contains("Not ready yet"), "{typed}");
    }
    assert!(folder.join("Siobhán O'Brien").join("pupil.yaml").is_file());
    assert!(folder
        .join("Mr J. O\u{2019}Neill")
        .join("pupil.yaml")
        .is_file());
}

#[test]
fn bodies_are_capped() {
    let (_dir, folder) = folder_with(&[("year5-passing", "josh")]);
    let server = Server::start(&folder);
    let big = vec![b'x'; 3 * 1024 * 1024];
    let answer = server.post("/case/josh/needs.yaml/check", &big);
    assert_eq!(answer.status, 413);
    let not_pdf = server.post("/case/josh/upload?name=notes.pdf", b"hello");
    assert_eq!(not_pdf.status, 400);
    assert!(!folder.join("josh/reports/notes.pdf").exists());
}

#[test]
fn a_new_case_then_a_report_then_a_draft_pack() {
    let (_dir, folder) = folder_with(&[]);
    let server = Server::start(&folder);
    assert!(server.get("/").text().contains("no case folders here yet"));
    let answer = server.post("/new", b"name=Amara+Okafor+2026&year_group=5&plans=3");
    assert_eq!(answer.status, 303);
    assert_eq!(
        answer.header("Location"),
        Some("/case/Amara%20Okafor%202026")
    );
    let case = folder.join("Amara Okafor 2026");
    assert!(case.join("pupil.yaml").is_file() && case.join("plan-3.yaml").is_file());
    let page = server.get("/case/Amara%20Okafor%202026").text();
    assert!(page.contains("Not ready yet"), "{page}");
    // Every document of a new case has its form.
    for entry in std::fs::read_dir(&case).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".yaml") {
            let page = server
                .get(&format!("/case/Amara%20Okafor%202026/{name}"))
                .text();
            assert!(page.contains("id=\"doc-form\""), "{name}: {page}");
        }
    }
    let evidence_before = std::fs::read_to_string(case.join("evidence.yaml")).unwrap();
    let pdf =
        std::fs::read(common::sample("year5-passing").join("reports/salt-report.pdf")).unwrap();
    let answer = server.post(
        "/case/Amara%20Okafor%202026/upload?name=SALT%20report.pdf&title=Speech%20and%20language%20report&author=Siobh%C3%A1n%20Murphy&date=2025-11-03&type=report",
        &pdf,
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        std::fs::read(case.join("reports/SALT report.pdf")).unwrap(),
        pdf
    );
    let evidence = std::fs::read_to_string(case.join("evidence.yaml")).unwrap();
    assert!(
        evidence.starts_with(&evidence_before[..evidence_before.find("files:").unwrap()]),
        "comments kept:\n{evidence}"
    );
    assert!(evidence.contains("  - path: reports/SALT report.pdf\n    title: Speech and language report\n    author: Siobhán Murphy\n    date: 2025-11-03\n    type: report"), "{evidence}");
    // The same file again is refused, not overwritten.
    let again = server.post(
        "/case/Amara%20Okafor%202026/upload?name=SALT%20report.pdf",
        &pdf,
    );
    assert_eq!(again.status, 409);
    // A draft pack, beside the case folder, inside FOLDER.
    let answer = server.post("/case/Amara%20Okafor%202026/render", b"draft=1");
    assert_eq!(answer.status, 200);
    assert!(
        answer.text().contains("Draft pack made"),
        "{}",
        answer.text()
    );
    let pack = server.get("/case/Amara%20Okafor%202026/pack.pdf");
    assert_eq!(pack.status, 200);
    assert_eq!(pack.header("Content-Type"), Some("application/pdf"));
    assert!(pack.body.starts_with(b"%PDF-"));
    assert!(folder.join("Amara Okafor 2026.pdf").is_file());
}
