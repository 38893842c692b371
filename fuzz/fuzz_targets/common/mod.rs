//! What the whole-case targets (`validate_case`, `render`) share: the input form and the case
//! folder it is written into.
//!
//! The input is a list of files separated by the byte 0xFF (never part of UTF-8 text): the first
//! byte of each file picks its name from [`NAMES`] (modulo), the rest is its content. A name
//! given twice keeps the later content. `fuzz/make_seeds.py` writes the sample cases in this form.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ehcpack::profile::Profile;

pub const NAMES: [&str; 16] = [
    "pupil.yaml",
    "family.yaml",
    "needs.yaml",
    "health.yaml",
    "plan-1.yaml",
    "plan-2.yaml",
    "plan-3.yaml",
    "attainment.yaml",
    "views.yaml",
    "professionals.yaml",
    "request.yaml",
    "consent.yaml",
    "evidence.yaml",
    "plan-4.yaml",
    "extra.yml",
    "reports/notes.yaml",
];

/// Files per case at most (the samples have 13).
pub const MAX_FILES: usize = 16;

/// A case folder for this process (on tmpfs where there is one) named `ehcpack-fuzz-<target>-<pid>`,
/// with `reports` holding the given PDFs, made once.
pub fn case_dir(target: &str, reports: &[(&str, &[u8])]) -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("ehcpack-fuzz-{target}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("reports")).expect("make the fuzz case folder");
    for (name, bytes) in reports {
        fs::write(dir.join("reports").join(name), bytes).expect("write a PDF");
    }
    dir
}

/// Empties the case folder of the previous input's files and writes this input's.
pub fn write_case(dir: &Path, data: &[u8]) {
    for name in NAMES {
        let _ = fs::remove_file(dir.join(name));
    }
    for chunk in data.split(|b| *b == 0xFF).take(MAX_FILES) {
        let Some((&pick, content)) = chunk.split_first() else {
            continue;
        };
        let name = NAMES[pick as usize % NAMES.len()];
        fs::write(dir.join(name), content).expect("write a case file");
    }
}

pub fn profile() -> &'static Profile {
    static PROFILE: OnceLock<Profile> = OnceLock::new();
    PROFILE.get_or_init(Profile::durham)
}
