//! Settings: what one run will do, resolved from defaults, the config file, the environment
//! and the flags, in that order of precedence.
//!
//! The raw config (`config::Config`, the YAML as written) stays separate from this resolved
//! view, as ripgrep keeps its low- and high-level arguments apart. Everything that can go
//! wrong here is found before any input is read, so a broken config or template is
//! reported at once rather than after Terraform has run for ten minutes.

mod ci_block;
mod envsubst;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ci::{self, CiEnv, Overrides};
use crate::cli::Cli;
use crate::config::{self, Config};
use crate::error::Error;
use crate::guard::{Guard, Pattern};
use crate::model::Command;
use crate::render::{Flavor, Message, Spec};

/// The resolved settings of one run.
#[derive(Debug, Default)]
pub struct Settings {
    /// The config as loaded (defaults when there is no file).
    pub config: Config,
    /// The file it came from.
    pub config_path: Option<PathBuf>,
    /// `.Vars` of templates.
    pub vars: BTreeMap<String, String>,
    /// The CI context (`Local` outside CI).
    pub ci: CiEnv,
    /// The protected resources: `guard:` of the config plus `--protect` and
    /// `--fail-on-protected` (which are also merged into `config.guard`, where the label
    /// settings read them).
    pub guard: Guard,
    /// Things worth telling the user that do not stop the run.
    pub warnings: Vec<String>,
}

/// Where the outside world comes from; tests pass their own.
pub struct World<'a> {
    /// Environment variables.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// All environment variables, for `TFNOTIFY_VAR_*` and `TFCMT_VAR_*`.
    pub vars: Vec<(String, String)>,
    /// The CI environment (variables and the event files they point at).
    pub ci: &'a dyn ci::Env,
    /// Where the config search starts.
    pub cwd: PathBuf,
}

impl World<'_> {
    /// The real process environment and working directory.
    pub fn process() -> World<'static> {
        World {
            env: &|name| std::env::var(name).ok(),
            vars: std::env::vars().collect(),
            ci: &ci::ProcessEnv,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }
}

impl Settings {
    /// Resolves everything the flags, the environment and the config file say. Problems
    /// are returned alongside whatever could still be resolved, so the run can go on
    /// passing Terraform's output through.
    pub fn resolve(cli: &Cli, world: &World<'_>) -> (Settings, Vec<Error>) {
        let mut settings = Settings::default();
        let mut errors = Vec::new();
        match config::load(cli.config.as_deref(), world.env, &world.cwd) {
            Ok(loaded) => {
                settings.config = loaded.config.expand_env(world.env);
                settings.config_path = loaded.path;
                settings
                    .warnings
                    .extend(loaded.warnings.iter().map(ToString::to_string));
            }
            Err(source) => errors.push(Error::Config(source)),
        }
        if let Some(args) = cli.command.run_args() {
            let guard = &mut settings.config.guard;
            guard.protect.extend(args.protect.iter().cloned());
            guard.fail |= args.fail_on_protected;
        }
        match guard(&settings.config.guard) {
            Ok(guard) => settings.guard = guard,
            Err(source) => errors.push(Error::Config(source)),
        }
        match config::resolve_vars(&cli.vars, world.vars.iter().cloned()) {
            Ok(vars) => settings.vars = vars,
            Err(source) => errors.push(Error::Config(source)),
        }
        let config_name = settings.config_name();
        let block = match &settings.config.ci_block {
            Some(block) => ci_block::evaluate(block, world.ci, &config_name),
            None => ci_block::Evaluated::default(),
        };
        settings.warnings.extend(block.warnings);
        for (name, value) in block.vars {
            // `--var` and `TFNOTIFY_VAR_*` win; an empty target still lets the directory name it.
            if !(name == "target" && value.is_empty()) {
                settings.vars.entry(name).or_insert(value);
            }
        }
        for (name, value) in &settings.config.vars {
            // tfcmt v1–v3's static `vars:`: everything else that names a variable wins.
            settings
                .vars
                .entry(name.clone())
                .or_insert_with(|| value.clone());
        }
        let summary = matches!(cli.command, crate::cli::CliCommand::Summary(_));
        if !settings.vars.contains_key("target") && !summary {
            // One state directory per target (the summary is about all of them): without `--var target:…`, the directory this
            // runs in (relative to the repository root) names it.
            if let Some(target) = target_from_directory(&world.cwd) {
                settings.vars.insert("target".to_owned(), target);
            }
        }
        match ci_context(
            cli,
            &settings.config,
            &config_name,
            block.overrides,
            world.ci,
        ) {
            Ok(ci) => {
                settings.warnings.extend(ci.warnings.iter().cloned());
                settings.ci = ci;
            }
            Err(source) => errors.push(Error::Ci(source)),
        }
        settings
            .warnings
            .extend(crate::notify::destinations::classic_warnings(
                &settings.config,
            ));
        if settings.config.notifier.typetalk.is_some() {
            settings.warnings.push(
                "the config has a `typetalk` notifier, but Typetalk closed in December 2025; use Slack, Chatwork, Teams or a webhook instead".to_owned(),
            );
        }
        (settings, errors)
    }

    /// The config's template for `command`, if it sets one.
    pub fn template_for(&self, command: Command) -> Option<&str> {
        let terraform = &self.config.terraform;
        let text = match command {
            Command::Plan => &terraform.plan.template,
            Command::Apply | Command::Destroy => &terraform.apply.template,
            Command::Fmt => &terraform.fmt.template,
            Command::Validate => &terraform.validate.template,
            // The summary's template is a named sub-template (`templates: {summary: …}`).
            Command::Summary => return None,
        };
        Some(text.as_str()).filter(|t| !t.trim().is_empty())
    }

    /// Parses the message for `command` in the notation of `flavor`: the config's template
    /// and sub-templates over our defaults.
    pub fn message(&self, flavor: Flavor, command: Command) -> Result<Message, Error> {
        self.message_from(flavor, command, self.template_for(command))
    }

    /// Parses the message for `command` in the notation of `flavor` from `template` (our
    /// default when `None`), with the config's sub-templates.
    pub fn message_from(
        &self,
        flavor: Flavor,
        command: Command,
        template: Option<&str>,
    ) -> Result<Message, Error> {
        let spec = Spec {
            flavor,
            command,
            template,
            overrides: &self.config.templates,
            raw: self.config.terraform.use_raw_output,
        };
        Message::build(&spec).map_err(|e| Error::Template { message: e.message })
    }

    /// tfcmt's message for output that could not be parsed
    /// (`terraform.{plan,apply}.when_parse_error.template`), when the config has one.
    pub fn unparsed_message(
        &self,
        flavor: Flavor,
        command: Command,
    ) -> Option<Result<Message, Error>> {
        let terraform = &self.config.terraform;
        let text = match command {
            Command::Plan => &terraform.plan.when_parse_error.template,
            Command::Apply | Command::Destroy => &terraform.apply.when_parse_error.template,
            Command::Fmt | Command::Validate | Command::Summary => return None,
        };
        if text.trim().is_empty() {
            return None;
        }
        let spec = Spec {
            flavor,
            command,
            template: Some(text),
            overrides: &self.config.templates,
            raw: self.config.terraform.use_raw_output,
        };
        Some(Message::build(&spec).map_err(|e| Error::Template { message: e.message }))
    }

    /// The classic extra message for a plan that destroys something
    /// (`terraform.plan.when_destroy.template`), when the config has one.
    pub fn destroy_warning(&self) -> Option<Result<Message, Error>> {
        let text = &self.config.terraform.plan.when_destroy.template;
        if text.trim().is_empty() {
            return None;
        }
        let spec = Spec {
            flavor: Flavor::Markdown,
            command: Command::Plan,
            template: Some(text),
            overrides: &self.config.templates,
            raw: self.config.terraform.use_raw_output,
        };
        Some(Message::build(&spec).map_err(|e| Error::Template { message: e.message }))
    }

    /// The config file's name for messages.
    pub fn config_name(&self) -> String {
        self.config_path
            .as_deref()
            .map_or_else(|| "(none)".to_owned(), display)
    }
}

/// The working directory relative to the root of the git repository it is in: `envs/prod`
/// for a job that runs in `<repo>/envs/prod`; `None` at the root or outside a repository.
fn target_from_directory(cwd: &Path) -> Option<String> {
    let root = cwd.ancestors().find(|dir| dir.join(".git").exists())?;
    let relative = cwd.strip_prefix(root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The guard of the run. The file's patterns were checked with their positions when it was
/// loaded, so a pattern refused here came from `--protect`.
fn guard(block: &config::Guard) -> Result<Guard, config::Error> {
    let patterns = block
        .protect
        .iter()
        .map(|text| {
            Pattern::new(text).map_err(|reason| config::Error::Protect {
                value: text.clone(),
                reason,
            })
        })
        .collect::<Result<Vec<Pattern>, config::Error>>()?;
    Ok(Guard::new(patterns, block.fail))
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// The CI context: flags over environment over config over detection. Within the config,
/// `repo_owner`/`repo_name` and the classic notifier's `repository` come before what
/// tfcmt's `ci:` block computed (`from_block`).
fn ci_context(
    cli: &Cli,
    config: &Config,
    config_name: &str,
    from_block: Overrides,
    env: &dyn ci::Env,
) -> Result<CiEnv, ci::Error> {
    let flags = Overrides {
        ci: match &cli.ci {
            Some(name) => ci::parse_ci("--ci", name)?,
            None => None,
        },
        owner: cli.owner.clone(),
        repo: cli.repo.clone(),
        pr: match &cli.pr {
            Some(pr) => Some(ci::parse_pr("--pr", pr)?),
            None => None,
        },
        sha: cli.sha.clone(),
        build_url: cli.build_url.clone(),
    };
    let classic_repo = config
        .notifier
        .github
        .as_ref()
        .map(|g| &g.repository)
        .or(config.notifier.gitlab.as_ref().map(|g| &g.repository));
    let non_empty = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    let from_config = Overrides {
        ci: ci::parse_ci("ci", &config.ci).map_err(|e| e.in_file(config_name))?,
        owner: non_empty(&config.repo_owner)
            .or_else(|| classic_repo.and_then(|r| non_empty(&r.owner))),
        repo: non_empty(&config.repo_name)
            .or_else(|| classic_repo.and_then(|r| non_empty(&r.name))),
        ..Overrides::default()
    };
    ci::resolve(env, flags, from_config.or(from_block))
}

#[cfg(test)]
mod tests {
    use super::target_from_directory;

    #[test]
    fn the_target_is_the_directory_below_the_repository_root() {
        let repo = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(repo.path().join(".git")).expect("git");
        let nested = repo.path().join("envs/prod");
        std::fs::create_dir_all(&nested).expect("mkdir");
        assert_eq!(target_from_directory(&nested).as_deref(), Some("envs/prod"));
        assert_eq!(
            target_from_directory(repo.path()),
            None,
            "the root names no target"
        );
        let outside = tempfile::tempdir().expect("tempdir");
        assert_eq!(target_from_directory(outside.path()), None);
    }
}
