//! The home page: the folder's case folders with their verdicts, and the form that starts a new
//! case folder (as `ehcpack new` does).

use super::*;

impl App {
    pub(super) fn home(&self, message: Option<&str>) -> Reply {
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
             <div class=\"hint\" id=\"new-name-hint\"><p>For example the pupil's initials and the year, such as <code>ab-2025</code>. Letters, numbers, spaces, hyphens, underscores, apostrophes and full stops.</p></div>\
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

    pub(super) fn new_case(&self, body: &[u8]) -> Reply {
        let fields = query_pairs(&String::from_utf8_lossy(body));
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
        };
        let name = get("name").unwrap_or_default();
        // A pupil's name as folder name, in any language: letters of any script, numbers,
        // spaces, hyphens, underscores, apostrophes (O'Brien, O’Neill) and full stops inside
        // (J. Smith; not last: Windows drops a trailing one), and never `..` or a separator.
        let valid = !name.is_empty()
            && name.chars().count() <= 80
            && !name.starts_with(['.', ' ', '-'])
            && !name.ends_with(['.', ' '])
            && !name.contains("..")
            && name != "schemas"
            && name != "reports"
            && !windows_reserved(&name)
            && name.chars().all(|c| {
                c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '\'' | '\u{2019}' | '.')
            });
        if !valid {
            return self.home(Some(
                "Choose a folder name of letters, numbers, spaces, hyphens, underscores, apostrophes and full stops (at most 80), not starting with a dot or a hyphen nor ending with a dot.",
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
}

/// A name Windows keeps for a device (`CON`, `NUL.txt`, `com1`): a folder of that name cannot
/// be made or opened there, so a case is never started under one.
fn windows_reserved(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}
