//! A document's page: the form of one YAML file, checked as the SENCO types and saved in place
//! ([`super::edit`]) only when nobody else changed the file meanwhile; each finding placed at its
//! field.

use super::*;

impl App {
    pub(super) fn document_page(&self, name: &str, case_dir: &Path, file: &str) -> Reply {
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
    pub(super) fn check_or_save(
        &self,
        case_dir: &Path,
        file: &str,
        body: &[u8],
        save: bool,
    ) -> Reply {
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
}
