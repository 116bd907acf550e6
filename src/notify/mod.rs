//! Notify: delivering rendered messages to where people read them.
//!
//! Each destination is one file implementing [`Notifier`] and one line in `REGISTRY`.
//! Notifiers consume what the render stage produced and never parse. All of them talk HTTP
//! through [`http::Http`], which alone retries and classifies failures. Failures here are
//! delivery failures ([`crate::error::EXIT_DELIVERY`]); they never stop the pass-through,
//! which is over by the time anything is delivered, nor the other destinations.

mod authors;
pub mod bitbucket;
pub mod bitbucket_server;
pub mod chatwork;
pub mod destinations;
pub mod discord;
pub mod gitea;
pub mod github;
pub mod github_check;
pub mod gitlab;
pub mod http;
mod label_name;
pub mod local;
pub mod mattermost;
pub mod results;
pub mod slack;
pub mod teams;
mod thread;
pub mod webhook;

use std::collections::BTreeMap;

use crate::ci::CiEnv;
use crate::config::Config;
use crate::mask::Masker;
use crate::model::{Command, Report};
use crate::render::Flavor;

use http::Http;

/// A destination for messages.
pub trait Notifier {
    /// Short name for logs and errors (`GitHub`).
    fn kind(&self) -> &'static str;
    /// What it posts, for the line printed after it (`comment`, `message`).
    fn noun(&self) -> &'static str {
        "message"
    }
    /// The notation its messages are written in.
    fn flavor(&self) -> Flavor;
    /// The longest message it accepts, in characters.
    fn limit(&self) -> usize;
    /// The CODEOWNERS dialect of a review platform, whose comments may mention code owners;
    /// `None` for chat and other destinations, which never mention them.
    fn codeowners(&self) -> Option<crate::owners::Dialect> {
        None
    }
    /// Values it holds that must never be shown (tokens, webhook URLs).
    fn secrets(&self) -> Vec<String>;
    /// Delivers one run's message.
    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError>;
    /// For `tfnotify summary`: the latest result of each target, as this program's comments
    /// on the pull request state them; `None` for destinations without such comments.
    fn pull_results(&self, _http: &Http) -> Option<Result<results::PullResults, NotifyError>> {
        None
    }
}

/// What a notifier gets for one run.
pub struct Delivery<'a> {
    pub report: &'a Report,
    /// Renders the message in the notifier's notation and limit, masked; the argument
    /// lists the notifier's own problems (label failures …) for `.ErrorMessages`.
    pub render: &'a dyn Fn(&[String]) -> Result<String, String>,
    /// The classic extra message for a destroying plan, rendered, if the config has one.
    pub destroy_warning: Option<&'a str>,
    /// The run's masks, for text a notifier writes itself (a summary built from the
    /// report), as `render` already does to the message. The client masks every request
    /// anyway; masking at the source as well keeps cuts and splits from halving a secret.
    pub masker: &'a Masker,
    /// For `tfnotify summary`: every target's result, which data destinations (the
    /// webhook) send as they are; `report` then only totals them.
    pub overview: Option<&'a crate::model::overview::Overview>,
}

/// What a delivery did, for the line printed after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// `created`, `updated`, `unchanged`, or why it was skipped.
    pub action: String,
    pub url: Option<String>,
    /// Problems that did not stop the delivery (a label that could not be set).
    pub warnings: Vec<String>,
}

/// A failed delivery, with a hint for the usual causes.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct NotifyError {
    pub kind: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl NotifyError {
    /// An error of the destination `kind`, with an optional hint.
    pub(crate) fn new(kind: &'static str, message: String, hint: Option<&str>) -> Self {
        NotifyError {
            kind,
            message,
            hint: hint.map(str::to_owned),
        }
    }
}

/// A configured value, trimmed; `None` when it is missing or blank.
pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Whether an environment variable is set to something other than blanks.
pub(crate) fn env_is_set(env: &dyn Fn(&str) -> Option<String>, name: &str) -> bool {
    non_empty(env(name)).is_some()
}

/// A true/false setting: `true`, `1`, `yes` or `on` (any case) turn it on, `false`, `0`,
/// `no`, `off` or nothing leave it off; anything else is an error naming the variable, so
/// a typo does not silently change what is posted.
pub(crate) fn env_flag(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<bool, String> {
    let Some(value) = non_empty(env(name)) else {
        return Ok(false);
    };
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("`{name}` is `{value}`, not `true` or `false`")),
    }
}

/// Whether a webhook or API URL can be posted to at all.
pub(crate) fn is_http_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// What decides which notifiers a run has and how they are set up.
pub struct Request<'a> {
    pub config: &'a Config,
    pub ci: &'a CiEnv,
    pub vars: &'a BTreeMap<String, String>,
    pub command: Command,
    /// `--notifier NAME`, if given: only that one.
    pub only: Option<&'a str>,
    /// Whether the repository was named by flags (so a token alone can mean "post").
    pub repository_from_flags: bool,
    pub options: &'a github::Options,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Request<'_> {
    /// Whether the destination `name` is wanted: named by `--notifier`, or, when no name
    /// was given, configured (`present`).
    pub(crate) fn wants(&self, name: &str, present: impl FnOnce() -> bool) -> bool {
        match self.only {
            Some(only) => only.eq_ignore_ascii_case(name),
            None => present(),
        }
    }
}

/// Builds the notifier of one kind when the request asks for it.
pub(crate) type Build = fn(&Request<'_>) -> Option<Result<Box<dyn Notifier>, NotifyError>>;

/// A key a `notifiers:` entry may set, and the environment variables it stands in for.
///
/// A destination reads its settings from the environment; an entry's value replaces all of
/// `env` for that entry, so one table serves both and the two can never disagree.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The key in the entry (`webhook_url`).
    pub key: &'static str,
    /// The variables it replaces, in the order the destination reads them.
    pub env: &'static [&'static str],
    /// The words it takes, in any case, when it takes only some (empty: any value), so
    /// `tfnotify config check` refuses another before a run does.
    pub one_of: &'static [&'static str],
    /// What it is, for `tfnotify config schema` and the docs.
    pub doc: &'static str,
}

/// Every destination, one line each: the name `--notifier` and `type:` take, its builder,
/// and the settings a `notifiers:` entry may give it.
const REGISTRY: &[(&str, Build, &[Setting])] = &[
    ("github", github::from_request, github::SETTINGS),
    (
        "github-check",
        github_check::from_request,
        github_check::SETTINGS,
    ),
    ("gitlab", gitlab::from_request, gitlab::SETTINGS),
    ("gitea", gitea::from_request, gitea::SETTINGS),
    ("bitbucket", bitbucket::from_request, bitbucket::SETTINGS),
    (
        "bitbucket-server",
        bitbucket_server::from_request,
        bitbucket_server::SETTINGS,
    ),
    ("slack", slack::from_request, slack::SETTINGS),
    ("chatwork", chatwork::from_request, chatwork::SETTINGS),
    ("teams", teams::from_request, teams::SETTINGS),
    ("discord", discord::from_request, discord::SETTINGS),
    ("mattermost", mattermost::from_request, mattermost::SETTINGS),
    ("webhook", webhook::from_request, webhook::SETTINGS),
];

/// The notifiers of a run; the ones that cannot be built come back as errors.
pub fn build(request: &Request<'_>) -> Vec<Result<Box<dyn Notifier>, NotifyError>> {
    REGISTRY
        .iter()
        .filter_map(|(_, build, _)| build(request))
        .collect()
}

/// Whether `--notifier NAME` names a destination (`local`: only the terminal and
/// `--output`).
pub fn is_known(name: &str) -> bool {
    name.eq_ignore_ascii_case("local")
        || REGISTRY
            .iter()
            .any(|(n, _, _)| n.eq_ignore_ascii_case(name))
}

/// Every destination's settings, for the JSON Schema of `notifiers:` entries.
pub fn all_settings() -> impl Iterator<Item = (&'static str, &'static Setting)> {
    REGISTRY
        .iter()
        .flat_map(|(name, _, settings)| settings.iter().map(move |s| (*name, s)))
}

/// The names `--notifier` takes, as prose for error messages.
pub fn known_names() -> String {
    let mut names: Vec<&str> = REGISTRY.iter().map(|(n, _, _)| *n).collect();
    names.push("local");
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::env_flag;

    #[test]
    fn flags_are_true_false_or_an_error_naming_the_variable() {
        #[track_caller]
        fn case(value: Option<&str>, expected: Result<bool, &str>) {
            let env = |_: &str| value.map(str::to_owned);
            assert_eq!(
                env_flag(&env, "SLACK_THREAD"),
                expected.map_err(str::to_owned)
            );
        }
        for on in ["true", "TRUE", "1", "yes", "On"] {
            case(Some(on), Ok(true));
        }
        for off in ["false", "0", "no", "off", " ", ""] {
            case(Some(off), Ok(false));
        }
        case(None, Ok(false));
        case(
            Some("treu"),
            Err("`SLACK_THREAD` is `treu`, not `true` or `false`"),
        );
    }
}
