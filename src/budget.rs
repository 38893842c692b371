//! A memory budget for one thread: the backstop behind minijinja's fuel for a school's or LA's
//! own templates (`render --templates`), configuration ehcpack did not write. Fuel charges the
//! text and lists a template makes, but not a list joined to itself (`l + l`), which minijinja
//! keeps lazy and then makes at once, uncharged (`render::templates::MAX_TEMPLATE_MEMORY`). So
//! the thread that renders the templates runs on a budget, kept by the program's allocator:
//! every allocation the thread makes is counted, and one that would take it past the budget is
//! never made. The thread then stops where it is, for good, holding no lock, and the thread
//! waiting for it reports a clear error (see `render::templates`). Memory stays bounded for any
//! template, whatever it does.
//!
//! Threads without a budget (all others) pay one thread-local read per allocation. The
//! `ehcpack` command declares [`Budgeted`] as its global allocator (`src/main.rs`); a program
//! that uses the library without it has the templates' fuel, time and output limits only.

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The program's allocator: mimalloc (a batch makes millions of small allocations, which the
/// C library's malloc made a sixth of its CPU), with the budget of the current thread kept.
pub struct Budgeted;

thread_local! {
    /// The budget of this thread in bytes; 0 for none.
    static LIMIT: Cell<usize> = const { Cell::new(0) };
    /// What this thread has allocated (and not freed) since its budget was set.
    static USED: Cell<usize> = const { Cell::new(0) };
    /// Set when the budget would be passed; read by the thread that waits for this one.
    static SPENT: Cell<*const AtomicBool> = const { Cell::new(std::ptr::null()) };
}

/// Gives memory the program frees back to the system at once, not 10 ms later (mimalloc's
/// default), until the returned guard is dropped; then the delay is as it was. A batch frees
/// what discovering its items took just as its checking threads start taking their own, and
/// with the delay the two added up, so a batch's peak grew with its size (30,000 cases 1.33
/// times 1,000; at once: 1.14 times). Held by [`crate::batch::Batch::discover`] while it
/// discovers, and not while the batch checks: a received pack's large buffers given back at
/// once and faulted in again for the next pack cost 6% of a batch of packs' CPU, as it cost a
/// long pack's `render` 5-9%.
#[must_use = "memory is given back at once only while the guard lives"]
pub fn return_freed_memory_at_once() -> FreedAtOnce {
    // SAFETY: mimalloc's own functions, linked with the allocator; they read and set a number.
    let before = unsafe { mi_option_get(PURGE_DELAY) };
    unsafe { mi_option_set(PURGE_DELAY, 0) };
    FreedAtOnce { before }
}

/// While it lives, freed memory goes back to the system at once
/// ([`return_freed_memory_at_once`]).
pub struct FreedAtOnce {
    before: std::ffi::c_long,
}

impl Drop for FreedAtOnce {
    fn drop(&mut self) {
        // SAFETY: as in `return_freed_memory_at_once`.
        unsafe { mi_option_set(PURGE_DELAY, self.before) };
    }
}

// mimalloc's `mi_option_purge_delay` (the bundled v3's `mimalloc.h`: the 16th option); the
// `mimalloc` crate names no constant for it, nor declares these two functions.
const PURGE_DELAY: std::ffi::c_int = 15;
unsafe extern "C" {
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Whether this platform keeps budgets. Reading a thread-local inside the allocator is only
/// safe where thread-locals live in the thread's own static storage; on Windows (GNU target)
/// std makes them on first use, with an allocation, which would call the allocator again
/// without end. There the templates keep their time and output limits only.
const KEPT: bool = cfg!(not(windows));

/// Counts `size` more bytes against this thread's budget; false when they would pass it.
fn charge(size: usize) -> bool {
    if !KEPT {
        return true;
    }
    let limit = LIMIT.try_with(Cell::get).unwrap_or(0);
    if limit == 0 {
        return true;
    }
    let used = USED.try_with(Cell::get).unwrap_or(0);
    match used.checked_add(size) {
        Some(total) if total <= limit => {
            let _ = USED.try_with(|u| u.set(total));
            true
        }
        _ => false,
    }
}

fn release(size: usize) {
    if !KEPT {
        return;
    }
    if LIMIT.try_with(Cell::get).unwrap_or(0) != 0 {
        let _ = USED.try_with(|u| u.set(u.get().saturating_sub(size)));
    }
}

/// The budget is spent: say so, and stop this thread for good without allocating (it holds no
/// lock here: the allocation it asked for was never made).
fn stop_here() -> ! {
    if let Ok(flag) = SPENT.try_with(Cell::get) {
        if !flag.is_null() {
            // SAFETY: set by `limit_this_thread` from an `Arc` that the `Budget` guard of this
            // very thread keeps alive, and this thread never returns from here to drop it.
            unsafe { (*flag).store(true, Ordering::SeqCst) };
        }
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

// SAFETY: every call goes to mimalloc unchanged; the budget only decides whether
// an allocation is asked for at all.
unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !charge(layout.size()) {
            stop_here();
        }
        // SAFETY: the caller's layout, passed on.
        unsafe { MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !charge(layout.size()) {
            stop_here();
        }
        // SAFETY: as above.
        unsafe { MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        release(layout.size());
        // SAFETY: a block this allocator gave, with its layout.
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            if !charge(new_size - layout.size()) {
                stop_here();
            }
        } else {
            release(layout.size() - new_size);
        }
        // SAFETY: as above.
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// While it lives, the current thread may allocate at most `bytes` more than it frees; past
/// that, it stops and `spent` is set.
pub struct Budget {
    _spent: Arc<AtomicBool>,
}

/// Puts the current thread on a budget of `bytes` (the program must use [`Budgeted`] as its
/// global allocator, as ehcpack's does; elsewhere the budget is not kept).
pub fn limit_this_thread(bytes: usize, spent: Arc<AtomicBool>) -> Budget {
    SPENT.with(|s| s.set(Arc::as_ptr(&spent)));
    USED.with(|u| u.set(0));
    LIMIT.with(|l| l.set(bytes.max(1)));
    Budget { _spent: spent }
}

impl Drop for Budget {
    fn drop(&mut self) {
        let _ = LIMIT.try_with(|l| l.set(0));
        let _ = SPENT.try_with(|s| s.set(std::ptr::null()));
    }
}
