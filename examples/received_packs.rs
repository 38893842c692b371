//! Writes a pack PDF for each case folder under a folder, embedding the case as `render` does
//! (the manifest contract in `src/manifest.rs`) on a one-page PDF, without laying out the pages.
//! For `bench/received.sh PACKS=embedded`: quick to make, for measuring the LA side's reading and
//! checking apart from the size of real pages.
//!
//! Usage: cargo run --release --example received_packs -- CASES_DIR OUT_DIR

#[path = "../tests/common/packs.rs"]
mod packs;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cases, out] = args.as_slice() else {
        eprintln!("usage: received_packs CASES_DIR OUT_DIR");
        std::process::exit(2);
    };
    std::fs::create_dir_all(out).expect("the output folder can be made");
    let mut n = 0;
    let found = ehcpack::batch::folders::discover(std::path::Path::new(cases));
    for case in found.items.into_iter().filter_map(|item| match item {
        ehcpack::batch::folders::Item::Case(path) => Some(path),
        ehcpack::batch::folders::Item::Problem { .. } => None,
    }) {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let pdf = packs::pack_pdf(&packs::spec_of(&case), packs::Listing::NameTree);
        std::fs::write(std::path::Path::new(out).join(format!("{name}.pdf")), pdf)
            .expect("the pack can be written");
        n += 1;
    }
    println!("wrote {n} packs into {out}");
}
