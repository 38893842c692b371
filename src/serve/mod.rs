//! `ehcpack serve`: the case folders as a local web form, checked as the SENCO types.
//!
//! Server-rendered pages over the same library the command line uses (validate, status, new,
//! render); the YAML files stay the record and are saved in place by [`edit`], losslessly.
//!
//! Safe by construction (see SECURITY.md, "ehcpack serve"):
//! - it listens on 127.0.0.1 only, and a request whose `Host` is not `127.0.0.1:PORT` or
//!   `localhost:PORT` is refused (DNS rebinding);
//! - every request needs the session token: in the printed address once, then in a cookie
//!   (HttpOnly, SameSite=Strict) named for the port;
//! - every change (POST) needs an `Origin` of this server (cross-site requests refused);
//! - a strict Content-Security-Policy, no inline script, no external resource, no CORS;
//! - every page passes the case's redactor as a whole ([`page::Gate`]);
//! - names in addresses are looked up among the folder's own entries, never joined as given,
//!   so nothing outside FOLDER is read or written; request bodies are capped.

pub mod edit;
pub mod form;
pub mod page;

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::{json, Value as Json};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::diagnostic::Diagnostic;
use crate::load::case::Kind;
use crate::load::yaml::Node;
use crate::privacy::{RedactedReport, Redactor};
use crate::profile::Profile;
use crate::render::fonts::Fonts;
use crate::rules::Context;
use crate::status::{self, Mark};

use page::{esc, layout, Gate};

/// The largest form a page may send (a whole document's answers as JSON).
pub const MAX_FORM_BYTES: u64 = 2 * 1024 * 1024;

const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What `ehcpack serve` was asked for.
pub struct Options {
    pub folder: PathBuf,
    /// 0: any free port.
    pub port: u16,
    pub open: bool,
    pub profile: Profile,
    pub fonts: Fonts,
    /// A fixed date for today (tests); else the clock.
    pub today: Option<NaiveDate>,
}

/// Random bytes as hex, from the system's generator.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the system's random number generator");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts the server, prints its address and serves until the process is stopped (Ctrl-C).
/// Saves are atomic, so stopping at any moment leaves every file whole.
pub fn run(options: Options, out: &mut dyn std::io::Write) -> Result<(), String> {
    let folder = fs::canonicalize(&options.folder)
        .map_err(|e| format!("cannot open the folder {}: {e}", options.folder.display()))?;
    if !folder.is_dir() {
        return Err(format!("{} is not a folder", options.folder.display()));
    }
    let server = Server::http(("127.0.0.1", options.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("the server has no port")?;
    let app = App {
        folder,
        token: random_hex(24),
        port,
        profile: options.profile,
        fonts: options.fonts,
        today: options.today,
    };
    let address = format!("http://127.0.0.1:{port}/?token={}", app.token);
    writeln!(
        out,
        "ehcpack is serving {} on this computer only. Open this address in your browser:\n\n{address}\n\nPress Ctrl-C here to stop.",
        crate::privacy::path_text(&options.folder)
    )
    .and_then(|_| out.flush())
    .map_err(|e| e.to_string())?;
    if options.open {
        open_browser(&address);
    }
    // One request at a time: a save and a check never race, and a person types slowly.
    for mut request in server.incoming_requests() {
        let reply = app.handle(&mut request);
        let _ = request.respond(reply.into_response());
    }
    Ok(())
}

fn open_browser(address: &str) {
    use std::process::{Command, Stdio};
    #[cfg(target_os = "windows")]
    let mut command = {
        let mut c = Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", address]);
        c
    };
    #[cfg(target_os = "macos")]
    let mut command = {
        let mut c = Command::new("open");
        c.arg(address);
        c
    };
    #[cfg(not(any(target_os = "windows", target_os = "macos")))]
    let mut command = {
        let mut c = Command::new("xdg-open");
        c.arg(address);
        c
    };
    // No browser to open is no error: the address is printed.
    let _ = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// A reply, before it is sent.
pub struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    fn json(status: u16, value: &Json) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
            headers: Vec::new(),
        }
    }

    fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.as_bytes().to_vec(),
            headers: Vec::new(),
        }
    }

    fn redirect(to: &str) -> Reply {
        let mut r = Reply::text(303, "See other");
        r.headers.push(("Location".into(), to.into()));
        r
    }

    fn into_response(self) -> Response<std::io::Cursor<Vec<u8>>> {
        let mut response = Response::from_data(self.body).with_status_code(self.status);
        let mut headers = vec![
            ("Content-Type".to_string(), self.content_type.to_string()),
            ("Content-Security-Policy".into(), CSP.into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            // `same-origin`, not `no-referrer`: with no referrer a browser sends `Origin: null` on a form
            // post, and the Origin check could not tell our own pages.
            ("Referrer-Policy".into(), "same-origin".into()),
            ("X-Frame-Options".into(), "DENY".into()),
            ("Cross-Origin-Opener-Policy".into(), "same-origin".into()),
            ("Cross-Origin-Resource-Policy".into(), "same-origin".into()),
            ("Cache-Control".into(), "no-store".into()),
        ];
        headers.extend(self.headers);
        for (k, v) in headers {
            if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                response.add_header(h);
            }
        }
        response
    }
}

/// The running app: the folder, the session token, and what checks and renders need.
pub struct App {
    folder: PathBuf,
    token: String,
    port: u16,
    profile: Profile,
    fonts: Fonts,
    today: Option<NaiveDate>,
}

fn header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// `%xx` decoded (and `+` as a space in a query); `None` when the result is not UTF-8.
fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A path segment for an address.
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k, true)?, percent_decode(v, true)?))
        })
        .collect()
}

/// Constant-time comparison of two tokens.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// One case's check: the case as read, its redacted report, and the redactor.
struct Checked {
    case: crate::load::case::Case,
    report: RedactedReport,
    redactor: Redactor,
}

impl App {
    fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    fn check(&self, case_dir: &Path, overrides: &[(PathBuf, String)]) -> Checked {
        let ctx = Context::new(&self.profile, self.today()).with_fonts(self.fonts.clone());
        let (case, report) = crate::check::validate_with(case_dir, &ctx, overrides);
        let redactor = Redactor::for_case(&case);
        Checked {
            case,
            report,
            redactor,
        }
    }

    fn cookie_name(&self) -> String {
        format!("ehcpack-{}", self.port)
    }

    fn host_ok(&self, request: &Request) -> bool {
        let Some(host) = header(request, "Host") else {
            return false;
        };
        host == format!("127.0.0.1:{}", self.port) || host == format!("localhost:{}", self.port)
    }

    fn origin_ok(&self, request: &Request) -> bool {
        let Some(origin) = header(request, "Origin") else {
            return false;
        };
        let same_site = header(request, "Sec-Fetch-Site").is_none_or(|s| s == "same-origin");
        same_site
            && (origin == format!("http://127.0.0.1:{}", self.port)
                || origin == format!("http://localhost:{}", self.port))
    }

    fn cookie_ok(&self, request: &Request) -> bool {
        let name = self.cookie_name();
        request
            .headers()
            .iter()
            .filter(|h| h.field.equiv("Cookie"))
            .flat_map(|h| h.value.as_str().split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .any(|(k, v)| k == name && same_token(v, &self.token))
    }

    /// Answers one request; every refusal is a plain page that says what to do.
    pub fn handle(&self, request: &mut Request) -> Reply {
        if !self.host_ok(request) {
            return Reply::text(
                421,
                "This address is not ehcpack's. Open the address ehcpack printed (it starts http://127.0.0.1).",
            );
        }
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let path = path.to_string();
        let query = query_pairs(query);
        if path == "/favicon.ico" {
            return Reply::text(204, "");
        }
        if let Some(asset) = path.strip_prefix("/assets/") {
            return match asset {
                "app.js" => Reply {
                    status: 200,
                    content_type: "text/javascript; charset=utf-8",
                    body: APP_JS.as_bytes().to_vec(),
                    headers: Vec::new(),
                },
                "app.css" => Reply {
                    status: 200,
                    content_type: "text/css; charset=utf-8",
                    body: APP_CSS.as_bytes().to_vec(),
                    headers: Vec::new(),
                },
                _ => Reply::text(404, "Not found"),
            };
        }
        let token_given = query.iter().find(|(k, _)| k == "token").map(|(_, v)| v);
        if let Some(given) = token_given {
            if same_token(given, &self.token) && *request.method() == Method::Get {
                // The token becomes a cookie and leaves the address bar (and the history).
                let mut reply = Reply::redirect(if path.is_empty() { "/" } else { &path });
                reply.headers.push((
                    "Set-Cookie".into(),
                    format!(
                        "{}={}; Path=/; HttpOnly; SameSite=Strict",
                        self.cookie_name(),
                        self.token
                    ),
                ));
                return reply;
            }
        }
        if !self.cookie_ok(request) {
            return Reply::html(
                403,
                layout(
                    "Open ehcpack's own address",
                    &[],
                    "<h1>Open the address ehcpack printed</h1><p>This page needs the address \
                     that ehcpack printed when it started: it begins <code>http://127.0.0.1:</code> \
                     and ends with <code>?token=</code> and a long code. Copy it from the window \
                     where ehcpack is running.</p>",
                ),
            );
        }
        let post = *request.method() == Method::Post;
        if post && !self.origin_ok(request) {
            return Reply::text(403, "Changes are only accepted from ehcpack's own pages.");
        }
        if !post && *request.method() != Method::Get {
            return Reply::text(405, "Not allowed");
        }
        let segments: Vec<String> = match path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode(s, false))
            .collect::<Option<Vec<_>>>()
        {
            Some(s) => s,
            None => return Reply::text(400, "Bad address"),
        };
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (post, segments.as_slice()) {
            (false, []) => self.home(None),
            (true, ["new"]) => match self.read_body(request, 64 * 1024) {
                Ok(body) => self.new_case(&body),
                Err(r) => r,
            },
            (_, ["case", name, rest @ ..]) => {
                let Some(case_dir) = self.case_dir(name) else {
                    return self.not_found();
                };
                self.case_request(request, post, name, &case_dir, rest, &query)
            }
            _ => self.not_found(),
        }
    }

    fn not_found(&self) -> Reply {
        Reply::html(
            404,
            layout(
                "Not found",
                &[("/".into(), "Case folders".into())],
                "<h1>Page not found</h1><p><a href=\"/\">Go to the case folders</a>.</p>",
            ),
        )
    }

    fn read_body(&self, request: &mut Request, cap: u64) -> Result<Vec<u8>, Reply> {
        if request.body_length().is_some_and(|n| n as u64 > cap) {
            return Err(Reply::json(
                413,
                &json!({"error": format!("too large: the most ehcpack takes here is {}", crate::read::size_text(cap))}),
            ));
        }
        let mut body = Vec::new();
        request
            .as_reader()
            .take(cap + 1)
            .read_to_end(&mut body)
            .map_err(|e| Reply::text(400, &format!("the request could not be read: {e}")))?;
        if body.len() as u64 > cap {
            return Err(Reply::json(
                413,
                &json!({"error": format!("too large: the most ehcpack takes here is {}", crate::read::size_text(cap))}),
            ));
        }
        Ok(body)
    }

    /// The case folders in FOLDER: real folders (never links), not hidden, holding YAML.
    fn cases(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(&self.folder) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.') && n != "schemas" && n != "reports")
            .filter(|n| {
                fs::read_dir(self.folder.join(n)).is_ok_and(|mut d| {
                    d.any(|e| {
                        e.is_ok_and(|e| {
                            let n = e.file_name().to_string_lossy().to_lowercase();
                            n.ends_with(".yaml") || n.ends_with(".yml")
                        })
                    })
                })
            })
            .collect();
        names.sort();
        names
    }

    /// The folder of a case named in an address: only one of the listed names.
    fn case_dir(&self, name: &str) -> Option<PathBuf> {
        self.cases()
            .into_iter()
            .find(|n| n == name)
            .map(|n| self.folder.join(n))
    }

    fn home(&self, message: Option<&str>) -> Reply {
        let mut body = String::new();
        let mut gate_text = String::new();
        body.push_str("<h1>Case folders</h1>");
        if let Some(m) = message {
            let _ = write!(
                body,
                "<div class=\"notice\" role=\"alert\"><p>{}</p></div>",
                esc(m)
            );
        }
        let _ = write!(
            body,
            "<p>Each case folder holds one pupil's request. They are in <code>{}</code>.</p>",
            esc(&crate::privacy::path_text(&self.folder))
        );
        let names = self.cases();
        if names.is_empty() {
            body.push_str("<p>There are no case folders here yet. Start one below.</p>");
        } else {
            body.push_str("<table class=\"cases\"><caption class=\"visually-hidden\">Case folders and how far each is</caption><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Done</th><th scope=\"col\">Errors</th><th scope=\"col\">Guidance date</th></tr></thead><tbody>");
            for name in &names {
                let checked = self.check(&self.folder.join(name), &[]);
                let list = status::checklist(&checked.report);
                let done = list.iter().filter(|(_, m, _)| *m == Mark::Done).count();
                let days = match checked.report.dates.guidance_date {
                    Some(g) if g >= self.today() => {
                        format!("{} days left", (g - self.today()).num_days())
                    }
                    Some(_) => "passed".to_string(),
                    None => "not known yet".to_string(),
                };
                let shown_name = checked.redactor.redact(name).into_string();
                let row = format!(
                    "<tr><th scope=\"row\"><a href=\"/case/{}\">{}</a></th><td>{done} of {}</td><td>{}</td><td>{}</td></tr>",
                    esc(&percent_encode(name)),
                    esc(&shown_name),
                    list.len(),
                    checked.report.errors,
                    esc(&days)
                );
                // Each row passes its own case's redactor.
                body.push_str(checked.redactor.redact(&row).as_str());
            }
            body.push_str("</tbody></table>");
        }
        gate_text.push_str(&body);
        let mut years = String::from(
            "<option value=\"\">Not known yet</option><option value=\"0\">Reception</option>",
        );
        for y in 1..=14 {
            let _ = write!(years, "<option value=\"{y}\">Year {y}</option>");
        }
        let _ = write!(
            gate_text,
            "<h2 id=\"new-case\">Start a new case</h2>\
             <form method=\"post\" action=\"/new\" class=\"new-case\">\
             <div class=\"field\"><label for=\"new-name\">Folder name for the case</label>\
             <div class=\"hint\" id=\"new-name-hint\"><p>For example the pupil's initials and the year, such as <code>ab-2025</code>. Letters, numbers, spaces, hyphens and underscores.</p></div>\
             <input id=\"new-name\" name=\"name\" type=\"text\" required aria-describedby=\"new-name-hint\" autocomplete=\"off\"></div>\
             <div class=\"field\"><label for=\"new-year\">The pupil's year group</label>\
             <select id=\"new-year\" name=\"year_group\">{years}</select></div>\
             <div class=\"field\"><label for=\"new-plans\">How many support plans to start with</label>\
             <div class=\"hint\" id=\"new-plans-hint\"><p>Durham expects two plans reviewed fully, plus the current plan: 3.</p></div>\
             <input id=\"new-plans\" name=\"plans\" type=\"text\" inputmode=\"numeric\" value=\"3\" aria-describedby=\"new-plans-hint\"></div>\
             <div class=\"field checkbox\"><input id=\"new-lac\" name=\"looked_after\" type=\"checkbox\" value=\"1\">\
             <label for=\"new-lac\">The pupil is a looked-after child (adds the looked-after details and protects the address)</label></div>\
             <button class=\"button\" type=\"submit\">Start the case</button></form>"
        );
        Reply::html(200, layout("Case folders", &[], &gate_text))
    }

    fn new_case(&self, body: &[u8]) -> Reply {
        let fields = query_pairs(&String::from_utf8_lossy(body));
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
        };
        let name = get("name").unwrap_or_default();
        let valid = !name.is_empty()
            && name.chars().count() <= 80
            && !name.starts_with(['.', ' ', '-'])
            && name != "schemas"
            && name != "reports"
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'));
        if !valid {
            return self.home(Some(
                "Choose a folder name of letters, numbers, spaces, hyphens and underscores (at most 80), not starting with a dot or a hyphen.",
            ));
        }
        let year_group = get("year_group")
            .and_then(|y| y.parse::<u8>().ok())
            .filter(|y| *y <= 14);
        let plans = get("plans")
            .and_then(|p| p.parse::<usize>().ok())
            .filter(|p| (1..=12).contains(p))
            .unwrap_or(3);
        let options = crate::new_case::NewCase {
            year_group,
            looked_after: get("looked_after").is_some(),
            plans,
        };
        let folder = self.folder.join(&name);
        if fs::symlink_metadata(&folder).is_ok() {
            return self.home(Some(
                "A folder of that name is already here; choose another name so nothing is overwritten.",
            ));
        }
        match crate::new_case::write(&folder, &options) {
            Ok(_) => Reply::redirect(&format!("/case/{}", percent_encode(&name))),
            Err(e) => self.home(Some(&format!("The case could not be started: {e}"))),
        }
    }

    fn case_request(
        &self,
        request: &mut Request,
        post: bool,
        name: &str,
        case_dir: &Path,
        rest: &[&str],
        query: &[(String, String)],
    ) -> Reply {
        match (post, rest) {
            (false, []) => self.case_page(name, case_dir, None),
            (true, ["render"]) => {
                let body = match self.read_body(request, 4096) {
                    Ok(b) => b,
                    Err(r) => return r,
                };
                let draft = query_pairs(&String::from_utf8_lossy(&body))
                    .iter()
                    .any(|(k, v)| k == "draft" && v == "1");
                let message = self.render(name, case_dir, draft);
                self.case_page(name, case_dir, Some(&message))
            }
            (false, ["pack.pdf"]) => self.pack(name, case_dir, query),
            (true, ["upload"]) => {
                let body = match self.read_body(request, crate::load::case::MAX_EVIDENCE_BYTES) {
                    Ok(b) => b,
                    Err(r) => return r,
                };
                self.upload(case_dir, query, &body)
            }
            (false, [file]) => match self.document_path(case_dir, file) {
                Some(_) => self.document_page(name, case_dir, file),
                None => self.not_found(),
            },
            (true, [file, action @ ("check" | "save")]) => {
                if self.document_path(case_dir, file).is_none() {
                    return self.not_found();
                }
                let body = match self.read_body(request, MAX_FORM_BYTES) {
                    Ok(b) => b,
                    Err(r) => return r,
                };
                self.check_or_save(case_dir, file, &body, *action == "save")
            }
            _ => self.not_found(),
        }
    }

    /// A document of the case named in an address: only one of the folder's own YAML files.
    fn document_path(&self, case_dir: &Path, file: &str) -> Option<PathBuf> {
        let entries = fs::read_dir(case_dir).ok()?;
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .find(|n| {
                n == file && !n.starts_with('.') && (n.ends_with(".yaml") || n.ends_with(".yml"))
            })
            .map(|n| case_dir.join(n))
    }

    fn case_page(&self, name: &str, case_dir: &Path, message: Option<&str>) -> Reply {
        let checked = self.check(case_dir, &[]);
        let case = &checked.case;
        let report = &checked.report;
        let href = format!("/case/{}", percent_encode(name));
        let mut body = String::new();
        let who = case
            .pupil
            .as_ref()
            .map(|p| p.value.legal_name.full())
            .unwrap_or_else(|| "pupil details not filled in yet".into());
        let _ = write!(
            body,
            "<h1>{} <span class=\"caption\">{}</span></h1>",
            esc(checked.redactor.redact(name).as_str()),
            esc(checked.redactor.redact(&who).as_str())
        );
        if let Some(m) = message {
            let _ = write!(
                body,
                "<div class=\"notice\" role=\"status\"><p>{}</p></div>",
                esc(&checked.redactor.redact(m))
            );
        }
        let verdict = verdict_text(report);
        let _ = write!(
            body,
            "<p class=\"verdict\" id=\"verdict\">{}</p>",
            esc(&verdict)
        );
        if let Some(g) = report.dates.guidance_date {
            let today = self.today();
            let text = if g >= today {
                format!(
                    "{} days left to the guidance date, {}.",
                    (g - today).num_days(),
                    crate::calendar::long_date(g)
                )
            } else {
                format!("The guidance date, {}, has passed: a request can still be sent; a manager will look at it.", crate::calendar::long_date(g))
            };
            let _ = write!(body, "<p>{}</p>", esc(&text));
        }
        body.push_str("<h2>Documents</h2><ul class=\"documents\">");
        // In the order a SENCO works through a case (as `validate` lists findings).
        let mut documents: Vec<&crate::load::case::Document> = case.documents.iter().collect();
        documents.sort_by_key(|d| {
            (
                d.kind.map_or(usize::MAX, |k| {
                    Kind::ALL.iter().position(|x| *x == k).unwrap_or(0)
                }),
                d.path.clone(),
            )
        });
        for doc in documents {
            let file = doc.path.to_string_lossy().to_string();
            let findings: Vec<&Diagnostic> = report
                .diagnostics
                .iter()
                .filter(|d| d.file.as_deref() == Some(doc.path.as_path()))
                .collect();
            let errors = findings.iter().filter(|d| d.is_error()).count();
            let title = doc
                .kind
                .map_or_else(|| file.clone(), |k| document_title(k, &file));
            let _ = write!(
                body,
                "<li><a href=\"{href}/{}\">{}</a> <span class=\"count\">{}</span></li>",
                esc(&percent_encode(&file)),
                esc(&title),
                esc(&match (errors, findings.len() - errors) {
                    (0, 0) => "nothing to fix".to_string(),
                    (e, w) => format!(
                        "{}, {}",
                        plural(e, "error", "errors"),
                        plural(w, "warning", "warnings")
                    ),
                })
            );
        }
        body.push_str("</ul>");
        checklist_html(&mut body, report, case, &href, None);
        // Reports.
        let _ = write!(
            body,
            "<h2 id=\"reports\">Add a report</h2><p>A professional's report or other evidence, as a PDF file. It is copied into the case's <code>reports</code> folder and listed in the evidence document; every evidence check runs on it.</p>\
             <form class=\"upload\" data-action=\"{href}/upload\">\
             <div class=\"field\"><label for=\"up-file\">The PDF file</label><input id=\"up-file\" name=\"file\" type=\"file\" accept=\"application/pdf,.pdf\" required></div>\
             <div class=\"field\"><label for=\"up-title\">Title</label><div class=\"hint\" id=\"up-title-hint\"><p>For example: Educational psychology report.</p></div><input id=\"up-title\" name=\"title\" type=\"text\" aria-describedby=\"up-title-hint\"></div>\
             <div class=\"field\"><label for=\"up-author\">Written by</label><input id=\"up-author\" name=\"author\" type=\"text\"></div>\
             <div class=\"field\"><label for=\"up-date\">Date of the report</label><input id=\"up-date\" name=\"date\" type=\"date\"></div>\
             <div class=\"field\"><label for=\"up-type\">What it is</label><select id=\"up-type\" name=\"type\"><option value=\"report\">A report</option><option value=\"my-story\">The child's own story</option><option value=\"plan\">A plan</option><option value=\"other\">Something else</option></select></div>\
             <p class=\"error-message\" id=\"up-error\" role=\"alert\"></p>\
             <button class=\"button\" type=\"submit\">Add the report</button></form>"
        );
        // The pack.
        let pack = self.pack_path(name, &checked.redactor);
        let _ = write!(body, "<h2 id=\"pack\">The request pack</h2>");
        if report.errors > 0 {
            body.push_str("<p>The pack can be made once there are no errors. A draft, marked \"DRAFT - not ready to send\" on every page, can be made at any time.</p>");
        } else {
            body.push_str("<p>Make the pack to send to the local authority: one PDF with the reports attached.</p>");
        }
        let _ = write!(
            body,
            "<form method=\"post\" action=\"{href}/render\" class=\"inline\">{}<button class=\"button\" type=\"submit\">{}</button></form>",
            if report.errors > 0 { "<input type=\"hidden\" name=\"draft\" value=\"1\">" } else { "" },
            if report.errors > 0 { "Make a draft pack" } else { "Make the pack" }
        );
        if pack.is_file() {
            let _ = write!(
                body,
                "<p>The last pack made is <code>{}</code> beside the case folder: <a href=\"{href}/pack.pdf\" target=\"_blank\" rel=\"noopener\">open the pack</a> or <a href=\"{href}/pack.pdf?download=1\">download it</a>.</p>",
                esc(&pack.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default())
            );
        }
        let page = layout(name, &[("/".into(), "Case folders".into())], &body);
        Reply::html(200, Gate::new().finish(&checked.redactor, &page))
    }

    /// Where the pack goes: beside the case folder, inside FOLDER, named as `render` names it.
    fn pack_path(&self, name: &str, redactor: &Redactor) -> PathBuf {
        let file = redactor
            .redact(name)
            .as_str()
            .replace(crate::privacy::WITHHELD, "address withheld");
        self.folder.join(format!("{file}.pdf"))
    }

    fn render(&self, name: &str, case_dir: &Path, draft: bool) -> String {
        let checked = self.check(case_dir, &[]);
        if checked.report.errors > 0 && !draft {
            return format!(
                "Not made: the case has {}.",
                plural(checked.report.errors, "error", "errors")
            );
        }
        let options = crate::render::Options {
            draft,
            today: self.today(),
            templates: None,
            fonts: &self.fonts,
            profile: &self.profile.name,
            evidence: crate::render::Evidence::Embedded,
        };
        let target = self.pack_path(name, &checked.redactor);
        let result =
            crate::render::render_case(&checked.case, &checked.report, &options).and_then(|r| {
                crate::render::write_atomically(&target, &r.bytes)
                    .map(|_| r)
                    .map_err(String::from)
            });
        match result {
            Ok(r) => format!(
                "{} made: {}, {}{}.",
                if draft { "Draft pack" } else { "Pack" },
                target
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                plural(r.pages, "page", "pages"),
                if r.attachments > 0 {
                    format!(
                        " and {} attached",
                        plural(r.attachments, "report", "reports")
                    )
                } else {
                    String::new()
                }
            ),
            Err(e) => format!("The pack could not be made: {e}"),
        }
    }

    fn pack(&self, name: &str, case_dir: &Path, query: &[(String, String)]) -> Reply {
        let checked = self.check(case_dir, &[]);
        let path = self.pack_path(name, &checked.redactor);
        match crate::read::read_capped(&path, 512 * 1024 * 1024) {
            Ok(bytes) => {
                let file = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let disposition = if query.iter().any(|(k, _)| k == "download") {
                    "attachment"
                } else {
                    "inline"
                };
                Reply {
                    status: 200,
                    content_type: "application/pdf",
                    body: bytes,
                    headers: vec![(
                        "Content-Disposition".into(),
                        format!(
                            "{disposition}; filename=\"{}\"",
                            file.replace(['"', '\\'], "_")
                                .chars()
                                .filter(|c| c.is_ascii() && !c.is_ascii_control())
                                .collect::<String>()
                        ),
                    )],
                }
            }
            Err(_) => self.not_found(),
        }
    }

    /// A report added by upload: into `reports/`, never over a file there, then listed in the
    /// evidence document (saved losslessly, like any form).
    fn upload(&self, case_dir: &Path, query: &[(String, String)], body: &[u8]) -> Reply {
        let get = |k: &str| {
            query
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(name) = get("name") else {
            return Reply::json(400, &json!({"error": "choose a PDF file to add"}));
        };
        // The file's own name, without any folder part, of plain characters.
        let base = name.rsplit(['/', '\\']).next().unwrap_or("").to_string();
        let ok_name = !base.starts_with('.')
            && base.chars().count() <= 120
            && base.to_lowercase().ends_with(".pdf")
            && base
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')'));
        if !ok_name {
            return Reply::json(
                400,
                &json!({"error": "the file must be a PDF whose name has only letters, numbers, spaces, hyphens, underscores, dots and brackets"}),
            );
        }
        if !body.starts_with(b"%PDF-") {
            return Reply::json(
                400,
                &json!({"error": "this file is not a PDF (it does not start as a PDF does); save the report as PDF and add that"}),
            );
        }
        let reports = case_dir.join("reports");
        if fs::symlink_metadata(&reports).is_ok_and(|m| !m.is_dir()) {
            return Reply::json(
                400,
                &json!({"error": "the case's reports folder is a link or a file; ehcpack writes only into a real folder"}),
            );
        }
        if let Err(e) = fs::create_dir_all(&reports) {
            return Reply::json(
                500,
                &json!({"error": format!("the reports folder could not be made: {e}")}),
            );
        }
        let target = reports.join(&base);
        if fs::symlink_metadata(&target).is_ok() {
            return Reply::json(
                409,
                &json!({"error": "a file of that name is already in the reports folder; rename the file and add it again"}),
            );
        }
        // The evidence document first gets its new entry worked out, so a file it cannot take
        // is refused before anything is written.
        let evidence_path = case_dir.join("evidence.yaml");
        let item = json!({
            "path": format!("reports/{base}"),
            "title": get("title"),
            "author": get("author"),
            "date": get("date"),
            "type": get("type").filter(|t| crate::load::model::EvidenceType::parse(t).is_some()).unwrap_or_else(|| crate::load::model::EvidenceType::Report.as_str().into()),
        });
        let new_text = match crate::read::read_text_capped(
            &evidence_path,
            crate::load::case::MAX_DOCUMENT_BYTES,
        ) {
            Ok(text) => {
                let count = crate::load::yaml::parse(&text)
                    .ok()
                    .flatten()
                    .and_then(|n| match n.get("files").map(|f| &f.value) {
                        Some(crate::load::yaml::Value::Seq(items)) => Some(items.len()),
                        _ => None,
                    })
                    .unwrap_or(0);
                let mut files: Vec<Json> =
                    (0..count).map(|_| json!({edit::UNCHANGED: true})).collect();
                files.push(item);
                match edit::apply(&text, &json!({"files": files})) {
                    Ok(t) => t,
                    Err(edit::Refused(why)) => {
                        return Reply::json(
                            409,
                            &json!({"error": format!("evidence.yaml could not take the new entry: {why}")}),
                        )
                    }
                }
            }
            Err(_) if fs::symlink_metadata(&evidence_path).is_err() => {
                let blank = "# yaml-language-server: $schema=../schemas/evidence.schema.json\nformat: ehcpack/1\nkind: evidence\nfiles:\n";
                match edit::apply(blank, &json!({"files": [item]})) {
                    Ok(t) => t,
                    Err(edit::Refused(why)) => return Reply::json(500, &json!({"error": why})),
                }
            }
            Err(e) => {
                return Reply::json(
                    409,
                    &json!({"error": format!("evidence.yaml cannot be read: {e}")}),
                )
            }
        };
        if let Err(e) = crate::output::write_atomically(&target, body) {
            return Reply::json(
                500,
                &json!({"error": format!("the report could not be saved: {e}")}),
            );
        }
        if let Err(e) = crate::output::write_atomically(&evidence_path, new_text.as_bytes()) {
            let _ = fs::remove_file(&target);
            return Reply::json(
                500,
                &json!({"error": format!("evidence.yaml could not be saved: {e}")}),
            );
        }
        let checked = self.check(case_dir, &[]);
        let findings: Vec<Json> = checked
            .report
            .diagnostics
            .iter()
            .filter(|d| d.message.contains(&base) || d.file.as_deref() == Some(Path::new("evidence.yaml")))
            .map(|d| json!({"severity": d.severity.as_str(), "rule": d.rule.as_str(), "message": d.message, "help": d.help}))
            .collect();
        let reply = json!({"ok": true, "message": format!("{base} added to the reports folder and the evidence list."), "findings": findings});
        Reply::json(
            200,
            &serde_json::from_str(checked.redactor.redact(&reply.to_string()).as_str())
                .unwrap_or(json!({"ok": true})),
        )
    }

    fn document_page(&self, name: &str, case_dir: &Path, file: &str) -> Reply {
        let checked = self.check(case_dir, &[]);
        let href = format!("/case/{}", percent_encode(name));
        let doc = checked
            .case
            .documents
            .iter()
            .find(|d| d.path == Path::new(file));
        let mut body = String::new();
        let mut gate = Gate::new();
        let Some(doc) = doc else {
            return self.not_found();
        };
        let text = crate::read::read_text_capped(
            &case_dir.join(file),
            crate::load::case::MAX_DOCUMENT_BYTES,
        )
        .unwrap_or_default();
        let version = version_of(&text);
        let kind = doc.kind;
        let title = kind.map_or_else(|| file.to_string(), |k| document_title(k, file));
        let _ = write!(body, "<h1>{}</h1>", esc(&title));
        let _ = write!(
            body,
            "<p class=\"file\">The file <code>{}</code> in the case folder.</p>",
            esc(&checked.redactor.redact(file))
        );
        let findings_here: Vec<&Diagnostic> = checked
            .report
            .diagnostics
            .iter()
            .filter(|d| d.file.as_deref() == Some(Path::new(file)))
            .collect();
        let form_refusal = match (kind, &doc.root) {
            (None, _) => Some("ehcpack cannot tell what this file is (its `kind:` is missing or not one it knows), so there is no form for it.".to_string()),
            (Some(_), None) => Some("this file does not read as YAML, so the form cannot show it.".to_string()),
            (Some(k), Some(root)) => form::unrepresentable(&form::Schema::of(k), root).map(|(m, pos)| format!("{m} (line {}).", pos.line)),
        };
        if let Some(refusal) = &form_refusal {
            let _ = write!(
                body,
                "<div class=\"notice warning\" role=\"alert\"><h2>This file is left as it is</h2><p>{}</p><p>Nothing here will change it. Fix it in a text editor (the findings below say where), then reload this page.</p></div>",
                esc(&checked.redactor.redact(&capitalise(refusal)))
            );
            summary_html(&mut body, &findings_here, doc.root.as_ref(), file, &href);
            checklist_html(&mut body, &checked.report, &checked.case, &href, Some(file));
            let page = layout(
                &title,
                &[
                    ("/".into(), "Case folders".into()),
                    (href.clone(), name.to_string()),
                ],
                &body,
            );
            return Reply::html(200, gate.finish(&checked.redactor, &page));
        }
        let kind = kind.expect("checked above");
        summary_html(&mut body, &findings_here, doc.root.as_ref(), file, &href);
        let schema = form::Schema::of(kind);
        if let Some(d) = schema.root().get("description").and_then(Json::as_str) {
            let _ = write!(body, "<details class=\"about\"><summary>About this document</summary><p>{}</p></details>", esc(d));
        }
        let _ = write!(
            body,
            "<form id=\"doc-form\" class=\"document\" novalidate data-check=\"{href}/{f}/check\" data-save=\"{href}/{f}/save\" data-version=\"{version}\" data-file=\"{fe}\">",
            f = esc(&percent_encode(file)),
            fe = esc(file)
        );
        let mut shown = form::Shown {
            redactor: &checked.redactor,
            pupil: kind == Kind::Pupil,
            gate: &mut gate,
        };
        let mut fields = String::new();
        form::fields(&mut fields, &schema, doc.root.as_ref(), &mut shown);
        body.push_str("<div class=\"fields\">");
        body.push_str(&fields);
        body.push_str("</div><div class=\"actions\"><button class=\"button\" type=\"submit\" id=\"save\">Save</button> <a class=\"button secondary\" href=\"");
        body.push_str(&href);
        body.push_str("\">Back to the case</a><p id=\"save-state\" role=\"status\" aria-live=\"polite\"></p>\
                       <div id=\"conflict\" class=\"notice warning\" hidden><p>This file has been changed on disk since this page was opened (by another program or person), so your changes were not saved over it.</p><button type=\"button\" class=\"button\" id=\"reload\">Reload the file</button></div></div></form>");
        checklist_html(&mut body, &checked.report, &checked.case, &href, Some(file));
        // The findings as the page first shows them, placed by the script.
        let placed = placed_findings(&checked.report, &checked.case, &href);
        let _ = write!(
            body,
            "<script type=\"application/json\" id=\"initial-findings\">{}</script>",
            placed.to_string().replace('<', "\\u003c")
        );
        let page = layout(
            &title,
            &[
                ("/".into(), "Case folders".into()),
                (href.clone(), name.to_string()),
            ],
            &body,
        );
        Reply::html(200, gate.finish(&checked.redactor, &page))
    }

    /// Checks a form's answers without saving, or saves them: `{version, values}`.
    fn check_or_save(&self, case_dir: &Path, file: &str, body: &[u8], save: bool) -> Reply {
        let Ok(request): Result<Json, _> = serde_json::from_slice(body) else {
            return Reply::json(
                400,
                &json!({"error": "the form's answers could not be read"}),
            );
        };
        let path = case_dir.join(file);
        let text = match crate::read::read_text_capped(&path, crate::load::case::MAX_DOCUMENT_BYTES)
        {
            Ok(t) => t,
            Err(e) => {
                return Reply::json(
                    409,
                    &json!({"error": format!("the file cannot be read now: {e}")}),
                )
            }
        };
        let current = version_of(&text);
        if request.get("version").and_then(Json::as_str) != Some(current.as_str()) {
            return Reply::json(
                409,
                &json!({"conflict": true, "error": "This file has been changed on disk since this page was opened, so your changes were not saved over it. Reload the file to see what it holds now."}),
            );
        }
        let Some(kind) = crate::load::yaml::parse(&text)
            .ok()
            .flatten()
            .and_then(|n| {
                n.get("kind")
                    .and_then(|k| k.as_str().and_then(Kind::from_name))
            })
        else {
            return Reply::json(
                409,
                &json!({"error": "this file is left as it is: ehcpack cannot tell what it is"}),
            );
        };
        let schema = form::Schema::of(kind);
        if let Some(root) = crate::load::yaml::parse(&text).ok().flatten() {
            if let Some((m, _)) = form::unrepresentable(&schema, &root) {
                return Reply::json(
                    409,
                    &json!({"error": format!("this file is left as it is: {m}")}),
                );
            }
        }
        let values = form::typed(
            &schema,
            schema.root(),
            request.get("values").unwrap_or(&Json::Null),
        );
        if !values.is_object() {
            return Reply::json(
                400,
                &json!({"error": "the form's answers could not be read"}),
            );
        }
        if save && values.to_string().contains(crate::privacy::WITHHELD) {
            return Reply::json(
                409,
                &json!({"error": format!("Not saved: a field still holds \"{}\". Take it out (the protected address must not be written there) and save again.", crate::privacy::WITHHELD)}),
            );
        }
        let new_text = match edit::apply(&text, &values) {
            Ok(t) => t,
            Err(edit::Refused(why)) => {
                return Reply::json(409, &json!({"error": format!("Not saved: {why}")}))
            }
        };
        if new_text.len() as u64 > crate::load::case::MAX_DOCUMENT_BYTES {
            return Reply::json(
                413,
                &json!({"error": "Not saved: the file would be larger than a case document may be"}),
            );
        }
        let mut version = current;
        let checked = if save {
            if new_text != text {
                if let Err(e) = crate::output::write_atomically(&path, new_text.as_bytes()) {
                    return Reply::json(500, &json!({"error": format!("Not saved: {e}")}));
                }
                version = version_of(&new_text);
            }
            self.check(case_dir, &[])
        } else {
            self.check(case_dir, &[(PathBuf::from(file), new_text)])
        };
        let href = format!(
            "/case/{}",
            percent_encode(
                case_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
                    .as_str()
            )
        );
        let list: Vec<Json> = status::checklist(&checked.report)
            .iter()
            .map(|(item, mark, _)| json!({"title": item.title(), "mark": mark_text(*mark)}))
            .collect();
        let reply = json!({
            "saved": save,
            "version": version,
            "verdict": verdict_text(&checked.report),
            "errors": checked.report.errors,
            "warnings": checked.report.warnings,
            "findings": placed_findings(&checked.report, &checked.case, &href),
            "checklist": list,
        });
        // Findings are redacted already; the whole answer passes the redactor all the same.
        let text = checked.redactor.redact(&reply.to_string());
        Reply {
            status: 200,
            content_type: "application/json",
            body: text.into_string().into_bytes(),
            headers: Vec::new(),
        }
    }
}

/// A file's version: the SHA-256 of its text, so a change by anyone is seen.
fn version_of(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn verdict_text(report: &RedactedReport) -> String {
    match report.verdict {
        crate::diagnostic::Verdict::Pass => "Ready: no errors, no warnings.".to_string(),
        crate::diagnostic::Verdict::PassWithWarnings => format!(
            "Ready, with {} to look at.",
            plural(report.warnings, "warning", "warnings")
        ),
        crate::diagnostic::Verdict::Fail => format!(
            "Not ready yet: {} and {}.",
            plural(report.errors, "error", "errors"),
            plural(report.warnings, "warning", "warnings")
        ),
        // Only a received PDF that is not a pack gets this; a case folder never does.
        crate::diagnostic::Verdict::CheckByHand => "To be checked by a person.".to_string(),
    }
}

fn mark_text(mark: Mark) -> &'static str {
    match mark {
        Mark::Done => "done",
        Mark::Warnings => "warnings",
        Mark::Errors => "errors",
        Mark::NotChecked => "not-checked",
    }
}

/// A document's title as the case page lists it.
fn document_title(kind: Kind, file: &str) -> String {
    let base = match kind {
        Kind::Pupil => "The pupil",
        Kind::Family => "Family and parents",
        Kind::Needs => "Special educational needs",
        Kind::Health => "Health, development and care",
        Kind::Plan => "Support plan",
        Kind::Attainment => "Attainment and progress",
        Kind::Views => "Views of the child and parents",
        Kind::Professionals => "Professionals involved",
        Kind::Request => "The request",
        Kind::Consent => "Consent",
        Kind::Evidence => "Evidence and reports",
    };
    if kind == Kind::Plan {
        let n = file
            .trim_start_matches("plan-")
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml");
        format!("{base} {n}")
    } else {
        base.to_string()
    }
}

/// The JSON Pointer of the field a finding at `line:column` is about: the value or key that
/// starts there, else the deepest one on that line, else the document.
pub fn pointer_at(root: &Node, line: usize, column: usize) -> String {
    fn walk(
        node: &Node,
        path: &str,
        line: usize,
        column: usize,
        exact: &mut Option<String>,
        on_line: &mut Option<String>,
    ) {
        if node.pos.line == line && node.pos.column == column {
            *exact = Some(path.to_string());
        }
        if node.pos.line == line && on_line.is_none() {
            *on_line = Some(path.to_string());
        }
        match &node.value {
            crate::load::yaml::Value::Map(entries) => {
                for e in entries {
                    let p = format!("{path}/{}", e.key.replace('~', "~0").replace('/', "~1"));
                    if e.key_pos.line == line && e.key_pos.column == column {
                        *exact = Some(p.clone());
                    }
                    if e.key_pos.line == line {
                        *on_line = Some(p.clone());
                    }
                    walk(&e.value, &p, line, column, exact, on_line);
                }
            }
            crate::load::yaml::Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{i}"), line, column, exact, on_line);
                }
            }
            _ => {}
        }
    }
    let (mut exact, mut on_line) = (None, None);
    walk(root, "", line, column, &mut exact, &mut on_line);
    exact.or(on_line).unwrap_or_default()
}

/// Every finding of the case, with the field it is about and a link to it.
fn placed_findings(report: &RedactedReport, case: &crate::load::case::Case, href: &str) -> Json {
    Json::Array(
        report
            .diagnostics
            .iter()
            .map(|d| {
                let file = d.file.as_ref().map(|f| f.to_string_lossy().to_string());
                let root = d
                    .file
                    .as_ref()
                    .and_then(|f| case.documents.iter().find(|doc| &doc.path == f))
                    .and_then(|doc| doc.root.as_ref());
                let pointer = match (root, d.line, d.column) {
                    (Some(root), Some(l), Some(c)) => pointer_at(root, l, c),
                    _ => String::new(),
                };
                let link = match &file {
                    Some(f) => format!("{href}/{}#f{pointer}", percent_encode(f)),
                    None => href.to_string(),
                };
                json!({
                    "file": file,
                    "item": status::item_of(d.rule).map(status::Item::title),
                    "pointer": pointer,
                    "line": d.line,
                    "severity": d.severity.as_str(),
                    "rule": d.rule.as_str(),
                    "message": d.message,
                    "help": d.help,
                    "href": link,
                })
            })
            .collect(),
    )
}

/// The findings of one document at the top of its page, each a link to its field.
fn summary_html(
    out: &mut String,
    findings: &[&Diagnostic],
    root: Option<&Node>,
    file: &str,
    href: &str,
) {
    let _ = write!(
        out,
        "<div class=\"error-summary\" id=\"error-summary\" aria-labelledby=\"error-summary-title\"{}><h2 id=\"error-summary-title\">To fix in this document</h2><ul id=\"error-summary-list\">",
        if findings.is_empty() { " hidden" } else { "" }
    );
    for d in findings {
        let pointer = match (root, d.line, d.column) {
            (Some(r), Some(l), Some(c)) => pointer_at(r, l, c),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<li class=\"{}\"><a href=\"{}/{}#f{}\">{}</a> <span class=\"help\">{}</span></li>",
            d.severity.as_str(),
            esc(href),
            esc(&percent_encode(file)),
            esc(&pointer),
            esc(&format!(
                "{}: {}",
                if d.is_error() { "Error" } else { "Warning" },
                d.message
            )),
            esc(&d.help)
        );
    }
    out.push_str("</ul></div>");
}

/// The whole case's checklist, as `ehcpack status` gives it, with each finding linked.
fn checklist_html(
    out: &mut String,
    report: &RedactedReport,
    case: &crate::load::case::Case,
    href: &str,
    _current: Option<&str>,
) {
    out.push_str("<section class=\"checklist\" aria-labelledby=\"checklist-title\"><h2 id=\"checklist-title\">Checklist for the whole case</h2><ol id=\"checklist\">");
    let list = status::checklist(report);
    let done = list.iter().filter(|(_, m, _)| *m == Mark::Done).count();
    for (item, mark, findings) in &list {
        let state = match mark {
            Mark::Done => "Done",
            Mark::Warnings => "Done, with warnings",
            Mark::Errors => "To do",
            Mark::NotChecked => "Not checked yet",
        };
        let _ = write!(
            out,
            "<li class=\"{}\"><span class=\"mark\">{}:</span> {}",
            mark_text(*mark),
            esc(state),
            esc(item.title())
        );
        if !findings.is_empty() {
            out.push_str("<ul>");
            for d in findings.iter().take(5) {
                let file = d.file.as_ref().map(|f| f.to_string_lossy().to_string());
                let pointer = d
                    .file
                    .as_ref()
                    .and_then(|f| case.documents.iter().find(|doc| &doc.path == f))
                    .and_then(|doc| doc.root.as_ref())
                    .and_then(|r| Some(pointer_at(r, d.line?, d.column?)))
                    .unwrap_or_default();
                let link = match &file {
                    Some(f) => format!("{href}/{}#f{pointer}", percent_encode(f)),
                    None => href.to_string(),
                };
                let _ = write!(
                    out,
                    "<li><a href=\"{}\">{}</a>{}</li>",
                    esc(&link),
                    esc(&d.message),
                    file.map(|f| format!(" <span class=\"where\">({})</span>", esc(&f)))
                        .unwrap_or_default()
                );
            }
            if findings.len() > 5 {
                let _ = write!(out, "<li>and {} more</li>", findings.len() - 5);
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>");
    }
    let _ = write!(
        out,
        "</ol><p id=\"checklist-done\">{done} of {} done.</p></section>",
        list.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_placed_at_its_field() {
        let root = crate::load::yaml::parse(
            "kind: plan\noutcomes:\n  - id: O1\n    baseline:\nreview:\n  date: x\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(pointer_at(&root, 3, 9), "/outcomes/0/id");
        assert_eq!(pointer_at(&root, 4, 5), "/outcomes/0/baseline");
        assert_eq!(pointer_at(&root, 6, 3), "/review/date");
        assert_eq!(pointer_at(&root, 5, 1), "/review");
        assert_eq!(pointer_at(&root, 40, 1), "");
    }

    #[test]
    fn addresses_decode_and_tokens_compare() {
        assert_eq!(
            percent_decode("Amara%20Okafor", false).as_deref(),
            Some("Amara Okafor")
        );
        assert_eq!(percent_decode("a+b", true).as_deref(), Some("a b"));
        assert_eq!(percent_decode("%2", false).as_deref(), Some("%2"));
        assert_eq!(percent_decode("%ff", false), None);
        assert_eq!(percent_encode("Zoë 2026/x"), "Zo%C3%AB%202026%2Fx");
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("abc", "ab"));
    }
}
