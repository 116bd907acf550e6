//! The command line, as clap reads it. Only shape and validation live here; what the flags
//! mean is decided in [`crate::run()`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::Command;

/// Turns Terraform output into a clear review note.
#[derive(Debug, Parser)]
#[command(name = "tfnotify", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: CliCommand,

    /// When to colour the summary on stderr (`auto`: when stderr is a terminal and
    /// `NO_COLOR` is not set).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// The config file (default: `TFNOTIFY_CONFIG`, `TFCMT_CONFIG`, then `tfnotify.yaml`,
    /// `tfcmt.yaml` and their variants from the working directory upward).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The CI system, overriding detection and the config's `ci:` (e.g. `circleci`).
    #[arg(long, global = true, value_name = "NAME")]
    pub ci: Option<String>,

    /// Post only to this destination (`github`, `slack`, …, or `local`), or to the
    /// `notifiers:` entries of that type or name.
    #[arg(long, global = true, value_name = "NAME")]
    pub notifier: Option<String>,

    /// A template variable, `NAME:VALUE`, read as `.Vars.NAME` (repeatable; also
    /// `TFNOTIFY_VAR_NAME` and `TFCMT_VAR_NAME`). `target` names the state.
    #[arg(long = "var", global = true, value_name = "NAME:VALUE")]
    pub vars: Vec<String>,

    /// Repository owner, overriding CI detection.
    #[arg(long, global = true, value_name = "OWNER")]
    pub owner: Option<String>,

    /// Repository name, overriding CI detection.
    #[arg(long, global = true, value_name = "NAME")]
    pub repo: Option<String>,

    /// Pull (merge) request number, overriding CI detection.
    #[arg(long, global = true, value_name = "NUMBER")]
    pub pr: Option<String>,

    /// Commit SHA, overriding CI detection.
    #[arg(long, global = true, value_name = "SHA")]
    pub sha: Option<String>,

    /// Build URL (`.Link`), overriding CI detection.
    #[arg(long, global = true, value_name = "URL")]
    pub build_url: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Summarise `terraform plan` output (read from stdin, or run the program after `--`).
    Plan(RunArgs),
    /// Summarise `terraform apply` output.
    Apply(RunArgs),
    /// Summarise `terraform destroy` output.
    Destroy(RunArgs),
    /// Summarise `terraform fmt -check -diff` output.
    Fmt(RunArgs),
    /// Summarise `terraform validate` output.
    Validate(RunArgs),
    /// Post one summary of every target's latest plan or apply on the pull request, read
    /// from the comments tfnotify left there (or from report files).
    Summary(SummaryArgs),
    /// Print the parsed result of a Terraform output as JSON or text; posts nothing.
    Parse(ParseArgs),
    /// Render a message template for a Terraform output, or from a saved context.
    Render(RenderArgs),
    /// Check the config file, or print its schema.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command with `--dir`.
    Man(ManArgs),
}

/// Flags shared by the commands that pass Terraform's output through.
#[derive(Debug, Default, Args)]
pub struct RunArgs {
    /// Append the summary as Markdown to FILE, or write an HTML report to it when FILE
    /// ends in `.html` (see `--output-format`). On GitHub Actions the step summary
    /// (`GITHUB_STEP_SUMMARY`) gets the Markdown without this flag.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// What `--output` writes: the Markdown message (appended) or a self-contained HTML
    /// report (replaced); chosen by FILE's extension when absent.
    #[arg(long, value_enum, value_name = "FORMAT", requires = "output")]
    pub output_format: Option<OutputFormat>,

    /// Do not append the message to GitHub Actions' step summary (`step_summary: false`,
    /// `TFNOTIFY_STEP_SUMMARY=false`).
    #[arg(long)]
    pub no_step_summary: bool,

    /// Read resource changes from a JSON plan (`terraform show -json PLANFILE > FILE`).
    #[arg(long, value_name = "FILE", conflicts_with = "plan_file")]
    pub plan_json: Option<PathBuf>,

    #[command(flatten)]
    pub saved: SavedPlanArgs,

    /// Write what the run amounted to as JSON to FILE (the `parse` JSON with target,
    /// command, commit and links), for `tfnotify summary --from`.
    #[arg(long, value_name = "FILE")]
    pub report_file: Option<PathBuf>,

    /// Do not print the summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    /// Add an AI-written summary of the run to the message (`ai_summary.enabled`).
    #[arg(long, env = "TFNOTIFY_AI_SUMMARY")]
    pub summary: bool,

    /// Who writes it: `openai` (or any OpenAI-compatible server), `anthropic`, `google` or
    /// `litellm` (`ai_summary.provider`).
    #[arg(long, value_name = "PROVIDER", env = "TFNOTIFY_AI_PROVIDER")]
    pub summary_provider: Option<String>,

    /// The model that writes it (`ai_summary.model`).
    #[arg(long, value_name = "MODEL", env = "TFNOTIFY_AI_MODEL")]
    pub summary_model: Option<String>,

    /// A file holding the prompt template (`ai_summary.template_file`).
    #[arg(long, value_name = "FILE", env = "TFNOTIFY_AI_TEMPLATE")]
    pub summary_template: Option<PathBuf>,

    /// tfnotify v1's Devin session: accepted so v1 command lines keep working; Devin is
    /// not supported, so it is unused.
    #[arg(long, hide = true, value_name = "ID", env = "TFNOTIFY_SESSION_ID")]
    pub session_id: Option<String>,

    /// tfnotify v1's Devin playbooks: accepted and unused, as `--session-id`.
    #[arg(long, hide = true, value_name = "ID", env = "TFNOTIFY_PLAYBOOK_IDS")]
    pub playbook_id: Vec<String>,

    /// `.Title` of the message (the classic default for the command when absent).
    #[arg(long, short)]
    pub title: Option<String>,

    /// `.Message` of the message.
    #[arg(long, short)]
    pub message: Option<String>,

    /// `.Title` of the extra destroy-warning message (plan).
    #[arg(long, value_name = "TITLE")]
    pub destroy_warning_title: Option<String>,

    /// `.Message` of the extra destroy-warning message (plan).
    #[arg(long, value_name = "MESSAGE")]
    pub destroy_warning_message: Option<String>,

    /// What to do with earlier comments of this command and target: edit the last one
    /// (`update`, plan's default), post another (`new`, apply's default), or post another
    /// and hide or delete the earlier ones.
    #[arg(long, value_enum, value_name = "BEHAVIOUR")]
    pub comment: Option<crate::notify::github::Behaviour>,

    /// tfcmt's name for `--comment update`.
    #[arg(long, env = "TFCMT_PLAN_PATCH", conflicts_with = "comment")]
    pub patch: bool,

    /// Post nothing when the plan has no changes (labels are still set, and a comment
    /// already there is still updated).
    #[arg(long, env = "TFCMT_SKIP_NO_CHANGES")]
    pub skip_no_changes: bool,

    /// Leave warnings out of the message (`.Warning` stays empty).
    #[arg(long, env = "TFCMT_IGNORE_WARNING")]
    pub ignore_warning: bool,

    /// Do not touch pull-request labels.
    #[arg(long, env = "TFCMT_DISABLE_LABEL")]
    pub disable_label: bool,

    /// Deliver a Terragrunt run of several modules as one message with a section per
    /// module, instead of one message per module (`terraform.consolidated: true`).
    #[arg(long)]
    pub consolidated: bool,

    /// When review comments mention the code owners of the working directory, read from the
    /// repository's CODEOWNERS (overrides `mention_owners`).
    #[arg(long, value_enum, value_name = "WHEN", env = "TFNOTIFY_MENTION_OWNERS")]
    pub mention_owners: Option<crate::owners::MentionOwners>,
    /// Protect the resources whose address matches PATTERN: `*` matches any run of
    /// characters, everything else is literal (repeatable; adds to `guard.protect`).
    #[arg(long = "protect", value_name = "PATTERN")]
    pub protect: Vec<String>,

    /// Exit 4 when the plan destroys or replaces a protected resource (`guard.fail: true`).
    #[arg(long)]
    pub fail_on_protected: bool,

    /// Exit with Terraform's code even when posting fails (the failure is still reported).
    #[arg(long)]
    pub ignore_notify_errors: bool,

    /// The program to run and summarise, e.g. `-- terraform plan -detailed-exitcode`.
    #[arg(last = true, value_name = "PROGRAM", conflicts_with = "plan_file")]
    pub program: Vec<OsString>,
}

/// Flags that read a saved plan file instead of Terraform's output.
#[derive(Debug, Default, Args)]
pub struct SavedPlanArgs {
    /// Read a saved plan (`terraform plan -out=FILE`): runs `terraform show -json FILE` for
    /// the changes and `terraform show -no-color FILE` for the text, which is passed through.
    /// Only for plans; takes the place of stdin and `-- PROGRAM`.
    #[arg(long, value_name = "FILE")]
    pub plan_file: Option<PathBuf>,

    /// The program that shows `--plan-file` (default: `terraform`, or `tofu` when Terraform
    /// is not installed or cannot read the plan).
    #[arg(long, value_name = "PATH", env = "TFNOTIFY_TERRAFORM_BIN")]
    pub terraform_bin: Option<OsString>,
}

/// Flags of `tfnotify summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Build the summary from these report files (`--report-file` of each job) instead
    /// of from the pull request's comments.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub from: Vec<PathBuf>,

    /// Append the summary as Markdown to FILE. On GitHub Actions the step summary
    /// (`GITHUB_STEP_SUMMARY`) gets it without this flag.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Do not append the summary to GitHub Actions' step summary (`step_summary: false`,
    /// `TFNOTIFY_STEP_SUMMARY=false`).
    #[arg(long)]
    pub no_step_summary: bool,

    /// What to do with an earlier summary comment: edit it (`update`, the default), post
    /// another, or post another and hide or delete the earlier ones.
    #[arg(long, value_enum, value_name = "BEHAVIOUR")]
    pub comment: Option<crate::notify::github::Behaviour>,

    /// Do not print the summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    /// `.Title` of the summary (`## Terraform summary` when absent).
    #[arg(long, short)]
    pub title: Option<String>,

    /// `.Message` of the summary.
    #[arg(long, short)]
    pub message: Option<String>,

    /// Exit 0 even when posting fails (the failure is still reported).
    #[arg(long)]
    pub ignore_notify_errors: bool,
}

/// Flags of `tfnotify parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Which Terraform command produced the output.
    #[arg(value_enum)]
    pub kind: CommandKind,

    /// The output to read; stdin when absent or `-`.
    #[arg(conflicts_with = "plan_file")]
    pub file: Option<PathBuf>,

    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    /// Read resource changes from a JSON plan as well.
    #[arg(long, value_name = "FILE", conflicts_with = "plan_file")]
    pub plan_json: Option<PathBuf>,

    #[command(flatten)]
    pub saved: SavedPlanArgs,
}

/// Flags of `tfnotify render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Which Terraform command produced the output.
    #[arg(value_enum, default_value_t = CommandKind::Plan)]
    pub kind: CommandKind,

    /// The output to read; stdin when absent or `-`. Not read with `--context`.
    #[arg(conflicts_with = "plan_file")]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub saved: SavedPlanArgs,

    /// Print the context templates see, as JSON, instead of rendering.
    #[arg(long, conflicts_with = "context")]
    pub dump_context: bool,

    /// Render from a context saved by `--dump-context` (edited or not) instead of an output.
    #[arg(long, value_name = "FILE", conflicts_with = "plan_file")]
    pub context: Option<PathBuf>,

    /// The template to render; the default message when absent.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// Use Go's text/template (no HTML escaping), as `use_raw_output: true` does.
    #[arg(long)]
    pub raw: bool,

    /// `.Title` (the classic default for the command when absent).
    #[arg(long, short)]
    pub title: Option<String>,

    /// `.Message`.
    #[arg(long, short)]
    pub message: Option<String>,
}

/// Flags of `tfnotify completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Flags of `tfnotify man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `tfnotify.1` and a page per command (`tfnotify-plan.1`, …) into DIR, creating
    /// it if needed, instead of printing the top-level page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `tfnotify config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load the config and render every configured template against a sample plan and
    /// apply; sends nothing.
    Check,
    /// Print a JSON Schema of the config file, for editors.
    Schema,
}

/// The Terraform commands tfnotify reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CommandKind {
    Plan,
    Apply,
    Destroy,
    Fmt,
    Validate,
    /// `render` only: the summary of a sample pull request (or of `--context`).
    Summary,
}

/// What `--output` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The Markdown message, appended, as the step summary gets it.
    Markdown,
    /// A self-contained HTML page to look at in a browser, written anew each run.
    Html,
}

impl RunArgs {
    /// The format `--output` writes: `--output-format`, else HTML for a file named
    /// `*.html` or `*.htm`, else Markdown; `None` without `--output`.
    pub fn output_format(&self) -> Option<OutputFormat> {
        let path = self.output.as_ref()?;
        Some(self.output_format.unwrap_or_else(|| {
            let html = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
            if html {
                OutputFormat::Html
            } else {
                OutputFormat::Markdown
            }
        }))
    }

    /// The file `--output` appends the Markdown message to, if it writes Markdown.
    pub fn markdown_output(&self) -> Option<&std::path::Path> {
        match self.output_format()? {
            OutputFormat::Markdown => self.output.as_deref(),
            OutputFormat::Html => None,
        }
    }

    /// The file `--output` writes the HTML report to, if it writes HTML.
    pub fn html_output(&self) -> Option<&std::path::Path> {
        match self.output_format()? {
            OutputFormat::Html => self.output.as_deref(),
            OutputFormat::Markdown => None,
        }
    }
}

impl CliCommand {
    /// The flags of a command that passes Terraform's output through, if this is one.
    pub fn run_args(&self) -> Option<&RunArgs> {
        match self {
            CliCommand::Plan(args)
            | CliCommand::Apply(args)
            | CliCommand::Destroy(args)
            | CliCommand::Fmt(args)
            | CliCommand::Validate(args) => Some(args),
            CliCommand::Parse(_)
            | CliCommand::Render(_)
            | CliCommand::Config(_)
            | CliCommand::Summary(_)
            | CliCommand::Completions(_)
            | CliCommand::Man(_) => None,
        }
    }
}

impl From<CommandKind> for Command {
    fn from(kind: CommandKind) -> Self {
        match kind {
            CommandKind::Plan => Command::Plan,
            CommandKind::Apply => Command::Apply,
            CommandKind::Destroy => Command::Destroy,
            CommandKind::Fmt => Command::Fmt,
            CommandKind::Validate => Command::Validate,
            CommandKind::Summary => Command::Summary,
        }
    }
}

/// Output formats of `tfnotify parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Text,
}

/// Colour policy for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
