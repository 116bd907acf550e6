//! Everything that leaves the machine after the pass-through: `--output` and the notifiers.
//!
//! Deliveries are prepared before any input is read (templates parsed, notifiers built), so
//! what cannot work is reported at once; they run after parsing, each on its own, and a
//! failing one is reported without stopping the others. Every byte that leaves goes
//! through the masks, and the tokens are always among them.

use crate::ci::Platform;
use crate::cli::{Cli, RunArgs};
use crate::error::Error;
use crate::mask::Masker;
use crate::model::{Command, Report};
use crate::notify::github::{self, GitHub};
use crate::notify::http::{Http, HttpConfig};
use crate::notify::local;
use crate::render::{self, Context, Extras, Flavor, Message};
use crate::run::report_error;
use crate::settings::{Settings, World};

/// The most `--output` writes per run, in UTF-16 units: GitHub shows a step summary of up
/// to 1 MiB, and one unit is at most three bytes of UTF-8.
const STEP_SUMMARY_LIMIT: usize = 340_000;

/// Room kept in a GitHub comment for the hidden marker.
const MARKER_ROOM: usize = 1_000;

/// The classic default title of the destroy-warning message.
const DESTROY_WARNING_TITLE: &str = "## WARNING: Resource Deletion will happen";

/// What this run will deliver, ready before any input is read.
pub(super) struct Deliveries {
    /// The Markdown message (for `--output` and GitHub).
    message: Option<Message>,
    /// The classic extra message for a destroying plan.
    destroy_warning: Option<Message>,
    github: Option<GitHub>,
    /// Masks from `TFNOTIFY_MASKS`/`TFCMT_MASKS`, plus every token we hold.
    pub(super) masker: Masker,
}

/// Records an error and reports it at once.
fn early(errors: &mut Vec<Error>, error: Error) {
    report_error(&error);
    errors.push(error);
}

impl Deliveries {
    /// Parses templates and builds notifiers; what fails is reported now and recorded.
    pub(super) fn prepare(
        cli: &Cli,
        args: &RunArgs,
        settings: &Settings,
        command: Command,
        world: &World<'_>,
        errors: &mut Vec<Error>,
    ) -> Deliveries {
        let mut masker = match Masker::from_env(world.env) {
            Ok(masker) => masker,
            Err(source) => {
                early(errors, Error::Mask(source));
                Masker::empty()
            }
        };
        let github = if wants_github(cli, settings, world) {
            let options = github::Options {
                behaviour: args
                    .comment
                    .or(args.patch.then_some(github::Behaviour::Update)),
                skip_no_changes: args.skip_no_changes,
                disable_label: args.disable_label,
            };
            match GitHub::build(
                &settings.config,
                &settings.ci,
                &settings.vars,
                command,
                &options,
                world.env,
            ) {
                Ok(github) => {
                    masker = masker.with_literal("the GitHub token", github.token().expose());
                    Some(github)
                }
                Err(source) => {
                    early(errors, Error::GitHub(source));
                    None
                }
            }
        } else {
            None
        };
        let needs_message = args.output.is_some() || github.is_some();
        let message = if needs_message {
            settings
                .message(Flavor::Markdown, command)
                .map_err(|e| early(errors, e))
                .ok()
        } else {
            None
        };
        let destroy_warning = match (needs_message, command, settings.destroy_warning()) {
            (true, Command::Plan, Some(result)) => result.map_err(|e| early(errors, e)).ok(),
            _ => None,
        };
        Deliveries {
            message,
            destroy_warning,
            github,
            masker,
        }
    }

    /// Delivers the report everywhere it should go; returns the delivery errors.
    pub(super) fn deliver(
        &self,
        args: &RunArgs,
        settings: &Settings,
        report: &Report,
        child_code: Option<i32>,
    ) -> Vec<Error> {
        let mut errors = Vec::new();
        let Some(message) = &self.message else {
            return errors;
        };
        let extras = Extras {
            title: args.title.clone(),
            message: args.message.clone(),
            vars: settings.vars.clone(),
            exit_code: child_code,
            ci: Some(&settings.ci),
            error_messages: Vec::new(),
            ignore_warning: args.ignore_warning || settings.config.terraform.plan.ignore_warning,
        };
        let warning_extras = Extras {
            title: Some(
                args.destroy_warning_title
                    .clone()
                    .unwrap_or_else(|| DESTROY_WARNING_TITLE.to_owned()),
            ),
            message: args.destroy_warning_message.clone(),
            vars: settings.vars.clone(),
            exit_code: child_code,
            ci: Some(&settings.ci),
            error_messages: Vec::new(),
            ignore_warning: extras.ignore_warning,
        };
        let render = |message: &Message, extras: &Extras<'_>, limit: usize| {
            let context = Context::new(report, extras).to_value();
            render::render_within(message, context, limit)
                .map(|fitted| self.masker.mask(&fitted.text).into_owned())
                .map_err(|e| Error::Template { message: e.message })
        };
        if let Some(path) = &args.output {
            let written = render(message, &extras, STEP_SUMMARY_LIMIT)
                .and_then(|text| local::append_markdown(path, &text));
            if let Err(e) = written {
                errors.push(e);
            }
            if let (Some(warning), true) = (&self.destroy_warning, report.has_destroy) {
                let written = render(warning, &warning_extras, STEP_SUMMARY_LIMIT)
                    .and_then(|text| local::append_markdown(path, &text));
                if let Err(e) = written {
                    errors.push(e);
                }
            }
        }
        if let Some(github) = &self.github {
            let http = Http::new(HttpConfig {
                secrets: vec![github.token().expose().to_owned()],
                ..HttpConfig::default()
            });
            let limit = github::COMMENT_LIMIT - MARKER_ROOM;
            let body = |problems: &[String]| {
                let extras = Extras {
                    error_messages: problems.to_vec(),
                    ..extras.clone()
                };
                render(message, &extras, limit).map_err(|e| e.to_string())
            };
            let warning = match (&self.destroy_warning, report.has_destroy) {
                (Some(warning), true) => match render(warning, &warning_extras, limit) {
                    Ok(text) => Some(text),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                },
                _ => None,
            };
            match github.send(&http, report, &body, warning.as_deref()) {
                Ok(sent) => {
                    for problem in &sent.label_errors {
                        let _ =
                            writeln_stderr(&format!("tfnotify: warning: GitHub labels: {problem}"));
                    }
                    let url = sent.url.map(|u| format!(": {u}")).unwrap_or_default();
                    let _ =
                        writeln_stderr(&format!("tfnotify: GitHub comment {}{url}", sent.action));
                }
                Err(source) => errors.push(Error::GitHub(source)),
            }
        }
        errors
    }
}

fn writeln_stderr(line: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    writeln!(std::io::stderr(), "{line}")
}

/// Whether this run posts to GitHub: asked for by flag or config, or a GitHub token is in
/// the environment of a GitHub Actions job (or of a run told its repository by flags).
fn wants_github(cli: &Cli, settings: &Settings, world: &World<'_>) -> bool {
    if let Some(name) = cli.notifier.as_deref() {
        name.eq_ignore_ascii_case("github")
    } else {
        let token = [
            "TFNOTIFY_GITHUB_TOKEN",
            "TFCMT_GITHUB_TOKEN",
            "GITHUB_TOKEN",
        ]
        .iter()
        .any(|name| (world.env)(name).is_some_and(|v| !v.is_empty()));
        settings.config.notifier.github.is_some()
            || (token
                && (settings.ci.platform == Platform::GitHubActions
                    || (cli.owner.is_some() && cli.repo.is_some())))
    }
}
