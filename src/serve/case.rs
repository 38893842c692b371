//! A case's page: its checklist and documents, and what is done with the whole case: rendering
//! the pack (or a draft), downloading it, and adding evidence files.

use super::*;

impl App {
    pub(super) fn case_page(&self, name: &str, case_dir: &Path, message: Option<&str>) -> Reply {
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
    pub(super) fn pack_path(&self, name: &str, redactor: &Redactor) -> PathBuf {
        let file = redactor
            .redact(name)
            .as_str()
            .replace(crate::privacy::WITHHELD, "address withheld");
        self.folder.join(format!("{file}.pdf"))
    }

    pub(super) fn render(&self, name: &str, case_dir: &Path, draft: bool) -> String {
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
        let result = crate::render::render_case(&checked.case, &checked.report, &options)
            .map_err(|e| e.to_string())
            .and_then(|r| {
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

    pub(super) fn pack(&self, name: &str, case_dir: &Path, query: &[(String, String)]) -> Reply {
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
    pub(super) fn upload(&self, case_dir: &Path, query: &[(String, String)], body: &[u8]) -> Reply {
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
}
