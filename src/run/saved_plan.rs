//! `--plan-file`: a saved plan, read through the program that wrote it.
//!
//! The JSON plan (`show -json`) is the structure every action and count comes from; the
//! text (`show -no-color`) is what messages quote, read by the same parser as a piped plan,
//! so a saved plan reports what `terraform plan | tfnotify plan` reports for the same plan.
//! The JSON is read first: a plan that cannot be shown stops before anything is printed.

use std::ffi::OsStr;
use std::io::{self, IsTerminal, Read};
use std::os::fd::AsFd;
use std::path::Path;

use crate::cli::SavedPlanArgs;
use crate::error::{Error, Reader};
use crate::input::{self, PlanFileError, Program, Stream};
use crate::mask::Masker;
use crate::model::{Command, Report, Tool};
use crate::parse::{self, Collector};
use crate::run::inspect::parse_error;

/// A saved plan's structure, and the program that could read it.
pub(super) struct Structure {
    /// The program that could show the plan, so the text comes from the same one.
    pub program: Program,
    /// The JSON plan's report, laid over the text's.
    pub plan: Report,
}

/// Checks that `--plan-file` can be used here: for a plan, with nothing piped in.
pub(super) fn check(command: Command, reader: Reader) -> Result<(), Error> {
    if command != Command::Plan {
        return Err(Error::PlanFileCommand { command, reader });
    }
    if stdin_has_data() {
        return Err(Error::PlanFileStdin);
    }
    Ok(())
}

/// Chooses the program and reads the plan's JSON, trying OpenTofu when the program was
/// not named and Terraform cannot show the plan (OpenTofu's plans are not Terraform's).
pub(super) fn structure(
    plan: &Path,
    named: Option<&OsStr>,
    command: Command,
    reader: Reader,
) -> Result<Structure, Error> {
    let path_var = std::env::var_os("PATH");
    let program = Program::choose(named, path_var.as_deref())?;
    match json(&program, plan, command, reader) {
        Ok(plan) => Ok(Structure { program, plan }),
        Err(Error::PlanFile(first @ PlanFileError::Failed { .. })) => {
            let Some(tofu) = program.fallback(path_var.as_deref()) else {
                return Err(Error::PlanFile(first));
            };
            // Terraform's own complaint is the one worth reading when OpenTofu fails too.
            json(&tofu, plan, command, reader)
                .map(|plan| Structure {
                    program: tofu,
                    plan,
                })
                .map_err(|_| Error::PlanFile(first))
        }
        Err(error) => Err(error),
    }
}

/// Shows the plan's text through the pass-through, feeding the parser as a wrapped
/// program's output does.
pub(super) fn pass_text(
    program: &Program,
    plan: &Path,
    feed: &(dyn Fn(Stream, &[u8]) + Sync),
    masker: Option<&Masker>,
) -> Result<(), Error> {
    match input::run_command(&program.path, &Program::text_args(plan), feed, masker)? {
        0 => Ok(()),
        code => Err(Error::PlanFile(PlanFileError::Failed {
            command: program.describe(&["show"], plan),
            code,
            // Already passed through to stderr as it came.
            stderr: String::new(),
        })),
    }
}

/// The report of a saved plan for commands that print nothing else: `parse` and `render`.
pub(super) fn read(
    plan: &Path,
    saved: &SavedPlanArgs,
    command: Command,
    reader: Reader,
) -> Result<Report, Error> {
    check(command, reader)?;
    let structure = structure(plan, saved.terraform_bin.as_deref(), command, reader)?;
    let text = structure.program.show_text(plan)?;
    let mut collector = Collector::new(command);
    collector.feed_text(&text);
    let report = collector
        .finish()
        .map_err(|source| parse_error(command, reader, source))?;
    Ok(combine(report, structure))
}

/// The text's report with the JSON plan laid over it, naming OpenTofu when its program
/// showed the plan.
pub(super) fn combine(mut report: Report, structure: Structure) -> Report {
    parse::overlay_plan(&mut report, structure.plan);
    if structure.program.is_tofu() {
        report.tool = Tool::OpenTofu;
    }
    report
}

fn json(program: &Program, plan: &Path, command: Command, reader: Reader) -> Result<Report, Error> {
    program
        .show_json(plan, |out| {
            parse::parse_json(io::BufReader::new(out), command)
        })?
        .map_err(|source| parse_error(command, reader, source))
}

/// How long stdin is watched for piped output; a producer slower than this (a `terraform
/// plan` still refreshing) goes unnoticed, and its output unread.
const STDIN_WAIT_MS: i64 = 100;

/// Whether something arrives on stdin soon: a pipe or file with bytes in it. A terminal,
/// `/dev/null` and a closed pipe count as nothing, at once.
fn stdin_has_data() -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return false;
    }
    let handle = stdin.as_fd();
    let mut fds = [PollFd::new(&handle, PollFlags::IN)];
    let wait = Timespec {
        tv_sec: 0,
        tv_nsec: STDIN_WAIT_MS * 1_000_000,
    };
    let ready = poll(&mut fds, Some(&wait)).is_ok_and(|n| n > 0)
        && fds[0].revents().contains(PollFlags::IN);
    let mut byte = [0_u8; 1];
    ready && matches!(stdin.lock().read(&mut byte), Ok(1))
}
