//! One invocation from flags to exit code: the stages wired together.
//!
//! This is the only place that knows the order of things and who decides the exit code:
//! settings first (so a broken config or template is reported at once), then the
//! pass-through, always complete, then parsing, rendering and delivery, each of which may
//! fail without taking the ones before it down. A panic inside the parser (a bug) stops
//! parsing, never the pass-through.

mod completions;
mod config_cmd;
mod deliver;
mod guarded;
mod inspect;
mod man_page;
mod modules;
mod report_file;
mod sample_overview;
mod saved_plan;
mod step_summary;
mod summarise;
mod summary;

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

use crate::cli::{Cli, CliCommand, ColorChoice};
use crate::error::{EXIT_USAGE, Error};
use crate::mask::Masker;
use crate::model::{Command, Report};
use crate::settings::{Settings, World};

/// Runs one invocation and returns the process exit code.
pub fn run(cli: &Cli) -> i32 {
    install_panic_hook();
    let world = World::process();
    match &cli.command {
        CliCommand::Plan(args) => summarise::summarise(cli, Command::Plan, args, &world),
        CliCommand::Apply(args) => summarise::summarise(cli, Command::Apply, args, &world),
        CliCommand::Destroy(args) => summarise::summarise(cli, Command::Destroy, args, &world),
        CliCommand::Fmt(args) => summarise::summarise(cli, Command::Fmt, args, &world),
        CliCommand::Validate(args) => summarise::summarise(cli, Command::Validate, args, &world),
        CliCommand::Summary(args) => summary::summary(cli, args, &world),
        CliCommand::Parse(args) => inspect::parse_only(args),
        CliCommand::Render(args) => inspect::render_only(cli, args, &world),
        CliCommand::Config(command) => config_cmd::config(cli, command, &world),
        CliCommand::Completions(args) => completions::completions(args),
        CliCommand::Man(args) => man_page::man(args),
    }
}

/// Resolves settings and reports at once what is wrong with them or worth knowing.
fn settings(cli: &Cli, world: &World<'_>) -> (Settings, Vec<Error>) {
    let (settings, errors) = Settings::resolve(cli, world);
    for warning in &settings.warnings {
        let _ = writeln!(io::stderr(), "tfnotify: warning: {warning}");
    }
    for error in &errors {
        report_error(error);
    }
    (settings, errors)
}

/// Who decides the exit code: a wrapped program's code is ours (our own failures only turn
/// a 0 into a failure); in stdin mode the outcome decides, as in the classic tfnotify.
fn exit_code(child: Option<i32>, report: Option<&Report>, errors: &[Error]) -> i32 {
    let own = errors.iter().map(Error::exit_code).max();
    if let Some(code) = child {
        let own_failure = errors
            .iter()
            .any(|e| !matches!(e, Error::EmptyInput { .. } | Error::Parse { .. }));
        return if code == 0 && own_failure {
            own.unwrap_or(EXIT_USAGE)
        } else {
            code
        };
    }
    if let Some(code) = own {
        return code;
    }
    match report {
        Some(report) if report.outcome.is_success() => 0,
        _ => 1,
    }
}

/// Reports a panic in one line, with no backtrace: the user sees what failed and that the
/// output above is complete.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()));
        let text = panic_text(&message, location.as_deref(), PANIC_MASKER.get());
        let _ = io::stderr().write_all(text.as_bytes());
    }));
}

/// The masks of this run, for the panic hook: a panic's message can quote the data it
/// failed on, and it leaves the machine in the CI log like everything else.
static PANIC_MASKER: OnceLock<Masker> = OnceLock::new();

/// Hands the run's masks to the panic hook (once; later calls change nothing).
fn mask_panics_with(masker: &Masker) {
    let _ = PANIC_MASKER.set(masker.clone());
}

/// The one line a panic prints, masked.
fn panic_text(message: &str, location: Option<&str>, masker: Option<&Masker>) -> String {
    let line = format!(
        "tfnotify: internal error: {message}{}\n",
        location.unwrap_or_default()
    );
    match masker {
        Some(masker) => masker.mask(&line).into_owned(),
        None => line,
    }
}

/// Prints an error and its hint on stderr.
fn report_error(error: &Error) {
    let _ = io::stderr().lock().write_all(error_text(error).as_bytes());
}

/// An error and its hint, as they are printed on stderr.
fn error_text(error: &Error) -> String {
    let mut text = format!("tfnotify: error: {error}\n");
    if let Some(hint) = error.hint() {
        let _ = writeln!(text, "  hint: {hint}");
    }
    text
}

/// Whether the stderr summary gets colour.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Writes `bytes` to stdout; see [`stdout_exit_code`].
fn write_stdout(bytes: &[u8]) -> i32 {
    let mut stdout = io::stdout().lock();
    stdout_exit_code(stdout.write_all(bytes).and_then(|()| stdout.flush()))
}

/// The exit code after writing a result to stdout: a closed pipe is the reader's choice,
/// not a failure; anything else is a delivery failure.
fn stdout_exit_code(written: io::Result<()>) -> i32 {
    match written {
        Ok(()) => 0,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            report_error(&Error::Output {
                path: "stdout".into(),
                source: e,
            });
            crate::error::EXIT_DELIVERY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::panic_text;
    use crate::mask::Masker;

    #[test]
    fn a_panic_message_is_masked() {
        let masker = Masker::empty().with_literal("env:DB_PASS", "Pa\"ss\\w0rd");
        let text = panic_text(
            "cannot parse \"Pa\\\"ss\\\\w0rd\" near Pa\"ss\\w0rd",
            Some(" at src/x.rs:1"),
            Some(&masker),
        );
        assert!(!text.contains("w0rd"), "{text}");
        assert!(text.starts_with("tfnotify: internal error: cannot parse "));
        assert!(text.ends_with(" at src/x.rs:1\n"));
    }
}
