//! Pages: HTML escaping, the common layout, and the gate every page passes on its way out.
//!
//! **The gate.** A whole page, once built, passes the case's redactor before it is sent: any
//! part of a protected address anywhere in it (a heading, a finding, a field, a file name) is
//! withheld, whichever code put it there. The only values let through are those of the pupil's
//! own address fields, which the form holds aside under a random mark and puts back after the
//! redactor has seen the page. Case text is also redacted before it is escaped, so an escaped
//! character cannot hide an address from the gate.

use crate::privacy::Redactor;

/// Text for HTML, in an element or a quoted attribute.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Values held aside from the redactor: the pupil's own address fields.
pub struct Gate {
    nonce: String,
    held: Vec<String>,
}

impl Default for Gate {
    fn default() -> Self {
        Self::new()
    }
}

impl Gate {
    pub fn new() -> Gate {
        Gate {
            nonce: super::random_hex(16),
            held: Vec::new(),
        }
    }

    /// A mark to put in the page where `value` (escaped) goes.
    pub fn hold(&mut self, value: &str) -> String {
        self.held.push(esc(value));
        format!("\u{e000}{}:{}\u{e000}", self.nonce, self.held.len() - 1)
    }

    /// The page after the redactor, with the held values put back.
    pub fn finish(self, redactor: &Redactor, html: &str) -> String {
        let mut page = redactor.redact(html).into_string();
        for (i, value) in self.held.iter().enumerate() {
            page = page.replace(&format!("\u{e000}{}:{i}\u{e000}", self.nonce), value);
        }
        page
    }
}

/// The page around a body.
pub fn layout(title: &str, crumbs: &[(String, String)], body: &str) -> String {
    let mut trail = String::new();
    if !crumbs.is_empty() {
        trail.push_str("<nav class=\"breadcrumbs\" aria-label=\"Where you are\"><ol>");
        for (href, text) in crumbs {
            trail.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                esc(href),
                esc(text)
            ));
        }
        trail.push_str("</ol></nav>");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} - ehcpack</title><link rel=\"stylesheet\" href=\"/assets/app.css\">\
         <script src=\"/assets/app.js\" defer></script></head><body>\
         <a class=\"skip-link\" href=\"#main\">Skip to main content</a>\
         <header class=\"header\"><div class=\"width\"><a class=\"brand\" href=\"/\">ehcpack</a>\
         <span class=\"tagline\">EHC needs assessment request</span></div></header>\
         <div class=\"width\">{trail}<main id=\"main\" tabindex=\"-1\">{body}</main></div>\
         <footer class=\"footer\"><div class=\"width\"><p>Your case files stay on this computer. \
         This page is served by ehcpack on this computer only; close the window and press Ctrl-C \
         where ehcpack is running to stop it.</p></div></footer></body></html>",
        esc(title)
    )
}
