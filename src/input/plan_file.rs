//! Saved plans: asking Terraform (or OpenTofu) to show a plan file, since only the program
//! that wrote a plan file can read it.
//!
//! A plan file is shown twice: `show -json` for the structure, read here as a stream and
//! handed to whoever parses it, and `show -no-color` for the human text, which is passed
//! through like a wrapped program's output (see [`crate::input::run_command`]). Which
//! program to run is decided once, in [`Program::choose`].

use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The program used when neither `--terraform-bin` nor `TFNOTIFY_TERRAFORM_BIN` names one.
const TERRAFORM: &str = "terraform";
/// OpenTofu's program, used when `terraform` is not installed or cannot read the plan.
const TOFU: &str = "tofu";

/// How much of a failing `show`'s stderr an error quotes; the rest is cut, not lost: the
/// same command run by hand shows it all.
const STDERR_QUOTED: usize = 4 * 1024;

/// Why a saved plan could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("the plan file `{}` does not exist", path.display())]
    Missing { path: PathBuf },
    #[error("neither `terraform` nor `tofu` was found on PATH, so the plan file cannot be shown")]
    NoProgram,
    #[error("could not run `{program}`: {source}")]
    Spawn { program: String, source: io::Error },
    #[error("`{command}` exited with {code}{}", quoted(stderr))]
    Failed {
        command: String,
        code: i32,
        stderr: String,
    },
    #[error("could not read what `{command}` printed: {source}")]
    Read { command: String, source: io::Error },
}

impl PlanFileError {
    /// Whether the program could read the file but not this plan: Terraform refuses a plan
    /// written by another version (OpenTofu's plans included).
    pub fn is_version_mismatch(&self) -> bool {
        matches!(self, PlanFileError::Failed { stderr, .. }
            if stderr.contains("cannot be transferred between different"))
    }
}

/// The program that shows plan files, and whether the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// What is run: a name looked up on PATH, or a path.
    pub path: OsString,
    /// Named by `--terraform-bin` or `TFNOTIFY_TERRAFORM_BIN`, so never swapped for another.
    pub chosen: bool,
}

impl Program {
    /// The program named by the user, else `terraform`, else `tofu`, whichever `path_var`
    /// (a `PATH` value) holds first.
    pub fn choose(named: Option<&OsStr>, path_var: Option<&OsStr>) -> Result<Self, PlanFileError> {
        if let Some(named) = named.filter(|n| !n.is_empty()) {
            return Ok(Program {
                path: named.to_owned(),
                chosen: true,
            });
        }
        [TERRAFORM, TOFU]
            .into_iter()
            .find(|name| on_path(name, path_var))
            .map(|name| Program {
                path: name.into(),
                chosen: false,
            })
            .ok_or(PlanFileError::NoProgram)
    }

    /// OpenTofu, to try when this program could not read a plan, if it was not named by
    /// the user, is not already `tofu` and `tofu` is installed.
    pub fn fallback(&self, path_var: Option<&OsStr>) -> Option<Self> {
        (!self.chosen && !self.is_tofu() && on_path(TOFU, path_var)).then(|| Program {
            path: TOFU.into(),
            chosen: false,
        })
    }

    /// Whether this is OpenTofu's program, by its file name.
    pub fn is_tofu(&self) -> bool {
        Path::new(&self.path)
            .file_name()
            .is_some_and(|name| name == TOFU)
    }

    /// The arguments that print `plan` as text for people.
    pub fn text_args(plan: &Path) -> Vec<OsString> {
        vec![
            "show".into(),
            "-no-color".into(),
            plan.as_os_str().to_owned(),
        ]
    }

    /// Runs `show -json PLAN` and hands its stdout to `read` as it arrives; fails when the
    /// program does, quoting its stderr.
    pub fn show_json<T>(
        &self,
        plan: &Path,
        read: impl FnOnce(&mut dyn Read) -> T,
    ) -> Result<T, PlanFileError> {
        self.show(&["-json"], plan, read)
    }

    /// Runs `show -no-color PLAN` and returns the text, for commands that pass nothing
    /// through.
    pub fn show_text(&self, plan: &Path) -> Result<Vec<u8>, PlanFileError> {
        let command = self.describe(&["show"], plan);
        self.show(&[], plan, |out| {
            let mut text = Vec::new();
            out.read_to_end(&mut text).map(|_| text)
        })?
        .map_err(|source| PlanFileError::Read { command, source })
    }

    /// Runs `show [EXTRA] -no-color PLAN`, handing stdout to `read` while stderr is kept for
    /// the error.
    fn show<T>(
        &self,
        extra: &[&str],
        plan: &Path,
        read: impl FnOnce(&mut dyn Read) -> T,
    ) -> Result<T, PlanFileError> {
        check_exists(plan)?;
        let mut args = vec!["show"];
        args.extend_from_slice(extra);
        let command = self.describe(&args, plan);
        args.push("-no-color");
        let mut child = Command::new(&self.path)
            .args(&args)
            .arg(plan)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| PlanFileError::Spawn {
                program: self.path.to_string_lossy().into_owned(),
                source,
            })?;
        let mut stdout = child.stdout.take().expect("stdout was asked to be piped");
        let mut stderr = child.stderr.take().expect("stderr was asked to be piped");
        let (value, errors) = std::thread::scope(|scope| {
            let errors = scope.spawn(move || {
                let mut text = Vec::new();
                let _ = stderr.read_to_end(&mut text);
                text
            });
            let value = read(&mut stdout);
            // Whatever the reader left is drained, so the program is never stuck writing.
            let _ = io::copy(&mut stdout, &mut io::sink());
            (value, errors.join().unwrap_or_default())
        });
        let status = child.wait().map_err(|source| PlanFileError::Read {
            command: command.clone(),
            source,
        })?;
        match status.code() {
            Some(0) => Ok(value),
            code => Err(PlanFileError::Failed {
                command,
                code: code.unwrap_or(1),
                stderr: String::from_utf8_lossy(&errors).into_owned(),
            }),
        }
    }

    /// The command line as a user would type it, for messages.
    pub fn describe(&self, args: &[&str], plan: &Path) -> String {
        format!(
            "{} {} {}",
            self.path.to_string_lossy(),
            args.join(" "),
            plan.display()
        )
    }
}

/// Refuses a plan path that is not there, before any program says it less clearly.
fn check_exists(plan: &Path) -> Result<(), PlanFileError> {
    if plan.exists() {
        Ok(())
    } else {
        Err(PlanFileError::Missing {
            path: plan.to_owned(),
        })
    }
}

/// Whether `name` is an executable file in one of `path_var`'s directories.
fn on_path(name: &str, path_var: Option<&OsStr>) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path_var.is_some_and(|paths| {
        std::env::split_paths(paths).any(|dir| {
            std::fs::metadata(dir.join(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// A failing program's stderr, indented under the error's first line; nothing when empty.
fn quoted(stderr: &str) -> String {
    let text = stderr.trim();
    if text.is_empty() {
        return String::new();
    }
    let mut end = text.len().min(STDERR_QUOTED);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::from(":");
    for line in text[..end].lines() {
        out.push_str("\n  ");
        out.push_str(line.trim_end());
    }
    if end < text.len() {
        out.push_str("\n  …");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    use super::{PlanFileError, Program};

    fn install(dir: &Path, name: &str) {
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\n").expect("write program");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    #[test]
    fn a_named_program_wins_and_is_never_swapped() {
        let dir = tempfile::tempdir().expect("tempdir");
        install(dir.path(), "tofu");
        let named = Program::choose(Some(OsStr::new("/opt/tf/terraform")), None).expect("named");
        assert_eq!(named.path, "/opt/tf/terraform");
        assert!(named.chosen);
        assert_eq!(named.fallback(Some(dir.path().as_os_str())), None);
    }

    #[test]
    fn terraform_comes_before_tofu_and_tofu_is_the_fallback() {
        let dir = tempfile::tempdir().expect("tempdir");
        install(dir.path(), "terraform");
        install(dir.path(), "tofu");
        let path = Some(dir.path().as_os_str());
        let program = Program::choose(None, path).expect("found");
        assert_eq!(program.path, "terraform");
        let fallback = program.fallback(path).expect("tofu is installed");
        assert!(fallback.is_tofu());
        assert_eq!(fallback.fallback(path), None, "tofu falls back to nothing");
    }

    #[test]
    fn tofu_alone_is_used_and_nothing_at_all_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        install(dir.path(), "tofu");
        let program = Program::choose(None, Some(dir.path().as_os_str())).expect("found");
        assert!(program.is_tofu());
        let empty = tempfile::tempdir().expect("tempdir");
        let none = Program::choose(None, Some(empty.path().as_os_str()));
        assert!(matches!(none, Err(PlanFileError::NoProgram)));
    }

    #[test]
    fn a_failure_quotes_stderr_under_its_first_line() {
        let error = PlanFileError::Failed {
            command: "terraform show -json tfplan".into(),
            code: 1,
            stderr: "\nError: Failed to read plan from plan file\n\nplan file was created by Terraform 1.9.0, but this is 1.11.4; plan files cannot be transferred between different Terraform versions.\n".into(),
        };
        let text = error.to_string();
        assert!(
            text.starts_with("`terraform show -json tfplan` exited with 1:\n  Error: Failed"),
            "{text}"
        );
        assert!(error.is_version_mismatch());
    }
}
