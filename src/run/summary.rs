//! `tfnotify summary`: one view of every target on a pull request.
//!
//! Runs after the plan jobs. The results come from the pull request's comments that
//! tfnotify wrote (their hidden markers carry each run's facts), or from the report files
//! of `--from`. The summary goes where the plans went: one living comment on the review
//! platform, one message to each chat or webhook destination, `--output`, stderr.

use crate::cli::{Cli, RunArgs, SummaryArgs};
use crate::error::Error;
use crate::model::overview::{Overview, latest_per_target};
use crate::model::{Command, Report};
use crate::owners::MentionOwners;
use crate::render::{self, Flavor, OverviewExtras, default_title};
use crate::run::deliver::{Deliveries, STEP_SUMMARY_LIMIT};
use crate::run::{error_text, report_file, settings};
use crate::settings::World;

/// Gathers the targets' results, renders the summary and delivers it.
pub(super) fn summary(cli: &Cli, args: &SummaryArgs, world: &World<'_>) -> i32 {
    let (settings, mut errors) = settings(cli, world);
    let run_args = RunArgs {
        output: args.output.clone(),
        no_step_summary: args.no_step_summary,
        comment: args.comment,
        quiet: args.quiet,
        // One summary is about many directories: no one directory's owners.
        mention_owners: Some(MentionOwners::Never),
        ..RunArgs::default()
    };
    let deliveries = Deliveries::prepare(
        cli,
        &run_args,
        &settings,
        Command::Summary,
        world,
        &mut errors,
    );
    super::mask_panics_with(&deliveries.masker);
    let local = &deliveries.local;
    if !errors.is_empty() {
        return finish(local, &errors, args.ignore_notify_errors);
    }

    let mut problems = Vec::new();
    let (results, head) = if args.from.is_empty() {
        let (found, failures) = deliveries.pull_results();
        errors.extend(failures);
        match found {
            Some(found) => {
                for warning in &found.warnings {
                    local.print(&format!("tfnotify: warning: {warning}\n"));
                }
                (found.results, found.head_sha)
            }
            None if errors.is_empty() => {
                errors.push(Error::NoSummarySource);
                return finish(local, &errors, args.ignore_notify_errors);
            }
            None => return finish(local, &errors, args.ignore_notify_errors),
        }
    } else {
        let mut read = Vec::new();
        for path in &args.from {
            match report_file::read(path) {
                Ok(result) => read.push(result),
                Err(error) => {
                    problems.push(error.to_string());
                    errors.push(error);
                }
            }
        }
        let head = settings.ci.sha.clone();
        (latest_per_target(read, head.as_deref()), head)
    };
    if results.is_empty() && problems.is_empty() {
        local.print(
            "tfnotify: warning: no target has a result to summarise (no plan or apply comment of tfnotify on the pull request, or no report file); nothing was posted\n",
        );
        return finish(local, &errors, args.ignore_notify_errors);
    }

    let overview = Overview::new(results, head);
    let report = totals_report(&overview);
    let extras = OverviewExtras {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| default_title(Command::Summary).to_owned()),
        message: args.message.clone().unwrap_or_default(),
        vars: settings.vars.clone(),
        link: settings.ci.build_url.clone(),
        error_messages: problems,
    };
    let masker = &deliveries.masker;
    let mut context = render::overview_context(&overview, &extras);
    masker.mask_value(&mut context);
    let render = |message: &render::Message, limit: usize, notes: &[String]| {
        let mut context = context.clone();
        if let Some(list) = context["ErrorMessages"].as_array_mut() {
            list.extend(notes.iter().map(|n| serde_json::json!(masker.mask(n))));
        }
        render::render_overview_within(message, context, limit)
            .map(|fitted| masker.mask(&fitted.text).into_owned())
            .map_err(|e| Error::Template { message: e.message })
    };

    if !args.quiet {
        match settings.message(Flavor::Terminal, Command::Summary) {
            Ok(message) => match render(&message, Flavor::Terminal.limit(), &[]) {
                Ok(text) => local.print(&format!("{}\n", text.trim_end())),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(e),
        }
    }
    if let (Some(path), Some(message)) =
        (&args.output, deliveries.message(Flavor::Markdown, &report))
        && let Err(e) = render(message, STEP_SUMMARY_LIMIT, &[])
            .and_then(|text| local.append_markdown(path, &text))
    {
        errors.push(e);
    }
    if let Some(message) = deliveries.message(Flavor::Markdown, &report) {
        deliveries.append_step_summary(render(message, STEP_SUMMARY_LIMIT, &[]));
    }
    let body = |message: &render::Message, limit: usize, notes: &[String], _: &[String]| {
        render(message, limit, notes).map_err(|e| e.to_string())
    };
    let sent = deliveries.send_everywhere(&report, Some(&overview), &body, &|_| None);
    errors.extend(sent.errors);
    finish(local, &errors, args.ignore_notify_errors)
}

/// Reports the errors and returns the exit code they make.
fn finish(local: &crate::notify::local::Local, errors: &[Error], ignore_delivery: bool) -> i32 {
    for error in errors {
        local.print(&error_text(error));
    }
    errors
        .iter()
        .filter(|e| !(ignore_delivery && e.is_delivery()))
        .map(Error::exit_code)
        .max()
        .unwrap_or(0)
}

/// The report the destinations see for the summary: the pull request's outcome, every
/// target's counts and protected destroys together. Conditions (`when: [destroy]`) and
/// colours read it; the message itself is rendered from the overview.
fn totals_report(overview: &Overview) -> Report {
    let mut report = Report::new(Command::Summary);
    report.outcome = overview.outcome();
    report.counts = overview.counts();
    report.has_destroy = overview.rows.iter().any(|r| r.has_destroy);
    report.protected = overview
        .rows
        .iter()
        .flat_map(|r| r.protected.iter().cloned())
        .collect();
    report
}
