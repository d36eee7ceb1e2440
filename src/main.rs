use clap::Parser;

// Reading large registries allocates many small strings on several threads; mimalloc does that
// faster than the system allocator (about a fifth less CPU time on a million items).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = reglint::cli::Cli::parse();
    let code = reglint::app::run(cli);
    std::process::ExitCode::from(code)
}
