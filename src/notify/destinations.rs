//! Which destinations a run has, and when each of them posts.
//!
//! Without a `notifiers:` list, the destinations are what tfnotify v0 and tfcmt chose: the
//! classic `notifier:` blocks, else the credentials found in the environment. With a list,
//! the list decides (plus a classic block, which is one more entry): credentials in the
//! environment alone add nothing, so a run posts exactly where the file says. An entry's
//! settings stand in for the environment variables its destination reads (see
//! [`Setting`]), its `repository` for the CI's, its `behavior` for the default (a
//! `--comment` flag still wins). `--notifier NAME` keeps the entries of that type or name.

use std::collections::BTreeMap;

use crate::ci::CiEnv;
use crate::config::{Config, Destination, Notifiers};
use crate::model::{Action, Command, Outcome, Report};
use crate::notify::github::{Behaviour, Options};
use crate::notify::{Build, Notifier, NotifyError, REGISTRY, Request, Setting, known_names};

/// A destination of this run with its own conditions and template.
pub struct Planned {
    pub notifier: Box<dyn Notifier>,
    /// How messages name it: `Slack`, or `Slack (ops-channel)` for a named entry.
    pub label: String,
    pub rule: Rule,
    /// The entry's own template, when it has one.
    pub template: Option<String>,
    /// Problems in the entry that do not stop it (an unknown setting).
    pub warnings: Vec<String>,
}

/// When an entry posts: any one of its conditions is enough; none means always.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    when: Vec<Condition>,
}

/// One word of `when:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    Always,
    Changes,
    NoChanges,
    Destroy,
    Replace,
    Failure,
    Success,
    Warning,
}

/// The words `when:` takes, in the order the docs list them.
const CONDITIONS: &[(&str, Condition)] = &[
    ("always", Condition::Always),
    ("changes", Condition::Changes),
    ("no_changes", Condition::NoChanges),
    ("destroy", Condition::Destroy),
    ("replace", Condition::Replace),
    ("failure", Condition::Failure),
    ("success", Condition::Success),
    ("warning", Condition::Warning),
];

impl Condition {
    fn holds(self, report: &Report) -> bool {
        match self {
            Condition::Always => true,
            Condition::Changes => matches!(report.outcome, Outcome::Changes | Outcome::Applied),
            Condition::NoChanges => report.outcome == Outcome::NoChanges,
            Condition::Destroy => report.has_destroy,
            Condition::Replace => report.resources.iter().any(|r| r.action == Action::Replace),
            Condition::Failure => !report.outcome.is_success(),
            Condition::Success => report.outcome.is_success(),
            Condition::Warning => !report.warnings.is_empty(),
        }
    }

    fn name(self) -> &'static str {
        CONDITIONS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("always", |(n, _)| n)
    }
}

impl Rule {
    /// `None` when the entry posts for this report, else why it does not.
    pub fn skip_reason(&self, report: &Report) -> Option<String> {
        if self.when.is_empty() || self.when.iter().any(|c| c.holds(report)) {
            return None;
        }
        let words: Vec<&str> = self.when.iter().map(|c| c.name()).collect();
        Some(format!(
            "skipped: the result is `{}`, and this destination posts only when: {}",
            report.outcome.as_str(),
            words.join(", ")
        ))
    }
}

/// The destinations of this run; entries that cannot be set up come back as errors.
pub fn plan(request: &Request<'_>) -> Vec<Result<Planned, NotifyError>> {
    let config = request.config;
    if config.notifiers.is_empty() {
        return crate::notify::build(request)
            .into_iter()
            .map(|built| built.map(unconditional))
            .collect();
    }
    let mut planned = Vec::new();
    for (index, entry) in config.notifiers.iter().enumerate() {
        if !is_picked(entry, request.only) {
            continue;
        }
        if let Some(error) = unknown_command(index, entry) {
            planned.push(Err(error));
            continue;
        }
        if is_for_command(entry, request.command) {
            planned.push(from_entry(request, index, entry));
        }
    }
    for name in classic_blocks(&config.notifier) {
        let picked = request
            .only
            .is_none_or(|only| only.eq_ignore_ascii_case(name));
        let Some((_, build, _)) = registered(name) else {
            continue;
        };
        if picked {
            let classic = Request {
                only: Some(name),
                ..*request
            };
            planned.extend(build(&classic).map(|built| built.map(unconditional)));
        }
    }
    if let Some(only) = request.only.filter(|_| planned.is_empty()) {
        // `--notifier NAME` for a destination the file does not list: its environment.
        if let Some((_, build, _)) = registered(only) {
            planned.extend(build(request).map(|built| built.map(unconditional)));
        }
    }
    planned
}

/// Whether `--notifier NAME` names an entry of the config (by `name`), so it is not an
/// unknown destination.
pub fn names_an_entry(config: &Config, name: &str) -> bool {
    config
        .notifiers
        .iter()
        .any(|e| !e.name.is_empty() && e.name.eq_ignore_ascii_case(name))
}

/// The registry line of the destination `name` (any case).
fn registered(name: &str) -> Option<&'static (&'static str, Build, &'static [Setting])> {
    REGISTRY
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
}

/// The error for a word in the entry's `commands` that names no command.
fn unknown_command(index: usize, entry: &Destination) -> Option<NotifyError> {
    let command = entry.commands.iter().find(|c| !is_command(c))?;
    Some(NotifyError::new(
        "config",
        format!("`notifiers[{index}]`: unknown command `{command}` in `commands`"),
        Some("use any of plan, apply, destroy, fmt, validate"),
    ))
}

fn unconditional(notifier: Box<dyn Notifier>) -> Planned {
    Planned {
        label: notifier.kind().to_owned(),
        notifier,
        rule: Rule::default(),
        template: None,
        warnings: Vec::new(),
    }
}

fn is_picked(entry: &Destination, only: Option<&str>) -> bool {
    only.is_none_or(|only| {
        entry.kind.eq_ignore_ascii_case(only)
            || (!entry.name.is_empty() && entry.name.eq_ignore_ascii_case(only))
    })
}

/// Whether the entry's `commands` (all when empty) include `command`.
pub fn is_for_command(entry: &Destination, command: Command) -> bool {
    entry.commands.is_empty()
        || entry
            .commands
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case(command.as_str()))
}

/// The classic blocks present, in tfnotify v0's order.
fn classic_blocks(notifier: &Notifiers) -> Vec<&'static str> {
    [
        ("github", notifier.github.is_some()),
        ("gitlab", notifier.gitlab.is_some()),
        ("slack", notifier.slack.is_some()),
        ("mattermost", notifier.mattermost.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

/// Sets up one entry of `notifiers:` (`index` counts from 0, as the YAML path does).
fn from_entry(
    request: &Request<'_>,
    index: usize,
    entry: &Destination,
) -> Result<Planned, NotifyError> {
    let Checked {
        name,
        build,
        settings,
        rule,
        behaviour,
        warnings,
    } = check_entry(index, entry)?;
    let at = |message: String| {
        NotifyError::new("config", format!("`notifiers[{index}]`: {message}"), None)
    };

    let values: BTreeMap<&str, String> = settings
        .iter()
        .filter_map(|setting| {
            let value = entry.settings.get(setting.key)?.expose().trim().to_owned();
            Some(setting.env.iter().map(move |var| (*var, value.clone())))
        })
        .flatten()
        .collect();
    let base_env = request.env;
    let env = |var: &str| values.get(var).cloned().or_else(|| base_env(var));

    let mut config = request.config.clone();
    config.notifier = Notifiers::default();
    config.notifiers.clear();
    if entry.settings.contains_key("base_url") {
        config.ghe_base_url.clear();
    }
    if entry.settings.contains_key("graphql_url") {
        config.ghe_graphql_endpoint.clear();
    }
    let mut ci: CiEnv = request.ci.clone();
    let repository = &entry.repository;
    if !repository.owner.trim().is_empty() {
        ci.owner = Some(repository.owner.trim().to_owned());
    }
    if !repository.name.trim().is_empty() {
        ci.repo = Some(repository.name.trim().to_owned());
    }
    let options = Options {
        behaviour: request.options.behaviour.or(behaviour),
        ..request.options.clone()
    };
    let scoped = Request {
        config: &config,
        ci: &ci,
        options: &options,
        only: Some(name),
        env: &env,
        ..*request
    };
    let notifier =
        build(&scoped).unwrap_or_else(|| Err(at(format!("`{name}` could not be set up"))))?;
    let label = match entry.name.trim() {
        "" => notifier.kind().to_owned(),
        own => format!("{} ({own})", notifier.kind()),
    };
    let template = Some(entry.template.clone()).filter(|t| !t.trim().is_empty());
    Ok(Planned {
        notifier,
        label,
        rule,
        template,
        warnings,
    })
}

/// What an entry says, once its words are known to mean something.
struct Checked {
    name: &'static str,
    build: Build,
    settings: &'static [Setting],
    rule: Rule,
    behaviour: Option<Behaviour>,
    warnings: Vec<String>,
}

/// Every mistake in the entries that can be found without credentials or input, for
/// `tfnotify config check`: per entry, its warnings or its error.
pub fn check(config: &Config) -> Vec<Result<Vec<String>, NotifyError>> {
    config
        .notifiers
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            if let Some(error) = unknown_command(index, entry) {
                return Err(error);
            }
            check_entry(index, entry).map(|checked| checked.warnings)
        })
        .collect()
}

fn check_entry(index: usize, entry: &Destination) -> Result<Checked, NotifyError> {
    let at = |message: String, hint: Option<&str>| {
        NotifyError::new("config", format!("`notifiers[{index}]`: {message}"), hint)
    };
    let kind = entry.kind.trim();
    let Some((name, build, settings)) = registered(kind) else {
        let message = if kind.is_empty() {
            "no `type`".to_owned()
        } else if kind.eq_ignore_ascii_case("typetalk") {
            let hint = "use `slack`, `chatwork`, `teams` or `webhook` instead";
            return Err(at(
                "Typetalk closed in December 2025".to_owned(),
                Some(hint),
            ));
        } else {
            format!("unknown type `{kind}`")
        };
        let hint = format!("set `type:` to one of {}", known_names());
        return Err(at(message, Some(&hint)));
    };
    let rule = parse_rule(&entry.when).map_err(|word| {
        let words: Vec<&str> = CONDITIONS.iter().map(|(n, _)| *n).collect();
        at(
            format!("unknown condition `{word}` in `when`"),
            Some(&format!("use any of {}", words.join(", "))),
        )
    })?;
    let behaviour = match entry.behavior.trim() {
        "" => None,
        word => Some(
            <Behaviour as clap::ValueEnum>::from_str(word, true).map_err(|_| {
                at(
                    format!("unknown behavior `{word}`"),
                    Some("use update, new, hide-and-new or delete-and-new"),
                )
            })?,
        ),
    };
    let warnings = unknown_settings(index, entry, name, settings);
    Ok(Checked {
        name,
        build: *build,
        settings,
        rule,
        behaviour,
        warnings,
    })
}

fn parse_rule(words: &[String]) -> Result<Rule, String> {
    let mut when = Vec::new();
    for word in words {
        let word = word.trim();
        let condition = CONDITIONS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(word) || n.replace('_', "-") == word)
            .map(|(_, c)| *c)
            .ok_or_else(|| word.to_owned())?;
        when.push(condition);
    }
    Ok(Rule { when })
}

fn is_command(word: &str) -> bool {
    let word = word.trim();
    [
        Command::Plan,
        Command::Apply,
        Command::Destroy,
        Command::Fmt,
        Command::Validate,
    ]
    .iter()
    .any(|c| c.as_str().eq_ignore_ascii_case(word))
}

/// Warnings for settings the destination does not read, with the closest known key.
fn unknown_settings(
    index: usize,
    entry: &Destination,
    name: &str,
    settings: &[Setting],
) -> Vec<String> {
    entry
        .settings
        .keys()
        .filter(|key| !settings.iter().any(|s| s.key == key.as_str()))
        .map(|key| {
            let known: Vec<&str> = settings.iter().map(|s| s.key).collect();
            let closest = known
                .iter()
                .filter(|k| strsim::levenshtein(k, key) <= 2)
                .min_by_key(|k| strsim::levenshtein(k, key));
            let suggestion = closest
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            let list = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            format!(
                "`notifiers[{index}].{key}` is not a setting of `{name}` and is ignored{suggestion}; it takes: {list}"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Rule, parse_rule};
    use crate::model::{Command, Report};

    fn report(fixture: &str, command: Command) -> Report {
        let path = format!(
            "{}/tests/fixtures/terraform/1.11/{fixture}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).expect("fixture");
        crate::parse::parse(&bytes, command).expect("parses")
    }

    fn rule(words: &[&str]) -> Rule {
        let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        parse_rule(&words).expect("known words")
    }

    #[test]
    fn each_condition_matches_the_results_it_names() {
        let destroy = report("plan_destroy.txt", Command::Plan);
        let create = report("plan_create_only.txt", Command::Plan);
        let nothing = report("plan_no_changes.txt", Command::Plan);
        let failed = report("apply_partial_failure.txt", Command::Apply);
        let applied = report("apply_create_only.txt", Command::Apply);
        let table: &[(&[&str], &Report, bool)] = &[
            (&[], &nothing, true),
            (&["always"], &failed, true),
            (&["destroy"], &destroy, true),
            (&["destroy"], &create, false),
            (&["changes"], &create, true),
            (&["changes"], &applied, true),
            (&["changes"], &nothing, false),
            (&["no_changes"], &nothing, true),
            (&["no-changes"], &nothing, true),
            (&["failure"], &failed, true),
            (&["failure"], &applied, false),
            (&["success"], &applied, true),
            (&["success"], &failed, false),
            (&["destroy", "failure"], &failed, true),
            (&["destroy", "failure"], &create, false),
        ];
        for (words, report, posts) in table {
            let skip = rule(words).skip_reason(report);
            assert_eq!(skip.is_none(), *posts, "{words:?} on {:?}", report.outcome);
        }
    }

    #[test]
    fn replace_and_warning_look_at_the_resources_and_diagnostics() {
        let replace = report("plan_replace_create_before_destroy.txt", Command::Plan);
        assert!(rule(&["replace"]).skip_reason(&replace).is_none());
        let create = report("plan_create_only.txt", Command::Plan);
        assert!(rule(&["replace"]).skip_reason(&create).is_some());
        assert!(rule(&["warning"]).skip_reason(&create).is_some());
        let warned = report("plan_check_block_failing.txt", Command::Plan);
        assert!(rule(&["warning"]).skip_reason(&warned).is_none());
    }

    #[test]
    fn a_skip_says_what_the_result_was_and_what_was_asked() {
        let create = report("plan_create_only.txt", Command::Plan);
        assert_eq!(
            rule(&["destroy", "failure"])
                .skip_reason(&create)
                .as_deref(),
            Some(
                "skipped: the result is `changes`, and this destination posts only when: destroy, failure"
            )
        );
        assert_eq!(
            parse_rule(&["sometimes".to_owned()]),
            Err("sometimes".to_owned())
        );
    }
}

#[cfg(test)]
mod docs {
    use crate::notify::REGISTRY;

    #[test]
    fn the_settings_table_lists_every_setting_of_every_destination() {
        let docs = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/notifiers/README.md"
        ));
        let mut missing = Vec::new();
        for (name, _, settings) in REGISTRY {
            for setting in *settings {
                let vars: Vec<String> = setting.env.iter().map(|v| format!("`{v}`")).collect();
                let row = format!(
                    "| `{name}` | `{}` | {} | {} |",
                    setting.key,
                    vars.join(", "),
                    setting.doc
                );
                if !docs.contains(&row) {
                    missing.push(row);
                }
            }
            if !docs.contains(&format!("| `{name}` | [")) {
                missing.push(format!("the destination table's row for `{name}`"));
            }
        }
        assert_eq!(
            missing,
            Vec::<String>::new(),
            "add to docs/notifiers/README.md"
        );
    }
}
