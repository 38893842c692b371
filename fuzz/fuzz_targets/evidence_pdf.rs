//! One evidence PDF's bytes through `evidence_pdf::inspect`, the reader `validate` uses on every
//! evidence file named .pdf: the iterative pre-scan (nesting, object count, stream lengths,
//! inflated size), lopdf's load and the page-tree walk. None of it may panic, overflow the stack
//! or take memory beyond its caps. A PDF it accepts must load again as render loads it, and
//! its text and metadata read for a protected address within `MAX_SCANNED_TEXT_BYTES`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((facts, text)) = ehcpack::evidence_pdf::inspect_with_text(data) {
        let read: usize = text.pages.iter().chain(&text.metadata).map(String::len).sum();
        assert!(read <= ehcpack::evidence_pdf::MAX_SCANNED_TEXT_BYTES);
        assert!(facts.pages >= 1 && facts.pages <= ehcpack::evidence_pdf::MAX_PAGES);
        let document = lopdf::Document::load_mem(data).expect("accepted, so it loads");
        // What render does with an attachment: its pages, in order.
        let _ = document.get_pages();
    }
});
