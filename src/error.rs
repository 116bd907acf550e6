//! The errors tfnotify reports itself, and the one place that maps them to exit codes.
//!
//! Each message is one line that says what went wrong and where; [`Error::hint`] adds how
//! to fix it on the next line. Terraform's own failures are not errors here: they are
//! outcomes of a report.

use std::io;
use std::path::PathBuf;

use crate::input::{CommandError, PlanFileError};
use crate::model::Command;
use crate::parse::ParseError;

/// Exit code for tfnotify's own failures (bad flags, unreadable files, bad config).
pub const EXIT_USAGE: i32 = 2;
/// Exit code when a summary or message could not be delivered.
pub const EXIT_DELIVERY: i32 = 3;

/// Which tfnotify command was reading the input, so an error names what the user typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// `tfnotify plan`, `apply`, …: the commands that summarise and post.
    Notify,
    /// `tfnotify parse …`.
    Parse,
    /// `tfnotify render …`.
    Render,
}

impl Reader {
    /// The subcommand word before the Terraform command, with its space.
    fn word(self) -> &'static str {
        match self {
            Reader::Notify => "",
            Reader::Parse => "parse ",
            Reader::Render => "render ",
        }
    }
}

/// A failure of tfnotify itself.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`tfnotify {}{}` received no input", reader.word(), command.as_str())]
    EmptyInput { command: Command, reader: Reader },
    #[error("could not parse the `{}` output: {source}", command.as_str())]
    Parse {
        command: Command,
        source: ParseError,
    },
    #[error("could not read `{}`: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("could not read the input from stdin: {source}")]
    Stdin { source: io::Error },
    #[error("could not write the summary to `{}`: {source}", path.display())]
    Output { path: PathBuf, source: io::Error },
    #[error("could not write the HTML report to `{}`: {source}", path.display())]
    HtmlReport { path: PathBuf, source: io::Error },
    #[error(
        "no pull request to read the targets' results from: no review platform (GitHub, GitLab, Gitea, Bitbucket) is configured for this run"
    )]
    NoSummarySource,
    #[error(
        "`{word}` is not output of Terraform: `tfnotify parse` reads plan, apply, destroy, fmt and validate"
    )]
    NotTerraform { word: &'static str },
    #[error("report file `{}` {problem}", path.display())]
    ReportFile { path: PathBuf, problem: String },
    #[error("could not write the man page `{}`: {source}", path.display())]
    ManPage { path: PathBuf, source: io::Error },
    #[error("could not write the report file `{}`: {source}", path.display())]
    ReportFileWrite { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    PlanFile(#[from] PlanFileError),
    #[error(
        "`--plan-file` works with `tfnotify {0}plan` only, not with `tfnotify {0}{1}`",
        reader.word(),
        command.as_str()
    )]
    PlanFileCommand { command: Command, reader: Reader },
    #[error("`--plan-file` shows the plan itself, and Terraform's output was piped in as well")]
    PlanFileStdin,
    #[error("{message}")]
    Template { message: String },
    #[error(transparent)]
    Config(crate::config::Error),
    #[error(transparent)]
    Ci(crate::ci::Error),
    #[error(transparent)]
    Mask(crate::mask::MaskError),
    #[error(transparent)]
    Notify(crate::notify::NotifyError),
    #[error(transparent)]
    Tuning(crate::notify::http::TuningError),
    #[error("unknown notifier `{name}`; known: {}", crate::notify::known_names())]
    UnknownNotifier { name: String },
    #[error("`{}` is not a valid context: {source}", path.display())]
    ContextJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("`--var` takes NAME:VALUE, got `{value}`")]
    Var { value: String },
    #[error("internal error while {stage}; the output passed through above is complete")]
    Internal { stage: &'static str },
}

impl Error {
    /// The exit code for this failure when no wrapped program decides it.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::EmptyInput { .. }
            | Error::Parse { .. }
            | Error::PlanFile(PlanFileError::Failed { .. }) => 1,
            Error::Read { .. }
            | Error::Stdin { .. }
            | Error::Internal { .. }
            | Error::Template { .. }
            | Error::Config(_)
            | Error::Ci(_)
            | Error::Mask(_)
            | Error::Tuning(_)
            | Error::UnknownNotifier { .. }
            | Error::ContextJson { .. }
            | Error::Var { .. }
            | Error::ReportFile { .. }
            | Error::ManPage { .. }
            | Error::NoSummarySource
            | Error::NotTerraform { .. }
            | Error::PlanFileCommand { .. }
            | Error::PlanFileStdin
            | Error::PlanFile(PlanFileError::Missing { .. } | PlanFileError::Read { .. })
            | Error::Command(CommandError::Wait { .. }) => EXIT_USAGE,
            Error::PlanFile(PlanFileError::NoProgram) => 127,
            Error::Output { .. }
            | Error::HtmlReport { .. }
            | Error::ReportFileWrite { .. }
            | Error::Notify(_) => EXIT_DELIVERY,
            Error::Command(CommandError::Spawn { source, .. })
            | Error::PlanFile(PlanFileError::Spawn { source, .. }) => spawn_exit_code(source),
        }
    }

    /// Whether the failure is in delivering a message, which `--ignore-notify-errors` keeps
    /// out of the exit code.
    pub fn is_delivery(&self) -> bool {
        matches!(
            self,
            Error::Output { .. }
                | Error::HtmlReport { .. }
                | Error::ReportFileWrite { .. }
                | Error::Notify(_)
        )
    }

    /// How to fix it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Notify(source) => source.hint.clone(),
            Error::EmptyInput {
                command,
                reader: Reader::Notify,
            } => Some(format!(
                "pipe Terraform's output in (`terraform {0} 2>&1 | tfnotify {0}`) or let tfnotify run it (`tfnotify {0} -- terraform {0}`); Terraform writes errors to stderr, so keep `2>&1`",
                command.as_str()
            )),
            Error::EmptyInput { command, reader } => Some(format!(
                "pass a file holding Terraform's output, or pipe it in (`terraform {0} 2>&1 | tfnotify {1}{0}`); Terraform writes errors to stderr, so keep `2>&1`",
                command.as_str(),
                reader.word()
            )),
            Error::Parse { source: ParseError::StateNotPlan, .. } => Some(
                "give the plan file written by `terraform plan -out=FILE`, or the JSON of `terraform show -json FILE` for that file".to_owned(),
            ),
            Error::Parse { source: ParseError::Json { .. }, .. } => Some(
                "pass the complete output of `terraform show -json PLANFILE`, or the text output with `-no-color`".to_owned(),
            ),
            Error::Command(CommandError::Spawn { program, source })
            | Error::PlanFile(PlanFileError::Spawn { program, source })
                if source.kind() == io::ErrorKind::NotFound =>
            {
                Some(format!("check that `{program}` is installed and on PATH, or name it with `--terraform-bin PATH`"))
            }
            Error::PlanFile(error) => plan_file_hint(error),
            Error::PlanFileCommand { .. } => Some(
                "show the plan with `tfnotify plan --plan-file FILE`; apply it with `tfnotify apply -- terraform apply FILE`".to_owned(),
            ),
            Error::PlanFileStdin => Some(
                "drop the pipe (`tfnotify plan --plan-file FILE`), or drop `--plan-file` to read the piped output".to_owned(),
            ),
            Error::NoSummarySource => Some(
                "run it where the plans posted their comments, with the same token (e.g. `GITHUB_TOKEN` in GitHub Actions, `GITLAB_TOKEN` in GitLab CI), or give each plan's `--report-file` with `--from FILE...`".to_owned(),
            ),
            Error::HtmlReport { .. } => Some(
                "give `--output` a file in a folder that exists and can be written".to_owned(),
            ),
            Error::ManPage { .. } => Some(
                "give `--dir` a directory you can write to, or print the top-level page with `tfnotify man > tfnotify.1`".to_owned(),
            ),
            Error::Internal { .. } => Some(
                "this is a bug in tfnotify: please report it with the line above and, if you can, the input".to_owned(),
            ),
            _ => None,
        }
    }
}

/// The exit code of a program that could not be started, as shells report it.
fn spawn_exit_code(source: &io::Error) -> i32 {
    match source.kind() {
        io::ErrorKind::NotFound => 127,
        io::ErrorKind::PermissionDenied => 126,
        _ => EXIT_USAGE,
    }
}

/// How to get a saved plan shown.
fn plan_file_hint(error: &PlanFileError) -> Option<String> {
    match error {
        PlanFileError::Missing { .. } => Some(
            "write it first with `terraform plan -out=FILE` (in CI, download the plan job's artifact into this directory)".to_owned(),
        ),
        PlanFileError::NoProgram => Some(
            "install Terraform or OpenTofu, or name the program with `--terraform-bin PATH` (`TFNOTIFY_TERRAFORM_BIN`)".to_owned(),
        ),
        error if error.is_version_mismatch() => Some(
            "show it with the Terraform version that wrote it (`--terraform-bin PATH`), or with `--terraform-bin tofu` if OpenTofu wrote it".to_owned(),
        ),
        PlanFileError::Failed { .. } => Some(
            "run it in the directory the plan was made in, after `terraform init`, with the same Terraform (or OpenTofu) version and any plan encryption settings".to_owned(),
        ),
        PlanFileError::Spawn { .. } | PlanFileError::Read { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Error, Reader};
    use crate::model::Command;

    #[test]
    fn messages_are_one_lowercase_line() {
        let err = Error::EmptyInput {
            command: Command::Plan,
            reader: Reader::Notify,
        };
        assert_eq!(err.to_string(), "`tfnotify plan` received no input");
        assert_eq!(err.exit_code(), 1);
        assert!(err.hint().is_some_and(|h| h.contains("2>&1")));
    }

    #[test]
    fn empty_input_names_the_command_the_user_typed() {
        let err = Error::EmptyInput {
            command: Command::Validate,
            reader: Reader::Parse,
        };
        assert_eq!(
            err.to_string(),
            "`tfnotify parse validate` received no input"
        );
        assert!(
            err.hint()
                .is_some_and(|h| h.contains("| tfnotify parse validate`"))
        );
    }
}
