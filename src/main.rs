fn main() {
    std::process::exit(ehcpack::cli::run());
}
