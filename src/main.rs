/// The templates' thread keeps to its memory budget through this allocator (see
/// `ehcpack::budget`).
#[global_allocator]
static ALLOCATOR: ehcpack::budget::Budgeted = ehcpack::budget::Budgeted;

fn main() {
    std::process::exit(ehcpack::cli::run());
}
