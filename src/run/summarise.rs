//! The main job: pass Terraform's output through, parse it, summarise it, deliver it.

use std::io;
use std::panic::AssertUnwindSafe;

use crate::cli::{Cli, RunArgs};
use crate::error::Error;
use crate::input::{self, Stream};
use crate::model::Command;
use crate::notify;
use crate::parse::{self, Collector};
use crate::render::{self, Context, Extras, Flavor};
use crate::run::guarded::Guarded;
use crate::run::inspect::read_plan_json;
use crate::run::{exit_code, report_error, settings, use_color};
use crate::settings::World;

/// The most `--output` writes per run, in UTF-16 units: GitHub shows a step summary of up
/// to 1 MiB, and one unit is at most three bytes of UTF-8.
const STEP_SUMMARY_LIMIT: usize = 340_000;

/// The classic default title of the destroy-warning message.
const DESTROY_WARNING_TITLE: &str = "## WARNING: Resource Deletion will happen";

/// Pass-through, parse, summary: the main job.
pub(super) fn summarise(cli: &Cli, command: Command, args: &RunArgs, world: &World<'_>) -> i32 {
    let parser = Guarded::new(if args.program.is_empty() {
        Collector::new(command)
    } else {
        Collector::with_streams(command)
    });
    // Settings and templates are read before any input, so a broken config or template is
    // reported at once, not after Terraform has run for ten minutes. The pass-through
    // happens regardless.
    let (settings, mut errors) = settings(cli, world);
    let message = match args.output {
        Some(_) => match settings.message(Flavor::Markdown, command) {
            Ok(message) => Some(message),
            Err(error) => {
                report_error(&error);
                errors.push(error);
                None
            }
        },
        None => None,
    };
    let destroy_warning = match (&args.output, command) {
        (Some(_), Command::Plan) => match settings.destroy_warning() {
            Some(Ok(message)) => Some(message),
            Some(Err(error)) => {
                report_error(&error);
                errors.push(error);
                None
            }
            None => None,
        },
        _ => None,
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
                notify::local::print_summary(&render::terminal(report, use_color(cli.color)));
            }
            match (&args.output, &message) {
                (Some(path), Some(message)) => {
                    let extras = Extras {
                        title: args.title.clone(),
                        message: args.message.clone(),
                        vars: settings.vars.clone(),
                        exit_code: child_code,
                        ci: Some(&settings.ci),
                        error_messages: Vec::new(),
                        ignore_warning: settings.config.terraform.plan.ignore_warning,
                    };
                    let context = Context::new(report, &extras).to_value();
                    let fitted = render::render_within(message, context, STEP_SUMMARY_LIMIT)
                        .map_err(|e| Error::Template { message: e.message })?;
                    notify::local::append_markdown(path, &fitted.text)?;
                    match &destroy_warning {
                        Some(warning) if report.has_destroy => {
                            let extras = Extras {
                                title: Some(
                                    args.destroy_warning_title
                                        .clone()
                                        .unwrap_or_else(|| DESTROY_WARNING_TITLE.to_owned()),
                                ),
                                message: args.destroy_warning_message.clone(),
                                ..extras
                            };
                            let context = Context::new(report, &extras).to_value();
                            let fitted =
                                render::render_within(warning, context, STEP_SUMMARY_LIMIT)
                                    .map_err(|e| Error::Template { message: e.message })?;
                            notify::local::append_markdown(path, &fitted.text)
                        }
                        _ => Ok(()),
                    }
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
