//! The config file as written: finding it, reading it, and the raw structs it fills.
//!
//! One schema accepts both dialects unchanged: tfnotify v0 (`ci:`, `notifier:` blocks,
//! `when_destroy.template`) and tfcmt / tfnotify v1 (`templates:`, `label_color`,
//! `repo_owner`, `ghe_base_url`, `embedded_var_names`, `log.level`, …). A missing key is
//! its default. This module does not decide anything (which notifier, which token): that
//! is `Settings`, built later from [`Config`], the CI env and the flags (ripgrep's
//! low-args/high-args split). It never reads the process environment or the current
//! directory itself; callers pass both in, so tests stay hermetic.
//!
//! Unknown keys are warnings, never errors: Go's non-strict decoders ignored them, so
//! existing files carry them. The known-key tree lives in `schema.rs` and also yields the
//! JSON Schema printed by `tfnotify config schema`.

mod check;
mod ci_block;
mod classic;
mod discover;
mod documents;
mod env;
mod error;
mod schema;
mod secret;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

pub use ci_block::{CiBlock, CiEntry, CiEntryKind};
pub use discover::{CANDIDATES, discover};
pub use env::{expand, resolve_vars};
pub use error::{Error, Warning, WarningKind};
pub use secret::SecretString;

/// The process environment, injected: `&|name| std::env::var(name).ok()` in `main`, a map
/// lookup in tests.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The whole file. Every field is optional in YAML; `Default` is "no config file".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Config {
    /// tfnotify v0: the CI service (`circleci`, `github-actions`, …). v0 required it; we
    /// detect the CI when it is empty. Empty too when `ci:` is tfcmt's block.
    #[serde(deserialize_with = "ci_name")]
    pub ci: String,
    /// tfcmt v1–v3: `ci:` written as a block that computes the CI facts; `None` when `ci:`
    /// is a name or absent. Read from the checked tree, not by serde (see `ci_block.rs`).
    #[serde(skip)]
    pub ci_block: Option<CiBlock>,
    /// tfnotify v0: where to post.
    #[serde(deserialize_with = "nullable")]
    pub notifier: Notifiers,
    #[serde(deserialize_with = "nullable")]
    pub terraform: Terraform,
    /// tfcmt: named sub-templates that add to or replace the built-in ones.
    #[serde(deserialize_with = "nullable")]
    pub templates: BTreeMap<String, String>,
    /// tfcmt: beats CI detection and `--owner` (tfcmt's order, kept for drop-in behaviour).
    #[serde(deserialize_with = "nullable")]
    pub repo_owner: String,
    #[serde(deserialize_with = "nullable")]
    pub repo_name: String,
    /// tfcmt: GitHub Enterprise REST URL; `$VAR`/`${VAR}` expanded by [`Config::expand_env`].
    #[serde(deserialize_with = "nullable")]
    pub ghe_base_url: String,
    /// tfcmt: GitHub Enterprise GraphQL URL; expanded like `ghe_base_url`.
    #[serde(deserialize_with = "nullable")]
    pub ghe_graphql_endpoint: String,
    /// tfcmt: edit the previous plan comment instead of adding a new one.
    #[serde(deserialize_with = "nullable")]
    pub plan_patch: bool,
    /// tfcmt: which `--var` values are copied into the hidden comment metadata.
    #[serde(deserialize_with = "nullable")]
    pub embedded_var_names: Vec<String>,
    /// tfcmt v1–v3: static `.Vars`, below `--var`, the environment and `ci.vars`. tfcmt v4
    /// dropped the key; files written for v1–v3 still set it.
    #[serde(deserialize_with = "nullable")]
    pub vars: BTreeMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub log: Log,
    /// tfnotify v1: Slack failure notices (credentials come from the environment only).
    #[serde(deserialize_with = "nullable")]
    pub slack: SlackNotice,
    /// tfnotify v1: AI-written plan summary.
    #[serde(deserialize_with = "nullable")]
    pub ai_summary: AiSummary,
    /// Several destinations, each with its own conditions, template and behaviour.
    #[serde(deserialize_with = "nullable")]
    pub notifiers: Vec<Destination>,
    /// When review comments mention the code owners of the working directory.
    #[serde(deserialize_with = "nullable")]
    pub mention_owners: crate::owners::MentionOwners,
    /// Protected resources: destroys that cannot slip through.
    #[serde(deserialize_with = "nullable")]
    pub guard: Guard,
    /// Whether a run on GitHub Actions appends its message to the job's step summary;
    /// `None` (absent) means yes, so the opt-out is the only value anyone writes.
    #[serde(deserialize_with = "nullable")]
    pub step_summary: Option<bool>,
}

/// `guard:`. The patterns were checked by the known-key pass (none is empty), so turning
/// them into [`crate::guard::Pattern`]s later cannot fail for the file's own values.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Guard {
    /// Terraform address patterns; `*` matches any run of characters.
    #[serde(deserialize_with = "nullable")]
    pub protect: Vec<String>,
    /// Exit 4 when a plan destroys or replaces a protected resource.
    #[serde(deserialize_with = "nullable")]
    pub fail: bool,
    /// The result label of such a plan; empty means `<target>/protected-destroy`.
    #[serde(deserialize_with = "nullable")]
    pub label: String,
    #[serde(deserialize_with = "nullable")]
    pub label_color: String,
    #[serde(deserialize_with = "nullable")]
    pub disable_label: bool,
}

/// One entry of `notifiers:`. The keys besides the ones below are the destination's own
/// settings (`webhook_url`, `token`, `room_id`, …); which ones a `type` takes is the
/// notifier's business, so they are kept as written and checked when the run is set up.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Destination {
    /// The destination (`github`, `gitlab`, `slack`, …): the names `--notifier` takes.
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub kind: String,
    /// Shown in messages about this entry, and picked by `--notifier NAME`.
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    /// The commands this entry is for (`plan`, `apply`, …); empty means all.
    #[serde(deserialize_with = "nullable")]
    pub commands: Vec<String>,
    /// Results that make this entry post (`destroy`, `failure`, …); empty means always.
    #[serde(deserialize_with = "nullable")]
    pub when: Vec<String>,
    /// This entry's message template; empty means the destination's default (or the
    /// `terraform.<command>.template` when the destination writes Markdown).
    #[serde(deserialize_with = "nullable")]
    pub template: String,
    /// `update`, `new`, `hide-and-new`, `delete-and-new`; `--comment` wins over it.
    #[serde(deserialize_with = "nullable")]
    pub behavior: String,
    /// Review platforms: the repository to post to instead of the one the CI names.
    #[serde(deserialize_with = "nullable")]
    pub repository: Repository,
    /// The destination's own settings; values are kept hidden from `Debug`.
    #[serde(flatten)]
    pub settings: BTreeMap<String, SecretString>,
}

/// tfnotify v0 `notifier:`. `None` means the block is absent, which is how v0 chose the
/// notifier (first present of github, gitlab, slack, typetalk).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Notifiers {
    #[serde(deserialize_with = "nullable")]
    pub github: Option<GitHub>,
    #[serde(deserialize_with = "nullable")]
    pub gitlab: Option<GitLab>,
    #[serde(deserialize_with = "nullable")]
    pub slack: Option<Slack>,
    #[serde(deserialize_with = "nullable")]
    pub typetalk: Option<Typetalk>,
    #[serde(deserialize_with = "nullable")]
    pub mattermost: Option<Mattermost>,
    /// The blocks of the other destinations (`chatwork:`, `teams:`, …) by name, each read
    /// as the `notifiers:` entry of that type (`kind` is the name). Read apart from serde's
    /// pass, by `classic.rs`.
    #[serde(skip)]
    pub others: BTreeMap<String, Destination>,
}

/// `notifier.github`. An empty `token` means "use `GITHUB_TOKEN`" later, in `Settings`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct GitHub {
    #[serde(deserialize_with = "nullable")]
    pub token: SecretString,
    #[serde(deserialize_with = "nullable")]
    pub base_url: String,
    #[serde(deserialize_with = "nullable")]
    pub repository: Repository,
}

/// `notifier.gitlab`; `repository.owner` may be a nested group path (`group/sub`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct GitLab {
    #[serde(deserialize_with = "nullable")]
    pub token: SecretString,
    #[serde(deserialize_with = "nullable")]
    pub base_url: String,
    #[serde(deserialize_with = "nullable")]
    pub repository: Repository,
}

/// The `repository: {owner, name}` block shared by the GitHub and GitLab notifiers.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Repository {
    #[serde(deserialize_with = "nullable")]
    pub owner: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
}

/// `notifier.slack` (tfnotify v0, token in the file); not the v1 top-level `slack:`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Slack {
    #[serde(deserialize_with = "nullable")]
    pub token: SecretString,
    #[serde(deserialize_with = "nullable")]
    pub channel: String,
    #[serde(deserialize_with = "nullable")]
    pub bot: String,
    /// An incoming webhook, used when there is no bot token and channel.
    #[serde(deserialize_with = "nullable")]
    pub webhook_url: SecretString,
}

/// `notifier.typetalk`; `topic_id` stays a string until the notifier parses it, because v0
/// allowed `$TYPETALK_TOPIC_ID` there.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Typetalk {
    #[serde(deserialize_with = "nullable")]
    pub token: SecretString,
    #[serde(deserialize_with = "nullable")]
    pub topic_id: String,
}

/// `notifier.mattermost` (mercari/tfnotify after v0.8.0); the webhook URL is the secret.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Mattermost {
    #[serde(deserialize_with = "nullable")]
    pub webhook: SecretString,
    #[serde(deserialize_with = "nullable")]
    pub channel: String,
    #[serde(deserialize_with = "nullable")]
    pub bot: String,
}

/// `terraform:`. Empty templates mean "the built-in default".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Terraform {
    /// Render with text/template semantics (no HTML escaping).
    #[serde(deserialize_with = "nullable")]
    pub use_raw_output: bool,
    /// tfnotify v1: treat Terragrunt `run-all` output as one report.
    #[serde(deserialize_with = "nullable")]
    pub consolidated: bool,
    /// tfnotify v0 read this and never used it; kept so the key is known.
    #[serde(deserialize_with = "nullable")]
    pub default: Template,
    #[serde(deserialize_with = "nullable")]
    pub fmt: Template,
    #[serde(deserialize_with = "nullable")]
    pub validate: Template,
    #[serde(deserialize_with = "nullable")]
    pub plan: Plan,
    #[serde(deserialize_with = "nullable")]
    pub apply: Apply,
}

/// A block that only holds a template (`terraform.fmt`, `when_parse_error`, …).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Template {
    #[serde(deserialize_with = "nullable")]
    pub template: String,
}

/// `terraform.plan`: the comment template plus one block per plan result.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Plan {
    #[serde(deserialize_with = "nullable")]
    pub template: String,
    #[serde(deserialize_with = "nullable")]
    pub when_add_or_update_only: Label,
    #[serde(deserialize_with = "nullable")]
    pub when_destroy: WhenDestroy,
    #[serde(deserialize_with = "nullable")]
    pub when_no_changes: WhenNoChanges,
    #[serde(deserialize_with = "nullable")]
    pub when_plan_error: Label,
    /// tfcmt: comment used when the output cannot be parsed.
    #[serde(deserialize_with = "nullable")]
    pub when_parse_error: Template,
    /// tfcmt: no result labels at all.
    #[serde(deserialize_with = "nullable")]
    pub disable_label: bool,
    /// tfcmt: blank `.Warning` in templates.
    #[serde(deserialize_with = "nullable")]
    pub ignore_warning: bool,
}

/// `terraform.apply`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Apply {
    #[serde(deserialize_with = "nullable")]
    pub template: String,
    #[serde(deserialize_with = "nullable")]
    pub when_parse_error: Template,
}

/// The label settings of one plan result. Empty `label`/`label_color` mean the dialect's
/// default, which `Settings` decides (v0: no label; tfcmt: `destroy`, `d93f0b`, …).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Label {
    #[serde(deserialize_with = "nullable")]
    pub label: String,
    #[serde(deserialize_with = "nullable")]
    pub label_color: String,
    #[serde(deserialize_with = "nullable")]
    pub disable_label: bool,
}

/// `when_destroy`: labels plus v0's optional warning comment template.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct WhenDestroy {
    #[serde(deserialize_with = "nullable")]
    pub label: String,
    #[serde(deserialize_with = "nullable")]
    pub label_color: String,
    #[serde(deserialize_with = "nullable")]
    pub disable_label: bool,
    /// tfnotify v0: when set, a separate warning comment is posted for destroying plans.
    #[serde(deserialize_with = "nullable")]
    pub template: String,
}

/// `when_no_changes`: labels plus tfcmt's "skip the comment" switch.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct WhenNoChanges {
    #[serde(deserialize_with = "nullable")]
    pub label: String,
    #[serde(deserialize_with = "nullable")]
    pub label_color: String,
    #[serde(deserialize_with = "nullable")]
    pub disable_label: bool,
    #[serde(deserialize_with = "nullable")]
    pub disable_comment: bool,
}

/// `log:` (tfcmt); `--log-level` wins over it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Log {
    #[serde(deserialize_with = "nullable")]
    pub level: String,
}

/// tfnotify v1 top-level `slack:`; `None` booleans mean "not set, use the env or default".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SlackNotice {
    #[serde(deserialize_with = "nullable")]
    pub enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub title: String,
    #[serde(deserialize_with = "nullable")]
    pub message: String,
    #[serde(deserialize_with = "nullable")]
    pub plan_title: String,
    #[serde(deserialize_with = "nullable")]
    pub plan_message: String,
    #[serde(deserialize_with = "nullable")]
    pub apply_title: String,
    #[serde(deserialize_with = "nullable")]
    pub apply_message: String,
    #[serde(deserialize_with = "nullable")]
    pub notify_on_plan_error: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub notify_on_apply_error: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub use_threads: Option<bool>,
}

/// tfnotify v1 `ai_summary:`, plus `base_url` and `timeout`, which v1 lacks: as written,
/// resolved with the flags and the environment by [`crate::ai`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AiSummary {
    #[serde(deserialize_with = "nullable")]
    pub enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub provider: String,
    #[serde(deserialize_with = "nullable")]
    pub model: String,
    #[serde(deserialize_with = "nullable")]
    pub template: String,
    #[serde(deserialize_with = "nullable")]
    pub template_file: String,
    #[serde(deserialize_with = "nullable")]
    pub max_tokens: Option<u32>,
    /// The provider's address, for a proxy or a server of one's own.
    #[serde(deserialize_with = "nullable")]
    pub base_url: String,
    /// Seconds the call may take, retries included.
    #[serde(deserialize_with = "nullable")]
    pub timeout: Option<u32>,
}

/// A loaded config with what the loader noticed; the caller prints the warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub config: Config,
    /// The file read, `None` when none was found (defaults apply).
    pub path: Option<PathBuf>,
    pub warnings: Vec<Warning>,
}

/// Finds, reads and parses the config: the single entry point `Settings` needs.
///
/// `explicit` is `--config`; `env` supplies `TFNOTIFY_CONFIG`/`TFCMT_CONFIG`; `cwd` is where
/// the upward search starts. No file found is not an error.
pub fn load(explicit: Option<&Path>, env: Env<'_>, cwd: &Path) -> Result<Loaded, Error> {
    let Some(path) = discover(explicit, env, cwd)? else {
        return Ok(Loaded::default());
    };
    let bytes = std::fs::read(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let (config, warnings) = parse(&bytes, &path.display().to_string())?;
    Ok(Loaded {
        config,
        path: Some(path),
        warnings,
    })
}

/// Parses file contents; `name` is only used in messages. Pure, so tests need no files.
pub fn parse(bytes: &[u8], name: &str) -> Result<(Config, Vec<Warning>), Error> {
    let invalid = |text: &str, line: u32, column: u32, message: String| Error::Invalid {
        file: name.to_owned(),
        line,
        column,
        message,
        excerpt: error::excerpt(text, line, column),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(err) => {
            let (good, bad) = bytes.split_at(err.valid_up_to());
            let good = std::str::from_utf8(good).expect("valid_up_to marks a UTF-8 prefix");
            let line = good.matches('\n').count() + 1;
            let column = good.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            let lossy = String::from_utf8_lossy(bytes);
            let message = format!("the file is not UTF-8 (byte 0x{:02x})", bad[0]);
            let (line, column) = (saturate(line), saturate(column));
            return Err(invalid(&lossy, line, column, message));
        }
    };
    // Go's decoders read the first document and dropped the rest; so do we, and say so.
    let (text, root, later) = match yaml::parse_tree(text) {
        Err(err) if err.second_document => {
            let (first, later) = documents::first_document(text);
            (first, yaml::parse_tree(first), later)
        }
        parsed => (text, parsed, Vec::new()),
    };
    let yaml_error = |err: yaml::YamlError| {
        let pos = err.pos.unwrap_or(yaml::Pos { line: 1, column: 1 });
        invalid(text, pos.line, pos.column, err.message)
    };
    let root = root.map_err(yaml_error)?;
    let start = first_content(text);
    let mut found = check::check(&root, start, schema::ROOT)
        .map_err(|m| invalid(text, m.pos.line, m.pos.column, m.message))?;
    for (index, span) in later.iter().enumerate() {
        let pos = yaml::Pos {
            line: span.first_line,
            column: 1,
        };
        let kind = WarningKind::IgnoredDocument {
            number: saturate(index + 2),
            first_line: span.first_line,
            last_line: span.last_line,
        };
        found.push((pos, kind));
    }
    let mut config = match root {
        yaml::Node::Null => Config::default(),
        _ => yaml::from_str(text, yaml::Duplicates::LastWins).map_err(yaml_error)?,
    };
    config.ci_block = ci_block::read(&root);
    if root != yaml::Node::Null {
        config.notifier.others = classic::read(text).map_err(yaml_error)?;
    }
    let warnings = found
        .into_iter()
        .map(|(pos, kind)| Warning {
            file: name.to_owned(),
            line: pos.line,
            column: pos.column,
            kind,
        })
        .collect();
    Ok((config, warnings))
}

/// The JSON Schema of the file (draft 2020-12), for `tfnotify config schema` and editors
/// (`# yaml-language-server: $schema=…`). Built from the same tree as the unknown-key check.
pub fn json_schema() -> serde_json::Value {
    schema::json_schema()
}

impl Config {
    /// Expands `$VAR`/`${VAR}` in the fields where tfnotify v0 or tfcmt read the environment:
    /// every `notifier.*` token, URL, channel, bot and topic id, every setting and
    /// repository of a `notifiers:` entry, plus `ghe_base_url` and `ghe_graphql_endpoint`. Templates and labels are never expanded: they contain `$`
    /// legitimately (Go template variables). See docs/config.md for the v0 quirks kept.
    #[must_use]
    pub fn expand_env(mut self, env: Env<'_>) -> Self {
        let secret = |s: &SecretString| SecretString::new(expand(s.expose(), env));
        let n = &mut self.notifier;
        if let Some(github) = &mut n.github {
            github.token = secret(&github.token);
            github.base_url = expand(&github.base_url, env);
        }
        if let Some(gitlab) = &mut n.gitlab {
            gitlab.token = secret(&gitlab.token);
            gitlab.base_url = expand(&gitlab.base_url, env);
        }
        if let Some(slack) = &mut n.slack {
            slack.token = secret(&slack.token);
            slack.channel = expand(&slack.channel, env);
            slack.bot = expand(&slack.bot, env);
            slack.webhook_url = secret(&slack.webhook_url);
        }
        if let Some(typetalk) = &mut n.typetalk {
            // v0 quirk: after expansion, the bare names read the variable of that name.
            let token = env::bare_name(expand(typetalk.token.expose(), env), "TYPETALK_TOKEN", env);
            typetalk.token = SecretString::new(token);
            let topic = expand(&typetalk.topic_id, env);
            typetalk.topic_id = env::bare_name(topic, "TYPETALK_TOPIC_ID", env);
        }
        if let Some(mattermost) = &mut n.mattermost {
            mattermost.webhook = secret(&mattermost.webhook);
            mattermost.channel = expand(&mattermost.channel, env);
            mattermost.bot = expand(&mattermost.bot, env);
        }
        for destination in self.notifiers.iter_mut().chain(n.others.values_mut()) {
            for value in destination.settings.values_mut() {
                *value = secret(value);
            }
            let repository = &mut destination.repository;
            repository.owner = expand(&repository.owner, env);
            repository.name = expand(&repository.name, env);
        }
        // tfcmt quirk: the bare word `GITHUB_BASE_URL` also reads that variable.
        let base = expand(&self.ghe_base_url, env);
        self.ghe_base_url = env::bare_name(base, "GITHUB_BASE_URL", env);
        self.ghe_graphql_endpoint = expand(&self.ghe_graphql_endpoint, env);
        self
    }
}

/// Go's decoders turned `key:` (null) into the zero value; serde would reject it.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `ci:` as a name: a string, or a number or boolean kept as written, as Go's decoders
/// did. A mapping is tfcmt's block, read apart by `ci_block.rs`, and leaves the name empty.
fn ci_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct Name;
    impl<'de> serde::de::Visitor<'de> for Name {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a CI name or a mapping")
        }
        fn visit_str<E>(self, s: &str) -> Result<String, E> {
            Ok(s.to_owned())
        }
        fn visit_bool<E>(self, b: bool) -> Result<String, E> {
            Ok(b.to_string())
        }
        fn visit_i64<E>(self, n: i64) -> Result<String, E> {
            Ok(n.to_string())
        }
        fn visit_u64<E>(self, n: u64) -> Result<String, E> {
            Ok(n.to_string())
        }
        fn visit_f64<E>(self, n: f64) -> Result<String, E> {
            Ok(n.to_string())
        }
        fn visit_unit<E>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_none<E>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_any(Name)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(String::new())
        }
    }
    deserializer.deserialize_any(Name)
}

/// Position of the first non-blank, non-comment character: where a top-level type error
/// points, since the YAML crate gives the root no position of its own.
fn first_content(text: &str) -> yaml::Pos {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---" {
            continue;
        }
        let column = line.chars().count() - trimmed.chars().count() + 1;
        return yaml::Pos {
            line: saturate(index + 1),
            column: saturate(column),
        };
    }
    yaml::Pos { line: 1, column: 1 }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::{Config, Error, Loaded, SecretString, load, parse};
    use std::collections::BTreeMap;
    use std::path::Path;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/config");

    fn fixture(name: &str) -> Result<(Config, Vec<String>), String> {
        let bytes = std::fs::read(Path::new(FIXTURES).join(name)).expect("fixture exists");
        parse(&bytes, name)
            .map(|(config, warnings)| (config, warnings.iter().map(ToString::to_string).collect()))
            .map_err(|err| err.to_string())
    }

    #[track_caller]
    fn loads(name: &str, warnings: &[&str]) -> Config {
        let (config, got) = fixture(name).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(got, warnings, "{name}");
        config
    }

    #[track_caller]
    fn fails(name: &str, error: &str) {
        assert_eq!(fixture(name).map(|_| ()), Err(error.to_owned()), "{name}");
    }

    #[test]
    fn documented_examples_load_without_warnings() {
        for name in [
            "classic-github.yaml",
            "classic-github-enterprise.yaml",
            "classic-gitlab.yaml",
            "classic-slack.yaml",
            "classic-typetalk.yaml",
            "classic-empty-values.yaml",
            "tfcmt-full.yaml",
            "tfcmt-drift.yaml",
            "tfcmt-ci-block.yaml",
            "v1-tfnotify.yaml",
        ] {
            loads(name, &[]);
        }
        assert_eq!(loads("empty.yaml", &[]), Config::default());
        assert_eq!(loads("comments-only.yaml", &[]), Config::default());
        assert_eq!(
            loads("classic-empty-values.yaml", &[]).notifier.github,
            Some(super::GitHub::default())
        );
    }

    #[test]
    fn classic_values() {
        let config = loads("classic-github.yaml", &[]);
        assert_eq!(config.ci, "circleci");
        let github = config.notifier.github.expect("github block");
        assert_eq!(github.token, SecretString::new("$GITHUB_TOKEN"));
        assert_eq!(
            (
                github.repository.owner.as_str(),
                github.repository.name.as_str()
            ),
            ("acme", "infra")
        );
        assert!(config.notifier.gitlab.is_none());
        let plan = &config.terraform.plan;
        assert_eq!(plan.when_destroy.label, "destroy");
        assert!(
            plan.when_destroy
                .template
                .starts_with("## :warning: WARNING: Resource Deletion")
        );
        assert_eq!(plan.when_plan_error.label, "error");
        assert!(config.terraform.fmt.template.starts_with("{{ .Title }}\n"));

        let typetalk = loads("classic-typetalk.yaml", &[])
            .notifier
            .typetalk
            .expect("typetalk");
        assert_eq!(typetalk.topic_id, "12345");
        let gitlab = loads("classic-gitlab.yaml", &[])
            .notifier
            .gitlab
            .expect("gitlab");
        assert_eq!(gitlab.repository.owner, "acme/platform");
        let slack = loads("classic-slack.yaml", &[]);
        assert!(slack.terraform.use_raw_output);
        assert_eq!(
            slack.notifier.slack.expect("slack").channel,
            "$SLACK_CHANNEL_ID"
        );
    }

    #[test]
    fn tfcmt_values() {
        let config = loads("tfcmt-full.yaml", &[]);
        assert_eq!(config.repo_owner, "acme");
        assert_eq!(config.ghe_base_url, "https://ghe.example.com/api/v3/");
        assert!(config.plan_patch);
        assert_eq!(config.embedded_var_names, ["target", "env"]);
        assert_eq!(config.log.level, "debug");
        assert_eq!(config.templates.len(), 2);
        let plan = &config.terraform.plan;
        assert_eq!(plan.when_destroy.label_color, "d93f0b");
        assert_eq!(plan.when_plan_error.label_color, "000000");
        assert_eq!(plan.when_no_changes.label_color, "0e8a16");
        assert!(plan.when_no_changes.disable_comment && plan.ignore_warning);
        assert!(
            config
                .terraform
                .apply
                .when_parse_error
                .template
                .contains("failed to parse")
        );

        let v1 = loads("v1-tfnotify.yaml", &[]);
        assert!(v1.terraform.consolidated && v1.slack.enabled && v1.ai_summary.enabled);
        assert_eq!(v1.slack.notify_on_apply_error, Some(false));
        assert_eq!(v1.slack.title, "");
        assert_eq!(v1.ai_summary.max_tokens, Some(1024));
    }

    #[test]
    fn unknown_and_duplicate_keys_warn() {
        let config = loads(
            "warn-unknown-keys.yaml",
            &[
                "`warn-unknown-keys.yaml`:2:1: unknown key `notfier` is ignored; did you mean `notifier`?",
                "`warn-unknown-keys.yaml`:6:3: unknown key `terraform.use_raw_ouptut` is ignored; did you mean `use_raw_output`?",
                "`warn-unknown-keys.yaml`:8:5: unknown key `terraform.plan.tmplate` is ignored; did you mean `template`?",
                "`warn-unknown-keys.yaml`:10:7: unknown key `terraform.plan.when_destroy.label_colour` is ignored; did you mean `label_color`?",
                "`warn-unknown-keys.yaml`:11:7: unknown key `terraform.plan.when_destroy.comment` is ignored",
                "`warn-unknown-keys.yaml`:12:3: unknown key `terraform.teardown` is ignored",
                "`warn-unknown-keys.yaml`:14:1: unknown key `owner` is ignored",
            ],
        );
        assert_eq!(config.ci, "circleci");
        assert!(config.notifier.github.is_none());
        let config = loads(
            "warn-duplicate-keys.yaml",
            &[
                "`warn-duplicate-keys.yaml`:5:5: duplicate key `terraform.plan.template` (first set on line 4); the last one wins",
                "`warn-duplicate-keys.yaml`:8:3: duplicate key `templates.title` (first set on line 7); the last one wins",
                "`warn-duplicate-keys.yaml`:9:1: duplicate key `ci` (first set on line 1); the last one wins",
            ],
        );
        assert_eq!(config.ci, "github-actions");
        assert_eq!(config.terraform.plan.template, "second");
        assert_eq!(config.templates["title"], "b");
    }

    #[test]
    fn tfcmt_ci_blocks_load_and_what_cannot_be_used_is_a_warning() {
        let config = loads("tfcmt-ci-block.yaml", &[]);
        assert_eq!(config.ci, "");
        let block = config.ci_block.expect("a block");
        assert_eq!(block.pr.len(), 2);
        assert_eq!(block.vars["env"][0].value, "${DEPLOY_ENV:-staging}");

        let config = loads(
            "warn-ci-block.yaml",
            &[
                "`warn-ci-block.yaml`:3:3: unknown key `ci.pr_number` is ignored; did you mean `pr`?",
                "`warn-ci-block.yaml`:7:7: expected a mapping for `ci.pr[0]`, found a string; it is ignored",
                "`warn-ci-block.yaml`:8:7: `ci.pr[1].type` is `shell`, which tfnotify cannot evaluate: expected `envsubst` or `template`; it is ignored",
                "`warn-ci-block.yaml`:10:7: `ci.pr[2]` has no `value`; it is ignored",
                "`warn-ci-block.yaml`:13:3: expected a list of mappings for `ci.sha`, found a string; it is ignored",
            ],
        );
        let block = config.ci_block.expect("a block");
        assert_eq!(block.pr.len(), 1);
        assert_eq!(block.pr[0].path, "ci.pr[3]");
        assert!(block.sha.is_empty());
        // a list is neither a name nor a block
        inline(
            "ci:\n  - circleci\n",
            "`t.yaml`:1:1: expected a name or a mapping for `ci`, found a list\n1 | ci:\n  | ^",
        );
    }

    #[test]
    fn later_yaml_documents_are_ignored_with_their_lines() {
        let config = loads(
            "warn-two-documents.yaml",
            &[
                "`warn-two-documents.yaml`:6:1: YAML document 2 (lines 6-11) is ignored: only the first document of a file is read, as tfnotify and tfcmt did",
            ],
        );
        assert_eq!(config.ci, "circleci");
        assert_eq!(config.terraform.plan.template, "{{ .Title }}");
        assert!(config.notifier.github.is_none());
        // errors in the first document keep their positions
        inline(
            "ci: a\nterraform: [\n---\nci: b\n",
            "`t.yaml`:2:12: unclosed bracket '['\n2 | terraform: [\n  |            ^",
        );
    }

    #[test]
    fn broken_files_fail_with_position_and_caret() {
        fails(
            "broken-wrong-type.yaml",
            "`broken-wrong-type.yaml`:7:3: expected a mapping for `terraform.plan`, found a string\n\
             7 |   plan: \"{{ .Result }}\"\n  |   ^",
        );
        fails(
            "broken-bool.yaml",
            "`broken-bool.yaml`:3:5: expected a boolean for `terraform.plan.disable_label`, found a string\n\
             3 |     disable_label: sometimes\n  |     ^",
        );
        fails(
            "broken-repository-string.yaml",
            "`broken-repository-string.yaml`:3:5: expected a mapping for `notifier.github.repository`, found a string\n\
             3 |     repository: acme/infra\n  |     ^",
        );
        fails(
            "broken-list.yaml",
            "`broken-list.yaml`:1:1: expected a mapping at the top level, found a list\n\
             1 | - ci: circleci\n  | ^",
        );
        fails(
            "broken-tab.yaml",
            "`broken-tab.yaml`:2:2: tabs disallowed within this context (block indentation)\n\
             2 | \tplan:\n  | \t^",
        );
        fails(
            "broken-non-utf8.yaml",
            "`broken-non-utf8.yaml`:2:16: the file is not UTF-8 (byte 0xe9)\n\
             2 | repo_owner: caf\u{fffd}\n  |                ^",
        );
        fails(
            "broken-unclosed.yaml",
            "`broken-unclosed.yaml`:2:10: unclosed quote\n2 |   title: \"## Plan\n  |          ^",
        );
    }

    #[track_caller]
    fn inline(text: &str, expected: &str) {
        let got = parse(text.as_bytes(), "t.yaml")
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(got, Err(expected.to_owned()));
    }

    #[test]
    fn inline_errors() {
        inline(
            "# header\n\n  42\n",
            "`t.yaml`:3:3: expected a mapping at the top level, found a number\n3 |   42\n  |   ^",
        );
        inline(
            "ai_summary:\n  max_tokens: -5\n",
            "`t.yaml`:2:3: expected a whole number for `ai_summary.max_tokens`, found a negative or fractional number\n2 |   max_tokens: -5\n  |   ^",
        );
        inline(
            "\u{feff}ci: [\n",
            "`t.yaml`:1:5: unclosed bracket '['\n1 | ci: [\n  |     ^",
        );
    }

    fn env(name: &str) -> Option<String> {
        let vars = BTreeMap::from([
            ("GITHUB_TOKEN", "ghp_x"),
            ("GHE_BOT_TOKEN", "ghe_y"),
            ("GITHUB_BASE_URL", "https://ghe.example.com/api/v3/"),
            ("TYPETALK_TOKEN", "tt"),
            ("SLACK_CHANNEL_ID", "C123"),
        ]);
        vars.get(name).map(|v| (*v).to_owned())
    }

    #[test]
    fn env_expansion_in_secrets_and_urls_only() {
        let config = loads("classic-github-enterprise.yaml", &[]).expand_env(&env);
        let github = config.notifier.github.expect("github");
        assert_eq!(github.token.expose(), "ghe_y");
        assert_eq!(github.base_url, "https://ghe.example.com/api/v3/");

        let text = "notifier:\n  typetalk:\n    token: TYPETALK_TOKEN\n    topic_id: ${UNSET}7\n  \
                    slack:\n    channel: $SLACK_CHANNEL_ID\n    bot: tf$\n\
                    ghe_base_url: GITHUB_BASE_URL\nrepo_owner: $GITHUB_TOKEN\n\
                    terraform:\n  plan:\n    template: \"{{ $x := 1 }}$GITHUB_TOKEN\"\n";
        let (config, _) = parse(text.as_bytes(), "t.yaml").expect("valid");
        let config = config.expand_env(&env);
        let typetalk = config.notifier.typetalk.as_ref().expect("typetalk");
        assert_eq!(
            (typetalk.token.expose(), typetalk.topic_id.as_str()),
            ("tt", "7")
        );
        let slack = config.notifier.slack.as_ref().expect("slack");
        assert_eq!(
            (slack.channel.as_str(), slack.bot.as_str()),
            ("C123", "tf$")
        );
        assert_eq!(config.ghe_base_url, "https://ghe.example.com/api/v3/");
        assert_eq!(config.repo_owner, "$GITHUB_TOKEN");
        assert_eq!(config.terraform.plan.template, "{{ $x := 1 }}$GITHUB_TOKEN");
    }

    #[test]
    fn debug_hides_tokens() {
        let config = loads("classic-github.yaml", &[]).expand_env(&env);
        let debug = format!("{config:?}");
        assert!(!debug.contains("ghp_x"), "{debug}");
        assert!(debug.contains("token: SecretString(<redacted>)"), "{debug}");
    }

    #[test]
    fn load_discovers_reads_and_reports() {
        let dir = tempfile::tempdir().expect("temp dir");
        let nested = dir.path().join("modules/network");
        std::fs::create_dir_all(&nested).expect("mkdir");
        let no_env = |_: &str| None;

        assert_eq!(
            load(None, &no_env, &nested).expect("no file is fine"),
            Loaded::default()
        );

        let file = dir.path().join(".tfcmt.yml");
        std::fs::write(&file, "terraform:\n  plan:\n    disable_lable: true\n").expect("write");
        let loaded = load(None, &no_env, &nested).expect("loads");
        assert_eq!(loaded.path.as_deref(), Some(file.as_path()));
        assert_eq!(
            loaded
                .warnings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [format!(
                "`{}`:3:5: unknown key `terraform.plan.disable_lable` is ignored; did you mean `disable_label`?",
                file.display()
            )]
        );

        std::fs::create_dir(dir.path().join("dir.yaml")).expect("mkdir");
        let err = load(Some(Path::new("dir.yaml")), &no_env, dir.path()).expect_err("a directory");
        let expected = format!(
            "cannot read config file `{}`: ",
            dir.path().join("dir.yaml").display()
        );
        assert!(err.to_string().starts_with(&expected), "{err}");

        std::fs::write(dir.path().join("tfnotify.yaml"), "terraform: [").expect("write");
        let err = load(None, &no_env, &nested).expect_err("broken");
        assert!(
            matches!(
                err,
                Error::Invalid {
                    line: 1,
                    column: 12,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
