use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = reglint::cli::Cli::parse();
    let code = reglint::app::run(cli);
    std::process::ExitCode::from(code)
}
