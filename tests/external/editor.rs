//! Editor support, tested with a real editor back end: yaml-language-server (the server behind
//! the YAML extensions of VS Code, Neovim, Helix and others), driven over the Language Server
//! Protocol on a case written by `ehcpack new`. It must complete field names from the schema and
//! mark mistakes as the SENCO types. .ci/run installs the server with npm into .tools/; one on PATH
//! does too.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The server `.ci/run` installs into `.tools/`, or one on PATH; a failing test without either.
fn server() -> PathBuf {
    let local = crate::common::root().join(".tools/node_modules/.bin/yaml-language-server");
    if local.is_file() {
        return local;
    }
    crate::require(
        "yaml-language-server",
        "npm install --prefix .tools yaml-language-server@1.25.0",
    )
}

struct Lsp {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Lsp {
    fn start(path: &Path) -> Lsp {
        let mut child = Command::new(path)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("yaml-language-server starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            if stdout.read_exact(&mut body).is_err() {
                return;
            }
            if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Lsp {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Waits for a message that `want` accepts, answering the server's own requests meanwhile.
    fn wait_for(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let Ok(message) = self.messages.recv_timeout(Duration::from_millis(500)) else {
                continue;
            };
            if want(&message) {
                return message;
            }
            if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
                let result = match method {
                    "workspace/configuration" => {
                        let n = message["params"]["items"].as_array().map_or(1, Vec::len);
                        Value::Array(vec![settings()["yaml"].clone(); n])
                    }
                    _ => Value::Null,
                };
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
            }
        }
        panic!("yaml-language-server never sent {what}");
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(method, |m| m["id"] == id && m.get("method").is_none())
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Completion and validation on, and no schema store (it would go to the network).
fn settings() -> Value {
    json!({"yaml": {"validate": true, "completion": true, "hover": true,
                    "schemaStore": {"enable": false}, "format": {"enable": false}}})
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn an_editor_completes_fields_and_marks_mistakes_from_the_schemas() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("cases/ava");
    let status = Command::new(env!("CARGO_BIN_EXE_ehcpack"))
        .args(["new", case.to_str().unwrap(), "--year-group", "5"])
        .output()
        .unwrap()
        .status;
    assert!(status.success());

    let mut lsp = Lsp::start(&server);
    lsp.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir.path()), "capabilities": {
            "textDocument": {"completion": {"completionItem": {"snippetSupport": false}},
                             "publishDiagnostics": {}},
            "workspace": {"configuration": true}}}),
    );
    lsp.notify("initialized", json!({}));
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": settings()}),
    );

    // A SENCO starts a plan: the modeline names the schema that `ehcpack new` wrote beside it.
    let plan = case.join("plan-1.yaml");
    let typing = "# yaml-language-server: $schema=../schemas/plan.schema.json\n\
                  format: ehcpack/1\nkind: plan\nstart: 2025-04-22\nreveiw_date: 2025-07-11\n\n";
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&plan), "languageId": "yaml", "version": 1, "text": typing}}),
    );

    // Marks the mistake as they type: the misspelt field, on its line (0-based line 4).
    let diagnostics = lsp.wait_for("diagnostics for the plan", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri(&plan)
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
    });
    let marked: Vec<&Value> = diagnostics["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(
        marked.iter().any(|d| d["range"]["start"]["line"] == 4),
        "the misspelt field is marked: {marked:?}"
    );

    // Completes field names on the empty last line, with the schema's descriptions.
    let completion = lsp.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&plan)}, "position": {"line": 6, "character": 0}}),
    );
    let items = completion["result"]["items"]
        .as_array()
        .or_else(|| completion["result"].as_array())
        .cloned()
        .unwrap_or_default();
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    for field in ["outcomes", "provision", "review", "needs"] {
        assert!(labels.contains(&field), "completes `{field}`: {labels:?}");
    }
}
