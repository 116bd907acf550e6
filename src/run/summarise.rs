//! The main job: pass Terraform's output through, parse it, summarise it, deliver it.

use std::io::{self, IsTerminal};
use std::panic::AssertUnwindSafe;
use std::path::Path;

use crate::cli::{Cli, RunArgs};
use crate::error::{Error, Reader};
use crate::guard::EXIT_PROTECTED;
use crate::input::{self, Stream};
use crate::mask::Masker;
use crate::model::{Command, Report};
use crate::parse::{self, Collector};
use crate::render;
use crate::run::deliver::Deliveries;
use crate::run::guarded::Guarded;
use crate::run::inspect::read_plan_json;
use crate::run::modules;
use crate::run::saved_plan;
use crate::run::{error_text, exit_code, report_file, settings, use_color};
use crate::settings::World;

/// Pass-through, parse, summary, delivery.
pub(super) fn summarise(cli: &Cli, command: Command, args: &RunArgs, world: &World<'_>) -> i32 {
    // Settings, templates and notifiers are prepared before any input, so what cannot work
    // is reported at once, not after Terraform has run for ten minutes. The pass-through
    // happens regardless.
    let (settings, mut errors) = settings(cli, world);
    let deliveries = Deliveries::prepare(cli, args, &settings, command, world, &mut errors);
    super::mask_panics_with(&deliveries.masker);

    let saved = args.saved.plan_file.as_deref();
    let collector = if args.program.is_empty() && saved.is_none() {
        Collector::new(command)
    } else {
        Collector::with_streams(command)
    };
    let parser = Guarded::new(if args.html_output().is_some() {
        collector.keep_changes(render::HTML_CHANGES_KEPT)
    } else {
        collector
    });
    let (child_code, input_error, structure) = if let Some(plan) = saved {
        let (error, structure) = show_saved(args, plan, command, &parser, &deliveries.masker);
        (None, error, structure)
    } else {
        let (code, error) = pass_through(args, &parser, &deliveries.masker);
        (code, error, None)
    };
    errors.extend(input_error);
    let mut report = finish(parser, args, command, structure, &mut errors);
    if let (Some(report), Some(code)) = (report.as_mut(), child_code) {
        parse::check_exit_code(report, code, &args.program);
    }
    if let Some(report) = report.as_mut() {
        settings.guard.mark(report);
    }

    let mut comment_url = None;
    if let Some(report) = &report {
        // The model is asked first, so its answer is on the way while the rest runs.
        let pending = modules::is_one_delivery(args, &settings, report)
            .then(|| deliveries.start_summary(&settings, report))
            .flatten();
        let delivered = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if !args.quiet {
                let summary = render::terminal(report, use_color(cli.color));
                deliveries.local.print(&summary);
            }
            if let Some(pending) = pending {
                deliveries.finish_summary(pending);
            }
            modules::deliver(&deliveries, args, &settings, world, report, child_code)
        }));
        match delivered {
            Ok(delivered) => {
                errors.extend(delivered.errors);
                comment_url = delivered.comment_url;
            }
            Err(_) => errors.push(Error::Internal { stage: "rendering" }),
        }
    }
    if let (Some(path), Some(report)) = (args.html_output(), &report) {
        let page =
            |out: &mut dyn std::io::Write| render::write_html(report, &deliveries.masker, out);
        errors.extend(deliveries.local.write_page(path, page).err());
    }
    if let Some(path) = &args.report_file {
        // A run whose output could not be read still has a report file: the summary then
        // shows it as failed instead of leaving the target out.
        let unread = Report::new(command);
        let ci = &settings.ci;
        let origin = report_file::Origin {
            target: settings.vars.get("target").map(String::as_str),
            sha: ci.sha.as_deref(),
            pr: ci.pr_number,
            job_url: ci.build_url.as_deref(),
            comment_url: comment_url.as_deref(),
        };
        let written = report_file::write(
            path,
            report.as_ref().unwrap_or(&unread),
            &origin,
            &deliveries.masker,
        );
        errors.extend(written.err());
    }
    for error in &errors {
        deliveries.local.print(&error_text(error));
    }
    let counted: Vec<Error> = if args.ignore_notify_errors {
        errors.into_iter().filter(|e| !e.is_delivery()).collect()
    } else {
        errors
    };
    let code = exit_code(child_code, report.as_ref(), &counted);
    match report.filter(|r| settings.guard.stops(r)) {
        Some(report) if protected_replaces(code, child_code) => {
            deliveries.local.print(&protected_exit_text(&report));
            EXIT_PROTECTED
        }
        _ => code,
    }
}

/// Whether exit 4 takes the place of `code` for a plan that destroys something protected:
/// it replaces a success (stdin mode's 0, the wrapped plan's 0 or `-detailed-exitcode`'s
/// 2), never a failure, so a broken plan or a failed delivery keeps its own code.
fn protected_replaces(code: i32, child: Option<i32>) -> bool {
    match child {
        None => code == 0,
        Some(child) => code == child && matches!(child, 0 | 2),
    }
}

/// The line that explains exit 4 on stderr.
fn protected_exit_text(report: &Report) -> String {
    let addresses: Vec<String> = report
        .protected
        .iter()
        .map(|p| format!("`{}`", p.address))
        .collect();
    format!(
        "tfnotify: error: the plan destroys or replaces protected resources ({}); exiting with {EXIT_PROTECTED} because `guard.fail` (or `--fail-on-protected`) is set\n",
        addresses.join(", ")
    )
}

/// Runs the program or reads stdin, passing every byte through (masked, when masks are
/// set) and on to the parser. Returns the program's exit code, if one ran.
fn pass_through(
    args: &RunArgs,
    parser: &Guarded<Collector>,
    masker: &Masker,
) -> (Option<i32>, Option<Error>) {
    let feed = |stream: Stream, chunk: &[u8]| parser.feed(stream, chunk);
    match args.program.split_first() {
        None => {
            input::guard_stdin_mode();
            let result = if masker.is_empty() {
                input::tee(io::stdin().lock(), io::stdout().lock(), |c| {
                    feed(Stream::Stdout, c);
                })
            } else {
                let watched = io::stdout().is_terminal();
                let mut out = input::Masked::new(masker.clone(), io::stdout().lock(), watched);
                let result = input::tee(io::stdin().lock(), &mut out, |c| feed(Stream::Stdout, c));
                let _ = out.finish();
                result
            };
            (None, result.err().map(|source| Error::Stdin { source }))
        }
        Some((program, rest)) => {
            let masker = (!masker.is_empty()).then_some(masker);
            match input::run_command(program, rest, &feed, masker) {
                Ok(code) => (Some(code), None),
                Err(e) => (None, Some(Error::from(e))),
            }
        }
    }
}

/// Shows a `--plan-file`: its JSON plan read first, then its text passed through (masked,
/// when masks are set) and on to the parser.
fn show_saved(
    args: &RunArgs,
    plan: &Path,
    command: Command,
    parser: &Guarded<Collector>,
    masker: &Masker,
) -> (Option<Error>, Option<saved_plan::Structure>) {
    let structure = saved_plan::check(command, Reader::Notify).and_then(|()| {
        saved_plan::structure(
            plan,
            args.saved.terraform_bin.as_deref(),
            command,
            Reader::Notify,
        )
    });
    let structure = match structure {
        Ok(structure) => structure,
        Err(error) => return (Some(error), None),
    };
    let feed = |stream: Stream, chunk: &[u8]| parser.feed(stream, chunk);
    let masker = (!masker.is_empty()).then_some(masker);
    match saved_plan::pass_text(&structure.program, plan, &feed, masker) {
        Ok(()) => (None, Some(structure)),
        Err(error) => (Some(error), None),
    }
}

/// The report, with a saved plan's or a `--plan-json`'s structure laid over it.
fn finish(
    parser: Guarded<Collector>,
    args: &RunArgs,
    command: Command,
    structure: Option<saved_plan::Structure>,
    errors: &mut Vec<Error>,
) -> Option<Report> {
    if errors.iter().any(|e| {
        matches!(
            e,
            Error::PlanFile(_) | Error::PlanFileCommand { .. } | Error::PlanFileStdin
        )
    }) {
        // The plan could not be shown: what the parser saw is not a plan's whole text.
        return None;
    }
    match parser.finish() {
        Ok(report) if structure.is_some() => {
            structure.map(|structure| saved_plan::combine(report, structure))
        }
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
            let path = args.plan_json.as_deref()?;
            read_plan_json(path, command)
                .map_err(|e| errors.push(e))
                .ok()
        }
        Err(e) => {
            // A spawn failure already says everything; "no input" would only repeat it.
            if !errors.iter().any(|e| matches!(e, Error::Command(_))) {
                errors.push(e);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::protected_replaces;

    #[test]
    fn exit_4_replaces_successes_only() {
        assert!(protected_replaces(0, None), "stdin mode, plan read fine");
        assert!(!protected_replaces(1, None), "stdin mode, plan failed");
        assert!(!protected_replaces(3, None), "stdin mode, posting failed");
        assert!(protected_replaces(0, Some(0)), "wrapped plan succeeded");
        assert!(
            protected_replaces(2, Some(2)),
            "-detailed-exitcode: changes"
        );
        assert!(!protected_replaces(1, Some(1)), "wrapped plan failed");
        assert!(!protected_replaces(3, Some(0)), "plan fine, posting failed");
        assert!(!protected_replaces(130, Some(130)), "plan interrupted");
    }
}
