//! Helpers shared by the integration tests: the repository root, running the real binary the
//! way a user does, and copying a sample case to edit.

#![allow(dead_code)] // each test file uses the helpers it needs

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where README.md and sample-cases/ are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A sample case folder by name.
pub fn sample(name: &str) -> PathBuf {
    root().join("sample-cases").join(name)
}

/// The `ehcpack` binary as built for these tests.
pub fn ehcpack_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ehcpack"));
    // What a user at an 100-column terminal without colour would see, whatever runs the tests.
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// Runs `ehcpack ARGS` from the repository root.
pub fn ehcpack(args: &[&str]) -> Output {
    ehcpack_command()
        .args(args)
        .output()
        .expect("the ehcpack binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies a folder and everything in it.
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
