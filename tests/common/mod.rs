//! Helpers shared by the integration tests: the repository root, running the real binary the
//! way a user does, copying a sample case to edit, and reading a PDF's text back with lopdf (so
//! the normal suite needs nothing but Rust). The suite (tests/suite) declares them as `mod common`; the
//! external suite (tests/external) with `#[path = "../common/mod.rs"] mod common;`.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]
#![allow(dead_code)] // each test file uses the helpers it needs

pub mod packs;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The date most tests run on, so that the samples' deadlines do not move with the calendar.
pub const TODAY: &str = "2026-01-15";

/// The repository root (where README.md and sample-cases/ are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A sample case folder by name, in place (read it; copy it before changing it).
pub fn sample(name: &str) -> PathBuf {
    root().join("sample-cases").join(name)
}

/// The `ehcpack` binary as built for these tests, to run from the repository root.
pub fn ehcpack_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
    // What a user at an 100-column terminal without colour would see, whatever runs the tests;
    // no password from the environment of whoever runs them.
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("EHCPACK_PASSWORD");
    command
}

/// Runs `ehcpack ARGS` from the repository root, so `sample-cases/...` works as in the README.
pub fn ehcpack(args: &[&str]) -> Output {
    ehcpack_command()
        .args(args)
        .output()
        .expect("the ehcpack binary runs")
}

/// Runs `ehcpack ARGS` in `cwd` and waits for it.
pub fn ehcpack_in(cwd: &Path, args: &[&str]) -> Output {
    ehcpack_command()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the ehcpack binary runs")
}

/// What the command printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the command printed on standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh temporary folder, removed when the value is dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Copies a folder and everything in it (`to` is created).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of a sample case in a temporary folder, as `case/` inside it.
pub fn sample_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    copy_dir(&sample(name), &dir);
    (tmp, dir)
}

/// A copy of the bundled sample `name` at `parent/as_name`; returns its path.
pub fn copy_sample(parent: &Path, name: &str, as_name: &str) -> PathBuf {
    let to = parent.join(as_name);
    copy_dir(&sample(name), &to);
    to
}

/// The exit status `render` gives for what it printed: 1 for a draft of a case with errors
/// (`- DRAFT: 2 errors, ...`), else 0.
pub fn render_status(stdout: &[u8]) -> Option<i32> {
    let text = String::from_utf8_lossy(stdout);
    Some(i32::from(
        text.contains(" - DRAFT: ") && !text.contains(" - DRAFT: 0 errors"),
    ))
}

/// Renders `case` with `ehcpack render CASE --today TODAY EXTRA -o DIR/pack.pdf`, asserting
/// that it succeeds (a draft of a case with errors exits 1); returns the PDF's path.
pub fn render_pack(dir: &Path, case: &Path, extra: &[&str]) -> PathBuf {
    let pdf = dir.join("pack.pdf");
    let mut args = vec!["render", case.to_str().unwrap(), "--today", TODAY, "-o"];
    args.push(pdf.to_str().unwrap());
    args.extend_from_slice(extra);
    let out = ehcpack_in(dir, &args);
    assert_eq!(
        out.status.code(),
        render_status(&out.stdout),
        "render {}: {}{}",
        case.display(),
        stdout(&out),
        stderr(&out)
    );
    assert!(pdf.is_file(), "{} was not written", pdf.display());
    pdf
}

/// Runs of whitespace folded to one space, ends trimmed: text compared across PDF readers.
pub fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of each page of an opened PDF, in page order, read by lopdf, whitespace folded.
pub fn document_pages_text(doc: &lopdf::Document) -> Vec<String> {
    doc.get_pages()
        .keys()
        .map(|&number| {
            let text = doc
                .extract_text(&[number])
                .unwrap_or_else(|e| panic!("lopdf reads the text of page {number}: {e}"));
            fold(&text)
        })
        .collect()
}

/// The text of each page of the PDF at `pdf`, read by lopdf, whitespace folded.
pub fn pdf_pages_text(pdf: &Path) -> Vec<String> {
    let doc =
        lopdf::Document::load(pdf).unwrap_or_else(|e| panic!("lopdf opens {}: {e}", pdf.display()));
    document_pages_text(&doc)
}

/// Runs `command` with its output captured, killing it after `limit` so that a hang fails the
/// test instead of stalling the suite; a panic in it fails the test too.
pub fn run_bounded(command: Command, limit: std::time::Duration) -> Output {
    run_measured(command, limit).0
}

/// Runs `command` as [`run_bounded`] does and also returns the processor time it used (user
/// plus system, all its threads), read from the kernel when it is reaped. The tests that
/// promise "quickly" bound this, not the wall clock: on a shared machine the wall clock measures
/// the other builds, while the processor time measures ehcpack's own work.
// The child is reaped by wait4 below, which reads its processor time; std's wait cannot.
#[allow(clippy::zombie_processes)]
pub fn run_measured(
    mut command: Command,
    limit: std::time::Duration,
) -> (Output, std::time::Duration) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let started = std::time::Instant::now();
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value for the kernel to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std never reaps on drop).
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break;
        }
        assert!(
            reaped == 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the command hung (killed after {limit:?})");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    let time = |t: libc::timeval| {
        std::time::Duration::from_secs(t.tv_sec as u64)
            + std::time::Duration::from_micros(t.tv_usec as u64)
    };
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "a panic");
    (out, cpu)
}

/// How many cases a property test runs. `EHCPACK_TEST_CASES=full` (as `.ci/run` sets it) runs
/// each at its full count; a number caps each at that many; unset, each runs a quarter of its
/// full count (at least 8), so that a `cargo test` on a laptop stays quick.
pub fn cases(full: u32) -> u32 {
    match std::env::var("EHCPACK_TEST_CASES").as_deref() {
        Ok("full") => full,
        Ok(n) => match n.parse::<u32>() {
            Ok(n) => n.clamp(1, full),
            Err(_) => panic!("EHCPACK_TEST_CASES is `full` or a number, not `{n}`"),
        },
        Err(_) => (full / 4).max(8).min(full),
    }
}

thread_local! {
    /// Whether this test's thread holds [`heavy`] already.
    static HOLDING_HEAVY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Held while a test times a run of ehcpack or loads the machine (the bombs, the in-process
/// property tests, the measured renders): in the one suite binary a timed run then never shares
/// the machine with another heavy test. A test that holds it may call helpers that take it again.
pub fn heavy() -> Heavy {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    if HOLDING_HEAVY.with(|h| h.get()) {
        return Heavy(None);
    }
    let guard = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    HOLDING_HEAVY.with(|h| h.set(true));
    Heavy(Some(guard))
}

/// See [`heavy`].
pub struct Heavy(Option<std::sync::MutexGuard<'static, ()>>);

impl Drop for Heavy {
    fn drop(&mut self) {
        if self.0.is_some() {
            HOLDING_HEAVY.with(|h| h.set(false));
        }
    }
}

/// What a run of the binary gave: its output, its peak resident memory in MB, its wall time.
pub struct Measured {
    pub output: Output,
    /// The peak in MB (rounded down) and in KB.
    pub peak_mb: u64,
    pub peak_kb: u64,
    pub took: Duration,
}

impl Measured {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

/// Runs `command`, killed after `limit` (a hang fails the test), and measures the peak memory
/// of that one process, whatever else the test suite runs at the time.
pub fn measured(mut command: Command, limit: Duration) -> Measured {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    use std::time::Instant;
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ehcpack runs");
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    // The peak is read from /proc while the program runs, once it is ehcpack (before its exec,
    // the child shares the test's memory, which wait4's ru_maxrss would count): VmHWM is the
    // high-water mark of the program's own memory, and only ever grows. Read every 10 ms, it
    // misses no blow-up that takes longer than that.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watch = done.clone();
    let watcher = std::thread::spawn(move || {
        let until = Instant::now() + limit;
        let mut peak_kb = 0u64;
        while Instant::now() < until {
            if watch.load(std::sync::atomic::Ordering::SeqCst) {
                return peak_kb;
            }
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.starts_with("ehcpack") {
                let status =
                    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                if let Some(kb) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    peak_kb = peak_kb.max(kb);
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: signals the child this test started; it is not reaped until wait4 below.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        peak_kb
    });
    let mut status = 0;
    // SAFETY: waits for our own child, with a valid pointer.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid, "waitpid");
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let peak_kb = watcher.join().unwrap();
    let took = started.elapsed();
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    // The child is reaped; dropping the handle only closes what is left.
    drop(child);
    assert!(
        took < limit,
        "the command ran {took:?} and was killed (the limit is {limit:?})"
    );
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(!text.contains("panicked"), "{text}");
    Measured {
        output,
        peak_mb: peak_kb / 1024,
        peak_kb,
        took,
    }
}
