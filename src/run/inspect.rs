//! The commands that read an output and print something about it: `parse` and `render`.
//! They post nothing and pass nothing through.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use crate::cli::{Cli, Format, ParseArgs, RenderArgs};
use crate::error::{Error, Reader};
use crate::input::{self, Stream};
use crate::model::{Command, Report};
use crate::parse::{self, Collector, ParseError};
use crate::render::{self, Context, Extras, Flavor, Message, Spec};
use crate::run::saved_plan;
use crate::run::{report_error, settings, stdout_exit_code, write_stdout};
use crate::settings::{Settings, World};
use crate::template::Value;

/// `tfnotify parse`: the report as JSON or text on stdout, nothing else.
pub(super) fn parse_only(args: &ParseArgs) -> i32 {
    let command = Command::from(args.kind);
    if command == Command::Summary {
        let error = Error::NotTerraform { word: "summary" };
        report_error(&error);
        return error.exit_code();
    }
    let result = match &args.saved.plan_file {
        Some(plan) => saved_plan::read(plan, &args.saved, command, Reader::Parse),
        None => read_output(args, command),
    };
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
    stdout_exit_code(written)
}

/// The report of the output `parse` reads: a file, or stdin.
fn read_output(args: &ParseArgs, command: Command) -> Result<Report, Error> {
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
    read.and_then(|()| finish(collector, command, Reader::Parse, args.plan_json.as_deref()))
}

/// `tfnotify render`: a message, or the context it is rendered from, on stdout.
pub(super) fn render_only(cli: &Cli, args: &RenderArgs, world: &World<'_>) -> i32 {
    let (settings, errors) = settings(cli, world);
    if let Some(error) = errors.first() {
        return error.exit_code();
    }
    let command = Command::from(args.kind);
    let rendered = || -> Result<String, Error> {
        // A context read from a file or made for the summary is JSON; a report's is made
        // in the engine's own form (see `render::template_data`), unless it is printed.
        let context = match json_context(args, &settings, command)? {
            Some(json) if args.dump_context => return pretty(&json),
            Some(json) => Value::from(&json),
            None => {
                let mut report = match &args.saved.plan_file {
                    Some(plan) => saved_plan::read(plan, &args.saved, command, Reader::Render)?,
                    None => read_report(command, Reader::Render, args.file.as_deref(), None)?,
                };
                settings.guard.mark(&mut report);
                let extras = Extras {
                    title: args.title.clone(),
                    message: args.message.clone(),
                    vars: settings.vars.clone(),
                    ci: Some(&settings.ci),
                    summary_enabled: settings.config.ai_summary.enabled,
                    ..Extras::default()
                };
                let context = Context::new(&report, &extras);
                if args.dump_context {
                    let mut json = context.to_value();
                    if let Some(prompt) = ai_prompt(&settings, world, &report, &extras) {
                        json["AIPrompt"] = serde_json::Value::from(prompt);
                    }
                    return pretty(&json);
                }
                context.data()
            }
        };
        let message = match &args.template {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                })?;
                let spec = Spec {
                    flavor: Flavor::Markdown,
                    command,
                    template: Some(&text),
                    overrides: &settings.config.templates,
                    raw: args.raw,
                };
                Message::build(&spec).map_err(|e| Error::Template { message: e.message })?
            }
            None => settings.message(Flavor::Markdown, command)?,
        };
        let text = message
            .render_data(&context)
            .map_err(|e| Error::Template { message: e.message })?;
        Ok(text)
    };
    match rendered() {
        Ok(text) => write_stdout(text.as_bytes()),
        Err(error) => {
            report_error(&error);
            error.exit_code()
        }
    }
}

/// For `--dump-context`: the prompt a run would send for `report` when the config turns
/// the AI summary on, masked as it would be sent; why there is none is a warning.
fn ai_prompt(
    settings: &Settings,
    world: &World<'_>,
    report: &Report,
    extras: &Extras<'_>,
) -> Option<String> {
    let resolved = crate::ai::Summariser::resolve(
        &settings.config.ai_summary,
        &crate::ai::Switches::default(),
        report.command,
        world.env,
        &world.cwd,
    );
    let prompt = resolved.and_then(|summariser| match summariser {
        Some(summariser) => {
            let masker = crate::mask::Masker::from_env(world.env).map_err(|e| e.to_string())?;
            summariser.prompt(report, extras, &masker).map(Some)
        }
        None => Ok(None),
    });
    match prompt {
        Ok(prompt) => prompt,
        Err(reason) => {
            let _ = writeln!(io::stderr(), "tfnotify: warning: no AI prompt: {reason}");
            None
        }
    }
}

/// The context `render` reads as JSON: a saved one (`--context`), or the summary's made for
/// a sample pull request; `None` when it is made from a Terraform output.
fn json_context(
    args: &RenderArgs,
    settings: &Settings,
    command: Command,
) -> Result<Option<serde_json::Value>, Error> {
    if let Some(path) = &args.context {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let json = serde_json::from_str(&text).map_err(|source| Error::ContextJson {
            path: path.clone(),
            source,
        })?;
        return Ok(Some(json));
    }
    if command != Command::Summary {
        return Ok(None);
    }
    let extras = crate::render::OverviewExtras {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| crate::render::default_title(command).to_owned()),
        message: args.message.clone().unwrap_or_default(),
        vars: settings.vars.clone(),
        link: settings.ci.build_url.clone(),
        ..crate::render::OverviewExtras::default()
    };
    let sample = super::sample_overview::sample_overview();
    Ok(Some(crate::render::overview_context(&sample, &extras)))
}

/// A context as `--dump-context` prints it: pretty JSON and a newline.
fn pretty(json: &serde_json::Value) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(json).map_err(|e| Error::Output {
        path: "stdout".into(),
        source: io::Error::other(e),
    })?;
    text.push('\n');
    Ok(text)
}

/// Reads a whole output (a file, or stdin for `None` and `-`) into a report.
pub(super) fn read_report(
    command: Command,
    reader: Reader,
    file: Option<&Path>,
    plan_json: Option<&Path>,
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
    finish(collector, command, reader, plan_json)
}

/// Ends parsing and lays a `--plan-json` file over the result.
pub(super) fn finish(
    collector: Collector,
    command: Command,
    reader: Reader,
    plan_json: Option<&Path>,
) -> Result<Report, Error> {
    let text = collector.finish();
    let Some(path) = plan_json else {
        return text.map_err(|source| parse_error(command, reader, source));
    };
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let plan = parse::parse_json(io::BufReader::new(file), command)
        .map_err(|source| parse_error(command, reader, source))?;
    match text {
        Ok(mut report) => {
            parse::overlay_plan(&mut report, plan);
            Ok(report)
        }
        Err(ParseError::Empty) => Ok(plan),
        Err(source) => Err(parse_error(command, reader, source)),
    }
}

/// The error for input that could not be parsed, naming the command that read it.
pub(super) fn parse_error(command: Command, reader: Reader, source: ParseError) -> Error {
    match source {
        ParseError::Empty => Error::EmptyInput { command, reader },
        source => Error::Parse { command, source },
    }
}

pub(super) fn read_plan_json(path: &Path, command: Command) -> Result<Report, Error> {
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    parse::parse_json(io::BufReader::new(file), command)
        .map_err(|source| parse_error(command, Reader::Notify, source))
}

fn read_all(reader: impl io::Read, collector: &mut Collector) -> Result<(), Error> {
    input::tee(reader, io::sink(), |chunk| {
        collector.feed(Stream::Stdout, chunk);
    })
    .map(|_| ())
    .map_err(|source| Error::Stdin { source })
}
