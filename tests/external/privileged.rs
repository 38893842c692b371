//! Hostile inputs that only root can set up (issue 5): device files (`mknod`), folders and files
//! that may not be read (ehcpack run as `nobody` with `setpriv`, since root ignores permissions),
//! and a full disk (a tiny `tmpfs` from `mount`). CI runs as root; elsewhere run this suite with
//! `sudo -E cargo test --features external-tools --test external`. Not root is a failure that
//! says so, never a skip.
// Tests read their fixtures and outputs directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::common;
use crate::require;

fn require_root() {
    let uid = fs::metadata("/proc/self").map(|m| m.uid());
    assert!(
        matches!(uid, Ok(0)),
        "these tests need root (device files, another user, a mount): run the external suite \
         as root, as CI does"
    );
}

fn run(command: Command) -> Output {
    common::run_bounded(command, Duration::from_secs(60))
}

fn validate(path: &Path) -> Output {
    let mut c = common::ehcpack_command();
    c.args(["validate", path.to_str().unwrap(), "--today", common::TODAY]);
    run(c)
}

#[test]
fn device_files_are_not_read() {
    require_root();
    let mknod = require("mknod", "apt install coreutils");
    let dir = common::tempdir();
    let case = common::copy_sample(dir.path(), "year5-passing", "case");
    // A character device (like /dev/zero, which never ends) named as a document and as evidence.
    let made = Command::new(&mknod)
        .arg(case.join("zero.yaml"))
        .args(["c", "1", "5"])
        .status()
        .unwrap();
    assert!(made.success(), "mknod makes a device file");
    let out = validate(&case);
    assert_eq!(out.status.code(), Some(1));
    let text = common::stdout(&out);
    assert!(
        text.contains("error[case-structure]: this is not an ordinary file"),
        "{text}"
    );
    assert!(text.contains("zero.yaml:1:1"));
    // As evidence, in a case that is otherwise fine (the rules run once documents read).
    let second = common::copy_sample(dir.path(), "year5-passing", "second");
    let made = Command::new(&mknod)
        .arg(second.join("reports/zero.pdf"))
        .args(["c", "1", "5"])
        .status()
        .unwrap();
    assert!(made.success());
    let evidence = fs::read_to_string(second.join("evidence.yaml")).unwrap();
    fs::write(
        second.join("evidence.yaml"),
        evidence.replace("reports/my-story.pdf", "reports/zero.pdf"),
    )
    .unwrap();
    let text = common::stdout(&validate(&second));
    assert!(
        text.contains(
            "error[evidence-file]: the evidence path `reports/zero.pdf` is not an ordinary file"
        ),
        "{text}"
    );
}

/// Runs as the unprivileged user `nobody`, for whom permissions are enforced (root ignores them).
fn validate_as_nobody(path: &Path) -> Output {
    let mut c = Command::new(require("setpriv", "apt install util-linux"));
    c.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        env!("CARGO_BIN_EXE_ehcpack"),
    ])
    .args([
        "validate",
        path.to_str().unwrap(),
        "--today",
        common::TODAY,
        "--format",
        "json",
    ]);
    run(c)
}

/// Opens `dir` and every folder above it (up to `/tmp`) for others to enter.
fn open_for_all(dir: &Path) {
    let mut p = dir.to_path_buf();
    loop {
        let _ = fs::set_permissions(&p, fs::Permissions::from_mode(0o755));
        if !p.pop() || p == Path::new("/tmp") || p.as_os_str().is_empty() {
            break;
        }
    }
}

#[test]
fn unreadable_folders_and_files_are_reported_and_the_batch_goes_on() {
    require_root();
    let dir = common::tempdir();
    let batch = dir.path().join("received");
    common::copy_sample(&batch, "year5-passing", "a-good");
    let locked = common::copy_sample(&batch, "year5-passing", "b-locked-folder");
    let secret = common::copy_sample(&batch, "year5-passing", "c-locked-file");
    for entry in walkdir::WalkDir::new(dir.path()) {
        let entry = entry.unwrap();
        let mode = if entry.file_type().is_dir() {
            0o755
        } else {
            0o644
        };
        fs::set_permissions(entry.path(), fs::Permissions::from_mode(mode)).unwrap();
    }
    open_for_all(dir.path());
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(secret.join("pupil.yaml"), fs::Permissions::from_mode(0o000)).unwrap();
    let out = validate_as_nobody(&batch);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3, "every case is reported");
    let verdict = |name: &str| {
        cases
            .iter()
            .find(|c| c["path"].as_str().unwrap().ends_with(name))
            .unwrap()
    };
    assert_eq!(
        verdict("a-good")["verdict"],
        "pass",
        "the good case is still checked"
    );
    let folder = &verdict("b-locked-folder")["diagnostics"][0];
    assert_eq!(folder["rule"], "case-structure");
    assert!(
        folder["message"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{folder}"
    );
    let file = &verdict("c-locked-file")["diagnostics"][0];
    assert_eq!(file["file"], "pupil.yaml");
    assert!(
        file["message"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{file}"
    );
}

#[test]
fn a_full_disk_leaves_no_partial_pack() {
    require_root();
    let dir = common::tempdir();
    let tiny = dir.path().join("tiny");
    fs::create_dir(&tiny).unwrap();
    // A 64 KB file system: the pack (about 150 KB) cannot fit.
    let mounted = Command::new(require("mount", "apt install mount"))
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&tiny)
        .status()
        .unwrap();
    assert!(mounted.success(), "root mounts a tmpfs");
    let mut render = common::ehcpack_command();
    render
        .args(["render"])
        .arg(common::sample("year5-passing"))
        .args([
            "--today",
            common::TODAY,
            "-o",
            tiny.join("pack.pdf").to_str().unwrap(),
        ]);
    let out = run(render);
    let mut listing: Vec<String> = fs::read_dir(&tiny)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listing.sort();
    let _ = Command::new("umount").arg(&tiny).status();
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("No space left on device"));
    assert_eq!(listing, Vec::<String>::new(), "nothing left behind");
}
