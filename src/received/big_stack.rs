//! The reader of a PDF someone else made runs on a thread with a large stack: lopdf parses
//! recursively (with its own depth limit), and however the objects nest, a received PDF must be
//! a finding, never a stack overflow; a panic inside the reader is a finding too.
//!
//! The threads are made once per run and reused, rather than one spawned (and its 64 MB stack
//! mapped) for every PDF that goes the full way.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

/// The stack each reader thread has.
const STACK: usize = 64 * 1024 * 1024;

/// Why the reader gave no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failed {
    /// The reader panicked on the file (a damaged or crafted PDF).
    #[error("the PDF is damaged in a way its reader could not handle")]
    Panicked,
    /// No reader thread could be made (the system is out of threads or memory).
    #[error("no thread could be made to read it: {0}")]
    NoThread(String),
}

fn pool() -> Result<&'static rayon::ThreadPool, Failed> {
    static POOL: OnceLock<Result<rayon::ThreadPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads().max(1))
            .stack_size(STACK)
            .thread_name(|i| format!("ehcpack-pdf-{i}"))
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Failed::NoThread(e.clone()))
}

/// Runs `read` on one of the reader threads and waits for its answer.
pub(crate) fn run<T: Send>(read: impl FnOnce() -> T + Send) -> Result<T, Failed> {
    pool()?
        .install(|| catch_unwind(AssertUnwindSafe(read)))
        .map_err(|_| Failed::Panicked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deep_recursion_fits_the_stack_and_a_panic_is_an_answer() {
        fn depth(n: u32) -> u32 {
            let pad = std::hint::black_box([0u8; 512]);
            if n == 0 {
                u32::from(pad[0])
            } else {
                depth(n - 1) + 1
            }
        }
        // Some 40 MB of stack: more than a default thread has, within the reader's.
        assert_eq!(run(|| depth(60_000)).unwrap(), 60_000);
        assert!(matches!(
            run(|| -> u32 { panic!("crafted") }),
            Err(Failed::Panicked)
        ));
        // The same threads serve every read.
        let names: std::collections::HashSet<String> = (0..50)
            .map(|_| run(|| std::thread::current().name().unwrap().to_string()).unwrap())
            .collect();
        assert!(
            names.len() <= rayon::current_num_threads().max(1),
            "{names:?}"
        );
    }
}
