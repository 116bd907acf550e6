//! tfnotify turns Terraform output into a clear review note.
//!
//! The pipeline runs in one direction:
//!
//! ```text
//! input ──> parse ──> model ──> render ──> notify
//! (bytes)   (lines)   (Report)  (text)     (terminal, file, …)
//! ```
//!
//! [`input`] passes every byte of Terraform's output through as it arrives and hands a copy
//! on; [`parse`] reads that copy into a [`model::Report`]; [`render`] writes reports for
//! people; [`notify`] delivers them. [`run`] wires the stages together and owns the exit
//! code, so the rules about what wins (Terraform's code, our failures) live in one place.

pub mod ci;
pub mod cli;
pub mod error;
pub mod input;
pub mod model;
pub mod notify;
pub mod parse;
pub mod render;

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;

use crate::cli::{Cli, CliCommand, ColorChoice, Format, ParseArgs, RunArgs};
use crate::error::{EXIT_USAGE, Error};
use crate::input::Stream;
use crate::model::{Command, Report};
use crate::parse::{Collector, ParseError};

/// Runs one invocation and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let color = cli.color;
    match cli.command {
        CliCommand::Plan(args) => summarise(Command::Plan, &args, color),
        CliCommand::Apply(args) => summarise(Command::Apply, &args, color),
        CliCommand::Destroy(args) => summarise(Command::Destroy, &args, color),
        CliCommand::Fmt(args) => summarise(Command::Fmt, &args, color),
        CliCommand::Validate(args) => summarise(Command::Validate, &args, color),
        CliCommand::Parse(args) => parse_only(&args),
    }
}

/// Pass-through, parse, summary: the main job.
fn summarise(command: Command, args: &RunArgs, color: ColorChoice) -> i32 {
    let collector = Mutex::new(if args.program.is_empty() {
        Collector::new(command)
    } else {
        Collector::with_streams(command)
    });
    let feed = |stream: Stream, chunk: &[u8]| {
        // A panic in one feed poisons the lock; later chunks must still pass through.
        let mut collector = collector
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        collector.feed(stream, chunk);
    };
    let (child_code, input_error) = match args.program.split_first() {
        None => {
            input::guard_stdin_mode();
            let result = input::tee(io::stdin().lock(), io::stdout().lock(), |c| {
                feed(Stream::Stdout, c);
            });
            (None, result.err().map(|source| Error::Stdin { source }))
        }
        Some((program, rest)) => match input::run_command(program, rest, &feed) {
            Ok(code) => (Some(code), None),
            Err(e) => (None, Some(Error::from(e))),
        },
    };
    let collector = collector
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

    let mut errors: Vec<Error> = input_error.into_iter().collect();
    let report = match finish(collector, command, args.plan_json.as_deref()) {
        Ok(report) => Some(report),
        Err(e) => {
            // A spawn failure already says everything; "no input" would only repeat it.
            if errors.is_empty() {
                errors.push(e);
            }
            None
        }
    };

    if let Some(report) = &report {
        if !args.quiet {
            notify::local::print_summary(&render::terminal(report, use_color(color)));
        }
        if let Some(path) = &args.output
            && let Err(e) = notify::local::append_markdown(path, &render::markdown(report))
        {
            errors.push(e);
        }
    }
    for error in &errors {
        report_error(error);
    }
    exit_code(child_code, report.as_ref(), &errors)
}

/// Ends parsing and lays a `--plan-json` file over the result.
fn finish(
    collector: Collector,
    command: Command,
    plan_json: Option<&std::path::Path>,
) -> Result<Report, Error> {
    let text = collector.finish();
    let Some(path) = plan_json else {
        return text.map_err(|source| parse_error(command, source));
    };
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let plan = parse::parse_json(io::BufReader::new(file), command)
        .map_err(|source| parse_error(command, source))?;
    match text {
        Ok(mut report) => {
            parse::overlay_plan(&mut report, plan);
            Ok(report)
        }
        Err(ParseError::Empty) => Ok(plan),
        Err(source) => Err(parse_error(command, source)),
    }
}

fn parse_error(command: Command, source: ParseError) -> Error {
    match source {
        ParseError::Empty => Error::EmptyInput { command },
        source => Error::Parse { command, source },
    }
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

/// `tfnotify parse`: the report as JSON or text on stdout, nothing else.
fn parse_only(args: &ParseArgs) -> i32 {
    let command = Command::from(args.kind);
    let mut collector = Collector::new(command);
    let read = match args.file.as_deref() {
        None => read_all(io::stdin().lock(), &mut collector),
        Some(path) if path.as_os_str() == "-" => read_all(io::stdin().lock(), &mut collector),
        Some(path) => File::open(path)
            .map_err(|source| Error::Read {
                path: path.to_owned(),
                source,
            })
            .and_then(|file| read_all(file, &mut collector)),
    };
    let result = read.and_then(|()| finish(collector, command, args.plan_json.as_deref()));
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            report_error(&error);
            return error.exit_code();
        }
    };
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let written = match args.format {
        // Streamed: a 100,000-resource report need not exist twice in memory.
        Format::Json => serde_json::to_writer_pretty(&mut stdout, &report)
            .map_err(io::Error::other)
            .and_then(|()| stdout.write_all(b"\n")),
        Format::Text => stdout.write_all(render::terminal(&report, false).as_bytes()),
    }
    .and_then(|()| stdout.flush());
    match written {
        Ok(()) => 0,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            report_error(&Error::Output {
                path: "stdout".into(),
                source: e,
            });
            error::EXIT_DELIVERY
        }
    }
}

fn read_all(reader: impl io::Read, collector: &mut Collector) -> Result<(), Error> {
    input::tee(reader, io::sink(), |chunk| {
        collector.feed(Stream::Stdout, chunk);
    })
    .map(|_| ())
    .map_err(|source| Error::Stdin { source })
}

/// Prints an error and its hint on stderr.
fn report_error(error: &Error) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "tfnotify: error: {error}");
    if let Some(hint) = error.hint() {
        let _ = writeln!(stderr, "  hint: {hint}");
    }
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
