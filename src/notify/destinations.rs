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
    ProtectedDestroy,
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
    ("protected_destroy", Condition::ProtectedDestroy),
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
            Condition::ProtectedDestroy => !report.protected.is_empty(),
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

/// Every entry of the config, with the key path messages name it by: the `notifiers:`
/// list, then the `notifier:` blocks of destinations other than v0's (`notifier.chatwork`),
/// which mean the same as an entry of their type. A block whose name is no destination is
/// left out here; [`classic_warnings`] tells the user.
pub fn entries(config: &Config) -> Vec<(String, &Destination)> {
    let listed = config
        .notifiers
        .iter()
        .enumerate()
        .map(|(index, entry)| (format!("notifiers[{index}]"), entry));
    let classic = config
        .notifier
        .others
        .iter()
        .filter(|(name, _)| registered(name).is_some())
        .map(|(name, block)| (format!("notifier.{name}"), block));
    listed.chain(classic).collect()
}

/// Warnings for `notifier:` blocks that name no destination (`notifier.chatwrok`): the file
/// loads, as the Go tools' did with keys they did not know, and nothing is sent there.
pub fn classic_warnings(config: &Config) -> Vec<String> {
    config
        .notifier
        .others
        .keys()
        .filter(|name| registered(name).is_none())
        .map(|name| {
            let closest = REGISTRY
                .iter()
                .map(|(known, _, _)| *known)
                .filter(|known| strsim::levenshtein(known, name) <= 2)
                .min_by_key(|known| strsim::levenshtein(known, name))
                .map(|known| format!(" (did you mean `{known}`?)"))
                .unwrap_or_default();
            format!(
                "`notifier.{name}` names no destination and is ignored{closest}; the destinations are {}",
                known_names()
            )
        })
        .collect()
}

/// The destinations of this run; entries that cannot be set up come back as errors.
pub fn plan(request: &Request<'_>) -> Vec<Result<Planned, NotifyError>> {
    let config = request.config;
    let entries = entries(config);
    if entries.is_empty() {
        return crate::notify::build(request)
            .into_iter()
            .map(|built| built.map(unconditional))
            .collect();
    }
    let mut planned = Vec::new();
    for (place, entry) in entries {
        if !is_picked(entry, request.only) {
            continue;
        }
        if let Some(error) = unknown_command(&place, entry) {
            planned.push(Err(error));
            continue;
        }
        if is_for_command(entry, request.command) {
            planned.push(from_entry(request, &place, entry));
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
fn unknown_command(place: &str, entry: &Destination) -> Option<NotifyError> {
    let command = entry.commands.iter().find(|c| !is_command(c))?;
    Some(NotifyError::new(
        "config",
        format!("`{place}`: unknown command `{command}` in `commands`"),
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

/// The environment variables an entry's settings stand in for, with their values: what
/// the destination reads instead of the process environment.
pub fn setting_values(entry: &Destination, settings: &[Setting]) -> BTreeMap<&'static str, String> {
    settings
        .iter()
        .filter_map(|setting| {
            let value = entry.settings.get(setting.key)?.expose().trim().to_owned();
            Some(setting.env.iter().map(move |var| (*var, value.clone())))
        })
        .flatten()
        .collect()
}

/// Sets up one entry; `place` is its key path (`notifiers[0]`, `notifier.chatwork`).
fn from_entry(
    request: &Request<'_>,
    place: &str,
    entry: &Destination,
) -> Result<Planned, NotifyError> {
    let Checked {
        name,
        build,
        settings,
        rule,
        behaviour,
        warnings,
    } = check_entry(place, entry)?;
    let at = |message: String| NotifyError::new("config", format!("`{place}`: {message}"), None);

    let values = setting_values(entry, settings);
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

/// One entry's key path, the entry, and its warnings or the error that stops it.
pub type Checkup<'a> = (String, &'a Destination, Result<Vec<String>, NotifyError>);

/// Every mistake in the entries (see [`entries`]) that can be found without credentials or
/// input, for `tfnotify config check`: per entry, its key path, the entry, and its warnings
/// or its error.
pub fn check(config: &Config) -> Vec<Checkup<'_>> {
    entries(config)
        .into_iter()
        .map(|(place, entry)| {
            let checked = match unknown_command(&place, entry) {
                Some(error) => Err(error),
                None => check_entry(&place, entry).map(|checked| checked.warnings),
            };
            (place, entry, checked)
        })
        .collect()
}

fn check_entry(place: &str, entry: &Destination) -> Result<Checked, NotifyError> {
    let at = |message: String, hint: Option<&str>| {
        NotifyError::new("config", format!("`{place}`: {message}"), hint)
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
    if let Some((setting, value)) = unlisted_value(entry, settings) {
        return Err(at(
            format!(
                "`{}` is `{value}`, which `{name}` does not take",
                setting.key
            ),
            Some(&format!("use one of {}", setting.one_of.join(", "))),
        ));
    }
    let warnings = unknown_settings(place, entry, name, settings);
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
        Command::Summary,
    ]
    .iter()
    .any(|c| c.as_str().eq_ignore_ascii_case(word))
}

/// The first setting of `entry` whose value is not one of the words it takes.
fn unlisted_value<'a>(entry: &'a Destination, settings: &[Setting]) -> Option<(Setting, &'a str)> {
    entry.settings.iter().find_map(|(key, value)| {
        let setting = settings.iter().find(|s| s.key == key.as_str())?;
        let value = value.expose().trim();
        let listed = setting.one_of.is_empty()
            || value.is_empty()
            || setting
                .one_of
                .iter()
                .any(|word| word.eq_ignore_ascii_case(value));
        (!listed).then_some((*setting, value))
    })
}

/// Warnings for settings the destination does not read, with the closest known key.
fn unknown_settings(
    place: &str,
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
                "`{place}.{key}` is not a setting of `{name}` and is ignored{suggestion}; it takes: {list}"
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
    fn protected_destroy_looks_at_what_the_guard_marked() {
        let guard = |patterns: &[&str]| {
            let patterns = patterns
                .iter()
                .map(|p| crate::guard::Pattern::new(p).expect("valid"))
                .collect();
            crate::guard::Guard::new(patterns, false)
        };
        let mut mixed = report("plan_mixed.txt", Command::Plan);
        let when = rule(&["protected_destroy"]);
        assert!(when.skip_reason(&mixed).is_some(), "nothing marked yet");
        guard(&["module.monitoring.*"]).mark(&mut mixed);
        assert!(
            when.skip_reason(&mixed).is_some(),
            "the protected module is only created"
        );
        guard(&["module.db.*"]).mark(&mut mixed);
        assert!(
            when.skip_reason(&mixed).is_none(),
            "its replicas are replaced"
        );
        assert!(
            rule(&["no_changes", "protected_destroy"])
                .skip_reason(&mixed)
                .is_none()
        );
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
mod classic {
    use std::fmt::Write as _;

    use super::{check, entries, setting_values};
    use crate::config::parse;
    use crate::notify::REGISTRY;

    #[test]
    fn every_destination_s_classic_block_means_its_notifiers_entry() {
        let mut covered = Vec::new();
        for (name, _, settings) in REGISTRY {
            let mut keys = String::new();
            for (n, setting) in settings.iter().enumerate() {
                // A setting that takes some words only gets one of them.
                let value = match setting.one_of {
                    [] => format!("value{n}"),
                    words => words[n % words.len()].to_owned(),
                };
                let _ = writeln!(keys, "    {}: {value}", setting.key);
            }
            keys.push_str("    when: [failure]\n    behavior: new\n");
            let classic = format!("notifier:\n  {name}:\n{keys}");
            let (classic, warnings) = parse(classic.as_bytes(), "classic.yaml").expect("loads");
            if classic.notifier.others.is_empty() {
                // A tfnotify v0 block (`github`, `slack`, …): its own keys, see docs/config.md.
                continue;
            }
            assert_eq!(warnings, vec![], "{name}");
            let entry = format!("notifiers:\n  - type: {name}\n{keys}");
            let (listed, warnings) = parse(entry.as_bytes(), "entry.yaml").expect("loads");
            assert_eq!(warnings, vec![], "{name}");
            let (classic_place, from_block) = entries(&classic).pop().expect("one entry");
            let (_, from_list) = entries(&listed).pop().expect("one entry");
            assert_eq!(classic_place, format!("notifier.{name}"));
            assert_eq!(from_block, from_list, "{name}");
            let values = setting_values(from_block, settings);
            assert_eq!(values, setting_values(from_list, settings), "{name}");
            let expected: usize = settings.iter().map(|s| s.env.len()).sum();
            assert_eq!(values.len(), expected, "{name}: every setting is read");
            let checked = check(&classic);
            assert_eq!(checked.len(), 1);
            assert!(
                matches!(&checked[0].2, Ok(warnings) if warnings.is_empty()),
                "{name}: {:?}",
                checked[0].2.as_ref().err()
            );
            covered.push(*name);
        }
        assert_eq!(
            covered,
            [
                "github-check",
                "gitea",
                "bitbucket",
                "bitbucket-server",
                "chatwork",
                "teams",
                "discord",
                "webhook"
            ]
        );
    }

    #[test]
    fn a_classic_block_names_its_own_mistakes() {
        let text = "notifier:\n  teams:\n    webhok_url: x\n  chatwrok:\n    token: x\n";
        let (config, _) = parse(text.as_bytes(), "c.yaml").expect("loads");
        let checked = check(&config);
        assert_eq!(checked.len(), 1, "the unknown name is no entry");
        assert_eq!(
            checked[0].2.as_ref().expect("usable"),
            &vec![
                "`notifier.teams.webhok_url` is not a setting of `teams` and is ignored (did you mean `webhook_url`?); it takes: webhook_url"
                    .to_owned()
            ]
        );
        assert_eq!(
            super::classic_warnings(&config),
            vec![format!(
                "`notifier.chatwrok` names no destination and is ignored (did you mean `chatwork`?); the destinations are {}",
                crate::notify::known_names()
            )]
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
