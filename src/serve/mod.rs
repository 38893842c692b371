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

mod case;
mod document;
mod edit;
mod form;
mod home;
mod http;
mod page;

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::{json, Value as Json};
use tiny_http::{Method, Request, Server};

use crate::diagnostic::Diagnostic;
use crate::load::case::Kind;
use crate::load::yaml::Node;
use crate::privacy::{RedactedReport, Redactor};
use crate::profile::Profile;
use crate::render::fonts::Fonts;
use crate::rules::Context;
use crate::status::{self, Mark};

use document::pointer_at;
use http::{header, percent_decode, percent_encode, query_pairs, same_token, Reply};
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

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the folder {}: {source}", .folder.display())]
    Folder {
        folder: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a folder", .0.display())]
    NotFolder(PathBuf),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        port: u16,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the server has no port")]
    NoPort,
    /// Printing the address failed.
    #[error("{0}")]
    Output(std::io::Error),
}

/// Starts the server, prints its address and serves until the process is stopped (Ctrl-C).
/// Saves are atomic, so stopping at any moment leaves every file whole.
pub fn run(options: Options, out: &mut dyn std::io::Write) -> Result<(), ServeError> {
    let folder = fs::canonicalize(&options.folder).map_err(|source| ServeError::Folder {
        folder: options.folder.clone(),
        source,
    })?;
    if !folder.is_dir() {
        return Err(ServeError::NotFolder(options.folder.clone()));
    }
    let server =
        Server::http(("127.0.0.1", options.port)).map_err(|source| ServeError::Listen {
            port: options.port,
            source,
        })?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or(ServeError::NoPort)?;
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
    .map_err(ServeError::Output)?;
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

/// The running app: the folder, the session token, and what checks and renders need.
pub struct App {
    folder: PathBuf,
    token: String,
    port: u16,
    profile: Profile,
    fonts: Fonts,
    today: Option<NaiveDate>,
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
