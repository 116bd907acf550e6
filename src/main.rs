//! The `tfnotify` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tfnotify::cli::Cli::parse();
    let code = tfnotify::run(&cli);
    ExitCode::from(u8::try_from(code.clamp(0, 255)).unwrap_or(1))
}
