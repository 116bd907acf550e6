//! Everything that leaves the machine after the pass-through: `--output`, GitHub's step
//! summary and the notifiers.
//!
//! Deliveries are prepared before any input is read (templates parsed, notifiers built), so
//! what cannot work is reported at once; they run after parsing, each on its own, and a
//! failing one is reported without stopping the others. Every byte that leaves goes
//! through the masks, and the tokens are always among them: template inputs are masked
//! before rendering (so shortening a message never cuts a secret in half), the target and
//! other vars before the destinations are built (so labels and hidden markers stay the
//! same from run to run), the client masks each request, and [`Local`] what stays here.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::ai::{self, Pending, Summariser};
use crate::cli::{Cli, RunArgs};
use crate::error::Error;
use crate::mask::Masker;
use crate::model::overview::Overview;
use crate::model::{Command, Outcome, Report};
use crate::notify::destinations::{self, Planned};
use crate::notify::http::{Http, HttpConfig};
use crate::notify::local::Local;
use crate::notify::results::PullResults;
use crate::notify::{self, Delivery, github};
use crate::owners::{self, Dialect, MentionOwners};
use crate::render::{self, Context, Extras, Flavor, Message};
use crate::run::report_error;
use crate::run::step_summary::{self, Wanted};
use crate::settings::{Settings, World};

/// The most `--output` and the step summary get per message, in UTF-16 units: GitHub shows a step summary of up
/// to 1 MiB, and one unit is at most three bytes of UTF-8.
pub(super) const STEP_SUMMARY_LIMIT: usize = 340_000;

/// The classic default title of the destroy-warning message.
const DESTROY_WARNING_TITLE: &str = "## WARNING: Resource Deletion will happen";

/// What this run will deliver, ready before any input is read.
pub(super) struct Deliveries {
    /// The message in each notation a destination of this run uses.
    messages: Vec<(Flavor, Message)>,
    /// The config's message for output that could not be parsed, by notation.
    unparsed: Vec<(Flavor, Message)>,
    /// The classic extra message for a destroying plan.
    destroy_warning: Option<Message>,
    destinations: Vec<Destination>,
    /// Masks from `TFNOTIFY_MASKS`/`TFCMT_MASKS`, plus every secret a notifier holds.
    pub(super) masker: Masker,
    /// stderr and `--output`, through `masker`.
    pub(super) local: Local,
    /// GitHub Actions' step summary file, when this run writes it (see [`step_summary`]).
    step_summary: Option<PathBuf>,
    /// Timeouts, retries and the time budget each destination's client gets.
    http: HttpConfig,
    /// When review comments mention code owners, and the repository root and working
    /// directory to look them up for (`None` when mentioning is off or the root is unknown).
    mention: MentionOwners,
    owners_place: Option<(std::path::PathBuf, String)>,
    /// The owners found so far, by dialect: one lookup per run, however many deliveries.
    owners_found: RefCell<Vec<(Dialect, Vec<String>)>>,
    recipe: Recipe,
    /// Why destinations could not be built, as reported: building them again for another
    /// target fails alike and is not reported twice.
    broken: Vec<String>,
    /// Whether the templates' fields were checked: once per run, however many deliveries.
    fields_checked: Cell<bool>,
    /// The AI summary asked for, when it is on and can work.
    ai: Option<Summariser>,
    /// Whether the run asked for an AI summary (`.SummaryEnabled`).
    summary_enabled: bool,
    /// The AI summary, once it came.
    ai_summary: RefCell<Option<String>>,
}

fn find_message(list: &[(Flavor, Message)], flavor: Flavor) -> Option<&Message> {
    list.iter().find(|(f, _)| *f == flavor).map(|(_, m)| m)
}

/// One destination of the run, with the message of its own template if it has one.
struct Destination {
    planned: Planned,
    own: Option<Message>,
}

/// Records an error and reports it at once.
fn early(errors: &mut Vec<Error>, error: Error) {
    report_error(&error);
    errors.push(error);
}

/// What the destinations were built from besides the settings and vars, kept so they can
/// be built again for another target (each module of a Terragrunt run).
struct Recipe {
    command: Command,
    /// `--notifier NAME`.
    only: Option<String>,
    repository_from_flags: bool,
    options: github::Options,
}

impl Recipe {
    fn request<'a>(
        &'a self,
        settings: &'a Settings,
        vars: &'a BTreeMap<String, String>,
        world: &'a World<'_>,
    ) -> notify::Request<'a> {
        notify::Request {
            config: &settings.config,
            ci: &settings.ci,
            vars,
            command: self.command,
            only: self.only.as_deref(),
            repository_from_flags: self.repository_from_flags,
            options: &self.options,
            env: world.env,
        }
    }
}

/// The destinations one delivery goes to, and the vars its templates see.
struct Aim<'a> {
    destinations: &'a [Destination],
    vars: &'a BTreeMap<String, String>,
    /// `.AISummary`.
    ai_summary: Option<&'a str>,
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
        let http = HttpConfig::from_env(world.env).unwrap_or_else(|source| {
            early(errors, Error::Tuning(source));
            HttpConfig::default()
        });
        let recipe = Recipe {
            command,
            only: cli.notifier.clone(),
            repository_from_flags: cli.owner.is_some() && cli.repo.is_some(),
            options: github::Options {
                behaviour: args
                    .comment
                    .or(args.patch.then_some(github::Behaviour::Update)),
                skip_no_changes: args.skip_no_changes,
                disable_label: args.disable_label,
            },
        };
        let unknown = |name: &&str| {
            !notify::is_known(name) && !destinations::names_an_entry(&settings.config, name)
        };
        if let Some(name) = cli.notifier.as_deref().filter(unknown) {
            early(
                errors,
                Error::UnknownNotifier {
                    name: name.to_owned(),
                },
            );
        }
        // Resolved first, so the model's key is among the masks of everything after.
        let (ai, summary_enabled, ai_problem) = match summariser(args, settings, command, world) {
            Ok(Some(summariser)) => {
                for secret in summariser.secrets() {
                    masker = masker.with_literal("ai_summary", &secret);
                }
                match summariser.missing_key() {
                    Some(reason) => (None, true, Some(reason)),
                    None => (Some(summariser), true, None),
                }
            }
            Ok(None) => (None, false, None),
            Err(reason) => (None, true, Some(reason)),
        };
        let vars = masked_vars(&masker, &settings.vars);
        let mut list = Vec::new();
        let mut broken = Vec::new();
        for built in destinations::plan(&recipe.request(settings, &vars, world)) {
            match built {
                Ok(planned) => {
                    let notifier = &planned.notifier;
                    for secret in notifier.secrets() {
                        masker = masker.with_literal(notifier.kind(), &secret);
                    }
                    for warning in &planned.warnings {
                        Local::new(masker.clone())
                            .print(&format!("tfnotify: warning: {warning}\n"));
                    }
                    let flavor = notifier.flavor();
                    let own = match planned.template.as_deref() {
                        Some(text) => match settings.message_from(flavor, command, Some(text)) {
                            Ok(message) => Some(message),
                            Err(e) => {
                                early(errors, e);
                                continue;
                            }
                        },
                        None => None,
                    };
                    list.push(Destination { planned, own });
                }
                Err(source) => {
                    broken.push(source.to_string());
                    early(errors, Error::Notify(source));
                }
            }
        }
        let mut flavors: Vec<Flavor> = list
            .iter()
            .filter(|d| d.own.is_none())
            .map(|d| d.planned.notifier.flavor())
            .collect();
        if args.markdown_output().is_some() {
            flavors.push(Flavor::Markdown);
        }
        flavors.dedup();
        let mut messages = Vec::new();
        for flavor in &flavors {
            if messages.iter().any(|(f, _)| f == flavor) {
                continue;
            }
            match settings.message(*flavor, command) {
                Ok(message) => messages.push((*flavor, message)),
                Err(e) => early(errors, e),
            }
        }
        let step_summary = step_summary::resolve(
            &Wanted {
                flag_off: args.no_step_summary,
                config: settings.config.step_summary,
                platform: settings.ci.platform,
                output: args.markdown_output(),
                cwd: &world.cwd,
            },
            world.env,
            world.ci,
        );
        for warning in &step_summary.warnings {
            Local::new(masker.clone()).print(&format!("tfnotify: warning: {warning}\n"));
        }
        let mut step_summary = step_summary.path;
        if let Some(path) = &step_summary
            && !flavors.contains(&Flavor::Markdown)
        {
            // Only the step summary reads the Markdown message: a template it cannot use
            // costs the step summary, not the run.
            match settings.message(Flavor::Markdown, command) {
                Ok(message) => messages.push((Flavor::Markdown, message)),
                Err(e) => {
                    Local::new(masker.clone()).print(&step_summary::failure_warning(path, &e));
                    step_summary = None;
                }
            }
        }
        let mut unparsed = Vec::new();
        for (flavor, _) in &messages {
            match settings.unparsed_message(*flavor, command) {
                Some(Ok(message)) => unparsed.push((*flavor, message)),
                Some(Err(e)) => early(errors, e),
                None => {}
            }
        }
        let mention = args
            .mention_owners
            .unwrap_or(settings.config.mention_owners);
        let reviews = list
            .iter()
            .any(|d| d.planned.notifier.codeowners().is_some());
        let owners_place = if mention == MentionOwners::Never || !reviews {
            None
        } else {
            let place = owners::root::find(world.env, &world.cwd).and_then(|root| {
                let dir = owners::root::relative(&root, &world.cwd)?;
                Some((root, dir))
            });
            if place.is_none() {
                Local::new(masker.clone()).print(
                    "tfnotify: warning: `mention_owners` is set, but the repository root is unknown (no CI checkout variable holds the working directory and `git rev-parse --show-toplevel` failed), so no code owners are mentioned\n",
                );
            }
            place
        };
        let nowhere = list.is_empty() && args.markdown_output().is_none() && step_summary.is_none();
        // A summary nobody would read is neither asked for nor missed.
        let ai = ai.filter(|_| !nowhere);
        if let Some(reason) = ai_problem.filter(|_| !nowhere) {
            Local::new(masker.clone()).print(&no_summary(&reason));
        }
        let destroy_warning = match (nowhere, command, settings.destroy_warning()) {
            (false, Command::Plan, Some(result)) => result.map_err(|e| early(errors, e)).ok(),
            _ => None,
        };
        Deliveries {
            messages,
            unparsed,
            destroy_warning,
            destinations: list,
            local: Local::new(masker.clone()),
            step_summary,
            masker,
            http,
            mention,
            owners_place,
            owners_found: RefCell::default(),
            recipe,
            broken,
            fields_checked: Cell::new(false),
            ai,
            summary_enabled,
            ai_summary: RefCell::new(None),
        }
    }

    /// Starts the AI summary of `report`, if the run asked for one and it can work: the
    /// prompt is made from the masked context, the call runs on its own thread.
    pub(super) fn start_summary(&self, settings: &Settings, report: &Report) -> Option<Pending> {
        let summariser = self.ai.as_ref()?;
        let extras = Extras {
            vars: settings.vars.clone(),
            ci: Some(&settings.ci),
            ..Extras::default()
        };
        match summariser.prompt(report, &extras, &self.masker) {
            Ok(prompt) => {
                // The client masks the request once more, as it does every destination's.
                let http = HttpConfig {
                    masks: self.masker.clone(),
                    ..self.http.clone()
                };
                Some(summariser.start(prompt, &http))
            }
            Err(reason) => {
                self.local.print(&no_summary(&reason));
                None
            }
        }
    }

    /// Waits for the AI summary; without one, says why in one warning.
    pub(super) fn finish_summary(&self, pending: Pending) {
        match pending.wait() {
            Ok(text) => {
                *self.ai_summary.borrow_mut() = Some(self.masker.mask(&text).into_owned());
            }
            Err(reason) => self.local.print(&no_summary(&reason)),
        }
    }

    /// Delivers `report` as a run of its own about `target` (`None`: no target): the
    /// destinations are built again for it, so on a review platform it has a thread and
    /// labels of its own. `.ExitCode` comes from the report's outcome, as in stdin mode,
    /// since the wrapped program's code is the whole run's.
    pub(super) fn deliver_as(
        &self,
        target: Option<&str>,
        args: &RunArgs,
        settings: &Settings,
        world: &World<'_>,
        report: &Report,
    ) -> Vec<Error> {
        let mut vars = settings.vars.clone();
        match target {
            Some(target) => vars.insert("target".to_owned(), target.to_owned()),
            None => vars.remove("target"),
        };
        let masked = masked_vars(&self.masker, &vars);
        let mut errors = Vec::new();
        let mut list = Vec::new();
        for built in destinations::plan(&self.recipe.request(settings, &masked, world)) {
            match built {
                Ok(mut planned) => {
                    // Its warnings and template were reported when the run's own
                    // destinations were built; a template that failed then fails alike.
                    let flavor = planned.notifier.flavor();
                    let own = match planned.template.as_deref() {
                        Some(text) => {
                            let Ok(message) =
                                settings.message_from(flavor, self.recipe.command, Some(text))
                            else {
                                continue;
                            };
                            Some(message)
                        }
                        None => None,
                    };
                    if let Some(target) = target {
                        planned.label = format!("{} [{}]", planned.label, self.masker.mask(target));
                    }
                    list.push(Destination { planned, own });
                }
                Err(source) if self.broken.contains(&source.to_string()) => {}
                Err(source) => errors.push(Error::Notify(source)),
            }
        }
        // The summary is of the whole run, not of this module.
        let aim = Aim {
            destinations: &list,
            vars: &vars,
            ai_summary: None,
        };
        errors.extend(self.deliver_to(&aim, args, settings, report, None).errors);
        errors
    }

    /// The owners a review comment in `dialect` mentions about `report`, looked up once per
    /// dialect and run (`found` keeps them); what the lookup had to say is printed once.
    fn owners_for(
        &self,
        dialect: Option<Dialect>,
        report: &Report,
        found: &mut Vec<(Dialect, Vec<String>)>,
    ) -> Vec<String> {
        let (Some(dialect), Some((root, dir))) = (dialect, &self.owners_place) else {
            return Vec::new();
        };
        if !self.mention.applies(report) {
            return Vec::new();
        }
        if let Some((_, owners)) = found.iter().find(|(d, _)| *d == dialect) {
            return owners.clone();
        }
        let looked = owners::lookup(root, dir, dialect);
        let mut lines = String::new();
        if looked.file.is_none() {
            let places: Vec<String> = dialect
                .locations()
                .iter()
                .map(|l| format!("`{l}`"))
                .collect();
            let _ = writeln!(
                lines,
                "tfnotify: warning: `mention_owners` is set, but there is no CODEOWNERS file ({}), so no code owners are mentioned",
                places.join(", ")
            );
        }
        for warning in &looked.warnings {
            let _ = writeln!(lines, "tfnotify: warning: {warning}");
        }
        self.local.print(&lines);
        found.push((dialect, looked.owners.clone()));
        looked.owners
    }

    /// The message for `flavor`: the config's parse-error message when the output could
    /// not be read and it has one, else the main one.
    pub(super) fn message(&self, flavor: Flavor, report: &Report) -> Option<&Message> {
        let unparsed = (report.outcome == Outcome::Unparsed)
            .then(|| find_message(&self.unparsed, flavor))
            .flatten();
        unparsed.or_else(|| find_message(&self.messages, flavor))
    }

    /// Warns once per field a template of this run reads that the context does not have:
    /// it renders as Go renders a missing key (so existing templates keep their output),
    /// but it is almost always a typo. Only the messages this report is rendered with are
    /// checked.
    fn warn_unknown_fields<'v>(
        &self,
        report: &Report,
        context: &dyn Fn() -> &'v crate::template::Value,
    ) {
        // One message per notation, so no flavour comes twice.
        let messages: Vec<&Message> = self
            .messages
            .iter()
            .filter_map(|(flavor, _)| self.message(*flavor, report))
            .chain(self.destinations.iter().filter_map(|d| d.own.as_ref()))
            .collect();
        if messages.is_empty() {
            return;
        }
        let mut seen = Vec::new();
        for message in messages {
            for note in message.unknown_fields(context()).unwrap_or_default() {
                if !seen.contains(&note) {
                    self.local.print(&format!("tfnotify: warning: {note}\n"));
                    seen.push(note);
                }
            }
        }
    }

    /// Delivers the report everywhere it should go; returns the delivery errors.
    pub(super) fn deliver(
        &self,
        args: &RunArgs,
        settings: &Settings,
        report: &Report,
        child_code: Option<i32>,
    ) -> Delivered {
        let ai_summary = self.ai_summary.borrow().clone();
        let aim = Aim {
            destinations: &self.destinations,
            vars: &settings.vars,
            ai_summary: ai_summary.as_deref(),
        };
        self.deliver_to(&aim, args, settings, report, child_code)
    }

    /// Delivers the report to `aim`'s destinations, `--output` and the step summary.
    fn deliver_to(
        &self,
        aim: &Aim<'_>,
        args: &RunArgs,
        settings: &Settings,
        report: &Report,
        child_code: Option<i32>,
    ) -> Delivered {
        let mut errors = Vec::new();
        let extras = Extras {
            title: args.title.clone(),
            message: args.message.clone(),
            vars: aim.vars.clone(),
            exit_code: child_code,
            ci: Some(&settings.ci),
            error_messages: Vec::new(),
            ignore_warning: args.ignore_warning || settings.config.terraform.plan.ignore_warning,
            owners: Vec::new(),
            ai_summary: aim.ai_summary.map(str::to_owned),
            summary_enabled: self.summary_enabled,
        };
        let warning_extras = Extras {
            title: Some(
                args.destroy_warning_title
                    .clone()
                    .unwrap_or_else(|| DESTROY_WARNING_TITLE.to_owned()),
            ),
            message: args.destroy_warning_message.clone(),
            ..extras.clone()
        };
        // One context for every message of the delivery; each takes its own title,
        // message, problems and owners from it.
        let data = OnceCell::new();
        let shared = || {
            data.get_or_init(|| render::template_data(&Context::new(report, &extras), &self.masker))
        };
        let render = |message: &Message, own: &Extras<'_>, limit: usize| {
            let context = render::for_delivery(shared(), report.command, own, &self.masker)
                .unwrap_or_else(|| render::template_data(&Context::new(report, own), &self.masker));
            render::render_within(message, &context, limit)
                .map(|fitted| self.masker.mask(&fitted.text).into_owned())
                .map_err(|e| Error::Template { message: e.message })
        };
        let destroying = self.destroy_warning.as_ref().filter(|_| report.has_destroy);
        if !self.fields_checked.replace(true) {
            self.warn_unknown_fields(report, &shared);
        }

        if let (Some(path), Some(message)) = (
            args.markdown_output(),
            self.message(Flavor::Markdown, report),
        ) {
            let mut texts = vec![render(message, &extras, STEP_SUMMARY_LIMIT)];
            if let Some(warning) = destroying {
                texts.push(render(warning, &warning_extras, STEP_SUMMARY_LIMIT));
            }
            for text in texts {
                if let Err(e) = text.and_then(|text| self.local.append_markdown(path, &text)) {
                    errors.push(e);
                }
            }
        }
        if self.step_summary.is_some()
            && let Some(message) = self.message(Flavor::Markdown, report)
        {
            self.append_step_summary(render(message, &extras, STEP_SUMMARY_LIMIT));
            if let Some(warning) = destroying {
                self.append_step_summary(render(warning, &warning_extras, STEP_SUMMARY_LIMIT));
            }
        }

        let body = |message: &Message, limit: usize, problems: &[String], owners: &[String]| {
            let extras = Extras {
                error_messages: problems.to_vec(),
                owners: owners.to_vec(),
                ..extras.clone()
            };
            render(message, &extras, limit).map_err(|e| e.to_string())
        };
        let warning = |limit: usize| destroying.map(|w| render(w, &warning_extras, limit));
        let sent = self.send_each(aim.destinations, report, None, &body, &warning);
        errors.extend(sent.errors);
        Delivered {
            errors,
            comment_url: sent.comment_url,
        }
    }

    /// Appends a rendered message to the step summary, if this run writes one; what fails
    /// is a warning (see [`step_summary`]).
    pub(super) fn append_step_summary(&self, text: Result<String, Error>) {
        let Some(path) = &self.step_summary else {
            return;
        };
        if let Err(e) = text.and_then(|text| self.local.append_markdown(path, &text)) {
            self.local.print(&step_summary::failure_warning(path, &e));
        }
    }

    /// Sends to every destination of the run: `body` renders a message within a limit,
    /// with a notifier's problems and the owners it mentions; `warning` the classic
    /// destroy warning, if there is one.
    /// [`Deliveries::send_each`] to the run's own destinations.
    pub(super) fn send_everywhere(
        &self,
        report: &Report,
        overview: Option<&Overview>,
        body: &RenderBody<'_>,
        warning: &dyn Fn(usize) -> Option<Result<String, Error>>,
    ) -> Delivered {
        self.send_each(&self.destinations, report, overview, body, warning)
    }

    fn send_each(
        &self,
        destinations: &[Destination],
        report: &Report,
        overview: Option<&Overview>,
        body: &RenderBody<'_>,
        warning: &dyn Fn(usize) -> Option<Result<String, Error>>,
    ) -> Delivered {
        let mut errors = Vec::new();
        let mut comment_url = None;
        let mut owners_found = self.owners_found.borrow_mut();
        for destination in destinations {
            let planned = &destination.planned;
            let notifier = &planned.notifier;
            let kind = planned.label.as_str();
            let noun = notifier.noun();
            if let Some(reason) = planned.rule.skip_reason(report) {
                self.local
                    .print(&format!("tfnotify: {kind} {noun} {reason}\n"));
                continue;
            }
            let shared = self.message(notifier.flavor(), report);
            let Some(message) = destination.own.as_ref().or(shared) else {
                continue;
            };
            let limit = notifier.limit();
            let owners = self.owners_for(notifier.codeowners(), report, &mut owners_found);
            let render = |problems: &[String]| body(message, limit, problems, &owners);
            let warning = match warning(limit) {
                Some(Ok(text)) => Some(text),
                Some(Err(e)) => {
                    errors.push(e);
                    None
                }
                None => None,
            };
            let delivery = Delivery {
                report,
                render: &render,
                destroy_warning: warning.as_deref(),
                masker: &self.masker,
                overview,
            };
            match notifier.send(&self.client_for(notifier.as_ref()), &delivery) {
                Ok(sent) => {
                    let mut lines = String::new();
                    for problem in &sent.warnings {
                        let _ = writeln!(lines, "tfnotify: warning: {kind}: {problem}");
                    }
                    if notifier.codeowners().is_some() && comment_url.is_none() {
                        comment_url.clone_from(&sent.url);
                    }
                    let url = sent.url.map(|u| format!(": {u}")).unwrap_or_default();
                    let _ = writeln!(lines, "tfnotify: {kind} {noun} {}{url}", sent.action);
                    self.local.print(&lines);
                }
                Err(source) => errors.push(Error::Notify(source)),
            }
        }
        Delivered {
            errors,
            comment_url,
        }
    }

    /// The HTTP client for one destination: its own secrets, the run's masks and tuning.
    fn client_for(&self, notifier: &dyn notify::Notifier) -> Http {
        Http::new(HttpConfig {
            secrets: notifier.secrets(),
            masks: self.masker.clone(),
            ..self.http.clone()
        })
    }

    /// For `tfnotify summary`: the latest result of each target, from the first review
    /// platform of the run that can say; what failed on the way is returned too.
    pub(super) fn pull_results(&self) -> (Option<PullResults>, Vec<Error>) {
        let mut errors = Vec::new();
        for destination in &self.destinations {
            let notifier = &destination.planned.notifier;
            match notifier.pull_results(&self.client_for(notifier.as_ref())) {
                Some(Ok(results)) => return (Some(results), errors),
                Some(Err(source)) => errors.push(Error::Notify(source)),
                None => {}
            }
        }
        (None, errors)
    }
}

/// Renders a message within a limit, with a notifier's problems and the owners it
/// mentions.
pub(super) type RenderBody<'a> =
    dyn Fn(&Message, usize, &[String], &[String]) -> Result<String, String> + 'a;

/// What delivering did: the failures, and the link of the review comment it wrote.
pub(super) struct Delivered {
    pub errors: Vec<Error>,
    pub comment_url: Option<String>,
}

/// `vars` masked: a masked target must not reach label names or hidden markers; masking
/// it before destinations are built keeps them the same from run to run, so the next run
/// still finds them.
fn masked_vars(masker: &Masker, vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    vars.iter()
        .map(|(name, value)| (name.clone(), masker.mask(value).into_owned()))
        .collect()
}

/// The AI summary the config and flags ask for (see [`Summariser::resolve`]).
fn summariser(
    args: &RunArgs,
    settings: &Settings,
    command: Command,
    world: &World<'_>,
) -> Result<Option<Summariser>, String> {
    let switches = ai::Switches {
        on: args.summary,
        provider: args.summary_provider.as_deref(),
        model: args.summary_model.as_deref(),
        template_file: args.summary_template.as_deref(),
    };
    Summariser::resolve(
        &settings.config.ai_summary,
        &switches,
        command,
        world.env,
        &world.cwd,
    )
}

/// The one warning of a run whose AI summary is missing.
fn no_summary(reason: &str) -> String {
    format!("tfnotify: warning: no AI summary: {reason}; the message is sent without one\n")
}
