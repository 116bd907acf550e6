//! One invocation from flags to exit code: the stages wired together.
//!
//! This is the only place that knows the order of things and who decides the exit code:
//! the pass-through first, always complete; then parsing, rendering and delivery, each of
//! which may fail without taking the ones before it down. A panic inside the parser (a bug)
//! stops parsing, never the pass-through.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, PoisonError};

use crate::cli::{Cli, CliCommand, ColorChoice, Format, ParseArgs, RenderArgs, RunArgs};
use crate::error::{EXIT_USAGE, Error};
use crate::input::Stream;
use crate::model::{Command, Report};
use crate::parse::{Collector, ParseError};
use crate::render::{Context, Extras, Flavor, Message, Spec};
use crate::{error, input, notify, parse, render};

/// Runs one invocation and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    install_panic_hook();
    let color = cli.color;
    match cli.command {
        CliCommand::Plan(args) => summarise(Command::Plan, &args, color),
        CliCommand::Apply(args) => summarise(Command::Apply, &args, color),
        CliCommand::Destroy(args) => summarise(Command::Destroy, &args, color),
        CliCommand::Fmt(args) => summarise(Command::Fmt, &args, color),
        CliCommand::Validate(args) => summarise(Command::Validate, &args, color),
        CliCommand::Parse(args) => parse_only(&args),
        CliCommand::Render(args) => render_only(&args),
    }
}

/// Pass-through, parse, summary: the main job.
fn summarise(command: Command, args: &RunArgs, color: ColorChoice) -> i32 {
    let parser = Guarded::new(if args.program.is_empty() {
        Collector::new(command)
    } else {
        Collector::with_streams(command)
    });
    // Templates are parsed before any input is read, so a broken one is reported at once,
    // not after Terraform has run for ten minutes.
    let mut errors: Vec<Error> = Vec::new();
    let message = match args.output {
        Some(_) => match build_message(command) {
            Ok(message) => Some(message),
            Err(error) => {
                report_error(&error);
                errors.push(error);
                None
            }
        },
        None => None,
    };
    let feed = |stream: Stream, chunk: &[u8]| parser.feed(stream, chunk);
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

    errors.extend(input_error);
    let report = match parser.finish() {
        Ok(mut report) => {
            if let Some(path) = &args.plan_json {
                // A bad JSON plan costs the resource details, not the summary.
                match read_plan_json(path, command) {
                    Ok(plan) => parse::overlay_plan(&mut report, plan),
                    Err(e) => errors.push(e),
                }
            }
            Some(report)
        }
        Err(Error::EmptyInput { .. }) if args.plan_json.is_some() => {
            match args
                .plan_json
                .as_deref()
                .map(|p| read_plan_json(p, command))
            {
                Some(Ok(plan)) => Some(plan),
                Some(Err(e)) => {
                    errors.push(e);
                    None
                }
                None => None,
            }
        }
        Err(e) => {
            // A spawn failure already says everything; "no input" would only repeat it.
            if errors.is_empty() {
                errors.push(e);
            }
            None
        }
    };

    if let Some(report) = &report {
        let delivered = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if !args.quiet {
                notify::local::print_summary(&render::terminal(report, use_color(color)));
            }
            match (&args.output, &message) {
                (Some(path), Some(message)) => {
                    let extras = Extras {
                        exit_code: child_code,
                        ..Extras::default()
                    };
                    let text = message
                        .render(&Context::new(report, &extras))
                        .map_err(|e| Error::Template { message: e.message })?;
                    notify::local::append_markdown(path, &text)
                }
                _ => Ok(()),
            }
        }));
        match delivered {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(e),
            Err(_) => errors.push(Error::Internal { stage: "rendering" }),
        }
    }
    for error in &errors {
        report_error(error);
    }
    exit_code(child_code, report.as_ref(), &errors)
}

/// What [`Guarded`] fences off: something that parses chunks into a report.
trait ChunkParser {
    fn command(&self) -> Command;
    fn feed(&mut self, stream: Stream, chunk: &[u8]);
    fn finish(self) -> Result<Report, ParseError>;
}

impl ChunkParser for Collector {
    fn command(&self) -> Command {
        Collector::command(self)
    }
    fn feed(&mut self, stream: Stream, chunk: &[u8]) {
        Collector::feed(self, stream, chunk);
    }
    fn finish(self) -> Result<Report, ParseError> {
        Collector::finish(self)
    }
}

/// The message template for `--output`: our Markdown default.
fn build_message(command: Command) -> Result<Message, Error> {
    let overrides = BTreeMap::new();
    let spec = Spec {
        flavor: Flavor::Markdown,
        command,
        template: None,
        overrides: &overrides,
        raw: false,
    };
    Message::build(&spec).map_err(|e| Error::Template { message: e.message })
}

/// The parser behind a lock, fenced off so that a bug in it cannot stop the pass-through.
struct Guarded<P> {
    parser: Mutex<Option<P>>,
    command: Command,
}

impl<P: ChunkParser> Guarded<P> {
    fn new(parser: P) -> Self {
        let command = parser.command();
        Guarded {
            parser: Mutex::new(Some(parser)),
            command,
        }
    }

    /// Parses a chunk that has already been passed through. After a panic the parser is
    /// dropped and later chunks are only passed through.
    fn feed(&self, stream: Stream, chunk: &[u8]) {
        let mut slot = self.parser.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(parser) = slot.as_mut() else {
            return;
        };
        if std::panic::catch_unwind(AssertUnwindSafe(|| parser.feed(stream, chunk))).is_err() {
            *slot = None;
        }
    }

    fn finish(self) -> Result<Report, Error> {
        let parser = self
            .parser
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let command = self.command;
        let Some(parser) = parser else {
            return Err(Error::Internal { stage: "parsing" });
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| parser.finish())) {
            Ok(result) => result.map_err(|source| parse_error(command, source)),
            Err(_) => Err(Error::Internal { stage: "parsing" }),
        }
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
        let _ = writeln!(
            io::stderr(),
            "tfnotify: internal error: {message}{}",
            location.unwrap_or_default()
        );
    }));
}

fn read_plan_json(path: &std::path::Path, command: Command) -> Result<Report, Error> {
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    parse::parse_json(io::BufReader::new(file), command)
        .map_err(|source| parse_error(command, source))
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

/// `tfnotify render`: a message, or the context it is rendered from, on stdout.
fn render_only(args: &RenderArgs) -> i32 {
    match render_to_string(args) {
        Ok(text) => write_stdout(text.as_bytes()),
        Err(error) => {
            report_error(&error);
            error.exit_code()
        }
    }
}

fn render_to_string(args: &RenderArgs) -> Result<String, Error> {
    let command = Command::from(args.kind);
    let vars = parse_vars(&args.vars)?;
    let context = if let Some(path) = &args.context {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| Error::ContextJson {
            path: path.clone(),
            source,
        })?
    } else {
        let report = read_report(command, args.file.as_deref(), None)?;
        let extras = Extras {
            title: args.title.clone(),
            message: args.message.clone(),
            vars,
            ..Extras::default()
        };
        Context::new(&report, &extras).to_value()
    };
    if args.dump_context {
        let mut text = serde_json::to_string_pretty(&context)
            .map_err(io::Error::other)
            .map_err(|source| Error::Output {
                path: "stdout".into(),
                source,
            })?;
        text.push('\n');
        return Ok(text);
    }
    let template = match &args.template {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?),
        None => None,
    };
    let overrides = BTreeMap::new();
    let spec = Spec {
        flavor: Flavor::Markdown,
        command,
        template: template.as_deref(),
        overrides: &overrides,
        raw: args.raw,
    };
    let message = Message::build(&spec).map_err(|e| Error::Template { message: e.message })?;
    message
        .render_value(&context)
        .map_err(|e| Error::Template { message: e.message })
}

/// `--var NAME:VALUE` flags as a map; later flags win.
fn parse_vars(flags: &[String]) -> Result<BTreeMap<String, String>, Error> {
    let mut vars = BTreeMap::new();
    for flag in flags {
        let Some((name, value)) = flag.split_once(':') else {
            return Err(Error::Var {
                value: flag.clone(),
            });
        };
        vars.insert(name.to_owned(), value.to_owned());
    }
    Ok(vars)
}

/// Reads a whole output (a file, or stdin for `None` and `-`) into a report.
fn read_report(
    command: Command,
    file: Option<&std::path::Path>,
    plan_json: Option<&std::path::Path>,
) -> Result<Report, Error> {
    let mut collector = Collector::new(command);
    match file {
        Some(path) if path.as_os_str() != "-" => {
            let file = File::open(path).map_err(|source| Error::Read {
                path: path.to_owned(),
                source,
            })?;
            read_all(file, &mut collector)?;
        }
        _ => read_all(io::stdin().lock(), &mut collector)?,
    }
    finish(collector, command, plan_json)
}

/// Writes `bytes` to stdout; a closed pipe is the reader's choice, not a failure.
fn write_stdout(bytes: &[u8]) -> i32 {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
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

#[cfg(test)]
mod tests {
    use super::{ChunkParser, Guarded};
    use crate::error::Error;
    use crate::input::Stream;
    use crate::model::{Command, Report};
    use crate::parse::ParseError;

    /// A parser with a bug: it panics on the chunk that says so.
    struct Buggy {
        fed: usize,
    }

    impl ChunkParser for Buggy {
        fn command(&self) -> Command {
            Command::Plan
        }
        fn feed(&mut self, _: Stream, chunk: &[u8]) {
            assert!(chunk != b"boom", "parser bug");
            self.fed += 1;
        }
        fn finish(self) -> Result<Report, ParseError> {
            Ok(Report::new(Command::Plan))
        }
    }

    #[test]
    fn a_parser_panic_stops_parsing_not_the_caller() {
        let guarded = Guarded::new(Buggy { fed: 0 });
        guarded.feed(Stream::Stdout, b"fine");
        guarded.feed(Stream::Stdout, b"boom");
        guarded.feed(Stream::Stdout, b"after");
        assert!(matches!(
            guarded.finish(),
            Err(Error::Internal { stage: "parsing" })
        ));
    }

    #[test]
    fn a_healthy_parser_finishes() {
        let guarded = Guarded::new(Buggy { fed: 0 });
        guarded.feed(Stream::Stdout, b"fine");
        assert!(guarded.finish().is_ok());
    }
}
