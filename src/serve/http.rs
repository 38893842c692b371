//! The HTTP plumbing of `ehcpack serve`: a reply before it is sent (with the headers every
//! reply carries), request headers, addresses percent-decoded and encoded, form and query pairs,
//! and the session token compared in constant time.

use std::fmt::Write as _;

use serde_json::Value as Json;
use tiny_http::{Header, Request, Response};

use super::CSP;

/// A reply, before it is sent.
pub struct Reply {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: Vec<u8>,
    pub(super) headers: Vec<(String, String)>,
}

impl Reply {
    pub(super) fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    pub(super) fn json(status: u16, value: &Json) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
            headers: Vec::new(),
        }
    }

    pub(super) fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.as_bytes().to_vec(),
            headers: Vec::new(),
        }
    }

    pub(super) fn redirect(to: &str) -> Reply {
        let mut r = Reply::text(303, "See other");
        r.headers.push(("Location".into(), to.into()));
        r
    }

    pub(super) fn into_response(self) -> Response<std::io::Cursor<Vec<u8>>> {
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

pub(super) fn header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// `%xx` decoded (and `+` as a space in a query); `None` when the result is not UTF-8.
pub(super) fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
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
pub(super) fn percent_encode(text: &str) -> String {
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

pub(super) fn query_pairs(query: &str) -> Vec<(String, String)> {
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
pub(super) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

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
