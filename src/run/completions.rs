//! `tfnotify completions SHELL`: the shell's completion script, generated from the same
//! clap definition the binary parses with, so it always knows every command and flag.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::run::write_stdout;

/// Prints the completion script; reads nothing, so it works anywhere (a package build, a
/// shell profile) without a config, CI or stdin.
pub(super) fn completions(args: &CompletionsArgs) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "tfnotify", &mut script);
    write_stdout(&script)
}
