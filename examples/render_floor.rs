//! The render benchmark's floor: `cargo run --release --example render_floor -- OUT.pdf`.
//!
//! What any pack of ehcpack's must cost at least, as issue 20 defines it: read the four bundled
//! fonts from `fonts/`, deflate 806 KB and write the result to a file. Issue 20 asks `render` of
//! year5-passing to take at most twice this CPU.
// A benchmark reads its fixtures directly, not through the capped reader.
#![allow(clippy::disallowed_methods)]

use std::io::Write;

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: render_floor OUT.pdf");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    let mut fonts = Vec::new();
    for name in [
        "AtkinsonHyperlegibleNext-Regular.ttf",
        "AtkinsonHyperlegibleNext-Bold.ttf",
        "NotoSans-Regular.ttf",
        "NotoSans-Bold.ttf",
    ] {
        fonts.extend(std::fs::read(dir.join(name)).expect("the bundled fonts"));
    }
    // 806 KB: the fonts' first bytes, then their text again (font tables compress about as a
    // pack's streams do).
    const BYTES: usize = 806 * 1024;
    let data: Vec<u8> = fonts.iter().copied().cycle().take(BYTES).collect();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&data).unwrap();
    let deflated = z.finish().unwrap();
    std::fs::write(&out, &deflated).unwrap();
    println!(
        "{} bytes of fonts, {BYTES} deflated to {}",
        fonts.len(),
        deflated.len()
    );
}
